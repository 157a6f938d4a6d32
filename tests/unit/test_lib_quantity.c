/*
 * test_lib_quantity.c: the Kubernetes quantity library as policies see it:
 * parsing (apimachinery's scanner, suffixes, fast and inf.Dec paths and
 * their error texts), the int64/inf.Dec split that isInteger, asInteger and
 * asApproximateFloat expose, exact comparison and arithmetic, upstream's
 * asymmetric equality, runtime costs, version gating and printing. Cases
 * from k8s.io/apiserver library/quantity_test.go are marked "upstream".
 */
#include "k8s_types_support.h"

#define FORMAT_ERR                                                                              \
    "quantities must match the regular expression "                                             \
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
#define SUFFIX_ERR "unable to parse quantity's suffix"
#define NUMERIC_ERR "unable to parse numeric part of quantity"

static void test_parse_upstream(void **state)
{
    fixture *f = *state;
    want_bool(f, "quantity('12Mi') == quantity('12582912')", true);
    want_error(f, "quantity('10Mo')", FORMAT_ERR);
    want_error(f, "quantity('10Mm')", SUFFIX_ERR);
    want_bool(f, "isQuantity('20')", true);
    want_bool(f, "isQuantity('20M')", true);
    want_bool(f, "isQuantity('20Mi')", true);
    want_bool(f, "isQuantity('20Mo')", false);
    want_bool(f, "isQuantity('10Mm')", false);
    want_bool(f, "isQuantity('1.3G')", true);
    want_bool(f, "isQuantity('1.3Gi')", true);
    want_bool(f, "isQuantity('1,3G')", false);
    want_bool(f, "isQuantity('10000k')", true);
    want_bool(f, "isQuantity('200K')", false);
    want_bool(f, "isQuantity('Three')", false);
}

/* The scanner's corners, each reaching a different error or value. */
static void test_parse_corners(void **state)
{
    fixture *f = *state;
    want_error(f, "quantity('')", FORMAT_ERR);
    want_error(f, "quantity('Three')", FORMAT_ERR);
    want_error(f, "quantity('1.2.3')", FORMAT_ERR);
    want_error(f, "quantity('1 ')", FORMAT_ERR);
    want_error(f, "quantity('1e5x')", FORMAT_ERR);
    want_error(f, "quantity('200K')", SUFFIX_ERR);
    want_error(f, "quantity('1e')", SUFFIX_ERR);
    want_error(f, "quantity('1e+')", SUFFIX_ERR);
    want_error(f, "quantity('1Mi5')", SUFFIX_ERR);
    want_error(f, "quantity('1eE5')", SUFFIX_ERR);
    want_error(f, "quantity('1e99999999999999999999')", SUFFIX_ERR);
    /* the fast path does not apply below nano units; inf.Dec wants a digit */
    want_error(f, "quantity('.e-20')", NUMERIC_ERR);
    /* what the scanner lets through as zero (the doc comment's "Mi is an
     * error" is not what the code does) */
    want_bool(f, "quantity('Mi') == quantity('0')", true);
    want_bool(f, "quantity('-') == quantity('0')", true);
    want_bool(f, "quantity('.') == quantity('0')", true);
    want_bool(f, "quantity('+.Ki') == quantity('0')", true);
    want_bool(f, "quantity('-000') == quantity('0')", true);
    /* every suffix */
    want_bool(f, "quantity('1n').compareTo(quantity('0.000000001')) == 0", true);
    want_bool(f, "quantity('1u') == quantity('1e-6')", true);
    want_bool(f, "quantity('1m') == quantity('0.001')", true);
    want_bool(f, "quantity('1k') == quantity('1000')", true);
    want_bool(f, "quantity('1M') == quantity('1e6')", true);
    want_bool(f, "quantity('1G') == quantity('1e9')", true);
    want_bool(f, "quantity('1T') == quantity('1e12')", true);
    want_bool(f, "quantity('1P') == quantity('1e15')", true);
    want_bool(f, "quantity('1E') == quantity('1e18')", true);
    want_bool(f, "quantity('1Ki') == quantity('1024')", true);
    want_bool(f, "quantity('1Mi') == quantity('1048576')", true);
    want_bool(f, "quantity('1Gi') == quantity('1073741824')", true);
    want_bool(f, "quantity('1Ti') == quantity('1099511627776')", true);
    want_bool(f, "quantity('1Pi') == quantity('1125899906842624')", true);
    want_bool(f, "quantity('1Ei') == quantity('1152921504606846976')", true);
    want_bool(f, "quantity('1E3') == quantity('1000')", true);
    want_bool(f, "quantity('1e-3') == quantity('1m')", true);
    want_bool(f, "quantity('+1.5') == quantity('1500m')", true);
    /* values below one nano unit round up to it */
    want_bool(f, "quantity('0.1n') == quantity('1n')", true);
    want_bool(f, "quantity('1e-30') == quantity('1n')", true);
    want_bool(f, "quantity('-1e-30') == quantity('-1n')", true);
    want_bool(f, "quantity('0.0000000011') == quantity('2n')", true);
    want_bool(f, "quantity('0.00000000000000000000') == quantity('0')", true);
    /* BinarySI values are capped at MaxInt64, decimal ones are not */
    want_bool(f, "quantity('9999999999Ei') == quantity('9223372036854775807')", true);
    want_bool(f, "quantity('9999999999E') == quantity('9999999999e18')", true);
    /* Go's int32(parsed) of the exponent: 2^32 wraps to 0 */
    want_bool(f, "quantity('1e4294967296') == quantity('1')", true);
}

static void test_integer_and_float(void **state)
{
    fixture *f = *state;
    /* upstream */
    want_int(f, "quantity('50k').asInteger()", 50000);
    want_error(f, "quantity('9999999999999999999999999999999999999G').asInteger()",
               "cannot convert value to integer");
    want_bool(f, "quantity('9999999999999999999999999999999999999G').isInteger()", false);
    want_bool(f, "quantity('50').isInteger()", true);
    want_double(f, "quantity('50.703k').asApproximateFloat()", 50703.0);
    want_int(f, "quantity('50k').add(20).sub(quantity('100k')).asInteger()", -49980);
    want_int(f, "quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger()", 20);
    /* int64Amount: a negative exponent is never an integer, even at 1000m */
    want_bool(f, "quantity('1000m').isInteger()", false);
    want_int(f, "quantity('0.5k').asInteger()", 500);
    want_int(f, "quantity('1e3').asInteger()", 1000);
    want_bool(f, "quantity('1e19').isInteger()", false);
    want_int(f, "quantity('922337203685477580').asInteger()", 922337203685477580);
    want_int(f, "quantity('12Mi').asInteger()", 12582912);
    want_int(f, "quantity('-12Ki').asInteger()", -12288);
    /* inf.Dec values never are, even when whole: 1.5Ki is 1536; 19 digits
     * and Ei leave the int64 fast path */
    want_bool(f, "quantity('1.5Ki').isInteger()", false);
    want_error(f, "quantity('1.5Ki').asInteger()", "cannot convert value to integer");
    want_bool(f, "quantity('9223372036854775807').isInteger()", false);
    want_bool(f, "quantity('1Ei').isInteger()", false);
    want_bool(f, "quantity('1Ti').isInteger()", true);
    want_bool(f, "quantity('1Pi').isInteger()", false); /* 15 digits of precision used up */
    want_bool(f, "quantity('1').add(quantity('1.5Ki')).isInteger()", false);
    /* asApproximateFloat rounds as Go: base * math.Pow10(exponent) */
    want_double(f, "quantity('0.3').asApproximateFloat()", 0.30000000000000004);
    want_double(f, "quantity('1m').asApproximateFloat()", 0.001);
    want_double(f, "quantity('1.5Gi').asApproximateFloat()", 1610612736.0);
    want_double(f, "quantity('1Ei').asApproximateFloat()", 1.152921504606847e+18);
    want_double(f, "quantity('12345678901234567890123').asApproximateFloat()",
                1.2345678901234568e+22);
    want_double(f, "quantity('-2').asApproximateFloat()", -2.0);
    want_double(f, "quantity('1e400').asApproximateFloat()", INFINITY);
    want_double(f, "quantity('1e-400').asApproximateFloat()", 1e-9); /* rounded up to 1n */
    want_double(f, "quantity('0').asApproximateFloat()", 0.0);
    /* Go computes 0 * math.Pow10(400) = 0 * +Inf: NaN, for a zero written
     * with a large exponent */
    {
        cel_value v = fx_ok(f, "quantity('0e400').asApproximateFloat()", NULL);
        assert_int_equal(v.kind, CEL_DOUBLE);
        assert_true(isnan(v.u.d));
    }
    want_int(f, "sign(quantity('-1'))", -1);
    want_int(f, "sign(quantity('0'))", 0);
    want_int(f, "sign(quantity('1.5Gi'))", 1);
    want_int(f, "sign(quantity('-1e-30'))", -1);
    want_int(f, "sign(quantity('0.00000000000000000000'))", 0);
}

static void test_compare_upstream(void **state)
{
    fixture *f = *state;
    want_bool(f, "quantity('200M') == quantity('200M')", true);
    want_bool(f, "quantity('200M') == quantity('0.2G') && quantity('0.2G') == quantity('200M')",
              true);
    want_bool(f,
              "quantity('2M') == quantity('0.002G') && quantity('2000k') == quantity('2M') && "
              "quantity('0.002G') == quantity('2000k')",
              true);
    want_bool(f, "quantity('200M') == quantity('0.3G')", false);
    want_bool(f, "quantity('50M').isLessThan(quantity('50Mi'))", true);
    want_bool(f, "quantity('50M').isLessThan(quantity('100M'))", true);
    want_bool(f, "quantity('100M').isLessThan(quantity('50M'))", false);
    want_bool(f, "quantity('50Mi').isGreaterThan(quantity('50M'))", true);
    want_bool(f, "quantity('150Mi').isGreaterThan(quantity('100Mi'))", true);
    want_bool(f, "quantity('50M').isGreaterThan(quantity('100M'))", false);
    want_int(f, "quantity('200M').compareTo(quantity('0.2G'))", 0);
    want_int(f, "quantity('50M').compareTo(quantity('50Mi'))", -1);
    want_int(f, "quantity('50Mi').compareTo(quantity('50M'))", 1);
}

static void test_compare_exact(void **state)
{
    fixture *f = *state;
    /* across forms and far-apart exponents */
    want_bool(f, "quantity('1.5Gi') == quantity('1536Mi')", true);
    want_int(f, "quantity('1e30').compareTo(quantity('1e29'))", 1);
    want_int(f, "quantity('1e-9').compareTo(quantity('1e30'))", -1);
    want_int(f, "quantity('-1e30').compareTo(quantity('1n'))", -1);
    want_int(f, "quantity('12345678901234567890123').compareTo(quantity('12345678901234567890124'))",
             -1);
    want_int(f, "quantity('1e2000').compareTo(quantity('99999999999999999999999'))", 1);
    want_bool(f, "quantity('0') == quantity('-0.0000000000000000000')", true);
    /* equality against other kinds is false, not an error (Quantity.Equal) */
    want_bool(f, "dyn(quantity('1')) == dyn(1)", false);
    want_bool(f, "dyn(quantity('1')) == dyn('1')", false);
    want_bool(f, "dyn(quantity('1')) != dyn(url('/a'))", true);
}

/* Upstream returns add/sub results as pointers and its Equal only takes
 * the value form on the right. */
static void test_asymmetric_equality(void **state)
{
    fixture *f = *state;
    want_bool(f, "quantity('50k').add(quantity('20')) == quantity('50.02k')", true); /* upstream */
    want_bool(f, "quantity('50.02k') == quantity('50k').add(quantity('20'))", false);
    want_bool(f, "quantity('2').sub(1) == quantity('1').add(0)", false);
    want_bool(f, "quantity('50.02k') != quantity('50k').add(20)", true);
    want_bool(f, "quantity('50k').add(20).compareTo(quantity('50020')) == 0", true);
    /* list membership asks the needle: needle.Equal(element) */
    want_bool(f, "quantity('1') in [quantity('0').add(1)]", false);
    want_bool(f, "quantity('0').add(1) in [quantity('1')]", true);
    want_bool(f, "[quantity('0').add(1)] == [quantity('1')]", true);
    want_bool(f, "[quantity('1')] == [quantity('0').add(1)]", false);
    want_bool(f, "dyn(1) in [dyn(quantity('1'))]", false);
}

static void test_arithmetic(void **state)
{
    fixture *f = *state;
    /* upstream */
    want_bool(f, "quantity('50k').add(20).isLessThan(quantity('50020'))", false);
    want_bool(f, "quantity('50k').sub(quantity('20')) == quantity('49.98k')", true);
    want_bool(f, "quantity('50k').sub(20) == quantity('49980')", true);
    /* exact across the int64 overflow: the sum moves to inf.Dec */
    want_int(f,
             "quantity('922337203685477580').add(quantity('922337203685477580e1'))"
             ".compareTo(quantity('10145709240540253380'))",
             0);
    want_bool(f, "quantity('922337203685477580').add(quantity('922337203685477580e1')).isInteger()",
              false);
    want_int(f, "quantity('9e18').add(quantity('9e18')).compareTo(quantity('18e18'))", 0);
    want_int(f, "quantity('1').sub(-9223372036854775807 - 1).compareTo(quantity('9223372036854775809'))",
             0);
    want_int(f, "quantity('1m').add(quantity('1Ki')).compareTo(quantity('1024001m'))", 0);
    want_int(f, "quantity('1.5Gi').sub(quantity('1.5Gi')).compareTo(quantity('0'))", 0);
    want_int(f, "sign(quantity('1').sub(quantity('1.5Ki')))", -1);
    want_int(f, "quantity('0').add(5).asInteger()", 5);
    want_int(f, "quantity('-922337203685477580e1').sub(8).asInteger()", INT64_MIN);
    want_bool(f, "quantity('-922337203685477580e1').sub(9).isInteger()", false);
    /* past what celgate keeps exact: an error instead of a minute of work */
    want_error(f, "quantity('1e100000').add(1)",
               "quantity is too large to represent exactly (more than 1233 digits, or an exponent "
               "beyond int32)");
    want_bool(f, "quantity('1e1000').add(1).isGreaterThan(quantity('1e999'))", true);
    /* near the top of the range: 1200 nines, exact to the last digit */
    char big[1201];
    memset(big, '9', 1200);
    big[1200] = '\0';
    want_bool_s(f, "quantity(s).compareTo(quantity(s).sub(1)) == 1", big, true);
    want_bool_s(f, "quantity(s).sub(quantity(s)) == quantity('0')", big, true);
    want_bool_s(f, "quantity(s).isGreaterThan(quantity('9.99e1199'))", big, true);
    want_bool_s(f, "quantity(s).isLessThan(quantity('1e1200'))", big, true);
    big[0] = '1';
    memset(big + 1, '0', 1199); /* 10^1199 written out equals 1e1199 */
    want_bool_s(f, "quantity(s).compareTo(quantity('1e1199')) == 0", big, true);
}

static void test_compile_errors(void **state)
{
    fixture *f = *state;
    want_compile_error(f, "isQuantity([1, 2, 3])",
                       "found no matching overload for 'isQuantity' applied to '(list(int))'");
    /* sign is a global function upstream (cel.Overload), not a member */
    want_compile_error(f, "quantity('1').sign()", "found no matching overload for 'sign'");
    want_compile_error(f, "quantity('1') == '1'", "found no matching overload for '_==_'");
    want_compile_error(f, "quantity('1').add(1.5)", "found no matching overload for 'add'");
    /* the type name is not an identifier upstream either */
    want_compile_error(f, "type(quantity('1')) == kubernetes.Quantity",
                       "undeclared reference to 'kubernetes");
    want_bool(f, "type(quantity('1')) == type(quantity('2').add(1))", true);
    want_literal(f, "type(quantity('1'))", "kubernetes.Quantity");
}

static void test_costs(void **state)
{
    fixture *f = *state;
    want_cost_s(f, "quantity('12Mi')", NULL, 1);
    want_cost_s(f, "isQuantity('1.5G')", NULL, 1);
    /* s (1) + ceil(30 * 0.1) */
    want_cost_s(f, "quantity(s)", "123456789012345678901234567890", 4);
    want_cost_s(f, "quantity(s)", "1234567890123456789012345678901", 5);
    want_cost_s(f, "isQuantity(s)", "1234567890", 2);
    want_cost_s(f, "quantity('50k').add(20)", NULL, 2);
    want_cost_s(f, "quantity('1') == quantity('1')", NULL, 3);
    want_cost_s(f, "sign(quantity('1'))", NULL, 2);
    want_cost_s(f, "quantity('1').isInteger() && quantity('1').asInteger() == 1", NULL, 5);
    want_cost_s(f, "quantity('1').compareTo(quantity('2'))", NULL, 3);
    want_cost_s(f, "quantity('1').asApproximateFloat()", NULL, 2);
}

static void test_versions(void **state)
{
    assert_true(compiles_in(28, "quantity('1').isInteger()"));
    assert_true(compiles_in(37, "sign(quantity('1')) == 1"));
}

static void test_printing(void **state)
{
    fixture *f = *state;
    want_literal(f, "quantity('1.5')", "quantity(\"1500m\")");
    want_literal(f, "quantity('1.5Gi')", "quantity(\"1536Mi\")");
    want_literal(f, "quantity('12Mi')", "quantity(\"12Mi\")");
    want_literal(f, "quantity('0.5k')", "quantity(\"500\")");
    want_literal(f, "quantity('1e3')", "quantity(\"1e3\")");
    want_literal(f, "quantity('-1.5')", "quantity(\"-1500m\")");
    want_literal(f, "quantity('50k').add(20)", "quantity(\"50020\")");
    want_literal(f, "quantity('0.5Ki')", "quantity(\"512\")");
    want_literal(f, "quantity('0')", "quantity(\"0\")");
}

int main(void)
{
    K8S_TYPES_LINK();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_upstream, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_parse_corners, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_integer_and_float, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_compare_upstream, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_compare_exact, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_asymmetric_equality, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_arithmetic, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_compile_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_costs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_versions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_printing, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
