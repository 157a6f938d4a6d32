/*
 * review.c: the AdmissionReview wire format (admission.k8s.io/v1 and
 * v1beta1): decoding a request with errors that name the JSON path, the
 * `request` document CEL expressions see, and the response the webhook
 * sends back.
 */
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

#define REVIEW_MAX_BYTES (64u << 20)

static const char *opt_str(const json_t *o, const char *k, const char *path, char **err)
{
    const json_t *v = json_object_get(o, k);
    if (!v || json_is_null(v))
        return "";
    if (!json_is_string(v)) {
        *err = vap_asprintf("%s.%s: must be a string", path, k);
        return NULL;
    }
    return json_string_value(v);
}

static int decode_gv(const json_t *req, const char *key, const char *third, vap_gvr *g, bool required,
                     char **err)
{
    const json_t *o = json_object_get(req, key);
    if (!o || json_is_null(o)) {
        if (required) {
            *err = vap_asprintf("request.%s: Required value", key);
            return -1;
        }
        return 1;
    }
    if (!json_is_object(o)) {
        *err = vap_asprintf("request.%s: must be an object", key);
        return -1;
    }
    char path[64];
    snprintf(path, sizeof path, "request.%s", key);
    const char *grp = opt_str(o, "group", path, err);
    const char *ver = grp ? opt_str(o, "version", path, err) : NULL;
    const char *th = ver ? opt_str(o, third, path, err) : NULL;
    if (!th)
        return -1;
    if (!*ver || !*th) {
        *err = vap_asprintf("request.%s.%s: Required value", key, !*ver ? "version" : third);
        return -1;
    }
    g->group = grp;
    g->version = ver;
    if (!strcmp(third, "kind"))
        g->kind = th;
    else
        g->resource = th;
    return 0;
}

static int decode_object(const json_t *req, const char *key, const json_t **out, char **err)
{
    const json_t *v = json_object_get(req, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v)) {
        *err = vap_asprintf("request.%s: must be an object or null", key);
        return -1;
    }
    *out = v;
    return 0;
}

int vap_request_decode(const json_t *req, vap_request *rq, char **err)
{
    memset(rq, 0, sizeof *rq);
    *err = NULL;
    if (!json_is_object(req)) {
        *err = vap_strdup("request: must be an object");
        return -1;
    }
    rq->raw = req;
    const json_t *uid = json_object_get(req, "uid");
    if (!json_is_string(uid) || json_string_length(uid) == 0) {
        *err = vap_strdup(uid ? "request.uid: must be a non-empty string" : "request.uid: Required value");
        return -1;
    }
    rq->uid = json_string_value(uid);
    if (decode_gv(req, "kind", "kind", &rq->gvr, true, err) < 0 ||
        decode_gv(req, "resource", "resource", &rq->gvr, true, err) < 0)
        return -1;
    int rk = decode_gv(req, "requestKind", "kind", &rq->req_gvr, false, err);
    if (rk < 0)
        return -1;
    int rr = decode_gv(req, "requestResource", "resource", &rq->req_gvr, false, err);
    if (rr < 0)
        return -1;
    if (rk || rr) /* absent: the request was not converted */
        rq->req_gvr = rq->gvr;
    if (!(rq->subresource = opt_str(req, "subResource", "request", err)) ||
        !(rq->name = opt_str(req, "name", "request", err)) ||
        !(rq->namespace_ = opt_str(req, "namespace", "request", err)))
        return -1;
    const json_t *rsub = json_object_get(req, "requestSubResource");
    rq->req_subresource = json_is_string(rsub) ? json_string_value(rsub) : rq->subresource;
    const char *op = opt_str(req, "operation", "request", err);
    if (!op)
        return -1;
    if (strcmp(op, "CREATE") && strcmp(op, "UPDATE") && strcmp(op, "DELETE") && strcmp(op, "CONNECT")) {
        *err = *op ? vap_asprintf("request.operation: Unsupported value: \"%s\": supported values: "
                                  "\"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"", op)
                   : vap_strdup("request.operation: Required value");
        return -1;
    }
    rq->operation = op;
    if (decode_object(req, "object", &rq->object, err) < 0 ||
        decode_object(req, "oldObject", &rq->old_object, err) < 0 ||
        decode_object(req, "options", &rq->options, err) < 0 ||
        decode_object(req, "userInfo", &rq->user_info, err) < 0)
        return -1;
    const json_t *dry = json_object_get(req, "dryRun");
    if (dry && !json_is_null(dry) && !json_is_boolean(dry)) {
        *err = vap_strdup("request.dryRun: must be a boolean");
        return -1;
    }
    rq->dry_run = json_is_true(dry);
    if (rq->user_info) {
        const json_t *u = json_object_get(rq->user_info, "username");
        const json_t *g = json_object_get(rq->user_info, "groups");
        if (u && !json_is_null(u) && !json_is_string(u)) {
            *err = vap_strdup("request.userInfo.username: must be a string");
            return -1;
        }
        if (g && !json_is_null(g)) {
            size_t i;
            const json_t *x;
            if (!json_is_array(g)) {
                *err = vap_strdup("request.userInfo.groups: must be a list of strings");
                return -1;
            }
            json_array_foreach(g, i, x)
                if (!json_is_string(x)) {
                    *err = vap_asprintf("request.userInfo.groups[%zu]: must be a string", i);
                    return -1;
                }
        }
    }
    return 0;
}

static json_t *gvk_json(const vap_gvr *g, bool kind)
{
    return json_pack("{s:s, s:s, s:s}", "group", g->group, "version", g->version,
                     kind ? "kind" : "resource", kind ? g->kind : g->resource);
}

/* The `request` variable: the AdmissionRequest fields policies may read,
 * with kind/resource as matched and requestKind/requestResource as sent. */
json_t *vap_request_document(const vap_request *rq, const vap_gvr *as)
{
    json_t *d = json_object();
    if (!d)
        return NULL;
    json_object_set_new(d, "kind", gvk_json(as, true));
    json_object_set_new(d, "resource", gvk_json(as, false));
    json_object_set_new(d, "subResource", json_string(rq->subresource));
    json_object_set_new(d, "requestKind", gvk_json(&rq->req_gvr, true));
    json_object_set_new(d, "requestResource", gvk_json(&rq->req_gvr, false));
    json_object_set_new(d, "requestSubResource", json_string(rq->req_subresource));
    json_object_set_new(d, "name", json_string(rq->name));
    json_object_set_new(d, "namespace", json_string(rq->namespace_));
    json_object_set_new(d, "operation", json_string(rq->operation));
    json_t *ui = rq->user_info ? json_deep_copy(rq->user_info) : json_object();
    if (ui && !json_object_get(ui, "username"))
        json_object_set_new(ui, "username", json_string(""));
    if (ui && !json_is_array(json_object_get(ui, "groups")))
        json_object_set_new(ui, "groups", json_array());
    json_object_set_new(d, "userInfo", ui);
    json_object_set_new(d, "dryRun", json_boolean(rq->dry_run));
    json_object_set_new(d, "options", rq->options ? json_deep_copy(rq->options) : json_null());
    return d;
}

/* Audit annotation keys a webhook may return carry no '/': the API server
 * prefixes them with "<webhook name>/". */
static char *webhook_key(const char *key)
{
    static const char failure_key[] = "validation.policy.admission.k8s.io/validation_failure";
    if (!strcmp(key, failure_key))
        return vap_strdup("validation_failure");
    char *k = vap_strdup(key);
    for (char *p = k; p && *p; p++)
        if (*p == '/')
            *p = '_';
    return k;
}

json_t *vap_handle_review(const vap_set *s, const char *body, size_t len, const vap_authorizer *authz,
                          vap_outcome *outcome, char **err)
{
    *err = NULL;
    if (len > REVIEW_MAX_BYTES) {
        *err = vap_asprintf("AdmissionReview: body of %zu bytes exceeds the %u byte limit", len,
                            REVIEW_MAX_BYTES);
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        *err = vap_asprintf("AdmissionReview: invalid JSON at line %d column %d: %s", je.line, je.column,
                            je.text);
        return NULL;
    }
    json_t *resp = NULL;
    const char *av = json_string_value(json_object_get(root, "apiVersion"));
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (!json_is_object(root)) {
        *err = vap_strdup("AdmissionReview: must be a JSON object");
    } else if (!av || (strcmp(av, "admission.k8s.io/v1") && strcmp(av, "admission.k8s.io/v1beta1"))) {
        *err = av ? vap_asprintf("apiVersion: Unsupported value: \"%s\": supported values: "
                                 "\"admission.k8s.io/v1\", \"admission.k8s.io/v1beta1\"", av)
                  : vap_strdup("apiVersion: Required value");
    } else if (!kind || strcmp(kind, "AdmissionReview")) {
        *err = kind ? vap_asprintf("kind: Unsupported value: \"%s\": supported values: \"AdmissionReview\"", kind)
                    : vap_strdup("kind: Required value");
    } else if (!json_is_object(json_object_get(root, "request"))) {
        *err = vap_strdup(json_object_get(root, "request") ? "request: must be an object" : "request: Required value");
    } else {
        vap_outcome o;
        if (vap_evaluate(s, json_object_get(root, "request"), authz, &o, err) == 0) {
            json_t *r = json_pack("{s:O, s:b}", "uid", json_object_get(json_object_get(root, "request"), "uid"),
                                  "allowed", o.allowed);
            if (r && !o.allowed && o.status)
                json_object_set(r, "status", o.status);
            if (r && o.nwarnings) {
                json_t *w = json_array();
                for (size_t i = 0; i < o.nwarnings; i++)
                    json_array_append_new(w, json_string(o.warnings[i]));
                json_object_set_new(r, "warnings", w);
            }
            if (r && json_object_size(o.audit_annotations)) {
                json_t *a = json_object();
                const char *k;
                json_t *v;
                json_object_foreach(o.audit_annotations, k, v) {
                    char *wk = webhook_key(k);
                    if (wk)
                        json_object_set(a, wk, v);
                    free(wk);
                }
                json_object_set_new(r, "auditAnnotations", a);
            }
            resp = r ? json_pack("{s:s, s:s, s:o}", "apiVersion", av, "kind", "AdmissionReview", "response", r)
                     : NULL;
            if (!resp)
                *err = vap_strdup("out of memory");
            if (outcome)
                *outcome = o;
            else
                vap_outcome_clear(&o);
        }
    }
    json_decref(root);
    return resp;
}
