/*
 * lib_strings_format.c: <string>.format(list) of cel-go's strings
 * extension in its two generations, and the check-time validation of
 * literal format calls.
 *
 *   v1 (strings versions 1-3, ext/formatting.go; what Kubernetes 1.29+
 *      runs): %s prints values with string(), lists and maps as CEL-ish
 *      literals ("[\"a\", 1.500000]", "{\"k\":duration(\"1s\")}"); %f and
 *      %e go through golang.org/x/text in en_US: digit grouping
 *      ("1,234.500000"), "∞", and "2.718280 × 10⁰⁰" with the precision
 *      taken as a width (cel-go builds "%<p>e"), so it is always 6.
 *   v2 (strings version 4, ext/formatting_v2.go, the cel-spec format):
 *      plain numbers, shortest doubles, "[a, 1.5]", "{k: 1s}"; %d %f %e
 *      take ints, uints and doubles alike.
 *
 * Both parse clauses the same way: %%, %[.precision]verb with verb one of
 * s d f e b x X o, and report cel-go's messages.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel_time.h"
#include "cel/ext_strings.h"
#include "cel/lib_std.h"
#include "lib_strings.h"
#include "ext_text.h"
#include "netaddr.h"

#define FMT_DEPTH_MAX 1000
#define ERR_CAP 512

enum { FLAVOR_V1 = 1, FLAVOR_V2 = 2 };

/* ---------------------------------------------------------------- errors */

typedef struct fmt_ctx {
    cel_arena *a;
    int flavor;
    char err[ERR_CAP];
    bool failed;
} fmt_ctx;

static bool fail(fmt_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(fmt_ctx *x, const char *fmt, ...)
{
    if (!x->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err, sizeof x->err, fmt, ap);
        va_end(ap);
        x->failed = true;
    }
    return false;
}

/* The runtime type name cel-go reports (Type().TypeName()). */
static const char *type_name(const cel_value *v)
{
    if (v->kind == CEL_OPAQUE)
        return v->u.opaque->type->name;
    return cel_type_of_kind(v->kind)->name;
}

/* The clause errors of each generation, by verb (cel-go's wording). */
static const char *clause_error(int flavor, char verb)
{
    if (flavor == FLAVOR_V1) {
        switch (verb) {
        case 'b': return "only integers and bools can be formatted as binary";
        case 'd': return "decimal clause can only be used on integers";
        case 'f': return "fixed-point clause can only be used on doubles";
        case 'x': case 'X': return "only integers, byte buffers, and strings can be formatted as hex";
        case 'o': return "octal clause can only be used on integers";
        case 'e': return "scientific clause can only be used on doubles";
        default: break;
        }
    } else {
        switch (verb) {
        case 'b': return "only ints, uints, and bools can be formatted as binary";
        case 'd': return "decimal clause can only be used on ints, uints, and doubles";
        case 'f': return "fixed-point clause can only be used on ints, uints, and doubles";
        case 'x': case 'X': return "only ints, uints, bytes, and strings can be formatted as hex";
        case 'o': return "octal clause can only be used on ints and uints";
        case 'e': return "scientific clause can only be used on ints, uints, and doubles";
        default: break;
        }
    }
    return "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, "
           "types, durations, and timestamps";
}

static bool type_error(fmt_ctx *x, char verb, const char *type)
{
    return fail(x, "%s, was given %s", clause_error(x->flavor, verb), type);
}

/* ---------------------------------------------------------------- numbers */

static void put_shortest_f(cel_xbuf *b, double d)
{
    char out[CEL_XTEXT_FIXED_CAP];
    cel_xbuf_put(b, out, cel_xtext_shortest_fixed(d, out));
}

/* "%.*f" or "%.*e" (conv 'f' / 'e') with a user precision: the result is
 * longer than the precision, so a precision past the room fails before
 * anything is allocated. */
static int print_double(char *buf, size_t cap, char conv, int prec, double d)
{
    return conv == 'f' ? snprintf(buf, cap, "%.*f", prec, d) : snprintf(buf, cap, "%.*e", prec, d);
}

static void put_printf_double(cel_xbuf *b, char conv, int prec, double d)
{
    if ((size_t)prec > b->room - b->len) {
        b->full = true;
        return;
    }
    char small[512];
    int n = print_double(small, sizeof small, conv, prec, d);
    if (n < 0) {
        b->full = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        cel_xbuf_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->full = true;
        return;
    }
    print_double(big, (size_t)n + 1, conv, prec, d);
    cel_xbuf_put(b, big, (size_t)n);
    free(big);
}

/* Go's strconv.FormatInt/FormatUint in a base, with '-' for negatives. */
static void put_radix(cel_xbuf *b, bool neg, uint64_t u, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[70];
    size_t o = sizeof tmp;
    do {
        tmp[--o] = digits[u % base];
        u /= base;
    } while (u);
    if (neg)
        tmp[--o] = '-';
    cel_xbuf_put(b, tmp + o, sizeof tmp - o);
}

static void put_int_radix(cel_xbuf *b, int64_t i, unsigned base, bool upper)
{
    uint64_t mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    put_radix(b, i < 0, mag, base, upper);
}

static void put_hex_bytes(cel_xbuf *b, const char *s, size_t n, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char pair[2];
    for (size_t i = 0; i < n && !b->full; i++) {
        pair[0] = digits[(unsigned char)s[i] >> 4];
        pair[1] = digits[(unsigned char)s[i] & 15];
        cel_xbuf_put(b, pair, 2);
    }
}

static void put_special(cel_xbuf *b, double d)
{
    cel_xbuf_puts(b, isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
}

/* ---------------------------------------------------------------- v1 numbers (x/text, en_US) */

/* %.<p>f as golang.org/x/text/message prints it for en_US: correctly
 * rounded digits, the integer part grouped by thousands with ',', "∞"
 * for infinities. x/text keeps the fraction digit count in a byte, so
 * beyond 255 the digits are cut to p mod 256. */
static void put_v1_fixed(cel_xbuf *b, double d, long prec)
{
    if (isnan(d)) {
        cel_xbuf_puts(b, "NaN");
        return;
    }
    if (isinf(d)) {
        cel_xbuf_puts(b, d < 0 ? "-\u221e" : "\u221e");
        return;
    }
    int shown = (int)(prec & 0xff);
    int rounded = prec > 1100 ? 1100 : (int)prec;
    char small[1600];
    snprintf(small, sizeof small, "%.*f", rounded, fabs(d));
    char *dot = strchr(small, '.');
    size_t intlen = dot ? (size_t)(dot - small) : strlen(small);
    if (d < 0)
        cel_xbuf_put(b, "-", 1);
    for (size_t i = 0; i < intlen; i++) {
        cel_xbuf_put(b, small + i, 1);
        size_t left = intlen - 1 - i;
        if (left && left % 3 == 0)
            cel_xbuf_put(b, ",", 1);
    }
    if (shown > 0) {
        cel_xbuf_put(b, ".", 1);
        size_t have = dot ? strlen(dot + 1) : 0;
        for (int k = 0; k < shown; k++)
            cel_xbuf_put(b, (size_t)k < have ? dot + 1 + k : "0", 1);
    }
}

/* %<w>e as x/text prints it for en_US: six fraction digits, then
 * " × 10" and the exponent in superscript digits (at least two), the
 * whole padded with spaces on the left to w code points. */
static void put_v1_scientific(cel_xbuf *b, double d, long width)
{
    static const char *const super[10] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                          "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
    cel_xbuf t = {.room = 256};
    size_t runes = 0;
    if (isnan(d)) {
        cel_xbuf_puts(&t, "NaN");
        runes = 3;
    } else if (isinf(d)) {
        cel_xbuf_puts(&t, d < 0 ? "-\u221e" : "\u221e");
        runes = d < 0 ? 2 : 1;
    } else {
        char m[64];
        snprintf(m, sizeof m, "%.6e", fabs(d));
        char *e = strchr(m, 'e');
        int exp = atoi(e + 1);
        *e = '\0';
        if (d == 0)
            exp = 0;
        if (d < 0)
            cel_xbuf_puts(&t, "-");
        cel_xbuf_puts(&t, m);
        cel_xbuf_puts(&t, "\u202f\u00d7\u202f10");
        runes = (d < 0) + strlen(m) + 5;
        if (exp < 0) {
            cel_xbuf_puts(&t, "\u207b");
            runes++;
            exp = -exp;
        }
        char ds[16];
        int nd = snprintf(ds, sizeof ds, "%02d", exp);
        for (int k = 0; k < nd; k++)
            cel_xbuf_puts(&t, super[ds[k] - '0']);
        runes += (size_t)nd;
    }
    for (long k = (long)runes; k < width && !b->full; k++)
        cel_xbuf_put(b, " ", 1);
    cel_xbuf_put(b, t.p, t.len);
    free(t.p);
}

/* ---------------------------------------------------------------- %s, v2 */

static bool format_v2(fmt_ctx *x, cel_xbuf *b, const cel_value *v, int depth);

typedef struct entry_text {
    char *key, *val;
    size_t klen, vlen;
    size_t order;
} entry_text;

static int entry_cmp(const void *p, const void *q)
{
    const entry_text *a = p, *c = q;
    size_t n = a->klen < c->klen ? a->klen : c->klen;
    int r = memcmp(a->key, c->key, n);
    if (r)
        return r;
    if (a->klen != c->klen)
        return a->klen < c->klen ? -1 : 1;
    return a->order < c->order ? -1 : a->order > c->order; /* stable */
}

static void free_entries(entry_text *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].key);
        free(e[i].val);
    }
    free(e);
}

typedef bool (*text_fn)(fmt_ctx *x, cel_xbuf *b, const cel_value *v, int depth);

/* Formats every entry's key and value apart (with kfn / vfn), sorts by
 * the key text as Go's sort.SliceStable does, and writes
 * "{k<sep>v, ...}". */
static bool put_map(fmt_ctx *x, cel_xbuf *b, const cel_map *m, const char *sep, text_fn kfn,
                    text_fn vfn, int depth)
{
    entry_text *e = m->len ? calloc(m->len, sizeof *e) : NULL;
    if (m->len && !e) {
        b->full = true;
        return false;
    }
    for (size_t i = 0; i < m->len; i++) {
        cel_value k, v;
        cel_map_entry(m, i, &k, &v, x->a);
        if (v.kind == CEL_ERROR) {
            fail(x, "%s", v.u.err->msg);
            free_entries(e, m->len);
            return false;
        }
        cel_xbuf kb = {0}, vb = {0};
        kb.room = vb.room = b->room;
        bool ok = kfn(x, &kb, &k, depth + 1) && vfn(x, &vb, &v, depth + 1);
        e[i] = (entry_text){kb.p, vb.p, kb.len, vb.len, i};
        if (!ok || kb.full || vb.full) {
            if (kb.full || vb.full)
                b->full = true;
            free_entries(e, m->len);
            return false;
        }
    }
    if (m->len)
        qsort(e, m->len, sizeof *e, entry_cmp);
    cel_xbuf_put(b, "{", 1);
    for (size_t i = 0; i < m->len; i++) {
        if (i)
            cel_xbuf_put(b, ", ", 2);
        cel_xbuf_put(b, e[i].key, e[i].klen);
        cel_xbuf_puts(b, sep);
        cel_xbuf_put(b, e[i].val, e[i].vlen);
    }
    cel_xbuf_put(b, "}", 1);
    free_entries(e, m->len);
    return !b->full;
}

static bool put_duration(fmt_ctx *x, cel_xbuf *b, const cel_value *v)
{
    int64_t s, ns;
    if (__builtin_mul_overflow(v->u.i, CEL_NS_PER_SEC, &s) ||
        __builtin_add_overflow(s, (int64_t)(int32_t)v->len, &ns))
        return fail(x, "duration overflow");
    char buf[64];
    cel_xbuf_put(b, buf, cel_time_format_duration(ns, buf));
    return true;
}

static void put_timestamp(cel_xbuf *b, const cel_value *v)
{
    char buf[CEL_TIME_RFC3339_CAP];
    cel_xbuf_put(b, buf, cel_time_format_rfc3339(v->u.i, (int32_t)v->len, buf));
}

/* ext/formatting_v2.go appendingFormatterV2.format. */
static bool format_v2(fmt_ctx *x, cel_xbuf *b, const cel_value *v, int depth)
{
    if (depth > FMT_DEPTH_MAX)
        return fail(x, "value nested too deeply to format");
    char num[32];
    switch (v->kind) {
    case CEL_BOOL: cel_xbuf_puts(b, v->u.b ? "true" : "false"); return true;
    case CEL_INT: cel_xbuf_put(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i)); return true;
    case CEL_UINT:
        cel_xbuf_put(b, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)v->u.u));
        return true;
    case CEL_DOUBLE:
        if (!isfinite(v->u.d))
            put_special(b, v->u.d);
        else
            put_shortest_f(b, v->u.d);
        return true;
    case CEL_BYTES:
    case CEL_STRING: cel_xbuf_put(b, v->u.str, v->len); return true;
    case CEL_DURATION: return put_duration(x, b, v);
    case CEL_TIMESTAMP: put_timestamp(b, v); return true;
    case CEL_NULL: cel_xbuf_puts(b, "null"); return true;
    case CEL_TYPE: cel_xbuf_puts(b, v->u.type->name); return true;
    case CEL_LIST: {
        const cel_list *l = v->u.list;
        cel_xbuf_put(b, "[", 1);
        for (size_t i = 0; i < l->len; i++) {
            if (i)
                cel_xbuf_put(b, ", ", 2);
            cel_value e = cel_list_at(l, i, x->a);
            if (e.kind == CEL_ERROR)
                return fail(x, "%s", e.u.err->msg);
            if (!format_v2(x, b, &e, depth + 1))
                return false;
        }
        cel_xbuf_put(b, "]", 1);
        return true;
    }
    case CEL_MAP: return put_map(x, b, v->u.map, ": ", format_v2, format_v2, depth);
    default: return type_error(x, 's', type_name(v));
    }
}

/* ---------------------------------------------------------------- %s, v1 */

/* Go's %q (strconv.Quote). */
static void put_go_quoted(cel_xbuf *b, const char *s, size_t n)
{
    size_t len = cel_netaddr_quote(s, n, NULL, 0);
    char small[256];
    char *q = len < sizeof small ? small : malloc(len + 1);
    if (!q) {
        b->full = true;
        return;
    }
    cel_netaddr_quote(s, n, q, len + 1);
    cel_xbuf_put(b, q, len);
    if (q != small)
        free(q);
}

/* string(v) as cel-go's ConvertToType(StringType) gives it (FormatString). */
static bool format_string_v1(fmt_ctx *x, cel_xbuf *b, const cel_value *v, int depth);

static bool list_v1(fmt_ctx *x, cel_xbuf *b, const cel_list *l, int depth);
static bool map_v1(fmt_ctx *x, cel_xbuf *b, const cel_map *m, int depth);

/* A list or map member: clauseForType, then quoteForCEL. */
static bool member_v1(fmt_ctx *x, cel_xbuf *b, const cel_value *v, int depth)
{
    if (depth > FMT_DEPTH_MAX)
        return fail(x, "value nested too deeply to format");
    char num[48];
    switch (v->kind) {
    case CEL_INT: cel_xbuf_put(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i)); return true;
    case CEL_UINT:
        cel_xbuf_put(b, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)v->u.u));
        return true;
    case CEL_STRING: put_go_quoted(b, v->u.str, v->len); return true;
    case CEL_BYTES:
        if (!cel_utf8_valid(v->u.str, v->len))
            return format_string_v1(x, b, v, depth);
        cel_xbuf_put(b, "b", 1);
        put_go_quoted(b, v->u.str, v->len);
        return true;
    case CEL_BOOL:
    case CEL_NULL:
    case CEL_TYPE: return format_string_v1(x, b, v, depth);
    case CEL_TIMESTAMP:
        cel_xbuf_puts(b, "timestamp(\"");
        put_timestamp(b, v);
        cel_xbuf_puts(b, "\")");
        return true;
    case CEL_DURATION:
        cel_xbuf_puts(b, "duration(\"");
        if (!put_duration(x, b, v))
            return false;
        cel_xbuf_puts(b, "\")");
        return true;
    case CEL_LIST: return list_v1(x, b, v->u.list, depth);
    case CEL_MAP: return map_v1(x, b, v->u.map, depth);
    case CEL_DOUBLE: {
        /* fmt's %.6f, quoted when not finite ("+Inf", "NaN"). */
        double d = v->u.d;
        if (isnan(d))
            cel_xbuf_puts(b, "\"NaN\"");
        else if (isinf(d))
            cel_xbuf_puts(b, d < 0 ? "\"-Inf\"" : "\"+Inf\"");
        else
            put_printf_double(b, 'f', 6, d);
        return true;
    }
    default: return fail(x, "no formatting function for %s", type_name(v));
    }
}

static bool list_v1(fmt_ctx *x, cel_xbuf *b, const cel_list *l, int depth)
{
    cel_xbuf_put(b, "[", 1);
    for (size_t i = 0; i < l->len; i++) {
        if (i)
            cel_xbuf_put(b, ", ", 2);
        cel_value e = cel_list_at(l, i, x->a);
        if (e.kind == CEL_ERROR)
            return fail(x, "%s", e.u.err->msg);
        if (!member_v1(x, b, &e, depth + 1))
            return false;
    }
    cel_xbuf_put(b, "]", 1);
    return true;
}

static bool key_v1(fmt_ctx *x, cel_xbuf *b, const cel_value *k, int depth)
{
    switch (k->kind) {
    case CEL_STRING:
    case CEL_BOOL:
    case CEL_INT:
    case CEL_UINT: return member_v1(x, b, k, depth);
    default: return fail(x, "no formatting function for map key of type %s", type_name(k));
    }
}

static bool map_v1(fmt_ctx *x, cel_xbuf *b, const cel_map *m, int depth)
{
    return put_map(x, b, m, ":", key_v1, member_v1, depth);
}

static bool format_string_v1(fmt_ctx *x, cel_xbuf *b, const cel_value *v, int depth)
{
    char num[48];
    switch (v->kind) {
    case CEL_LIST: return list_v1(x, b, v->u.list, depth);
    case CEL_MAP: return map_v1(x, b, v->u.map, depth);
    case CEL_INT: cel_xbuf_put(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i)); return true;
    case CEL_UINT:
        cel_xbuf_put(b, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)v->u.u));
        return true;
    case CEL_DOUBLE: cel_xbuf_put(b, num, cel_std_format_double(v->u.d, num)); return true;
    case CEL_BOOL: cel_xbuf_puts(b, v->u.b ? "true" : "false"); return true;
    case CEL_STRING: cel_xbuf_put(b, v->u.str, v->len); return true;
    case CEL_TIMESTAMP: put_timestamp(b, v); return true;
    case CEL_BYTES:
        if (!cel_utf8_valid(v->u.str, v->len))
            return fail(x, "could not convert argument \"invalid UTF-8 in bytes, cannot convert to "
                           "string\" to string");
        cel_xbuf_put(b, v->u.str, v->len);
        return true;
    case CEL_DURATION: return put_duration(x, b, v);
    case CEL_TYPE: cel_xbuf_puts(b, v->u.type->name); return true;
    case CEL_NULL: cel_xbuf_puts(b, "null"); return true;
    default: return type_error(x, 's', type_name(v));
    }
}

/* ---------------------------------------------------------------- clauses */

typedef struct clause {
    char verb;
    long prec;      /* the precision as written, or -1 */
    size_t read;    /* bytes after the '%' */
} clause;

/* Parses "[.digits]verb" at s[0..n) (n >= 1). On error writes cel-go's
 * message (without the "could not parse formatting clause: " prefix). */
static bool parse_clause(const char *s, size_t n, clause *cl, char *err, size_t cap)
{
    size_t i = 0;
    cl->prec = -1;
    if (s[0] == '.') {
        i = 1;
        size_t start = i;
        while (true) {
            if (i >= n) {
                snprintf(err, cap, "error while parsing precision: could not find end of precision specifier");
                return false;
            }
            if (s[i] < '0' || s[i] > '9')
                break;
            i++;
        }
        /* strconv.Atoi on the digits. */
        if (i == start) {
            snprintf(err, cap, "error while parsing precision: error while converting precision to "
                               "integer: strconv.Atoi: parsing \"\": invalid syntax");
            return false;
        }
        long p = 0;
        for (size_t k = start; k < i; k++) {
            if (p > (INT64_MAX - 9) / 10) {
                snprintf(err, cap, "error while parsing precision: error while converting "
                                   "precision to integer: strconv.Atoi: parsing \"%.*s\": value "
                                   "out of range", (int)(i - start > 200 ? 200 : i - start),
                         s + start);
                return false;
            }
            p = p * 10 + (s[k] - '0');
        }
        cl->prec = p;
    }
    unsigned char r = (unsigned char)s[i];
    cl->verb = (char)r;
    cl->read = i + 1;
    if (r == 0 || !strchr("sdfebxXo", r)) {
        /* Go prints the byte as a rune (%c of rune(formatStr[i])), so a
         * byte of a multi-byte character shows as U+0080..U+00FF. */
        char ch[3] = {0};
        if (r < 0x80) {
            ch[0] = (char)r;
        } else {
            ch[0] = (char)(0xc0 | (r >> 6));
            ch[1] = (char)(0x80 | (r & 0x3f));
        }
        snprintf(err, cap, "unrecognized formatting clause \"%s\"", ch);
        return false;
    }
    return true;
}

/* Formats one argument for a clause; false with the message in x. */
static bool apply_clause(fmt_ctx *x, cel_xbuf *b, const clause *cl, const cel_value *v)
{
    bool v1 = x->flavor == FLAVOR_V1;
    long prec = cl->prec < 0 ? 6 : cl->prec;
    switch (cl->verb) {
    case 's': return v1 ? format_string_v1(x, b, v, 0) : format_v2(x, b, v, 0);
    case 'd':
        if (v->kind == CEL_INT || v->kind == CEL_UINT) {
            put_radix(b, v->kind == CEL_INT && v->u.i < 0,
                      v->kind == CEL_INT && v->u.i < 0 ? (uint64_t)0 - (uint64_t)v->u.i : v->u.u, 10,
                      false);
            return true;
        }
        if (!v1 && v->kind == CEL_DOUBLE) {
            if (!isfinite(v->u.d))
                put_special(b, v->u.d);
            else
                put_shortest_f(b, v->u.d);
            return true;
        }
        return type_error(x, 'd', type_name(v));
    case 'f':
    case 'e': {
        double d;
        if (v->kind == CEL_DOUBLE) {
            d = v->u.d;
        } else if (!v1 && v->kind == CEL_INT) {
            d = (double)v->u.i;
        } else if (!v1 && v->kind == CEL_UINT) {
            d = (double)v->u.u;
        } else if (v1 && v->kind == CEL_STRING &&
                   ((v->len == 3 && !memcmp(v->u.str, "NaN", 3)) ||
                    (v->len == 8 && !memcmp(v->u.str, "Infinity", 8)) ||
                    (v->len == 9 && !memcmp(v->u.str, "-Infinity", 9)))) {
            d = v->u.str[0] == 'N' ? NAN : v->u.str[0] == '-' ? -INFINITY : INFINITY;
        } else {
            return type_error(x, cl->verb, type_name(v));
        }
        if (v1) {
            if (cl->verb == 'f')
                put_v1_fixed(b, d, prec);
            else
                put_v1_scientific(b, d, cl->prec < 0 ? 0 : cl->prec);
            return true;
        }
        if (!isfinite(d))
            put_special(b, d);
        else if (prec > INT32_MAX)
            b->full = true;
        else
            put_printf_double(b, cl->verb, (int)prec, d);
        return true;
    }
    case 'b':
        if (v->kind == CEL_BOOL) {
            cel_xbuf_put(b, v->u.b ? "1" : "0", 1);
            return true;
        }
        if (v->kind == CEL_INT) {
            put_int_radix(b, v->u.i, 2, false);
            return true;
        }
        if (v->kind == CEL_UINT) {
            put_radix(b, false, v->u.u, 2, false);
            return true;
        }
        return type_error(x, 'b', type_name(v));
    case 'x':
    case 'X': {
        bool upper = cl->verb == 'X';
        if (v->kind == CEL_INT)
            put_int_radix(b, v->u.i, 16, upper);
        else if (v->kind == CEL_UINT)
            put_radix(b, false, v->u.u, 16, upper);
        else if (v->kind == CEL_STRING || v->kind == CEL_BYTES)
            put_hex_bytes(b, v->u.str, v->len, upper);
        else
            return type_error(x, cl->verb, type_name(v));
        return true;
    }
    case 'o':
        if (v->kind == CEL_INT)
            put_int_radix(b, v->u.i, 8, false);
        else if (v->kind == CEL_UINT)
            put_radix(b, false, v->u.u, 8, false);
        else
            return type_error(x, 'o', type_name(v));
        return true;
    default: return fail(x, "unrecognized formatting clause");
    }
}

/* ---------------------------------------------------------------- format() */

static cel_value run_format(cel_call *c, const cel_value *args, int flavor)
{
    cel_arena *a = cel_call_arena(c);
    const char *s = args[0].u.str;
    size_t n = args[0].len;
    const cel_list *list = args[1].u.list;
    fmt_ctx x = {.a = a, .flavor = flavor};
    cel_xbuf b;
    cel_xbuf_init(&b, a);
    size_t argi = 0;
    for (size_t i = 0; i < n && !x.failed && !b.full;) {
        if (s[i] != '%') {
            size_t j = i;
            while (j < n && s[j] != '%')
                j++;
            cel_xbuf_put(&b, s + i, j - i);
            i = j;
            continue;
        }
        if (i + 1 < n && s[i + 1] == '%') {
            cel_xbuf_put(&b, "%", 1);
            i += 2;
            continue;
        }
        /* As cel-go: fetch the argument, then look for the clause. */
        if (argi >= list->len) {
            fail(&x, "index %zu out of range", argi);
            break;
        }
        if (i + 1 >= n) {
            fail(&x, "unexpected end of string");
            break;
        }
        clause cl;
        char perr[ERR_CAP - 64];
        if (!parse_clause(s + i + 1, n - i - 1, &cl, perr, sizeof perr)) {
            fail(&x, "could not parse formatting clause: %s", perr);
            break;
        }
        cel_value v = cel_list_at(list, argi, a);
        if (v.kind == CEL_ERROR) {
            free(b.p);
            return v;
        }
        fmt_ctx inner = {.a = a, .flavor = flavor};
        if (!apply_clause(&inner, &b, &cl, &v)) {
            if (inner.failed)
                fail(&x, "error during formatting: %s", inner.err);
            break;
        }
        i += 1 + cl.read;
        argi++;
    }
    if (x.failed) {
        free(b.p);
        return cel_error_new(a, CEL_ERR_GENERAL, "%s", x.err);
    }
    if (b.full) {
        free(b.p);
        return cel_error_new(a, CEL_ERR_MEMORY, "string too long");
    }
    cel_value r = cel_string_copy(a, b.p ? b.p : "", b.len);
    free(b.p);
    return r;
}

cel_value cel_strx_format_v1(cel_call *c, const cel_value *args, size_t nargs)
{
    return run_format(c, args, FLAVOR_V1);
}

cel_value cel_strx_format_v2(cel_call *c, const cel_value *args, size_t nargs)
{
    return run_format(c, args, FLAVOR_V2);
}

/* ---------------------------------------------------------------- check time */

/* Kinds each clause accepts at check time (dyn always passes). */
static bool kind_fits(int flavor, char verb, cel_type_kind k)
{
    switch (verb) {
    case 'd':
        return k == CEL_T_INT || k == CEL_T_UINT || (flavor == FLAVOR_V2 && k == CEL_T_DOUBLE);
    case 'f':
    case 'e':
        if (flavor == FLAVOR_V1)
            return k == CEL_T_DOUBLE || k == CEL_T_STRING;
        return k == CEL_T_INT || k == CEL_T_UINT || k == CEL_T_DOUBLE;
    case 'b': return k == CEL_T_INT || k == CEL_T_UINT || k == CEL_T_BOOL;
    case 'x':
    case 'X': return k == CEL_T_INT || k == CEL_T_UINT || k == CEL_T_STRING || k == CEL_T_BYTES;
    case 'o': return k == CEL_T_INT || k == CEL_T_UINT;
    default:
        switch (k) {
        case CEL_T_LIST: case CEL_T_MAP: case CEL_T_INT: case CEL_T_UINT: case CEL_T_DOUBLE:
        case CEL_T_BOOL: case CEL_T_STRING: case CEL_T_TIMESTAMP: case CEL_T_BYTES:
        case CEL_T_DURATION: case CEL_T_TYPE: case CEL_T_NULL:
            return true;
        default:
            return false;
        }
    }
}

static bool type_fits(int flavor, char verb, const cel_type *t)
{
    return !t || t->kind == CEL_T_DYN || kind_fits(flavor, verb, t->kind);
}

static const char *checked_name(const cel_type *t)
{
    return t && t->name ? t->name : "dyn";
}

/* verifyString: the argument, and through list and map literals every
 * element, key and value, must be printable by %s. Returns the offending
 * node or NULL. */
static const cel_ast *unprintable(int flavor, const cel_ast *e, const cel_strx_checker *chk,
                                  int depth)
{
    if (!e || depth > FMT_DEPTH_MAX)
        return NULL;
    if (!type_fits(flavor, 's', chk->type_of(chk->ctx, e)))
        return e;
    if (e->kind == CEL_AST_LIST) {
        for (size_t i = 0; i < e->u.list.n; i++) {
            const cel_ast *bad = unprintable(flavor, e->u.list.elems[i], chk, depth + 1);
            if (bad)
                return bad;
        }
    } else if (e->kind == CEL_AST_MAP) {
        for (size_t i = 0; i < e->u.map.n; i++) {
            const cel_ast *bad = unprintable(flavor, e->u.map.entries[i].key, chk, depth + 1);
            if (!bad)
                bad = unprintable(flavor, e->u.map.entries[i].value, chk, depth + 1);
            if (bad)
                return bad;
        }
    }
    return NULL;
}

static int env_flavor(const cel_env *env)
{
    const cel_overload *o[16];
    size_t n = cel_env_find_overloads(env, "format", true, o, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        if (strcmp(o[i]->id, "string_format") != 0)
            continue;
        if (o[i]->fn == cel_strx_format_v1)
            return FLAVOR_V1;
        if (o[i]->fn == cel_strx_format_v2)
            return FLAVOR_V2;
    }
    return 0;
}

void cel_strx_check_format_call(const cel_env *env, const cel_ast *e, const cel_strx_checker *chk)
{
    if (e->kind != CEL_AST_CALL || strcmp(e->u.call.fn, "format") != 0 || !e->u.call.target ||
        e->u.call.nargs != 1)
        return;
    const cel_ast *target = e->u.call.target, *list = e->u.call.args[0];
    if (target->kind != CEL_AST_LITERAL || target->u.lit.kind != CEL_STRING ||
        list->kind != CEL_AST_LIST)
        return;
    int flavor = env_flavor(env);
    if (!flavor)
        return;
    const char *s = target->u.lit.u.str;
    size_t n = target->u.lit.len, nelems = list->u.list.n, requested = 0;
    char msg[ERR_CAP];
    for (size_t i = 0, argi = 0; i < n;) {
        if (s[i] != '%') {
            i++;
            continue;
        }
        if (i + 1 < n && s[i + 1] == '%') {
            i += 2;
            continue;
        }
        requested++;
        if (i + 1 >= n) {
            chk->report(chk->ctx, e->offset, "unexpected end of string");
            return;
        }
        if (argi >= nelems) {
            snprintf(msg, sizeof msg, "index %zu out of range", argi);
            chk->report(chk->ctx, e->offset, msg);
            return;
        }
        clause cl;
        char perr[ERR_CAP - 64];
        if (!parse_clause(s + i + 1, n - i - 1, &cl, perr, sizeof perr)) {
            snprintf(msg, sizeof msg, "could not parse formatting clause: %s", perr);
            chk->report(chk->ctx, e->offset, msg);
            return;
        }
        const cel_ast *arg = list->u.list.elems[argi];
        const cel_ast *bad = NULL;
        if (cl.verb == 's')
            bad = unprintable(flavor, arg, chk, 0);
        else if (!type_fits(flavor, cl.verb, chk->type_of(chk->ctx, arg)))
            bad = arg;
        if (bad) {
            snprintf(msg, sizeof msg, "error during formatting: %s, was given %s",
                     clause_error(flavor, cl.verb), checked_name(chk->type_of(chk->ctx, bad)));
            chk->report(chk->ctx, bad->offset, msg);
            return;
        }
        i += 1 + cl.read;
        argi++;
    }
    if (nelems > requested) {
        snprintf(msg, sizeof msg, "too many arguments supplied to string.format (expected %zu, got %zu)",
                 requested, nelems);
        chk->report(chk->ctx, e->offset, msg);
    }
}
