/*
 * bench_eval.c: nanoseconds per evaluation of one expression over a JSON
 * object bound as `object` (the way the webhook binds requests: a fresh
 * lazy wrapper per evaluation, one arena reset per evaluation).
 *
 * usage: bench_eval [-n ITERATIONS] [-o OBJECT.json] [EXPR]
 * default EXPR: object.metadata.name != 'kubernetes'
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/json.h"

static const char default_object[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"nginx\",\"namespace\":"
    "\"default\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
    "\"image\":\"nginx:1.25\"}]}}";

int main(int argc, char **argv)
{
    long n = 1000000;
    const char *expr = "object.metadata.name != 'kubernetes'";
    const char *object_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            object_file = argv[++i];
        else
            expr = argv[i];
    }
    if (n <= 0)
        n = 1;
    json_error_t jerr;
    json_t *doc = object_file ? json_load_file(object_file, 0, &jerr)
                              : json_loads(default_object, 0, &jerr);
    if (!doc) {
        fprintf(stderr, "bench_eval: bad object: %s\n", jerr.text);
        return 2;
    }
    cel_env_options o = {.std_lib = true, .macros = CEL_MACROS_ALL, .optional_syntax = true};
    cel_env *env = cel_env_new(&o);
    if (!env || cel_env_add_var(env, "object", &cel_t_dyn) != 0)
        return 2;
    cel_diag d;
    cel_program *p = cel_compile(env, expr, strlen(expr), &d);
    if (!p) {
        fprintf(stderr, "%s\n", d.text ? d.text : "compile error");
        cel_diag_clear(&d);
        return 2;
    }
    cel_arena *a = cel_arena_new(0);
    if (!a)
        return 2;
    struct timespec t0, t1;
    char *last = NULL;
    uint64_t cost = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        cel_value obj = cel_json_value(doc, a);
        cel_activation act = {&obj, 1};
        cel_value v = cel_eval(p, &act, a, NULL, &cost);
        if (i == n - 1)
            last = v.kind == CEL_ERROR ? strdup(v.u.err->msg) : cel_value_to_cel_literal(&v, a);
        cel_arena_reset(a);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n;
    printf("%s\n  %.1f ns/eval over %ld evaluations, cost %llu, result %s\n", expr, ns, n,
           (unsigned long long)cost, last ? last : "?");
    free(last);
    cel_arena_free(a);
    cel_program_free(p);
    cel_env_free(env);
    json_decref(doc);
    return 0;
}
