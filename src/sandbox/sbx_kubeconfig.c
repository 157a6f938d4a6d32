/*
 * sandbox/sbx_kubeconfig.c: what kubectl needs to reach the sandbox with no
 * other set-up: a private CA and serving certificate (made once by the
 * webhook's certificate generator, kept under DATA/pki so kubeconfigs stay
 * valid across restarts), a bearer token (DATA/token), and the kubeconfig
 * naming both, written 0600 in one rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sbx.h"
#include "webhook/wh.h"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int sbx_pki_ensure(const char *dir, char **ca_b64, char **err)
{
    *ca_b64 = NULL;
    char pki[4096], ca[4200];
    snprintf(pki, sizeof pki, "%s/pki", dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", pki);
    if (!exists(ca)) {
        wh_certgen_opts o = {.service = "celgate-sandbox", .ns = "default", .out = pki, .days = 3650,
                             .client = false};
        char *b64 = NULL;
        if (wh_certgen(&o, &b64, err) < 0)
            return -1;
        *ca_b64 = b64;
        return 0;
    }
    char *pem = NULL;
    size_t len = 0;
    if (wh_read_file(ca, WH_PEM_MAX, &pem, &len, err) < 0)
        return -1;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out) {
        free(pem);
        *err = strdup("out of memory");
        return -1;
    }
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)pem, (int)len);
    free(pem);
    *ca_b64 = out;
    return 0;
}

static int write_private(const char *path, const char *text, char **err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        if (asprintf(err, "%s: %s", tmp, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            if (asprintf(err, "%s: %s", tmp, strerror(e)) < 0)
                *err = NULL;
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
            *err = NULL;
        unlink(tmp);
        return -1;
    }
    return 0;
}

int sbx_token_ensure(const char *dir, char out[65], char **err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/token", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char buf[80] = {0};
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (n == 64) {
            memcpy(out, buf, 65);
            return 0;
        }
    }
    unsigned char b[32];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        *err = strdup("no random bytes for the token");
        return -1;
    }
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    char line[80];
    snprintf(line, sizeof line, "%s\n", out);
    return write_private(path, line, err);
}

int sbx_kubeconfig_write(const char *path, const char *server, const char *ca_b64, const char *token,
                         char **err)
{
    /* The certificate names localhost and 127.0.0.1; any other address is
     * reached under the name localhost. */
    bool plain = !strncmp(server, "https://127.0.0.1:", 18) || !strncmp(server, "https://localhost:", 18);
    size_t need = strlen(ca_b64) + strlen(server) + strlen(token) + 1024;
    char *text = malloc(need);
    if (!text) {
        *err = strdup("out of memory");
        return -1;
    }
    snprintf(text, need,
             "apiVersion: v1\n"
             "kind: Config\n"
             "clusters:\n"
             "- name: celgate-sandbox\n"
             "  cluster:\n"
             "    server: %s\n"
             "%s"
             "    certificate-authority-data: %s\n"
             "contexts:\n"
             "- name: celgate-sandbox\n"
             "  context:\n"
             "    cluster: celgate-sandbox\n"
             "    user: celgate-sandbox-admin\n"
             "    namespace: default\n"
             "current-context: celgate-sandbox\n"
             "users:\n"
             "- name: celgate-sandbox-admin\n"
             "  user:\n"
             "    token: %s\n",
             server, plain ? "" : "    tls-server-name: localhost\n", ca_b64, token);
    int rc = write_private(path, text, err);
    free(text);
    return rc;
}
