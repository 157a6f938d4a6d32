/*
 * tests/unit/ext_support.h: what the extension-library tests share: the
 * environments they compile in (a Kubernetes version, the "all libraries"
 * environment, or a loose one without homogeneous-literal checks, as
 * Kubernetes' own cost tests build it), and assertions on a result as a
 * CEL literal with its checked type, on error texts, compile errors and
 * runtime costs. Each evaluation has Kubernetes' per-call cost limit.
 */
#ifndef EXT_SUPPORT_H
#define EXT_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "cel/cel.h"
#include "cel/json.h"
#include "cel/k8s.h"

#define EXT_ALL 1000u   /* the "all libraries" environment */
#define EXT_LOOSE 1001u /* newest libraries, mixed-type literals allowed */
#define EXT_COST_LIMIT 1000000u

static cel_env *ext_envs[64];
static unsigned ext_env_keys[64];
static size_t ext_nenvs;

static inline cel_env *ext_env(unsigned which)
{
    for (size_t i = 0; i < ext_nenvs; i++)
        if (ext_env_keys[i] == which)
            return ext_envs[i];
    cel_env *env;
    if (which == EXT_ALL) {
        env = cel_env_new_all(NULL);
    } else if (which == EXT_LOOSE) {
        cel_env_options o = {0};
        o.macros = CEL_MACROS_ALL;
        o.optional_syntax = true;
        o.cross_type_numeric = true;
        o.std_lib = true;
        env = cel_env_new(&o);
        if (env && cel_env_add_k8s_libraries(env, 0, false) < 0) {
            cel_env_free(env);
            env = NULL;
        }
    } else {
        env = cel_env_new_k8s(which, NULL);
    }
    if (!env)
        fail_msg("no environment %u", which);
    if (env && cel_env_add_var(env, "x", &cel_t_dyn) != 0)
        fail_msg("cannot declare x");
    assert_true(ext_nenvs < 64);
    ext_env_keys[ext_nenvs] = which;
    ext_envs[ext_nenvs++] = env;
    return env;
}

static inline void ext_free_envs(void)
{
    for (size_t i = 0; i < ext_nenvs; i++)
        cel_env_free(ext_envs[i]);
    ext_nenvs = 0;
}

typedef struct ext_result {
    cel_value v;
    uint64_t cost;
    char type[256];
} ext_result;

static cel_arena *ext_arena;
static cel_program *ext_last;
static json_t *ext_doc; /* x's JSON document, kept while its value is used */


/* Compiles src in environment `which` and evaluates it with the dyn
 * variable x bound to the JSON text xjson (NULL: unbound), decoded lazily
 * as the policy engine binds objects. The result lives until the next call. */
static inline ext_result ext_eval(unsigned which, const char *src, const char *xjson)
{
    ext_result r = {0};
    if (!ext_arena)
        ext_arena = cel_arena_new(0);
    cel_program_free(ext_last);
    ext_last = NULL;
    json_decref(ext_doc);
    ext_doc = NULL;
    cel_arena_reset(ext_arena);
    cel_diag d = {0};
    cel_program *p = cel_compile(ext_env(which), src, strlen(src), &d);
    if (!p)
        fail_msg("compile %s: %s", src, d.message ? d.message : "?");
    cel_type_format(cel_program_type(p), r.type, sizeof r.type);
    cel_value vars[1];
    vars[0] = cel_error_new(ext_arena, CEL_ERR_GENERAL, "no such attribute(s): x");
    if (xjson) {
        json_error_t jerr;
        ext_doc = json_loads(xjson, JSON_DECODE_ANY, &jerr);
        if (!ext_doc)
            fail_msg("bad JSON %s: %s", xjson, jerr.text);
        vars[0] = cel_json_value(ext_doc, ext_arena);
    }
    cel_activation act = {vars, 1};
    cel_eval_opts o = {0};
    o.cost_limit = EXT_COST_LIMIT;
    r.v = cel_eval(p, &act, ext_arena, &o, &r.cost);
    ext_last = p;
    return r;
}

static inline void ext_teardown_all(void)
{
    cel_program_free(ext_last);
    ext_last = NULL;
    json_decref(ext_doc);
    ext_doc = NULL;
    cel_arena_free(ext_arena);
    ext_arena = NULL;
    ext_free_envs();
}

/* The result as a CEL literal must be want; with want_type, the checked
 * type too. */
static inline void want_in(unsigned which, const char *src, const char *xjson, const char *want,
                    const char *want_type)
{
    ext_result r = ext_eval(which, src, xjson);
    if (r.v.kind == CEL_ERROR)
        fail_msg("%s: error %s", src, r.v.u.err->msg);
    char *lit = cel_value_to_cel_literal(&r.v, ext_arena);
    if (!lit || strcmp(lit, want) != 0)
        fail_msg("%s: got %s, want %s", src, lit ? lit : "?", want);
    free(lit);
    if (want_type && strcmp(r.type, want_type) != 0)
        fail_msg("%s: type %s, want %s", src, r.type, want_type);
}

#define want_value(src, want) want_in(0, src, NULL, want, NULL)
#define want_typed(src, want, type) want_in(0, src, NULL, want, type)

static inline void want_error_in(unsigned which, const char *src, const char *xjson, const char *msg)
{
    ext_result r = ext_eval(which, src, xjson);
    if (r.v.kind != CEL_ERROR) {
        char *lit = cel_value_to_cel_literal(&r.v, ext_arena);
        fail_msg("%s: got %s, want error %s", src, lit ? lit : "?", msg);
    }
    if (strcmp(r.v.u.err->msg, msg) != 0)
        fail_msg("%s: error \"%s\", want \"%s\"", src, r.v.u.err->msg, msg);
}

#define want_error(src, msg) want_error_in(0, src, NULL, msg)

/* An error of the given class (for texts this library does not choose). */
static inline void want_error_code_in(unsigned which, const char *src, const char *xjson, int code)
{
    ext_result r = ext_eval(which, src, xjson);
    if (r.v.kind != CEL_ERROR)
        fail_msg("%s: no error", src);
    if (r.v.u.err->code != code)
        fail_msg("%s: error %s of class %d, want %d", src, r.v.u.err->msg, r.v.u.err->code, code);
}

static inline void want_cost_in(unsigned which, const char *src, uint64_t cost)
{
    ext_result r = ext_eval(which, src, NULL);
    if (r.v.kind == CEL_ERROR && r.v.u.err->code == CEL_ERR_COST)
        fail_msg("%s: cost limit passed", src);
    if (r.cost != cost)
        fail_msg("%s: cost %llu, want %llu", src, (unsigned long long)r.cost,
                 (unsigned long long)cost);
}

/* Compiling must fail with a message containing want. */
static inline void want_compile_error_in(unsigned which, const char *src, const char *want)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(ext_env(which), src, strlen(src), &d);
    if (p) {
        cel_program_free(p);
        fail_msg("%s compiled in environment %u", src, which);
    }
    if (!d.message || !strstr(d.message, want))
        fail_msg("%s: message %s lacks %s", src, d.message ? d.message : "(none)", want);
    cel_diag_clear(&d);
}

static inline void want_compiles_in(unsigned which, const char *src)
{
    cel_diag d = {0};
    cel_program *p = cel_compile(ext_env(which), src, strlen(src), &d);
    if (!p)
        fail_msg("%s in environment %u: %s", src, which, d.message ? d.message : "?");
    cel_program_free(p);
}

static inline int ext_group_teardown(void **state)
{
    ext_teardown_all();
    return 0;
}

#endif
