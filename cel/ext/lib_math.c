/*
 * lib_math.c: cel-go's math extension (ext/math.go, "cel.lib.ext.math")
 * in its versions: math.@max / math.@min behind the math.greatest and
 * math.least macros (cel/macro.c, CEL_MACROS_MATH) (version 0); rounding,
 * floating-point tests, abs, sign and the bit operations (1); sqrt (2).
 *
 * Numbers compare across int, uint and double by value, as cel-go's
 * Compare; a NaN cannot be ordered. No estimator knows these functions,
 * so each call costs 1 (cel-go's default).
 */
#include <math.h>
#include <string.h>

#include "cel/ext_strings.h"

#define ARENA(c) cel_call_arena(c)

/* ---------------------------------------------------------------- greatest / least */

static cel_value identity(cel_call *c, const cel_value *a, size_t n) { return a[0]; }

/* maxPair / minPair: the second value wins only when strictly greater
 * (max) or smaller (min); ties keep the first. Errors carry the function
 * name as cel-go's maybeSuffixError adds it. */
static cel_value pick(cel_call *c, const cel_value *x, const cel_value *y, bool max,
                      const char *fn)
{
    int cmp;
    cel_value r = cel_value_compare(x, y, &cmp, ARENA(c));
    if (r.kind == CEL_ERROR) {
        if (strstr(r.u.err->msg, fn))
            return r;
        return cel_error_new(ARENA(c), r.u.err->code, "%s: %s", r.u.err->msg, fn);
    }
    if (cmp == CEL_CMP_UNORDERED)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "NaN values cannot be ordered: %s", fn);
    return (max ? cmp < 0 : cmp > 0) ? *y : *x;
}

static cel_value max_pair(cel_call *c, const cel_value *a, size_t n)
{
    return pick(c, &a[0], &a[1], true, "math.@max");
}

static cel_value min_pair(cel_call *c, const cel_value *a, size_t n)
{
    return pick(c, &a[0], &a[1], false, "math.@min");
}

/* Over a list: any failure on the way, and a winner that is not a number,
 * end as "no such overload: <fn>" (cel-go checks the result's type last). */
static cel_value over_list(cel_call *c, const cel_value *list, bool max)
{
    const char *fn = max ? "math.@max" : "math.@min";
    const cel_list *l = list->u.list;
    if (l->len == 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "%s(list) argument must not be empty", fn);
    cel_value best = cel_list_at(l, 0, ARENA(c));
    for (size_t i = 1; i < l->len && best.kind != CEL_ERROR; i++) {
        cel_value e = cel_list_at(l, i, ARENA(c));
        best = e.kind == CEL_ERROR ? e : pick(c, &best, &e, max, fn);
    }
    if (best.kind != CEL_INT && best.kind != CEL_UINT && best.kind != CEL_DOUBLE)
        return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload: %s", fn);
    return best;
}

static cel_value max_list(cel_call *c, const cel_value *a, size_t n) { return over_list(c, &a[0], true); }
static cel_value min_list(cel_call *c, const cel_value *a, size_t n) { return over_list(c, &a[0], false); }

/* ---------------------------------------------------------------- version 1 */

static cel_value m_ceil(cel_call *c, const cel_value *a, size_t n) { return cel_double(ceil(a[0].u.d)); }
static cel_value m_floor(cel_call *c, const cel_value *a, size_t n) { return cel_double(floor(a[0].u.d)); }
/* Go's math.Round: halves away from zero, as C's round. */
static cel_value m_round(cel_call *c, const cel_value *a, size_t n) { return cel_double(round(a[0].u.d)); }
static cel_value m_trunc(cel_call *c, const cel_value *a, size_t n) { return cel_double(trunc(a[0].u.d)); }
static cel_value m_is_inf(cel_call *c, const cel_value *a, size_t n) { return cel_bool(isinf(a[0].u.d)); }
static cel_value m_is_nan(cel_call *c, const cel_value *a, size_t n) { return cel_bool(isnan(a[0].u.d)); }
static cel_value m_is_finite(cel_call *c, const cel_value *a, size_t n)
{
    return cel_bool(isfinite(a[0].u.d));
}

static cel_value m_abs_double(cel_call *c, const cel_value *a, size_t n) { return cel_double(fabs(a[0].u.d)); }

static cel_value m_abs_int(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].u.i == INT64_MIN)
        return cel_error_new(ARENA(c), CEL_ERR_OVERFLOW, "integer overflow");
    return cel_int(a[0].u.i < 0 ? -a[0].u.i : a[0].u.i);
}

/* sign: NaN stays NaN; zero of either sign gives +0.0. */
static cel_value m_sign_double(cel_call *c, const cel_value *a, size_t n)
{
    double d = a[0].u.d;
    if (isnan(d))
        return a[0];
    return cel_double(d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
}

static cel_value m_sign_int(cel_call *c, const cel_value *a, size_t n)
{
    return cel_int(a[0].u.i > 0 ? 1 : a[0].u.i < 0 ? -1 : 0);
}

static cel_value m_sign_uint(cel_call *c, const cel_value *a, size_t n)
{
    return cel_uint(a[0].u.u ? 1 : 0);
}

static cel_value and_int(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i & a[1].u.i); }
static cel_value and_uint(cel_call *c, const cel_value *a, size_t n) { return cel_uint(a[0].u.u & a[1].u.u); }
static cel_value or_int(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i | a[1].u.i); }
static cel_value or_uint(cel_call *c, const cel_value *a, size_t n) { return cel_uint(a[0].u.u | a[1].u.u); }
static cel_value xor_int(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i ^ a[1].u.i); }
static cel_value xor_uint(cel_call *c, const cel_value *a, size_t n) { return cel_uint(a[0].u.u ^ a[1].u.u); }
static cel_value not_int(cel_call *c, const cel_value *a, size_t n) { return cel_int(~a[0].u.i); }
static cel_value not_uint(cel_call *c, const cel_value *a, size_t n) { return cel_uint(~a[0].u.u); }

/* Go's shifts: a count of 64 or more leaves nothing; right shifts of ints
 * fill with zeros (cel-go shifts the bits as a uint). */
static cel_value shift(cel_call *c, const cel_value *a, bool left, bool is_int)
{
    int64_t bs = a[1].u.i;
    if (bs < 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "math.%s() negative offset: %lld",
                             left ? "bitShiftLeft" : "bitShiftRight", (long long)bs);
    uint64_t v = is_int ? (uint64_t)a[0].u.i : a[0].u.u;
    uint64_t r = bs >= 64 ? 0 : left ? v << bs : v >> bs;
    return is_int ? cel_int((int64_t)r) : cel_uint(r);
}

static cel_value shl_int(cel_call *c, const cel_value *a, size_t n) { return shift(c, a, true, true); }
static cel_value shl_uint(cel_call *c, const cel_value *a, size_t n) { return shift(c, a, true, false); }
static cel_value shr_int(cel_call *c, const cel_value *a, size_t n) { return shift(c, a, false, true); }
static cel_value shr_uint(cel_call *c, const cel_value *a, size_t n) { return shift(c, a, false, false); }

/* ---------------------------------------------------------------- version 2 */

static cel_value m_sqrt(cel_call *c, const cel_value *a, size_t n)
{
    double d = a[0].kind == CEL_INT ? (double)a[0].u.i
               : a[0].kind == CEL_UINT ? (double)a[0].u.u : a[0].u.d;
    return cel_double(sqrt(d));
}

/* ---------------------------------------------------------------- tables */

static const cel_type t_list_int = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_int}};
static const cel_type t_list_uint = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_uint}};
static const cel_type t_list_double = {.kind = CEL_T_LIST, .name = "list",
                                       .param = {&cel_t_double}};

#define D &cel_t_double
#define I &cel_t_int
#define U &cel_t_uint
#define B &cel_t_bool
#define DYN &cel_t_dyn
#define F1(id, name, p0, r, fn) {id, name, false, 1, 0, {p0}, r, fn, NULL, NULL, NULL}
#define F2(id, name, p0, p1, r, fn) {id, name, false, 2, 0, {p0, p1}, r, fn, NULL, NULL, NULL}

#define MINMAX(fn, pre, pair, list)                                                        \
    F1(pre "_double", fn, D, D, identity), F1(pre "_int", fn, I, I, identity),             \
    F1(pre "_uint", fn, U, U, identity),                                                   \
    F2(pre "_double_double", fn, D, D, D, pair), F2(pre "_int_int", fn, I, I, I, pair),    \
    F2(pre "_uint_uint", fn, U, U, U, pair), F2(pre "_int_uint", fn, I, U, DYN, pair),     \
    F2(pre "_int_double", fn, I, D, DYN, pair), F2(pre "_double_int", fn, D, I, DYN, pair), \
    F2(pre "_double_uint", fn, D, U, DYN, pair), F2(pre "_uint_int", fn, U, I, DYN, pair), \
    F2(pre "_uint_double", fn, U, D, DYN, pair),                                           \
    F1(pre "_list_double", fn, &t_list_double, D, list),                                   \
    F1(pre "_list_int", fn, &t_list_int, I, list),                                         \
    F1(pre "_list_uint", fn, &t_list_uint, U, list)

#define MATH_V0                                                                            \
    MINMAX("math.@min", "math_@min", min_pair, min_list),                                  \
    MINMAX("math.@max", "math_@max", max_pair, max_list)

#define MATH_V1                                                                            \
    F1("math_ceil_double", "math.ceil", D, D, m_ceil),                                     \
    F1("math_floor_double", "math.floor", D, D, m_floor),                                  \
    F1("math_round_double", "math.round", D, D, m_round),                                  \
    F1("math_trunc_double", "math.trunc", D, D, m_trunc),                                  \
    F1("math_isInf_double", "math.isInf", D, B, m_is_inf),                                 \
    F1("math_isNaN_double", "math.isNaN", D, B, m_is_nan),                                 \
    F1("math_isFinite_double", "math.isFinite", D, B, m_is_finite),                        \
    F1("math_abs_double", "math.abs", D, D, m_abs_double),                                 \
    F1("math_abs_int", "math.abs", I, I, m_abs_int),                                       \
    F1("math_abs_uint", "math.abs", U, U, identity),                                       \
    F1("math_sign_double", "math.sign", D, D, m_sign_double),                              \
    F1("math_sign_int", "math.sign", I, I, m_sign_int),                                    \
    F1("math_sign_uint", "math.sign", U, U, m_sign_uint),                                  \
    F2("math_bitAnd_int_int", "math.bitAnd", I, I, I, and_int),                            \
    F2("math_bitAnd_uint_uint", "math.bitAnd", U, U, U, and_uint),                         \
    F2("math_bitOr_int_int", "math.bitOr", I, I, I, or_int),                               \
    F2("math_bitOr_uint_uint", "math.bitOr", U, U, U, or_uint),                            \
    F2("math_bitXor_int_int", "math.bitXor", I, I, I, xor_int),                            \
    F2("math_bitXor_uint_uint", "math.bitXor", U, U, U, xor_uint),                         \
    F1("math_bitNot_int_int", "math.bitNot", I, I, not_int),                               \
    F1("math_bitNot_uint_uint", "math.bitNot", U, U, not_uint),                            \
    F2("math_bitShiftLeft_int_int", "math.bitShiftLeft", I, I, I, shl_int),                \
    F2("math_bitShiftLeft_uint_int", "math.bitShiftLeft", U, I, U, shl_uint),              \
    F2("math_bitShiftRight_int_int", "math.bitShiftRight", I, I, I, shr_int),              \
    F2("math_bitShiftRight_uint_int", "math.bitShiftRight", U, I, U, shr_uint)

#define MATH_V2                                                                            \
    F1("math_sqrt_double", "math.sqrt", D, D, m_sqrt),                                     \
    F1("math_sqrt_int", "math.sqrt", I, D, m_sqrt),                                        \
    F1("math_sqrt_uint", "math.sqrt", U, D, m_sqrt)

static const cel_overload math_v0[] = {MATH_V0};
static const cel_overload math_v1[] = {MATH_V0, MATH_V1};
static const cel_overload math_v2[] = {MATH_V0, MATH_V1, MATH_V2};

#define LIB(tbl) {"cel.lib.ext.math", tbl, sizeof tbl / sizeof tbl[0], NULL, 0}

const cel_library cel_lib_ext_math[CEL_MATH_NEWEST + 1] = {LIB(math_v0), LIB(math_v1), LIB(math_v2)};

const cel_library *cel_math_library(unsigned version)
{
    return &cel_lib_ext_math[version > CEL_MATH_NEWEST ? CEL_MATH_NEWEST : version];
}
