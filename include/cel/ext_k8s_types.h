/*
 * cel/ext_k8s_types.h: the Kubernetes CEL libraries of value types:
 * quantities, URLs, semantic versions and named formats
 * (k8s.io/apiserver pkg/cel/library/{quantity,urls,semverlib,format}.go).
 * Each is a constant table for cel_env_add_library; cel/k8s.h adds them by
 * Kubernetes version.
 *
 * Their type names (kubernetes.Quantity, kubernetes.URL, kubernetes.Semver,
 * kubernetes.NamedFormat) are what type(x) returns, but unlike net.IP they
 * are not declared as identifiers: upstream does not register them either.
 */
#ifndef CEL_EXT_K8S_TYPES_H
#define CEL_EXT_K8S_TYPES_H

#include "cel/function.h"
#include "cel/type.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "kubernetes.quantity" (Kubernetes >= 1.28): quantity(string),
 * isQuantity(string), sign(Quantity) (a global function upstream, not a
 * member), and the members isInteger() asInteger() asApproximateFloat()
 * add(Quantity|int) sub(Quantity|int) compareTo() isGreaterThan()
 * isLessThan(). */
extern const cel_library cel_lib_k8s_quantity;
/* "kubernetes.urls" (every version): url(string), isURL(string) and the
 * members getScheme() getHost() getHostname() getPort() getEscapedPath()
 * getQuery(). */
extern const cel_library cel_lib_k8s_urls;
/* "kubernetes.Semver" version 1 (Kubernetes >= 1.33): semver(string[, bool]),
 * isSemver(string[, bool]) and the members major() minor() patch()
 * compareTo() isGreaterThan() isLessThan(). */
extern const cel_library cel_lib_k8s_semver;
/* "format" (Kubernetes >= 1.31): format.named(string) -> optional,
 * format.dns1123Label() and the other named formats, and
 * <NamedFormat>.validate(string) -> optional(list(string)). */
extern const cel_library cel_lib_k8s_format;

extern const cel_type cel_t_k8s_quantity, cel_t_k8s_url, cel_t_k8s_semver, cel_t_k8s_format;

#ifdef __cplusplus
}
#endif
#endif
