/*
 * alloc_ip.c: IP and CIDR text for the allocator. One scanner accepts what
 * Go's old "sloppy" parser accepted (leading zeros, long zero-padded IPv6
 * groups) and flags those forms, so validation can tell "not an IP at all"
 * from "must not have leading 0s" the way the API server does; canonical
 * text is Go netip's (RFC 5952 style). Inputs carry lengths: never strlen.
 */
#include "alloc_int.h"

#include <stdio.h>
#include <string.h>

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

/* Dotted quad; *lz set when a field has a leading zero. */
static bool parse4(const char *s, size_t len, uint32_t *out, bool *lz)
{
    uint32_t v = 0;
    size_t i = 0;
    for (int f = 0; f < 4; f++) {
        if (f > 0) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        uint32_t n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            n = n * 10 + (uint32_t)(s[i] - '0');
            if (n > 255)
                return false;
            i++;
        }
        if (i == start)
            return false;
        if (i - start > 1 && s[start] == '0')
            *lz = true;
        v = v << 8 | n;
    }
    if (i != len)
        return false;
    *out = v;
    return true;
}

static bool parse6(const char *s, size_t len, alloc_u128 *out, bool *lz)
{
    uint16_t g[8] = {0};
    int n = 0, ellipsis = -1;
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        i = 2;
    }
    while (i < len) {
        size_t j = i;
        uint32_t v = 0;
        while (j < len && hexval(s[j]) >= 0) {
            if (v <= 0xFFFF)
                v = v * 16 + (uint32_t)hexval(s[j]);
            j++;
        }
        if (j == i)
            return false;
        if (j < len && s[j] == '.') {
            /* Embedded IPv4 fills the last two groups. */
            if (n > 6 || (ellipsis < 0 && n != 6))
                return false;
            uint32_t v4;
            if (!parse4(s + i, len - i, &v4, lz))
                return false;
            g[n++] = (uint16_t)(v4 >> 16);
            g[n++] = (uint16_t)v4;
            i = len;
            break;
        }
        if (v > 0xFFFF || n == 8)
            return false;
        if (j - i > 4)
            *lz = true; /* only zero padding can make a field this long */
        g[n++] = (uint16_t)v;
        i = j;
        if (i == len)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < len && s[i] == ':') {
            if (ellipsis >= 0)
                return false;
            ellipsis = n;
            i++;
        } else if (i == len) {
            return false;
        }
    }
    if (ellipsis < 0) {
        if (n != 8)
            return false;
    } else {
        if (n >= 8)
            return false;
        int shift = 8 - n;
        for (int k = n - 1; k >= ellipsis; k--)
            g[k + shift] = g[k];
        for (int k = ellipsis; k < ellipsis + shift; k++)
            g[k] = 0;
    }
    out->hi = (uint64_t)g[0] << 48 | (uint64_t)g[1] << 32 | (uint64_t)g[2] << 16 | g[3];
    out->lo = (uint64_t)g[4] << 48 | (uint64_t)g[5] << 32 | (uint64_t)g[6] << 16 | g[7];
    return true;
}

static bool parse_any(const char *s, size_t len, alloc_ip *out, bool *lz)
{
    if (memchr(s, ':', len)) {
        out->fam = ALLOC_IPV6;
        return parse6(s, len, &out->v, lz);
    }
    uint32_t v4;
    if (!parse4(s, len, &v4, lz))
        return false;
    out->fam = ALLOC_IPV4;
    out->v.hi = 0;
    out->v.lo = v4;
    return true;
}

static bool is_mapped(const alloc_ip *ip)
{
    return ip->fam == ALLOC_IPV6 && ip->v.hi == 0 && (ip->v.lo >> 32) == 0xFFFF;
}

alloc_parse_rc alloc_ip_parse(const char *s, size_t len, alloc_ip *out)
{
    bool lz = false;
    if (len == 0 || len > 64 || !parse_any(s, len, out, &lz))
        return ALLOC_PARSE_INVALID;
    if (lz)
        return ALLOC_PARSE_LEADING_ZERO;
    if (is_mapped(out))
        return ALLOC_PARSE_MAPPED;
    char buf[ALLOC_IP_STRLEN];
    alloc_ip_format(out, buf);
    if (strlen(buf) != len || memcmp(buf, s, len) != 0)
        return ALLOC_PARSE_NONCANONICAL;
    return ALLOC_PARSE_OK;
}

static alloc_u128 host_mask(int hostbits)
{
    alloc_u128 m = {0, 0};
    if (hostbits >= 64) {
        m.lo = UINT64_MAX;
        m.hi = hostbits >= 128 ? UINT64_MAX : ((uint64_t)1 << (hostbits - 64)) - 1;
    } else if (hostbits > 0) {
        m.lo = ((uint64_t)1 << hostbits) - 1;
    }
    return m;
}

int alloc_prefix_hostbits(const alloc_prefix *p)
{
    return (p->net.fam == ALLOC_IPV4 ? 32 : 128) - p->bits;
}

alloc_u128 alloc_prefix_last(const alloc_prefix *p)
{
    alloc_u128 m = host_mask(alloc_prefix_hostbits(p));
    alloc_u128 r = {p->net.v.hi | m.hi, p->net.v.lo | m.lo};
    return r;
}

alloc_parse_rc alloc_prefix_parse(const char *s, size_t len, alloc_prefix *out)
{
    const char *slash = len ? memchr(s, '/', len) : NULL;
    if (!slash || len > 80)
        return ALLOC_PARSE_INVALID;
    size_t iplen = (size_t)(slash - s), blen = len - iplen - 1;
    bool lz = false;
    alloc_ip ip;
    if (!parse_any(s, iplen, &ip, &lz))
        return ALLOC_PARSE_INVALID;
    if (blen == 0 || blen > 8)
        return ALLOC_PARSE_INVALID;
    int bits = 0;
    for (size_t i = 0; i < blen; i++) {
        char c = slash[1 + i];
        if (c < '0' || c > '9')
            return ALLOC_PARSE_INVALID;
        bits = bits * 10 + (c - '0');
    }
    if (bits > (ip.fam == ALLOC_IPV4 ? 32 : 128))
        return ALLOC_PARSE_INVALID;
    if (blen > 1 && slash[1] == '0')
        lz = true;
    out->net = ip;
    out->bits = bits;
    if (lz)
        return ALLOC_PARSE_LEADING_ZERO;
    if (is_mapped(&ip))
        return ALLOC_PARSE_MAPPED;
    alloc_u128 m = host_mask(alloc_prefix_hostbits(out));
    if ((ip.v.hi & m.hi) || (ip.v.lo & m.lo)) {
        out->net.v.hi &= ~m.hi;
        out->net.v.lo &= ~m.lo;
        return ALLOC_PARSE_HOST_BITS;
    }
    char buf[ALLOC_IP_STRLEN + 4];
    alloc_prefix_format(out, buf);
    if (strlen(buf) != len || memcmp(buf, s, len) != 0)
        return ALLOC_PARSE_NONCANONICAL;
    return ALLOC_PARSE_OK;
}

void alloc_ip_format(const alloc_ip *ip, char *buf)
{
    if (ip->fam == ALLOC_IPV4) {
        uint32_t v = (uint32_t)ip->v.lo;
        snprintf(buf, ALLOC_IP_STRLEN, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
                 v & 255);
        return;
    }
    unsigned g[8];
    for (int k = 0; k < 4; k++) {
        g[k] = (unsigned)(ip->v.hi >> (48 - 16 * k)) & 0xFFFF;
        g[4 + k] = (unsigned)(ip->v.lo >> (48 - 16 * k)) & 0xFFFF;
    }
    /* The first longest run of two or more zero groups becomes "::". */
    int zs = -1, ze = -1;
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i >= 2 && j - i > ze - zs) {
            zs = i;
            ze = j;
        }
    }
    char *p = buf;
    for (int i = 0; i < 8; i++) {
        if (i == zs) {
            *p++ = ':';
            *p++ = ':';
            i = ze - 1;
            continue;
        }
        if (i > 0 && i != ze)
            *p++ = ':';
        p += sprintf(p, "%x", g[i]);
    }
    *p = 0;
}

void alloc_prefix_format(const alloc_prefix *p, char *buf)
{
    alloc_ip_format(&p->net, buf);
    size_t n = strlen(buf);
    snprintf(buf + n, ALLOC_IP_STRLEN + 4 - n, "/%d", p->bits);
}

bool alloc_prefix_has(const alloc_prefix *p, const alloc_ip *ip)
{
    if (p->net.fam != ip->fam)
        return false;
    alloc_u128 m = host_mask(alloc_prefix_hostbits(p));
    return (ip->v.hi & ~m.hi) == p->net.v.hi && (ip->v.lo & ~m.lo) == p->net.v.lo;
}

bool alloc_prefix_contains_usable(const alloc_prefix *p, const alloc_ip *ip)
{
    if (!alloc_prefix_has(p, ip))
        return false;
    if (alloc_u128_cmp(ip->v, p->net.v) == 0)
        return false;
    if (ip->fam == ALLOC_IPV4 && alloc_u128_cmp(ip->v, alloc_prefix_last(p)) == 0)
        return false;
    return true;
}

bool alloc_prefix_covers(const alloc_prefix *p, const alloc_prefix *q)
{
    return p->net.fam == q->net.fam && p->bits <= q->bits && alloc_prefix_has(p, &q->net);
}

const char *alloc_family_name(alloc_family f)
{
    return f == ALLOC_IPV4 ? "IPv4" : "IPv6";
}

/* Public validators: the detail texts of apimachinery's IP/CIDR checks. */
const char *alloc_validate_cidr(const char *s, size_t len, char *buf, size_t bufsz)
{
    alloc_prefix p;
    switch (alloc_prefix_parse(s, len, &p)) {
    case ALLOC_PARSE_OK:
        return NULL;
    case ALLOC_PARSE_INVALID:
        return "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
    case ALLOC_PARSE_LEADING_ZERO:
        return "must not have leading 0s in IP or prefix length";
    case ALLOC_PARSE_MAPPED:
        return "must not have an IPv4-mapped IPv6 address";
    case ALLOC_PARSE_HOST_BITS:
        return "must not have bits set beyond the prefix length";
    case ALLOC_PARSE_NONCANONICAL:
        break;
    }
    char canon[ALLOC_IP_STRLEN + 4];
    alloc_prefix_format(&p, canon);
    snprintf(buf, bufsz, "must be in canonical form (\"%s\")", canon);
    return buf;
}

const char *alloc_validate_ip(const char *s, size_t len, char *buf, size_t bufsz)
{
    alloc_ip ip;
    switch (alloc_ip_parse(s, len, &ip)) {
    case ALLOC_PARSE_OK:
        return NULL;
    case ALLOC_PARSE_INVALID:
    case ALLOC_PARSE_HOST_BITS:
        return "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    case ALLOC_PARSE_LEADING_ZERO:
        return "must not have leading 0s";
    case ALLOC_PARSE_MAPPED:
        return "must not be an IPv4-mapped IPv6 address";
    case ALLOC_PARSE_NONCANONICAL:
        break;
    }
    char canon[ALLOC_IP_STRLEN];
    alloc_ip_format(&ip, canon);
    snprintf(buf, bufsz, "must be in canonical form (\"%s\")", canon);
    return buf;
}
