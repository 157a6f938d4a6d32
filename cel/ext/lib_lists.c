/*
 * lib_lists.c: the Kubernetes lists library ("kubernetes.lists",
 * k8s.io/apiserver pkg/cel/library/lists.go): isSorted, sum, min, max,
 * indexOf, lastIndexOf (version 0) and includes (version 1), with
 * upstream's overload per element type and Kubernetes' runtime cost (one
 * traversal of the receiver).
 *
 * The per-type overloads matter at run time: a call the checker resolved
 * to one overload runs it alone (so list(double).sum() of an empty list is
 * 0.0), while a dyn receiver is dispatched to the first overload whose
 * element type matches the list's first element, the first of all for an
 * empty list (so dyn([]).sum() is 0). Comparisons are cel-go's Compare: an
 * error result (NaN, a type that does not order against the other) counts
 * as "not the preferred order", never as an error.
 */
#include <string.h>

#include "cel/ext_lists.h"
#include "cel/value.h"
#include "cel/cel.h"

#define ARENA(c) cel_call_arena(c)

static cel_value no_overload(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
}

/* cel-go's traits.Comparer: the kinds that order at all. */
static bool comparable_kind(int k)
{
    switch (k) {
    case CEL_BOOL: case CEL_INT: case CEL_UINT: case CEL_DOUBLE: case CEL_STRING:
    case CEL_BYTES: case CEL_TIMESTAMP: case CEL_DURATION:
        return true;
    default:
        return false;
    }
}

/* a.Compare(b) as -1, 0 or 1, or 2 when cel-go's Compare is an error. */
static int compare(const cel_value *a, const cel_value *b, cel_arena *ar)
{
    int r;
    cel_value ok = cel_value_compare(a, b, &r, ar);
    if (ok.kind != CEL_BOOL || r == CEL_CMP_UNORDERED)
        return 2;
    return r;
}

static bool charge_traversal(cel_call *c, const cel_value *list);

/* Every function below starts by charging Kubernetes' cost, one traversal
 * of the receiver; false means the limit was passed. */
#define CHARGE(c, args)                                                        \
    do {                                                                       \
        if (!charge_traversal(c, &(args)[0]))                                  \
            return cel_error_new(ARENA(c), CEL_ERR_COST, "cost limit");       \
    } while (0)

/* ---------------------------------------------------------------- functions */

static cel_value lists_is_sorted(cel_call *c, const cel_value *args, size_t nargs)
{
    CHARGE(c, args);
    const cel_list *l = args[0].u.list;
    cel_value prev = {0};
    for (size_t i = 0; i < l->len; i++) {
        cel_value next = cel_list_at(l, i, ARENA(c));
        if (!comparable_kind(next.kind))
            return next.kind == CEL_ERROR ? next : no_overload(c);
        if (i > 0 && compare(&prev, &next, ARENA(c)) == 1)
            return cel_bool(false);
        prev = next;
    }
    return cel_bool(true);
}

/* min (prefer == 1: replace while the kept one is greater) and max
 * (prefer == -1). */
static cel_value extreme(cel_call *c, const cel_value *args, int prefer, const char *name)
{
    CHARGE(c, args);
    const cel_list *l = args[0].u.list;
    cel_value result = {0};
    for (size_t i = 0; i < l->len; i++) {
        cel_value next = cel_list_at(l, i, ARENA(c));
        if (!comparable_kind(next.kind))
            return next.kind == CEL_ERROR ? next : no_overload(c);
        if (i == 0 || compare(&result, &next, ARENA(c)) == prefer)
            result = next;
    }
    if (l->len == 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "%s called on empty list", name);
    return result;
}

static cel_value lists_min(cel_call *c, const cel_value *args, size_t nargs)
{
    return extreme(c, args, 1, "min");
}

static cel_value lists_max(cel_call *c, const cel_value *args, size_t nargs)
{
    return extreme(c, args, -1, "max");
}

/* The standard library's addition for one kind, by overload id, so sums
 * overflow and round exactly as `+` does. */
static cel_fn std_add(const char *id)
{
    const cel_library *libs[] = {&cel_lib_std, &cel_lib_time};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < libs[l]->count; i++)
            if (!strcmp(libs[l]->overloads[i].id, id))
                return libs[l]->overloads[i].fn;
    return NULL;
}

/* Upstream starts from the zero of the overload's type and adds each
 * element with that type's Add, which takes only its own kind. */
static cel_value sum(cel_call *c, const cel_value *args, cel_value acc, const char *add_id)
{
    CHARGE(c, args);
    const cel_list *l = args[0].u.list;
    cel_fn add = std_add(add_id);
    if (!add)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "internal error: no %s", add_id);
    for (size_t i = 0; i < l->len; i++) {
        cel_value pair[2] = {acc, cel_list_at(l, i, ARENA(c))};
        if (pair[1].kind == CEL_ERROR)
            return pair[1];
        if (pair[1].kind != acc.kind)
            return no_overload(c);
        acc = add(c, pair, 2);
        if (acc.kind == CEL_ERROR)
            return acc;
    }
    return acc;
}

static cel_value lists_sum_int(cel_call *c, const cel_value *a, size_t n)
{
    return sum(c, a, cel_int(0), "add_int64");
}

static cel_value lists_sum_uint(cel_call *c, const cel_value *a, size_t n)
{
    return sum(c, a, cel_uint(0), "add_uint64");
}

static cel_value lists_sum_double(cel_call *c, const cel_value *a, size_t n)
{
    return sum(c, a, cel_double(0), "add_double");
}

static cel_value lists_sum_duration(cel_call *c, const cel_value *a, size_t n)
{
    cel_value zero = {0};
    zero.kind = CEL_DURATION;
    return sum(c, a, zero, "add_duration_duration");
}

static bool equal(const cel_value *a, const cel_value *b, cel_arena *ar)
{
    cel_value r = cel_value_equal(a, b, ar);
    return r.kind == CEL_BOOL && r.u.b;
}

static cel_value lists_index_of(cel_call *c, const cel_value *args, size_t nargs)
{
    CHARGE(c, args);
    const cel_list *l = args[0].u.list;
    for (size_t i = 0; i < l->len; i++) {
        cel_value e = cel_list_at(l, i, ARENA(c));
        if (equal(&e, &args[1], ARENA(c)))
            return cel_int((int64_t)i);
    }
    return cel_int(-1);
}

static cel_value lists_last_index_of(cel_call *c, const cel_value *args, size_t nargs)
{
    CHARGE(c, args);
    const cel_list *l = args[0].u.list;
    for (size_t i = l->len; i-- > 0;) {
        cel_value e = cel_list_at(l, i, ARENA(c));
        if (equal(&e, &args[1], ARENA(c)))
            return cel_int((int64_t)i);
    }
    return cel_int(-1);
}

/* Membership when the receiver is a list, equality otherwise. */
static cel_value lists_includes(cel_call *c, const cel_value *args, size_t nargs)
{
    if (args[0].kind != CEL_LIST)
        return cel_bool(equal(&args[0], &args[1], ARENA(c)));
    const cel_list *l = args[0].u.list;
    for (size_t i = 0; i < l->len; i++) {
        cel_value e = cel_list_at(l, i, ARENA(c));
        if (equal(&e, &args[1], ARENA(c)))
            return cel_bool(true);
    }
    return cel_bool(false);
}

/* ---------------------------------------------------------------- cost */

/* Kubernetes' traversalCost: a tenth of a string's or bytes' length in
 * bytes, rounded down; the sum over a list's elements or a map's keys and
 * values; 1 for anything else. */
static uint64_t traversal_cost(const cel_value *v, cel_arena *a, int depth)
{
    switch (v->kind) {
    case CEL_STRING:
    case CEL_BYTES:
        return (uint64_t)((double)v->len * 0.1);
    case CEL_LIST: {
        uint64_t cost = 0;
        if (depth > 4096)
            return v->u.list->len;
        for (size_t i = 0; i < v->u.list->len; i++) {
            cel_value e = cel_list_at(v->u.list, i, a);
            uint64_t ec = traversal_cost(&e, a, depth + 1);
            cost = ec > UINT64_MAX - cost ? UINT64_MAX : cost + ec;
        }
        return cost;
    }
    case CEL_MAP: {
        uint64_t cost = 0;
        if (depth > 4096)
            return 2 * (uint64_t)v->u.map->len;
        for (size_t i = 0; i < v->u.map->len; i++) {
            cel_value k, e;
            cel_map_entry(v->u.map, i, &k, &e, a);
            uint64_t ec = traversal_cost(&k, a, depth + 1);
            ec += traversal_cost(&e, a, depth + 1);
            cost = ec > UINT64_MAX - cost ? UINT64_MAX : cost + ec;
        }
        return cost;
    }
    default:
        return 1;
    }
}

/* The traversal is charged from inside the call, where the evaluation's
 * arena can decode JSON-backed elements; the table's cost is then 0. */
static uint64_t lists_cost(const cel_value *args, size_t nargs)
{
    return 0;
}

static bool charge_traversal(cel_call *c, const cel_value *list)
{
    return cel_call_charge(c, traversal_cost(list, ARENA(c), 0));
}

/* ---------------------------------------------------------------- tables */

#define LT(nm, elem) \
    static const cel_type t_list_##nm = {.kind = CEL_T_LIST, .name = "list", .param = {elem}}
LT(int, &cel_t_int);
LT(uint, &cel_t_uint);
LT(double, &cel_t_double);
LT(bool, &cel_t_bool);
LT(duration, &cel_t_duration);
LT(timestamp, &cel_t_timestamp);
LT(string, &cel_t_string);
LT(bytes, &cel_t_bytes);
LT(a, &cel_t_param_a);

#define FL CEL_FN_CHECKED_DISPATCH

static const cel_overload lists_overloads[] = {
    {"list_int_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_int}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},
    {"list_uint_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_uint}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},
    {"list_double_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_double}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},
    {"list_bool_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_bool}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},
    {"list_duration_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_duration}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},
    {"list_timestamp_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_timestamp},
     &cel_t_bool, lists_is_sorted, lists_cost, NULL, NULL},
    {"list_string_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_string}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},
    {"list_bytes_is_sorted_bool", "isSorted", true, 1, FL, {&t_list_bytes}, &cel_t_bool,
     lists_is_sorted, lists_cost, NULL, NULL},

    {"list_int_sum_int", "sum", true, 1, FL, {&t_list_int}, &cel_t_int, lists_sum_int,
     lists_cost, NULL, NULL},
    {"list_uint_sum_uint", "sum", true, 1, FL, {&t_list_uint}, &cel_t_uint, lists_sum_uint,
     lists_cost, NULL, NULL},
    {"list_double_sum_double", "sum", true, 1, FL, {&t_list_double}, &cel_t_double,
     lists_sum_double, lists_cost, NULL, NULL},
    {"list_duration_sum_duration", "sum", true, 1, FL, {&t_list_duration}, &cel_t_duration,
     lists_sum_duration, lists_cost, NULL, NULL},

#define EXTREME(op, fn)                                                                        \
    {"list_int_" op "_int", op, true, 1, FL, {&t_list_int}, &cel_t_int, fn, lists_cost, NULL,   \
     NULL},                                                                                    \
    {"list_uint_" op "_uint", op, true, 1, FL, {&t_list_uint}, &cel_t_uint, fn, lists_cost,     \
     NULL, NULL},                                                                              \
    {"list_double_" op "_double", op, true, 1, FL, {&t_list_double}, &cel_t_double, fn,         \
     lists_cost, NULL, NULL},                                                                  \
    {"list_bool_" op "_bool", op, true, 1, FL, {&t_list_bool}, &cel_t_bool, fn, lists_cost,     \
     NULL, NULL},                                                                              \
    {"list_duration_" op "_duration", op, true, 1, FL, {&t_list_duration}, &cel_t_duration, fn, \
     lists_cost, NULL, NULL},                                                                  \
    {"list_timestamp_" op "_timestamp", op, true, 1, FL, {&t_list_timestamp},                   \
     &cel_t_timestamp, fn, lists_cost, NULL, NULL},                                            \
    {"list_string_" op "_string", op, true, 1, FL, {&t_list_string}, &cel_t_string, fn,         \
     lists_cost, NULL, NULL},                                                                  \
    {"list_bytes_" op "_bytes", op, true, 1, FL, {&t_list_bytes}, &cel_t_bytes, fn, lists_cost, \
     NULL, NULL}
    EXTREME("max", lists_max),
    EXTREME("min", lists_min),
#undef EXTREME

    {"list_a_index_of_int", "indexOf", true, 2, FL, {&t_list_a, &cel_t_param_a}, &cel_t_int,
     lists_index_of, lists_cost, NULL, NULL},
    {"list_a_last_index_of_int", "lastIndexOf", true, 2, FL, {&t_list_a, &cel_t_param_a},
     &cel_t_int, lists_last_index_of, lists_cost, NULL, NULL},
};

/* Kubernetes' estimator has no case for includes: cel-go's default of 1. */
static const cel_overload lists_includes_overloads[] = {
    {"list_includes_dyn_dyn", "includes", true, 2, FL, {&cel_t_dyn, &cel_t_dyn}, &cel_t_bool,
     lists_includes, NULL, NULL, NULL},
};

const cel_library cel_lib_k8s_lists = {
    "kubernetes.lists", lists_overloads, sizeof lists_overloads / sizeof lists_overloads[0],
    NULL, 0,
};

const cel_library cel_lib_k8s_lists_includes = {
    "kubernetes.lists.v1", lists_includes_overloads,
    sizeof lists_includes_overloads / sizeof lists_includes_overloads[0], NULL, 0,
};
