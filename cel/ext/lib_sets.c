/*
 * lib_sets.c: cel-go's ext sets library ("cel.lib.ext.sets", Kubernetes
 * >= 1.29): sets.contains, sets.equivalent and sets.intersects over lists,
 * with CEL equality (1, 1.0 and 1u are the same element), and cel-go's
 * cost tracker: 1 plus the product of the two sizes, doubled for
 * equivalent.
 */
#include "cel/ext_lists.h"
#include "cel/value.h"

#define ARENA(c) cel_call_arena(c)

/* cel-go's Lister.Contains: some element is equal to v. */
static bool list_contains(const cel_list *l, const cel_value *v, cel_arena *a)
{
    for (size_t i = 0; i < l->len; i++) {
        cel_value e = cel_list_at(l, i, a);
        cel_value eq = cel_value_equal(v, &e, a);
        if (eq.kind == CEL_BOOL && eq.u.b)
            return true;
    }
    return false;
}

/* Every element of sub is in list. */
static bool contains_all(const cel_list *list, const cel_list *sub, cel_arena *a)
{
    for (size_t i = 0; i < sub->len; i++) {
        cel_value v = cel_list_at(sub, i, a);
        if (!list_contains(list, &v, a))
            return false;
    }
    return true;
}

static cel_value sets_contains(cel_call *c, const cel_value *args, size_t n)
{
    return cel_bool(contains_all(args[0].u.list, args[1].u.list, ARENA(c)));
}

static cel_value sets_equivalent(cel_call *c, const cel_value *args, size_t n)
{
    return cel_bool(contains_all(args[0].u.list, args[1].u.list, ARENA(c)) &&
                    contains_all(args[1].u.list, args[0].u.list, ARENA(c)));
}

static cel_value sets_intersects(cel_call *c, const cel_value *args, size_t n)
{
    const cel_list *a = args[0].u.list;
    for (size_t i = 0; i < a->len; i++) {
        cel_value v = cel_list_at(a, i, ARENA(c));
        if (list_contains(args[1].u.list, &v, ARENA(c)))
            return cel_bool(true);
    }
    return cel_bool(false);
}

/* trackSetsCost: callCost + uint64(float64(lhs*rhs) * factor), the product
 * in uint64 arithmetic as Go computes it. */
static uint64_t sets_cost(const cel_value *args, uint64_t factor)
{
    uint64_t product = (uint64_t)args[0].u.list->len * (uint64_t)args[1].u.list->len;
    double p = (double)product * (double)factor;
    return 1 + (p >= 18446744073709551615.0 ? UINT64_MAX - 1 : (uint64_t)p);
}

static uint64_t cost_once(const cel_value *args, size_t n) { return sets_cost(args, 1); }
static uint64_t cost_twice(const cel_value *args, size_t n) { return sets_cost(args, 2); }

static const cel_type t_list_t = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_param_a}};

static const cel_overload sets_overloads[] = {
    {"list_sets_contains_list", "sets.contains", false, 2, 0, {&t_list_t, &t_list_t},
     &cel_t_bool, sets_contains, cost_once, NULL, NULL},
    {"list_sets_equivalent_list", "sets.equivalent", false, 2, 0, {&t_list_t, &t_list_t},
     &cel_t_bool, sets_equivalent, cost_twice, NULL, NULL},
    {"list_sets_intersects_list", "sets.intersects", false, 2, 0, {&t_list_t, &t_list_t},
     &cel_t_bool, sets_intersects, cost_once, NULL, NULL},
};

const cel_library cel_lib_ext_sets = {
    "cel.lib.ext.sets", sets_overloads, sizeof sets_overloads / sizeof sets_overloads[0], NULL, 0,
};
