/*
 * test_lib_semver.c: the Kubernetes semver library (version 1, Kubernetes
 * 1.33+): the cases of k8s.io/apiserver library/semver_test.go
 * ("upstream"), every blang/semver v4 parse error text, normalization,
 * semver.org precedence, equality, costs, version gating and printing.
 */
#include "k8s_types_support.h"

static void test_upstream(void **state)
{
    fixture *f = *state;
    want_bool(f, "semver('1.2.3') == semver('1.2.3')", true);
    want_error(f, "semver('v1.0')", "No Major.Minor.Patch elements found");
    want_bool(f, "isSemver('1.2.3-beta.1+build.1')", true);
    want_bool(f, "isSemver('')", false);
    want_bool(f, "isSemver('v1.0.0')", false);
    want_bool(f, "isSemver(' 1.0.0')", false);
    want_bool(f, "isSemver('1. 0.0')", false);
    want_bool(f, "isSemver('1.0.0 ')", false);
    want_bool(f, "isSemver('01.01.01')", false);
    want_bool(f, "isSemver('1')", false);
    want_bool(f, "isSemver('1.1')", false);
    want_bool(f, "isSemver('', true)", false);
    want_bool(f, "isSemver(' 1.0.0', true)", false);
    want_bool(f, "isSemver('1. 0.0', true)", false);
    want_bool(f, "isSemver('1.0.0 ', true)", false);
    want_bool(f, "isSemver('v1.0.0', true)", true);
    want_bool(f, "isSemver('01.01.01', true)", true);
    want_bool(f, "isSemver('1', true)", true);
    want_bool(f, "isSemver('1.1', true)", true);
    want_compile_error(f, "isSemver([1, 2, 3])",
                       "found no matching overload for 'isSemver' applied to '(list(int))'");
    want_bool(f, "semver('v01.01', true) == semver('1.1.0')", true);
    want_bool(f, "semver('1.2.3') == semver('1.0.0')", false);
    want_bool(f, "semver('1.0.0').isLessThan(semver('1.2.3'))", true);
    want_bool(f, "semver('1.0.0').isLessThan(semver('1.0.0'))", false);
    want_bool(f, "semver('1.2.3').isGreaterThan(semver('1.0.0'))", true);
    want_bool(f, "semver('1.0.0').isGreaterThan(semver('1.0.0'))", false);
    want_int(f, "semver('1.2.3').compareTo(semver('1.2.3'))", 0);
    want_int(f, "semver('1.0.0').compareTo(semver('1.2.3'))", -1);
    want_int(f, "semver('1.2.3').compareTo(semver('1.0.0'))", 1);
    want_int(f, "semver('1.2.3').major()", 1);
    want_int(f, "semver('1.2.3').minor()", 2);
    want_int(f, "semver('1.2.3').patch()", 3);
}

static void test_parse_errors(void **state)
{
    fixture *f = *state;
    want_error(f, "semver('')", "Version string empty");
    want_error(f, "semver('1.2')", "No Major.Minor.Patch elements found");
    want_error(f, "semver('a.b.c')", "Invalid character(s) found in major number \"a\"");
    want_error(f, "semver('1.b.c')", "Invalid character(s) found in minor number \"b\"");
    want_error(f, "semver('1.2.x')", "Invalid character(s) found in patch number \"x\"");
    want_error(f, "semver('1.2.3.4')", "Invalid character(s) found in patch number \"3.4\"");
    want_error(f, "semver('01.2.3')", "Major number must not contain leading zeroes \"01\"");
    want_error(f, "semver('1.02.3')", "Minor number must not contain leading zeroes \"02\"");
    want_error(f, "semver('1.2.03')", "Patch number must not contain leading zeroes \"03\"");
    want_error(f, "semver('1..3')", "strconv.ParseUint: parsing \"\": invalid syntax");
    want_error(f, "semver('1.2.')", "strconv.ParseUint: parsing \"\": invalid syntax");
    want_error(f, "semver('99999999999999999999.0.0')",
               "strconv.ParseUint: parsing \"99999999999999999999\": value out of range");
    want_error(f, "semver('1.2.3-')", "Prerelease is empty");
    want_error(f, "semver('1.2.3-a..b')", "Prerelease is empty");
    want_error(f, "semver('1.2.3-01')",
               "Numeric PreRelease version must not contain leading zeroes \"01\"");
    want_error(f, "semver('1.2.3-a_b')", "Invalid character(s) found in prerelease \"a_b\"");
    want_error(f, "semver('1.2.3-99999999999999999999')",
               "strconv.ParseUint: parsing \"99999999999999999999\": value out of range");
    want_error(f, "semver('1.2.3+')", "Build meta data is empty");
    want_error(f, "semver('1.2.3+a_b')", "Invalid character(s) found in build meta data \"a_b\"");
    want_error(f, "semver('1.2.3-\\u00e9')", "Invalid character(s) found in prerelease \"\xc3\xa9\"");
    want_error(f, "semver('1.2.3-a\\tb')", "Invalid character(s) found in prerelease \"a\\tb\"");
    /* normalizeAndParse */
    want_error(f, "semver('1.0-beta', true)", "short version cannot contain PreRelease/Build meta data");
    want_error(f, "semver('1+b', true)", "short version cannot contain PreRelease/Build meta data");
    /* a part is given a leading 0 when it does not start with a digit */
    want_error(f, "semver('1.2.abc', true)", "Invalid character(s) found in patch number \"0abc\"");
    want_error(f, "semver('', true)", "strconv.ParseUint: parsing \"\": invalid syntax");
}

static void test_normalize(void **state)
{
    fixture *f = *state;
    want_bool(f, "semver('v1.0.0', true) == semver('1.0.0')", true);
    want_bool(f, "semver('1.0', true) == semver('1.0.0')", true);
    want_bool(f, "semver('01.01.01', true) == semver('1.1.1')", true);
    want_bool(f, "semver('1.2.0-beta', true) == semver('1.2.0-beta')", true);
    want_bool(f, "semver('1.2.00', true) == semver('1.2.0')", true);
    want_int(f, "semver('v2', true).major()", 2);
    want_bool(f, "semver('1.2.3', false) == semver('1.2.3')", true);
    want_error(f, "semver('v1.2.3', false)", "Invalid character(s) found in major number \"v1\"");
}

static void test_precedence(void **state)
{
    fixture *f = *state;
    /* semver.org 11.4 */
    static const char *const order[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                        "1.0.0-beta",   "1.0.0-beta.2",  "1.0.0-beta.11",
                                        "1.0.0-rc.1",   "1.0.0",         "1.0.1",
                                        "1.1.0",        "2.0.0"};
    for (size_t i = 0; i + 1 < LEN(order); i++) {
        char src[160];
        snprintf(src, sizeof src, "semver('%s').compareTo(semver('%s'))", order[i], order[i + 1]);
        want_int(f, src, -1);
        snprintf(src, sizeof src, "semver('%s').isGreaterThan(semver('%s'))", order[i + 1], order[i]);
        want_bool(f, src, true);
    }
    /* numeric identifiers compare as numbers, before any alphanumeric one */
    want_int(f, "semver('1.0.0-10').compareTo(semver('1.0.0-9'))", 1);
    want_int(f, "semver('1.0.0-9').compareTo(semver('1.0.0-a'))", -1);
    want_int(f, "semver('1.0.0-B').compareTo(semver('1.0.0-a'))", -1);
    want_int(f, "semver('18446744073709551615.0.0').compareTo(semver('18446744073709551614.0.0'))", 1);
    /* build metadata has no precedence */
    want_bool(f, "semver('1.0.0+a') == semver('1.0.0+b')", true);
    want_int(f, "semver('1.0.0+a').compareTo(semver('1.0.0'))", 0);
    /* types.Int(v.Major): a uint64 past MaxInt64 wraps */
    want_int(f, "semver('18446744073709551615.0.0').major()", -1);
    want_int(f, "semver('0.9223372036854775808.0').minor()", INT64_MIN);
}

static void test_equality_and_types(void **state)
{
    fixture *f = *state;
    want_error(f, "dyn(semver('1.0.0')) == dyn(1)", "no such overload");
    want_bool(f, "dyn(1) == dyn(semver('1.0.0'))", false);
    want_compile_error(f, "semver('1.0.0') == '1.0.0'", "found no matching overload for '_==_'");
    want_compile_error(f, "semver('1.0.0', 1)", "found no matching overload for 'semver'");
    want_literal(f, "type(semver('1.0.0'))", "kubernetes.Semver");
    want_literal(f, "semver('1.2.3-rc.1+b.2')", "semver(\"1.2.3-rc.1+b.2\")");
    want_literal(f, "semver('v01.2', true)", "semver(\"1.2.0\")");
}

static void test_costs(void **state)
{
    fixture *f = *state;
    want_cost_s(f, "semver('1.2.3')", NULL, 1);
    want_cost_s(f, "isSemver('1.2.3-alpha.1')", NULL, 2);
    want_cost_s(f, "semver(s, true)", "1.2.3-a234567890123456789012", 4); /* 1 + ceil(2.8) */
    want_cost_s(f, "semver('1.2.3').major()", NULL, 2);
    want_cost_s(f, "semver('1.2.3').compareTo(semver('1.2.4'))", NULL, 3);
    want_cost_s(f, "semver('1.2.3') == semver('1.2.3')", NULL, 3);
}

static void test_versions(void **state)
{
    assert_false(compiles_in(32, "semver('1.0.0')"));
    assert_false(compiles_in(32, "isSemver('1.0.0')"));
    assert_true(compiles_in(33, "semver('1.0.0', true).major() == 1"));
    assert_true(compiles_in(37, "isSemver('v1', true)"));
    cel_env *env = cel_env_new_k8s(32, NULL);
    assert_non_null(env);
    want_compile_error_in(env, "semver('1.0.0')", "undeclared reference to 'semver'");
    cel_env_free(env);
}

int main(void)
{
    K8S_TYPES_LINK();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upstream, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_normalize, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_precedence, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_equality_and_types, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_costs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_versions, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
