/*
 * lib_quantity.c: the Kubernetes quantity CEL library
 * ("kubernetes.quantity"): the kubernetes.Quantity type, its functions under
 * upstream's overload ids, and their runtime costs. The arithmetic is
 * qty.c's; this file converts between CEL values and it.
 *
 * Upstream returns the parsed quantity as a value (apiservercel.Quantity)
 * but the results of add/sub as a pointer (&apiservercel.Quantity), and its
 * Equal only accepts the value form on the right: quantity('2') ==
 * quantity('1').add(1) is false there, while quantity('1').add(1) ==
 * quantity('2') is true. The `boxed` flag keeps that difference.
 */
#include <stdio.h>
#include <string.h>

#include "cel/ext_k8s_types.h"
#include "qty.h"
#include "xtypes.h"

typedef struct qty_box {
    uint8_t dec, format, neg, boxed;
    int32_t scale;
    int64_t value;
    uint32_t n;
    uint32_t d[]; /* dec form: the magnitude's limbs */
} qty_box;

static cel_value qty_equal_value(const cel_value *self, const cel_value *other, cel_arena *a);
static const char *qty_format(const cel_opaque *o, cel_arena *a);

static const cel_opaque_type qty_opaque = {
    .name = "kubernetes.Quantity",
    .format = qty_format,
    .type = &cel_t_k8s_quantity,
    .equal_value = qty_equal_value,
};

const cel_type cel_t_k8s_quantity = {
    .kind = CEL_T_OPAQUE, .name = "kubernetes.Quantity", .opaque = &qty_opaque};

static const qty_box *box_of(const cel_opaque *o) { return CEL_OPAQUE_DATA(o); }

static void unpack(const cel_opaque *o, cel_qty *q)
{
    const qty_box *b = box_of(o);
    q->dec = b->dec;
    q->format = b->format;
    q->neg = b->neg;
    q->scale = b->scale;
    q->value = b->value;
    q->mag.n = b->n;
    memcpy(q->mag.d, b->d, b->n * sizeof b->d[0]);
}

static cel_value new_qty(cel_call *c, const cel_qty *q, bool boxed)
{
    uint32_t n = q->dec ? q->mag.n : 0;
    cel_opaque *o = cel_xt_opaque_new(c, &qty_opaque, sizeof(qty_box) + n * sizeof(uint32_t));
    if (!o)
        return cel_xt_oom(c);
    qty_box *b = CEL_OPAQUE_DATA(o);
    b->dec = q->dec;
    b->format = q->format;
    b->neg = q->neg;
    b->boxed = boxed;
    b->scale = q->scale;
    b->value = q->value;
    b->n = n;
    memcpy(b->d, q->mag.d, n * sizeof b->d[0]);
    return cel_opaque_v(o);
}

static cel_value qty_equal_value(const cel_value *self, const cel_value *other, cel_arena *a)
{
    if (other->kind != CEL_OPAQUE || other->u.opaque->type != &qty_opaque ||
        box_of(other->u.opaque)->boxed)
        return cel_bool(false);
    cel_qty x, y;
    unpack(self->u.opaque, &x);
    unpack(other->u.opaque, &y);
    return cel_bool(cel_qty_cmp(&x, &y) == 0);
}

static const char *qty_format(const cel_opaque *o, cel_arena *a)
{
    cel_qty q;
    unpack(o, &q);
    char text[CEL_QTY_STRMAX], out[CEL_QTY_STRMAX + 16];
    cel_qty_string(&q, text);
    int n = snprintf(out, sizeof out, "quantity(\"%s\")", text);
    return cel_arena_memdup(a, out, (size_t)n);
}

/* ------------------------------------------------------------ functions */

static cel_value q_string_to_quantity(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_qty q;
    cel_qty_err e = cel_qty_parse(args[0].u.str, args[0].len, &q);
    if (e)
        return cel_xt_error(c, CEL_ERR_GENERAL, cel_qty_error(e));
    return new_qty(c, &q, false);
}

/* A quantity too large for us is still a quantity (upstream's answer). */
static cel_value q_is_quantity(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_qty q;
    cel_qty_err e = cel_qty_parse(args[0].u.str, args[0].len, &q);
    return cel_bool(e == CEL_QTY_OK || e == CEL_QTY_E_LIMIT);
}

static cel_value q_sign(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_qty q;
    unpack(args[0].u.opaque, &q);
    return cel_int(cel_qty_sign(&q));
}

static int cmp_args(const cel_value *args)
{
    cel_qty x, y;
    unpack(args[0].u.opaque, &x);
    unpack(args[1].u.opaque, &y);
    return cel_qty_cmp(&x, &y);
}

static cel_value q_is_greater_than(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cmp_args(args) == 1);
}

static cel_value q_is_less_than(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cmp_args(args) == -1);
}

static cel_value q_compare_to(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_int(cmp_args(args));
}

static cel_value q_get_float(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_qty q;
    unpack(args[0].u.opaque, &q);
    return cel_double(cel_qty_approx_float(&q));
}

static cel_value q_get_int(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_qty q;
    int64_t v;
    unpack(args[0].u.opaque, &q);
    if (!cel_qty_as_int64(&q, &v))
        return cel_xt_error(c, CEL_ERR_GENERAL, "cannot convert value to integer");
    return cel_int(v);
}

static cel_value q_is_integer(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_qty q;
    int64_t v;
    unpack(args[0].u.opaque, &q);
    return cel_bool(cel_qty_as_int64(&q, &v));
}

/* add/sub with a quantity or an int: resource.NewQuantity(i, DecimalExponent). */
static cel_value arith(cel_call *c, const cel_value *args, bool subtract)
{
    cel_qty q, y;
    unpack(args[0].u.opaque, &q);
    if (args[1].kind == CEL_INT)
        cel_qty_from_int64(&y, args[1].u.i, CEL_QTY_DECIMAL_EXPONENT);
    else
        unpack(args[1].u.opaque, &y);
    cel_qty_err e = subtract ? cel_qty_sub(&q, &y) : cel_qty_add(&q, &y);
    if (e)
        return cel_xt_error(c, CEL_ERR_GENERAL, cel_qty_error(e));
    return new_qty(c, &q, true);
}

static cel_value q_add(cel_call *c, const cel_value *args, size_t nargs)
{
    return arith(c, args, false);
}

static cel_value q_sub(cel_call *c, const cel_value *args, size_t nargs)
{
    return arith(c, args, true);
}

/* ------------------------------------------------------------ costs */

/* quantity(), isQuantity(): a string traversal; everything else is 1. */
static uint64_t q_cost_parse(const cel_value *args, size_t nargs)
{
    return cel_xt_traversal(cel_xt_str_size(&args[0]), 0.1);
}

/* ------------------------------------------------------------ table */

#define Q (&cel_t_k8s_quantity)

/* Not CEL_FN_VALIDATE_LITERAL: Kubernetes validates duration, timestamp and
 * regex literals at compile time, not quantities; quantity('bad') fails at
 * run time there. Valid literals still fold into the program. */
static const cel_overload quantity_overloads[] = {
    {"string_to_quantity", "quantity", false, 1, 0, {&cel_t_string}, Q, q_string_to_quantity,
     q_cost_parse},
    {"is_quantity_string", "isQuantity", false, 1, 0, {&cel_t_string}, &cel_t_bool, q_is_quantity,
     q_cost_parse},
    {"quantity_sign", "sign", false, 1, 0, {Q}, &cel_t_int, q_sign, NULL},
    {"quantity_is_greater_than", "isGreaterThan", true, 2, 0, {Q, Q}, &cel_t_bool,
     q_is_greater_than, NULL},
    {"quantity_is_less_than", "isLessThan", true, 2, 0, {Q, Q}, &cel_t_bool, q_is_less_than,
     NULL},
    {"quantity_compare_to", "compareTo", true, 2, 0, {Q, Q}, &cel_t_int, q_compare_to, NULL},
    {"quantity_get_float", "asApproximateFloat", true, 1, 0, {Q}, &cel_t_double, q_get_float,
     NULL},
    {"quantity_get_int", "asInteger", true, 1, 0, {Q}, &cel_t_int, q_get_int, NULL},
    {"quantity_is_integer", "isInteger", true, 1, 0, {Q}, &cel_t_bool, q_is_integer, NULL},
    {"quantity_add", "add", true, 2, 0, {Q, Q}, Q, q_add, NULL},
    {"quantity_add_int", "add", true, 2, 0, {Q, &cel_t_int}, Q, q_add, NULL},
    {"quantity_sub", "sub", true, 2, 0, {Q, Q}, Q, q_sub, NULL},
    {"quantity_sub_int", "sub", true, 2, 0, {Q, &cel_t_int}, Q, q_sub, NULL},
};

const cel_library cel_lib_k8s_quantity = {
    .name = "kubernetes.quantity",
    .overloads = quantity_overloads,
    .count = sizeof quantity_overloads / sizeof quantity_overloads[0],
};
