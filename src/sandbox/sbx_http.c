/*
 * sandbox/sbx_http.c: the HTTPS side of the sandbox on libmicrohttpd with
 * GnuTLS: the certificate from the data folder, the bearer token of the
 * kubeconfig (anything else is 401, as an API server without anonymous
 * access answers), the API server's 3 MiB body limit, Warning headers, and
 * the hand-off of each complete request to sbx_handle.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "sbx.h"
#include "webhook/wh.h"

struct sbx_http {
    sbx *s;
    struct MHD_Daemon *d;
    char *cert, *key;
    unsigned port;
};

typedef struct req_state {
    char *body;
    size_t len, cap;
    bool too_large;
} req_state;

static const char *query_of(void *ctx, const char *key)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, const sbx_resp *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body ? r->body : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype[0] ? r->ctype : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
    size_t i;
    json_t *w;
    json_array_foreach(r->warnings, i, w) {
        char buf[1200], q[1100];
        sbx_go_quote(json_string_value(w) ? json_string_value(w) : "", q, sizeof q);
        snprintf(buf, sizeof buf, "299 - %s", q);
        MHD_add_response_header(resp, "Warning", buf);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->code, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int code, const char *reason, const char *msg)
{
    sbx_err e = {0};
    sbx_err_set(&e, code, reason, "%s", msg);
    sbx_resp r = {0};
    sbx_resp_status(&r, &e);
    enum MHD_Result ret = send_resp(c, &r);
    sbx_resp_clear(&r);
    return ret;
}

static bool authorized(sbx_http *h, struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!a || strncmp(a, "Bearer ", 7))
        return false;
    /* Compared in constant time: the token is the only credential. */
    const char *t = a + 7;
    size_t n = strlen(h->s->token);
    if (strlen(t) != n)
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(t[i] ^ h->s->token[i]);
    return diff == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
    (void)version;
    sbx_http *h = cls;
    req_state *r = *con_cls;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > SBX_MAX_BODY)
            r->too_large = true;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || n > SBX_MAX_BODY - r->len) {
            r->too_large = true;
            return MHD_YES;
        }
        if (r->len + n > r->cap) {
            size_t cap = r->cap ? r->cap : 16384;
            while (cap < r->len + n)
                cap *= 2;
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
    sbx_route rt;
    sbx_route_parse(url, &rt);
    /* Health answers without credentials, as the API server's do. */
    if (rt.type != SBX_R_HEALTH && !authorized(h, c))
        return send_error(c, 401, "Unauthorized", "Unauthorized");
    if (r->too_large)
        return send_error(c, 413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    sbx_req req = {
        .method = method,
        .path = url,
        .query = query_of,
        .query_ctx = c,
        .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"),
        .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
        .body = r->body,
        .len = r->len,
    };
    sbx_resp resp;
    sbx_handle(h->s, &req, &resp);
    enum MHD_Result ret = send_resp(c, &resp);
    sbx_resp_clear(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req_state *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
    }
    *con_cls = NULL;
}

static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;
}

sbx_http *sbx_http_start(sbx *s, const char *host, unsigned port, const char *cert_file,
                         const char *key_file, char **err)
{
    *err = NULL;
    sbx_http *h = calloc(1, sizeof *h);
    if (!h) {
        *err = strdup("out of memory");
        return NULL;
    }
    h->s = s;
    size_t len;
    if (wh_read_file(cert_file, WH_PEM_MAX, &h->cert, &len, err) < 0 ||
        wh_read_file(key_file, WH_PEM_MAX, &h->key, &len, err) < 0) {
        sbx_http_stop(h);
        return NULL;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    bool v6 = false;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        v6 = true;
    } else {
        if (asprintf(err, "--listen: '%s' is not an IPv4 or IPv6 address", host) < 0)
            *err = NULL;
        sbx_http_stop(h);
        return NULL;
    }
    unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     (v6 ? MHD_USE_IPv6 : 0);
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_HTTPS_MEM_CERT, h->cert,
                            MHD_OPTION_HTTPS_MEM_KEY, h->key, MHD_OPTION_SOCK_ADDR, &ss,
                            MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT, 256u,
                            MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                            h, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
    if (!h->d) {
        int e = errno;
        if (asprintf(err, "cannot serve HTTPS on %s port %u: %s", host, port,
                     e ? strerror(e) : "failed (is the port taken?)") < 0)
            *err = NULL;
        sbx_http_stop(h);
        return NULL;
    }
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = i ? i->port : port;
    return h;
}

unsigned sbx_http_port(const sbx_http *h)
{
    return h->port;
}

void sbx_http_stop(sbx_http *h)
{
    if (!h)
        return;
    if (h->d)
        MHD_stop_daemon(h->d);
    free(h->cert);
    free(h->key);
    free(h);
}
