/*
 * test_lib_math.c: cel-go's math extension (math.greatest / math.least
 * macros and the math.* functions of versions 0-2): results from cel-go's
 * tests and README, every error text, macro errors, version gating, its
 * absence from every Kubernetes environment, and costs.
 */
#include <math.h>

#include "strx_support.h"
#include "cel/ext_strings.h"

static ext_env all, k37, unchecked;
static ext_env plain[CEL_MATH_NEWEST + 1];

static cel_env *bare(unsigned version, bool check)
{
    cel_env_options o = {.std_lib = true, .disable_check = !check,
                         .macros = CEL_MACROS_STD | CEL_MACROS_MATH};
    cel_env *env = cel_env_new(&o);
    if (env && cel_env_add_library(env, cel_math_library(version)) != 0) {
        cel_env_free(env);
        return NULL;
    }
    return env;
}

static int setup(void **state)
{
    bool ok = ext_env_init(&all, cel_env_new_all(NULL)) &&
              ext_env_init(&k37, cel_env_new_k8s(0, NULL)) &&
              ext_env_init(&unchecked, bare(CEL_MATH_NEWEST, false));
    for (unsigned v = 0; v <= CEL_MATH_NEWEST && ok; v++)
        ok = ext_env_init(&plain[v], bare(v, true));
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    cel_env_free(all.env);
    cel_env_free(k37.env);
    cel_env_free(unchecked.env);
    for (unsigned v = 0; v <= CEL_MATH_NEWEST; v++)
        cel_env_free(plain[v].env);
    ext_done();
    return 0;
}

static void want_double(const ext_env *e, const char *src, double want)
{
    cel_value v = ext_eval(e, src, NULL, NULL, NULL);
    if (v.kind != CEL_DOUBLE)
        fail_msg("%s: kind %d (%s), want a double", src, v.kind,
                 v.kind == CEL_ERROR ? v.u.err->msg : "");
    if (isnan(want) ? !isnan(v.u.d) : (v.u.d != want || signbit(v.u.d) != signbit(want)))
        fail_msg("%s: got %.17g want %.17g", src, v.u.d, want);
}

static void want_uint(const ext_env *e, const char *src, uint64_t want)
{
    cel_value v = ext_eval(e, src, NULL, NULL, NULL);
    if (v.kind != CEL_UINT || v.u.u != want)
        fail_msg("%s: kind %d value %llu, want %lluu", src, v.kind, (unsigned long long)v.u.u,
                 (unsigned long long)want);
}

static void test_greatest_least(void **state)
{
    ext_env *e = &plain[0]; /* bare: mixed-type lists are allowed */
    want_int(e, "math.greatest(-5)", -5);
    want_int(e, "math.greatest(3, -3)", 3);
    want_int(e, "math.greatest(9223372036854775807, 1)", INT64_MAX);
    want_int(e, "math.least(-9223372036854775808, 1)", INT64_MIN);
    want_uint(e, "math.greatest(1u, 2u)", 2);
    want_uint(e, "math.least(18446744073709551615u, 1u)", 1);
    want_double(e, "math.greatest(-42.0, -21.5, -100.0)", -21.5);
    want_double(e, "math.greatest([-42.0, -21.5, -100.0])", -21.5);
    want_double(e, "math.least(-42.0, -21.5, -100.0)", -100.0);
    want_double(e, "math.least([-42.0, -21.5, -100.0])", -100.0);
    want_double(e, "math.greatest(1, 1.797693e308)", 1.797693e308);
    want_true(e, "math.greatest(1, 1.0) == 1");
    want_true(e, "math.greatest([5.4, 10, 3u, -5.0, 3.5]) == 10");
    want_true(e, "math.least(5.4, 10, 3u, -5.0, 9223372036854775807) == -5.0");
    want_true(e, "math.greatest(5.4, 10, 3u, -5.0, 18446744073709551615u) == 18446744073709551615u");
    want_true(e, "math.greatest([dyn(5.4), dyn(10.5), dyn(3u), dyn(-5.0), dyn(3.5)]) == 10.5");
    /* ties keep the first argument's type */
    want_int(e, "math.greatest(1, 1u)", 1);
    want_uint(e, "math.least(1u, 1)", 1);
    /* a variable (any non-literal) is accepted by the macro */
    cel_value l = {.kind = CEL_INT, .u.i = 7};
    cel_value v = ext_eval(e, "math.greatest(x)", NULL, &l, NULL);
    assert_int_equal(v.kind, CEL_INT);
    assert_int_equal(v.u.i, 7);
}

static void test_greatest_least_errors(void **state)
{
    ext_env *e = &plain[0];
    want_compile_err(e, "math.greatest()",
                     "ERROR: <input>:1:1: math.greatest() requires at least one argument");
    want_compile_err(e, "math.least()", "math.least() requires at least one argument");
    want_compile_err(e, "math.greatest('string')",
                     "ERROR: <input>:1:15: math.greatest() invalid single argument value");
    want_compile_err(e, "math.least([])", "math.least() invalid single argument value");
    want_compile_err(e, "math.least([1, 'a'])", "math.least() invalid single argument value");
    want_compile_err(e, "math.greatest(1, 'a')",
                     "ERROR: <input>:1:18: math.greatest() simple literal arguments must be numeric");
    want_compile_err(e, "math.least(1, 2, [3])",
                     "math.least() simple literal arguments must be numeric");
    want_compile_err(e, "math.greatest(1, true)",
                     "math.greatest() simple literal arguments must be numeric");
    /* type-checked: a non-numeric expression is a check error */
    want_compile_err(e, "math.greatest(1, dyn('a') + 'b')",
                     "found no matching overload for 'math.@max' applied to '(int, string)'");
    /* run time */
    want_err(e, "math.least(1, double('NaN'))", "NaN values cannot be ordered: math.@min");
    want_err(e, "math.greatest(double('NaN'), 1.0)", "NaN values cannot be ordered: math.@max");
    /* over a list, every failure ends as cel-go's final type check reports it */
    want_err(e, "math.least([1.0, double('NaN')])", "no such overload: math.@min");
    /* no overload's run-time guard takes a list starting with a string */
    want_err(e, "math.greatest([dyn('a'), dyn('b')])", "no such overload: math.@max(list)");
    want_err(e, "math.greatest(dyn([]))", "math.@max(list) argument must not be empty");
    want_err(e, "math.least(dyn([]))", "math.@min(list) argument must not be empty");
    cel_value v = ext_eval(&unchecked, "math.greatest(dyn('string'))", NULL, NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.u.err->msg, "no such overload"));
    /* only the math namespace expands */
    want_compile_err(e, "x.greatest(1)", "undeclared reference to 'greatest'");
}

static void test_rounding(void **state)
{
    ext_env *e = &all;
    want_double(e, "math.ceil(1.2)", 2.0);
    want_double(e, "math.ceil(-1.2)", -1.0);
    want_double(e, "math.floor(1.2)", 1.0);
    want_double(e, "math.floor(-1.2)", -2.0);
    want_double(e, "math.round(1.2)", 1.0);
    want_double(e, "math.round(1.5)", 2.0);
    want_double(e, "math.round(-1.5)", -2.0);
    want_double(e, "math.round(-1.6)", -2.0);
    want_double(e, "math.round(2.5)", 3.0);
    want_double(e, "math.trunc(-1.3)", -1.0);
    want_double(e, "math.trunc(1.3)", 1.0);
    want_double(e, "math.trunc(0.0/0.0)", NAN);
    want_true(e, "math.isNaN(math.round(0.0/0.0))");
    want_true(e, "math.isInf(1.0/0.0) && !math.isInf(0.0/0.0) && !math.isInf(1.2)");
    want_true(e, "math.isNaN(0.0/0.0) && !math.isNaN(1.0/0.0)");
    want_true(e, "math.isFinite(1.2) && !math.isFinite(0.0/0.0) && !math.isFinite(-1.0/0.0)");
}

static void test_abs_sign(void **state)
{
    ext_env *e = &all;
    want_int(e, "math.abs(-1)", 1);
    want_int(e, "math.abs(1)", 1);
    want_uint(e, "math.abs(5u)", 5);
    want_double(e, "math.abs(-11.5)", 11.5);
    want_double(e, "math.abs(-0.0)", 0.0);
    want_err(e, "math.abs(-9223372036854775807 - 1)", "integer overflow");
    want_int(e, "math.sign(-42)", -1);
    want_int(e, "math.sign(0)", 0);
    want_int(e, "math.sign(42)", 1);
    want_uint(e, "math.sign(0u)", 0);
    want_uint(e, "math.sign(100u)", 1);
    want_double(e, "math.sign(-32.0)", -1.0);
    want_double(e, "math.sign(100.5)", 1.0);
    want_double(e, "math.sign(-0.0)", 0.0);
    want_double(e, "math.sign(0.0/0.0)", NAN);
    want_err(&unchecked, "math.sign(dyn(true))", "no such overload: math.sign(bool)");
}

static void test_bits(void **state)
{
    ext_env *e = &all;
    want_uint(e, "math.bitOr(1u, 2u)", 3);
    want_int(e, "math.bitOr(-2, -4)", -2);
    want_uint(e, "math.bitAnd(3u, 2u)", 2);
    want_int(e, "math.bitAnd(3, 5)", 1);
    want_int(e, "math.bitAnd(-3, -5)", -7);
    want_uint(e, "math.bitXor(3u, 5u)", 6);
    want_int(e, "math.bitXor(1, 3)", 2);
    want_int(e, "math.bitNot(1)", -2);
    want_int(e, "math.bitNot(-1)", 0);
    want_uint(e, "math.bitNot(0u)", UINT64_MAX);
    want_int(e, "math.bitShiftLeft(1, 2)", 4);
    want_int(e, "math.bitShiftLeft(-1, 2)", -4);
    want_int(e, "math.bitShiftLeft(1, 63)", INT64_MIN);
    want_int(e, "math.bitShiftLeft(1, 64)", 0);
    want_uint(e, "math.bitShiftLeft(1u, 200)", 0);
    want_int(e, "math.bitShiftRight(1024, 2)", 256);
    want_uint(e, "math.bitShiftRight(1024u, 64)", 0);
    /* right shifts of ints do not extend the sign */
    want_int(e, "math.bitShiftRight(-1024, 3)", 2305843009213693824LL);
    want_int(e, "math.bitShiftRight(-1, 64)", 0);
    want_err(e, "math.bitShiftLeft(1, -1)", "math.bitShiftLeft() negative offset: -1");
    want_err(e, "math.bitShiftRight(1u, -2)", "math.bitShiftRight() negative offset: -2");
}

static void test_sqrt(void **state)
{
    want_double(&all, "math.sqrt(81)", 9.0);
    want_double(&all, "math.sqrt(81u)", 9.0);
    want_double(&all, "math.sqrt(985.25)", 31.388692231439016);
    want_double(&all, "math.sqrt(-15)", NAN);
}

static void test_versions(void **state)
{
    want_compile_err(&plain[0], "math.ceil(1.2)", "undeclared reference to 'math'");
    want_double(&plain[1], "math.ceil(1.2)", 2.0);
    want_compile_err(&plain[1], "math.sqrt(4.0)", "undeclared reference to 'math'");
    want_double(&plain[2], "math.sqrt(4.0)", 2.0);
    assert_ptr_equal(cel_math_library(7), &cel_lib_ext_math[CEL_MATH_NEWEST]);
    /* no Kubernetes environment has math: no macro, no functions */
    want_compile_err(&k37, "math.greatest(1, 2)", "undeclared reference to 'math'");
    want_compile_err(&k37, "math.ceil(1.2)", "undeclared reference to 'math'");
    for (unsigned minor = CEL_K8S_OLDEST_MINOR; minor <= CEL_K8S_NEWEST_MINOR; minor++) {
        ext_env k;
        assert_true(ext_env_init(&k, cel_env_new_k8s(minor, NULL)));
        want_compile_err(&k, "math.abs(1)", "undeclared reference to 'math'");
        cel_env_free(k.env);
    }
    /* the all-libraries environment has the macros */
    want_int(&all, "math.greatest(1, 2)", 2);
}

static void test_costs(void **state)
{
    cel_value n = {.kind = CEL_INT, .u.i = 4};
    /* no estimator knows these: 1 per call, x costs 1 */
    uint64_t cost = 0;
    ext_eval(&all, "math.abs(x)", NULL, &n, &cost);
    assert_int_equal(cost, 2);
    ext_eval(&all, "math.greatest(x, 3)", NULL, &n, &cost);
    assert_int_equal(cost, 2);
    /* three arguments build a list: 10, plus x and the call */
    ext_eval(&plain[2], "math.least(x, 3, 2)", NULL, &n, &cost);
    assert_int_equal(cost, 12);
    ext_eval(&all, "math.bitShiftLeft(x, 1)", NULL, &n, &cost);
    assert_int_equal(cost, 2);
}

int main(void)
{
    const void *volatile link[] = {(const void *)cel_parse, &cel_lib_std, &cel_lib_time};
    (void)link;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greatest_least),
        cmocka_unit_test(test_greatest_least_errors),
        cmocka_unit_test(test_rounding),
        cmocka_unit_test(test_abs_sign),
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_sqrt),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_costs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
