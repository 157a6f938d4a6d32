/*
 * test_json.c: the JSON adapter: lazy access (only what is read gets
 * wrapped), integers versus reals, strings with NUL, iteration order, big
 * documents, conversion back to JSON, and the tagged VALUE encoding.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/cel.h"
#include "cel/json.h"
#include "cel/plan.h" /* cel_json_has */

static cel_arena *A;

static int setup(void **state)
{
    A = cel_arena_new(0);
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    cel_arena_free(A);
    return 0;
}

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *j = json_loadb(text, strlen(text), JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!j)
        fail_msg("bad test JSON: %s", err.text);
    return j;
}

static cel_value field(cel_value m, const char *name)
{
    cel_value out;
    assert_int_equal(m.kind, CEL_MAP);
    assert_true(cel_map_find_str(m.u.map, name, strlen(name), &out, A));
    return out;
}

static void test_scalars(void **state)
{
    json_t *j = load("{\"i\": 3, \"r\": 3.0, \"e\": 1e2, \"neg\": -9223372036854775808,"
                     " \"b\": true, \"n\": null, \"s\": \"a\\u0000b\"}");
    cel_value m = cel_json_value(j, A);
    assert_int_equal(m.u.map->len, 7);
    cel_value v = field(m, "i");
    assert_int_equal(v.kind, CEL_INT);
    assert_int_equal(v.u.i, 3);
    v = field(m, "r");
    assert_int_equal(v.kind, CEL_DOUBLE); /* a fraction makes it a double, as in Kubernetes */
    assert_true(v.u.d == 3.0);
    assert_int_equal(field(m, "e").kind, CEL_DOUBLE);
    assert_int_equal(field(m, "neg").u.i, INT64_MIN);
    assert_true(field(m, "b").u.b);
    assert_int_equal(field(m, "n").kind, CEL_NULL);
    v = field(m, "s");
    assert_int_equal(v.kind, CEL_STRING);
    assert_int_equal(v.len, 3);
    assert_memory_equal(v.u.str, "a\0b", 3);
    cel_value out;
    assert_false(cel_map_find_str(m.u.map, "missing", 7, &out, A));
    cel_value ikey = cel_int(1);
    assert_false(cel_map_find(m.u.map, &ikey, &out, A)); /* JSON keys are strings */
    assert_int_equal(cel_json_value(NULL, A).kind, CEL_NULL);
    json_decref(j);
}

static void test_lazy_and_cached(void **state)
{
    json_t *j = load("{\"spec\": {\"a\": [1, {\"x\": 2}], \"b\": 2}}");
    cel_arena_reset(A);
    cel_value m = cel_json_value(j, A);
    size_t before = cel_arena_used(A);
    cel_value spec1 = field(m, "spec");
    size_t after_one = cel_arena_used(A);
    cel_value spec2 = field(m, "spec");
    /* The second read of a container child reuses the first wrapper. */
    assert_ptr_equal(spec1.u.map, spec2.u.map);
    assert_int_equal(cel_arena_used(A), after_one);
    assert_true(after_one > before);
    cel_value a = field(spec1, "a");
    assert_int_equal(a.kind, CEL_LIST);
    assert_int_equal(a.u.list->len, 2);
    assert_null(a.u.list->items); /* decoded element by element */
    cel_value x = field(cel_list_at(a.u.list, 1, A), "x");
    assert_int_equal(x.u.i, 2);
    json_decref(j);
}

static void test_iteration_and_equality(void **state)
{
    json_t *j = load("{\"z\": 1, \"a\": [1, 2.5], \"m\": {\"k\": \"v\"}}");
    cel_value m = cel_json_value(j, A);
    cel_value k, v;
    cel_map_entry(m.u.map, 0, &k, &v, A);
    assert_int_equal(k.len, 1);
    assert_memory_equal(k.u.str, "z", 1); /* document order */
    cel_map_entry(m.u.map, 2, &k, &v, A);
    assert_memory_equal(k.u.str, "m", 1);
    assert_int_equal(v.kind, CEL_MAP);
    /* A JSON map equals the native map with the same content. */
    cel_value items[2] = {cel_int(1), cel_double(2.5)};
    cel_value ik[1] = {cel_string_n("k", 1)}, iv[1] = {cel_string_n("v", 1)};
    cel_value keys[3] = {cel_string_n("a", 1), cel_string_n("m", 1), cel_string_n("z", 1)};
    cel_value vals[3] = {cel_list_new(A, items, 2), cel_map_new(A, ik, iv, 1), cel_uint(1)};
    cel_value native = cel_map_new(A, keys, vals, 3);
    cel_value r = cel_value_equal(&m, &native, A);
    assert_int_equal(r.kind, CEL_BOOL);
    assert_true(r.u.b);
    char *lit = cel_value_to_cel_literal(&m, A);
    assert_string_equal(lit, "{\"z\": 1, \"a\": [1, 2.5], \"m\": {\"k\": \"v\"}}");
    free(lit);
    json_decref(j);
}

/* has() reads presence without wrapping; entries come from one index
 * block in document order. */
static void test_has_and_entries(void **state)
{
    json_t *j = load("{\"n\": null, \"o\": {}, \"s\": \"x\", \"l\": [1], \"e\": 2}");
    cel_arena_reset(A);
    cel_value m = cel_json_value(j, A);
    size_t before = cel_arena_used(A);
    assert_int_equal(cel_json_has(m.u.map, "n", 1), 1); /* present even when null */
    assert_int_equal(cel_json_has(m.u.map, "o", 1), 1);
    assert_int_equal(cel_json_has(m.u.map, "x", 1), 0);
    assert_int_equal(cel_json_has(m.u.map, "ol", 2), 0); /* the length counts */
    assert_int_equal(cel_json_has(m.u.map, "ol", 1), 1);
    assert_int_equal(cel_arena_used(A), before);
    cel_value nk[1] = {cel_string_n("a", 1)}, nv[1] = {cel_int(1)};
    cel_value native = cel_map_new(A, nk, nv, 1);
    assert_int_equal(cel_json_has(native.u.map, "a", 1), -1);
    static const char *const order[] = {"n", "o", "s", "l", "e"};
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < 5; i++) {
            cel_value k, v;
            cel_map_entry(m.u.map, i, &k, &v, A);
            assert_int_equal(k.len, 1);
            assert_memory_equal(k.u.str, order[i], 1);
            assert_int_equal(v.kind, i == 0 ? CEL_NULL : i == 1 ? CEL_MAP : i == 2 ? CEL_STRING
                                     : i == 3 ? CEL_LIST : CEL_INT);
        }
    json_decref(j);
}

static void test_big_document(void **state)
{
    enum { N = 50000 };
    json_t *obj = json_object();
    json_t *arr = json_array();
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "k%d", i);
        json_object_set_new(obj, key, json_integer(i));
        json_array_append_new(arr, json_integer(i));
    }
    json_object_set_new(obj, "arr", arr);
    cel_arena_reset(A);
    cel_value m = cel_json_value(obj, A);
    /* Binding costs one wrapper, whatever the size. */
    assert_true(cel_arena_used(A) < 1024);
    assert_int_equal(field(m, "k49999").u.i, 49999);
    cel_value l = field(m, "arr");
    assert_int_equal(cel_list_at(l.u.list, N - 1, A).u.i, N - 1);
    cel_value k, v;
    cel_map_entry(m.u.map, N - 1, &k, &v, A);
    assert_int_equal(v.u.i, N - 1);
    json_decref(obj);
}

static void test_to_json(void **state)
{
    cel_value items[4] = {cel_int(1), cel_bytes_n("\xff\x00", 2), cel_double(0.5),
                          (cel_value){.kind = CEL_TIMESTAMP, .u.i = 0, .len = 0}};
    cel_value l = cel_list_new(A, items, 4);
    json_t *j = cel_value_to_json(&l, A);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "[1,\"/wA=\",0.5,\"1970-01-01T00:00:00Z\"]");
    free(s);
    json_decref(j);
    cel_value k[1] = {cel_int(1)}, v[1] = {cel_int(2)};
    cel_value m = cel_map_new(A, k, v, 1);
    assert_null(cel_value_to_json(&m, A)); /* not a string key */
    cel_value e = cel_error_new(A, CEL_ERR_GENERAL, "x");
    assert_null(cel_value_to_json(&e, A));
}

static void roundtrip(const char *text)
{
    json_t *j = load(text);
    cel_value v = cel_json_tagged_decode(j, A);
    assert_int_not_equal(v.kind, CEL_ERROR);
    json_t *back = cel_json_tagged_encode(&v, A);
    assert_non_null(back);
    char *a = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS), *b = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(b, a);
    free(a);
    free(b);
    json_decref(back);
    json_decref(j);
}

static void test_tagged(void **state)
{
    roundtrip("{\"int\":\"-9223372036854775808\"}");
    roundtrip("{\"uint\":\"18446744073709551615\"}");
    roundtrip("{\"double\":\"NaN\"}");
    roundtrip("{\"double\":\"-0\"}");
    roundtrip("{\"double\":\"-Infinity\"}");
    roundtrip("{\"double\":1.5}");
    roundtrip("{\"string\":\"a\\u0000b\"}");
    roundtrip("{\"bytes\":\"3q2+7w==\"}");
    roundtrip("{\"list\":[{\"bool\":true},{\"null\":null}]}");
    roundtrip("{\"map\":[[{\"string\":\"k\"},{\"type\":\"int\"}]]}");
    roundtrip("{\"message\":{\"type\":\"google.protobuf.Duration\",\"json\":\"-1.5s\"}}");
    roundtrip("{\"message\":{\"type\":\"google.protobuf.Timestamp\",\"json\":\"2009-02-13T23:31:30.5Z\"}}");
    json_t *j = load("{\"message\":{\"type\":\"google.protobuf.Timestamp\",\"json\":\"1970-01-01T01:00:00+01:00\"}}");
    cel_value v = cel_json_tagged_decode(j, A);
    assert_int_equal(v.kind, CEL_TIMESTAMP);
    assert_int_equal(v.u.i, 0);
    json_decref(j);
    const char *bad[] = {"{\"int\":\"1x\"}", "{\"uint\":\"-1\"}", "{\"bytes\":\"abc\"}", "{\"a\":1,\"b\":2}",
                         "{\"map\":[[{\"int\":\"1\"},{\"int\":\"1\"}],[{\"uint\":\"1\"},{\"int\":\"2\"}]]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = load(bad[i]);
        assert_int_equal(cel_json_tagged_decode(j, A).kind, CEL_ERROR);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_lazy_and_cached),
        cmocka_unit_test(test_iteration_and_equality),
        cmocka_unit_test(test_has_and_entries),
        cmocka_unit_test(test_big_document),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_tagged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
