/*
 * test_vap_match.c: resource matching (vap-semantics §3): scope,
 * operations, groups, versions, resources with subresources and
 * wildcards, resourceNames, exclusions, namespace and object selectors,
 * and matchPolicy Exact/Equivalent with the equivalence table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vap/vap_int.h"

typedef struct fixture {
    vap_request rq;
    json_t *object, *old, *ns;
} fixture;

static vap_request req(const char *group, const char *version, const char *resource, const char *sub,
                       const char *op, const char *ns, const char *name)
{
    vap_request r;
    memset(&r, 0, sizeof r);
    r.gvr = (vap_gvr){group, version, resource, "Kind"};
    r.req_gvr = r.gvr;
    r.subresource = sub;
    r.req_subresource = sub;
    r.operation = op;
    r.namespace_ = ns;
    r.name = name;
    return r;
}

static json_t *rule(const char *json)
{
    json_error_t e;
    json_t *r = json_loads(json, 0, &e);
    if (!r)
        fail_msg("bad test JSON: %s", e.text);
    return r;
}

/* One rule list holding one rule, matched with the request as it is. */
static bool rule_matches(const char *rule_json, const vap_request *rq)
{
    json_t *rules = json_pack("[o]", rule(rule_json));
    bool m = vap_rules_match(rules, rq, &rq->gvr);
    json_decref(rules);
    return m;
}

#define ANY_RULE(res) "{\"apiGroups\":[\"*\"],\"apiVersions\":[\"*\"],\"operations\":[\"*\"],\"resources\":[" res "],\"scope\":\"*\"}"

static void test_resources_and_subresources(void **state)
{
    vap_request pods = req("", "v1", "pods", "", "CREATE", "default", "p");
    vap_request status = req("", "v1", "pods", "status", "UPDATE", "default", "p");
    vap_request svc_status = req("", "v1", "services", "status", "UPDATE", "default", "s");
    /* pods does not match pods/status */
    assert_true(rule_matches(ANY_RULE("\"pods\""), &pods));
    assert_false(rule_matches(ANY_RULE("\"pods\""), &status));
    /* * matches all resources but no subresources */
    assert_true(rule_matches(ANY_RULE("\"*\""), &pods));
    assert_false(rule_matches(ANY_RULE("\"*\""), &status));
    // all resources and subresources: the star-slash-star form
    assert_true(rule_matches(ANY_RULE("\"*/*\""), &pods));
    assert_true(rule_matches(ANY_RULE("\"*/*\""), &status));
    // res-slash-star: every subresource of pods and, as upstream rules.go
    // splits it ("*" also matches the empty subresource), pods itself
    assert_true(rule_matches(ANY_RULE("\"pods/*\""), &pods));
    assert_true(rule_matches(ANY_RULE("\"pods/*\""), &status));
    assert_false(rule_matches(ANY_RULE("\"pods/*\""), &svc_status));
    // star-slash-status: every status subresource
    assert_true(rule_matches(ANY_RULE("\"*/status\""), &status));
    assert_true(rule_matches(ANY_RULE("\"*/status\""), &svc_status));
    assert_false(rule_matches(ANY_RULE("\"*/status\""), &pods));
    /* pods/status exactly */
    assert_true(rule_matches(ANY_RULE("\"pods/status\""), &status));
    assert_false(rule_matches(ANY_RULE("\"pods/status\""), &svc_status));
}

static void test_operations_groups_versions(void **state)
{
    vap_request r = req("networking.k8s.io", "v1", "servicecidrs", "", "DELETE", "", "x");
    assert_true(rule_matches("{\"apiGroups\":[\"networking.k8s.io\"],\"apiVersions\":[\"v1\"],\"operations\":[\"DELETE\"],"
                             "\"resources\":[\"servicecidrs\"]}", &r));
    assert_false(rule_matches("{\"apiGroups\":[\"networking.k8s.io\"],\"apiVersions\":[\"v1\"],\"operations\":[\"CREATE\",\"UPDATE\"],"
                              "\"resources\":[\"servicecidrs\"]}", &r));
    assert_false(rule_matches("{\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"operations\":[\"*\"],"
                              "\"resources\":[\"servicecidrs\"]}", &r));
    assert_false(rule_matches("{\"apiGroups\":[\"*\"],\"apiVersions\":[\"v1beta1\"],\"operations\":[\"*\"],"
                              "\"resources\":[\"servicecidrs\"]}", &r));
    vap_request c = req("", "v1", "pods", "exec", "CONNECT", "default", "p");
    assert_true(rule_matches("{\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"operations\":[\"CONNECT\"],"
                             "\"resources\":[\"pods/exec\"]}", &c));
}

static void test_scope(void **state)
{
    vap_request cluster = req("networking.k8s.io", "v1", "servicecidrs", "", "CREATE", "", "x");
    vap_request nsd = req("", "v1", "configmaps", "", "CREATE", "default", "x");
    vap_request nsobj = req("", "v1", "namespaces", "", "CREATE", "", "team-a");
    const char *namespaced = "{\"apiGroups\":[\"*\"],\"apiVersions\":[\"*\"],\"operations\":[\"*\"],\"resources\":[\"*\"],\"scope\":\"Namespaced\"}";
    const char *clusters = "{\"apiGroups\":[\"*\"],\"apiVersions\":[\"*\"],\"operations\":[\"*\"],\"resources\":[\"*\"],\"scope\":\"Cluster\"}";
    assert_false(rule_matches(namespaced, &cluster));
    assert_true(rule_matches(namespaced, &nsd));
    assert_false(rule_matches(namespaced, &nsobj)); /* a Namespace is cluster-scoped */
    assert_true(rule_matches(clusters, &cluster));
    assert_false(rule_matches(clusters, &nsd));
    assert_true(rule_matches(clusters, &nsobj));
    assert_true(rule_matches(ANY_RULE("\"*\""), &cluster));
}

static void test_resource_names(void **state)
{
    vap_request r = req("networking.k8s.io", "v1", "servicecidrs", "", "UPDATE", "", "kubernetes");
    vap_request o = req("networking.k8s.io", "v1", "servicecidrs", "", "UPDATE", "", "other");
    const char *named = "{\"apiGroups\":[\"*\"],\"apiVersions\":[\"*\"],\"operations\":[\"*\"],\"resources\":[\"*\"],"
                        "\"resourceNames\":[\"kubernetes\"]}";
    assert_true(rule_matches(named, &r));
    assert_false(rule_matches(named, &o));
}

static vap_match_resources mr(const json_t *rules, const json_t *exclude, const json_t *nssel, const json_t *objsel,
                              bool equivalent)
{
    vap_match_resources m = {true, nssel, objsel, rules, exclude, equivalent};
    return m;
}

static void test_exclusion_wins(void **state)
{
    json_t *rules = json_pack("[o]", rule(ANY_RULE("\"*\"")));
    json_t *excl = json_pack("[o]", rule("{\"apiGroups\":[\"*\"],\"apiVersions\":[\"*\"],\"operations\":[\"*\"],"
                                         "\"resources\":[\"servicecidrs\"],\"resourceNames\":[\"kubernetes\"]}"));
    vap_request k = req("networking.k8s.io", "v1", "servicecidrs", "", "CREATE", "", "kubernetes");
    vap_request o = req("networking.k8s.io", "v1", "servicecidrs", "", "CREATE", "", "other");
    vap_match_resources m = mr(rules, excl, NULL, NULL, true);
    vap_match out;
    vap_match_resources_eval(&m, &k, NULL, &out);
    assert_false(out.matched);
    vap_match_resources_eval(&m, &o, NULL, &out);
    assert_true(out.matched);
    /* a binding without rules matches everything its policy matched */
    vap_match_resources none = mr(NULL, NULL, NULL, NULL, true);
    vap_match_resources_eval(&none, &k, NULL, &out);
    assert_true(out.matched);
    json_decref(rules);
    json_decref(excl);
}

static void test_selectors(void **state)
{
    json_t *rules = json_pack("[o]", rule(ANY_RULE("\"*\"")));
    json_t *sel = rule("{\"matchLabels\":{\"env\":\"prod\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
                       "\"values\":[\"web\",\"db\"]},{\"key\":\"legacy\",\"operator\":\"DoesNotExist\"}]}");
    json_t *good = rule("{\"metadata\":{\"labels\":{\"env\":\"prod\",\"tier\":\"web\"}}}");
    json_t *bad = rule("{\"metadata\":{\"labels\":{\"env\":\"prod\",\"tier\":\"web\",\"legacy\":\"y\"}}}");
    json_t *other = rule("{\"metadata\":{\"labels\":{\"env\":\"dev\",\"tier\":\"web\"}}}");
    vap_match_resources m = mr(rules, NULL, NULL, sel, true);
    vap_match out;
    /* objectSelector: new or old labels; a null object never matches */
    vap_request r = req("", "v1", "configmaps", "", "CREATE", "default", "c");
    r.object = good;
    vap_match_resources_eval(&m, &r, NULL, &out);
    assert_true(out.matched);
    r.object = bad;
    vap_match_resources_eval(&m, &r, NULL, &out);
    assert_false(out.matched);
    r.object = other;
    r.old_object = good; /* UPDATE that changed the labels: the old ones still match */
    r.operation = "UPDATE";
    vap_match_resources_eval(&m, &r, NULL, &out);
    assert_true(out.matched);
    r.operation = "DELETE";
    r.object = NULL;
    r.old_object = other;
    vap_match_resources_eval(&m, &r, NULL, &out);
    assert_false(out.matched);
    r.old_object = good;
    vap_match_resources_eval(&m, &r, NULL, &out);
    assert_true(out.matched);

    /* NotIn and Exists */
    json_t *sel2 = rule("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\",\"values\":[\"db\"]},"
                        "{\"key\":\"env\",\"operator\":\"Exists\"}]}");
    assert_true(vap_selector_matches(sel2, json_object_get(json_object_get(good, "metadata"), "labels")));
    assert_false(vap_selector_matches(sel2, NULL));

    /* namespaceSelector: cluster-scoped requests pass; namespaced ones use
     * the Namespace's labels; a Namespace its own */
    vap_match_resources n = mr(rules, NULL, sel, NULL, true);
    vap_request c = req("networking.k8s.io", "v1", "servicecidrs", "", "CREATE", "", "x");
    vap_match_resources_eval(&n, &c, NULL, &out);
    assert_true(out.matched);
    vap_request nsd = req("", "v1", "configmaps", "", "CREATE", "default", "x");
    nsd.namespace_obj = good;
    vap_match_resources_eval(&n, &nsd, NULL, &out);
    assert_true(out.matched);
    nsd.namespace_obj = other;
    vap_match_resources_eval(&n, &nsd, NULL, &out);
    assert_false(out.matched);
    vap_request nso = req("", "v1", "namespaces", "", "CREATE", "", "team");
    nso.object = good;
    vap_match_resources_eval(&n, &nso, NULL, &out);
    assert_true(out.matched);
    nso.object = other;
    vap_match_resources_eval(&n, &nso, NULL, &out);
    assert_false(out.matched);
    /* a Namespace's subresource or DELETE is judged by the stored labels
     * (predicates/namespace/matcher.go GetNamespaceLabels): oldObject */
    json_t *all = json_pack("[o]", rule(ANY_RULE("\"*/*\"")));
    vap_match_resources nall = mr(all, NULL, sel, NULL, true);
    vap_request fin = req("", "v1", "namespaces", "finalize", "UPDATE", "team", "team");
    fin.object = good;
    fin.old_object = other;
    vap_match_resources_eval(&nall, &fin, NULL, &out);
    assert_false(out.matched);
    fin.object = other;
    fin.old_object = good;
    vap_match_resources_eval(&nall, &fin, NULL, &out);
    assert_true(out.matched);
    json_decref(all);
    vap_request del = req("", "v1", "namespaces", "", "DELETE", "team", "team");
    del.old_object = good;
    vap_match_resources_eval(&n, &del, NULL, &out);
    assert_true(out.matched);

    json_decref(rules);
    json_decref(sel);
    json_decref(sel2);
    json_decref(good);
    json_decref(bad);
    json_decref(other);
}

static void test_equivalence(void **state)
{
    json_t *rules = json_pack("[o]", rule("{\"apiGroups\":[\"networking.k8s.io\"],\"apiVersions\":[\"v1\"],"
                                          "\"operations\":[\"CREATE\"],\"resources\":[\"servicecidrs\"]}"));
    vap_request beta = req("networking.k8s.io", "v1beta1", "servicecidrs", "", "CREATE", "", "x");
    vap_match out;
    vap_match_resources eq = mr(rules, NULL, NULL, NULL, true);
    vap_match_resources_eval(&eq, &beta, NULL, &out);
    assert_true(out.matched);
    assert_string_equal(out.as.version, "v1");
    assert_string_equal(out.as.kind, "ServiceCIDR");
    vap_match_resources exact = mr(rules, NULL, NULL, NULL, false);
    vap_match_resources_eval(&exact, &beta, NULL, &out);
    assert_false(out.matched);

    json_t *apps = json_pack("[o]", rule("{\"apiGroups\":[\"apps\"],\"apiVersions\":[\"v1\"],"
                                         "\"operations\":[\"*\"],\"resources\":[\"deployments\"]}"));
    vap_request ext = req("extensions", "v1beta1", "deployments", "", "CREATE", "default", "d");
    vap_match_resources a = mr(apps, NULL, NULL, NULL, true);
    vap_match_resources_eval(&a, &ext, NULL, &out);
    assert_true(out.matched);
    assert_string_equal(out.as.group, "apps");
    json_t *batch = json_pack("[o]", rule("{\"apiGroups\":[\"batch\"],\"apiVersions\":[\"v1\"],"
                                          "\"operations\":[\"*\"],\"resources\":[\"cronjobs\"]}"));
    vap_request cj = req("batch", "v1beta1", "cronjobs", "", "CREATE", "default", "c");
    vap_match_resources b = mr(batch, NULL, NULL, NULL, true);
    vap_match_resources_eval(&b, &cj, NULL, &out);
    assert_true(out.matched);
    assert_string_equal(out.as.version, "v1");
    /* an exclusion naming the equivalent resource excludes too */
    json_t *ex = json_pack("[o]", rule("{\"apiGroups\":[\"networking.k8s.io\"],\"apiVersions\":[\"v1\"],"
                                       "\"operations\":[\"*\"],\"resources\":[\"servicecidrs\"]}"));
    json_t *all = json_pack("[o]", rule(ANY_RULE("\"*\"")));
    vap_match_resources exq = mr(all, ex, NULL, NULL, true);
    vap_match_resources_eval(&exq, &beta, NULL, &out);
    assert_false(out.matched);
    vap_match_resources exx = mr(all, ex, NULL, NULL, false);
    vap_match_resources_eval(&exx, &beta, NULL, &out);
    assert_true(out.matched);
    json_decref(ex);
    json_decref(all);
    /* the first rule that matches an equivalent decides the version
     * (policy/matching/matching.go loops rules, then equivalents) */
    json_t *two = json_pack("[o, o]", rule("{\"apiGroups\":[\"apps\"],\"apiVersions\":[\"v1beta2\"],"
                                          "\"operations\":[\"*\"],\"resources\":[\"deployments\"]}"),
                            rule("{\"apiGroups\":[\"apps\"],\"apiVersions\":[\"v1\"],"
                                 "\"operations\":[\"*\"],\"resources\":[\"deployments\"]}"));
    vap_match_resources m2 = mr(two, NULL, NULL, NULL, true);
    vap_match_resources_eval(&m2, &ext, NULL, &out);
    assert_true(out.matched);
    assert_string_equal(out.as.group, "apps");
    assert_string_equal(out.as.version, "v1beta2");
    json_decref(two);
    /* resourceNames apply to an equivalent match too */
    json_t *named = json_pack("[o]", rule("{\"apiGroups\":[\"networking.k8s.io\"],\"apiVersions\":[\"v1\"],"
                                          "\"operations\":[\"*\"],\"resources\":[\"servicecidrs\"],"
                                          "\"resourceNames\":[\"kubernetes\"]}"));
    vap_match_resources mn = mr(named, NULL, NULL, NULL, true);
    vap_match_resources_eval(&mn, &beta, NULL, &out);
    assert_false(out.matched);
    vap_request kbeta = req("networking.k8s.io", "v1beta1", "servicecidrs", "", "CREATE", "", "kubernetes");
    vap_match_resources_eval(&mn, &kbeta, NULL, &out);
    assert_true(out.matched);
    json_decref(named);
    /* no equivalent for a resource outside the table */
    vap_request jobs = req("batch", "v1beta1", "jobs", "", "CREATE", "default", "c");
    vap_match_resources_eval(&b, &jobs, NULL, &out);
    assert_false(out.matched);
    json_decref(rules);
    json_decref(apps);
    json_decref(batch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resources_and_subresources),
        cmocka_unit_test(test_operations_groups_versions),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_resource_names),
        cmocka_unit_test(test_exclusion_wins),
        cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_equivalence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
