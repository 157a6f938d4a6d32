/*
 * sandbox/sbx_api.c: one API request, free of any HTTP library: routing
 * to discovery, OpenAPI and the resource verbs, content negotiation
 * (objects, Tables, aggregated discovery), the generic parts of each verb
 * (system metadata, namespaces, resourceVersion preconditions, patches,
 * dry runs) and the backend each kind is stored in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbx.h"

/* ---------------------------------------------------------------- replies */

void sbx_resp_json(sbx_resp *resp, int code, json_t *doc, const char *ctype)
{
    resp->code = code;
    snprintf(resp->ctype, sizeof resp->ctype, "%s", ctype ? ctype : "application/json");
    resp->body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (!resp->body) {
        resp->code = 500;
        resp->body = strdup("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                            "\"Failure\",\"message\":\"out of memory\",\"code\":500}");
    }
    resp->len = resp->body ? strlen(resp->body) : 0;
    json_decref(doc);
}

void sbx_resp_clear(sbx_resp *resp)
{
    free(resp->body);
    json_decref(resp->warnings);
    memset(resp, 0, sizeof *resp);
}

void sbx_resp_status(sbx_resp *resp, const sbx_err *e)
{
    sbx_resp_json(resp, e->code ? e->code : 500, sbx_status_json(e), "application/json");
}

static bool accepts(const char *accept, const char *what)
{
    return accept && strstr(accept, what);
}

static const char *query(const sbx_req *req, const char *key)
{
    return req->query ? req->query(req->query_ctx, key) : NULL;
}

/* ---------------------------------------------------------------- objects by backend */

static void key_ns(const sbx_kind *k, const char *ns, char *buf, size_t bufsz)
{
    snprintf(buf, bufsz, "%s", k->namespaced && ns ? ns : "");
}

static json_t *with_type(const sbx_kind *k, json_t *o, const char *version)
{
    char av[96];
    if (o) {
        json_object_set_new(o, "apiVersion", json_string(sbx_api_version(k->group, version, av, sizeof av)));
        json_object_set_new(o, "kind", json_string(k->kind));
    }
    return o;
}

json_t *sbx_obj_get(sbx *s, const sbx_kind *k, const char *ns, const char *name)
{
    if (k->backend == SBX_BE_SCIDR || k->backend == SBX_BE_IPADDR)
        return sbx_net_get(s, k, name, "v1");
    char nsb[SBX_MAX_NAME + 1];
    key_ns(k, ns, nsb, sizeof nsb);
    json_t *o = sbx_store_get(s->store, k->resource, nsb, name);
    return o ? json_deep_copy(o) : NULL;
}

json_t *sbx_obj_list(sbx *s, const sbx_kind *k, const char *ns)
{
    if (k->backend == SBX_BE_SCIDR || k->backend == SBX_BE_IPADDR)
        return sbx_net_list(s, k, "v1");
    json_t *items = sbx_store_list(s->store, k->resource, k->namespaced && ns && *ns ? ns : NULL);
    json_t *copy = json_deep_copy(items);
    json_decref(items);
    return copy;
}

static bool is_policy_kind(const sbx_kind *k)
{
    return !strcmp(k->group, "admissionregistration.k8s.io");
}

static void reload_if_needed(sbx *s, const sbx_kind *k)
{
    if (is_policy_kind(k) || !strcmp(k->resource, "namespaces")) {
        char *err = NULL;
        if (sbx_policy_reload(s, &err) < 0)
            fprintf(stderr, "celgate sandbox: policies not reloaded: %s\n", err ? err : "?");
        free(err);
    }
}

static int store_validate(sbx *s, const sbx_kind *k, const json_t *obj, sbx_err *e)
{
    if (is_policy_kind(k))
        return sbx_policy_check(s, k, obj, e);
    const char *name = sbx_meta_str(obj, "name");
    const char *why = sbx_check_label1123(name ? name : "");
    if (why) {
        char q[300], fe[900];
        const char *p = fe;
        sbx_go_quote(name ? name : "", q, sizeof q);
        snprintf(fe, sizeof fe, "metadata.name: Invalid value: %s: %s", q, why);
        sbx_err_invalid(e, k->group, k->kind, name, &p, 1);
        return -1;
    }
    return 0;
}

int sbx_obj_create(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *obj, json_t **out,
                   sbx_err *e)
{
    *out = NULL;
    if (k->backend == SBX_BE_SERVICE)
        return sbx_service_create(s, c, obj, out, e);
    if (k->backend == SBX_BE_SCIDR || k->backend == SBX_BE_IPADDR)
        return sbx_net_create(s, k, c, obj, out, e);
    const char *ns = sbx_meta_str(obj, "namespace");
    const char *n = sbx_meta_str(obj, "name");
    char nsb[SBX_MAX_NAME + 1], name[SBX_MAX_NAME + 1];
    key_ns(k, ns, nsb, sizeof nsb);
    snprintf(name, sizeof name, "%s", n ? n : "");
    if (!strcmp(k->resource, "namespaces")) {
        json_t *spec = json_object_get(obj, "spec");
        if (!json_is_object(spec))
            json_object_set_new(obj, "spec", spec = json_object());
        json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
        json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Active"));
        json_t *labels = json_object_get(sbx_meta(obj), "labels");
        if (!json_is_object(labels))
            json_object_set_new(sbx_meta(obj), "labels", labels = json_object());
        json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(name));
    }
    if (is_policy_kind(k))
        json_object_set_new(sbx_meta(obj), "generation", json_integer(1));
    if (store_validate(s, k, obj, e) < 0 ||
        (!is_policy_kind(k) && sbx_admit(s, k, c, "CREATE", obj, NULL, e) < 0)) {
        json_decref(obj);
        return -1;
    }
    if (sbx_store_get(s->store, k->resource, nsb, name)) {
        json_decref(obj);
        sbx_err_exists(e, k->group, k->resource, name);
        return -1;
    }
    if (c->dry_run) {
        *out = obj;
        return 0;
    }
    json_incref(obj);
    if (sbx_store_put(s->store, k->resource, nsb, name, obj, e) < 0) {
        json_decref(obj);
        return -1;
    }
    reload_if_needed(s, k);
    *out = obj;
    return 0;
}

int sbx_obj_update(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t *obj,
                   json_t **out, sbx_err *e)
{
    *out = NULL;
    sbx_meta_prepare_update(obj, old);
    int rc;
    if (k->backend == SBX_BE_SERVICE) {
        if (c->route && !strcmp(c->route->sub, "status"))
            json_object_set(obj, "spec", json_object_get(old, "spec"));
        rc = sbx_service_update(s, c, old, obj, out, e);
    } else if (k->backend == SBX_BE_SCIDR || k->backend == SBX_BE_IPADDR) {
        rc = sbx_net_update(s, k, c, old, obj, out, e);
    } else {
        const char *ns = sbx_meta_str(old, "namespace"), *name = sbx_meta_str(old, "name");
        char nsb[SBX_MAX_NAME + 1];
        key_ns(k, ns, nsb, sizeof nsb);
        if (c->route && !strcmp(c->route->sub, "status"))
            json_object_set(obj, "spec", json_object_get(old, "spec"));
        else if (json_object_get(old, "status"))
            json_object_set(obj, "status", json_object_get(old, "status"));
        if (is_policy_kind(k) && !json_equal(json_object_get(obj, "spec"), json_object_get(old, "spec")))
            json_object_set_new(sbx_meta(obj), "generation",
                                json_integer(json_integer_value(json_object_get(sbx_meta(old), "generation")) + 1));
        if (store_validate(s, k, obj, e) < 0 ||
            (!is_policy_kind(k) && sbx_admit(s, k, c, "UPDATE", obj, old, e) < 0)) {
            json_decref(obj);
            rc = -1;
        } else if (c->dry_run) {
            *out = obj;
            rc = 0;
        } else {
            json_incref(obj);
            rc = sbx_store_put(s->store, k->resource, nsb, name, obj, e);
            if (rc == 0) {
                *out = obj;
                reload_if_needed(s, k);
            } else {
                json_decref(obj);
            }
        }
    }
    json_decref(old);
    return rc;
}

int sbx_obj_delete(sbx *s, const sbx_kind *k, const sbx_call *c, json_t *old, json_t **out,
                   sbx_err *e)
{
    *out = NULL;
    if (k->backend == SBX_BE_SERVICE)
        return sbx_service_delete(s, c, old, e);
    if (k->backend == SBX_BE_SCIDR || k->backend == SBX_BE_IPADDR)
        return sbx_net_delete(s, k, c, old, out, e);
    const char *ns = sbx_meta_str(old, "namespace"), *name = sbx_meta_str(old, "name");
    char nsb[SBX_MAX_NAME + 1];
    key_ns(k, ns, nsb, sizeof nsb);
    if (!strcmp(k->resource, "namespaces") &&
        (!strcmp(name, "default") || !strcmp(name, "kube-system") || !strcmp(name, "kube-public"))) {
        sbx_err_set(e, 403, "Forbidden", "namespaces \"%s\" is forbidden: this namespace may not be deleted",
                    name);
        e->details = json_pack("{s:s, s:s}", "name", name, "kind", "namespaces");
        return -1;
    }
    if (!is_policy_kind(k) && sbx_admit(s, k, c, "DELETE", NULL, old, e) < 0)
        return -1;
    if (c->dry_run)
        return 0;
    if (!strcmp(k->resource, "namespaces")) {
        /* The namespace controller's work, done at once: its Services go. */
        json_t *svcs = sbx_store_list(s->store, "services", name);
        size_t i;
        json_t *svc;
        json_array_foreach(svcs, i, svc) {
            sbx_err se = {0};
            sbx_call sc = *c;
            sbx_service_delete(s, &sc, svc, &se);
            sbx_err_clear(&se);
        }
        json_decref(svcs);
    }
    if (sbx_store_del(s->store, k->resource, nsb, name, e) < 0)
        return -1;
    reload_if_needed(s, k);
    return 0;
}

/* ---------------------------------------------------------------- selectors */

/* fieldSelector metadata.name=/metadata.namespace= and labelSelector
 * "k=v", "k==v", "k!=v", "k", "!k" terms joined by ','. */
static bool field_match(const json_t *o, const char *sel)
{
    if (!sel || !*sel)
        return true;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", sel);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        bool neg = false;
        char *eq = strstr(t, "!=");
        if (eq) {
            neg = true;
            *eq = '\0';
            eq += 2;
        } else if ((eq = strstr(t, "=="))) {
            *eq = '\0';
            eq += 2;
        } else if ((eq = strchr(t, '='))) {
            *eq++ = '\0';
        } else {
            return false;
        }
        const char *have = NULL;
        if (!strcmp(t, "metadata.name"))
            have = sbx_meta_str(o, "name");
        else if (!strcmp(t, "metadata.namespace"))
            have = sbx_meta_str(o, "namespace");
        bool same = have && !strcmp(have, eq);
        if (same == neg)
            return false;
    }
    return true;
}

static bool label_match(const json_t *o, const char *sel)
{
    if (!sel || !*sel)
        return true;
    const json_t *labels = json_object_get(json_object_get(o, "metadata"), "labels");
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", sel);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        char *eq = strstr(t, "!=");
        bool neg = false;
        if (eq) {
            neg = true;
            *eq = '\0';
            eq += 2;
        } else if ((eq = strstr(t, "=="))) {
            *eq = '\0';
            eq += 2;
        } else if ((eq = strchr(t, '='))) {
            *eq++ = '\0';
        }
        if (!eq) {
            bool want = *t != '!';
            if ((json_object_get(labels, want ? t : t + 1) != NULL) != want)
                return false;
            continue;
        }
        const char *have = json_string_value(json_object_get(labels, t));
        bool same = have && !strcmp(have, eq);
        if (same == neg)
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- verbs */

static void strip_for_list(json_t *items)
{
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) {
        json_object_del(o, "apiVersion");
        json_object_del(o, "kind");
    }
}

static void do_get(sbx *s, const sbx_req *req, const sbx_route *r, sbx_resp *resp)
{
    const sbx_kind *k = r->kind;
    sbx_err e = {0};
    bool table = accepts(req->accept, "as=Table");
    const char *inc = query(req, "includeObject");
    bool include = inc && !strcmp(inc, "Object");
    char rv[24];
    if (*r->name) {
        json_t *o = sbx_obj_get(s, k, r->ns, r->name);
        if (!o) {
            sbx_err_not_found(&e, k->group, k->resource, r->name);
            sbx_resp_status(resp, &e);
            sbx_err_clear(&e);
            return;
        }
        with_type(k, o, r->version);
        if (table) {
            json_t *items = json_pack("[o]", o);
            snprintf(rv, sizeof rv, "%s", sbx_meta_str(o, "resourceVersion") ? sbx_meta_str(o, "resourceVersion") : "");
            sbx_resp_json(resp, 200, sbx_table(k, items, rv, sbx_now_ms(), include), "application/json;as=Table;v=v1;g=meta.k8s.io");
            json_decref(items);
            return;
        }
        sbx_resp_json(resp, 200, o, "application/json");
        return;
    }
    const char *w = query(req, "watch");
    if (w && (!strcmp(w, "true") || !strcmp(w, "1"))) {
        sbx_err_set(&e, 405, "MethodNotAllowed", "the sandbox does not serve watch requests");
        sbx_resp_status(resp, &e);
        return;
    }
    json_t *all = sbx_obj_list(s, k, r->ns);
    json_t *items = json_array();
    const char *fs = query(req, "fieldSelector"), *ls = query(req, "labelSelector");
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o) {
        if (field_match(o, fs) && label_match(o, ls))
            json_array_append(items, with_type(k, o, r->version));
    }
    json_decref(all);
    snprintf(rv, sizeof rv, "%llu", (unsigned long long)sbx_store_rv(s->store));
    if (table) {
        sbx_resp_json(resp, 200, sbx_table(k, items, rv, sbx_now_ms(), include), "application/json;as=Table;v=v1;g=meta.k8s.io");
        json_decref(items);
        return;
    }
    strip_for_list(items);
    char av[96], lk[96];
    snprintf(lk, sizeof lk, "%sList", k->kind);
    sbx_resp_json(resp, 200,
                  json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", lk, "apiVersion",
                            sbx_api_version(k->group, r->version, av, sizeof av), "metadata",
                            "resourceVersion", rv, "items", items),
                  "application/json");
}

static bool dry_run(const sbx_req *req, sbx_err *e)
{
    const char *d = query(req, "dryRun");
    if (!d || !*d)
        return false;
    if (strcmp(d, "All")) {
        sbx_err_set(e, 400, "BadRequest", "Invalid dry run value: %s", d);
        return false;
    }
    return true;
}

/* The body as one JSON object of kind k in a served version. */
static bool ctype_is(const char *ct, const char *want);

static json_t *decode_object(const sbx_req *req, const sbx_route *r, sbx_err *e)
{
    json_error_t je;
    json_t *o;
    if (ctype_is(req->content_type, "application/vnd.kubernetes.protobuf")) {
        if (!(o = sbx_proto_decode(req->body ? req->body : "", req->len, e)))
            return NULL;
    } else if (!(o = json_loadb(req->body ? req->body : "", req->len, JSON_REJECT_DUPLICATES, &je))) {
        sbx_err_set(e, 400, "BadRequest", "error decoding the request body: json: %s at line %d, column %d",
                    je.text, je.line, je.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        sbx_err_set(e, 400, "BadRequest", "the request body must be a JSON object");
        return NULL;
    }
    const sbx_kind *k = r->kind;
    const char *av = json_string_value(json_object_get(o, "apiVersion"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    char want[96];
    sbx_api_version(k->group, r->version, want, sizeof want);
    if (!kind || strcmp(kind, k->kind) || !av || strcmp(av, want)) {
        sbx_err_set(e, 400, "BadRequest", "the API version in the data (%s) does not match the expected "
                    "API version (%s)", av ? av : "", want);
        if (kind && strcmp(kind, k->kind))
            sbx_err_set(e, 400, "BadRequest", "%s in version \"%s\" cannot be handled as a %s: no kind \"%s\" "
                        "is registered for version \"%s\"", kind, want, k->kind, kind, want);
        json_decref(o);
        return NULL;
    }
    if (!json_is_object(json_object_get(o, "metadata")) && json_object_get(o, "metadata")) {
        json_decref(o);
        sbx_err_set(e, 400, "BadRequest", "metadata: must be an object");
        return NULL;
    }
    return o;
}

static bool ns_exists(sbx *s, const char *ns)
{
    return sbx_store_get(s->store, "namespaces", "", ns) != NULL;
}

/* Fills the system metadata of a new object; -1 with e on a client error. */
static int prepare_create(sbx *s, const sbx_route *r, json_t *obj, sbx_err *e)
{
    const sbx_kind *k = r->kind;
    json_t *md = sbx_meta(obj);
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    if (k->namespaced) {
        if (ns && *ns && strcmp(ns, r->ns)) {
            sbx_err_set(e, 400, "BadRequest", "the namespace of the provided object does not match the "
                        "namespace sent on the request");
            return -1;
        }
        json_object_set_new(md, "namespace", json_string(r->ns));
    } else {
        json_object_del(md, "namespace");
    }
    const char *name = json_string_value(json_object_get(md, "name"));
    const char *gen = json_string_value(json_object_get(md, "generateName"));
    if ((!name || !*name) && gen && *gen) {
        char sfx[6], buf[SBX_MAX_NAME + 8];
        sbx_name_suffix(sfx);
        snprintf(buf, sizeof buf, "%.*s%s", 58, gen, sfx);
        json_object_set_new(md, "name", json_string(buf));
        name = json_string_value(json_object_get(md, "name"));
    }
    if (!name || !*name) {
        const char *fe = "metadata.name: Required value: name or generateName is required";
        sbx_err_invalid(e, k->group, k->kind, "", &fe, 1);
        return -1;
    }
    if (strlen(name) > SBX_MAX_NAME || strchr(name, '/')) {
        char q[300], fe[600];
        const char *p = fe;
        sbx_go_quote(name, q, sizeof q);
        snprintf(fe, sizeof fe, "metadata.name: Invalid value: %s: %s", q,
                 strchr(name, '/') ? "may not contain '/'" : "must be no more than 253 characters");
        sbx_err_invalid(e, k->group, k->kind, "", &p, 1);
        return -1;
    }
    if (k->namespaced && !ns_exists(s, r->ns)) {
        sbx_err_not_found(e, "", "namespaces", r->ns);
        return -1;
    }
    char uid[37], ts[32];
    sbx_uuid(uid);
    sbx_time_rfc3339(sbx_now_ms(), ts);
    json_object_set_new(md, "uid", json_string(uid));
    json_object_set_new(md, "creationTimestamp", json_string(ts));
    static const char *const dropped[] = {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                                          "managedFields", "selfLink", "generation"};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        json_object_del(md, dropped[i]);
    return 0;
}

static void reply_object(sbx_resp *resp, int code, const sbx_kind *k, json_t *o, const char *version)
{
    json_object_del(sbx_meta(o), "managedFields");
    sbx_resp_json(resp, code, with_type(k, o, version), "application/json");
}

static void do_create(sbx *s, const sbx_req *req, const sbx_route *r, json_t *warnings, sbx_resp *resp)
{
    sbx_err e = {0};
    if (*r->name) {
        sbx_err_set(&e, 405, "MethodNotAllowed", "the server does not allow this method on the requested "
                    "resource");
        goto fail;
    }
    bool dry = dry_run(req, &e);
    if (e.code)
        goto fail;
    json_t *obj = decode_object(req, r, &e);
    if (!obj)
        goto fail;
    if (prepare_create(s, r, obj, &e) < 0) {
        json_decref(obj);
        goto fail;
    }
    sbx_call c = {.route = r, .version = r->version, .dry_run = dry, .warnings = warnings};
    json_t *out = NULL;
    if (sbx_obj_create(s, r->kind, &c, obj, &out, &e) < 0)
        goto fail;
    reply_object(resp, 201, r->kind, out, r->version);
    return;
fail:
    sbx_resp_status(resp, &e);
    sbx_err_clear(&e);
}

/* PUT and PATCH end here with the new object: preconditions, then update. */
static void finish_update(sbx *s, const sbx_req *req, const sbx_route *r, json_t *old, json_t *obj,
                          json_t *warnings, sbx_resp *resp)
{
    sbx_err e = {0};
    const sbx_kind *k = r->kind;
    bool dry = dry_run(req, &e);
    if (e.code)
        goto fail;
    const char *name = sbx_meta_str(obj, "name");
    if (name && strcmp(name, r->name)) {
        sbx_err_set(&e, 400, "BadRequest", "the name of the object (%s) does not match the name on the URL (%s)",
                    name, r->name);
        goto fail;
    }
    const char *rv = sbx_meta_str(obj, "resourceVersion");
    const char *orv = sbx_meta_str(old, "resourceVersion");
    if (rv && *rv && (!orv || strcmp(rv, orv))) {
        sbx_err_conflict(&e, k->group, k->resource, r->name);
        goto fail;
    }
    sbx_call c = {.route = r, .version = r->version, .dry_run = dry, .warnings = warnings};
    json_t *out = NULL;
    if (sbx_obj_update(s, k, &c, old, obj, &out, &e) < 0) {
        old = obj = NULL;
        goto fail;
    }
    if (!out) { /* the update ended a deletion */
        sbx_resp_json(resp, 200, sbx_status_success(k->group, k->resource, r->name, NULL), NULL);
        return;
    }
    reply_object(resp, 200, k, out, r->version);
    return;
fail:
    json_decref(old);
    json_decref(obj);
    sbx_resp_status(resp, &e);
    sbx_err_clear(&e);
}

static void do_update(sbx *s, const sbx_req *req, const sbx_route *r, json_t *warnings, sbx_resp *resp)
{
    sbx_err e = {0};
    json_t *old = sbx_obj_get(s, r->kind, r->ns, r->name);
    if (!old) {
        sbx_err_not_found(&e, r->kind->group, r->kind->resource, r->name);
        sbx_resp_status(resp, &e);
        sbx_err_clear(&e);
        return;
    }
    json_t *obj = decode_object(req, r, &e);
    if (!obj) {
        json_decref(old);
        sbx_resp_status(resp, &e);
        sbx_err_clear(&e);
        return;
    }
    if (r->kind->namespaced)
        json_object_set_new(sbx_meta(obj), "namespace", json_string(r->ns));
    finish_update(s, req, r, old, obj, warnings, resp);
}

static bool ctype_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct && !strncasecmp(ct, want, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void do_patch(sbx *s, const sbx_req *req, const sbx_route *r, json_t *warnings, sbx_resp *resp)
{
    sbx_err e = {0};
    const sbx_kind *k = r->kind;
    const char *ct = req->content_type;
    bool apply = ctype_is(ct, "application/apply-patch+yaml") || ctype_is(ct, "application/apply-patch+cbor");
    json_t *patch = NULL;
    if (apply) {
        char *err = NULL;
        json_t *docs = vap_yaml_documents("body", req->body ? req->body : "", req->len, &err);
        if (!docs || json_array_size(docs) != 1 || !json_is_object(json_array_get(docs, 0))) {
            sbx_err_set(&e, 400, "BadRequest", "error decoding YAML: %s", err ? err : "expected one object");
            free(err);
            json_decref(docs);
            goto fail;
        }
        patch = json_incref(json_array_get(docs, 0));
        json_decref(docs);
    } else {
        json_error_t je;
        patch = json_loadb(req->body ? req->body : "", req->len, 0, &je);
        if (!patch) {
            sbx_err_set(&e, 400, "BadRequest", "error decoding patch: %s", je.text);
            goto fail;
        }
    }
    json_t *old = sbx_obj_get(s, k, r->ns, r->name);
    if (!old && apply) {
        /* Server-side apply creates what does not exist. */
        bool dry = dry_run(req, &e);
        if (e.code) {
            json_decref(patch);
            goto fail;
        }
        sbx_route cr = *r;
        if (prepare_create(s, &cr, patch, &e) < 0) {
            json_decref(patch);
            goto fail;
        }
        sbx_call c = {.route = r, .version = r->version, .dry_run = dry, .warnings = warnings};
        json_t *out = NULL;
        if (sbx_obj_create(s, k, &c, patch, &out, &e) < 0)
            goto fail;
        reply_object(resp, 201, k, out, r->version);
        return;
    }
    if (!old) {
        json_decref(patch);
        sbx_err_not_found(&e, k->group, k->resource, r->name);
        goto fail;
    }
    with_type(k, old, r->version);
    json_t *doc = json_deep_copy(old);
    int rc;
    if (ctype_is(ct, "application/json-patch+json"))
        rc = sbx_patch_json(&doc, patch, &e);
    else if (ctype_is(ct, "application/merge-patch+json") || apply)
        rc = sbx_patch_merge(&doc, patch, &e);
    else if (ctype_is(ct, "application/strategic-merge-patch+json"))
        rc = sbx_patch_strategic(&doc, patch, k, &e);
    else {
        sbx_err_set(&e, 415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                    "accepted media types include: application/json-patch+json, "
                    "application/merge-patch+json, application/apply-patch+yaml, "
                    "application/strategic-merge-patch+json");
        rc = -1;
    }
    json_decref(patch);
    if (rc < 0 || !json_is_object(doc)) {
        if (rc == 0)
            sbx_err_set(&e, 422, "Invalid", "the patch does not leave an object");
        json_decref(doc);
        json_decref(old);
        goto fail;
    }
    char av[96];
    if (strcmp(json_string_value(json_object_get(doc, "kind")) ? json_string_value(json_object_get(doc, "kind")) : "", k->kind) ||
        strcmp(json_string_value(json_object_get(doc, "apiVersion")) ? json_string_value(json_object_get(doc, "apiVersion")) : "",
               sbx_api_version(k->group, r->version, av, sizeof av))) {
        json_decref(doc);
        json_decref(old);
        sbx_err_set(&e, 400, "BadRequest", "a patch may not change apiVersion or kind");
        goto fail;
    }
    finish_update(s, req, r, old, doc, warnings, resp);
    return;
fail:
    sbx_resp_status(resp, &e);
    sbx_err_clear(&e);
}

static void do_delete(sbx *s, const sbx_req *req, const sbx_route *r, json_t *warnings, sbx_resp *resp)
{
    sbx_err e = {0};
    const sbx_kind *k = r->kind;
    if (!*r->name) {
        sbx_err_set(&e, 405, "MethodNotAllowed", "the sandbox does not serve deletecollection");
        goto fail;
    }
    bool dry = dry_run(req, &e);
    if (e.code)
        goto fail;
    json_t *opts = NULL;
    if (req->len) {
        json_error_t je;
        opts = json_loadb(req->body, req->len, 0, &je);
        if (!json_is_object(opts)) {
            json_decref(opts);
            sbx_err_set(&e, 400, "BadRequest", "error decoding DeleteOptions: %s", je.text);
            goto fail;
        }
        const json_t *dr = json_object_get(opts, "dryRun");
        if (json_array_size(dr) == 1 && !strcmp(json_string_value(json_array_get(dr, 0)) ? json_string_value(json_array_get(dr, 0)) : "", "All"))
            dry = true;
    }
    json_t *old = sbx_obj_get(s, k, r->ns, r->name);
    if (!old) {
        json_decref(opts);
        sbx_err_not_found(&e, k->group, k->resource, r->name);
        goto fail;
    }
    const json_t *pre = json_object_get(opts, "preconditions");
    const char *puid = json_string_value(json_object_get(pre, "uid"));
    const char *prv = json_string_value(json_object_get(pre, "resourceVersion"));
    const char *ouid = sbx_meta_str(old, "uid"), *orv = sbx_meta_str(old, "resourceVersion");
    if ((puid && (!ouid || strcmp(puid, ouid))) || (prv && (!orv || strcmp(prv, orv)))) {
        char q[160];
        sbx_err_set(&e, 409, "Conflict", "Operation cannot be fulfilled on %s \"%s\": Precondition failed: %s "
                    "in precondition: %s, %s in object meta: %s",
                    sbx_qualified(k->group, k->resource, q, sizeof q), r->name, puid ? "UID" : "ResourceVersion",
                    puid ? puid : prv, puid ? "UID" : "ResourceVersion", puid ? (ouid ? ouid : "") : (orv ? orv : ""));
        json_decref(opts);
        json_decref(old);
        goto fail;
    }
    json_t *dopts = opts ? json_deep_copy(opts) : json_object();
    json_object_set_new(dopts, "kind", json_string("DeleteOptions"));
    json_object_set_new(dopts, "apiVersion", json_string("meta.k8s.io/v1"));
    json_decref(opts);
    sbx_call c = {.route = r, .version = r->version, .dry_run = dry, .options = dopts, .warnings = warnings};
    json_t *still = NULL;
    int rc = sbx_obj_delete(s, k, &c, old, &still, &e);
    json_decref(dopts);
    if (rc < 0) {
        json_decref(old);
        goto fail;
    }
    /* Services answer with the deleted object; others with it while
     * finalizers hold it, else with a Success Status. */
    if (k->backend == SBX_BE_SERVICE) {
        json_decref(still);
        reply_object(resp, 200, k, old, r->version);
        return;
    }
    if (still) {
        json_decref(old);
        reply_object(resp, 200, k, still, r->version);
        return;
    }
    sbx_resp_json(resp, 200, sbx_status_success(k->group, k->resource, r->name, sbx_meta_str(old, "uid")), NULL);
    json_decref(old);
    return;
fail:
    sbx_resp_status(resp, &e);
    sbx_err_clear(&e);
}

/* ---------------------------------------------------------------- discovery */

static const char *aggregated_version(const char *accept)
{
    if (!accepts(accept, "as=APIGroupDiscoveryList"))
        return NULL;
    if (accepts(accept, "g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"))
        return "v2";
    if (accepts(accept, "g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"))
        return "v2beta1";
    return NULL;
}

static void do_discovery(sbx *s, const sbx_req *req, const sbx_route *r, sbx_resp *resp)
{
    sbx_err e = {0};
    json_t *doc = NULL;
    const char *agg = (r->type == SBX_R_API || r->type == SBX_R_APIS) ? aggregated_version(req->accept) : NULL;
    if (agg) {
        char av[64], ct[128];
        snprintf(av, sizeof av, "apidiscovery.k8s.io/%s", agg);
        snprintf(ct, sizeof ct, "application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList", agg);
        sbx_resp_json(resp, 200, sbx_discovery_aggregated(r->type == SBX_R_API, av), ct);
        return;
    }
    switch (r->type) {
    case SBX_R_VERSION:
        doc = sbx_version_json();
        break;
    case SBX_R_API:
        doc = sbx_discovery_versions(s->server_addr);
        break;
    case SBX_R_APIS:
        doc = sbx_discovery_groups();
        break;
    case SBX_R_GROUP:
        doc = sbx_discovery_group(r->group);
        break;
    case SBX_R_GV:
        doc = sbx_discovery_resources(r->group, r->version);
        break;
    case SBX_R_OPENAPI_V3:
        doc = sbx_openapi_v3_root();
        break;
    case SBX_R_OPENAPI_V3_GV:
        doc = sbx_openapi_v3_gv(r->gv_path);
        break;
    default:
        break;
    }
    if (!doc) {
        sbx_err_set(&e, 404, "NotFound", "the server could not find the requested resource");
        e.details = json_pack("{s:[{s:s, s:s}]}", "causes", "reason", "UnexpectedServerResponse",
                              "message", "404 page not found");
        sbx_resp_status(resp, &e);
        sbx_err_clear(&e);
        return;
    }
    sbx_resp_json(resp, 200, doc, "application/json");
}

void sbx_handle(sbx *s, const sbx_req *req, sbx_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    sbx_route r;
    sbx_route_parse(req->path, &r);
    sbx_err e = {0};
    if (r.type == SBX_R_HEALTH) {
        resp->code = 200;
        snprintf(resp->ctype, sizeof resp->ctype, "text/plain; charset=utf-8");
        resp->body = strdup("ok");
        resp->len = 2;
        return;
    }
    if (r.type == SBX_R_NOT_FOUND || r.type == SBX_R_OPENAPI_V2) {
        sbx_err_set(&e, 404, "NotFound", "the server could not find the requested resource");
        e.details = json_pack("{s:[{s:s, s:s}]}", "causes", "reason", "UnexpectedServerResponse", "message",
                              "404 page not found");
        sbx_resp_status(resp, &e);
        sbx_err_clear(&e);
        return;
    }
    pthread_mutex_lock(&s->mu);
    if (r.type != SBX_R_RESOURCE) {
        if (strcmp(req->method, "GET")) {
            sbx_err_set(&e, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
            sbx_resp_status(resp, &e);
        } else {
            do_discovery(s, req, &r, resp);
        }
        pthread_mutex_unlock(&s->mu);
        return;
    }
    /* Time passes between requests: let the controller catch up first. */
    alloc_tick(s->alloc);
    json_t *warnings = json_array();
    if (!strcmp(req->method, "GET"))
        do_get(s, req, &r, resp);
    else if (!strcmp(req->method, "POST"))
        do_create(s, req, &r, warnings, resp);
    else if (!strcmp(req->method, "PUT"))
        do_update(s, req, &r, warnings, resp);
    else if (!strcmp(req->method, "PATCH"))
        do_patch(s, req, &r, warnings, resp);
    else if (!strcmp(req->method, "DELETE"))
        do_delete(s, req, &r, warnings, resp);
    else {
        sbx_err_set(&e, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        sbx_resp_status(resp, &e);
    }
    pthread_mutex_unlock(&s->mu);
    resp->warnings = warnings;
}
