/*
 * lib_url.c: the Kubernetes URL CEL library ("kubernetes.urls"): the
 * kubernetes.URL type, url() and isURL(), the accessors, their overload ids
 * and runtime costs. URL parsing and printing are urlparse.c's.
 *
 * url(s) first checks s with url.ParseRequestURI (absolute URI or absolute
 * path; the error text is that check's), then keeps url.Parse(s), which
 * splits off a #fragment that ParseRequestURI would leave in the path.
 */
#include <stdio.h>
#include <string.h>

#include "cel/ext_k8s_types.h"
#include "urlparse.h"
#include "xtypes.h"

#define URL_ERR_PREFIX "URL parse error during conversion from string: "

static cel_value url_equal_value(const cel_value *self, const cel_value *other, cel_arena *a);
static const char *url_format(const cel_opaque *o, cel_arena *a);

static const cel_opaque_type url_opaque = {
    .name = "kubernetes.URL",
    .format = url_format,
    .type = &cel_t_k8s_url,
    .equal_value = url_equal_value,
};

const cel_type cel_t_k8s_url = {.kind = CEL_T_OPAQUE, .name = "kubernetes.URL", .opaque = &url_opaque};

static const cel_type t_list_string = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_string}};
static const cel_type t_query = {
    .kind = CEL_T_MAP, .name = "map", .param = {&cel_t_string, &t_list_string}};

static const cel_url *url_of(const cel_value *v) { return CEL_OPAQUE_DATA(v->u.opaque); }

/* URL.String() into the arena (NULL when full). */
static char *url_text(const cel_url *u, cel_arena *a, size_t *len)
{
    size_t n = cel_url_string(u, NULL, 0);
    char *s = cel_arena_alloc(a, n + 1);
    if (s)
        cel_url_string(u, s, n + 1);
    *len = n;
    return s;
}

/* URL.Equal compares String() forms; anything else is no overload. */
static cel_value url_equal_value(const cel_value *self, const cel_value *other, cel_arena *a)
{
    if (other->kind != CEL_OPAQUE || other->u.opaque->type != &url_opaque)
        return cel_error_new(a, CEL_ERR_NO_OVERLOAD, "no such overload");
    size_t xn, yn;
    char *x = url_text(url_of(self), a, &xn), *y = url_text(url_of(other), a, &yn);
    if (!x || !y)
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    return cel_bool(xn == yn && memcmp(x, y, xn) == 0);
}

static const char *url_format(const cel_opaque *o, cel_arena *a)
{
    size_t n;
    char *text = url_text(CEL_OPAQUE_DATA(o), a, &n);
    if (!text)
        return NULL;
    char *q = cel_arena_alloc(a, n + 8);
    if (!q)
        return NULL;
    snprintf(q, n + 8, "url(\"%s\")", text);
    return q;
}

static cel_value parse_error(cel_call *c, const cel_url_err *e)
{
    cel_arena *a = cel_call_arena(c);
    size_t n = cel_url_error(e, NULL, 0);
    char *buf = cel_arena_alloc(a, n + 1);
    if (!buf)
        return cel_xt_oom(c);
    cel_url_error(e, buf, n + 1);
    return cel_error_new(a, CEL_ERR_GENERAL, URL_ERR_PREFIX "%s", buf);
}

/* url.ParseRequestURI(s) into a scratch buffer. */
static bool request_uri_ok(cel_call *c, const cel_value *s, cel_url_err *e, bool *oom)
{
    cel_url u;
    u.buf = cel_arena_alloc(cel_call_arena(c), CEL_URL_BUF(s->len));
    *oom = !u.buf;
    return u.buf && cel_url_parse_request_uri(s->u.str, s->len, &u, e);
}

static cel_value u_string_to_url(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_url_err e;
    bool oom;
    if (!request_uri_ok(c, &args[0], &e, &oom))
        return oom ? cel_xt_oom(c) : parse_error(c, &e);
    cel_opaque *o = cel_xt_opaque_new(c, &url_opaque, sizeof(cel_url) + CEL_URL_BUF(args[0].len));
    if (!o)
        return cel_xt_oom(c);
    cel_url *u = CEL_OPAQUE_DATA(o);
    u->buf = (char *)(u + 1);
    /* url.Parse is laxer than ParseRequestURI, but a //authority without a
     * scheme is parsed only here */
    if (!cel_url_parse(args[0].u.str, args[0].len, u, &e))
        return parse_error(c, &e);
    return cel_opaque_v(o);
}

static cel_value u_is_url(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_url_err e;
    bool oom;
    bool ok = request_uri_ok(c, &args[0], &e, &oom);
    return oom ? cel_xt_oom(c) : cel_bool(ok);
}

static cel_value span_string(cel_call *c, const cel_url *u, cel_url_span s)
{
    return cel_xt_string(c, cel_url_at(u, s), s.len);
}

static cel_value u_get_scheme(cel_call *c, const cel_value *args, size_t nargs)
{
    return span_string(c, url_of(&args[0]), url_of(&args[0])->scheme);
}

static cel_value u_get_host(cel_call *c, const cel_value *args, size_t nargs)
{
    return span_string(c, url_of(&args[0]), url_of(&args[0])->host);
}

static cel_value u_get_hostname(cel_call *c, const cel_value *args, size_t nargs)
{
    return span_string(c, url_of(&args[0]), cel_url_hostname(url_of(&args[0])));
}

static cel_value u_get_port(cel_call *c, const cel_value *args, size_t nargs)
{
    return span_string(c, url_of(&args[0]), cel_url_port(url_of(&args[0])));
}

static cel_value u_get_escaped_path(cel_call *c, const cel_value *args, size_t nargs)
{
    const cel_url *u = url_of(&args[0]);
    size_t n = cel_url_escaped_path(u, NULL, 0);
    char *s = cel_arena_alloc(cel_call_arena(c), n + 1);
    if (!s)
        return cel_xt_oom(c);
    cel_url_escaped_path(u, s, n + 1);
    cel_value v = cel_string_n(s, (uint32_t)n);
    v.flags = CEL_VF_ASCII; /* escaping leaves only ASCII */
    return v;
}

/* getQuery: url.Values as map(string, list(string)). Keys are grouped with
 * a small hash table; keys come out in the order they first appear (Go's
 * map order is random, any order is upstream's). */
typedef struct qpair {
    cel_value key, val;
    uint32_t group;
} qpair;

typedef struct qstate {
    cel_call *c;
    qpair *pairs;
    size_t n, cap;
    cel_value err;
    bool failed;
} qstate;

static bool collect(void *ctx, const char *k, size_t kn, const char *v, size_t vn)
{
    qstate *st = ctx;
    if (st->n == st->cap) {
        st->failed = true;
        return false;
    }
    qpair *p = &st->pairs[st->n];
    p->key = cel_xt_string(st->c, k, kn);
    p->val = cel_xt_string(st->c, v, vn);
    if (p->key.kind == CEL_ERROR || p->val.kind == CEL_ERROR) {
        st->err = p->key.kind == CEL_ERROR ? p->key : p->val;
        st->failed = true;
        return false;
    }
    st->n++;
    return true;
}

static uint64_t hash_bytes(const char *s, uint32_t n)
{
    uint64_t h = 1469598103934665603u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static cel_value u_get_query(cel_call *c, const cel_value *args, size_t nargs)
{
    const cel_url *u = url_of(&args[0]);
    cel_arena *a = cel_call_arena(c);
    size_t cap = 1;
    const char *q = cel_url_at(u, u->raw_query);
    for (uint32_t i = 0; i < u->raw_query.len; i++)
        cap += q[i] == '&';
    qstate st = {c, cel_arena_alloc(a, cap * sizeof(qpair)), 0, cap, {0}, false};
    char *scratch = cel_arena_alloc(a, u->raw_query.len + 1);
    if (!st.pairs || !scratch)
        return cel_xt_oom(c);
    cel_url_query(u, scratch, collect, &st);
    if (st.failed)
        return st.err.kind == CEL_ERROR ? st.err : cel_xt_oom(c);
    /* group by key */
    size_t slots = 16;
    while (slots < st.n * 2)
        slots <<= 1;
    uint32_t *table = cel_arena_alloc(a, slots * sizeof *table); /* group index + 1 */
    cel_value *keys = cel_arena_alloc(a, (st.n ? st.n : 1) * sizeof *keys);
    size_t *counts = cel_arena_alloc(a, (st.n ? st.n : 1) * sizeof *counts);
    if (!table || !keys || !counts)
        return cel_xt_oom(c);
    memset(table, 0, slots * sizeof *table);
    size_t ngroups = 0;
    for (size_t i = 0; i < st.n; i++) {
        const cel_value *k = &st.pairs[i].key;
        size_t h = (size_t)hash_bytes(k->u.str, k->len) & (slots - 1);
        for (;; h = (h + 1) & (slots - 1)) {
            if (!table[h]) {
                keys[ngroups] = *k;
                counts[ngroups] = 0;
                table[h] = (uint32_t)++ngroups;
                break;
            }
            const cel_value *g = &keys[table[h] - 1];
            if (g->len == k->len && memcmp(g->u.str, k->u.str, k->len) == 0)
                break;
        }
        st.pairs[i].group = table[h] - 1;
        counts[table[h] - 1]++;
    }
    cel_value *vals = cel_arena_alloc(a, (ngroups ? ngroups : 1) * sizeof *vals);
    cel_value *items = cel_arena_alloc(a, (st.n ? st.n : 1) * sizeof *items);
    size_t *fill = cel_arena_alloc(a, (ngroups ? ngroups : 1) * sizeof *fill);
    if (!vals || !items || !fill)
        return cel_xt_oom(c);
    for (size_t g = 0, off = 0; g < ngroups; g++) {
        fill[g] = off;
        off += counts[g];
    }
    size_t *start = cel_arena_alloc(a, (ngroups ? ngroups : 1) * sizeof *start);
    if (!start)
        return cel_xt_oom(c);
    memcpy(start, fill, ngroups * sizeof *fill);
    for (size_t i = 0; i < st.n; i++)
        items[fill[st.pairs[i].group]++] = st.pairs[i].val;
    for (size_t g = 0; g < ngroups; g++) {
        vals[g] = cel_list_new(a, items + start[g], counts[g]);
        if (vals[g].kind == CEL_ERROR)
            return vals[g];
    }
    return cel_map_new(a, keys, vals, ngroups);
}

/* url(): a traversal of the string (isURL is not priced by Kubernetes, so
 * it costs 1 like every accessor). */
static uint64_t u_cost_parse(const cel_value *args, size_t nargs)
{
    return cel_xt_traversal(cel_xt_str_size(&args[0]), 0.1);
}

#define URL (&cel_t_k8s_url)
#define STR (&cel_t_string)

/* Not CEL_FN_VALIDATE_LITERAL: upstream checks no URL literal at compile
 * time; a bad literal is a run-time error there too. */
static const cel_overload url_overloads[] = {
    {"string_to_url", "url", false, 1, 0, {STR}, URL, u_string_to_url, u_cost_parse},
    {"url_get_scheme", "getScheme", true, 1, 0, {URL}, STR, u_get_scheme, NULL},
    {"url_get_host", "getHost", true, 1, 0, {URL}, STR, u_get_host, NULL},
    {"url_get_hostname", "getHostname", true, 1, 0, {URL}, STR, u_get_hostname, NULL},
    {"url_get_port", "getPort", true, 1, 0, {URL}, STR, u_get_port, NULL},
    {"url_get_escaped_path", "getEscapedPath", true, 1, 0, {URL}, STR, u_get_escaped_path, NULL},
    {"url_get_query", "getQuery", true, 1, 0, {URL}, &t_query, u_get_query, NULL},
    {"is_url_string", "isURL", false, 1, 0, {STR}, &cel_t_bool, u_is_url, NULL},
};

const cel_library cel_lib_k8s_urls = {
    .name = "kubernetes.urls",
    .overloads = url_overloads,
    .count = sizeof url_overloads / sizeof url_overloads[0],
};
