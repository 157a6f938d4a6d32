/*
 * test_cli_eval.c: `celgate eval` end to end: output formats (CEL literal,
 * --json tagged VALUE, --cost), exit statuses (0 value, 1 evaluation error,
 * 2 compile or usage error) and the messages for bad --var input. The
 * command's source is compiled into this test (the CLI is not a library).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/eval.c"

typedef struct captured {
    int rc;
    char out[8192];
    char err[8192];
} captured;

static void slurp(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
}

/* Runs the command with stdout and stderr sent to temporary files. */
static void run(captured *c, int argc, char **argv)
{
    FILE *o = tmpfile(), *e = tmpfile();
    assert_non_null(o);
    assert_non_null(e);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    c->rc = cli_eval_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    slurp(o, c->out, sizeof c->out);
    slurp(e, c->err, sizeof c->err);
    fclose(o);
    fclose(e);
}

/* Arguments are copied: the command may write into them, as into argv. */
#define RUN(c, ...)                                                        \
    do {                                                                   \
        const char *args_[] = {"eval", __VA_ARGS__};                       \
        int argc_ = (int)(sizeof args_ / sizeof args_[0]);                 \
        char *argv_[16];                                                   \
        for (int i_ = 0; i_ < argc_; i_++)                                 \
            argv_[i_] = strdup(args_[i_]);                                 \
        argv_[argc_] = NULL;                                               \
        run(c, argc_, argv_);                                              \
        for (int i_ = 0; i_ < argc_; i_++)                                 \
            free(argv_[i_]);                                               \
    } while (0)

static void test_literal_output(void **state)
{
    captured c;
    RUN(&c, "{'a': [1, 2u, 2.5, b'\\xff', null]}.a");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "[1, 2u, 2.5, b\"\\xff\", null]\n");
    RUN(&c, "--var", "object={\"metadata\":{\"name\":\"x\",\"n\":3}}",
        "object.metadata.name + string(object.metadata.n)");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "\"x3\"\n");
}

static void test_json_output(void **state)
{
    captured c;
    RUN(&c, "--json", "--var", "x=1.0", "[x, 1, 'a\\x00b']");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "{\"value\":{\"list\":[{\"double\":1.0},{\"int\":\"1\"},{\"string\":\"a\\u0000b\"}]}}\n");
    RUN(&c, "--json", "1/0");
    assert_int_equal(c.rc, 1);
    assert_string_equal(c.out, "{\"error\":\"division by zero\"}\n");
    RUN(&c, "--json", "--cost", "[1, 2].size()");
    assert_int_equal(c.rc, 0);
    /* list literal 10 + size() 1 */
    assert_string_equal(c.out, "{\"value\":{\"int\":\"2\"},\"cost\":11}\n");
}

static void test_errors_and_status(void **state)
{
    captured c;
    RUN(&c, "1 +");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "ERROR: <input>:1:4: Syntax error"));
    RUN(&c, "nope");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "undeclared reference to 'nope'"));
    RUN(&c, "--disable-check", "nope");
    assert_int_equal(c.rc, 1);
    assert_string_equal(c.err, "no such attribute(s): nope\n");
    RUN(&c, "--cost-limit", "5", "[1, 2, 3].map(x, x)");
    assert_int_equal(c.rc, 1);
    assert_string_equal(c.err, "operation cancelled: actual cost limit exceeded\n");
    RUN(&c, "--var", "obj={\"a\": }", "obj");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "--var obj: invalid JSON at line 1, column 7"));
    RUN(&c, "--var", "=1", "1");
    assert_int_equal(c.rc, 2);
    RUN(&c, "--bogus", "1");
    assert_int_equal(c.rc, 2);
    RUN(&c, "--help");
    assert_int_equal(c.rc, 0);
    assert_non_null(strstr(c.out, "usage: celgate eval"));
    RUN(&c, "--cost", "'abc'");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "\"abc\"\ncost: 0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_output),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_errors_and_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
