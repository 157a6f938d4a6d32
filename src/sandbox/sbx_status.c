/*
 * sandbox/sbx_status.c: Status errors as the API server words and shapes
 * them (k8s.io/apimachinery pkg/api/errors): the message kubectl prints
 * after "Error from server (<Reason>): ", and details.causes, from which
 * kubectl builds "The <Kind> \"name\" is invalid: <field>: <message>".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

void sbx_err_set(sbx_err *e, int code, const char *reason, const char *fmt, ...)
{
    if (!e)
        return;
    json_decref(e->details);
    e->details = NULL;
    e->code = code;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

void sbx_err_clear(sbx_err *e)
{
    if (!e)
        return;
    json_decref(e->details);
    memset(e, 0, sizeof *e);
}

const char *sbx_qualified(const char *group, const char *resource, char *buf, size_t bufsz)
{
    if (group && *group)
        snprintf(buf, bufsz, "%s.%s", resource, group);
    else
        snprintf(buf, bufsz, "%s", resource);
    return buf;
}

static json_t *details_of(const char *group, const char *kind, const char *name)
{
    json_t *d = json_object();
    if (name && *name)
        json_object_set_new(d, "name", json_string(name));
    if (group && *group)
        json_object_set_new(d, "group", json_string(group));
    if (kind && *kind)
        json_object_set_new(d, "kind", json_string(kind));
    return d;
}

void sbx_err_not_found(sbx_err *e, const char *group, const char *resource, const char *name)
{
    char q[160];
    sbx_err_set(e, 404, "NotFound", "%s \"%s\" not found", sbx_qualified(group, resource, q, sizeof q),
                name);
    e->details = details_of(group, resource, name);
}

void sbx_err_exists(sbx_err *e, const char *group, const char *resource, const char *name)
{
    char q[160];
    sbx_err_set(e, 409, "AlreadyExists", "%s \"%s\" already exists",
                sbx_qualified(group, resource, q, sizeof q), name);
    e->details = details_of(group, resource, name);
}

void sbx_err_conflict(sbx_err *e, const char *group, const char *resource, const char *name)
{
    char q[160];
    sbx_err_set(e, 409, "Conflict",
                "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please "
                "apply your changes to the latest version and try again",
                sbx_qualified(group, resource, q, sizeof q), name);
    e->details = details_of(group, resource, name);
}

/* The field error type word of "path: Type: ..." as a cause reason. */
static const char *cause_reason(const char *msg)
{
    static const struct {
        const char *prefix, *reason;
    } t[] = {{"Invalid value", "FieldValueInvalid"},     {"Required value", "FieldValueRequired"},
             {"Unsupported value", "FieldValueNotSupported"}, {"Duplicate value", "FieldValueDuplicate"},
             {"Forbidden", "FieldValueForbidden"},        {"Too many", "FieldValueTooMany"},
             {"Too long", "FieldValueTooLong"},           {"Not found", "FieldValueNotFound"},
             {"Internal error", "InternalError"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strncmp(msg, t[i].prefix, strlen(t[i].prefix)))
            return t[i].reason;
    return "FieldValueInvalid";
}

/* One "path: rest" field error as a cause {reason, message, field}. */
static json_t *cause_of(const char *ferr, size_t len)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), ferr);
    char *sep = strstr(buf, ": ");
    if (!sep)
        return json_pack("{s:s, s:s}", "reason", "FieldValueInvalid", "message", buf);
    *sep = '\0';
    const char *msg = sep + 2;
    return json_pack("{s:s, s:s, s:s}", "reason", cause_reason(msg), "message", msg, "field", buf);
}

static void set_invalid(sbx_err *e, const char *group, const char *kind, const char *name, int code,
                        const char *reason, const char *message, json_t *causes)
{
    sbx_err_set(e, code, reason, "%s", message);
    e->details = details_of(group, kind, name);
    json_object_set_new(e->details, "causes", causes);
}

void sbx_err_invalid(sbx_err *e, const char *group, const char *kind, const char *name,
                     const char *const *field_errs, size_t n)
{
    char q[160], body[3500];
    size_t used = 0;
    json_t *causes = json_array();
    if (n > 1)
        used += (size_t)snprintf(body, sizeof body, "[");
    for (size_t i = 0; i < n && used < sizeof body; i++) {
        used += (size_t)snprintf(body + used, sizeof body - used, "%s%s", i ? ", " : "", field_errs[i]);
        json_array_append_new(causes, cause_of(field_errs[i], strlen(field_errs[i])));
    }
    if (n > 1 && used < sizeof body)
        snprintf(body + used, sizeof body - used, "]");
    if (!n)
        body[0] = '\0';
    char msg[4000];
    snprintf(msg, sizeof msg, "%s \"%s\" is invalid: %s", sbx_qualified(group, kind, q, sizeof q),
             name ? name : "", body);
    set_invalid(e, group, kind, name, 422, "Invalid", msg, causes);
}

/* Where the next field error of a joined list starts: ", " followed by a
 * field path root. Field texts may hold ", " themselves. */
static const char *next_field(const char *p)
{
    static const char *const roots[] = {"metadata.", "spec.", "status.", "metadata:", "spec:",
                                        "status:", "apiVersion:", "kind:", "<nil>:", "[", NULL};
    for (const char *q = strstr(p, ", "); q; q = strstr(q + 2, ", "))
        for (int i = 0; roots[i]; i++)
            if (!strncmp(q + 2, roots[i], strlen(roots[i])))
                return q;
    return NULL;
}

void sbx_err_from_invalid_text(sbx_err *e, const char *group, const char *kind, const char *name,
                               int code, const char *reason, const char *message)
{
    const char *at = strstr(message, " is invalid: ");
    json_t *causes = json_array();
    if (at) {
        const char *p = at + strlen(" is invalid: ");
        size_t len = strlen(p);
        bool list = len >= 2 && p[0] == '[' && p[len - 1] == ']';
        if (list) {
            p++;
            len -= 2;
        }
        const char *end = p + len;
        while (p < end) {
            const char *q = list ? next_field(p) : NULL;
            if (!q || q > end)
                q = end;
            json_array_append_new(causes, cause_of(p, (size_t)(q - p)));
            p = q < end ? q + 2 : end;
        }
    }
    set_invalid(e, group, kind, name, code, reason, message, causes);
}

json_t *sbx_status_json(const sbx_err *e)
{
    json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s}", "kind", "Status", "apiVersion", "v1",
                           "metadata", "status", "Failure", "message", e->message, "reason", e->reason);
    if (e->details)
        json_object_set(st, "details", e->details);
    json_object_set_new(st, "code", json_integer(e->code));
    return st;
}

json_t *sbx_status_success(const char *group, const char *resource, const char *name,
                           const char *uid)
{
    json_t *d = details_of(group, resource, name);
    if (uid && *uid)
        json_object_set_new(d, "uid", json_string(uid));
    return json_pack("{s:s, s:s, s:{}, s:s, s:o}", "kind", "Status", "apiVersion", "v1", "metadata",
                     "status", "Success", "details", d);
}
