/*
 * webhook/wh_metrics.c: the webhook's metrics and their Prometheus text
 * exposition (format 0.0.4), all under the `celgate_` prefix.
 *
 * Policy checks use the label names (and values: wh_review.c) of the API server's
 * apiserver_validating_admission_policy_check_total (policy, policy_binding,
 * error_type, enforcement_action) so dashboards carry over. Label values come
 * from user-written policies, so the number of series is capped: beyond the
 * cap, increments are counted in celgate_metrics_series_dropped_total rather
 * than growing memory without bound.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wh.h"

#define SERIES_MAX 4096
#define HASH_SIZE 256

static const double latency_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof latency_buckets / sizeof latency_buckets[0])

typedef struct series {
    struct series *hnext;   /* hash chain */
    struct series *next;    /* insertion order, for stable output */
    int family;
    char *labels;           /* rendered: a="x",b="y" */
    unsigned long long value;
} series;

enum { FAM_REQUESTS, FAM_CHECKS, FAM_RELOADS, FAM_COUNT };

static const struct {
    const char *name, *help;
} families[FAM_COUNT] = {
    {"celgate_admission_requests_total",
     "AdmissionReview requests answered, by verdict (allowed, denied, rejected) and code."},
    {"celgate_validating_admission_policy_check_total",
     "Policy checks, by policy, binding, error type and enforcement action."},
    {"celgate_reloads_total", "Reloads of policies and certificate, by what and result."},
};

struct wh_metrics {
    pthread_mutex_t mu;
    series *table[HASH_SIZE];
    series *first, *last;
    size_t nseries;
    unsigned long long dropped;
    unsigned long long buckets[NBUCKETS];
    unsigned long long count;
    double sum;
    long inflight;
    long long cert_expiry;
    size_t policies, bindings;
};

wh_metrics *wh_metrics_new(void)
{
    wh_metrics *m = calloc(1, sizeof *m);
    if (m)
        pthread_mutex_init(&m->mu, NULL);
    return m;
}

void wh_metrics_free(wh_metrics *m)
{
    if (!m)
        return;
    for (series *s = m->first, *n; s; s = n) {
        n = s->next;
        free(s->labels);
        free(s);
    }
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* Renders name="value",... with the escapes the text format requires into
 * buf; returns the length, or 0 when it does not fit (the caller counts the
 * increment as dropped: label values are names of at most a few hundred
 * bytes, so this does not happen in practice). Done without allocating: it
 * runs on every request. */
static size_t render_labels(char *buf, size_t cap, const char *const *names,
                            const char *const *values, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = values[i] ? values[i] : "";
        size_t nl = strlen(names[i]);
        if (len + nl + 4 > cap)
            return 0;
        if (i)
            buf[len++] = ',';
        memcpy(buf + len, names[i], nl);
        len += nl;
        buf[len++] = '=';
        buf[len++] = '"';
        for (; *v; v++) {
            const char *esc = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n" : NULL;
            if (len + 3 > cap)
                return 0;
            if (esc) {
                buf[len++] = esc[0];
                buf[len++] = esc[1];
            } else {
                buf[len++] = *v;
            }
        }
        if (len + 2 > cap)
            return 0;
        buf[len++] = '"';
    }
    buf[len] = '\0';
    return len;
}

static unsigned hash(int family, const char *s)
{
    unsigned h = 2166136261u ^ (unsigned)family;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % HASH_SIZE;
}

/* Adds to a labelled counter; the caller holds no lock. */
static void counter_add(wh_metrics *m, int family, const char *const *names,
                        const char *const *values, size_t n)
{
    char labels[2048];
    size_t len = render_labels(labels, sizeof labels, names, values, n);
    pthread_mutex_lock(&m->mu);
    if (!len) {
        m->dropped++;
        pthread_mutex_unlock(&m->mu);
        return;
    }
    unsigned h = hash(family, labels);
    series *s = m->table[h];
    while (s && (s->family != family || strcmp(s->labels, labels)))
        s = s->hnext;
    if (!s) {
        if (m->nseries >= SERIES_MAX || !(s = calloc(1, sizeof *s)) ||
            !(s->labels = strdup(labels))) {
            free(s);
            m->dropped++;
            pthread_mutex_unlock(&m->mu);
            return;
        }
        s->family = family;
        s->hnext = m->table[h];
        m->table[h] = s;
        if (m->last)
            m->last->next = s;
        else
            m->first = s;
        m->last = s;
        m->nseries++;
    }
    s->value++;
    pthread_mutex_unlock(&m->mu);
}

void wh_metrics_request(wh_metrics *m, const char *verdict, int code, double seconds)
{
    char codebuf[16];
    snprintf(codebuf, sizeof codebuf, "%d", code);
    static const char *const names[] = {"verdict", "code"};
    const char *values[] = {verdict, codebuf};
    counter_add(m, FAM_REQUESTS, names, values, 2);
    if (!(seconds >= 0) || !isfinite(seconds))
        seconds = 0;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < NBUCKETS; i++)
        if (seconds <= latency_buckets[i])
            m->buckets[i]++;
    m->count++;
    m->sum += seconds;
    pthread_mutex_unlock(&m->mu);
}

void wh_metrics_inflight(wh_metrics *m, int delta)
{
    pthread_mutex_lock(&m->mu);
    m->inflight += delta;
    pthread_mutex_unlock(&m->mu);
}

void wh_metrics_policy_check(wh_metrics *m, const char *policy, const char *binding,
                             const char *error_type, const char *action)
{
    static const char *const names[] = {"policy", "policy_binding", "error_type",
                                        "enforcement_action"};
    const char *values[] = {policy, binding ? binding : "", error_type ? error_type : "no_error",
                            action};
    counter_add(m, FAM_CHECKS, names, values, 4);
}

void wh_metrics_reload(wh_metrics *m, const char *what, bool ok)
{
    static const char *const names[] = {"what", "result"};
    const char *values[] = {what, ok ? "success" : "failure"};
    counter_add(m, FAM_RELOADS, names, values, 2);
}

void wh_metrics_cert_expiry(wh_metrics *m, time_t not_after)
{
    pthread_mutex_lock(&m->mu);
    m->cert_expiry = (long long)not_after;
    pthread_mutex_unlock(&m->mu);
}

void wh_metrics_policies(wh_metrics *m, size_t policies, size_t bindings)
{
    pthread_mutex_lock(&m->mu);
    m->policies = policies;
    m->bindings = bindings;
    pthread_mutex_unlock(&m->mu);
}

char *wh_metrics_render(wh_metrics *m, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    pthread_mutex_lock(&m->mu);
    for (int fam = 0; fam < FAM_COUNT; fam++) {
        fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", families[fam].name, families[fam].help,
                families[fam].name);
        for (series *s = m->first; s; s = s->next)
            if (s->family == fam)
                fprintf(f, "%s{%s} %llu\n", families[fam].name, s->labels, s->value);
    }
    fputs("# HELP celgate_admission_request_duration_seconds Time from a review's first byte "
          "to its answer.\n# TYPE celgate_admission_request_duration_seconds histogram\n",
          f);
    for (size_t i = 0; i < NBUCKETS; i++)
        fprintf(f, "celgate_admission_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                latency_buckets[i], m->buckets[i]);
    fprintf(f,
            "celgate_admission_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
            "celgate_admission_request_duration_seconds_sum %.9g\n"
            "celgate_admission_request_duration_seconds_count %llu\n",
            m->count, m->sum, m->count);
    fprintf(f,
            "# HELP celgate_admission_requests_in_flight Requests being read or evaluated.\n"
            "# TYPE celgate_admission_requests_in_flight gauge\n"
            "celgate_admission_requests_in_flight %ld\n",
            m->inflight);
    fprintf(f,
            "# HELP celgate_certificate_expiry_timestamp_seconds Expiry (notAfter) of the "
            "serving certificate in force, as unix time.\n"
            "# TYPE celgate_certificate_expiry_timestamp_seconds gauge\n"
            "celgate_certificate_expiry_timestamp_seconds %lld\n",
            m->cert_expiry);
    fprintf(f,
            "# HELP celgate_policies Policies and bindings of the set in force.\n"
            "# TYPE celgate_policies gauge\n"
            "celgate_policies{kind=\"policy\"} %zu\n"
            "celgate_policies{kind=\"binding\"} %zu\n",
            m->policies, m->bindings);
    fprintf(f,
            "# HELP celgate_metrics_series_dropped_total Increments lost to the cap on label "
            "combinations.\n"
            "# TYPE celgate_metrics_series_dropped_total counter\n"
            "celgate_metrics_series_dropped_total %llu\n",
            m->dropped);
    pthread_mutex_unlock(&m->mu);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}
