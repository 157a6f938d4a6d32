/*
 * bench/parse/bench_parse.c: parser throughput (parse + free) on typical
 * ValidatingAdmissionPolicy expressions, and on one large generated
 * expression. Prints microseconds per parse; not a test (no thresholds).
 * Usage: bench_parse [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ast.h"

static const char *const exprs[] = {
    "object.spec.replicas <= 5",
    "object.spec.template.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
    "!has(object.spec.hostNetwork) || object.spec.hostNetwork == false",
    "object.metadata.labels.exists(k, k == 'team') && "
    "object.metadata.labels['team'].matches('^[a-z]+$')",
    "object.spec.cidrs.all(c, cidr('10.96.0.0/16').containsCIDR(c))",
    "params.allowed.exists(a, a == object.metadata.namespace) ? true : "
    "object.spec.containers.map(c, c.name).size() < 3",
    "request.operation == 'CREATE' && object.?spec.?replicas.orValue(1) > 0",
};

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void run(const char *name, const char *src, long iters)
{
    cel_parse_opts o = { 0 };
    o.macros = CEL_MACROS_ALL;
    o.optional_syntax = true;
    size_t len = strlen(src);
    double t0 = now_us();
    for (long i = 0; i < iters; i++) {
        cel_parsed p;
        if (cel_parse(src, len, &o, &p) != 0) {
            fprintf(stderr, "%s: parse failed\n", name);
            exit(1);
        }
        cel_parsed_free(&p);
    }
    double us = (now_us() - t0) / (double)iters;
    printf("%-10s %7zu bytes  %9.2f us/parse  %7.1f MB/s\n", name, len, us,
           (double)len / us);
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 20000;
    if (iters <= 0)
        iters = 1;
    for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
        char name[16];
        snprintf(name, sizeof name, "policy%zu", i + 1);
        run(name, exprs[i], iters);
    }
    /* a large flat expression: 4000 terms of a list literal */
    size_t cap = 4000 * 24 + 8;
    char *big = malloc(cap);
    if (!big)
        return 1;
    strcpy(big, "[");
    for (int i = 0; i < 4000; i++)
        sprintf(big + strlen(big), "%sx.f%d + 'k%d'", i ? ", " : "", i % 10, i);
    strcat(big, "]");
    run("large", big, iters / 100 + 1);
    free(big);
    return 0;
}
