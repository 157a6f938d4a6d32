/*
 * cel/ext_lists.h: the list-shaped extension libraries: Kubernetes' lists
 * library, cel-go's ext lists and ext sets, and cel-go's optional types
 * library. Each is a constant table for cel_env_add_library; the Kubernetes
 * environments (cel/k8s.h) pick them by version.
 *
 * Costs are the runtime costs Kubernetes charges: its CostEstimator for the
 * Kubernetes functions, cel-go's overload cost trackers for ext lists
 * (version 3) and ext sets, 1 per call otherwise.
 */
#ifndef CEL_EXT_LISTS_H
#define CEL_EXT_LISTS_H

#include "cel/function.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kubernetes lists ("kubernetes.lists", version 0, every Kubernetes
 * version): <list>.isSorted() .sum() .min() .max() .indexOf(x)
 * .lastIndexOf(x), with an overload per element type as upstream declares
 * them (list_int_sum_int, ...). */
extern const cel_library cel_lib_k8s_lists;
/* What Kubernetes lists version 1 adds (Kubernetes >= 1.37):
 * <dyn>.includes(<dyn>). */
extern const cel_library cel_lib_k8s_lists_includes;

/* cel-go ext lists ("cel.lib.ext.lists"), one complete table per version:
 * v0 slice(); v1 adds flatten(), flatten(depth); v2 adds sort(),
 * @sortByAssociatedKeys() (the sortBy macro's helper), lists.range(),
 * reverse(), distinct(); v3 has v2's functions with cel-go's cost trackers
 * (the version Kubernetes >= 1.34 uses). Add at most one of them. */
extern const cel_library cel_lib_ext_lists_v0;
extern const cel_library cel_lib_ext_lists_v1;
extern const cel_library cel_lib_ext_lists_v2;
extern const cel_library cel_lib_ext_lists_v3;

/* cel-go ext sets ("cel.lib.ext.sets", Kubernetes >= 1.29):
 * sets.contains(list, list), sets.equivalent(list, list),
 * sets.intersects(list, list). */
extern const cel_library cel_lib_ext_sets;

/* cel-go optional types ("cel.lib.optional", Kubernetes >= 1.28; the
 * syntax ?. [? {?k: v} [?x] and the optMap / optFlatMap macros are parser
 * options): optional.of(x), optional.ofNonZeroValue(x), optional.none(),
 * <optional>.value() .hasValue() .or(optional) .orValue(x), and the
 * declarations that let an optional list or map be indexed. */
extern const cel_library cel_lib_optional;
/* What optional types version 2 adds: <list>.first(), <list>.last(),
 * optional.unwrap(list), <list>.unwrapOpt(). */
extern const cel_library cel_lib_optional_v2;

#ifdef __cplusplus
}
#endif
#endif
