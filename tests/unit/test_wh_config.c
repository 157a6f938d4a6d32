/*
 * tests/unit/test_wh_config.c: settings of `celgate serve`: defaults, flags,
 * the config file, Go durations, and the errors each bad value gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "webhook/wh.h"

static void test_durations(void **state)
{
    (void)state;
    uint64_t ms;
    assert_int_equal(wh_parse_duration_ms("10s", &ms), 0);
    assert_int_equal(ms, 10000);
    assert_int_equal(wh_parse_duration_ms("1m30s", &ms), 0);
    assert_int_equal(ms, 90000);
    assert_int_equal(wh_parse_duration_ms("500ms", &ms), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(wh_parse_duration_ms("1.5h", &ms), 0);
    assert_int_equal(ms, 5400000);
    assert_int_equal(wh_parse_duration_ms("2000us", &ms), 0);
    assert_int_equal(ms, 2);
    assert_int_equal(wh_parse_duration_ms("", &ms), -1);
    assert_int_equal(wh_parse_duration_ms("10", &ms), -1);
    assert_int_equal(wh_parse_duration_ms("-1s", &ms), -1);
    assert_int_equal(wh_parse_duration_ms("10x", &ms), -1);
    assert_int_equal(wh_parse_duration_ms("s", &ms), -1);
    assert_int_equal(wh_parse_duration_ms("99999999999h", &ms), -1);
}

static void expect_error(const char *name, const char *value, const char *message)
{
    wh_config c;
    wh_config_init(&c);
    char *err = NULL;
    assert_int_equal(wh_config_set(&c, name, value, &err), -1);
    assert_string_equal(err, message);
    free(err);
    wh_config_clear(&c);
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_error("port", "70000", "--port: 70000 is not a port (0..65535)");
    expect_error("port", "8k", "--port: '8k' is not a number in 0..1048560");
    expect_error("max-body", "0", "--max-body: '0' is not a size in 1..1Gi (e.g. 8Mi)");
    expect_error("max-body", "2Gi", "--max-body: '2Gi' is not a size in 1..1Gi (e.g. 8Mi)");
    expect_error("deadline", "ten", "--deadline: 'ten' is not a duration up to 24h (e.g. 10s, 500ms)");
    expect_error("nope", "1", "unknown setting 'nope'");
    expect_error("policies", "", "--policies: empty value");
}

static void test_flags_defaults_and_required(void **state)
{
    (void)state;
    wh_config c;
    wh_config_init(&c);
    char *err = NULL;
    char *argv[] = {"serve", "--policies", "p", "--cert=c.pem", "--key", "k.pem",
                    "--max-body", "1Mi", "--deadline", "2s", NULL};
    assert_int_equal(wh_config_parse(&c, 10, argv, stdout, &err), 0);
    assert_string_equal(c.policies, "p");
    assert_string_equal(c.cert_file, "c.pem");
    assert_int_equal(c.max_body, 1 << 20);
    assert_int_equal(c.deadline_ms, 2000);
    assert_int_equal(c.port, 8443);
    assert_int_equal(c.health_port, 8080);
    assert_string_equal(c.addr, "0.0.0.0");
    assert_string_equal(c.health_addr, "127.0.0.1");
    assert_int_equal(c.conn_timeout, 15);
    assert_int_equal(c.max_connections, 1024);
    assert_null(c.client_ca);
    wh_config_clear(&c);

    wh_config_init(&c);
    char *argv2[] = {"serve", "--cert", "c", "--key", "k", NULL};
    assert_int_equal(wh_config_parse(&c, 5, argv2, stdout, &err), -1);
    assert_string_equal(err, "--policies is required");
    free(err);
    err = NULL;
    wh_config_clear(&c);

    wh_config_init(&c);
    char *argv3[] = {"serve", "--policies", NULL};
    assert_int_equal(wh_config_parse(&c, 2, argv3, stdout, &err), -1);
    assert_string_equal(err, "--policies needs a value");
    free(err);
    err = NULL;
    wh_config_clear(&c);

    wh_config_init(&c);
    char *argv4[] = {"serve", "policies", NULL};
    assert_int_equal(wh_config_parse(&c, 2, argv4, stdout, &err), -1);
    assert_string_equal(err, "unexpected argument 'policies'");
    free(err);
    wh_config_clear(&c);
}

static void test_config_file_and_override(void **state)
{
    (void)state;
    char path[] = "/tmp/wh-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "# settings\npolicies = /etc/celgate/policies\ncert=/c\n  key = /k  \n"
                        "\nport = 9443\nreload-interval = 1m\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    wh_config c;
    wh_config_init(&c);
    char *err = NULL;
    char *argv[] = {"serve", "--port", "7443", "--config", path, NULL};
    assert_int_equal(wh_config_parse(&c, 5, argv, stdout, &err), 0);
    assert_string_equal(c.policies, "/etc/celgate/policies");
    assert_string_equal(c.key_file, "/k");
    assert_int_equal(c.port, 7443); /* the flag wins over the file */
    assert_int_equal(c.reload_interval, 60);
    wh_config_clear(&c);

    FILE *f = fopen(path, "w");
    fputs("policies = p\nthreads: 4\n", f);
    fclose(f);
    wh_config_init(&c);
    assert_int_equal(wh_config_load_file(&c, path, &err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:2: expected 'name = value'", path);
    assert_string_equal(err, want);
    free(err);
    err = NULL;
    f = fopen(path, "w");
    fputs("threads = many\n", f);
    fclose(f);
    assert_int_equal(wh_config_load_file(&c, path, &err), -1);
    snprintf(want, sizeof want, "%s:1: --threads: 'many' is not a number in 0..1048560", path);
    assert_string_equal(err, want);
    free(err);
    wh_config_clear(&c);
    unlink(path);
}

static void test_help_documents_every_flag(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    wh_config_usage(f);
    fclose(f);
    const char *flags[] = {"--config", "--policies", "--cert", "--key", "--client-ca", "--addr",
                           "--port", "--health-addr", "--health-port", "--k8s-version",
                           "--tls-priorities", "--max-body", "--max-connections", "--threads",
                           "--conn-timeout", "--deadline", "--reload-interval",
                           "--shutdown-delay", "--drain-timeout", "--check", "--help"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "  %s%s", flags[i], strcmp(flags[i], "--check") ? " " : "");
        if (!strstr(buf, want))
            fail_msg("--help does not document %s", flags[i]);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_flags_defaults_and_required),
        cmocka_unit_test(test_config_file_and_override),
        cmocka_unit_test(test_help_documents_every_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
