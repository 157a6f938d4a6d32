/*
 * vap_int.h: the engine's internal model, shared by the files of src/vap/.
 *
 * Loading turns YAML/JSON documents into decoded, defaulted and validated
 * policies and bindings (decode.c) whose expressions are compiled through an
 * expression backend (env.c for CEL; unit tests plug in a stub). Reviewing
 * (eval.c) walks them for one request with per-request state (vap_run) only,
 * so a loaded set stays immutable and can be shared between threads.
 */
#ifndef VAP_INT_H
#define VAP_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cel/value.h"
#include "celgate/vap.h"

/* ------------------------------------------------------------- limits */

#define VAP_PER_CALL_LIMIT 1000000u          /* PerCallLimit */
#define VAP_RUNTIME_BUDGET 10000000u         /* RuntimeCELCostBudget */
#define VAP_MATCH_BUDGET 2500000u            /* RuntimeCELCostBudgetMatchConditions */
#define VAP_MAX_MESSAGE_EXPR_LEN 5120u       /* messageExpression result */
#define VAP_MAX_AUDIT_VALUE_EXPR_LEN 5120u   /* auditAnnotation valueExpression source */
#define VAP_MAX_AUDIT_VALUE_LEN 10240u       /* auditAnnotation value after evaluation */
#define VAP_MAX_MATCH_CONDITIONS 64u
#define VAP_MAX_AUDIT_ANNOTATIONS 20u
#define VAP_MAX_FILE_BYTES (16u << 20)       /* one policy file */
#define VAP_MAX_FILES 10000u                 /* files in a folder tree */
#define VAP_MAX_DEPTH 64u                    /* YAML nesting, folder nesting */

/* ------------------------------------------------------------- source documents */

/* One YAML/JSON document turned into jansson, with the line each node came
 * from so that errors can say where. */
typedef struct vap_line_entry {
    const json_t *node;
    int line;        /* where errors about the node point: a map value at its key */
    int vline, vcol; /* where the node itself starts (1-based), e.g. an expression's scalar */
} vap_line_entry;

typedef struct vap_doc {
    json_t *root;
    char *file;
    int line; /* where the document starts */
    vap_line_entry *lines; /* sorted by node address */
    size_t nlines;
} vap_doc;

/* Parses every document of a YAML (or JSON) text. Returns the number of
 * documents (>= 0) with *docs malloc'd, or -1 with *err. */
int vap_yaml_parse(const char *file, const char *text, size_t len, vap_doc **docs, char **err);
void vap_doc_clear(vap_doc *d);
/* The line of node (or of the nearest known ancestor the caller passes as
 * fallback); 0 when unknown. */
int vap_doc_line(const vap_doc *d, const json_t *node);
/* Where node itself starts (its first character: a quote, a block
 * indicator, or the scalar); 0 when unknown. */
void vap_doc_pos(const vap_doc *d, const json_t *node, int *line, int *col);

/* ------------------------------------------------------------- expressions */

typedef enum vap_env_kind {
    VAP_ENV_VALIDATION = 0, /* validations, auditAnnotations, variables */
    VAP_ENV_MATCH,          /* matchConditions: no variables */
    VAP_ENV_MESSAGE,        /* messageExpression: no authorizer */
    VAP_ENV_COUNT
} vap_env_kind;

/* What one expression environment declares. */
typedef struct vap_env_desc {
    vap_env_kind kind;
    int k8s_minor;          /* Kubernetes 1.<minor> whose environment to build; 0: the newest */
    bool has_params;
    /* The variables visible: names and the backend's compiled result types
     * (NULL type: dyn). */
    const char *const *var_names;
    const void *const *var_types;
    size_t nvars;
} vap_env_desc;

typedef struct vap_run vap_run;

/* How the engine compiles and evaluates expressions. env.c provides the CEL
 * backend; tests may substitute their own. */
typedef struct vap_backend {
    void *(*env_new)(const vap_env_desc *d, char **err);
    void (*env_free)(void *env);
    /* Compiles src; on success returns a program and sets *type (the
     * backend's type handle, living as long as the program) and *type_name
     * (malloc'd, cel-go spelling). On failure NULL and *err (malloc'd, e.g.
     * "compilation failed: ERROR: <input>:1:3: ..."). */
    void *(*compile)(void *env, const char *src, size_t len, const void **type,
                     char **type_name, char **err);
    void (*prog_free)(void *prog);
    /* Evaluates prog with the bindings of run (variables through
     * vap_run_variable). Charges run->budget; errors come back as CEL_ERROR
     * values allocated in run->arena. */
    cel_value (*eval)(void *prog, vap_run *run);
} vap_backend;

/* The CEL backend (env.c). */
extern const vap_backend vap_cel_backend;

typedef struct vap_expr {
    char *src;
    size_t len;
    void *prog;          /* NULL when absent or when it failed to compile */
    const void *type;    /* the backend's result type */
    char *type_name;
    int line, col;       /* where the expression's YAML scalar starts in the policy file */
    /* Kept only when loading with defer_compile_errors: why it did not
     * compile, as upstream words it at evaluation time ("compilation
     * failed: ERROR: <input>:1:5: ..." or "must evaluate to bool"). */
    char *compile_error;
} vap_expr;

/* ------------------------------------------------------------- policies */

typedef struct vap_match_resources {
    bool present;           /* a binding's matchResources may be absent */
    const json_t *ns_selector;  /* LabelSelector, validated; NULL: match all */
    const json_t *obj_selector;
    const json_t *rules;        /* array of NamedRuleWithOperations, validated */
    const json_t *exclude;
    bool equivalent;            /* matchPolicy */
} vap_match_resources;

typedef struct vap_validation {
    vap_expr expr;
    char *message;          /* NULL when unset */
    vap_expr msg_expr;      /* prog NULL when unset */
    char *reason;           /* NULL: Invalid */
} vap_validation;

typedef struct vap_named_expr {
    char *name;             /* variable name, matchCondition name or audit key */
    vap_expr expr;
} vap_named_expr;

typedef struct vap_policy {
    char *name;
    char *file;
    int line;
    json_t *doc;            /* the decoded document (owns the selectors/rules) */
    bool has_param_kind;
    char *param_api_version, *param_kind;
    bool fail;              /* failurePolicy */
    vap_match_resources constraints;
    vap_validation *validations;
    size_t nvalidations;
    vap_named_expr *variables;
    size_t nvariables;
    vap_named_expr *conditions;
    size_t nconditions;
    vap_named_expr *audits;
    size_t naudits;
    const vap_backend *backend;
    int k8s_minor;
    void *envs[VAP_ENV_COUNT];
    void **var_envs;        /* one per variable: sees the earlier ones */
} vap_policy;

enum { VAP_ACT_DENY = 1, VAP_ACT_WARN = 2, VAP_ACT_AUDIT = 4 };

typedef struct vap_binding {
    char *name;
    char *file;
    int line;
    json_t *doc;
    char *policy_name;
    bool has_param_ref;
    char *param_name;       /* NULL with a selector */
    char *param_namespace;  /* NULL when unset */
    const json_t *param_selector;
    bool param_not_found_deny;
    vap_match_resources match;
    unsigned actions;       /* VAP_ACT_* */
    const char *action_names[3]; /* in the order written, for audit entries */
    size_t nactions;
} vap_binding;

/* A param object or a Namespace found beside the policies. */
typedef struct vap_object {
    json_t *doc;
    const char *api_version, *kind, *name, *namespace_; /* into doc; namespace_ "" when none */
} vap_object;

struct vap_set {
    int refs; /* atomic */
    vap_policy *policies;
    size_t npolicies;
    vap_binding *bindings;
    size_t nbindings;
    vap_object *objects;   /* params */
    size_t nobjects;
    vap_object *namespaces;
    size_t nnamespaces;
};

/* Parses "1.<minor>" (NULL or "": 0, the newest); -1 when malformed or
 * outside the versions cel/k8s.h builds (ValidatingAdmissionPolicy is
 * v1beta1 from 1.28, GA in 1.30). */
int vap_parse_k8s_version(const char *v);

/* set.c: loading with a chosen expression backend (NULL: CEL), from a
 * path or from text (tests, fuzzing). */
vap_set *vap_set_load_with(const char *path, const vap_load_opts *opts, const vap_backend *be, char **err);
vap_set *vap_set_load_text(const char *name, const char *text, size_t len, const vap_load_opts *opts,
                           const vap_backend *be, char **err);

/* decode.c: decodes, defaults and validates one document. Problems are
 * appended to *errs as "file:line: path: text" lines. Returns 0, or -1
 * when the object is invalid (nothing is kept). */
int vap_decode_policy(const vap_doc *d, const vap_backend *be, int k8s_minor, bool defer_compile_errors,
                      vap_policy *p, char **errs);
int vap_decode_binding(const vap_doc *d, vap_binding *b, char **errs);
void vap_policy_clear(vap_policy *p);
/* schema.c: reports fields no version of the API has (strict field
 * validation); returns how many. */
int vap_schema_check(const vap_doc *d, bool binding, char **errs);
void vap_binding_clear(vap_binding *b);

/* A growing malloc'd text for error lists ("" start: NULL). */
void vap_errf(char **errs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *vap_strdup(const char *s);
char *vap_strndup(const char *s, size_t n);
char *vap_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------- selectors and matching */

/* Validates a LabelSelector (matchLabels, matchExpressions with
 * In/NotIn/Exists/DoesNotExist). Returns NULL or a malloc'd problem text,
 * *bad set to the offending node (for its line); problems inside the
 * selector start with their sub-path ("matchExpressions[0].values: ..."). */
char *vap_selector_validate(const json_t *sel, const json_t **bad);
/* Whether labels (an object of strings, or NULL for none) satisfy sel. */
bool vap_selector_matches(const json_t *sel, const json_t *labels);
bool vap_selector_empty(const json_t *sel);

/* The request as matching sees it (decoded by review.c). */
typedef struct vap_gvr {
    const char *group, *version, *resource, *kind;
} vap_gvr;

typedef struct vap_request {
    const json_t *raw;        /* the AdmissionReview's request object */
    const char *uid;
    const char *operation;    /* CREATE UPDATE DELETE CONNECT */
    const char *name, *namespace_, *subresource;
    vap_gvr gvr;              /* kind + resource */
    vap_gvr req_gvr;          /* requestKind + requestResource */
    const char *req_subresource;
    const json_t *object, *old_object; /* NULL for JSON null */
    const json_t *user_info;
    bool dry_run;
    const json_t *options;
    const json_t *namespace_obj; /* the Namespace object when known (from the set or supplied) */
} vap_request;

/* review.c: decodes an AdmissionReview request object (errors name the
 * JSON path), and builds the `request` document expressions see. */
int vap_request_decode(const json_t *req, vap_request *rq, char **err);
json_t *vap_request_document(const vap_request *rq, const vap_gvr *as);
/* How many fields that document has (the `request` map's size before it
 * is built). */
#define VAP_REQUEST_FIELDS 12

/* match.c: result of matching a MatchResources. */
typedef struct vap_match {
    bool matched;
    char *err;          /* malloc'd: configuration error while matching */
    vap_gvr as;         /* the GVK/GVR it matched as (equivalence), pointers into tables or the request */
} vap_match;

void vap_match_resources_eval(const vap_match_resources *mr, const vap_request *rq,
                              const vap_set *set, vap_match *out);
/* Whether one rule list matches the request as gvr. */
bool vap_rules_match(const json_t *rules, const vap_request *rq, const vap_gvr *gvr);

/* equiv.c: resources stored together under other group/versions. Calls
 * fn for every equivalent (group, version, resource, kind) of gvr, other
 * than gvr itself, until fn returns true. */
bool vap_equivalents(const vap_gvr *gvr, bool (*fn)(const vap_gvr *alt, void *ctx), void *ctx);

/* ------------------------------------------------------------- evaluation */

typedef struct vap_group {
    cel_value *vals;
    unsigned char *state;   /* 0 not evaluated, 1 cached */
    size_t n;
} vap_group;

/* The `request` document of one binding, built when an expression first
 * reads `request` (most policies never do), then shared by its runs. */
typedef struct vap_reqdoc {
    json_t *doc;     /* owned; NULL until built */
    cel_value val;   /* its CEL wrapper, in the review's arena */
} vap_reqdoc;

struct vap_run {
    const vap_policy *policy;
    cel_arena *arena;
    const vap_request *rq;
    const vap_gvr *as;           /* the kind and resource the request matched as */
    vap_reqdoc *reqdoc;          /* the `request` variable, built lazily */
    const json_t *object, *old_object;
    const json_t *params;        /* NULL: null */
    const json_t *namespace_obj; /* NULL: null */
    const vap_authorizer *authz;
    uint64_t *budget;            /* shared budget of the current group: one of budgets */
    uint64_t budgets[3];         /* matchConditions, validations (+ messages), auditAnnotations */
    uint64_t cost_limit;         /* per call */
    vap_group *group;
    const vap_observer *obs;     /* coverage hook, or NULL */
    const vap_set *set;
    size_t policy_index;
};

/* Tells the observer (if any) what an expression gave. */
void vap_observe(const vap_run *run, vap_expr_kind kind, size_t index, cel_value v);
/* Evaluates e, or gives its compile error as an error value. */
cel_value vap_run_expr(vap_run *run, const vap_expr *e);

/* The `request` document of the run, built on first use (NULL: out of
 * memory). */
const json_t *vap_run_request(vap_run *run);
/* Reads variables.<name> (index i), evaluating it on first use in the
 * current group; errors are wrapped as upstream words them. */
cel_value vap_run_variable(vap_run *run, size_t i);
/* An error value in the arena (errors never allocate outside it). */
cel_value vap_error(cel_arena *a, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* authz.c: the rules table. */
typedef struct vap_authz_query {
    const char *user;
    const json_t *groups; /* array of strings or NULL */
    const char *verb;
    bool is_path;
    const char *path;
    const char *group, *resource, *subresource, *namespace_, *name;
} vap_authz_query;

/* Returns 1 allow, 0 deny (reason set, static or into the table), -1 no
 * opinion (no rule matched). */
int vap_authz_decide(const vap_authorizer *a, const vap_authz_query *q, const char **reason);

/* result.c: Status and messages. */
json_t *vap_status_new(const vap_request *rq, const char *reason, const char *core);
int vap_reason_code(const char *reason);

#endif
