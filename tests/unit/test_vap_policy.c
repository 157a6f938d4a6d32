/*
 * test_vap_policy.c: the engine's API for test tools, with the real CEL
 * implementation: one policy evaluated without matching or bindings
 * (vap_evaluate_policy: per-validation decisions, matchConditions,
 * auditAnnotations), deferred compile errors worded as upstream words a
 * stored policy's, expression positions in the policy file, the coverage
 * observer, the namespaceObject override, the set builder, and folder
 * loading passing over *.test folders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "celgate/vap.h"

#define HEAD                                                                                                 \
    "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p\n" \
    "spec:\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [\"apps\"]\n"                        \
    "      apiVersions: [\"v1\"]\n      operations: [\"*\"]\n      resources: [\"deployments\"]\n"

static vap_set *load(const char *spec, bool defer, char **errs)
{
    char *y = NULL;
    assert_true(asprintf(&y, HEAD "%s", spec) > 0);
    vap_load_opts o = {.defer_compile_errors = defer};
    vap_builder *b = vap_builder_new(&o, NULL);
    assert_non_null(b);
    vap_builder_add_text(b, "p.yaml", y, strlen(y));
    free(y);
    char *err = NULL;
    vap_set *s = vap_builder_finish(b, &err);
    if (errs)
        *errs = err;
    else
        free(err);
    return s;
}

static json_t *request(const char *op, int replicas, const char *ns)
{
    json_t *obj = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:i}}", "apiVersion", "apps/v1", "kind", "Deployment",
                            "metadata", "name", "web", "labels", "app", "web", "spec", "replicas", replicas);
    json_t *r = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:{s:s, s:[s]}}", "uid", "u",
                          "kind", "group", "apps", "version", "v1", "kind", "Deployment", "resource", "group", "apps",
                          "version", "v1", "resource", "deployments", "name", "web", "operation", op, "userInfo",
                          "username", "alice", "groups", "dev");
    if (ns) {
        json_object_set_new(r, "namespace", json_string(ns));
        json_object_set_new(json_object_get(obj, "metadata"), "namespace", json_string(ns));
    }
    json_object_set(r, strcmp(op, "DELETE") ? "object" : "oldObject", obj);
    json_decref(obj);
    return r;
}

static void eval(const vap_set *s, json_t *rq, const json_t *params, const vap_eval_opts *o, vap_policy_result *r)
{
    char *err = NULL;
    if (vap_evaluate_policy(s, 0, rq, params, o, r, &err) != 0)
        fail_msg("evaluate: %s", err);
    json_decref(rq);
}

static void test_decisions_per_validation(void **state)
{
    vap_set *s = load("  validations:\n"
                      "  - expression: object.spec.replicas <= 5\n"
                      "    messageExpression: \"'too many: ' + string(object.spec.replicas)\"\n"
                      "  - expression: object.metadata.name == 'web'\n"
                      "  - expression: object.spec.missing > 1\n"
                      "    reason: Forbidden\n"
                      "  - expression: \"false\"\n    reason: Forbidden\n",
                      false, NULL);
    assert_non_null(s);
    vap_policy_result r;
    eval(s, request("CREATE", 7, NULL), NULL, NULL, &r);
    assert_int_equal(r.conditions, 1);
    assert_int_equal(r.ndecisions, 4);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_DENY);
    assert_string_equal(r.decisions[0].message, "too many: 7");
    assert_string_equal(r.decisions[0].reason, "Invalid");
    assert_int_equal(r.decisions[1].kind, VAP_EVAL_ADMIT);
    assert_null(r.decisions[1].message);
    assert_int_equal(r.decisions[2].kind, VAP_EVAL_ERROR);
    assert_int_equal(r.decisions[2].index, 2);
    assert_string_equal(r.decisions[2].message,
                        "expression 'object.spec.missing > 1' resulted in error: no such key: missing");
    assert_null(r.decisions[2].reason);
    assert_int_equal(r.decisions[3].kind, VAP_EVAL_DENY);
    assert_string_equal(r.decisions[3].message, "failed expression: false");
    assert_string_equal(r.decisions[3].reason, "Forbidden");
    vap_policy_result_clear(&r);
    vap_set_unref(s);
}

static void test_match_conditions(void **state)
{
    vap_set *s = load("  matchConditions:\n  - name: is-create\n    expression: request.operation == 'CREATE'\n"
                      "  - name: broken\n    expression: object.nope == 1\n"
                      "  validations:\n  - expression: \"true\"\n",
                      false, NULL);
    assert_non_null(s);
    vap_policy_result r;
    /* a false condition wins over the other's error */
    eval(s, request("UPDATE", 1, NULL), NULL, NULL, &r);
    assert_int_equal(r.conditions, 0);
    assert_string_equal(r.failed_condition, "is-create");
    assert_int_equal(r.ndecisions, 0);
    vap_policy_result_clear(&r);
    eval(s, request("CREATE", 1, NULL), NULL, NULL, &r);
    assert_int_equal(r.conditions, -1);
    assert_string_equal(r.condition_error, "expression 'object.nope == 1' resulted in error: no such key: nope");
    assert_int_equal(r.ndecisions, 0);
    vap_policy_result_clear(&r);
    vap_set_unref(s);
}

static void test_deferred_compile_errors(void **state)
{
    const char *spec = "  variables:\n  - name: bad\n    expression: object.spec.(\n"
                       "  validations:\n  - expression: object.spec.replicas +\n"
                       "  - expression: \"1\"\n"
                       "  - expression: variables.bad == 1\n"
                       "  - expression: \"true\"\n"
                       "  auditAnnotations:\n  - key: k\n    valueExpression: \"1\"\n";
    char *errs = NULL;
    vap_set *s = load(spec, false, &errs);
    assert_null(s); /* refused as the API server refuses it on write */
    assert_non_null(strstr(errs, "p.yaml:14: spec.variables[0].expression: Invalid value: \"object.spec.(\": "
                                 "compilation failed: ERROR: <input>:1:13:"));
    free(errs);

    s = load(spec, true, &errs);
    assert_non_null(s);
    assert_null(errs);
    vap_policy_result r;
    eval(s, request("CREATE", 1, NULL), NULL, NULL, &r);
    assert_int_equal(r.ndecisions, 4);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_ERROR);
    assert_true(!strncmp(r.decisions[0].message, "compilation error: compilation failed: ERROR: <input>:1:", 56));
    assert_string_equal(r.decisions[1].message, "compilation error: must evaluate to bool");
    assert_int_equal(r.decisions[2].kind, VAP_EVAL_ERROR);
    assert_true(!strncmp(r.decisions[2].message,
                         "expression 'variables.bad == 1' resulted in error: composited variable \"bad\" fails to "
                         "compile: compilation failed: ERROR:",
                         113));
    assert_int_equal(r.decisions[3].kind, VAP_EVAL_ADMIT);
    assert_int_equal(r.naudit_errors, 1);
    assert_int_equal(r.audit_errors[0].index, 0);
    assert_string_equal(r.audit_errors[0].message, "compilation error: must evaluate to one of [string null_type]");
    vap_policy_result_clear(&r);

    vap_expr_info e;
    assert_int_equal(vap_set_expr_info(s, 0, VAP_EXPR_VALIDATION, 0, &e), 0);
    assert_true(e.present);
    assert_string_equal(e.expression, "object.spec.replicas +");
    assert_non_null(e.compile_error);
    assert_int_equal(e.line, 16);
    assert_int_equal(e.column, 17);
    assert_int_equal(vap_set_expr_info(s, 0, VAP_EXPR_VALIDATION, 3, &e), 0);
    assert_null(e.compile_error);
    assert_int_equal(vap_set_expr_info(s, 0, VAP_EXPR_MESSAGE, 0, &e), 0);
    assert_false(e.present);
    assert_int_equal(vap_set_expr_info(s, 0, VAP_EXPR_VARIABLE, 0, &e), 0);
    assert_string_equal(e.name, "bad");
    assert_int_equal(e.line, 14);
    assert_int_equal(vap_set_expr_info(s, 0, VAP_EXPR_VALIDATION, 4, &e), -1);
    vap_set_unref(s);
}

static void test_positions_of_styles(void **state)
{
    vap_set *s = load("  validations:\n"
                      "  - expression: |\n      object.spec.replicas\n        <= 5\n"
                      "  - expression: \"object.spec.replicas < 9\"\n"
                      "  - {expression: 'true'}\n",
                      false, NULL);
    assert_non_null(s);
    vap_expr_info e;
    vap_set_expr_info(s, 0, VAP_EXPR_VALIDATION, 0, &e);
    assert_int_equal(e.line, 13); /* the block indicator */
    assert_int_equal(e.column, 17);
    assert_string_equal(e.expression, "object.spec.replicas\n  <= 5\n");
    vap_set_expr_info(s, 0, VAP_EXPR_VALIDATION, 1, &e);
    assert_int_equal(e.line, 16); /* the opening quote */
    assert_int_equal(e.column, 17);
    vap_set_expr_info(s, 0, VAP_EXPR_VALIDATION, 2, &e);
    assert_int_equal(e.line, 17);
    assert_int_equal(e.column, 18);
    vap_policy_info pi;
    assert_int_equal(vap_set_policy_info(s, 0, &pi), 0);
    assert_string_equal(pi.name, "p");
    assert_string_equal(pi.file, "p.yaml");
    assert_true(pi.fail);
    assert_int_equal(pi.count[VAP_EXPR_VALIDATION], 3);
    assert_int_equal(vap_set_find_policy(s, "p"), 0);
    assert_int_equal(vap_set_find_policy(s, "q"), -1);
    vap_set_unref(s);
}

static void test_audit_annotations_and_params(void **state)
{
    const char *spec = "  paramKind:\n    apiVersion: v1\n    kind: ConfigMap\n"
                       "  validations:\n  - expression: object.spec.replicas <= int(params.data.max)\n"
                       "  auditAnnotations:\n  - key: replicas\n    valueExpression: string(object.spec.replicas)\n"
                       "  - key: none\n    valueExpression: \"null\"\n"
                       "  - key: broken\n    valueExpression: string(params.data.nope)\n";
    vap_set *s = load(spec, false, NULL);
    assert_non_null(s);
    json_t *params = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
                               "name", "cfg", "data", "max", "3");
    vap_policy_result r;
    eval(s, request("CREATE", 4, NULL), params, NULL, &r);
    assert_int_equal(r.ndecisions, 1);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_DENY);
    assert_string_equal(json_string_value(json_object_get(r.audit_annotations, "p/replicas")), "4");
    assert_int_equal(json_object_size(r.audit_annotations), 1);
    assert_int_equal(r.naudit_errors, 1);
    assert_int_equal(r.audit_errors[0].index, 2);
    assert_string_equal(r.audit_errors[0].message,
                        "expression 'string(params.data.nope)' resulted in error: no such key: nope");
    vap_policy_result_clear(&r);
    /* params null: an error, not a crash */
    eval(s, request("CREATE", 4, NULL), NULL, NULL, &r);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_ERROR);
    vap_policy_result_clear(&r);
    json_decref(params);
    vap_set_unref(s);
}

typedef struct seen_log {
    unsigned what[VAP_EXPR_KINDS][8];
    int calls;
} seen_log;

static void seen(void *ctx, const vap_set *s, size_t policy, vap_expr_kind kind, size_t index, unsigned what)
{
    seen_log *l = ctx;
    assert_int_equal(policy, 0);
    if (index < 8)
        l->what[kind][index] |= what;
    l->calls++;
}

static void test_observer(void **state)
{
    vap_set *s = load("  matchConditions:\n  - name: c\n    expression: object.spec.replicas > 0\n"
                      "  variables:\n  - name: big\n    expression: object.spec.replicas > 5\n"
                      "  - name: unused\n    expression: \"'x'\"\n"
                      "  validations:\n  - expression: \"!variables.big && !variables.big\"\n"
                      "  - expression: object.spec.nope == 1\n",
                      false, NULL);
    assert_non_null(s);
    seen_log log = {0};
    vap_observer obs = {seen, &log};
    vap_eval_opts o = {.observer = &obs};
    vap_policy_result r;
    eval(s, request("CREATE", 7, NULL), NULL, &o, &r);
    vap_policy_result_clear(&r);
    eval(s, request("CREATE", 2, NULL), NULL, &o, &r);
    vap_policy_result_clear(&r);
    assert_int_equal(log.what[VAP_EXPR_CONDITION][0], VAP_SEEN_TRUE);
    assert_int_equal(log.what[VAP_EXPR_VARIABLE][0], VAP_SEEN_TRUE | VAP_SEEN_FALSE);
    assert_int_equal(log.what[VAP_EXPR_VARIABLE][1], 0);
    assert_int_equal(log.what[VAP_EXPR_VALIDATION][0], VAP_SEEN_TRUE | VAP_SEEN_FALSE);
    assert_int_equal(log.what[VAP_EXPR_VALIDATION][1], VAP_SEEN_ERROR);
    /* per evaluation: 1 condition, the variable once (cached), 2 validations */
    assert_int_equal(log.calls, 8);

    /* the whole pipeline reports too */
    const char *b = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                    "metadata:\n  name: b\nspec:\n  policyName: p\n  validationActions: [Deny]\n";
    vap_set_unref(s);
    char *y = NULL;
    assert_true(asprintf(&y, HEAD "  validations:\n  - expression: object.spec.replicas < 3\n---\n%s", b) > 0);
    char *err = NULL;
    vap_builder *bl = vap_builder_new(NULL, NULL);
    vap_builder_add_text(bl, "x.yaml", y, strlen(y));
    free(y);
    s = vap_builder_finish(bl, &err);
    assert_non_null(s);
    memset(&log, 0, sizeof log);
    vap_outcome out;
    json_t *rq = request("CREATE", 7, NULL);
    assert_int_equal(vap_evaluate_opts(s, rq, &o, &out, &err), 0);
    json_decref(rq);
    assert_false(out.allowed);
    assert_int_equal(log.what[VAP_EXPR_VALIDATION][0], VAP_SEEN_FALSE);
    vap_outcome_clear(&out);
    vap_set_unref(s);
}

static void test_namespace_override(void **state)
{
    vap_set *s = load("  validations:\n  - expression: namespaceObject == null\n"
                      "  - expression: \"namespaceObject != null && 'team' in namespaceObject.metadata.labels\"\n",
                      false, NULL);
    assert_non_null(s);
    vap_policy_result r;
    /* by default a namespaced request gets the made-up Namespace */
    eval(s, request("CREATE", 1, "dev"), NULL, NULL, &r);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_DENY);
    assert_int_equal(r.decisions[1].kind, VAP_EVAL_DENY);
    vap_policy_result_clear(&r);
    vap_eval_opts o = {.namespace_given = true, .namespace_object = NULL};
    eval(s, request("CREATE", 1, "dev"), NULL, &o, &r);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_ADMIT);
    vap_policy_result_clear(&r);
    json_t *ns = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}}", "apiVersion", "v1", "kind", "Namespace", "metadata", "name",
                           "dev", "labels", "team", "a");
    o.namespace_object = ns;
    eval(s, request("CREATE", 1, "dev"), NULL, &o, &r);
    assert_int_equal(r.decisions[0].kind, VAP_EVAL_DENY);
    assert_int_equal(r.decisions[1].kind, VAP_EVAL_ADMIT);
    vap_policy_result_clear(&r);
    json_decref(ns);
    vap_set_unref(s);
}

static void test_builder_objects(void **state)
{
    const char *pol = HEAD "  paramKind:\n    apiVersion: v1\n    kind: ConfigMap\n"
                           "  validations:\n  - expression: object.spec.replicas <= int(params.data.max)\n";
    vap_builder *b = vap_builder_new(NULL, NULL);
    assert_int_equal(vap_builder_add_text(b, "p.yaml", pol, strlen(pol)), 0);
    json_t *binding = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:{s:s, s:s}, s:[s]}}", "apiVersion",
                                "admissionregistration.k8s.io/v1", "kind", "ValidatingAdmissionPolicyBinding",
                                "metadata", "name", "b", "spec", "policyName", "p", "paramRef", "name", "cfg",
                                "parameterNotFoundAction", "Deny", "validationActions", "Deny");
    json_t *cm = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
                           "name", "cfg", "namespace", "dev", "data", "max", "3");
    json_t *bad = json_pack("{s:s, s:s}", "apiVersion", "v1", "kind", "ConfigMap");
    assert_int_equal(vap_builder_add_object(b, binding, "r.yaml", 3), 0);
    assert_int_equal(vap_builder_add_object(b, cm, "r.yaml", 9), 0);
    assert_int_equal(vap_builder_add_object(b, bad, "r.yaml", 20), -1);
    char *err = NULL;
    vap_set *s = vap_builder_finish(b, &err);
    assert_null(s);
    assert_string_equal(err, "r.yaml:20: metadata.name: Required value");
    free(err);

    b = vap_builder_new(NULL, NULL);
    vap_builder_add_text(b, "p.yaml", pol, strlen(pol));
    vap_builder_add_object(b, binding, "r.yaml", 3);
    vap_builder_add_object(b, cm, "r.yaml", 9);
    s = vap_builder_finish(b, &err);
    assert_non_null(s);
    assert_null(err);
    /* the caller's object is not given the API server's defaults */
    assert_null(json_object_get(json_object_get(binding, "spec"), "matchResources"));
    assert_int_equal(vap_set_binding_count(s), 1);
    vap_outcome out;
    json_t *rq = request("CREATE", 4, "dev");
    assert_int_equal(vap_evaluate(s, rq, NULL, &out, &err), 0);
    json_decref(rq);
    assert_false(out.allowed);
    vap_outcome_clear(&out);
    rq = request("CREATE", 2, "dev");
    assert_int_equal(vap_evaluate(s, rq, NULL, &out, &err), 0);
    json_decref(rq);
    assert_true(out.allowed);
    vap_outcome_clear(&out);
    vap_set_unref(s);
    json_decref(binding);
    json_decref(cm);
    json_decref(bad);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_folders_skip_test_dirs(void **state)
{
    char dir[] = "/tmp/vap-policy-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/policy.yaml", dir);
    write_file(p, HEAD "  validations:\n  - expression: \"true\"\n");
    snprintf(p, sizeof p, "%s/policy.test", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/policy.test/kaptest.yaml", dir);
    write_file(p, "version: v1alpha1\npolicies: [../policy.yaml]\n");
    char *err = NULL;
    vap_set *s = vap_set_load(dir, NULL, &err);
    assert_non_null(s);
    assert_null(err);
    assert_int_equal(vap_set_policy_count(s), 1);
    vap_set_unref(s);
    /* named on its own, a .test folder is loaded (and its manifest refused) */
    snprintf(p, sizeof p, "%s/policy.test", dir);
    s = vap_set_load(p, NULL, &err);
    assert_null(s);
    assert_non_null(strstr(err, "kaptest.yaml:1: apiVersion: Required value"));
    free(err);
    snprintf(p, sizeof p, "%s/policy.test/kaptest.yaml", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/policy.test", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/policy.yaml", dir);
    unlink(p);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions_per_validation),
        cmocka_unit_test(test_match_conditions),
        cmocka_unit_test(test_deferred_compile_errors),
        cmocka_unit_test(test_positions_of_styles),
        cmocka_unit_test(test_audit_annotations_and_params),
        cmocka_unit_test(test_observer),
        cmocka_unit_test(test_namespace_override),
        cmocka_unit_test(test_builder_objects),
        cmocka_unit_test(test_folders_skip_test_dirs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
