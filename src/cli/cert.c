/*
 * cli/cert.c: `celgate cert`: its flags, and the ValidatingWebhookConfiguration
 * it prints with the new CA as caBundle. The certificates themselves are made
 * by wh_certgen (src/webhook/wh_certgen.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "webhook/wh.h"

typedef struct cert_opts {
    const char *service;
    const char *ns;
    const char *out;
    const char *webhook;
    const char *path;
    long days;
    int client;
} cert_opts;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: celgate cert --service NAME --namespace NS --out DIR [options]\n\n"
            "Writes DIR/ca.crt, DIR/ca.key, DIR/tls.crt and DIR/tls.key: a private CA and an\n"
            "ECDSA P-256 serving certificate for the Service NAME in NS (SANs NAME, NAME.NS,\n"
            "NAME.NS.svc, NAME.NS.svc.cluster.local, localhost, 127.0.0.1), then prints a\n"
            "ValidatingWebhookConfiguration whose caBundle is that CA.\n\noptions:\n"
            "  --service NAME        the webhook's Service name (required)\n"
            "  --namespace NS        the Service's namespace (required)\n"
            "  --out DIR             where to write the files (created if missing; required)\n"
            "  --days N              validity of the certificates in days (default 365)\n"
            "  --client              also write DIR/client.crt and DIR/client.key: a client\n"
            "                        certificate from the same CA, for `serve --client-ca`\n"
            "  --webhook-name NAME   the webhook's name in the configuration\n"
            "                        (default validate.celgate.io)\n"
            "  --path PATH           the Service path of the webhook (default /validate)\n"
            "  --help                print this help\n");
}

static void print_registration(const cert_opts *o, const char *ca_b64)
{
    printf("apiVersion: admissionregistration.k8s.io/v1\n"
           "kind: ValidatingWebhookConfiguration\n"
           "metadata:\n"
           "  name: celgate\n"
           "webhooks:\n"
           "  - name: %s\n"
           "    admissionReviewVersions: [\"v1\"]\n"
           "    sideEffects: None\n"
           "    timeoutSeconds: 5\n"
           "    matchPolicy: Equivalent\n"
           "    failurePolicy: Fail\n"
           "    clientConfig:\n"
           "      service:\n"
           "        name: %s\n"
           "        namespace: %s\n"
           "        path: %s\n"
           "        port: 443\n"
           "      caBundle: %s\n"
           "    # Never the webhook's own namespace nor kube-system: a broken webhook\n"
           "    # must not be able to block its own repair.\n"
           "    namespaceSelector:\n"
           "      matchExpressions:\n"
           "        - key: kubernetes.io/metadata.name\n"
           "          operator: NotIn\n"
           "          values: [\"kube-system\", \"%s\"]\n"
           "    # The writes the bundled policies judge; widen to what your policies match.\n"
           "    rules:\n"
           "      - apiGroups: [\"networking.k8s.io\"]\n"
           "        apiVersions: [\"*\"]\n"
           "        operations: [\"CREATE\", \"UPDATE\"]\n"
           "        resources: [\"servicecidrs\"]\n"
           "        scope: \"*\"\n",
           o->webhook, o->service, o->ns, o->path, ca_b64, o->ns);
}

/* Kubernetes object names: DNS labels, which also keeps the SAN text safe. */
static int dns_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int parse(cert_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, "--client")) {
            o->client = 1;
            continue;
        }
        if (!strcmp(a, "--service"))
            dst = &o->service;
        else if (!strcmp(a, "--namespace"))
            dst = &o->ns;
        else if (!strcmp(a, "--out"))
            dst = &o->out;
        else if (!strcmp(a, "--webhook-name"))
            dst = &o->webhook;
        else if (!strcmp(a, "--path"))
            dst = &o->path;
        else if (strcmp(a, "--days")) {
            fprintf(stderr, "celgate cert: unknown argument '%s'\n", a);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "celgate cert: %s needs a value\n", a);
            return -1;
        }
        if (dst) {
            *dst = argv[++i];
            continue;
        }
        char *end;
        o->days = strtol(argv[++i], &end, 10);
        if (*end || o->days < 1 || o->days > 3650) {
            fprintf(stderr, "celgate cert: --days: '%s' is not a number of days in 1..3650\n",
                    argv[i]);
            return -1;
        }
    }
    if (!o->service || !o->ns || !o->out) {
        fprintf(stderr, "celgate cert: --service, --namespace and --out are required\n");
        return -1;
    }
    if (!dns_label(o->service) || !dns_label(o->ns)) {
        fprintf(stderr, "celgate cert: --service and --namespace must be DNS labels "
                        "(lowercase letters, digits, '-', at most 63)\n");
        return -1;
    }
    if (o->path[0] != '/' || strpbrk(o->path, " \t\n\"'?#")) {
        fprintf(stderr, "celgate cert: --path must start with '/' and have no query\n");
        return -1;
    }
    return 0;
}

int cli_cert_main(int argc, char **argv)
{
    cert_opts o = {.webhook = "validate.celgate.io", .path = "/validate", .days = 365};
    int rc = parse(&o, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    wh_certgen_opts g = {.service = o.service, .ns = o.ns, .out = o.out, .days = o.days,
                         .client = o.client != 0};
    char *b64 = NULL, *err = NULL;
    if (wh_certgen(&g, &b64, &err) < 0) {
        fprintf(stderr, "celgate cert: %s\n", err ? err : "failed");
        free(err);
        return 1;
    }
    print_registration(&o, b64);
    fprintf(stderr, "celgate cert: wrote %s/{ca.crt,ca.key,tls.crt,tls.key%s} for %s.%s.svc\n",
            o.out, o.client ? ",client.crt,client.key" : "", o.service, o.ns);
    free(b64);
    return 0;
}
