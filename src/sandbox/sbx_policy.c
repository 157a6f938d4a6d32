/*
 * sandbox/sbx_policy.c: ValidatingAdmissionPolicies and their bindings as
 * API objects. A write is checked by compiling the object alone with the
 * engine (its loader applies the API server's validation and defaults);
 * after every change to policies, bindings or Namespaces the live policy
 * set is rebuilt from the store, so the next request already runs under
 * it. --policies files are stored at start as if applied.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sbx.h"

/* The engine reports "file:line: path: ..."; the API reports "path: ...". */
static const char *strip_location(const char *line)
{
    const char *p = line;
    if (!strncmp(p, "object:", 7)) {
        p += 7;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == ':')
            p++;
        while (*p == ' ')
            p++;
        return p;
    }
    return line;
}

int sbx_policy_check(sbx *s, const sbx_kind *k, const json_t *obj, sbx_err *e)
{
    (void)s;
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text) {
        sbx_err_set(e, 500, "InternalError", "Internal error occurred: out of memory");
        return -1;
    }
    char *err = NULL;
    vap_load_opts o = {.k8s_version = NULL, .skip_invalid = false};
    vap_set *set = vap_set_load_buffer("object", text, strlen(text), &o, &err);
    free(text);
    if (set) {
        vap_set_unref(set);
        free(err);
        return 0;
    }
    /* One field error per line of the engine's report. */
    const char *errs[8];
    char *lines[8];
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(err ? err : (char *)"invalid", "\n", &save); l && n < 8;
         l = strtok_r(NULL, "\n", &save)) {
        lines[n] = strdup(strip_location(l));
        if (lines[n])
            errs[n] = lines[n], n++;
    }
    const char *name = sbx_meta_str(obj, "name");
    sbx_err_invalid(e, k->group, k->kind, name ? name : "", errs, n);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(err);
    return -1;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 4096);
        while (nc < *len + n + 1)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

int sbx_policy_reload(sbx *s, char **err)
{
    static const char *const resources[] = {"namespaces", "validatingadmissionpolicies",
                                            "validatingadmissionpolicybindings"};
    char *text = NULL;
    size_t len = 0, cap = 0, npolicies = 0;
    for (size_t r = 0; r < 3; r++) {
        json_t *items = sbx_store_list(s->store, resources[r], NULL);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) {
            char *doc = json_dumps(o, JSON_COMPACT);
            if (doc) {
                append(&text, &len, &cap, "---\n");
                append(&text, &len, &cap, doc);
                append(&text, &len, &cap, "\n");
            }
            free(doc);
            npolicies += r > 0;
        }
        json_decref(items);
    }
    vap_set *set = NULL;
    if (npolicies) {
        vap_load_opts o = {.k8s_version = NULL, .skip_invalid = true};
        char *e = NULL;
        set = vap_set_load_buffer("store", text ? text : "", len, &o, &e);
        if (!set) {
            free(text);
            if (err)
                *err = e;
            else
                free(e);
            return -1;
        }
        free(e);
    }
    free(text);
    vap_set_unref(s->policies);
    s->policies = set;
    return 0;
}

static bool manifest_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 5 && !strcmp(n + l - 5, ".yaml")) || (l > 4 && !strcmp(n + l - 4, ".yml")) ||
           (l > 5 && !strcmp(n + l - 5, ".json"));
}

static int preload_doc(sbx *s, const char *file, json_t *doc, char **err)
{
    const char *av = json_string_value(json_object_get(doc, "apiVersion"));
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    const sbx_kind *k = NULL;
    if (av && !strcmp(av, "admissionregistration.k8s.io/v1") && kind) {
        if (!strcmp(kind, "ValidatingAdmissionPolicy"))
            k = sbx_kind_find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies");
        else if (!strcmp(kind, "ValidatingAdmissionPolicyBinding"))
            k = sbx_kind_find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings");
    }
    if (!k)
        return 0; /* other objects (params, Namespaces) are not stored */
    sbx_err e = {0};
    const char *name = sbx_meta_str(doc, "name");
    if (!name || !*name) {
        if (asprintf(err, "%s: %s: metadata.name: Required value", file, kind) < 0)
            *err = NULL;
        return -1;
    }
    json_t *old = sbx_store_get(s->store, k->resource, "", name);
    json_t *call_out = NULL;
    sbx_call c = {.version = "v1"};
    json_t *copy = json_deep_copy(doc);
    int rc = old ? sbx_obj_update(s, k, &c, json_incref(old), copy, &call_out, &e)
                 : sbx_obj_create(s, k, &c, copy, &call_out, &e);
    json_decref(call_out);
    if (rc < 0) {
        if (asprintf(err, "%s: %s", file, e.message) < 0)
            *err = NULL;
        sbx_err_clear(&e);
        return -1;
    }
    return 0;
}

static int preload_file(sbx *s, const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    char *buf = malloc(SBX_MAX_BODY + 1);
    size_t n = buf ? fread(buf, 1, SBX_MAX_BODY + 1, f) : 0;
    fclose(f);
    if (!buf || n > SBX_MAX_BODY) {
        free(buf);
        if (asprintf(err, "%s: %s", path, buf ? "larger than 3 MiB" : "out of memory") < 0)
            *err = NULL;
        return -1;
    }
    json_t *docs = vap_yaml_documents(path, buf, n, err);
    free(buf);
    if (!docs)
        return -1;
    size_t i;
    json_t *d;
    int rc = 0;
    json_array_foreach(docs, i, d) {
        if (rc == 0 && json_is_object(d))
            rc = preload_doc(s, path, d, err);
    }
    json_decref(docs);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int preload_path(sbx *s, const char *path, int depth, char **err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return preload_file(s, path, err);
    if (depth > 16) {
        if (asprintf(err, "%s: folders nested too deep", path) < 0)
            *err = NULL;
        return -1;
    }
    DIR *d = opendir(path);
    if (!d) {
        if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 10000) {
        if (de->d_name[0] == '.')
            continue;
        char *p;
        if (asprintf(&p, "%s/%s", path, de->d_name) < 0)
            continue;
        struct stat cs;
        bool dir = stat(p, &cs) == 0 && S_ISDIR(cs.st_mode);
        char **nn = (dir || manifest_name(de->d_name)) ? realloc(names, (n + 1) * sizeof *nn) : NULL;
        if (!nn) {
            free(p);
            continue;
        }
        names = nn;
        names[n++] = p;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = preload_path(s, names[i], depth + 1, err);
        free(names[i]);
    }
    free(names);
    return rc;
}

int sbx_policy_preload(sbx *s, const char *path, char **err)
{
    *err = NULL;
    return preload_path(s, path, 0, err);
}
