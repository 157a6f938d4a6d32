/*
 * semver.c: blang/semver v4's Parse and Compare and Kubernetes'
 * normalizeAndParse (semverlib.go), check for check in their order, so that
 * the first failure is the one Go reports.
 */
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "semver.h"

static bool only_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* blang's alphanum: letters, digits and '-'. Any byte >= 0x80 (a rune
 * outside the set, or U+FFFD for bad UTF-8) fails, as in containsOnly. */
static bool only_alphanum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-'))
            return false;
    }
    return true;
}

static bool leading_zero(const char *s, size_t n) { return n > 1 && s[0] == '0'; }

/* strconv.ParseUint(s, 10, 64) on digits only; *range on overflow. */
static bool parse_u64(const char *s, size_t n, uint64_t *out, bool *range)
{
    *range = false;
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            *range = true;
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool fail(cel_semver_err *err, int reason, int part, const char *base, const char *p,
                 size_t n)
{
    if (err) {
        err->reason = reason;
        err->part = part;
        err->range = false;
        err->off = p ? (size_t)(p - base) : 0;
        err->len = n;
    }
    return false;
}

/* Major, minor or patch: digits, no leading zero, fits uint64. */
static bool number(const char *base, const char *p, size_t n, int part, uint64_t *out,
                   cel_semver_err *err)
{
    if (!only_digits(p, n))
        return fail(err, CEL_SEMVER_CHARS, part, base, p, n);
    if (leading_zero(p, n))
        return fail(err, CEL_SEMVER_LEADING_ZERO, part, base, p, n);
    bool range;
    if (!parse_u64(p, n, out, &range)) {
        fail(err, CEL_SEMVER_PARSEUINT, part, base, p, n);
        if (err)
            err->range = range;
        return false;
    }
    return true;
}

bool cel_semver_parse(const char *s, size_t n, cel_semver *out, cel_semver_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return fail(err, CEL_SEMVER_EMPTY, 0, s, NULL, 0);
    /* strings.SplitN(s, ".", 3) */
    const char *d1 = memchr(s, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(s + n - d1 - 1)) : NULL;
    if (!d2)
        return fail(err, CEL_SEMVER_NO_MMP, 0, s, NULL, 0);
    if (!number(s, s, (size_t)(d1 - s), 0, &out->major, err) ||
        !number(s, d1 + 1, (size_t)(d2 - d1 - 1), 1, &out->minor, err))
        return false;
    const char *patch = d2 + 1;
    size_t plen = (size_t)(s + n - patch);
    const char *plus = memchr(patch, '+', plen);
    if (plus) {
        out->build = plus + 1;
        out->build_len = (size_t)(s + n - plus - 1);
        plen = (size_t)(plus - patch);
    }
    const char *dash = memchr(patch, '-', plen);
    if (dash) {
        out->pre = dash + 1;
        out->pre_len = (size_t)(patch + plen - dash - 1);
        plen = (size_t)(dash - patch);
    }
    if (!number(s, patch, plen, 2, &out->patch, err))
        return false;
    /* prerelease identifiers (NewPRVersion) */
    for (const char *p = out->pre, *end = p ? p + out->pre_len : NULL; p;) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t len = (size_t)((dot ? dot : end) - p);
        if (len == 0)
            return fail(err, CEL_SEMVER_PRE_EMPTY, 0, s, NULL, 0);
        if (only_digits(p, len)) {
            if (leading_zero(p, len))
                return fail(err, CEL_SEMVER_PRE_ZERO, 0, s, p, len);
            uint64_t v;
            bool range;
            if (!parse_u64(p, len, &v, &range)) {
                fail(err, CEL_SEMVER_PARSEUINT, 3, s, p, len);
                if (err)
                    err->range = range;
                return false;
            }
        } else if (!only_alphanum(p, len)) {
            return fail(err, CEL_SEMVER_PRE_CHARS, 0, s, p, len);
        }
        if (!dot)
            break;
        p = dot + 1;
    }
    for (const char *p = out->build, *end = p ? p + out->build_len : NULL; p;) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t len = (size_t)((dot ? dot : end) - p);
        if (len == 0)
            return fail(err, CEL_SEMVER_BUILD_EMPTY, 0, s, NULL, 0);
        if (!only_alphanum(p, len))
            return fail(err, CEL_SEMVER_BUILD_CHARS, 0, s, p, len);
        if (!dot)
            break;
        p = dot + 1;
    }
    return true;
}

bool cel_semver_normalize(const char *s, size_t n, char *out, size_t *out_len,
                          cel_semver_err *err)
{
    if (n && s[0] == 'v') {
        s++;
        n--;
    }
    const char *part[3];
    size_t len[3];
    size_t nparts = 0;
    for (const char *p = s, *end = s + n;;) {
        const char *dot = nparts < 2 ? memchr(p, '.', (size_t)(end - p)) : NULL;
        part[nparts] = p;
        len[nparts] = (size_t)((dot ? dot : end) - p);
        nparts++;
        if (!dot)
            break;
        p = dot + 1;
    }
    size_t o = 0;
    for (size_t i = 0; i < nparts; i++) {
        const char *p = part[i];
        size_t l = len[i];
        if (i)
            out[o++] = '.';
        if (l > 1) {
            while (l && *p == '0') {
                p++;
                l--;
            }
            if (l == 0 || *p < '0' || *p > '9')
                out[o++] = '0';
        }
        memcpy(out + o, p, l);
        o += l;
    }
    if (nparts < 3) {
        const char *last = part[nparts - 1];
        size_t l = len[nparts - 1];
        if (memchr(last, '+', l) || memchr(last, '-', l)) {
            if (err) {
                memset(err, 0, sizeof *err);
                err->reason = CEL_SEMVER_SHORT_META;
            }
            return false;
        }
        for (; nparts < 3; nparts++) {
            out[o++] = '.';
            out[o++] = '0';
        }
    }
    *out_len = o;
    return true;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* PRVersion.Compare on two identifiers already validated by Parse. */
static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
    bool anum = only_digits(a, an), bnum = only_digits(b, bn);
    if (anum != bnum)
        return anum ? -1 : 1;
    if (anum) {
        /* no leading zeros: the longer number is larger */
        if (an != bn)
            return an < bn ? -1 : 1;
        int c = memcmp(a, b, an);
        return c < 0 ? -1 : c > 0;
    }
    size_t m = an < bn ? an : bn;
    int c = memcmp(a, b, m);
    if (c)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

int cel_semver_compare(const cel_semver *a, const cel_semver *b)
{
    int c = cmp_u64(a->major, b->major);
    if (!c)
        c = cmp_u64(a->minor, b->minor);
    if (!c)
        c = cmp_u64(a->patch, b->patch);
    if (c)
        return c;
    if (!a->pre && !b->pre)
        return 0;
    if (!a->pre)
        return 1;
    if (!b->pre)
        return -1;
    const char *p = a->pre, *pe = a->pre + a->pre_len;
    const char *q = b->pre, *qe = b->pre + b->pre_len;
    for (;;) {
        const char *pd = memchr(p, '.', (size_t)(pe - p));
        const char *qd = memchr(q, '.', (size_t)(qe - q));
        size_t pl = (size_t)((pd ? pd : pe) - p), ql = (size_t)((qd ? qd : qe) - q);
        c = cmp_ident(p, pl, q, ql);
        if (c)
            return c;
        if (!pd || !qd)
            return !pd && !qd ? 0 : !pd ? -1 : 1;
        p = pd + 1;
        q = qd + 1;
    }
}

/* snprintf-like accumulation: texts and Go-quoted spans. */
typedef struct msg_out {
    char *buf;
    size_t cap, len;
} msg_out;

static void put(msg_out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + 1 < o->cap) {
        size_t room = o->cap - o->len - 1;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void put_quoted(msg_out *o, const char *s, size_t n)
{
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    o->len += cel_netaddr_quote(s, n, room ? o->buf + o->len : NULL, room);
}

size_t cel_semver_error(const char *s, size_t n, const cel_semver_err *e, char *buf, size_t cap)
{
    static const char *const lower[] = {"major", "minor", "patch"};
    static const char *const upper[] = {"Major", "Minor", "Patch"};
    msg_out o = {buf, cap, 0};
    const char *q = s + e->off;
    int part = e->part > 2 ? 2 : e->part;
    switch (e->reason) {
    case CEL_SEMVER_EMPTY: put(&o, "Version string empty"); break;
    case CEL_SEMVER_NO_MMP: put(&o, "No Major.Minor.Patch elements found"); break;
    case CEL_SEMVER_CHARS:
        put(&o, "Invalid character(s) found in ");
        put(&o, lower[part]);
        put(&o, " number ");
        put_quoted(&o, q, e->len);
        break;
    case CEL_SEMVER_LEADING_ZERO:
        put(&o, upper[part]);
        put(&o, " number must not contain leading zeroes ");
        put_quoted(&o, q, e->len);
        break;
    case CEL_SEMVER_PARSEUINT:
        put(&o, "strconv.ParseUint: parsing ");
        put_quoted(&o, q, e->len);
        put(&o, e->range ? ": value out of range" : ": invalid syntax");
        break;
    case CEL_SEMVER_PRE_EMPTY: put(&o, "Prerelease is empty"); break;
    case CEL_SEMVER_PRE_ZERO:
        put(&o, "Numeric PreRelease version must not contain leading zeroes ");
        put_quoted(&o, q, e->len);
        break;
    case CEL_SEMVER_PRE_CHARS:
        put(&o, "Invalid character(s) found in prerelease ");
        put_quoted(&o, q, e->len);
        break;
    case CEL_SEMVER_BUILD_EMPTY: put(&o, "Build meta data is empty"); break;
    case CEL_SEMVER_BUILD_CHARS:
        put(&o, "Invalid character(s) found in build meta data ");
        put_quoted(&o, q, e->len);
        break;
    case CEL_SEMVER_SHORT_META:
        put(&o, "short version cannot contain PreRelease/Build meta data");
        break;
    default: put(&o, "invalid semantic version"); break;
    }
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    (void)n;
    return o.len;
}
