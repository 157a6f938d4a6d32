/*
 * sandbox/sbx_patch.c: the three patch formats of a PATCH request:
 *   application/merge-patch+json           RFC 7386
 *   application/json-patch+json            RFC 6902 (JSON pointers, RFC 6901)
 *   application/strategic-merge-patch+json Kubernetes' strategic merge patch
 * The strategic form needs each list's patch strategy, which the API server
 * takes from the Go types; the few lists of the sandbox's kinds that merge
 * (finalizers, ownerReferences, Service ports, conditions) are listed here
 * by path, every other list is replaced whole. Directives handled:
 * $patch (replace, delete, merge), $retainKeys, $deleteFromPrimitiveList/<f>
 * and $setElementOrder/<f> (order only: accepted, not applied).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

#define MAX_DEPTH 64

/* ---------------------------------------------------------------- merge patch */

static json_t *merge(json_t *target, const json_t *patch, int depth)
{
    if (!json_is_object(patch) || depth > MAX_DEPTH) {
        json_decref(target);
        return json_deep_copy(patch);
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = json_object();
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v) {
        if (json_is_null(v)) {
            json_object_del(target, k);
            continue;
        }
        json_t *cur = json_object_get(target, k);
        json_t *nv = merge(cur ? json_incref(cur) : NULL, v, depth + 1);
        json_object_set_new(target, k, nv);
    }
    return target;
}

int sbx_patch_merge(json_t **doc, const json_t *patch, sbx_err *e)
{
    if (!json_is_object(patch)) {
        sbx_err_set(e, 400, "BadRequest", "the body of a merge patch must be a JSON object");
        return -1;
    }
    *doc = merge(*doc, patch, 0);
    return 0;
}

/* ---------------------------------------------------------------- JSON patch */

/* Resolves a JSON pointer to the parent container and the last token. */
static int pointer_parent(json_t *doc, const char *ptr, json_t **parent, char *tok, size_t toksz)
{
    if (*ptr != '/')
        return -1;
    json_t *cur = doc;
    const char *p = ptr;
    for (;;) {
        p++;
        const char *q = strchr(p, '/');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        size_t o = 0;
        for (size_t i = 0; i < n && o + 1 < toksz; i++) {
            if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
                tok[o++] = p[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                tok[o++] = p[i];
            }
        }
        tok[o] = '\0';
        if (!q) {
            *parent = cur;
            return 0;
        }
        if (json_is_object(cur))
            cur = json_object_get(cur, tok);
        else if (json_is_array(cur)) {
            char *end;
            long idx = strtol(tok, &end, 10);
            if (*end || end == tok || idx < 0)
                return -1;
            cur = json_array_get(cur, (size_t)idx);
        } else
            return -1;
        if (!cur)
            return -1;
        p = q;
    }
}

static bool array_index(const char *tok, size_t size, bool allow_end, size_t *out)
{
    if (allow_end && !strcmp(tok, "-")) {
        *out = size;
        return true;
    }
    char *end;
    long idx = strtol(tok, &end, 10);
    if (*end || end == tok || idx < 0 || (size_t)idx > size || (!allow_end && (size_t)idx == size))
        return false;
    *out = (size_t)idx;
    return true;
}

static json_t *pointer_get(json_t *doc, const char *ptr)
{
    if (!*ptr)
        return doc;
    json_t *parent;
    char tok[512];
    if (pointer_parent(doc, ptr, &parent, tok, sizeof tok) < 0)
        return NULL;
    if (json_is_object(parent))
        return json_object_get(parent, tok);
    size_t i;
    if (json_is_array(parent) && array_index(tok, json_array_size(parent), false, &i))
        return json_array_get(parent, i);
    return NULL;
}

static int op_add(json_t **doc, const char *path, json_t *value)
{
    if (!*path) {
        json_decref(*doc);
        *doc = value;
        return 0;
    }
    json_t *parent;
    char tok[512];
    if (pointer_parent(*doc, path, &parent, tok, sizeof tok) < 0) {
        json_decref(value);
        return -1;
    }
    if (json_is_object(parent))
        return json_object_set_new(parent, tok, value);
    size_t i;
    if (json_is_array(parent) && array_index(tok, json_array_size(parent), true, &i))
        return json_array_insert_new(parent, i, value);
    json_decref(value);
    return -1;
}

static int op_remove(json_t *doc, const char *path)
{
    json_t *parent;
    char tok[512];
    if (pointer_parent(doc, path, &parent, tok, sizeof tok) < 0)
        return -1;
    if (json_is_object(parent))
        return json_object_del(parent, tok);
    size_t i;
    if (json_is_array(parent) && array_index(tok, json_array_size(parent), false, &i))
        return json_array_remove(parent, i);
    return -1;
}

int sbx_patch_json(json_t **doc, const json_t *ops, sbx_err *e)
{
    if (!json_is_array(ops)) {
        sbx_err_set(e, 400, "BadRequest", "the body of a JSON patch must be an array of operations");
        return -1;
    }
    size_t i;
    const json_t *op;
    json_array_foreach(ops, i, op) {
        const char *name = json_string_value(json_object_get(op, "op"));
        const char *path = json_string_value(json_object_get(op, "path"));
        const char *from = json_string_value(json_object_get(op, "from"));
        const json_t *value = json_object_get(op, "value");
        int rc = -1;
        if (!name || !path) {
            sbx_err_set(e, 422, "Invalid", "the server rejected our request due to an error in our "
                        "request: operation %zu: op and path are required", i);
            return -1;
        }
        if (!strcmp(name, "add") && value)
            rc = op_add(doc, path, json_deep_copy(value));
        else if (!strcmp(name, "remove"))
            rc = *path ? op_remove(*doc, path) : -1;
        else if (!strcmp(name, "replace") && value)
            rc = pointer_get(*doc, path) && (!*path || op_remove(*doc, path) == 0)
                     ? op_add(doc, path, json_deep_copy(value))
                     : -1;
        else if (!strcmp(name, "test") && value) {
            json_t *cur = pointer_get(*doc, path);
            rc = cur && json_equal(cur, value) ? 0 : -1;
            if (rc < 0) {
                sbx_err_set(e, 422, "Invalid", "the server rejected our request due to an error in "
                            "our request: testing value %s failed", path);
                return -1;
            }
        } else if ((!strcmp(name, "move") || !strcmp(name, "copy")) && from) {
            json_t *src = pointer_get(*doc, from);
            json_t *copy = src ? json_deep_copy(src) : NULL;
            if (copy && !strcmp(name, "move") && op_remove(*doc, from) < 0) {
                json_decref(copy);
                copy = NULL;
            }
            rc = copy ? op_add(doc, path, copy) : -1;
        }
        if (rc < 0) {
            sbx_err_set(e, 422, "Invalid", "the server rejected our request due to an error in our "
                        "request: %s operation does not apply: doc is missing path: \"%s\"", name, path);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- strategic merge patch */

typedef struct list_rule {
    const char *kind;   /* NULL: any kind */
    const char *path;   /* dotted, list elements as [] */
    const char *key;    /* merge key; NULL: a merged list of primitives */
} list_rule;

static const list_rule rules[] = {
    {NULL, "metadata.finalizers", NULL},
    {NULL, "metadata.ownerReferences", "uid"},
    {"Service", "spec.ports", "port"},
    {NULL, "status.conditions", "type"},
};

static const list_rule *rule_for(const sbx_kind *k, const char *path)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if ((!rules[i].kind || (k && !strcmp(rules[i].kind, k->kind))) && !strcmp(rules[i].path, path))
            return &rules[i];
    return NULL;
}

static json_t *smp_value(json_t *target, const json_t *patch, const sbx_kind *k, const char *path,
                         int depth, sbx_err *e, bool *failed);

static bool same_key(const json_t *a, const json_t *b, const char *key)
{
    const json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    return x && y && json_equal(x, y);
}

static json_t *smp_list(json_t *target, const json_t *patch, const list_rule *r, const sbx_kind *k,
                        const char *path, int depth, sbx_err *e, bool *failed)
{
    if (r && !json_is_array(target)) {
        json_decref(target);
        target = json_array();
    }
    if (!r) {
        json_decref(target);
        json_t *out = json_array();
        size_t i;
        const json_t *v;
        /* A replaced list keeps no directive elements. */
        json_array_foreach(patch, i, v) {
            if (json_is_object(v) && json_object_get(v, "$patch"))
                continue;
            json_array_append_new(out, json_deep_copy(v));
        }
        return out;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(patch, i, v) {
        if (json_is_object(v) && json_object_get(v, "$patch")) {
            const char *d = json_string_value(json_object_get(v, "$patch"));
            if (d && !strcmp(d, "replace")) {
                /* The list becomes the other elements of the patch. */
                json_decref(target);
                return smp_list(NULL, patch, NULL, k, path, depth, e, failed);
            }
            if (d && !strcmp(d, "delete") && r->key) {
                for (size_t j = json_array_size(target); j-- > 0;)
                    if (same_key(json_array_get(target, j), v, r->key))
                        json_array_remove(target, j);
                continue;
            }
        }
        if (!r->key) {
            bool present = false;
            size_t j;
            const json_t *t;
            json_array_foreach(target, j, t) present = present || json_equal(t, v);
            if (!present)
                json_array_append_new(target, json_deep_copy(v));
            continue;
        }
        if (!json_is_object(v) || !json_object_get(v, r->key)) {
            sbx_err_set(e, 400, "BadRequest", "map: %s does not contain declared merge key: %s",
                        path, r->key);
            *failed = true;
            return target;
        }
        size_t j;
        json_t *t;
        bool found = false;
        json_array_foreach(target, j, t) {
            if (same_key(t, v, r->key)) {
                char sub[256];
                snprintf(sub, sizeof sub, "%s[]", path);
                json_array_set_new(target, j, smp_value(json_incref(t), v, k, sub, depth + 1, e, failed));
                found = true;
                break;
            }
        }
        if (!found) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s[]", path);
            json_array_append_new(target, smp_value(NULL, v, k, sub, depth + 1, e, failed));
        }
    }
    return target;
}

static json_t *smp_map(json_t *target, const json_t *patch, const sbx_kind *k, const char *path,
                       int depth, sbx_err *e, bool *failed)
{
    const char *d = json_string_value(json_object_get(patch, "$patch"));
    if (d && !strcmp(d, "delete")) {
        json_decref(target);
        return NULL;
    }
    if (d && !strcmp(d, "replace")) {
        json_decref(target);
        json_t *out = json_deep_copy(patch);
        json_object_del(out, "$patch");
        return out;
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = json_object();
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v) {
        if (!strcmp(key, "$patch") || !strcmp(key, "$retainKeys") ||
            !strncmp(key, "$setElementOrder/", 17))
            continue;
        if (!strncmp(key, "$deleteFromPrimitiveList/", 25)) {
            json_t *list = json_object_get(target, key + 25);
            size_t i;
            const json_t *del;
            json_array_foreach(v, i, del) {
                for (size_t j = json_array_size(list); j-- > 0;)
                    if (json_equal(json_array_get(list, j), del))
                        json_array_remove(list, j);
            }
            continue;
        }
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
        if (json_is_null(v)) {
            json_object_del(target, key);
            continue;
        }
        json_t *cur = json_object_get(target, key);
        json_t *nv = smp_value(cur ? json_incref(cur) : NULL, v, k, sub, depth + 1, e, failed);
        if (nv)
            json_object_set_new(target, key, nv);
        else
            json_object_del(target, key);
    }
    const json_t *retain = json_object_get(patch, "$retainKeys");
    if (json_is_array(retain)) {
        const char *tk;
        json_t *tv;
        void *tmp;
        json_object_foreach_safe(target, tmp, tk, tv) {
            bool keep = false;
            size_t i;
            const json_t *r;
            json_array_foreach(retain, i, r) keep = keep || (json_is_string(r) && !strcmp(json_string_value(r), tk));
            if (!keep)
                json_object_del(target, tk);
        }
    }
    return target;
}

static json_t *smp_value(json_t *target, const json_t *patch, const sbx_kind *k, const char *path,
                         int depth, sbx_err *e, bool *failed)
{
    if (depth > MAX_DEPTH) {
        sbx_err_set(e, 422, "Invalid", "patch nested deeper than %d levels", MAX_DEPTH);
        *failed = true;
        return target;
    }
    if (json_is_object(patch))
        return smp_map(target, patch, k, path, depth, e, failed);
    if (json_is_array(patch))
        return smp_list(target, patch, rule_for(k, path), k, path, depth, e, failed);
    json_decref(target);
    return json_deep_copy(patch);
}

int sbx_patch_strategic(json_t **doc, const json_t *patch, const sbx_kind *k, sbx_err *e)
{
    if (!json_is_object(patch)) {
        sbx_err_set(e, 400, "BadRequest", "the body of a strategic merge patch must be a JSON object");
        return -1;
    }
    bool failed = false;
    json_t *out = smp_value(*doc, patch, k, "", 0, e, &failed);
    *doc = out ? out : json_object();
    return failed ? -1 : 0;
}
