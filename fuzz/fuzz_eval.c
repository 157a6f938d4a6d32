/*
 * fuzz_eval.c: compile and evaluate arbitrary expressions. The input is an
 * expression, a NUL byte, and a small JSON document bound to the variable
 * `x` (no NUL: the expression alone, x unbound). The expression is
 * compiled against the standard and IP/CIDR libraries with every macro and
 * optional syntax, with and without the checker, and each program is
 * evaluated twice under a cost limit. Aborts when:
 *   - the two evaluations differ (literal text of the value or error
 *     message, or the cost spent): evaluation is deterministic;
 *   - an evaluation that finished reports a cost above the limit, or one
 *     that crossed the limit did not end in the cost error;
 *   - a cost error overshoots the limit by more than the documented slack.
 *     The slack is one operation: each operation is priced from its
 *     arguments' sizes and charged before it runs, and the first charge
 *     past the limit stops the evaluation. So the cost reported is the
 *     cost before that charge (at most the limit) plus that charge, and
 *     nothing is charged after it (cel_interp_eval_traced reports both
 *     parts). cel-go overshoots the same way, charging after the step;
 *   - the checked and the unchecked program both give a value, and the
 *     values differ: type-checking never changes what an expression means.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/k8s.h"
#include "cel/ext.h"
#include "cel/json.h"
#include "plan.h"

#define FUZZ_COST_LIMIT 20000u

static void check(bool ok)
{
    if (!ok)
        abort();
}

static char *render(const cel_value *v, cel_arena *a)
{
    if (v->kind == CEL_ERROR)
        return strdup(v->u.err->msg);
    return cel_value_to_cel_literal(v, a);
}

/* Checks the cost invariants of one evaluation. */
static void check_cost(const cel_value *v, const cel_cost_trace *t)
{
    bool cost_error = v->kind == CEL_ERROR && v->u.err->code == CEL_ERR_COST;
    check(cost_error == t->crossed);
    if (!t->crossed) {
        check(t->cost <= FUZZ_COST_LIMIT);
        return;
    }
    check(t->crossed_at <= FUZZ_COST_LIMIT);
    check(t->cost > FUZZ_COST_LIMIT);
    uint64_t sum = t->crossing > UINT64_MAX - t->crossed_at ? UINT64_MAX
                                                             : t->crossed_at + t->crossing;
    check(t->cost == sum);
}

/* Compiles and runs the expression twice; returns the rendered result
 * (malloc'd, "" for a compile error) and whether it is a value. */
static char *run(cel_env *env, const char *expr, size_t len, const json_t *doc, bool *is_value)
{
    *is_value = false;
    cel_diag d;
    cel_program *p = cel_compile(env, expr, len, &d);
    if (!p) {
        check(d.text != NULL || d.message != NULL);
        cel_diag_clear(&d);
        return strdup("");
    }
    char *first = NULL;
    uint64_t first_cost = 0;
    for (int round = 0; round < 2; round++) {
        cel_arena *a = cel_arena_new(0);
        check(a != NULL);
        cel_value x = doc ? cel_json_value(doc, a) : cel_null();
        cel_activation act = {&x, doc ? 1u : 0u};
        cel_eval_opts o = {.cost_limit = FUZZ_COST_LIMIT, .memory_limit = 8u << 20};
        cel_cost_trace trace;
        cel_value v = cel_interp_eval_traced(p, &act, a, &o, &trace);
        check_cost(&v, &trace);
        char *text = render(&v, a);
        check(text != NULL);
        if (!first) {
            first = text;
            first_cost = trace.cost;
            *is_value = v.kind != CEL_ERROR;
        } else {
            check(strcmp(first, text) == 0 && first_cost == trace.cost);
            free(text);
        }
        cel_arena_free(a);
    }
    cel_program_free(p);
    return first;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    size_t elen = nul ? (size_t)(nul - in) : size;
    json_t *doc = NULL;
    if (nul) {
        doc = json_loadb(nul + 1, size - elen - 1, JSON_DECODE_ANY, NULL);
        if (!doc)
            return 0;
    }
    /* The two environments are built once per process (compiling only
     * reads them): a harness-local cache that leaves the time to the
     * expressions. */
    static cel_env *envs[2];
    char *result[2];
    bool value[2];
    for (int checked = 0; checked < 2; checked++) {
        if (!envs[checked]) {
            cel_env_options o = {.macros = CEL_MACROS_ALL, .optional_syntax = true,
                                 .std_lib = true, .disable_check = !checked};
            cel_env *env = cel_env_new(&o);
            check(env != NULL);
            /* every library celgate has: Kubernetes' and the extras */
            check(cel_env_add_k8s_libraries(env, 0, true) == 0);
            check(cel_env_add_var(env, "x", &cel_t_dyn) == 0);
            envs[checked] = env;
        }
        result[checked] = run(envs[checked], in, elen, doc, &value[checked]);
        check(result[checked] != NULL);
    }
    if (value[0] && value[1])
        check(strcmp(result[0], result[1]) == 0);
    free(result[0]);
    free(result[1]);
    json_decref(doc);
    return 0;
}
