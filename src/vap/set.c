/*
 * set.c: a loaded policy set: reads a file or a folder tree of YAML/JSON
 * documents, sorts them into policies, bindings, Namespaces and param
 * objects, and owns them until the last reference goes. Folders are walked
 * in name order so that policy order (which decides whose denial message
 * the client sees) does not depend on the file system.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cel/k8s.h"
#include "vap_int.h"

/* A set being loaded: vap_builder in the public API. */
typedef struct vap_builder {
    vap_set *set;
    const vap_backend *be;
    int k8s_minor;
    char *errs;
    size_t nfiles;
    bool failed;
    bool skip_invalid, defer;
} loader;

#define GROW(arr, n)                                                                               \
    do {                                                                                           \
        void *np_ = realloc((arr), ((n) + 1) * sizeof *(arr));                                     \
        if (!np_)                                                                                  \
            goto oom;                                                                              \
        (arr) = np_;                                                                               \
    } while (0)

static bool is_vap_group(const char *av)
{
    return !strcmp(av, "admissionregistration.k8s.io/v1") || !strcmp(av, "admissionregistration.k8s.io/v1beta1") ||
           !strcmp(av, "admissionregistration.k8s.io/v1alpha1");
}

static void add_doc(loader *l, vap_doc *d)
{
    vap_set *s = l->set;
    const json_t *root = d->root;
    if (!json_is_object(root)) {
        vap_errf(&l->errs, "%s:%d: a document must be an object (a Kubernetes manifest)", d->file, d->line);
        l->failed = true;
        return;
    }
    const char *av = json_string_value(json_object_get(root, "apiVersion"));
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (!av || !*av || !kind || !*kind) {
        vap_errf(&l->errs, "%s:%d: %s: Required value", d->file, d->line, !av || !*av ? "apiVersion" : "kind");
        l->failed = true;
        return;
    }
    if (is_vap_group(av) && !strcmp(kind, "ValidatingAdmissionPolicy")) {
        vap_policy p;
        if (vap_decode_policy(d, l->be, l->k8s_minor, l->defer, &p, &l->errs) < 0) {
            l->failed = true;
            return;
        }
        for (size_t i = 0; i < s->npolicies; i++)
            if (!strcmp(s->policies[i].name, p.name)) {
                vap_errf(&l->errs, "%s:%d: metadata.name: Duplicate value: \"%s\" (also in %s:%d)", d->file, d->line,
                         p.name, s->policies[i].file, s->policies[i].line);
                vap_policy_clear(&p);
                l->failed = true;
                return;
            }
        GROW(s->policies, s->npolicies);
        s->policies[s->npolicies++] = p;
        return;
    }
    if (is_vap_group(av) && !strcmp(kind, "ValidatingAdmissionPolicyBinding")) {
        vap_binding b;
        if (vap_decode_binding(d, &b, &l->errs) < 0) {
            l->failed = true;
            return;
        }
        for (size_t i = 0; i < s->nbindings; i++)
            if (!strcmp(s->bindings[i].name, b.name)) {
                vap_errf(&l->errs, "%s:%d: metadata.name: Duplicate value: \"%s\" (also in %s:%d)", d->file, d->line,
                         b.name, s->bindings[i].file, s->bindings[i].line);
                vap_binding_clear(&b);
                l->failed = true;
                return;
            }
        GROW(s->bindings, s->nbindings);
        s->bindings[s->nbindings++] = b;
        return;
    }
    const json_t *meta = json_object_get(root, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    const json_t *nsv = json_object_get(meta, "namespace");
    if (!name || !*name) {
        vap_errf(&l->errs, "%s:%d: metadata.name: Required value", d->file, d->line);
        l->failed = true;
        return;
    }
    if (nsv && !json_is_null(nsv) && !json_is_string(nsv)) {
        vap_errf(&l->errs, "%s:%d: metadata.namespace: must be a string", d->file, vap_doc_line(d, nsv));
        l->failed = true;
        return;
    }
    vap_object o = {json_incref(d->root), av, kind, name, json_is_string(nsv) ? json_string_value(nsv) : ""};
    if (!strcmp(av, "v1") && !strcmp(kind, "Namespace")) {
        GROW(s->namespaces, s->nnamespaces);
        s->namespaces[s->nnamespaces++] = o;
    } else {
        GROW(s->objects, s->nobjects);
        s->objects[s->nobjects++] = o;
    }
    return;
oom:
    vap_errf(&l->errs, "%s:%d: out of memory", d->file, d->line);
    l->failed = true;
}

static void load_text(loader *l, const char *file, const char *text, size_t len)
{
    vap_doc *docs = NULL;
    char *err = NULL;
    int n = vap_yaml_parse(file, text, len, &docs, &err);
    if (n < 0) {
        vap_errf(&l->errs, "%s", err ? err : "out of memory");
        free(err);
        l->failed = true;
        return;
    }
    for (int i = 0; i < n; i++) {
        add_doc(l, &docs[i]);
        vap_doc_clear(&docs[i]);
    }
    free(docs);
}

static void load_file(loader *l, const char *path)
{
    if (++l->nfiles > VAP_MAX_FILES) {
        if (l->nfiles == VAP_MAX_FILES + 1)
            vap_errf(&l->errs, "%s: more than %u files", path, VAP_MAX_FILES);
        l->failed = true;
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        vap_errf(&l->errs, "%s: %s", path, strerror(errno));
        l->failed = true;
        return;
    }
    char *buf = malloc(VAP_MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, VAP_MAX_FILE_BYTES + 1, f) : 0;
    bool read_err = ferror(f);
    fclose(f);
    if (!buf || read_err || n > VAP_MAX_FILE_BYTES) {
        vap_errf(&l->errs, "%s: %s", path, !buf ? "out of memory" : read_err ? "read error" : "file larger than 16 MiB");
        free(buf);
        l->failed = true;
        return;
    }
    load_text(l, path, buf, n);
    free(buf);
}

static bool policy_file_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* kaptest's convention puts a policy's tests in <policy>.test/ beside it:
 * test manifests and resources, not policies. */
static bool test_folder_name(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !strcmp(path + n - 5, ".test");
}

static void load_path(loader *l, const char *path, unsigned depth, bool top)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        vap_errf(&l->errs, "%s: %s", path, strerror(errno));
        l->failed = true;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (top || policy_file_name(path))
            load_file(l, path);
        return;
    }
    if (!top && test_folder_name(path))
        return;
    if (depth > VAP_MAX_DEPTH) {
        vap_errf(&l->errs, "%s: folders nested deeper than %u levels", path, VAP_MAX_DEPTH);
        l->failed = true;
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        vap_errf(&l->errs, "%s: %s", path, strerror(errno));
        l->failed = true;
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue; /* hidden files and the Kubernetes ..data symlink farm */
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        names[n] = vap_asprintf("%s/%s", path, e->d_name);
        if (names[n])
            n++;
    }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        load_path(l, names[i], depth + 1, false);
        free(names[i]);
    }
    free(names);
}

static void set_free(vap_set *s)
{
    for (size_t i = 0; i < s->npolicies; i++)
        vap_policy_clear(&s->policies[i]);
    for (size_t i = 0; i < s->nbindings; i++)
        vap_binding_clear(&s->bindings[i]);
    for (size_t i = 0; i < s->nobjects; i++)
        json_decref(s->objects[i].doc);
    for (size_t i = 0; i < s->nnamespaces; i++)
        json_decref(s->namespaces[i].doc);
    free(s->policies);
    free(s->bindings);
    free(s->objects);
    free(s->namespaces);
    free(s);
}

static vap_set *finish(loader *l, const vap_load_opts *opts, char **err)
{
    bool skip = (opts && opts->skip_invalid) || l->skip_invalid;
    if (err)
        *err = l->errs;
    else
        free(l->errs);
    if (l->failed && !skip) {
        set_free(l->set);
        return NULL;
    }
    return l->set;
}

/* Checks the options; on failure frees the set and says why. */
static int start(loader *l, const vap_load_opts *opts, char **err)
{
    l->set->refs = 1;
    l->defer = opts && opts->defer_compile_errors;
    l->k8s_minor = vap_parse_k8s_version(opts ? opts->k8s_version : NULL);
    if (l->k8s_minor < 0) {
        if (err)
            *err = vap_asprintf("k8s_version: Invalid value: \"%s\": expected 1.<minor>, 1.%d to 1.%d",
                                opts->k8s_version, CEL_K8S_OLDEST_MINOR, CEL_K8S_NEWEST_MINOR);
        free(l->set);
        return -1;
    }
    return 0;
}

vap_set *vap_set_load_with(const char *path, const vap_load_opts *opts, const vap_backend *be, char **err)
{
    if (err)
        *err = NULL;
    loader l = {calloc(1, sizeof(vap_set)), be ? be : &vap_cel_backend, 0, NULL, 0, false, false, false};
    if (!l.set) {
        if (err)
            *err = vap_strdup("out of memory");
        return NULL;
    }
    if (start(&l, opts, err) < 0)
        return NULL;
    load_path(&l, path, 0, true);
    return finish(&l, opts, err);
}

vap_set *vap_set_load_text(const char *name, const char *text, size_t len, const vap_load_opts *opts,
                           const vap_backend *be, char **err)
{
    if (err)
        *err = NULL;
    loader l = {calloc(1, sizeof(vap_set)), be ? be : &vap_cel_backend, 0, NULL, 0, false, false, false};
    if (!l.set) {
        if (err)
            *err = vap_strdup("out of memory");
        return NULL;
    }
    if (start(&l, opts, err) < 0)
        return NULL;
    load_text(&l, name, text, len);
    return finish(&l, opts, err);
}

vap_set *vap_set_load(const char *path, const vap_load_opts *opts, char **err)
{
    return vap_set_load_with(path, opts, NULL, err);
}

vap_set *vap_set_load_buffer(const char *name, const char *text, size_t len,
                             const vap_load_opts *opts, char **err)
{
    return vap_set_load_text(name, text, len, opts, NULL, err);
}

json_t *vap_yaml_documents(const char *name, const char *text, size_t len, char **err)
{
    vap_doc *docs = NULL;
    if (err)
        *err = NULL;
    int n = vap_yaml_parse(name, text, len, &docs, err);
    if (n < 0)
        return NULL;
    json_t *out = json_array();
    for (int i = 0; i < n; i++) {
        if (out && docs[i].root && !json_is_null(docs[i].root))
            json_array_append(out, docs[i].root);
        vap_doc_clear(&docs[i]);
    }
    free(docs);
    if (!out && err)
        *err = vap_strdup("out of memory");
    return out;
}

vap_set *vap_set_ref(vap_set *s)
{
    if (s)
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void vap_set_unref(vap_set *s)
{
    if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        set_free(s);
}

size_t vap_set_policy_count(const vap_set *s)
{
    return s ? s->npolicies : 0;
}

size_t vap_set_binding_count(const vap_set *s)
{
    return s ? s->nbindings : 0;
}

/* ---------------------------------------------------------------- builder */

vap_builder *vap_builder_new(const vap_load_opts *opts, char **err)
{
    if (err)
        *err = NULL;
    loader *l = calloc(1, sizeof *l);
    if (l)
        l->set = calloc(1, sizeof(vap_set));
    if (!l || !l->set) {
        free(l);
        if (err)
            *err = vap_strdup("out of memory");
        return NULL;
    }
    l->be = &vap_cel_backend;
    if (start(l, opts, err) < 0) { /* frees the set */
        free(l);
        return NULL;
    }
    l->skip_invalid = opts && opts->skip_invalid;
    return l;
}

int vap_builder_add_path(vap_builder *b, const char *path)
{
    bool before = b->failed;
    b->failed = false;
    load_path(b, path, 0, true);
    bool now = b->failed;
    b->failed |= before;
    return now ? -1 : 0;
}

int vap_builder_add_text(vap_builder *b, const char *name, const char *text, size_t len)
{
    bool before = b->failed;
    b->failed = false;
    load_text(b, name, text, len);
    bool now = b->failed;
    b->failed |= before;
    return now ? -1 : 0;
}

int vap_builder_add_object(vap_builder *b, const json_t *obj, const char *file, int line)
{
    /* decoding adds the API server's defaults: to a copy */
    json_t *copy = json_deep_copy(obj);
    if (!copy) {
        vap_errf(&b->errs, "%s:%d: out of memory", file ? file : "<object>", line);
        b->failed = true;
        return -1;
    }
    vap_doc d = {copy, (char *)(file ? file : "<object>"), line, NULL, 0};
    bool before = b->failed;
    b->failed = false;
    add_doc(b, &d);
    json_decref(copy);
    bool now = b->failed;
    b->failed |= before;
    return now ? -1 : 0;
}

vap_set *vap_builder_finish(vap_builder *b, char **err)
{
    if (!b) {
        if (err)
            *err = vap_strdup("out of memory");
        return NULL;
    }
    vap_set *s = finish(b, NULL, err);
    free(b);
    return s;
}

/* ---------------------------------------------------------------- introspection */

long vap_set_find_policy(const vap_set *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->npolicies; i++)
        if (!strcmp(s->policies[i].name, name))
            return (long)i;
    return -1;
}

int vap_set_policy_info(const vap_set *s, size_t policy, vap_policy_info *out)
{
    memset(out, 0, sizeof *out);
    if (!s || policy >= s->npolicies)
        return -1;
    const vap_policy *p = &s->policies[policy];
    out->name = p->name;
    out->file = p->file;
    out->line = p->line;
    out->fail = p->fail;
    out->has_param_kind = p->has_param_kind;
    out->param_api_version = p->param_api_version;
    out->param_kind = p->param_kind;
    out->count[VAP_EXPR_VALIDATION] = p->nvalidations;
    out->count[VAP_EXPR_MESSAGE] = p->nvalidations;
    out->count[VAP_EXPR_CONDITION] = p->nconditions;
    out->count[VAP_EXPR_VARIABLE] = p->nvariables;
    out->count[VAP_EXPR_AUDIT] = p->naudits;
    return 0;
}

int vap_set_expr_info(const vap_set *s, size_t policy, vap_expr_kind kind, size_t index, vap_expr_info *out)
{
    memset(out, 0, sizeof *out);
    if (!s || policy >= s->npolicies)
        return -1;
    const vap_policy *p = &s->policies[policy];
    const vap_expr *e = NULL;
    const char *name = NULL;
    switch (kind) {
    case VAP_EXPR_VALIDATION:
        if (index < p->nvalidations)
            e = &p->validations[index].expr;
        break;
    case VAP_EXPR_MESSAGE:
        if (index < p->nvalidations)
            e = &p->validations[index].msg_expr;
        break;
    case VAP_EXPR_CONDITION:
        if (index < p->nconditions) {
            e = &p->conditions[index].expr;
            name = p->conditions[index].name;
        }
        break;
    case VAP_EXPR_VARIABLE:
        if (index < p->nvariables) {
            e = &p->variables[index].expr;
            name = p->variables[index].name;
        }
        break;
    case VAP_EXPR_AUDIT:
        if (index < p->naudits) {
            e = &p->audits[index].expr;
            name = p->audits[index].name;
        }
        break;
    default:
        break;
    }
    if (!e)
        return -1;
    out->present = e->src != NULL;
    out->name = name;
    out->expression = e->src;
    out->line = e->line;
    out->column = e->col;
    out->compile_error = e->compile_error;
    return 0;
}
