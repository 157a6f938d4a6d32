/*
 * test_kaptest.c: the parts of `celgate test` (src/kaptest) on their own:
 * YAML scalars resolved as Kubernetes' decoder resolves them and node
 * positions; Go's %q; manifest paths; kaptest's reference matching;
 * expression positions mapped into policy files; manifest layouts and
 * their checks; regular expressions; JUnit escaping of what XML cannot
 * carry. The whole command is tested end to end by tests/kaptest/run.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kaptest/kt_int.h"

static char *tmpfile_with(const char *text)
{
    char *path = strdup("/tmp/kt-unit-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static json_t *load1(const char *text, kt_doc **docs)
{
    char *err = NULL;
    size_t n = kt_yaml_load("t.yaml", text, strlen(text), docs, &err);
    if (err)
        fail_msg("%s", err);
    assert_int_equal(n, 1);
    return (*docs)[0].root;
}

static void test_yaml_scalars(void **state)
{
    kt_doc *d;
    json_t *r = load1("a: yes\nb: Off\nc: y\nd: ~\ne:\nf: 0x1F\ng: 0o17\nh: 017\ni: 1_000\nj: \"09\"\nk: 09\n"
                      "l: 1.5e3\nm: 'true'\nn: |\n  text\no: -12\np: 99999999999999999999\nq: .5\nr: 10.96.0.0/16\n",
                      &d);
    assert_true(json_is_true(json_object_get(r, "a")));
    assert_true(json_is_false(json_object_get(r, "b")));
    assert_true(json_is_true(json_object_get(r, "c")));
    assert_true(json_is_null(json_object_get(r, "d")));
    assert_true(json_is_null(json_object_get(r, "e")));
    assert_int_equal(json_integer_value(json_object_get(r, "f")), 31);
    assert_int_equal(json_integer_value(json_object_get(r, "g")), 15);
    assert_int_equal(json_integer_value(json_object_get(r, "h")), 15);
    assert_int_equal(json_integer_value(json_object_get(r, "i")), 1000);
    assert_string_equal(json_string_value(json_object_get(r, "j")), "09");
    assert_true(json_is_real(json_object_get(r, "k")));
    assert_true(json_real_value(json_object_get(r, "k")) == 9.0);
    assert_true(json_real_value(json_object_get(r, "l")) == 1500.0);
    assert_string_equal(json_string_value(json_object_get(r, "m")), "true");
    assert_string_equal(json_string_value(json_object_get(r, "n")), "text\n");
    assert_int_equal(json_integer_value(json_object_get(r, "o")), -12);
    assert_true(json_is_real(json_object_get(r, "p")));
    assert_true(json_real_value(json_object_get(r, "q")) == 0.5);
    assert_string_equal(json_string_value(json_object_get(r, "r")), "10.96.0.0/16");
    kt_docs_free(d, 1);
}

static void test_yaml_positions_and_errors(void **state)
{
    kt_doc *d;
    json_t *r = load1("top:\n  list:\n  - name: x\n    v: 1\n", &d);
    const json_t *list = json_object_get(json_object_get(r, "top"), "list");
    kt_pos p = kt_doc_pos(d, list, NULL);
    assert_int_equal(p.line, 2); /* a value is located at its key */
    assert_int_equal(p.col, 3);
    const json_t *item = json_array_get(list, 0);
    p = kt_doc_pos(d, item, NULL);
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 5);
    p = kt_doc_pos(d, json_object_get(item, "v"), NULL);
    assert_int_equal(p.line, 4);
    assert_int_equal(p.col, 5);
    /* singletons have no position of their own: the fallback's */
    p = kt_doc_pos(d, json_true(), item);
    assert_int_equal(p.line, 3);
    kt_docs_free(d, 1);

    char *err = NULL;
    kt_doc *docs = NULL;
    size_t n = kt_yaml_load("t.yaml", "a: 1\na: 2\n", 8, &docs, &err);
    assert_int_equal(n, 0);
    assert_string_equal(err, "t.yaml:2:1: key \"a\" already set in map");
    free(err);
    kt_docs_free(docs, n);
    n = kt_yaml_load("t.yaml", "x: .inf\n", 8, &docs, &err);
    assert_string_equal(err, "t.yaml:1:4: .inf: infinite and NaN numbers cannot be converted to JSON");
    free(err);
    kt_docs_free(docs, n);
    /* documents before a syntax error are kept */
    const char *two = "a: 1\n---\nb: [\n";
    n = kt_yaml_load("t.yaml", two, strlen(two), &docs, &err);
    assert_int_equal(n, 1);
    assert_non_null(strstr(err, "t.yaml:4:1: YAML:"));
    free(err);
    kt_docs_free(docs, n);
    /* an alias bomb stops at the node cap */
    kt_buf b = {0};
    kt_buf_addf(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        kt_buf_addf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1, i - 1,
                    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    n = kt_yaml_load("bomb.yaml", kt_buf_str(&b), b.n, &docs, &err);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "expands to more than"));
    free(err);
    free(b.s);
    kt_docs_free(docs, n);
}

static void test_go_quote(void **state)
{
    char *q = kt_go_quote("a\"b\\\n\t\x01\x7f é ✓");
    assert_string_equal(q, "\"a\\\"b\\\\\\n\\t\\x01\\x7f é ✓\"");
    free(q);
    q = kt_go_quote("bad \xff\xfe utf8 \xc3");
    assert_string_equal(q, "\"bad \\xff\\xfe utf8 \\xc3\"");
    free(q);
    q = kt_go_quote("");
    assert_string_equal(q, "\"\"");
    free(q);
}

static void test_paths(void **state)
{
    static const char *const cases[][3] = {
        {"a/b/kaptest.yaml", "../p.yaml", "a/p.yaml"},
        {"kaptest.yaml", "../x.yaml", "../x.yaml"},
        {"kaptest.yaml", "r.yaml", "r.yaml"},
        {"/a/b/c.yaml", "../../d.yaml", "/d.yaml"},
        {"/a/k.yaml", "../../../d.yaml", "/d.yaml"},
        {"a/b.test/k.yaml", "./r.yaml", "a/b.test/r.yaml"},
        {"x/k.yaml", "/abs//p.yaml", "/abs/p.yaml"},
        {"../../k.yaml", "../p.yaml", "../../../p.yaml"},
        {"./t/k.yaml", "sub/./../r.yaml", "t/r.yaml"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = kt_path_beside(cases[i][0], cases[i][1]);
        assert_string_equal(p, cases[i][2]);
        free(p);
    }
}

static void test_references(void **state)
{
    char *path = tmpfile_with("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n---\n"
                              "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: b}\n---\n"
                              "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n---\n"
                              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {v: '1'}\n---\n"
                              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {v: '2'}\n---\n"
                              "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n"
                              "  metadata: {name: s}\n---\n- not a map\n");
    kt_resources r = {0};
    kt_resources_add_file(&r, path);
    assert_int_equal(r.errors.n, 0);
    assert_int_equal(r.n, 5); /* the ConfigMap twice is one (the later), the List is its item */
    char *err = NULL;
    kt_ref ref = {NULL, NULL, "Deployment", NULL, "web"};
    assert_null(kt_resources_find(&r, &ref, &err));
    assert_non_null(strstr(err, "multiple target resource found: Deployment:web"));
    free(err);
    ref.namespace_ = "b";
    const kt_resource *x = kt_resources_find(&r, &ref, &err);
    assert_non_null(x);
    assert_string_equal(x->namespace_, "b");
    assert_int_equal(x->pos.line, 5);
    /* a version without a group is not checked (kaptest) */
    kt_ref v = {NULL, "v9", "Deployment", NULL, "old"};
    assert_non_null(kt_resources_find(&r, &v, &err));
    kt_ref g = {"extensions", "v9", "Deployment", NULL, "old"};
    assert_null(kt_resources_find(&r, &g, &err));
    assert_null(err);
    g.version = "v1beta1";
    assert_non_null(kt_resources_find(&r, &g, &err));
    kt_ref c = {"", NULL, "ConfigMap", NULL, "c"};
    x = kt_resources_find(&r, &c, &err);
    assert_string_equal(json_string_value(json_object_get(json_object_get(x->obj, "data"), "v")), "2");
    kt_ref s = {NULL, NULL, "Secret", NULL, "s"};
    assert_non_null(kt_resources_find(&r, &s, &err));
    kt_ref nameless = {NULL, NULL, "Secret", NULL, ""};
    assert_null(kt_resources_find(&r, &nameless, &err));
    char *str = kt_ref_string(&ref);
    assert_string_equal(str, "Deployment:b/web");
    free(str);
    kt_resources_clear(&r);
    kt_resources_add_file(&r, "/nonexistent/r.yaml");
    assert_int_equal(r.errors.n, 1);
    assert_string_equal(r.errors.v[0], "read resources: /nonexistent/r.yaml: No such file or directory");
    kt_resources_clear(&r);
    unlink(path);
    free(path);
}

static void test_expression_positions(void **state)
{
    char *path = tmpfile_with("spec:\n"
                              "  - expression: object.spec.replicas > 0\n"
                              "  - expression: \"object.spec \\\"x\\\" + y\"\n"
                              "  - expression: |\n"
                              "      first &&\n"
                              "        second < )\n"
                              "  - expression: >-\n"
                              "      a ||\n"
                              "      b.c\n");
    int line, col;
    kt_expr_to_file(path, 2, 17, "object.spec.replicas > 0", 1, 22, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 38);
    /* double quotes and escapes */
    kt_expr_to_file(path, 3, 17, "object.spec \"x\" + y", 1, 19, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 38);
    /* a literal block: line 2 of the expression, its extra indentation kept */
    kt_expr_to_file(path, 4, 17, "first &&\n  second < )\n", 2, 12, &line, &col);
    assert_int_equal(line, 6);
    assert_int_equal(col, 18);
    /* a folded block: one expression line over two file lines */
    kt_expr_to_file(path, 7, 17, "a || b.c", 1, 6, &line, &col);
    assert_int_equal(line, 9);
    assert_int_equal(col, 7);
    /* unknown start: left as given */
    kt_expr_to_file("/nonexistent", 5, 3, "x", 1, 1, &line, &col);
    assert_int_equal(line, 5);
    assert_int_equal(col, 3);

    kt_strlist l = {0};
    kt_point(&l, path, 6, 18, "spec.validations[2].expression", true);
    assert_int_equal(l.n, 3);
    assert_non_null(strstr(l.v[0], ":6:18: spec.validations[2].expression"));
    assert_string_equal(l.v[1], "    6 |         second < )");
    char caret[64];
    snprintf(caret, sizeof caret, "      |%*s^", 18, "");
    assert_string_equal(l.v[2], caret);
    kt_strlist_clear(&l);
    unlink(path);
    free(path);
}

static kt_manifest manifest(const char *text, int want)
{
    char *path = tmpfile_with(text);
    kt_manifest m;
    assert_int_equal(kt_manifest_load(path, &m), want);
    unlink(path);
    free(path);
    return m;
}

static void test_manifests(void **state)
{
    kt_manifest m = manifest("version: v1alpha1\npolicies: [../p.yaml]\nresources: [r.yaml]\nvapTestSuites:\n"
                             "- policy: 123\n  tests: []\n  extra: 1\nmapTestSuites:\n- policy: m\n  tests: [{}]\n"
                             "testSuites: []\nfoo: bar\n",
                             0);
    assert_null(m.notice);
    assert_int_equal(m.nsuites, 2);
    assert_string_equal(m.suites[0].policy, "123");
    assert_false(m.suites[0].map);
    assert_true(m.suites[1].map);
    assert_int_equal(m.notes.n, 3); /* testSuites under v1alpha1, foo, extra */
    assert_non_null(strstr(m.policies.v[0], "p.yaml"));
    kt_manifest_clear(&m);

    m = manifest("validatingAdmissionPolicies: [p.yaml]\nresources: [r.yaml]\ntestSuites:\n- policy: p\n  tests: []\n",
                 0);
    assert_non_null(strstr(m.notice, "no version: read in kaptest's v0.1 layout"));
    assert_int_equal(m.nsuites, 1);
    kt_manifest_clear(&m);

    static const char *const bad[][2] = {
        {"version: v2\n", "invalid manifest: unsupported version \"v2\", supported versions: [v1alpha1]"},
        {"version: v1alpha1\nresources: [r]\nvapTestSuites: [{policy: p}]\n",
         "invalid manifest: at least one policies is required"},
        {"version: v1alpha1\npolicies: [p]\nvapTestSuites: [{policy: p}]\n",
         "invalid manifest: at least one resources is required"},
        {"version: v1alpha1\npolicies: [p]\nresources: [r]\n",
         "invalid manifest: at least one vapTestSuites or mapTestSuites is required"},
        {"version: v1alpha1\npolicies: p.yaml\n", "policies: must be a list of file paths"},
        {"version: v1alpha1\npolicies: [p]\nresources: [r]\nvapTestSuites: [{policy: p, tests: x}]\n",
         "vapTestSuites[0].tests: must be a list of test cases"},
        {"- a\n", "the manifest must be a map"},
        {"version: v1alpha1\npolicies: [\"\"]\n", "policies[0]: empty file path"},
        {"version: v1alpha1\nevaluateMatch: sometimes\npolicies: [p]\n", "evaluateMatch: must be true or false"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = manifest(bad[i][0], -1);
        if (!strstr(m.error, bad[i][1]))
            fail_msg("%s: got %s", bad[i][0], m.error);
        kt_manifest_clear(&m);
    }
    kt_manifest none;
    assert_int_equal(kt_manifest_load("/nonexistent/k.yaml", &none), -1);
    assert_string_equal(none.error, "read manifest YAML: /nonexistent/k.yaml: No such file or directory");
    kt_manifest_clear(&none);
}

static void test_regex(void **state)
{
    char *err = NULL;
    assert_int_equal(kt_regex_match("^at most [0-9]+ replicas$", "at most 3 replicas", &err), 1);
    assert_int_equal(kt_regex_match("^at most [0-2] replicas$", "at most 3 replicas", &err), 0);
    assert_int_equal(kt_regex_match("(", "x", &err), -1);
    assert_non_null(strstr(err, "missing closing parenthesis"));
    free(err);
    /* catastrophic backtracking is cut off, not waited for */
    char subject[64];
    memset(subject, 'a', 40);
    subject[40] = '\0';
    int rc = kt_regex_match("^(a+)+$b", subject, &err);
    assert_true(rc == 0 || (rc == -1 && strstr(err, "match limit")));
    free(err);
}

static void test_junit_escaping(void **state)
{
    kt_result c = {0};
    c.status = KT_FAIL;
    c.tag = "VAP";
    c.policy = strdup("p<&>");
    c.title = strdup("(CREATE) X:y");
    c.expect = strdup("admit");
    c.actual = strdup("deny");
    c.name = strdup("bell \a, bad utf8 \xff\xc3, U+FFFE \xef\xbf\xbe, ok é");
    c.id = strdup("vapTestSuites[0].tests[0]");
    kt_strlist_push(&c.lines, strdup("--- DENY: \"quotes\" 'apos' ]]> \x01"));
    kt_file_result f = {.path = strdup("k.yaml"), .cases = &c, .ncases = 1, .fail = 1};
    kt_report rep = {.files = &f, .nfiles = 1, .fail = 1};
    char path[] = "/tmp/kt-junit-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    char *err = NULL;
    assert_int_equal(kt_out_junit(&rep, path, &err), 0);
    size_t len;
    char *xml = kt_read_file(path, &len, &err);
    assert_non_null(xml);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)xml[i];
        if (ch < 0x20 && ch != '\n' && ch != '\t')
            fail_msg("raw control character 0x%02x at %zu", ch, i);
    }
    assert_non_null(strstr(xml, "classname=\"k.yaml.p&lt;&amp;&gt;\""));
    assert_non_null(strstr(xml, "bell \\x07, bad utf8 \\xff\\xc3, U+FFFE \\xef\\xbf\\xbe, ok é"));
    assert_non_null(strstr(xml, "&quot;quotes&quot; &apos;apos&apos; ]]&gt; \\x01"));
    assert_non_null(strstr(xml, "<failure message=\"ADMIT ==&gt; DENY\" type=\"verdict\">"));
    assert_non_null(strstr(xml, "tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""));
    free(xml);
    unlink(path);
    assert_int_equal(kt_out_junit(&rep, "/nonexistent/dir/x.xml", &err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/x.xml: No such file or directory"));
    free(err);
    kt_result_clear(&c);
    free(f.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_scalars),
        cmocka_unit_test(test_yaml_positions_and_errors),
        cmocka_unit_test(test_go_quote),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_expression_positions),
        cmocka_unit_test(test_manifests),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_junit_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
