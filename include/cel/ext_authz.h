/*
 * cel/ext_authz.h: the Kubernetes `authorizer` CEL library
 * (k8s.io/apiserver pkg/cel/library/authz.go):
 *
 *   authorizer.group(g).resource(r).subresource(s).namespace(ns).name(n)
 *             .fieldSelector(f).labelSelector(l).check(verb)  -> Authz decision
 *   authorizer.path(p).check(verb)                            -> Authz decision
 *   authorizer.serviceAccount(ns, name)                       -> Authorizer
 *   authorizer.requestResource                                -> ResourceCheck
 *   decision.allowed() .reason() .errored() .error()
 *
 * The library knows nothing of admission: a check asks the host the
 * embedding program passed in cel_eval_opts.host, which must point to a
 * cel_authz_host. Without a host every check is an error saying that no
 * authorizer is configured.
 */
#ifndef CEL_EXT_AUTHZ_H
#define CEL_EXT_AUTHZ_H

#include "cel/function.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one check asks: a resource request or a non-resource path. */
typedef struct cel_authz_check {
    /* Whose permissions: NULL user means the requesting user (the host
     * knows it); serviceAccount() sets these. */
    const char *user;
    const char *const *groups;
    size_t ngroups;
    const char *verb;
    bool is_path;
    const char *path;
    const char *group, *resource, *subresource, *namespace_, *name;
    const char *field_selector, *label_selector; /* NULL: unset */
} cel_authz_check;

enum { CEL_AUTHZ_DENY = 0, CEL_AUTHZ_ALLOW = 1, CEL_AUTHZ_NO_OPINION = 2 };

typedef struct cel_authz_answer {
    int decision;        /* CEL_AUTHZ_* */
    const char *reason;  /* may be NULL */
    const char *error;   /* non-NULL: the authorizer failed (decision then no opinion) */
} cel_authz_answer;

typedef struct cel_authz_host {
    /* Answers one check; strings returned must live as long as the
     * evaluation (static, or in arena a). */
    cel_authz_answer (*check)(void *ctx, const cel_authz_check *c, cel_arena *a);
    void *ctx;
} cel_authz_host;

extern const cel_library cel_lib_authz;
/* fieldSelector() and labelSelector() on resource checks (Kubernetes'
 * AuthzSelectors library, 1.31 and later); needs cel_lib_authz. */
extern const cel_library cel_lib_authz_selectors;

/* The types the library defines, for declaring variables. */
extern const cel_type cel_t_authz_authorizer;    /* kubernetes.authorization.Authorizer */
extern const cel_type cel_t_authz_path_check;    /* kubernetes.authorization.PathCheck */
extern const cel_type cel_t_authz_group_check;   /* kubernetes.authorization.GroupCheck */
extern const cel_type cel_t_authz_resource_check;/* kubernetes.authorization.ResourceCheck */
extern const cel_type cel_t_authz_decision;      /* kubernetes.authorization.Decision */

/* Values for the `authorizer` variable (the requesting user) and for
 * `authorizer.requestResource` (a check on the request's own resource). */
cel_value cel_authz_value(cel_arena *a);
cel_value cel_authz_request_resource(cel_arena *a, const char *group, const char *resource,
                                     const char *subresource, const char *namespace_,
                                     const char *name);

#ifdef __cplusplus
}
#endif
#endif
