/*
 * celgate/kaptest.h: `celgate test`: runs policy test manifests in
 * kaptest's format (pfnet/kaptest) on the policy engine, with celgate's
 * extensions (case names, inline objects, request fields, authorizer
 * rules, message/warning/audit/per-validation assertions, evaluateMatch),
 * coverage, and text, JSON and JUnit reports; and writes test scaffolds.
 */
#ifndef CELGATE_KAPTEST_H
#define CELGATE_KAPTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses of a run. */
enum { KT_EXIT_PASS = 0, KT_EXIT_FAIL = 1, KT_EXIT_SETUP = 2 };

typedef enum kt_format { KT_FORMAT_TEXT = 0, KT_FORMAT_JSON } kt_format;

typedef struct kt_opts {
    kt_format format;
    bool verbose;            /* detail lines for passing cases too */
    bool coverage;           /* per-policy expression coverage after the results */
    bool evaluate_match;     /* as if every case said evaluateMatch: true */
    const char *run;         /* PCRE2 pattern selecting cases (NULL: all) */
    const char *junit;       /* write a JUnit XML report there (NULL: none) */
    const char *k8s_version; /* CEL environment of Kubernetes 1.N (NULL: newest) */
    FILE *out;               /* the report (NULL: stdout) */
    FILE *err;               /* notices (NULL: stderr) */
} kt_opts;

/* Runs the manifests named by paths: files, or folders searched
 * recursively for kaptest.yaml and *.test/<manifest>.yaml. Returns
 * KT_EXIT_PASS, KT_EXIT_FAIL (a case failed) or KT_EXIT_SETUP (a manifest,
 * policy, resource or case could not be set up; reported where it is). */
int kt_run(const char *const *paths, size_t npaths, const kt_opts *opts);

/* Writes <policy-without-extension>.test/{kaptest.yaml,resources.yaml}
 * beside the policy file: one suite per ValidatingAdmissionPolicy with an
 * admit and a deny case to fill in. Never overwrites. Returns 0, or -1
 * with *err (malloc'd). *dir_out (malloc'd) names the folder written. */
int kt_init(const char *policy_path, char **dir_out, char **err);

#ifdef __cplusplus
}
#endif
#endif
