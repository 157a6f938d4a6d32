/*
 * tests/unit/std_support.h: what the standard-library tests need to call
 * overloads directly, by id, with hand-made values. The value layer and
 * the interpreter are written on other branches; until they are in the
 * library, weak stand-ins below provide the few entry points the library
 * uses (real definitions, once linked, take precedence).
 */
#ifndef STD_SUPPORT_H
#define STD_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/cel.h"

/* ---------------------------------------------------------------- stand-ins */

struct cel_call {
    cel_arena *arena;
    const void *prepared;
};

#define WEAK __attribute__((weak))

WEAK cel_arena *cel_call_arena(const cel_call *c) { return c->arena; }
WEAK const void *cel_call_prepared(const cel_call *c) { return c->prepared; }

WEAK const cel_type cel_t_dyn = {CEL_T_DYN, "dyn", {0}, 0, 0, 0};
WEAK const cel_type cel_t_bool = {CEL_T_BOOL, "bool", {0}, 0, 0, 0};
WEAK const cel_type cel_t_int = {CEL_T_INT, "int", {0}, 0, 0, 0};
WEAK const cel_type cel_t_uint = {CEL_T_UINT, "uint", {0}, 0, 0, 0};
WEAK const cel_type cel_t_double = {CEL_T_DOUBLE, "double", {0}, 0, 0, 0};
WEAK const cel_type cel_t_string = {CEL_T_STRING, "string", {0}, 0, 0, 0};
WEAK const cel_type cel_t_bytes = {CEL_T_BYTES, "bytes", {0}, 0, 0, 0};
WEAK const cel_type cel_t_timestamp = {CEL_T_TIMESTAMP, "google.protobuf.Timestamp", {0}, 0, 0, 0};
WEAK const cel_type cel_t_duration = {CEL_T_DURATION, "google.protobuf.Duration", {0}, 0, 0, 0};
WEAK const cel_type cel_t_param_a = {CEL_T_PARAM, "A", {0}, 0, 0, 0};
WEAK const cel_type cel_t_param_b = {CEL_T_PARAM, "B", {0}, 0, 0, 0};
WEAK const cel_type cel_t_type = {CEL_T_TYPE, "type", {0}, 0, 0, 0};

WEAK const cel_type *cel_type_of_kind(int kind)
{
    switch (kind) {
    case CEL_INT: return &cel_t_int;
    case CEL_UINT: return &cel_t_uint;
    case CEL_DOUBLE: return &cel_t_double;
    case CEL_STRING: return &cel_t_string;
    case CEL_BOOL: return &cel_t_bool;
    case CEL_BYTES: return &cel_t_bytes;
    case CEL_TIMESTAMP: return &cel_t_timestamp;
    case CEL_DURATION: return &cel_t_duration;
    default: return &cel_t_type;
    }
}

WEAK cel_value cel_error_new(cel_arena *a, int code, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cel_error *e = cel_arena_alloc(a, sizeof *e);
    char *m = cel_arena_memdup(a, buf, (size_t)n);
    assert_non_null(e);
    assert_non_null(m);
    e->code = code;
    e->len = (uint32_t)n;
    e->msg = m;
    return cel_error_v(e);
}

WEAK cel_value cel_string_copy(cel_arena *a, const char *s, size_t n)
{
    char *p = cel_arena_memdup(a, s, n);
    assert_non_null(p);
    return cel_string_n(p, (uint32_t)n);
}

WEAK cel_value cel_list_new(cel_arena *a, const cel_value *items, size_t n)
{
    cel_list *l = cel_arena_alloc(a, sizeof *l);
    assert_non_null(l);
    l->len = n;
    l->items = items;
    l->ops = NULL;
    l->impl = NULL;
    return cel_list_v(l);
}

/* Scalar equality only (what the tests use), with numeric cross-kind rules. */
WEAK cel_value cel_value_equal(const cel_value *a, const cel_value *b, cel_arena *arena)
{
    if (a->kind == CEL_INT && b->kind == CEL_INT)
        return cel_bool(a->u.i == b->u.i);
    if (a->kind == CEL_INT && b->kind == CEL_UINT)
        return cel_bool(a->u.i >= 0 && (uint64_t)a->u.i == b->u.u);
    if (a->kind == CEL_UINT && b->kind == CEL_INT)
        return cel_bool(b->u.i >= 0 && (uint64_t)b->u.i == a->u.u);
    if (a->kind == CEL_INT && b->kind == CEL_DOUBLE)
        return cel_bool((double)a->u.i == b->u.d);
    if (a->kind != b->kind)
        return cel_bool(false);
    switch (a->kind) {
    case CEL_STRING:
    case CEL_BYTES:
        return cel_bool(a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0);
    case CEL_BOOL: return cel_bool(a->u.b == b->u.b);
    case CEL_UINT: return cel_bool(a->u.u == b->u.u);
    case CEL_DOUBLE: return cel_bool(a->u.d == b->u.d);
    default: return cel_bool(a->u.i == b->u.i && a->len == b->len);
    }
}

WEAK bool cel_map_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a)
{
    return m->ops->find(m, key, out, a);
}

WEAK char *cel_value_to_cel_literal(const cel_value *v, cel_arena *a)
{
    char *s = malloc(32);
    if (s)
        snprintf(s, 32, "%lld", (long long)v->u.i);
    return s;
}

/* ---------------------------------------------------------------- calling overloads */

typedef struct std_env {
    cel_arena *arena;
    struct cel_call call;
} std_env;

static const cel_overload *find_overload(const char *id)
{
    const cel_library *libs[] = {&cel_lib_std, &cel_lib_time};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < libs[l]->count; i++)
            if (strcmp(libs[l]->overloads[i].id, id) == 0)
                return &libs[l]->overloads[i];
    return NULL;
}

/* Calls overload `id`, checking that the argument kinds fit its declared
 * parameter types (so the table is exercised, not just the C function). */
static cel_value call_n(std_env *env, const char *id, const cel_value *args, size_t n)
{
    const cel_overload *o = find_overload(id);
    if (!o)
        fail_msg("no overload %s", id);
    assert_int_equal(o->nargs, n);
    static const int kind_of_type[] = {
        [CEL_T_BOOL] = CEL_BOOL, [CEL_T_INT] = CEL_INT, [CEL_T_UINT] = CEL_UINT,
        [CEL_T_DOUBLE] = CEL_DOUBLE, [CEL_T_STRING] = CEL_STRING, [CEL_T_BYTES] = CEL_BYTES,
        [CEL_T_LIST] = CEL_LIST, [CEL_T_MAP] = CEL_MAP, [CEL_T_TIMESTAMP] = CEL_TIMESTAMP,
        [CEL_T_DURATION] = CEL_DURATION};
    for (size_t i = 0; i < n; i++) {
        int tk = o->params[i]->kind;
        if (tk != CEL_T_PARAM && tk != CEL_T_DYN && tk < (int)(sizeof kind_of_type / sizeof(int)) &&
            kind_of_type[tk] != 0 && kind_of_type[tk] != args[i].kind)
            fail_msg("%s: argument %zu has kind %d, declared %s", id, i, args[i].kind,
                     o->params[i]->name);
    }
    return o->fn(&env->call, args, n);
}

static inline cel_value call1(std_env *env, const char *id, cel_value a)
{
    return call_n(env, id, &a, 1);
}

static inline cel_value call2(std_env *env, const char *id, cel_value a, cel_value b)
{
    cel_value args[2] = {a, b};
    return call_n(env, id, args, 2);
}

static inline cel_value str(const char *s) { return cel_string_n(s, (uint32_t)strlen(s)); }
static inline cel_value bytes_lit(const char *s, size_t n) { return cel_bytes_n(s, (uint32_t)n); }

#define assert_int_value(v, want)                                                   \
    do {                                                                            \
        cel_value v_ = (v);                                                         \
        if (v_.kind == CEL_ERROR)                                                   \
            fail_msg("unexpected error: %s", v_.u.err->msg);                       \
        assert_int_equal(v_.kind, CEL_INT);                                         \
        assert_true(v_.u.i == (int64_t)(want));                                     \
    } while (0)

#define assert_uint_value(v, want)                                                  \
    do {                                                                            \
        cel_value v_ = (v);                                                         \
        if (v_.kind == CEL_ERROR)                                                   \
            fail_msg("unexpected error: %s", v_.u.err->msg);                       \
        assert_int_equal(v_.kind, CEL_UINT);                                        \
        assert_true(v_.u.u == (uint64_t)(want));                                    \
    } while (0)

#define assert_bool_value(v, want)                                                  \
    do {                                                                            \
        cel_value v_ = (v);                                                         \
        if (v_.kind == CEL_ERROR)                                                   \
            fail_msg("unexpected error: %s", v_.u.err->msg);                       \
        assert_int_equal(v_.kind, CEL_BOOL);                                        \
        assert_int_equal(v_.u.b, (want));                                           \
    } while (0)

#define assert_string_value(v, want)                                                \
    do {                                                                            \
        cel_value v_ = (v);                                                         \
        if (v_.kind == CEL_ERROR)                                                   \
            fail_msg("unexpected error: %s", v_.u.err->msg);                       \
        assert_int_equal(v_.kind, CEL_STRING);                                      \
        assert_int_equal(v_.len, strlen(want));                                     \
        assert_memory_equal(v_.u.str, (want), v_.len);                              \
    } while (0)

#define assert_error_value(v, want)                                                 \
    do {                                                                            \
        cel_value v_ = (v);                                                         \
        assert_int_equal(v_.kind, CEL_ERROR);                                       \
        assert_string_equal(v_.u.err->msg, (want));                                 \
    } while (0)

static inline int std_setup(void **state)
{
    std_env *env = calloc(1, sizeof *env);
    if (!env)
        return -1;
    env->arena = cel_arena_new(0);
    env->call.arena = env->arena;
    *state = env;
    return env->arena ? 0 : -1;
}

static inline int std_teardown(void **state)
{
    std_env *env = *state;
    cel_arena_free(env->arena);
    free(env);
    return 0;
}

#endif
