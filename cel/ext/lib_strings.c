/*
 * lib_strings.c: cel-go's strings extension (ext/strings.go, library
 * "cel.lib.ext.strings") in each of its versions: charAt indexOf
 * lastIndexOf lowerAscii upperAscii replace split substring trim join
 * (version 0), strings.quote and format (1), join over list values (2),
 * reverse (3), the cel-spec format (4). format itself lives in
 * lib_strings_format.c.
 *
 * Strings are sequences of code points, as Go's []rune(s): indexes count
 * code points, and a byte that is not UTF-8 counts as one U+FFFD.
 *
 * Costs are Kubernetes' (library/cost.go CallCost, then cel-go's defaults),
 * which every environment carrying these tables uses.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/ext_strings.h"
#include "cel/lib_std.h"
#include "ext_text.h"
#include "lib_strings.h"

#define ARENA(c) cel_call_arena(c)

static cel_value oom(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "out of memory");
}

static cel_value too_long(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "string too long");
}

/* Whether a result of n bytes fits what the evaluation may still allocate
 * (also when folding constants at compile time). */
static bool fits(cel_call *c, uint64_t n) { return n < cel_xtext_room(ARENA(c)); }

static cel_value index_error(cel_call *c, int64_t i)
{
    return cel_error_new(ARENA(c), CEL_ERR_INDEX, "index out of range: %lld", (long long)i);
}

/* ---------------------------------------------------------------- code points */

static bool is_ascii(const cel_value *s)
{
    if (s->flags & CEL_VF_ASCII)
        return true;
    for (uint32_t i = 0; i < s->len; i++)
        if ((unsigned char)s->u.str[i] >= 0x80)
            return false;
    return true;
}

static bool is_valid(const cel_value *s)
{
    return (s->flags & CEL_VF_ASCII) || cel_utf8_valid(s->u.str, s->len);
}

/* Byte offset of the code point i places after byte offset from. */
static size_t skip_runes(const cel_value *s, size_t from, size_t i)
{
    if (s->flags & CEL_VF_ASCII)
        return from + i < s->len ? from + i : s->len;
    size_t off = from;
    while (i-- > 0 && off < s->len) {
        size_t l;
        cel_utf8_decode(s->u.str + off, s->len - off, &l);
        off += l;
    }
    return off;
}

/* Byte offset of code point i (at most the count). */
static size_t byte_of_rune(const cel_value *s, size_t i) { return skip_runes(s, 0, i); }

/* A string value over s[0..n) (not copied), with the ASCII flag when known. */
static cel_value slice(const char *s, size_t n, bool ascii)
{
    cel_value v = cel_string_n(s, (uint32_t)n);
    if (ascii)
        v.flags |= CEL_VF_ASCII;
    return v;
}

/* Decodes s into code points in the arena (Go's []rune(s)). */
static uint32_t *runes_of(cel_call *c, const cel_value *s, size_t *count)
{
    size_t n = cel_utf8_size(s);
    uint32_t *r = cel_arena_alloc(ARENA(c), (n ? n : 1) * sizeof *r);
    if (!r)
        return NULL;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l;
        r[i] = cel_utf8_decode(s->u.str + off, s->len - off, &l);
        off += l;
    }
    *count = n;
    return r;
}

/* Go's string([]rune(s[from..to))): the bytes as they are when they are
 * UTF-8, else each stray byte becomes U+FFFD. */
static cel_value runes_string(cel_call *c, const char *s, size_t n, bool ascii)
{
    if (ascii || cel_utf8_valid(s, n))
        return slice(s, n, ascii);
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        size_t l;
        uint32_t cp = cel_utf8_decode(s + i, n - i, &l);
        out += cp == 0xfffd && l == 1 ? 3 : l;
        i += l;
    }
    if (!fits(c, out))
        return too_long(c);
    char *p = cel_arena_alloc(ARENA(c), out + 1);
    if (!p)
        return oom(c);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t l;
        uint32_t cp = cel_utf8_decode(s + i, n - i, &l);
        o += cel_utf8_encode(cp, p + o);
        i += l;
    }
    p[o] = '\0';
    return cel_string_n(p, (uint32_t)o);
}

/* ---------------------------------------------------------------- search */

/* Rune index of the first occurrence of sub in s at or after rune off, or
 * -1. Both valid UTF-8: a byte match is a rune match (UTF-8 synchronises
 * on lead bytes), so memmem does the work; otherwise runes are compared as
 * Go does, with stray bytes as U+FFFD. */
static int64_t find_from(cel_call *c, const cel_value *s, const cel_value *sub, size_t off,
                         bool *failed)
{
    *failed = false;
    if (is_valid(s) && is_valid(sub)) {
        size_t b = byte_of_rune(s, off);
        const char *hit = b < s->len ? memmem(s->u.str + b, s->len - b, sub->u.str, sub->len)
                                     : NULL;
        if (!hit)
            return -1;
        return (int64_t)(off + cel_utf8_count(s->u.str + b, (size_t)(hit - (s->u.str + b))));
    }
    size_t n, m;
    uint32_t *r = runes_of(c, s, &n), *q = runes_of(c, sub, &m);
    if (!r || !q) {
        *failed = true;
        return -1;
    }
    for (size_t i = off; m <= n && i + m <= n; i++)
        if (memcmp(r + i, q, m * sizeof *r) == 0)
            return (int64_t)i;
    return -1;
}

/* Rune index of the last occurrence of sub starting at or before rune off
 * (off < rune count), or -1. */
static int64_t find_last(cel_call *c, const cel_value *s, const cel_value *sub, size_t off,
                         bool *failed)
{
    *failed = false;
    size_t n, m;
    if (is_valid(s) && is_valid(sub)) {
        n = cel_utf8_size(s);
        m = cel_utf8_size(sub);
        if (m > n)
            return -1;
        if (off > n - m)
            off = n - m;
        /* Walk candidate starts backwards from rune off. */
        size_t b = byte_of_rune(s, off);
        for (int64_t i = (int64_t)off;; i--) {
            if (b + sub->len <= s->len && memcmp(s->u.str + b, sub->u.str, sub->len) == 0)
                return i;
            if (i == 0)
                return -1;
            do
                b--;
            while (b > 0 && ((unsigned char)s->u.str[b] & 0xc0) == 0x80);
        }
    }
    uint32_t *r = runes_of(c, s, &n), *q = runes_of(c, sub, &m);
    if (!r || !q) {
        *failed = true;
        return -1;
    }
    if (m > n)
        return -1;
    if (off > n - m)
        off = n - m;
    for (int64_t i = (int64_t)off; i >= 0; i--)
        if (memcmp(r + i, q, m * sizeof *r) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------- functions */

static cel_value strx_char_at(cel_call *c, const cel_value *a, size_t n)
{
    int64_t i = a[1].u.i;
    size_t count = cel_utf8_size(&a[0]);
    if (i < 0 || (uint64_t)i > count)
        return index_error(c, i);
    if ((uint64_t)i == count)
        return slice("", 0, true);
    size_t b = byte_of_rune(&a[0], (size_t)i), l;
    cel_utf8_decode(a[0].u.str + b, a[0].len - b, &l);
    return runes_string(c, a[0].u.str + b, l, (a[0].flags & CEL_VF_ASCII) != 0);
}

/* indexOf(sub): the search string in an empty target is not found. */
static cel_value strx_index_of(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].len == 0)
        return cel_int(0);
    if (a[0].len == 0)
        return cel_int(-1);
    bool failed;
    int64_t r = find_from(c, &a[0], &a[1], 0, &failed);
    return failed ? oom(c) : cel_int(r);
}

/* indexOf(sub, off): an empty search string is found at off whatever off
 * is; otherwise off must be a code point of the target. */
static cel_value strx_index_of_offset(cel_call *c, const cel_value *a, size_t n)
{
    int64_t off = a[2].u.i;
    if (a[1].len == 0)
        return cel_int(off);
    if (off < 0 || (uint64_t)off >= cel_utf8_size(&a[0]))
        return index_error(c, off);
    bool failed;
    int64_t r = find_from(c, &a[0], &a[1], (size_t)off, &failed);
    return failed ? oom(c) : cel_int(r);
}

static cel_value last_index_at(cel_call *c, const cel_value *s, const cel_value *sub, int64_t off)
{
    if (sub->len == 0)
        return cel_int(off);
    if (off < 0 || (uint64_t)off >= cel_utf8_size(s))
        return index_error(c, off);
    bool failed;
    int64_t r = find_last(c, s, sub, (size_t)off, &failed);
    return failed ? oom(c) : cel_int(r);
}

static cel_value strx_last_index_of(cel_call *c, const cel_value *a, size_t n)
{
    size_t count = cel_utf8_size(&a[0]);
    if (a[1].len == 0)
        return cel_int((int64_t)count);
    if (a[0].len < a[1].len)
        return cel_int(-1);
    return last_index_at(c, &a[0], &a[1], (int64_t)count - 1);
}

static cel_value strx_last_index_of_offset(cel_call *c, const cel_value *a, size_t n)
{
    return last_index_at(c, &a[0], &a[1], a[2].u.i);
}

/* lowerAscii / upperAscii: only A-Z / a-z change; the result is Go's
 * string([]rune(s)), so stray bytes become U+FFFD. */
static cel_value ascii_case(cel_call *c, const cel_value *s, bool upper)
{
    cel_value v = runes_string(c, s->u.str, s->len, is_ascii(s));
    if (v.kind == CEL_ERROR)
        return v;
    char from = upper ? 'a' : 'A';
    size_t i = 0;
    while (i < v.len && !(v.u.str[i] >= from && v.u.str[i] <= from + 25))
        i++;
    if (i == v.len)
        return v;
    char *p = cel_arena_memdup(ARENA(c), v.u.str, v.len);
    if (!p)
        return oom(c);
    for (; i < v.len; i++)
        if (p[i] >= from && p[i] <= from + 25)
            p[i] = (char)(p[i] ^ 0x20);
    cel_value r = cel_string_n(p, v.len);
    r.flags = v.flags;
    return r;
}

static cel_value strx_lower_ascii(cel_call *c, const cel_value *a, size_t n)
{
    return ascii_case(c, &a[0], false);
}

static cel_value strx_upper_ascii(cel_call *c, const cel_value *a, size_t n)
{
    return ascii_case(c, &a[0], true);
}

/* Go's strings.Replace(s, old, new, n): n < 0 replaces every occurrence;
 * an empty old matches before every code point and at the end. */
static cel_value replace_n(cel_call *c, const cel_value *s, const cel_value *old,
                           const cel_value *new_, int64_t n)
{
    if (n == 0 || (old->len == new_->len && memcmp(old->u.str, new_->u.str, old->len) == 0))
        return *s;
    uint64_t m = 0;
    if (old->len == 0) {
        m = cel_utf8_count(s->u.str, s->len) + 1;
    } else {
        for (const char *p = s->u.str, *end = s->u.str + s->len;
             (p = memmem(p, (size_t)(end - p), old->u.str, old->len)) != NULL; p += old->len)
            m++;
    }
    if (m == 0)
        return *s;
    if (n < 0 || m < (uint64_t)n)
        n = (int64_t)m;
    uint64_t total = (uint64_t)s->len - (uint64_t)n * old->len;
    if (new_->len && (uint64_t)n > (UINT32_MAX - total) / new_->len)
        return too_long(c);
    total += (uint64_t)n * new_->len;
    if (!fits(c, total))
        return too_long(c);
    char *out = cel_arena_alloc(ARENA(c), (size_t)total + 1);
    if (!out)
        return oom(c);
    size_t o = 0, start = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t j = start;
        if (old->len == 0) {
            if (i > 0 && start < s->len) {
                size_t l;
                cel_utf8_decode(s->u.str + start, s->len - start, &l);
                j += l;
            }
        } else {
            const char *hit = memmem(s->u.str + start, s->len - start, old->u.str, old->len);
            j = (size_t)(hit - s->u.str);
        }
        memcpy(out + o, s->u.str + start, j - start);
        o += j - start;
        memcpy(out + o, new_->u.str, new_->len);
        o += new_->len;
        start = j + old->len;
    }
    memcpy(out + o, s->u.str + start, s->len - start);
    o += s->len - start;
    out[o] = '\0';
    cel_value v = cel_string_n(out, (uint32_t)o);
    if ((s->flags & new_->flags & CEL_VF_ASCII))
        v.flags |= CEL_VF_ASCII;
    return v;
}

static cel_value strx_replace(cel_call *c, const cel_value *a, size_t n)
{
    return replace_n(c, &a[0], &a[1], &a[2], -1);
}

static cel_value strx_replace_n(cel_call *c, const cel_value *a, size_t n)
{
    return replace_n(c, &a[0], &a[1], &a[2], a[3].u.i);
}

/* Go's strings.SplitN(s, sep, n): n == 0 gives no pieces, n < 0 every
 * piece, n > 0 at most n (the last holds the rest); an empty sep splits
 * into code points (stray bytes stay single bytes). The pieces share the
 * input's bytes. */
static cel_value split_n(cel_call *c, const cel_value *s, const cel_value *sep, int64_t n)
{
    if (n == 0)
        return cel_list_new(ARENA(c), NULL, 0);
    bool ascii = (s->flags & CEL_VF_ASCII) != 0;
    size_t count;
    if (sep->len == 0) {
        count = cel_utf8_count(s->u.str, s->len);
        if (n > 0 && (uint64_t)n < count)
            count = (size_t)n;
    } else {
        count = 1;
        for (const char *p = s->u.str, *end = s->u.str + s->len;
             (n < 0 || count < (uint64_t)n) &&
             (p = memmem(p, (size_t)(end - p), sep->u.str, sep->len)) != NULL;
             p += sep->len)
            count++;
    }
    cel_value *items = count ? cel_arena_alloc(ARENA(c), count * sizeof *items) : NULL;
    if (count && !items)
        return oom(c);
    size_t start = 0;
    for (size_t i = 0; i < count; i++) {
        size_t end;
        if (i == count - 1) {
            end = s->len;
        } else if (sep->len == 0) {
            size_t l;
            cel_utf8_decode(s->u.str + start, s->len - start, &l);
            end = start + l;
        } else {
            const char *hit = memmem(s->u.str + start, s->len - start, sep->u.str, sep->len);
            end = (size_t)(hit - s->u.str);
        }
        items[i] = slice(s->u.str + start, end - start, ascii);
        start = end + sep->len;
    }
    return cel_list_new(ARENA(c), items, count);
}

static cel_value strx_split(cel_call *c, const cel_value *a, size_t n)
{
    return split_n(c, &a[0], &a[1], -1);
}

static cel_value strx_split_n(cel_call *c, const cel_value *a, size_t n)
{
    return split_n(c, &a[0], &a[1], a[2].u.i);
}

static cel_value strx_substring(cel_call *c, const cel_value *a, size_t n)
{
    int64_t start = a[1].u.i;
    if (start < 0 || (uint64_t)start > cel_utf8_size(&a[0]))
        return index_error(c, start);
    size_t b = byte_of_rune(&a[0], (size_t)start);
    return runes_string(c, a[0].u.str + b, a[0].len - b, (a[0].flags & CEL_VF_ASCII) != 0);
}

static cel_value strx_substring_range(cel_call *c, const cel_value *a, size_t n)
{
    int64_t start = a[1].u.i, end = a[2].u.i;
    if (start > end)
        return cel_error_new(ARENA(c), CEL_ERR_INDEX,
                             "invalid substring range. start: %lld, end: %lld", (long long)start,
                             (long long)end);
    size_t count = cel_utf8_size(&a[0]);
    if (start < 0 || (uint64_t)start > count)
        return index_error(c, start);
    if (end < 0 || (uint64_t)end > count)
        return index_error(c, end);
    size_t b = byte_of_rune(&a[0], (size_t)start);
    size_t e = skip_runes(&a[0], b, (size_t)(end - start));
    return runes_string(c, a[0].u.str + b, e - b, (a[0].flags & CEL_VF_ASCII) != 0);
}

/* unicode.IsSpace: the Unicode White_Space property. */
static bool is_space(uint32_t r)
{
    switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xa0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
        return true;
    default:
        return r >= 0x2000 && r <= 0x200a;
    }
}

/* strings.TrimSpace: a slice of the input; stray bytes are not spaces. */
static cel_value strx_trim(cel_call *c, const cel_value *a, size_t n)
{
    const char *s = a[0].u.str;
    size_t lo = 0, hi = a[0].len;
    while (lo < hi) {
        size_t l;
        uint32_t r = cel_utf8_decode(s + lo, hi - lo, &l);
        if (!is_space(r) || (r == 0xfffd && l == 1))
            break;
        lo += l;
    }
    while (hi > lo) {
        size_t st = hi - 1;
        while (st > lo && hi - st < 4 && ((unsigned char)s[st] & 0xc0) == 0x80)
            st--;
        size_t l;
        uint32_t r = cel_utf8_decode(s + st, hi - st, &l);
        if (st + l != hi || !is_space(r))
            break;
        hi = st;
    }
    return slice(s + lo, hi - lo, (a[0].flags & CEL_VF_ASCII) != 0);
}

static cel_value strx_reverse(cel_call *c, const cel_value *a, size_t n)
{
    cel_value v = runes_string(c, a[0].u.str, a[0].len, (a[0].flags & CEL_VF_ASCII) != 0);
    if (v.kind == CEL_ERROR || v.len < 2)
        return v;
    char *p = cel_arena_alloc(ARENA(c), (size_t)v.len + 1);
    if (!p)
        return oom(c);
    size_t o = v.len;
    for (size_t i = 0; i < v.len;) {
        size_t l;
        cel_utf8_decode(v.u.str + i, v.len - i, &l);
        o -= l;
        memcpy(p + o, v.u.str + i, l);
        i += l;
    }
    p[v.len] = '\0';
    cel_value r = cel_string_n(p, v.len);
    r.flags = v.flags;
    return r;
}

static const char *quote_escape(char ch)
{
    switch (ch) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    case '\\': return "\\\\";
    case '"': return "\\\"";
    default: return NULL;
    }
}

/* strings.quote: the text in double quotes with \a \b \f \n \r \t \v \\ \"
 * escaped; everything else, control characters included, as it is (stray
 * bytes as U+FFFD). */
static cel_value strx_quote(cel_call *c, const cel_value *a, size_t n)
{
    cel_value s = runes_string(c, a[0].u.str, a[0].len, (a[0].flags & CEL_VF_ASCII) != 0);
    if (s.kind == CEL_ERROR)
        return s;
    uint64_t total = 2;
    for (uint32_t i = 0; i < s.len; i++)
        total += quote_escape(s.u.str[i]) ? 2 : 1;
    if (!fits(c, total))
        return too_long(c);
    char *p = cel_arena_alloc(ARENA(c), (size_t)total + 1);
    if (!p)
        return oom(c);
    size_t o = 0;
    p[o++] = '"';
    for (uint32_t i = 0; i < s.len; i++) {
        const char *esc = quote_escape(s.u.str[i]);
        if (esc) {
            memcpy(p + o, esc, 2);
            o += 2;
        } else {
            p[o++] = s.u.str[i];
        }
    }
    p[o++] = '"';
    p[o] = '\0';
    cel_value v = cel_string_n(p, (uint32_t)o);
    v.flags = s.flags & CEL_VF_ASCII;
    return v;
}

/* ---------------------------------------------------------------- join */

/* Go's %v of a value that is not a string, for join's error (scalars as
 * Go prints them; other kinds by their CEL type name). */
static void go_value_text(const cel_value *v, char *buf, size_t cap)
{
    switch (v->kind) {
    case CEL_INT: snprintf(buf, cap, "%lld", (long long)v->u.i); return;
    case CEL_UINT: snprintf(buf, cap, "%llu", (unsigned long long)v->u.u); return;
    case CEL_DOUBLE: {
        char d[32];
        cel_std_format_double(v->u.d, d);
        snprintf(buf, cap, "%s", d);
        return;
    }
    case CEL_BOOL: snprintf(buf, cap, "%s", v->u.b ? "true" : "false"); return;
    case CEL_NULL: snprintf(buf, cap, "NULL_VALUE"); return;
    case CEL_BYTES: {
        size_t o = 0;
        o += (size_t)snprintf(buf + o, cap - o, "[");
        for (uint32_t i = 0; i < v->len && o + 8 < cap; i++)
            o += (size_t)snprintf(buf + o, cap - o, i ? " %u" : "%u", (unsigned char)v->u.str[i]);
        snprintf(buf + o, cap - o, "]");
        return;
    }
    case CEL_OPAQUE: snprintf(buf, cap, "%s", v->u.opaque->type->name); return;
    default: snprintf(buf, cap, "%s", cel_type_of_kind(v->kind)->name); return;
    }
}

/* Go's ConvertToNative([]string) message for a value that is not a
 * string (strings version 0 and 1). */
static cel_value join_v0_error(cel_call *c, const cel_value *e)
{
    switch (e->kind) {
    case CEL_INT:
    case CEL_UINT:
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "unsupported type conversion from '%s' to string",
                             e->kind == CEL_INT ? "int" : "uint");
    case CEL_DOUBLE:
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "type conversion error from Double to 'string'");
    case CEL_BOOL:
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "type conversion error from bool to 'string'");
    default:
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "type conversion error from '%s' to 'string'",
                             e->kind == CEL_OPAQUE ? e->u.opaque->type->name
                                                   : cel_type_of_kind(e->kind)->name);
    }
}

static cel_value join(cel_call *c, const cel_value *list, const cel_value *sep, bool v2)
{
    const cel_list *l = list->u.list;
    cel_arena *ar = ARENA(c);
    uint64_t total = 0;
    bool ascii = !sep || (sep->flags & CEL_VF_ASCII);
    cel_value *items = l->len ? cel_arena_alloc(ar, l->len * sizeof *items) : NULL;
    if (l->len && !items)
        return oom(c);
    for (size_t i = 0; i < l->len; i++) {
        items[i] = cel_list_at(l, i, ar);
        if (items[i].kind == CEL_ERROR)
            return items[i];
        if (items[i].kind != CEL_STRING) {
            if (!v2)
                return join_v0_error(c, &items[i]);
            char text[128];
            go_value_text(&items[i], text, sizeof text);
            return cel_error_new(ar, CEL_ERR_GENERAL, "join: invalid input: %s", text);
        }
        total += items[i].len + (i && sep ? sep->len : 0);
        ascii = ascii && (items[i].flags & CEL_VF_ASCII);
    }
    if (!fits(c, total))
        return too_long(c);
    char *p = cel_arena_alloc(ar, (size_t)total + 1);
    if (!p)
        return oom(c);
    size_t o = 0;
    for (size_t i = 0; i < l->len; i++) {
        if (i && sep) {
            memcpy(p + o, sep->u.str, sep->len);
            o += sep->len;
        }
        memcpy(p + o, items[i].u.str, items[i].len);
        o += items[i].len;
    }
    p[o] = '\0';
    cel_value v = cel_string_n(p, (uint32_t)o);
    if (ascii)
        v.flags |= CEL_VF_ASCII;
    return v;
}

/* Kubernetes prices join by its result: ceil(size * 2 * 0.1), with an
 * error result counting as size 1. */
static void charge_join(cel_call *c, cel_value r)
{
    uint64_t size = r.kind == CEL_STRING ? cel_utf8_size(&r) : 1;
    cel_call_charge(c, (uint64_t)ceil((double)size * 2 * 0.1));
}

static cel_value strx_join_v0(cel_call *c, const cel_value *a, size_t n)
{
    cel_value r = join(c, &a[0], NULL, false);
    charge_join(c, r);
    return r;
}

static cel_value strx_join_sep_v0(cel_call *c, const cel_value *a, size_t n)
{
    cel_value r = join(c, &a[0], &a[1], false);
    charge_join(c, r);
    return r;
}

static cel_value strx_join_v2(cel_call *c, const cel_value *a, size_t n)
{
    cel_value r = join(c, &a[0], NULL, true);
    charge_join(c, r);
    return r;
}

static cel_value strx_join_sep_v2(cel_call *c, const cel_value *a, size_t n)
{
    cel_value r = join(c, &a[0], &a[1], true);
    charge_join(c, r);
    return r;
}

/* ---------------------------------------------------------------- costs */

/* ceil(code points * 0.1), computed in doubles as Kubernetes does. */
static uint64_t cost_traverse(const cel_value *a, size_t n)
{
    return (uint64_t)ceil((double)cel_utf8_size(&a[0]) * 0.1);
}

/* replace and split: the traversal plus building the result. */
static uint64_t cost_traverse_twice(const cel_value *a, size_t n)
{
    return (uint64_t)ceil((double)cel_utf8_size(&a[0]) * 2 * 0.1);
}

/* indexOf / lastIndexOf: Kubernetes' traversalCost, which truncates and
 * counts bytes. */
static uint64_t cost_index_of(const cel_value *a, size_t n)
{
    return (uint64_t)((double)a[0].len * 0.1);
}

/* join is charged by its result, inside the call. */
static uint64_t cost_none(const cel_value *a, size_t n) { return 0; }

/* ---------------------------------------------------------------- tables */

static const cel_type t_list_string = {.kind = CEL_T_LIST, .name = "list",
                                       .param = {&cel_t_string}};

#define S &cel_t_string
#define I &cel_t_int
#define M(id, name, nargs, params, result, fn, cost) \
    {id, name, true, nargs, 0, params, result, fn, cost, NULL, NULL}
#define P(...) {__VA_ARGS__}

#define STRX_BASE                                                                          \
    M("string_char_at_int", "charAt", 2, P(S, I), S, strx_char_at, NULL),                  \
    M("string_index_of_string", "indexOf", 2, P(S, S), I, strx_index_of, cost_index_of),   \
    M("string_index_of_string_int", "indexOf", 3, P(S, S, I), I, strx_index_of_offset,     \
      cost_index_of),                                                                      \
    M("string_last_index_of_string", "lastIndexOf", 2, P(S, S), I, strx_last_index_of,     \
      cost_index_of),                                                                      \
    M("string_last_index_of_string_int", "lastIndexOf", 3, P(S, S, I), I,                  \
      strx_last_index_of_offset, cost_index_of),                                           \
    M("string_lower_ascii", "lowerAscii", 1, P(S), S, strx_lower_ascii, cost_traverse),    \
    M("string_replace_string_string", "replace", 3, P(S, S, S), S, strx_replace,           \
      cost_traverse_twice),                                                                \
    M("string_replace_string_string_int", "replace", 4, P(S, S, S, I), S, strx_replace_n,  \
      cost_traverse_twice),                                                                \
    M("string_split_string", "split", 2, P(S, S), &t_list_string, strx_split,              \
      cost_traverse_twice),                                                                \
    M("string_split_string_int", "split", 3, P(S, S, I), &t_list_string, strx_split_n,     \
      cost_traverse_twice),                                                                \
    M("string_substring_int", "substring", 2, P(S, I), S, strx_substring, cost_traverse),  \
    M("string_substring_int_int", "substring", 3, P(S, I, I), S, strx_substring_range,     \
      cost_traverse),                                                                      \
    M("string_trim", "trim", 1, P(S), S, strx_trim, cost_traverse),                        \
    M("string_upper_ascii", "upperAscii", 1, P(S), S, strx_upper_ascii, cost_traverse)

#define STRX_JOIN_V0                                                                       \
    M("list_join", "join", 1, P(&t_list_string), S, strx_join_v0, cost_none),              \
    M("list_join_string", "join", 2, P(&t_list_string, S), S, strx_join_sep_v0, cost_none)

#define STRX_JOIN_V2                                                                       \
    M("list_join", "join", 1, P(&t_list_string), S, strx_join_v2, cost_none),              \
    M("list_join_string", "join", 2, P(&t_list_string, S), S, strx_join_sep_v2, cost_none)

/* cel-go charges format and quote ceil(0.1 * size of the first argument). */
#define STRX_QUOTE                                                                         \
    {"strings_quote", "strings.quote", false, 1, 0, P(S), S, strx_quote, cost_traverse,    \
     NULL, NULL}
#define STRX_FORMAT(fn)                                                                    \
    M("string_format", "format", 2, P(S, &cel_t_list_dyn), S, fn, cost_traverse)
#define STRX_REVERSE M("string_reverse", "reverse", 1, P(S), S, strx_reverse, NULL)

static const cel_overload strx_v0[] = {STRX_BASE, STRX_JOIN_V0};
static const cel_overload strx_v1[] = {STRX_BASE, STRX_JOIN_V0, STRX_QUOTE,
                                       STRX_FORMAT(cel_strx_format_v1)};
static const cel_overload strx_v2[] = {STRX_BASE, STRX_JOIN_V2, STRX_QUOTE,
                                       STRX_FORMAT(cel_strx_format_v1)};
static const cel_overload strx_v3[] = {STRX_BASE, STRX_JOIN_V2, STRX_QUOTE,
                                       STRX_FORMAT(cel_strx_format_v1), STRX_REVERSE};
static const cel_overload strx_v4[] = {STRX_BASE, STRX_JOIN_V2, STRX_QUOTE,
                                       STRX_FORMAT(cel_strx_format_v2), STRX_REVERSE};

#define LIB(tbl) {"cel.lib.ext.strings", tbl, sizeof tbl / sizeof tbl[0], NULL, 0}

const cel_library cel_lib_ext_strings[CEL_STRX_NEWEST + 1] = {
    LIB(strx_v0), LIB(strx_v1), LIB(strx_v2), LIB(strx_v3), LIB(strx_v4),
};

const cel_library *cel_strx_library(unsigned version)
{
    return &cel_lib_ext_strings[version > CEL_STRX_NEWEST ? CEL_STRX_NEWEST : version];
}
