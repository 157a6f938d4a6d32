/*
 * test_lib_std.c: cel_lib_std called overload by overload: arithmetic and
 * its overflow errors, exact cross-type ordering, conversions with Go's
 * parsing and formatting rules, strings as code points, runtime costs, and
 * the overload table itself (ids, arities, types).
 */
#include <math.h>

#include "std_support.h"
#include "cel/lib_std.h"

/* ---------------------------------------------------------------- table */

static void test_table_is_well_formed(void **state)
{
    const cel_library *libs[] = {&cel_lib_std, &cel_lib_time};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < libs[l]->count; i++) {
            const cel_overload *o = &libs[l]->overloads[i];
            assert_non_null(o->fn);
            assert_non_null(o->result);
            assert_true(o->nargs >= 1 && o->nargs <= CEL_MAX_ARGS);
            for (size_t k = 0; k < o->nargs; k++)
                if (!o->params[k])
                    fail_msg("%s: parameter %zu missing", o->id, k);
            if (o->prepare)
                assert_non_null(o->prepared_free);
            /* ids are unique across both libraries */
            for (size_t m = 0; m < 2; m++)
                for (size_t j = 0; j < libs[m]->count; j++)
                    if ((m != l || j != i) && strcmp(libs[m]->overloads[j].id, o->id) == 0)
                        fail_msg("duplicate overload id %s", o->id);
        }
    }
    /* Signatures the checker relies on. */
    const cel_overload *in = find_overload("in_list");
    assert_non_null(in);
    assert_string_equal(in->name, "@in");
    assert_int_equal(in->params[1]->kind, CEL_T_LIST);
    assert_int_equal(in->params[1]->param[0]->kind, CEL_T_PARAM);
    const cel_overload *sz = find_overload("string_size");
    assert_true(sz->member);
    assert_false(find_overload("size_string")->member);
    assert_int_equal(find_overload("type")->result->kind, CEL_T_TYPE);
    assert_int_equal(find_overload("index_map")->result->kind, CEL_T_PARAM);
    assert_string_equal(find_overload("index_map")->result->name, "B");
}

/* ---------------------------------------------------------------- int / uint / double */

static void test_int_arithmetic(void **state)
{
    std_env *e = *state;
    assert_int_value(call2(e, "add_int64", cel_int(2), cel_int(3)), 5);
    assert_int_value(call2(e, "subtract_int64", cel_int(2), cel_int(3)), -1);
    assert_int_value(call2(e, "multiply_int64", cel_int(-4), cel_int(3)), -12);
    assert_int_value(call2(e, "divide_int64", cel_int(-7), cel_int(2)), -3);
    assert_int_value(call2(e, "modulo_int64", cel_int(-7), cel_int(2)), -1);
    assert_int_value(call1(e, "negate_int64", cel_int(INT64_MAX)), -INT64_MAX);
    assert_error_value(call2(e, "add_int64", cel_int(INT64_MAX), cel_int(1)), "integer overflow");
    assert_error_value(call2(e, "subtract_int64", cel_int(INT64_MIN), cel_int(1)), "integer overflow");
    assert_error_value(call2(e, "multiply_int64", cel_int(INT64_MIN), cel_int(-1)), "integer overflow");
    assert_error_value(call2(e, "divide_int64", cel_int(INT64_MIN), cel_int(-1)), "integer overflow");
    assert_error_value(call2(e, "modulo_int64", cel_int(INT64_MIN), cel_int(-1)), "integer overflow");
    assert_error_value(call1(e, "negate_int64", cel_int(INT64_MIN)), "integer overflow");
    assert_error_value(call2(e, "divide_int64", cel_int(1), cel_int(0)), "division by zero");
    assert_error_value(call2(e, "modulo_int64", cel_int(1), cel_int(0)), "modulus by zero");
    cel_value err = call2(e, "divide_int64", cel_int(1), cel_int(0));
    assert_int_equal(err.u.err->code, CEL_ERR_DIV_ZERO);
}

static void test_uint_arithmetic(void **state)
{
    std_env *e = *state;
    assert_uint_value(call2(e, "add_uint64", cel_uint(2), cel_uint(3)), 5);
    assert_uint_value(call2(e, "divide_uint64", cel_uint(7), cel_uint(2)), 3);
    assert_uint_value(call2(e, "modulo_uint64", cel_uint(7), cel_uint(2)), 1);
    assert_error_value(call2(e, "subtract_uint64", cel_uint(2), cel_uint(3)),
                       "unsigned integer overflow");
    assert_error_value(call2(e, "add_uint64", cel_uint(UINT64_MAX), cel_uint(1)),
                       "unsigned integer overflow");
    assert_error_value(call2(e, "multiply_uint64", cel_uint(1ULL << 32), cel_uint(1ULL << 32)),
                       "unsigned integer overflow");
    assert_error_value(call2(e, "divide_uint64", cel_uint(1), cel_uint(0)), "division by zero");
    assert_error_value(call2(e, "modulo_uint64", cel_uint(1), cel_uint(0)), "modulus by zero");
}

static void test_double_arithmetic_is_ieee(void **state)
{
    std_env *e = *state;
    cel_value v = call2(e, "divide_double", cel_double(15.75), cel_double(0.0));
    assert_int_equal(v.kind, CEL_DOUBLE);
    assert_true(isinf(v.u.d) && v.u.d > 0);
    v = call2(e, "divide_double", cel_double(0.0), cel_double(0.0));
    assert_true(isnan(v.u.d));
    v = call1(e, "negate_double", cel_double(0.0));
    assert_true(signbit(v.u.d));
    v = call2(e, "add_double", cel_double(0.1), cel_double(0.2));
    assert_true(v.u.d == 0.1 + 0.2);
}

/* ---------------------------------------------------------------- ordering */

static void test_cross_type_ordering_is_exact(void **state)
{
    std_env *e = *state;
    assert_bool_value(call2(e, "less_int64_double", cel_int(1), cel_double(1.5)), true);
    assert_bool_value(call2(e, "less_int64_uint64", cel_int(-1), cel_uint(0)), true);
    assert_bool_value(call2(e, "greater_uint64_int64", cel_uint(0), cel_int(-1)), true);
    assert_bool_value(call2(e, "less_equals_uint64_double", cel_uint(2), cel_double(2.0)), true);
    /* 2^53 + 1 is not representable: exact comparison still tells them apart. */
    assert_bool_value(call2(e, "greater_int64_double", cel_int(9007199254740993LL),
                            cel_double(9007199254740992.0)), true);
    assert_bool_value(call2(e, "less_double_int64", cel_double(9223372036854775807.0),
                            cel_int(INT64_MAX)), false);
    assert_bool_value(call2(e, "greater_double_int64", cel_double(9223372036854775807.0),
                            cel_int(INT64_MAX)), true);
    assert_bool_value(call2(e, "less_uint64_double", cel_uint(UINT64_MAX),
                            cel_double(18446744073709551616.0)), true);
    assert_bool_value(call2(e, "greater_double_uint64", cel_double(-0.5), cel_uint(0)), false);
    assert_bool_value(call2(e, "less_double_uint64", cel_double(-0.5), cel_uint(0)), true);
    assert_bool_value(call2(e, "less_int64_double", cel_int(-2), cel_double(-1.5)), true);
    assert_bool_value(call2(e, "greater_int64_double", cel_int(-1), cel_double(-1.5)), true);
    /* NaN orders with nothing */
    assert_bool_value(call2(e, "less_double", cel_double(NAN), cel_double(1)), false);
    assert_bool_value(call2(e, "greater_equals_int64_double", cel_int(1), cel_double(NAN)), false);
    assert_bool_value(call2(e, "less_equals_double_uint64", cel_double(NAN), cel_uint(1)), false);
}

static void test_ordering_other_kinds(void **state)
{
    std_env *e = *state;
    assert_bool_value(call2(e, "less_bool", cel_bool(false), cel_bool(true)), true);
    assert_bool_value(call2(e, "less_string", str("a"), str("b")), true);
    assert_bool_value(call2(e, "less_string", str("a"), str("ab")), true);
    /* byte order = code point order: U+00E9 sorts after 'z' */
    assert_bool_value(call2(e, "greater_string", str("\xc3\xa9"), str("z")), true);
    assert_bool_value(call2(e, "less_equals_bytes", bytes_lit("\x00", 1), bytes_lit("\x00", 1)), true);
    assert_bool_value(call2(e, "less_bytes", bytes_lit("a\x00", 2), bytes_lit("a", 1)), false);
    /* mismatched kinds through dyn dispatch */
    cel_value mixed[2] = {cel_int(1), str("a")};
    assert_error_value(find_overload("less_string")->fn(&e->call, mixed, 2), "no such overload");
}

static void test_equality_and_membership(void **state)
{
    std_env *e = *state;
    assert_bool_value(call2(e, "equals", cel_int(1), cel_uint(1)), true);
    assert_bool_value(call2(e, "not_equals", str("a"), str("a")), false);
    cel_value items[3] = {cel_int(1), str("two"), cel_uint(3)};
    cel_value list = cel_list_new(e->arena, items, 3);
    assert_bool_value(call2(e, "in_list", cel_int(3), list), true);
    assert_bool_value(call2(e, "in_list", str("two"), list), true);
    assert_bool_value(call2(e, "in_list", str("three"), list), false);
    assert_bool_value(call1(e, "logical_not", cel_bool(false)), true);
}

static void test_list_concat_and_index(void **state)
{
    std_env *e = *state;
    cel_value a[2] = {cel_int(1), cel_int(2)}, b[1] = {cel_int(3)};
    cel_value la = cel_list_new(e->arena, a, 2), lb = cel_list_new(e->arena, b, 1);
    cel_value r = call2(e, "add_list", la, lb);
    assert_int_equal(r.kind, CEL_LIST);
    assert_int_equal(r.u.list->len, 3);
    assert_int_value(r.u.list->items[2], 3);
    assert_int_value(call1(e, "size_list", r), 3);
    assert_int_value(call2(e, "index_list", r, cel_int(1)), 2);
    assert_error_value(call2(e, "index_list", r, cel_int(3)),
                       "index '3' out of range in list size '3'");
    assert_error_value(call2(e, "index_list", r, cel_int(-1)),
                       "index '-1' out of range in list size '3'");
}

/* ---------------------------------------------------------------- conversions */

static void test_int_conversions(void **state)
{
    std_env *e = *state;
    assert_int_value(call1(e, "double_to_int64", cel_double(1.9)), 1);
    assert_int_value(call1(e, "double_to_int64", cel_double(-7.9)), -7);
    assert_int_value(call1(e, "double_to_int64", cel_double(36028797018963969.0)),
                     36028797018963968LL);
    assert_error_value(call1(e, "double_to_int64", cel_double(9223372036854775807.0)),
                       "integer overflow");
    /* cel-go excludes -2^63 too */
    assert_error_value(call1(e, "double_to_int64", cel_double(-9223372036854775808.0)),
                       "integer overflow");
    assert_int_value(call1(e, "double_to_int64", cel_double(-9223372036854774784.0)),
                     -9223372036854774784LL);
    assert_error_value(call1(e, "double_to_int64", cel_double(1e99)), "integer overflow");
    assert_error_value(call1(e, "double_to_int64", cel_double(NAN)), "integer overflow");
    assert_error_value(call1(e, "double_to_int64", cel_double(-INFINITY)), "integer overflow");
    assert_int_value(call1(e, "uint64_to_int64", cel_uint(INT64_MAX)), INT64_MAX);
    assert_error_value(call1(e, "uint64_to_int64", cel_uint(UINT64_MAX)), "integer overflow");
    assert_int_value(call1(e, "string_to_int64", str("-9223372036854775808")), INT64_MIN);
    assert_int_value(call1(e, "string_to_int64", str("+42")), 42);
    assert_error_value(call1(e, "string_to_int64", str("0x10")),
                       "strconv.ParseInt: parsing \"0x10\": invalid syntax");
    assert_error_value(call1(e, "string_to_int64", str("9223372036854775808")),
                       "strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
    assert_error_value(call1(e, "string_to_int64", str("")),
                       "strconv.ParseInt: parsing \"\": invalid syntax");
    assert_error_value(call1(e, "string_to_int64", str("1_000")),
                       "strconv.ParseInt: parsing \"1_000\": invalid syntax");
}

static void test_uint_conversions(void **state)
{
    std_env *e = *state;
    assert_uint_value(call1(e, "int64_to_uint64", cel_int(1729)), 1729);
    assert_error_value(call1(e, "int64_to_uint64", cel_int(-1)), "unsigned integer overflow");
    assert_uint_value(call1(e, "double_to_uint64", cel_double(25.5)), 25);
    assert_error_value(call1(e, "double_to_uint64", cel_double(6.022e23)), "unsigned integer overflow");
    assert_error_value(call1(e, "double_to_uint64", cel_double(-0.5)), "unsigned integer overflow");
    assert_uint_value(call1(e, "string_to_uint64", str("18446744073709551615")), UINT64_MAX);
    assert_error_value(call1(e, "string_to_uint64", str("-1")),
                       "strconv.ParseUint: parsing \"-1\": invalid syntax");
    assert_error_value(call1(e, "string_to_uint64", str("18446744073709551616")),
                       "strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
}

static double dbl(cel_value v)
{
    if (v.kind == CEL_ERROR)
        fail_msg("unexpected error: %s", v.u.err->msg);
    assert_int_equal(v.kind, CEL_DOUBLE);
    return v.u.d;
}

static void test_double_conversions(void **state)
{
    std_env *e = *state;
    assert_true(dbl(call1(e, "uint64_to_double", cel_uint(UINT64_MAX))) == 18446744073709551616.0);
    assert_true(dbl(call1(e, "int64_to_double", cel_int(-9007199254740992LL))) == -9007199254740992.0);
    assert_true(dbl(call1(e, "string_to_double", str("6.02214e23"))) == 6.02214e23);
    assert_true(dbl(call1(e, "string_to_double", str("-84.32e7"))) == -843200000.0);
    double nz = dbl(call1(e, "string_to_double", str("-0.0")));
    assert_true(nz == 0 && signbit(nz));
    assert_true(isinf(dbl(call1(e, "string_to_double", str("-Inf")))));
    assert_true(isinf(dbl(call1(e, "string_to_double", str("infinity")))));
    assert_true(isnan(dbl(call1(e, "string_to_double", str("NaN")))));
    assert_true(dbl(call1(e, "string_to_double", str("0x1p-2"))) == 0.25);
    assert_true(dbl(call1(e, "string_to_double", str("1_000.5"))) == 1000.5);
    assert_true(dbl(call1(e, "string_to_double", str(".5"))) == 0.5);
    assert_error_value(call1(e, "string_to_double", str("1e400")),
                       "strconv.ParseFloat: parsing \"1e400\": value out of range");
    assert_error_value(call1(e, "string_to_double", str("0x10")),
                       "strconv.ParseFloat: parsing \"0x10\": invalid syntax");
    assert_error_value(call1(e, "string_to_double", str("nan(1)")),
                       "strconv.ParseFloat: parsing \"nan(1)\": invalid syntax");
    assert_error_value(call1(e, "string_to_double", str("+nan")),
                       "strconv.ParseFloat: parsing \"+nan\": invalid syntax");
    assert_error_value(call1(e, "string_to_double", str("1e")),
                       "strconv.ParseFloat: parsing \"1e\": invalid syntax");
    assert_error_value(call1(e, "string_to_double", str(" 1")),
                       "strconv.ParseFloat: parsing \" 1\": invalid syntax");
}

static void test_string_conversions(void **state)
{
    std_env *e = *state;
    assert_string_value(call1(e, "int64_to_string", cel_int(-456)), "-456");
    assert_string_value(call1(e, "uint64_to_string", cel_uint(9876)), "9876");
    assert_string_value(call1(e, "double_to_string", cel_double(-4.5e-3)), "-0.0045");
    assert_string_value(call1(e, "double_to_string", cel_double(1e100)), "1e+100");
    assert_string_value(call1(e, "double_to_string", cel_double(123.0)), "123");
    assert_string_value(call1(e, "double_to_string", cel_double(123456.0)), "123456");
    assert_string_value(call1(e, "double_to_string", cel_double(1234567.0)), "1.234567e+06");
    assert_string_value(call1(e, "double_to_string", cel_double(0.0001)), "0.0001");
    assert_string_value(call1(e, "double_to_string", cel_double(0.00001)), "1e-05");
    assert_string_value(call1(e, "double_to_string", cel_double(0.1 + 0.2)), "0.30000000000000004");
    assert_string_value(call1(e, "double_to_string", cel_double(-0.0)), "-0");
    assert_string_value(call1(e, "double_to_string", cel_double(NAN)), "NaN");
    assert_string_value(call1(e, "double_to_string", cel_double(-INFINITY)), "-Inf");
    assert_string_value(call1(e, "double_to_string", cel_double(5e-324)), "5e-324");
    assert_string_value(call1(e, "double_to_string", cel_double(1.7976931348623157e308)),
                        "1.7976931348623157e+308");
    assert_string_value(call1(e, "bool_to_string", cel_bool(true)), "true");
    assert_string_value(call1(e, "bytes_to_string", bytes_lit("\xc3\xbf", 2)), "\xc3\xbf");
    assert_error_value(call1(e, "bytes_to_string", bytes_lit("\x00\xff", 2)),
                       "invalid UTF-8 in bytes, cannot convert to string");
    assert_error_value(call1(e, "bytes_to_string", bytes_lit("\xed\xa0\x80", 3)),
                       "invalid UTF-8 in bytes, cannot convert to string");
    cel_value b = call1(e, "string_to_bytes", str("\xc3\xbf"));
    assert_int_equal(b.kind, CEL_BYTES);
    assert_int_equal(b.len, 2);
}

static void test_bool_conversions(void **state)
{
    std_env *e = *state;
    const char *yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    const char *no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        assert_bool_value(call1(e, "string_to_bool", str(yes[i])), true);
        assert_bool_value(call1(e, "string_to_bool", str(no[i])), false);
    }
    assert_error_value(call1(e, "string_to_bool", str("FaLsE")),
                       "strconv.ParseBool: parsing \"FaLsE\": invalid syntax");
}

static void test_type_and_dyn(void **state)
{
    std_env *e = *state;
    cel_value t = call1(e, "type", cel_int(1));
    assert_int_equal(t.kind, CEL_TYPE);
    assert_ptr_equal(t.u.type, cel_type_of_kind(CEL_INT));
    assert_int_value(call1(e, "to_dyn", cel_int(7)), 7);
}

/* ---------------------------------------------------------------- strings */

static void test_string_functions(void **state)
{
    std_env *e = *state;
    assert_int_value(call1(e, "size_string", str("h\xc3\xa9llo")), 5);
    assert_int_value(call1(e, "string_size", str("\xf0\x9f\x98\x80!")), 2);
    assert_int_value(call1(e, "size_bytes", bytes_lit("h\xc3\xa9llo", 6)), 6);
    cel_value nul = cel_string_n("a\0b", 3);
    assert_int_value(call1(e, "size_string", nul), 3);
    assert_bool_value(call2(e, "contains_string", nul, cel_string_n("\0b", 2)), true);
    assert_bool_value(call2(e, "contains_string", str("abc"), str("")), true);
    assert_bool_value(call2(e, "contains_string", str("abc"), str("abcd")), false);
    assert_bool_value(call2(e, "starts_with_string", str("foobar"), str("foo")), true);
    assert_bool_value(call2(e, "starts_with_string", str("fo"), str("foo")), false);
    assert_bool_value(call2(e, "ends_with_string", str("foobar"), str("bar")), true);
    assert_bool_value(call2(e, "ends_with_string", str("foobar"), str("")), true);
    assert_string_value(call2(e, "add_string", str("ab"), str("c\xc3\xa9")), "abc\xc3\xa9");
    cel_value bb = call2(e, "add_bytes", bytes_lit("\x00", 1), bytes_lit("\xff", 1));
    assert_int_equal(bb.kind, CEL_BYTES);
    assert_memory_equal(bb.u.str, "\x00\xff", 2);
}

static void test_matches(void **state)
{
    std_env *e = *state;
    assert_bool_value(call2(e, "matches", str("foobar"), str("o+b")), true);
    assert_bool_value(call2(e, "matches_string", str("foobar"), str("^o+b")), false);
    assert_error_value(call2(e, "matches_string", str("aa"), str("(a)\\1")),
                       "error parsing regexp: invalid escape sequence: `\\1`");
    /* With a prepared (compiled once) pattern. */
    char err[256];
    cel_value consts[2] = {cel_null(), str("^[a-z]+$")};
    void *prepared = cel_std_matches_prepare(consts, 2, 2u, err, sizeof err);
    assert_non_null(prepared);
    e->call.prepared = prepared;
    assert_bool_value(call2(e, "matches_string", str("abc"), str("^[a-z]+$")), true);
    assert_bool_value(call2(e, "matches_string", str("ab1"), str("^[a-z]+$")), false);
    e->call.prepared = NULL;
    cel_std_matches_prepared_free(prepared);
    /* An invalid literal pattern is reported at prepare time. */
    cel_value bad[2] = {cel_null(), str("a(?=b)")};
    assert_null(cel_std_matches_prepare(bad, 2, 2u, err, sizeof err));
    assert_string_equal(err, "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    /* Nothing to prepare when the pattern is not constant. */
    assert_null(cel_std_matches_prepare(bad, 2, 1u, err, sizeof err));
    assert_string_equal(err, "");
}

static void test_utf8_helpers(void **state)
{
    assert_true(cel_utf8_valid("h\xc3\xa9", 3));
    assert_false(cel_utf8_valid("\xc3", 1));
    assert_false(cel_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(cel_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(cel_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_true(cel_utf8_valid("\xf4\x8f\xbf\xbf", 4));
    assert_int_equal(cel_utf8_count("\xff\xfe", 2), 2);
    size_t l;
    assert_int_equal(cel_utf8_decode("\xe2\x82\xac", 3, &l), 0x20ac);
    assert_int_equal(l, 3);
}

/* ---------------------------------------------------------------- costs */

static void test_costs(void **state)
{
    const cel_overload *o = find_overload("equals");
    cel_value a[2] = {str("0123456789a"), str("0123456789012345678901")};
    assert_int_equal(o->cost(a, 2), 2); /* ceil(0.1 * 11) */
    cel_value ints[2] = {cel_int(1), cel_int(2)};
    assert_int_equal(o->cost(ints, 2), 1);
    assert_int_equal(find_overload("add_string")->cost(a, 2), 4); /* ceil(3.3) */
    /* code points, not bytes */
    cel_value u[2] = {str("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
                      str("")};
    assert_int_equal(find_overload("add_string")->cost(u, 2), 1);
    cel_value m[2] = {str("aaaaaaaaaaaaaaaaaaaa"), str("^[a-z]+$")}; /* 20, 8 */
    assert_int_equal(find_overload("matches_string")->cost(m, 2), 3 * 2);
    cel_value empty[2] = {str(""), str("abcde")};
    assert_int_equal(find_overload("matches")->cost(empty, 2), 1 * 2);
    assert_int_equal(find_overload("contains_string")->cost(m, 2), 2 * 1);
    assert_int_equal(find_overload("starts_with_string")->cost(m, 2), 1);
    assert_int_equal(cel_std_cost_factor(UINT64_MAX, 1, 10), UINT64_MAX / 10 + 1);
    cel_value items[25];
    for (int i = 0; i < 25; i++)
        items[i] = cel_int(i);
    cel_list l = {25, items, NULL, NULL};
    cel_value in[2] = {cel_int(1), cel_list_v(&l)};
    assert_int_equal(find_overload("in_list")->cost(in, 2), 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_well_formed),
        cmocka_unit_test_setup_teardown(test_int_arithmetic, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_uint_arithmetic, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_double_arithmetic_is_ieee, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_cross_type_ordering_is_exact, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_ordering_other_kinds, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_equality_and_membership, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_list_concat_and_index, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_int_conversions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_uint_conversions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_double_conversions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_string_conversions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_bool_conversions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_type_and_dyn, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_string_functions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_matches, std_setup, std_teardown),
        cmocka_unit_test(test_utf8_helpers),
        cmocka_unit_test(test_costs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
