/*
 * cel/k8s.h: ready-made CEL environments: the Kubernetes base environment
 * of a given version (k8s.io/apiserver pkg/cel/environment/base.go), and an
 * "all libraries" environment that also has the cel-go extensions
 * Kubernetes leaves out (math, encoders, bindings, block).
 *
 * Both only choose options and libraries; callers still declare their
 * variables (object, request, ...) on the environment they get.
 */
#ifndef CEL_K8S_H
#define CEL_K8S_H

#include "cel/cel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Kubernetes minor versions an environment can be built for. */
#define CEL_K8S_OLDEST_MINOR 28
#define CEL_K8S_NEWEST_MINOR 37

/* One row of the version table: a library and the Kubernetes minor
 * versions that have it (until 0: every later one). */
typedef struct cel_k8s_library {
    const cel_library *lib;
    unsigned since, until;
} cel_k8s_library;

/* The table, in the order libraries are added; ends with lib == NULL. */
extern const cel_k8s_library cel_k8s_libraries[];

/* The base environment of Kubernetes 1.<minor> (0: CEL_K8S_NEWEST_MINOR).
 * base, if not NULL, supplies the container, limits and disable_check;
 * everything else (macros, syntax, libraries) comes from the version.
 * NULL for a minor outside the supported range or out of memory. */
cel_env *cel_env_new_k8s(unsigned minor, const cel_env_options *base);

/* Every library celgate has: the newest Kubernetes environment plus the
 * cel-go extensions Kubernetes does not enable; where celgate has a newer
 * version of a library Kubernetes uses (strings), the newer one. */
cel_env *cel_env_new_all(const cel_env_options *base);

/* Adds to env the libraries of Kubernetes 1.<minor> (0: the newest) and,
 * with extras, the cel-go extensions Kubernetes leaves out, without
 * touching env's options: for plain-CEL environments that want the
 * libraries (the conformance suite). 0, or -1 on a clash or out of memory. */
int cel_env_add_k8s_libraries(cel_env *env, unsigned minor, bool extras);

/* Parses "1.N" or "v1.N" (N within the supported range) into N; -1 when
 * the text is not such a version. */
int cel_k8s_parse_version(const char *s);

#ifdef __cplusplus
}
#endif
#endif
