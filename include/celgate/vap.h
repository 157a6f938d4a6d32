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
} vap_load_opts;

/* Loads every ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
 * Namespace and param object (any other kind) from a YAML/JSON file or a
 * folder (recursively). Returns NULL on failure with *err (malloc'd) saying
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

/* Evaluates the set on one admission request: `request` is the
 * AdmissionReview's "request" object (admission.k8s.io/v1 or v1beta1).
 * Returns 0 with *out filled, or -1 with *err (malloc'd) when the request
 * is malformed (the message names the JSON path). */
int vap_evaluate(const vap_set *s, const json_t *request, const vap_authorizer *authz,
                 vap_outcome *out, char **err);

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
