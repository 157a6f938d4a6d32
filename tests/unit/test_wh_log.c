/*
 * tests/unit/test_wh_log.c: the per-review log line: valid JSON whatever
 * the values hold (quotes, control characters, bad UTF-8), values cut at
 * WH_LINE_VALUE_MAX bytes between characters, overflow marked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "webhook/wh.h"

static json_t *parse_line(const wh_line *l, const char *level, const char *msg)
{
    char out[4096];
    size_t n = wh_line_format(l, level, msg, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(out[n - 1], '\n');
    json_error_t e;
    json_t *j = json_loadb(out, n - 1, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, out);
    return j;
}

static void test_fields_and_escapes(void **state)
{
    (void)state;
    wh_line l;
    memset(&l, 0, sizeof l);
    wh_line_str(&l, "uid", "a\"b\\c\nd\x01");
    wh_line_str(&l, "name", "caf\xc3\xa9");
    wh_line_str(&l, "bad", "x\xff\xc3y");
    wh_line_str(&l, "missing", NULL);
    wh_line_bool(&l, "dryRun", false);
    wh_line_int(&l, "code", 422);
    wh_line_ms(&l, "latency_ms", 1.23456);
    json_t *j = parse_line(&l, "info", "review");
    assert_string_equal(json_string_value(json_object_get(j, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(j, "msg")), "review");
    assert_non_null(json_string_value(json_object_get(j, "time")));
    assert_string_equal(json_string_value(json_object_get(j, "uid")), "a\"b\\c\nd\x01");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "caf\xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(j, "bad")), "x??y");
    assert_null(json_object_get(j, "missing"));
    assert_true(json_is_false(json_object_get(j, "dryRun")));
    assert_int_equal(json_integer_value(json_object_get(j, "code")), 422);
    assert_true(json_real_value(json_object_get(j, "latency_ms")) == 1.235);
    assert_null(json_object_get(j, "truncated"));
    /* time, level, msg come first */
    char out[4096];
    wh_line_format(&l, "info", "review", out, sizeof out);
    assert_int_equal(strncmp(out, "{\"time\":\"", 9), 0);
    assert_non_null(strstr(out, "\",\"level\":\"info\",\"msg\":\"review\",\"uid\":"));
    json_decref(j);
}

/* Numbers and times are written by hand: check them against the library. */
static void test_numbers_and_time(void **state)
{
    (void)state;
    wh_line l;
    memset(&l, 0, sizeof l);
    wh_line_int(&l, "zero", 0);
    wh_line_int(&l, "neg", -42);
    wh_line_int(&l, "min", INT64_MIN);
    wh_line_int(&l, "max", INT64_MAX);
    assert_string_equal(l.buf, ",\"zero\":0,\"neg\":-42,\"min\":-9223372036854775808,"
                               "\"max\":9223372036854775807");
    char t[40];
    /* the clock wh_log_time reads (time() may lag it by a tick) */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t before = ts.tv_sec;
    wh_log_time(t, sizeof t);
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t after = ts.tv_sec;
    assert_int_equal(strlen(t), 24);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
    assert_non_null(rest);
    assert_true(rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9' && rest[2] >= '0' &&
                rest[2] <= '9' && rest[3] >= '0' && rest[3] <= '9' && rest[4] == 'Z' && !rest[5]);
    time_t got = timegm(&tm);
    assert_true(got >= before && got <= after);
    char small[8];
    wh_log_time(small, sizeof small);
    assert_string_equal(small, "");
}

static void test_long_values_cut_between_characters(void **state)
{
    (void)state;
    /* 255 ASCII bytes then a two-byte character: it would end at byte 257. */
    char v[400];
    memset(v, 'a', 255);
    strcpy(v + 255, "\xc3\xa9zzzz");
    wh_line l;
    memset(&l, 0, sizeof l);
    wh_line_str(&l, "name", v);
    json_t *j = parse_line(&l, "info", "review");
    const char *got = json_string_value(json_object_get(j, "name"));
    assert_int_equal(strlen(got), 255);
    json_decref(j);
}

static void test_overflow_is_marked(void **state)
{
    (void)state;
    char v[300];
    memset(v, '"', 299);
    v[299] = '\0';
    wh_line l;
    memset(&l, 0, sizeof l);
    for (int i = 0; i < 20; i++)
        wh_line_str(&l, "k", v);
    json_t *j = parse_line(&l, "warn", "review");
    assert_true(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_escapes),
        cmocka_unit_test(test_numbers_and_time),
        cmocka_unit_test(test_long_values_cut_between_characters),
        cmocka_unit_test(test_overflow_is_marked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
