/*
 * webhook/wh_config.c: settings of `celgate serve`: defaults, command-line
 * flags and an optional config file. One table describes every setting, so
 * --help, the flags and the file always agree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wh.h"

#define WH_DEFAULT_PRIORITIES \
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:" \
    "+CHACHA20-POLY1305:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"

typedef enum { T_STR, T_UINT, T_SIZE, T_MS, T_SEC, T_BOOL } opt_type;

typedef struct opt {
    const char *name;
    opt_type type;
    size_t off;
    const char *arg;
    const char *help;
} opt;

#define F(field) offsetof(wh_config, field)

static const opt opts[] = {
    {"policies", T_STR, F(policies), "PATH",
     "policy file or folder (a ConfigMap mount); required"},
    {"cert", T_STR, F(cert_file), "FILE", "serving certificate chain, PEM (leaf first); required"},
    {"key", T_STR, F(key_file), "FILE", "private key of the serving certificate, PEM; required"},
    {"client-ca", T_STR, F(client_ca), "FILE",
     "CA bundle, PEM: require a client certificate signed by it (restart to change)"},
    {"addr", T_STR, F(addr), "ADDR", "HTTPS listen address (default 0.0.0.0)"},
    {"port", T_UINT, F(port), "N", "HTTPS port; 0 picks a free one (default 8443)"},
    {"health-addr", T_STR, F(health_addr), "ADDR",
     "plain-HTTP /healthz, /readyz, /metrics address (default 127.0.0.1)"},
    {"health-port", T_UINT, F(health_port), "N", "health port; 0 picks a free one (default 8080)"},
    {"k8s-version", T_STR, F(k8s_version), "X.Y",
     "Kubernetes version whose CEL environment compiles the policies (default: newest)"},
    {"tls-priorities", T_STR, F(tls_priorities), "STRING",
     "GnuTLS priority string (default: TLS 1.3 and 1.2, AEAD ciphers, ECDHE)"},
    {"max-body", T_SIZE, F(max_body), "BYTES",
     "largest request body; larger ones get 413 (default 8Mi; suffixes Ki, Mi)"},
    {"max-connections", T_UINT, F(max_connections), "N",
     "cap on concurrent connections; beyond it new connections wait in the listen queue "
     "(default 1024)"},
    {"threads", T_UINT, F(threads), "N", "worker threads; 0: one per CPU (default 0)"},
    {"conn-timeout", T_SEC, F(conn_timeout), "DURATION",
     "close a connection idle this long (default 15s)"},
    {"deadline", T_MS, F(deadline_ms), "DURATION",
     "a request body must be in within this long of the request's start, and within the API "
     "server's ?timeout= less 1s, or the connection is cut; evaluation itself is bounded by the "
     "policies' cost budget (default 9s)"},
    {"reload-interval", T_SEC, F(reload_interval), "DURATION",
     "periodic check of policy and certificate files besides inotify; 0 disables (default 30s)"},
    {"shutdown-delay", T_MS, F(shutdown_delay_ms), "DURATION",
     "on SIGTERM, fail /readyz this long before closing the listener (default 3s)"},
    {"drain-timeout", T_SEC, F(drain_timeout), "DURATION",
     "on SIGTERM, wait this long at most for in-flight requests (default 20s)"},
    {"check", T_BOOL, F(check), "",
     "load and check policies, certificate and client CA, report, and exit (0: all good)"},
};

#define NOPTS (sizeof opts / sizeof opts[0])

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

void wh_config_init(wh_config *c)
{
    memset(c, 0, sizeof *c);
    c->port = 8443;
    c->health_port = 8080;
    c->max_body = WH_DEFAULT_MAX_BODY;
    c->max_connections = 1024;
    c->conn_timeout = 15;
    c->deadline_ms = 9000;
    c->reload_interval = 30;
    c->shutdown_delay_ms = 3000;
    c->drain_timeout = 20;
}

static char **str_field(wh_config *c, const opt *o)
{
    return (char **)((char *)c + o->off);
}

void wh_config_clear(wh_config *c)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (opts[i].type == T_STR) {
            free(*str_field(c, &opts[i]));
            *str_field(c, &opts[i]) = NULL;
        }
}

int wh_parse_duration_ms(const char *s, uint64_t *ms)
{
    /* Go's time.Duration text: one or more <number><unit>, e.g. "1m30s". */
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"\xc2\xb5s", 1e-3}, {"ms", 1},
                 {"s", 1000},  {"m", 60000}, {"h", 3600000}};
    double total = 0;
    const char *p = s;
    if (!*p)
        return -1;
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '.')
            return -1;
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || v < 0)
            return -1;
        p = end;
        size_t best = 0;
        double mul = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t ul = strlen(units[i].unit);
            if (ul > best && !strncmp(p, units[i].unit, ul)) {
                best = ul;
                mul = units[i].ms;
            }
        }
        if (!best)
            return -1;
        p += best;
        total += v * mul;
        if (total > 1e12)
            return -1;
    }
    *ms = (uint64_t)total;
    return 0;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || v > max)
        return -1;
    unsigned long long mul = 1;
    if (!strcmp(end, "Ki"))
        mul = 1ull << 10;
    else if (!strcmp(end, "Mi"))
        mul = 1ull << 20;
    else if (!strcmp(end, "Gi"))
        mul = 1ull << 30;
    else if (*end)
        return -1;
    if (v > max / mul)
        return -1;
    *out = v * mul;
    return 0;
}

int wh_config_set(wh_config *c, const char *name, const char *value, char **err)
{
    const opt *o = NULL;
    for (size_t i = 0; i < NOPTS && !o; i++)
        if (!strcmp(opts[i].name, name))
            o = &opts[i];
    if (!o)
        return fail(err, "unknown setting '%s'", name);
    void *field = (char *)c + o->off;
    unsigned long long u;
    uint64_t ms;
    switch (o->type) {
    case T_STR: {
        if (!*value)
            return fail(err, "--%s: empty value", name);
        char *dup = strdup(value);
        if (!dup)
            return fail(err, "out of memory");
        free(*(char **)field);
        *(char **)field = dup;
        return 0;
    }
    case T_UINT:
        if (strpbrk(value, "KMG") || parse_uint(value, 65535u * 16, &u) < 0)
            return fail(err, "--%s: '%s' is not a number in 0..%u", name, value, 65535u * 16);
        if (!strcmp(name, "port") || !strcmp(name, "health-port")) {
            if (u > 65535)
                return fail(err, "--%s: %llu is not a port (0..65535)", name, u);
        }
        *(unsigned *)field = (unsigned)u;
        return 0;
    case T_SIZE:
        if (parse_uint(value, 1ull << 30, &u) < 0 || u == 0)
            return fail(err, "--%s: '%s' is not a size in 1..1Gi (e.g. 8Mi)", name, value);
        *(size_t *)field = (size_t)u;
        return 0;
    case T_BOOL:
        if (!strcmp(value, "true"))
            *(bool *)field = true;
        else if (!strcmp(value, "false"))
            *(bool *)field = false;
        else
            return fail(err, "--%s: '%s' is not true or false", name, value);
        return 0;
    case T_MS:
    case T_SEC:
        if (wh_parse_duration_ms(value, &ms) < 0 || ms > 24ull * 3600 * 1000)
            return fail(err, "--%s: '%s' is not a duration up to 24h (e.g. 10s, 500ms)", name,
                        value);
        *(unsigned *)field = (unsigned)(o->type == T_SEC ? (ms + 999) / 1000 : ms);
        return 0;
    }
    return fail(err, "--%s: bad setting", name);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int wh_config_load_file(wh_config *c, const char *path, char **err)
{
    char *text;
    size_t len;
    if (wh_read_file(path, 1 << 20, &text, &len, err) < 0)
        return -1;
    if (strlen(text) != len) {
        free(text);
        return fail(err, "%s: contains a NUL byte", path);
    }
    int rc = 0, line = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && !rc;
         l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *s = trim(l);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = fail(err, "%s:%d: expected 'name = value'", path, line);
            break;
        }
        *eq = '\0';
        char *e = NULL;
        if (wh_config_set(c, trim(s), trim(eq + 1), &e) < 0) {
            rc = fail(err, "%s:%d: %s", path, line, e ? e : "invalid");
            free(e);
        }
    }
    free(text);
    return rc;
}

void wh_config_usage(FILE *out)
{
    fprintf(out,
            "usage: celgate serve --policies PATH --cert FILE --key FILE [options]\n\n"
            "Serves the policies as a validating admission webhook: POST /validate over HTTPS\n"
            "(AdmissionReview admission.k8s.io/v1 or v1beta1), /healthz, /readyz and /metrics\n"
            "over plain HTTP on the health port. SIGHUP reloads policies and certificate\n"
            "(they are also watched); SIGTERM drains and exits.\n\noptions:\n");
    fprintf(out, "  --%-26s %s\n", "config FILE",
            "read settings from FILE: 'name = value' lines with the flag names below, # comments;"
            " flags given on the command line win");
    for (size_t i = 0; i < NOPTS; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", opts[i].name, *opts[i].arg ? " " : "",
                 opts[i].arg);
        fprintf(out, "  --%-26s %s\n", head, opts[i].help);
    }
    fprintf(out, "  --%-26s %s\n", "help", "print this help");
}

/* Splits "--name=value" / "--name value"; returns the index of the next argument. */
static int flag_at(int argc, char **argv, int i, char *name, size_t nlen, const char **value,
                   char **err)
{
    const char *a = argv[i];
    if (strncmp(a, "--", 2)) {
        fail(err, "unexpected argument '%s'", a);
        return -1;
    }
    a += 2;
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (n >= nlen) {
        fail(err, "unknown flag '%s'", argv[i]);
        return -1;
    }
    memcpy(name, a, n);
    name[n] = '\0';
    if (eq) {
        *value = eq + 1;
        return i + 1;
    }
    if (!strcmp(name, "help")) {
        *value = NULL;
        return i + 1;
    }
    if (!strcmp(name, "check")) {
        *value = "true";
        return i + 1;
    }
    if (i + 1 >= argc) {
        fail(err, "--%s needs a value", name);
        return -1;
    }
    *value = argv[i + 1];
    return i + 2;
}

int wh_config_parse(wh_config *c, int argc, char **argv, FILE *help, char **err)
{
    char name[64];
    const char *value;
    /* The config file first, so that flags override it wherever they appear. */
    for (int i = 1; i < argc;) {
        int next = flag_at(argc, argv, i, name, sizeof name, &value, err);
        if (next < 0)
            return -1;
        if (!strcmp(name, "help")) {
            wh_config_usage(help);
            return 1;
        }
        if (!strcmp(name, "config") && wh_config_load_file(c, value, err) < 0)
            return -1;
        i = next;
    }
    for (int i = 1; i < argc;) {
        int next = flag_at(argc, argv, i, name, sizeof name, &value, err);
        if (strcmp(name, "config") && wh_config_set(c, name, value, err) < 0)
            return -1;
        i = next;
    }
    if (!c->policies)
        return fail(err, "--policies is required");
    if (!c->cert_file || !c->key_file)
        return fail(err, "--cert and --key are required");
    if (!c->addr && !(c->addr = strdup("0.0.0.0")))
        return fail(err, "out of memory");
    if (!c->health_addr && !(c->health_addr = strdup("127.0.0.1")))
        return fail(err, "out of memory");
    if (!c->tls_priorities && !(c->tls_priorities = strdup(WH_DEFAULT_PRIORITIES)))
        return fail(err, "out of memory");
    if (c->deadline_ms < 100)
        return fail(err, "--deadline: must be at least 100ms");
    if (c->max_connections == 0)
        return fail(err, "--max-connections: must be at least 1");
    return 0;
}
