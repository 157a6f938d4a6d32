/*
 * k8s_types_support.h: the fixture and assertions shared by the tests of
 * the Kubernetes value-type libraries (quantity, URL, semver, format). Each
 * test compiles expressions against the newest Kubernetes environment
 * (cel_env_new_k8s), with one string variable `s` to keep arguments from
 * folding, and checks values, exact error texts and runtime costs.
 */
#ifndef K8S_TYPES_SUPPORT_H
#define K8S_TYPES_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/ext_k8s_types.h"
#include "cel/k8s.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct fixture {
    cel_env *env;
    cel_arena *arena;
    int slot_s;
    cel_program *last; /* folded results live in the program: kept until the next eval */
} fixture;

static inline int fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->env = cel_env_new_k8s(0, NULL);
    f->arena = cel_arena_new(0);
    if (!f->env || !f->arena)
        return -1;
    f->slot_s = cel_env_add_var(f->env, "s", &cel_t_string);
    if (f->slot_s < 0)
        return -1;
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    fixture *f = *state;
    cel_program_free(f->last);
    cel_arena_free(f->arena);
    cel_env_free(f->env);
    free(f);
    return 0;
}

/* Compiles and evaluates src with s bound to sval (NULL: unbound). */
static inline cel_value fx_eval(fixture *f, const char *src, const char *sval, uint64_t *cost)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(f->env, src, strlen(src), &d);
    if (!p)
        fail_msg("compile %s: %s", src, d.text ? d.text : "?");
    cel_value vars[4] = {{0}};
    cel_activation act = {vars, LEN(vars)};
    if (sval)
        vars[f->slot_s] = cel_string_n(sval, (uint32_t)strlen(sval));
    cel_arena_reset(f->arena);
    cel_value v = cel_eval(p, &act, f->arena, NULL, cost);
    cel_program_free(f->last);
    f->last = p;
    return v;
}

static inline cel_value fx_ok(fixture *f, const char *src, const char *sval)
{
    cel_value v = fx_eval(f, src, sval, NULL);
    if (v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, v.u.err->msg);
    return v;
}

static inline void want_bool_s(fixture *f, const char *src, const char *sval, bool want)
{
    cel_value v = fx_ok(f, src, sval);
    if (v.kind != CEL_BOOL || v.u.b != want)
        fail_msg("%s (s=%s): want %s (kind %d)", src, sval ? sval : "-", want ? "true" : "false",
                 v.kind);
}

static inline void want_bool(fixture *f, const char *src, bool want) { want_bool_s(f, src, NULL, want); }

static inline void want_int(fixture *f, const char *src, int64_t want)
{
    cel_value v = fx_ok(f, src, NULL);
    if (v.kind != CEL_INT || v.u.i != want)
        fail_msg("%s: want %lld, got kind %d value %lld", src, (long long)want, v.kind,
                 (long long)v.u.i);
}

/* Bit for bit: asApproximateFloat must round as Go does. */
static inline void want_double(fixture *f, const char *src, double want)
{
    cel_value v = fx_ok(f, src, NULL);
    if (v.kind != CEL_DOUBLE || memcmp(&v.u.d, &want, sizeof want) != 0)
        fail_msg("%s: want %.17g, got kind %d value %.17g", src, want, v.kind, v.u.d);
}

static inline void want_string_s(fixture *f, const char *src, const char *sval, const char *want)
{
    cel_value v = fx_ok(f, src, sval);
    if (v.kind != CEL_STRING)
        fail_msg("%s: kind %d, want string", src, v.kind);
    if (v.len != strlen(want) || memcmp(v.u.str, want, v.len) != 0)
        fail_msg("%s: got '%.*s' want '%s'", src, (int)v.len, v.u.str, want);
}

static inline void want_string(fixture *f, const char *src, const char *want)
{
    want_string_s(f, src, NULL, want);
}

static inline void want_error_s(fixture *f, const char *src, const char *sval, const char *want)
{
    cel_value v = fx_eval(f, src, sval, NULL);
    if (v.kind != CEL_ERROR)
        fail_msg("%s: kind %d, want the error '%s'", src, v.kind, want);
    if (strcmp(v.u.err->msg, want) != 0)
        fail_msg("%s:\n got  '%s'\n want '%s'", src, v.u.err->msg, want);
}

static inline void want_error(fixture *f, const char *src, const char *want)
{
    want_error_s(f, src, NULL, want);
}

static inline void want_cost_s(fixture *f, const char *src, const char *sval, uint64_t want)
{
    uint64_t cost = 0;
    cel_value v = fx_eval(f, src, sval, &cost);
    if (v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, v.u.err->msg);
    if (cost != want)
        fail_msg("%s (s=%s): cost %llu, want %llu", src, sval ? sval : "-",
                 (unsigned long long)cost, (unsigned long long)want);
}

/* Compile errors in env (the fixture's when NULL): the diagnostics must
 * contain want. */
static inline void want_compile_error_in(const cel_env *env, const char *src, const char *want)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(env, src, strlen(src), &d);
    if (p) {
        cel_program_free(p);
        fail_msg("%s compiled", src);
    }
    if (!d.text || !strstr(d.text, want))
        fail_msg("%s: diagnostics '%s' lack '%s'", src, d.text ? d.text : "(none)", want);
    cel_diag_clear(&d);
}

static inline void want_compile_error(fixture *f, const char *src, const char *want)
{
    want_compile_error_in(f->env, src, want);
}

/* Whether src compiles in the Kubernetes 1.<minor> environment. */
static inline bool compiles_in(unsigned minor, const char *src)
{
    cel_env *env = cel_env_new_k8s(minor, NULL);
    if (!env)
        fail_msg("no environment for 1.%u", minor);
    cel_diag d = {0};
    cel_program *p = cel_compile(env, src, strlen(src), &d);
    bool ok = p != NULL;
    cel_program_free(p);
    cel_diag_clear(&d);
    cel_env_free(env);
    return ok;
}

/* The value of an optional result: NULL for optional.none(). */
static const cel_value *want_optional(fixture *f, const char *src, const char *sval)
{
    cel_value v = fx_ok(f, src, sval);
    if (v.kind != CEL_OPTIONAL)
        fail_msg("%s: kind %d, want an optional", src, v.kind);
    return v.u.opt;
}

static inline void want_none(fixture *f, const char *src, const char *sval)
{
    const cel_value *inner = want_optional(f, src, sval);
    if (inner)
        fail_msg("%s (s=%s): want optional.none(), got a value of kind %d", src,
                 sval ? sval : "-", inner->kind);
}

/* optional.of([msgs...]): the list of strings, exactly. */
static inline void want_messages(fixture *f, const char *src, const char *sval, size_t n,
                          const char *const *msgs)
{
    const cel_value *inner = want_optional(f, src, sval);
    if (!inner)
        fail_msg("%s (s=%s): want messages, got optional.none()", src, sval ? sval : "-");
    if (inner->kind != CEL_LIST || inner->u.list->len != n)
        fail_msg("%s: want a list of %zu, got kind %d len %zu", src, n, inner->kind,
                 inner->kind == CEL_LIST ? inner->u.list->len : 0);
    for (size_t i = 0; i < n; i++) {
        cel_value m = cel_list_at(inner->u.list, i, f->arena);
        if (m.kind != CEL_STRING || m.len != strlen(msgs[i]) || memcmp(m.u.str, msgs[i], m.len))
            fail_msg("%s: message %zu\n got  '%.*s'\n want '%s'", src, i, (int)m.len, m.u.str,
                     msgs[i]);
    }
}

/* The cel_value_to_cel_literal rendering of src's result. */
static inline void want_literal(fixture *f, const char *src, const char *want)
{
    cel_value v = fx_ok(f, src, NULL);
    char *text = cel_value_to_cel_literal(&v, f->arena);
    if (!text || strcmp(text, want) != 0)
        fail_msg("%s: printed '%s', want '%s'", src, text ? text : "(null)", want);
    free(text);
}

/* The compiler reaches the parser and the standard library through weak
 * references; naming them makes a test executable link them. */
#define K8S_TYPES_LINK()                                                                    \
    const void *volatile link_[] = {(const void *)cel_parse, &cel_lib_std, &cel_lib_time}; \
    (void)link_

#endif
