/*
 * test_cli_eval.c: `celgate eval` end to end: output formats (CEL literal,
 * --json tagged VALUE, --cost), exit statuses (0 value, 1 evaluation error,
 * 2 compile or usage error), the messages for bad --var input, and the
 * environments (--env, --k8s-version, --stored) with their cost limits.
 * The command's source is compiled into this test (the CLI is not a
 * library).
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
    /* plain CEL: Kubernetes rejects mixed-type list literals */
    RUN(&c, "--env", "std", "{'a': [1, 2u, 2.5, b'\\xff', null]}.a");
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
    RUN(&c, "--json", "--env", "std", "--var", "x=1.0", "[x, 1, 'a\\x00b']");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "{\"value\": {\"list\": [{\"double\": 1.0}, {\"int\": \"1\"}, {\"string\": \"a\\u0000b\"}]}}\n");
    RUN(&c, "--json", "1/0");
    assert_int_equal(c.rc, 1);
    assert_string_equal(c.out, "{\"error\": \"division by zero\"}\n");
    /* The line issue 3 asks for, with no flags. */
    RUN(&c, "--json", "cidr('10.96.0.0/16').containsCIDR('10.96.1.0/24')");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "{\"value\": {\"bool\": true}}\n");
    /* Kubernetes builds programs with OptOptimize: a constant list costs
     * nothing, size() 1. Plain CEL charges the list literal its 10. */
    RUN(&c, "--json", "--cost", "[1, 2].size()");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "{\"value\": {\"int\": \"2\"}, \"cost\": 1}\n");
    RUN(&c, "--json", "--cost", "--env", "std", "[1, 2].size()");
    assert_string_equal(c.out, "{\"value\": {\"int\": \"2\"}, \"cost\": 11}\n");
    /* has() is free in Kubernetes, 1 in plain cel-go */
    RUN(&c, "--cost", "--var", "o={\"a\":1}", "has(o.a)");
    assert_string_equal(c.out, "true\ncost: 1\n");
    RUN(&c, "--cost", "--env", "std", "--var", "o={\"a\":1}", "has(o.a)");
    assert_string_equal(c.out, "true\ncost: 2\n");
    RUN(&c, "--json", "--cost", "--var", "x=1", "[x, x].size()");
    /* x twice 2 + list 10 + size() 1 */
    assert_string_equal(c.out, "{\"value\": {\"int\": \"2\"}, \"cost\": 13}\n");
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
    RUN(&c, "--env", "nope", "1");
    assert_int_equal(c.rc, 2);
    assert_string_equal(c.err, "celgate eval: --env expects k8s, all or std, got 'nope'\n");
}

/* Kubernetes versions: --k8s-version 1.N compiles as an API server of 1.N
 * validates a new expression (compatibility version 1.N-1); --stored as it
 * compiles stored ones (1.N). ip() and cidr() arrive in 1.30. */
static void test_k8s_versions(void **state)
{
    captured c;
    const char *net = "cidr('10.0.0.0/8').containsIP('10.1.2.3')";
    RUN(&c, "--k8s-version", "1.30", net);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "undeclared reference to 'cidr'"));
    RUN(&c, "--k8s-version", "1.30", "--stored", net);
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "true\n");
    RUN(&c, "--k8s-version", "v1.31.4", net);
    assert_int_equal(c.rc, 0);
    RUN(&c, "--k8s-version", "1.37", net);
    assert_int_equal(c.rc, 0);
    /* optional syntax from 1.28: a 1.29 server accepts it in new policies */
    RUN(&c, "--k8s-version", "1.29", "--var", "o={\"a\":1}", "[?o.?b, ?o.?a] == [1]");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "true\n");
    /* two-variable comprehensions from 1.32 */
    RUN(&c, "--k8s-version", "1.32", "[1, 2].all(i, v, v > i)");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "undeclared reference to 'all'"));
    RUN(&c, "--k8s-version", "1.33", "[1, 2].all(i, v, v > i)");
    assert_int_equal(c.rc, 0);

    /* unknown versions and bad combinations */
    RUN(&c, "--k8s-version", "1.99", "1");
    assert_int_equal(c.rc, 2);
    assert_string_equal(c.err, "celgate eval: --k8s-version 1.99: unknown Kubernetes version; celgate knows 1.28 to 1.37\n");
    RUN(&c, "--k8s-version", "1.x", "1");
    assert_int_equal(c.rc, 2);
    assert_string_equal(c.err, "celgate eval: --k8s-version expects 1.N (or v1.N, 1.N.P), got '1.x'\n");
    RUN(&c, "--k8s-version", "1.28", "1");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "compatibility version 1.27, older than celgate models (1.28)"));
    RUN(&c, "--k8s-version", "1.28", "--stored", "1");
    assert_int_equal(c.rc, 0);
    RUN(&c, "--stored", "1");
    assert_int_equal(c.rc, 2);
    assert_string_equal(c.err, "celgate eval: --stored needs --k8s-version\n");
    RUN(&c, "--env", "std", "--k8s-version", "1.30", "1");
    assert_int_equal(c.rc, 2);
    assert_string_equal(c.err, "celgate eval: --k8s-version applies to --env k8s only\n");
}

/* --env std is plain CEL (no Kubernetes libraries, standard macros only);
 * --env all has every library and macro. */
static void test_envs(void **state)
{
    captured c;
    RUN(&c, "--env", "std", "ip('1.2.3.4')");
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "undeclared reference to 'ip'"));
    RUN(&c, "--env", "std", "[1].exists(i, v, v == 1)");
    assert_int_equal(c.rc, 2);
    RUN(&c, "--env", "all", "[1].exists(i, v, v == 1) && string(ip('::1')) == '::1'");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "true\n");
    /* cel.bind is a cel-go extension Kubernetes leaves out */
    RUN(&c, "cel.bind(x, 1, x + 1)");
    assert_int_equal(c.rc, 2);
    RUN(&c, "--env", "all", "cel.bind(x, 1, x + 1)");
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "2\n");
}

/* The Kubernetes environments stop past 1,000,000 unless told otherwise;
 * the others have no limit by default. */
static void test_cost_limit_defaults(void **state)
{
    captured c;
    const char *big = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, "
                      "[1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, "
                      "[1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))";
    RUN(&c, "--cost", big);
    assert_int_equal(c.rc, 1);
    assert_string_equal(c.err, "operation cancelled: actual cost limit exceeded\n");
    long spent = strtol(c.out + strlen("cost: "), NULL, 10);
    assert_true(spent > 1000000 && spent <= 1000003);
    RUN(&c, "--cost", "--cost-limit", "0", big);
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "true\ncost: 3444441\n");
    RUN(&c, "--cost", "--env", "all", big);
    assert_int_equal(c.rc, 0);
    RUN(&c, "--json", "--cost", "--cost-limit", "100", big);
    assert_int_equal(c.rc, 1);
    assert_string_equal(c.out, "{\"error\": \"operation cancelled: actual cost limit exceeded\", \"cost\": 101}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_output),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_errors_and_status),
        cmocka_unit_test(test_k8s_versions),
        cmocka_unit_test(test_envs),
        cmocka_unit_test(test_cost_limit_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
