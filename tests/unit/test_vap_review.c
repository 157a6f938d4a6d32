/*
 * test_vap_review.c: the AdmissionReview exchange (vap-semantics §9):
 * decoding errors that name the JSON path, the response shape (uid echoed,
 * same apiVersion, status only when denied, warnings, audit annotation
 * keys without '/'), and the authorizer rules table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vap_stub.h"

static const char *const policy_yaml =
    "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p1\nspec:\n"
    "  matchConstraints:\n    resourceRules:\n    - apiGroups: [\"networking.k8s.io\"]\n      apiVersions: [\"v1\"]\n"
    "      operations: [\"CREATE\"]\n      resources: [\"servicecidrs\"]\n"
    "  validations:\n  - expression: \"name==ok\"\n    message: not ok\n"
    "  auditAnnotations:\n  - key: seen\n    valueExpression: \"'yes'\"\n"
    "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: b1\n"
    "spec:\n  policyName: p1\n  validationActions: [Deny, Audit]\n"
    "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: b2\n"
    "spec:\n  policyName: p1\n  validationActions: [Warn]\n";

static char *body(const char *api_version, const char *name)
{
    char *b = NULL;
    int n = asprintf(&b,
                     "{\"apiVersion\":\"%s\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"abc-123\","
                     "\"kind\":{\"group\":\"networking.k8s.io\",\"version\":\"v1\",\"kind\":\"ServiceCIDR\"},"
                     "\"resource\":{\"group\":\"networking.k8s.io\",\"version\":\"v1\",\"resource\":\"servicecidrs\"},"
                     "\"name\":\"%s\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"alice\"},"
                     "\"object\":{\"metadata\":{\"name\":\"%s\"}},\"oldObject\":null}}",
                     api_version, name, name);
    assert_true(n > 0);
    return b;
}

static void test_allowed_response(void **state)
{
    char *err = NULL;
    vap_set *s = stub_load(policy_yaml, &err);
    assert_non_null(s);
    char *b = body("admission.k8s.io/v1", "ok");
    vap_outcome o;
    json_t *r = vap_handle_review(s, b, strlen(b), NULL, &o, &err);
    assert_non_null(r);
    char *txt = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(txt, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{"
                             "\"uid\":\"abc-123\",\"allowed\":true,\"auditAnnotations\":{\"p1_seen\":\"yes\"}}}");
    assert_true(o.allowed);
    /* both bindings produced the same value: kept once */
    assert_string_equal(json_string_value(json_object_get(o.audit_annotations, "p1/seen")), "yes");
    free(txt);
    json_decref(r);
    vap_outcome_clear(&o);
    free(b);
    vap_set_unref(s);
}

static void test_denied_response(void **state)
{
    char *err = NULL;
    vap_set *s = stub_load(policy_yaml, &err);
    char *b = body("admission.k8s.io/v1beta1", "bad");
    json_t *r = vap_handle_review(s, b, strlen(b), NULL, NULL, &err);
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "apiVersion")), "admission.k8s.io/v1beta1");
    const json_t *resp = json_object_get(r, "response");
    assert_string_equal(json_string_value(json_object_get(resp, "uid")), "abc-123");
    assert_true(json_is_false(json_object_get(resp, "allowed")));
    const json_t *st = json_object_get(resp, "status");
    assert_int_equal(json_integer_value(json_object_get(st, "code")), 422);
    assert_string_equal(json_string_value(json_object_get(st, "message")),
                        "servicecidrs.networking.k8s.io \"bad\" is forbidden: ValidatingAdmissionPolicy 'p1' with "
                        "binding 'b1' denied request: not ok");
    /* the Warn binding's warning rides along on the denial */
    const json_t *w = json_object_get(resp, "warnings");
    assert_int_equal(json_array_size(w), 1);
    assert_string_equal(json_string_value(json_array_get(w, 0)),
                        "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b2': not ok");
    const json_t *aa = json_object_get(resp, "auditAnnotations");
    assert_string_equal(json_string_value(json_object_get(aa, "validation_failure")),
                        "[{\"message\":\"not ok\",\"policy\":\"p1\",\"binding\":\"b1\",\"expressionIndex\":0,"
                        "\"validationActions\":[\"Deny\",\"Audit\"]}]");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)aa, k, v)
        assert_null(strchr(k, '/'));
    json_decref(r);
    free(b);
    vap_set_unref(s);
}

static void expect_refused(const vap_set *s, const char *b, const char *want)
{
    char *err = NULL;
    json_t *r = vap_handle_review(s, b, strlen(b), NULL, NULL, &err);
    assert_null(r);
    assert_non_null(err);
    if (!strstr(err, want))
        fail_msg("error '%s' does not contain '%s'", err, want);
    free(err);
}

static void test_malformed_reviews(void **state)
{
    char *err = NULL;
    vap_set *s = stub_load(policy_yaml, &err);
    expect_refused(s, "{", "AdmissionReview: invalid JSON at line 1");
    expect_refused(s, "[]", "AdmissionReview: must be a JSON object");
    expect_refused(s, "{\"kind\":\"AdmissionReview\"}", "apiVersion: Required value");
    expect_refused(s, "{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\"}",
                   "apiVersion: Unsupported value: \"admission.k8s.io/v2\"");
    expect_refused(s, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", "request: Required value");
    expect_refused(s, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}",
                   "request.uid: Required value");
    expect_refused(s, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                      "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":1}}}",
                   "request.resource.version: must be a string");
    expect_refused(s, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                      "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\","
                      "\"resource\":\"pods\"},\"operation\":\"CREATE\",\"object\":[1]}}",
                   "request.object: must be an object or null");
    expect_refused(s, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                      "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\","
                      "\"resource\":\"pods\"},\"operation\":\"CREATE\",\"userInfo\":{\"groups\":[1]}}}",
                   "request.userInfo.groups[0]: must be a string");
    vap_set_unref(s);
}

static void test_authorizer_rules(void **state)
{
    json_error_t je;
    json_t *rules = json_loads("[{\"user\":\"alice\",\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
                               "\"namespaces\":[\"default\"],\"decision\":\"allow\",\"reason\":\"alice reads pods\"},"
                               "{\"groups\":[\"ops\"],\"verbs\":[\"*\"],\"resources\":[\"*\"],\"decision\":\"allow\"},"
                               "{\"user\":\"*\",\"paths\":[\"/healthz\"],\"verbs\":[\"get\"],\"decision\":\"allow\"},"
                               "{\"user\":\"mallory\",\"decision\":\"deny\",\"reason\":\"banned\"}]",
                               0, &je);
    char *err = NULL;
    vap_authorizer *a = vap_authorizer_from_json(rules, &err);
    assert_non_null(a);
    const char *reason = NULL;
    json_t *ops = json_pack("[s]", "ops");
    vap_authz_query q = {.user = "alice", .verb = "get", .group = "", .resource = "pods", .namespace_ = "default"};
    assert_int_equal(vap_authz_decide(a, &q, &reason), 1);
    assert_string_equal(reason, "alice reads pods");
    q.verb = "delete";
    assert_int_equal(vap_authz_decide(a, &q, &reason), -1); /* no opinion */
    q.user = "bob";
    q.groups = ops;
    assert_int_equal(vap_authz_decide(a, &q, &reason), 1);
    vap_authz_query p = {.user = "carol", .verb = "get", .is_path = true, .path = "/healthz"};
    assert_int_equal(vap_authz_decide(a, &p, &reason), 1);
    p.path = "/metrics";
    assert_int_equal(vap_authz_decide(a, &p, &reason), -1);
    vap_authz_query m = {.user = "mallory", .verb = "get", .group = "", .resource = "pods"};
    assert_int_equal(vap_authz_decide(a, &m, &reason), 0);
    assert_string_equal(reason, "banned");
    /* no table: every check denied, saying so */
    assert_int_equal(vap_authz_decide(NULL, &m, &reason), 0);
    assert_string_equal(reason, "no authorizer rules configured");
    vap_authorizer_free(a);
    json_decref(rules);
    json_decref(ops);

    rules = json_loads("[{\"user\":\"x\",\"decision\":\"maybe\"}]", 0, &je);
    assert_null(vap_authorizer_from_json(rules, &err));
    assert_string_equal(err, "rules[0].decision: Unsupported value: \"maybe\": supported values: \"allow\", \"deny\"");
    free(err);
    json_decref(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed_response),
        cmocka_unit_test(test_denied_response),
        cmocka_unit_test(test_malformed_reviews),
        cmocka_unit_test(test_authorizer_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
