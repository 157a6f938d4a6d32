/*
 * result.c: what the client sees when a policy denies: the Status object
 * the API server builds (a Forbidden-shaped error whose code and reason
 * come from the decision's reason), and releasing an outcome.
 */
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

int vap_reason_code(const char *reason)
{
    if (!reason || !strcmp(reason, "Invalid"))
        return 422;
    if (!strcmp(reason, "Forbidden"))
        return 403;
    if (!strcmp(reason, "Unauthorized"))
        return 401;
    if (!strcmp(reason, "RequestEntityTooLarge"))
        return 413;
    return 422;
}

/* The name the error reports (admission/errors.go extractResourceName):
 * the request's, else the new object's name or generateName, else
 * "Unknown" (so a DELETE without a name says "Unknown"). */
static const char *subject_name(const vap_request *rq)
{
    if (rq->name && *rq->name)
        return rq->name;
    const json_t *meta = json_object_get(rq->object, "metadata");
    const char *n = json_string_value(json_object_get(meta, "name"));
    if (n && *n)
        return n;
    n = json_string_value(json_object_get(meta, "generateName"));
    if (n && *n)
        return n;
    return "Unknown";
}

json_t *vap_status_new(const vap_request *rq, const char *reason, const char *core)
{
    if (!reason || !*reason)
        reason = "Invalid";
    const char *name = subject_name(rq);
    /* the resource the client asked for (requestResource), as the API server
     * words its own error */
    const char *group = rq->req_gvr.group, *resource = rq->req_gvr.resource;
    char *wrapped = *group ? vap_asprintf("%s.%s \"%s\" is forbidden: %s", resource, group, name, core)
                           : vap_asprintf("%s \"%s\" is forbidden: %s", resource, name, core);
    if (!wrapped)
        return NULL;
    json_t *details = json_pack("{s:s}", "name", name);
    if (details && *group)
        json_object_set_new(details, "group", json_string(group));
    if (details) {
        json_object_set_new(details, "kind", json_string(resource));
        json_object_set_new(details, "causes", json_pack("[{s:s}]", "message", core));
    }
    json_t *st = details ? json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:o, s:i}", "kind", "Status",
                                     "apiVersion", "v1", "metadata", "status", "Failure", "message",
                                     wrapped, "reason", reason, "details", details, "code",
                                     vap_reason_code(reason))
                         : NULL;
    free(wrapped);
    return st;
}

void vap_outcome_clear(vap_outcome *o)
{
    if (!o)
        return;
    free(o->reason);
    free(o->message);
    json_decref(o->status);
    for (size_t i = 0; i < o->nwarnings; i++)
        free(o->warnings[i]);
    free(o->warnings);
    json_decref(o->audit_annotations);
    for (size_t i = 0; i < o->ndecisions; i++) {
        free((char *)o->decisions[i].policy);
        free((char *)o->decisions[i].binding);
        free((char *)o->decisions[i].message);
    }
    free(o->decisions);
    memset(o, 0, sizeof *o);
}
