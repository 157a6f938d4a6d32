/*
 * celgate/vap.h: the policy engine: ValidatingAdmissionPolicies and their
 * bindings, evaluated on admission requests as the Kubernetes API server does.
 *
 * A policy set is loaded and compiled once, then shared read-only by any
 * number of threads; each review allocates its own state. The webhook
 * swaps sets on reload: vap_set_ref/vap_set_unref keep an old set alive
 * until the last review that uses it ends.
 */
#ifndef CELGATE_VAP_H
#define CELGATE_VAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- loading */

typedef struct vap_set vap_set;

typedef struct vap_load_opts {
    /* Kubernetes version whose CEL environment compiles the expressions,
     * "1.30" ... ; NULL: the newest the engine knows. */
    const char *k8s_version;
    /* Load the valid policies of a folder and report the others, instead of
     * refusing the whole folder. */
    bool skip_invalid;
    /* Keep policies whose expressions do not compile or have the wrong
     * type (the API server refuses them on write): each such expression
     * then evaluates to upstream's error for a stored policy
     * ("compilation error: ..."). For test tools that report them per case;
     * vap_set_expr_info says which. */
    bool defer_compile_errors;
} vap_load_opts;

/* Loads every ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
 * Namespace and param object (any other kind) from a YAML/JSON file or a
 * folder (recursively; folders named *.test, which hold policy tests, and
 * hidden entries are passed over). Returns NULL on failure with *err (malloc'd) saying
 * file:line, field path and what is wrong, one problem per line. With
 * skip_invalid, problems are still reported in *err (when err is not NULL)
 * but a set of the valid objects is returned. Reference count starts at 1. */
vap_set *vap_set_load(const char *path, const vap_load_opts *opts, char **err);
/* As vap_set_load, from a YAML/JSON text held in memory (several documents
 * separated by `---`); `name` stands for the file name in error messages. */
vap_set *vap_set_load_buffer(const char *name, const char *text, size_t len,
                             const vap_load_opts *opts, char **err);
/* The documents of a YAML/JSON text as a JSON array (new reference), with
 * the engine's YAML rules; NULL with *err (malloc'd, file:line) on a parse
 * error. For servers that store the manifests they are given. */
json_t *vap_yaml_documents(const char *name, const char *text, size_t len, char **err);
vap_set *vap_set_ref(vap_set *s);
void vap_set_unref(vap_set *s);
/* Counts, for /readyz and logs. */
size_t vap_set_policy_count(const vap_set *s);
size_t vap_set_binding_count(const vap_set *s);

/* Building one set from several sources (a test tool's policy files and
 * resources). Problems accumulate; vap_builder_finish reports them all in
 * *err and, like vap_set_load, returns NULL if anything was refused
 * (unless skip_invalid). The builder is freed by finish. */
typedef struct vap_builder vap_builder;
vap_builder *vap_builder_new(const vap_load_opts *opts, char **err);
/* A YAML/JSON file or folder. Returns 0, or -1 when something in it was refused. */
int vap_builder_add_path(vap_builder *b, const char *path);
int vap_builder_add_text(vap_builder *b, const char *name, const char *text, size_t len);
/* One manifest already decoded (a binding, Namespace or param object);
 * file and line only label errors. Returns 0 or -1. */
int vap_builder_add_object(vap_builder *b, const json_t *obj, const char *file, int line);
vap_set *vap_builder_finish(vap_builder *b, char **err);

/* ---------------------------------------------------------------- introspection */

typedef enum vap_expr_kind {
    VAP_EXPR_VALIDATION = 0, /* spec.validations[i].expression */
    VAP_EXPR_MESSAGE,        /* spec.validations[i].messageExpression */
    VAP_EXPR_CONDITION,      /* spec.matchConditions[i].expression */
    VAP_EXPR_VARIABLE,       /* spec.variables[i].expression */
    VAP_EXPR_AUDIT,          /* spec.auditAnnotations[i].valueExpression */
    VAP_EXPR_KINDS
} vap_expr_kind;

typedef struct vap_policy_info {
    const char *name;
    const char *file;        /* the file it was loaded from, and where its document starts */
    int line;
    bool fail;               /* failurePolicy (defaulted) is Fail */
    bool has_param_kind;
    const char *param_api_version, *param_kind;
    size_t count[VAP_EXPR_KINDS]; /* validations, messageExpressions' slots, ... */
} vap_policy_info;

typedef struct vap_expr_info {
    bool present;            /* false: e.g. a validation without messageExpression */
    const char *name;        /* variable or matchCondition name, audit key; NULL otherwise */
    const char *expression;
    int line, column;        /* where its YAML scalar starts in info.file (1-based; 0 unknown) */
    const char *compile_error; /* deferred compile error, NULL when it compiled */
} vap_expr_info;

/* Policies in load order; find returns the index or -1. */
long vap_set_find_policy(const vap_set *s, const char *name);
int vap_set_policy_info(const vap_set *s, size_t policy, vap_policy_info *out);
int vap_set_expr_info(const vap_set *s, size_t policy, vap_expr_kind kind, size_t index, vap_expr_info *out);

/* ---------------------------------------------------------------- authorizer */

/* The answers `authorizer` checks get: a rules table. NULL everywhere means
 * every check is denied with reason "no authorizer rules configured". */
typedef struct vap_authorizer vap_authorizer;
/* Loads rules from YAML/JSON: a list of {user, groups, verbs, apiGroups,
 * resources, subresources, namespaces, names, paths, decision: allow|deny,
 * reason}; "*" wildcards; the first matching rule decides. */
vap_authorizer *vap_authorizer_load(const char *path, char **err);
vap_authorizer *vap_authorizer_from_json(const json_t *rules, char **err);
void vap_authorizer_free(vap_authorizer *a);

/* ---------------------------------------------------------------- reviewing */

/* One decision, for logs, metrics and tools. */
typedef struct vap_decision {
    const char *policy;
    const char *binding;     /* NULL for a policy-level configuration error */
    int validation_index;    /* index into spec.validations, -1 when not a validation */
    const char *action;      /* "deny" | "warn" | "audit" | "admit" | "skip" | "error-ignored" */
    /* The apiserver's error_type label of the decision (validating/errors.go:
     * "no_error" for a pass, "invalid_error" for a false validation as for
     * most errors, "compile_error", "out_of_budget"), or "config_error" for a
     * configuration error (which the apiserver does not count); NULL for
     * "skip". */
    const char *error_type;
    /* The decision comes from an error (evaluation, compilation, budget,
     * configuration, auditAnnotation), not from a validation that was false. */
    bool errored;
    const char *message;
} vap_decision;

typedef struct vap_outcome {
    bool allowed;
    int code;                /* HTTP-style status code when denied (422, 403, ...) */
    char *reason;            /* "Invalid", "Forbidden", ... when denied */
    char *message;           /* the client-visible message when denied */
    json_t *status;          /* the Status object as the API server shapes it, or NULL */
    char **warnings;
    size_t nwarnings;
    json_t *audit_annotations; /* object: key -> value (keys as the API server forms them) */
    vap_decision *decisions;
    size_t ndecisions;
} vap_outcome;

void vap_outcome_clear(vap_outcome *o);

/* What an evaluated expression gave, for coverage: a bool's value, another
 * value, or an error. */
enum { VAP_SEEN_TRUE = 1, VAP_SEEN_FALSE = 2, VAP_SEEN_ERROR = 4, VAP_SEEN_VALUE = 8 };
typedef struct vap_observer {
    /* Called for every validation, matchCondition and variable evaluated
     * (a variable once per expression group that reads it), from the
     * evaluating thread. */
    void (*seen)(void *ctx, const vap_set *s, size_t policy, vap_expr_kind kind, size_t index, unsigned what);
    void *ctx;
} vap_observer;

typedef struct vap_eval_opts {
    const vap_authorizer *authz;   /* NULL: every check denied */
    /* With namespace_given, namespaceObject is namespace_object (NULL:
     * null) instead of the set's Namespace of the request's namespace. */
    bool namespace_given;
    const json_t *namespace_object;
    const vap_observer *observer;  /* NULL: none */
} vap_eval_opts;

/* Evaluates the set on one admission request: `request` is the
 * AdmissionReview's "request" object (admission.k8s.io/v1 or v1beta1).
 * Returns 0 with *out filled, or -1 with *err (malloc'd) when the request
 * is malformed (the message names the JSON path). */
int vap_evaluate(const vap_set *s, const json_t *request, const vap_authorizer *authz,
                 vap_outcome *out, char **err);
int vap_evaluate_opts(const vap_set *s, const json_t *request, const vap_eval_opts *opts,
                      vap_outcome *out, char **err);

/* ---------------------------------------------------------------- one policy, unmatched */

typedef enum vap_eval_kind { VAP_EVAL_ADMIT = 0, VAP_EVAL_DENY, VAP_EVAL_ERROR } vap_eval_kind;

/* One decision as upstream's validator makes it, before any binding
 * enforces it. */
typedef struct vap_eval_decision {
    vap_eval_kind kind;
    int index;        /* validation (or auditAnnotation) index; -1: the whole policy (budget, matchConditions) */
    char *message;    /* deny: the message chosen (§6.1); error: the error text; NULL for admit */
    char *reason;     /* deny: the validation's reason, "Invalid" when unset; NULL otherwise */
} vap_eval_decision;

typedef struct vap_policy_result {
    int conditions;            /* matchConditions: 1 all true (or none), 0 one false, -1 errors */
    char *failed_condition;    /* the false one's name */
    char *condition_error;     /* the errors as upstream aggregates them */
    /* With conditions == 1: one decision per validation, in order, or a
     * single policy-wide error (cost budget). */
    vap_eval_decision *decisions;
    size_t ndecisions;
    json_t *audit_annotations; /* "<policy>/<key>" -> value */
    vap_eval_decision *audit_errors; /* kind error, index = auditAnnotation */
    size_t naudit_errors;
} vap_policy_result;

/* Evaluates one policy of the set on a request as upstream's validator
 * does for one (binding, param): no matchConstraints, bindings,
 * validationActions or failurePolicy (test tools such as kaptest work
 * so). params is the param object (NULL: null). Returns 0 with *out
 * filled, or -1 with *err when the request is malformed. */
int vap_evaluate_policy(const vap_set *s, size_t policy, const json_t *request, const json_t *params,
                        const vap_eval_opts *opts, vap_policy_result *out, char **err);
void vap_policy_result_clear(vap_policy_result *r);

/* The whole webhook exchange: decodes an AdmissionReview body (v1 or
 * v1beta1), evaluates it, and returns the AdmissionReview response in the
 * same apiVersion (uid echoed; allowed; status; warnings; auditAnnotations
 * with keys that contain no '/'). Returns NULL with *err (malloc'd) naming
 * the JSON path and the problem when the body is not a well-formed review.
 * outcome, if not NULL, receives the evaluation details (clear it after). */
json_t *vap_handle_review(const vap_set *s, const char *body, size_t len,
                          const vap_authorizer *authz, vap_outcome *outcome, char **err);

#ifdef __cplusplus
}
#endif
#endif
