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
}

static void test_config_error_ignores_actions(void **state)
{
    const char *pk = "  paramKind:\n    apiVersion: v1\n    kind: ConfigMap\n  validations:\n  - expression: \"true\"\n";
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
    s = load("Fail", "  paramKind:\n    apiVersion: v1\n    kind: ConfigMap\n  validations:\n  - expression: \"false\"\n",
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
    assert_non_null(strstr(o.message, "running out of cost budget"));
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

    s = load("Fail", "  auditAnnotations:\n  - key: k\n    valueExpression: \"err:bad\"\n", "[Audit]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed); /* enforced through the binding's actions */
    vap_outcome_clear(&o);
    vap_set_unref(s);
    s = load("Fail", "  auditAnnotations:\n  - key: k\n    valueExpression: \"err:bad\"\n", "[Deny]", NULL);
    review(s, request("CREATE", "v1", "c1", NULL, true), &o);
    assert_false(o.allowed);
    assert_string_equal(o.message, WRAPPED("valueExpression 'err:bad' resulted in error: bad"));
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

    s = load("Fail", "  validations:\n  - expression: \"op==CONNECT\"\n", "[Deny]", NULL);
    review(s, request("CONNECT", "v1", "c1", NULL, true), &o);
    assert_true(o.allowed);
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
        cmocka_unit_test(test_equivalent_request_is_converted),
        cmocka_unit_test(test_policy_objects_exempt),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_threads_share_one_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
