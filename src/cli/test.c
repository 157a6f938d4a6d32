/*
 * cli/test.c: `celgate test`: runs kaptest-format policy test manifests
 * (src/kaptest) and `celgate test init` writes a scaffold for a policy.
 * Exit status: 0 all passed, 1 a case failed, 2 something could not be
 * set up (a manifest, policy, resource or case; bad options).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "celgate/kaptest.h"
#include "celgate/vap.h"
#include "cli/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: celgate test [options] [PATH...]\n"
            "       celgate test init POLICY.yaml\n"
            "\n"
            "Runs policy test manifests in kaptest's format (version: v1alpha1 with policies, resources and\n"
            "vapTestSuites; or the older validatingAdmissionPolicies/testSuites layout). A PATH is a manifest,\n"
            "or a folder searched for kaptest.yaml and *.test/*.yaml manifests (default: the current folder).\n"
            "\n"
            "  -v, --verbose       detail lines for passing cases too\n"
            "  -o, --output FMT    text (kaptest's, the default) or json\n"
            "  --junit FILE        also write a JUnit XML report to FILE\n"
            "  --run REGEX         run only the cases whose line (policy - (OP) Kind:name - EXPECT [name])\n"
            "                      matches REGEX (PCRE2)\n"
            "  --coverage          after the results, what each validation, matchCondition and variable gave,\n"
            "                      and the outcomes no case produced\n"
            "  --evaluate-match    evaluate every case as the API server would (bindings, matchConstraints,\n"
            "                      params by selector, validationActions, failurePolicy)\n"
            "  --k8s-version 1.N   compile with the CEL environment of Kubernetes 1.N (default: newest)\n"
            "\n"
            "init writes POLICY.test/kaptest.yaml and POLICY.test/resources.yaml beside POLICY.yaml, with an\n"
            "admit and a deny case per policy to fill in.\n"
            "\n"
            "exit status: 0 all passed, 1 a case failed, 2 setup error\n");
}

static int init_main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return 0;
        }
        fprintf(stderr, "celgate test init: one policy file expected\n");
        usage(stderr);
        return 2;
    }
    char *dir = NULL, *err = NULL;
    if (kt_init(argv[1], &dir, &err) < 0) {
        fprintf(stderr, "celgate test init: %s\n", err ? err : "failed");
        free(err);
        return 2;
    }
    printf("Test dir is generated at \"%s\".\n", dir);
    free(dir);
    return 0;
}

int cli_test_main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "init"))
        return init_main(argc - 1, argv + 1);
    kt_opts o = {0};
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    if (!paths)
        return 2;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            status = 0;
            goto out;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose = true;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && has_next) {
            const char *f = argv[++i];
            if (!strcmp(f, "json"))
                o.format = KT_FORMAT_JSON;
            else if (!strcmp(f, "text"))
                o.format = KT_FORMAT_TEXT;
            else {
                fprintf(stderr, "celgate test: -o: unknown format '%s' (text, json)\n", f);
                goto out;
            }
        } else if (!strcmp(a, "--junit") && has_next) {
            o.junit = argv[++i];
        } else if (!strcmp(a, "--run") && has_next) {
            o.run = argv[++i];
        } else if (!strcmp(a, "--coverage")) {
            o.coverage = true;
        } else if (!strcmp(a, "--evaluate-match")) {
            o.evaluate_match = true;
        } else if (!strcmp(a, "--k8s-version") && has_next) {
            o.k8s_version = argv[++i];
        } else if (!strcmp(a, "--")) {
            for (i++; i < argc; i++)
                paths[npaths++] = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "celgate test: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            goto out;
        } else {
            paths[npaths++] = a;
        }
    }
    if (o.k8s_version) {
        vap_load_opts lo = {.k8s_version = o.k8s_version};
        char *err = NULL;
        vap_builder *b = vap_builder_new(&lo, &err);
        if (!b) {
            fprintf(stderr, "celgate test: --k8s-version: %s\n", err ? err : "invalid");
            free(err);
            goto out;
        }
        vap_set_unref(vap_builder_finish(b, NULL));
    }
    if (npaths == 0)
        paths[npaths++] = ".";
    status = kt_run(paths, npaths, &o);
out:
    free(paths);
    return status;
}
