/*
 * fuzz_eval.c: compile and evaluate arbitrary expressions. The input is an
 * expression, a NUL byte, and a small JSON document bound to the variable
 * `x` (no NUL: the expression alone, x unbound). The expression is
 * compiled against the standard and IP/CIDR libraries with every macro and
 * optional syntax, with and without the checker, and each program is
 * evaluated twice under a cost limit. Aborts when:
 *   - the two evaluations differ (literal text of value or error message);
 *   - a finished evaluation reports a cost above the limit, or a cost error
 *     one at or below it;
 *   - a cost error overshoots the limit by more than the documented slack.
 * The slack: an operation is charged before it runs, once its arguments
 * are known, so the total may pass the limit by that one operation's cost,
 * which is bounded by the sizes of values built within the limit (or bound
 * from the input).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/ext.h"
#include "cel/json.h"

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

static void run(cel_env *env, const char *expr, size_t len, const json_t *doc, size_t input_size)
{
    cel_diag d;
    cel_program *p = cel_compile(env, expr, len, &d);
    if (!p) {
        check(d.text != NULL || d.message != NULL);
        cel_diag_clear(&d);
        return;
    }
    char *first = NULL;
    for (int round = 0; round < 2; round++) {
        cel_arena *a = cel_arena_new(0);
        check(a != NULL);
        cel_value x = doc ? cel_json_value(doc, a) : cel_null();
        cel_activation act = {&x, doc ? 1u : 0u};
        cel_eval_opts o = {.cost_limit = FUZZ_COST_LIMIT, .memory_limit = 8u << 20};
        uint64_t cost = 0;
        cel_value v = cel_eval(p, &act, a, &o, &cost);
        bool cost_error = v.kind == CEL_ERROR && v.u.err->code == CEL_ERR_COST;
        if (cost_error)
            check(cost > FUZZ_COST_LIMIT && cost <= 4 * (uint64_t)FUZZ_COST_LIMIT + 10 * input_size + 100);
        else
            check(cost <= FUZZ_COST_LIMIT);
        char *text = render(&v, a);
        check(text != NULL);
        if (!first) {
            first = text;
        } else {
            check(strcmp(first, text) == 0);
            free(text);
        }
        cel_arena_free(a);
    }
    free(first);
    cel_program_free(p);
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
    for (int checked = 0; checked < 2; checked++) {
        cel_env_options o = {.macros = CEL_MACROS_ALL, .optional_syntax = true, .std_lib = true,
                             .disable_check = !checked};
        cel_env *env = cel_env_new(&o);
        check(env != NULL);
        check(cel_env_add_library(env, &cel_lib_k8s_ip) == 0);
        check(cel_env_add_library(env, &cel_lib_k8s_cidr) == 0);
        check(cel_env_add_var(env, "x", &cel_t_dyn) == 0);
        run(env, in, elen, doc, size);
        cel_env_free(env);
    }
    json_decref(doc);
    return 0;
}
