/*
 * strx_support.h: helpers the strings, math, encoders and regex tests
 * share: compile and evaluate an expression in a given environment (with
 * variables s: string and x: dyn bound by the caller), and assertions on
 * values, error texts, compile diagnostics and costs. Header-only,
 * included by one test file each.
 */
#ifndef STRX_SUPPORT_H
#define STRX_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/k8s.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct ext_env {
    cel_env *env;
    int slot_s, slot_x;
} ext_env;

/* Declares s: string and x: dyn on a fresh environment (NULL on failure). */
static inline bool ext_env_init(ext_env *e, cel_env *env)
{
    e->env = env;
    if (!env)
        return false;
    e->slot_s = cel_env_add_var(env, "s", &cel_t_string);
    e->slot_x = cel_env_add_var(env, "x", &cel_t_dyn);
    return e->slot_s >= 0 && e->slot_x >= 0;
}

/* Results live in this arena (and in the last program, for folded
 * constants) until the next evaluation. */
static cel_arena *ext_arena;
static cel_program *ext_last;

static inline void ext_reset(void)
{
    cel_program_free(ext_last);
    ext_last = NULL;
    if (!ext_arena)
        ext_arena = cel_arena_new(0);
    cel_arena_reset(ext_arena);
}

static inline void ext_done(void)
{
    cel_program_free(ext_last);
    ext_last = NULL;
    cel_arena_free(ext_arena);
    ext_arena = NULL;
}

/* Evaluates src with s and x bound (either may be NULL: unbound). */
static inline cel_value ext_eval(const ext_env *e, const char *src, const cel_value *s,
                                 const cel_value *x, uint64_t *cost)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(e->env, src, strlen(src), &d);
    if (!p)
        fail_msg("compile %s: %s", src, d.text ? d.text : "?");
    cel_diag_clear(&d);
    ext_reset();
    ext_last = p;
    cel_value vars[8] = {{0}};
    cel_activation act = {vars, 8};
    if (s)
        vars[e->slot_s] = *s;
    if (x)
        vars[e->slot_x] = *x;
    return cel_eval(p, &act, ext_arena, NULL, cost);
}

/* A string value over a literal (which may hold NUL or stray bytes). */
#define STR(lit) cel_string_n((lit), (uint32_t)(sizeof(lit) - 1))

static inline void want_str(const ext_env *e, const char *src, const char *want)
{
    cel_value v = ext_eval(e, src, NULL, NULL, NULL);
    if (v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, v.u.err->msg);
    if (v.kind != CEL_STRING)
        fail_msg("%s: kind %d, want a string", src, v.kind);
    if (v.len != strlen(want) || memcmp(v.u.str, want, v.len) != 0)
        fail_msg("%s:\n  got  [%.*s]\n  want [%s]", src, (int)v.len, v.u.str, want);
}

static inline void want_true(const ext_env *e, const char *src)
{
    cel_value v = ext_eval(e, src, NULL, NULL, NULL);
    if (v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, v.u.err->msg);
    if (v.kind != CEL_BOOL || !v.u.b)
        fail_msg("%s: not true (kind %d)", src, v.kind);
}

static inline void want_int(const ext_env *e, const char *src, int64_t want)
{
    cel_value v = ext_eval(e, src, NULL, NULL, NULL);
    if (v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, v.u.err->msg);
    if (v.kind != CEL_INT || v.u.i != want)
        fail_msg("%s: got kind %d value %lld, want %lld", src, v.kind, (long long)v.u.i,
                 (long long)want);
}

static inline void want_err_with(const ext_env *e, const char *src, const cel_value *s,
                                 const cel_value *x, const char *want)
{
    cel_value v = ext_eval(e, src, s, x, NULL);
    if (v.kind != CEL_ERROR)
        fail_msg("%s: kind %d, want the error %s", src, v.kind, want);
    if (strcmp(v.u.err->msg, want) != 0)
        fail_msg("%s:\n  got error  [%s]\n  want error [%s]", src, v.u.err->msg, want);
}

static inline void want_err(const ext_env *e, const char *src, const char *want)
{
    want_err_with(e, src, NULL, NULL, want);
}

/* The compile fails and its diagnostics contain want (a message, or a
 * whole "ERROR: <input>:L:C: msg" line). */
static inline void want_compile_err(const ext_env *e, const char *src, const char *want)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(e->env, src, strlen(src), &d);
    if (p) {
        cel_program_free(p);
        fail_msg("%s compiled, want %s", src, want);
    }
    if (!d.text || !strstr(d.text, want))
        fail_msg("%s: diagnostics\n%s\nlack: %s", src, d.text ? d.text : "(none)", want);
    cel_diag_clear(&d);
}

static inline void want_compiles(const ext_env *e, const char *src)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(e->env, src, strlen(src), &d);
    if (!p)
        fail_msg("%s: %s", src, d.text ? d.text : "?");
    cel_program_free(p);
    cel_diag_clear(&d);
}

static inline void want_cost_with(const ext_env *e, const char *src, const cel_value *s,
                                  uint64_t want)
{
    uint64_t cost = 0;
    cel_value v = ext_eval(e, src, s, NULL, &cost);
    if (v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, v.u.err->msg);
    if (cost != want)
        fail_msg("%s: cost %llu, want %llu", src, (unsigned long long)cost,
                 (unsigned long long)want);
}

static inline void want_cost(const ext_env *e, const char *src, uint64_t want)
{
    want_cost_with(e, src, NULL, want);
}

#endif
