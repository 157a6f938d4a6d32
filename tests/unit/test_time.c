/*
 * test_time.c: RFC 3339 and Go duration parsing/printing, civil-time
 * conversion, the TZif reader and its POSIX-rule footer (known offsets in
 * and out of DST, far-future dates, hostile files), and cel_lib_time's
 * overloads with their range errors.
 */
#include <unistd.h>

#include "std_support.h"
#include "cel/cel_time.h"

/* ---------------------------------------------------------------- RFC 3339 */

static void expect_ts(const char *s, int64_t sec, int32_t nsec)
{
    int64_t gs;
    int32_t gn;
    char err[CEL_TIME_ERR_CAP];
    if (cel_time_parse_rfc3339(s, strlen(s), &gs, &gn, err, sizeof err) != 0)
        fail_msg("%s: %s", s, err);
    assert_true(gs == sec);
    assert_int_equal(gn, nsec);
}

static void expect_ts_error(const char *s, const char *msg)
{
    int64_t gs;
    int32_t gn;
    char err[CEL_TIME_ERR_CAP];
    assert_int_equal(cel_time_parse_rfc3339(s, strlen(s), &gs, &gn, err, sizeof err), -1);
    assert_string_equal(err, msg);
}

static void test_rfc3339_parse(void **state)
{
    expect_ts("2009-02-13T23:31:30Z", 1234567890, 0);
    expect_ts("1970-01-01T00:00:00Z", 0, 0);
    expect_ts("2009-02-13T23:31:30.123Z", 1234567890, 123000000);
    expect_ts("2009-02-13T23:31:30.1234567891Z", 1234567890, 123456789);
    expect_ts("2009-02-14T00:31:30+01:00", 1234567890, 0);
    expect_ts("2009-02-13T20:01:30-03:30", 1234567890, 0);
    expect_ts("0001-01-01T00:00:00Z", CEL_TIME_MIN_UNIX, 0);
    expect_ts("9999-12-31T23:59:59.999999999Z", CEL_TIME_MAX_UNIX, 999999999);
    expect_ts("2000-02-29T00:00:00Z", 951782400, 0);
    expect_ts("1969-12-31T23:59:59Z", -1, 0);

    expect_ts_error("2009-02-13", "parsing time \"2009-02-13\" as \"2006-01-02T15:04:05Z07:00\": "
                                  "cannot parse \"\" as \"T\"");
    expect_ts_error("2009-02-13t23:31:30Z", "parsing time \"2009-02-13t23:31:30Z\" as "
                                            "\"2006-01-02T15:04:05Z07:00\": cannot parse "
                                            "\"t23:31:30Z\" as \"T\"");
    expect_ts_error("10000-01-01T00:00:00Z", "parsing time \"10000-01-01T00:00:00Z\" as "
                                             "\"2006-01-02T15:04:05Z07:00\": cannot parse "
                                             "\"0-01-01T00:00:00Z\" as \"-\"");
    expect_ts_error("2009-13-01T00:00:00Z", "parsing time \"2009-13-01T00:00:00Z\": month out of range");
    expect_ts_error("2009-02-29T00:00:00Z", "parsing time \"2009-02-29T00:00:00Z\": day out of range");
    expect_ts_error("2009-02-13T24:00:00Z", "parsing time \"2009-02-13T24:00:00Z\": hour out of range");
    expect_ts_error("2009-02-13T23:31:60Z", "parsing time \"2009-02-13T23:31:60Z\": second out of range");
    expect_ts_error("2009-02-13T23:31:30", "parsing time \"2009-02-13T23:31:30\" as "
                                           "\"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"Z07:00\"");
    expect_ts_error("2009-02-13T23:31:30Zjunk",
                    "parsing time \"2009-02-13T23:31:30Zjunk\": extra text: \"junk\"");
    expect_ts_error("2009-02-13T23:31:30+1:00", "parsing time \"2009-02-13T23:31:30+1:00\" as "
                                                "\"2006-01-02T15:04:05Z07:00\": cannot parse "
                                                "\"+1:00\" as \"Z07:00\"");
    expect_ts_error("", "parsing time \"\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"2006\"");
    /* A NUL inside is quoted, not cut. */
    int64_t gs;
    int32_t gn;
    char err[CEL_TIME_ERR_CAP];
    assert_int_equal(cel_time_parse_rfc3339("2009\0", 5, &gs, &gn, err, sizeof err), -1);
    assert_string_equal(err, "parsing time \"2009\\x00\" as \"2006-01-02T15:04:05Z07:00\": "
                             "cannot parse \"\\x00\" as \"-\"");
}

static void test_rfc3339_format(void **state)
{
    char buf[48];
    cel_time_format_rfc3339(1234567890, 0, buf);
    assert_string_equal(buf, "2009-02-13T23:31:30Z");
    cel_time_format_rfc3339(1234567890, 120000000, buf);
    assert_string_equal(buf, "2009-02-13T23:31:30.12Z");
    cel_time_format_rfc3339(CEL_TIME_MAX_UNIX, 999999999, buf);
    assert_string_equal(buf, "9999-12-31T23:59:59.999999999Z");
    cel_time_format_rfc3339(CEL_TIME_MIN_UNIX, 1, buf);
    assert_string_equal(buf, "0001-01-01T00:00:00.000000001Z");
}

static void test_civil(void **state)
{
    cel_civil c;
    cel_time_civil_from_unix(1234567890, 5, &c);
    assert_true(c.year == 2009);
    assert_int_equal(c.month, 2);
    assert_int_equal(c.day, 13);
    assert_int_equal(c.yday, 44);
    assert_int_equal(c.wday, 5);
    assert_int_equal(c.hour, 23);
    cel_time_civil_from_unix(-1, 0, &c);
    assert_true(c.year == 1969);
    assert_int_equal(c.yday, 365);
    assert_int_equal(c.wday, 3);
    assert_int_equal(c.second, 59);
    cel_time_civil_from_unix(CEL_TIME_MIN_UNIX, 0, &c);
    assert_true(c.year == 1);
    assert_int_equal(c.wday, 1); /* 0001-01-01 was a Monday (proleptic Gregorian) */
    cel_time_civil_from_unix(951868800, 0, &c); /* 2000-03-01 */
    assert_int_equal(c.month, 3);
    assert_int_equal(c.yday, 61);
    assert_true(cel_time_days_from_civil(2009, 2, 13) == 14288);
}

/* ---------------------------------------------------------------- durations */

static void expect_dur(const char *s, int64_t ns)
{
    int64_t got;
    char err[CEL_TIME_ERR_CAP];
    if (cel_time_parse_duration(s, strlen(s), &got, err, sizeof err) != 0)
        fail_msg("%s: %s", s, err);
    assert_true(got == ns);
}

static void expect_dur_error(const char *s, const char *msg)
{
    int64_t got;
    char err[CEL_TIME_ERR_CAP];
    assert_int_equal(cel_time_parse_duration(s, strlen(s), &got, err, sizeof err), -1);
    assert_string_equal(err, msg);
}

static void test_duration_parse(void **state)
{
    expect_dur("0", 0);
    expect_dur("-0", 0);
    expect_dur("1h2m3.5s", 3723500000000LL);
    expect_dur("-1.5h", -5400000000000LL);
    expect_dur("300ms", 300000000);
    expect_dur("1us", 1000);
    expect_dur("1\xc2\xb5s", 1000);
    expect_dur("1\xce\xbcs", 1000);
    expect_dur("2ns", 2);
    expect_dur(".5s", 500000000);
    expect_dur("1.s", 1000000000);
    expect_dur("+3s", 3000000000LL);
    expect_dur("1000000s", 1000000000000000LL);
    expect_dur("9223372036854775807ns", INT64_MAX);
    expect_dur("-9223372036854775808ns", INT64_MIN);
    expect_dur("0.000000001s", 1);
    expect_dur("1.0000000001s", 1000000000);

    expect_dur_error("", "time: invalid duration \"\"");
    expect_dur_error("1", "time: missing unit in duration \"1\"");
    expect_dur_error("1x", "time: unknown unit \"x\" in duration \"1x\"");
    expect_dur_error("1S", "time: unknown unit \"S\" in duration \"1S\"");
    expect_dur_error(".s", "time: invalid duration \".s\"");
    expect_dur_error("s", "time: invalid duration \"s\"");
    expect_dur_error("1s-1s", "time: unknown unit \"s-\" in duration \"1s-1s\"");
    expect_dur_error("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"");
    expect_dur_error("320000000000s", "time: invalid duration \"320000000000s\"");
    expect_dur_error("-320000000000s", "time: invalid duration \"-320000000000s\"");
    expect_dur_error("99999999999999999999999h", "time: invalid duration \"99999999999999999999999h\"");
}

static void test_duration_format(void **state)
{
    char buf[64];
    cel_time_format_duration(1500000000, buf);
    assert_string_equal(buf, "1.5s");
    cel_time_format_duration(1, buf);
    assert_string_equal(buf, "0.000000001s");
    cel_time_format_duration(-90000000000LL, buf);
    assert_string_equal(buf, "-90s");
    cel_time_format_duration(1000000000000000LL, buf);
    assert_string_equal(buf, "1000000s");
    cel_time_format_duration(0, buf);
    assert_string_equal(buf, "0s");
    cel_time_format_duration(123321000000LL, buf);
    assert_string_equal(buf, "123.321s");
    /* Go goes through float64 seconds: large values lose the nanoseconds. */
    cel_time_format_duration(INT64_MAX, buf);
    assert_string_equal(buf, "9223372036.854776s");
}

/* ---------------------------------------------------------------- zones */

static int32_t zone(const char *name, int64_t at)
{
    int32_t off;
    char err[CEL_TIME_ERR_CAP];
    if (cel_time_zone_offset(name, strlen(name), at, &off, err, sizeof err) != 0)
        fail_msg("%s: %s", name, err);
    return off;
}

static void test_zone_offsets(void **state)
{
    if (access("/usr/share/zoneinfo/Australia/Sydney", R_OK) != 0 && !getenv("TZDIR"))
        skip(); /* needs the tzdata package */
    assert_int_equal(zone("Australia/Sydney", 1234567890), 39600);
    assert_int_equal(zone("Australia/Sydney", 1246406400), 36000);
    assert_int_equal(zone("US/Central", 1593604800), -18000);
    assert_int_equal(zone("US/Central", 1577880000), -21600);
    assert_int_equal(zone("Asia/Kathmandu", 1234567890), 20700);
    assert_int_equal(zone("America/St_Johns", 1234490400), -12600);
    assert_int_equal(zone("America/St_Johns", 1246406400), -9000);
    /* exact transition instants */
    assert_int_equal(zone("America/Chicago", 1615708799), -21600);
    assert_int_equal(zone("America/Chicago", 1615708800), -18000);
    /* past the last transition: the POSIX footer rules */
    assert_int_equal(zone("America/New_York", 5695920000LL), -14400);
    assert_int_equal(zone("America/New_York", 5680281600LL), -18000);
    assert_int_equal(zone("Australia/Sydney", 5680281600LL), 39600);
    assert_int_equal(zone("Australia/Sydney", 5695920000LL), 36000);
    assert_int_equal(zone("America/Chicago", 7263935999LL), -21600);
    assert_int_equal(zone("America/Chicago", 7263936000LL), -18000);
    assert_int_equal(zone("Europe/Dublin", 5680281600LL), 0);    /* negative DST */
    assert_int_equal(zone("Europe/Dublin", 5695920000LL), 3600);
    assert_int_equal(zone("Pacific/Chatham", 5680281600LL), 49500);
    assert_int_equal(zone("America/Sao_Paulo", 5680281600LL), -10800);
    /* before the first transition: local mean time */
    assert_int_equal(zone("America/New_York", -5364662400LL), -17762);
    /* UTC and its spellings */
    assert_int_equal(zone("UTC", 0), 0);
    assert_int_equal(zone("", 0), 0);
    assert_int_equal(zone("Etc/GMT+5", 0), -18000);
}

static void test_zone_errors(void **state)
{
    int32_t off;
    char err[CEL_TIME_ERR_CAP];
    assert_int_equal(cel_time_zone_offset("Foo/Bar", 7, 0, &off, err, sizeof err), -1);
    assert_string_equal(err, "unknown time zone Foo/Bar");
    assert_int_equal(cel_time_zone_offset("../../etc/passwd", 16, 0, &off, err, sizeof err), -1);
    assert_string_equal(err, "time: invalid location name");
    assert_int_equal(cel_time_zone_offset("/etc/passwd", 11, 0, &off, err, sizeof err), -1);
    assert_string_equal(err, "time: invalid location name");
    assert_int_equal(cel_time_zone_offset("US", 2, 0, &off, err, sizeof err), -1); /* a directory */
    assert_string_equal(err, "unknown time zone US");
    assert_int_equal(cel_time_zone_offset("UTC\0x", 5, 0, &off, err, sizeof err), -1);
    assert_string_equal(err, "unknown time zone UTC\\x00x");
}

static void test_tzdir_override(void **state)
{
    char dir[] = "/tmp/celgate_tzXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/Bogus_Zone", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("this is not a TZif file at all, but long enough to have a header..", f);
    fclose(f);
    setenv("TZDIR", dir, 1);
    int32_t off;
    char err[CEL_TIME_ERR_CAP];
    assert_int_equal(cel_time_zone_offset("Bogus_Zone", 10, 0, &off, err, sizeof err), -1);
    assert_string_equal(err, "unknown time zone Bogus_Zone");
    unsetenv("TZDIR");
    unlink(path);
    rmdir(dir);
}

/* A minimal version 2 file: one transition at t=1000 from +01:00 to +02:00
 * (DST), and a footer with a fixed zone. */
static size_t build_tzif(unsigned char *p, const char *footer)
{
    size_t o = 0;
    /* v1 header, empty data: typecnt 1, charcnt 4 */
    static const unsigned char v1[44] = {'T', 'Z', 'i', 'f', '2', [35] = 0, [39] = 1, [43] = 4};
    memcpy(p + o, v1, 44);
    o += 44;
    static const unsigned char v1data[10] = {0, 0, 0x0e, 0x10, 0, 0, 'X', 'X', 'X', 0};
    memcpy(p + o, v1data, 10);
    o += 10;
    static const unsigned char v2[44] = {'T', 'Z', 'i', 'f', '2', [35] = 1, [39] = 2, [43] = 4};
    memcpy(p + o, v2, 44);
    o += 44;
    static const unsigned char v2data[] = {
        0, 0, 0, 0, 0, 0, 0x03, 0xe8, /* transition at 1000 */
        1,                            /* to type 1 */
        0, 0, 0x0e, 0x10, 0, 0,       /* type 0: +3600 */
        0, 0, 0x1c, 0x20, 1, 0,       /* type 1: +7200 dst */
        'X', 'X', 'X', 0};
    memcpy(p + o, v2data, sizeof v2data);
    o += sizeof v2data;
    p[o++] = '\n';
    memcpy(p + o, footer, strlen(footer));
    o += strlen(footer);
    p[o++] = '\n';
    return o;
}

static void test_tzif_parser(void **state)
{
    unsigned char buf[512];
    size_t n = build_tzif(buf, "<+03>-3");
    char err[CEL_TIME_ERR_CAP];
    cel_tzdata *z = cel_time_tzif_parse(buf, n, err, sizeof err);
    assert_non_null(z);
    assert_int_equal(cel_time_tzif_offset(z, 0), 3600);
    assert_int_equal(cel_time_tzif_offset(z, 999), 3600);
    assert_int_equal(cel_time_tzif_offset(z, 1000), 10800); /* footer from the last transition on */
    cel_time_tzif_free(z);

    /* Every truncation of a valid file is rejected or parsed, never read past. */
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, buf, cut);
        cel_tzdata *t = cel_time_tzif_parse(copy, cut, err, sizeof err);
        if (t) {
            (void)cel_time_tzif_offset(t, 5000);
            cel_time_tzif_free(t);
        }
        free(copy);
    }
    /* Counts that promise more than the file holds. */
    buf[44 + 10 + 44 - 9] = 0xff; /* v2 timecnt */
    assert_null(cel_time_tzif_parse(buf, n, err, sizeof err));
    assert_string_equal(err, "malformed time zone information");
    /* A transition pointing at a type that does not exist. */
    n = build_tzif(buf, "XXX-1");
    buf[44 + 10 + 44 + 8] = 7;
    assert_null(cel_time_tzif_parse(buf, n, err, sizeof err));
}

static void test_posix_footer_rules(void **state)
{
    unsigned char buf[512];
    char err[CEL_TIME_ERR_CAP];
    /* US Eastern rules with explicit times; 2150-07-01 is in DST. */
    size_t n = build_tzif(buf, "EST5EDT,M3.2.0/2:00:00,M11.1.0/2");
    cel_tzdata *z = cel_time_tzif_parse(buf, n, err, sizeof err);
    assert_non_null(z);
    assert_int_equal(cel_time_tzif_offset(z, 5695920000LL), -14400);
    assert_int_equal(cel_time_tzif_offset(z, 5680281600LL), -18000);
    cel_time_tzif_free(z);
    /* Julian-day rules (J60 is March 1 even in leap years). */
    n = build_tzif(buf, "AAA-1BBB,J60/0,J300/0");
    z = cel_time_tzif_parse(buf, n, err, sizeof err);
    assert_non_null(z);
    assert_int_equal(cel_time_tzif_offset(z, 951868800 - 3601), 3600); /* 2000-02-29T23:00Z-1s */
    assert_int_equal(cel_time_tzif_offset(z, 951868800 - 3600), 7200);
    cel_time_tzif_free(z);
    /* A malformed footer is ignored: the last transition's type stays. */
    n = build_tzif(buf, "12345");
    z = cel_time_tzif_parse(buf, n, err, sizeof err);
    assert_non_null(z);
    assert_int_equal(cel_time_tzif_offset(z, 5000), 7200);
    cel_time_tzif_free(z);
}

/* ---------------------------------------------------------------- cel_lib_time */

static cel_value ts(std_env *e, const char *s)
{
    cel_value v = call1(e, "string_to_timestamp", str(s));
    if (v.kind == CEL_ERROR)
        fail_msg("%s: %s", s, v.u.err->msg);
    return v;
}

static cel_value dur(std_env *e, const char *s)
{
    cel_value v = call1(e, "string_to_duration", str(s));
    if (v.kind == CEL_ERROR)
        fail_msg("%s: %s", s, v.u.err->msg);
    return v;
}

static void test_lib_time_conversions(void **state)
{
    std_env *e = *state;
    assert_int_value(call1(e, "timestamp_to_int64", ts(e, "2009-02-13T23:31:30Z")), 1234567890);
    assert_string_value(call1(e, "timestamp_to_string", ts(e, "9999-12-31T23:59:59.999999999Z")),
                        "9999-12-31T23:59:59.999999999Z");
    assert_string_value(call1(e, "timestamp_to_string", ts(e, "2009-02-14T00:31:30+01:00")),
                        "2009-02-13T23:31:30Z");
    assert_string_value(call1(e, "duration_to_string", dur(e, "1000000s")), "1000000s");
    assert_string_value(call1(e, "duration_to_string", dur(e, "-1.5h")), "-5400s");
    assert_error_value(call1(e, "string_to_timestamp", str("0000-01-01T00:00:00Z")),
                       "timestamp overflow");
    assert_int_equal(call1(e, "string_to_timestamp", str("10000-01-01T00:00:00Z")).kind, CEL_ERROR);
    assert_error_value(call1(e, "int64_to_timestamp", cel_int(CEL_TIME_MAX_UNIX + 1)),
                       "timestamp overflow");
    assert_int_value(call1(e, "timestamp_to_int64", call1(e, "int64_to_timestamp", cel_int(-1))), -1);
    assert_error_value(call1(e, "string_to_duration", str("320000000000s")),
                       "time: invalid duration \"320000000000s\"");
}

static void test_lib_time_arithmetic(void **state)
{
    std_env *e = *state;
    cel_value r = call2(e, "add_timestamp_duration", ts(e, "0001-01-01T00:00:01.000000001Z"),
                        dur(e, "-999999999ns"));
    assert_string_value(call1(e, "timestamp_to_string", r), "0001-01-01T00:00:00.000000002Z");
    r = call2(e, "add_duration_timestamp", dur(e, "999999999ns"), ts(e, "0001-01-01T00:00:01.999999999Z"));
    assert_string_value(call1(e, "timestamp_to_string", r), "0001-01-01T00:00:02.999999998Z");
    r = call2(e, "subtract_timestamp_duration", ts(e, "2009-02-13T23:10:00Z"), dur(e, "600s"));
    assert_string_value(call1(e, "timestamp_to_string", r), "2009-02-13T23:00:00Z");
    r = call2(e, "subtract_timestamp_timestamp", ts(e, "2009-02-13T23:10:00.5Z"),
              ts(e, "2009-02-13T23:00:00.75Z"));
    assert_string_value(call1(e, "duration_to_string", r), "599.75s");
    r = call2(e, "subtract_duration_duration", dur(e, "900s"), dur(e, "42s"));
    assert_string_value(call1(e, "duration_to_string", r), "858s");
    r = call2(e, "add_duration_duration", dur(e, "600s"), dur(e, "50s"));
    assert_string_value(call1(e, "duration_to_string", r), "650s");

    assert_error_value(call2(e, "add_timestamp_duration", ts(e, "9999-12-31T23:59:59Z"), dur(e, "1s")),
                       "timestamp overflow");
    assert_error_value(call2(e, "add_timestamp_duration", ts(e, "9999-12-31T23:59:59.999999999Z"),
                             dur(e, "1ns")), "timestamp overflow");
    assert_error_value(call2(e, "add_timestamp_duration", ts(e, "0001-01-01T00:00:00Z"),
                             dur(e, "-1ns")), "timestamp overflow");
    assert_error_value(call2(e, "subtract_timestamp_timestamp", ts(e, "9999-12-31T23:59:59Z"),
                             ts(e, "0001-01-01T00:00:00Z")), "duration overflow");
    assert_error_value(call2(e, "add_duration_duration", dur(e, "5000000000s"), dur(e, "5000000000s")),
                       "duration overflow");
    assert_error_value(call2(e, "subtract_timestamp_duration", ts(e, "2000-01-01T00:00:00Z"),
                             dur(e, "-9223372036854775808ns")), "duration overflow");
}

static void test_lib_time_ordering(void **state)
{
    std_env *e = *state;
    assert_bool_value(call2(e, "less_timestamp", ts(e, "2009-02-13T23:00:00Z"),
                            ts(e, "2009-02-13T23:00:00.000000001Z")), true);
    assert_bool_value(call2(e, "greater_equals_timestamp", ts(e, "2009-02-13T22:58:00Z"),
                            ts(e, "2009-02-13T23:00:00Z")), false);
    assert_bool_value(call2(e, "less_duration", dur(e, "-1ns"), dur(e, "0s")), true);
    assert_bool_value(call2(e, "less_duration", dur(e, "-1.5s"), dur(e, "-1s")), true);
    assert_bool_value(call2(e, "less_equals_duration", dur(e, "200s"), dur(e, "200s")), true);
}

static cel_value get_tz(std_env *e, const char *id, cel_value t, const char *tz)
{
    char full[64];
    snprintf(full, sizeof full, "%s_with_tz", id);
    return call2(e, full, t, str(tz));
}

static void test_lib_time_getters(void **state)
{
    std_env *e = *state;
    cel_value t = ts(e, "2009-02-13T23:31:30.456Z");
    assert_int_value(call1(e, "timestamp_to_year", t), 2009);
    assert_int_value(call1(e, "timestamp_to_month", t), 1);
    assert_int_value(call1(e, "timestamp_to_day_of_year", t), 43);
    assert_int_value(call1(e, "timestamp_to_day_of_month", t), 12);
    assert_int_value(call1(e, "timestamp_to_day_of_month_1_based", t), 13);
    assert_int_value(call1(e, "timestamp_to_day_of_week", t), 5);
    assert_int_value(call1(e, "timestamp_to_hours", t), 23);
    assert_int_value(call1(e, "timestamp_to_minutes", t), 31);
    assert_int_value(call1(e, "timestamp_to_seconds", t), 30);
    assert_int_value(call1(e, "timestamp_to_milliseconds", t), 456);
    /* fixed offsets, as cel-go reads them */
    assert_int_value(get_tz(e, "timestamp_to_day_of_month", t, "+11:00"), 13);
    assert_int_value(get_tz(e, "timestamp_to_year", t, "-09:30"), 2009);
    assert_int_value(get_tz(e, "timestamp_to_hours", t, "02:00"), 1);
    assert_int_value(get_tz(e, "timestamp_to_hours", t, "-00:00"), 23);
    assert_int_value(get_tz(e, "timestamp_to_minutes", t, "-00:30"), 1);
    cel_value t2 = ts(e, "2009-02-13T02:00:00Z");
    assert_int_value(get_tz(e, "timestamp_to_day_of_month", t2, "-02:30"), 11);
    assert_error_value(get_tz(e, "timestamp_to_hours", t, "x:00"),
                       "strconv.Atoi: parsing \"x\": invalid syntax");
    assert_error_value(get_tz(e, "timestamp_to_hours", t, "01:"),
                       "strconv.Atoi: parsing \"\": invalid syntax");
    if (access("/usr/share/zoneinfo/Australia/Sydney", R_OK) == 0) {
        assert_int_value(get_tz(e, "timestamp_to_day_of_month_1_based", t, "Australia/Sydney"), 14);
        assert_int_value(get_tz(e, "timestamp_to_minutes", t, "Asia/Kathmandu"), 16);
        assert_int_value(get_tz(e, "timestamp_to_day_of_month", t2, "America/St_Johns"), 11);
        assert_int_value(get_tz(e, "timestamp_to_day_of_week", t, "UTC"), 5);
        assert_int_value(get_tz(e, "timestamp_to_month", t, "UTC"), 1);
    }
    assert_error_value(get_tz(e, "timestamp_to_hours", t, "Mars/Olympus_Mons"),
                       "unknown time zone Mars/Olympus_Mons");
    /* durations: totals, truncated toward zero */
    assert_int_value(call1(e, "duration_to_hours", dur(e, "10000s")), 2);
    assert_int_value(call1(e, "duration_to_minutes", dur(e, "3730s")), 62);
    assert_int_value(call1(e, "duration_to_seconds", dur(e, "3730s")), 3730);
    assert_int_value(call1(e, "duration_to_milliseconds", dur(e, "-1.5009s")), -1500);
    assert_int_value(call1(e, "duration_to_hours", dur(e, "-5399s")), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_parse),
        cmocka_unit_test(test_rfc3339_format),
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_duration_parse),
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_zone_offsets),
        cmocka_unit_test(test_zone_errors),
        cmocka_unit_test(test_tzdir_override),
        cmocka_unit_test(test_tzif_parser),
        cmocka_unit_test(test_posix_footer_rules),
        cmocka_unit_test_setup_teardown(test_lib_time_conversions, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_lib_time_arithmetic, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_lib_time_ordering, std_setup, std_teardown),
        cmocka_unit_test_setup_teardown(test_lib_time_getters, std_setup, std_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
