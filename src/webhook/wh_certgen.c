/*
 * webhook/wh_certgen.c: certificates for the webhook, made with OpenSSL: a
 * private CA, a serving certificate for the webhook Service and optionally a
 * client certificate (for the API server, when `serve --client-ca` is used).
 *
 * Keys are ECDSA P-256: small, and the cheapest handshakes for a server on
 * the path of every write. The API server checks the serving certificate's
 * SANs for <service>.<namespace>.svc, so all the Service's names are listed,
 * plus localhost and 127.0.0.1 for local runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "wh.h"

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
    if (err && !*err) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(err, fmt, ap) < 0)
            *err = NULL;
        va_end(ap);
    }
    return -1;
}

static int ossl_fail(char **err, const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return fail(err, "%s: %s", what, e ? buf : "failed");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value, char **err)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return ossl_fail(err, value);
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : ossl_fail(err, "adding an extension");
}

/* A certificate for `key` named `cn`, signed by issuer/ikey (self-signed
 * when issuer is NULL), with the extensions nids[i] = values[i] (0-ended). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, long days,
                       const int *nids, const char *const *values, char **err)
{
    X509 *x = X509_new();
    BIGNUM *bn = BN_new();
    if (!x || !bn)
        goto fail;
    X509_set_version(x, 2);
    /* 127-bit random serials: unique without keeping any state. */
    if (!BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
        !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
        goto fail;
    /* Backdated a little so that a clock slightly behind still accepts it. */
    if (!X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L))
        goto fail;
    X509_NAME *name = X509_get_subject_name(x);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                    -1, 0))
        goto fail;
    if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
        !X509_set_pubkey(x, key))
        goto fail;
    for (int i = 0; nids[i]; i++)
        if (add_ext(x, issuer ? issuer : x, nids[i], values[i], err) < 0)
            goto fail_quiet;
    if (!X509_sign(x, issuer ? ikey : key, EVP_sha256()))
        goto fail;
    BN_free(bn);
    return x;
fail:
    ossl_fail(err, cn);
fail_quiet:
    BN_free(bn);
    X509_free(x);
    return NULL;
}

static int write_cert(const char *dir, const char *file, X509 *x, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(err, "%s: %s", path, strerror(errno));
    int ok = PEM_write_X509(f, x);
    if (fclose(f) != 0 || !ok)
        return fail(err, "%s: write failed", path);
    return 0;
}

static int write_key(const char *dir, const char *file, EVP_PKEY *k, char **err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    /* Created private: a key must never be readable by others, even briefly. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail(err, "%s: %s", path, strerror(e));
    }
    int ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    if (fclose(f) != 0 || !ok)
        return fail(err, "%s: write failed", path);
    return 0;
}

static char *pem_base64(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || !PEM_write_bio_X509(b, x)) {
        BIO_free(b);
        return NULL;
    }
    char *pem;
    long n = BIO_get_mem_data(b, &pem);
    char *out = malloc(((size_t)n + 2) / 3 * 4 + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)pem, (int)n);
    BIO_free(b);
    return out;
}

int wh_certgen(const wh_certgen_opts *o, char **ca_b64, char **err)
{
    if (ca_b64)
        *ca_b64 = NULL;
    if (mkdir(o->out, 0755) < 0 && errno != EEXIST)
        return fail(err, "%s: %s", o->out, strerror(errno));
    char cn[256], san[1024];
    snprintf(cn, sizeof cn, "%s.%s.svc", o->service, o->ns);
    snprintf(san, sizeof san,
             "DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local,DNS:localhost,"
             "IP:127.0.0.1",
             o->service, o->service, o->ns, o->service, o->ns, o->service, o->ns);
    static const int ca_nids[] = {NID_basic_constraints, NID_key_usage,
                                  NID_subject_key_identifier, 0};
    static const char *const ca_vals[] = {"critical,CA:TRUE,pathlen:0",
                                          "critical,keyCertSign,cRLSign", "hash"};
    const int leaf_nids[] = {NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
                             NID_subject_alt_name, NID_authority_key_identifier, 0};
    const char *const leaf_vals[] = {"critical,CA:FALSE", "critical,digitalSignature",
                                     "serverAuth", san, "keyid"};
    static const int client_nids[] = {NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
                                      NID_authority_key_identifier, 0};
    static const char *const client_vals[] = {"critical,CA:FALSE", "critical,digitalSignature",
                                              "clientAuth", "keyid"};
    int rc = -1;
    long days = o->days > 0 ? o->days : 365;
    EVP_PKEY *cak = EVP_EC_gen("P-256"), *k = EVP_EC_gen("P-256");
    EVP_PKEY *ck = o->client ? EVP_EC_gen("P-256") : NULL;
    X509 *ca = NULL, *leaf = NULL, *client = NULL;
    if (!cak || !k || (o->client && !ck)) {
        ossl_fail(err, "generating keys");
        goto out;
    }
    char ca_cn[300];
    snprintf(ca_cn, sizeof ca_cn, "celgate CA for %s", cn);
    if (!(ca = make_cert(cak, ca_cn, NULL, NULL, days, ca_nids, ca_vals, err)) ||
        !(leaf = make_cert(k, cn, ca, cak, days, leaf_nids, leaf_vals, err)))
        goto out;
    if (o->client && !(client = make_cert(ck, "system:apiserver", ca, cak, days, client_nids,
                                          client_vals, err)))
        goto out;
    if (write_cert(o->out, "ca.crt", ca, err) < 0 || write_key(o->out, "ca.key", cak, err) < 0 ||
        write_cert(o->out, "tls.crt", leaf, err) < 0 || write_key(o->out, "tls.key", k, err) < 0)
        goto out;
    if (client && (write_cert(o->out, "client.crt", client, err) < 0 ||
                   write_key(o->out, "client.key", ck, err) < 0))
        goto out;
    if (ca_b64 && !(*ca_b64 = pem_base64(ca))) {
        ossl_fail(err, "encoding the CA");
        goto out;
    }
    rc = 0;
out:
    X509_free(ca);
    X509_free(leaf);
    X509_free(client);
    EVP_PKEY_free(cak);
    EVP_PKEY_free(k);
    EVP_PKEY_free(ck);
    return rc;
}
