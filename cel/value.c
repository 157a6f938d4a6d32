/*
 * value.c: CEL runtime values: errors, strings, native lists and maps,
 * equality and ordering with CEL's heterogeneous numeric rules, and the
 * rendering of values as CEL literal text.
 *
 * Maps keep their entries in insertion order (iteration follows the
 * literal); maps larger than MAP_LINEAR_MAX get an open-addressing index so
 * lookups in big documents stay O(1). int, uint and double keys that are
 * numerically equal are the same key, so hashing works on a normalised key.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/type.h"
#include "cel/value.h"
#include "cel/plan.h" /* growable maps for comprehensions */

#define MAP_LINEAR_MAX 8

/* ---------------------------------------------------------------- errors */

static const cel_error oom_error = {CEL_ERR_MEMORY, 13, "out of memory"};

cel_value cel_error_new(cel_arena *a, int code, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return cel_error_v(&oom_error);
    cel_error *e = a ? cel_arena_alloc(a, sizeof *e) : NULL;
    char *msg = e ? cel_arena_alloc(a, (size_t)n + 1) : NULL;
    if (!msg)
        return cel_error_v(&oom_error);
    if ((size_t)n < sizeof small) {
        memcpy(msg, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    e->code = code;
    e->len = (uint32_t)n;
    e->msg = msg;
    return cel_error_v(e);
}

cel_value cel_string_copy(cel_arena *a, const char *s, size_t n)
{
    if (n > UINT32_MAX)
        return cel_error_new(a, CEL_ERR_MEMORY, "string too long");
    char *d = cel_arena_memdup(a, s, n);
    if (!d)
        return cel_error_v(&oom_error);
    cel_value v = cel_string_n(d, (uint32_t)n);
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)d[i] < 0x80;
    if (ascii)
        v.flags |= CEL_VF_ASCII;
    return v;
}

/* ---------------------------------------------------------------- lists */

cel_value cel_list_new(cel_arena *a, const cel_value *items, size_t n)
{
    cel_list *l = cel_arena_alloc(a, sizeof *l);
    if (!l)
        return cel_error_v(&oom_error);
    l->len = n;
    /* A native list always has an items pointer, even when empty, so that
     * cel_list_at never takes the adapter path. */
    static const cel_value no_items[1];
    l->items = n ? items : no_items;
    l->ops = NULL;
    l->impl = NULL;
    return cel_list_v(l);
}

/* ---------------------------------------------------------------- map keys */

/* A key brought to a canonical numeric form: integral numbers that fit
 * int64 are ints, larger ones uint; so 1, 1u and 1.0 hash alike. */
typedef struct norm_key {
    int kind; /* CEL_INT, CEL_UINT, CEL_BOOL, CEL_STRING, or -1: cannot match */
    uint64_t bits;
    const char *s;
    size_t n;
} norm_key;

static norm_key normalise_key(const cel_value *k)
{
    norm_key nk = {.kind = -1};
    switch (k->kind) {
    case CEL_INT: nk.kind = CEL_INT; nk.bits = (uint64_t)k->u.i; break;
    case CEL_UINT:
        if (k->u.u <= (uint64_t)INT64_MAX) {
            nk.kind = CEL_INT;
        } else {
            nk.kind = CEL_UINT;
        }
        nk.bits = k->u.u;
        break;
    case CEL_DOUBLE: {
        double d = k->u.d;
        if (d != d || d != trunc(d))
            break;
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            nk.kind = CEL_INT;
            nk.bits = (uint64_t)(int64_t)d;
        } else if (d >= 0 && d < 18446744073709551616.0) {
            nk.kind = CEL_UINT;
            nk.bits = (uint64_t)d;
        }
        break;
    }
    case CEL_BOOL: nk.kind = CEL_BOOL; nk.bits = k->u.b; break;
    case CEL_STRING: nk.kind = CEL_STRING; nk.s = k->u.str; nk.n = k->len; break;
    default: break;
    }
    return nk;
}

static bool norm_equal(const norm_key *a, const norm_key *b)
{
    if (a->kind != b->kind || a->kind < 0)
        return false;
    if (a->kind == CEL_STRING)
        return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
    return a->bits == b->bits;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t norm_hash(const norm_key *k)
{
    if (k->kind == CEL_STRING)
        return hash_bytes(k->s, k->n);
    uint64_t x = k->bits ^ ((uint64_t)k->kind << 56);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* ---------------------------------------------------------------- native maps */

typedef struct native_map {
    cel_map m;
    const cel_value *keys;
    const cel_value *vals;
    uint32_t *index; /* slot -> entry + 1, 0: empty; NULL for small maps */
    size_t mask;
} native_map;

static bool native_lookup(const native_map *nm, const norm_key *k, size_t *at)
{
    if (k->kind < 0)
        return false;
    if (!nm->index) {
        for (size_t i = 0; i < nm->m.len; i++) {
            norm_key e = normalise_key(&nm->keys[i]);
            if (norm_equal(&e, k)) {
                *at = i;
                return true;
            }
        }
        return false;
    }
    for (size_t s = norm_hash(k) & nm->mask;; s = (s + 1) & nm->mask) {
        uint32_t e = nm->index[s];
        if (!e)
            return false;
        norm_key ek = normalise_key(&nm->keys[e - 1]);
        if (norm_equal(&ek, k)) {
            *at = e - 1;
            return true;
        }
    }
}

static bool native_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a)
{
    const native_map *nm = m->impl;
    norm_key k = normalise_key(key);
    size_t at;
    if (!native_lookup(nm, &k, &at))
        return false;
    *out = nm->vals[at];
    return true;
}

static bool native_find_str(const cel_map *m, const char *s, size_t n, cel_value *out,
                            cel_arena *a)
{
    const native_map *nm = m->impl;
    norm_key k = {.kind = CEL_STRING, .s = s, .n = n};
    size_t at;
    if (!native_lookup(nm, &k, &at))
        return false;
    *out = nm->vals[at];
    return true;
}

static void native_entry(const cel_map *m, size_t i, cel_value *key, cel_value *val,
                         cel_arena *a)
{
    const native_map *nm = m->impl;
    *key = nm->keys[i];
    *val = nm->vals[i];
}

const cel_map_ops cel_native_map_ops = {native_find, native_find_str, native_entry};

static const char *kind_name(const cel_value *v)
{
    if (v->kind == CEL_OPAQUE)
        return v->u.opaque->type->name;
    return cel_type_of_kind(v->kind)->name;
}

cel_value cel_map_new(cel_arena *a, const cel_value *keys, const cel_value *vals, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int k = keys[i].kind;
        if (k == CEL_ERROR)
            return keys[i];
        if (k != CEL_INT && k != CEL_UINT && k != CEL_BOOL && k != CEL_STRING)
            return cel_error_new(a, CEL_ERR_GENERAL, "unsupported key type: %s",
                                 kind_name(&keys[i]));
    }
    if (n >= UINT32_MAX)
        return cel_error_new(a, CEL_ERR_MEMORY, "map too large");
    native_map *nm = cel_arena_alloc(a, sizeof *nm);
    if (!nm)
        return cel_error_v(&oom_error);
    nm->m.len = 0;
    nm->m.ops = &cel_native_map_ops;
    nm->m.impl = nm;
    nm->keys = keys;
    nm->vals = vals;
    nm->index = NULL;
    nm->mask = 0;
    if (n > MAP_LINEAR_MAX) {
        size_t cap = 16;
        while (cap < n * 2)
            cap <<= 1;
        nm->index = cel_arena_alloc(a, cap * sizeof *nm->index);
        if (!nm->index)
            return cel_error_v(&oom_error);
        memset(nm->index, 0, cap * sizeof *nm->index);
        nm->mask = cap - 1;
    }
    /* Entries are added one at a time so that a repeat is found against
     * the entries before it, whatever the map's size. */
    for (size_t i = 0; i < n; i++) {
        norm_key k = normalise_key(&keys[i]);
        size_t at;
        if (native_lookup(nm, &k, &at))
            return cel_error_new(a, CEL_ERR_GENERAL, "Failed with repeated key");
        if (nm->index) {
            size_t s = norm_hash(&k) & nm->mask;
            while (nm->index[s])
                s = (s + 1) & nm->mask;
            nm->index[s] = (uint32_t)i + 1;
        }
        nm->m.len = i + 1;
    }
    return cel_map_v(&nm->m);
}

/* ---------------------------------------------------------------- growable maps */

/* (Re)builds the hash index of a native map for its capacity. */
static bool native_reindex(native_map *nm, size_t cap, cel_arena *a)
{
    size_t slots = 16;
    while (slots < cap * 2)
        slots <<= 1;
    uint32_t *index = cel_arena_alloc(a, slots * sizeof *index);
    if (!index)
        return false;
    memset(index, 0, slots * sizeof *index);
    nm->index = index;
    nm->mask = slots - 1;
    for (size_t i = 0; i < nm->m.len; i++) {
        norm_key k = normalise_key(&nm->keys[i]);
        size_t s = norm_hash(&k) & nm->mask;
        while (nm->index[s])
            s = (s + 1) & nm->mask;
        nm->index[s] = (uint32_t)i + 1;
    }
    return true;
}

cel_map *cel_native_map_growable(cel_arena *a, const cel_map *src, size_t cap)
{
    size_t n = src ? src->len : 0;
    if (cap < n)
        cap = n;
    if (cap < 8)
        cap = 8;
    if (cap >= UINT32_MAX / 2)
        return NULL;
    native_map *nm = cel_arena_alloc(a, sizeof *nm);
    cel_value *keys = cel_arena_alloc(a, cap * sizeof *keys);
    cel_value *vals = cel_arena_alloc(a, cap * sizeof *vals);
    if (!nm || !keys || !vals)
        return NULL;
    for (size_t i = 0; i < n; i++)
        cel_map_entry(src, i, &keys[i], &vals[i], a);
    nm->m.len = n;
    nm->m.ops = &cel_native_map_ops;
    nm->m.impl = nm;
    nm->keys = keys;
    nm->vals = vals;
    nm->index = NULL;
    nm->mask = 0;
    if (n > MAP_LINEAR_MAX && !native_reindex(nm, cap, a))
        return NULL;
    return &nm->m;
}

int cel_native_map_insert(cel_arena *a, cel_map *m, size_t *cap, const cel_value *key,
                          const cel_value *val)
{
    native_map *nm = m->impl;
    norm_key k = normalise_key(key);
    size_t at;
    if (native_lookup(nm, &k, &at))
        return 1;
    if (m->len == *cap) {
        size_t nc = *cap * 2;
        if (nc >= UINT32_MAX / 2)
            return -1;
        cel_value *keys = cel_arena_alloc(a, nc * sizeof *keys);
        cel_value *vals = cel_arena_alloc(a, nc * sizeof *vals);
        if (!keys || !vals)
            return -1;
        memcpy(keys, nm->keys, m->len * sizeof *keys);
        memcpy(vals, nm->vals, m->len * sizeof *vals);
        nm->keys = keys;
        nm->vals = vals;
        *cap = nc;
        if (nm->index && !native_reindex(nm, nc, a))
            return -1;
    }
    ((cel_value *)nm->keys)[m->len] = *key;
    ((cel_value *)nm->vals)[m->len] = *val;
    m->len++;
    if (nm->index) {
        size_t s = norm_hash(&k) & nm->mask;
        while (nm->index[s])
            s = (s + 1) & nm->mask;
        nm->index[s] = (uint32_t)m->len;
    } else if (m->len > MAP_LINEAR_MAX && !native_reindex(nm, *cap, a)) {
        return -1;
    }
    return 0;
}

bool cel_map_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a)
{
    return m->ops->find(m, key, out, a);
}

bool cel_map_find_str(const cel_map *m, const char *s, size_t n, cel_value *out, cel_arena *a)
{
    if (m->ops->find_str)
        return m->ops->find_str(m, s, n, out, a);
    cel_value k = cel_string_n(s, (uint32_t)n);
    return m->ops->find(m, &k, out, a);
}

void cel_map_entry(const cel_map *m, size_t i, cel_value *key, cel_value *val, cel_arena *a)
{
    m->ops->entry(m, i, key, val, a);
}

/* ---------------------------------------------------------------- numbers */

static int cmp3(int64_t a, int64_t b) { return a < b ? -1 : a > b; }
static int ucmp3(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int cmp_int_uint(int64_t i, uint64_t u)
{
    if (i < 0)
        return -1;
    return ucmp3((uint64_t)i, u);
}

/* An integer against a double, as cel-go compares them: out-of-range
 * doubles order outside the integer range, and otherwise the integer is
 * converted to double. That conversion rounds beyond 2^53, and the
 * conformance suite expects exactly that (9223372036854775807 is not less
 * than 9223372036854775808.0). NaN gives CEL_CMP_UNORDERED. */
static int cmp_double(double a, double b);

static int cmp_int_double(int64_t i, double d)
{
    if (d != d)
        return CEL_CMP_UNORDERED;
    if (d < -9223372036854775808.0)
        return 1;
    if (d > 9223372036854775807.0) /* the bound itself rounds to 2^63 */
        return -1;
    return cmp_double((double)i, d);
}

static int cmp_uint_double(uint64_t u, double d)
{
    if (d != d)
        return CEL_CMP_UNORDERED;
    if (d < 0)
        return 1;
    if (d > 18446744073709551615.0)
        return -1;
    return cmp_double((double)u, d);
}

static int cmp_double(double a, double b)
{
    if (a != a || b != b)
        return CEL_CMP_UNORDERED;
    return a < b ? -1 : a > b;
}

static bool is_number(int k) { return k == CEL_INT || k == CEL_UINT || k == CEL_DOUBLE; }

/* Orders two numbers of any numeric kinds. */
static int cmp_numbers(const cel_value *a, const cel_value *b)
{
    switch (a->kind) {
    case CEL_INT:
        if (b->kind == CEL_INT) return cmp3(a->u.i, b->u.i);
        if (b->kind == CEL_UINT) return cmp_int_uint(a->u.i, b->u.u);
        return cmp_int_double(a->u.i, b->u.d);
    case CEL_UINT:
        if (b->kind == CEL_UINT) return ucmp3(a->u.u, b->u.u);
        if (b->kind == CEL_INT) return -cmp_int_uint(b->u.i, a->u.u);
        return cmp_uint_double(a->u.u, b->u.d);
    default: {
        if (b->kind == CEL_DOUBLE) return cmp_double(a->u.d, b->u.d);
        int c = b->kind == CEL_INT ? cmp_int_double(b->u.i, a->u.d)
                                   : cmp_uint_double(b->u.u, a->u.d);
        return c == CEL_CMP_UNORDERED ? c : -c;
    }
    }
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* ---------------------------------------------------------------- equality */

static cel_value no_overload(cel_arena *arena, const char *fn, const cel_value *a,
                             const cel_value *b)
{
    return cel_error_new(arena, CEL_ERR_NO_OVERLOAD, "no such overload: %s(%s, %s)", fn,
                         kind_name(a), kind_name(b));
}

cel_value cel_value_equal(const cel_value *a, const cel_value *b, cel_arena *arena)
{
    if (a->kind == CEL_ERROR)
        return *a;
    if (b->kind == CEL_ERROR)
        return *b;
    if (a->kind == CEL_OPAQUE && a->u.opaque->type->equal_value)
        return a->u.opaque->type->equal_value(a, b, arena);
    if (is_number(a->kind) && is_number(b->kind))
        return cel_bool(cmp_numbers(a, b) == 0);
    if (a->kind != b->kind) {
        /* Library types do not define equality with other kinds; cel-go
         * reports that when they are on the left. */
        if (a->kind == CEL_OPAQUE)
            return no_overload(arena, "_==_", a, b);
        return cel_bool(false);
    }
    switch (a->kind) {
    case CEL_NULL: return cel_bool(true);
    case CEL_BOOL: return cel_bool(a->u.b == b->u.b);
    case CEL_STRING:
    case CEL_BYTES:
        return cel_bool(a->len == b->len && (a->len == 0 || memcmp(a->u.str, b->u.str, a->len) == 0));
    case CEL_TIMESTAMP:
    case CEL_DURATION: return cel_bool(a->u.i == b->u.i && a->len == b->len);
    case CEL_TYPE:
        return cel_bool(a->u.type == b->u.type || strcmp(a->u.type->name, b->u.type->name) == 0);
    case CEL_OPTIONAL:
        if (!a->u.opt || !b->u.opt)
            return cel_bool(a->u.opt == b->u.opt);
        return cel_value_equal(a->u.opt, b->u.opt, arena);
    case CEL_OPAQUE:
        if (a->u.opaque->type != b->u.opaque->type)
            return no_overload(arena, "_==_", a, b);
        return cel_bool(a->u.opaque->type->equal && a->u.opaque->type->equal(a->u.opaque, b->u.opaque));
    case CEL_LIST: {
        const cel_list *x = a->u.list, *y = b->u.list;
        if (x->len != y->len)
            return cel_bool(false);
        for (size_t i = 0; i < x->len; i++) {
            cel_value xi = cel_list_at(x, i, arena), yi = cel_list_at(y, i, arena);
            cel_value r = cel_value_equal(&xi, &yi, arena);
            if (r.kind != CEL_BOOL || !r.u.b)
                return r;
        }
        return cel_bool(true);
    }
    case CEL_MAP: {
        const cel_map *x = a->u.map, *y = b->u.map;
        if (x->len != y->len)
            return cel_bool(false);
        for (size_t i = 0; i < x->len; i++) {
            cel_value k, xv, yv;
            cel_map_entry(x, i, &k, &xv, arena);
            if (!cel_map_find(y, &k, &yv, arena))
                return cel_bool(false);
            cel_value r = cel_value_equal(&xv, &yv, arena);
            if (r.kind != CEL_BOOL || !r.u.b)
                return r;
        }
        return cel_bool(true);
    }
    default: return cel_bool(false);
    }
}

cel_value cel_value_compare(const cel_value *a, const cel_value *b, int *out, cel_arena *arena)
{
    if (a->kind == CEL_ERROR)
        return *a;
    if (b->kind == CEL_ERROR)
        return *b;
    if (a->kind == CEL_OPAQUE && a->u.opaque->type->equal_value)
        return a->u.opaque->type->equal_value(a, b, arena);
    if (is_number(a->kind) && is_number(b->kind)) {
        *out = cmp_numbers(a, b);
        return cel_bool(true);
    }
    if (a->kind == b->kind) {
        switch (a->kind) {
        case CEL_STRING:
        case CEL_BYTES:
            *out = cmp_bytes(a->u.str, a->len, b->u.str, b->len);
            return cel_bool(true);
        case CEL_BOOL:
            *out = (int)a->u.b - (int)b->u.b;
            return cel_bool(true);
        case CEL_TIMESTAMP:
        case CEL_DURATION:
            /* Duration nanos carry the sign of the seconds, so the pair
             * orders lexicographically. */
            *out = cmp3(a->u.i, b->u.i);
            if (!*out)
                *out = cmp3((int32_t)a->len, (int32_t)b->len);
            return cel_bool(true);
        case CEL_OPAQUE:
            if (a->u.opaque->type == b->u.opaque->type && a->u.opaque->type->compare) {
                int c = a->u.opaque->type->compare(a->u.opaque, b->u.opaque);
                *out = c < 0 ? -1 : c > 0;
                return cel_bool(true);
            }
            break;
        default: break;
        }
    }
    return no_overload(arena, "_<_", a, b);
}

/* ---------------------------------------------------------------- time texts */

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

/* Fraction digits as cel-go prints them: trailing zeros dropped, none at all
 * for whole seconds. */
static int format_nanos(char *buf, size_t cap, uint32_t nanos)
{
    if (!nanos) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    char digits[16];
    snprintf(digits, sizeof digits, "%09u", (unsigned)(nanos % 1000000000u));
    int n = 9;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    if ((size_t)n + 2 > cap)
        n = cap >= 2 ? (int)cap - 2 : 0;
    buf[0] = '.';
    memcpy(buf + 1, digits, (size_t)n);
    buf[n + 1] = '\0';
    return n + 1;
}

size_t cel_value_format_timestamp(int64_t secs, uint32_t nanos, char *buf, size_t cap)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    char frac[16];
    format_nanos(frac, sizeof frac, nanos);
    int n = snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02u%sZ", (long long)y, mo, d,
                     (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), frac);
    return n < 0 ? 0 : (size_t)n;
}

size_t cel_value_format_duration(int64_t secs, int32_t nanos, char *buf, size_t cap)
{
    bool neg = secs < 0 || nanos < 0;
    uint64_t s = secs < 0 ? (uint64_t)0 - (uint64_t)secs : (uint64_t)secs;
    uint32_t ns = nanos < 0 ? (uint32_t)(-(int64_t)nanos) : (uint32_t)nanos;
    char frac[16];
    format_nanos(frac, sizeof frac, ns);
    int n = snprintf(buf, cap, "%s%llu%ss", neg ? "-" : "", (unsigned long long)s, frac);
    return n < 0 ? 0 : (size_t)n;
}

/* ---------------------------------------------------------------- literals */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool failed;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_quoted(sbuf *b, const char *s, size_t n, bool bytes)
{
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '\\': sb_put(b, "\\\\", 2); continue;
        case '"': sb_put(b, "\\\"", 2); continue;
        case '\n': sb_put(b, "\\n", 2); continue;
        case '\r': sb_put(b, "\\r", 2); continue;
        case '\t': sb_put(b, "\\t", 2); continue;
        default: break;
        }
        /* Strings keep UTF-8 as is; bytes escape everything non-ASCII so
         * the literal means the same bytes when parsed back. */
        if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            sb_put(b, esc, 4);
        } else {
            sb_put(b, (const char *)&c, 1);
        }
    }
    sb_put(b, "\"", 1);
}

/* Shortest %g form that reads back as the same double. */
size_t cel_value_format_double(double d, char *buf, size_t cap)
{
    char tmp[40];
    if (d != d)
        return (size_t)snprintf(buf, cap, "NaN");
    if (isinf(d))
        return (size_t)snprintf(buf, cap, d < 0 ? "-Infinity" : "Infinity");
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    if (!strpbrk(tmp, ".eEn"))
        strcat(tmp, ".0");
    return (size_t)snprintf(buf, cap, "%s", tmp);
}

static void literal_into(sbuf *b, const cel_value *v, cel_arena *a, int depth)
{
    char num[64];
    if (depth > 1000) {
        sb_str(b, "...");
        return;
    }
    switch (v->kind) {
    case CEL_NULL: sb_str(b, "null"); return;
    case CEL_BOOL: sb_str(b, v->u.b ? "true" : "false"); return;
    case CEL_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        sb_str(b, num);
        return;
    case CEL_UINT:
        snprintf(num, sizeof num, "%lluu", (unsigned long long)v->u.u);
        sb_str(b, num);
        return;
    case CEL_DOUBLE:
        cel_value_format_double(v->u.d, num, sizeof num);
        if (v->u.d != v->u.d || isinf(v->u.d)) {
            sb_str(b, "double(\"");
            sb_str(b, num);
            sb_str(b, "\")");
        } else {
            sb_str(b, num);
        }
        return;
    case CEL_STRING: sb_quoted(b, v->u.str, v->len, false); return;
    case CEL_BYTES:
        sb_str(b, "b");
        sb_quoted(b, v->u.str, v->len, true);
        return;
    case CEL_LIST:
        sb_str(b, "[");
        for (size_t i = 0; i < v->u.list->len; i++) {
            if (i)
                sb_str(b, ", ");
            cel_value e = cel_list_at(v->u.list, i, a);
            literal_into(b, &e, a, depth + 1);
        }
        sb_str(b, "]");
        return;
    case CEL_MAP:
        sb_str(b, "{");
        for (size_t i = 0; i < v->u.map->len; i++) {
            cel_value k, e;
            cel_map_entry(v->u.map, i, &k, &e, a);
            if (i)
                sb_str(b, ", ");
            literal_into(b, &k, a, depth + 1);
            sb_str(b, ": ");
            literal_into(b, &e, a, depth + 1);
        }
        sb_str(b, "}");
        return;
    case CEL_TIMESTAMP:
        cel_value_format_timestamp(v->u.i, v->len, num, sizeof num);
        sb_str(b, "timestamp(\"");
        sb_str(b, num);
        sb_str(b, "\")");
        return;
    case CEL_DURATION:
        cel_value_format_duration(v->u.i, (int32_t)v->len, num, sizeof num);
        sb_str(b, "duration(\"");
        sb_str(b, num);
        sb_str(b, "\")");
        return;
    case CEL_TYPE: {
        char name[256];
        cel_type_format(v->u.type, name, sizeof name);
        /* A runtime type value prints as the identifier that denotes it. */
        sb_str(b, v->u.type->name ? v->u.type->name : name);
        return;
    }
    case CEL_OPTIONAL:
        if (!v->u.opt) {
            sb_str(b, "optional.none()");
            return;
        }
        sb_str(b, "optional.of(");
        literal_into(b, v->u.opt, a, depth + 1);
        sb_str(b, ")");
        return;
    case CEL_OPAQUE: {
        const cel_opaque_type *t = v->u.opaque->type;
        const char *s = t->format ? t->format(v->u.opaque, a) : NULL;
        if (s) {
            sb_str(b, s);
        } else {
            sb_str(b, "<");
            sb_str(b, t->name);
            sb_str(b, ">");
        }
        return;
    }
    case CEL_ERROR:
        sb_str(b, "error(");
        sb_quoted(b, v->u.err->msg, v->u.err->len, false);
        sb_str(b, ")");
        return;
    default: sb_str(b, "<?>"); return;
    }
}

char *cel_value_to_cel_literal(const cel_value *v, cel_arena *a)
{
    sbuf b = {0};
    literal_into(&b, v, a, 0);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    if (!b.p) {
        b.p = malloc(1);
        if (b.p)
            b.p[0] = '\0';
    }
    return b.p;
}
