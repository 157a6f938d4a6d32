/*
 * test_lib_sets.c: cel-go's ext sets library in the Kubernetes
 * environments: results with CEL's cross-type equality, compile errors,
 * the version that brings it (1.29), and its runtime costs (the vectors of
 * k8s.io/apiserver library/cost_test.go TestSetsCost: 10 per list literal,
 * 1 plus the product of the sizes, doubled for equivalent).
 */
#include "ext_support.h"

#define L EXT_LOOSE

static void test_contains(void **state)
{
    want_typed("sets.contains([], [])", "true", "bool");
    want_value("sets.contains([], [1])", "false");
    want_value("sets.contains([1, 2, 3, 4], [2, 3])", "true");
    want_value("sets.contains([1], [1, 1])", "true");
    want_in(L, "sets.contains([1, 2.0, 3u], [1.0, 2u, 3])", NULL, "true", NULL);
    want_in(L, "sets.contains([[1], [2, 3]], [[2, 3.0]])", NULL, "true", NULL);
    want_in(L, "sets.contains([1], ['1', 1])", NULL, "false", NULL);
    want_in(0, "sets.contains(x, ['a'])", "[\"b\", \"a\"]", "true", NULL);
}

static void test_equivalent(void **state)
{
    want_value("sets.equivalent([], [])", "true");
    want_value("sets.equivalent([1], [1, 1])", "true");
    want_value("sets.equivalent([1, 1], [1])", "true");
    want_in(L, "sets.equivalent([1], [1u, 1.0])", NULL, "true", NULL);
    want_in(L, "sets.equivalent([1, 2, 3], [3u, 2.0, 1])", NULL, "true", NULL);
    want_value("sets.equivalent([2, 1], [1])", "false");
    want_value("sets.equivalent([1], [1, 2])", "false");
}

static void test_intersects(void **state)
{
    want_value("sets.intersects([1], [])", "false");
    want_value("sets.intersects([], [])", "false");
    want_value("sets.intersects([1], [1, 2])", "true");
    want_in(L, "sets.intersects([[1], [2, 3]], [[1, 2], [2, 3.0]])", NULL, "true", NULL);
    want_in(L, "sets.intersects([1], [1.1, 2u])", NULL, "false", NULL);
    want_in(0, "sets.intersects(x, [3])", "[1, 2]", "false", NULL);
}

static void test_sets_compile_errors(void **state)
{
    /* both lists share the element type T */
    want_compile_error_in(0, "sets.contains([1], [1.0])",
                          "found no matching overload for 'sets.contains' applied to "
                          "'(list(int), list(double))'");
    want_compile_error_in(0, "sets.contains([1], 1)", "found no matching overload");
    want_compile_error_in(28, "sets.contains([1], [1])", "undeclared reference");
    want_compiles_in(29, "sets.contains([1], [1]) && sets.equivalent([1], [1]) && "
                         "sets.intersects([1], [1])");
    want_compiles_in(EXT_ALL, "sets.contains([1], [1])");
}

static void test_sets_costs(void **state)
{
    static const struct {
        const char *expr;
        uint64_t cost;
    } v[] = {
        {"sets.contains([], [])", 21},
        {"sets.contains([1], [])", 21},
        {"sets.contains([1], [1])", 22},
        {"sets.contains([1], [1, 1])", 23},
        {"sets.contains([1, 1], [1])", 23},
        {"sets.contains([2, 1], [1])", 23},
        {"sets.contains([1, 2, 3, 4], [2, 3])", 29},
        {"sets.contains([1], [1.0, 1])", 23},
        {"sets.contains([1, 2], [2u, 2.0])", 25},
        {"sets.contains([1, 2u], [2, 2.0])", 25},
        {"sets.contains([1, 2.0, 3u], [1.0, 2u, 3])", 30},
        {"sets.contains([[1], [2, 3]], [[2, 3.0]])", 53},
        {"!sets.contains([1], [2])", 23},
        {"!sets.contains([1], [1, 2])", 24},
        {"!sets.contains([1], [\"1\", 1])", 24},
        {"!sets.contains([1], [1.1, 1u])", 24},
        {"sets.equivalent([], [])", 21},
        {"sets.equivalent([1], [1])", 23},
        {"sets.equivalent([1], [1, 1])", 25},
        {"sets.equivalent([1, 1], [1])", 25},
        {"sets.equivalent([1], [1u, 1.0])", 25},
        {"sets.equivalent([1, 2, 3], [3u, 2.0, 1])", 39},
        {"sets.equivalent([[1.0], [2, 3]], [[1], [2, 3.0]])", 69},
        {"!sets.equivalent([2, 1], [1])", 26},
        {"!sets.equivalent([1], [1, 2])", 26},
        {"!sets.equivalent([1, 2], [2u, 2, 2.0])", 34},
        {"!sets.equivalent([1, 2], [1u, 2, 2.3])", 34},
        {"sets.intersects([1], [1])", 22},
        {"sets.intersects([1], [1, 1])", 23},
        {"sets.intersects([1, 1], [1])", 23},
        {"sets.intersects([2, 1], [1])", 23},
        {"sets.intersects([1], [1, 2])", 23},
        {"sets.intersects([1], [1.0, 2])", 23},
        {"sets.intersects([1, 2], [2u, 2, 2.0])", 27},
        {"sets.intersects([1, 2], [1u, 2, 2.3])", 27},
        {"sets.intersects([[1], [2, 3]], [[1, 2], [2, 3.0]])", 65},
        {"!sets.intersects([], [])", 22},
        {"!sets.intersects([1], [])", 22},
        {"!sets.intersects([1], [2])", 23},
        {"!sets.intersects([1], [\"1\", 2])", 24},
        {"!sets.intersects([1], [1.1, 2u])", 24},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        want_cost_in(L, v[i].expr, v[i].cost);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_equivalent),
        cmocka_unit_test(test_intersects),
        cmocka_unit_test(test_sets_compile_errors),
        cmocka_unit_test(test_sets_costs),
    };
    return cmocka_run_group_tests(tests, NULL, ext_group_teardown);
}
