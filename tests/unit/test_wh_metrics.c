/*
 * tests/unit/test_wh_metrics.c: the metrics registry and its Prometheus
 * text: exact lines, label escaping, histogram buckets, the series cap.
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

static void has(const char *text, const char *line)
{
    if (!strstr(text, line))
        fail_msg("missing from metrics:\n%s\n--- in ---\n%s", line, text);
}

static void test_render(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new();
    wh_metrics_request(m, "allowed", 200, 0.0007);
    wh_metrics_request(m, "allowed", 200, 0.003);
    wh_metrics_request(m, "denied", 422, 20.0);
    wh_metrics_inflight(m, 2);
    wh_metrics_inflight(m, -1);
    wh_metrics_policy_check(m, "p\"1", "b\\1", NULL, "deny");
    wh_metrics_policy_check(m, "p\"1", "b\\1", NULL, "deny");
    wh_metrics_policy_check(m, "p2", NULL, "compile_error", "error-ignored");
    wh_metrics_reload(m, "policies", false);
    wh_metrics_cert_expiry(m, 1800000000);
    wh_metrics_policies(m, 2, 3);
    size_t len;
    char *t = wh_metrics_render(m, &len);
    assert_int_equal(strlen(t), len);
    has(t, "# TYPE celgate_admission_requests_total counter\n");
    has(t, "celgate_admission_requests_total{verdict=\"allowed\",code=\"200\"} 2\n");
    has(t, "celgate_admission_requests_total{verdict=\"denied\",code=\"422\"} 1\n");
    has(t, "celgate_validating_admission_policy_check_total{policy=\"p\\\"1\",policy_binding="
           "\"b\\\\1\",error_type=\"no_error\",enforcement_action=\"deny\"} 2\n");
    has(t, "celgate_validating_admission_policy_check_total{policy=\"p2\",policy_binding=\"\","
           "error_type=\"compile_error\",enforcement_action=\"error-ignored\"} 1\n");
    has(t, "celgate_reloads_total{what=\"policies\",result=\"failure\"} 1\n");
    has(t, "celgate_admission_request_duration_seconds_bucket{le=\"0.0005\"} 0\n");
    has(t, "celgate_admission_request_duration_seconds_bucket{le=\"0.001\"} 1\n");
    has(t, "celgate_admission_request_duration_seconds_bucket{le=\"0.005\"} 2\n");
    has(t, "celgate_admission_request_duration_seconds_bucket{le=\"10\"} 2\n");
    has(t, "celgate_admission_request_duration_seconds_bucket{le=\"+Inf\"} 3\n");
    has(t, "celgate_admission_request_duration_seconds_count 3\n");
    has(t, "celgate_admission_request_duration_seconds_sum 20.0037\n");
    has(t, "celgate_admission_requests_in_flight 1\n");
    has(t, "celgate_certificate_expiry_timestamp_seconds 1800000000\n");
    has(t, "celgate_policies{kind=\"policy\"} 2\n");
    has(t, "celgate_policies{kind=\"binding\"} 3\n");
    has(t, "celgate_metrics_series_dropped_total 0\n");
    free(t);
    wh_metrics_free(m);
}

static void test_series_cap(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new();
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "policy-%d", i);
        wh_metrics_policy_check(m, name, "b", NULL, "deny");
    }
    char *t = wh_metrics_render(m, NULL);
    has(t, "celgate_metrics_series_dropped_total 904\n");
    has(t, "policy=\"policy-4095\"");
    assert_null(strstr(t, "policy=\"policy-4096\""));
    free(t);
    wh_metrics_free(m);
}

static void test_oversized_labels_dropped(void **state)
{
    (void)state;
    wh_metrics *m = wh_metrics_new();
    char *name = malloc(3001);
    memset(name, 'p', 3000);
    name[3000] = '\0';
    wh_metrics_policy_check(m, name, "b", NULL, "deny");
    wh_metrics_policy_check(m, "line\nbreak", "b", NULL, "warn");
    char *t = wh_metrics_render(m, NULL);
    has(t, "celgate_metrics_series_dropped_total 1\n");
    has(t, "policy=\"line\\nbreak\"");
    assert_null(strstr(t, "pppppppppp"));
    free(t);
    free(name);
    wh_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_series_cap),
        cmocka_unit_test(test_oversized_labels_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
