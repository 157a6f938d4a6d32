/*
 * alloc_object.c: decoding and validation of ServiceCIDR and IPAddress
 * objects (networking.k8s.io/v1 and v1beta1) with the API server's field
 * paths and texts, and the error shapes they are reported in.
 */
#include "alloc_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DNS1123_SUBDOMAIN_MSG                                                                   \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' " \
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "     \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"      \
    "[a-z0-9])?)*')"
#define DNS1123_LABEL_MSG                                                                      \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

void alloc_err_set(alloc_err *err, int code, const char *reason, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    snprintf(err->reason, sizeof err->reason, "%s", reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void alloc_ferr_add(alloc_ferrs *fe, const char *fmt, ...)
{
    if (fe->n >= (int)(sizeof fe->text / sizeof fe->text[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fe->text[fe->n++], sizeof fe->text[0], fmt, ap);
    va_end(ap);
}

void alloc_ferr_to_err(const alloc_ferrs *fe, const char *kind, const char *name, alloc_err *err)
{
    char body[900];
    size_t n = 0;
    if (fe->n == 1) {
        snprintf(body, sizeof body, "%s", fe->text[0]);
    } else {
        n += (size_t)snprintf(body, sizeof body, "[");
        for (int i = 0; i < fe->n && n < sizeof body; i++)
            n += (size_t)snprintf(body + n, sizeof body - n, "%s%s", i ? ", " : "", fe->text[i]);
        if (n < sizeof body)
            snprintf(body + n, sizeof body - n, "]");
    }
    alloc_err_set(err, 422, "Invalid", "%s.networking.k8s.io \"%.253s\" is invalid: %s", kind,
                  name ? name : "", body);
}

/* A value as field errors print it: strings quoted, lists as JSON. */
static void value_text(const json_t *v, char *buf, size_t bufsz)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(buf, bufsz, "%s", s ? s : "null");
    free(s);
}

void alloc_time_format(int64_t ms, char buf[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool alloc_check_dns1123_subdomain(const char *s, size_t len, char *why, size_t whysz)
{
    if (len > 253) {
        snprintf(why, whysz, "must be no more than 253 characters");
        return false;
    }
    bool ok = len > 0;
    size_t lab = 0;
    for (size_t i = 0; i < len && ok; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c == '.') {
            ok = lab > 0 && s[i - 1] != '-';
            lab = 0;
        } else if (c == '-') {
            ok = lab > 0;
            lab++;
        } else {
            ok = alnum;
            lab++;
        }
    }
    if (ok)
        ok = lab > 0 && s[len - 1] != '-';
    if (!ok)
        snprintf(why, whysz, "%s", DNS1123_SUBDOMAIN_MSG);
    return ok;
}

static bool check_dns1123_label(const char *s, size_t len, char *why, size_t whysz)
{
    if (len > 63) {
        snprintf(why, whysz, "must be no more than 63 characters");
        return false;
    }
    bool ok = len > 0 && s[0] != '-' && s[len - 1] != '-';
    for (size_t i = 0; i < len && ok; i++) {
        char c = s[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    if (!ok)
        snprintf(why, whysz, "%s", DNS1123_LABEL_MSG);
    return ok;
}

const char *alloc_check_path_segment(const char *s)
{
    if (strcmp(s, ".") == 0)
        return "may not be '.'";
    if (strcmp(s, "..") == 0)
        return "may not be '..'";
    if (strchr(s, '/'))
        return "may not contain '/'";
    if (strchr(s, '%'))
        return "may not contain '%'";
    return NULL;
}

/* apiVersion/kind and metadata.name; returns the name or NULL. */
static const char *check_header(const json_t *obj, const char *kind, alloc_err *err)
{
    if (!json_is_object(obj)) {
        alloc_err_set(err, 400, "BadRequest", "%s: the object must be a JSON object", kind);
        return NULL;
    }
    const json_t *av = json_object_get(obj, "apiVersion"), *k = json_object_get(obj, "kind");
    if (av && !(json_is_string(av) && (strcmp(json_string_value(av), "networking.k8s.io/v1") == 0 ||
                                       strcmp(json_string_value(av), "networking.k8s.io/v1beta1") == 0))) {
        alloc_err_set(err, 400, "BadRequest",
                      "apiVersion: unsupported value, expected \"networking.k8s.io/v1\" or "
                      "\"networking.k8s.io/v1beta1\"");
        return NULL;
    }
    if (k && !(json_is_string(k) && strcmp(json_string_value(k), kind) == 0)) {
        alloc_err_set(err, 400, "BadRequest", "kind: must be \"%s\"", kind);
        return NULL;
    }
    const json_t *md = json_object_get(obj, "metadata");
    if (md && !json_is_object(md)) {
        alloc_err_set(err, 400, "BadRequest", "metadata: must be an object");
        return NULL;
    }
    const json_t *name = md ? json_object_get(md, "name") : NULL;
    if (name && !json_is_string(name)) {
        alloc_err_set(err, 400, "BadRequest", "metadata.name: must be a string");
        return NULL;
    }
    return name ? json_string_value(name) : "";
}

int alloc_object_scidr_decode(const json_t *obj, alloc_scidr_in *in, alloc_err *err)
{
    memset(in, 0, sizeof *in);
    const char *name = check_header(obj, "ServiceCIDR", err);
    if (!name)
        return -1;
    in->name = name;
    alloc_ferrs fe = {.n = 0};
    char why[400], val[300];
    size_t nlen = json_string_length(json_object_get(json_object_get(obj, "metadata"), "name"));
    if (!*name) {
        alloc_ferr_add(&fe, "metadata.name: Required value: name or generateName is required");
    } else if (!alloc_check_dns1123_subdomain(name, nlen, why, sizeof why)) {
        value_text(json_object_get(json_object_get(obj, "metadata"), "name"), val, sizeof val);
        alloc_ferr_add(&fe, "metadata.name: Invalid value: %s: %s", val, why);
    }
    const json_t *spec = json_object_get(obj, "spec");
    const json_t *cidrs = spec ? json_object_get(spec, "cidrs") : NULL;
    if ((spec && !json_is_object(spec)) || (cidrs && !json_is_array(cidrs) && !json_is_null(cidrs))) {
        alloc_err_set(err, 400, "BadRequest", "%s: must be %s", cidrs ? "spec.cidrs" : "spec",
                      cidrs ? "an array of strings" : "an object");
        return -1;
    }
    size_t n = json_is_array(cidrs) ? json_array_size(cidrs) : 0;
    for (size_t i = 0; i < n; i++) {
        if (!json_is_string(json_array_get(cidrs, i))) {
            alloc_err_set(err, 400, "BadRequest", "spec.cidrs[%zu]: must be a string", i);
            return -1;
        }
    }
    if (n == 0) {
        alloc_ferr_add(&fe, "spec.cidrs: Required value: at least one CIDR required");
    } else if (n > 2) {
        value_text(cidrs, val, sizeof val);
        alloc_ferr_add(&fe, "spec.cidrs: Invalid value: %s: may only hold up to 2 values", val);
    } else {
        bool all_ok = true;
        for (size_t i = 0; i < n; i++) {
            const json_t *c = json_array_get(cidrs, i);
            const char *d = alloc_validate_cidr(json_string_value(c), json_string_length(c), why,
                                                sizeof why);
            if (d) {
                value_text(c, val, sizeof val);
                alloc_ferr_add(&fe, "spec.cidrs[%zu]: Invalid value: %s: %s", i, val, d);
                all_ok = false;
                continue;
            }
            alloc_prefix_parse(json_string_value(c), json_string_length(c), &in->cidrs[i]);
        }
        in->ncidrs = (int)n;
        if (all_ok && n == 2 && in->cidrs[0].net.fam == in->cidrs[1].net.fam) {
            value_text(cidrs, val, sizeof val);
            alloc_ferr_add(&fe,
                           "spec.cidrs: Invalid value: %s: may specify no more than one IP for "
                           "each IP family, i.e 192.168.0.0/24 and 2001:db8::/64",
                           val);
        }
    }
    if (fe.n) {
        alloc_ferr_to_err(&fe, "ServiceCIDR", name, err);
        return -1;
    }
    return 0;
}

/* A parentRef string field: NULL when absent, "" when empty. */
static int ref_field(const json_t *ref, const char *key, const char **out, alloc_err *err)
{
    const json_t *v = json_object_get(ref, key);
    *out = "";
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        alloc_err_set(err, 400, "BadRequest", "spec.parentRef.%s: must be a string without NUL",
                      key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int alloc_object_ipaddr_decode(const json_t *obj, alloc_ipaddr_in *in, alloc_err *err)
{
    memset(in, 0, sizeof *in);
    const char *name = check_header(obj, "IPAddress", err);
    if (!name)
        return -1;
    in->name = name;
    alloc_ferrs fe = {.n = 0};
    char why[400], val[300];
    const json_t *md = json_object_get(obj, "metadata");
    const json_t *jn = md ? json_object_get(md, "name") : NULL;
    if (!*name) {
        alloc_ferr_add(&fe, "metadata.name: Required value: name or generateName is required");
    } else {
        const char *d = alloc_validate_ip(name, json_string_length(jn), why, sizeof why);
        if (d) {
            value_text(jn, val, sizeof val);
            alloc_ferr_add(&fe, "metadata.name: Invalid value: %s: %s", val, d);
        } else {
            alloc_ip_parse(name, json_string_length(jn), &in->ip);
        }
    }
    const json_t *labels = md ? json_object_get(md, "labels") : NULL;
    if (labels && !json_is_object(labels) && !json_is_null(labels)) {
        alloc_err_set(err, 400, "BadRequest", "metadata.labels: must be an object");
        return -1;
    }
    const json_t *mb = labels ? json_object_get(labels, ALLOC_LABEL_MANAGED_BY) : NULL;
    in->managed = json_is_string(mb) && strcmp(json_string_value(mb), ALLOC_MANAGER) == 0;

    const json_t *spec = json_object_get(obj, "spec");
    if (spec && !json_is_object(spec)) {
        alloc_err_set(err, 400, "BadRequest", "spec: must be an object");
        return -1;
    }
    const json_t *ref = spec ? json_object_get(spec, "parentRef") : NULL;
    if (ref && !json_is_object(ref) && !json_is_null(ref)) {
        alloc_err_set(err, 400, "BadRequest", "spec.parentRef: must be an object");
        return -1;
    }
    if (!json_is_object(ref)) {
        alloc_ferr_add(&fe, "spec.parentRef: Required value");
    } else {
        if (ref_field(ref, "group", &in->group, err) < 0 ||
            ref_field(ref, "resource", &in->resource, err) < 0 ||
            ref_field(ref, "namespace", &in->ns, err) < 0 ||
            ref_field(ref, "name", &in->pname, err) < 0)
            return -1;
        if (*in->group && !alloc_check_dns1123_subdomain(in->group, strlen(in->group), why, sizeof why))
            alloc_ferr_add(&fe, "spec.parentRef.group: Invalid value: \"%.200s\": %s", in->group, why);
        const char *d;
        if (!*in->resource)
            alloc_ferr_add(&fe, "spec.parentRef.resource: Required value");
        else if ((d = alloc_check_path_segment(in->resource)))
            alloc_ferr_add(&fe, "spec.parentRef.resource: Invalid value: \"%.200s\": %s", in->resource, d);
        if (*in->ns && !check_dns1123_label(in->ns, strlen(in->ns), why, sizeof why))
            alloc_ferr_add(&fe, "spec.parentRef.namespace: Invalid value: \"%.200s\": %s", in->ns, why);
        if (!*in->pname)
            alloc_ferr_add(&fe, "spec.parentRef.name: Required value");
        else if ((d = alloc_check_path_segment(in->pname)))
            alloc_ferr_add(&fe, "spec.parentRef.name: Invalid value: \"%.200s\": %s", in->pname, d);
    }
    if (fe.n) {
        alloc_ferr_to_err(&fe, "IPAddress", name, err);
        return -1;
    }
    return 0;
}
