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
        cmocka_unit_test(test_long_values_cut_between_characters),
        cmocka_unit_test(test_overflow_is_marked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
