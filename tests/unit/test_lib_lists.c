/*
 * test_lib_lists.c: the Kubernetes lists library and cel-go's ext lists as
 * policies see them in the Kubernetes environments: results and their
 * checked types, every error text, dispatch of the per-type overloads,
 * Kubernetes' runtime costs (the vectors of k8s.io/apiserver's
 * library/cost_test.go and cel-go's list cost trackers), which version has
 * which function, and Go's sort order for sort() and sortBy().
 */
#include "ext_support.h"

#include "cel/ext/gosort.h"
#include "cel/ext_lists.h"

/* ---------------------------------------------------------------- Kubernetes lists */

static void test_is_sorted(void **state)
{
    want_typed("[1, 2, 3].isSorted()", "true", "bool");
    want_value("['a', 'b', 'b', 'c'].isSorted()", "true");
    want_value("[2.0, 1.0].isSorted()", "false");
    want_value("[1].isSorted()", "true");
    want_value("[].isSorted()", "true");
    want_value("[false, true].isSorted()", "true");
    want_value("[b'b', b'a'].isSorted()", "false");
    want_value("[duration('1s'), duration('2s')].isSorted()", "true");
    want_value("[timestamp('2024-01-02T00:00:00Z'), timestamp('2024-01-01T00:00:00Z')].isSorted()",
               "false");
    /* int, uint and double order against each other */
    want_in(EXT_LOOSE, "[1, 1.5, 2u].isSorted()", NULL, "true", NULL);
    /* a NaN does not order: the comparison is not "greater", so no verdict */
    want_value("[double('NaN'), 1.0].isSorted()", "true");
    /* an element that cannot be compared at all */
    want_error_in(0, "x.isSorted()", "[1, null]", "no such overload");
}

static void test_sum(void **state)
{
    want_typed("[1, 3].sum()", "4", "int");
    want_typed("[1.0, 3.0].sum()", "4.0", "double");
    want_typed("[1u, 3u].sum()", "4u", "uint");
    want_typed("[duration('1m'), duration('1s')].sum()", "duration(\"61s\")",
               "google.protobuf.Duration");
    want_typed("[].sum()", "0", "int");
    /* the checker's overload decides the zero of an empty list */
    want_typed("[1.0].filter(e, e > 5.0).sum()", "0.0", "double");
    want_typed("[duration('1s')].filter(e, false).sum()", "duration(\"0s\")",
               "google.protobuf.Duration");
    /* dyn: the first overload whose element type fits the first element */
    want_in(0, "x.sum()", "[]", "0", "dyn");
    want_in(0, "x.sum()", "[1.5, 2.5]", "4.0", NULL);
    want_in(0, "x.sum()", "[1, 2]", "3", NULL);
    want_error_in(0, "x.sum()", "[1, 2.5]", "no such overload");
    want_error_code_in(0, "x.sum()", "[\"a\"]", CEL_ERR_NO_OVERLOAD);
    want_error("[9223372036854775807, 1].sum()", "integer overflow");
    want_error("[18446744073709551615u, 1u].sum()", "unsigned integer overflow");
}

static void test_min_max(void **state)
{
    want_typed("[1, 3].min()", "1", "int");
    want_typed("[1, 3].max()", "3", "int");
    want_value("[1].min()", "1");
    want_value("['b', 'a', 'c'].min()", "\"a\"");
    want_value("['b', 'a', 'c'].max()", "\"c\"");
    want_value("[2.5, -1.0].min()", "-1.0");
    want_value("[true, false].max()", "true");
    want_error("[].min()", "min called on empty list");
    want_error("[].max()", "max called on empty list");
    want_in(0, "([0] + x).min()", "[]", "0", NULL);
    want_in(EXT_LOOSE, "[1, 0.5, 2u].min()", NULL, "0.5", NULL);
    want_in(EXT_LOOSE, "[1, 0.5, 2u].max()", NULL, "2u", NULL);
    /* a comparison error keeps the element already held */
    want_in(0, "x.min()", "[1, \"a\"]", "1", NULL);
    want_in(0, "x.max()", "[1, \"a\"]", "1", NULL);
    want_error_in(0, "x.max()", "[1, {}]", "no such overload");
}

static void test_index_of(void **state)
{
    want_typed("[1, 2, 2, 3].indexOf(2)", "1", "int");
    want_value("['a', 'b', 'b', 'c'].lastIndexOf('b')", "2");
    want_value("[1.0].indexOf(1.1)", "-1");
    want_value("[].indexOf('string')", "-1");
    want_value("[].lastIndexOf(1)", "-1");
    /* CEL equality: 2 and 2.0 are the same element */
    want_in(EXT_LOOSE, "[1, 2.0, 2].indexOf(2)", NULL, "1", NULL);
    want_in(0, "x.lastIndexOf(1u)", "[1, 2, 1]", "2", NULL);
}

static void test_includes(void **state)
{
    want_typed("[1, 2, 3].includes(2)", "true", "bool");
    want_value("[1, 2, 3].includes(4)", "false");
    want_value("'model-a'.includes('model-a')", "true");
    want_value("'model-a'.includes('model-b')", "false");
    /* not a list: equality, not membership */
    want_value("{'a': 1}.includes('a')", "false");
    want_in(0, "x.includes(2.0)", "[1, 2]", "true", NULL);
    want_compiles_in(37, "[1].includes(1)");
    want_compile_error_in(36, "[1].includes(1)", "undeclared reference to 'includes'");
}

/* k8s.io/apiserver library/cost_test.go: TestListsCost and TestIndexOfCost
 * (10 for the list, one traversal for the call). */
#define INTS "[1, 2, 3, 4, 5]"
#define UINTS "[uint(1), uint(2), uint(3), uint(4), uint(5)]"
#define DOUBLES "[1.0, 2.0, 3.0, 4.0, 5.0]"
#define BOOLS "[false, true, false, true, false]"
#define STRS "['012345678901', '012345678901', '012345678901', '012345678901', '012345678901']"
#define BYTESL "[bytes('012345678901'), bytes('012345678901'), bytes('012345678901'), " \
               "bytes('012345678901'), bytes('012345678901')]"
#define DURS "[duration('1s'), duration('2s'), duration('3s'), duration('4s'), duration('5s')]"
#define TSS "[timestamp('2011-01-01T00:00:00.000+01:00'), timestamp('2011-01-02T00:00:00.000+01:00'), " \
            "timestamp('2011-01-03T00:00:00.000+01:00'), timestamp('2011-01-04T00:00:00.000+01:00'), " \
            "timestamp('2011-01-05T00:00:00.000+01:00')]"

static void test_lists_costs(void **state)
{
    want_cost_in(EXT_LOOSE, INTS ".sum()", 15);
    want_cost_in(EXT_LOOSE, UINTS ".sum()", 20);
    want_cost_in(EXT_LOOSE, DOUBLES ".sum()", 15);
    want_cost_in(EXT_LOOSE, DURS ".sum()", 20);
    static const char *const ops[] = {".isSorted()", ".max()", ".min()"};
    for (size_t i = 0; i < 3; i++) {
        char buf[512];
#define COST(list, want)                                              \
        snprintf(buf, sizeof buf, "%s%s", list, ops[i]);              \
        want_cost_in(EXT_LOOSE, buf, want)
        COST(INTS, 15);
        COST(UINTS, 20);
        COST(DOUBLES, 15);
        COST(BOOLS, 15);
        COST(STRS, 15);
        COST(BYTESL, 25);
        COST(DURS, 20);
        COST(TSS, 20);
#undef COST
    }
    want_cost_in(EXT_LOOSE, INTS ".indexOf(3)", 15);
    want_cost_in(EXT_LOOSE, UINTS ".indexOf(uint(3))", 21);
    want_cost_in(EXT_LOOSE, DOUBLES ".lastIndexOf(3.0)", 15);
    want_cost_in(EXT_LOOSE, BOOLS ".indexOf(true)", 15);
    want_cost_in(EXT_LOOSE, STRS ".indexOf('x')", 15);
    want_cost_in(EXT_LOOSE, BYTESL ".lastIndexOf(bytes('x'))", 26);
    want_cost_in(EXT_LOOSE, DURS ".indexOf(duration('3s'))", 21);
    want_cost_in(EXT_LOOSE, TSS ".indexOf(timestamp('2011-01-03T00:00:00.000+01:00'))", 21);
    /* includes has no Kubernetes estimate: cel-go's 1 per call */
    want_cost_in(0, "[1, 2].includes(2)", 1); /* the constant list is folded */
}

/* A traversal reads the elements of JSON data too: a tenth of each
 * string's bytes (rounded down), maps by their keys and values. */
static void test_traversal_cost_of_data(void **state)
{
    ext_result r = ext_eval(0, "x.indexOf('z')", "[\"aaaaaaaaaaaaaaaaaaaa\", \"bbb\", \"cccccccccc\"]");
    assert_int_equal(r.v.kind, CEL_INT);
    assert_int_equal(r.cost, 1 + 2 + 0 + 1);
    r = ext_eval(0, "x.indexOf(1)", "[{\"aaaaaaaaaa\": [1, 2]}, 3]");
    assert_int_equal(r.cost, 1 + (1 + 2) + 1);
}

static void test_lists_versions(void **state)
{
    for (unsigned minor = CEL_K8S_OLDEST_MINOR; minor <= CEL_K8S_NEWEST_MINOR; minor++) {
        want_compiles_in(minor, "[1].isSorted() && [1].sum() == [1].min() && [1].max() == 1");
        want_compiles_in(minor, "[1].indexOf(1) == [1].lastIndexOf(1)");
    }
    want_compiles_in(EXT_ALL, "[1].includes(1) && [1].sum() == 1");
}

static void test_lists_compile_errors(void **state)
{
    want_compile_error_in(0, "[[1]].sum()", "found no matching overload for 'sum' applied to 'list(list(int)).()'");
    want_compile_error_in(0, "[{}].min()", "found no matching overload for 'min'");
    want_compile_error_in(0, "1.isSorted()", "found no matching overload for 'isSorted' applied to 'int.()'");
}

/* ---------------------------------------------------------------- cel-go ext lists */

static void test_slice(void **state)
{
    want_typed("[1, 2, 3, 4].slice(1, 3)", "[2, 3]", "list(int)");
    want_value("[1, 2, 3, 4].slice(0, 4)", "[1, 2, 3, 4]");
    want_value("[1, 2, 3, 4].slice(0, 0)", "[]");
    want_value("[1, 2, 3, 4].slice(4, 4)", "[]");
    want_error("[1, 2, 3, 4].slice(3, 0)",
               "cannot slice(3, 0), start index must be less than or equal to end index");
    want_error("[1, 2, 3, 4].slice(0, 10)", "cannot slice(0, 10), list is length 4");
    want_error("[1, 2, 3, 4].slice(-5, 10)", "cannot slice(-5, 10), negative indexes not supported");
    want_error("[1, 2, 3, 4].slice(-5, -3)", "cannot slice(-5, -3), negative indexes not supported");
    want_in(0, "x.slice(1, 2)", "[\"a\", \"b\", \"c\"]", "[\"b\"]", NULL);
}

static void test_flatten(void **state)
{
    want_value("dyn([]).flatten()", "[]");
    want_value("dyn([1, 2, 3, 4]).flatten()", "[1, 2, 3, 4]");
    want_in(EXT_LOOSE, "[1, [2, [3, 4]]].flatten()", NULL, "[1, 2, [3, 4]]", NULL);
    want_in(EXT_LOOSE, "[1, 2, [], [], [3, 4]].flatten()", NULL, "[1, 2, 3, 4]", NULL);
    want_in(EXT_LOOSE, "[1, [2, [3, 4]]].flatten(2)", NULL, "[1, 2, 3, 4]", NULL);
    want_in(EXT_LOOSE, "[1, [2, [3, [4]]]].flatten(0)", NULL, "[1, [2, [3, [4]]]]", NULL);
    want_typed("[[1], [2, 3]].flatten()", "[1, 2, 3]", "list(int)");
    want_typed("[[1], [2, 3]].flatten(1)", "[1, 2, 3]", "list(dyn)");
    want_in(0, "x.flatten()", "[[\"a\"], [\"b\", [\"c\"]]]", "[\"a\", \"b\", [\"c\"]]", NULL);
    want_error("[].flatten(-1)", "level must be non-negative");
    /* no type guards: the function itself rejects what is not a list, in
     * cel-go's words (Go's %v of the runtime list and map types) */
    want_error("dyn({}).flatten()", "no such overload: map(, ).flatten()");
    want_error("dyn(1).flatten()", "no such overload: int.flatten()");
    want_error("[].flatten(dyn('1'))", "no such overload: list().flatten(string)");
    want_compile_error_in(0, "[1, 2].flatten()", "found no matching overload for 'flatten'");
}

static void test_sort(void **state)
{
    want_typed("[4, 3, 2, 1].sort()", "[1, 2, 3, 4]", "list(int)");
    want_value("['d', 'a', 'b', 'c'].sort()", "[\"a\", \"b\", \"c\", \"d\"]");
    want_value("[].sort()", "[]");
    want_value("[1].sort()", "[1]");
    want_value("[2.5, -1.0, 0.0].sort()", "[-1.0, 0.0, 2.5]");
    want_value("[b'b', b'a'].sort()", "[b\"a\", b\"b\"]");
    want_value("[duration('2s'), duration('1s')].sort()", "[duration(\"1s\"), duration(\"2s\")]");
    want_value("[true, false].sort()", "[false, true]");
    want_error_in(0, "x.sort()", "[\"d\", 3, 2, \"c\"]", "list elements must have the same type");
    want_error_in(0, "x.sort()", "[[1], [2]]", "list elements must be comparable");
    want_in(0, "x.sort()", "[]", "[]", NULL);
    want_compile_error_in(0, "[[1, 2, 3]].sort()",
                          "found no matching overload for 'sort' applied to 'list(list(int)).()'");
}

static void test_sort_by(void **state)
{
    want_value("[].sortBy(e, e)", "[]");
    want_value("['a'].sortBy(e, e)", "[\"a\"]");
    want_typed("[-3, 1, -5, -2, 4].sortBy(e, -(e * e))", "[-5, 4, -3, -2, 1]", "list(int)");
    want_value("[-3, 1, -5, -2, 4].map(e, e * 2).sortBy(e, -(e * e))", "[-10, 8, -6, -4, 2]");
    want_value("lists.range(3).sortBy(e, -e)", "[2, 1, 0]");
    want_value("['a', 'c', 'b', 'first'].sortBy(e, e == 'first' ? '' : e)",
               "[\"first\", \"a\", \"b\", \"c\"]");
    want_value("[{'field': 'lo'}, {'field': 'hi'}].sortBy(m, m.field)",
               "[{\"field\": \"hi\"}, {\"field\": \"lo\"}]");
    /* equal keys in a short list keep their order (Go's insertion sort) */
    want_value("['b1', 'a1', 'b2', 'a2'].sortBy(e, e.size())", "[\"b1\", \"a1\", \"b2\", \"a2\"]");
    want_error_in(0, "x.sortBy(e, e.k)", "[{\"k\": 1}, {\"k\": \"a\"}]",
                  "list elements must have the same type");
    want_error_in(0, "x.sortBy(e, e)", "[{}, {}]", "list elements must be comparable");
    want_compile_error_in(0, "1.sortBy(e, e)",
                          "sortBy can only be applied to a list, identifier, comprehension, call "
                          "or select expression");
    want_compile_error_in(0, "[1].sortBy(e.f, e)", "argument is not an identifier");
    want_compile_error_in(0, "{'a': 1}.sortBy(k, k)", "sortBy can only be applied to");
    want_compile_error_in(0, "x.sortBy(k, k) + {}.sortBy(k, k)", "sortBy can only be applied to");
}

static void test_range_reverse_distinct(void **state)
{
    want_typed("lists.range(4)", "[0, 1, 2, 3]", "list(int)");
    want_value("lists.range(0)", "[]");
    want_error("lists.range(-1)", "lists.range: size must be non-negative, got -1");
    want_error("lists.range(10000001)",
               "lists.range: size 10000001 exceeds maximum allowed (10000000)");
    want_typed("[5, 1, 2, 3].reverse()", "[3, 2, 1, 5]", "list(int)");
    want_value("[].reverse()", "[]");
    want_value("['are', 'you', 'as', 'bored', 'as', 'I', 'am'].reverse()",
               "[\"am\", \"I\", \"as\", \"bored\", \"as\", \"you\", \"are\"]");
    want_value("[false, true, true].reverse().reverse()", "[false, true, true]");
    want_typed("[-2, 5, -2, 1, 1, 5, -2, 1].distinct()", "[-2, 5, 1]", "list(int)");
    want_value("['c', 'a', 'a', 'b', 'a', 'b', 'c', 'c'].distinct()", "[\"c\", \"a\", \"b\"]");
    want_in(EXT_LOOSE, "[1, 2.0, 'c', 3, 'c', 1].distinct()", NULL, "[1, 2.0, \"c\", 3]", NULL);
    want_in(EXT_LOOSE, "[1, 1.0, 2].distinct()", NULL, "[1, 2]", NULL);
    want_value("[[1], [1], [2]].distinct()", "[[1], [2]]");
    want_value("[].distinct()", "[]");
    want_in(0, "x.distinct()", "[{\"a\": 1}, {\"a\": 1.0}, {\"a\": 2}]", "[{\"a\": 1}, {\"a\": 2}]",
            NULL);
}

/* cel-go's v3 trackers: result size (or n^2 comparisons at 2, 2.1 for
 * strings and bytes) plus 1 for the call and 10 for the new list. The
 * constant receivers cost nothing: the API server plans with cel-go's
 * optimizer, which folds constant list literals. */
static void test_ext_lists_costs(void **state)
{
    want_cost_in(0, "[1, 2, 3, 4].slice(1, 3)", 2 + 11);
    ext_result r = ext_eval(0, "[1, 2, 3, 4].slice(3, 0)", NULL);
    assert_int_equal(r.v.kind, CEL_ERROR);
    assert_int_equal(r.cost, 1 + 11); /* an error result has size 1 */
    want_cost_in(0, "lists.range(3)", 3 + 11);
    want_cost_in(0, "lists.range(-1)", 1 + 11);
    want_cost_in(0, "[1, 2, 3].reverse()", 3 + 11);
    want_cost_in(0, "[[1], [2]].flatten()", 2 + 11);
    want_cost_in(0, "[[1], [2]].flatten(3)", 6 + 11);
    want_cost_in(0, "[1, 2, 3].distinct()", 18 + 11);
    want_cost_in(0, "[3, 2, 1].sort()", 18 + 11);
    want_cost_in(0, "['a', 'b'].sort()", 8 + 11);       /* 4 * 2.1 = 8.4 */
    want_cost_in(0, "['a', 'b', 'c'].sort()", 18 + 11);  /* 9 * 2.1 = 18.9 */
    want_cost_in(0, "[].sort()", 0 + 11);
    /* a negative depth times a size converts to a huge uint64 in Go */
    r = ext_eval(0, "[1].flatten(-1)", NULL);
    assert_int_equal(r.v.kind, CEL_ERROR);
    assert_string_equal(r.v.u.err->msg, "operation cancelled: actual cost limit exceeded");
    /* lists.range's size is its cost: past Kubernetes' limit before any allocation */
    r = ext_eval(0, "lists.range(2000000).size()", NULL);
    assert_string_equal(r.v.u.err->msg, "operation cancelled: actual cost limit exceeded");
}

static void test_ext_lists_versions(void **state)
{
    static const char *const exprs[] = {
        "[1].slice(0, 1)", "[[1]].flatten()", "[1].sort()", "[1].sortBy(e, e)",
        "lists.range(1)", "[1].reverse()", "[1].distinct()",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        want_compile_error_in(33, exprs[i], "undeclared reference");
        want_compiles_in(34, exprs[i]);
        want_compiles_in(EXT_ALL, exprs[i]);
    }
}

/* The tables for one version each: v0 has slice only, v1 adds flatten,
 * v2 the rest; v3 is v2 with costs. */
static void test_ext_lists_tables(void **state)
{
    const cel_library *v[] = {&cel_lib_ext_lists_v0, &cel_lib_ext_lists_v1,
                              &cel_lib_ext_lists_v2, &cel_lib_ext_lists_v3};
    assert_int_equal(v[0]->count, 1);
    assert_int_equal(v[1]->count, 3);
    assert_int_equal(v[2]->count, v[3]->count);
    for (size_t i = 0; i < 4; i++) {
        cel_env *env = cel_env_new(NULL);
        assert_non_null(env);
        assert_int_equal(cel_env_add_library(env, v[i]), 0);
        const char *src = "[1, 2].slice(1, 2) == [2]";
        cel_diag d = {0};
        cel_program *p = cel_compile(env, src, strlen(src), &d);
        assert_non_null(p);
        cel_arena *a = cel_arena_new(0);
        uint64_t cost;
        cel_value r = cel_eval(p, NULL, a, NULL, &cost);
        assert_int_equal(r.kind, CEL_BOOL);
        assert_true(r.u.b);
        /* [1, 2] 10, the call (1, or 1 + 11 in v3), [2] 10, == 1 */
        assert_int_equal(cost, i == 3 ? 10 + 12 + 10 + 1 : 10 + 1 + 10 + 1);
        cel_arena_free(a);
        cel_program_free(p);
        src = "[[1]].flatten()";
        p = cel_compile(env, src, strlen(src), &d);
        assert_true((p != NULL) == (i >= 1));
        cel_diag_clear(&d);
        cel_program_free(p);
        /* two versions in one environment would declare list_slice twice */
        assert_int_equal(cel_env_add_library(env, v[(i + 1) % 4]), -1);
        cel_env_free(env);
    }
}

/* ---------------------------------------------------------------- two-variable comprehensions */

/* cel-go's ext/comprehensions.go (Kubernetes >= 1.32): index and value
 * over lists, key and value over maps, with cel.@mapInsert building maps. */
static void test_two_variable_comprehensions(void **state)
{
    want_typed("[1, 2, 3].all(i, v, i < v)", "true", "bool");
    want_value("{'hello': 'world', 'taco': 'taco'}.all(k, v, k != v)", "false");
    want_value("{'h': ['hello', 'hi'], 'j': ['joke', 'jog']}.all(k, vals, vals.all(v, v.startsWith(k)))",
               "true");
    want_value("{'greeting': 'hello', 'farewell': 'goodbye'}"
               ".exists(k, v, k.startsWith('good') || v.endsWith('bye'))",
               "true");
    want_value("[1, 2, 4, 8, 16].exists(i, v, v == 1024 && i == 10)", "false");
    want_value("[1, 2, 1, 3, 1, 4].existsOne(i, v, i == 1 || v == 1)", "false");
    want_value("[1, 1, 2, 2, 3, 3].existsOne(i, v, i == 2 && v == 2)", "true");
    want_value("{'i': 0, 'j': 1, 'k': 2}.exists_one(i, v, i == 'l' || v == 1)", "true");
    want_typed("[1, 2, 3].transformList(i, v, (i * v) + v)", "[1, 4, 9]", "list(int)");
    want_value("[1, 2, 3].transformList(i, v, i % 2 == 0, (i * v) + v)", "[1, 9]");
    want_typed("{'greeting': 'hello', 'farewell': 'goodbye'}.transformList(k, _, k)",
               "[\"greeting\", \"farewell\"]", "list(string)");
    want_typed("[1, 2, 3].transformMap(i, v, (i * v) + v)", "{0: 1, 1: 4, 2: 9}", "map(int, int)");
    want_value("[1, 2, 3].transformMap(i, v, i % 2 == 0, (i * v) + v)", "{0: 1, 2: 9}");
    want_typed("{'greeting': 'hello'}.transformMap(k, v, v + '!')", "{\"greeting\": \"hello!\"}",
               "map(string, string)");
    want_typed("{'greeting': 'hello'}.transformMapEntry(k, v, {v: k})",
               "{\"hello\": \"greeting\"}", "map(string, string)");
    want_value("[1, 2, 3].transformMapEntry(i, v, {v: i})", "{1: 0, 2: 1, 3: 2}");
    /* Go's %v of the key in cel-go's message */
    want_error("{'greeting': 'aloha', 'farewell': 'aloha'}.transformMapEntry(k, v, {v: k})",
               "insert failed: key aloha already exists");
    want_error("[1, 2].transformMapEntry(i, v, {v % 1: i})", "insert failed: key 0 already exists");
    want_in(0, "x.transformList(k, v, k + '=' + v)", "{\"a\": \"1\"}", "[\"a=1\"]", "list(string)");
    want_compile_error_in(0, "[1].all(i, i, true)", "duplicate variable name: i");
    want_compile_error_in(0, "[1].all(i.j, v, true)", "argument must be a simple name");
    want_compile_error_in(0, "[1].transformList(i, @result, v)", "Syntax error");
    want_compile_error_in(0, "[1].transformList(i, __result__, 1)",
                          "iteration variable overwrites accumulator variable");
    want_compile_error_in(0, "1.all(i, v, true)",
                          "expression of type 'int' cannot be range of a comprehension");
    want_compile_error_in(0, "{'a': 1}.transformMap(k, v, k + v)", "found no matching overload");
    want_compile_error_in(31, "[1].all(i, v, true)", "undeclared reference to 'all'");
    want_compile_error_in(31, "[1].transformList(i, v, v)", "undeclared reference to 'transformList'");
    want_compiles_in(32, "[1].all(i, v, true) && [1].transformMapEntry(i, v, {i: v}) == {0: 1}");
}

/* ---------------------------------------------------------------- Go's sort */

typedef struct ints {
    const int *k;
} ints;

static int less_ints(void *ctx, size_t a, size_t b)
{
    const ints *s = ctx;
    return s->k[a] < s->k[b];
}

/* sort.Slice is a permutation into ascending order for every shape of
 * input pdqsort treats differently (short, long, sorted, reversed, many
 * equal keys, patterns that defeat a naive pivot). */
static void test_gosort_orders(void **state)
{
    enum { MAX = 700 };
    static int keys[MAX];
    static size_t idx[MAX];
    static unsigned char seen[MAX];
    unsigned seed = 12345;
    for (size_t n = 0; n < MAX; n += (n < 60 ? 1 : 37)) {
        for (int shape = 0; shape < 6; shape++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                switch (shape) {
                case 0: keys[i] = (int)(seed >> 16) % 1000; break;
                case 1: keys[i] = (int)i; break;
                case 2: keys[i] = (int)(n - i); break;
                case 3: keys[i] = (int)(seed >> 16) % 3; break;
                case 4: keys[i] = (int)(i % 2 ? i : n - i); break;
                default: keys[i] = 7; break;
                }
                idx[i] = i;
            }
            ints ctx = {keys};
            cel_gosort(idx, n, less_ints, &ctx);
            memset(seen, 0, sizeof seen);
            for (size_t i = 0; i < n; i++) {
                assert_true(idx[i] < n);
                assert_false(seen[idx[i]]);
                seen[idx[i]] = 1;
                if (i > 0)
                    assert_true(keys[idx[i - 1]] <= keys[idx[i]]);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_sorted),
        cmocka_unit_test(test_sum),
        cmocka_unit_test(test_min_max),
        cmocka_unit_test(test_index_of),
        cmocka_unit_test(test_includes),
        cmocka_unit_test(test_lists_costs),
        cmocka_unit_test(test_traversal_cost_of_data),
        cmocka_unit_test(test_lists_versions),
        cmocka_unit_test(test_lists_compile_errors),
        cmocka_unit_test(test_slice),
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_sort_by),
        cmocka_unit_test(test_range_reverse_distinct),
        cmocka_unit_test(test_ext_lists_costs),
        cmocka_unit_test(test_ext_lists_versions),
        cmocka_unit_test(test_ext_lists_tables),
        cmocka_unit_test(test_two_variable_comprehensions),
        cmocka_unit_test(test_gosort_orders),
    };
    return cmocka_run_group_tests(tests, NULL, ext_group_teardown);
}
