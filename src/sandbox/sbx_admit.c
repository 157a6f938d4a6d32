/*
 * sandbox/sbx_admit.c: validating admission in the write path. Every
 * create, update and delete builds the admission.k8s.io/v1 request the API
 * server would hand its ValidatingAdmissionPolicy plugin and asks the
 * engine; a denial becomes the engine's Status (already worded and coded
 * as the API server does), Warn actions become Warning headers. As
 * upstream, the policies and bindings themselves are never evaluated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

static json_t *gvk(const char *group, const char *version, const char *kind)
{
    return json_pack("{s:s, s:s, s:s}", "group", group, "version", version, "kind", kind);
}

static json_t *gvr(const char *group, const char *version, const char *resource)
{
    return json_pack("{s:s, s:s, s:s}", "group", group, "version", version, "resource", resource);
}

static json_t *options_for(const char *operation, const sbx_call *c)
{
    if (c->options)
        return json_deep_copy(c->options);
    const char *kind = !strcmp(operation, "CREATE")   ? "CreateOptions"
                       : !strcmp(operation, "UPDATE") ? "UpdateOptions"
                                                      : "DeleteOptions";
    return json_pack("{s:s, s:s}", "kind", kind, "apiVersion", "meta.k8s.io/v1");
}

int sbx_admit(sbx *s, const sbx_kind *k, const sbx_call *c, const char *operation,
              const json_t *obj, const json_t *old, sbx_err *e)
{
    if (!s->policies || !strcmp(k->group, "admissionregistration.k8s.io"))
        return 0;
    char uid[37];
    sbx_uuid(uid);
    const char *version = c->version ? c->version : k->versions[0];
    const json_t *named = obj ? obj : old;
    const char *name = sbx_meta_str(named, "name");
    const char *ns = k->namespaced ? sbx_meta_str(named, "namespace") : NULL;
    json_t *groups = json_array();
    for (int i = 0; i < 3 && s->groups[i]; i++)
        json_array_append_new(groups, json_string(s->groups[i]));
    json_t *rq = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:{s:s, s:o}, s:O, s:O, s:b, s:o}", "uid",
                           uid, "kind", gvk(k->group, version, k->kind), "resource",
                           gvr(k->group, version, k->resource), "requestKind",
                           gvk(k->group, version, k->kind), "requestResource",
                           gvr(k->group, version, k->resource), "operation", operation, "userInfo",
                           "username", s->username, "groups", groups, "object",
                           obj ? (json_t *)obj : json_null(), "oldObject",
                           old ? (json_t *)old : json_null(), "dryRun", c->dry_run, "options",
                           options_for(operation, c));
    if (!rq) {
        sbx_err_set(e, 500, "InternalError", "Internal error occurred: out of memory");
        return -1;
    }
    if (name && *name)
        json_object_set_new(rq, "name", json_string(name));
    if (ns && *ns)
        json_object_set_new(rq, "namespace", json_string(ns));
    if (c->route && *c->route->sub) {
        json_object_set_new(rq, "subResource", json_string(c->route->sub));
        json_object_set_new(rq, "requestSubResource", json_string(c->route->sub));
    }
    vap_outcome out;
    memset(&out, 0, sizeof out);
    char *err = NULL;
    int rc = vap_evaluate(s->policies, rq, NULL, &out, &err);
    json_decref(rq);
    if (rc < 0) {
        sbx_err_set(e, 500, "InternalError", "Internal error occurred: admission: %s",
                    err ? err : "failed");
        free(err);
        return -1;
    }
    for (size_t i = 0; c->warnings && i < out.nwarnings; i++)
        json_array_append_new(c->warnings, json_string(out.warnings[i]));
    if (out.allowed) {
        vap_outcome_clear(&out);
        return 0;
    }
    sbx_err_set(e, out.code ? out.code : 403, out.reason ? out.reason : "Forbidden", "%s",
                out.message ? out.message : "admission denied the request");
    json_t *details = json_object_get(out.status, "details");
    if (details)
        e->details = json_incref(details);
    vap_outcome_clear(&out);
    return -1;
}
