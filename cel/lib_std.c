/*
 * lib_std.c: cel_lib_std, CEL's standard definitions: arithmetic and
 * logical operators, comparisons (exact across int, uint and double),
 * equality and membership, size, indexing, type conversions, and the table
 * of overloads that names them with cel-go's overload ids and signatures
 * (the checker reads the table; the interpreter dispatches through it).
 * String and bytes functions live in lib_string.c, timestamps and durations
 * in lib_time.c (cel_lib_time).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_std.h"
#include "cel_time.h"

#define ARENA(c) cel_call_arena(c)

static cel_value overflow_int(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_OVERFLOW, "integer overflow");
}

static cel_value overflow_uint(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_OVERFLOW, "unsigned integer overflow");
}

/* ---------------------------------------------------------------- int arithmetic */

static cel_value add_int(cel_call *c, const cel_value *a, size_t n)
{
    int64_t r;
    if (__builtin_add_overflow(a[0].u.i, a[1].u.i, &r))
        return overflow_int(c);
    return cel_int(r);
}

static cel_value sub_int(cel_call *c, const cel_value *a, size_t n)
{
    int64_t r;
    if (__builtin_sub_overflow(a[0].u.i, a[1].u.i, &r))
        return overflow_int(c);
    return cel_int(r);
}

static cel_value mul_int(cel_call *c, const cel_value *a, size_t n)
{
    int64_t r;
    if (__builtin_mul_overflow(a[0].u.i, a[1].u.i, &r))
        return overflow_int(c);
    return cel_int(r);
}

static cel_value div_int(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].u.i == 0)
        return cel_error_new(ARENA(c), CEL_ERR_DIV_ZERO, "division by zero");
    if (a[0].u.i == INT64_MIN && a[1].u.i == -1)
        return overflow_int(c);
    return cel_int(a[0].u.i / a[1].u.i);
}

static cel_value mod_int(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].u.i == 0)
        return cel_error_new(ARENA(c), CEL_ERR_DIV_ZERO, "modulus by zero");
    if (a[0].u.i == INT64_MIN && a[1].u.i == -1)
        return overflow_int(c);
    return cel_int(a[0].u.i % a[1].u.i);
}

static cel_value neg_int(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].u.i == INT64_MIN)
        return overflow_int(c);
    return cel_int(-a[0].u.i);
}

/* ---------------------------------------------------------------- uint arithmetic */

static cel_value add_uint(cel_call *c, const cel_value *a, size_t n)
{
    uint64_t r;
    if (__builtin_add_overflow(a[0].u.u, a[1].u.u, &r))
        return overflow_uint(c);
    return cel_uint(r);
}

static cel_value sub_uint(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].u.u > a[0].u.u)
        return overflow_uint(c);
    return cel_uint(a[0].u.u - a[1].u.u);
}

static cel_value mul_uint(cel_call *c, const cel_value *a, size_t n)
{
    uint64_t r;
    if (__builtin_mul_overflow(a[0].u.u, a[1].u.u, &r))
        return overflow_uint(c);
    return cel_uint(r);
}

static cel_value div_uint(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].u.u == 0)
        return cel_error_new(ARENA(c), CEL_ERR_DIV_ZERO, "division by zero");
    return cel_uint(a[0].u.u / a[1].u.u);
}

static cel_value mod_uint(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].u.u == 0)
        return cel_error_new(ARENA(c), CEL_ERR_DIV_ZERO, "modulus by zero");
    return cel_uint(a[0].u.u % a[1].u.u);
}

/* ---------------------------------------------------------------- double arithmetic (IEEE) */

static cel_value add_double(cel_call *c, const cel_value *a, size_t n) { return cel_double(a[0].u.d + a[1].u.d); }
static cel_value sub_double(cel_call *c, const cel_value *a, size_t n) { return cel_double(a[0].u.d - a[1].u.d); }
static cel_value mul_double(cel_call *c, const cel_value *a, size_t n) { return cel_double(a[0].u.d * a[1].u.d); }
static cel_value div_double(cel_call *c, const cel_value *a, size_t n) { return cel_double(a[0].u.d / a[1].u.d); }
static cel_value neg_double(cel_call *c, const cel_value *a, size_t n) { return cel_double(-a[0].u.d); }

/* ---------------------------------------------------------------- lists */

static cel_value add_list(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *x = a[0].u.list, *y = a[1].u.list;
    if (x->len == 0)
        return a[1];
    if (y->len == 0)
        return a[0];
    size_t total = x->len + y->len;
    if (total < x->len || total > SIZE_MAX / sizeof(cel_value))
        return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "out of memory");
    cel_value *items = cel_arena_alloc(ARENA(c), total * sizeof *items);
    if (!items)
        return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "out of memory");
    for (size_t i = 0; i < x->len; i++)
        items[i] = cel_list_at(x, i, ARENA(c));
    for (size_t i = 0; i < y->len; i++)
        items[x->len + i] = cel_list_at(y, i, ARENA(c));
    return cel_list_new(ARENA(c), items, total);
}

/* ---------------------------------------------------------------- logic */

static cel_value logical_not(cel_call *c, const cel_value *a, size_t n) { return cel_bool(!a[0].u.b); }

/* The interpreter short-circuits && || ?: itself; these implementations
 * give the same answers for fully evaluated arguments (an error is absorbed
 * when the other side decides). */
static cel_value logical_and(cel_call *c, const cel_value *a, size_t n)
{
    if ((a[0].kind == CEL_BOOL && !a[0].u.b) || (a[1].kind == CEL_BOOL && !a[1].u.b))
        return cel_bool(false);
    if (a[0].kind == CEL_BOOL && a[1].kind == CEL_BOOL)
        return cel_bool(true);
    if (a[0].kind == CEL_ERROR)
        return a[0];
    if (a[1].kind == CEL_ERROR)
        return a[1];
    return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
}

static cel_value logical_or(cel_call *c, const cel_value *a, size_t n)
{
    if ((a[0].kind == CEL_BOOL && a[0].u.b) || (a[1].kind == CEL_BOOL && a[1].u.b))
        return cel_bool(true);
    if (a[0].kind == CEL_BOOL && a[1].kind == CEL_BOOL)
        return cel_bool(false);
    if (a[0].kind == CEL_ERROR)
        return a[0];
    if (a[1].kind == CEL_ERROR)
        return a[1];
    return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
}

static cel_value conditional(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].kind == CEL_ERROR)
        return a[0];
    if (a[0].kind != CEL_BOOL)
        return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
    return a[0].u.b ? a[1] : a[2];
}

static cel_value not_strictly_false(cel_call *c, const cel_value *a, size_t n)
{
    return cel_bool(a[0].kind != CEL_BOOL || a[0].u.b);
}

/* ---------------------------------------------------------------- comparisons */

/* Exact comparison of an int with a double: -1, 0, 1, or 2 for NaN. */
static int cmp_int_double(int64_t i, double d)
{
    if (isnan(d))
        return CEL_CMP_UNORDERED;
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    int64_t t = (int64_t)d; /* exact: |d| < 2^63, truncated toward zero */
    if (i != t)
        return i < t ? -1 : 1;
    double frac = d - (double)t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

static int cmp_uint_double(uint64_t u, double d)
{
    if (isnan(d))
        return CEL_CMP_UNORDERED;
    if (d < 0)
        return 1;
    if (d >= 18446744073709551616.0)
        return -1;
    uint64_t t = (uint64_t)d;
    if (u != t)
        return u < t ? -1 : 1;
    double frac = d - (double)t;
    return frac > 0 ? -1 : 0;
}

static int cmp_int_uint(int64_t i, uint64_t u)
{
    if (i < 0)
        return -1;
    return (uint64_t)i < u ? -1 : (uint64_t)i > u ? 1 : 0;
}

#define CMP3(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

static int cmp_bytes(const cel_value *a, const cel_value *b)
{
    uint32_t m = a->len < b->len ? a->len : b->len;
    int r = m ? memcmp(a->u.str, b->u.str, m) : 0;
    if (r != 0)
        return r < 0 ? -1 : 1;
    return CMP3(a->len, b->len);
}

/* Orders two values of orderable kinds; false when the pair does not order. */
static bool std_compare(const cel_value *a, const cel_value *b, int *out)
{
    switch (a->kind) {
    case CEL_BOOL:
        if (b->kind != CEL_BOOL)
            return false;
        *out = CMP3(a->u.b, b->u.b);
        return true;
    case CEL_INT:
        if (b->kind == CEL_INT)
            *out = CMP3(a->u.i, b->u.i);
        else if (b->kind == CEL_UINT)
            *out = cmp_int_uint(a->u.i, b->u.u);
        else if (b->kind == CEL_DOUBLE)
            *out = cmp_int_double(a->u.i, b->u.d);
        else
            return false;
        return true;
    case CEL_UINT:
        if (b->kind == CEL_UINT)
            *out = CMP3(a->u.u, b->u.u);
        else if (b->kind == CEL_INT)
            *out = -cmp_int_uint(b->u.i, a->u.u);
        else if (b->kind == CEL_DOUBLE)
            *out = cmp_uint_double(a->u.u, b->u.d);
        else
            return false;
        return true;
    case CEL_DOUBLE: {
        int r;
        if (b->kind == CEL_DOUBLE) {
            if (isnan(a->u.d) || isnan(b->u.d))
                r = CEL_CMP_UNORDERED;
            else
                r = CMP3(a->u.d, b->u.d);
        } else if (b->kind == CEL_INT) {
            r = cmp_int_double(b->u.i, a->u.d);
            r = r == CEL_CMP_UNORDERED ? r : -r;
        } else if (b->kind == CEL_UINT) {
            r = cmp_uint_double(b->u.u, a->u.d);
            r = r == CEL_CMP_UNORDERED ? r : -r;
        } else {
            return false;
        }
        *out = r;
        return true;
    }
    case CEL_STRING:
    case CEL_BYTES:
        if (b->kind != a->kind)
            return false;
        *out = cmp_bytes(a, b); /* byte order is code point order in UTF-8 */
        return true;
    case CEL_TIMESTAMP:
    case CEL_DURATION:
        if (b->kind != a->kind)
            return false;
        *out = a->u.i != b->u.i ? CMP3(a->u.i, b->u.i) : CMP3((int32_t)a->len, (int32_t)b->len);
        return true;
    default:
        return false;
    }
}

static cel_value compare_op(cel_call *c, const cel_value *a, int want_lt, int want_eq, int want_gt)
{
    int r;
    if (!std_compare(&a[0], &a[1], &r))
        return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
    if (r == CEL_CMP_UNORDERED)
        return cel_bool(false);
    return cel_bool(r < 0 ? want_lt : r == 0 ? want_eq : want_gt);
}

cel_value cel_std_less(cel_call *c, const cel_value *a, size_t n) { return compare_op(c, a, 1, 0, 0); }
cel_value cel_std_less_equals(cel_call *c, const cel_value *a, size_t n) { return compare_op(c, a, 1, 1, 0); }
cel_value cel_std_greater(cel_call *c, const cel_value *a, size_t n) { return compare_op(c, a, 0, 0, 1); }
cel_value cel_std_greater_equals(cel_call *c, const cel_value *a, size_t n) { return compare_op(c, a, 0, 1, 1); }

static cel_value equals(cel_call *c, const cel_value *a, size_t n)
{
    return cel_value_equal(&a[0], &a[1], ARENA(c));
}

static cel_value not_equals(cel_call *c, const cel_value *a, size_t n)
{
    cel_value r = cel_value_equal(&a[0], &a[1], ARENA(c));
    if (r.kind == CEL_BOOL)
        r.u.b = !r.u.b;
    return r;
}

/* ---------------------------------------------------------------- membership, size, index */

static cel_value in_list(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[1].u.list;
    for (size_t i = 0; i < l->len; i++) {
        cel_value item = cel_list_at(l, i, ARENA(c));
        cel_value eq = cel_value_equal(&a[0], &item, ARENA(c));
        if (eq.kind == CEL_BOOL && eq.u.b)
            return cel_bool(true);
    }
    return cel_bool(false);
}

static cel_value in_map(cel_call *c, const cel_value *a, size_t n)
{
    cel_value found;
    switch (a[0].kind) {
    case CEL_BOOL: case CEL_INT: case CEL_UINT: case CEL_DOUBLE: case CEL_STRING:
        return cel_bool(cel_map_find(a[1].u.map, &a[0], &found, ARENA(c)));
    default:
        return cel_bool(false);
    }
}

static cel_value size_list(cel_call *c, const cel_value *a, size_t n) { return cel_int((int64_t)a[0].u.list->len); }
static cel_value size_map(cel_call *c, const cel_value *a, size_t n) { return cel_int((int64_t)a[0].u.map->len); }

static cel_value index_list(cel_call *c, const cel_value *a, size_t n)
{
    const cel_list *l = a[0].u.list;
    int64_t i;
    switch (a[1].kind) {
    case CEL_INT:
        i = a[1].u.i;
        break;
    case CEL_UINT:
        i = a[1].u.u > INT64_MAX ? INT64_MAX : (int64_t)a[1].u.u;
        break;
    case CEL_DOUBLE: {
        double d = a[1].u.d;
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != trunc(d))
            return cel_error_new(ARENA(c), CEL_ERR_INDEX, "unsupported index value %g", d);
        i = (int64_t)d;
        break;
    }
    default:
        return cel_error_new(ARENA(c), CEL_ERR_NO_OVERLOAD, "no such overload");
    }
    if (i < 0 || (uint64_t)i >= l->len)
        return cel_error_new(ARENA(c), CEL_ERR_INDEX, "index '%lld' out of range in list size '%zu'",
                             (long long)i, l->len);
    return cel_list_at(l, (size_t)i, ARENA(c));
}

static cel_value index_map(cel_call *c, const cel_value *a, size_t n)
{
    cel_value out;
    if (cel_map_find(a[0].u.map, &a[1], &out, ARENA(c)))
        return out;
    char *lit = cel_value_to_cel_literal(&a[1], ARENA(c));
    cel_value e = cel_error_new(ARENA(c), CEL_ERR_NO_KEY, "no such key: %s", lit ? lit : "?");
    free(lit);
    return e;
}

/* ---------------------------------------------------------------- Go number syntax */

/* Go's strconv error: strconv.Func: parsing "s": reason. */
static cel_value strconv_error(cel_call *c, const char *fn, const cel_value *s, const char *why)
{
    size_t n = s->len > 100 ? 100 : s->len;
    char q[512];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s->u.str[i];
        if (ch == '"' || ch == '\\') {
            q[o++] = '\\';
            q[o++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            o += (size_t)snprintf(q + o, sizeof q - o, "\\x%02x", ch);
        } else {
            q[o++] = (char)ch;
        }
    }
    q[o] = '\0';
    return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "strconv.%s: parsing \"%s%s\": %s", fn, q,
                         s->len > n ? "..." : "", why);
}

/* strconv.ParseInt(s, 10, 64) / ParseUint: optional sign (ParseInt only)
 * then decimal digits; nothing else. Returns 0, -1 syntax, -2 range. */
static int go_parse_decimal(const char *s, size_t n, bool is_signed, int64_t *si, uint64_t *ui)
{
    size_t i = 0;
    bool neg = false;
    if (is_signed && n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    uint64_t v = 0;
    bool range = false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            range = true;
        else
            v = v * 10 + d;
    }
    if (range)
        return -2;
    if (!is_signed) {
        *ui = v;
        return 0;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return -2;
        *si = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return -2;
        *si = (int64_t)v;
    }
    return 0;
}

static bool lower_eq(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n != w)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i])
            return false;
    return true;
}

/* Go's underscoreOK: underscores only between digits (or after a base prefix). */
static bool underscores_ok(const char *s, size_t n)
{
    char saw = '^';
    size_t i = 0;
    if (n >= 1 && (s[0] == '-' || s[0] == '+'))
        i = 1;
    bool hex = false;
    if (n - i >= 2 && s[i] == '0' && ((s[i + 1] | 0x20) == 'x' || (s[i + 1] | 0x20) == 'b' ||
                                      (s[i + 1] | 0x20) == 'o')) {
        hex = (s[i + 1] | 0x20) == 'x';
        i += 2;
        saw = '0';
    }
    for (; i < n; i++) {
        char ch = s[i];
        if ((ch >= '0' && ch <= '9') || (hex && (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')) {
            saw = '0';
            continue;
        }
        if (ch == '_') {
            if (saw != '0')
                return false;
            saw = '_';
            continue;
        }
        if (saw == '_')
            return false;
        saw = '!';
    }
    return saw != '_';
}

/* strconv.ParseFloat(s, 64). Returns 0, -1 syntax, -2 range. */
static int go_parse_float(const char *s, size_t n, double *out)
{
    size_t i = 0;
    double sign = 1;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        sign = s[0] == '-' ? -1 : 1;
        i = 1;
    }
    if (lower_eq(s + i, n - i, "inf") || lower_eq(s + i, n - i, "infinity")) {
        *out = sign * INFINITY;
        return 0;
    }
    if (i == 0 && lower_eq(s, n, "nan")) {
        *out = NAN;
        return 0;
    }
    if (n > 512 || n == i)
        return n > 512 ? -1 : -1;
    /* Validate Go's float literal syntax, copying without underscores. */
    char buf[520];
    size_t o = 0;
    bool underscores = false;
    bool hex = n - i > 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x';
    if (i)
        buf[o++] = s[0];
    size_t k = i;
    if (hex) {
        buf[o++] = '0';
        buf[o++] = 'x';
        k += 2;
    }
    size_t mant_digits = 0;
    bool dot = false;
    for (; k < n; k++) {
        char ch = s[k];
        bool dig = (ch >= '0' && ch <= '9') || (hex && (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
        if (dig) {
            mant_digits++;
            buf[o++] = ch;
        } else if (ch == '_') {
            underscores = true;
        } else if (ch == '.' && !dot) {
            dot = true;
            buf[o++] = ch;
        } else {
            break;
        }
    }
    if (mant_digits == 0)
        return -1;
    char expc = hex ? 'p' : 'e';
    if (k < n && (s[k] | 0x20) == expc) {
        buf[o++] = s[k++];
        if (k < n && (s[k] == '+' || s[k] == '-'))
            buf[o++] = s[k++];
        size_t ed = 0;
        for (; k < n; k++) {
            if (s[k] >= '0' && s[k] <= '9') {
                buf[o++] = s[k];
                ed++;
            } else if (s[k] == '_') {
                underscores = true;
            } else {
                break;
            }
        }
        if (ed == 0)
            return -1;
    } else if (hex) {
        return -1; /* Go requires the p exponent in hex floats */
    }
    if (k != n || (underscores && !underscores_ok(s, n)))
        return -1;
    buf[o] = '\0';
    errno = 0;
    char *end;
    double d = strtod(buf, &end);
    if (*end != '\0')
        return -1;
    if (errno == ERANGE && isinf(d))
        return -2;
    *out = d;
    return 0;
}

/* ---------------------------------------------------------------- conversions */

static cel_value identity(cel_call *c, const cel_value *a, size_t n) { return a[0]; }

static cel_value uint_to_int(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].u.u > (uint64_t)INT64_MAX)
        return overflow_int(c);
    return cel_int((int64_t)a[0].u.u);
}

static cel_value double_to_int(cel_call *c, const cel_value *a, size_t n)
{
    double d = a[0].u.d;
    /* cel-go: both ends are exclusive (-2^63 itself is out of range). */
    if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0))
        return overflow_int(c);
    return cel_int((int64_t)d);
}

static cel_value string_to_int(cel_call *c, const cel_value *a, size_t n)
{
    int64_t v;
    int r = go_parse_decimal(a[0].u.str, a[0].len, true, &v, NULL);
    if (r == 0)
        return cel_int(v);
    return strconv_error(c, "ParseInt", &a[0], r == -2 ? "value out of range" : "invalid syntax");
}

static cel_value int_to_uint(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].u.i < 0)
        return overflow_uint(c);
    return cel_uint((uint64_t)a[0].u.i);
}

static cel_value double_to_uint(cel_call *c, const cel_value *a, size_t n)
{
    double d = a[0].u.d;
    if (!(d >= 0 && d < 18446744073709551616.0))
        return overflow_uint(c);
    return cel_uint((uint64_t)d);
}

static cel_value string_to_uint(cel_call *c, const cel_value *a, size_t n)
{
    uint64_t v;
    int r = go_parse_decimal(a[0].u.str, a[0].len, false, NULL, &v);
    if (r == 0)
        return cel_uint(v);
    return strconv_error(c, "ParseUint", &a[0], r == -2 ? "value out of range" : "invalid syntax");
}

static cel_value int_to_double(cel_call *c, const cel_value *a, size_t n) { return cel_double((double)a[0].u.i); }
static cel_value uint_to_double(cel_call *c, const cel_value *a, size_t n) { return cel_double((double)a[0].u.u); }

static cel_value string_to_double(cel_call *c, const cel_value *a, size_t n)
{
    double d;
    int r = go_parse_float(a[0].u.str, a[0].len, &d);
    if (r == 0)
        return cel_double(d);
    return strconv_error(c, "ParseFloat", &a[0], r == -2 ? "value out of range" : "invalid syntax");
}

static cel_value string_to_bool(cel_call *c, const cel_value *a, size_t n)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (a[0].len == strlen(yes[i]) && memcmp(a[0].u.str, yes[i], a[0].len) == 0)
            return cel_bool(true);
        if (a[0].len == strlen(no[i]) && memcmp(a[0].u.str, no[i], a[0].len) == 0)
            return cel_bool(false);
    }
    return strconv_error(c, "ParseBool", &a[0], "invalid syntax");
}

size_t cel_std_format_double(double d, char *buf)
{
    if (isnan(d))
        return (size_t)snprintf(buf, 32, "NaN");
    if (isinf(d))
        return (size_t)snprintf(buf, 32, d > 0 ? "+Inf" : "-Inf");
    size_t o = 0;
    if (signbit(d)) {
        buf[o++] = '-';
        d = -d;
    }
    if (d == 0) {
        buf[o++] = '0';
        buf[o] = '\0';
        return o;
    }
    char dg[24];
    int e;
    cel_time_shortest_digits(d, dg, &e);
    int nd = (int)strlen(dg);
    int x = e - 1; /* exponent in d.ddd x 10^x */
    /* strconv 'g' with shortest precision switches to %e below 1e-4 and
     * from 1e6 on, whatever the digit count. */
    int eprec = 6;
    if (x < -4 || x >= eprec) {
        buf[o++] = dg[0];
        if (nd > 1) {
            buf[o++] = '.';
            memcpy(buf + o, dg + 1, (size_t)(nd - 1));
            o += (size_t)(nd - 1);
        }
        o += (size_t)snprintf(buf + o, 32 - o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
        return o;
    }
    if (e <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int k = 0; k < -e; k++)
            buf[o++] = '0';
        memcpy(buf + o, dg, (size_t)nd);
        o += (size_t)nd;
    } else {
        for (int k = 0; k < e; k++)
            buf[o++] = k < nd ? dg[k] : '0';
        if (nd > e) {
            buf[o++] = '.';
            memcpy(buf + o, dg + e, (size_t)(nd - e));
            o += (size_t)(nd - e);
        }
    }
    buf[o] = '\0';
    return o;
}

static cel_value int_to_string(cel_call *c, const cel_value *a, size_t n)
{
    char b[32];
    int l = snprintf(b, sizeof b, "%lld", (long long)a[0].u.i);
    return cel_string_copy(ARENA(c), b, (size_t)l);
}

static cel_value uint_to_string(cel_call *c, const cel_value *a, size_t n)
{
    char b[32];
    int l = snprintf(b, sizeof b, "%llu", (unsigned long long)a[0].u.u);
    return cel_string_copy(ARENA(c), b, (size_t)l);
}

static cel_value double_to_string(cel_call *c, const cel_value *a, size_t n)
{
    char b[40];
    size_t l = cel_std_format_double(a[0].u.d, b);
    return cel_string_copy(ARENA(c), b, l);
}

static cel_value bool_to_string(cel_call *c, const cel_value *a, size_t n)
{
    cel_value v = a[0].u.b ? cel_string_n("true", 4) : cel_string_n("false", 5);
    v.flags |= CEL_VF_ASCII;
    return v;
}

static cel_value type_of(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].kind == CEL_OPAQUE && a[0].u.opaque->type->type)
        return cel_type_v(a[0].u.opaque->type->type);
    return cel_type_v(cel_type_of_kind(a[0].kind));
}

/* ---------------------------------------------------------------- the table */

static const cel_type t_list_a = {CEL_T_LIST, "list", {&cel_t_param_a, NULL}, NULL, 0, NULL};
static const cel_type t_map_ab = {CEL_T_MAP, "map", {&cel_t_param_a, &cel_t_param_b}, NULL, 0, NULL};
static const cel_type t_type_a = {CEL_T_TYPE, "type", {&cel_t_param_a, NULL}, NULL, 0, NULL};

#define T_BOOL &cel_t_bool
#define T_INT &cel_t_int
#define T_UINT &cel_t_uint
#define T_DBL &cel_t_double
#define T_STR &cel_t_string
#define T_BYTES &cel_t_bytes
#define T_DYN &cel_t_dyn
#define T_A &cel_t_param_a
#define T_B &cel_t_param_b
#define T_LIST_A &t_list_a
#define T_MAP_AB &t_map_ab

#define F1(id, name, p0, r, fn, cost) {id, name, false, 1, 0, {p0}, r, fn, cost, NULL, NULL}
#define F2(id, name, p0, p1, r, fn, cost) {id, name, false, 2, 0, {p0, p1}, r, fn, cost, NULL, NULL}
#define M1(id, name, p0, r, fn, cost) {id, name, true, 1, 0, {p0}, r, fn, cost, NULL, NULL}
#define M2(id, name, p0, p1, r, fn, cost) {id, name, true, 2, 0, {p0, p1}, r, fn, cost, NULL, NULL}

/* Comparisons between every orderable pair, cel-go's ids. */
#define ORDER(op, pre, fn, strcost)                                                            \
    F2(pre "_bool", op, T_BOOL, T_BOOL, T_BOOL, fn, NULL),                                    \
    F2(pre "_int64", op, T_INT, T_INT, T_BOOL, fn, NULL),                                     \
    F2(pre "_int64_double", op, T_INT, T_DBL, T_BOOL, fn, NULL),                              \
    F2(pre "_int64_uint64", op, T_INT, T_UINT, T_BOOL, fn, NULL),                             \
    F2(pre "_uint64", op, T_UINT, T_UINT, T_BOOL, fn, NULL),                                  \
    F2(pre "_uint64_double", op, T_UINT, T_DBL, T_BOOL, fn, NULL),                            \
    F2(pre "_uint64_int64", op, T_UINT, T_INT, T_BOOL, fn, NULL),                             \
    F2(pre "_double", op, T_DBL, T_DBL, T_BOOL, fn, NULL),                                    \
    F2(pre "_double_int64", op, T_DBL, T_INT, T_BOOL, fn, NULL),                              \
    F2(pre "_double_uint64", op, T_DBL, T_UINT, T_BOOL, fn, NULL),                            \
    F2(pre "_string", op, T_STR, T_STR, T_BOOL, fn, strcost),                                 \
    F2(pre "_bytes", op, T_BYTES, T_BYTES, T_BOOL, fn, strcost)

static const cel_overload std_overloads[] = {
    /* arithmetic */
    F2("add_int64", "_+_", T_INT, T_INT, T_INT, add_int, NULL),
    F2("add_uint64", "_+_", T_UINT, T_UINT, T_UINT, add_uint, NULL),
    F2("add_double", "_+_", T_DBL, T_DBL, T_DBL, add_double, NULL),
    F2("add_string", "_+_", T_STR, T_STR, T_STR, cel_std_add_string, cel_std_cost_concat),
    F2("add_bytes", "_+_", T_BYTES, T_BYTES, T_BYTES, cel_std_add_bytes, cel_std_cost_concat),
    F2("add_list", "_+_", T_LIST_A, T_LIST_A, T_LIST_A, add_list, NULL),
    F2("subtract_int64", "_-_", T_INT, T_INT, T_INT, sub_int, NULL),
    F2("subtract_uint64", "_-_", T_UINT, T_UINT, T_UINT, sub_uint, NULL),
    F2("subtract_double", "_-_", T_DBL, T_DBL, T_DBL, sub_double, NULL),
    F2("multiply_int64", "_*_", T_INT, T_INT, T_INT, mul_int, NULL),
    F2("multiply_uint64", "_*_", T_UINT, T_UINT, T_UINT, mul_uint, NULL),
    F2("multiply_double", "_*_", T_DBL, T_DBL, T_DBL, mul_double, NULL),
    F2("divide_int64", "_/_", T_INT, T_INT, T_INT, div_int, NULL),
    F2("divide_uint64", "_/_", T_UINT, T_UINT, T_UINT, div_uint, NULL),
    F2("divide_double", "_/_", T_DBL, T_DBL, T_DBL, div_double, NULL),
    F2("modulo_int64", "_%_", T_INT, T_INT, T_INT, mod_int, NULL),
    F2("modulo_uint64", "_%_", T_UINT, T_UINT, T_UINT, mod_uint, NULL),
    F1("negate_int64", "-_", T_INT, T_INT, neg_int, NULL),
    F1("negate_double", "-_", T_DBL, T_DBL, neg_double, NULL),

    /* logic */
    F1("logical_not", "!_", T_BOOL, T_BOOL, logical_not, NULL),
    {"logical_and", "_&&_", false, 2, CEL_FN_NONSTRICT, {T_BOOL, T_BOOL}, T_BOOL, logical_and, NULL, NULL, NULL},
    {"logical_or", "_||_", false, 2, CEL_FN_NONSTRICT, {T_BOOL, T_BOOL}, T_BOOL, logical_or, NULL, NULL, NULL},
    {"conditional", "_?_:_", false, 3, CEL_FN_NONSTRICT, {T_BOOL, T_A, T_A}, T_A, conditional, NULL, NULL, NULL},
    {"not_strictly_false", "@not_strictly_false", false, 1, CEL_FN_NONSTRICT, {T_BOOL}, T_BOOL,
     not_strictly_false, NULL, NULL, NULL},

    /* equality and ordering */
    F2("equals", "_==_", T_A, T_A, T_BOOL, equals, cel_std_cost_min_traversal),
    F2("not_equals", "_!=_", T_A, T_A, T_BOOL, not_equals, cel_std_cost_min_traversal),
    ORDER("_<_", "less", cel_std_less, cel_std_cost_min_traversal),
    ORDER("_<=_", "less_equals", cel_std_less_equals, cel_std_cost_min_traversal),
    ORDER("_>_", "greater", cel_std_greater, cel_std_cost_min_traversal),
    ORDER("_>=_", "greater_equals", cel_std_greater_equals, cel_std_cost_min_traversal),

    /* containers */
    F2("in_list", "@in", T_A, T_LIST_A, T_BOOL, in_list, cel_std_cost_arg1_size),
    F2("in_map", "@in", T_A, T_MAP_AB, T_BOOL, in_map, NULL),
    F2("index_list", "_[_]", T_LIST_A, T_INT, T_A, index_list, NULL),
    F2("index_map", "_[_]", T_MAP_AB, T_A, T_B, index_map, NULL),
    F1("size_string", "size", T_STR, T_INT, cel_std_size_string, NULL),
    F1("size_bytes", "size", T_BYTES, T_INT, cel_std_size_bytes, NULL),
    F1("size_list", "size", T_LIST_A, T_INT, size_list, NULL),
    F1("size_map", "size", T_MAP_AB, T_INT, size_map, NULL),
    M1("string_size", "size", T_STR, T_INT, cel_std_size_string, NULL),
    M1("bytes_size", "size", T_BYTES, T_INT, cel_std_size_bytes, NULL),
    M1("list_size", "size", T_LIST_A, T_INT, size_list, NULL),
    M1("map_size", "size", T_MAP_AB, T_INT, size_map, NULL),

    /* strings */
    M2("contains_string", "contains", T_STR, T_STR, T_BOOL, cel_std_contains, cel_std_cost_contains),
    M2("starts_with_string", "startsWith", T_STR, T_STR, T_BOOL, cel_std_starts_with,
       cel_std_cost_arg1_traversal),
    M2("ends_with_string", "endsWith", T_STR, T_STR, T_BOOL, cel_std_ends_with,
       cel_std_cost_arg1_traversal),
    {"matches", "matches", false, 2, CEL_FN_VALIDATE_LITERAL, {T_STR, T_STR}, T_BOOL,
     cel_std_matches, cel_std_cost_matches, cel_std_matches_prepare, cel_std_matches_prepared_free},
    {"matches_string", "matches", true, 2, CEL_FN_VALIDATE_LITERAL, {T_STR, T_STR}, T_BOOL,
     cel_std_matches, cel_std_cost_matches, cel_std_matches_prepare, cel_std_matches_prepared_free},

    /* conversions */
    F1("int64_to_int64", "int", T_INT, T_INT, identity, NULL),
    F1("uint64_to_int64", "int", T_UINT, T_INT, uint_to_int, NULL),
    F1("double_to_int64", "int", T_DBL, T_INT, double_to_int, NULL),
    F1("string_to_int64", "int", T_STR, T_INT, string_to_int, NULL),
    F1("uint64_to_uint64", "uint", T_UINT, T_UINT, identity, NULL),
    F1("int64_to_uint64", "uint", T_INT, T_UINT, int_to_uint, NULL),
    F1("double_to_uint64", "uint", T_DBL, T_UINT, double_to_uint, NULL),
    F1("string_to_uint64", "uint", T_STR, T_UINT, string_to_uint, NULL),
    F1("double_to_double", "double", T_DBL, T_DBL, identity, NULL),
    F1("int64_to_double", "double", T_INT, T_DBL, int_to_double, NULL),
    F1("uint64_to_double", "double", T_UINT, T_DBL, uint_to_double, NULL),
    F1("string_to_double", "double", T_STR, T_DBL, string_to_double, NULL),
    F1("bool_to_bool", "bool", T_BOOL, T_BOOL, identity, NULL),
    F1("string_to_bool", "bool", T_STR, T_BOOL, string_to_bool, NULL),
    F1("bytes_to_bytes", "bytes", T_BYTES, T_BYTES, identity, NULL),
    F1("string_to_bytes", "bytes", T_STR, T_BYTES, cel_std_string_to_bytes, cel_std_cost_arg0_traversal),
    F1("string_to_string", "string", T_STR, T_STR, identity, NULL),
    F1("int64_to_string", "string", T_INT, T_STR, int_to_string, NULL),
    F1("uint64_to_string", "string", T_UINT, T_STR, uint_to_string, NULL),
    F1("double_to_string", "string", T_DBL, T_STR, double_to_string, NULL),
    F1("bytes_to_string", "string", T_BYTES, T_STR, cel_std_bytes_to_string, cel_std_cost_arg0_traversal),
    F1("bool_to_string", "string", T_BOOL, T_STR, bool_to_string, NULL),
    F1("to_dyn", "dyn", T_A, T_DYN, identity, NULL),
    F1("type", "type", T_A, &t_type_a, type_of, NULL),
};

const cel_library cel_lib_std = {
    "cel.std", std_overloads, sizeof std_overloads / sizeof std_overloads[0], NULL, 0,
};
