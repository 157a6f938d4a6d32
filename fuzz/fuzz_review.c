/*
 * fuzz_review.c: AdmissionReview bodies through vap_handle_review with the
 * bundled policies (policies/). Invariants: no crash or leak; a reply
 * echoes request.uid; a reply never allows a request that some decision
 * denied (in particular, a Fail policy that errored under Deny).
 *
 * The set is loaded once per process (a harness-local cache, not product
 * state). Without a CEL evaluator in the build the bundled policies cannot
 * compile; an empty set then still exercises the decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "celgate/vap.h"
#include "vap/vap_int.h"

static vap_set *bundled(void)
{
    static vap_set *set;
    if (!set) {
        char *err = NULL;
        set = vap_set_load(CELGATE_SOURCE_DIR "/policies/servicecidr-default.yaml", NULL, &err);
        free(err);
        if (!set)
            set = vap_set_load_text("empty", "", 0, NULL, NULL, NULL);
        if (!set)
            abort();
    }
    return set;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vap_outcome o;
    char *err = NULL;
    json_t *resp = vap_handle_review(bundled(), (const char *)data, size, NULL, &o, &err);
    if (!resp) {
        if (!err)
            abort(); /* a refusal always says why */
        free(err);
        return 0;
    }
    const json_t *r = json_object_get(resp, "response");
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    const char *uid = json_string_value(json_object_get(json_object_get(in, "request"), "uid"));
    const char *out_uid = json_string_value(json_object_get(r, "uid"));
    if (!uid || !out_uid || strcmp(uid, out_uid))
        abort();
    bool allowed = json_is_true(json_object_get(r, "allowed"));
    if (allowed != o.allowed)
        abort();
    for (size_t i = 0; i < o.ndecisions; i++)
        if (!strcmp(o.decisions[i].action, "deny") && allowed)
            abort();
    json_decref(in);
    json_decref(resp);
    vap_outcome_clear(&o);
    return 0;
}
