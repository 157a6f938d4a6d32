/*
 * time.c: calendar arithmetic, RFC 3339 parsing and printing, Go duration
 * syntax, and the IANA time-zone database (TZif files plus their POSIX TZ
 * footer) for CEL's timestamp functions. See time.h for the contract; the
 * behaviour and error texts are those of Go's time package, which cel-go
 * (and so Kubernetes) uses.
 */
#include "cel_time.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECS_PER_DAY 86400LL

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* Go's quote() for messages: printable ASCII as is, the rest escaped, and
 * cut short so a hostile input cannot make messages unbounded. */
static void quote(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    if (cap < 8)
        return;
    out[o++] = '"';
    for (size_t i = 0; i < n && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else if (c >= 0x80) {
            out[o++] = (char)c; /* UTF-8 passes through as Go prints it */
        } else {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* ---------------------------------------------------------------- calendar */

int cel_time_is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int cel_time_days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && cel_time_is_leap(y))
        return 29;
    return dim[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Howard Hinnant's days_from_civil, on 400-year eras. */
int64_t cel_time_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cel_time_civil_from_unix(int64_t sec, int32_t nsec, cel_civil *out)
{
    int64_t days = floor_div(sec, SECS_PER_DAY);
    int64_t rem = sec - days * SECS_PER_DAY;
    out->hour = (int)(rem / 3600);
    out->minute = (int)(rem % 3600 / 60);
    out->second = (int)(rem % 60);
    out->nsec = nsec;
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    out->wday = (int)(w < 0 ? w + 7 : w);

    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (m <= 2)
        y++;
    out->year = y;
    out->month = m;
    out->day = d;
    out->yday = (int)(days - cel_time_days_from_civil(y, 1, 1)) + 1;
}

/* ---------------------------------------------------------------- RFC 3339 */

#define RFC3339_LAYOUT "2006-01-02T15:04:05Z07:00"

/* Reads exactly `width` digits at s[*i]. */
static bool fixed_digits(const char *s, size_t n, size_t *i, int width, int *out)
{
    if (*i + (size_t)width > n)
        return false;
    int v = 0;
    for (int k = 0; k < width; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)width;
    *out = v;
    return true;
}

static int parse_fail(const char *s, size_t n, size_t at, const char *elem, char *err, size_t cap)
{
    char qv[96], qr[96];
    quote(qv, sizeof qv, s, n);
    quote(qr, sizeof qr, s + at, n - at);
    set_err(err, cap, "parsing time %s as \"" RFC3339_LAYOUT "\": cannot parse %s as \"%s\"",
            qv, qr, elem);
    return -1;
}

static int range_fail(const char *s, size_t n, const char *what, char *err, size_t cap)
{
    char qv[96];
    quote(qv, sizeof qv, s, n);
    set_err(err, cap, "parsing time %s: %s out of range", qv, what);
    return -1;
}

int cel_time_parse_rfc3339(const char *s, size_t n, int64_t *sec, int32_t *nsec,
                           char *err, size_t errcap)
{
    size_t i = 0;
    int year = 0, mon = 0, day = 0, hour = 0, min = 0, secs = 0;
    if (!fixed_digits(s, n, &i, 4, &year))
        return parse_fail(s, n, 0, "2006", err, errcap);
    if (i >= n || s[i] != '-')
        return parse_fail(s, n, i, "-", err, errcap);
    i++;
    if (!fixed_digits(s, n, &i, 2, &mon))
        return parse_fail(s, n, i, "01", err, errcap);
    if (mon < 1 || mon > 12)
        return range_fail(s, n, "month", err, errcap);
    if (i >= n || s[i] != '-')
        return parse_fail(s, n, i, "-", err, errcap);
    i++;
    if (!fixed_digits(s, n, &i, 2, &day))
        return parse_fail(s, n, i, "02", err, errcap);
    if (day > 31)
        return range_fail(s, n, "day", err, errcap);
    if (i >= n || s[i] != 'T')
        return parse_fail(s, n, i, "T", err, errcap);
    i++;
    if (!fixed_digits(s, n, &i, 2, &hour))
        return parse_fail(s, n, i, "15", err, errcap);
    if (hour > 23)
        return range_fail(s, n, "hour", err, errcap);
    if (i >= n || s[i] != ':')
        return parse_fail(s, n, i, ":", err, errcap);
    i++;
    if (!fixed_digits(s, n, &i, 2, &min))
        return parse_fail(s, n, i, "04", err, errcap);
    if (min > 59)
        return range_fail(s, n, "minute", err, errcap);
    if (i >= n || s[i] != ':')
        return parse_fail(s, n, i, ":", err, errcap);
    i++;
    if (!fixed_digits(s, n, &i, 2, &secs))
        return parse_fail(s, n, i, "05", err, errcap);
    if (secs > 59)
        return range_fail(s, n, "second", err, errcap);

    /* Go accepts a fraction after the seconds even though the layout has
     * none; digits past the ninth are dropped. */
    int32_t frac = 0;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        int digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (digits < 9) {
                frac = frac * 10 + (s[i] - '0');
                digits++;
            }
            i++;
        }
        while (digits++ < 9)
            frac *= 10;
    }

    int32_t offset = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else {
        int oh, om;
        size_t start = i;
        if (i >= n || (s[i] != '+' && s[i] != '-'))
            return parse_fail(s, n, i, "Z07:00", err, errcap);
        i++;
        if (!fixed_digits(s, n, &i, 2, &oh) || i >= n || s[i] != ':')
            return parse_fail(s, n, start, "Z07:00", err, errcap);
        i++;
        if (!fixed_digits(s, n, &i, 2, &om))
            return parse_fail(s, n, start, "Z07:00", err, errcap);
        if (oh > 23 || om > 59)
            return range_fail(s, n, "time zone offset", err, errcap);
        offset = (oh * 3600 + om * 60) * (s[start] == '-' ? -1 : 1);
    }
    if (i != n) {
        char qv[96], qr[96];
        quote(qv, sizeof qv, s, n);
        quote(qr, sizeof qr, s + i, n - i);
        set_err(err, errcap, "parsing time %s: extra text: %s", qv, qr);
        return -1;
    }
    if (day < 1 || day > cel_time_days_in_month(year, mon))
        return range_fail(s, n, "day", err, errcap);

    int64_t days = cel_time_days_from_civil(year, mon, day);
    *sec = days * SECS_PER_DAY + hour * 3600 + min * 60 + secs - offset;
    *nsec = frac;
    return 0;
}

size_t cel_time_format_rfc3339(int64_t sec, int32_t nsec, char *buf)
{
    cel_civil c;
    cel_time_civil_from_unix(sec, nsec, &c);
    int len = snprintf(buf, 40, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)c.year, c.month,
                       c.day, c.hour, c.minute, c.second);
    if (nsec > 0) {
        char frac[16];
        snprintf(frac, sizeof frac, "%09d", (int)nsec);
        int fl = 9;
        while (fl > 0 && frac[fl - 1] == '0')
            fl--;
        len += snprintf(buf + len, 40 - (size_t)len, ".%.*s", fl, frac);
    }
    buf[len++] = 'Z';
    buf[len] = '\0';
    return (size_t)len;
}

/* ---------------------------------------------------------------- durations */

#define DUR_MAX_ABS (1ULL << 63)

static int dur_invalid(const char *s, size_t n, char *err, size_t cap)
{
    char q[96];
    quote(q, sizeof q, s, n);
    set_err(err, cap, "time: invalid duration %s", q);
    return -1;
}

int cel_time_parse_duration(const char *orig, size_t on, int64_t *out, char *err, size_t errcap)
{
    const char *s = orig;
    size_t n = on;
    bool neg = false;
    uint64_t total = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return 0;
    }
    if (n == 0)
        return dur_invalid(orig, on, err, errcap);
    while (n > 0) {
        uint64_t v = 0, f = 0;
        double scale = 1.0;
        if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
            return dur_invalid(orig, on, err, errcap);
        size_t k = 0;
        while (k < n && s[k] >= '0' && s[k] <= '9') {
            if (v > DUR_MAX_ABS / 10)
                return dur_invalid(orig, on, err, errcap);
            v = v * 10 + (uint64_t)(s[k] - '0');
            if (v > DUR_MAX_ABS)
                return dur_invalid(orig, on, err, errcap);
            k++;
        }
        bool pre = k > 0;
        bool post = false;
        s += k;
        n -= k;
        if (n > 0 && s[0] == '.') {
            s++;
            n--;
            k = 0;
            bool overflow = false;
            while (k < n && s[k] >= '0' && s[k] <= '9') {
                if (!overflow) {
                    if (f > (DUR_MAX_ABS - 1) / 10) {
                        overflow = true;
                    } else {
                        uint64_t y = f * 10 + (uint64_t)(s[k] - '0');
                        if (y > DUR_MAX_ABS)
                            overflow = true;
                        else {
                            f = y;
                            scale *= 10;
                        }
                    }
                }
                k++;
            }
            post = k > 0;
            s += k;
            n -= k;
        }
        if (!pre && !post)
            return dur_invalid(orig, on, err, errcap);
        k = 0;
        while (k < n && s[k] != '.' && !(s[k] >= '0' && s[k] <= '9'))
            k++;
        if (k == 0) {
            char q[96];
            quote(q, sizeof q, orig, on);
            set_err(err, errcap, "time: missing unit in duration %s", q);
            return -1;
        }
        uint64_t unit;
        if (k == 2 && memcmp(s, "ns", 2) == 0)
            unit = 1;
        else if ((k == 2 && memcmp(s, "us", 2) == 0) || (k == 3 && memcmp(s, "\xc2\xb5s", 3) == 0) ||
                 (k == 3 && memcmp(s, "\xce\xbcs", 3) == 0))
            unit = 1000;
        else if (k == 2 && memcmp(s, "ms", 2) == 0)
            unit = 1000000;
        else if (k == 1 && s[0] == 's')
            unit = 1000000000ULL;
        else if (k == 1 && s[0] == 'm')
            unit = 60ULL * 1000000000ULL;
        else if (k == 1 && s[0] == 'h')
            unit = 3600ULL * 1000000000ULL;
        else {
            char qu[64], q[96];
            quote(qu, sizeof qu, s, k);
            quote(q, sizeof q, orig, on);
            set_err(err, errcap, "time: unknown unit %s in duration %s", qu, q);
            return -1;
        }
        s += k;
        n -= k;
        if (v > DUR_MAX_ABS / unit)
            return dur_invalid(orig, on, err, errcap);
        v *= unit;
        if (f > 0) {
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > DUR_MAX_ABS)
                return dur_invalid(orig, on, err, errcap);
        }
        total += v;
        if (total > DUR_MAX_ABS)
            return dur_invalid(orig, on, err, errcap);
    }
    if (neg) {
        *out = total == DUR_MAX_ABS ? INT64_MIN : -(int64_t)total;
        return 0;
    }
    if (total > DUR_MAX_ABS - 1)
        return dur_invalid(orig, on, err, errcap);
    *out = (int64_t)total;
    return 0;
}

void cel_time_shortest_digits(double d, char *digits, int *exp10)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d || prec == 17)
            break;
    }
    /* buf is "D.DDDDe+XX": collect the digits, drop trailing zeros. */
    size_t o = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[o++] = *p;
    while (o > 1 && digits[o - 1] == '0')
        o--;
    digits[o] = '\0';
    *exp10 = atoi(p + 1) + 1;
}

size_t cel_time_format_duration(int64_t ns, char *buf)
{
    /* As Go's Duration.Seconds(): whole seconds plus the fraction, in double. */
    int64_t whole = ns / CEL_NS_PER_SEC, frac = ns % CEL_NS_PER_SEC;
    double secs = (double)whole + (double)frac / 1e9;
    size_t o = 0;
    if (secs == 0) {
        memcpy(buf, "0s", 3);
        return 2;
    }
    if (secs < 0) {
        buf[o++] = '-';
        secs = -secs;
    }
    char dg[24];
    int e;
    cel_time_shortest_digits(secs, dg, &e);
    int nd = (int)strlen(dg);
    if (e <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int k = 0; k < -e; k++)
            buf[o++] = '0';
        memcpy(buf + o, dg, (size_t)nd);
        o += (size_t)nd;
    } else {
        for (int k = 0; k < e; k++)
            buf[o++] = k < nd ? dg[k] : '0';
        if (nd > e) {
            buf[o++] = '.';
            memcpy(buf + o, dg + e, (size_t)(nd - e));
            o += (size_t)(nd - e);
        }
    }
    buf[o++] = 's';
    buf[o] = '\0';
    return o;
}

/* ---------------------------------------------------------------- POSIX TZ rules */

typedef enum { RULE_JULIAN, RULE_DOY, RULE_MWD } rule_kind;

typedef struct tz_rule {
    rule_kind kind;
    int day, week, mon;
    int32_t time; /* seconds after local midnight */
} tz_rule;

typedef struct posix_tz {
    bool present;
    bool has_dst;
    int32_t std_off, dst_off; /* seconds east */
    tz_rule start, end;
} posix_tz;

static bool tz_name(const char **p, const char *e)
{
    const char *s = *p;
    if (s < e && *s == '<') {
        s++;
        const char *b = s;
        while (s < e && *s != '>')
            s++;
        if (s >= e || s == b)
            return false;
        *p = s + 1;
        return true;
    }
    const char *b = s;
    while (s < e && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        s++;
    if (s - b < 3)
        return false;
    *p = s;
    return true;
}

static bool tz_num(const char **p, const char *e, int lo, int hi, int *out)
{
    const char *s = *p;
    int v = 0, k = 0;
    while (s < e && *s >= '0' && *s <= '9' && k < 4) {
        v = v * 10 + (*s - '0');
        s++;
        k++;
    }
    if (k == 0 || v < lo || v > hi)
        return false;
    *p = s;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]] with hours up to 167 (RFC 8536 extension). */
static bool tz_hms(const char **p, const char *e, int32_t *out)
{
    const char *s = *p;
    int sign = 1, h, m = 0, sec = 0;
    if (s < e && (*s == '+' || *s == '-')) {
        if (*s == '-')
            sign = -1;
        s++;
    }
    if (!tz_num(&s, e, 0, 167, &h))
        return false;
    if (s < e && *s == ':') {
        s++;
        if (!tz_num(&s, e, 0, 59, &m))
            return false;
        if (s < e && *s == ':') {
            s++;
            if (!tz_num(&s, e, 0, 59, &sec))
                return false;
        }
    }
    *p = s;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static bool tz_rule_parse(const char **p, const char *e, tz_rule *r)
{
    const char *s = *p;
    if (s < e && *s == 'J') {
        s++;
        r->kind = RULE_JULIAN;
        if (!tz_num(&s, e, 1, 365, &r->day))
            return false;
    } else if (s < e && *s == 'M') {
        s++;
        r->kind = RULE_MWD;
        if (!tz_num(&s, e, 1, 12, &r->mon) || s >= e || *s++ != '.' ||
            !tz_num(&s, e, 1, 5, &r->week) || s >= e || *s++ != '.' ||
            !tz_num(&s, e, 0, 6, &r->day))
            return false;
    } else {
        r->kind = RULE_DOY;
        if (!tz_num(&s, e, 0, 365, &r->day))
            return false;
    }
    r->time = 2 * 3600;
    if (s < e && *s == '/') {
        s++;
        if (!tz_hms(&s, e, &r->time))
            return false;
    }
    *p = s;
    return true;
}

static bool posix_parse(const char *s, size_t n, posix_tz *tz)
{
    const char *e = s + n;
    memset(tz, 0, sizeof *tz);
    int32_t off;
    if (!tz_name(&s, e) || !tz_hms(&s, e, &off))
        return false;
    tz->std_off = -off; /* POSIX offsets count west */
    tz->present = true;
    if (s == e)
        return true;
    if (!tz_name(&s, e))
        return false;
    tz->has_dst = true;
    tz->dst_off = tz->std_off + 3600;
    if (s < e && *s != ',') {
        if (!tz_hms(&s, e, &off))
            return false;
        tz->dst_off = -off;
    }
    if (s == e) {
        /* Go's default rule when none is given (US rules since 2007). */
        tz->start = (tz_rule){RULE_MWD, 0, 2, 3, 7200};
        tz->end = (tz_rule){RULE_MWD, 0, 1, 11, 7200};
        return true;
    }
    if (*s++ != ',' || !tz_rule_parse(&s, e, &tz->start) || s >= e || *s++ != ',' ||
        !tz_rule_parse(&s, e, &tz->end))
        return false;
    return s == e;
}

/* Seconds from the start of `year` (UTC) to the rule's instant, given the
 * offset in effect before it. */
static int64_t rule_time(int64_t year, const tz_rule *r, int32_t off)
{
    int64_t d;
    switch (r->kind) {
    case RULE_JULIAN:
        d = r->day - 1;
        if (cel_time_is_leap(year) && r->day >= 60)
            d++;
        break;
    case RULE_DOY:
        d = r->day;
        break;
    default: {
        int64_t first = cel_time_days_from_civil(year, r->mon, 1);
        int64_t w = (first + 4) % 7;
        if (w < 0)
            w += 7;
        int64_t dd = r->day - w;
        if (dd < 0)
            dd += 7;
        for (int i = 1; i < r->week; i++) {
            if (dd + 7 >= cel_time_days_in_month(year, r->mon))
                break;
            dd += 7;
        }
        d = first - cel_time_days_from_civil(year, 1, 1) + dd;
        break;
    }
    }
    return d * SECS_PER_DAY + r->time - off;
}

static int32_t posix_offset(const posix_tz *tz, int64_t sec)
{
    if (!tz->has_dst)
        return tz->std_off;
    cel_civil c;
    cel_time_civil_from_unix(sec, 0, &c);
    int64_t ysec = sec - cel_time_days_from_civil(c.year, 1, 1) * SECS_PER_DAY;
    int64_t start = rule_time(c.year, &tz->start, tz->std_off);
    int64_t end = rule_time(c.year, &tz->end, tz->dst_off);
    if (end < start) /* southern hemisphere: DST spans the new year */
        return (ysec >= end && ysec < start) ? tz->std_off : tz->dst_off;
    return (ysec >= start && ysec < end) ? tz->dst_off : tz->std_off;
}

/* ---------------------------------------------------------------- TZif */

#define TZIF_MAX_FILE (1u << 20)
#define TZIF_MAX_TIMES 100000u
#define TZIF_MAX_TYPES 256u

typedef struct tz_type {
    int32_t utoff;
    bool isdst;
} tz_type;

struct cel_tzdata {
    size_t ntimes, ntypes;
    int64_t *times;
    uint8_t *idx;
    tz_type *types;
    posix_tz footer;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_header {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

static bool tzif_header_read(const unsigned char *p, size_t n, tzif_header *h, char *version)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    *version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return true;
}

/* Size of the data block after a header, or 0 when the counts are absurd. */
static size_t tzif_block_size(const tzif_header *h, size_t tsize)
{
    if (h->timecnt > TZIF_MAX_TIMES || h->typecnt == 0 || h->typecnt > TZIF_MAX_TYPES ||
        h->charcnt > 65536 || h->leapcnt > 65536 || h->isutcnt > h->typecnt ||
        h->isstdcnt > h->typecnt)
        return 0;
    return (size_t)h->timecnt * tsize + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

cel_tzdata *cel_time_tzif_parse(const unsigned char *p, size_t n, char *err, size_t errcap)
{
    tzif_header h;
    char version;
    if (n > TZIF_MAX_FILE || !tzif_header_read(p, n, &h, &version)) {
        set_err(err, errcap, "malformed time zone information");
        return NULL;
    }
    size_t body = tzif_block_size(&h, 4);
    if (body == 0 || body > n - 44) {
        set_err(err, errcap, "malformed time zone information");
        return NULL;
    }
    const unsigned char *data = p + 44;
    size_t tsize = 4;
    const unsigned char *footer = NULL;
    size_t footer_len = 0;
    if (version >= '2') {
        /* Skip the 32-bit block: the 64-bit one follows with its own header. */
        const unsigned char *p2 = data + body;
        size_t rest = n - 44 - body;
        if (!tzif_header_read(p2, rest, &h, &version)) {
            set_err(err, errcap, "malformed time zone information");
            return NULL;
        }
        size_t body2 = tzif_block_size(&h, 8);
        if (body2 == 0 || body2 > rest - 44) {
            set_err(err, errcap, "malformed time zone information");
            return NULL;
        }
        data = p2 + 44;
        tsize = 8;
        const unsigned char *f = data + body2;
        size_t frest = rest - 44 - body2;
        if (frest >= 2 && f[0] == '\n') {
            const unsigned char *nl = memchr(f + 1, '\n', frest - 1);
            if (nl) {
                footer = f + 1;
                footer_len = (size_t)(nl - footer);
            }
        }
    }

    cel_tzdata *z = calloc(1, sizeof *z);
    if (!z) {
        set_err(err, errcap, "out of memory");
        return NULL;
    }
    z->ntimes = h.timecnt;
    z->ntypes = h.typecnt;
    z->times = malloc((h.timecnt ? h.timecnt : 1) * sizeof *z->times);
    z->idx = malloc(h.timecnt ? h.timecnt : 1);
    z->types = malloc(h.typecnt * sizeof *z->types);
    if (!z->times || !z->idx || !z->types) {
        cel_time_tzif_free(z);
        set_err(err, errcap, "out of memory");
        return NULL;
    }
    const unsigned char *q = data;
    for (size_t i = 0; i < h.timecnt; i++, q += tsize)
        z->times[i] = tsize == 8 ? be64(q) : (int64_t)(int32_t)be32(q);
    for (size_t i = 0; i < h.timecnt; i++, q++) {
        if (*q >= h.typecnt) {
            cel_time_tzif_free(z);
            set_err(err, errcap, "malformed time zone information");
            return NULL;
        }
        z->idx[i] = *q;
    }
    for (size_t i = 0; i < h.typecnt; i++, q += 6) {
        int32_t off = (int32_t)be32(q);
        /* RFC 8536 forbids -2^31; anything beyond a day is nonsense too. */
        if (off < -26 * 3600 || off > 26 * 3600) {
            cel_time_tzif_free(z);
            set_err(err, errcap, "malformed time zone information");
            return NULL;
        }
        z->types[i].utoff = off;
        z->types[i].isdst = q[4] != 0;
    }
    if (footer && footer_len > 0)
        posix_parse((const char *)footer, footer_len, &z->footer);
    return z;
}

void cel_time_tzif_free(cel_tzdata *z)
{
    if (!z)
        return;
    free(z->times);
    free(z->idx);
    free(z->types);
    free(z);
}

/* Go's choice of zone for instants before the first transition. */
static size_t first_type(const cel_tzdata *z)
{
    bool used = false;
    for (size_t i = 0; i < z->ntimes; i++)
        if (z->idx[i] == 0)
            used = true;
    if (!used)
        return 0;
    if (z->ntimes > 0 && z->types[z->idx[0]].isdst) {
        for (size_t zi = z->idx[0]; zi-- > 0;)
            if (!z->types[zi].isdst)
                return zi;
    }
    for (size_t zi = 0; zi < z->ntypes; zi++)
        if (!z->types[zi].isdst)
            return zi;
    return 0;
}

int32_t cel_time_tzif_offset(const cel_tzdata *z, int64_t sec)
{
    if (z->ntimes == 0 || sec < z->times[0]) {
        if (z->ntimes == 0 && z->footer.present)
            return posix_offset(&z->footer, sec);
        return z->types[first_type(z)].utoff;
    }
    if (sec >= z->times[z->ntimes - 1] && z->footer.present)
        return posix_offset(&z->footer, sec);
    size_t lo = 0, hi = z->ntimes; /* times[lo] <= sec < times[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->times[mid] <= sec)
            lo = mid;
        else
            hi = mid;
    }
    return z->types[z->idx[lo]].utoff;
}

/* ---------------------------------------------------------------- zone cache */

#define ZONE_NAME_MAX 255

typedef struct zone_entry {
    char name[ZONE_NAME_MAX + 1];
    cel_tzdata *data;
} zone_entry;

/* The one piece of process-wide mutable state in libcel: zone files are
 * read once and shared by every program and thread, under the mutex. The
 * table is bounded; entries live until the process ends. */
static struct {
    pthread_mutex_t mu;
    size_t n;
    zone_entry e[CEL_TIME_ZONE_CACHE];
} zone_cache = {PTHREAD_MUTEX_INITIALIZER, 0, {{{0}, NULL}}};

static bool name_is_safe(const char *name, size_t n)
{
    if (name[0] == '/' || name[0] == '\\')
        return false;
    for (size_t i = 0; i + 1 < n; i++)
        if (name[i] == '.' && name[i + 1] == '.')
            return false;
    return true;
}

static cel_tzdata *zone_load(const char *name, char *err, size_t errcap)
{
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        goto unknown;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ELOOP) /* zoneinfo uses symlinks between its own files */
        fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        goto unknown;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > TZIF_MAX_FILE) {
        close(fd);
        goto unknown;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size);
    if (!buf) {
        close(fd);
        set_err(err, errcap, "out of memory");
        return NULL;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    cel_tzdata *z = got == size ? cel_time_tzif_parse(buf, size, NULL, 0) : NULL;
    free(buf);
    if (z)
        return z;
unknown:
    set_err(err, errcap, "unknown time zone %s", name);
    return NULL;
}

int cel_time_zone_offset(const char *name, size_t n, int64_t sec, int32_t *offset, char *err,
                         size_t errcap)
{
    if (n == 0 || (n == 3 && memcmp(name, "UTC", 3) == 0) ||
        (n == 5 && memcmp(name, "Local", 5) == 0)) {
        *offset = 0;
        return 0;
    }
    if (!name_is_safe(name, n)) {
        set_err(err, errcap, "time: invalid location name");
        return -1;
    }
    char key[ZONE_NAME_MAX + 1];
    if (n > ZONE_NAME_MAX || memchr(name, '\0', n)) {
        char q[96];
        quote(q, sizeof q, name, n);
        /* Go prints the name unquoted; a NUL or an overlong name cannot be
         * a zone file, and printing it raw would garble the message. */
        set_err(err, errcap, "unknown time zone %.*s", (int)(strlen(q) - 2), q + 1);
        return -1;
    }
    memcpy(key, name, n);
    key[n] = '\0';

    pthread_mutex_lock(&zone_cache.mu);
    for (size_t i = 0; i < zone_cache.n; i++) {
        if (strcmp(zone_cache.e[i].name, key) == 0) {
            *offset = cel_time_tzif_offset(zone_cache.e[i].data, sec);
            pthread_mutex_unlock(&zone_cache.mu);
            return 0;
        }
    }
    pthread_mutex_unlock(&zone_cache.mu);

    /* Read outside the lock: a slow disk must not stall other threads. */
    cel_tzdata *z = zone_load(key, err, errcap);
    if (!z)
        return -1;
    *offset = cel_time_tzif_offset(z, sec);

    pthread_mutex_lock(&zone_cache.mu);
    bool kept = false;
    bool present = false;
    for (size_t i = 0; i < zone_cache.n; i++)
        if (strcmp(zone_cache.e[i].name, key) == 0)
            present = true;
    if (!present && zone_cache.n < CEL_TIME_ZONE_CACHE) {
        memcpy(zone_cache.e[zone_cache.n].name, key, n + 1);
        zone_cache.e[zone_cache.n].data = z;
        zone_cache.n++;
        kept = true;
    }
    pthread_mutex_unlock(&zone_cache.mu);
    if (!kept)
        cel_time_tzif_free(z);
    return 0;
}
