/*
 * kt_init.c: `celgate test init POLICY.yaml`, kaptest init's scaffold:
 * <policy>.test/kaptest.yaml (version v1alpha1, the policy file, one
 * resources file, one suite per ValidatingAdmissionPolicy of the file, in
 * file order, each with an admit and a deny case to fill in) and an empty
 * <policy>.test/resources.yaml. Existing files are never overwritten.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kt_int.h"

/* A policy name as YAML: plain when it is a plain DNS-ish name. */
static void yaml_name(kt_buf *b, const char *s)
{
    bool plain = *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == strlen(s) &&
                 strcmp(s, "true") && strcmp(s, "false") && strcmp(s, "null") && strcmp(s, "yes") && strcmp(s, "no");
    if (plain) {
        kt_buf_add(b, s, strlen(s));
        return;
    }
    json_t *j = kt_json_string(s);
    char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    kt_buf_addf(b, "%s", q ? q : "\"\"");
    free(q);
    json_decref(j);
}

static int write_new(const char *path, const char *text, char **err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        *err = kt_asprintf("file already exists: %s", path);
        return -1;
    }
    FILE *f = fopen(path, "wx");
    if (!f) {
        *err = kt_asprintf("create %s: %s", path, strerror(errno));
        return -1;
    }
    fputs(text, f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        *err = kt_asprintf("write %s: failed", path);
        return -1;
    }
    return 0;
}

int kt_init(const char *policy_path, char **dir_out, char **err)
{
    *err = NULL;
    *dir_out = NULL;
    struct stat st;
    if (stat(policy_path, &st) < 0 || !S_ISREG(st.st_mode)) {
        *err = kt_asprintf("%s: admission policy file is not found", policy_path);
        return -1;
    }
    vap_load_opts lo = {.skip_invalid = true, .defer_compile_errors = true};
    char *lerr = NULL;
    vap_set *set = vap_set_load(policy_path, &lo, &lerr);
    if (!set || vap_set_policy_count(set) == 0) {
        *err = kt_asprintf("%s: no ValidatingAdmissionPolicy to write tests for%s%s", policy_path, lerr ? ":\n" : "",
                           lerr ? lerr : "");
        free(lerr);
        vap_set_unref(set);
        return -1;
    }
    free(lerr);
    const char *b = strrchr(policy_path, '/');
    b = b ? b + 1 : policy_path;
    const char *dot = strrchr(b, '.');
    size_t stem = dot && dot != b ? (size_t)(dot - policy_path) : strlen(policy_path);
    char *dir = kt_asprintf("%.*s.test", (int)stem, policy_path);
    char *manifest = dir ? kt_asprintf("%s/kaptest.yaml", dir) : NULL;
    char *resources = dir ? kt_asprintf("%s/resources.yaml", dir) : NULL;
    int rc = -1;
    if (!manifest || !resources) {
        *err = kt_strdup("out of memory");
        goto out;
    }
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        *err = kt_asprintf("make dir %s: %s", dir, strerror(errno));
        goto out;
    }
    kt_buf m = {0};
    kt_buf_addf(&m, "version: v1alpha1\npolicies:\n- ../%s\nresources:\n- resources.yaml\nvapTestSuites:\n", b);
    for (size_t i = 0; i < vap_set_policy_count(set); i++) {
        vap_policy_info pi;
        vap_set_policy_info(set, i, &pi);
        kt_buf_add(&m, "- policy: ", 10);
        yaml_name(&m, pi.name);
        kt_buf_addf(&m, "\n  tests:\n"
                        "  - object:\n      kind: CHANGEME\n      name: ok\n    expect: admit\n"
                        "  - object:\n      kind: CHANGEME\n      name: bad\n    expect: deny\n");
    }
    rc = write_new(manifest, kt_buf_str(&m), err);
    free(m.s);
    if (rc == 0)
        rc = write_new(resources,
                       "# The objects the tests of kaptest.yaml name (kind + name, and namespace if set), e.g.\n"
                       "#   kubectl create deployment ok --image=nginx --dry-run=client -o yaml\n",
                       err);
    if (rc == 0) {
        *dir_out = dir;
        dir = NULL;
    }
out:
    free(dir);
    free(manifest);
    free(resources);
    vap_set_unref(set);
    return rc;
}
