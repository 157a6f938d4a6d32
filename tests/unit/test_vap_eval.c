/*
 * test_vap_eval.c: the evaluation pipeline with a stub expression backend:
 * failurePolicy and its two kinds of error (§2.1), validationActions and
 * their texts (§7), messages and messageExpression limits (§6.1, §6.3),
 * matchConditions (§4), params (§5), variables (§6.2), budgets, audit
 * annotations (§6.4), DELETE/UPDATE/CONNECT (§8), equivalence conversion
 * (§3.5), the Status shape, and one set reviewed from several threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vap_stub.h"

/* A policy on ServiceCIDR CREATE/UPDATE/DELETE/CONNECT with `extra` spec
 * lines, and a binding with `actions` and `bextra` spec lines. */
static vap_set *load(const char *fail, const char *extra, const char *actions, const char *bextra)
{
    char *y = NULL;
    int n = asprintf(&y,
                     "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
                     "metadata:\n  name: p1\nspec:\n  failurePolicy: %s\n  matchConstraints:\n    resourceRules:\n"
                     "    - apiGroups: [\"networking.k8s.io\"]\n      apiVersions: [\"v1\"]\n"
                     "      operations: [\"CREATE\", \"UPDATE\", \"DELETE\", \"CONNECT\"]\n"
                     "      resources: [\"servicecidrs\"]\n%s"
                     "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                     "metadata:\n  name: b1\nspec:\n  policyName: p1\n  validationActions: %s\n%s",
                     fail, extra, actions, bextra ? bextra : "");
    assert_true(n > 0);
    char *err = NULL;
    vap_set *s = vap_set_load_text("t.yaml", y, strlen(y), NULL, &stub_backend, &err);
    if (!s)
        fail_msg("load failed: %s", err);
    free(err);
    free(y);
    return s;
}

static json_t *request(const char *op, const char *version, const char *name, const char *ns, bool with_obj)
{
    json_t *obj = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:[s]}}", "apiVersion", "networking.k8s.io/v1", "kind",
                            "ServiceCIDR", "metadata", "name", name, "labels", "team", "a", "spec", "cidrs",
                            "10.96.1.0/24");
    json_t *r = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:{s:s, s:[s]}}", "uid", "u-1",
                          "kind", "group", "networking.k8s.io", "version", version, "kind", "ServiceCIDR", "resource",
                          "group", "networking.k8s.io", "version", version, "resource", "servicecidrs", "name", name,
                          "operation", op, "userInfo", "username", "alice", "groups", "dev");
    if (ns)
        json_object_set_new(r, "namespace", json_string(ns));
    bool old = !strcmp(op, "UPDATE") || !strcmp(op, "DELETE");
    bool neu = strcmp(op, "DELETE") != 0;
    json_object_set(r, "object", with_obj && neu ? obj : json_null());
    json_object_set(r, "oldObject", with_obj && old ? obj : json_null());
    json_decref(obj);
    return r;
}

static void review(const vap_set *s, json_t *rq, vap_outcome *o)
{
    char *err = NULL;
    int rc = vap_evaluate(s, rq, NULL, o, &err);
    if (rc != 0)
        fail_msg("evaluate failed: %s", err);
    json_decref(rq);
}

static const char *annotation(const vap_outcome *o, const char *key)
{
    return json_string_value(json_object_get(o->audit_annotations, key));
}

#define CORE(msg) "ValidatingAdmissionPolicy 'p1' with binding 'b1' denied request: " msg
#define WRAPPED(msg) "servicecidrs.networking.k8s.io \"c1\" is forbidden: " CORE(msg)

static void test_failed_expression_denies_422(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"true\"\n  - expression: \"  false \"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_int_equal(o.code, 422);
    assert_string_equal(o.reason, "Invalid");
    assert_string_equal(o.message, WRAPPED("failed expression: false"));
    char *st = json_dumps(o.status, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(st, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                            "servicecidrs.networking.k8s.io \\\"c1\\\" is forbidden: ValidatingAdmissionPolicy 'p1' with "
                            "binding 'b1' denied request: failed expression: false\",\"reason\":\"Invalid\",\"details\":{"
                            "\"name\":\"c1\",\"group\":\"networking.k8s.io\",\"kind\":\"servicecidrs\",\"causes\":[{"
                            "\"message\":\"ValidatingAdmissionPolicy 'p1' with binding 'b1' denied request: failed "
                            "expression: false\"}]},\"code\":422}");
    free(st);
    assert_int_equal(o.nwarnings, 0);
    assert_int_equal(json_object_size(o.audit_annotations), 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_message_and_reason(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"false\"\n    message: \" no way \"\n    reason: Forbidden\n",
                      "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_int_equal(o.code, 403);
    assert_string_equal(o.reason, "Forbidden");
    assert_string_equal(o.message, WRAPPED("no way"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_message_expression_rules(void **state)
{
    char big[6000];
    memset(big, 'x', sizeof big);
    big[0] = '\'';
    big[5122] = '\'';
    big[5123] = '\0'; /* 5121 bytes: over the limit */
    char *extra = NULL;
    assert_true(asprintf(&extra,
                         "  validations:\n"
                         "  - expression: \"false\"\n    messageExpression: \"' from expr '\"\n    message: m0\n"
                         "  - expression: \"false\"\n    messageExpression: \"%s\"\n    message: m1\n"
                         "  - expression: \"false\"\n    messageExpression: \"'   '\"\n    message: m2\n"
                         "  - expression: \"false\"\n    messageExpression: \"err:nope\"\n"
                         "  - expression: \"false\"\n    messageExpression: \"'two\\nlines'\"\n    message: m4\n",
                         big) > 0);
    vap_set *s = load("Fail", extra, "[Warn]", NULL);
    free(extra);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 5);
    const char *pre = "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': ";
    const char *want[5] = {"from expr", "m1", "m2", "failed expression: false", "m4"};
    for (int i = 0; i < 5; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s%s", pre, want[i]);
        assert_string_equal(o.warnings[i], buf);
    }
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_runtime_error_fail_and_ignore(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"err:no such key: cidrs\"\n", "[Deny, Audit]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'err:no such key: cidrs' resulted in error: no such key: cidrs"));
    assert_int_equal(o.code, 422);
    assert_non_null(annotation(&o, "validation.policy.admission.k8s.io/validation_failure"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Ignore", "  validations:\n  - expression: \"err:boom\"\n", "[Deny, Audit]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 0);
    assert_int_equal(json_object_size(o.audit_annotations), 0); /* no warning, no audit entry */
    assert_int_equal(o.ndecisions, 1);
    assert_string_equal(o.decisions[0].action, "error-ignored");
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* failurePolicy never changes what false does */
    s = load("Ignore", "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_error_enforced_per_actions(void **state)
{
    /* an evaluation error under Fail with [Warn] only warns */
    vap_set *s = load("Fail", "  validations:\n  - expression: \"err:boom\"\n", "[Warn]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 1);
    assert_string_equal(o.warnings[0], "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': "
                                       "expression 'err:boom' resulted in error: boom");
    assert_int_equal(json_object_size(o.audit_annotations), 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* with [Audit] it is only audited, under its validation's index */
    s = load("Fail", "  validations:\n  - expression: \"true\"\n  - expression: \"err:boom\"\n", "[Audit]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 0);
    assert_string_equal(annotation(&o, "validation.policy.admission.k8s.io/validation_failure"),
                        "[{\"message\":\"expression 'err:boom' resulted in error: boom\",\"policy\":\"p1\","
                        "\"binding\":\"b1\",\"expressionIndex\":1,\"validationActions\":[\"Audit\"]}]");
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* the budget error of the whole pass is audited at index 0, under
     * [Warn, Audit] warned as well */
    char extra[2048] = "  validations:\n";
    for (int i = 0; i < 11; i++)
        strcat(extra, "  - expression: \"costfalse:999999\"\n");
    s = load("Fail", extra, "[Warn, Audit]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 1);
    assert_string_equal(o.warnings[0], "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': "
                                       "validation failed due to running out of cost budget, no further validation "
                                       "rules will be run");
    assert_string_equal(annotation(&o, "validation.policy.admission.k8s.io/validation_failure"),
                        "[{\"message\":\"validation failed due to running out of cost budget, no further validation "
                        "rules will be run\",\"policy\":\"p1\",\"binding\":\"b1\",\"expressionIndex\":0,"
                        "\"validationActions\":[\"Warn\",\"Audit\"]}]");
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* Deny together with Audit: denied and audited, no warning */
    s = load("Fail", "  validations:\n  - expression: \"err:boom\"\n", "[Audit, Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'err:boom' resulted in error: boom"));
    assert_int_equal(o.nwarnings, 0);
    assert_string_equal(annotation(&o, "validation.policy.admission.k8s.io/validation_failure"),
                        "[{\"message\":\"expression 'err:boom' resulted in error: boom\",\"policy\":\"p1\","
                        "\"binding\":\"b1\",\"expressionIndex\":0,\"validationActions\":[\"Audit\",\"Deny\"]}]");
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_audit_annotation_json(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"true\"\n  - expression: \"false\"\n    message: bad\n",
                      "[Warn, Audit]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_string_equal(annotation(&o, "validation.policy.admission.k8s.io/validation_failure"),
                        "[{\"message\":\"bad\",\"policy\":\"p1\",\"binding\":\"b1\",\"expressionIndex\":1,"
                        "\"validationActions\":[\"Warn\",\"Audit\"]}]");
    assert_int_equal(o.nwarnings, 1);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* several failures: the first one audited is the one kept */
    s = load("Fail", "  validations:\n  - expression: \"false\"\n    message: first\n  - expression: \"false\"\n"
                     "    message: second\n", "[Deny, Audit]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_string_equal(annotation(&o, "validation.policy.admission.k8s.io/validation_failure"),
                        "[{\"message\":\"first\",\"policy\":\"p1\",\"binding\":\"b1\",\"expressionIndex\":0,"
                        "\"validationActions\":[\"Deny\",\"Audit\"]}]");
    assert_string_equal(o.message, WRAPPED("first"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_config_error_ignores_actions(void **state)
{
    const char *pk = "  paramKind:\n    apiVersion: example.com/v1\n    kind: Limits\n  validations:\n  - expression: \"true\"\n";
    const char *pr = "  paramRef:\n    name: missing\n    parameterNotFoundAction: Deny\n";
    vap_set *s = load("Fail", pk, "[Warn]", pr);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed); /* configuration errors deny whatever the actions */
    assert_string_equal(o.message, WRAPPED("failed to configure binding: no params found for policy binding with "
                                           "`Deny` parameterNotFoundAction"));
    assert_int_equal(o.nwarnings, 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Ignore", pk, "[Deny]", pr);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    const char *allow = "  paramRef:\n    name: missing\n    parameterNotFoundAction: Allow\n";
    s = load("Fail", "  paramKind:\n    apiVersion: example.com/v1\n    kind: Limits\n  validations:\n  - expression: \"false\"\n",
             "[Deny]", allow);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed); /* the binding is a no-op */
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static const char *const params_docs =
    "---\napiVersion: example.com/v1\nkind: Limits\nmetadata:\n  name: l1\n  labels: {set: a}\nmode: ok\n"
    "---\napiVersion: example.com/v1\nkind: Limits\nmetadata:\n  name: l2\n  labels: {set: a}\nmode: strict\n"
    "---\napiVersion: example.com/v1\nkind: Limits\nmetadata:\n  name: l3\n  labels: {set: b}\nmode: ok\n";

static void test_params_by_name_and_selector(void **state)
{
    const char *pk = "  paramKind:\n    apiVersion: example.com/v1\n    kind: Limits\n"
                     "  validations:\n  - expression: \"param:mode==ok\"\n";
    char bx[512];
    snprintf(bx, sizeof bx, "  paramRef:\n    name: l1\n    parameterNotFoundAction: Deny\n%s", params_docs);
    vap_set *s = load("Fail", pk, "[Deny]", bx);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    snprintf(bx, sizeof bx, "  paramRef:\n    name: l2\n    parameterNotFoundAction: Deny\n%s", params_docs);
    s = load("Fail", pk, "[Deny]", bx);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* selector: evaluated once per param, any denial denies */
    snprintf(bx, sizeof bx, "  paramRef:\n    selector:\n      matchLabels: {set: a}\n    parameterNotFoundAction: Deny\n%s",
             params_docs);
    s = load("Fail", pk, "[Warn]", bx);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 1); /* l2 fails, l1 passes */
    vap_outcome_clear(&o);
    vap_set_unref(s);
    snprintf(bx, sizeof bx, "  paramRef:\n    selector:\n      matchLabels: {set: b}\n    parameterNotFoundAction: Deny\n%s",
             params_docs);
    s = load("Fail", pk, "[Warn]", bx);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_int_equal(o.nwarnings, 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* a cluster-scoped paramKind takes no paramRef.namespace */
    snprintf(bx, sizeof bx, "  paramRef:\n    name: l1\n    namespace: team-a\n    parameterNotFoundAction: Deny\n%s",
             params_docs);
    s = load("Fail", pk, "[Deny]", bx);
    review(s, request("CREATE", "v1", "c1", "team-a", true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("failed to configure binding: paramRef.namespace must not be provided for "
                                           "a cluster-scoped `paramKind`"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* paramKind without paramRef: once, with params null */
    s = load("Fail", pk, "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'param:mode==ok' resulted in error: no such key: mode"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_params_namespaced(void **state)
{
    const char *pk = "  paramKind:\n    apiVersion: v1\n    kind: ConfigMap\n"
                     "  validations:\n  - expression: \"param:mode==ok\"\n";
    const char *docs = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: team-a\nmode: ok\n"
                       "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: team-b\nmode: no\n";
    char bx[1024];
    snprintf(bx, sizeof bx, "  paramRef:\n    name: cfg\n    parameterNotFoundAction: Deny\n%s", docs);
    vap_set *s = load("Fail", pk, "[Deny]", bx);
    vap_outcome o;
    /* the request's namespace picks the param */
    review(s, request("CREATE", "v1", "c1", "team-a", true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    review(s, request("CREATE", "v1", "c1", "team-b", true), &o);
    assert_false(o.allowed);
    vap_outcome_clear(&o);
    /* a cluster-scoped request cannot use a namespaced paramRef without namespace */
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("failed to configure binding: cannot use namespaced paramRef in policy "
                                           "binding that matches cluster-scoped resources"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
    /* a ConfigMap paramKind is namespaced even with no ConfigMap loaded */
    s = load("Fail", pk, "[Deny]", "  paramRef:\n    name: cfg\n    parameterNotFoundAction: Allow\n");
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("failed to configure binding: cannot use namespaced paramRef in policy "
                                           "binding that matches cluster-scoped resources"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
    /* a selector picks among the params of the request's namespace */
    s = load("Fail", pk, "[Warn]", "  paramRef:\n    selector: {}\n    parameterNotFoundAction: Deny\n"
             "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: team-a\nmode: ok\n"
             "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: team-a\nmode: no\n"
             "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: team-b\nmode: no\n");
    review(s, request("CREATE", "v1", "c1", "team-a", true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 1); /* b fails; c is in another namespace */
    vap_outcome_clear(&o);
    review(s, request("CREATE", "v1", "c1", "team-c", true), &o);
    assert_false(o.allowed); /* none there: Deny */
    assert_string_equal(o.message, WRAPPED("failed to configure binding: no params found for policy binding with "
                                           "`Deny` parameterNotFoundAction"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
    /* paramRef.namespace wins over the request's */
    snprintf(bx, sizeof bx, "  paramRef:\n    name: cfg\n    namespace: team-a\n    parameterNotFoundAction: Deny\n%s",
             docs);
    s = load("Fail", pk, "[Deny]", bx);
    review(s, request("CREATE", "v1", "c1", "team-b", true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_match_conditions(void **state)
{
    vap_set *s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"err:x\"\n  - name: b\n    expression: \"false\"\n"
                              "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed); /* false wins over an error, in any order */
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"err:x\"\n  - name: b\n    expression: \"true\"\n"
                     "  validations:\n  - expression: \"true\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'err:x' resulted in error: x"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Ignore", "  matchConditions:\n  - name: a\n    expression: \"err:x\"\n"
                       "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* the kubernetes ServiceCIDR exclusion of the documentation */
    s = load("Fail", "  matchConditions:\n  - name: exclude\n    expression: \"name==other\"\n"
                     "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_budgets(void **state)
{
    /* per call: 1,000,000 */
    vap_set *s = load("Fail", "  validations:\n  - expression: \"cost:1000001\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_string_equal(o.message, WRAPPED("expression 'cost:1000001' resulted in error: operation cancelled: actual "
                                           "cost limit exceeded"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* shared 10,000,000: the eleventh 999,999 runs out */
    char extra[2048] = "  validations:\n";
    for (int i = 0; i < 11; i++)
        strcat(extra, "  - expression: \"costfalse:999999\"\n");
    s = load("Fail", extra, "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("validation failed due to running out of cost budget, no further "
                                           "validation rules will be run"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* ten fit */
    char ten[2048] = "  validations:\n";
    for (int i = 0; i < 10; i++)
        strcat(ten, "  - expression: \"cost:999999\"\n");
    s = load("Fail", ten, "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* matchConditions: their own 2,500,000 */
    s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"cost:900000\"\n  - name: b\n    expression: \"cost:900000\"\n"
                     "  - name: c\n    expression: \"cost:900000\"\n  validations:\n  - expression: \"true\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("validation failed due to running out of cost budget, no further "
                                           "validation rules will be run"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* messageExpressions run out: every decision without its own error becomes one */
    char mx[2048] = "  validations:\n  - expression: \"costfalse:999999\"\n    messageExpression: \"'m'\"\n";
    for (int i = 0; i < 9; i++)
        strcat(mx, "  - expression: \"cost:999999\"\n");
    strcat(mx, "  - expression: \"true\"\n    messageExpression: \"cost:999999\"\n");
    s = load("Fail", mx, "[Warn]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_int_equal(o.nwarnings, 11);
    assert_string_equal(o.warnings[10], "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': "
                                        "failed messageExpression: validation failed due to running out of cost budget, "
                                        "no further validation rules will be run");
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_variables_lazy_and_cached(void **state)
{
    vap_set *s = load("Fail",
                      "  variables:\n  - name: used\n    expression: \"count:true\"\n"
                      "  - name: unused\n    expression: \"count:true\"\n  - name: both\n    expression: \"count:true\"\n"
                      "  - name: composed\n    expression: \"var:used\"\n"
                      "  validations:\n  - expression: \"var:used\"\n  - expression: \"var:used\"\n"
                      "  - expression: \"var:composed\"\n"
                      "  - expression: \"var:both\"\n    messageExpression: \"var:both\"\n",
                      "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    const vap_policy *p = &s->policies[0];
    assert_int_equal(((stub_prog *)p->variables[0].expr.prog)->count, 1); /* once per group */
    assert_int_equal(((stub_prog *)p->variables[1].expr.prog)->count, 0); /* never read */
    assert_int_equal(((stub_prog *)p->variables[2].expr.prog)->count, 2); /* validations + messages */
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Fail", "  variables:\n  - name: bad\n    expression: \"err:boom\"\n"
                     "  validations:\n  - expression: \"true\"\n  - expression: \"var:bad\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'var:bad' resulted in error: composited variable \"bad\" fails "
                                           "to evaluate: boom"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_audit_annotations(void **state)
{
    vap_set *s = load("Fail", "  auditAnnotations:\n  - key: k\n    valueExpression: \"' v '\"\n"
                              "  - key: n\n    valueExpression: \"null\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_string_equal(annotation(&o, "p1/k"), "v");
    assert_null(annotation(&o, "p1/n"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* distinct values of several params are joined */
    s = load("Fail", "  paramKind:\n    apiVersion: example.com/v1\n    kind: Limits\n"
                     "  auditAnnotations:\n  - key: mode\n    valueExpression: \"param-mode\"\n",
             "[Deny]", "  paramRef:\n    selector: {}\n    parameterNotFoundAction: Deny\n"
             "---\napiVersion: example.com/v1\nkind: Limits\nmetadata:\n  name: l1\nmode: ok\n"
             "---\napiVersion: example.com/v1\nkind: Limits\nmetadata:\n  name: l2\nmode: strict\n"
             "---\napiVersion: example.com/v1\nkind: Limits\nmetadata:\n  name: l3\nmode: ok\n");
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_string_equal(annotation(&o, "p1/mode"), "ok, strict");
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* an error denies under Fail whatever the actions, and is dropped under Ignore */
    s = load("Fail", "  auditAnnotations:\n  - key: k\n    valueExpression: \"serr:bad\"\n", "[Audit]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'serr:bad' resulted in error: bad"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
    s = load("Ignore", "  auditAnnotations:\n  - key: k\n    valueExpression: \"serr:bad\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(json_object_size(o.audit_annotations), 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);

}

static void test_operations(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"name==c1\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("UPDATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    /* DELETE: object is null, an unguarded read errors */
    review(s, request("DELETE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("expression 'name==c1' resulted in error: no such key: metadata"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* a result other than true fails, like false */
    s = load("Fail", "  validations:\n  - expression: \"liebool:null\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("failed expression: liebool:null"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Fail", "  validations:\n  - expression: \"op==CONNECT\"\n", "[Deny]", NULL);
    review(s, request("CONNECT", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_namespace_object(void **state)
{
    char *err = NULL;
    const char *y = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p1\n"
                    "spec:\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [\"\"]\n      apiVersions: [\"v1\"]\n"
                    "      operations: [\"*\"]\n      resources: [\"namespaces\", \"configmaps\"]\n"
                    "  validations:\n  - expression: has-namespace-object\n"
                    "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                    "metadata:\n  name: b1\nspec:\n  policyName: p1\n  validationActions: [Deny]\n";
    vap_set *s = vap_set_load_text("t.yaml", y, strlen(y), NULL, &stub_backend, &err);
    assert_non_null(s);
    /* a namespaced object sees its Namespace */
    json_t *cm = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:{}}", "uid", "u", "kind",
                           "group", "", "version", "v1", "kind", "ConfigMap", "resource", "group", "", "version", "v1",
                           "resource", "configmaps", "name", "c", "namespace", "team", "operation", "CREATE", "object");
    vap_outcome o;
    review(s, cm, &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    /* a Namespace request names itself as namespace: namespaceObject is null */
    json_t *ns = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:{}}", "uid", "u", "kind",
                           "group", "", "version", "v1", "kind", "Namespace", "resource", "group", "", "version", "v1",
                           "resource", "namespaces", "name", "team", "namespace", "team", "operation", "CREATE", "object");
    review(s, ns, &o);
    assert_false(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_equivalent_request_is_converted(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"apiVersion==networking.k8s.io/v1\"\n"
                              "  - expression: \"kind==ServiceCIDR\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1beta1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.ndecisions, 2);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_status_names_requested_resource(void **state)
{
    char *err = NULL;
    const char *y = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p1\n"
                    "spec:\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [\"apps\"]\n      apiVersions: [\"v1\"]\n"
                    "      operations: [\"*\"]\n      resources: [\"deployments\"]\n"
                    "  validations:\n  - expression: \"false\"\n"
                    "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                    "metadata:\n  name: b1\nspec:\n  policyName: p1\n  validationActions: [Deny]\n";
    vap_set *s = vap_set_load_text("t.yaml", y, strlen(y), NULL, &stub_backend, &err);
    assert_non_null(s);
    /* converted by the API server for the webhook: resource is apps/v1, the
     * client asked for extensions/v1beta1 */
    json_t *rq = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s},"
                           " s:s, s:s, s:s, s:{}}", "uid", "u",
                           "kind", "group", "apps", "version", "v1", "kind", "Deployment",
                           "resource", "group", "apps", "version", "v1", "resource", "deployments",
                           "requestKind", "group", "extensions", "version", "v1beta1", "kind", "Deployment",
                           "requestResource", "group", "extensions", "version", "v1beta1", "resource", "deployments",
                           "name", "web", "namespace", "default", "operation", "CREATE", "object");
    vap_outcome o;
    review(s, rq, &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, "deployments.extensions \"web\" is forbidden: ValidatingAdmissionPolicy 'p1' with "
                                   "binding 'b1' denied request: failed expression: false");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o.status, "details"), "group")), "extensions");
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_policy_objects_exempt(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    json_t *rq = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s}", "uid", "u",
                           "kind", "group", "admissionregistration.k8s.io", "version", "v1", "kind",
                           "ValidatingAdmissionPolicy", "resource", "group", "admissionregistration.k8s.io", "version",
                           "v1", "resource", "validatingadmissionpolicies", "name", "x", "operation", "CREATE");
    vap_outcome o;
    review(s, rq, &o);
    assert_true(o.allowed);
    assert_int_equal(o.ndecisions, 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_request_errors(void **state)
{
    vap_set *s = load("Fail", "  validations:\n  - expression: \"true\"\n", "[Deny]", NULL);
    vap_outcome o;
    char *err = NULL;
    json_t *rq = json_pack("{s:s}", "uid", "x");
    assert_int_equal(vap_evaluate(s, rq, NULL, &o, &err), -1);
    assert_string_equal(err, "request.kind: Required value");
    free(err);
    json_decref(rq);
    rq = request("PATCH", "v1", "c1", NULL, true);
    assert_int_equal(vap_evaluate(s, rq, NULL, &o, &err), -1);
    assert_string_equal(err, "request.operation: Unsupported value: \"PATCH\": supported values: \"CONNECT\", "
                             "\"CREATE\", \"DELETE\", \"UPDATE\"");
    free(err);
    json_decref(rq);
    vap_set_unref(s);
}

/* A policy matching every resource, for the exemptions (upstream
 * generic/plugin.go and kubeapiserver/admission/exclusion/resources.go). */
static vap_set *load_everything(void)
{
    char *err = NULL;
    const char *y = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p1\n"
                    "spec:\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [\"*\"]\n      apiVersions: [\"*\"]\n"
                    "      operations: [\"*\"]\n      resources: [\"*\"]\n"
                    "  validations:\n  - expression: \"false\"\n"
                    "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                    "metadata:\n  name: b1\nspec:\n  policyName: p1\n  validationActions: [Deny]\n";
    vap_set *s = vap_set_load_text("t.yaml", y, strlen(y), NULL, &stub_backend, &err);
    if (!s)
        fail_msg("load: %s", err);
    return s;
}

static json_t *plain_request(const char *group, const char *version, const char *kind, const char *resource,
                             const char *ns)
{
    json_t *r = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:{s:{s:s}}}", "uid", "u",
                          "kind", "group", group, "version", version, "kind", kind,
                          "resource", "group", group, "version", version, "resource", resource,
                          "name", "x", "operation", "CREATE", "object", "metadata", "name", "x");
    if (ns)
        json_object_set_new(r, "namespace", json_string(ns));
    return r;
}

static void test_review_resources_exempt(void **state)
{
    vap_set *s = load_everything();
    static const char *const exempt[][2] = {
        {"authentication.k8s.io", "tokenreviews"},           {"authentication.k8s.io", "selfsubjectreviews"},
        {"authorization.k8s.io", "subjectaccessreviews"},    {"authorization.k8s.io", "selfsubjectaccessreviews"},
        {"authorization.k8s.io", "selfsubjectrulesreviews"}, {"admissionregistration.k8s.io", "mutatingadmissionpolicies"},
    };
    vap_outcome o;
    for (size_t i = 0; i < sizeof exempt / sizeof exempt[0]; i++) {
        review(s, plain_request(exempt[i][0], "v1", "Review", exempt[i][1], NULL), &o);
        if (!o.allowed || o.ndecisions)
            fail_msg("%s/%s was evaluated", exempt[i][0], exempt[i][1]);
        vap_outcome_clear(&o);
    }
    json_t *lsar = plain_request("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews",
                                 "team-a");
    review(s, lsar, &o);
    assert_true(o.allowed);
    vap_outcome_clear(&o);
    /* everything else is judged, ValidatingWebhookConfigurations included */
    review(s, plain_request("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                            "validatingwebhookconfigurations", NULL), &o);
    assert_false(o.allowed);
    vap_outcome_clear(&o);
    review(s, plain_request("", "v1", "ConfigMap", "configmaps", "team-a"), &o);
    assert_false(o.allowed);
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_audit_annotation_type_error_denies_under_ignore(void **state)
{
    /* validator.go: a value of another type is AuditAnnotationActionError
     * whatever the failurePolicy; the dispatcher denies on it */
    vap_set *s = load("Ignore", "  auditAnnotations:\n  - key: k\n    valueExpression: \"liestr:1\"\n", "[Audit]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("valueExpression 'liestr:1' resulted in unsupported return type: int. "
                                           "Return type must be either string or null."));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_audit_annotation_budget_replaces_result(void **state)
{
    /* 11 x 999,999 exhaust the auditAnnotations' 10,000,000: upstream's
     * Validate returns that one error decision instead of the whole result,
     * enforced per the binding's actions (here a warning only); the failed
     * validation and the values computed so far are dropped */
    char extra[4096] = "  validations:\n  - expression: \"false\"\n    message: m\n  auditAnnotations:\n";
    for (int i = 0; i < 11; i++)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
                 "  - key: k%d\n    valueExpression: \"coststr:999999\"\n", i);
    vap_set *s = load("Fail", extra, "[Warn]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.nwarnings, 1);
    assert_string_equal(o.warnings[0], "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': "
                                       "validation failed due to running out of cost budget, no further validation "
                                       "rules will be run");
    assert_int_equal(json_object_size(o.audit_annotations), 0);
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* ten fit: every value is published and the validation warns */
    char ten[4096] = "  validations:\n  - expression: \"false\"\n    message: m\n  auditAnnotations:\n";
    for (int i = 0; i < 10; i++)
        snprintf(ten + strlen(ten), sizeof ten - strlen(ten), "  - key: k%d\n    valueExpression: \"coststr:999999\"\n", i);
    s = load("Fail", ten, "[Warn]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_int_equal(o.nwarnings, 1);
    assert_string_equal(o.warnings[0], "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': m");
    assert_int_equal(json_object_size(o.audit_annotations), 10);
    assert_string_equal(annotation(&o, "p1/k9"), "v");
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_match_conditions_upstream_logic(void **state)
{
    vap_outcome o;
    /* every condition is evaluated (condition.go ForInput) before any result
     * is looked at: running out of budget after a false one still fails */
    vap_set *s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"false\"\n"
                              "  - name: b\n    expression: \"cost:900000\"\n  - name: c\n    expression: \"cost:900000\"\n"
                              "  - name: d\n    expression: \"cost:900000\"\n  validations:\n  - expression: \"true\"\n",
                      "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("validation failed due to running out of cost budget, no further "
                                           "validation rules will be run"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* only a false result excludes (matcher.go compares with false): a
     * null where the checker promised bool is met */
    s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"liebool:null\"\n"
                     "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("failed expression: false"));
    vap_outcome_clear(&o);
    vap_set_unref(s);

    /* errors are aggregated as apimachinery's utilerrors does: distinct
     * messages in brackets, a repeated one once and bare */
    s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"err:x\"\n  - name: b\n    expression: \"err:y\"\n"
                     "  validations:\n  - expression: \"true\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_string_equal(o.message, WRAPPED("[expression 'err:x' resulted in error: x, expression 'err:y' resulted in "
                                           "error: y]"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
    s = load("Fail", "  matchConditions:\n  - name: a\n    expression: \"err:x\"\n  - name: b\n    expression: \"err:x\"\n"
                     "  validations:\n  - expression: \"true\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_string_equal(o.message, WRAPPED("expression 'err:x' resulted in error: x"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_status_name_from_object_only(void **state)
{
    /* admission/errors.go extractResourceName: the request's name, else the
     * new object's, else "Unknown"; never the old object's */
    vap_set *s = load("Fail", "  validations:\n  - expression: \"false\"\n", "[Deny]", NULL);
    vap_outcome o;
    json_t *rq = request("DELETE", "v1", "c1", NULL, true);
    json_object_set_new(rq, "name", json_string(""));
    review(s, rq, &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, "servicecidrs.networking.k8s.io \"Unknown\" is forbidden: " CORE("failed expression: false"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(o.status, "details"), "name")), "Unknown");
    vap_outcome_clear(&o);
    /* CREATE with generateName only */
    rq = request("CREATE", "v1", "", NULL, true);
    json_object_set_new(json_object_get(json_object_get(rq, "object"), "metadata"), "generateName", json_string("gen-"));
    review(s, rq, &o);
    assert_string_equal(o.message, "servicecidrs.networking.k8s.io \"gen-\" is forbidden: " CORE("failed expression: false"));
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_message_expression_length_boundary(void **state)
{
    /* exactly 5120 bytes is kept; 5121 falls back (the other test) */
    char *big = malloc(5200);
    big[0] = '\'';
    memset(big + 1, 'y', 5120);
    big[5121] = '\'';
    big[5122] = '\0';
    char *extra = NULL;
    assert_true(asprintf(&extra, "  validations:\n  - expression: \"false\"\n    messageExpression: \"%s\"\n    message: short\n",
                         big) > 0);
    vap_set *s = load("Fail", extra, "[Warn]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_int_equal(o.nwarnings, 1);
    const char *pre = "Validation failed for ValidatingAdmissionPolicy 'p1' with binding 'b1': ";
    assert_int_equal(strlen(o.warnings[0]), strlen(pre) + 5120);
    assert_int_equal(o.warnings[0][strlen(pre)], 'y');
    vap_outcome_clear(&o);
    vap_set_unref(s);
    free(extra);
    free(big);
}

static void test_audit_annotation_value_cut_at_10k(void **state)
{
    vap_set *s = load("Fail", "  auditAnnotations:\n  - key: k\n    valueExpression: \"long:10300\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(strlen(annotation(&o, "p1/k")), 10240);
    vap_outcome_clear(&o);
    vap_set_unref(s);
    /* a cut inside a character: the byte left over reads as U+FFFD, as Go's
     * JSON encoding of the audit event shows it, instead of losing the value */
    s = load("Fail", "  auditAnnotations:\n  - key: k\n    valueExpression: \"longe:10239\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    const char *v = annotation(&o, "p1/k");
    assert_non_null(v);
    assert_int_equal(strlen(v), 10242);
    assert_string_equal(v + 10239, "\xef\xbf\xbd");
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

static void test_decision_error_types(void **state)
{
    /* the error_type labels upstream's ErrorType(decision) gives: a false
     * validation is "invalid_error" too; a pass is "no_error"; a
     * configuration error is celgate's "config_error" (upstream counts none) */
    vap_set *s = load("Fail", "  validations:\n  - expression: \"true\"\n  - expression: \"false\"\n"
                              "  - expression: \"err:boom\"\n", "[Deny]", NULL);
    vap_outcome o;
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_int_equal(o.ndecisions, 3);
    assert_string_equal(o.decisions[0].action, "admit");
    assert_string_equal(o.decisions[0].error_type, "no_error");
    assert_string_equal(o.decisions[1].action, "deny");
    assert_string_equal(o.decisions[1].error_type, "invalid_error");
    assert_string_equal(o.decisions[2].error_type, "invalid_error");
    vap_outcome_clear(&o);
    vap_set_unref(s);

    char extra[2048] = "  validations:\n";
    for (int i = 0; i < 11; i++)
        strcat(extra, "  - expression: \"costfalse:999999\"\n");
    s = load("Ignore", extra, "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
    assert_int_equal(o.ndecisions, 1);
    assert_string_equal(o.decisions[0].action, "error-ignored");
    assert_string_equal(o.decisions[0].error_type, "out_of_budget");
    vap_outcome_clear(&o);
    vap_set_unref(s);

    s = load("Fail", "  paramKind:\n    apiVersion: example.com/v1\n    kind: Limits\n  validations:\n  - expression: \"true\"\n",
             "[Deny]", "  paramRef:\n    name: missing\n    parameterNotFoundAction: Deny\n");
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_int_equal(o.ndecisions, 1);
    assert_string_equal(o.decisions[0].error_type, "config_error");
    vap_outcome_clear(&o);
    vap_set_unref(s);
}

typedef struct thread_arg {
    const vap_set *set;
    int allowed, denied;
} thread_arg;

static void *reviewer(void *p)
{
    thread_arg *a = p;
    for (int i = 0; i < 200; i++) {
        json_t *rq = request("CREATE", "v1", i % 2 ? "c1" : "c2", NULL, true);
        vap_outcome o;
        char *err = NULL;
        if (vap_evaluate(a->set, rq, NULL, &o, &err) == 0) {
            if (o.allowed)
                a->allowed++;
            else
                a->denied++;
            vap_outcome_clear(&o);
        }
        free(err);
        json_decref(rq);
    }
    return NULL;
}

static void test_threads_share_one_set(void **state)
{
    vap_set *s = load("Fail", "  variables:\n  - name: v\n    expression: \"name==c1\"\n"
                              "  validations:\n  - expression: \"var:v\"\n", "[Deny]", NULL);
    pthread_t t[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){vap_set_ref(s), 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, reviewer, &args[i]), 0);
    }
    vap_set_unref(s); /* the threads' references keep it alive */
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].allowed, 100);
        assert_int_equal(args[i].denied, 100);
        vap_set_unref((vap_set *)args[i].set);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_expression_denies_422),
        cmocka_unit_test(test_message_and_reason),
        cmocka_unit_test(test_message_expression_rules),
        cmocka_unit_test(test_runtime_error_fail_and_ignore),
        cmocka_unit_test(test_error_enforced_per_actions),
        cmocka_unit_test(test_audit_annotation_json),
        cmocka_unit_test(test_config_error_ignores_actions),
        cmocka_unit_test(test_params_by_name_and_selector),
        cmocka_unit_test(test_params_namespaced),
        cmocka_unit_test(test_match_conditions),
        cmocka_unit_test(test_budgets),
        cmocka_unit_test(test_variables_lazy_and_cached),
        cmocka_unit_test(test_audit_annotations),
        cmocka_unit_test(test_operations),
        cmocka_unit_test(test_namespace_object),
        cmocka_unit_test(test_equivalent_request_is_converted),
        cmocka_unit_test(test_status_names_requested_resource),
        cmocka_unit_test(test_policy_objects_exempt),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_review_resources_exempt),
        cmocka_unit_test(test_audit_annotation_type_error_denies_under_ignore),
        cmocka_unit_test(test_audit_annotation_budget_replaces_result),
        cmocka_unit_test(test_match_conditions_upstream_logic),
        cmocka_unit_test(test_status_name_from_object_only),
        cmocka_unit_test(test_message_expression_length_boundary),
        cmocka_unit_test(test_decision_error_types),
        cmocka_unit_test(test_audit_annotation_value_cut_at_10k),
        cmocka_unit_test(test_threads_share_one_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
