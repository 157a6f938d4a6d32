/*
 * authz.c: the rules table that answers `authorizer` checks outside an API
 * server. A table is a list of rules (a bare list, or {rules: [...]}):
 *
 *   - user: alice            # or groups: [system:masters]; absent: anyone
 *     verbs: [get, list]     # every list field: absent or "*" = any
 *     apiGroups: [""]
 *     resources: [pods]
 *     subresources: [log]
 *     namespaces: [default]
 *     names: [web]
 *     paths: [/healthz]      # non-resource checks
 *     decision: allow        # or deny
 *     reason: "..."
 *
 * The first rule that matches decides; no match is "no opinion" (not
 * allowed). Without a table every check is denied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

typedef struct authz_rule {
    const json_t *r;
    bool allow;
    const char *reason;
} authz_rule;

struct vap_authorizer {
    json_t *doc;
    authz_rule *rules;
    size_t n;
};

static const char *const list_fields[] = {"groups", "verbs", "apiGroups", "resources", "subresources",
                                          "namespaces", "names", "paths"};

vap_authorizer *vap_authorizer_from_json(const json_t *doc, char **err)
{
    *err = NULL;
    const json_t *rules = json_is_object(doc) ? json_object_get(doc, "rules") : doc;
    if (!json_is_array(rules)) {
        *err = vap_strdup("authorizer rules: must be a list of rules (or an object with a \"rules\" list)");
        return NULL;
    }
    vap_authorizer *a = calloc(1, sizeof *a);
    if (!a || !(a->rules = calloc(json_array_size(rules) + 1, sizeof *a->rules))) {
        free(a);
        *err = vap_strdup("out of memory");
        return NULL;
    }
    a->doc = json_incref((json_t *)doc);
    size_t i;
    const json_t *r;
    json_array_foreach(rules, i, r) {
        if (!json_is_object(r)) {
            *err = vap_asprintf("rules[%zu]: must be an object", i);
            goto fail;
        }
        const json_t *u = json_object_get(r, "user");
        if (u && !json_is_string(u)) {
            *err = vap_asprintf("rules[%zu].user: must be a string", i);
            goto fail;
        }
        for (size_t k = 0; k < sizeof list_fields / sizeof list_fields[0]; k++) {
            const json_t *l = json_object_get(r, list_fields[k]);
            size_t j;
            const json_t *s;
            if (l && !json_is_array(l)) {
                *err = vap_asprintf("rules[%zu].%s: must be a list of strings", i, list_fields[k]);
                goto fail;
            }
            json_array_foreach(l, j, s)
                if (!json_is_string(s)) {
                    *err = vap_asprintf("rules[%zu].%s[%zu]: must be a string", i, list_fields[k], j);
                    goto fail;
                }
        }
        const char *d = json_string_value(json_object_get(r, "decision"));
        if (!d || (strcmp(d, "allow") && strcmp(d, "deny"))) {
            *err = d ? vap_asprintf("rules[%zu].decision: Unsupported value: \"%s\": supported values: \"allow\", \"deny\"", i, d)
                     : vap_asprintf("rules[%zu].decision: Required value", i);
            goto fail;
        }
        const json_t *reason = json_object_get(r, "reason");
        if (reason && !json_is_string(reason)) {
            *err = vap_asprintf("rules[%zu].reason: must be a string", i);
            goto fail;
        }
        a->rules[a->n++] = (authz_rule){r, !strcmp(d, "allow"), json_string_value(reason)};
    }
    return a;
fail:
    vap_authorizer_free(a);
    return NULL;
}

vap_authorizer *vap_authorizer_load(const char *path, char **err)
{
    *err = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = vap_asprintf("%s: cannot open", path);
        return NULL;
    }
    char *buf = malloc(VAP_MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, VAP_MAX_FILE_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n > VAP_MAX_FILE_BYTES) {
        free(buf);
        *err = vap_asprintf("%s: %s", path, buf ? "file too large" : "out of memory");
        return NULL;
    }
    vap_doc *docs = NULL;
    int nd = vap_yaml_parse(path, buf, n, &docs, err);
    free(buf);
    if (nd < 0)
        return NULL;
    vap_authorizer *a = NULL;
    if (nd != 1) {
        *err = vap_asprintf("%s: expected one document of rules, found %d", path, nd);
    } else {
        char *e = NULL;
        a = vap_authorizer_from_json(docs[0].root, &e);
        if (!a)
            *err = vap_asprintf("%s: %s", path, e ? e : "invalid rules");
        free(e);
    }
    for (int i = 0; i < nd; i++)
        vap_doc_clear(&docs[i]);
    free(docs);
    return a;
}

void vap_authorizer_free(vap_authorizer *a)
{
    if (!a)
        return;
    json_decref(a->doc);
    free(a->rules);
    free(a);
}

/* A list field admits s when absent, when it holds "*", or when it holds s. */
static bool admits(const json_t *rule, const char *field, const char *s)
{
    const json_t *l = json_object_get(rule, field);
    if (!l)
        return true;
    size_t i;
    const json_t *v;
    json_array_foreach(l, i, v) {
        const char *x = json_string_value(v);
        if (!strcmp(x, "*") || (s && !strcmp(x, s)))
            return true;
    }
    return false;
}

static bool subject_matches(const json_t *rule, const vap_authz_query *q)
{
    const char *u = json_string_value(json_object_get(rule, "user"));
    if (u && strcmp(u, "*") && (!q->user || strcmp(u, q->user)))
        return false;
    const json_t *groups = json_object_get(rule, "groups");
    if (!groups)
        return true;
    size_t i;
    const json_t *g;
    json_array_foreach(q->groups, i, g)
        if (admits(rule, "groups", json_string_value(g)))
            return true;
    return false;
}

int vap_authz_decide(const vap_authorizer *a, const vap_authz_query *q, const char **reason)
{
    *reason = NULL;
    if (!a) {
        *reason = "no authorizer rules configured";
        return 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        const json_t *r = a->rules[i].r;
        if (!subject_matches(r, q) || !admits(r, "verbs", q->verb))
            continue;
        if (q->is_path) {
            if (!json_object_get(r, "paths") || !admits(r, "paths", q->path))
                continue;
        } else {
            if (json_object_get(r, "paths") && !json_object_get(r, "resources"))
                continue;
            if (!admits(r, "apiGroups", q->group ? q->group : "") || !admits(r, "resources", q->resource) ||
                !admits(r, "subresources", q->subresource ? q->subresource : "") ||
                !admits(r, "namespaces", q->namespace_ ? q->namespace_ : "") ||
                !admits(r, "names", q->name ? q->name : ""))
                continue;
        }
        *reason = a->rules[i].reason;
        return a->rules[i].allow ? 1 : 0;
    }
    return -1;
}
