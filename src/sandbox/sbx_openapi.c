/*
 * sandbox/sbx_openapi.c: OpenAPI v3 documents, as far as kubectl reads
 * them: the root listing each group-version's document, and per
 * group-version the resource paths with their operations. kubectl decides
 * from the PATCH operation of a kind whether the server validates fields
 * itself (a `fieldValidation` query parameter, tagged with the kind's
 * x-kubernetes-group-version-kind); it then sends fieldValidation=Strict
 * instead of validating on its side. Schemas are objects without
 * properties: enough for kubectl, not for `kubectl explain`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

/* The group-version documents served, as the root names them. */
static bool gv_of_path(const char *gv_path, const char **group, const char **version)
{
    static char g[64], v[16];
    if (!strcmp(gv_path, "api/v1")) {
        *group = "";
        *version = "v1";
        return true;
    }
    if (strncmp(gv_path, "apis/", 5))
        return false;
    const char *p = gv_path + 5, *slash = strchr(p, '/');
    if (!slash || (size_t)(slash - p) >= sizeof g || strlen(slash + 1) >= sizeof v ||
        strchr(slash + 1, '/'))
        return false;
    memcpy(g, p, (size_t)(slash - p));
    g[slash - p] = '\0';
    strcpy(v, slash + 1);
    *group = g;
    *version = v;
    for (size_t i = 0; i < sbx_nkinds; i++)
        if (!strcmp(sbx_kinds[i].group, g) && sbx_kind_serves(&sbx_kinds[i], v))
            return true;
    return false;
}

static json_t *query_param(const char *name, const char *desc)
{
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:b}}", "name", name, "in", "query", "description",
                     desc, "schema", "type", "string", "uniqueItems", true);
}

static json_t *write_params(void)
{
    return json_pack(
        "[o, o, o]",
        query_param("dryRun", "When present, indicates that modifications should not be persisted."),
        query_param("fieldManager", "fieldManager is a name associated with the actor or entity "
                                    "that is making these changes."),
        query_param("fieldValidation",
                    "fieldValidation instructs the server on how to handle objects in the request "
                    "containing unknown or duplicate fields. Valid values are: Ignore, Warn, "
                    "Strict."));
}

static json_t *operation(const sbx_kind *k, const char *version, const char *action, const char *id,
                         bool writes)
{
    json_t *op = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:{s:s}}}", "operationId", id,
                           "x-kubernetes-action", action, "x-kubernetes-group-version-kind", "group",
                           k->group, "version", version, "kind", k->kind, "responses", "200",
                           "description", "OK");
    if (writes)
        json_object_set_new(op, "parameters", write_params());
    return op;
}

json_t *sbx_openapi_v3_gv(const char *gv_path)
{
    const char *group, *version;
    if (!gv_of_path(gv_path, &group, &version))
        return NULL;
    json_t *paths = json_object(), *schemas = json_object();
    for (size_t i = 0; i < sbx_nkinds; i++) {
        const sbx_kind *k = &sbx_kinds[i];
        if (strcmp(k->group, group) || !sbx_kind_serves(k, version))
            continue;
        char base[256], coll[320], item[400], id[160];
        if (*group)
            snprintf(base, sizeof base, "/apis/%s/%s", group, version);
        else
            snprintf(base, sizeof base, "/api/%s", version);
        if (k->namespaced)
            snprintf(coll, sizeof coll, "%s/namespaces/{namespace}/%s", base, k->resource);
        else
            snprintf(coll, sizeof coll, "%s/%s", base, k->resource);
        snprintf(item, sizeof item, "%s/{name}", coll);
        snprintf(id, sizeof id, "%s%s", k->kind, version);
        json_object_set_new(paths, coll,
                            json_pack("{s:o, s:o}", "get", operation(k, version, "list", id, false),
                                      "post", operation(k, version, "post", id, true)));
        json_object_set_new(paths, item,
                            json_pack("{s:o, s:o, s:o, s:o}", "get", operation(k, version, "get", id, false),
                                      "put", operation(k, version, "put", id, true), "patch",
                                      operation(k, version, "patch", id, true), "delete",
                                      operation(k, version, "delete", id, true)));
        char sname[256];
        size_t gl = *group ? strcspn(group, ".") : 4;
        snprintf(sname, sizeof sname, "io.k8s.api.%.*s.%s.%s", (int)gl, *group ? group : "core",
                 version, k->kind);
        json_object_set_new(schemas, sname,
                            json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}]}", "type", "object", "description",
                                      k->kind, "x-kubernetes-group-version-kind", "group", k->group,
                                      "version", version, "kind", k->kind));
    }
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:o}}", "openapi", "3.0.0", "info", "title",
                     "Kubernetes", "version", SBX_K8S_VERSION, "paths", paths, "components", "schemas",
                     schemas);
}

static void hash_of(const json_t *doc, char out[17])
{
    char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned long long h = 1469598103934665603ull;
    for (const char *p = s; p && *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ull;
    }
    free(s);
    snprintf(out, 17, "%016llX", h);
}

json_t *sbx_openapi_v3_root(void)
{
    json_t *paths = json_object();
    const char *gvs[8];
    size_t n = 0;
    static char names[8][96];
    for (size_t i = 0; i < sbx_nkinds && n < 8; i++)
        for (int v = 0; v < 3 && sbx_kinds[i].versions[v] && n < 8; v++) {
            char p[96];
            if (*sbx_kinds[i].group)
                snprintf(p, sizeof p, "apis/%s/%s", sbx_kinds[i].group, sbx_kinds[i].versions[v]);
            else
                snprintf(p, sizeof p, "api/%s", sbx_kinds[i].versions[v]);
            size_t j;
            for (j = 0; j < n; j++)
                if (!strcmp(gvs[j], p))
                    break;
            if (j == n) {
                strcpy(names[n], p);
                gvs[n] = names[n];
                n++;
            }
        }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = sbx_openapi_v3_gv(gvs[i]);
        char h[17], url[200];
        hash_of(doc, h);
        json_decref(doc);
        snprintf(url, sizeof url, "/openapi/v3/%s?hash=%s", gvs[i], h);
        json_object_set_new(paths, gvs[i], json_pack("{s:s}", "serverRelativeURL", url));
    }
    return json_pack("{s:o}", "paths", paths);
}
