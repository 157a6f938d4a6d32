/*
 * cel_bench.c: celgate's side of bench/cel. Reads the expanded cases
 * (bench/cel/cases.mjs), compiles each expression in the Kubernetes base
 * environment (cel_env_new_k8s) with `object` (dyn) and `variables`
 * (an object type with allowed: list(string), as the engine declares
 * policy variables) and binds the inputs the way the engine does: a lazy
 * JSON wrapper made afresh for every evaluation, one arena reset per
 * evaluation, Kubernetes' per-evaluation cost limit.
 *
 * Prints one JSON line: every case's results on its own input and on its
 * checks (so bench/cel/report.mjs can require all implementations to agree
 * before any figure counts), then one compile and one evaluation sample
 * (ns per operation, each over about MS milliseconds). bench/cel/run calls
 * it once per round, in alternation with the JS peers.
 *
 * usage: cel_bench CASES.json [MS [CASE]]   (CASE: only that one, for profiles)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/json.h"
#include "cel/k8s.h"

#define K8S_COST_LIMIT 1000000u

static const cel_type t_list_string = {CEL_T_LIST, "list", {&cel_t_string, NULL}, NULL, 0, NULL};
static const cel_field vars_fields[] = {{"allowed", &t_list_string}};
static const cel_type t_vars = {CEL_T_OBJECT, "kubernetes.variables", {NULL, NULL}, vars_fields, 1, NULL};

typedef struct bench_case {
    const cel_program *prog;
    const json_t *object, *variables;
    cel_arena *arena;
} bench_case;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static long evaluations; /* every cel_eval call, for bench/profile */

static cel_value eval_once(const bench_case *c)
{
    evaluations++;
    cel_value vars[2] = {cel_json_value(c->object, c->arena), cel_json_value(c->variables, c->arena)};
    cel_activation act = {vars, 2};
    cel_eval_opts opts = {.cost_limit = K8S_COST_LIMIT};
    return cel_eval(c->prog, &act, c->arena, &opts, NULL);
}

/* The result as the report compares it: true, false, or error: text. */
static json_t *result_json(const bench_case *c)
{
    cel_value v = eval_once(c);
    json_t *r;
    if (v.kind == CEL_ERROR) {
        char buf[512];
        snprintf(buf, sizeof buf, "error: %s", v.u.err->msg);
        r = json_string(buf);
    } else {
        char *lit = cel_value_to_cel_literal(&v, c->arena);
        r = json_string(lit ? lit : "?");
    }
    cel_arena_reset(c->arena);
    return r;
}

/* ns per evaluation over about ms milliseconds; *bad counts results that
 * were not true (every timed input evaluates to true). */
static double time_eval(const bench_case *c, double ms, long *bad)
{
    long n = 64;
    for (;;) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
            cel_value v = eval_once(c);
            if (v.kind != CEL_BOOL || !v.u.b)
                (*bad)++;
            cel_arena_reset(c->arena);
        }
        double dt = now_ns() - t0;
        if (dt >= ms * 1e6 || n > (1L << 40))
            return dt / (double)n;
        /* aim just past the target from what this batch took */
        double want = (ms * 1e6 * 1.1) / (dt > 1000 ? dt : 1000) * (double)n;
        n = want > (double)n * 2 ? (long)want : n * 2;
    }
}

static double time_compile(const cel_env *env, const char *src, double ms)
{
    long n = 0;
    double t0 = now_ns(), dt;
    do {
        cel_program *p = cel_compile(env, src, strlen(src), NULL);
        cel_program_free(p);
        n++;
        dt = now_ns() - t0;
    } while (dt < ms * 1e6);
    return dt / (double)n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cel_bench CASES.json [MS [CASE]]\n");
        return 2;
    }
    double ms = argc > 2 ? atof(argv[2]) : 200;
    json_error_t jerr;
    json_t *doc = json_load_file(argv[1], 0, &jerr);
    json_t *cases = json_object_get(doc, "cases");
    if (!json_is_array(cases)) {
        fprintf(stderr, "cel_bench: %s: %s\n", argv[1], doc ? "no cases" : jerr.text);
        return 2;
    }
    cel_env *env = cel_env_new_k8s(0, NULL);
    if (!env || cel_env_add_var(env, "object", &cel_t_dyn) != 0 ||
        cel_env_add_var(env, "variables", &t_vars) != 1) {
        fprintf(stderr, "cel_bench: cannot build the environment\n");
        return 2;
    }
    cel_arena *arena = cel_arena_new(0);
    json_t *out = json_pack("{s:s, s:[]}", "impl", "celgate", "cases");
    json_t *out_cases = json_object_get(out, "cases");
    int status = 0;
    size_t i;
    json_t *jc;
    json_array_foreach(cases, i, jc) {
        const char *name = json_string_value(json_object_get(jc, "name"));
        const char *src = json_string_value(json_object_get(jc, "expr"));
        if (argc > 3 && strcmp(name, argv[3]))
            continue;
        cel_diag d = {0};
        cel_program *p = cel_compile(env, src, strlen(src), &d);
        if (!p) {
            fprintf(stderr, "cel_bench: %s does not compile: %s\n", name, d.text ? d.text : "?");
            cel_diag_clear(&d);
            status = 2;
            continue;
        }
        bench_case c = {p, json_object_get(jc, "object"), json_object_get(jc, "variables"), arena};
        json_t *results = json_array();
        json_array_append_new(results, result_json(&c));
        size_t k;
        json_t *chk;
        json_array_foreach(json_object_get(jc, "checks"), k, chk) {
            bench_case cc = {p, json_object_get(chk, "object"), json_object_get(chk, "variables"), arena};
            json_array_append_new(results, result_json(&cc));
        }
        long bad = 0;
        double compile_ns = time_compile(env, src, ms / 4);
        double eval_ns = time_eval(&c, ms, &bad);
        if (bad) {
            fprintf(stderr, "cel_bench: %s: %ld timed evaluations were not true\n", name, bad);
            status = 1;
        }
        json_array_append_new(out_cases, json_pack("{s:s, s:o, s:[f], s:[f]}", "name", name, "results",
                                                   results, "compile_ns", compile_ns, "eval_ns",
                                                   eval_ns));
        cel_program_free(p);
    }
    json_object_set_new(out, "evaluations", json_integer(evaluations));
    char *s = json_dumps(out, JSON_COMPACT);
    printf("%s\n", s);
    free(s);
    json_decref(out);
    cel_arena_free(arena);
    cel_env_free(env);
    json_decref(doc);
    return status;
}
