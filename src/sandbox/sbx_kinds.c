/*
 * sandbox/sbx_kinds.c: the resources the sandbox serves and the discovery
 * documents that announce them: /version, the legacy /api, /apis and
 * group-version lists, and the aggregated discovery document
 * (apidiscovery.k8s.io/v2) kubectl 1.30+ asks for first.
 */
#include <stdio.h>
#include <string.h>

#include "sbx.h"

const sbx_kind sbx_kinds[] = {
    {"", {"v1"}, "namespaces", "namespace", "Namespace", false, {"ns"}, {NULL}, true, SBX_BE_STORE},
    {"", {"v1"}, "services", "service", "Service", true, {"svc"}, {"all"}, true, SBX_BE_SERVICE},
    {"networking.k8s.io", {"v1", "v1beta1"}, "servicecidrs", "servicecidr", "ServiceCIDR", false, {NULL},
     {NULL}, true, SBX_BE_SCIDR},
    {"networking.k8s.io", {"v1", "v1beta1"}, "ipaddresses", "ipaddress", "IPAddress", false, {"ip"},
     {NULL}, false, SBX_BE_IPADDR},
    {"admissionregistration.k8s.io", {"v1"}, "validatingadmissionpolicies",
     "validatingadmissionpolicy", "ValidatingAdmissionPolicy", false, {NULL}, {"api-extensions"}, true,
     SBX_BE_STORE},
    {"admissionregistration.k8s.io", {"v1"}, "validatingadmissionpolicybindings",
     "validatingadmissionpolicybinding", "ValidatingAdmissionPolicyBinding", false, {NULL},
     {"api-extensions"}, false, SBX_BE_STORE},
};
const size_t sbx_nkinds = sizeof sbx_kinds / sizeof sbx_kinds[0];

/* The named groups, in the order the API server lists them. */
static const char *const groups[] = {"admissionregistration.k8s.io", "networking.k8s.io"};
#define NGROUPS (sizeof groups / sizeof groups[0])

/* What every resource answers to. deletecollection is not served. */
static const char *const verbs_all[] = {"create", "delete", "get", "list", "patch", "update", "watch"};
static const char *const verbs_status[] = {"get", "patch", "update"};

bool sbx_kind_serves(const sbx_kind *k, const char *version)
{
    for (int i = 0; i < 3 && k->versions[i]; i++)
        if (!strcmp(k->versions[i], version))
            return true;
    return false;
}

const sbx_kind *sbx_kind_find(const char *group, const char *version, const char *resource)
{
    for (size_t i = 0; i < sbx_nkinds; i++)
        if (!strcmp(sbx_kinds[i].group, group) && !strcmp(sbx_kinds[i].resource, resource) &&
            sbx_kind_serves(&sbx_kinds[i], version))
            return &sbx_kinds[i];
    return NULL;
}

const char *sbx_api_version(const char *group, const char *version, char *buf, size_t bufsz)
{
    if (*group)
        snprintf(buf, bufsz, "%s/%s", group, version);
    else
        snprintf(buf, bufsz, "%s", version);
    return buf;
}

static json_t *strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static bool group_has_version(const char *group, const char *version)
{
    for (size_t i = 0; i < sbx_nkinds; i++)
        if (!strcmp(sbx_kinds[i].group, group) && sbx_kind_serves(&sbx_kinds[i], version))
            return true;
    return false;
}

/* The served versions of a group, preferred first. */
static size_t group_versions(const char *group, const char *out[4])
{
    size_t n = 0;
    for (size_t i = 0; i < sbx_nkinds; i++) {
        if (strcmp(sbx_kinds[i].group, group))
            continue;
        for (int v = 0; v < 3 && sbx_kinds[i].versions[v]; v++) {
            size_t j;
            for (j = 0; j < n; j++)
                if (!strcmp(out[j], sbx_kinds[i].versions[v]))
                    break;
            if (j == n && n < 4)
                out[n++] = sbx_kinds[i].versions[v];
        }
    }
    return n;
}

json_t *sbx_version_json(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major", "1", "minor",
                     "33", "emulationMajor", "1", "emulationMinor", "33", "minCompatibilityMajor", "1",
                     "minCompatibilityMinor", "32", "gitVersion", SBX_K8S_VERSION, "gitTreeState",
                     "clean", "goVersion", "celgate", "compiler", "gc", "platform", "linux/amd64");
}

json_t *sbx_discovery_versions(const char *server_addr)
{
    return json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", "v1",
                     "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
                     server_addr);
}

static json_t *group_json(const char *group)
{
    const char *vs[4];
    size_t n = group_versions(group, vs);
    if (!n)
        return NULL;
    json_t *versions = json_array();
    char gv[128];
    for (size_t i = 0; i < n; i++)
        json_array_append_new(versions, json_pack("{s:s, s:s}", "groupVersion",
                                                  sbx_api_version(group, vs[i], gv, sizeof gv),
                                                  "version", vs[i]));
    sbx_api_version(group, vs[0], gv, sizeof gv);
    return json_pack("{s:s, s:o, s:{s:s, s:s}}", "name", group, "versions", versions,
                     "preferredVersion", "groupVersion", gv, "version", vs[0]);
}

json_t *sbx_discovery_groups(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < NGROUPS; i++)
        json_array_append_new(a, group_json(groups[i]));
    return json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups", a);
}

json_t *sbx_discovery_group(const char *group)
{
    json_t *g = group_json(group);
    if (!g)
        return NULL;
    json_object_set_new(g, "kind", json_string("APIGroup"));
    json_object_set_new(g, "apiVersion", json_string("v1"));
    return g;
}

json_t *sbx_discovery_resources(const char *group, const char *version)
{
    if (!group_has_version(group, version))
        return NULL;
    json_t *res = json_array();
    for (size_t i = 0; i < sbx_nkinds; i++) {
        const sbx_kind *k = &sbx_kinds[i];
        if (strcmp(k->group, group) || !sbx_kind_serves(k, version))
            continue;
        json_t *r = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", k->resource, "singularName",
                              k->singular, "namespaced", k->namespaced, "kind", k->kind, "verbs",
                              strings(verbs_all, sizeof verbs_all / sizeof verbs_all[0]));
        if (k->short_names[0])
            json_object_set_new(r, "shortNames", strings(k->short_names, 3));
        if (k->categories[0])
            json_object_set_new(r, "categories", strings(k->categories, 2));
        json_array_append_new(res, r);
        if (k->has_status) {
            char n[96];
            snprintf(n, sizeof n, "%s/status", k->resource);
            json_array_append_new(res, json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", n, "singularName",
                                                 "", "namespaced", k->namespaced, "kind", k->kind,
                                                 "verbs", strings(verbs_status, 3)));
        }
    }
    char gv[128];
    return json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                     "groupVersion", sbx_api_version(group, version, gv, sizeof gv), "resources", res);
}

static json_t *agg_resource(const sbx_kind *k, const char *version)
{
    json_t *rk = json_pack("{s:s, s:s, s:s}", "group", k->group, "version", version, "kind", k->kind);
    json_t *r = json_pack("{s:s, s:o, s:s, s:s, s:o}", "resource", k->resource, "responseKind", rk,
                          "scope", k->namespaced ? "Namespaced" : "Cluster", "singularResource",
                          k->singular, "verbs",
                          strings(verbs_all, sizeof verbs_all / sizeof verbs_all[0]));
    if (k->short_names[0])
        json_object_set_new(r, "shortNames", strings(k->short_names, 3));
    if (k->categories[0])
        json_object_set_new(r, "categories", strings(k->categories, 2));
    if (k->has_status)
        json_object_set_new(r, "subresources",
                            json_pack("[{s:s, s:{s:s, s:s, s:s}, s:o}]", "subresource", "status",
                                      "responseKind", "group", k->group, "version", version, "kind",
                                      k->kind, "verbs", strings(verbs_status, 3)));
    return r;
}

static json_t *agg_group(const char *group)
{
    const char *vs[4];
    size_t n = group_versions(group, vs);
    json_t *versions = json_array();
    for (size_t v = 0; v < n; v++) {
        json_t *res = json_array();
        for (size_t i = 0; i < sbx_nkinds; i++)
            if (!strcmp(sbx_kinds[i].group, group) && sbx_kind_serves(&sbx_kinds[i], vs[v]))
                json_array_append_new(res, agg_resource(&sbx_kinds[i], vs[v]));
        json_array_append_new(versions, json_pack("{s:s, s:o, s:s}", "version", vs[v], "resources",
                                                  res, "freshness", "Current"));
    }
    json_t *md = json_pack("{s:n}", "creationTimestamp");
    if (*group)
        json_object_set_new(md, "name", json_string(group));
    return json_pack("{s:o, s:o}", "metadata", md, "versions", versions);
}

json_t *sbx_discovery_aggregated(bool core, const char *api_version)
{
    json_t *items = json_array();
    if (core)
        json_array_append_new(items, agg_group(""));
    else
        for (size_t i = 0; i < NGROUPS; i++)
            json_array_append_new(items, agg_group(groups[i]));
    return json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
                     api_version, "metadata", "items", items);
}
