/*
 * test_lib_optional.c: cel-go's optional types library in the Kubernetes
 * environments: construction, value() and hasValue(), short-circuiting
 * or() / orValue() (which cost nothing themselves), optMap / optFlatMap,
 * indexing through optional lists and maps, the ordinary step after an
 * optional one, version 2's first() / last() / optional.unwrap() /
 * unwrapOpt(), types, error texts and versions.
 */
#include "ext_support.h"

static void test_construct(void **state)
{
    want_typed("optional.of(1)", "optional.of(1)", "optional_type(int)");
    want_typed("optional.none()", "optional.none()", "optional_type(dyn)");
    want_typed("optional.of(null).hasValue()", "true", "bool");
    want_value("type(optional.none()) == optional_type", "true");
    want_value("optional.of(1) == optional.of(1)", "true");
    want_value("optional.none() == optional.of(1)", "false");
    want_value("optional.none() != optional.none()", "false");
    want_compile_error_in(0, "optional.of(1) == optional.of(1.0)",
                          "found no matching overload for '_==_' applied to "
                          "'(optional_type(int), optional_type(double))'");
}

/* cel-go's Zeroer: the zero of each type that has one gives none. */
static void test_of_non_zero_value(void **state)
{
    static const char *const zeros[] = {
        "null", "false", "0", "0u", "0.0", "-0.0", "''", "b''", "[]", "{}",
        "duration('0s')", "timestamp(0)",
    };
    for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "optional.ofNonZeroValue(%s).hasValue()", zeros[i]);
        want_value(buf, "false");
    }
    static const char *const others[] = {
        "true", "-1", "1u", "0.5", "'a'", "b'a'", "[0]", "{0: 0}", "duration('1ns')",
        "timestamp(1)", "optional.none()", "int", "double('NaN')",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "optional.ofNonZeroValue(%s).hasValue()", others[i]);
        want_value(buf, "true");
    }
    want_typed("optional.ofNonZeroValue('')", "optional.none()", "optional_type(string)");
    want_in(0, "optional.ofNonZeroValue(x)", "{}", "optional.none()", NULL);
}

static void test_value_has_value(void **state)
{
    want_typed("optional.of(1).value()", "1", "int");
    want_error("optional.none().value()", "optional.none() dereference");
    want_value("optional.of(b'hello').hasValue()", "true");
    want_value("optional.ofNonZeroValue({}).hasValue()", "false");
    want_compile_error_in(0, "1.value()", "found no matching overload for 'value' applied to 'int.()'");
}

static void test_or(void **state)
{
    want_value("optional.none().or(optional.none()).orValue(42)", "42");
    want_value("optional.ofNonZeroValue(42).or(optional.of(20)).value()", "42");
    want_typed("optional.none().or(optional.of(2))", "optional.of(2)", "optional_type(int)");
    /* the right side is evaluated only when it is needed */
    want_value("optional.of(1).orValue(1 / 0)", "1");
    want_error("optional.none().orValue(1 / 0)", "division by zero");
    want_value("optional.of(1).or(optional.of(1 / 0))", "optional.of(1)");
    /* a left side that is not an optional is the result as it is */
    want_value("dyn(1).orValue(2)", "1");
    want_error("dyn(1 / 0).orValue(2)", "division by zero");
    want_compile_error_in(0, "optional.of(1).orValue('a')", "found no matching overload for 'orValue'");
    /* or() and orValue() add nothing to the cost: optional.of and value are 1 each */
    want_cost_in(0, "optional.of(1).orValue(2)", 1);
    want_cost_in(0, "optional.none().or(optional.of(2)).value()", 3);
    want_cost_in(0, "x.orValue(2)", 1);
}

static void test_opt_map(void **state)
{
    want_typed("optional.of(1).optMap(v, v + 1)", "optional.of(2)", "optional_type(int)");
    want_value("optional.none().optMap(y, y + 1).hasValue()", "false");
    want_typed("optional.of(2).optFlatMap(v, optional.of(v * 2))", "optional.of(4)",
               "optional_type(int)");
    want_value("{'key': {}}.?key.optFlatMap(k, k.?subkey).hasValue()", "false");
    want_value("{'key': {'subkey': ''}}.?key.optFlatMap(k, optional.ofNonZeroValue(k.subkey))"
               ".hasValue()",
               "false");
    want_compile_error_in(0, "optional.of(1).optMap(v.w, v)",
                          "optMap() variable name must be a simple identifier");
    want_compile_error_in(0, "optional.of(1).optFlatMap(1, 1)",
                          "optFlatMap() variable name must be a simple identifier");
    want_compile_error_in(0, "optional.of(1).optFlatMap(v, v)",
                          "found no matching overload for '_?_:_'");
}

static void test_select_and_index(void **state)
{
    want_typed("optional.of([1, 2])[0]", "optional.of(1)", "optional_type(int)");
    want_typed("optional.of({'a': 1})['a']", "optional.of(1)", "optional_type(int)");
    want_value("optional.of([1])[?5]", "optional.none()");
    want_value("optional.of({'a': 1})[?'b']", "optional.none()");
    want_value("optional.of({'c': {}}).c.missing.orValue('default')", "\"default\"");
    want_value("{'c': {'d': 'x'}}.?c.d.orValue('')", "\"x\"");
    /* an ordinary step after an optional one: a missing key is none, but a
     * value without fields is the error it is outside the chain */
    want_value("{'k': {}}.?k.absent.hasValue()", "false");
    want_error("{'k': dyn(null)}.?k.invalid.hasValue()", "no such key: invalid");
    want_error("{'k': dyn(0)}.?k.invalid.hasValue()", "no such key: invalid");
    /* .? and [?] test presence, whatever the value */
    want_value("{'k': dyn(0)}.?k.?invalid.hasValue()", "false");
    want_value("dyn(0)[?1].hasValue()", "false");
    want_in(0, "x.?spec.?replicas.orValue(1)", "{\"spec\": {}}", "1", NULL);
    want_in(0, "x.?spec.?replicas.orValue(1)", "{\"spec\": {\"replicas\": 3}}", "3", NULL);
    want_in(0, "[?x.?a, ?x.?b]", "{\"b\": 1}", "[1]", NULL);
    want_in(0, "{?'a': x.?a}", "{\"a\": 2}", "{\"a\": 2}", NULL);
}

static void test_first_last_unwrap(void **state)
{
    want_typed("[1, 2].first()", "optional.of(1)", "optional_type(int)");
    want_typed("[1, 2].last()", "optional.of(2)", "optional_type(int)");
    want_value("[].first()", "optional.none()");
    want_value("[].last()", "optional.none()");
    want_in(0, "x.last()", "[\"a\", \"b\"]", "optional.of(\"b\")", NULL);
    want_typed("optional.unwrap([optional.of(1), optional.none()])", "[1]", "list(int)");
    want_typed("[optional.none(), optional.of('a')].unwrapOpt()", "[\"a\"]", "list(string)");
    want_value("optional.unwrap([])", "[]");
    want_error_in(EXT_LOOSE, "dyn([optional.none(), 1]).unwrapOpt()", NULL, "value 1 is not optional");
    want_error_in(EXT_LOOSE, "dyn([optional.none(), 'a']).unwrapOpt()", NULL,
                  "value a is not optional");
    want_error_code_in(0, "x.unwrapOpt()", "[1]", CEL_ERR_NO_OVERLOAD);
    want_compile_error_in(0, "[1].unwrapOpt()", "found no matching overload for 'unwrapOpt'");
    want_cost_in(0, "[1, 2].first()", 1); /* the constant list is folded */
}

static void test_optional_versions(void **state)
{
    static const char *const v0[] = {
        "optional.of(1).hasValue()", "optional.none().orValue(1) == 1",
        "optional.ofNonZeroValue(1).or(optional.none()).value() == 1",
        "optional.of(1).optMap(v, v).optFlatMap(v, optional.of(v)).hasValue()",
        "{'a': 1}.?a.hasValue()", "[?optional.none()] == []",
    };
    static const char *const v2[] = {
        "[1].first().hasValue()", "[1].last().hasValue()",
        "optional.unwrap([optional.of(1)]) == [1]", "[optional.of(1)].unwrapOpt() == [1]",
    };
    for (unsigned minor = CEL_K8S_OLDEST_MINOR; minor <= CEL_K8S_NEWEST_MINOR; minor++) {
        for (size_t i = 0; i < sizeof v0 / sizeof v0[0]; i++)
            want_compiles_in(minor, v0[i]);
        for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++) {
            if (minor >= 32)
                want_compiles_in(minor, v2[i]);
            else
                want_compile_error_in(minor, v2[i], "undeclared reference");
        }
    }
    want_compiles_in(EXT_ALL, "[1].first().hasValue() && optional.of(1).hasValue()");
}

/* A library of its own with an or() is an ordinary call, not the
 * optional library's short circuit. */
static cel_value my_or(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i | a[1].u.i); }

static void test_other_or(void **state)
{
    static const cel_overload ovl[] = {
        {"my_int_or", "or", true, 2, 0, {&cel_t_int, &cel_t_int}, &cel_t_int, my_or, NULL, NULL, NULL},
    };
    static const cel_library lib = {"test.or", ovl, 1, NULL, 0};
    cel_env *env = cel_env_new_k8s(0, NULL);
    assert_non_null(env);
    assert_int_equal(cel_env_add_library(env, &lib), 0);
    cel_arena *a = cel_arena_new(0);
    const char *srcs[] = {"5.or(2)", "optional.none().or(optional.of(4)).value()"};
    const int64_t want[] = {7, 4};
    for (size_t i = 0; i < 2; i++) {
        cel_diag d = {0};
        cel_program *p = cel_compile(env, srcs[i], strlen(srcs[i]), &d);
        assert_non_null(p);
        cel_value r = cel_eval(p, NULL, a, NULL, NULL);
        assert_int_equal(r.kind, CEL_INT);
        assert_int_equal(r.u.i, want[i]);
        cel_program_free(p);
    }
    cel_arena_free(a);
    cel_env_free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_construct),
        cmocka_unit_test(test_of_non_zero_value),
        cmocka_unit_test(test_value_has_value),
        cmocka_unit_test(test_or),
        cmocka_unit_test(test_opt_map),
        cmocka_unit_test(test_select_and_index),
        cmocka_unit_test(test_first_last_unwrap),
        cmocka_unit_test(test_optional_versions),
        cmocka_unit_test(test_other_or),
    };
    return cmocka_run_group_tests(tests, NULL, ext_group_teardown);
}
