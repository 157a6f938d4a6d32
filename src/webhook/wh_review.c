/*
 * webhook/wh_review.c: one AdmissionReview exchange.
 *
 * The body is parsed once, here, and checked (JSON, UTF-8, apiVersion, kind,
 * request, request.uid) so that every malformed review gets a 400 whose
 * message names the JSON path; the fields of the log line come from the
 * same parse. The engine decodes and evaluates the request (its complaints
 * about the request become 400s too), and the response is shaped here as
 * the wire format wants it (vap-semantics.md section 9). Parsing once
 * matters: JSON decoding is most of a review's cost.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wh.h"

char *wh_status_json(int code, const char *reason, const char *message, size_t *len)
{
    json_t *o = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion",
                          "v1", "metadata", "status", "Failure", "message", message, "reason",
                          reason, "code", code);
    if (!o) {
        /* The message quotes client bytes that are not UTF-8 (a header, say):
         * keep the ASCII and mark the rest. */
        char safe[1024];
        size_t i = 0;
        for (; message[i] && i < sizeof safe - 1; i++)
            safe[i] = (unsigned char)message[i] < 0x80 ? message[i] : '?';
        safe[i] = '\0';
        o = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
                      "metadata", "status", "Failure", "message", safe, "reason", reason, "code",
                      code);
    }
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (s && len)
        *len = strlen(s);
    return s;
}

/* A message cut by vsnprintf may end inside a UTF-8 sequence, which JSON
 * cannot carry: drop the partial character. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

static void reject(wh_review_result *res, int http, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reject(wh_review_result *res, int http, const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_trim(msg);
    res->http_status = http;
    res->verdict = "rejected";
    res->code = http;
    res->body = wh_status_json(http, reason, msg, &res->len);
    if (!res->body) /* not valid UTF-8 even so: say what we can */
        res->body = wh_status_json(http, reason, "malformed request", &res->len);
    wh_line_str(&res->log, "error", msg);
}

static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Copies a string field into the log line when present. */
static void log_str(wh_line *log, const char *name, const json_t *o, const char *key)
{
    wh_line_str(log, name, str_at(o, key));
}

/* The decision the log line names: the first denial, else the first other
 * failure, else the first decision at all. */
static const vap_decision *deciding(const vap_outcome *out)
{
    const vap_decision *first = NULL, *other = NULL;
    for (size_t i = 0; i < out->ndecisions; i++) {
        const vap_decision *d = &out->decisions[i];
        if (!d->action)
            continue;
        if (!strcmp(d->action, "deny"))
            return d;
        if (!other && strcmp(d->action, "admit") && strcmp(d->action, "skip"))
            other = d;
        if (!first)
            first = d;
    }
    return other ? other : first;
}

void wh_review_handle(const wh_engine *eng, const vap_set *set, wh_metrics *metrics,
                      const char *body, size_t len, wh_review_result *res)
{
    memset(res, 0, sizeof *res);
    json_error_t jerr;
    /* Duplicate keys and \u0000 are refused, as the engine's own decoder
     * does: a key read differently by two parsers, or a string cut short at
     * a NUL by C code, could make a policy judge something else than what
     * the API server stores. */
    json_t *review = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!review) {
        /* jansson names its own flag in this one message. */
        const char *why = strstr(jerr.text, "JSON_ALLOW_NUL") ? "\\u0000 in a string is not accepted"
                                                             : jerr.text;
        reject(res, 400, "BadRequest", "invalid JSON at line %d, column %d: %s", jerr.line,
               jerr.column, why);
        return;
    }
    json_t *req = NULL;
    const char *av = str_at(review, "apiVersion"), *kind = str_at(review, "kind");
    if (!json_is_object(review)) {
        reject(res, 400, "BadRequest", "body: expected an AdmissionReview object");
        goto out;
    }
    if (!av || (strcmp(av, "admission.k8s.io/v1") && strcmp(av, "admission.k8s.io/v1beta1"))) {
        reject(res, 400, "BadRequest",
               "apiVersion: expected \"admission.k8s.io/v1\" or \"admission.k8s.io/v1beta1\", "
               "got %s%.200s%s",
               av ? "\"" : "", av ? av : "nothing", av ? "\"" : "");
        goto out;
    }
    if (!kind || strcmp(kind, "AdmissionReview")) {
        reject(res, 400, "BadRequest", "kind: expected \"AdmissionReview\", got %s%.200s%s",
               kind ? "\"" : "", kind ? kind : "nothing", kind ? "\"" : "");
        goto out;
    }
    req = json_object_get(review, "request");
    if (!json_is_object(req)) {
        reject(res, 400, "BadRequest", "request: %s",
               req ? "expected an object" : "required field is missing");
        goto out;
    }
    const char *uid = str_at(req, "uid");
    if (!uid || !*uid) {
        reject(res, 400, "BadRequest", "request.uid: %s",
               json_object_get(req, "uid") ? "expected a non-empty string"
                                           : "required field is missing");
        goto out;
    }
    wh_line *log = &res->log;
    wh_line_str(log, "uid", uid);
    log_str(log, "operation", req, "operation");
    const json_t *gvr = json_object_get(req, "resource");
    log_str(log, "group", gvr, "group");
    log_str(log, "version", gvr, "version");
    log_str(log, "resource", gvr, "resource");
    log_str(log, "subResource", req, "subResource");
    log_str(log, "namespace", req, "namespace");
    log_str(log, "name", req, "name");
    log_str(log, "user", json_object_get(req, "userInfo"), "username");
    wh_line_bool(log, "dryRun", json_is_true(json_object_get(req, "dryRun")));

    vap_outcome out;
    memset(&out, 0, sizeof out);
    char *err = NULL;
    if (eng->evaluate(set, req, &out, &err) < 0) {
        reject(res, 400, "BadRequest", "%s", err ? err : "not a well-formed AdmissionReview");
        free(err);
        goto out;
    }
    bool allowed;
    json_int_t code = 0;
    if (out.allowed && !out.nwarnings && !json_object_size(out.audit_annotations)) {
        /* Most reviews: a bare allow, written without building JSON. */
        res->body = wh_review_allowed_text(av, json_object_get(req, "uid"), &res->len);
        allowed = true;
    } else {
        json_t *resp = wh_review_response(av, json_object_get(req, "uid"), &out);
        res->body = resp ? json_dumps(resp, JSON_COMPACT) : NULL;
        const json_t *r = json_object_get(resp, "response");
        allowed = json_is_true(json_object_get(r, "allowed"));
        code = json_integer_value(json_object_get(json_object_get(r, "status"), "code"));
        json_decref(resp);
        if (res->body)
            res->len = strlen(res->body);
    }
    if (!res->body) {
        reject(res, 500, "InternalError", "out of memory");
        eng->outcome_clear(&out);
        goto out;
    }
    res->http_status = 200;
    res->verdict = allowed ? "allowed" : "denied";
    res->code = allowed ? 200 : (code >= 400 && code <= 599 ? (int)code : 400);
    wh_line_bool(log, "allowed", allowed);
    if (!allowed)
        wh_line_int(log, "code", res->code);
    const vap_decision *d = deciding(&out);
    if (d) {
        wh_line_str(log, "policy", d->policy ? d->policy : "");
        wh_line_str(log, "binding", d->binding);
        wh_line_str(log, "action", d->action);
    }
    if (out.nwarnings)
        wh_line_int(log, "warnings", (long long)out.nwarnings);
    /* Counted as the apiserver counts its policy checks (validating/
     * dispatcher.go): each action taken on a failure, an error that
     * failurePolicy Ignore admitted as "allow"; neither a pass nor a
     * configuration error. */
    for (size_t i = 0; metrics && i < out.ndecisions; i++) {
        const vap_decision *x = &out.decisions[i];
        if (!x->policy || !x->action || !strcmp(x->action, "skip") || !strcmp(x->action, "admit") ||
            (x->error_type && !strcmp(x->error_type, "config_error")))
            continue;
        const char *act = !strcmp(x->action, "error-ignored") ? "allow" : x->action;
        wh_metrics_policy_check(metrics, x->policy, x->binding, x->error_type, act);
    }
    eng->outcome_clear(&out);
out:
    json_decref(review);
}

char *wh_audit_key(const char *key)
{
    /* The API server prefixes a webhook's keys with "<webhook name>/" and
     * wants exactly one '/' in the result; its own validation-failure key
     * keeps its well-known name part. */
    static const char failure_key[] = "validation.policy.admission.k8s.io/validation_failure";
    if (!strcmp(key, failure_key))
        return strdup("validation_failure");
    char *k = strdup(key);
    for (char *p = k; p && *p; p++)
        if (*p == '/')
            *p = '_';
    return k;
}

json_t *wh_review_response(const char *api_version, const json_t *uid, const vap_outcome *o)
{
    json_t *r = json_pack("{s:O, s:b}", "uid", uid, "allowed", o->allowed);
    if (!r)
        return NULL;
    int bad = 0;
    if (!o->allowed) {
        json_t *st = o->status ? json_incref(o->status)
                               : json_pack("{s:i, s:s, s:s}", "code", o->code ? o->code : 403,
                                           "reason", o->reason ? o->reason : "Forbidden",
                                           "message", o->message ? o->message : "");
        bad |= json_object_set_new(r, "status", st);
    }
    if (o->nwarnings) {
        json_t *w = json_array();
        for (size_t i = 0; w && i < o->nwarnings; i++)
            bad |= json_array_append_new(w, json_string(o->warnings[i]));
        bad |= json_object_set_new(r, "warnings", w);
    }
    if (json_object_size(o->audit_annotations)) {
        json_t *a = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(o->audit_annotations, k, v) {
            char *wk = wh_audit_key(k);
            bad |= !wk || json_object_set(a, wk, v);
            free(wk);
        }
        bad |= json_object_set_new(r, "auditAnnotations", a);
    }
    if (bad) {
        json_decref(r);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o}", "apiVersion", api_version, "kind", "AdmissionReview",
                     "response", r);
}

/* A JSON string body as jansson writes it: quote, backslash and control
 * characters escaped, everything else (valid UTF-8, as parsed) as is. */
static size_t put_json_string(char *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (esc) {
            o[k++] = esc[0];
            o[k++] = esc[1];
        } else if (c < 0x20) {
            memcpy(o + k, "\\u00", 4);
            o[k + 4] = hex[c >> 4];
            o[k + 5] = hex[c & 15];
            k += 6;
        } else {
            o[k++] = (char)c;
        }
    }
    return k;
}

char *wh_review_allowed_text(const char *api_version, const json_t *uid, size_t *len)
{
    static const char mid[] = "\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"";
    static const char tail[] = "\",\"allowed\":true}}";
    if (!json_is_string(uid))
        return NULL;
    const char *u = json_string_value(uid);
    size_t un = json_string_length(uid), an = strlen(api_version);
    if (un > SIZE_MAX / 8 || an > 64)
        return NULL;
    char *b = malloc(16 + 6 * an + sizeof mid + 6 * un + sizeof tail);
    if (!b)
        return NULL;
    size_t k = 0;
    memcpy(b, "{\"apiVersion\":\"", 15);
    k = 15;
    k += put_json_string(b + k, api_version, an);
    memcpy(b + k, mid, sizeof mid - 1);
    k += sizeof mid - 1;
    k += put_json_string(b + k, u, un);
    memcpy(b + k, tail, sizeof tail);
    k += sizeof tail - 1;
    if (len)
        *len = k;
    return b;
}

void wh_review_result_clear(wh_review_result *res)
{
    free(res->body);
    memset(res, 0, sizeof *res);
}
