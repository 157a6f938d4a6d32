/*
 * test_value.c: CEL value semantics: heterogeneous numeric equality and
 * ordering at the edges of the int/uint/double ranges, deep equality,
 * map key equivalence and repeated keys, and CEL literal rendering.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/cel.h"

static cel_arena *arena;

static int setup(void **state)
{
    arena = cel_arena_new(0);
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    cel_arena_free(arena);
    return 0;
}

static cel_value str(const char *s) { return cel_string_n(s, (uint32_t)strlen(s)); }

static bool eq(cel_value a, cel_value b)
{
    cel_value r = cel_value_equal(&a, &b, arena);
    assert_int_equal(r.kind, CEL_BOOL);
    /* Equality is symmetric for every built-in kind. */
    cel_value r2 = cel_value_equal(&b, &a, arena);
    assert_int_equal(r2.kind, CEL_BOOL);
    assert_int_equal(r.u.b, r2.u.b);
    return r.u.b;
}

static int cmp(cel_value a, cel_value b)
{
    int out = 99;
    cel_value r = cel_value_compare(&a, &b, &out, arena);
    assert_int_equal(r.kind, CEL_BOOL);
    return out;
}

static void test_numeric_equality(void **state)
{
    assert_true(eq(cel_int(1), cel_uint(1)));
    assert_true(eq(cel_int(1), cel_double(1.0)));
    assert_true(eq(cel_uint(1), cel_double(1.0)));
    assert_false(eq(cel_int(-1), cel_uint(UINT64_MAX)));
    /* 2^63 is not an int64 but is a uint64 and a double. */
    assert_true(eq(cel_uint(9223372036854775808ull), cel_double(9223372036854775808.0)));
    /* cel-go converts the integer to double within the int range, so
     * INT64_MAX (which rounds to 2^63) equals 2^63 there; the conformance
     * suite expects it (comparisons/lte_dyn_big_double_int). */
    assert_true(eq(cel_int(INT64_MAX), cel_double(9223372036854775808.0)));
    assert_false(eq(cel_int(INT64_MAX), cel_double(9223372036854777856.0))); /* next double */
    assert_false(eq(cel_int(INT64_MIN), cel_double(-9223372036854777856.0)));
    assert_true(eq(cel_int(INT64_MIN), cel_double(-9223372036854775808.0)));
    assert_false(eq(cel_double(NAN), cel_double(NAN)));
    assert_false(eq(cel_int(0), cel_double(NAN)));
    assert_true(eq(cel_double(-0.0), cel_double(0.0)));
    assert_true(eq(cel_int(0), cel_double(-0.0)));
    assert_false(eq(cel_int(1), cel_double(1.5)));
    assert_true(eq(cel_uint(UINT64_MAX), cel_double(18446744073709551616.0)));
    assert_false(eq(cel_uint(UINT64_MAX), cel_double(18446744073709555712.0)));
}

static void test_other_equality(void **state)
{
    assert_true(eq(str("abc"), str("abc")));
    assert_false(eq(str("abc"), str("abd")));
    assert_false(eq(cel_string_n("a\0b", 3), cel_string_n("a\0c", 3)));
    assert_true(eq(cel_string_n("a\0b", 3), cel_string_n("a\0b", 3)));
    assert_false(eq(str("a"), cel_bytes_n("a", 1)));
    assert_false(eq(cel_int(1), str("1")));
    assert_true(eq(cel_null(), cel_null()));
    assert_false(eq(cel_null(), cel_int(0)));
    assert_true(eq(cel_type_v(&cel_t_int), cel_type_v(&cel_t_int)));
    assert_false(eq(cel_type_v(&cel_t_int), cel_type_v(&cel_t_uint)));

    cel_value a[3] = {cel_int(1), str("dos"), cel_int(3)};
    cel_value b[3] = {cel_double(1.0), str("dos"), cel_uint(3)};
    cel_value c[3] = {cel_int(1), cel_int(2), cel_int(4)};
    assert_true(eq(cel_list_new(arena, a, 3), cel_list_new(arena, b, 3)));
    assert_false(eq(cel_list_new(arena, a, 3), cel_list_new(arena, c, 3)));
    assert_false(eq(cel_list_new(arena, a, 3), cel_list_new(arena, a, 2)));

    cel_value k1[2] = {cel_int(1), str("x")}, v1[2] = {str("a"), cel_int(2)};
    cel_value k2[2] = {str("x"), cel_uint(1)}, v2[2] = {cel_double(2.0), str("a")};
    cel_value k3[2] = {str("x"), cel_uint(2)};
    assert_true(eq(cel_map_new(arena, k1, v1, 2), cel_map_new(arena, k2, v2, 2)));
    assert_false(eq(cel_map_new(arena, k1, v1, 2), cel_map_new(arena, k3, v2, 2)));
}

static void test_error_operands(void **state)
{
    cel_value e = cel_error_new(arena, CEL_ERR_GENERAL, "boom %d", 7);
    assert_int_equal(e.kind, CEL_ERROR);
    assert_string_equal(e.u.err->msg, "boom 7");
    cel_value one = cel_int(1);
    cel_value r = cel_value_equal(&e, &one, arena);
    assert_int_equal(r.kind, CEL_ERROR);
    r = cel_value_equal(&one, &e, arena);
    assert_int_equal(r.kind, CEL_ERROR);
    int out;
    r = cel_value_compare(&one, &e, &out, arena);
    assert_int_equal(r.kind, CEL_ERROR);
}

static void test_ordering(void **state)
{
    assert_int_equal(cmp(cel_int(-1), cel_uint(0)), -1);
    assert_int_equal(cmp(cel_uint(UINT64_MAX), cel_int(INT64_MAX)), 1);
    assert_int_equal(cmp(cel_int(1), cel_double(1.5)), -1);
    assert_int_equal(cmp(cel_double(1.5), cel_int(1)), 1);
    assert_int_equal(cmp(cel_int(-2), cel_double(-1.5)), -1);
    assert_int_equal(cmp(cel_int(-1), cel_double(-1.5)), 1);
    assert_int_equal(cmp(cel_int(INT64_MAX), cel_double(9223372036854775808.0)), 0);
    assert_int_equal(cmp(cel_int(INT64_MAX), cel_double(9223372036854777856.0)), -1);
    assert_int_equal(cmp(cel_double(-9223372036854777856.0), cel_int(INT64_MIN)), -1);
    assert_int_equal(cmp(cel_uint(9007199254740993ull), cel_double(9007199254740992.0)), 0);
    assert_int_equal(cmp(cel_uint(5), cel_double(1e30)), -1);
    assert_int_equal(cmp(cel_uint(5), cel_double(-0.5)), 1);
    assert_int_equal(cmp(cel_double(NAN), cel_int(1)), CEL_CMP_UNORDERED);
    assert_int_equal(cmp(cel_int(1), cel_double(NAN)), CEL_CMP_UNORDERED);
    assert_int_equal(cmp(str("a"), str("b")), -1);
    assert_int_equal(cmp(str("ab"), str("a")), 1);
    assert_int_equal(cmp(str("\xc3\xa9"), str("z")), 1); /* code point order */
    assert_int_equal(cmp(cel_bool(false), cel_bool(true)), -1);
    cel_value d1 = {.kind = CEL_DURATION, .u.i = -1, .len = (uint32_t)-500};
    cel_value d2 = {.kind = CEL_DURATION, .u.i = -1, .len = 0};
    assert_int_equal(cmp(d1, d2), -1);

    cel_value a = str("foo"), b = cel_int(1024);
    int out;
    cel_value r = cel_value_compare(&a, &b, &out, arena);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_int_equal(r.u.err->code, CEL_ERR_NO_OVERLOAD);
    assert_string_equal(r.u.err->msg, "no such overload: _<_(string, int)");
}

static void test_map_keys(void **state)
{
    cel_value k[3] = {cel_bool(true), cel_int(2), cel_uint(5)};
    cel_value v[3] = {cel_int(1), cel_int(2), cel_int(3)};
    cel_value m = cel_map_new(arena, k, v, 3);
    assert_int_equal(m.kind, CEL_MAP);
    cel_value out, key = cel_double(2.0);
    assert_true(cel_map_find(m.u.map, &key, &out, arena));
    assert_int_equal(out.u.i, 2);
    key = cel_int(5);
    assert_true(cel_map_find(m.u.map, &key, &out, arena));
    assert_int_equal(out.u.i, 3);
    key = cel_double(3.1);
    assert_false(cel_map_find(m.u.map, &key, &out, arena));
    key = cel_int(1);
    assert_false(cel_map_find(m.u.map, &key, &out, arena)); /* true is not 1 */

    cel_value rk[2] = {cel_int(0), cel_uint(0)};
    cel_value r = cel_map_new(arena, rk, v, 2);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_string_equal(r.u.err->msg, "Failed with repeated key");
    cel_value dk[1] = {cel_double(1.5)};
    r = cel_map_new(arena, dk, v, 1);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_string_equal(r.u.err->msg, "unsupported key type: double");
    cel_value nk[1] = {cel_null()};
    r = cel_map_new(arena, nk, v, 1);
    assert_int_equal(r.kind, CEL_ERROR);
}

static void test_big_map(void **state)
{
    enum { N = 1000 };
    cel_value *k = cel_arena_alloc(arena, N * sizeof *k);
    cel_value *v = cel_arena_alloc(arena, N * sizeof *v);
    for (int i = 0; i < N; i++) {
        k[i] = (i % 2) ? cel_int(i) : cel_uint((uint64_t)i);
        v[i] = cel_int(i * 10);
    }
    cel_value m = cel_map_new(arena, k, v, N);
    assert_int_equal(m.kind, CEL_MAP);
    assert_int_equal(m.u.map->len, N);
    for (int i = 0; i < N; i++) {
        cel_value out, key = cel_double((double)i);
        assert_true(cel_map_find(m.u.map, &key, &out, arena));
        assert_int_equal(out.u.i, i * 10);
    }
    cel_value out, key = cel_int(N);
    assert_false(cel_map_find(m.u.map, &key, &out, arena));
    /* Iteration keeps insertion order. */
    cel_value ek, ev;
    cel_map_entry(m.u.map, 7, &ek, &ev, arena);
    assert_int_equal(ek.kind, CEL_INT);
    assert_int_equal(ek.u.i, 7);
    k[N - 1] = cel_uint(3); /* the same key as int 3 */
    cel_value r = cel_map_new(arena, k, v, N);
    assert_int_equal(r.kind, CEL_ERROR);
}

static void expect_literal(cel_value v, const char *want)
{
    char *s = cel_value_to_cel_literal(&v, arena);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_literals(void **state)
{
    expect_literal(cel_int(-5), "-5");
    expect_literal(cel_uint(5), "5u");
    expect_literal(cel_double(1.0), "1.0");
    expect_literal(cel_double(0.1), "0.1");
    expect_literal(cel_double(-0.0), "-0.0");
    expect_literal(cel_double(1e21), "1e+21");
    expect_literal(cel_double(NAN), "double(\"NaN\")");
    expect_literal(cel_double(-INFINITY), "double(\"-Infinity\")");
    expect_literal(cel_string_n("a\"b\\\n\0", 6), "\"a\\\"b\\\\\\n\\x00\"");
    expect_literal(str("h\xc3\xa9"), "\"h\xc3\xa9\"");
    expect_literal(cel_bytes_n("\xff" "a", 2), "b\"\\xffa\"");
    expect_literal(cel_null(), "null");
    expect_literal(cel_type_v(&cel_t_list_dyn), "list");
    cel_value items[2] = {cel_int(1), str("x")};
    expect_literal(cel_list_new(arena, items, 2), "[1, \"x\"]");
    cel_value k[1] = {str("a")}, v[1] = {cel_bool(true)};
    expect_literal(cel_map_new(arena, k, v, 1), "{\"a\": true}");
    cel_value ts = {.kind = CEL_TIMESTAMP, .u.i = 1234567890, .len = 500000000};
    expect_literal(ts, "timestamp(\"2009-02-13T23:31:30.5Z\")");
    cel_value old = {.kind = CEL_TIMESTAMP, .u.i = -62135596800, .len = 0};
    expect_literal(old, "timestamp(\"0001-01-01T00:00:00Z\")");
    cel_value du = {.kind = CEL_DURATION, .u.i = -1, .len = (uint32_t)-500000000};
    expect_literal(du, "duration(\"-1.5s\")");
    cel_value one = cel_int(1);
    cel_value opt = {.kind = CEL_OPTIONAL, .u.opt = &one};
    expect_literal(opt, "optional.of(1)");
    opt.u.opt = NULL;
    expect_literal(opt, "optional.none()");
}

static void test_type_format(void **state)
{
    char buf[64];
    cel_type l = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_int}};
    cel_type m = {.kind = CEL_T_MAP, .name = "map", .param = {&cel_t_string, &cel_t_dyn}};
    assert_int_equal(cel_type_format(&l, buf, sizeof buf), 9);
    assert_string_equal(buf, "list(int)");
    cel_type_format(&m, buf, sizeof buf);
    assert_string_equal(buf, "map(string, dyn)");
    /* Truncation still reports the full length and terminates. */
    assert_int_equal(cel_type_format(&m, buf, 4), 16);
    assert_string_equal(buf, "map");
    assert_true(cel_type_equal(&l, &(cel_type){.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_int}}));
    assert_false(cel_type_equal(&l, &cel_t_list_dyn));
    assert_string_equal(cel_type_of_kind(CEL_TIMESTAMP)->name, "google.protobuf.Timestamp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_equality),
        cmocka_unit_test(test_other_equality),
        cmocka_unit_test(test_error_operands),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_map_keys),
        cmocka_unit_test(test_big_map),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_type_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
