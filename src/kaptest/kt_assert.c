/*
 * kt_assert.c: whether a case passed. kaptest's rule first: the verdict
 * must be the expected one, and with expect: deny a deniedMessage must be
 * the message of a denial. Then celgate's assertions, each checked when
 * written: deniedMessageContains, deniedMessageRegex (PCRE2), reason,
 * warnings (the exact list), auditAnnotations (key: value, null for
 * absent; a key without '/' is the policy's own), and validations (one
 * entry per validation: admit, deny or error, or a map with expect,
 * message and reason).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

int kt_regex_match(const char *pattern, const char *subject, char **err)
{
    int code;
    PCRE2_SIZE off;
    *err = NULL;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        *err = kt_asprintf("bad regular expression at offset %zu: %s", (size_t)off, (const char *)msg);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (mc)
        pcre2_set_match_limit(mc, 1000000); /* a pattern from a manifest must not hang the run */
    int rc = md ? pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, mc) : -1;
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (rc == PCRE2_ERROR_MATCHLIMIT) {
        *err = kt_strdup("regular expression: match limit exceeded");
        return -1;
    }
    return rc >= 0;
}

static char *q(const char *s)
{
    return kt_go_quote(s);
}

static void failf(kt_strlist *f, const char *what, const char *want, const char *got)
{
    char *w = q(want), *g = q(got);
    kt_strlist_pushf(f, "--- EXPECTED %s %s, got %s", what, w ? w : "", g ? g : "");
    free(w);
    free(g);
}

static char *messages_list(const kt_facts *fa)
{
    kt_buf b = {0};
    for (size_t i = 0; i < fa->messages.n; i++) {
        char *m = q(fa->messages.v[i]);
        kt_buf_addf(&b, "%s%s", i ? ", " : "", m ? m : "");
        free(m);
    }
    if (!b.n) {
        free(b.s);
        return kt_strdup("no denial");
    }
    return kt_buf_take(&b);
}

static void message_assertions(const kt_case *c, const kt_facts *fa, kt_strlist *f)
{
    char buf[64];
    bool bad;
    /* kaptest: with expect: deny, a denial must carry this exact message */
    const char *exact = kt_scalar(c->denied_message, buf, sizeof buf, &bad);
    if (exact && *exact && !strcmp(c->expect, "deny") && !strcmp(fa->verdict, "deny")) {
        bool found = false;
        for (size_t i = 0; i < fa->messages.n && !found; i++)
            found = !strcmp(fa->messages.v[i], exact);
        if (!found) {
            char *got = messages_list(fa), *w = q(exact);
            kt_strlist_pushf(f, "--- EXPECTED deniedMessage %s, got %s", w ? w : "", got ? got : "");
            free(got);
            free(w);
        }
    }
    const char *sub = kt_scalar(c->denied_contains, buf, sizeof buf, &bad);
    if (sub) {
        bool found = false;
        for (size_t i = 0; i < fa->messages.n && !found; i++)
            found = strstr(fa->messages.v[i], sub) != NULL;
        if (!found) {
            char *got = messages_list(fa), *w = q(sub);
            kt_strlist_pushf(f, "--- EXPECTED deniedMessageContains %s, got %s", w ? w : "", got ? got : "");
            free(got);
            free(w);
        }
    }
    const char *re = kt_scalar(c->denied_regex, buf, sizeof buf, &bad);
    if (re) {
        bool found = false;
        char *err = NULL;
        for (size_t i = 0; i < fa->messages.n && !found && !err; i++)
            found = kt_regex_match(re, fa->messages.v[i], &err) == 1;
        if (err) {
            kt_strlist_pushf(f, "--- EXPECTED deniedMessageRegex: %s", err);
            free(err);
        } else if (!found) {
            char *got = messages_list(fa), *w = q(re);
            kt_strlist_pushf(f, "--- EXPECTED deniedMessageRegex %s to match, got %s", w ? w : "", got ? got : "");
            free(got);
            free(w);
        }
    }
    const char *reason = kt_scalar(c->reason, buf, sizeof buf, &bad);
    if (reason && (!fa->reason || strcmp(reason, fa->reason)))
        failf(f, "reason", reason, fa->reason ? fa->reason : "(no denial)");
}

static void warning_assertions(const kt_case *c, const kt_facts *fa, kt_strlist *f)
{
    if (!c->warnings || json_is_null(c->warnings))
        return;
    if (!json_is_array(c->warnings)) {
        kt_strlist_pushf(f, "--- EXPECTED warnings: must be a list of strings");
        return;
    }
    size_t want = json_array_size(c->warnings), got = json_array_size(fa->warnings);
    bool same = want == got;
    for (size_t i = 0; same && i < want; i++) {
        const char *w = json_string_value(json_array_get(c->warnings, i));
        const char *g = json_string_value(json_array_get(fa->warnings, i));
        same = w && g && !strcmp(w, g);
    }
    if (!same) {
        char *ws = json_dumps(c->warnings, JSON_COMPACT | JSON_ENSURE_ASCII);
        char *gs = json_dumps(fa->warnings ? fa->warnings : json_array(), JSON_COMPACT | JSON_ENSURE_ASCII);
        kt_strlist_pushf(f, "--- EXPECTED warnings %s, got %s", ws ? ws : "?", gs ? gs : "[]");
        free(ws);
        free(gs);
    }
}

static void audit_assertions(const kt_case *c, const kt_facts *fa, kt_strlist *f)
{
    if (!c->audit || json_is_null(c->audit))
        return;
    if (!json_is_object(c->audit)) {
        kt_strlist_pushf(f, "--- EXPECTED auditAnnotations: must be a map of key: value");
        return;
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)c->audit, k, v) {
        char *full = strchr(k, '/') ? kt_strdup(k) : kt_asprintf("%s/%s", fa->policy, k);
        const char *got = json_string_value(json_object_get(fa->audit, full ? full : k));
        char buf[64];
        bool bad;
        const char *want = kt_scalar(v, buf, sizeof buf, &bad);
        if (!want && got) {
            char *g = q(got);
            kt_strlist_pushf(f, "--- EXPECTED auditAnnotations %s absent, got %s", full ? full : k, g ? g : "");
            free(g);
        } else if (want && (!got || strcmp(want, got))) {
            char *w = q(want), *g = got ? q(got) : NULL;
            kt_strlist_pushf(f, "--- EXPECTED auditAnnotations %s = %s, got %s", full ? full : k, w ? w : "",
                             g ? g : "none");
            free(w);
            free(g);
        }
        free(full);
    }
}

static void validation_assertions(const kt_case *c, const kt_facts *fa, kt_strlist *f)
{
    if (!c->validations || json_is_null(c->validations))
        return;
    if (!json_is_array(c->validations)) {
        kt_strlist_pushf(f, "--- EXPECTED validations: must be a list (one entry per validation)");
        return;
    }
    size_t want = json_array_size(c->validations), have = json_array_size(fa->validations);
    if (want != have)
        kt_strlist_pushf(f, "--- EXPECTED validations: %zu entries, the policy has %zu validations%s", want, have,
                         have == 0 ? " (or none was evaluated)" : "");
    for (size_t i = 0; i < want && i < have; i++) {
        const json_t *w = json_array_get(c->validations, i);
        const json_t *g = json_array_get(fa->validations, i);
        const char *got = json_string_value(json_object_get(g, "result"));
        char buf[64];
        bool bad;
        const char *we = json_is_object(w) ? kt_scalar(json_object_get(w, "expect"), buf, sizeof buf, &bad)
                                           : kt_scalar(w, buf, sizeof buf, &bad);
        char what[64];
        snprintf(what, sizeof what, "validations[%zu]", i);
        if (we && !strcmp(we, "allow"))
            we = "admit";
        if (we && (!got || strcmp(we, got)))
            failf(f, what, we, got ? got : "not evaluated");
        if (json_is_object(w)) {
            char b2[64], b3[64];
            const char *wm = kt_scalar(json_object_get(w, "message"), b2, sizeof b2, &bad);
            const char *wr = kt_scalar(json_object_get(w, "reason"), b3, sizeof b3, &bad);
            const char *gm = json_string_value(json_object_get(g, "message"));
            const char *gr = json_string_value(json_object_get(g, "reason"));
            char w2[80];
            snprintf(w2, sizeof w2, "validations[%zu].message", i);
            if (wm && (!gm || strcmp(wm, gm)))
                failf(f, w2, wm, gm ? gm : "");
            snprintf(w2, sizeof w2, "validations[%zu].reason", i);
            if (wr && (!gr || strcmp(wr, gr)))
                failf(f, w2, wr, gr ? gr : "");
        }
    }
}

bool kt_assert(const kt_case *c, const kt_facts *fa, const kt_manifest *m, kt_strlist *failures)
{
    size_t before = failures->n;
    message_assertions(c, fa, failures);
    warning_assertions(c, fa, failures);
    audit_assertions(c, fa, failures);
    validation_assertions(c, fa, failures);
    return strcmp(c->expect, fa->verdict) == 0 && failures->n == before;
}
