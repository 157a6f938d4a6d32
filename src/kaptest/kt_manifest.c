/*
 * kt_manifest.c: reading a test manifest in kaptest's format:
 *
 *   version: v1alpha1          # kaptest v0.2; without it, the v0.1 layout
 *   policies: [paths]          # v0.1: validatingAdmissionPolicies
 *   resources: [paths]
 *   vapTestSuites:             # v0.1: testSuites
 *   - policy: <name>
 *     tests: [...]
 *   mapTestSuites: [...]       # MutatingAdmissionPolicy: reported unsupported
 *
 * with kaptest's checks and messages (version, at least one policy, one
 * resource file, one suite). Paths are relative to the manifest. Keys
 * neither kaptest nor celgate knows are ignored, as kaptest's YAML decoder
 * ignores them, but noted so that a typo does not pass unseen.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

#define KT_VERSION "v1alpha1"

static const char *const manifest_keys[] = {
    "version", "policies", "resources", "schemaLocations", "crds", "skipSchemaValidation", "vapTestSuites",
    "mapTestSuites", "validatingAdmissionPolicies", "testSuites",
    /* celgate */
    "evaluateMatch", "authorizer", NULL};
static const char *const suite_keys[] = {"policy", "tests", "binding", NULL};

kt_pos kt_manifest_pos(const kt_manifest *m, const json_t *node, const json_t *fallback)
{
    return m->ndocs ? kt_doc_pos(&m->docs[0], node, fallback) : (kt_pos){0, 0};
}

const char *kt_scalar(const json_t *v, char *buf, size_t size, bool *bad)
{
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, size, "%.17g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    *bad = true;
    return NULL;
}

void kt_manifest_note_unknown(kt_manifest *m, const json_t *obj, const char *path, const char *const *known)
{
    const char *k;
    const json_t *v;
    if (!json_is_object(obj))
        return;
    json_object_foreach((json_t *)obj, k, v) {
        bool ok = false;
        for (const char *const *p = known; *p && !ok; p++)
            ok = !strcmp(*p, k);
        if (ok)
            continue;
        kt_pos at = kt_manifest_pos(m, v, obj);
        kt_strlist_pushf(&m->notes, "%s:%d:%d: %s%s%s: unknown key, ignored as kaptest ignores it", m->path, at.line,
                         at.col, path, *path ? "." : "", k);
    }
}

static void fail(kt_manifest *m, const json_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(kt_manifest *m, const json_t *at, const char *fmt, ...)
{
    if (m->error)
        return;
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    kt_pos p = kt_manifest_pos(m, at, m->root);
    m->error = p.line ? kt_asprintf("%s:%d:%d: %s", m->path, p.line, p.col, msg ? msg : "out of memory")
                      : kt_asprintf("%s: %s", m->path, msg ? msg : "out of memory");
    free(msg);
}

/* A list of paths (yaml.v2 []string): resolved beside the manifest. */
static void paths(kt_manifest *m, const json_t *list, const char *key, kt_strlist *out)
{
    if (!list || json_is_null(list))
        return;
    if (!json_is_array(list)) {
        fail(m, list, "%s: must be a list of file paths", key);
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        char buf[64];
        bool bad;
        const char *s = kt_scalar(v, buf, sizeof buf, &bad);
        if (!s || !*s) {
            fail(m, json_is_null(v) ? list : v, "%s[%zu]: %s", key, i, bad ? "must be a file path" : "empty file path");
            return;
        }
        kt_strlist_push(out, kt_path_beside(m->path, s));
    }
}

static void suites(kt_manifest *m, const json_t *list, const char *key, bool map)
{
    if (!list || json_is_null(list))
        return;
    if (!json_is_array(list)) {
        fail(m, list, "%s: must be a list of test suites", key);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)list, i, v) {
        char path[64];
        snprintf(path, sizeof path, "%s[%zu]", key, i);
        if (!json_is_object(v)) {
            fail(m, v, "%s: must be a map with policy and tests", path);
            return;
        }
        kt_manifest_note_unknown(m, v, path, suite_keys);
        const json_t *tests = json_object_get(v, "tests");
        if (tests && !json_is_null(tests) && !json_is_array(tests)) {
            fail(m, tests, "%s.tests: must be a list of test cases", path);
            return;
        }
        char buf[64];
        bool bad;
        const char *policy = kt_scalar(json_object_get(v, "policy"), buf, sizeof buf, &bad);
        if (bad) {
            fail(m, json_object_get(v, "policy"), "%s.policy: must be a policy name", path);
            return;
        }
        kt_suite *ns = realloc(m->suites, (m->nsuites + 1) * sizeof *ns);
        if (!ns) {
            fail(m, v, "out of memory");
            return;
        }
        m->suites = ns;
        /* a numeric name is kept as its text; json owns strings, so the
         * number's text lives in the suite's own node */
        if (policy == buf) {
            json_object_set_new(v, "policy", json_string(buf));
            policy = json_string_value(json_object_get(v, "policy"));
        }
        m->suites[m->nsuites++] = (kt_suite){key, i, v, policy, json_is_array(tests) ? tests : NULL, map};
    }
}

int kt_manifest_load(const char *path, kt_manifest *m)
{
    char *err = NULL;
    size_t len = 0;
    char *text = kt_read_file(path, &len, &err);
    if (!text) {
        memset(m, 0, sizeof *m);
        m->path = kt_strdup(path);
        m->error = kt_asprintf("read manifest YAML: %s", err ? err : "out of memory");
        free(err);
        return -1;
    }
    return kt_manifest_load_text(path, text, len, m);
}

int kt_manifest_load_text(const char *path, char *text, size_t len, kt_manifest *m)
{
    memset(m, 0, sizeof *m);
    m->path = kt_strdup(path);
    m->text = text;
    m->len = len;
    char *err = NULL;
    m->ndocs = kt_yaml_load(path, m->text, m->len, &m->docs, &err);
    if (err) {
        m->error = kt_asprintf("unmarshal manifest YAML: %s", err);
        free(err);
        return -1;
    }
    /* yaml.v2 reads the first document only */
    m->root = m->ndocs ? m->docs[0].root : NULL;
    if (!json_is_object(m->root)) {
        m->error = kt_asprintf("%s:%d:%d: unmarshal manifest YAML: the manifest must be a map (version, policies, "
                               "resources, vapTestSuites)",
                               path, m->ndocs ? m->docs[0].start.line : 1, m->ndocs ? m->docs[0].start.col : 1);
        return -1;
    }
    const json_t *r = m->root;
    kt_manifest_note_unknown(m, r, "", manifest_keys);
    char buf[64];
    bool bad;
    const char *version = kt_scalar(json_object_get(r, "version"), buf, sizeof buf, &bad);
    bool legacy = !version || !*version;
    if (bad) {
        fail(m, json_object_get(r, "version"), "invalid manifest: version: must be a string");
        return -1;
    }
    if (!legacy && strcmp(version, KT_VERSION)) {
        fail(m, json_object_get(r, "version"), "invalid manifest: unsupported version \"%s\", supported versions: [%s]",
             version, KT_VERSION);
        return -1;
    }
    if (legacy) {
        m->notice = kt_asprintf("%s: no version: read in kaptest's v0.1 layout (validatingAdmissionPolicies, "
                                "testSuites); kaptest v0.2 wants version: %s ('kaptest migrate' converts it)",
                                path, KT_VERSION);
        paths(m, json_object_get(r, "validatingAdmissionPolicies"), "validatingAdmissionPolicies", &m->policies);
        suites(m, json_object_get(r, "testSuites"), "testSuites", false);
    } else {
        static const char *const old[] = {"validatingAdmissionPolicies", "testSuites"};
        for (int i = 0; i < 2; i++)
            if (json_object_get(r, old[i])) {
                kt_pos at = kt_manifest_pos(m, json_object_get(r, old[i]), r);
                kt_strlist_pushf(&m->notes, "%s:%d:%d: %s is kaptest's v0.1 name; with version: %s it is ignored "
                                 "(use %s)", path, at.line, at.col, old[i], KT_VERSION,
                                 i == 0 ? "policies" : "vapTestSuites");
            }
    }
    paths(m, json_object_get(r, "policies"), "policies", &m->policies);
    paths(m, json_object_get(r, "resources"), "resources", &m->resources);
    suites(m, json_object_get(r, "vapTestSuites"), "vapTestSuites", false);
    suites(m, json_object_get(r, "mapTestSuites"), "mapTestSuites", true);
    const json_t *em = json_object_get(r, "evaluateMatch");
    if (em && !json_is_null(em) && !json_is_boolean(em))
        fail(m, em, "evaluateMatch: must be true or false");
    m->evaluate_match = json_is_true(em);
    const json_t *az = json_object_get(r, "authorizer");
    m->authorizer = az && !json_is_null(az) ? az : NULL;
    if (m->error)
        return -1;
    if (m->policies.n == 0)
        fail(m, r, "invalid manifest: at least one policies is required");
    else if (m->resources.n == 0)
        fail(m, r, "invalid manifest: at least one resources is required");
    else if (m->nsuites == 0)
        fail(m, r, "invalid manifest: at least one vapTestSuites or mapTestSuites is required");
    return m->error ? -1 : 0;
}

void kt_manifest_clear(kt_manifest *m)
{
    free(m->path);
    free(m->text);
    kt_docs_free(m->docs, m->ndocs);
    free(m->notice);
    free(m->error);
    kt_strlist_clear(&m->notes);
    kt_strlist_clear(&m->policies);
    kt_strlist_clear(&m->resources);
    free(m->suites);
    memset(m, 0, sizeof *m);
}
