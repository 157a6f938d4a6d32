/*
 * env.c: the CEL side of the engine, in one place: the environments policy
 * expressions compile in (object, oldObject, request, params,
 * namespaceObject, variables, authorizer, authorizer.requestResource, per
 * vap-semantics §4.1 and the environment kinds of vap_env_kind), and the
 * bindings each evaluation gets. A later versioned Kubernetes base
 * environment replaces base_env() and nothing else.
 *
 * `variables` is bound as a map whose lookups evaluate a variable on first
 * access through vap_run_variable (cached per expression group).
 *
 * The libraries are the ones the policies celgate targets need now (the
 * standard library, ip/cidr, authorizer); the versioned Kubernetes base
 * environment adds the rest in base_env().
 */
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "cel/ext.h"
#include "cel/ext_authz.h"
#include "cel/json.h"
#include "cel/k8s.h"
#include "vap_int.h"

/* The JSON adapter (cel/json.c) is the last piece of the core to reach
 * main; until it does, documents are converted eagerly (json_to_cel). */
#pragma weak cel_json_value

/* Eager conversion of a JSON document, numbers as Kubernetes decodes them
 * (integers int, others double). Depth is bounded by the JSON parser. */
static cel_value json_to_cel(const json_t *j, cel_arena *a)
{
    if (cel_json_value)
        return cel_json_value(j, a);
    if (!j)
        return cel_null();
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        cel_value *keys = cel_arena_alloc(a, (n ? n : 1) * sizeof *keys);
        cel_value *vals = cel_arena_alloc(a, (n ? n : 1) * sizeof *vals);
        if (!keys || !vals)
            return vap_error(a, CEL_ERR_MEMORY, "out of memory");
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            keys[i] = cel_string_copy(a, k, strlen(k));
            vals[i++] = json_to_cel(v, a);
        }
        return cel_map_new(a, keys, vals, n);
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        cel_value *items = cel_arena_alloc(a, (n ? n : 1) * sizeof *items);
        if (!items)
            return vap_error(a, CEL_ERR_MEMORY, "out of memory");
        for (size_t i = 0; i < n; i++)
            items[i] = json_to_cel(json_array_get(j, i), a);
        return cel_list_new(a, items, n);
    }
    case JSON_STRING:
        return cel_string_copy(a, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return cel_int(json_integer_value(j));
    case JSON_REAL:
        return cel_double(json_real_value(j));
    case JSON_TRUE:
        return cel_bool(true);
    case JSON_FALSE:
        return cel_bool(false);
    default:
        return cel_null();
    }
}

/* ---------------------------------------------------------------- types (§4.1) */

#define OBJ(tname, f) {CEL_T_OBJECT, tname, {NULL, NULL}, f, sizeof f / sizeof f[0], NULL}

static const cel_type t_list_string = {CEL_T_LIST, "list", {&cel_t_string, NULL}, NULL, 0, NULL};
static const cel_type t_map_extra = {CEL_T_MAP, "map", {&cel_t_string, &t_list_string}, NULL, 0, NULL};

static const cel_field gvk_fields[] = {
    {"group", &cel_t_string}, {"version", &cel_t_string}, {"kind", &cel_t_string}};
static const cel_field gvr_fields[] = {
    {"group", &cel_t_string}, {"version", &cel_t_string}, {"resource", &cel_t_string}};
static const cel_field user_fields[] = {
    {"username", &cel_t_string}, {"uid", &cel_t_string}, {"groups", &t_list_string}, {"extra", &t_map_extra}};
static const cel_type t_gvk = OBJ("kind", gvk_fields);
static const cel_type t_gvr = OBJ("resource", gvr_fields);
static const cel_type t_user = OBJ("userInfo", user_fields);

static const cel_field request_fields[] = {
    {"kind", &t_gvk},
    {"resource", &t_gvr},
    {"subResource", &cel_t_string},
    {"requestKind", &t_gvk},
    {"requestResource", &t_gvr},
    {"requestSubResource", &cel_t_string},
    {"name", &cel_t_string},
    {"namespace", &cel_t_string},
    {"operation", &cel_t_string},
    {"userInfo", &t_user},
    {"dryRun", &cel_t_bool},
    {"options", &cel_t_dyn},
};
static const cel_type t_request = OBJ("kubernetes.AdmissionRequest", request_fields);

/* The Namespace subset upstream declares; nested parts stay dyn here. */
static const cel_field namespace_fields[] = {
    {"metadata", &cel_t_dyn}, {"spec", &cel_t_dyn}, {"status", &cel_t_dyn}};
static const cel_type t_namespace = OBJ("kubernetes.Namespace", namespace_fields);

/* ---------------------------------------------------------------- environments */

typedef struct cenv {
    cel_env *env;
    vap_env_kind kind;
    int s_object, s_old, s_request, s_params, s_ns, s_vars, s_authz, s_reqres;
    size_t nslots;
    cel_type vars_type;
    cel_field *fields;
} cenv;

typedef struct cprog {
    cel_program *prog;
    const cenv *env;
} cprog;

/* The environment an API server of Kubernetes 1.<minor> (0: the newest)
 * compiles stored policies with at admission: its StoredExpressions
 * environment, compatibility version 1.<minor> (cel/k8s.h). Policies
 * loaded from files are stored configuration, as upstream's
 * environment.go says of StoredExpressions. */
static cel_env *base_env(int minor)
{
    return cel_env_new_k8s_server((unsigned)minor, CEL_K8S_STORED_EXPRESSIONS, NULL);
}

static void cenv_free(void *p)
{
    cenv *e = p;
    if (!e)
        return;
    if (e->env)
        cel_env_free(e->env);
    free(e->fields);
    free(e);
}

static void *cenv_new(const vap_env_desc *d, char **err)
{
    cenv *e = calloc(1, sizeof *e);
    if (!e || !(e->env = base_env(d->k8s_minor)))
        goto fail;
    e->kind = d->kind;
    e->s_params = e->s_vars = e->s_authz = e->s_reqres = -1;
    if (d->kind != VAP_ENV_MATCH) {
        e->fields = calloc(d->nvars ? d->nvars : 1, sizeof *e->fields);
        if (!e->fields)
            goto fail;
        for (size_t i = 0; i < d->nvars; i++) {
            e->fields[i].name = d->var_names[i];
            e->fields[i].type = d->var_types[i] ? d->var_types[i] : &cel_t_dyn;
        }
        e->vars_type = (cel_type){CEL_T_OBJECT, "kubernetes.variables", {NULL, NULL}, e->fields, d->nvars, NULL};
    }
    e->s_object = cel_env_add_var(e->env, "object", &cel_t_dyn);
    e->s_old = cel_env_add_var(e->env, "oldObject", &cel_t_dyn);
    e->s_request = cel_env_add_var(e->env, "request", &t_request);
    e->s_ns = cel_env_add_var(e->env, "namespaceObject", &t_namespace);
    if (e->s_object < 0 || e->s_old < 0 || e->s_request < 0 || e->s_ns < 0)
        goto fail;
    if (d->has_params && (e->s_params = cel_env_add_var(e->env, "params", &cel_t_dyn)) < 0)
        goto fail;
    if (d->kind != VAP_ENV_MATCH && (e->s_vars = cel_env_add_var(e->env, "variables", &e->vars_type)) < 0)
        goto fail;
    if (d->kind != VAP_ENV_MESSAGE) {
        /* The authz library is in the base environment; only the
         * variables are per kind. */
        if ((e->s_authz = cel_env_add_var(e->env, "authorizer", &cel_t_authz_authorizer)) < 0 ||
            (e->s_reqres = cel_env_add_var(e->env, "authorizer.requestResource", &cel_t_authz_resource_check)) < 0)
            goto fail;
    }
    e->nslots = cel_env_var_count(e->env);
    return e;
fail:
    cenv_free(e);
    *err = vap_strdup("cannot build the CEL environment (out of memory?)");
    return NULL;
}

static void *cprog_compile(void *envp, const char *src, size_t len, const void **type, char **type_name, char **err)
{
    const cenv *e = envp;
    cel_diag diag = {0};
    cel_program *p = cel_compile(e->env, src, len, &diag);
    if (!p) {
        *err = vap_asprintf("compilation failed: %s", diag.text ? diag.text : diag.message ? diag.message : "error");
        cel_diag_clear(&diag);
        return NULL;
    }
    cel_diag_clear(&diag);
    cprog *cp = malloc(sizeof *cp);
    if (!cp) {
        cel_program_free(p);
        *err = vap_strdup("out of memory");
        return NULL;
    }
    cp->prog = p;
    cp->env = e;
    const cel_type *t = cel_program_type(p);
    *type = t;
    char buf[256];
    cel_type_format(t ? t : &cel_t_dyn, buf, sizeof buf);
    *type_name = vap_strdup(buf);
    return cp;
}

static void cprog_free(void *p)
{
    cprog *cp = p;
    if (!cp)
        return;
    cel_program_free(cp->prog);
    free(cp);
}

/* ---------------------------------------------------------------- evaluation */

static bool vars_find_str(const cel_map *m, const char *s, size_t n, cel_value *out, cel_arena *a)
{
    vap_run *run = m->impl;
    const vap_policy *p = run->policy;
    for (size_t i = 0; i < p->nvariables; i++)
        if (strlen(p->variables[i].name) == n && !memcmp(p->variables[i].name, s, n)) {
            *out = vap_run_variable(run, i);
            return true;
        }
    return false;
}

static bool vars_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a)
{
    if (key->kind != CEL_STRING)
        return false;
    return vars_find_str(m, key->u.str, key->len, out, a);
}

static void vars_entry(const cel_map *m, size_t i, cel_value *key, cel_value *val, cel_arena *a)
{
    vap_run *run = m->impl;
    const char *name = run->policy->variables[i].name;
    *key = cel_string_n(name, (uint32_t)strlen(name));
    *val = vap_run_variable(run, i);
}

static const cel_map_ops vars_ops = {vars_find, vars_find_str, vars_entry};

/* `request` is a map of VAP_REQUEST_FIELDS fields whose document is built
 * on the first read: building it is a good part of a review's policy work,
 * and most expressions never look at it. */
static cel_value request_value(vap_run *run, cel_arena *a)
{
    vap_reqdoc *rd = run->reqdoc;
    if (rd->val.kind != CEL_MAP) {
        const json_t *doc = vap_run_request(run);
        if (!doc)
            return vap_error(a, CEL_ERR_MEMORY, "out of memory");
        rd->val = json_to_cel(doc, run->arena);
    }
    return rd->val;
}

static bool request_find_str(const cel_map *m, const char *s, size_t n, cel_value *out, cel_arena *a)
{
    cel_value v = request_value((vap_run *)m->impl, a);
    if (v.kind != CEL_MAP) {
        *out = v;
        return true;
    }
    return cel_map_find_str(v.u.map, s, n, out, a);
}

static bool request_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a)
{
    cel_value v = request_value((vap_run *)m->impl, a);
    if (v.kind != CEL_MAP) {
        *out = v;
        return true;
    }
    return cel_map_find(v.u.map, key, out, a);
}

static void request_entry(const cel_map *m, size_t i, cel_value *key, cel_value *val, cel_arena *a)
{
    cel_value v = request_value((vap_run *)m->impl, a);
    if (v.kind != CEL_MAP) {
        *key = *val = v;
        return;
    }
    cel_map_entry(v.u.map, i, key, val, a);
}

static const cel_map_ops request_ops = {request_find, request_find_str, request_entry};

/* Authorization checks from CEL go to the engine's rules table. */
static cel_authz_answer host_check(void *ctx, const cel_authz_check *c, cel_arena *a)
{
    vap_run *run = ctx;
    vap_authz_query q = {0};
    const json_t *ui = run->rq ? run->rq->user_info : NULL;
    json_t *groups = NULL;
    if (c->user) {
        q.user = c->user;
        groups = json_array();
        for (size_t i = 0; groups && i < c->ngroups; i++)
            json_array_append_new(groups, json_string(c->groups[i]));
        q.groups = groups;
    } else {
        q.user = json_string_value(json_object_get(ui, "username"));
        q.groups = json_object_get(ui, "groups");
    }
    q.verb = c->verb;
    q.is_path = c->is_path;
    q.path = c->path;
    q.group = c->group;
    q.resource = c->resource;
    q.subresource = c->subresource;
    q.namespace_ = c->namespace_;
    q.name = c->name;
    const char *reason = NULL;
    int d = vap_authz_decide(run->authz, &q, &reason);
    cel_authz_answer ans = {d == 1 ? CEL_AUTHZ_ALLOW : d == 0 ? CEL_AUTHZ_DENY : CEL_AUTHZ_NO_OPINION, NULL, NULL};
    if (reason)
        ans.reason = cel_arena_memdup(a, reason, strlen(reason));
    json_decref(groups);
    return ans;
}

static cel_value cprog_eval(void *p, vap_run *run)
{
    const cprog *cp = p;
    const cenv *e = cp->env;
    cel_arena *a = run->arena;
    cel_value *vars = cel_arena_alloc(a, (e->nslots ? e->nslots : 1) * sizeof *vars);
    if (!vars)
        return vap_error(a, CEL_ERR_MEMORY, "out of memory");
    for (size_t i = 0; i < e->nslots; i++)
        vars[i] = cel_null();
    vars[e->s_object] = json_to_cel(run->object, a);
    vars[e->s_old] = json_to_cel(run->old_object, a);
    cel_map *rm = cel_arena_alloc(a, sizeof *rm);
    if (!rm)
        return vap_error(a, CEL_ERR_MEMORY, "out of memory");
    *rm = (cel_map){VAP_REQUEST_FIELDS, &request_ops, run};
    vars[e->s_request] = cel_map_v(rm);
    vars[e->s_ns] = json_to_cel(run->namespace_obj, a);
    if (e->s_params >= 0)
        vars[e->s_params] = json_to_cel(run->params, a);
    if (e->s_vars >= 0) {
        cel_map *m = cel_arena_alloc(a, sizeof *m);
        if (!m)
            return vap_error(a, CEL_ERR_MEMORY, "out of memory");
        m->len = run->policy->nvariables;
        m->ops = &vars_ops;
        m->impl = run;
        vars[e->s_vars] = cel_map_v(m);
    }
    if (e->s_authz >= 0) {
        vars[e->s_authz] = cel_authz_value(a);
        const vap_gvr *g = &run->rq->gvr;
        vars[e->s_reqres] = cel_authz_request_resource(a, g->group, g->resource, run->rq->subresource,
                                                       run->rq->namespace_, run->rq->name);
    }
    cel_activation act = {vars, e->nslots};
    cel_authz_host host = {host_check, run};
    cel_eval_opts opts = {run->cost_limit, run->budget, &host};
    return cel_eval(cp->prog, &act, a, &opts, NULL);
}

const vap_backend vap_cel_backend = {cenv_new, cenv_free, cprog_compile, cprog_free, cprog_eval};
