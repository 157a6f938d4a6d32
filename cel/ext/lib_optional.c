/*
 * lib_optional.c: cel-go's optional types library (cel.OptionalTypes):
 * optional.of / ofNonZeroValue / none, value(), hasValue(), or(),
 * orValue(), the indexing declarations for optional lists and maps, and
 * version 2's first(), last(), optional.unwrap() and unwrapOpt().
 *
 * The syntax (x.?f, x[?k], [?e], {?k: v}) and the optMap / optFlatMap
 * macros belong to the parser; selecting and indexing through optionals is
 * the interpreter's own (CEL_P_OPT_SELECT, CEL_P_OPT_INDEX); or() and
 * orValue() are planned as short-circuiting steps (CEL_P_OPT_OR*) when they
 * resolve to the overloads here, whose functions then only serve direct
 * calls. An optional value is CEL_OPTIONAL with u.opt pointing at the
 * contained value (NULL: optional.none()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/ext_lists.h"
#include "cel/value.h"
#include "cel/lib_std.h"

#define ARENA(c) cel_call_arena(c)

static cel_value opt_none(void)
{
    cel_value v = {0};
    v.kind = CEL_OPTIONAL;
    return v;
}

static cel_value opt_of(cel_call *c, const cel_value *inner)
{
    cel_value *box = cel_arena_alloc(ARENA(c), sizeof *box);
    if (!box)
        return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "out of memory");
    *box = *inner;
    cel_value v = opt_none();
    v.u.opt = box;
    return v;
}

/* ---------------------------------------------------------------- v0 */

static cel_value optional_of(cel_call *c, const cel_value *a, size_t n)
{
    return opt_of(c, &a[0]);
}

/* cel-go's traits.Zeroer: the zero values of the types that have one;
 * types without (optionals, types, opaque values) are never zero. */
static bool is_zero_value(const cel_value *v)
{
    switch (v->kind) {
    case CEL_NULL: return true;
    case CEL_BOOL: return !v->u.b;
    case CEL_INT: return v->u.i == 0;
    case CEL_UINT: return v->u.u == 0;
    case CEL_DOUBLE: return v->u.d == 0;
    case CEL_STRING:
    case CEL_BYTES: return v->len == 0;
    case CEL_LIST: return v->u.list->len == 0;
    case CEL_MAP: return v->u.map->len == 0;
    case CEL_TIMESTAMP:
    case CEL_DURATION: return v->u.i == 0 && v->len == 0;
    default: return false;
    }
}

static cel_value optional_of_non_zero(cel_call *c, const cel_value *a, size_t n)
{
    return is_zero_value(&a[0]) ? opt_none() : opt_of(c, &a[0]);
}

static cel_value optional_none(cel_call *c, const cel_value *a, size_t n)
{
    return opt_none();
}

static cel_value optional_value(cel_call *c, const cel_value *a, size_t n)
{
    if (!a[0].u.opt)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "optional.none() dereference");
    return *a[0].u.opt;
}

static cel_value optional_has_value(cel_call *c, const cel_value *a, size_t n)
{
    return cel_bool(a[0].u.opt != NULL);
}

/* Direct calls only (both sides already evaluated); planned calls
 * short-circuit in the interpreter. */
static cel_value optional_or(cel_call *c, const cel_value *a, size_t n)
{
    return a[0].u.opt ? a[0] : a[1];
}

static cel_value optional_or_value(cel_call *c, const cel_value *a, size_t n)
{
    return a[0].u.opt ? *a[0].u.opt : a[1];
}

/* ---------------------------------------------------------------- v2 */

static cel_value list_first(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    if (l->len == 0)
        return opt_none();
    cel_value v = cel_list_at(l, 0, ARENA(c));
    return opt_of(c, &v);
}

static cel_value list_last(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    if (l->len == 0)
        return opt_none();
    cel_value v = cel_list_at(l, l->len - 1, ARENA(c));
    return opt_of(c, &v);
}

/* Go's %v of a CEL value, for the error text of unwrap(): scalars as Go
 * prints them, anything else in CEL literal form. */
static cel_value not_optional(cel_call *c, const cel_value *v)
{
    cel_arena *a = ARENA(c);
    char num[48];
    switch (v->kind) {
    case CEL_INT:
        return cel_error_new(a, CEL_ERR_GENERAL, "value %lld is not optional", (long long)v->u.i);
    case CEL_UINT:
        return cel_error_new(a, CEL_ERR_GENERAL, "value %llu is not optional",
                             (unsigned long long)v->u.u);
    case CEL_DOUBLE:
        cel_std_format_double(v->u.d, num);
        return cel_error_new(a, CEL_ERR_GENERAL, "value %s is not optional", num);
    case CEL_BOOL:
        return cel_error_new(a, CEL_ERR_GENERAL, "value %s is not optional",
                             v->u.b ? "true" : "false");
    case CEL_STRING:
        return cel_error_new(a, CEL_ERR_GENERAL, "value %.*s is not optional", (int)v->len,
                             v->u.str);
    case CEL_NULL:
        return cel_error_new(a, CEL_ERR_GENERAL, "value NULL_VALUE is not optional");
    default: {
        char *lit = cel_value_to_cel_literal(v, a);
        cel_value e = cel_error_new(a, CEL_ERR_GENERAL, "value %s is not optional",
                                    lit ? lit : "?");
        free(lit);
        return e;
    }
    }
}

static cel_value optional_unwrap(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    cel_arena *ar = ARENA(c);
    cel_value *items = l->len ? cel_arena_alloc(ar, l->len * sizeof *items) : NULL;
    if (l->len && !items)
        return cel_error_new(ar, CEL_ERR_MEMORY, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < l->len; i++) {
        cel_value v = cel_list_at(l, i, ar);
        if (v.kind != CEL_OPTIONAL)
            return not_optional(c, &v);
        if (v.u.opt)
            items[k++] = *v.u.opt;
    }
    return cel_list_new(ar, items, k);
}

/* ---------------------------------------------------------------- tables */

static const cel_type t_opt_v = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                 .param = {&cel_t_param_v}};
static const cel_type t_list_v = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_param_v}};
static const cel_type t_map_kv = {.kind = CEL_T_MAP, .name = "map",
                                  .param = {&cel_t_param_k, &cel_t_param_v}};
static const cel_type t_opt_list_v = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                      .param = {&t_list_v}};
static const cel_type t_opt_map_kv = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                      .param = {&t_map_kv}};
static const cel_type t_list_opt_v = {.kind = CEL_T_LIST, .name = "list", .param = {&t_opt_v}};

#define V (&cel_t_param_v)
#define K (&cel_t_param_k)
#define OPT_V (&t_opt_v)

static const cel_overload optional_overloads[] = {
    {"optional_of", "optional.of", false, 1, 0, {V}, OPT_V, optional_of, NULL, NULL, NULL},
    {"optional_ofNonZeroValue", "optional.ofNonZeroValue", false, 1, 0, {V}, OPT_V,
     optional_of_non_zero, NULL, NULL, NULL},
    {"optional_none", "optional.none", false, 0, 0, {NULL}, OPT_V, optional_none, NULL, NULL,
     NULL},
    {"optional_value", "value", true, 1, 0, {OPT_V}, V, optional_value, NULL, NULL, NULL},
    {"optional_hasValue", "hasValue", true, 1, 0, {OPT_V}, &cel_t_bool, optional_has_value,
     NULL, NULL, NULL},
    {"optional_or_optional", "or", true, 2, 0, {OPT_V, OPT_V}, OPT_V, optional_or, NULL, NULL,
     NULL},
    {"optional_orValue_value", "orValue", true, 2, 0, {OPT_V, V}, V, optional_or_value, NULL,
     NULL, NULL},
    /* Indexing through an optional list or map: declarations for the
     * checker; the interpreter indexes itself. */
    {"optional_list_optindex_optional_int", "_[?_]", false, 2, 0, {&t_opt_list_v, &cel_t_int},
     OPT_V, NULL, NULL, NULL, NULL},
    {"optional_map_optindex_optional_value", "_[?_]", false, 2, 0, {&t_opt_map_kv, K}, OPT_V,
     NULL, NULL, NULL, NULL},
    {"optional_list_index_int", "_[_]", false, 2, 0, {&t_opt_list_v, &cel_t_int}, OPT_V, NULL,
     NULL, NULL, NULL},
    {"optional_map_index_value", "_[_]", false, 2, 0, {&t_opt_map_kv, K}, OPT_V, NULL, NULL,
     NULL, NULL},
};

static const cel_overload optional_v2_overloads[] = {
    {"list_last", "last", true, 1, 0, {&t_list_v}, OPT_V, list_last, NULL, NULL, NULL},
    {"list_first", "first", true, 1, 0, {&t_list_v}, OPT_V, list_first, NULL, NULL, NULL},
    {"optional_unwrap", "optional.unwrap", false, 1, 0, {&t_list_opt_v}, &t_list_v,
     optional_unwrap, NULL, NULL, NULL},
    {"optional_unwrapOpt", "unwrapOpt", true, 1, 0, {&t_list_opt_v}, &t_list_v,
     optional_unwrap, NULL, NULL, NULL},
};

const cel_library cel_lib_optional = {
    "cel.lib.optional", optional_overloads,
    sizeof optional_overloads / sizeof optional_overloads[0], NULL, 0,
};

const cel_library cel_lib_optional_v2 = {
    "cel.lib.optional.v2", optional_v2_overloads,
    sizeof optional_v2_overloads / sizeof optional_v2_overloads[0], NULL, 0,
};
