/*
 * tests/unit/test_wh_server.c: the webhook server over real TLS on
 * loopback, driven by an OpenSSL client, with a small fake engine (defined
 * here, compiled only into this test) so that routing, limits, health,
 * metrics, reloads and client certificates are tested on their own.
 *
 * The fake engine: a policy file whose text is "broken" fails to load; a
 * review is denied (422) when request.object.deny is true; a request with
 * no "operation" is malformed for the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "webhook/wh.h"

#include "tests/wh_fake_engine.h"

/* ---------------------------------------------------------------- fixtures */

typedef struct fixture {
    char dir[64];
    char policy[128], cert[128], key[128], ca[128], ccert[128], ckey[128];
    wh_config cfg;
    wh_server *s;
} fixture;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_certs(const char *dir)
{
    wh_certgen_opts o = {.service = "celgate", .ns = "test", .out = dir, .days = 2,
                         .client = true};
    char *err = NULL;
    assert_int_equal(wh_certgen(&o, NULL, &err), 0);
}

static int setup_common(void **state, bool client_ca)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wh-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->policy, sizeof f->policy, "%s/policy.yaml", f->dir);
    snprintf(f->cert, sizeof f->cert, "%s/tls.crt", f->dir);
    snprintf(f->key, sizeof f->key, "%s/tls.key", f->dir);
    snprintf(f->ca, sizeof f->ca, "%s/ca.crt", f->dir);
    snprintf(f->ccert, sizeof f->ccert, "%s/client.crt", f->dir);
    snprintf(f->ckey, sizeof f->ckey, "%s/client.key", f->dir);
    write_text(f->policy, "generation one");
    make_certs(f->dir);
    wh_config_init(&f->cfg);
    char *err = NULL;
    const char *args[][2] = {{"policies", f->policy}, {"cert", f->cert}, {"key", f->key},
                             {"addr", "127.0.0.1"},   {"port", "0"},     {"health-port", "0"},
                             {"threads", "2"},        {"max-body", "4Ki"},
                             {"shutdown-delay", "0s"}, {"drain-timeout", "2s"}};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        assert_int_equal(wh_config_set(&f->cfg, args[i][0], args[i][1], &err), 0);
    if (client_ca)
        assert_int_equal(wh_config_set(&f->cfg, "client-ca", f->ca, &err), 0);
    char *argv[] = {"serve", NULL};
    assert_int_equal(wh_config_parse(&f->cfg, 1, argv, stdout, &err), 0);
    if (wh_server_start(&f->cfg, &wh_fake_engine, &f->s, &err) < 0)
        fail_msg("server start: %s", err);
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_common(state, false);
}

static int setup_client_ca(void **state)
{
    return setup_common(state, true);
}

static int teardown(void **state)
{
    fixture *f = *state;
    wh_server_shutdown(f->s);
    wh_config_clear(&f->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ---------------------------------------------------------------- clients */

typedef struct reply {
    int status;        /* 0: no HTTP answer (TLS or connection failure) */
    char *head;
    char *body;
} reply;

static void reply_clear(reply *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

static int connect_port(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void parse_reply(char *buf, size_t n, reply *r)
{
    char *sep = buf ? strstr(buf, "\r\n\r\n") : NULL;
    if (!sep || n < 12 || strncmp(buf, "HTTP/1.1 ", 9)) {
        free(buf);
        return;
    }
    r->status = atoi(buf + 9);
    *sep = '\0';
    r->head = strdup(buf);
    r->body = strdup(sep + 4);
    free(buf);
}

/* Sends raw bytes over TLS (verifying the server against `ca`, presenting
 * cert/key when given) and reads the answer until the server closes. */
static void https_raw(unsigned port, const char *ca, const char *cert, const char *key,
                      const char *req, size_t len, reply *r)
{
    memset(r, 0, sizeof *r);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, ca, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (cert) {
        assert_int_equal(SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM), 1);
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set1_host(ssl, "localhost");
    SSL_set_tlsext_host_name(ssl, "localhost");
    int fd = connect_port(port);
    SSL_set_fd(ssl, fd);
    char *buf = NULL;
    size_t n = 0;
    if (SSL_connect(ssl) == 1) {
        size_t off = 0;
        while (off < len) {
            int w = SSL_write(ssl, req + off, (int)(len - off > 65536 ? 65536 : len - off));
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        size_t cap = 0;
        for (;;) {
            if (n + 4096 + 1 > cap) {
                cap = cap ? cap * 2 : 8192;
                buf = realloc(buf, cap);
            }
            int got = SSL_read(ssl, buf + n, 4096);
            if (got <= 0)
                break;
            n += (size_t)got;
        }
        if (buf)
            buf[n] = '\0';
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    parse_reply(buf, n, r);
}

static void post(fixture *f, const char *path, const char *ctype, const char *body, reply *r)
{
    char *req;
    int n = asprintf(&req,
                     "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     path, ctype, strlen(body), body);
    assert_true(n > 0);
    https_raw(wh_server_port(f->s), f->ca, NULL, NULL, req, (size_t)n, r);
    free(req);
}

static void http_get(unsigned port, const char *path, reply *r)
{
    memset(r, 0, sizeof *r);
    int fd = connect_port(port);
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    char *buf = malloc(1 << 16);
    size_t len = 0;
    ssize_t got;
    while (len < (1 << 16) - 1 && (got = read(fd, buf + len, (1 << 16) - 1 - len)) > 0)
        len += (size_t)got;
    buf[len] = '\0';
    close(fd);
    parse_reply(buf, len, r);
}

static const char review_ok[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
    "{\"uid\":\"0df28fbd-5f5f-4ea1-9d3a-2a0e4f3c5e11\",\"operation\":\"CREATE\","
    "\"resource\":{\"group\":\"networking.k8s.io\",\"version\":\"v1\",\"resource\":"
    "\"servicecidrs\"},\"name\":\"ok\",\"object\":{}}}";
static const char review_deny[] =
    "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":"
    "{\"uid\":\"u-2\",\"operation\":\"CREATE\",\"object\":{\"deny\":true}}}";

/* ---------------------------------------------------------------- tests */

static const char review_decisions[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
    "{\"uid\":\"u-3\",\"operation\":\"CREATE\",\"object\":{\"decisions\":["
    "[\"error-ignored\",\"out_of_budget\"],[\"deny\",\"config_error\"],[\"admit\",\"no_error\"],"
    "[\"skip\",null],[\"warn\",\"invalid_error\"],[\"audit\",\"invalid_error\"]]}}}";

static void test_allowed_review_echoes_uid(void **state)
{
    fixture *f = *state;
    reply r;
    post(f, "/validate?timeout=10s", "application/json", review_ok, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "apiVersion")),
                        "admission.k8s.io/v1");
    json_t *resp = json_object_get(j, "response");
    assert_string_equal(json_string_value(json_object_get(resp, "uid")),
                        "0df28fbd-5f5f-4ea1-9d3a-2a0e4f3c5e11");
    assert_true(json_is_true(json_object_get(resp, "allowed")));
    json_decref(j);
    reply_clear(&r);
}

static void test_denied_review_in_request_version(void **state)
{
    fixture *f = *state;
    reply r;
    post(f, "/validate", "application/json; charset=utf-8", review_deny, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "apiVersion")),
                        "admission.k8s.io/v1beta1");
    json_t *st = json_object_get(json_object_get(j, "response"), "status");
    assert_int_equal(json_integer_value(json_object_get(st, "code")), 422);
    assert_string_equal(json_string_value(json_object_get(st, "message")), "generation one");
    json_decref(j);
    reply_clear(&r);
}

static void test_warnings_and_audit_annotations(void **state)
{
    fixture *f = *state;
    reply r;
    post(f, "/validate", "application/json",
         "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
         "{\"uid\":\"w\",\"operation\":\"UPDATE\",\"object\":{\"warn\":true,\"audit\":true}}}",
         &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
                                "\"AdmissionReview\",\"response\":{\"uid\":\"w\",\"allowed\":"
                                "true,\"warnings\":[\"fake warning\"],\"auditAnnotations\":"
                                "{\"validation_failure\":\"[]\",\"fake.policy_key\":\"v\"}}}");
    reply_clear(&r);
}

/* The bare allow written by hand is byte for byte what jansson writes. */
static void test_allowed_text_matches_jansson(void **state)
{
    (void)state;
    static const char *const uids[] = {
        "0df28fbd-5f5f-4ea1-9d3a-2a0e4f3c5e11", "", "a\"b\\c/d",
        "\b\f\n\r\t\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"};
    static const char *const versions[] = {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"};
    vap_outcome o;
    memset(&o, 0, sizeof o);
    o.allowed = true;
    for (size_t v = 0; v < 2; v++)
        for (size_t i = 0; i < sizeof uids / sizeof uids[0]; i++) {
            json_t *uid = json_string(uids[i]);
            assert_non_null(uid);
            json_t *resp = wh_review_response(versions[v], uid, &o);
            char *want = json_dumps(resp, JSON_COMPACT);
            size_t len = 0;
            char *got = wh_review_allowed_text(versions[v], uid, &len);
            assert_non_null(got);
            assert_string_equal(got, want);
            assert_int_equal(len, strlen(want));
            free(got);
            free(want);
            json_decref(resp);
            json_decref(uid);
        }
    json_t *num = json_integer(7);
    assert_null(wh_review_allowed_text(versions[0], num, NULL));
    json_decref(num);
}

static void test_audit_keys(void **state)
{
    (void)state;
    char *k = wh_audit_key("validation.policy.admission.k8s.io/validation_failure");
    assert_string_equal(k, "validation_failure");
    free(k);
    k = wh_audit_key("servicecidrs.default/cidrs");
    assert_string_equal(k, "servicecidrs.default_cidrs");
    free(k);
    k = wh_audit_key("plain");
    assert_string_equal(k, "plain");
    free(k);
}

static void expect_400(fixture *f, const char *body, const char *message)
{
    reply r;
    post(f, "/validate", "application/json", body, &r);
    assert_int_equal(r.status, 400);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "Status");
    assert_int_equal(json_integer_value(json_object_get(j, "code")), 400);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "BadRequest");
    assert_string_equal(json_string_value(json_object_get(j, "message")), message);
    json_decref(j);
    reply_clear(&r);
}

static void test_malformed_reviews_get_400(void **state)
{
    fixture *f = *state;
    expect_400(f, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Admission",
               "invalid JSON at line 1, column 53: premature end of input near "
               "'\"Admission'");
    expect_400(f, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\",\"request\":{}}",
               "kind: expected \"AdmissionReview\", got \"Pod\"");
    expect_400(f, "{\"apiVersion\":\"v1\",\"kind\":\"AdmissionReview\"}",
               "apiVersion: expected \"admission.k8s.io/v1\" or \"admission.k8s.io/v1beta1\", "
               "got \"v1\"");
    expect_400(f, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
               "request: required field is missing");
    expect_400(f,
               "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
               "\"request\":{\"operation\":\"CREATE\"}}",
               "request.uid: required field is missing");
    expect_400(f,
               "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
               "\"request\":{\"uid\":\"\xff\xfe\"}}",
               "invalid JSON at line 1, column 79: unable to decode byte 0xff near '\"'");
    expect_400(f, "[1,2]", "body: expected an AdmissionReview object");
    expect_400(f,
               "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
               "\"request\":{\"uid\":\"a\\u0000b\"}}",
               "invalid JSON at line 1, column 88: \\u0000 in a string is not accepted");
    expect_400(f,
               "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
               "\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"a\"}}",
               "invalid JSON at line 1, column 67: duplicate object key near '\"kind\"'");
    /* A long engine complaint is cut between characters, never inside one. */
    char *longop = malloc(3000);
    strcpy(longop, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                   "\"request\":{\"uid\":\"x\",\"operation\":\"CREATE\",\"object\":{\"longerr\":\"");
    for (int i = 0; i < 600; i++)
        strcat(longop, "\xc3\xa9");
    strcat(longop, "\"}}}");
    reply lr;
    post(f, "/validate", "application/json", longop, &lr);
    assert_int_equal(lr.status, 400);
    json_t *lj = json_loads(lr.body, 0, NULL);
    assert_non_null(lj);
    const char *lm = json_string_value(json_object_get(lj, "message"));
    assert_int_equal(strncmp(lm, "object.longerr: ", 16), 0);
    assert_true(strlen(lm) >= 1020 && strlen(lm) <= 1023);
    json_decref(lj);
    reply_clear(&lr);
    free(longop);
    /* The engine's own complaint passes through. */
    expect_400(f,
               "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
               "\"request\":{\"uid\":\"x\"}}",
               "request.operation: required field is missing");
}

static void test_routing_and_limits(void **state)
{
    fixture *f = *state;
    reply r;
    post(f, "/other", "application/json", review_ok, &r);
    assert_int_equal(r.status, 404);
    reply_clear(&r);
    post(f, "/validate", "text/\xff\xfe", review_ok, &r);
    assert_int_equal(r.status, 415);
    assert_non_null(strstr(r.body, "Content-Type: expected application/json, got text/??"));
    reply_clear(&r);
    post(f, "/validate", "text/plain", review_ok, &r);
    assert_int_equal(r.status, 415);
    assert_non_null(strstr(r.body, "Content-Type: expected application/json, got text/plain"));
    reply_clear(&r);
    const char get[] = "GET /validate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    https_raw(wh_server_port(f->s), f->ca, NULL, NULL, get, strlen(get), &r);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.head, "Allow: POST"));
    reply_clear(&r);
    /* max-body is 4Ki in this fixture. */
    char *big = malloc(5000);
    memset(big, ' ', 4999);
    big[4999] = '\0';
    big[0] = '{';
    big[4998] = '}';
    post(f, "/validate", "application/json", big, &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "request body of 4999 bytes exceeds the limit of 4096 bytes"));
    reply_clear(&r);
    /* Without Content-Length (chunked), the limit holds while reading. */
    char *req;
    int n = asprintf(&req,
                     "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     "%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n",
                     4000, big + 999, 4000, big + 999);
    https_raw(wh_server_port(f->s), f->ca, NULL, NULL, req, (size_t)n, &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "request body exceeds the limit of 4096 bytes"));
    reply_clear(&r);
    free(req);
    free(big);
}

/* Policy checks counted with the label values of the apiserver's
 * apiserver_validating_admission_policy_check_total (validating/dispatcher.go):
 * an error ignored is "allow", a pass and a configuration error are not
 * counted. */
static void test_policy_check_labels(void **state)
{
    fixture *f = *state;
    unsigned hp = wh_server_health_port(f->s);
    reply r;
    post(f, "/validate", "application/json", review_decisions, &r);
    assert_int_equal(r.status, 200);
    reply_clear(&r);
    http_get(hp, "/metrics", &r);
    const char *pre = "celgate_validating_admission_policy_check_total{policy=\"fake\",policy_binding=\"fake-binding\",";
    char want[256];
    snprintf(want, sizeof want, "%serror_type=\"out_of_budget\",enforcement_action=\"allow\"} 1\n", pre);
    assert_non_null(strstr(r.body, want));
    snprintf(want, sizeof want, "%serror_type=\"invalid_error\",enforcement_action=\"warn\"} 1\n", pre);
    assert_non_null(strstr(r.body, want));
    snprintf(want, sizeof want, "%serror_type=\"invalid_error\",enforcement_action=\"audit\"} 1\n", pre);
    assert_non_null(strstr(r.body, want));
    assert_null(strstr(r.body, "config_error"));
    assert_null(strstr(r.body, "enforcement_action=\"admit\""));
    assert_null(strstr(r.body, "enforcement_action=\"skip\""));
    assert_null(strstr(r.body, "enforcement_action=\"error-ignored\""));
    reply_clear(&r);
}

static void test_health_ready_metrics(void **state)
{
    fixture *f = *state;
    unsigned hp = wh_server_health_port(f->s);
    reply r;
    http_get(hp, "/healthz", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    reply_clear(&r);
    http_get(hp, "/readyz", &r);
    assert_int_equal(r.status, 200);
    reply_clear(&r);
    post(f, "/validate", "application/json", review_ok, &r);
    reply_clear(&r);
    post(f, "/validate", "application/json", review_deny, &r);
    reply_clear(&r);
    post(f, "/nope", "application/json", review_deny, &r);
    reply_clear(&r);
    http_get(hp, "/metrics", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/plain; version=0.0.4"));
    assert_non_null(
        strstr(r.body, "celgate_admission_requests_total{verdict=\"allowed\",code=\"200\"} 1\n"));
    assert_non_null(
        strstr(r.body, "celgate_admission_requests_total{verdict=\"denied\",code=\"422\"} 1\n"));
    assert_non_null(
        strstr(r.body, "celgate_admission_requests_total{verdict=\"rejected\",code=\"404\"} 1\n"));
    /* the apiserver's label values: a failed validation is invalid_error;
     * a pass is not counted */
    assert_non_null(strstr(r.body, "celgate_validating_admission_policy_check_total{policy="
                                   "\"fake\",policy_binding=\"fake-binding\",error_type="
                                   "\"invalid_error\",enforcement_action=\"deny\"} 1\n"));
    assert_null(strstr(r.body, "enforcement_action=\"admit\""));
    assert_non_null(strstr(r.body, "celgate_admission_request_duration_seconds_count 3\n"));
    assert_non_null(strstr(r.body, "celgate_admission_requests_in_flight 0\n"));
    char want[128];
    snprintf(want, sizeof want, "celgate_certificate_expiry_timestamp_seconds %lld\n",
             (long long)wh_server_cert_not_after(f->s));
    assert_non_null(strstr(r.body, want));
    assert_true(wh_server_cert_not_after(f->s) > time(NULL) + 86400);
    reply_clear(&r);
    http_get(hp, "/nothing", &r);
    assert_int_equal(r.status, 404);
    reply_clear(&r);
}

static void test_broken_reload_keeps_old_set(void **state)
{
    fixture *f = *state;
    write_text(f->policy, "broken");
    char *err = NULL;
    assert_int_equal(wh_server_reload_policies(f->s, &err), -1);
    assert_string_equal(err, "policy.yaml:1: broken on purpose");
    free(err);
    err = NULL;
    reply r;
    post(f, "/validate", "application/json", review_deny, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "generation one"));
    reply_clear(&r);
    assert_true(wh_server_ready(f->s, NULL));
    write_text(f->policy, "generation two");
    assert_int_equal(wh_server_reload_policies(f->s, &err), 0);
    post(f, "/validate", "application/json", review_deny, &r);
    assert_non_null(strstr(r.body, "generation two"));
    reply_clear(&r);
    http_get(wh_server_health_port(f->s), "/metrics", &r);
    assert_non_null(strstr(r.body, "celgate_reloads_total{what=\"policies\",result=\"failure\"} 1\n"));
    assert_non_null(strstr(r.body, "celgate_reloads_total{what=\"policies\",result=\"success\"} 2\n"));
    reply_clear(&r);
}

static void test_certificate_rotation(void **state)
{
    fixture *f = *state;
    char other[128], cmd[512];
    snprintf(other, sizeof other, "%s/new", f->dir);
    make_certs(other);
    /* A key that does not match: refused, the old pair stays. */
    snprintf(cmd, sizeof cmd, "cp %s/tls.crt %s", other, f->cert);
    assert_int_equal(system(cmd), 0);
    char *err = NULL;
    assert_int_equal(wh_server_reload_cert(f->s, &err), -1);
    assert_non_null(strstr(err, "private key does not match the certificate"));
    free(err);
    err = NULL;
    reply r;
    post(f, "/validate", "application/json", review_ok, &r);
    assert_int_equal(r.status, 200);
    reply_clear(&r);
    snprintf(cmd, sizeof cmd, "cp %s/tls.key %s", other, f->key);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(wh_server_reload_cert(f->s, &err), 0);
    /* New handshakes get the new certificate: the old CA no longer verifies it. */
    post(f, "/validate", "application/json", review_ok, &r);
    assert_int_equal(r.status, 0);
    reply_clear(&r);
    char newca[160];
    snprintf(newca, sizeof newca, "%s/ca.crt", other);
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     strlen(review_ok), review_ok);
    https_raw(wh_server_port(f->s), newca, NULL, NULL, req, (size_t)n, &r);
    assert_int_equal(r.status, 200);
    reply_clear(&r);
}

static void test_client_certificate_required(void **state)
{
    fixture *f = *state;
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     strlen(review_ok), review_ok);
    reply r;
    https_raw(wh_server_port(f->s), f->ca, NULL, NULL, req, (size_t)n, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "a client certificate is required"));
    reply_clear(&r);
    /* A certificate from another CA is not trusted. */
    char other[128], ocert[160], okey[160];
    snprintf(other, sizeof other, "%s/other", f->dir);
    make_certs(other);
    snprintf(ocert, sizeof ocert, "%s/client.crt", other);
    snprintf(okey, sizeof okey, "%s/client.key", other);
    https_raw(wh_server_port(f->s), f->ca, ocert, okey, req, (size_t)n, &r);
    assert_true(r.status == 403 || r.status == 0);
    if (r.status == 403)
        assert_non_null(strstr(r.body, "client certificate not trusted"));
    reply_clear(&r);
    https_raw(wh_server_port(f->s), f->ca, f->ccert, f->ckey, req, (size_t)n, &r);
    assert_int_equal(r.status, 200);
    reply_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_allowed_review_echoes_uid, setup, teardown),
        cmocka_unit_test(test_allowed_text_matches_jansson),
        cmocka_unit_test_setup_teardown(test_denied_review_in_request_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_reviews_get_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warnings_and_audit_annotations, setup, teardown),
        cmocka_unit_test(test_audit_keys),
        cmocka_unit_test_setup_teardown(test_routing_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_ready_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_check_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_reload_keeps_old_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificate_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_certificate_required, setup_client_ca,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
