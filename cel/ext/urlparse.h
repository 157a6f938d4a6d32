/*
 * cel/ext/urlparse.h: URLs as Go's net/url parses and prints them (Go 1.26:
 * url.Parse, url.ParseRequestURI, URL.String, EscapedPath, Hostname, Port,
 * ParseQuery), with Go's error texts, for the Kubernetes url() functions
 * and the uri format.
 *
 * A parsed URL keeps its components (decoded where Go decodes them) in a
 * buffer the caller provides, CEL_URL_BUF(n) bytes for an n-byte input, so
 * parsing never allocates.
 */
#ifndef CEL_EXT_URLPARSE_H
#define CEL_EXT_URLPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

#define CEL_URL_BUF(n) (3 * (size_t)(n) + 32)

typedef struct cel_url_span {
    uint32_t off, len;
} cel_url_span;

typedef struct cel_url {
    char *buf; /* the components, CEL_URL_BUF(n) bytes */
    size_t used;
    cel_url_span scheme, opaque, username, password, host, path, raw_path, raw_query, fragment,
        raw_fragment;
    bool has_user, has_password, force_query, omit_host;
} cel_url;

typedef enum cel_url_reason {
    CEL_URL_OK = 0,
    CEL_URL_CTL,          /* net/url: invalid control character in URL */
    CEL_URL_EMPTY,        /* empty url */
    CEL_URL_NO_SCHEME,    /* missing protocol scheme */
    CEL_URL_NOT_REQUEST,  /* invalid URI for request */
    CEL_URL_COLON,        /* first path segment in URL cannot contain colon */
    CEL_URL_USERINFO,     /* net/url: invalid userinfo */
    CEL_URL_IP_LITERAL,   /* invalid IP-literal */
    CEL_URL_NO_BRACKET,   /* missing ']' in host */
    CEL_URL_PORT,         /* invalid port "<q>" after host */
    CEL_URL_HOST_ADDR,    /* invalid host: ParseAddr("<q>"): ... */
    CEL_URL_ESCAPE,       /* invalid URL escape "<q>" */
    CEL_URL_HOST_CHAR     /* invalid character "<q>" in host name */
} cel_url_reason;

typedef struct cel_url_err {
    int reason;            /* cel_url_reason */
    const char *q;         /* detail to quote (PORT, ESCAPE, HOST_CHAR, HOST_ADDR) */
    size_t qlen;
    cel_netaddr_err addr;  /* HOST_ADDR */
    const char *url;       /* the text url.Error quotes (Parse's cuts the fragment) */
    size_t url_len;
} cel_url_err;

/* url.ParseRequestURI(s). */
bool cel_url_parse_request_uri(const char *s, size_t n, cel_url *u, cel_url_err *e);
/* url.Parse(s). */
bool cel_url_parse(const char *s, size_t n, cel_url *u, cel_url_err *e);

/* The *url.Error text: parse "<url>": <reason> (snprintf-like). */
size_t cel_url_error(const cel_url_err *e, char *buf, size_t cap);

/* URL.String(), URL.EscapedPath() (snprintf-like). */
size_t cel_url_string(const cel_url *u, char *buf, size_t cap);
size_t cel_url_escaped_path(const cel_url *u, char *buf, size_t cap);
/* URL.Hostname() and URL.Port() as spans of u->buf. */
cel_url_span cel_url_hostname(const cel_url *u);
cel_url_span cel_url_port(const cel_url *u);

/* url.ParseQuery over the raw query, skipping malformed pairs as
 * URL.Query() does: calls fn for each key=value in order, both decoded
 * into scratch (which needs as many bytes as the raw query). */
typedef bool (*cel_url_query_fn)(void *ctx, const char *key, size_t klen, const char *val,
                                 size_t vlen);
bool cel_url_query(const cel_url *u, char *scratch, cel_url_query_fn fn, void *ctx);

static inline const char *cel_url_at(const cel_url *u, cel_url_span s) { return u->buf + s.off; }

#endif
