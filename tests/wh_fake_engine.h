/*
 * tests/wh_fake_engine.h: a tiny stand-in for the policy engine, compiled
 * only into the webhook's tests (test_wh_server, wh_fake_serve), so that the
 * server is tested on its own. A policy file whose text contains "broken"
 * fails to load; a review is denied (422, message = the policy file's text)
 * when request.object.deny is true, with a warning when request.object.warn
 * is true and audit annotations when request.object.audit is true; a request
 * with no "operation" is malformed for the engine, as is one with
 * object.longerr (the error repeats it); a request with
 * object.sleep_ms sleeps that long (to hold requests in flight).
 */
#ifndef CELGATE_TESTS_WH_FAKE_ENGINE_H
#define CELGATE_TESTS_WH_FAKE_ENGINE_H

#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "webhook/wh.h"


struct vap_set {
    atomic_int refs;
    char text[64];
};

/* Reads a file, or every visible file of a folder, into one text. */
static char *fake_read(const char *path, char **err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        *err = strdup("no such file or folder");
        return NULL;
    }
    char *data;
    size_t len;
    if (!S_ISDIR(st.st_mode))
        return wh_read_file(path, 1 << 16, &data, &len, err) < 0 ? NULL : data;
    DIR *d = opendir(path);
    char *all = strdup("");
    struct dirent *e;
    while (d && all && (e = readdir(d))) {
        char sub[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        char *part = fake_read(sub, err);
        if (!part)
            continue;
        char *joined;
        if (asprintf(&joined, "%s%s", all, part) < 0)
            joined = NULL;
        free(part);
        free(all);
        all = joined;
    }
    if (d)
        closedir(d);
    free(*err);
    *err = NULL;
    return all;
}

static vap_set *fake_load(const char *path, const char *k8s_version, char **err)
{
    (void)k8s_version;
    char *data = fake_read(path, err);
    if (!data)
        return NULL;
    if (strstr(data, "broken")) {
        free(data);
        *err = strdup("policy.yaml:1: broken on purpose");
        return NULL;
    }
    vap_set *s = calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    snprintf(s->text, sizeof s->text, "%s", data);
    free(data);
    return s;
}

static vap_set *fake_ref(vap_set *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

static void fake_unref(vap_set *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        free(s);
}

static size_t fake_count(const vap_set *s)
{
    (void)s;
    return 1;
}

static int fake_evaluate(const vap_set *s, const json_t *req, vap_outcome *out, char **err)
{
    if (!json_object_get(req, "operation")) {
        *err = strdup("request.operation: required field is missing");
        return -1;
    }
    const json_t *obj = json_object_get(req, "object");
    const char *longerr = json_string_value(json_object_get(obj, "longerr"));
    if (longerr) {
        if (asprintf(err, "object.longerr: %s", longerr) < 0)
            *err = NULL;
        return -1;
    }
    bool deny = json_is_true(json_object_get(obj, "deny"));
    json_int_t sleep_ms = json_integer_value(json_object_get(obj, "sleep_ms"));
    if (sleep_ms > 0 && sleep_ms < 10000) {
        struct timespec ts = {(time_t)(sleep_ms / 1000), (long)(sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    memset(out, 0, sizeof *out);
    out->allowed = !deny;
    if (deny) {
        out->code = 422;
        out->status = json_pack("{s:i, s:s, s:s}", "code", 422, "reason", "Invalid", "message",
                                s->text);
    }
    if (json_is_true(json_object_get(obj, "warn"))) {
        out->warnings = calloc(1, sizeof *out->warnings);
        out->warnings[0] = strdup("fake warning");
        out->nwarnings = 1;
    }
    if (json_is_true(json_object_get(obj, "audit")))
        out->audit_annotations =
            json_pack("{s:s, s:s}", "validation.policy.admission.k8s.io/validation_failure", "[]",
                      "fake.policy/key", "v");
    /* "decisions": [[action, error_type], ...] replaces the one decision
     * (strings kept in the engine's static table, as the set outlives it) */
    static const char *const known[] = {"deny", "warn", "audit", "admit", "skip", "error-ignored",
                                        "no_error", "invalid_error", "compile_error", "out_of_budget",
                                        "config_error"};
    const json_t *list = json_object_get(obj, "decisions");
    size_t n = json_array_size(list);
    out->decisions = calloc(n ? n : 1, sizeof *out->decisions);
    out->ndecisions = n ? n : 1;
    out->decisions[0] = (vap_decision){"fake", "fake-binding", 0, deny ? "deny" : "admit",
                                       deny ? "invalid_error" : "no_error", false, NULL};
    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_array_get(json_array_get(list, i), 0));
        const char *e = json_string_value(json_array_get(json_array_get(list, i), 1));
        const char *ka = "deny", *ke = NULL;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            if (a && !strcmp(a, known[k]))
                ka = known[k];
            if (e && !strcmp(e, known[k]))
                ke = known[k];
        }
        out->decisions[i] = (vap_decision){"fake", "fake-binding", (int)i, ka, ke, false, NULL};
    }
    return 0;
}

static void fake_clear(vap_outcome *o)
{
    free(o->decisions);
    for (size_t i = 0; i < o->nwarnings; i++)
        free(o->warnings[i]);
    free(o->warnings);
    json_decref(o->status);
    json_decref(o->audit_annotations);
    memset(o, 0, sizeof *o);
}

static const wh_engine wh_fake_engine = {fake_load, fake_ref, fake_unref, fake_count, fake_count,
                               fake_evaluate, fake_clear};


#endif
