/*
 * fuzz_review.c: AdmissionReview bodies through vap_handle_review, once
 * with the bundled policies (policies/) and once with fuzz/policies/,
 * whose expressions fail on most inputs under failurePolicy Fail and
 * Ignore with every kind of binding action. Invariants (abort on
 * violation), besides no crash or leak:
 *   - a refused body always says why;
 *   - a reply echoes request.uid and agrees with the outcome's `allowed`;
 *   - a reply never allows a request that some decision denied;
 *   - an error of a Fail policy is never ignored, and under a binding with
 *     Deny it always denies the request: the engine never answers
 *     allowed: true when such a policy errored;
 *   - an error of an Ignore policy never denies, warns or audits.
 *
 * The sets are loaded once per process (a harness-local cache, not product
 * state).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "celgate/vap.h"
#include "vap/vap_int.h"

static void check(bool ok)
{
    if (!ok)
        abort();
}

static vap_set *load(const char *path)
{
    char *err = NULL;
    vap_set *s = vap_set_load(path, NULL, &err);
    free(err);
    check(s != NULL); /* the shipped policies always load */
    return s;
}

static const vap_policy *policy_named(const vap_set *s, const char *name)
{
    for (size_t i = 0; name && i < s->npolicies; i++)
        if (!strcmp(s->policies[i].name, name))
            return &s->policies[i];
    return NULL;
}

static const vap_binding *binding_named(const vap_set *s, const char *name)
{
    for (size_t i = 0; name && i < s->nbindings; i++)
        if (!strcmp(s->bindings[i].name, name))
            return &s->bindings[i];
    return NULL;
}

/* The failure-policy invariants over every decision of one outcome. */
static void check_failure_policy(const vap_set *s, const vap_outcome *o)
{
    bool denied = false;
    for (size_t i = 0; i < o->ndecisions; i++)
        denied |= !strcmp(o->decisions[i].action, "deny");
    check(denied == !o->allowed);
    for (size_t i = 0; i < o->ndecisions; i++) {
        const vap_decision *d = &o->decisions[i];
        if (!d->errored)
            continue;
        const vap_policy *p = policy_named(s, d->policy);
        check(p != NULL);
        if (!p->fail) {
            check(!strcmp(d->action, "error-ignored"));
            continue;
        }
        check(strcmp(d->action, "error-ignored") != 0);
        const vap_binding *b = binding_named(s, d->binding);
        /* A policy-level error (no binding) denies under Fail; so does any
         * error under a binding with Deny. */
        if (!b || (b->actions & VAP_ACT_DENY))
            check(!o->allowed);
    }
}

static void review(const vap_set *s, const uint8_t *data, size_t size, const json_t *in)
{
    vap_outcome o;
    char *err = NULL;
    json_t *resp = vap_handle_review(s, (const char *)data, size, NULL, &o, &err);
    if (!resp) {
        check(err != NULL);
        free(err);
        return;
    }
    const json_t *r = json_object_get(resp, "response");
    const char *uid = json_string_value(json_object_get(json_object_get(in, "request"), "uid"));
    const char *out_uid = json_string_value(json_object_get(r, "uid"));
    check(uid && out_uid && !strcmp(uid, out_uid));
    check(json_is_boolean(json_object_get(r, "allowed")));
    bool allowed = json_is_true(json_object_get(r, "allowed"));
    check(allowed == o.allowed);
    check_failure_policy(s, &o);
    json_decref(resp);
    vap_outcome_clear(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vap_set *bundled, *failing;
    if (!bundled) {
        bundled = load(CELGATE_SOURCE_DIR "/policies");
        failing = load(CELGATE_SOURCE_DIR "/fuzz/policies");
    }
    /* The reference parse of the body, for the uid the reply must echo. */
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    review(bundled, data, size, in);
    review(failing, data, size, in);
    json_decref(in);
    return 0;
}
