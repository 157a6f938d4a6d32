/*
 * webhook/wh_health.c: the plain-HTTP port for the kubelet and Prometheus:
 *   GET /healthz  200 while the process serves at all (liveness)
 *   GET /readyz   200 when a certificate and a policy set are loaded and we
 *                 are not draining, else 503 with the reason (readiness)
 *   GET /metrics  Prometheus text format
 * It listens on loopback unless told otherwise: it needs no TLS because it
 * reveals nothing a pod's neighbours may not see.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "wh.h"

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *ctype,
                              const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_health(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    (void)version; (void)upload;
    wh_server *s = cls;
    static const char text[] = "text/plain; charset=utf-8";
    /* Bodies are not wanted here; answer once the request is complete. */
    if (!*con_cls) {
        *con_cls = s;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return answer(c, 405, text, "method not allowed\n", 19);
    if (!strcmp(url, "/healthz"))
        return answer(c, 200, text, "ok\n", 3);
    if (!strcmp(url, "/readyz")) {
        const char *why;
        if (wh_server_ready(s, &why))
            return answer(c, 200, text, "ok\n", 3);
        char buf[128];
        int n = snprintf(buf, sizeof buf, "not ready: %s\n", why);
        return answer(c, 503, text, buf, (size_t)n);
    }
    if (!strcmp(url, "/metrics")) {
        size_t len;
        char *m = wh_metrics_render(wh_server_metrics(s), &len);
        if (!m)
            return answer(c, 500, text, "out of memory\n", 14);
        enum MHD_Result ret = answer(c, 200, "text/plain; version=0.0.4; charset=utf-8", m, len);
        free(m);
        return ret;
    }
    return answer(c, 404, text, "not found: try /healthz, /readyz, /metrics\n", 43);
}

struct MHD_Daemon *wh_health_start(wh_server *s, const char *addr, unsigned port, char **err)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        if (err && asprintf(err, "--health-addr: '%s' is not an IPv4 or IPv6 address", addr) < 0)
            *err = NULL;
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_health, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!d && err && asprintf(err, "cannot serve health on %s port %u: %s", addr, port,
                              errno ? strerror(errno) : "failed") < 0)
        *err = NULL;
    return d;
}
