/*
 * fuzz_webhook.c: request bodies through the webhook's review handler
 * (wh_review_handle, the code behind POST /validate) with the real engine
 * and the bundled and fuzz/policies/ sets, metrics on. Invariants (abort
 * on violation), besides no crash or leak:
 *   - every reply is JSON: a 200 is an AdmissionReview response, a 4xx/5xx
 *     a Status object with that code and a message;
 *   - a 200 echoes request.uid (as the body's own parse reads it) and the
 *     request's apiVersion; its `allowed` is a boolean that agrees with
 *     the verdict the log line and metrics get, and a denial carries a
 *     status with a 4xx/5xx code;
 *   - a body whose uid is missing or not a non-empty string never gets a
 *     200 (there is nothing to echo);
 *   - the log line is always one JSON object within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "celgate/vap.h"
#include "webhook/wh.h"

static void check(bool ok)
{
    if (!ok)
        abort();
}

static vap_set *engine_load(const char *path, const char *k8s_version, char **err)
{
    vap_load_opts o = {.k8s_version = k8s_version};
    return vap_set_load(path, &o, err);
}

static int engine_evaluate(const vap_set *s, const json_t *request, vap_outcome *out, char **err)
{
    return vap_evaluate(s, request, NULL, out, err);
}

/* The engine as `celgate serve` binds it (src/cli/serve.c). */
static const wh_engine engine = {
    .load = engine_load,
    .ref = vap_set_ref,
    .unref = vap_set_unref,
    .policy_count = vap_set_policy_count,
    .binding_count = vap_set_binding_count,
    .evaluate = engine_evaluate,
    .outcome_clear = vap_outcome_clear,
};

static void check_reply(const uint8_t *data, size_t size, const wh_review_result *res)
{
    check(res->body != NULL && res->len == strlen(res->body));
    json_t *reply = json_loadb(res->body, res->len, JSON_REJECT_DUPLICATES, NULL);
    check(reply != NULL);
    json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    const json_t *req = json_object_get(in, "request");
    const char *uid = json_string_value(json_object_get(req, "uid"));
    if (res->http_status == 200) {
        check(uid && *uid);
        const json_t *r = json_object_get(reply, "response");
        const char *out_uid = json_string_value(json_object_get(r, "uid"));
        check(out_uid && !strcmp(uid, out_uid));
        const char *av = json_string_value(json_object_get(in, "apiVersion"));
        const char *out_av = json_string_value(json_object_get(reply, "apiVersion"));
        check(av && out_av && !strcmp(av, out_av));
        check(!strcmp(json_string_value(json_object_get(reply, "kind")), "AdmissionReview"));
        const json_t *allowed = json_object_get(r, "allowed");
        check(json_is_boolean(allowed));
        check(!strcmp(res->verdict, json_is_true(allowed) ? "allowed" : "denied"));
        if (json_is_false(allowed)) {
            json_int_t code = json_integer_value(json_object_get(json_object_get(r, "status"), "code"));
            check(code >= 400 && code <= 599 && res->code == (int)code);
        } else {
            check(res->code == 200);
        }
    } else {
        check(res->http_status >= 400 && res->http_status <= 599);
        check(!strcmp(res->verdict, "rejected") && res->code == res->http_status);
        check(!strcmp(json_string_value(json_object_get(reply, "kind")), "Status"));
        check(json_integer_value(json_object_get(reply, "code")) == res->http_status);
        const char *msg = json_string_value(json_object_get(reply, "message"));
        check(msg && *msg);
    }
    char line[sizeof res->log.buf + 512];
    size_t n = wh_line_format(&res->log, "info", "review", line, sizeof line);
    check(n > 0 && n < sizeof line && line[n - 1] == '\n');
    json_t *log = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL);
    check(json_is_object(log)); /* one JSON object per line, whatever the client sent */
    json_decref(log);
    json_decref(in);
    json_decref(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vap_set *sets[2];
    static wh_metrics *metrics;
    if (!sets[0]) {
        char *err = NULL;
        sets[0] = engine_load(CELGATE_SOURCE_DIR "/policies", NULL, &err);
        sets[1] = engine_load(CELGATE_SOURCE_DIR "/fuzz/policies", NULL, &err);
        metrics = wh_metrics_new();
        check(sets[0] && sets[1] && metrics && !err);
    }
    if (size > (1u << 20))
        return 0;
    for (int i = 0; i < 2; i++) {
        wh_review_result res;
        wh_review_handle(&engine, sets[i], metrics, (const char *)data, size, &res);
        check_reply(data, size, &res);
        wh_review_result_clear(&res);
    }
    return 0;
}
