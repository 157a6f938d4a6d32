/*
 * kt_resources.c: the objects of a manifest's resource files (multi-
 * document YAML or JSON) and kaptest's way of finding one by reference:
 * kind and name must match, the namespace only when the reference gives
 * one, the group only when given, the version only together with a group.
 * The same object (group, version, kind, namespace, name) written twice is
 * one object, the later one, as in kaptest's map; a reference matching two
 * different objects is ambiguous.
 */
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

static const char *str_or_empty(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static bool same_key(const kt_resource *a, const kt_resource *b)
{
    return !strcmp(a->group, b->group) && !strcmp(a->version, b->version) && !strcmp(a->kind, b->kind) &&
           !strcmp(a->namespace_, b->namespace_) && !strcmp(a->name, b->name);
}

static void add_object(kt_resources *r, const json_t *obj, const char *file, kt_pos pos)
{
    const char *av = str_or_empty(obj, "apiVersion");
    const char *slash = strchr(av, '/');
    const json_t *meta = json_object_get(obj, "metadata");
    kt_resource res = {
        obj,
        slash ? kt_strndup(av, (size_t)(slash - av)) : kt_strdup(""),
        kt_strdup(slash ? slash + 1 : av),
        str_or_empty(obj, "kind"),
        str_or_empty(meta, "namespace"),
        str_or_empty(meta, "name"),
        file,
        pos,
    };
    if (!res.group || !res.version) {
        free(res.group);
        free(res.version);
        return;
    }
    for (size_t i = 0; i < r->n; i++)
        if (same_key(&r->v[i], &res)) {
            free(r->v[i].group);
            free(r->v[i].version);
            r->v[i] = res;
            return;
        }
    kt_resource *nv = realloc(r->v, (r->n + 1) * sizeof *nv);
    if (!nv) {
        free(res.group);
        free(res.version);
        return;
    }
    r->v = nv;
    r->v[r->n++] = res;
}

void kt_resources_add_file(kt_resources *r, const char *path)
{
    char *err = NULL;
    size_t len = 0;
    char *text = kt_read_file(path, &len, &err);
    if (!text) {
        kt_strlist_pushf(&r->errors, "read resources: %s", err ? err : "out of memory");
        free(err);
        return;
    }
    kt_resources_add_text(r, path, text, len);
    free(text);
}

void kt_resources_add_text(kt_resources *r, const char *path, const char *text, size_t len)
{
    char *err = NULL;
    kt_doc *docs = NULL;
    size_t n = kt_yaml_load(path, text, len, &docs, &err);
    if (err) {
        kt_strlist_pushf(&r->errors, "read resources: %s", err);
        free(err);
    }
    char **nf = realloc(r->files, (r->nfiles + 1) * sizeof *nf);
    kt_doc **nd = realloc(r->docs, (r->nfiles + 1) * sizeof *nd);
    size_t *nn = realloc(r->ndocs, (r->nfiles + 1) * sizeof *nn);
    if (nf)
        r->files = nf;
    if (nd)
        r->docs = nd;
    if (nn)
        r->ndocs = nn;
    if (!nf || !nd || !nn) {
        kt_docs_free(docs, n);
        return;
    }
    r->files[r->nfiles] = kt_strdup(path);
    r->docs[r->nfiles] = docs;
    r->ndocs[r->nfiles] = n;
    const char *file = r->files[r->nfiles];
    r->nfiles++;
    for (size_t i = 0; i < n; i++) {
        const json_t *root = docs[i].root;
        /* a List is its items, as kubectl reads one */
        const json_t *items = json_object_get(root, "items");
        const char *kind = json_string_value(json_object_get(root, "kind"));
        if (json_is_array(items) && kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List")) {
            size_t k;
            const json_t *it;
            json_array_foreach(items, k, it)
                if (json_is_object(it))
                    add_object(r, it, file, kt_doc_pos(&docs[i], it, NULL));
            continue;
        }
        if (json_is_object(root))
            add_object(r, root, file, docs[i].start);
    }
}

void kt_resources_clear(kt_resources *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].group);
        free(r->v[i].version);
    }
    free(r->v);
    for (size_t i = 0; i < r->nfiles; i++) {
        kt_docs_free(r->docs[i], r->ndocs[i]);
        free(r->files[i]);
    }
    free(r->docs);
    free(r->ndocs);
    free(r->files);
    kt_strlist_clear(&r->errors);
    memset(r, 0, sizeof *r);
}

static bool matches(const kt_ref *q, const kt_resource *g)
{
    if (!q->name || !*q->name || !q->kind || !*q->kind || !*g->name || !*g->kind)
        return false;
    if (strcmp(q->name, g->name) || strcmp(q->kind, g->kind))
        return false;
    if (q->namespace_ && *q->namespace_ && strcmp(q->namespace_, g->namespace_))
        return false;
    if (!q->group || !*q->group)
        return true;
    if (strcmp(q->group, g->group))
        return false;
    return !q->version || !*q->version || !strcmp(q->version, g->version);
}

char *kt_ref_string(const kt_ref *ref)
{
    const char *ns = ref->namespace_ ? ref->namespace_ : "";
    const char *name = ref->name ? ref->name : "";
    return *ns && *name ? kt_asprintf("%s:%s/%s", ref->kind ? ref->kind : "", ns, name)
                        : kt_asprintf("%s:%s", ref->kind ? ref->kind : "", name);
}

const kt_resource *kt_resources_find(const kt_resources *r, const kt_ref *ref, char **err)
{
    *err = NULL;
    const kt_resource *found = NULL;
    for (size_t i = 0; i < r->n; i++) {
        if (!matches(ref, &r->v[i]))
            continue;
        if (found) {
            char *s = kt_ref_string(ref);
            *err = kt_asprintf("multiple target resource found: %s (%s:%d and %s:%d; give namespace, group or "
                               "version)",
                               s ? s : "", found->file, found->pos.line, r->v[i].file, r->v[i].pos.line);
            free(s);
            return NULL;
        }
        found = &r->v[i];
    }
    return found;
}
