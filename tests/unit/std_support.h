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
