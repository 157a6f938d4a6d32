/*
 * kt_discover.c: `celgate test DIR`: the manifests under a folder. A file
 * named kaptest.yaml anywhere is one; so is any *.yaml / *.yml directly in
 * a *.test folder (kaptest init's <policy>.test/) or a .kaptest folder whose
 * first document reads as a manifest (a map with policies or test suites
 * and no apiVersion/kind, so resource files beside it are left alone).
 * Folders are walked in name order; hidden folders other than .kaptest,
 * and node_modules, are passed over. Paths named on the command line are
 * taken as they are.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "kt_int.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Whether the file's first document is a map with manifest keys at the
 * top, read with libyaml's event parser so that large resource files are
 * not loaded whole. */
static bool looks_like_manifest(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fclose(f);
        return false;
    }
    yaml_parser_set_input_file(&p, f);
    int depth = 0;
    bool key = true, manifest = false, resource = false, done = false;
    for (int events = 0; !done && events < 100000; events++) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e))
            break;
        switch (e.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 1)
                key = true; /* a value that is a collection */
            depth++;
            if (depth == 1 && e.type == YAML_SEQUENCE_START_EVENT)
                done = true;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            if (depth == 0)
                done = true;
            break;
        case YAML_SCALAR_EVENT:
            if (depth == 1) {
                if (key) {
                    const char *k = (const char *)e.data.scalar.value;
                    if (!strcmp(k, "apiVersion") || !strcmp(k, "kind"))
                        resource = true;
                    if (!strcmp(k, "vapTestSuites") || !strcmp(k, "testSuites") || !strcmp(k, "mapTestSuites") ||
                        !strcmp(k, "policies") || !strcmp(k, "validatingAdmissionPolicies"))
                        manifest = true;
                }
                key = !key;
            } else if (depth == 0) {
                done = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            if (depth == 1)
                key = !key;
            break;
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    fclose(f);
    return manifest && !resource;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, unsigned depth, kt_strlist *out, char **err)
{
    if (depth > KT_MAX_DEPTH) {
        *err = kt_asprintf("%s: folders nested deeper than %u levels", dir, KT_MAX_DEPTH);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        *err = kt_asprintf("%s: %s", dir, strerror(errno));
        return -1;
    }
    kt_strlist names = {0};
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            kt_strlist_push(&names, strcmp(dir, ".") ? kt_asprintf("%s/%s", dir, e->d_name) : kt_strdup(e->d_name));
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof *names.v, cmp);
    bool test_dir = ends_with(dir, ".test") || !strcmp(base(dir), ".kaptest");
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        const char *p = names.v[i], *b = base(p);
        struct stat st;
        if (stat(p, &st) < 0)
            continue; /* a dangling link */
        if (S_ISDIR(st.st_mode)) {
            if ((b[0] == '.' && strcmp(b, ".kaptest")) || !strcmp(b, "node_modules"))
                continue;
            rc = walk(p, depth + 1, out, err);
        } else if (S_ISREG(st.st_mode)) {
            if (!strcmp(b, "kaptest.yaml") || (test_dir && (ends_with(b, ".yaml") || ends_with(b, ".yml")) &&
                                                looks_like_manifest(p))) {
                if (out->n >= KT_MAX_MANIFESTS) {
                    *err = kt_asprintf("%s: more than %u manifests", dir, KT_MAX_MANIFESTS);
                    rc = -1;
                } else {
                    kt_strlist_push(out, kt_strdup(p));
                }
            }
        }
    }
    kt_strlist_clear(&names);
    return rc;
}

int kt_discover(const char *const *paths, size_t n, kt_strlist *out, char **err)
{
    *err = NULL;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
            kt_strlist_push(out, kt_strdup(paths[i])); /* a file, or an error reported as kaptest reports it */
            continue;
        }
        size_t before = out->n;
        char *dir = kt_strdup(paths[i]);
        size_t dl = dir ? strlen(dir) : 0;
        while (dl > 1 && dir[dl - 1] == '/')
            dir[--dl] = '\0';
        int rc = dir ? walk(dir, 0, out, err) : -1;
        free(dir);
        if (rc < 0)
            return -1;
        if (out->n == before) {
            *err = kt_asprintf("%s: no test manifests found (kaptest.yaml, or *.yaml in a *.test folder)", paths[i]);
            return -1;
        }
    }
    return 0;
}
