/*
 * lib_string.c: the string and bytes part of CEL's standard library (size,
 * concatenation, contains, startsWith, endsWith, matches, string <-> bytes),
 * the UTF-8 helpers the rest of libcel uses, and cel-go's runtime cost
 * rules for these functions. Strings are sequences of code points: size()
 * counts code points, never bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_std.h"
#include "cel_regex.h"

/* ---------------------------------------------------------------- UTF-8 */

uint32_t cel_utf8_decode(const char *s, size_t n, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    *len = 1;
    if (c < 0x80)
        return c;
    size_t need;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        cp = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        cp = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0xfffd;
    }
    if (n < need + 1)
        return 0xfffd;
    for (size_t i = 1; i <= need; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0xfffd;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    *len = need + 1;
    return cp;
}

bool cel_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t l;
        uint32_t cp = cel_utf8_decode(s + i, n - i, &l);
        if (cp == 0xfffd && l == 1)
            return false;
        i += l;
    }
    return true;
}

size_t cel_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; count++) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t l;
        cel_utf8_decode(s + i, n - i, &l);
        i += l;
    }
    return count;
}

size_t cel_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t cel_utf8_size(const cel_value *v)
{
    if (v->flags & CEL_VF_ASCII)
        return v->len;
    return cel_utf8_count(v->u.str, v->len);
}

/* ---------------------------------------------------------------- costs */

uint64_t cel_std_actual_size(const cel_value *v)
{
    switch (v->kind) {
    case CEL_STRING:
        return cel_utf8_size(v);
    case CEL_BYTES:
        return v->len;
    case CEL_LIST:
        return v->u.list->len;
    case CEL_MAP:
        return v->u.map->len;
    case CEL_OPAQUE:
        if (v->u.opaque->type->size)
            return v->u.opaque->type->size(v->u.opaque);
        return 1;
    default:
        return 1;
    }
}

uint64_t cel_std_cost_factor(uint64_t size, uint64_t num, uint64_t den)
{
    /* ceil(size * num / den) without overflow for any size. */
    uint64_t q = size / den, r = size % den;
    uint64_t whole = q * num;
    if (num != 0 && q > UINT64_MAX / num)
        return UINT64_MAX;
    uint64_t part = (r * num + den - 1) / den;
    return whole > UINT64_MAX - part ? UINT64_MAX : whole + part;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return (a != 0 && b > UINT64_MAX / a) ? UINT64_MAX : a * b;
}

uint64_t cel_std_cost_min_traversal(const cel_value *args, size_t nargs)
{
    if (nargs < 2)
        return 1;
    if (args[0].kind == CEL_STRING && args[1].kind == CEL_STRING) {
        /* A string has at most as many code points as bytes, and at least
         * one when not empty: when the shorter fits in 10 bytes the cost,
         * ceil(min / 10), is 1 (0 for an empty one) without counting. */
        uint32_t m = args[0].len < args[1].len ? args[0].len : args[1].len;
        if (m <= 10)
            return m ? 1 : 0;
    }
    uint64_t a = cel_std_actual_size(&args[0]), b = cel_std_actual_size(&args[1]);
    return cel_std_cost_factor(a < b ? a : b, 1, 10);
}

uint64_t cel_std_cost_concat(const cel_value *args, size_t nargs)
{
    if (nargs < 2)
        return 1;
    return cel_std_cost_factor(
        sat_add(cel_std_actual_size(&args[0]), cel_std_actual_size(&args[1])), 1, 10);
}

uint64_t cel_std_cost_arg0_traversal(const cel_value *args, size_t nargs)
{
    return nargs < 1 ? 1 : cel_std_cost_factor(cel_std_actual_size(&args[0]), 1, 10);
}

uint64_t cel_std_cost_arg1_traversal(const cel_value *args, size_t nargs)
{
    return nargs < 2 ? 1 : cel_std_cost_factor(cel_std_actual_size(&args[1]), 1, 10);
}

uint64_t cel_std_cost_arg1_size(const cel_value *args, size_t nargs)
{
    return nargs < 2 ? 1 : cel_std_actual_size(&args[1]);
}

uint64_t cel_std_cost_contains(const cel_value *args, size_t nargs)
{
    if (nargs < 2)
        return 1;
    return sat_mul(cel_std_cost_factor(cel_std_actual_size(&args[0]), 1, 10),
                   cel_std_cost_factor(cel_std_actual_size(&args[1]), 1, 10));
}

uint64_t cel_std_cost_matches(const cel_value *args, size_t nargs)
{
    if (nargs < 2)
        return 1;
    uint64_t str = cel_std_cost_factor(sat_add(1, cel_std_actual_size(&args[0])), 1, 10);
    uint64_t re = cel_std_cost_factor(cel_std_actual_size(&args[1]), 1, 4);
    return sat_mul(str, re);
}

/* ---------------------------------------------------------------- functions */

cel_value cel_std_size_string(cel_call *c, const cel_value *a, size_t n)
{
    return cel_int((int64_t)cel_utf8_size(&a[0]));
}

cel_value cel_std_size_bytes(cel_call *c, const cel_value *a, size_t n)
{
    return cel_int((int64_t)a[0].len);
}

static cel_value concat(cel_call *c, const cel_value *a, int kind)
{
    uint64_t total = (uint64_t)a[0].len + a[1].len;
    if (total > UINT32_MAX)
        return cel_error_new(cel_call_arena(c), CEL_ERR_MEMORY, "string too long");
    if (a[0].len == 0)
        return a[1];
    if (a[1].len == 0)
        return a[0];
    char *p = cel_arena_alloc(cel_call_arena(c), (size_t)total + 1);
    if (!p)
        return cel_error_new(cel_call_arena(c), CEL_ERR_MEMORY, "out of memory");
    memcpy(p, a[0].u.str, a[0].len);
    memcpy(p + a[0].len, a[1].u.str, a[1].len);
    p[total] = '\0';
    cel_value v = kind == CEL_STRING ? cel_string_n(p, (uint32_t)total) : cel_bytes_n(p, (uint32_t)total);
    if (kind == CEL_STRING && (a[0].flags & a[1].flags & CEL_VF_ASCII))
        v.flags |= CEL_VF_ASCII;
    return v;
}

cel_value cel_std_add_string(cel_call *c, const cel_value *a, size_t n)
{
    return concat(c, a, CEL_STRING);
}

cel_value cel_std_add_bytes(cel_call *c, const cel_value *a, size_t n)
{
    return concat(c, a, CEL_BYTES);
}

cel_value cel_std_contains(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].len == 0)
        return cel_bool(true);
    return cel_bool(memmem(a[0].u.str, a[0].len, a[1].u.str, a[1].len) != NULL);
}

cel_value cel_std_starts_with(cel_call *c, const cel_value *a, size_t n)
{
    return cel_bool(a[1].len <= a[0].len && memcmp(a[0].u.str, a[1].u.str, a[1].len) == 0);
}

cel_value cel_std_ends_with(cel_call *c, const cel_value *a, size_t n)
{
    return cel_bool(a[1].len <= a[0].len &&
                    memcmp(a[0].u.str + (a[0].len - a[1].len), a[1].u.str, a[1].len) == 0);
}

/* Until the planner prepares constant arguments, no call has a prepared
 * state; the interpreter's definition replaces this one. */
__attribute__((weak)) const void *cel_call_prepared(const cel_call *c)
{
    (void)c;
    return NULL;
}

void *cel_std_matches_prepare(const cel_value *args, size_t nargs, unsigned const_mask,
                              char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (nargs < 2 || !(const_mask & 2u) || args[1].kind != CEL_STRING)
        return NULL;
    return cel_regex_compile(args[1].u.str, args[1].len, err, errcap);
}

void cel_std_matches_prepared_free(void *state) { cel_regex_free(state); }

cel_value cel_std_matches(cel_call *c, const cel_value *a, size_t n)
{
    char err[CEL_REGEX_ERR_CAP];
    const cel_regex *re = cel_call_prepared(c);
    cel_regex *own = NULL;
    if (!re) {
        own = cel_regex_compile(a[1].u.str, a[1].len, err, sizeof err);
        if (!own)
            return cel_error_new(cel_call_arena(c), CEL_ERR_GENERAL, "%s", err);
        re = own;
    }
    int m = cel_regex_match(re, a[0].u.str, a[0].len, err, sizeof err);
    cel_regex_free(own);
    if (m < 0)
        return cel_error_new(cel_call_arena(c), CEL_ERR_GENERAL, "%s", err);
    return cel_bool(m == 1);
}

cel_value cel_std_string_to_bytes(cel_call *c, const cel_value *a, size_t n)
{
    return cel_bytes_n(a[0].u.str, a[0].len);
}

cel_value cel_std_bytes_to_string(cel_call *c, const cel_value *a, size_t n)
{
    if (!cel_utf8_valid(a[0].u.str, a[0].len))
        return cel_error_new(cel_call_arena(c), CEL_ERR_GENERAL,
                             "invalid UTF-8 in bytes, cannot convert to string");
    cel_value v = cel_string_n(a[0].u.str, a[0].len);
    bool ascii = true;
    for (uint32_t i = 0; i < a[0].len && ascii; i++)
        ascii = (unsigned char)a[0].u.str[i] < 0x80;
    if (ascii)
        v.flags |= CEL_VF_ASCII;
    return v;
}
