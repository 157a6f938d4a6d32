/*
 * webhook/wh_server.c: the HTTPS server of `celgate serve` on libmicrohttpd.
 *
 * One epoll event loop per worker thread (a pool sized to the machine),
 * keep-alive, TLS through GnuTLS with the certificate handed out per
 * handshake (wh_tls.c). This file owns routing and the limits that keep a
 * hostile or broken client from hurting anyone else: a connection cap, an
 * idle timeout per connection, a body limit checked before the body is read
 * (Content-Length) and while it is read, and a deadline per request that
 * also honours the API server's ?timeout=.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "wh.h"

struct wh_server {
    const wh_config *cfg;
    const wh_engine *eng;
    pthread_mutex_t mu;   /* guards set */
    vap_set *set;
    wh_tls *tls;
    wh_metrics *metrics;
    char *client_ca;      /* PEM, kept for the daemon's lifetime */
    struct MHD_Daemon *d;
    struct MHD_Daemon *health;
    atomic_bool draining;
    atomic_long inflight;
    unsigned port, health_port;
};

/* Per connection: the socket context libmicrohttpd keeps for us. */
typedef struct wh_conn {
    wh_tls *tls;          /* first: wh_tls_retrieve reads it through the context */
    int client_ok;        /* 0 unknown, 1 verified, -1 refused */
} wh_conn;

/* Per request. */
typedef struct wh_req {
    uint64_t start_ns;
    uint64_t deadline_ns;
    char *body;
    size_t len, cap;
    bool too_large;
    bool replied;
    bool counted;
} wh_req;

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(err, fmt, ap) < 0)
            *err = NULL;
        va_end(ap);
    }
    return -1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- replies */

static enum MHD_Result send_reply(wh_server *s, struct MHD_Connection *c, wh_req *r, int http,
                                  const char *ctype, const char *body, size_t len,
                                  const char *verdict, int code)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (http == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
    /* While draining, clients should move to another replica. */
    if (atomic_load(&s->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)http, resp);
    MHD_destroy_response(resp);
    r->replied = true;
    if (!r->counted) {
        r->counted = true;
        wh_metrics_request(s->metrics, verdict, code, (double)(now_ns() - r->start_ns) / 1e9);
    }
    return ret;
}

static enum MHD_Result send_error(wh_server *s, struct MHD_Connection *c, wh_req *r, int http,
                                  const char *reason, const char *url, const char *method,
                                  const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static enum MHD_Result send_error(wh_server *s, struct MHD_Connection *c, wh_req *r, int http,
                                  const char *reason, const char *url, const char *method,
                                  const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = 0;
    char *body = wh_status_json(http, reason, msg, &len);
    enum MHD_Result ret =
        send_reply(s, c, r, http, "application/json", body ? body : "{}", body ? len : 2,
                   "rejected", http);
    free(body);
    wh_log("warn", "request refused",
           json_pack("{s:s, s:s, s:i, s:s, s:f}", "method", method, "path", url, "status", http,
                     "error", msg, "latency_ms", (double)(now_ns() - r->start_ns) / 1e6));
    return ret;
}

/* ---------------------------------------------------------------- checks */

static bool client_verified(wh_server *s, struct MHD_Connection *c, char *why, size_t wlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    wh_conn *conn = ci ? ci->socket_context : NULL;
    if (conn && conn->client_ok > 0)
        return true;
    const union MHD_ConnectionInfo *ti = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t sess = ti ? (gnutls_session_t)ti->tls_session : NULL;
    unsigned status = 0;
    int rc = sess ? gnutls_certificate_verify_peers2(sess, &status) : GNUTLS_E_INTERNAL_ERROR;
    if (rc == GNUTLS_E_NO_CERTIFICATE_FOUND) {
        snprintf(why, wlen, "a client certificate is required");
        return false;
    }
    if (rc < 0) {
        snprintf(why, wlen, "client certificate not verified: %s", gnutls_strerror(rc));
        return false;
    }
    if (status) {
        gnutls_datum_t out = {NULL, 0};
        if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == 0) {
            snprintf(why, wlen, "client certificate not trusted: %s", (const char *)out.data);
            gnutls_free(out.data);
        } else {
            snprintf(why, wlen, "client certificate not trusted");
        }
        return false;
    }
    if (conn)
        conn->client_ok = 1;
    return true;
}

/* The request deadline: ours, or the API server's ?timeout= less a margin
 * to answer in, whichever comes first. */
static uint64_t deadline_for(wh_server *s, struct MHD_Connection *c, uint64_t start)
{
    uint64_t ms = s->cfg->deadline_ms;
    const char *t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "timeout");
    uint64_t q;
    if (t && wh_parse_duration_ms(t, &q) == 0 && q > 0) {
        q = q > 2000 ? q - 1000 : q / 2;
        if (q < ms)
            ms = q;
    }
    return start + ms * 1000000u;
}

static bool is_json(const char *ctype)
{
    if (!ctype)
        return false;
    size_t n = strlen("application/json");
    return !strncasecmp(ctype, "application/json", n) && (ctype[n] == '\0' || ctype[n] == ';' ||
                                                          ctype[n] == ' ');
}

/* ---------------------------------------------------------------- the review */

static enum MHD_Result do_review(wh_server *s, struct MHD_Connection *c, wh_req *r)
{
    pthread_mutex_lock(&s->mu);
    vap_set *set = s->set ? s->eng->ref(s->set) : NULL;
    pthread_mutex_unlock(&s->mu);
    if (!set)
        return send_error(s, c, r, 503, "ServiceUnavailable", "/validate", "POST",
                          "no policy set loaded");
    wh_review_result res;
    wh_review_handle(s->eng, set, s->metrics, r->body ? r->body : "", r->len, &res);
    pthread_mutex_lock(&s->mu);
    s->eng->unref(set);
    pthread_mutex_unlock(&s->mu);
    enum MHD_Result ret;
    if (res.body)
        ret = send_reply(s, c, r, res.http_status, "application/json", res.body, res.len,
                         res.verdict, res.code);
    else
        ret = send_reply(s, c, r, 500, "application/json", "{}", 2, "rejected", 500);
    wh_line_int(&res.log, "status", res.body ? res.http_status : 500);
    wh_line_ms(&res.log, "latency_ms", (double)(now_ns() - r->start_ns) / 1e6);
    wh_line_emit(&res.log, res.http_status == 200 ? "info" : "warn", "review");
    wh_review_result_clear(&res);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    wh_server *s = cls;
    wh_req *r = *con_cls;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        *con_cls = r;
        r->start_ns = now_ns();
        atomic_fetch_add(&s->inflight, 1);
        wh_metrics_inflight(s->metrics, 1);
        char why[256];
        if (s->client_ca && !client_verified(s, c, why, sizeof why))
            return send_error(s, c, r, 403, "Forbidden", url, method, "%s", why);
        if (strcmp(url, "/validate"))
            return send_error(s, c, r, 404, "NotFound", url, method,
                              "no such path; reviews are POSTed to /validate");
        if (strcmp(method, "POST"))
            return send_error(s, c, r, 405, "MethodNotAllowed", url, method,
                              "method %.16s not allowed; use POST", method);
        const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!is_json(ctype))
            return send_error(s, c, r, 415, "UnsupportedMediaType", url, method,
                              "Content-Type: expected application/json, got %.64s",
                              ctype ? ctype : "nothing");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > s->cfg->max_body)
                return send_error(s, c, r, 413, "RequestEntityTooLarge", url, method,
                                  "request body of %.32s bytes exceeds the limit of %zu bytes",
                                  cl, s->cfg->max_body);
        }
        r->deadline_ns = deadline_for(s, c, r->start_ns);
        return MHD_YES;
    }
    if (r->replied) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        /* A client trickling its body is cut off at the deadline. */
        if (now_ns() > r->deadline_ns)
            return MHD_NO;
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || n > s->cfg->max_body - r->len) {
            /* Chunked bodies have no Content-Length: drop what we have and
             * read on without keeping anything, to answer 413 at the end. */
            r->too_large = true;
            free(r->body);
            r->body = NULL;
            r->len = r->cap = 0;
            return MHD_YES;
        }
        if (r->len + n > r->cap) {
            size_t cap = r->cap ? r->cap : 16384;
            while (cap < r->len + n)
                cap *= 2;
            if (cap > s->cfg->max_body)
                cap = s->cfg->max_body;
            char *nb = realloc(r->body, cap);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        return MHD_YES;
    }
    if (r->too_large)
        return send_error(s, c, r, 413, "RequestEntityTooLarge", url, method,
                          "request body exceeds the limit of %zu bytes", s->cfg->max_body);
    if (now_ns() > r->deadline_ns)
        return send_error(s, c, r, 408, "Timeout", url, method,
                          "request deadline exceeded before evaluation");
    return do_review(s, c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    wh_server *s = cls;
    wh_req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (!r->counted)
        wh_metrics_request(s->metrics, "aborted", toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED
                                                      ? 408 : 499,
                           (double)(now_ns() - r->start_ns) / 1e9);
    free(r->body);
    free(r);
    wh_metrics_inflight(s->metrics, -1);
    atomic_fetch_sub(&s->inflight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)c;
    wh_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        wh_conn *conn = calloc(1, sizeof *conn);
        /* Without a context the certificate callback finds no certificate
         * and the handshake fails: the right answer to out-of-memory. */
        if (conn)
            conn->tls = s->tls;
        *socket_context = conn;
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    wh_log("debug", "libmicrohttpd", json_pack("{s:s}", "detail", msg));
}

/* ---------------------------------------------------------------- lifecycle */

int wh_server_reload_policies(wh_server *s, char **err)
{
    char *e = NULL;
    vap_set *n = s->eng->load(s->cfg->policies, s->cfg->k8s_version, &e);
    if (!n) {
        wh_metrics_reload(s->metrics, "policies", false);
        fail(err, "%s", e ? e : "policies not loaded");
        free(e);
        return -1;
    }
    free(e); /* skipped-object reports are not used: the whole folder must load */
    pthread_mutex_lock(&s->mu);
    vap_set *old = s->set;
    s->set = n;
    if (old)
        s->eng->unref(old);
    pthread_mutex_unlock(&s->mu);
    wh_metrics_reload(s->metrics, "policies", true);
    wh_metrics_policies(s->metrics, s->eng->policy_count(n), s->eng->binding_count(n));
    return 0;
}

int wh_server_reload_cert(wh_server *s, char **err)
{
    if (wh_tls_load(s->tls, s->cfg->cert_file, s->cfg->key_file, err) < 0) {
        wh_metrics_reload(s->metrics, "certificate", false);
        return -1;
    }
    wh_metrics_reload(s->metrics, "certificate", true);
    wh_metrics_cert_expiry(s->metrics, wh_tls_not_after(s->tls));
    return 0;
}

static int make_addr(const char *addr, unsigned port, struct sockaddr_storage *ss, bool *v6)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *v6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = true;
        return 0;
    }
    return -1;
}

static unsigned bound_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

static void server_free(wh_server *s)
{
    if (s->d)
        MHD_stop_daemon(s->d);
    if (s->health)
        MHD_stop_daemon(s->health);
    if (s->set)
        s->eng->unref(s->set);
    wh_tls_free(s->tls);
    wh_metrics_free(s->metrics);
    free(s->client_ca);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int wh_server_start(const wh_config *cfg, const wh_engine *eng, wh_server **out, char **err)
{
    *out = NULL;
    wh_server *s = calloc(1, sizeof *s);
    if (!s)
        return fail(err, "out of memory");
    s->cfg = cfg;
    s->eng = eng;
    pthread_mutex_init(&s->mu, NULL);
    s->tls = wh_tls_new();
    s->metrics = wh_metrics_new();
    if (!s->tls || !s->metrics) {
        server_free(s);
        return fail(err, "out of memory");
    }
    if (wh_server_reload_cert(s, err) < 0 || wh_server_reload_policies(s, err) < 0) {
        server_free(s);
        return -1;
    }
    if (cfg->client_ca) {
        size_t len, n;
        char *e = NULL;
        if (wh_read_file(cfg->client_ca, WH_PEM_MAX, &s->client_ca, &len, err) < 0) {
            server_free(s);
            return -1;
        }
        if (wh_tls_parse_ca(s->client_ca, len, &n, &e) < 0) {
            fail(err, "%s: %s", cfg->client_ca, e ? e : "invalid");
            free(e);
            server_free(s);
            return -1;
        }
    }
    struct sockaddr_storage sa;
    bool v6;
    if (make_addr(cfg->addr, cfg->port, &sa, &v6) < 0) {
        server_free(s);
        return fail(err, "--addr: '%s' is not an IPv4 or IPv6 address", cfg->addr);
    }
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    struct MHD_OptionItem o[16];
    size_t k = 0;
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout, NULL};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)wh_tls_retrieve};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, cfg->tls_priorities};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
    if (s->client_ca)
        o[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, s->client_ca};
    o[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    unsigned flags = MHD_USE_TLS | MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, o,
                            MHD_OPTION_END);
    if (!s->d) {
        int e = errno;
        server_free(s);
        return fail(err, "cannot serve HTTPS on %s port %u: %s (bad --tls-priorities, or the "
                    "port is taken)", cfg->addr, cfg->port, e ? strerror(e) : "failed");
    }
    s->port = bound_port(s->d);
    s->health = wh_health_start(s, cfg->health_addr, cfg->health_port, err);
    if (!s->health) {
        server_free(s);
        return -1;
    }
    s->health_port = bound_port(s->health);
    *out = s;
    return 0;
}

unsigned wh_server_port(const wh_server *s)
{
    return s->port;
}

unsigned wh_server_health_port(const wh_server *s)
{
    return s->health_port;
}

wh_metrics *wh_server_metrics(wh_server *s)
{
    return s->metrics;
}

time_t wh_server_cert_not_after(wh_server *s)
{
    return wh_tls_not_after(s->tls);
}

const wh_config *wh_server_config(const wh_server *s)
{
    return s->cfg;
}

bool wh_server_ready(wh_server *s, const char **why)
{
    const char *w = NULL;
    if (atomic_load(&s->draining))
        w = "shutting down";
    else if (wh_tls_not_after(s->tls) == 0)
        w = "no certificate loaded";
    else {
        pthread_mutex_lock(&s->mu);
        if (!s->set)
            w = "no policy set loaded";
        pthread_mutex_unlock(&s->mu);
    }
    if (why)
        *why = w;
    return w == NULL;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

void wh_server_shutdown(wh_server *s)
{
    atomic_store(&s->draining, true);
    wh_log("info", "draining",
           json_pack("{s:i, s:i}", "shutdown_delay_ms", (int)s->cfg->shutdown_delay_ms,
                     "in_flight", (int)atomic_load(&s->inflight)));
    /* Load balancers see /readyz fail and stop sending before we stop accepting. */
    sleep_ms(s->cfg->shutdown_delay_ms);
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    uint64_t until = now_ns() + (uint64_t)s->cfg->drain_timeout * 1000000000u;
    /* Requests on connections already open keep being served until none is
     * in flight; a short quiet period lets a client's next pipelined request in. */
    unsigned quiet = 0;
    while (now_ns() < until && quiet < 5) {
        quiet = atomic_load(&s->inflight) ? 0 : quiet + 1;
        sleep_ms(20);
    }
    long left = atomic_load(&s->inflight);
    wh_log(left ? "warn" : "info", "stopped", json_pack("{s:i}", "in_flight_dropped", (int)left));
    server_free(s);
}
