/*
 * vap_stub.h: a stand-in expression backend for the engine's unit tests, so
 * that loading, matching, params, the pipeline and result shaping are tested
 * apart from the CEL implementation. Its "expressions" are tiny commands:
 *
 *   true | false | null | 'text'      constants ('text' is a string)
 *   err:MSG / serr:MSG                a runtime error MSG (serr: typed string)
 *   cost:N / costfalse:N              spends N (per-call limit and shared budget apply), then true / false
 *   coststr:N                         spends N likewise, then the string 'v'
 *   long:N / longe:N                  a string of N 'x' (longe: then a two-byte 'é')
 *   var:NAME                          variables.NAME
 *   name==X  op==X  kind==X  apiVersion==X  label:K==V   about object / request
 *   param:K==V                        params[K] == V
 *   param-mode                        params.mode (a string)
 *   has-namespace-object              namespaceObject != null
 *   count:true                        true, counting evaluations in the program
 *   int:1                             compiles with type int (for type checks)
 *   dyn:null / dyn:1                  null / the int 1, typed dyn
 *   liebool:null / liestr:1           null typed bool / the int 1 typed string
 *   compile-error                     fails to compile
 * "params", "variables." and "authorizer" are refused by environments that
 * lack them, with the checker's words.
 */
#ifndef VAP_STUB_H
#define VAP_STUB_H

#include <stdlib.h>
#include <string.h>

#include "vap/vap_int.h"

typedef struct stub_env {
    vap_env_desc d;
    const char *names[64]; /* the desc's array is the caller's */
} stub_env;

typedef struct stub_prog {
    char *src;
    const stub_env *env;
    int count; /* evaluations, for laziness tests (single-threaded use) */
} stub_prog;

static void *stub_env_new(const vap_env_desc *d, char **err)
{
    stub_env *e = calloc(1, sizeof *e);
    if (!e) {
        *err = strdup("oom");
        return NULL;
    }
    e->d = *d;
    for (size_t i = 0; i < d->nvars && i < 64; i++)
        e->names[i] = d->var_names[i];
    e->d.var_names = e->names;
    e->d.var_types = NULL;
    return e;
}

static void stub_env_free(void *e)
{
    free(e);
}

static char *stub_undeclared(const char *name)
{
    char *s = NULL;
    if (asprintf(&s, "compilation failed: ERROR: <input>:1:1: undeclared reference to '%s' (in container '')", name) < 0)
        return NULL;
    return s;
}

static void *stub_compile(void *envp, const char *src, size_t len, const void **type, char **type_name, char **err)
{
    const stub_env *e = envp;
    if (!strcmp(src, "compile-error")) {
        *err = strdup("compilation failed: ERROR: <input>:1:8: Syntax error: mismatched input '-' expecting <EOF>");
        return NULL;
    }
    if (strstr(src, "param") && !e->d.has_params) {
        *err = stub_undeclared("params");
        return NULL;
    }
    if ((strstr(src, "variables.") || !strncmp(src, "var:", 4)) && e->d.kind == VAP_ENV_MATCH) {
        *err = stub_undeclared("variables");
        return NULL;
    }
    if (strstr(src, "authorizer") && e->d.kind == VAP_ENV_MESSAGE) {
        *err = stub_undeclared("authorizer");
        return NULL;
    }
    if (!strncmp(src, "var:", 4)) {
        bool found = false;
        for (size_t i = 0; i < e->d.nvars; i++)
            if (!strcmp(e->d.var_names[i], src + 4))
                found = true;
        if (!found) {
            *err = strdup("compilation failed: ERROR: <input>:1:10: undefined field 'x'");
            return NULL;
        }
    }
    stub_prog *p = calloc(1, sizeof *p);
    while (len && *src == ' ') { /* like CEL, blanks around do not matter */
        src++;
        len--;
    }
    while (len && src[len - 1] == ' ')
        len--;
    p->src = strndup(src, len);
    p->env = e;
    *type = NULL;
    /* Types as a checker would give them: strings, null, int, dyn for
     * dyn:, the lie: commands claim one type and return another (for the
     * engine's run-time checks), serr: is a string-typed err:, and var:,
     * err: and cost: read as string in a message and as bool elsewhere;
     * everything else is bool. */
    const char *t = "bool";
    if (src[0] == '\'' || !strcmp(src, "param-mode") || !strncmp(src, "coststr:", 8) || !strncmp(src, "long:", 5) || !strncmp(src, "longe:", 6) ||
        !strncmp(src, "liestr:", 7))
        t = "string";
    else if (!strcmp(src, "null"))
        t = "null_type";
    else if (!strncmp(src, "int:", 4))
        t = "int";
    else if (!strncmp(src, "dyn:", 4))
        t = "dyn";
    else if (!strncmp(src, "serr:", 5) ||
             ((!strncmp(src, "var:", 4) || !strncmp(src, "err:", 4) || !strncmp(src, "cost:", 5)) &&
              e->d.kind == VAP_ENV_MESSAGE))
        t = "string";
    *type_name = strdup(t);
    return p;
}

static void stub_prog_free(void *p)
{
    stub_prog *sp = p;
    free(sp->src);
    free(sp);
}

static const char *stub_field(const json_t *o, const char *a, const char *b)
{
    const json_t *x = json_object_get(o, a);
    if (b)
        x = json_object_get(x, b);
    return json_string_value(x);
}

static cel_value stub_eq(cel_arena *a, const char *have, const char *want, const char *what)
{
    if (!have)
        return vap_error(a, CEL_ERR_NO_KEY, "no such key: %s", what);
    return cel_bool(!strcmp(have, want));
}

static cel_value stub_eval(void *pp, vap_run *run)
{
    stub_prog *p = pp;
    const char *s = p->src;
    cel_arena *a = run->arena;
    if (!strncmp(s, "count:", 6))
        p->count++;
    if (!strcmp(s, "true") || !strcmp(s, "count:true"))
        return cel_bool(true);
    if (!strcmp(s, "false"))
        return cel_bool(false);
    if (!strcmp(s, "null") || !strcmp(s, "dyn:null"))
        return cel_null();
    if (!strcmp(s, "dyn:1") || !strcmp(s, "liestr:1"))
        return cel_int(1);
    if (!strcmp(s, "liebool:null"))
        return cel_null();
    if (!strncmp(s, "long:", 5) || !strncmp(s, "longe:", 6)) {
        bool e = s[4] == 'e';
        size_t n = strtoul(s + (e ? 6 : 5), NULL, 10);
        char *c = cel_arena_alloc(a, n + 3);
        if (!c)
            return vap_error(a, CEL_ERR_MEMORY, "out of memory");
        memset(c, 'x', n);
        if (e)
            memcpy(c + n, "\xc3\xa9", 2);
        return cel_string_n(c, (uint32_t)(n + (e ? 2 : 0)));
    }
    if (!strncmp(s, "int:", 4))
        return cel_int(atoi(s + 4));
    if (s[0] == '\'') {
        size_t n = strlen(s);
        char *c = cel_arena_memdup(a, s + 1, n >= 2 ? n - 2 : 0);
        return cel_string_n(c, (uint32_t)(n >= 2 ? n - 2 : 0));
    }
    if (!strncmp(s, "err:", 4))
        return vap_error(a, CEL_ERR_GENERAL, "%s", s + 4);
    if (!strncmp(s, "serr:", 5))
        return vap_error(a, CEL_ERR_GENERAL, "%s", s + 5);
    if (!strncmp(s, "cost:", 5) || !strncmp(s, "costfalse:", 10) || !strncmp(s, "coststr:", 8)) {
        bool f = s[4] == 'f', str = s[4] == 's';
        uint64_t n = strtoull(s + (f ? 10 : str ? 8 : 5), NULL, 10);
        if (run->cost_limit && n > run->cost_limit)
            return vap_error(a, CEL_ERR_COST, "operation cancelled: actual cost limit exceeded");
        if (run->budget) {
            if (n > *run->budget) {
                *run->budget = 0;
                return vap_error(a, CEL_ERR_BUDGET, "budget exhausted");
            }
            *run->budget -= n;
        }
        if (str)
            return cel_string_n("v", 1);
        return cel_bool(!f);
    }
    if (!strcmp(s, "param-mode")) {
        const char *m = json_string_value(json_object_get(run->params, "mode"));
        return m ? cel_string_n(m, (uint32_t)strlen(m)) : cel_null();
    }
    if (!strcmp(s, "has-namespace-object"))
        return cel_bool(run->namespace_obj != NULL);
    if (!strncmp(s, "var:", 4)) {
        for (size_t i = 0; i < run->policy->nvariables; i++)
            if (!strcmp(run->policy->variables[i].name, s + 4))
                return vap_run_variable(run, i);
        return vap_error(a, CEL_ERR_NO_KEY, "no such key: %s", s + 4);
    }
    if (!strncmp(s, "name==", 6)) {
        if (!run->object)
            return vap_error(a, CEL_ERR_NO_KEY, "no such key: metadata");
        return stub_eq(a, stub_field(run->object, "metadata", "name"), s + 6, "name");
    }
    if (!strncmp(s, "op==", 4))
        return stub_eq(a, stub_field(vap_run_request(run), "operation", NULL), s + 4, "operation");
    if (!strncmp(s, "kind==", 6))
        return stub_eq(a, stub_field(vap_run_request(run), "kind", "kind"), s + 6, "kind");
    if (!strncmp(s, "apiVersion==", 12))
        return stub_eq(a, run->object ? stub_field(run->object, "apiVersion", NULL) : NULL, s + 12, "apiVersion");
    if (!strncmp(s, "label:", 6) || !strncmp(s, "param:", 6)) {
        const char *eq = strstr(s, "==");
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - s - 6), s + 6);
        if (s[0] == 'l') {
            const json_t *labels = json_object_get(json_object_get(run->object, "metadata"), "labels");
            return stub_eq(a, json_string_value(json_object_get(labels, key)), eq + 2, key);
        }
        if (!run->params)
            return vap_error(a, CEL_ERR_NO_KEY, "no such key: %s", key);
        return stub_eq(a, json_string_value(json_object_get(run->params, key)), eq + 2, key);
    }
    return vap_error(a, CEL_ERR_GENERAL, "stub cannot evaluate '%s'", s);
}

static const vap_backend stub_backend = {stub_env_new, stub_env_free, stub_compile, stub_prog_free, stub_eval};

/* Loads YAML text with the stub backend; fails the test on error. */
static inline vap_set *stub_load(const char *yaml, char **err)
{
    return vap_set_load_text("test.yaml", yaml, strlen(yaml), NULL, &stub_backend, err);
}

#endif
