/*
 * k8sfmt.c: the format checks of k8sfmt.h. apimachinery's regexes are
 * small and anchored, so each is a direct scan here; the messages are
 * apimachinery's RegexError/MaxLenError texts for the current release
 * (lengths in bytes, as its validate/content package words them).
 */
#include <string.h>

#include "k8sfmt.h"

#define DNS1123_LABEL_MSG                                                                        \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and " \
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "   \
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1123_SUBDOMAIN_MSG                                                                     \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used " \
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_LABEL_MSG                                                                        \
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " \
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "         \
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define LABEL_KEY_RE_MSG                                                                         \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "      \
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE_MSG                                                                           \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or " \
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "           \
    "'my_value',  or '12345', regex used for validation is "                                    \
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/* A string as apimachinery's NameIs*(name, prefix=true) sees it:
 * maskTrailingDash turns "...x-" into "...a" (it drops two bytes and adds
 * one, as written upstream). */
typedef struct view {
    const char *s;
    size_t n;    /* logical length */
    bool masked; /* last byte reads as 'a' */
} view;

static char at(const view *v, size_t i) { return v->masked && i == v->n - 1 ? 'a' : v->s[i]; }

static bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over v[from, to) (or [a-z] first for 1035) */
static bool label_span(const view *v, size_t from, size_t to, bool rfc1035)
{
    if (from >= to)
        return false;
    char first = at(v, from), last = at(v, to - 1);
    if (rfc1035 ? !(first >= 'a' && first <= 'z') : !lower_alnum(first))
        return false;
    if (!lower_alnum(last))
        return false;
    for (size_t i = from + 1; i + 1 < to; i++) {
        char c = at(v, i);
        if (!lower_alnum(c) && c != '-')
            return false;
    }
    return true;
}

static bool subdomain_match(const view *v)
{
    size_t start = 0;
    for (size_t i = 0; i <= v->n; i++)
        if (i == v->n || at(v, i) == '.') {
            if (!label_span(v, start, i, false))
                return false;
            start = i + 1;
        }
    return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool label_key_name(const char *s, size_t n)
{
    if (n == 0 || !alnum(s[0]) || !alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static size_t add(const char **msgs, size_t k, const char *m)
{
    if (k < CEL_KFMT_MAX_MSGS)
        msgs[k++] = m;
    return k;
}

/* IsDNS1123Label */
static size_t dns1123_label(const view *v, const char **msgs)
{
    size_t k = 0;
    if (v->n > 63)
        k = add(msgs, k, "must be no more than 63 bytes");
    if (!label_span(v, 0, v->n, false))
        k = add(msgs, k, subdomain_match(v) ? "must not contain dots" : DNS1123_LABEL_MSG);
    return k;
}

/* IsDNS1123Subdomain, with the text it is prefixed by (IsLabelKey's
 * "prefix part ") */
static size_t dns1123_subdomain(const view *v, const char **msgs, size_t k, bool prefix_part)
{
    if (v->n > 253)
        k = add(msgs, k, prefix_part ? "prefix part must be no more than 253 bytes"
                                     : "must be no more than 253 bytes");
    if (!subdomain_match(v))
        k = add(msgs, k, prefix_part ? "prefix part " DNS1123_SUBDOMAIN_MSG : DNS1123_SUBDOMAIN_MSG);
    return k;
}

static size_t dns1035_label(const view *v, const char **msgs)
{
    size_t k = 0;
    if (v->n > 63)
        k = add(msgs, k, "must be no more than 63 bytes");
    if (!label_span(v, 0, v->n, true))
        k = add(msgs, k, DNS1035_LABEL_MSG);
    return k;
}

/* IsQualifiedName (content.IsLabelKey) */
static size_t qualified_name(const char *s, size_t n, const char **msgs)
{
    size_t k = 0;
    const char *slash = memchr(s, '/', n);
    const char *name = s;
    size_t nlen = n;
    if (slash) {
        if (memchr(slash + 1, '/', (size_t)(s + n - slash - 1)))
            return add(msgs, 0,
                       "a valid label key " LABEL_KEY_RE_MSG
                       " with an optional DNS subdomain prefix and '/' (e.g. "
                       "'example.com/MyName')");
        size_t plen = (size_t)(slash - s);
        if (plen == 0) {
            k = add(msgs, k, "prefix part must be non-empty");
        } else {
            view pv = {s, plen, false};
            k = dns1123_subdomain(&pv, msgs, k, true);
        }
        name = slash + 1;
        nlen = (size_t)(s + n - name);
    }
    if (nlen == 0)
        k = add(msgs, k, "name part must be non-empty");
    else if (nlen > 63)
        k = add(msgs, k, "name part must be no more than 63 bytes");
    if (!label_key_name(name, nlen))
        k = add(msgs, k, "name part " LABEL_KEY_RE_MSG);
    return k;
}

static size_t label_value(const char *s, size_t n, const char **msgs)
{
    size_t k = 0;
    if (n > 63)
        k = add(msgs, k, "must be no more than 63 bytes");
    if (n && !label_key_name(s, n))
        k = add(msgs, k, LABEL_VALUE_MSG);
    return k;
}

static bool hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$ */
static bool is_uuid(const char *s, size_t n)
{
    static const int groups[5] = {8, 4, 4, 4, 12};
    size_t i = 0;
    for (int g = 0; g < 5; g++) {
        if (g && i < n && s[i] == '-')
            i++;
        for (int j = 0; j < groups[g]; j++, i++)
            if (i >= n || !hex(s[i]))
                return false;
    }
    return i == n;
}

static bool b64char(char c) { return alnum(c) || c == '+' || c == '/'; }

/* govalidator's Base64 pattern: whole groups of four, the last one
 * possibly padded; the empty string does not match. */
static bool is_base64(const char *s, size_t n)
{
    if (n == 0 || n % 4)
        return false;
    for (size_t i = 0; i < n - 4; i++)
        if (!b64char(s[i]))
            return false;
    const char *t = s + n - 4;
    if (!b64char(t[0]) || !b64char(t[1]))
        return false;
    if (t[2] == '=')
        return t[3] == '=';
    return b64char(t[2]) && (t[3] == '=' || b64char(t[3]));
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* time.Parse("2006-01-02", s) succeeds */
static bool is_date(const char *s, size_t n)
{
    if (n != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return false;
    int dim = mdays[month - 1];
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        dim = 29;
    return day <= dim;
}

/* z or [+-]dd:dd, case-folded as strings.ToLower would have it */
static bool tz_tail(const char *s, size_t n)
{
    if (n == 1)
        return s[0] == 'z' || s[0] == 'Z';
    return n == 6 && (s[0] == '+' || s[0] == '-') && digits(s + 1, 2) && s[3] == ':' &&
           digits(s + 4, 2);
}

static bool cont(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

/* The bytes of one rune as Go's utf8.DecodeRune reads it: a malformed or
 * overlong sequence is one U+FFFD of one byte. */
static size_t rune_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    if (c < 0x80 || n < 2)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return cont(s[1], 0x80, 0xbf) ? 2 : 1;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (c >= 0xe0 && c <= 0xef)
        return n >= 3 && cont(s[1], lo, hi) && cont(s[2], 0x80, 0xbf) ? 3 : 1;
    if (c >= 0xf0 && c <= 0xf4)
        return n >= 4 && cont(s[1], lo, hi) && cont(s[2], 0x80, 0xbf) && cont(s[3], 0x80, 0xbf)
                   ? 4
                   : 1;
    return 1;
}

/* strfmt.IsDateTime: lower-cased, split at 't' (only the first two pieces
 * count), a date, then ^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$
 * with each field compared as text against 23/59/59. */
static bool is_datetime(const char *s, size_t n)
{
    if (n < 4)
        return false;
    const char *t = NULL;
    for (size_t i = 0; i < n && !t; i++)
        if (s[i] == 't' || s[i] == 'T')
            t = s + i;
    if (!t || !is_date(s, (size_t)(t - s)))
        return false;
    const char *r = t + 1, *end = s + n;
    for (const char *p = r; p < end; p++)
        if (*p == 't' || *p == 'T') {
            end = p;
            break;
        }
    size_t rn = (size_t)(end - r);
    if (rn < 9 || !digits(r, 2) || r[2] != ':' || !digits(r + 3, 2) || r[5] != ':' ||
        !digits(r + 6, 2))
        return false;
    if (memcmp(r, "23", 2) > 0 || memcmp(r + 3, "59", 2) > 0 || memcmp(r + 6, "59", 2) > 0)
        return false;
    const char *rest = r + 8;
    size_t left = rn - 8;
    if (tz_tail(rest, left))
        return true;
    /* (.[0-9]+) then the zone: try both zone lengths */
    if (left < 3 || rest[0] == '\n')
        return false;
    size_t x = rune_len(rest, left);
    static const size_t tails[2] = {1, 6};
    for (int k = 0; k < 2; k++) {
        size_t tl = tails[k];
        if (left < x + 1 + tl)
            continue;
        if (tz_tail(rest + left - tl, tl) && digits(rest + x, left - tl - x))
            return true;
    }
    return false;
}

size_t cel_kfmt_validate(int kind, const char *s, size_t n, const char *msgs[CEL_KFMT_MAX_MSGS],
                         bool *panics)
{
    *panics = false;
    view v = {s, n, false};
    switch (kind) {
    case CEL_KFMT_DNS1123_LABEL_PREFIX:
    case CEL_KFMT_DNS1123_SUBDOMAIN_PREFIX:
    case CEL_KFMT_DNS1035_LABEL_PREFIX:
        if (n && s[n - 1] == '-') {
            if (n == 1) {
                *panics = true;
                return 0;
            }
            v.n = n - 1;
            v.masked = true;
        }
        break;
    }
    switch (kind) {
    case CEL_KFMT_DNS1123_LABEL:
    case CEL_KFMT_DNS1123_LABEL_PREFIX: return dns1123_label(&v, msgs);
    case CEL_KFMT_DNS1123_SUBDOMAIN:
    case CEL_KFMT_DNS1123_SUBDOMAIN_PREFIX: return dns1123_subdomain(&v, msgs, 0, false);
    case CEL_KFMT_DNS1035_LABEL:
    case CEL_KFMT_DNS1035_LABEL_PREFIX: return dns1035_label(&v, msgs);
    case CEL_KFMT_QUALIFIED_NAME: return qualified_name(s, n, msgs);
    case CEL_KFMT_LABEL_VALUE: return label_value(s, n, msgs);
    case CEL_KFMT_UUID: return is_uuid(s, n) ? 0 : add(msgs, 0, "does not match the UUID format");
    case CEL_KFMT_BYTE: return is_base64(s, n) ? 0 : add(msgs, 0, "invalid base64");
    case CEL_KFMT_DATE: return is_date(s, n) ? 0 : add(msgs, 0, "invalid date");
    case CEL_KFMT_DATETIME: return is_datetime(s, n) ? 0 : add(msgs, 0, "invalid datetime");
    default: return 0;
    }
}
