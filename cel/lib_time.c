/*
 * lib_time.c: cel_lib_time, CEL's timestamps and durations: conversions
 * from and to strings and ints, arithmetic with cel-go's range checks,
 * ordering, and the getters (getFullYear ... getMilliseconds), each with an
 * optional time zone: an IANA name or a fixed offset such as "+05:30".
 *
 * Durations are Go time.Duration values (int64 nanoseconds), as in cel-go;
 * timestamps run from year 1 to year 9999.
 */
#include <stdio.h>
#include <string.h>

#include "lib_std.h"
#include "cel_time.h"

#define ARENA(c) cel_call_arena(c)

static cel_value make_ts(int64_t sec, int32_t nsec)
{
    cel_value v = {0};
    v.kind = CEL_TIMESTAMP;
    v.u.i = sec;
    v.len = (uint32_t)nsec;
    return v;
}

static cel_value make_dur(int64_t ns)
{
    cel_value v = {0};
    v.kind = CEL_DURATION;
    v.u.i = ns / CEL_NS_PER_SEC;
    v.len = (uint32_t)(int32_t)(ns % CEL_NS_PER_SEC);
    return v;
}

static cel_value ts_overflow(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_OVERFLOW, "timestamp overflow");
}

static cel_value dur_overflow(cel_call *c)
{
    return cel_error_new(ARENA(c), CEL_ERR_OVERFLOW, "duration overflow");
}

/* A duration value as nanoseconds; false when it does not fit (values
 * built elsewhere could hold more than time.Duration can). */
static bool dur_ns(const cel_value *v, int64_t *ns)
{
    int64_t s;
    if (__builtin_mul_overflow(v->u.i, CEL_NS_PER_SEC, &s))
        return false;
    return !__builtin_add_overflow(s, (int64_t)(int32_t)v->len, ns);
}

static int32_t ts_nanos(const cel_value *v) { return (int32_t)v->len; }

/* ---------------------------------------------------------------- conversions */

static cel_value string_to_timestamp(cel_call *c, const cel_value *a, size_t n)
{
    int64_t sec;
    int32_t nsec;
    char err[CEL_TIME_ERR_CAP];
    if (cel_time_parse_rfc3339(a[0].u.str, a[0].len, &sec, &nsec, err, sizeof err) != 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "%s", err);
    if (sec < CEL_TIME_MIN_UNIX || sec > CEL_TIME_MAX_UNIX)
        return ts_overflow(c);
    return make_ts(sec, nsec);
}

static cel_value int_to_timestamp(cel_call *c, const cel_value *a, size_t n)
{
    if (a[0].u.i < CEL_TIME_MIN_UNIX || a[0].u.i > CEL_TIME_MAX_UNIX)
        return ts_overflow(c);
    return make_ts(a[0].u.i, 0);
}

static cel_value identity(cel_call *c, const cel_value *a, size_t n) { return a[0]; }

static cel_value string_to_duration(cel_call *c, const cel_value *a, size_t n)
{
    int64_t ns;
    char err[CEL_TIME_ERR_CAP];
    if (cel_time_parse_duration(a[0].u.str, a[0].len, &ns, err, sizeof err) != 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "%s", err);
    return make_dur(ns);
}

static cel_value timestamp_to_string(cel_call *c, const cel_value *a, size_t n)
{
    char buf[48];
    size_t len = cel_time_format_rfc3339(a[0].u.i, ts_nanos(&a[0]), buf);
    return cel_string_copy(ARENA(c), buf, len);
}

static cel_value duration_to_string(cel_call *c, const cel_value *a, size_t n)
{
    int64_t ns;
    if (!dur_ns(&a[0], &ns))
        return dur_overflow(c);
    char buf[64];
    size_t len = cel_time_format_duration(ns, buf);
    return cel_string_copy(ARENA(c), buf, len);
}

static cel_value timestamp_to_int(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i); }

/* ---------------------------------------------------------------- arithmetic */

/* Go's addTimeDurationChecked: seconds and nanoseconds apart, then the
 * CEL range. */
static cel_value ts_add(cel_call *c, const cel_value *ts, int64_t ns)
{
    int64_t sec;
    if (__builtin_add_overflow(ts->u.i, ns / CEL_NS_PER_SEC, &sec))
        return ts_overflow(c);
    int64_t nsec = ts_nanos(ts) + ns % CEL_NS_PER_SEC;
    if (nsec < 0) {
        nsec += CEL_NS_PER_SEC;
        if (__builtin_sub_overflow(sec, 1, &sec))
            return ts_overflow(c);
    } else if (nsec >= CEL_NS_PER_SEC) {
        nsec -= CEL_NS_PER_SEC;
        if (__builtin_add_overflow(sec, 1, &sec))
            return ts_overflow(c);
    }
    if (sec < CEL_TIME_MIN_UNIX || sec > CEL_TIME_MAX_UNIX)
        return ts_overflow(c);
    return make_ts(sec, (int32_t)nsec);
}

static cel_value add_timestamp_duration(cel_call *c, const cel_value *a, size_t n)
{
    int64_t ns;
    if (!dur_ns(&a[1], &ns))
        return dur_overflow(c);
    return ts_add(c, &a[0], ns);
}

static cel_value add_duration_timestamp(cel_call *c, const cel_value *a, size_t n)
{
    int64_t ns;
    if (!dur_ns(&a[0], &ns))
        return dur_overflow(c);
    return ts_add(c, &a[1], ns);
}

static cel_value subtract_timestamp_duration(cel_call *c, const cel_value *a, size_t n)
{
    int64_t ns;
    if (!dur_ns(&a[1], &ns) || ns == INT64_MIN)
        return dur_overflow(c);
    return ts_add(c, &a[0], -ns);
}

static cel_value subtract_timestamp_timestamp(cel_call *c, const cel_value *a, size_t n)
{
    int64_t sec, ns;
    if (__builtin_sub_overflow(a[0].u.i, a[1].u.i, &sec) ||
        __builtin_mul_overflow(sec, CEL_NS_PER_SEC, &ns) ||
        __builtin_add_overflow(ns, (int64_t)ts_nanos(&a[0]) - ts_nanos(&a[1]), &ns))
        return dur_overflow(c);
    return make_dur(ns);
}

static cel_value add_duration_duration(cel_call *c, const cel_value *a, size_t n)
{
    int64_t x, y, r;
    if (!dur_ns(&a[0], &x) || !dur_ns(&a[1], &y) || __builtin_add_overflow(x, y, &r))
        return dur_overflow(c);
    return make_dur(r);
}

static cel_value subtract_duration_duration(cel_call *c, const cel_value *a, size_t n)
{
    int64_t x, y, r;
    if (!dur_ns(&a[0], &x) || !dur_ns(&a[1], &y) || __builtin_sub_overflow(x, y, &r))
        return dur_overflow(c);
    return make_dur(r);
}

/* ---------------------------------------------------------------- getters */

/* The offset named by a zone argument, as cel-go's timeZone(): no colon
 * means an IANA name; otherwise [+-]HH:MM read with strconv.Atoi. */
static bool zone_offset(cel_call *c, const cel_value *tz, int64_t at, int64_t *offset,
                        cel_value *error)
{
    const char *s = tz->u.str;
    size_t n = tz->len;
    const char *colon = memchr(s, ':', n);
    char err[CEL_TIME_ERR_CAP];
    if (!colon) {
        int32_t off;
        if (cel_time_zone_offset(s, n, at, &off, err, sizeof err) != 0) {
            *error = cel_error_new(ARENA(c), CEL_ERR_GENERAL, "%s", err);
            return false;
        }
        *offset = off;
        return true;
    }
    int64_t part[2];
    const char *from[2] = {s, colon + 1};
    size_t len[2] = {(size_t)(colon - s), n - (size_t)(colon - s) - 1};
    for (int k = 0; k < 2; k++) {
        /* strconv.Atoi: optional sign, decimal digits, int64 range. */
        const char *p = from[k];
        size_t l = len[k], i = 0;
        bool neg = false, ok = l > 0, range = false;
        uint64_t v = 0;
        if (l > 0 && (p[0] == '+' || p[0] == '-')) {
            neg = p[0] == '-';
            i = 1;
            ok = l > 1;
        }
        for (; ok && i < l; i++) {
            if (p[i] < '0' || p[i] > '9') {
                ok = false;
                break;
            }
            if (v > (UINT64_MAX - 9) / 10)
                range = true;
            else
                v = v * 10 + (uint64_t)(p[i] - '0');
        }
        if (ok && (range || v > (uint64_t)INT64_MAX))
            range = true;
        if (!ok || range) {
            *error = cel_error_new(ARENA(c), CEL_ERR_GENERAL, "strconv.Atoi: parsing \"%.*s\": %s",
                                   (int)(l > 64 ? 64 : l), p, ok ? "value out of range" : "invalid syntax");
            return false;
        }
        part[k] = neg ? -(int64_t)v : (int64_t)v;
    }
    /* offset = hr*60 -/+ min (minutes), then seconds; sign from the text. */
    int64_t minutes, secs;
    if (__builtin_mul_overflow(part[0], 60, &minutes) ||
        (s[0] == '-' ? __builtin_sub_overflow(minutes, part[1], &minutes)
                     : __builtin_add_overflow(minutes, part[1], &minutes)) ||
        __builtin_mul_overflow(minutes, 60, &secs)) {
        *error = ts_overflow(c);
        return false;
    }
    *offset = secs;
    return true;
}

enum getter {
    G_YEAR, G_MONTH, G_DAY_OF_YEAR, G_DAY_OF_MONTH, G_DATE, G_DAY_OF_WEEK,
    G_HOURS, G_MINUTES, G_SECONDS, G_MILLIS
};

static cel_value ts_get(cel_call *c, const cel_value *a, size_t n, enum getter g)
{
    int64_t offset = 0, local;
    if (n > 1) {
        cel_value e;
        if (!zone_offset(c, &a[1], a[0].u.i, &offset, &e))
            return e;
    }
    if (__builtin_add_overflow(a[0].u.i, offset, &local))
        return ts_overflow(c);
    cel_civil cv;
    cel_time_civil_from_unix(local, ts_nanos(&a[0]), &cv);
    switch (g) {
    case G_YEAR: return cel_int(cv.year);
    case G_MONTH: return cel_int(cv.month - 1);
    case G_DAY_OF_YEAR: return cel_int(cv.yday - 1);
    case G_DAY_OF_MONTH: return cel_int(cv.day - 1);
    case G_DATE: return cel_int(cv.day);
    case G_DAY_OF_WEEK: return cel_int(cv.wday);
    case G_HOURS: return cel_int(cv.hour);
    case G_MINUTES: return cel_int(cv.minute);
    case G_SECONDS: return cel_int(cv.second);
    default: return cel_int(cv.nsec / 1000000);
    }
}

#define TS_GETTER(name, g) \
    static cel_value name(cel_call *c, const cel_value *a, size_t n) { return ts_get(c, a, n, g); }
TS_GETTER(ts_year, G_YEAR)
TS_GETTER(ts_month, G_MONTH)
TS_GETTER(ts_day_of_year, G_DAY_OF_YEAR)
TS_GETTER(ts_day_of_month, G_DAY_OF_MONTH)
TS_GETTER(ts_date, G_DATE)
TS_GETTER(ts_day_of_week, G_DAY_OF_WEEK)
TS_GETTER(ts_hours, G_HOURS)
TS_GETTER(ts_minutes, G_MINUTES)
TS_GETTER(ts_seconds, G_SECONDS)
TS_GETTER(ts_millis, G_MILLIS)

/* Duration totals, truncated toward zero. */
static cel_value dur_get(cel_call *c, const cel_value *a, int64_t unit)
{
    int64_t ns;
    if (!dur_ns(&a[0], &ns))
        return dur_overflow(c);
    return cel_int(ns / unit);
}

static cel_value dur_hours(cel_call *c, const cel_value *a, size_t n) { return dur_get(c, a, 3600 * CEL_NS_PER_SEC); }
static cel_value dur_minutes(cel_call *c, const cel_value *a, size_t n) { return dur_get(c, a, 60 * CEL_NS_PER_SEC); }
static cel_value dur_seconds(cel_call *c, const cel_value *a, size_t n) { return dur_get(c, a, CEL_NS_PER_SEC); }
static cel_value dur_millis(cel_call *c, const cel_value *a, size_t n) { return dur_get(c, a, 1000000); }

/* ---------------------------------------------------------------- the table */

#define T_TS &cel_t_timestamp
#define T_DUR &cel_t_duration
#define T_INT &cel_t_int
#define T_STR &cel_t_string
#define T_BOOL &cel_t_bool

#define F1(id, name, p0, r, fn, fl) {id, name, false, 1, fl, {p0}, r, fn, NULL, NULL, NULL}
#define F2(id, name, p0, p1, r, fn) {id, name, false, 2, 0, {p0, p1}, r, fn, NULL, NULL, NULL}
#define M1(id, name, p0, r, fn) {id, name, true, 1, 0, {p0}, r, fn, NULL, NULL, NULL}
#define M2(id, name, p0, p1, r, fn) {id, name, true, 2, 0, {p0, p1}, r, fn, NULL, NULL, NULL}

#define TS_GET(id, name, fn) M1(id, name, T_TS, T_INT, fn), M2(id "_with_tz", name, T_TS, T_STR, T_INT, fn)

#define ORDER_TIME(op, pre, fn) \
    F2(pre "_timestamp", op, T_TS, T_TS, T_BOOL, fn), F2(pre "_duration", op, T_DUR, T_DUR, T_BOOL, fn)

static const cel_overload time_overloads[] = {
    F1("string_to_timestamp", "timestamp", T_STR, T_TS, string_to_timestamp, CEL_FN_VALIDATE_LITERAL),
    F1("int64_to_timestamp", "timestamp", T_INT, T_TS, int_to_timestamp, 0),
    F1("timestamp_to_timestamp", "timestamp", T_TS, T_TS, identity, 0),
    F1("string_to_duration", "duration", T_STR, T_DUR, string_to_duration, CEL_FN_VALIDATE_LITERAL),
    F1("duration_to_duration", "duration", T_DUR, T_DUR, identity, 0),
    F1("timestamp_to_string", "string", T_TS, T_STR, timestamp_to_string, 0),
    F1("duration_to_string", "string", T_DUR, T_STR, duration_to_string, 0),
    F1("timestamp_to_int64", "int", T_TS, T_INT, timestamp_to_int, 0),

    F2("add_timestamp_duration", "_+_", T_TS, T_DUR, T_TS, add_timestamp_duration),
    F2("add_duration_timestamp", "_+_", T_DUR, T_TS, T_TS, add_duration_timestamp),
    F2("add_duration_duration", "_+_", T_DUR, T_DUR, T_DUR, add_duration_duration),
    F2("subtract_timestamp_timestamp", "_-_", T_TS, T_TS, T_DUR, subtract_timestamp_timestamp),
    F2("subtract_timestamp_duration", "_-_", T_TS, T_DUR, T_TS, subtract_timestamp_duration),
    F2("subtract_duration_duration", "_-_", T_DUR, T_DUR, T_DUR, subtract_duration_duration),

    ORDER_TIME("_<_", "less", cel_std_less),
    ORDER_TIME("_<=_", "less_equals", cel_std_less_equals),
    ORDER_TIME("_>_", "greater", cel_std_greater),
    ORDER_TIME("_>=_", "greater_equals", cel_std_greater_equals),

    TS_GET("timestamp_to_year", "getFullYear", ts_year),
    TS_GET("timestamp_to_month", "getMonth", ts_month),
    TS_GET("timestamp_to_day_of_year", "getDayOfYear", ts_day_of_year),
    TS_GET("timestamp_to_day_of_month", "getDayOfMonth", ts_day_of_month),
    TS_GET("timestamp_to_day_of_month_1_based", "getDate", ts_date),
    TS_GET("timestamp_to_day_of_week", "getDayOfWeek", ts_day_of_week),
    TS_GET("timestamp_to_hours", "getHours", ts_hours),
    TS_GET("timestamp_to_minutes", "getMinutes", ts_minutes),
    TS_GET("timestamp_to_seconds", "getSeconds", ts_seconds),
    TS_GET("timestamp_to_milliseconds", "getMilliseconds", ts_millis),
    M1("duration_to_hours", "getHours", T_DUR, T_INT, dur_hours),
    M1("duration_to_minutes", "getMinutes", T_DUR, T_INT, dur_minutes),
    M1("duration_to_seconds", "getSeconds", T_DUR, T_INT, dur_seconds),
    M1("duration_to_milliseconds", "getMilliseconds", T_DUR, T_INT, dur_millis),
};

const cel_library cel_lib_time = {
    "cel.time", time_overloads, sizeof time_overloads / sizeof time_overloads[0], NULL, 0,
};
