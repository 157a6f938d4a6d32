/*
 * webhook/wh.h: internal contract of the admission webhook (`celgate serve`).
 *
 * The module is split one job per file:
 *   wh_config.c   settings: defaults, command-line flags, optional config file
 *   wh_certgen.c  a CA, serving and client certificates (`celgate cert`)
 *   wh_tls.c      serving certificate/key and client CA: PEM loading, checks,
 *                 and the certificate generations handed to new handshakes
 *   wh_server.c   the HTTPS server: routing, limits, deadline, draining
 *   wh_review.c   one AdmissionReview: checks, engine call, response, log fields
 *   wh_health.c   the plain-HTTP health port: /healthz, /readyz, /metrics
 *   wh_metrics.c  counters, gauges, histogram; Prometheus text rendering
 *   wh_log.c      one JSON object per line on stderr
 *   wh_reload.c   the main loop: signals, inotify, periodic checks, reloads
 *   wh_main.c     the serve command's body, for any engine
 *
 * The policy engine is reached through wh_engine so that the server can be
 * tested with a small fake engine; `celgate serve` binds the real one. The
 * webhook parses each body once and shapes the AdmissionReview response
 * itself (the wire format is its contract) from the engine's vap_outcome.
 */
#ifndef CELGATE_WH_H
#define CELGATE_WH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <gnutls/abstract.h>

#include <jansson.h>

#include "celgate/vap.h"

/* ---------------------------------------------------------------- engine */

typedef struct wh_engine {
    vap_set *(*load)(const char *path, const char *k8s_version, char **err);
    vap_set *(*ref)(vap_set *s);
    void (*unref)(vap_set *s);
    size_t (*policy_count)(const vap_set *s);
    size_t (*binding_count)(const vap_set *s);
    /* As vap_evaluate: `request` is the review's "request" object. */
    int (*evaluate)(const vap_set *s, const json_t *request, vap_outcome *out, char **err);
    void (*outcome_clear)(vap_outcome *o);
} wh_engine;

/* ---------------------------------------------------------------- config */

typedef struct wh_config {
    char *addr;               /* HTTPS listen address */
    unsigned port;            /* 0: any free port (logged at start) */
    char *health_addr;        /* plain-HTTP health/metrics address */
    unsigned health_port;     /* 0: any free port */
    char *policies;           /* file or folder of policies */
    char *cert_file;
    char *key_file;
    char *client_ca;          /* NULL: no client certificate required */
    char *k8s_version;        /* NULL: the engine's newest */
    char *tls_priorities;     /* GnuTLS priority string */
    size_t max_body;          /* bytes; larger bodies get 413 */
    unsigned max_connections;
    unsigned threads;         /* 0: one per CPU */
    unsigned conn_timeout;    /* seconds a connection may stay idle */
    unsigned deadline_ms;     /* upper bound for one request, from its first byte */
    unsigned reload_interval; /* seconds between periodic change checks; 0: off */
    unsigned shutdown_delay_ms; /* /readyz fails this long before we stop accepting */
    unsigned drain_timeout;   /* seconds to wait for in-flight requests on exit */
    bool check;               /* --check: load everything, report, exit */
} wh_config;

#define WH_DEFAULT_MAX_BODY (8u << 20)

void wh_config_init(wh_config *c);
void wh_config_clear(wh_config *c);
/* Parses argv (argv[0] is the command name). Flags override a --config
 * file. Returns 0, 1 when --help was printed to `help`, or -1 with *err. */
int wh_config_parse(wh_config *c, int argc, char **argv, FILE *help, char **err);
/* Applies one setting by its long flag name (without "--"). */
int wh_config_set(wh_config *c, const char *name, const char *value, char **err);
/* Reads `name = value` lines (# comments) as if given as flags. */
int wh_config_load_file(wh_config *c, const char *path, char **err);
void wh_config_usage(FILE *out);
/* Parses a Go duration ("10s", "1m30s", "500ms") into milliseconds. */
int wh_parse_duration_ms(const char *s, uint64_t *ms);

/* ---------------------------------------------------------------- tls */

#define WH_PEM_MAX (1u << 20)

/* A checked certificate chain and key, as PEM text. */
typedef struct wh_cert_info {
    char *cert_pem;
    size_t cert_len;
    char *key_pem;
    size_t key_len;
    time_t not_before;
    time_t not_after;
    char subject[256];
} wh_cert_info;

/* Checks a certificate chain (leaf first) and its private key with OpenSSL:
 * both parse, the key matches the leaf, the leaf is inside its validity
 * period at `now`. Copies the PEM into *info. */
int wh_tls_parse_pair(const char *cert, size_t cert_len, const char *key, size_t key_len,
                      time_t now, wh_cert_info *info, char **err);
/* Checks a client CA bundle: at least one certificate, all of them parse. */
int wh_tls_parse_ca(const char *pem, size_t len, size_t *ncerts, char **err);
void wh_cert_info_clear(wh_cert_info *info);
/* Reads a whole file up to `max` bytes; NUL-terminates. */
int wh_read_file(const char *path, size_t max, char **data, size_t *len, char **err);

typedef struct wh_tls wh_tls;
wh_tls *wh_tls_new(void);
void wh_tls_free(wh_tls *t);
/* Loads and checks the pair from files; on success new handshakes use it. */
int wh_tls_load(wh_tls *t, const char *cert_file, const char *key_file, char **err);
time_t wh_tls_not_after(wh_tls *t);
/* The certificate callback handed to libmicrohttpd: finds the wh_tls through
 * the connection's socket context, a record wh_server sets when a connection
 * opens and whose first member is a `wh_tls *`. */
gnutls_certificate_retrieve_function2 wh_tls_retrieve;

/* ---------------------------------------------------------------- certgen */

typedef struct wh_certgen_opts {
    const char *service;      /* DNS label */
    const char *ns;           /* DNS label */
    const char *out;          /* folder, created if missing */
    long days;                /* validity; <= 0: 365 */
    bool client;              /* also client.crt/client.key */
} wh_certgen_opts;

/* Writes ca.crt, ca.key, tls.crt, tls.key (and client.*) into o->out;
 * *ca_b64 (malloc'd) is the CA certificate PEM in base64, for a caBundle. */
int wh_certgen(const wh_certgen_opts *o, char **ca_b64, char **err);

/* ---------------------------------------------------------------- metrics */

typedef struct wh_metrics wh_metrics;
wh_metrics *wh_metrics_new(void);
void wh_metrics_free(wh_metrics *m);
void wh_metrics_request(wh_metrics *m, const char *verdict, int code, double seconds);
void wh_metrics_inflight(wh_metrics *m, int delta);
void wh_metrics_policy_check(wh_metrics *m, const char *policy, const char *binding,
                             const char *error_type, const char *action);
void wh_metrics_reload(wh_metrics *m, const char *what, bool ok);
void wh_metrics_cert_expiry(wh_metrics *m, time_t not_after);
void wh_metrics_policies(wh_metrics *m, size_t policies, size_t bindings);
/* Prometheus text exposition format 0.0.4; malloc'd. */
char *wh_metrics_render(wh_metrics *m, size_t *len);

/* ---------------------------------------------------------------- log */

/* Writes `obj` as one line to stderr with "time" (RFC 3339, UTC, ms) and
 * "level" first. Steals the reference. */
void wh_log(const char *level, const char *msg, json_t *fields);
void wh_log_time(char *buf, size_t len);

/* The per-review line, built without allocating (it is written for every
 * request): fields are appended as they become known, then the line is
 * written with time, level and msg first. String values are cut at
 * WH_LINE_VALUE_MAX bytes. */
#define WH_LINE_VALUE_MAX 256
typedef struct wh_line {
    char buf[3072];
    size_t len;
    bool truncated;
} wh_line;
void wh_line_str(wh_line *l, const char *key, const char *value); /* NULL: omitted */
void wh_line_bool(wh_line *l, const char *key, bool value);
void wh_line_int(wh_line *l, const char *key, long long value);
void wh_line_ms(wh_line *l, const char *key, double ms);
/* The whole line, newline-terminated, into out (for tests); its length. */
size_t wh_line_format(const wh_line *l, const char *level, const char *msg, char *out,
                      size_t cap);
void wh_line_emit(const wh_line *l, const char *level, const char *msg);

/* ---------------------------------------------------------------- review */

/* What one review produced, for the reply, the log line and metrics. */
typedef struct wh_review_result {
    int http_status;          /* 200 for a review answered; 4xx otherwise */
    char *body;               /* JSON reply (malloc'd) */
    size_t len;
    wh_line log;              /* fields of the log line */
    const char *verdict;      /* "allowed" | "denied" | "rejected" */
    int code;                 /* status code of the verdict (200, 422, 400 ...) */
} wh_review_result;

/* Handles one request body: a JSON Status with code 400 for anything that
 * is not a well-formed AdmissionReview; otherwise the AdmissionReview
 * response, in the request's apiVersion, built from the engine's outcome. */
void wh_review_handle(const wh_engine *eng, const vap_set *set, wh_metrics *metrics,
                      const char *body, size_t len, wh_review_result *res);
void wh_review_result_clear(wh_review_result *res);
/* The AdmissionReview response for an outcome: uid echoed, allowed, status
 * when denied, warnings, auditAnnotations with keys free of '/'. */
json_t *wh_review_response(const char *api_version, const json_t *uid, const vap_outcome *o);
/* The same response's text when it is a bare allow (no warnings, no audit
 * annotations), written directly: the text json_dumps(JSON_COMPACT) gives
 * for wh_review_response, at a fraction of the cost. NULL when uid is not a
 * string or out of memory. */
char *wh_review_allowed_text(const char *api_version, const json_t *uid, size_t *len);
/* An audit annotation key as a webhook may return it (malloc'd). */
char *wh_audit_key(const char *key);
/* A Kubernetes Status object as compact JSON (malloc'd). */
char *wh_status_json(int code, const char *reason, const char *message, size_t *len);

/* ---------------------------------------------------------------- server */

typedef struct wh_server wh_server;

/* Loads policies and certificate, then listens. */
int wh_server_start(const wh_config *cfg, const wh_engine *eng, wh_server **out, char **err);
unsigned wh_server_port(const wh_server *s);
unsigned wh_server_health_port(const wh_server *s);
bool wh_server_ready(wh_server *s, const char **why);
wh_metrics *wh_server_metrics(wh_server *s);
time_t wh_server_cert_not_after(wh_server *s);
/* Reloads policies / certificate; on failure the old ones stay. */
int wh_server_reload_policies(wh_server *s, char **err);
int wh_server_reload_cert(wh_server *s, char **err);
/* SIGTERM: fail /readyz, wait shutdown_delay, stop accepting, wait for
 * in-flight requests (up to drain_timeout), then stop. Frees s. */
void wh_server_shutdown(wh_server *s);
const wh_config *wh_server_config(const wh_server *s);

/* The health daemon (wh_health.c), owned by the server. */
struct MHD_Daemon;
struct MHD_Daemon *wh_health_start(wh_server *s, const char *addr, unsigned port, char **err);

/* ---------------------------------------------------------------- main loop */

/* Runs until SIGTERM/SIGINT: reloads on SIGHUP, file changes and the
 * periodic check. The caller blocked these signals before starting threads
 * (wh_signals_block). Shuts the server down and frees it. */
int wh_run(wh_server *s);
int wh_signals_block(char **err);

/* `celgate serve` with the given engine (wh_main.c): returns the exit status. */
int wh_serve_main(int argc, char **argv, const wh_engine *engine);

#endif
