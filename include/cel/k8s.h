/*
 * cel/k8s.h: ready-made CEL environments: the Kubernetes base environment
 * (k8s.io/apiserver pkg/cel/environment/base.go) at a compatibility
 * version, the two environments an API server of a given version compiles
 * with, and an "all libraries" environment that also has the cel-go
 * extensions Kubernetes leaves out (math, encoders, bindings, block).
 *
 * Versions. Upstream's base environment is a list of options and libraries
 * tagged with the Kubernetes version that introduced (and possibly removed)
 * them; an environment is built for a *compatibility version* and gets the
 * rows whose range contains it. An API server of version 1.N keeps two
 * (environment.go):
 *   - NewExpressions, at DefaultCompatibilityVersion() = the binary's minor
 *     minus one (its MinCompatibilityVersion), so that a cluster rolled back
 *     one minor still compiles what was written. Creating or changing a
 *     ValidatingAdmissionPolicy validates every new or changed expression
 *     with it: this is the answer to "will my policy be accepted by my 1.N
 *     cluster".
 *   - StoredExpressions, with every row the binary knows (no upper bound):
 *     the admission plugin compiles stored policies with it, and an
 *     unchanged expression of an updated policy is checked with it too.
 * docs/cel-environments.md lists what each version enables.
 *
 * These functions only choose options and libraries; callers still declare
 * their variables (object, request, ...) on the environment they get.
 */
#ifndef CEL_K8S_H
#define CEL_K8S_H

#include "cel/cel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The compatibility versions (minors of Kubernetes 1.x) celgate models. */
#define CEL_K8S_OLDEST_MINOR 28
#define CEL_K8S_NEWEST_MINOR 37

/* Kubernetes' per-expression runtime cost limit (apis/cel PerCallLimit). */
#define CEL_K8S_PER_CALL_LIMIT 1000000u

/* One row of the version table: a library and the compatibility versions
 * that have it, since..until inclusive (until 0: every later one). A
 * library upstream adds in 1.0 or 1.27 (before the oldest modelled
 * version) has since 0. */
typedef struct cel_k8s_library {
    const cel_library *lib;
    unsigned since, until;
} cel_k8s_library;

/* The table, in the order libraries are added; ends with lib == NULL. */
extern const cel_k8s_library cel_k8s_libraries[];

/* The base environment at compatibility version 1.<minor> (0: the newest),
 * i.e. what upstream's MustBaseEnvSet(1.<minor>).NewExpressionsEnv() has.
 * base, if not NULL, supplies the container, limits and disable_check;
 * everything else (macros, syntax, libraries, cost model) comes from the
 * version. NULL for a minor outside the modelled range or out of memory. */
cel_env *cel_env_new_k8s(unsigned minor, const cel_env_options *base);

/* The two environments of an API server (see the top of this file). */
typedef enum cel_k8s_exprs {
    CEL_K8S_NEW_EXPRESSIONS,   /* validating created or changed expressions */
    CEL_K8S_STORED_EXPRESSIONS /* compiling stored ones (admission) */
} cel_k8s_exprs;

/* The compatibility version an API server of 1.<server_minor> builds that
 * environment for: server_minor - 1 for new expressions, server_minor for
 * stored ones. (An API server started with --emulated-version or a raised
 * min compatibility version shifts this; celgate models the defaults.) */
unsigned cel_k8s_compat_minor(unsigned server_minor, cel_k8s_exprs which);

/* The environment an API server of 1.<server_minor> (0: the newest
 * modelled) uses for `which`. NULL when the compatibility version falls
 * outside the modelled range (a 1.28 server validates new expressions at
 * 1.27) or out of memory. */
cel_env *cel_env_new_k8s_server(unsigned server_minor, cel_k8s_exprs which,
                                const cel_env_options *base);

/* Every library celgate has: the newest Kubernetes environment plus the
 * cel-go extensions Kubernetes does not enable, with every macro; where
 * celgate has a newer version of a library Kubernetes uses (strings), the
 * newer one. */
cel_env *cel_env_new_all(const cel_env_options *base);

/* Adds to env the libraries of compatibility version 1.<minor> (0: the
 * newest) and, with extras, the cel-go extensions Kubernetes leaves out,
 * without touching env's options: for plain-CEL environments that want the
 * libraries (the conformance suite). 0, or -1 on a clash or out of memory. */
int cel_env_add_k8s_libraries(cel_env *env, unsigned minor, bool extras);

/* True when the library is in the environment of compatibility version
 * 1.<minor> (tests and docs). */
bool cel_k8s_has_library(unsigned minor, const cel_library *lib);

/* Parses a Kubernetes version: "1.N", "v1.N", optionally with a patch
 * (".P", as `kubectl version` prints it). Returns N, -1 when the text is
 * not a version of that form, -2 when it is but N is outside
 * [oldest, newest]. */
int cel_k8s_version(const char *s, unsigned oldest, unsigned newest);

/* cel_k8s_version within the modelled compatibility range; -1 for any
 * failure. */
int cel_k8s_parse_version(const char *s);

#ifdef __cplusplus
}
#endif
#endif
