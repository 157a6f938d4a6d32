/*
 * sandbox/sbx_table.c: the meta.k8s.io/v1 Table that `kubectl get` asks
 * for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), with the
 * columns and cells of the API server's printers
 * (pkg/printers/internalversion) for the kinds served here, and ages in
 * the form of apimachinery's duration.HumanDuration. The server renders
 * every column, wide ones included; kubectl hides priority > 0 ones
 * unless -o wide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

#define DESC_NAME                                                                                 \
    "Name must be unique within a namespace. Is required when creating resources, although some " \
    "resources may allow a client to request the generation of an appropriate name "              \
    "automatically. Name is primarily intended for creation idempotence and configuration "       \
    "definition. Cannot be updated. More info: "                                                   \
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define DESC_AGE                                                                                   \
    "CreationTimestamp is a timestamp representing the server time when this object was "          \
    "created. It is not guaranteed to be set in happens-before order across separate operations. " \
    "Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\n"         \
    "Populated by the system. Read-only. Null for lists. More info: "                              \
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

typedef struct column {
    const char *name, *type, *format, *description;
    int priority;
} column;

static const column ns_cols[] = {{"Name", "string", "name", DESC_NAME, 0},
                                 {"Status", "string", "", "The status of the namespace", 0},
                                 {"Age", "string", "", DESC_AGE, 0}};
static const column svc_cols[] = {
    {"Name", "string", "name", DESC_NAME, 0},
    {"Type", "string", "",
     "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
     "ExternalName, ClusterIP, NodePort, and LoadBalancer.",
     0},
    {"Cluster-IP", "string", "",
     "clusterIP is the IP address of the service and is usually assigned randomly.", 0},
    {"External-IP", "string", "",
     "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
     "traffic for this service.",
     0},
    {"Port(s)", "string", "", "The list of ports that are exposed by this service.", 0},
    {"Age", "string", "", DESC_AGE, 0},
    {"Selector", "string", "",
     "Route service traffic to pods with label keys and values matching this selector.", 1}};
static const column scidr_cols[] = {
    {"Name", "string", "name", DESC_NAME, 0},
    {"CIDRs", "string", "",
     "CIDRs defines the IP blocks in CIDR notation (e.g. \"192.168.0.0/24\" or \"2001:db8::/64\") "
     "from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP "
     "family. This field is immutable.",
     0},
    {"Age", "string", "", DESC_AGE, 0}};
static const column ip_cols[] = {
    {"Name", "string", "name", DESC_NAME, 0},
    {"ParentRef", "string", "", "ParentRef references the resource that an IPAddress is attached to. "
     "An IPAddress must reference a parent object.", 0}};
static const column vap_cols[] = {
    {"Name", "string", "name", DESC_NAME, 0},
    {"Validations", "integer", "",
     "Validations indicates the number of validation rules defined in this configuration", 0},
    {"ParamKind", "string", "",
     "ParamKind specifies the kind of resources used to parameterize this policy", 0},
    {"Age", "string", "", DESC_AGE, 0}};
static const column vapb_cols[] = {
    {"Name", "string", "name", DESC_NAME, 0},
    {"PolicyName", "string", "",
     "PolicyName indicates the policy definition which the policy binding binded to", 0},
    {"ParamRef", "string", "",
     "ParamRef indicates the param resource which sets the configration param", 0},
    {"Age", "string", "", DESC_AGE, 0}};

void sbx_human_duration(int64_t ms, char *buf, size_t bufsz)
{
    long long secs = ms / 1000;
    if (secs < -1) {
        snprintf(buf, bufsz, "<invalid>");
        return;
    }
    if (secs < 0) {
        snprintf(buf, bufsz, "0s");
        return;
    }
    if (secs < 120) {
        snprintf(buf, bufsz, "%llds", secs);
        return;
    }
    long long mins = secs / 60;
    if (mins < 10) {
        long long s = secs % 60;
        if (s)
            snprintf(buf, bufsz, "%lldm%llds", mins, s);
        else
            snprintf(buf, bufsz, "%lldm", mins);
        return;
    }
    if (mins < 180) {
        snprintf(buf, bufsz, "%lldm", mins);
        return;
    }
    long long hours = secs / 3600;
    if (hours < 8) {
        long long m = mins % 60;
        if (m)
            snprintf(buf, bufsz, "%lldh%lldm", hours, m);
        else
            snprintf(buf, bufsz, "%lldh", hours);
        return;
    }
    if (hours < 48) {
        snprintf(buf, bufsz, "%lldh", hours);
        return;
    }
    if (hours < 24 * 8) {
        long long h = hours % 24;
        if (h)
            snprintf(buf, bufsz, "%lldd%lldh", hours / 24, h);
        else
            snprintf(buf, bufsz, "%lldd", hours / 24);
        return;
    }
    if (hours < 24 * 365 * 2) {
        snprintf(buf, bufsz, "%lldd", hours / 24);
        return;
    }
    if (hours < 24 * 365 * 8) {
        long long dy = (hours / 24) % 365;
        if (dy)
            snprintf(buf, bufsz, "%lldy%lldd", hours / 24 / 365, dy);
        else
            snprintf(buf, bufsz, "%lldy", hours / 24 / 365);
        return;
    }
    snprintf(buf, bufsz, "%lldy", hours / 24 / 365);
}

static json_t *age_cell(const json_t *obj, int64_t now)
{
    int64_t t = sbx_time_parse(sbx_meta_str(obj, "creationTimestamp"));
    char buf[32];
    if (t < 0)
        return json_string("<unknown>");
    sbx_human_duration(now - t, buf, sizeof buf);
    return json_string(buf);
}

static const char *str_at(const json_t *o, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(o, a), b));
}

/* "a,b" of an array of strings, or dflt when empty. */
static json_t *join(const json_t *arr, const char *dflt)
{
    char buf[2048];
    size_t n = 0, i;
    const json_t *v;
    buf[0] = '\0';
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        if (s && n < sizeof buf)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", s);
    }
    return json_string(n ? buf : dflt);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* labels.FormatLabels: "k=v,..." sorted by key, "<none>" when empty. */
static json_t *format_labels(const json_t *m)
{
    size_t n = json_object_size(m), k = 0;
    if (!n)
        return json_string("<none>");
    const char **keys = malloc(n * sizeof *keys);
    if (!keys)
        return json_string("<none>");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)m, key, v) keys[k++] = key;
    qsort(keys, k, sizeof *keys, cmp_str);
    char buf[2048];
    size_t used = 0;
    for (size_t i = 0; i < k && used < sizeof buf; i++) {
        const char *val = json_string_value(json_object_get(m, keys[i]));
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%s", i ? "," : "", keys[i],
                                 val ? val : "");
    }
    free(keys);
    return json_string(buf);
}

static json_t *service_ports(const json_t *spec)
{
    char buf[2048];
    size_t n = 0, i;
    const json_t *p;
    buf[0] = '\0';
    json_array_foreach(json_object_get(spec, "ports"), i, p) {
        const char *proto = json_string_value(json_object_get(p, "protocol"));
        long long port = json_integer_value(json_object_get(p, "port"));
        long long np = json_integer_value(json_object_get(p, "nodePort"));
        if (n >= sizeof buf)
            break;
        if (np > 0)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%lld:%lld/%s", n ? "," : "", port, np,
                                  proto ? proto : "");
        else
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%lld/%s", n ? "," : "", port,
                                  proto ? proto : "");
    }
    return json_string(n ? buf : "<none>");
}

static json_t *service_external(const json_t *obj)
{
    const json_t *spec = json_object_get(obj, "spec");
    const char *type = json_string_value(json_object_get(spec, "type"));
    const json_t *ext = json_object_get(spec, "externalIPs");
    if (!type || !strcmp(type, "ClusterIP") || !strcmp(type, "NodePort"))
        return join(ext, "<none>");
    if (!strcmp(type, "ExternalName")) {
        const char *n = json_string_value(json_object_get(spec, "externalName"));
        return json_string(n ? n : "");
    }
    if (!strcmp(type, "LoadBalancer")) {
        json_t *ips = json_array();
        size_t i;
        const json_t *ing;
        json_array_foreach(json_object_get(json_object_get(json_object_get(obj, "status"),
                                                           "loadBalancer"), "ingress"), i, ing) {
            const char *ip = json_string_value(json_object_get(ing, "ip"));
            const char *host = json_string_value(json_object_get(ing, "hostname"));
            if (ip || host)
                json_array_append_new(ips, json_string(ip ? ip : host));
        }
        json_array_extend(ips, (json_t *)ext);
        json_t *r = join(ips, "<pending>");
        json_decref(ips);
        return r;
    }
    return json_string("<unknown>");
}

static json_t *cells_of(const sbx_kind *k, const json_t *o, int64_t now)
{
    const char *name = sbx_meta_str(o, "name");
    json_t *c = json_pack("[s]", name ? name : "");
    const json_t *spec = json_object_get(o, "spec");
    if (!strcmp(k->kind, "Namespace")) {
        const char *phase = str_at(o, "status", "phase");
        json_array_append_new(c, json_string(phase ? phase : ""));
    } else if (!strcmp(k->kind, "Service")) {
        const char *type = json_string_value(json_object_get(spec, "type"));
        const char *ip = json_string_value(json_array_get(json_object_get(spec, "clusterIPs"), 0));
        json_array_append_new(c, json_string(type ? type : ""));
        json_array_append_new(c, json_string(ip ? ip : "<none>"));
        json_array_append_new(c, service_external(o));
        json_array_append_new(c, service_ports(spec));
        json_array_append_new(c, age_cell(o, now));
        json_array_append_new(c, format_labels(json_object_get(spec, "selector")));
        return c;
    } else if (!strcmp(k->kind, "ServiceCIDR")) {
        json_array_append_new(c, join(json_object_get(spec, "cidrs"), ""));
    } else if (!strcmp(k->kind, "IPAddress")) {
        const json_t *pr = json_object_get(spec, "parentRef");
        char buf[800] = "<none>";
        if (json_is_object(pr)) {
            const char *g = json_string_value(json_object_get(pr, "group"));
            const char *r = json_string_value(json_object_get(pr, "resource"));
            const char *ns = json_string_value(json_object_get(pr, "namespace"));
            const char *n = json_string_value(json_object_get(pr, "name"));
            size_t u = (size_t)snprintf(buf, sizeof buf, "%s%s%s", r ? r : "", g && *g ? "." : "",
                                        g && *g ? g : "");
            for (char *p = buf; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            if (ns && *ns)
                u += (size_t)snprintf(buf + u, sizeof buf - u, "/%s", ns);
            if (u < sizeof buf)
                snprintf(buf + u, sizeof buf - u, "/%s", n ? n : "");
        }
        json_array_append_new(c, json_string(buf));
    } else if (!strcmp(k->kind, "ValidatingAdmissionPolicy")) {
        const json_t *pk = json_object_get(spec, "paramKind");
        char buf[300] = "<unset>";
        if (json_is_object(pk)) {
            const char *av = json_string_value(json_object_get(pk, "apiVersion"));
            const char *kd = json_string_value(json_object_get(pk, "kind"));
            snprintf(buf, sizeof buf, "%s/%s", av ? av : "", kd ? kd : "");
        }
        json_array_append_new(c, json_integer((json_int_t)json_array_size(json_object_get(spec, "validations"))));
        json_array_append_new(c, json_string(buf));
    } else if (!strcmp(k->kind, "ValidatingAdmissionPolicyBinding")) {
        const char *policy = json_string_value(json_object_get(spec, "policyName"));
        const json_t *pr = json_object_get(spec, "paramRef");
        char buf[600] = "<unset>";
        if (json_is_object(pr)) {
            const char *n = json_string_value(json_object_get(pr, "name"));
            const char *ns = json_string_value(json_object_get(pr, "namespace"));
            const json_t *sel = json_object_get(pr, "selector");
            if (n && *n)
                snprintf(buf, sizeof buf, "%s/%s", ns && *ns ? ns : "*", n);
            else if (json_is_object(sel)) {
                json_t *l = format_labels(json_object_get(sel, "matchLabels"));
                const char *ls = json_string_value(l);
                snprintf(buf, sizeof buf, "%s", strcmp(ls, "<none>") ? ls : "");
                json_decref(l);
            }
        }
        json_array_append_new(c, json_string(policy ? policy : ""));
        json_array_append_new(c, json_string(buf));
    }
    json_array_append_new(c, age_cell(o, now));
    return c;
}

static void columns_of(const sbx_kind *k, const column **cols, size_t *n)
{
#define PICK(arr)                                     \
    do {                                              \
        *cols = arr;                                  \
        *n = sizeof arr / sizeof arr[0];              \
    } while (0)
    if (!strcmp(k->kind, "Namespace"))
        PICK(ns_cols);
    else if (!strcmp(k->kind, "Service"))
        PICK(svc_cols);
    else if (!strcmp(k->kind, "ServiceCIDR"))
        PICK(scidr_cols);
    else if (!strcmp(k->kind, "IPAddress"))
        PICK(ip_cols);
    else if (!strcmp(k->kind, "ValidatingAdmissionPolicy"))
        PICK(vap_cols);
    else
        PICK(vapb_cols);
#undef PICK
}

json_t *sbx_table(const sbx_kind *k, json_t *items, const char *list_rv, int64_t now_ms,
                  bool include_object)
{
    const column *cols;
    size_t ncols;
    columns_of(k, &cols, &ncols);
    json_t *defs = json_array();
    for (size_t i = 0; i < ncols; i++)
        json_array_append_new(defs, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", cols[i].name, "type",
                                              cols[i].type, "format", cols[i].format, "description",
                                              cols[i].description, "priority", cols[i].priority));
    json_t *rows = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) {
        json_t *row = json_pack("{s:o}", "cells", cells_of(k, o, now_ms));
        if (include_object) {
            json_object_set(row, "object", o);
        } else {
            json_t *md = json_deep_copy(json_object_get(o, "metadata"));
            json_object_set_new(row, "object",
                                json_pack("{s:s, s:s, s:o}", "kind", "PartialObjectMetadata",
                                          "apiVersion", "meta.k8s.io/v1", "metadata",
                                          md ? md : json_object()));
        }
        json_array_append_new(rows, row);
    }
    return json_pack("{s:s, s:s, s:{s:s}, s:o, s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1",
                     "metadata", "resourceVersion", list_rv ? list_rv : "", "columnDefinitions", defs,
                     "rows", rows);
}
