/*
 * cli/review.c: `celgate review`: one AdmissionReview in, the response the
 * webhook would send out. Exit status: 0 allowed, 1 denied, 2 when the
 * policies or the review cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "celgate/vap.h"
#include "cli/cli.h"

#define REVIEW_MAX_INPUT (64u << 20)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: celgate review --policies PATH [--authorizer FILE] [--k8s-version 1.N]\n"
            "                      [--skip-invalid] [--explain] [REQUEST.json|-]\n"
            "\n"
            "Evaluates the ValidatingAdmissionPolicies, bindings, params and Namespaces under PATH\n"
            "(a YAML/JSON file or a folder) on one AdmissionReview (admission.k8s.io/v1 or v1beta1,\n"
            "read from REQUEST.json or standard input) and prints the AdmissionReview response.\n"
            "\n"
            "  --policies PATH     policies, bindings, param objects and Namespaces\n"
            "  --authorizer FILE   rules answering authorizer checks (default: every check denied)\n"
            "  --k8s-version 1.N   compile as a Kubernetes 1.N API server compiles stored policies\n"
            "                      (its StoredExpressions environment; default: newest; see\n"
            "                      `celgate eval --k8s-version` for what a new policy may use)\n"
            "  --skip-invalid      load the valid objects of PATH and report the others\n"
            "  --explain           list on standard error what each policy, binding and validation did\n"
            "\n"
            "exit status: 0 allowed, 1 denied, 2 error\n");
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= REVIEW_MAX_INPUT) {
                free(buf);
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (buf && ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int cli_review_main(int argc, char **argv)
{
    const char *policies = NULL, *authz_path = NULL, *input = NULL;
    vap_load_opts opts = {0};
    bool explain = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--policies") && i + 1 < argc) {
            policies = argv[++i];
        } else if (!strcmp(argv[i], "--authorizer") && i + 1 < argc) {
            authz_path = argv[++i];
        } else if (!strcmp(argv[i], "--k8s-version") && i + 1 < argc) {
            opts.k8s_version = argv[++i];
        } else if (!strcmp(argv[i], "--skip-invalid")) {
            opts.skip_invalid = true;
        } else if (!strcmp(argv[i], "--explain")) {
            explain = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "celgate review: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!input) {
            input = argv[i];
        } else {
            fprintf(stderr, "celgate review: more than one request given\n");
            return 2;
        }
    }
    if (!policies) {
        fprintf(stderr, "celgate review: --policies is required\n");
        usage(stderr);
        return 2;
    }

    char *err = NULL;
    vap_set *set = vap_set_load(policies, &opts, &err);
    if (err && *err)
        fprintf(stderr, "%s\n", err);
    free(err);
    if (!set) {
        fprintf(stderr, "celgate review: cannot load the policies of %s\n", policies);
        return 2;
    }
    vap_authorizer *authz = NULL;
    if (authz_path) {
        authz = vap_authorizer_load(authz_path, &err);
        if (!authz) {
            fprintf(stderr, "celgate review: %s\n", err ? err : "cannot load the authorizer rules");
            free(err);
            vap_set_unref(set);
            return 2;
        }
    }

    FILE *in = (!input || !strcmp(input, "-")) ? stdin : fopen(input, "rb");
    size_t len = 0;
    char *body = in ? read_all(in, &len) : NULL;
    if (in && in != stdin)
        fclose(in);
    int status = 2;
    if (!body) {
        fprintf(stderr, "celgate review: cannot read %s\n", input ? input : "standard input");
    } else {
        vap_outcome o;
        json_t *resp = vap_handle_review(set, body, len, authz, &o, &err);
        if (!resp) {
            fprintf(stderr, "celgate review: not a valid AdmissionReview: %s\n", err ? err : "unknown error");
        } else {
            char *out = json_dumps(resp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            if (out) {
                printf("%s\n", out);
                status = o.allowed ? 0 : 1;
            }
            free(out);
            json_decref(resp);
            for (size_t i = 0; explain && i < o.ndecisions; i++) {
                const vap_decision *d = &o.decisions[i];
                fprintf(stderr, "%s  policy=%s binding=%s", d->action, d->policy, d->binding ? d->binding : "-");
                if (d->validation_index >= 0)
                    fprintf(stderr, " validation=%d", d->validation_index);
                if (d->message)
                    fprintf(stderr, "  %s", d->message);
                fputc('\n', stderr);
            }
            vap_outcome_clear(&o);
        }
        free(err);
    }
    free(body);
    vap_authorizer_free(authz);
    vap_set_unref(set);
    return status;
}
