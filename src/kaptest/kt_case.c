/*
 * kt_case.c: one test of a suite turned into what the engine evaluates,
 * the way kaptest sets it up (internal/tester/tester.go, validation.go):
 *
 *   - object / oldObject name resources (kind + name, optional namespace,
 *     group, version) and decide the operation: object only CREATE, both
 *     UPDATE, oldObject only DELETE;
 *   - param names an object of the policy's spec.paramKind (name required);
 *   - userInfo {name, groups, extra} is request.userInfo;
 *   - namespaceObject is the Namespace of the object's namespace from the
 *     resources, or a bare one with only its name, as upstream shows it to
 *     expressions (metadata subset, spec, status); none for cluster-scoped;
 *   - request.kind is the object's; dryRun is true; no subResource, options.
 *
 * celgate's additions, which kaptest ignores: name, inline objects (any
 * object: value with an apiVersion), operation, subResource, dryRun, a
 * request block merged over the request, namespaceObject, authorizer
 * rules, evaluateMatch, and the assertions kt_assert checks. Where kaptest
 * would go on silently (an UPDATE whose object is missing runs as a
 * DELETE) the case is a setup error instead.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

static const char *const test_keys[] = {
    "object", "oldObject", "param", "expect", "userInfo", "deniedMessage",
    /* celgate */
    "name", "operation", "subResource", "dryRun", "request", "namespaceObject", "authorizer", "evaluateMatch",
    "deniedMessageContains", "deniedMessageRegex", "reason", "warnings", "auditAnnotations", "validations", NULL};
static const char *const ref_keys[] = {"group", "version", "kind", "namespace", "name", NULL};
static const char *const param_keys[] = {"namespace", "name", NULL};
static const char *const user_keys[] = {"name", "groups", "extra", "uid", NULL};

/* One object slot: a reference (resolved against the resources) or inline. */
typedef struct slot {
    bool present;       /* the key has a map value */
    bool valid;         /* kaptest's IsValid: kind and name (or an inline object) */
    bool is_inline;
    char *f[5];         /* group version kind namespace name, as written */
    kt_ref ref;
    const json_t *node;
    const json_t *obj;  /* resolved */
} slot;

static void slot_clear(slot *s)
{
    for (int i = 0; i < 5; i++)
        free(s->f[i]);
}

static char *scalar_dup(const json_t *v)
{
    char buf[64];
    bool bad;
    const char *s = kt_scalar(v, buf, sizeof buf, &bad);
    return s ? kt_strdup(s) : NULL;
}

static void err_at(kt_case *c, const kt_manifest *m, const json_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_at(kt_case *c, const kt_manifest *m, const json_t *at, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    kt_pos p = kt_manifest_pos(m, at, c->node);
    kt_strlist_pushf(&c->errors, "%s (%s:%d:%d)", msg ? msg : "out of memory", m->path, p.line, p.col);
    free(msg);
}

/* Reads a slot; with apiVersion it is an inline object. */
static void read_slot(kt_case *c, const kt_manifest *m, const char *key, const char *const *keys, slot *s)
{
    memset(s, 0, sizeof *s);
    const json_t *v = json_object_get(c->node, key);
    s->node = v;
    if (!v || json_is_null(v))
        return;
    if (!json_is_object(v)) {
        err_at(c, m, v, "%s: must be a map (kind, name, namespace, group, version) or an object", key);
        return;
    }
    s->present = true;
    if (json_object_get(v, "apiVersion")) {
        s->is_inline = true;
        const json_t *meta = json_object_get(v, "metadata");
        const char *av = json_string_value(json_object_get(v, "apiVersion"));
        const char *slash = av ? strchr(av, '/') : NULL;
        s->f[0] = slash ? kt_strndup(av, (size_t)(slash - av)) : kt_strdup("");
        s->f[1] = kt_strdup(slash ? slash + 1 : av ? av : "");
        s->f[2] = scalar_dup(json_object_get(v, "kind"));
        s->f[3] = scalar_dup(json_object_get(meta, "namespace"));
        s->f[4] = scalar_dup(json_object_get(meta, "name"));
        s->obj = v;
        s->valid = s->f[2] && *s->f[2];
        if (!s->valid)
            err_at(c, m, v, "%s: an inline object needs apiVersion and kind", key);
    } else {
        kt_manifest_note_unknown((kt_manifest *)m, v, c->id, keys);
        static const char *const names[5] = {"group", "version", "kind", "namespace", "name"};
        for (int i = 0; i < 5; i++) {
            const json_t *f = json_object_get(v, names[i]);
            char buf[64];
            bool bad;
            const char *t = kt_scalar(f, buf, sizeof buf, &bad);
            if (bad)
                err_at(c, m, f, "%s.%s: must be a string", key, names[i]);
            s->f[i] = t ? kt_strdup(t) : NULL;
        }
        s->valid = s->f[2] && *s->f[2] && s->f[4] && *s->f[4];
    }
    s->ref = (kt_ref){s->f[0], s->f[1], s->f[2], s->f[3], s->f[4]};
}

static void resolve(kt_case *c, const kt_manifest *m, const kt_resources *res, const char *key, slot *s)
{
    if (!s->present || s->is_inline)
        return;
    if (!s->valid) {
        err_at(c, m, s->node, "%s: kind and name are required", key);
        return;
    }
    char *err = NULL;
    const kt_resource *r = kt_resources_find(res, &s->ref, &err);
    if (err) {
        err_at(c, m, s->node, "get %s: %s", key, err);
        free(err);
        return;
    }
    if (!r) {
        char *what = kt_ref_string(&s->ref);
        err_at(c, m, s->node, "get %s: no resource matches %s%s%s%s%s%s", key, what ? what : "",
               s->ref.group && *s->ref.group ? " (group " : "", s->ref.group && *s->ref.group ? s->ref.group : "",
               s->ref.group && *s->ref.group && s->ref.version && *s->ref.version ? ", version " : "",
               s->ref.group && *s->ref.group && s->ref.version && *s->ref.version ? s->ref.version : "",
               s->ref.group && *s->ref.group ? ")" : "");
        free(what);
        return;
    }
    s->obj = r->obj;
}

/* Kubernetes' guess from a kind to its resource (meta.UnsafeGuessKindToResource). */
static char *guess_resource(const char *kind)
{
    char *l = kt_strdup(kind ? kind : "");
    for (char *p = l; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!l || !*l)
        return l;
    if (!strcmp(l, "endpoints"))
        return l;
    size_t n = strlen(l);
    char *r = l[n - 1] == 's' ? kt_asprintf("%ses", l)
            : l[n - 1] == 'y' ? kt_asprintf("%.*sies", (int)(n - 1), l) : kt_asprintf("%ss", l);
    free(l);
    return r;
}

static const char *meta_str(const json_t *obj, const char *k)
{
    const char *s = json_string_value(json_object_get(json_object_get(obj, "metadata"), k));
    return s ? s : "";
}

static json_t *user_info(kt_case *c, const kt_manifest *m)
{
    const json_t *u = json_object_get(c->node, "userInfo");
    json_t *out = json_object();
    if (!u || json_is_null(u))
        return out;
    if (!json_is_object(u)) {
        err_at(c, m, u, "userInfo: must be a map (name, groups, extra)");
        return out;
    }
    kt_manifest_note_unknown((kt_manifest *)m, u, c->id, user_keys);
    if (json_object_get(u, "user") || json_object_get(u, "username")) {
        kt_pos p = kt_manifest_pos(m, json_object_get(u, json_object_get(u, "user") ? "user" : "username"), u);
        kt_strlist_pushf(&((kt_manifest *)m)->notes,
                         "%s:%d:%d: %s.userInfo: kaptest reads the user name from 'name' only", m->path, p.line,
                         p.col, c->id);
    }
    char *name = scalar_dup(json_object_get(u, "name"));
    if (name)
        json_object_set_new(out, "username", kt_json_string(name));
    free(name);
    char *uid = scalar_dup(json_object_get(u, "uid"));
    if (uid)
        json_object_set_new(out, "uid", kt_json_string(uid));
    free(uid);
    const json_t *g = json_object_get(u, "groups");
    if (g && !json_is_null(g)) {
        json_t *groups = json_array();
        size_t i;
        const json_t *x;
        if (!json_is_array(g))
            err_at(c, m, g, "userInfo.groups: must be a list of strings");
        else
            json_array_foreach(g, i, x) {
                char *s = scalar_dup(x);
                if (!s)
                    err_at(c, m, x, "userInfo.groups[%zu]: must be a string", i);
                else
                    json_array_append_new(groups, kt_json_string(s));
                free(s);
            }
        json_object_set_new(out, "groups", groups);
    }
    const json_t *e = json_object_get(u, "extra");
    if (e && !json_is_null(e)) {
        json_t *extra = json_object();
        const char *k;
        const json_t *vals;
        if (!json_is_object(e))
            err_at(c, m, e, "userInfo.extra: must be a map of lists of strings");
        else
            json_object_foreach((json_t *)e, k, vals) {
                json_t *list = json_array();
                size_t i;
                const json_t *x;
                if (!json_is_array(vals))
                    err_at(c, m, vals, "userInfo.extra.%s: must be a list of strings", k);
                else
                    json_array_foreach(vals, i, x) {
                        char *s = scalar_dup(x);
                        if (s)
                            json_array_append_new(list, kt_json_string(s));
                        else
                            err_at(c, m, x, "userInfo.extra.%s[%zu]: must be a string", k, i);
                        free(s);
                    }
                json_object_set_new(extra, k, list);
            }
        json_object_set_new(out, "extra", extra);
    }
    return out;
}

static json_t *gvk(const char *g, const char *v, const char *third_key, const char *third)
{
    return json_pack("{s:s, s:s, s:s}", "group", g ? g : "", "version", v ? v : "", third_key, third ? third : "");
}

/* What expressions see of a Namespace: upstream's CreateNamespaceObject
 * keeps these metadata fields, spec and status, and no apiVersion or kind
 * (empty fields vanish, creationTimestamp stays, null when unset). */
static json_t *namespace_view(const json_t *ns)
{
    static const char *const keep[] = {"name", "generateName", "namespace", "uid", "resourceVersion", "generation",
                                       "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
                                       "finalizers"};
    const json_t *meta = json_object_get(ns, "metadata");
    json_t *m = json_object();
    for (size_t i = 0; m && i < sizeof keep / sizeof keep[0]; i++) {
        json_t *v = json_object_get(meta, keep[i]);
        if (v && !json_is_null(v) && !(json_is_object(v) && !json_object_size(v)) &&
            !(json_is_array(v) && !json_array_size(v)))
            json_object_set(m, keep[i], v);
    }
    json_t *ct = json_object_get(meta, "creationTimestamp");
    json_object_set(m, "creationTimestamp", ct ? ct : json_null());
    json_t *spec = json_object_get(ns, "spec"), *status = json_object_get(ns, "status");
    return json_pack("{s:o, s:o, s:o}", "metadata", m, "spec", json_is_object(spec) ? json_incref(spec) : json_object(),
                     "status", json_is_object(status) ? json_incref(status) : json_object());
}

/* The namespace object (kaptest's getNamespaceObj), or the case's own. */
static void namespace_object(kt_case *c, const kt_manifest *m, const kt_resources *res, const json_t *obj,
                             const json_t *old)
{
    const json_t *given = json_object_get(c->node, "namespaceObject");
    if (given) {
        if (json_is_null(given))
            return; /* explicitly null */
        if (!json_is_object(given)) {
            err_at(c, m, given, "namespaceObject: must be a map (name) or a Namespace object");
            return;
        }
        if (json_object_get(given, "apiVersion")) {
            c->namespace_obj = json_incref((json_t *)given);
            return;
        }
        char *name = scalar_dup(json_object_get(given, "name"));
        kt_ref ref = {"", "", "Namespace", NULL, name};
        char *err = NULL;
        const kt_resource *r = name ? kt_resources_find(res, &ref, &err) : NULL;
        if (!name)
            err_at(c, m, given, "namespaceObject: name is required");
        else if (err)
            err_at(c, m, given, "get namespace: %s", err);
        else if (!r)
            err_at(c, m, given, "get namespace: no resource matches Namespace:%s", name);
        else
            c->namespace_obj = namespace_view(r->obj);
        free(err);
        free(name);
        return;
    }
    const char *ns = obj ? meta_str(obj, "namespace") : old ? meta_str(old, "namespace") : "";
    if (obj && old && strcmp(meta_str(obj, "namespace"), meta_str(old, "namespace"))) {
        err_at(c, m, c->node, "get namespace: extract namespace: namespace is different between object and oldObject");
        return;
    }
    if (!*ns)
        return;
    kt_ref ref = {"", "", "Namespace", NULL, ns};
    char *err = NULL;
    const kt_resource *r = kt_resources_find(res, &ref, &err);
    if (err) {
        err_at(c, m, c->node, "get namespace: get namespace: %s", err);
        free(err);
        return;
    }
    if (r) {
        c->namespace_obj = namespace_view(r->obj);
        return;
    }
    json_t *bare = json_pack("{s:{s:s}}", "metadata", "name", ns);
    c->namespace_obj = bare ? namespace_view(bare) : NULL;
    json_decref(bare);
}

static void authorizer(kt_case *c, const kt_manifest *m)
{
    const json_t *a = json_object_get(c->node, "authorizer");
    if (!a || json_is_null(a))
        a = m->authorizer;
    if (!a)
        return;
    char *err = NULL;
    if (json_is_string(a)) {
        char *path = kt_path_beside(m->path, json_string_value(a));
        c->authz = path ? vap_authorizer_load(path, &err) : NULL;
        free(path);
    } else {
        c->authz = vap_authorizer_from_json(a, &err);
    }
    if (!c->authz)
        err_at(c, m, a, "authorizer: %s", err ? err : "out of memory");
    free(err);
}

static void param(kt_case *c, const kt_manifest *m, const kt_resources *res, const vap_policy_info *p)
{
    const json_t *given = json_object_get(c->node, "param");
    if (c->evaluate_match && given && !json_is_null(given)) {
        kt_pos at = kt_manifest_pos(m, given, c->node);
        kt_strlist_pushf(&((kt_manifest *)m)->notes,
                         "%s:%d:%d: %s.param: not used with evaluateMatch (the bindings' paramRefs choose the params)",
                         m->path, at.line, at.col, c->id);
    }
    if (!p || !p->has_param_kind || c->evaluate_match)
        return; /* kaptest looks a param up only for a policy with paramKind */
    const json_t *v = json_object_get(c->node, "param");
    if (json_is_object(v) && json_object_get(v, "apiVersion")) {
        c->params = json_incref((json_t *)v);
        return;
    }
    if (v && !json_is_null(v) && !json_is_object(v)) {
        err_at(c, m, v, "param: must be a map (name, namespace) or an object");
        return;
    }
    char *name = json_is_object(v) ? scalar_dup(json_object_get(v, "name")) : NULL;
    char *ns = json_is_object(v) ? scalar_dup(json_object_get(v, "namespace")) : NULL;
    if (!name || !*name) {
        err_at(c, m, v, "get param: param name is empty");
    } else {
        const char *av = p->param_api_version ? p->param_api_version : "";
        const char *slash = strchr(av, '/');
        char *group = slash ? kt_strndup(av, (size_t)(slash - av)) : kt_strdup("");
        kt_ref ref = {group, slash ? slash + 1 : av, p->param_kind, ns, name};
        char *err = NULL;
        const kt_resource *r = kt_resources_find(res, &ref, &err);
        if (err)
            err_at(c, m, v, "get param: get param: %s", err);
        else if (!r) {
            char *what = kt_ref_string(&ref);
            err_at(c, m, v, "get param: param not found (%s %s)", av, what ? what : "");
            free(what);
        } else
            c->params = json_incref((json_t *)r->obj);
        free(err);
        free(group);
    }
    free(name);
    free(ns);
}

static char *slot_string(const slot *s, bool name_only)
{
    if (name_only) {
        const char *ns = s->f[3] ? s->f[3] : "", *name = s->f[4] ? s->f[4] : "";
        return *ns && *name ? kt_asprintf("%s/%s", ns, name) : kt_strdup(name);
    }
    return kt_ref_string(&s->ref);
}

/* kaptest's SummaryLine middle part, from the references as written. */
static char *title(const slot *obj, const slot *old, const json_t *param, const char *op, bool op_given)
{
    kt_buf b = {0};
    if (obj->valid && old->valid) {
        char *a = slot_string(old, false), *n = slot_string(obj, true);
        kt_buf_addf(&b, "(%s) %s -> %s", op_given ? op : "UPDATE", a ? a : "", n ? n : "");
        free(a);
        free(n);
    } else if (obj->valid || old->valid) {
        char *a = slot_string(obj->valid ? obj : old, false);
        kt_buf_addf(&b, "(%s) %s", op_given ? op : obj->valid ? "CREATE" : "DELETE", a ? a : "");
        free(a);
    }
    if (json_is_object(param) && !json_object_get(param, "apiVersion")) {
        char *name = scalar_dup(json_object_get(param, "name"));
        char *ns = scalar_dup(json_object_get(param, "namespace"));
        if (name && *name)
            kt_buf_addf(&b, "%s(Param: %s%s%s)", b.n ? " " : "", ns && *ns ? ns : "", ns && *ns ? "/" : "", name);
        free(name);
        free(ns);
    }
    return kt_buf_take(&b);
}

char *kt_case_title_only(const kt_manifest *m, const json_t *test)
{
    kt_case c = {.node = test, .id = (char *)""};
    slot obj, old;
    read_slot(&c, m, "object", ref_keys, &obj);
    read_slot(&c, m, "oldObject", ref_keys, &old);
    char *t = title(&obj, &old, NULL, "", false);
    slot_clear(&obj);
    slot_clear(&old);
    kt_strlist_clear(&c.errors);
    return t;
}

static void expect(kt_case *c, const kt_manifest *m)
{
    const json_t *v = json_object_get(c->node, "expect");
    char *e = scalar_dup(v);
    if (!e || !*e) {
        free(e);
        c->expect = kt_strdup("");
        err_at(c, m, c->node, "expect: Required value: admit, deny, skip or error");
        return;
    }
    if (!strcmp(e, "allow")) {
        free(e);
        e = kt_strdup("admit");
    }
    c->expect = e;
    c->expect_known = !strcmp(e, "admit") || !strcmp(e, "deny") || !strcmp(e, "skip") || !strcmp(e, "error");
    if (!c->expect_known)
        err_at(c, m, v, "expect: Unsupported value: \"%s\": supported values: admit (or allow), deny, skip, error", e);
}

static const json_t *bool_field(kt_case *c, const kt_manifest *m, const char *key)
{
    const json_t *v = json_object_get(c->node, key);
    if (v && !json_is_null(v) && !json_is_boolean(v)) {
        err_at(c, m, v, "%s: must be true or false", key);
        return NULL;
    }
    return v;
}

void kt_case_build(kt_case *c, const kt_manifest *m, const kt_suite *s, size_t index, const kt_resources *res,
                   const vap_policy_info *policy, const kt_opts *o)
{
    memset(c, 0, sizeof *c);
    c->suite = s;
    c->index = index;
    c->node = json_array_get(s->tests, index);
    c->pos = kt_manifest_pos(m, c->node, s->node);
    c->id = kt_asprintf("%s[%zu].tests[%zu]", s->key, s->index, index);
    if (!json_is_object(c->node)) {
        c->expect = kt_strdup("");
        c->title = kt_strdup("");
        c->subject = kt_asprintf("%s - ", s->policy ? s->policy : "");
        err_at(c, m, c->node, "%s: a test case must be a map", c->id);
        return;
    }
    kt_manifest_note_unknown((kt_manifest *)m, c->node, c->id, test_keys);
    c->name = scalar_dup(json_object_get(c->node, "name"));
    expect(c, m);
    const json_t *em = bool_field(c, m, "evaluateMatch");
    c->evaluate_match = o->evaluate_match || m->evaluate_match || json_is_true(em);
    if (json_is_false(em))
        c->evaluate_match = false;

    slot obj, old;
    read_slot(c, m, "object", ref_keys, &obj);
    read_slot(c, m, "oldObject", ref_keys, &old);
    const json_t *pv = json_object_get(c->node, "param");
    if (json_is_object(pv) && !json_object_get(pv, "apiVersion"))
        kt_manifest_note_unknown((kt_manifest *)m, pv, c->id, param_keys);

    char *op = scalar_dup(json_object_get(c->node, "operation"));
    bool op_given = op != NULL;
    if (op) {
        for (char *p = op; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (strcmp(op, "CREATE") && strcmp(op, "UPDATE") && strcmp(op, "DELETE") && strcmp(op, "CONNECT"))
            err_at(c, m, json_object_get(c->node, "operation"),
                   "operation: Unsupported value: \"%s\": supported values: CREATE, UPDATE, DELETE, CONNECT", op);
    } else {
        op = kt_strdup(obj.present && old.present ? "UPDATE" : obj.present ? "CREATE" : "DELETE");
    }
    c->operation = op;
    c->title = title(&obj, &old, pv, op, op_given);
    char *up = kt_upper(c->expect);
    c->subject = kt_asprintf("%s - %s - %s%s%s%s", s->policy ? s->policy : "", c->title, up ? up : "",
                             c->name ? " [" : "", c->name ? c->name : "", c->name ? "]" : "");
    free(up);

    if (!obj.present && !old.present) {
        err_at(c, m, c->node, "object or oldObject must be given and valid");
    } else {
        resolve(c, m, res, "object", &obj);
        resolve(c, m, res, "oldObject", &old);
        bool need_obj = strcmp(op, "DELETE") != 0, need_old = !strcmp(op, "UPDATE") || !strcmp(op, "DELETE");
        if (op_given && need_obj != obj.present)
            err_at(c, m, json_object_get(c->node, "operation"), "operation %s %s object", op,
                   need_obj ? "needs an" : "takes no");
        if (op_given && need_old != old.present)
            err_at(c, m, json_object_get(c->node, "operation"), "operation %s %s oldObject", op,
                   need_old ? "needs an" : "takes no");
    }
    param(c, m, res, policy);
    namespace_object(c, m, res, obj.obj, old.obj);
    authorizer(c, m);
    json_t *ui = user_info(c, m);

    const char *sub = json_string_value(json_object_get(c->node, "subResource"));
    const json_t *dry = bool_field(c, m, "dryRun");
    const json_t *first = obj.obj ? obj.obj : old.obj;
    if (first && !c->errors.n) {
        const json_t *meta = json_object_get(first, "metadata");
        const char *av = json_string_value(json_object_get(first, "apiVersion"));
        const char *kind = json_string_value(json_object_get(first, "kind"));
        const char *slash = av ? strchr(av, '/') : NULL;
        char *group = slash ? kt_strndup(av, (size_t)(slash - av)) : kt_strdup("");
        const char *version = slash ? slash + 1 : av ? av : "";
        char *resource = guess_resource(kind);
        const char *name = json_string_value(json_object_get(meta, "name"));
        const char *ns = json_string_value(json_object_get(meta, "namespace"));
        c->request = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:O, s:O, s:O, s:b, s:n}", "uid",
                               "00000000-0000-4000-8000-00000000c7e5", "kind", gvk(group, version, "kind", kind),
                               "resource", gvk(group, version, "resource", resource), "name", name ? name : "",
                               "namespace", ns ? ns : "", "operation", op, "userInfo", ui, "object",
                               obj.obj ? obj.obj : json_null(), "oldObject", old.obj ? old.obj : json_null(),
                               "dryRun", !json_is_false(dry), "options");
        free(group);
        free(resource);
        if (c->request && sub)
            json_object_set_new(c->request, "subResource", json_string(sub));
        const json_t *rb = json_object_get(c->node, "request");
        if (c->request && json_is_object(rb)) {
            const char *k;
            json_t *v;
            json_object_foreach((json_t *)rb, k, v)
                json_object_set(c->request, k, v);
        } else if (rb && !json_is_null(rb)) {
            err_at(c, m, rb, "request: must be a map of AdmissionRequest fields");
        }
        if (!c->request)
            err_at(c, m, c->node, "out of memory");
    }
    json_decref(ui);
    c->denied_message = json_object_get(c->node, "deniedMessage");
    c->denied_contains = json_object_get(c->node, "deniedMessageContains");
    c->denied_regex = json_object_get(c->node, "deniedMessageRegex");
    c->reason = json_object_get(c->node, "reason");
    c->warnings = json_object_get(c->node, "warnings");
    c->audit = json_object_get(c->node, "auditAnnotations");
    c->validations = json_object_get(c->node, "validations");
    slot_clear(&obj);
    slot_clear(&old);
}

void kt_case_clear(kt_case *c)
{
    free(c->id);
    free(c->name);
    free(c->expect);
    free(c->operation);
    free(c->title);
    free(c->subject);
    kt_strlist_clear(&c->errors);
    json_decref(c->request);
    json_decref(c->params);
    json_decref(c->namespace_obj);
    vap_authorizer_free(c->authz);
    memset(c, 0, sizeof *c);
}
