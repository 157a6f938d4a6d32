/*
 * cel/cel_time.h: calendar arithmetic, RFC 3339 timestamps, Go-style durations
 * and the IANA time-zone database, as CEL's timestamp and duration
 * functions need them (internal to libcel).
 *
 * Behaviour follows what cel-go inherits from Go's time package:
 * timestamps are parsed with time.Parse(time.RFC3339, s), printed with
 * time.RFC3339Nano in UTC, durations are time.Duration (int64 nanoseconds,
 * about +-292 years) parsed with time.ParseDuration, and zones resolve like
 * time.LoadLocation. Error texts are Go's.
 */
#ifndef CEL_TIME_H
#define CEL_TIME_H

#include <stddef.h>
#include <stdint.h>

/* The timestamp range CEL allows: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z. */
#define CEL_TIME_MIN_UNIX (-62135596800LL)
#define CEL_TIME_MAX_UNIX 253402300799LL

#define CEL_NS_PER_SEC 1000000000LL

/* Room for any message the functions below write. */
#define CEL_TIME_ERR_CAP 256

/* A broken-down civil time. */
typedef struct cel_civil {
    int64_t year;
    int month;  /* 1..12 */
    int day;    /* 1..31 */
    int hour, minute, second;
    int32_t nsec;
    int yday;   /* 1..366 */
    int wday;   /* 0 = Sunday */
} cel_civil;

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t cel_time_days_from_civil(int64_t year, int month, int day);
/* The civil time of `sec` seconds since the epoch (already shifted by any
 * zone offset). */
void cel_time_civil_from_unix(int64_t sec, int32_t nsec, cel_civil *out);
int cel_time_is_leap(int64_t year);
int cel_time_days_in_month(int64_t year, int month);

/* time.Parse(time.RFC3339, s): "2009-02-13T23:31:30Z",
 * "2009-02-13T23:31:30.123456789+01:00". On success stores the instant and
 * returns 0; else writes Go's message into err and returns -1. The CEL range
 * is not checked here. */
int cel_time_parse_rfc3339(const char *s, size_t n, int64_t *sec, int32_t *nsec,
                           char *err, size_t errcap);
/* time.RFC3339Nano in UTC: trailing zeros of the fraction trimmed. buf must
 * hold 40 bytes; returns the length written (NUL-terminated). */
size_t cel_time_format_rfc3339(int64_t sec, int32_t nsec, char *buf);

/* time.ParseDuration: "1h2m3.5s", "-1.5h", "300ms", units ns us µs μs ms s
 * m h. Returns 0 and nanoseconds, or -1 with Go's message. */
int cel_time_parse_duration(const char *s, size_t n, int64_t *ns, char *err, size_t errcap);
/* cel-go's string(duration): seconds as Go's FormatFloat(secs, 'f', -1, 64)
 * plus "s" ("1.5s", "0.000000001s", "-90s"). buf must hold 64 bytes. */
size_t cel_time_format_duration(int64_t ns, char *buf);

/* ---------------------------------------------------------------- zones */

/* A parsed TZif file (RFC 8536, versions 1 to 4). */
typedef struct cel_tzdata cel_tzdata;

/* Parses TZif bytes; every count is checked against the size, so corrupt
 * input yields NULL and a message, never a crash. */
cel_tzdata *cel_time_tzif_parse(const unsigned char *p, size_t n, char *err, size_t errcap);
void cel_time_tzif_free(cel_tzdata *z);
/* Seconds east of UTC in effect at the instant unix_sec. */
int32_t cel_time_tzif_offset(const cel_tzdata *z, int64_t unix_sec);

/* Offset (seconds east of UTC) of the named IANA zone at unix_sec, like Go's
 * time.LoadLocation(name) then t.In(loc). "" and "UTC" are UTC; "Local" is
 * taken as UTC as well (a server's local zone must not change verdicts).
 * Zone files are read from $TZDIR or /usr/share/zoneinfo and cached
 * (thread-safe, at most CEL_TIME_ZONE_CACHE zones; beyond that a zone is
 * read for the call and released). Returns 0, or -1 with Go's message
 * ("unknown time zone Foo/Bar", "time: invalid location name"). */
#define CEL_TIME_ZONE_CACHE 64
int cel_time_zone_offset(const char *name, size_t n, int64_t unix_sec, int32_t *offset,
                         char *err, size_t errcap);

/* Shortest decimal digits that read back as d (finite, d > 0): writes the
 * digits (NUL-terminated, at most 17) and the decimal exponent such that
 * d = 0.DIGITS x 10^exp10. */
void cel_time_shortest_digits(double d, char *digits, int *exp10);

#endif
