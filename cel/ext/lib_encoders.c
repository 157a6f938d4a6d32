/*
 * lib_encoders.c: cel-go's encoders extension (ext/encoders.go,
 * "cel.lib.ext.encoders"): base64.encode(bytes) -> string and
 * base64.decode(string) -> bytes (version 0), json.encode(dyn) -> string
 * and size-based costs (version 1).
 *
 * base64.decode is Go's StdEncoding.DecodeString (padding required,
 * '\r' and '\n' skipped, trailing bits not checked); when that fails it
 * tries RawStdEncoding (no padding) and reports that attempt's error, as
 * cel-go does.
 *
 * json.encode converts the value as cel-go does (ConvertToNative to
 * google.protobuf.Value, then protojson and Go's encoding/json): ints and
 * uints within +-(2^53-1) are numbers, larger ones strings; bytes are
 * base64, durations and timestamps their string() texts; object keys are
 * sorted; <, > and & are escaped. cel-go charges it an "infinite" cost, so
 * under any cost limit it fails with the limit error.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "cel/cel_time.h"
#include "cel/ext_strings.h"
#include "cel/lib_std.h"
#include "ext_text.h"

#define ARENA(c) cel_call_arena(c)

static cel_value oom(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "out of memory");
}

/* ---------------------------------------------------------------- base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

static size_t b64_encode(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return o;
}

static bool is_newline(char ch) { return ch == '\n' || ch == '\r'; }

/* Go's Encoding.Decode (decodeQuantum by quantum), with or without
 * padding. dst holds at least n*3/4+3 bytes. On failure *bad is the
 * input offset Go's CorruptInputError names. */
static bool b64_decode(const char *src, size_t n, bool padded, unsigned char *dst, size_t *len,
                       size_t *bad)
{
    size_t si = 0, o = 0;
    while (si < n) {
        int dbuf[4] = {0, 0, 0, 0};
        int dlen = 4;
        bool trailing = false;
        for (int j = 0; j < 4; j++) {
            if (si == n) {
                if (j == 0) {
                    *len = o;
                    return true;
                }
                if (j == 1 || padded) {
                    *bad = si - (size_t)j;
                    return false;
                }
                dlen = j;
                break;
            }
            unsigned char in = (unsigned char)src[si++];
            int out = b64_value(in);
            if (out >= 0) {
                dbuf[j] = out;
                continue;
            }
            if (is_newline((char)in)) {
                j--;
                continue;
            }
            if (!padded || in != '=') {
                *bad = si - 1;
                return false;
            }
            /* padding: only after two or three symbols */
            if (j < 2) {
                *bad = si - 1;
                return false;
            }
            if (j == 2) {
                while (si < n && is_newline(src[si]))
                    si++;
                if (si == n) {
                    *bad = n;
                    return false;
                }
                if (src[si] != '=') {
                    *bad = si - 1;
                    return false;
                }
                si++;
            }
            while (si < n && is_newline(src[si]))
                si++;
            trailing = si < n;
            dlen = j;
            break;
        }
        uint32_t val = (uint32_t)dbuf[0] << 18 | (uint32_t)dbuf[1] << 12 | (uint32_t)dbuf[2] << 6 |
                       (uint32_t)dbuf[3];
        if (dlen >= 2)
            dst[o] = (unsigned char)(val >> 16);
        if (dlen >= 3)
            dst[o + 1] = (unsigned char)(val >> 8);
        if (dlen >= 4)
            dst[o + 2] = (unsigned char)val;
        o += (size_t)(dlen - 1);
        if (trailing) {
            *bad = si;
            return false;
        }
    }
    *len = o;
    return true;
}

static cel_value enc_base64_encode(cel_call *c, const cel_value *a, size_t n)
{
    size_t out = ((size_t)a[0].len + 2) / 3 * 4;
    if (out > UINT32_MAX)
        return cel_error_new(ARENA(c), CEL_ERR_MEMORY, "string too long");
    char *p = cel_arena_alloc(ARENA(c), out + 1);
    if (!p)
        return oom(c);
    size_t o = b64_encode((const unsigned char *)a[0].u.str, a[0].len, p);
    p[o] = '\0';
    cel_value v = cel_string_n(p, (uint32_t)o);
    v.flags |= CEL_VF_ASCII;
    return v;
}

static cel_value enc_base64_decode(cel_call *c, const cel_value *a, size_t n)
{
    unsigned char *p = cel_arena_alloc(ARENA(c), (size_t)a[0].len / 4 * 3 + 4);
    if (!p)
        return oom(c);
    size_t len, bad;
    if (!b64_decode(a[0].u.str, a[0].len, true, p, &len, &bad) &&
        !b64_decode(a[0].u.str, a[0].len, false, p, &len, &bad))
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "illegal base64 data at input byte %zu", bad);
    return cel_bytes_n((const char *)p, (uint32_t)len);
}

/* Version 1: ceil(0.1 * size) + 1 (bytes of bytes, code points of a string). */
static uint64_t cost_base64(const cel_value *a, size_t n)
{
    uint64_t size = a[0].kind == CEL_STRING ? cel_utf8_size(&a[0]) : a[0].len;
    return (uint64_t)ceil((double)size * 0.1) + 1;
}

/* cel-go gives json.encode math.MaxUint64. */
static uint64_t cost_infinite(const cel_value *a, size_t n) { return UINT64_MAX; }

/* ---------------------------------------------------------------- json.encode */

typedef struct jbuf {
    cel_xbuf out;
    char err[256];
    bool failed;
} jbuf;

static void jput(jbuf *b, const char *s, size_t n) { cel_xbuf_put(&b->out, s, n); }
static void jputs(jbuf *b, const char *s) { cel_xbuf_puts(&b->out, s); }

static bool jfail(jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool jfail(jbuf *b, const char *fmt, ...)
{
    if (!b->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, sizeof b->err, fmt, ap);
        va_end(ap);
        b->failed = true;
    }
    return false;
}

/* encoding/json's string escaping (HTML-safe, as json.Marshal). */
static void jstring(jbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    jput(b, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        size_t elen = 0, adv = 1;
        if (ch < 0x80) {
            if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != '<' && ch != '>' && ch != '&') {
                i++;
                continue;
            }
            switch (ch) {
            case '"': memcpy(esc, "\\\"", 2); elen = 2; break;
            case '\\': memcpy(esc, "\\\\", 2); elen = 2; break;
            case '\b': memcpy(esc, "\\b", 2); elen = 2; break;
            case '\f': memcpy(esc, "\\f", 2); elen = 2; break;
            case '\n': memcpy(esc, "\\n", 2); elen = 2; break;
            case '\r': memcpy(esc, "\\r", 2); elen = 2; break;
            case '\t': memcpy(esc, "\\t", 2); elen = 2; break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[ch >> 4];
                esc[5] = hex[ch & 15];
                elen = 6;
                break;
            }
        } else {
            size_t l;
            uint32_t cp = cel_utf8_decode(s + i, n - i, &l);
            adv = l;
            if (cp == 0x2028 || cp == 0x2029) {
                memcpy(esc, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
                elen = 6;
            } else {
                i += l;
                continue;
            }
        }
        jput(b, s + start, i - start);
        jput(b, esc, elen);
        i += adv;
        start = i;
    }
    jput(b, s + start, n - start);
    jput(b, "\"", 1);
}

/* encoding/json's float64: shortest digits, exponent form below 1e-6 and
 * from 1e21 ("1e+21", "1e-7"), positional otherwise. */
static void jdouble(jbuf *b, double d)
{
    char out[CEL_XTEXT_FIXED_CAP];
    double mag = fabs(d);
    if (mag == 0 || (mag >= 1e-6 && mag < 1e21)) {
        jput(b, out, cel_xtext_shortest_fixed(d, out));
        return;
    }
    char dg[24];
    int e;
    cel_time_shortest_digits(mag, dg, &e);
    int nd = (int)strlen(dg), x = e - 1;
    size_t o = 0;
    if (d < 0)
        out[o++] = '-';
    out[o++] = dg[0];
    if (nd > 1) {
        out[o++] = '.';
        memcpy(out + o, dg + 1, (size_t)(nd - 1));
        o += (size_t)(nd - 1);
    }
    o += (size_t)snprintf(out + o, sizeof out - o, "e%c%d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    jput(b, out, o);
}

#define JSON_SAFE_INT 9007199254740991LL /* 2^53 - 1 */

typedef struct jkey {
    const char *s;
    size_t n;
    cel_value v;
} jkey;

static int jkey_cmp(const void *p, const void *q)
{
    const jkey *a = p, *c = q;
    size_t n = a->n < c->n ? a->n : c->n;
    int r = memcmp(a->s, c->s, n);
    return r ? r : a->n < c->n ? -1 : a->n > c->n;
}

static const char *kind_name(const cel_value *v)
{
    return v->kind == CEL_OPAQUE ? v->u.opaque->type->name : cel_type_of_kind(v->kind)->name;
}

static bool jvalue(jbuf *b, const cel_value *v, cel_arena *a, int depth)
{
    char num[48];
    if (depth > 1000)
        return jfail(b, "%s", "value nested too deeply to encode as JSON");
    switch (v->kind) {
    case CEL_NULL: jputs(b, "null"); return true;
    case CEL_BOOL: jputs(b, v->u.b ? "true" : "false"); return true;
    case CEL_INT:
        if (v->u.i >= -JSON_SAFE_INT && v->u.i <= JSON_SAFE_INT)
            jput(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i));
        else
            jput(b, num, (size_t)snprintf(num, sizeof num, "\"%lld\"", (long long)v->u.i));
        return true;
    case CEL_UINT:
        if (v->u.u <= (uint64_t)JSON_SAFE_INT)
            jput(b, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)v->u.u));
        else
            jput(b, num, (size_t)snprintf(num, sizeof num, "\"%llu\"", (unsigned long long)v->u.u));
        return true;
    case CEL_DOUBLE:
        if (!isfinite(v->u.d))
            return jfail(b, "proto: google.protobuf.Value.number_value: invalid %s value",
                         isnan(v->u.d) ? "NaN" : v->u.d < 0 ? "-Inf" : "+Inf");
        jdouble(b, v->u.d);
        return true;
    case CEL_STRING:
        if (!cel_utf8_valid(v->u.str, v->len))
            return jfail(b, "%s", "proto: field google.protobuf.Value.string_value contains invalid UTF-8");
        jstring(b, v->u.str, v->len);
        return true;
    case CEL_BYTES: {
        size_t out = ((size_t)v->len + 2) / 3 * 4;
        char *p = malloc(out + 1);
        if (!p) {
            b->out.full = true;
            return false;
        }
        size_t o = b64_encode((const unsigned char *)v->u.str, v->len, p);
        jstring(b, p, o);
        free(p);
        return true;
    }
    case CEL_DURATION: {
        int64_t s, ns;
        if (__builtin_mul_overflow(v->u.i, CEL_NS_PER_SEC, &s) ||
            __builtin_add_overflow(s, (int64_t)(int32_t)v->len, &ns))
            return jfail(b, "%s", "duration overflow");
        char t[64];
        jstring(b, t, cel_time_format_duration(ns, t));
        return true;
    }
    case CEL_TIMESTAMP: {
        char t[CEL_TIME_RFC3339_CAP];
        jstring(b, t, cel_time_format_rfc3339(v->u.i, (int32_t)v->len, t));
        return true;
    }
    case CEL_LIST: {
        jput(b, "[", 1);
        for (size_t i = 0; i < v->u.list->len; i++) {
            if (i)
                jput(b, ",", 1);
            cel_value e = cel_list_at(v->u.list, i, a);
            if (e.kind == CEL_ERROR)
                return jfail(b, "%s", e.u.err->msg);
            if (!jvalue(b, &e, a, depth + 1))
                return false;
        }
        jput(b, "]", 1);
        return true;
    }
    case CEL_MAP: {
        const cel_map *m = v->u.map;
        jkey *keys = m->len ? malloc(m->len * sizeof *keys) : NULL;
        if (m->len && !keys) {
            b->out.full = true;
            return false;
        }
        for (size_t i = 0; i < m->len; i++) {
            cel_value k;
            cel_map_entry(m, i, &k, &keys[i].v, a);
            if (k.kind != CEL_STRING) {
                free(keys);
                return jfail(b, "unsupported map key type: %s", kind_name(&k));
            }
            if (keys[i].v.kind == CEL_ERROR) {
                jfail(b, "%s", keys[i].v.u.err->msg);
                free(keys);
                return false;
            }
            keys[i].s = k.u.str;
            keys[i].n = k.len;
        }
        if (m->len)
            qsort(keys, m->len, sizeof *keys, jkey_cmp);
        jput(b, "{", 1);
        bool ok = true;
        for (size_t i = 0; i < m->len && ok; i++) {
            if (i)
                jput(b, ",", 1);
            jstring(b, keys[i].s, keys[i].n);
            jput(b, ":", 1);
            ok = jvalue(b, &keys[i].v, a, depth + 1);
        }
        free(keys);
        jput(b, "}", 1);
        return ok;
    }
    default:
        return jfail(b, "type conversion error from '%s' to 'google.protobuf.Value'", kind_name(v));
    }
}

static cel_value enc_json_encode(cel_call *c, const cel_value *a, size_t n)
{
    cel_arena *ar = ARENA(c);
    jbuf b = {0};
    cel_xbuf_init(&b.out, ar);
    bool ok = jvalue(&b, &a[0], ar, 0);
    cel_value r = !ok && b.failed ? cel_error_new(ar, CEL_ERR_GENERAL, "%s", b.err)
                  : !ok || b.out.full ? cel_error_new(ar, CEL_ERR_MEMORY, "string too long")
                                      : cel_string_copy(ar, b.out.p ? b.out.p : "", b.out.len);
    cel_xbuf_free(&b.out);
    return r;
}

/* ---------------------------------------------------------------- tables */

#define F1(id, name, p0, r, fn, cost) {id, name, false, 1, 0, {p0}, r, fn, cost, NULL, NULL}

static const cel_overload enc_v0[] = {
    F1("base64_decode_string", "base64.decode", &cel_t_string, &cel_t_bytes, enc_base64_decode, NULL),
    F1("base64_encode_bytes", "base64.encode", &cel_t_bytes, &cel_t_string, enc_base64_encode, NULL),
};

static const cel_overload enc_v1[] = {
    F1("base64_decode_string", "base64.decode", &cel_t_string, &cel_t_bytes, enc_base64_decode,
       cost_base64),
    F1("base64_encode_bytes", "base64.encode", &cel_t_bytes, &cel_t_string, enc_base64_encode,
       cost_base64),
    F1("json_encode_dyn", "json.encode", &cel_t_dyn, &cel_t_string, enc_json_encode, cost_infinite),
};

#define LIB(tbl) {"cel.lib.ext.encoders", tbl, sizeof tbl / sizeof tbl[0], NULL, 0}

const cel_library cel_lib_ext_encoders[CEL_ENCODERS_NEWEST + 1] = {LIB(enc_v0), LIB(enc_v1)};

const cel_library *cel_encoders_library(unsigned version)
{
    return &cel_lib_ext_encoders[version > CEL_ENCODERS_NEWEST ? CEL_ENCODERS_NEWEST : version];
}
