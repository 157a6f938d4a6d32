/*
 * tests/unit/test_wh_tls.c: checks on the serving certificate, key and
 * client CA (wh_tls_parse_*), and what `celgate cert` writes (wh_certgen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "webhook/wh.h"

typedef struct certs {
    char dir[64];
    char *cert, *key, *ca, *ckey;
    size_t cert_len, key_len, ca_len, ckey_len;
} certs;

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[128], *data, *err = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(wh_read_file(path, WH_PEM_MAX, &data, len, &err), 0);
    return data;
}

static int setup(void **state)
{
    certs *c = calloc(1, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "/tmp/wh-tls-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    wh_certgen_opts o = {.service = "hook", .ns = "ops", .out = c->dir, .days = 30,
                         .client = true};
    char *b64 = NULL, *err = NULL;
    assert_int_equal(wh_certgen(&o, &b64, &err), 0);
    assert_true(strlen(b64) > 100);
    free(b64);
    c->cert = slurp(c->dir, "tls.crt", &c->cert_len);
    c->key = slurp(c->dir, "tls.key", &c->key_len);
    c->ca = slurp(c->dir, "ca.crt", &c->ca_len);
    c->ckey = slurp(c->dir, "client.key", &c->ckey_len);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    certs *c = *state;
    free(c->cert);
    free(c->key);
    free(c->ca);
    free(c->ckey);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    assert_int_equal(system(cmd), 0);
    free(c);
    return 0;
}

static void test_pair_accepted(void **state)
{
    certs *c = *state;
    wh_cert_info info;
    char *err = NULL;
    time_t now = time(NULL);
    assert_int_equal(wh_tls_parse_pair(c->cert, c->cert_len, c->key, c->key_len, now, &info, &err), 0);
    assert_string_equal(info.subject, "/CN=hook.ops.svc");
    assert_true(info.not_after > now + 29 * 86400 && info.not_after <= now + 30 * 86400 + 5);
    assert_true(info.not_before <= now - 290);
    assert_int_equal(info.cert_len, c->cert_len);
    wh_cert_info_clear(&info);
}

static void expect_refused(const char *cert, size_t cl, const char *key, size_t kl, time_t now,
                           const char *want)
{
    wh_cert_info info;
    char *err = NULL;
    assert_int_equal(wh_tls_parse_pair(cert, cl, key, kl, now, &info, &err), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' does not contain '%s'", err, want);
    free(err);
    assert_null(info.cert_pem);
}

static void test_pair_refused(void **state)
{
    certs *c = *state;
    time_t now = time(NULL);
    expect_refused(c->cert, c->cert_len, c->ckey, c->ckey_len, now,
                   "private key does not match the certificate");
    expect_refused("garbage", 7, c->key, c->key_len, now, "certificate: ");
    expect_refused(c->cert, c->cert_len, "garbage", 7, now, "private key: ");
    expect_refused(c->cert, c->cert_len, c->key, c->key_len, now + 31 * 86400,
                   "certificate expired at ");
    expect_refused(c->cert, c->cert_len, c->key, c->key_len, now - 86400,
                   "certificate is not valid before ");
    /* A chain whose second certificate is damaged. */
    size_t n = c->cert_len + c->ca_len;
    char *chain = malloc(n + 1);
    memcpy(chain, c->cert, c->cert_len);
    memcpy(chain + c->cert_len, c->ca, c->ca_len);
    chain[c->cert_len + 40] ^= 0x55;
    expect_refused(chain, n, c->key, c->key_len, now, "certificate 2 of the chain: ");
    free(chain);
}

static void test_client_ca(void **state)
{
    certs *c = *state;
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(wh_tls_parse_ca(c->ca, c->ca_len, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(wh_tls_parse_ca("nothing here", 12, &n, &err), -1);
    assert_string_equal(err, "client CA certificate 1: no PEM data found");
    free(err);
}

static void test_certgen_names_and_modes(void **state)
{
    certs *c = *state;
    BIO *b = BIO_new_mem_buf(c->cert, (int)c->cert_len);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(x);
    const char *names[] = {"hook", "hook.ops", "hook.ops.svc", "hook.ops.svc.cluster.local",
                           "localhost"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(X509_check_host(x, names[i], 0, X509_CHECK_FLAG_NO_WILDCARDS, NULL), 1);
    assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    assert_int_equal(X509_check_host(x, "other.ops.svc", 0, 0, NULL), 0);
    X509_free(x);
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/tls.key", c->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/ca.key", c->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pair_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pair_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certgen_names_and_modes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
