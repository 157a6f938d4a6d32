/*
 * urlparse.c: Go's net/url (Go 1.26 with Kubernetes' default GODEBUG, so
 * urlstrictcolons=1 and urlmaxqueryparams=10000): parse(), its authority and
 * host rules, unescape/escape per component, String(), EscapedPath(),
 * Hostname()/Port() and ParseQuery, check for check in Go's order.
 */
#include <string.h>

#include "urlparse.h"

enum {
    ENC_PATH = 1,
    ENC_PATH_SEGMENT,
    ENC_HOST,
    ENC_ZONE,
    ENC_USER_PASSWORD,
    ENC_QUERY_COMPONENT,
    ENC_FRAGMENT
};

/* Go's limit on query parameters (GODEBUG urlmaxqueryparams, default). */
#define URL_MAX_QUERY_PARAMS 10000

static const char upperhex[] = "0123456789ABCDEF";

static bool ishex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char unhex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned char)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned char)(c - 'a' + 10);
    return (unsigned char)(c - 'A' + 10);
}

/* shouldEscape: whether c must be %-escaped in the given component. */
static bool should_escape(unsigned char c, int mode)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return false;
    if (mode == ENC_HOST || mode == ENC_ZONE) {
        switch (c) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
        case ',': case ';': case '=': case ':': case '[': case ']': case '<': case '>':
        case '"':
            return false;
        }
    }
    switch (c) {
    case '-': case '_': case '.': case '~':
        return false;
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?':
    case '@':
        switch (mode) {
        case ENC_PATH: return c == '?';
        case ENC_PATH_SEGMENT: return c == '/' || c == ';' || c == ',' || c == '?';
        case ENC_USER_PASSWORD: return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_QUERY_COMPONENT: return true;
        case ENC_FRAGMENT: return false;
        }
        break;
    }
    if (mode == ENC_FRAGMENT) {
        switch (c) {
        case '!': case '(': case ')': case '*':
            return false;
        }
    }
    return true;
}

static bool fail(cel_url_err *e, int reason, const char *q, size_t qlen)
{
    if (e) {
        e->reason = reason;
        e->q = q;
        e->qlen = qlen;
    }
    return false;
}

/* unescape(s, mode) into out (at least n bytes); the validation pass comes
 * first, as in Go, so the first bad escape is the one reported. */
static bool unescape(const char *s, size_t n, int mode, char *out, size_t *olen, cel_url_err *e)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || !ishex((unsigned char)s[i + 1]) || !ishex((unsigned char)s[i + 2]))
                return fail(e, CEL_URL_ESCAPE, s + i, n - i > 3 ? 3 : n - i);
            if (mode == ENC_HOST && unhex((unsigned char)s[i + 1]) < 8 &&
                memcmp(s + i, "%25", 3) != 0)
                return fail(e, CEL_URL_ESCAPE, s + i, 3);
            if (mode == ENC_ZONE) {
                unsigned char v = (unsigned char)(unhex((unsigned char)s[i + 1]) << 4 |
                                                  unhex((unsigned char)s[i + 2]));
                if (memcmp(s + i, "%25", 3) != 0 && v != ' ' && should_escape(v, ENC_HOST))
                    return fail(e, CEL_URL_ESCAPE, s + i, 3);
            }
            i += 3;
        } else {
            if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && c != '+' &&
                should_escape(c, mode))
                return fail(e, CEL_URL_HOST_CHAR, s + i, 1);
            i++;
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            out[o++] = (char)(unhex((unsigned char)s[i + 1]) << 4 | unhex((unsigned char)s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && mode == ENC_QUERY_COMPONENT) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    *olen = o;
    return true;
}

/* Whether escape(s, mode) == t, without building it. */
static bool escape_equals(const char *s, size_t n, int mode, const char *t, size_t tn)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' && mode == ENC_QUERY_COMPONENT) {
            if (j >= tn || t[j++] != '+')
                return false;
        } else if (should_escape(c, mode)) {
            if (j + 3 > tn || t[j] != '%' || t[j + 1] != upperhex[c >> 4] ||
                t[j + 2] != upperhex[c & 15])
                return false;
            j += 3;
        } else if (j >= tn || t[j++] != (char)c) {
            return false;
        }
    }
    return j == tn;
}

/* validEncoded */
static bool valid_encoded(const char *s, size_t n, int mode)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
        case ',': case ';': case '=': case ':': case '@': case '[': case ']': case '%':
            break;
        default:
            if (should_escape((unsigned char)s[i], mode))
                return false;
        }
    }
    return true;
}

static bool valid_optional_port(const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (p[0] != ':')
        return false;
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* validUserinfo: RFC 3986 userinfo characters (and '@', which Go lets
 * through); any non-ASCII rune fails. */
static bool valid_userinfo(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            continue;
        switch (c) {
        case '-': case '.': case '_': case ':': case '~': case '!': case '$': case '&':
        case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
        case '%': case '@':
            continue;
        default:
            return false;
        }
    }
    return true;
}

static const char *find_last(const char *s, size_t n, char c)
{
    for (size_t i = n; i-- > 0;)
        if (s[i] == c)
            return s + i;
    return NULL;
}

/* ------------------------------------------------------------ building */

static cel_url_span put(cel_url *u, const char *s, size_t n)
{
    cel_url_span sp = {(uint32_t)u->used, (uint32_t)n};
    if (n)
        memmove(u->buf + u->used, s, n);
    u->used += n;
    return sp;
}

/* Unescapes s into the buffer as a new component. */
static bool put_unescaped(cel_url *u, const char *s, size_t n, int mode, cel_url_span *out,
                          cel_url_err *e)
{
    size_t len;
    if (!unescape(s, n, mode, u->buf + u->used, &len, e))
        return false;
    out->off = (uint32_t)u->used;
    out->len = (uint32_t)len;
    u->used += len;
    return true;
}

/* ------------------------------------------------------------ parse */

/* parseHost (Go 1.26): bracketed hosts must hold an IPv6 address; an
 * http(s) host may have one colon only (urlstrictcolons), other schemes
 * split at the last colon. */
static bool parse_host(cel_url *u, const char *scheme, size_t slen, const char *h, size_t n,
                       cel_url_err *e)
{
    const char *open = find_last(h, n, '[');
    if (open && open > h)
        return fail(e, CEL_URL_IP_LITERAL, NULL, 0);
    if (open == h) {
        const char *close = find_last(h, n, ']');
        if (!close)
            return fail(e, CEL_URL_NO_BRACKET, NULL, 0);
        const char *port = close + 1;
        size_t plen = (size_t)(h + n - port);
        if (!valid_optional_port(port, plen))
            return fail(e, CEL_URL_PORT, port, plen);
        const char *name = h + 1;
        size_t nlen = (size_t)(close - name);
        /* unescaped hostname, built in the buffer past the result slot */
        size_t start = u->used;
        u->buf[u->used++] = '[';
        size_t name_off = u->used;
        const char *zone = NULL;
        for (size_t i = 0; i + 3 <= nlen; i++)
            if (memcmp(name + i, "%25", 3) == 0) {
                zone = name + i;
                break;
            }
        size_t len;
        if (zone) {
            if (!unescape(name, (size_t)(zone - name), ENC_HOST, u->buf + u->used, &len, e))
                return false;
            u->used += len;
            if (!unescape(zone, (size_t)(name + nlen - zone), ENC_ZONE, u->buf + u->used, &len,
                          e))
                return false;
            u->used += len;
        } else {
            if (!unescape(name, nlen, ENC_HOST, u->buf + u->used, &len, e))
                return false;
            u->used += len;
        }
        size_t name_len = u->used - name_off;
        cel_netaddr addr;
        cel_netaddr_err aerr;
        if (!cel_netaddr_parse_addr(u->buf + name_off, name_len, &addr, &aerr)) {
            if (e) {
                e->reason = CEL_URL_HOST_ADDR;
                e->q = u->buf + name_off;
                e->qlen = name_len;
                e->addr = aerr;
            }
            return false;
        }
        if (addr.family == 4)
            return fail(e, CEL_URL_IP_LITERAL, NULL, 0);
        u->buf[u->used++] = ']';
        if (!unescape(port, plen, ENC_HOST, u->buf + u->used, &len, e))
            return false;
        u->used += len;
        u->host.off = (uint32_t)start;
        u->host.len = (uint32_t)(u->used - start);
        return true;
    }
    const char *colon = memchr(h, ':', n);
    if (colon) {
        const char *last = find_last(h, n, ':');
        bool strict = (slen == 4 && memcmp(scheme, "http", 4) == 0) ||
                      (slen == 5 && memcmp(scheme, "https", 5) == 0);
        if (last != colon && !strict)
            colon = last;
        size_t plen = (size_t)(h + n - colon);
        if (!valid_optional_port(colon, plen))
            return fail(e, CEL_URL_PORT, colon, plen);
    }
    return put_unescaped(u, h, n, ENC_HOST, &u->host, e);
}

static bool parse_authority(cel_url *u, const char *scheme, size_t slen, const char *a, size_t n,
                            cel_url_err *e)
{
    const char *at = find_last(a, n, '@');
    const char *host = at ? at + 1 : a;
    if (!parse_host(u, scheme, slen, host, (size_t)(a + n - host), e))
        return false;
    if (!at)
        return true;
    size_t ulen = (size_t)(at - a);
    if (!valid_userinfo(a, ulen))
        return fail(e, CEL_URL_USERINFO, NULL, 0);
    u->has_user = true;
    const char *colon = memchr(a, ':', ulen);
    if (!colon)
        return put_unescaped(u, a, ulen, ENC_USER_PASSWORD, &u->username, e);
    u->has_password = true;
    return put_unescaped(u, a, (size_t)(colon - a), ENC_USER_PASSWORD, &u->username, e) &&
           put_unescaped(u, colon + 1, (size_t)(at - colon - 1), ENC_USER_PASSWORD, &u->password,
                         e);
}

/* setPath: Path decoded, RawPath only when Go's escaping would differ. */
static bool set_path(cel_url *u, const char *p, size_t n, cel_url_err *e)
{
    if (!put_unescaped(u, p, n, ENC_PATH, &u->path, e))
        return false;
    if (!escape_equals(cel_url_at(u, u->path), u->path.len, ENC_PATH, p, n))
        u->raw_path = put(u, p, n);
    return true;
}

/* Go's parse(rawURL, viaRequest). */
static bool parse_go(const char *raw, size_t n, bool via_request, cel_url *u, cel_url_err *e)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)raw[i] < ' ' || raw[i] == 0x7f)
            return fail(e, CEL_URL_CTL, NULL, 0);
    if (n == 0 && via_request)
        return fail(e, CEL_URL_EMPTY, NULL, 0);
    if (n == 1 && raw[0] == '*') {
        u->path = put(u, "*", 1);
        return true;
    }
    /* getScheme */
    const char *rest = raw;
    size_t rlen = n;
    for (size_t i = 0; i < n; i++) {
        char c = raw[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0)
                return fail(e, CEL_URL_NO_SCHEME, NULL, 0);
            u->scheme = put(u, raw, i);
            for (uint32_t k = 0; k < u->scheme.len; k++) {
                char *sc = u->buf + u->scheme.off + k;
                if (*sc >= 'A' && *sc <= 'Z')
                    *sc = (char)(*sc - 'A' + 'a');
            }
            rest = raw + i + 1;
            rlen = n - i - 1;
        }
        break;
    }
    const char *scheme = cel_url_at(u, u->scheme);
    size_t slen = u->scheme.len;
    /* query */
    const char *q = memchr(rest, '?', rlen);
    if (q && q == rest + rlen - 1) {
        u->force_query = true;
        rlen--;
    } else if (q) {
        u->raw_query = put(u, q + 1, (size_t)(rest + rlen - q - 1));
        rlen = (size_t)(q - rest);
    }
    if (rlen == 0 || rest[0] != '/') {
        if (slen) {
            u->opaque = put(u, rest, rlen);
            return true;
        }
        if (via_request)
            return fail(e, CEL_URL_NOT_REQUEST, NULL, 0);
        const char *slash = memchr(rest, '/', rlen);
        size_t seg = slash ? (size_t)(slash - rest) : rlen;
        if (memchr(rest, ':', seg))
            return fail(e, CEL_URL_COLON, NULL, 0);
    }
    bool two = rlen >= 2 && rest[0] == '/' && rest[1] == '/';
    bool three = rlen >= 3 && two && rest[2] == '/';
    if ((slen || (!via_request && !three)) && two) {
        const char *auth = rest + 2;
        size_t alen = rlen - 2;
        const char *slash = memchr(auth, '/', alen);
        size_t authority = slash ? (size_t)(slash - auth) : alen;
        if (!parse_authority(u, scheme, slen, auth, authority, e))
            return false;
        rest = auth + authority;
        rlen = alen - authority;
    } else if (slen && rlen && rest[0] == '/') {
        u->omit_host = true;
    }
    return set_path(u, rest, rlen, e);
}

static void init(cel_url *u, char *buf)
{
    char *keep = buf;
    memset(u, 0, sizeof *u);
    u->buf = keep;
}

bool cel_url_parse_request_uri(const char *s, size_t n, cel_url *u, cel_url_err *e)
{
    init(u, u->buf);
    if (e) {
        e->url = s;
        e->url_len = n;
    }
    return parse_go(s, n, true, u, e);
}

bool cel_url_parse(const char *s, size_t n, cel_url *u, cel_url_err *e)
{
    init(u, u->buf);
    const char *hash = memchr(s, '#', n);
    size_t base = hash ? (size_t)(hash - s) : n;
    if (e) {
        e->url = s;
        e->url_len = base;
    }
    if (!parse_go(s, base, false, u, e))
        return false;
    if (!hash || base + 1 == n)
        return true;
    if (e)
        e->url_len = n;
    /* setFragment */
    const char *f = hash + 1;
    size_t fn = n - base - 1;
    if (!put_unescaped(u, f, fn, ENC_FRAGMENT, &u->fragment, e))
        return false;
    if (!escape_equals(cel_url_at(u, u->fragment), u->fragment.len, ENC_FRAGMENT, f, fn))
        u->raw_fragment = put(u, f, fn);
    return true;
}

/* ------------------------------------------------------------ output */

typedef struct wbuf {
    char *buf;
    size_t cap, len;
} wbuf;

static void w_bytes(wbuf *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, w->len++)
        if (w->len + 1 < w->cap)
            w->buf[w->len] = s[i];
}

static void w_byte(wbuf *w, char c) { w_bytes(w, &c, 1); }

static void w_escape(wbuf *w, const char *s, size_t n, int mode)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' && mode == ENC_QUERY_COMPONENT) {
            w_byte(w, '+');
        } else if (should_escape(c, mode)) {
            char t[3] = {'%', upperhex[c >> 4], upperhex[c & 15]};
            w_bytes(w, t, 3);
        } else {
            w_byte(w, (char)c);
        }
    }
}

static size_t w_end(wbuf *w)
{
    if (w->cap)
        w->buf[w->len < w->cap ? w->len : w->cap - 1] = '\0';
    return w->len;
}

/* Whether unescape(raw, mode) succeeds and equals dec. */
static bool unescapes_to(const char *raw, size_t rn, int mode, const char *dec, size_t dn)
{
    size_t j = 0;
    for (size_t i = 0; i < rn; i++) {
        char c = raw[i];
        if (c == '%') {
            if (i + 2 >= rn || !ishex((unsigned char)raw[i + 1]) || !ishex((unsigned char)raw[i + 2]))
                return false;
            c = (char)(unhex((unsigned char)raw[i + 1]) << 4 | unhex((unsigned char)raw[i + 2]));
            i += 2;
        }
        if (j >= dn || dec[j++] != c)
            return false;
    }
    return j == dn;
}

/* EscapedPath / EscapedFragment: the raw form when it is a valid escaping
 * of the decoded one, else Go's own escaping. */
static void w_escaped(wbuf *w, const cel_url *u, cel_url_span dec, cel_url_span raw, int mode)
{
    const char *d = cel_url_at(u, dec), *r = cel_url_at(u, raw);
    if (raw.len && valid_encoded(r, raw.len, mode) && unescapes_to(r, raw.len, mode, d, dec.len)) {
        w_bytes(w, r, raw.len);
        return;
    }
    if (mode == ENC_PATH && dec.len == 1 && d[0] == '*') {
        w_byte(w, '*');
        return;
    }
    w_escape(w, d, dec.len, mode);
}

/* The text EscapedPath starts from: RawPath (true) or the decoded Path. */
static bool path_text(const cel_url *u, const char **p, size_t *n)
{
    const char *d = cel_url_at(u, u->path), *r = cel_url_at(u, u->raw_path);
    if (u->raw_path.len && valid_encoded(r, u->raw_path.len, ENC_PATH) &&
        unescapes_to(r, u->raw_path.len, ENC_PATH, d, u->path.len)) {
        *p = r;
        *n = u->raw_path.len;
        return true;
    }
    *p = d;
    *n = u->path.len;
    return false;
}

size_t cel_url_escaped_path(const cel_url *u, char *buf, size_t cap)
{
    wbuf w = {buf, cap, 0};
    w_escaped(&w, u, u->path, u->raw_path, ENC_PATH);
    return w_end(&w);
}

size_t cel_url_string(const cel_url *u, char *buf, size_t cap)
{
    wbuf w = {buf, cap, 0};
    if (u->scheme.len) {
        w_bytes(&w, cel_url_at(u, u->scheme), u->scheme.len);
        w_byte(&w, ':');
    }
    if (u->opaque.len) {
        w_bytes(&w, cel_url_at(u, u->opaque), u->opaque.len);
    } else {
        if (u->scheme.len || u->host.len || u->has_user) {
            if (u->omit_host && !u->host.len && !u->has_user) {
                /* omit the empty host */
            } else {
                if (u->host.len || u->path.len || u->has_user)
                    w_bytes(&w, "//", 2);
                if (u->has_user) {
                    w_escape(&w, cel_url_at(u, u->username), u->username.len, ENC_USER_PASSWORD);
                    if (u->has_password) {
                        w_byte(&w, ':');
                        w_escape(&w, cel_url_at(u, u->password), u->password.len,
                                 ENC_USER_PASSWORD);
                    }
                    w_byte(&w, '@');
                }
                if (u->host.len)
                    w_escape(&w, cel_url_at(u, u->host), u->host.len, ENC_HOST);
            }
        }
        /* EscapedPath keeps every ':' and '/' where it was (escaping adds
         * neither), so its first segment can be judged from the text it
         * is made from. */
        const char *p;
        size_t pn;
        bool raw = path_text(u, &p, &pn);
        if (pn) {
            char first = raw ? p[0] : should_escape((unsigned char)p[0], ENC_PATH) ? '%' : p[0];
            if (first != '/' && u->host.len)
                w_byte(&w, '/');
        }
        if (w.len == 0) {
            /* a first segment with a colon would read as a scheme */
            const char *slash = memchr(p, '/', pn);
            if (memchr(p, ':', slash ? (size_t)(slash - p) : pn))
                w_bytes(&w, "./", 2);
        }
        w_escaped(&w, u, u->path, u->raw_path, ENC_PATH);
    }
    if (u->force_query || u->raw_query.len) {
        w_byte(&w, '?');
        w_bytes(&w, cel_url_at(u, u->raw_query), u->raw_query.len);
    }
    if (u->fragment.len) {
        w_byte(&w, '#');
        w_escaped(&w, u, u->fragment, u->raw_fragment, ENC_FRAGMENT);
    }
    return w_end(&w);
}

/* splitHostPort */
static void split_host_port(const cel_url *u, cel_url_span *host, cel_url_span *port)
{
    *host = u->host;
    port->off = u->host.off + u->host.len;
    port->len = 0;
    const char *h = cel_url_at(u, u->host);
    const char *colon = find_last(h, u->host.len, ':');
    if (colon && valid_optional_port(colon, (size_t)(h + u->host.len - colon))) {
        host->len = (uint32_t)(colon - h);
        port->off = (uint32_t)(u->host.off + host->len + 1);
        port->len = (uint32_t)(u->host.len - host->len - 1);
    }
    if (host->len >= 2 && h[0] == '[' && h[host->len - 1] == ']') {
        host->off++;
        host->len -= 2;
    }
}

cel_url_span cel_url_hostname(const cel_url *u)
{
    cel_url_span h, p;
    split_host_port(u, &h, &p);
    return h;
}

cel_url_span cel_url_port(const cel_url *u)
{
    cel_url_span h, p;
    split_host_port(u, &h, &p);
    return p;
}

bool cel_url_query(const cel_url *u, char *scratch, cel_url_query_fn fn, void *ctx)
{
    const char *q = cel_url_at(u, u->raw_query), *end = q + u->raw_query.len;
    size_t params = 1;
    for (const char *p = q; p < end; p++)
        params += *p == '&';
    if (params > URL_MAX_QUERY_PARAMS)
        return true; /* ParseQuery fails at once; Query() keeps the empty map */
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *kend = amp ? amp : end;
        const char *key = q;
        q = amp ? amp + 1 : end;
        if (memchr(key, ';', (size_t)(kend - key)) || key == kend)
            continue;
        const char *eq = memchr(key, '=', (size_t)(kend - key));
        const char *val = eq ? eq + 1 : kend;
        size_t klen, vlen;
        char *kout = scratch, *vout;
        if (!unescape(key, (size_t)((eq ? eq : kend) - key), ENC_QUERY_COMPONENT, kout, &klen,
                      NULL))
            continue;
        vout = kout + klen;
        if (!unescape(val, (size_t)(kend - val), ENC_QUERY_COMPONENT, vout, &vlen, NULL))
            continue;
        if (!fn(ctx, kout, klen, vout, vlen))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ errors */

static void w_quote(wbuf *w, const char *s, size_t n)
{
    size_t room = w->len < w->cap ? w->cap - w->len : 0;
    w->len += cel_netaddr_quote(s, n, room ? w->buf + w->len : NULL, room);
}

size_t cel_url_error(const cel_url_err *e, char *buf, size_t cap)
{
    wbuf w = {buf, cap, 0};
    w_bytes(&w, "parse ", 6);
    w_quote(&w, e->url, e->url_len);
    w_bytes(&w, ": ", 2);
    const char *fixed = NULL;
    switch (e->reason) {
    case CEL_URL_CTL: fixed = "net/url: invalid control character in URL"; break;
    case CEL_URL_EMPTY: fixed = "empty url"; break;
    case CEL_URL_NO_SCHEME: fixed = "missing protocol scheme"; break;
    case CEL_URL_NOT_REQUEST: fixed = "invalid URI for request"; break;
    case CEL_URL_COLON: fixed = "first path segment in URL cannot contain colon"; break;
    case CEL_URL_USERINFO: fixed = "net/url: invalid userinfo"; break;
    case CEL_URL_IP_LITERAL: fixed = "invalid IP-literal"; break;
    case CEL_URL_NO_BRACKET: fixed = "missing ']' in host"; break;
    case CEL_URL_PORT:
        w_bytes(&w, "invalid port ", 13);
        w_quote(&w, e->q, e->qlen);
        fixed = " after host";
        break;
    case CEL_URL_HOST_ADDR: {
        w_bytes(&w, "invalid host: ", 14);
        size_t room = w.len < w.cap ? w.cap - w.len : 0;
        w.len += cel_netaddr_addr_error(e->q, e->qlen, &e->addr, room ? w.buf + w.len : NULL,
                                        room);
        break;
    }
    case CEL_URL_ESCAPE:
        w_bytes(&w, "invalid URL escape ", 19);
        w_quote(&w, e->q, e->qlen);
        break;
    case CEL_URL_HOST_CHAR:
        w_bytes(&w, "invalid character ", 18);
        w_quote(&w, e->q, e->qlen);
        fixed = " in host name";
        break;
    }
    if (fixed)
        w_bytes(&w, fixed, strlen(fixed));
    return w_end(&w);
}
