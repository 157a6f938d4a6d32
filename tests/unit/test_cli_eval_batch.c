/*
 * test_cli_eval_batch.c: `celgate eval --batch`: JSON lines in, one --json
 * line out per request (values, evaluation and compile errors, per-line
 * variables beside --var ones, and an error line for each line that is not
 * a request), as the differential harness (tests/differential) uses it.
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

/* Runs the command with `input` on standard input and stdout/stderr sent
 * to temporary files; argv strings are copied (the command may write into
 * them). */
static void run_batch(captured *c, const char *input, int argc, const char **args)
{
    FILE *i = tmpfile(), *o = tmpfile(), *e = tmpfile();
    assert_true(i && o && e);
    fputs(input, i);
    rewind(i);
    char *argv[16];
    for (int k = 0; k < argc; k++)
        argv[k] = strdup(args[k]);
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int si = dup(0), so = dup(1), se = dup(2);
    dup2(fileno(i), 0);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    clearerr(stdin);
    c->rc = cli_eval_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(si, 0);
    dup2(so, 1);
    dup2(se, 2);
    close(si);
    close(so);
    close(se);
    clearerr(stdin);
    slurp(o, c->out, sizeof c->out);
    slurp(e, c->err, sizeof c->err);
    fclose(i);
    fclose(o);
    fclose(e);
    for (int k = 0; k < argc; k++)
        free(argv[k]);
}

static void test_batch_lines(void **state)
{
    captured c;
    /* plain CEL: the mixed list is not a Kubernetes literal */
    const char *args[] = {"eval", "--env", "std", "--batch"};
    run_batch(&c,
              "{\"expr\": \"1 + 2\"}\n"
              "{\"expr\": \"x.a * 2\", \"vars\": {\"x\": {\"a\": 21}}}\n"
              "\n"
              "{\"expr\": \"[1.5, b'\\\\xff', 2u]\"}\n"
              "{\"expr\": \"1 / 0\"}\n"
              "{\"expr\": \"1 +\"}\n"
              "{\"expr\": \"x\"}\n",
              4, args);
    assert_int_equal(c.rc, 0);
    const char *want =
        "{\"value\": {\"int\": \"3\"}}\n"
        "{\"value\": {\"int\": \"42\"}}\n"
        "{\"value\": {\"list\": [{\"double\": 1.5}, {\"bytes\": \"/w==\"}, {\"uint\": \"2\"}]}}\n"
        "{\"error\": \"division by zero\"}\n";
    assert_memory_equal(c.out, want, strlen(want));
    /* a compile error is an error line too; x was the line before's own */
    const char *rest = c.out + strlen(want);
    assert_non_null(strstr(rest, "{\"error\": \"ERROR: <input>:1:4: Syntax error"));
    assert_non_null(strstr(rest, "undeclared reference to 'x'"));
    size_t lines = 0;
    for (const char *p = c.out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 6); /* one per request; the blank line is skipped */
}

static void test_batch_vars_and_bad_lines(void **state)
{
    captured c;
    const char *args[] = {"eval", "--batch", "--var", "q=7"};
    run_batch(&c,
              "{\"expr\": \"q + y\", \"vars\": {\"y\": 1}}\n"
              "not json\n"
              "{\"vars\": {}}\n"
              "{\"expr\": \"q\", \"vars\": {\"q\": 1}}\n"
              "{\"expr\": \"q\", \"vars\": [1]}\n"
              "{\"expr\": \"q * 2\"}\n",
              4, args);
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out,
                        "{\"value\": {\"int\": \"8\"}}\n"
                        "{\"error\": \"batch line 2: '[' or '{' expected near 'not'\"}\n"
                        "{\"error\": \"batch line 3: expected {\\\"expr\\\": STRING, \\\"vars\\\": OBJECT}\"}\n"
                        "{\"error\": \"batch line 4: bad \\\"vars\\\" (an object of unique names)\"}\n"
                        "{\"error\": \"batch line 5: bad \\\"vars\\\" (an object of unique names)\"}\n"
                        "{\"value\": {\"int\": \"14\"}}\n");
    assert_non_null(strstr(c.err, "variable 'q' given twice"));
}

static void test_batch_usage(void **state)
{
    captured c;
    const char *args[] = {"eval", "--batch", "1 + 1"};
    run_batch(&c, "", 3, args);
    assert_int_equal(c.rc, 2);
    assert_non_null(strstr(c.err, "--batch reads its expressions from standard input"));
    const char *none[] = {"eval", "--batch"};
    run_batch(&c, "", 2, none);
    assert_int_equal(c.rc, 0);
    assert_string_equal(c.out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_lines),
        cmocka_unit_test(test_batch_vars_and_bad_lines),
        cmocka_unit_test(test_batch_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
