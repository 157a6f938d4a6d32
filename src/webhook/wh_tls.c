/*
 * webhook/wh_tls.c: the serving certificate and the client CA.
 *
 * OpenSSL checks what we are given (the chain parses, the key matches the
 * leaf, the leaf is valid now) so that a bad file is refused with a clear
 * reason before it can replace a good one. libmicrohttpd speaks TLS through
 * GnuTLS, so the accepted pair is then imported into GnuTLS and handed to
 * each new handshake by a certificate callback: a reload changes what new
 * connections get and leaves open connections alone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "wh.h"

/* GnuTLS keeps no copy of what the callback returns, so a generation is
 * never freed while the server runs: reloads are rare (certificate renewal)
 * and each generation is a few kilobytes. */
typedef struct wh_cert_gen {
    gnutls_pcert_st pcerts[16];
    unsigned npcerts;
    gnutls_privkey_t key;
    time_t not_after;
    struct wh_cert_gen *older;
} wh_cert_gen;

struct wh_tls {
    pthread_mutex_t mu;
    wh_cert_gen *cur;
};

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

/* The first OpenSSL error of this thread, as text; clears the queue. */
static const char *ossl_reason(char *buf, size_t len)
{
    unsigned long e = ERR_get_error();
    if (!e || ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
        snprintf(buf, len, "no PEM data found");
    else
        ERR_error_string_n(e, buf, len);
    ERR_clear_error();
    return buf;
}

int wh_read_file(const char *path, size_t max, char **data, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, "%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                fclose(f);
                return fail(err, "%s: larger than %zu bytes", path, max);
            }
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return fail(err, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return fail(err, "%s: read error", path);
    }
    if (n > max) {
        free(buf);
        return fail(err, "%s: larger than %zu bytes", path, max);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1; /* never prompt on a terminal for an encrypted key */
}

static time_t asn1_to_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return (time_t)-1;
    return timegm(&tm);
}

int wh_tls_parse_pair(const char *cert, size_t cert_len, const char *key, size_t key_len,
                      time_t now, wh_cert_info *info, char **err)
{
    char why[256];
    memset(info, 0, sizeof *info);
    if (cert_len > WH_PEM_MAX || key_len > WH_PEM_MAX)
        return fail(err, "certificate or key larger than %u bytes", WH_PEM_MAX);
    ERR_clear_error();
    int rc = -1;
    X509 *leaf = NULL;
    EVP_PKEY *pkey = NULL;
    BIO *cb = BIO_new_mem_buf(cert, (int)cert_len);
    BIO *kb = BIO_new_mem_buf(key, (int)key_len);
    if (!cb || !kb) {
        fail(err, "out of memory");
        goto out;
    }
    leaf = PEM_read_bio_X509(cb, NULL, no_password, NULL);
    if (!leaf) {
        fail(err, "certificate: %s", ossl_reason(why, sizeof why));
        goto out;
    }
    /* The rest of the chain must parse too, or clients would get a chain
     * GnuTLS silently cut short. */
    for (int i = 1;; i++) {
        X509 *x = PEM_read_bio_X509(cb, NULL, no_password, NULL);
        if (!x) {
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error();
                break;
            }
            fail(err, "certificate %d of the chain: %s", i + 1, ossl_reason(why, sizeof why));
            goto out;
        }
        X509_free(x);
        if (i >= 15) {
            fail(err, "certificate chain longer than 16 certificates");
            goto out;
        }
    }
    pkey = PEM_read_bio_PrivateKey(kb, NULL, no_password, NULL);
    if (!pkey) {
        fail(err, "private key: %s", ossl_reason(why, sizeof why));
        goto out;
    }
    if (X509_check_private_key(leaf, pkey) != 1) {
        ERR_clear_error();
        fail(err, "private key does not match the certificate");
        goto out;
    }
    info->not_before = asn1_to_time(X509_get0_notBefore(leaf));
    info->not_after = asn1_to_time(X509_get0_notAfter(leaf));
    if (info->not_before == (time_t)-1 || info->not_after == (time_t)-1) {
        fail(err, "certificate: unreadable validity period");
        goto out;
    }
    if (now < info->not_before) {
        fail(err, "certificate is not valid before %lld (unix time)", (long long)info->not_before);
        goto out;
    }
    if (now > info->not_after) {
        fail(err, "certificate expired at %lld (unix time)", (long long)info->not_after);
        goto out;
    }
    X509_NAME_oneline(X509_get_subject_name(leaf), info->subject, sizeof info->subject);
    info->cert_pem = malloc(cert_len + 1);
    info->key_pem = malloc(key_len + 1);
    if (!info->cert_pem || !info->key_pem) {
        fail(err, "out of memory");
        goto out;
    }
    memcpy(info->cert_pem, cert, cert_len);
    info->cert_pem[cert_len] = '\0';
    info->cert_len = cert_len;
    memcpy(info->key_pem, key, key_len);
    info->key_pem[key_len] = '\0';
    info->key_len = key_len;
    rc = 0;
out:
    if (rc)
        wh_cert_info_clear(info);
    X509_free(leaf);
    EVP_PKEY_free(pkey);
    BIO_free(cb);
    BIO_free(kb);
    ERR_clear_error();
    return rc;
}

int wh_tls_parse_ca(const char *pem, size_t len, size_t *ncerts, char **err)
{
    char why[256];
    if (len > WH_PEM_MAX)
        return fail(err, "client CA larger than %u bytes", WH_PEM_MAX);
    ERR_clear_error();
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    if (!b)
        return fail(err, "out of memory");
    size_t n = 0;
    int rc = 0;
    for (;;) {
        X509 *x = PEM_read_bio_X509(b, NULL, no_password, NULL);
        if (!x) {
            unsigned long e = ERR_peek_last_error();
            if (n > 0 && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                break;
            rc = fail(err, "client CA certificate %zu: %s", n + 1, ossl_reason(why, sizeof why));
            break;
        }
        X509_free(x);
        n++;
    }
    BIO_free(b);
    ERR_clear_error();
    if (ncerts)
        *ncerts = n;
    return rc;
}

void wh_cert_info_clear(wh_cert_info *info)
{
    free(info->cert_pem);
    free(info->key_pem);
    memset(info, 0, sizeof *info);
}

/* ---------------------------------------------------------------- generations */

static void gen_free(wh_cert_gen *g)
{
    for (unsigned i = 0; i < g->npcerts; i++)
        gnutls_pcert_deinit(&g->pcerts[i]);
    if (g->key)
        gnutls_privkey_deinit(g->key);
    free(g);
}

static wh_cert_gen *gen_import(const wh_cert_info *info, char **err)
{
    wh_cert_gen *g = calloc(1, sizeof *g);
    if (!g) {
        fail(err, "out of memory");
        return NULL;
    }
    gnutls_datum_t c = {(unsigned char *)info->cert_pem, (unsigned)info->cert_len};
    gnutls_datum_t k = {(unsigned char *)info->key_pem, (unsigned)info->key_len};
    g->npcerts = sizeof g->pcerts / sizeof g->pcerts[0];
    int r = gnutls_pcert_list_import_x509_raw(g->pcerts, &g->npcerts, &c, GNUTLS_X509_FMT_PEM, 0);
    if (r < 0) {
        g->npcerts = 0;
        gen_free(g);
        fail(err, "certificate: GnuTLS: %s", gnutls_strerror(r));
        return NULL;
    }
    if ((r = gnutls_privkey_init(&g->key)) < 0 ||
        (r = gnutls_privkey_import_x509_raw(g->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        gen_free(g);
        fail(err, "private key: GnuTLS: %s", gnutls_strerror(r));
        return NULL;
    }
    g->not_after = info->not_after;
    return g;
}

wh_tls *wh_tls_new(void)
{
    wh_tls *t = calloc(1, sizeof *t);
    if (t)
        pthread_mutex_init(&t->mu, NULL);
    return t;
}

void wh_tls_free(wh_tls *t)
{
    if (!t)
        return;
    for (wh_cert_gen *g = t->cur, *next; g; g = next) {
        next = g->older;
        gen_free(g);
    }
    pthread_mutex_destroy(&t->mu);
    free(t);
}

int wh_tls_load(wh_tls *t, const char *cert_file, const char *key_file, char **err)
{
    char *cert = NULL, *key = NULL;
    size_t clen, klen;
    char *e = NULL;
    if (wh_read_file(cert_file, WH_PEM_MAX, &cert, &clen, err) < 0)
        return -1;
    if (wh_read_file(key_file, WH_PEM_MAX, &key, &klen, err) < 0) {
        free(cert);
        return -1;
    }
    wh_cert_info info;
    int rc = wh_tls_parse_pair(cert, clen, key, klen, time(NULL), &info, &e);
    /* The key must not linger in freed memory. */
    explicit_bzero(key, klen);
    free(key);
    free(cert);
    if (rc < 0) {
        fail(err, "%s, %s: %s", cert_file, key_file, e ? e : "invalid");
        free(e);
        return -1;
    }
    wh_cert_gen *g = gen_import(&info, &e);
    explicit_bzero(info.key_pem, info.key_len);
    wh_cert_info_clear(&info);
    if (!g) {
        fail(err, "%s, %s: %s", cert_file, key_file, e ? e : "invalid");
        free(e);
        return -1;
    }
    pthread_mutex_lock(&t->mu);
    g->older = t->cur;
    t->cur = g;
    pthread_mutex_unlock(&t->mu);
    return 0;
}

time_t wh_tls_not_after(wh_tls *t)
{
    pthread_mutex_lock(&t->mu);
    time_t v = t->cur ? t->cur->not_after : 0;
    pthread_mutex_unlock(&t->mu);
    return v;
}

int wh_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length,
                    gnutls_privkey_t *privkey)
{
    (void)req_ca_rdn; (void)nreqs; (void)pk_algos; (void)pk_algos_length;
    struct MHD_Connection *c = gnutls_session_get_ptr(session);
    const union MHD_ConnectionInfo *ci =
        c ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    /* The context is wh_server's per-connection record, whose first member
     * is the wh_tls to use. */
    wh_tls *const *slot = ci ? ci->socket_context : NULL;
    wh_tls *t = slot ? *slot : NULL;
    if (!t)
        return -1;
    pthread_mutex_lock(&t->mu);
    wh_cert_gen *g = t->cur;
    pthread_mutex_unlock(&t->mu);
    if (!g)
        return -1;
    *pcert = g->pcerts;
    *pcert_length = g->npcerts;
    *privkey = g->key;
    return 0;
}
