/*
 * netaddr.c: Go's net/netip, re-implemented for the Kubernetes IP and CIDR
 * CEL libraries. Kubernetes' verdicts and error texts come straight from
 * netip (ParseAddr/ParsePrefix reasons, the "(at ...)" remainders, the
 * strconv.Quote quoting of inputs), so the parsers follow netip's checks in
 * netip's order; any reordering would change which message a bad input
 * gets.
 *
 * Parsing works on the caller's stack and never allocates. Messages are
 * rebuilt from a small error record only when someone asks for them.
 */
#include "netaddr.h"

#include <string.h>

#include "netaddr_printable.h"

/* ------------------------------------------------------------ output */

/* snprintf-style sink: counts everything, stores what fits. */
typedef struct netaddr_out {
    char *buf;
    size_t cap;
    size_t len;
} netaddr_out;

static void out_mem(netaddr_out *o, const char *p, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, p, n < room ? n : room);
    }
    o->len += n;
}

static void out_str(netaddr_out *o, const char *s) { out_mem(o, s, strlen(s)); }

static void out_char(netaddr_out *o, char c) { out_mem(o, &c, 1); }

static size_t out_finish(netaddr_out *o)
{
    if (o->cap > 0)
        o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
    return o->len;
}

/* ------------------------------------------------------------ Go quoting */

static const char hexdig[] = "0123456789abcdef";

/* strconv.IsPrint: Latin-1 by rule, the rest by table (L, M, N, P, S). */
static bool go_is_print(uint32_t r)
{
    if (r <= 0xff) {
        if (r >= 0x20 && r <= 0x7e)
            return true;
        return r >= 0xa1 && r != 0xad;
    }
    size_t lo = 0, hi = sizeof netaddr_printable / sizeof netaddr_printable[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r < netaddr_printable[mid][0])
            hi = mid;
        else if (r > netaddr_printable[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* utf8.DecodeRuneInString: the rune and its width, or width 0 for a byte
 * that does not start a valid encoding (Go's RuneError, 1). */
static uint32_t go_decode_rune(const unsigned char *p, size_t n, size_t *width)
{
    unsigned char c = p[0];
    *width = 0;
    if (c < 0x80) {
        *width = 1;
        return c;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    uint32_t r;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        r = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        r = c & 0x0f;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        r = c & 0x07;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0xfffd;
    }
    if (n < need || p[1] < lo || p[1] > hi)
        return 0xfffd;
    r = (r << 6) | (p[1] & 0x3f);
    for (size_t i = 2; i < need; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0xfffd;
        r = (r << 6) | (p[i] & 0x3f);
    }
    *width = need;
    return r;
}

static void out_quote(netaddr_out *o, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    out_char(o, '"');
    size_t i = 0;
    while (i < n) {
        size_t w;
        uint32_t r = go_decode_rune(p + i, n - i, &w);
        if (w == 0) {
            char esc[4] = {'\\', 'x', hexdig[p[i] >> 4], hexdig[p[i] & 15]};
            out_mem(o, esc, 4);
            i++;
            continue;
        }
        if (r == '"' || r == '\\') {
            out_char(o, '\\');
            out_char(o, (char)r);
        } else if (go_is_print(r)) {
            out_mem(o, s + i, w);
        } else {
            switch (r) {
            case '\a': out_str(o, "\\a"); break;
            case '\b': out_str(o, "\\b"); break;
            case '\f': out_str(o, "\\f"); break;
            case '\n': out_str(o, "\\n"); break;
            case '\r': out_str(o, "\\r"); break;
            case '\t': out_str(o, "\\t"); break;
            case '\v': out_str(o, "\\v"); break;
            default:
                if (r < ' ' || r == 0x7f) {
                    char esc[4] = {'\\', 'x', hexdig[r >> 4], hexdig[r & 15]};
                    out_mem(o, esc, 4);
                } else if (r < 0x10000) {
                    char esc[6] = {'\\', 'u'};
                    for (int k = 0; k < 4; k++)
                        esc[2 + k] = hexdig[(r >> (12 - 4 * k)) & 15];
                    out_mem(o, esc, 6);
                } else {
                    char esc[10] = {'\\', 'U'};
                    for (int k = 0; k < 8; k++)
                        esc[2 + k] = hexdig[(r >> (28 - 4 * k)) & 15];
                    out_mem(o, esc, 10);
                }
            }
        }
        i += w;
    }
    out_char(o, '"');
}

size_t cel_netaddr_quote(const char *s, size_t n, char *buf, size_t cap)
{
    netaddr_out o = {buf, cap, 0};
    out_quote(&o, s, n);
    return out_finish(&o);
}

/* ------------------------------------------------------------ ParseAddr */

static bool fail(cel_netaddr_err *e, int reason, size_t at, size_t at_end)
{
    if (e) {
        e->reason = reason;
        e->addr_len = 0;
        e->at = at;
        e->at_end = at_end;
    }
    return false;
}

/* netip's parseIPv4Fields over in[off, end): the "(at ...)" texts are
 * relative to that slice, which excludes an IPv6 zone. */
static bool parse_v4_fields(const char *in, size_t off, size_t end, uint8_t *fields,
                            cel_netaddr_err *e)
{
    const char *s = in + off;
    size_t len = end - off;
    unsigned val = 0, pos = 0, diglen = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (diglen == 1 && val == 0)
                return fail(e, CEL_NETADDR_V4_LEADING_ZERO, 0, 0);
            val = val * 10 + (unsigned)(c - '0');
            diglen++;
            if (val > 255)
                return fail(e, CEL_NETADDR_V4_GT255, 0, 0);
        } else if (c == '.') {
            if (i == 0 || i == len - 1 || s[i - 1] == '.')
                return fail(e, CEL_NETADDR_V4_NO_DIGIT, off + i, end);
            if (pos == 3)
                return fail(e, CEL_NETADDR_V4_TOO_LONG, 0, 0);
            fields[pos++] = (uint8_t)val;
            val = 0;
            diglen = 0;
        } else {
            return fail(e, CEL_NETADDR_V4_UNEXPECTED, off + i, end);
        }
    }
    if (pos < 3)
        return fail(e, CEL_NETADDR_V4_TOO_SHORT, 0, 0);
    fields[3] = (uint8_t)val;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* netip's parseIPv6: the zone is split off first, then groups are read left
 * to right; p..end is what netip calls s. */
static bool parse_v6(const char *in, size_t n, cel_netaddr *out, cel_netaddr_err *e)
{
    size_t end = n;
    bool zoned = false;
    const char *pct = memchr(in, '%', n);
    if (pct) {
        end = (size_t)(pct - in);
        if (end == n - 1)
            return fail(e, CEL_NETADDR_ZONE_EMPTY, 0, 0);
        zoned = true;
    }

    uint8_t ip[16] = {0};
    int ellipsis = -1;
    size_t p = 0;
    if (end - p >= 2 && in[0] == ':' && in[1] == ':') {
        ellipsis = 0;
        p = 2;
        if (p == end) {
            memset(out, 0, sizeof *out);
            out->family = 6;
            out->zoned = zoned;
            return true;
        }
    }

    int i = 0;
    while (i < 16) {
        size_t off = 0;
        unsigned acc = 0;
        for (; p + off < end; off++) {
            int d = hexval(in[p + off]);
            if (d < 0)
                break;
            acc = (acc << 4) + (unsigned)d;
            if (off > 3)
                return fail(e, CEL_NETADDR_V6_GROUP_DIGITS, p, end);
        }
        if (off == 0)
            return fail(e, CEL_NETADDR_V6_NO_DIGIT, p, end);

        if (p + off < end && in[p + off] == '.') {
            if (ellipsis < 0 && i != 12)
                return fail(e, CEL_NETADDR_V6_V4_PLACE, p, end);
            if (i + 4 > 16)
                return fail(e, CEL_NETADDR_V6_V4_ROOM, p, end);
            if (!parse_v4_fields(in, p, end, ip + i, e))
                return false;
            p = end;
            i += 4;
            break;
        }

        ip[i] = (uint8_t)(acc >> 8);
        ip[i + 1] = (uint8_t)acc;
        i += 2;

        p += off;
        if (p == end)
            break;
        if (in[p] != ':')
            return fail(e, CEL_NETADDR_V6_WANT_COLON, p, end);
        if (end - p == 1)
            return fail(e, CEL_NETADDR_V6_COLON_END, p, end);
        p++;
        if (in[p] == ':') {
            if (ellipsis >= 0)
                return fail(e, CEL_NETADDR_V6_MULTI_ELLIPSIS, p, end);
            ellipsis = i;
            p++;
            if (p == end)
                break;
        }
    }

    if (p != end)
        return fail(e, CEL_NETADDR_V6_TRAILING, p, end);

    if (i < 16) {
        if (ellipsis < 0)
            return fail(e, CEL_NETADDR_V6_TOO_SHORT, 0, 0);
        int gap = 16 - i;
        for (int j = i - 1; j >= ellipsis; j--)
            ip[j + gap] = ip[j];
        memset(ip + ellipsis, 0, (size_t)gap);
    } else if (ellipsis >= 0) {
        return fail(e, CEL_NETADDR_V6_ELLIPSIS_EMPTY, 0, 0);
    }
    memcpy(out->b, ip, 16);
    out->family = 6;
    out->zoned = zoned;
    return true;
}

bool cel_netaddr_parse_addr(const char *s, size_t n, cel_netaddr *out, cel_netaddr_err *err)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '.': {
            uint8_t f[4];
            if (!parse_v4_fields(s, 0, n, f, err))
                return false;
            memset(out, 0, sizeof *out);
            memcpy(out->b, f, 4);
            out->family = 4;
            return true;
        }
        case ':':
            return parse_v6(s, n, out, err);
        case '%':
            return fail(err, CEL_NETADDR_MISSING_V6, 0, 0);
        default:
            break;
        }
    }
    return fail(err, CEL_NETADDR_UNABLE, 0, 0);
}

/* ------------------------------------------------------------ ParsePrefix */

bool cel_netaddr_parse_prefix(const char *s, size_t n, cel_netaddr_prefix *out,
                              cel_netaddr_err *err)
{
    const char *slash = n ? memrchr(s, '/', n) : NULL;
    if (!slash)
        return fail(err, CEL_NETADDR_P_NO_SLASH, 0, 0);
    size_t i = (size_t)(slash - s);
    cel_netaddr a;
    if (!cel_netaddr_parse_addr(s, i, &a, err)) {
        if (err)
            err->addr_len = i;
        return false;
    }
    if (a.family == 6 && a.zoned)
        return fail(err, CEL_NETADDR_P_ZONE, 0, 0);

    /* strconv.Atoi, minus the sign and leading zeros netip refuses. */
    const char *b = s + i + 1;
    size_t blen = n - i - 1;
    if (blen == 0 || (blen > 1 && (b[0] < '1' || b[0] > '9')))
        return fail(err, CEL_NETADDR_P_BAD_BITS, i + 1, n);
    uint64_t bits = 0;
    for (size_t k = 0; k < blen; k++) {
        if (b[k] < '0' || b[k] > '9')
            return fail(err, CEL_NETADDR_P_BAD_BITS, i + 1, n);
        unsigned d = (unsigned)(b[k] - '0');
        if (bits > (UINT64_C(9223372036854775807) - d) / 10)
            return fail(err, CEL_NETADDR_P_BAD_BITS, i + 1, n); /* Atoi range error */
        bits = bits * 10 + d;
    }
    if (bits > (a.family == 4 ? 32u : 128u))
        return fail(err, CEL_NETADDR_P_RANGE, 0, 0);
    out->addr = a;
    out->addr.zoned = false;
    out->bits = (uint8_t)bits;
    return true;
}

/* ------------------------------------------------------------ Kubernetes parsing */

bool cel_netaddr_parse_ip(const char *s, size_t n, cel_netaddr *out, cel_netaddr_err *err)
{
    if (!cel_netaddr_parse_addr(s, n, out, err))
        return false;
    if (out->zoned)
        return fail(err, CEL_NETADDR_K_ZONE, 0, 0);
    if (cel_netaddr_is_4in6(out))
        return fail(err, CEL_NETADDR_K_MAPPED, 0, 0);
    return true;
}

bool cel_netaddr_parse_cidr(const char *s, size_t n, cel_netaddr_prefix *out,
                            cel_netaddr_err *err)
{
    if (!cel_netaddr_parse_prefix(s, n, out, err))
        return false;
    if (cel_netaddr_is_4in6(&out->addr))
        return fail(err, CEL_NETADDR_K_MAPPED, 0, 0);
    return true;
}

/* ------------------------------------------------------------ messages */

static const char *const reason_text[] = {
    [CEL_NETADDR_OK] = "",
    [CEL_NETADDR_UNABLE] = "unable to parse IP",
    [CEL_NETADDR_MISSING_V6] = "missing IPv6 address",
    [CEL_NETADDR_V4_LEADING_ZERO] = "IPv4 field has octet with leading zero",
    [CEL_NETADDR_V4_GT255] = "IPv4 field has value >255",
    [CEL_NETADDR_V4_NO_DIGIT] = "IPv4 field must have at least one digit",
    [CEL_NETADDR_V4_TOO_LONG] = "IPv4 address too long",
    [CEL_NETADDR_V4_UNEXPECTED] = "unexpected character",
    [CEL_NETADDR_V4_TOO_SHORT] = "IPv4 address too short",
    [CEL_NETADDR_ZONE_EMPTY] = "zone must be a non-empty string",
    [CEL_NETADDR_V6_GROUP_DIGITS] = "each group must have 4 or less digits",
    [CEL_NETADDR_V6_NO_DIGIT] = "each colon-separated field must have at least one digit",
    [CEL_NETADDR_V6_V4_PLACE] =
        "embedded IPv4 address must replace the final 2 fields of the address",
    [CEL_NETADDR_V6_V4_ROOM] =
        "too many hex fields to fit an embedded IPv4 at the end of the address",
    [CEL_NETADDR_V6_WANT_COLON] = "unexpected character, want colon",
    [CEL_NETADDR_V6_COLON_END] = "colon must be followed by more characters",
    [CEL_NETADDR_V6_MULTI_ELLIPSIS] = "multiple :: in address",
    [CEL_NETADDR_V6_TRAILING] = "trailing garbage after address",
    [CEL_NETADDR_V6_TOO_SHORT] = "address string too short",
    [CEL_NETADDR_V6_ELLIPSIS_EMPTY] = "the :: must expand to at least one field of zeros",
    [CEL_NETADDR_P_NO_SLASH] = "no '/'",
    [CEL_NETADDR_P_ZONE] = "IPv6 zones cannot be present in a prefix",
    [CEL_NETADDR_P_BAD_BITS] = "bad bits after slash: ",
    [CEL_NETADDR_P_RANGE] = "prefix length out of range",
};

static void out_addr_error(netaddr_out *o, const char *s, size_t n, const cel_netaddr_err *e)
{
    out_str(o, "ParseAddr(");
    out_quote(o, s, n);
    out_str(o, "): ");
    if (e->reason > CEL_NETADDR_OK && e->reason < CEL_NETADDR_P_NO_SLASH)
        out_str(o, reason_text[e->reason]);
    if (e->at < e->at_end && e->at_end <= n) {
        out_str(o, " (at ");
        out_quote(o, s + e->at, e->at_end - e->at);
        out_char(o, ')');
    }
}

static void out_prefix_error(netaddr_out *o, const char *s, size_t n, const cel_netaddr_err *e)
{
    out_str(o, "netip.ParsePrefix(");
    out_quote(o, s, n);
    out_str(o, "): ");
    if (e->reason < CEL_NETADDR_P_NO_SLASH) {
        out_addr_error(o, s, e->addr_len <= n ? e->addr_len : n, e);
    } else if (e->reason == CEL_NETADDR_P_BAD_BITS) {
        out_str(o, reason_text[e->reason]);
        if (e->at <= e->at_end && e->at_end <= n)
            out_quote(o, s + e->at, e->at_end - e->at);
    } else if (e->reason <= CEL_NETADDR_P_RANGE) {
        out_str(o, reason_text[e->reason]);
    }
}

size_t cel_netaddr_addr_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                              size_t cap)
{
    netaddr_out o = {buf, cap, 0};
    out_addr_error(&o, s, n, e);
    return out_finish(&o);
}

size_t cel_netaddr_prefix_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                                size_t cap)
{
    netaddr_out o = {buf, cap, 0};
    out_prefix_error(&o, s, n, e);
    return out_finish(&o);
}

size_t cel_netaddr_ip_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                            size_t cap)
{
    netaddr_out o = {buf, cap, 0};
    if (e->reason == CEL_NETADDR_K_ZONE) {
        out_str(&o, "IP address ");
        out_quote(&o, s, n);
        out_str(&o, " with zone value is not allowed");
    } else if (e->reason == CEL_NETADDR_K_MAPPED) {
        out_str(&o, "IPv4-mapped IPv6 address ");
        out_quote(&o, s, n);
        out_str(&o, " is not allowed");
    } else {
        out_str(&o, "IP Address ");
        out_quote(&o, s, n);
        out_str(&o, " parse error during conversion from string: ");
        out_addr_error(&o, s, n, e);
    }
    return out_finish(&o);
}

size_t cel_netaddr_cidr_error(const char *s, size_t n, const cel_netaddr_err *e, char *buf,
                              size_t cap)
{
    static const char ctx[] = "network address parse error during conversion from string: ";
    netaddr_out o = {buf, cap, 0};
    out_str(&o, ctx);
    if (e->reason == CEL_NETADDR_K_MAPPED) {
        out_str(&o, "IPv4-mapped IPv6 address ");
        out_quote(&o, s, n);
        out_str(&o, " is not allowed");
    } else {
        /* Kubernetes wraps netip's error once in parseCIDR and again in cidr(). */
        out_str(&o, ctx);
        out_prefix_error(&o, s, n, e);
    }
    return out_finish(&o);
}

/* ------------------------------------------------------------ formatting */

static char *put_dec(char *p, unsigned x)
{
    if (x >= 100)
        *p++ = (char)('0' + x / 100);
    if (x >= 10)
        *p++ = (char)('0' + x / 10 % 10);
    *p++ = (char)('0' + x % 10);
    return p;
}

static char *put_v4(char *p, const uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = put_dec(p, b[i]);
    }
    return p;
}

static char *put_hex16(char *p, unsigned x)
{
    if (x >= 0x1000)
        *p++ = hexdig[x >> 12];
    if (x >= 0x100)
        *p++ = hexdig[(x >> 8) & 15];
    if (x >= 0x10)
        *p++ = hexdig[(x >> 4) & 15];
    *p++ = hexdig[x & 15];
    return p;
}

/* RFC 5952 as netip does it: the first longest run of two or more zero
 * groups becomes "::". */
static char *put_v6(char *p, const uint8_t *b)
{
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    int zs = -1, zlen = 0;
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i >= 2 && j - i > zlen) {
            zs = i;
            zlen = j - i;
        }
    }
    for (int i = 0; i < 8; i++) {
        if (i == zs) {
            *p++ = ':';
            *p++ = ':';
            i += zlen;
            if (i >= 8)
                break;
        } else if (i > 0) {
            *p++ = ':';
        }
        p = put_hex16(p, g[i]);
    }
    return p;
}

static char *put_addr(char *p, const cel_netaddr *a)
{
    if (a->family == 4)
        return put_v4(p, a->b);
    if (cel_netaddr_is_4in6(a)) {
        memcpy(p, "::ffff:", 7);
        return put_v4(p + 7, a->b + 12);
    }
    return put_v6(p, a->b);
}

size_t cel_netaddr_format(const cel_netaddr *a, char *buf)
{
    char *end = put_addr(buf, a);
    *end = '\0';
    return (size_t)(end - buf);
}

size_t cel_netaddr_prefix_format(const cel_netaddr_prefix *pfx, char *buf)
{
    char *end = put_addr(buf, &pfx->addr);
    *end++ = '/';
    end = put_dec(end, pfx->bits);
    *end = '\0';
    return (size_t)(end - buf);
}

/* ------------------------------------------------------------ predicates */

bool cel_netaddr_equal(const cel_netaddr *a, const cel_netaddr *b)
{
    return a->family == b->family && a->zoned == b->zoned && memcmp(a->b, b->b, 16) == 0;
}

bool cel_netaddr_prefix_equal(const cel_netaddr_prefix *a, const cel_netaddr_prefix *b)
{
    return a->bits == b->bits && cel_netaddr_equal(&a->addr, &b->addr);
}

bool cel_netaddr_is_4in6(const cel_netaddr *a)
{
    static const uint8_t head[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return a->family == 6 && memcmp(a->b, head, 12) == 0;
}

/* netip unmaps ::ffff:a.b.c.d before most predicates; the IPv4 bytes then
 * sit at b+12. Returns the IPv4 bytes, or NULL for a real IPv6 address. */
static const uint8_t *v4_bytes(const cel_netaddr *a)
{
    if (a->family == 4)
        return a->b;
    return cel_netaddr_is_4in6(a) ? a->b + 12 : NULL;
}

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

bool cel_netaddr_is_unspecified(const cel_netaddr *a)
{
    /* Compared as whole values in Go: a zone or a mapping makes it differ. */
    return !a->zoned && all_zero(a->b, 16);
}

bool cel_netaddr_is_loopback(const cel_netaddr *a)
{
    const uint8_t *v4 = v4_bytes(a);
    if (v4)
        return v4[0] == 127;
    return all_zero(a->b, 15) && a->b[15] == 1;
}

bool cel_netaddr_is_multicast(const cel_netaddr *a)
{
    const uint8_t *v4 = v4_bytes(a);
    if (v4)
        return (v4[0] & 0xf0) == 0xe0;
    return a->b[0] == 0xff;
}

bool cel_netaddr_is_link_local_multicast(const cel_netaddr *a)
{
    const uint8_t *v4 = v4_bytes(a);
    if (v4)
        return v4[0] == 224 && v4[1] == 0 && v4[2] == 0;
    return a->b[0] == 0xff && (a->b[1] & 0x0f) == 0x02;
}

bool cel_netaddr_is_link_local_unicast(const cel_netaddr *a)
{
    const uint8_t *v4 = v4_bytes(a);
    if (v4)
        return v4[0] == 169 && v4[1] == 254;
    return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

bool cel_netaddr_is_global_unicast(const cel_netaddr *a)
{
    const uint8_t *v4 = v4_bytes(a);
    if (v4) {
        static const uint8_t bcast[4] = {255, 255, 255, 255};
        if (all_zero(v4, 4) || memcmp(v4, bcast, 4) == 0)
            return false;
    } else if (cel_netaddr_is_unspecified(a)) {
        return false;
    }
    return !cel_netaddr_is_loopback(a) && !cel_netaddr_is_multicast(a) &&
           !cel_netaddr_is_link_local_unicast(a);
}

/* ------------------------------------------------------------ prefixes */

static void mask_bytes(uint8_t *b, unsigned bits, unsigned nbytes)
{
    for (unsigned i = 0; i < nbytes; i++) {
        if (bits >= 8) {
            bits -= 8;
        } else {
            b[i] &= (uint8_t)(0xff00u >> bits);
            bits = 0;
        }
    }
}

static unsigned addr_bytes(const cel_netaddr *a) { return a->family == 4 ? 4u : 16u; }

cel_netaddr_prefix cel_netaddr_prefix_masked(const cel_netaddr_prefix *p)
{
    cel_netaddr_prefix m = *p;
    m.addr.zoned = false;
    mask_bytes(m.addr.b, m.bits, addr_bytes(&m.addr));
    return m;
}

/* True when the first `bits` bits of x and y agree. */
static bool same_leading_bits(const uint8_t *x, const uint8_t *y, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(x, y, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t m = (uint8_t)(0xff00u >> rest);
    return (x[full] & m) == (y[full] & m);
}

bool cel_netaddr_prefix_contains(const cel_netaddr_prefix *p, const cel_netaddr *a)
{
    if (a->zoned || a->family != p->addr.family)
        return false;
    return same_leading_bits(p->addr.b, a->b, p->bits);
}

bool cel_netaddr_prefix_overlaps(const cel_netaddr_prefix *p, const cel_netaddr_prefix *o)
{
    if (cel_netaddr_prefix_equal(p, o))
        return true;
    if (p->addr.family != o->addr.family)
        return false;
    unsigned min = p->bits < o->bits ? p->bits : o->bits;
    return same_leading_bits(p->addr.b, o->addr.b, min);
}

bool cel_netaddr_prefix_contains_prefix(const cel_netaddr_prefix *p,
                                        const cel_netaddr_prefix *other)
{
    return p->bits <= other->bits && cel_netaddr_prefix_overlaps(p, other);
}
