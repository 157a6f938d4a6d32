/*
 * json.c: CEL values over jansson documents, decoded lazily (objects are
 * maps and arrays lists whose members are converted when read), the
 * conversion of CEL values back to JSON, and the tagged VALUE encoding of
 * the conformance suite (shared by the conformance runner and
 * `celgate eval --json`).
 *
 * Wrappers live in the evaluation's arena and point into the document,
 * which must outlive the evaluation. Strings keep jansson's length, so
 * documents may carry NUL bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/json.h"
#include "cel/plan.h"
#include "cel/type.h"

/* ---------------------------------------------------------------- lazy wrappers */

/* Entries in document order, built on the first positional access. */
typedef struct json_index {
    const char **keys;
    size_t *key_lens;
    json_t **vals;
} json_index;

typedef struct json_map {
    cel_map m;
    json_t *obj;
    json_index *index;
    /* The last container child decoded, so `o.spec.x + o.spec.y` wraps
     * spec once. Only valid in the arena the wrapper was made in. */
    const json_t *child_json;
    cel_value child_val;
    cel_arena *arena;
} json_map;

typedef struct json_list {
    cel_list l;
    json_t *arr;
} json_list;

static cel_value oom(void)
{
    return cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory");
}

static cel_value json_list_get(const cel_list *l, size_t i, cel_arena *a)
{
    const json_list *jl = l->impl;
    return cel_json_value(json_array_get(jl->arr, i), a);
}

static const cel_list_ops json_list_ops = {json_list_get};

static cel_value child_value(json_map *jm, const json_t *j, cel_arena *a)
{
    if (!json_is_object(j) && !json_is_array(j))
        return cel_json_value(j, a);
    if (jm->child_json == j && jm->arena == a)
        return jm->child_val;
    cel_value v = cel_json_value(j, a);
    if (jm->arena == a && v.kind != CEL_ERROR) {
        jm->child_json = j;
        jm->child_val = v;
    }
    return v;
}

static bool json_map_find_str(const cel_map *m, const char *s, size_t n, cel_value *out, cel_arena *a)
{
    json_map *jm = m->impl;
    const json_t *j = json_object_getn(jm->obj, s, n);
    if (!j)
        return false;
    *out = child_value(jm, j, a);
    return true;
}

static bool json_map_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a)
{
    if (key->kind != CEL_STRING)
        return false; /* JSON object keys are strings only */
    return json_map_find_str(m, key->u.str, key->len, out, a);
}

/* The positional index of a map's entries. It is kept in the wrapper only
 * when built in the wrapper's own arena: a wrapper read from another
 * evaluation (another arena, maybe another thread) must not point into
 * memory that evaluation will release. */
static const json_index *json_map_index(json_map *jm, cel_arena *a)
{
    if (jm->index)
        return jm->index;
    size_t n = jm->m.len;
    /* One block: the header, then keys, lengths and values. */
    if (n > (SIZE_MAX - sizeof(json_index)) / (sizeof(char *) + sizeof(size_t) + sizeof(json_t *)))
        return NULL;
    json_index *ix = cel_arena_alloc(a, sizeof *ix + n * (sizeof(char *) + sizeof(size_t) + sizeof(json_t *)));
    if (!ix)
        return NULL;
    const char **keys = (const char **)(ix + 1);
    size_t *lens = (size_t *)(keys + n);
    json_t **vals = (json_t **)(lens + n);
    size_t i = 0;
    for (void *it = json_object_iter(jm->obj); it && i < n; it = json_object_iter_next(jm->obj, it)) {
        keys[i] = json_object_iter_key(it);
        lens[i] = json_object_iter_key_len(it);
        vals[i] = json_object_iter_value(it);
        i++;
    }
    ix->key_lens = lens;
    ix->vals = vals;
    ix->keys = keys;
    if (a == jm->arena)
        jm->index = ix;
    return ix;
}

static void json_map_entry(const cel_map *m, size_t i, cel_value *key, cel_value *val, cel_arena *a)
{
    json_map *jm = m->impl;
    const json_index *ix = json_map_index(jm, a);
    if (!ix) {
        *key = oom();
        *val = *key;
        return;
    }
    *key = cel_string_n(ix->keys[i], (uint32_t)ix->key_lens[i]);
    *val = child_value(jm, ix->vals[i], a);
}

static const cel_map_ops json_map_ops = {json_map_find, json_map_find_str, json_map_entry};

size_t cel_json_walk(const cel_map *m, const cel_plan_field *path, size_t n, cel_value *out,
                     cel_arena *a)
{
    if (m->ops != &json_map_ops)
        return 0;
    json_map *jm = m->impl;
    const json_t *cur = jm->obj;
    size_t i = 0;
    while (i < n && json_is_object(cur)) {
        const json_t *next = json_object_getn(cur, path[i].name, path[i].len);
        if (!next)
            break;
        cur = next;
        i++;
    }
    if (i == 1)
        *out = child_value(jm, cur, a);
    else if (i > 1)
        *out = cel_json_value(cur, a);
    return i;
}

int cel_json_has(const cel_map *m, const char *name, size_t len)
{
    if (m->ops != &json_map_ops)
        return -1;
    const json_map *jm = m->impl;
    return json_object_getn(jm->obj, name, len) != NULL;
}

cel_value cel_json_value(const json_t *j, cel_arena *a)
{
    if (!j)
        return cel_null();
    switch (json_typeof(j)) {
    case JSON_NULL: return cel_null();
    case JSON_TRUE: return cel_bool(true);
    case JSON_FALSE: return cel_bool(false);
    case JSON_INTEGER: return cel_int((int64_t)json_integer_value(j));
    case JSON_REAL: return cel_double(json_real_value(j));
    case JSON_STRING: {
        size_t n = json_string_length(j);
        if (n > UINT32_MAX)
            return cel_error_new(a, CEL_ERR_MEMORY, "JSON string too long");
        return cel_string_n(json_string_value(j), (uint32_t)n);
    }
    case JSON_ARRAY: {
        json_list *jl = cel_arena_alloc(a, sizeof *jl);
        if (!jl)
            return oom();
        jl->l.len = json_array_size(j);
        jl->l.items = NULL;
        jl->l.ops = &json_list_ops;
        jl->l.impl = jl;
        jl->arr = (json_t *)j;
        return cel_list_v(&jl->l);
    }
    case JSON_OBJECT: {
        json_map *jm = cel_arena_alloc(a, sizeof *jm);
        if (!jm)
            return oom();
        jm->m.len = json_object_size(j);
        jm->m.ops = &json_map_ops;
        jm->m.impl = jm;
        jm->obj = (json_t *)j;
        jm->index = NULL;
        jm->child_json = NULL;
        jm->arena = a;
        return cel_map_v(&jm->m);
    }
    default: return cel_null();
    }
}

/* ---------------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const unsigned char *p, size_t n, size_t *outlen)
{
    size_t len = (n + 2) / 3 * 4;
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        s[o++] = b64[v >> 18 & 63];
        s[o++] = b64[v >> 12 & 63];
        s[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        s[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    s[o] = '\0';
    *outlen = o;
    return s;
}

static int b64_digit(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

/* Standard padded base64 into the arena; false on malformed input. */
static bool base64_decode(const char *s, size_t n, cel_arena *a, char **out, size_t *outlen)
{
    if (n % 4)
        return false;
    char *d = cel_arena_alloc(a, n / 4 * 3 + 1);
    if (!d)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64_digit(s[i + k])) < 0) {
                return false;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        d[o++] = (char)(x >> 16);
        if (pad < 2)
            d[o++] = (char)(x >> 8 & 255);
        if (pad < 1)
            d[o++] = (char)(x & 255);
    }
    *out = d;
    *outlen = o;
    return true;
}

/* ---------------------------------------------------------------- CEL -> JSON */

static json_t *to_json(const cel_value *v, cel_arena *a, int depth)
{
    char buf[64];
    if (depth > 1000)
        return NULL;
    switch (v->kind) {
    case CEL_NULL: return json_null();
    case CEL_BOOL: return json_boolean(v->u.b);
    case CEL_INT: return json_integer(v->u.i);
    case CEL_UINT:
        if (v->u.u <= (uint64_t)INT64_MAX)
            return json_integer((json_int_t)v->u.u);
        return json_real((double)v->u.u);
    case CEL_DOUBLE:
        if (isfinite(v->u.d))
            return json_real(v->u.d);
        cel_value_format_double(v->u.d, buf, sizeof buf);
        return json_string(buf);
    case CEL_STRING: return json_stringn(v->u.str, v->len);
    case CEL_BYTES: {
        size_t n;
        char *s = base64_encode((const unsigned char *)v->u.str, v->len, &n);
        json_t *j = s ? json_stringn(s, n) : NULL;
        free(s);
        return j;
    }
    case CEL_TIMESTAMP:
        cel_value_format_timestamp(v->u.i, v->len, buf, sizeof buf);
        return json_string(buf);
    case CEL_DURATION:
        cel_value_format_duration(v->u.i, (int32_t)v->len, buf, sizeof buf);
        return json_string(buf);
    case CEL_TYPE: return json_string(v->u.type->name);
    case CEL_OPTIONAL: return v->u.opt ? to_json(v->u.opt, a, depth + 1) : json_null();
    case CEL_OPAQUE: {
        const cel_opaque_type *t = v->u.opaque->type;
        const char *s = t->format ? t->format(v->u.opaque, a) : NULL;
        return json_string(s ? s : t->name);
    }
    case CEL_LIST: {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < v->u.list->len; i++) {
            cel_value e = cel_list_at(v->u.list, i, a);
            if (json_array_append_new(arr, to_json(&e, a, depth + 1)) != 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    case CEL_MAP: {
        json_t *obj = json_object();
        for (size_t i = 0; obj && i < v->u.map->len; i++) {
            cel_value k, e;
            cel_map_entry(v->u.map, i, &k, &e, a);
            json_t *je = k.kind == CEL_STRING ? to_json(&e, a, depth + 1) : NULL;
            if (!je || json_object_setn_new(obj, k.u.str, k.len, je) != 0) {
                json_decref(obj);
                return NULL;
            }
        }
        return obj;
    }
    default: return NULL;
    }
}

json_t *cel_value_to_json(const cel_value *v, cel_arena *a)
{
    return to_json(v, a, 0);
}

/* ---------------------------------------------------------------- tagged VALUE encoding */

static json_t *tag(const char *name, json_t *v)
{
    if (!v)
        return NULL;
    json_t *o = json_object();
    if (!o || json_object_set_new(o, name, v) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *message(const char *type, const char *text)
{
    json_t *m = json_pack("{s:s, s:s}", "type", type, "json", text);
    return tag("message", m);
}

static json_t *tagged(const cel_value *v, cel_arena *a, int depth)
{
    char buf[64];
    if (depth > 1000)
        return NULL;
    switch (v->kind) {
    case CEL_NULL: return tag("null", json_null());
    case CEL_BOOL: return tag("bool", json_boolean(v->u.b));
    case CEL_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
        return tag("int", json_string(buf));
    case CEL_UINT:
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v->u.u);
        return tag("uint", json_string(buf));
    case CEL_DOUBLE:
        if (v->u.d != v->u.d)
            return tag("double", json_string("NaN"));
        if (isinf(v->u.d))
            return tag("double", json_string(v->u.d < 0 ? "-Infinity" : "Infinity"));
        if (v->u.d == 0 && signbit(v->u.d))
            return tag("double", json_string("-0"));
        return tag("double", json_real(v->u.d));
    case CEL_STRING: return tag("string", json_stringn(v->u.str, v->len));
    case CEL_BYTES: {
        size_t n;
        char *s = base64_encode((const unsigned char *)v->u.str, v->len, &n);
        json_t *j = s ? tag("bytes", json_stringn(s, n)) : NULL;
        free(s);
        return j;
    }
    case CEL_TIMESTAMP:
        cel_value_format_timestamp(v->u.i, v->len, buf, sizeof buf);
        return message("google.protobuf.Timestamp", buf);
    case CEL_DURATION:
        cel_value_format_duration(v->u.i, (int32_t)v->len, buf, sizeof buf);
        return message("google.protobuf.Duration", buf);
    case CEL_TYPE: return tag("type", json_string(v->u.type->name));
    case CEL_OPTIONAL: {
        /* Not in the suite's format: an array of zero or one VALUE. */
        json_t *arr = json_array();
        if (arr && v->u.opt && json_array_append_new(arr, tagged(v->u.opt, a, depth + 1)) != 0) {
            json_decref(arr);
            return NULL;
        }
        return tag("optional", arr);
    }
    case CEL_OPAQUE: {
        const cel_opaque_type *t = v->u.opaque->type;
        const char *s = t->format ? t->format(v->u.opaque, a) : NULL;
        return tag("opaque", json_pack("{s:s, s:s}", "type", t->name, "text", s ? s : t->name));
    }
    case CEL_LIST: {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < v->u.list->len; i++) {
            cel_value e = cel_list_at(v->u.list, i, a);
            if (json_array_append_new(arr, tagged(&e, a, depth + 1)) != 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return tag("list", arr);
    }
    case CEL_MAP: {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < v->u.map->len; i++) {
            cel_value k, e;
            cel_map_entry(v->u.map, i, &k, &e, a);
            json_t *pair = json_array();
            if (!pair || json_array_append_new(pair, tagged(&k, a, depth + 1)) != 0 ||
                json_array_append_new(pair, tagged(&e, a, depth + 1)) != 0 ||
                json_array_append_new(arr, pair) != 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return tag("map", arr);
    }
    default: return NULL;
    }
}

json_t *cel_json_tagged_encode(const cel_value *v, cel_arena *a)
{
    return tagged(v, a, 0);
}

/* "123.5s", "-1s", "0.000000001s" */
static bool parse_duration_text(const char *s, int64_t *secs, int32_t *nanos)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long long whole = strtoull(s, &end, 10);
    uint32_t frac = 0;
    if (*end == '.') {
        int digits = 0;
        for (end++; *end >= '0' && *end <= '9'; end++, digits++)
            if (digits < 9)
                frac = frac * 10 + (uint32_t)(*end - '0');
        for (; digits < 9; digits++)
            frac *= 10;
    }
    if (strcmp(end, "s") != 0 || whole > 315576000000ull)
        return false;
    *secs = neg ? -(int64_t)whole : (int64_t)whole;
    *nanos = neg ? -(int32_t)frac : (int32_t)frac;
    return true;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 3339: "2009-02-13T23:31:30.123Z" or with a "+hh:mm" offset. */
static bool parse_timestamp_text(const char *s, int64_t *secs, uint32_t *nanos)
{
    int y, mo, d, h, mi, se, used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6 || used != 19)
        return false;
    const char *p = s + used;
    uint32_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 9)
                frac = frac * 10 + (uint32_t)(*p - '0');
        for (; digits < 9; digits++)
            frac *= 10;
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            return false;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    *secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
    *nanos = frac;
    return true;
}

static const cel_type *const tagged_types[] = {
    &cel_t_int, &cel_t_uint, &cel_t_double, &cel_t_bool, &cel_t_string, &cel_t_bytes,
    &cel_t_list_dyn, &cel_t_map_dyn, &cel_t_null, &cel_t_type, &cel_t_timestamp, &cel_t_duration,
    &cel_t_optional_dyn,
};

static cel_value decode_error(cel_arena *a, const char *what)
{
    return cel_error_new(a, CEL_ERR_GENERAL, "bad tagged value: %s", what);
}

static cel_value untag(const json_t *j, cel_arena *a, int depth)
{
    if (depth > 1000)
        return decode_error(a, "nested too deeply");
    if (!json_is_object(j) || json_object_size(j) != 1)
        return decode_error(a, "expected an object with one key");
    const char *key = json_object_iter_key(json_object_iter((json_t *)j));
    const json_t *v = json_object_iter_value(json_object_iter((json_t *)j));
    if (!strcmp(key, "null"))
        return cel_null();
    if (!strcmp(key, "bool") && json_is_boolean(v))
        return cel_bool(json_is_true(v));
    if ((!strcmp(key, "int") || !strcmp(key, "uint")) && json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        cel_value r = key[0] == 'i' ? cel_int(strtoll(s, &end, 10)) : cel_uint(strtoull(s, &end, 10));
        if (errno || end == s || *end || (key[0] == 'u' && s[0] == '-'))
            return decode_error(a, "bad integer");
        return r;
    }
    if (!strcmp(key, "double")) {
        if (json_is_number(v))
            return cel_double(json_number_value(v));
        const char *s = json_string_value(v);
        if (!s)
            return decode_error(a, "bad double");
        if (!strcmp(s, "NaN"))
            return cel_double(NAN);
        if (!strcmp(s, "Infinity"))
            return cel_double(INFINITY);
        if (!strcmp(s, "-Infinity"))
            return cel_double(-INFINITY);
        if (!strcmp(s, "-0"))
            return cel_double(-0.0);
        return decode_error(a, "bad double");
    }
    if (!strcmp(key, "string") && json_is_string(v))
        return cel_string_copy(a, json_string_value(v), json_string_length(v));
    if (!strcmp(key, "bytes") && json_is_string(v)) {
        char *d;
        size_t n;
        if (!base64_decode(json_string_value(v), json_string_length(v), a, &d, &n))
            return decode_error(a, "bad base64");
        return cel_bytes_n(d, (uint32_t)n);
    }
    if (!strcmp(key, "type") && json_is_string(v)) {
        for (size_t i = 0; i < sizeof tagged_types / sizeof tagged_types[0]; i++)
            if (!strcmp(tagged_types[i]->name, json_string_value(v)))
                return cel_type_v(tagged_types[i]);
        return cel_error_new(a, CEL_ERR_UNSUPPORTED, "unsupported type value: %s", json_string_value(v));
    }
    if (!strcmp(key, "list") && json_is_array(v)) {
        size_t n = json_array_size(v);
        cel_value *items = cel_arena_alloc(a, n * sizeof *items + 1);
        if (!items)
            return oom();
        for (size_t i = 0; i < n; i++) {
            items[i] = untag(json_array_get(v, i), a, depth + 1);
            if (items[i].kind == CEL_ERROR)
                return items[i];
        }
        return cel_list_new(a, items, n);
    }
    if (!strcmp(key, "map") && json_is_array(v)) {
        size_t n = json_array_size(v);
        cel_value *keys = cel_arena_alloc(a, n * sizeof *keys + 1);
        cel_value *vals = cel_arena_alloc(a, n * sizeof *vals + 1);
        if (!keys || !vals)
            return oom();
        for (size_t i = 0; i < n; i++) {
            const json_t *pair = json_array_get(v, i);
            if (!json_is_array(pair) || json_array_size(pair) != 2)
                return decode_error(a, "map entry is not a [key, value] pair");
            keys[i] = untag(json_array_get(pair, 0), a, depth + 1);
            if (keys[i].kind == CEL_ERROR)
                return keys[i];
            vals[i] = untag(json_array_get(pair, 1), a, depth + 1);
            if (vals[i].kind == CEL_ERROR)
                return vals[i];
        }
        return cel_map_new(a, keys, vals, n);
    }
    if (!strcmp(key, "message") && json_is_object(v)) {
        const char *type = json_string_value(json_object_get(v, "type"));
        const char *text = json_string_value(json_object_get(v, "json"));
        if (type && text && !strcmp(type, "google.protobuf.Timestamp")) {
            cel_value r = {0};
            uint32_t nanos;
            if (!parse_timestamp_text(text, &r.u.i, &nanos))
                return decode_error(a, "bad timestamp");
            r.kind = CEL_TIMESTAMP;
            r.len = nanos;
            return r;
        }
        if (type && text && !strcmp(type, "google.protobuf.Duration")) {
            cel_value r = {0};
            int32_t nanos;
            if (!parse_duration_text(text, &r.u.i, &nanos))
                return decode_error(a, "bad duration");
            r.kind = CEL_DURATION;
            r.len = (uint32_t)nanos;
            return r;
        }
        return cel_error_new(a, CEL_ERR_UNSUPPORTED, "unsupported message type: %s", type ? type : "?");
    }
    if (!strcmp(key, "optional") && json_is_array(v) && json_array_size(v) <= 1) {
        cel_value r = {0};
        r.kind = CEL_OPTIONAL;
        if (json_array_size(v)) {
            cel_value *box = cel_arena_alloc(a, sizeof *box);
            if (!box)
                return oom();
            *box = untag(json_array_get(v, 0), a, depth + 1);
            if (box->kind == CEL_ERROR)
                return *box;
            r.u.opt = box;
        }
        return r;
    }
    return cel_error_new(a, CEL_ERR_UNSUPPORTED, "unsupported tagged value '%s'", key);
}

cel_value cel_json_tagged_decode(const json_t *j, cel_arena *a)
{
    return untag(j, a, 0);
}
