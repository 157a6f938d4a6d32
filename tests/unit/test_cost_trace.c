/*
 * test_cost_trace.c: cel_interp_eval_traced, the cost report behind
 * fuzz_eval's cost-slack invariant (docs/fuzzing.md): an evaluation within
 * the limit reports what cel_eval reports and no crossing; one stopped by
 * the limit reports the cost before the crossing charge (within the limit)
 * and that charge, which add up to the cost, and nothing charged after it;
 * the slack is that one operation's price, however large.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/cel.h"
#include "cel/plan.h"

typedef struct traced {
    cel_value v;
    cel_cost_trace t;
    uint64_t plain_cost; /* what cel_eval reports for the same run */
    int code;            /* the error's code (the value lives in a freed arena) */
    char msg[128];
} traced;

static void run(const char *src, const char *x, uint64_t limit, traced *out)
{
    cel_env_options o = {.std_lib = true, .macros = CEL_MACROS_ALL};
    cel_env *env = cel_env_new(&o);
    assert_non_null(env);
    assert_int_equal(cel_env_add_var(env, "x", &cel_t_string), 0);
    cel_diag d;
    cel_program *p = cel_compile(env, src, strlen(src), &d);
    if (!p)
        fail_msg("%s: %s", src, d.text ? d.text : "compile error");
    cel_arena *a = cel_arena_new(0);
    cel_value xv = cel_string_n(x, (uint32_t)strlen(x));
    cel_activation act = {&xv, 1};
    cel_eval_opts eo = {.cost_limit = limit};
    out->v = cel_interp_eval_traced(p, &act, a, &eo, &out->t);
    out->msg[0] = '\0';
    out->code = 0;
    if (out->v.kind == CEL_ERROR) {
        out->code = (int)out->v.u.err->code;
        snprintf(out->msg, sizeof out->msg, "%s", out->v.u.err->msg);
    }
    cel_value again = cel_eval(p, &act, a, &eo, &out->plain_cost);
    assert_int_equal(again.kind, out->v.kind);
    cel_arena_free(a);
    cel_program_free(p);
    cel_env_free(env);
}

static void test_within_limit(void **state)
{
    traced r;
    /* list literal 10, three steps of map: 3 x (multiplication 1 + step) */
    run("[1, 2, 3].map(i, i * 2).size()", "", 1000, &r);
    assert_int_equal(r.v.kind, CEL_INT);
    assert_false(r.t.crossed);
    assert_int_equal(r.t.crossing, 0);
    assert_int_equal(r.t.cost, r.plain_cost);
    assert_true(r.t.cost > 10 && r.t.cost <= 1000);
}

static void test_stopped_by_the_limit(void **state)
{
    traced r;
    run("[1, 2, 3, 4, 5, 6, 7, 8].map(i, i * 2)", "", 15, &r);
    assert_int_equal(r.v.kind, CEL_ERROR);
    assert_int_equal(r.code, CEL_ERR_COST);
    assert_string_equal(r.msg, "operation cancelled: actual cost limit exceeded");
    assert_true(r.t.crossed);
    assert_true(r.t.crossed_at <= 15);
    assert_true(r.t.cost > 15);
    assert_int_equal(r.t.cost, r.t.crossed_at + r.t.crossing);
    assert_int_equal(r.t.cost, r.plain_cost);
}

static void test_slack_is_one_operation(void **state)
{
    /* x.contains(x) over 2000 characters: the two reads of x cost 1 each,
     * then contains is priced (2000/10)^2 = 40000 before it runs, so the
     * limit of 100 is passed by that whole charge. */
    char big[2001];
    memset(big, 'a', 2000);
    big[2000] = '\0';
    traced r;
    run("x.contains(x)", big, 100, &r);
    assert_int_equal(r.v.kind, CEL_ERROR);
    assert_int_equal(r.code, CEL_ERR_COST);
    assert_true(r.t.crossed);
    assert_int_equal(r.t.crossing, 40000);
    assert_int_equal(r.t.crossed_at, 2);
    assert_int_equal(r.t.cost, 40002);
    /* the same within a limit that covers it exactly: a value, no crossing */
    run("x.contains(x)", big, 40002, &r);
    assert_int_equal(r.v.kind, CEL_BOOL);
    assert_false(r.t.crossed);
    assert_int_equal(r.t.cost, 40002);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within_limit),
        cmocka_unit_test(test_stopped_by_the_limit),
        cmocka_unit_test(test_slack_is_one_operation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
