/*
 * kt_int.h: the parts of `celgate test` (src/kaptest/), shared by its files.
 *
 * A run goes manifest by manifest: kt_manifest reads a test manifest
 * (kt_yaml keeps the position of every node), kt_resources indexes the
 * objects of its resource files, kt_case turns each test into an
 * admission request and what it expects, kt_run evaluates it on the
 * engine (src/vap) and records a kt_result, kt_assert checks the
 * extensions' assertions, kt_coverage counts what each expression gave,
 * and kt_out_{text,json,junit} report. kt_source points into policy files.
 */
#ifndef KT_INT_H
#define KT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "celgate/kaptest.h"
#include "celgate/vap.h"

#define KT_MAX_FILE_BYTES (16u << 20) /* one manifest or resource file */
#define KT_MAX_DEPTH 64u              /* YAML nesting */
#define KT_MAX_NODES 1000000u         /* nodes one file may expand to (aliases) */
#define KT_MAX_MANIFESTS 10000u       /* manifests one run may find */
#define KT_MAX_CASES 100000u          /* cases of one manifest */

/* ---------------------------------------------------------------- util (kt_util.c) */

char *kt_strdup(const char *s);
char *kt_strndup(const char *s, size_t n);
char *kt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct kt_strlist {
    char **v;
    size_t n;
} kt_strlist;
/* Appends (takes ownership of s; NULL is dropped). */
void kt_strlist_push(kt_strlist *l, char *s);
void kt_strlist_pushf(kt_strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kt_strlist_clear(kt_strlist *l);

typedef struct kt_buf {
    char *s;
    size_t n, cap;
} kt_buf;
void kt_buf_add(kt_buf *b, const char *s, size_t n);
void kt_buf_addf(kt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far (never NULL); the buffer keeps owning it. */
const char *kt_buf_str(kt_buf *b);
/* Hands the text over (malloc'd, never NULL unless out of memory). */
char *kt_buf_take(kt_buf *b);

/* Go's %q (strconv.Quote), as kaptest prints messages. */
char *kt_go_quote(const char *s);
/* Reads a whole file (at most KT_MAX_FILE_BYTES); NULL with *err. */
char *kt_read_file(const char *path, size_t *len, char **err);
/* rel as seen from the folder of base (rel itself when absolute). */
char *kt_path_beside(const char *base, const char *rel);
/* A string as JSON: invalid UTF-8 replaced, so reports stay valid. */
json_t *kt_json_string(const char *s);
/* Uppercase copy (kaptest prints verdicts so). */
char *kt_upper(const char *s);

/* ---------------------------------------------------------------- YAML (kt_yaml.c) */

typedef struct kt_pos {
    int line, col; /* 1-based; 0 unknown */
} kt_pos;

typedef struct kt_posent {
    const json_t *node;
    kt_pos key; /* a map value: its key; others: the node */
    kt_pos own; /* where the node itself starts */
} kt_posent;

typedef struct kt_doc {
    json_t *root;
    kt_pos start;
    kt_posent *pos; /* sorted by node address */
    size_t npos;
} kt_doc;

/* Parses every document of a YAML (or JSON) text, with scalars resolved as
 * Kubernetes' YAML decoder resolves them (YAML 1.1: yes/no/on/off are
 * booleans, 0x.. and 0o.. integers). Returns the number of documents
 * parsed; on a problem also *err ("file:line:col: ..."), with the
 * documents before it kept. */
size_t kt_yaml_load(const char *file, const char *text, size_t len, kt_doc **docs, char **err);
void kt_docs_free(kt_doc *docs, size_t n);
/* Where node is (a map value: at its key), else fallback's, else the document's. */
kt_pos kt_doc_pos(const kt_doc *d, const json_t *node, const json_t *fallback);

/* ---------------------------------------------------------------- manifests (kt_manifest.c) */

typedef struct kt_suite {
    const char *key;        /* "vapTestSuites", "testSuites" or "mapTestSuites" */
    size_t index;
    const json_t *node;
    const char *policy;     /* NULL when missing */
    const json_t *tests;    /* array (maybe empty) */
    bool map;               /* a MutatingAdmissionPolicy suite: reported unsupported */
} kt_suite;

typedef struct kt_manifest {
    char *path;
    char *text;
    size_t len;
    kt_doc *docs;
    size_t ndocs;
    const json_t *root;
    char *notice;           /* the older layout: one line */
    char *error;            /* not a usable manifest: why, with where */
    kt_strlist notes;       /* keys neither kaptest nor celgate know */
    kt_strlist policies;    /* resolved paths */
    kt_strlist resources;
    kt_suite *suites;
    size_t nsuites;
    bool evaluate_match;    /* manifest-wide evaluateMatch: true */
    const json_t *authorizer; /* manifest-wide rules (list, object or path string) */
} kt_manifest;

/* Reads and checks a manifest. Returns 0, or -1 with m->error set (the
 * manifest is then reported as one failure, as kaptest does). */
int kt_manifest_load(const char *path, kt_manifest *m);
/* The same from text (malloc'd, NUL-terminated; the manifest takes it). */
int kt_manifest_load_text(const char *path, char *text, size_t len, kt_manifest *m);
void kt_manifest_clear(kt_manifest *m);
kt_pos kt_manifest_pos(const kt_manifest *m, const json_t *node, const json_t *fallback);
/* Reports keys of obj not in known (NULL-terminated) as notes. */
void kt_manifest_note_unknown(kt_manifest *m, const json_t *obj, const char *path, const char *const *known);
/* A scalar as text (yaml.v2 reads any scalar into a string field); NULL
 * when absent or null; *bad set when it is a list or map. */
const char *kt_scalar(const json_t *v, char *buf, size_t size, bool *bad);

/* ---------------------------------------------------------------- resources (kt_resources.c) */

typedef struct kt_resource {
    const json_t *obj;
    char *group, *version;
    const char *kind, *namespace_, *name; /* into obj; "" when unset */
    const char *file;
    kt_pos pos;
} kt_resource;

typedef struct kt_resources {
    kt_doc **docs;          /* per file */
    size_t *ndocs;
    char **files;
    size_t nfiles;
    kt_resource *v;
    size_t n;
    kt_strlist errors;      /* unreadable files, YAML problems */
} kt_resources;

void kt_resources_add_file(kt_resources *r, const char *path);
void kt_resources_add_text(kt_resources *r, const char *name, const char *text, size_t len);
void kt_resources_clear(kt_resources *r);

/* A reference as kaptest matches it: kind and name must match; namespace
 * only when given; group only when given, and version only with a group. */
typedef struct kt_ref {
    const char *group, *version, *kind, *namespace_, *name;
} kt_ref;

/* The one resource matching ref: NULL with *err NULL when none, NULL with
 * *err (malloc'd) when several. */
const kt_resource *kt_resources_find(const kt_resources *r, const kt_ref *ref, char **err);
/* "Kind:ns/name", "Kind:name". */
char *kt_ref_string(const kt_ref *ref);

/* ---------------------------------------------------------------- cases (kt_case.c) */

/* One test of a suite, set up: the admission request it makes and what
 * it expects. Setup problems (an object not found, a param missing, a bad
 * field) are collected in errors; the case then reports SETUP ERROR. */
typedef struct kt_case {
    const kt_suite *suite;
    size_t index;
    const json_t *node;
    kt_pos pos;
    char *id;               /* "vapTestSuites[0].tests[2]" */
    char *name;             /* celgate: the case's name */
    char *expect;           /* admit, deny, skip, error (allow read as admit); as written when unknown */
    bool expect_known;
    char *operation;        /* CREATE UPDATE DELETE CONNECT */
    char *title;            /* kaptest's "(CREATE) Kind:ns/name (Param: name)" */
    char *subject;          /* what --run matches */
    bool evaluate_match;
    kt_strlist errors;
    json_t *request;        /* the AdmissionRequest */
    json_t *params;         /* NULL: null */
    json_t *namespace_obj;  /* NULL: null */
    vap_authorizer *authz;  /* the case's or the manifest's rules; NULL: kaptest's stub */
    /* assertions (nodes of the manifest) */
    const json_t *denied_message, *denied_contains, *denied_regex, *reason, *warnings, *audit, *validations;
} kt_case;

/* policy: the suite's policy (its paramKind decides the param's kind). */
void kt_case_build(kt_case *c, const kt_manifest *m, const kt_suite *s, size_t index, const kt_resources *res,
                   const vap_policy_info *policy, const kt_opts *o);
void kt_case_clear(kt_case *c);
/* kaptest's line for a MutatingAdmissionPolicy case: "(CREATE) Kind:name". */
char *kt_case_title_only(const kt_manifest *m, const json_t *test);

/* ---------------------------------------------------------------- assertions (kt_assert.c) */

/* What an evaluation gave, for the assertions (owned). */
typedef struct kt_facts {
    const char *verdict;    /* admit deny skip error */
    kt_strlist messages;    /* the denial messages (validations', and the client's) */
    char *reason;           /* the first denial's reason */
    json_t *warnings;       /* array of strings */
    json_t *audit;          /* "<policy>/<key>" -> value */
    const char *policy;
    json_t *validations;    /* per validation: {"result": admit|deny|error, "message", "reason"} or null */
} kt_facts;

void kt_facts_clear(kt_facts *f);

/* Checks the case's expectation and assertions; each failed one adds a
 * line "--- EXPECTED ..." to failures. Returns true when all held. */
bool kt_assert(const kt_case *c, const kt_facts *f, const kt_manifest *m, kt_strlist *failures);

/* ---------------------------------------------------------------- coverage (kt_coverage.c) */

typedef struct kt_coverage kt_coverage;
kt_coverage *kt_coverage_new(void);
void kt_coverage_free(kt_coverage *c);
/* An observer counting for the policies of set s (registered by
 * file + name, so a policy loaded by several manifests adds up). */
typedef struct kt_cov_binding kt_cov_binding;
kt_cov_binding *kt_coverage_bind(kt_coverage *c, const vap_set *s, vap_observer *obs);
void kt_cov_binding_free(kt_cov_binding *b);
void kt_coverage_text(const kt_coverage *c, FILE *out);
json_t *kt_coverage_json(const kt_coverage *c);

/* ---------------------------------------------------------------- results */

typedef enum kt_status { KT_PASS = 0, KT_FAIL, KT_SETUP_ERROR, KT_SKIPPED } kt_status;

typedef struct kt_result {
    kt_status status;
    const char *tag;        /* "VAP", "MAP" */
    char *policy;
    char *title;            /* what kaptest prints between the policy and the verdicts */
    char *expect;           /* as written, lowercase ("" when missing) */
    char *actual;           /* "admit", "deny", "skip", "error", "setup error", "policy not found", ... */
    char *name;             /* the case's name, or NULL */
    char *id;               /* "vapTestSuites[0].tests[3]" */
    kt_pos pos;
    bool suite_level;       /* POLICY NOT FOUND: a line for the whole suite, as kaptest prints it */
    kt_strlist lines;       /* detail lines: shown for failures, or all with -v */
    json_t *data;           /* the structured record for -o json */
} kt_result;

typedef struct kt_file_result {
    char *path;
    char *notice;
    kt_strlist errors;      /* manifest-level setup errors */
    kt_strlist notes;
    kt_result *cases;
    size_t ncases;
    size_t pass, fail, skip;
    bool setup_error;
} kt_file_result;

typedef struct kt_report {
    kt_file_result *files;
    size_t nfiles;
    size_t pass, fail, skip;
    bool setup_error;
    kt_coverage *coverage;  /* NULL without --coverage */
} kt_report;

void kt_result_clear(kt_result *r);
void kt_report_clear(kt_report *r);

/* ---------------------------------------------------------------- running (kt_run.c, kt_case.c, kt_assert.c) */

typedef struct kt_ctx {
    const kt_opts *opts;
    void *run_re;           /* pcre2_code for --run, or NULL */
    void *run_md;
    kt_coverage *coverage;
    vap_authorizer *stub_authz; /* kaptest's: every check allowed, "reason: stub" */
} kt_ctx;

/* Runs one manifest into fr. */
void kt_run_manifest(kt_ctx *ctx, const char *path, kt_file_result *fr);

/* Whether the --run pattern selects subject (no pattern: all). */
bool kt_selected(const kt_ctx *ctx, const char *subject);

/* Regular expression match for deniedMessageRegex; -1 on a bad pattern with *err. */
int kt_regex_match(const char *pattern, const char *subject, char **err);

/* ---------------------------------------------------------------- pointing (kt_source.c) */

/* The "  file:line:col: what" line and, with a snippet, the source line
 * and a caret under (line, col), appended to lines. */
void kt_point(kt_strlist *lines, const char *file, int line, int col, const char *what, bool snippet);
/* Where (eline, ecol) of an expression (1-based, columns in code points)
 * is in its policy file, given where its YAML scalar starts. */
void kt_expr_to_file(const char *file, int sline, int scol, const char *expr, int eline, int ecol, int *line,
                     int *col);

/* ---------------------------------------------------------------- output (kt_out_*.c) */

void kt_out_text(const kt_report *r, const kt_opts *o, FILE *out);
void kt_out_json(const kt_report *r, const kt_opts *o, FILE *out);
/* Returns 0, or -1 with *err. */
int kt_out_junit(const kt_report *r, const char *path, char **err);

/* ---------------------------------------------------------------- discovery (kt_discover.c) */

/* Expands paths (files kept, folders searched) into manifest paths,
 * sorted per folder. Returns 0, or -1 with *err. */
int kt_discover(const char *const *paths, size_t n, kt_strlist *out, char **err);

#endif
