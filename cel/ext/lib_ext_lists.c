/*
 * lib_ext_lists.c: cel-go's ext lists library ("cel.lib.ext.lists"):
 * slice (v0), flatten (v1), sort, @sortByAssociatedKeys (the sortBy
 * macro's helper), lists.range, reverse, distinct (v2), and version 3's
 * runtime costs (cel-go's overload cost trackers, which Kubernetes >= 1.34
 * charges). One table per version; v3 differs from v2 only in its costs.
 *
 * Error texts are cel-go's. flatten runs without type guards (a receiver
 * that is not a list reaches the function and gets cel-go's message);
 * sort and @sortByAssociatedKeys are single functions for all their
 * overloads, guarded only by being lists; the rest dispatch as declared.
 * Sorting is Go's sort.Slice (gosort.c), so equal keys end up where cel-go
 * puts them.
 */
#include <stdio.h>
#include <string.h>

#include "cel/ext_lists.h"
#include "cel/lib_std.h"
#include "cel/value.h"
#include "gosort.h"

#define ARENA(c) cel_call_arena(c)

#define CALL_COST 1         /* cel-go's callCost */
#define LIST_CREATE_COST 10 /* common.ListCreateBaseCost */
#define MAX_RANGE 10000000  /* lists.range's maxRangeSize */

static cel_value oom(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "out of memory");
}

/* A list's elements copied out (JSON-backed lists decode here). */
static cel_value *elements(cel_call *c, const cel_list *l)
{
    if (l->items)
        return (cel_value *)l->items;
    cel_value *items = cel_arena_alloc(ARENA(c), (l->len ? l->len : 1) * sizeof *items);
    if (!items)
        return NULL;
    for (size_t i = 0; i < l->len; i++)
        items[i] = cel_list_at(l, i, ARENA(c));
    return items;
}

/* Go's %v of a value's runtime type in cel-go messages: lists and maps
 * print their (unset) parameters, as types.ListType and types.MapType do. */
static const char *go_type_name(const cel_value *v)
{
    switch (v->kind) {
    case CEL_LIST: return "list()";
    case CEL_MAP: return "map(, )";
    case CEL_OPTIONAL: return "optional_type(T)";
    case CEL_OPAQUE: return v->u.opaque->type->name;
    default: return cel_type_of_kind(v->kind)->name;
    }
}

/* ---------------------------------------------------------------- slice */

static cel_value lists_slice(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    int64_t start = a[1].u.i, end = a[2].u.i;
    if (start < 0 || end < 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL,
                             "cannot slice(%lld, %lld), negative indexes not supported",
                             (long long)start, (long long)end);
    if (start > end)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL,
                             "cannot slice(%lld, %lld), start index must be less than or equal "
                             "to end index",
                             (long long)start, (long long)end);
    if ((uint64_t)end > l->len)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL,
                             "cannot slice(%lld, %lld), list is length %zu", (long long)start,
                             (long long)end, l->len);
    size_t len = (size_t)(end - start);
    cel_value *items = cel_arena_alloc(ARENA(c), (len ? len : 1) * sizeof *items);
    if (!items)
        return oom(c);
    for (size_t i = 0; i < len; i++)
        items[i] = cel_list_at(l, (size_t)start + i, ARENA(c));
    return cel_list_new(ARENA(c), items, len);
}

/* ---------------------------------------------------------------- flatten */

/* Counts (out == NULL) or writes the flattened elements. */
static size_t flatten_into(const cel_list *l, int64_t depth, cel_value *out, size_t pos,
                           cel_arena *a)
{
    for (size_t i = 0; i < l->len; i++) {
        cel_value v = cel_list_at(l, i, a);
        if (v.kind != CEL_LIST || depth == 0) {
            if (out)
                out[pos] = v;
            pos++;
        } else {
            pos = flatten_into(v.u.list, depth - 1, out, pos, a);
        }
    }
    return pos;
}

static cel_value flatten(cel_call *c, const cel_list *l, int64_t depth)
{
    if (depth < 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "level must be non-negative");
    size_t n = flatten_into(l, depth, NULL, 0, ARENA(c));
    cel_value *items = cel_arena_alloc(ARENA(c), (n ? n : 1) * sizeof *items);
    if (!items)
        return oom(c);
    flatten_into(l, depth, items, 0, ARENA(c));
    return cel_list_new(ARENA(c), items, n);
}

static cel_value lists_flatten(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].kind != CEL_LIST)
        return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload: %s.flatten()",
                             go_type_name(&a[0]));
    return flatten(c, a[0].u.list, 1);
}

static cel_value lists_flatten_depth(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].kind != CEL_LIST || a[1].kind != CEL_INT)
        return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload: %s.flatten(%s)",
                             go_type_name(&a[0]), go_type_name(&a[1]));
    return flatten(c, a[0].u.list, a[1].u.i);
}

/* ---------------------------------------------------------------- sort */

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

typedef struct sort_ctx {
    const cel_value *keys;
    cel_arena *arena;
} sort_ctx;

/* keys[a].Compare(keys[b]) == -1; a comparison error (NaN) is "not less". */
static int key_less(void *ctx, size_t a, size_t b)
{
    sort_ctx *s = ctx;
    int r;
    cel_value ok = cel_value_compare(&s->keys[a], &s->keys[b], &r, s->arena);
    return ok.kind == CEL_BOOL && r == -1;
}

/* list ordered by keys (same length). cel-go's sortListByAssociatedKeys. */
static cel_value sort_by_keys(cel_call *c, const cel_value *list, const cel_value *keys)
{
    const cel_list *l = list->u.list, *k = keys->u.list;
    if (l->len != k->len)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL,
                             "@sortByAssociatedKeys() expected a list of the same size as the "
                             "associated keys list, but got %zu and %zu elements respectively",
                             l->len, k->len);
    if (l->len == 0)
        return *list;
    cel_value *kv = elements(c, k);
    cel_value *lv = elements(c, l);
    size_t *idx = cel_arena_alloc(ARENA(c), l->len * sizeof *idx);
    cel_value *out = cel_arena_alloc(ARENA(c), l->len * sizeof *out);
    if (!kv || !lv || !idx || !out)
        return oom(c);
    if (!comparable_kind(kv[0].kind))
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "list elements must be comparable");
    /* cel-go finds mixed types in its comparator; every key takes part in
     * some comparison, so checking them first gives the same answer. */
    for (size_t i = 0; i < k->len; i++)
        if (kv[i].kind != kv[0].kind)
            return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "list elements must have the same type");
    for (size_t i = 0; i < l->len; i++)
        idx[i] = i;
    sort_ctx ctx = {kv, ARENA(c)};
    cel_gosort(idx, l->len, key_less, &ctx);
    for (size_t i = 0; i < l->len; i++)
        out[i] = lv[idx[i]];
    return cel_list_new(ARENA(c), out, l->len);
}

static cel_value not_a_list(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
}

static cel_value lists_sort(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].kind != CEL_LIST)
        return not_a_list(c);
    return sort_by_keys(c, &a[0], &a[0]);
}

static cel_value lists_sort_by_keys(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].kind != CEL_LIST || a[1].kind != CEL_LIST)
        return not_a_list(c);
    return sort_by_keys(c, &a[0], &a[1]);
}

/* ---------------------------------------------------------------- range, reverse, distinct */

static cel_value lists_range(cel_call *c, const cel_value *a, size_t n)
{
    int64_t count = a[0].u.i;
    if (count < 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL,
                             "lists.range: size must be non-negative, got %lld", (long long)count);
    if (count > MAX_RANGE)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL,
                             "lists.range: size %lld exceeds maximum allowed (%d)",
                             (long long)count, MAX_RANGE);
    cel_value *items = cel_arena_alloc(ARENA(c), (count ? (size_t)count : 1) * sizeof *items);
    if (!items)
        return oom(c);
    for (int64_t i = 0; i < count; i++)
        items[i] = cel_int(i);
    return cel_list_new(ARENA(c), items, (size_t)count);
}

static cel_value lists_reverse(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    cel_value *items = cel_arena_alloc(ARENA(c), (l->len ? l->len : 1) * sizeof *items);
    if (!items)
        return oom(c);
    for (size_t i = 0; i < l->len; i++)
        items[i] = cel_list_at(l, l->len - 1 - i, ARENA(c));
    return cel_list_new(ARENA(c), items, l->len);
}

/* First occurrences, by CEL equality ([1, 1.0, 2] gives [1, 2]). */
static cel_value lists_distinct(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    if (l->len == 0)
        return a[0];
    cel_value *items = cel_arena_alloc(ARENA(c), l->len * sizeof *items);
    if (!items)
        return oom(c);
    size_t k = 0;
    for (size_t i = 0; i < l->len; i++) {
        cel_value v = cel_list_at(l, i, ARENA(c));
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++) {
            cel_value eq = cel_value_equal(&v, &items[j], ARENA(c));
            seen = eq.kind == CEL_BOOL && eq.u.b;
        }
        if (!seen)
            items[k++] = v;
    }
    return cel_list_new(ARENA(c), items, k);
}

/* ---------------------------------------------------------------- v3 costs */

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* trackAllocatingListCall: the result size times a factor (truncated, as
 * Go's uint64(float64)), plus the call and the list allocation. */
static uint64_t allocating(uint64_t size_times_factor)
{
    return sat_add(sat_add(size_times_factor, CALL_COST), LIST_CREATE_COST);
}

/* slice's result is end - start elements; an error result has size 1. */
static uint64_t cost_slice(const cel_value *a, size_t n)
{
    int64_t start = a[1].u.i, end = a[2].u.i;
    bool ok = start >= 0 && end >= 0 && start <= end && (uint64_t)end <= a[0].u.list->len;
    return allocating(ok ? (uint64_t)(end - start) : 1);
}

static uint64_t cost_range(const cel_value *a, size_t n)
{
    int64_t count = a[0].u.i;
    return allocating(count >= 0 && count <= MAX_RANGE ? (uint64_t)count : 1);
}

static uint64_t cost_reverse(const cel_value *a, size_t n)
{
    return allocating(cel_std_actual_size(&a[0]));
}

/* depth times the receiver's size. A negative depth gives a negative
 * product, which Go on amd64 converts to uint64 by way of int64 (huge),
 * and the additions then saturate: [1].flatten(-1) is over any limit. */
static uint64_t cost_flatten(const cel_value *a, size_t n)
{
    double depth = n == 2 && a[1].kind == CEL_INT ? (double)a[1].u.i : 1.0;
    double p = (double)cel_std_actual_size(&a[0]) * depth;
    uint64_t v;
    if (p < 0)
        v = p >= -9223372036854775808.0 ? (uint64_t)(int64_t)p : (uint64_t)INT64_MIN;
    else
        v = p >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)p;
    return allocating(v);
}

/* trackListSelfCompare: n^2 comparisons at 2 each, 2.1 for strings and
 * bytes (cel-go looks at the first element). */
static uint64_t self_compare(cel_call *c, const cel_value *list)
{
    uint64_t sz = cel_std_actual_size(list);
    if (sz == 0 || list->kind != CEL_LIST)
        return allocating(0);
    cel_value first = cel_list_at(list->u.list, 0, ARENA(c));
    double factor = first.kind == CEL_STRING || first.kind == CEL_BYTES ? 2.1 : 2.0;
    uint64_t sq = sz > UINT64_MAX / sz ? UINT64_MAX : sz * sz;
    double p = (double)sq * factor;
    return allocating(p >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)p);
}

/* The self-compare costs look at the first element, which may need the
 * evaluation's arena: they are charged from inside the call. */
static uint64_t cost_in_call(const cel_value *a, size_t n) { return 0; }

#define CHARGED(name, inner, list_arg)                                                 \
    static cel_value name(cel_call *c, const cel_value *a, size_t n)                  \
    {                                                                                 \
        if (!cel_call_charge(c, self_compare(c, &a[list_arg])))                       \
            return cel_error_new(ARENA(c), CEL_ERR_COST, "cost limit");               \
        return inner(c, a, n);                                                        \
    }
CHARGED(lists_sort_v3, lists_sort, 0)
CHARGED(lists_sort_by_keys_v3, lists_sort_by_keys, 1)
CHARGED(lists_distinct_v3, lists_distinct, 0)

/* ---------------------------------------------------------------- tables */

static const cel_type t_list_t = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_param_a}};
static const cel_type t_list_list_t = {.kind = CEL_T_LIST, .name = "list", .param = {&t_list_t}};
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

#define LT_ &t_list_t
#define NG CEL_FN_NO_TYPE_GUARDS

#define SLICE(cost) \
    {"list_slice", "slice", true, 3, 0, {LT_, &cel_t_int, &cel_t_int}, LT_, lists_slice, cost, NULL, NULL}

#define FLATTEN(cost)                                                                      \
    {"list_flatten", "flatten", true, 1, NG, {&t_list_list_t}, LT_, lists_flatten, cost,    \
     NULL, NULL},                                                                          \
    {"list_flatten_int", "flatten", true, 2, NG, {&cel_t_list_dyn, &cel_t_int},            \
     &cel_t_list_dyn, lists_flatten_depth, cost, NULL, NULL}

/* lists.range(n) is not folded: a small constant would otherwise become a
 * list of n elements held by the program for its lifetime. */

/* sort(): one function for every comparable element type, guarded only by
 * the receiver being a list (cel-go's singleton binding). */
#define SORT1(ty, tyname, fn, cost)                                                        \
    {"list_" tyname "_sort", "sort", true, 1, NG, {&t_list_##ty}, &t_list_##ty, fn, cost,   \
     NULL, NULL}
#define SORT(fn, cost)                                                                     \
    SORT1(int, "int", fn, cost), SORT1(uint, "uint", fn, cost),                            \
    SORT1(double, "double", fn, cost), SORT1(bool, "bool", fn, cost),                      \
    SORT1(duration, "google.protobuf.Duration", fn, cost),                                 \
    SORT1(timestamp, "google.protobuf.Timestamp", fn, cost),                               \
    SORT1(string, "string", fn, cost), SORT1(bytes, "bytes", fn, cost)

#define SORTBY1(ty, tyname, fn, cost)                                                      \
    {"list_" tyname "_sortByAssociatedKeys", "@sortByAssociatedKeys", true, 2, NG,          \
     {LT_, &t_list_##ty}, LT_, fn, cost, NULL, NULL}
#define SORTBY(fn, cost)                                                                   \
    SORTBY1(int, "int", fn, cost), SORTBY1(uint, "uint", fn, cost),                        \
    SORTBY1(double, "double", fn, cost), SORTBY1(bool, "bool", fn, cost),                  \
    SORTBY1(duration, "google.protobuf.Duration", fn, cost),                               \
    SORTBY1(timestamp, "google.protobuf.Timestamp", fn, cost),                             \
    SORTBY1(string, "string", fn, cost), SORTBY1(bytes, "bytes", fn, cost)

#define V2_REST(range_cost, reverse_cost, distinct_fn, distinct_cost)                        \
    {"lists_range", "lists.range", false, 1, CEL_FN_NOFOLD, {&cel_t_int}, &t_list_int,      \
     lists_range,                                                                           \
     range_cost, NULL, NULL},                                                               \
    {"list_reverse", "reverse", true, 1, 0, {LT_}, LT_, lists_reverse, reverse_cost, NULL,  \
     NULL},                                                                                 \
    {"list_distinct", "distinct", true, 1, 0, {LT_}, LT_, distinct_fn, distinct_cost, NULL, \
     NULL}

static const cel_overload ext_lists_v0[] = {SLICE(NULL)};
static const cel_overload ext_lists_v1[] = {SLICE(NULL), FLATTEN(NULL)};
static const cel_overload ext_lists_v2[] = {
    SLICE(NULL), FLATTEN(NULL), SORT(lists_sort, NULL), SORTBY(lists_sort_by_keys, NULL),
    V2_REST(NULL, NULL, lists_distinct, NULL),
};
static const cel_overload ext_lists_v3[] = {
    SLICE(cost_slice),
    FLATTEN(cost_flatten),
    SORT(lists_sort_v3, cost_in_call),
    SORTBY(lists_sort_by_keys_v3, cost_in_call),
    V2_REST(cost_range, cost_reverse, lists_distinct_v3, cost_in_call),
};

#define LIB(name, tab)                                                                   \
    const cel_library name = {"cel.lib.ext.lists", tab, sizeof tab / sizeof tab[0], NULL, 0}
LIB(cel_lib_ext_lists_v0, ext_lists_v0);
LIB(cel_lib_ext_lists_v1, ext_lists_v1);
LIB(cel_lib_ext_lists_v2, ext_lists_v2);
LIB(cel_lib_ext_lists_v3, ext_lists_v3);
