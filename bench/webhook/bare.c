/*
 * bench/webhook/bare.c: the baseline of the webhook benchmark: a bare
 * libmicrohttpd HTTPS server set up like `celgate serve` (epoll thread pool
 * of one thread per CPU, same TLS priorities, keep-alive) that reads the
 * body, parses it as JSON and answers a fixed AdmissionReview. What celgate
 * costs beyond this is routing, checks, policy evaluation, metrics and logs.
 *   wh_bench_bare CERT KEY PORT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

static const char answer[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":"
    "{\"uid\":\"7c2b4f3e-1d8a-4a56-9e0b-3f6c2d1a9b01\",\"allowed\":true}}";

typedef struct body {
    char *data;
    size_t len;
} body;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls; (void)url; (void)method; (void)version;
    body *b = *con_cls;
    if (!b) {
        *con_cls = calloc(1, sizeof *b);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (b->len + *upload_size > (8u << 20))
            return MHD_NO;
        char *nd = realloc(b->data, b->len + *upload_size);
        if (!nd)
            return MHD_NO;
        memcpy(nd + b->len, upload, *upload_size);
        b->data = nd;
        b->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    json_t *j = json_loadb(b->data ? b->data : "", b->len, 0, NULL);
    unsigned status = j ? 200 : 400;
    json_decref(j);
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof answer - 1, (void *)answer,
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)c; (void)toe;
    body *b = *con_cls;
    if (b) {
        free(b->data);
        free(b);
    }
    *con_cls = NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    if (buf)
        fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: wh_bench_bare CERT KEY PORT\n");
        return 2;
    }
    char *cert = slurp(argv[1]), *key = slurp(argv[2]);
    if (!cert || !key) {
        fprintf(stderr, "wh_bench_bare: cannot read the certificate or key\n");
        return 1;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_TLS | MHD_USE_EPOLL_INTERNAL_THREAD, (uint16_t)atoi(argv[3]), NULL, NULL,
        on_request, NULL, MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_HTTPS_PRIORITIES,
        "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
        "+CHACHA20-POLY1305:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE",
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(n > 0 ? n : 1), MHD_OPTION_CONNECTION_TIMEOUT,
        15u, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "wh_bench_bare: cannot listen on port %s\n", argv[3]);
        return 1;
    }
    printf("listening on %s\n", argv[3]);
    fflush(stdout);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    free(cert);
    free(key);
    return 0;
}
