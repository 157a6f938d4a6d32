/*
 * review_bench.c: a whole admission review in process, through the engine
 * API the webhook uses (include/celgate/vap.h), beside its parts:
 *
 *   review    vap_handle_review on the body (decode, match, evaluate,
 *             shape the response) and json_dumps of the response: all the
 *             webhook does for a review but HTTP and TLS
 *   decode    json_loadb of the same body (as the review does it,
 *             duplicate keys refused) and freeing it
 *   evaluate  vap_evaluate on the already decoded request: matching,
 *             binding the documents, running the policies, shaping the
 *             outcome: the policy work
 *   encode    json_dumps of the response object
 *
 * The four are timed in turn within each round so that noise from other
 * work on the machine falls on all of them alike. Prints one JSON line with
 * the verdict and each part's samples (ns per operation, one per round).
 *
 * usage: review_bench POLICIES BODY.json [ROUNDS [MS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "celgate/vap.h"

typedef struct ctx {
    const vap_set *set;
    const char *body;
    size_t len;
    const json_t *request;  /* decoded once, for evaluate */
    const json_t *response; /* one review's response, for encode */
} ctx;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void die(const char *what, char *err)
{
    fprintf(stderr, "review_bench: %s: %s\n", what, err ? err : "failed");
    free(err);
    exit(2);
}

static long reviews; /* every vap_handle_review call, for bench/profile */

static void op_review(const ctx *c)
{
    reviews++;
    char *err = NULL;
    json_t *resp = vap_handle_review(c->set, c->body, c->len, NULL, NULL, &err);
    if (!resp)
        die("review", err);
    free(json_dumps(resp, JSON_COMPACT));
    json_decref(resp);
}

static void op_decode(const ctx *c)
{
    json_error_t jerr;
    json_t *j = json_loadb(c->body, c->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        die("decode", strdup(jerr.text));
    json_decref(j);
}

static void op_evaluate(const ctx *c)
{
    vap_outcome o;
    char *err = NULL;
    if (vap_evaluate(c->set, c->request, NULL, &o, &err) != 0)
        die("evaluate", err);
    vap_outcome_clear(&o);
}

static void op_encode(const ctx *c)
{
    free(json_dumps(c->response, JSON_COMPACT));
}

/* ns per call of op over about ms milliseconds */
static double time_op(void (*op)(const ctx *), const ctx *c, double ms)
{
    long n = 16;
    for (;;) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            op(c);
        double dt = now_ns() - t0;
        if (dt >= ms * 1e6)
            return dt / (double)n;
        double want = (ms * 1e6 * 1.1) / (dt > 1000 ? dt : 1000) * (double)n;
        n = want > (double)n * 2 ? (long)want : n * 2;
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        *len = (size_t)n;
    return b;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: review_bench POLICIES BODY.json [ROUNDS [MS]]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    double ms = argc > 4 ? atof(argv[4]) : 200;
    if (rounds < 1)
        rounds = 1;
    char *err = NULL;
    vap_set *set = vap_set_load(argv[1], NULL, &err);
    if (!set)
        die(argv[1], err);
    free(err);
    size_t len = 0;
    char *body = read_file(argv[2], &len);
    if (!body)
        die(argv[2], strdup("cannot read"));
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        die(argv[2], strdup(jerr.text));
    json_t *resp = vap_handle_review(set, body, len, NULL, NULL, &err);
    if (!resp)
        die("review", err);
    json_t *r = json_object_get(resp, "response");
    bool allowed = json_is_true(json_object_get(r, "allowed"));
    json_int_t code = json_integer_value(json_object_get(json_object_get(r, "status"), "code"));
    char *resp_text = json_dumps(resp, JSON_COMPACT);

    ctx c = {set, body, len, json_object_get(root, "request"), resp};
    static void (*const ops[])(const ctx *) = {op_review, op_decode, op_evaluate, op_encode};
    static const char *const names[] = {"review_ns", "decode_ns", "evaluate_ns", "encode_ns"};
    json_t *out = json_pack("{s:s, s:s, s:I, s:I, s:s, s:I}", "policies", argv[1], "body", argv[2],
                            "bytes", (json_int_t)len, "response_bytes",
                            (json_int_t)(resp_text ? strlen(resp_text) : 0), "verdict",
                            allowed ? "allowed" : "denied", "code", allowed ? (json_int_t)200 : code);
    json_t *samples[4];
    for (int k = 0; k < 4; k++) {
        samples[k] = json_array();
        op_review(&c); /* warm caches and the allocator */
    }
    for (int i = 0; i < rounds; i++)
        for (int k = 0; k < 4; k++)
            json_array_append_new(samples[k], json_real(time_op(ops[k], &c, ms / 4)));
    for (int k = 0; k < 4; k++)
        json_object_set_new(out, names[k], samples[k]);
    json_object_set_new(out, "reviews", json_integer(reviews + 1)); /* + the first, in main */
    char *s = json_dumps(out, JSON_COMPACT);
    printf("%s\n", s);
    free(s);
    free(resp_text);
    json_decref(out);
    json_decref(resp);
    json_decref(root);
    free(body);
    vap_set_unref(set);
    return 0;
}
