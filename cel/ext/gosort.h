/*
 * gosort.h: Go's sort.Slice (pattern-defeating quicksort, Go >= 1.19) over
 * an array of indexes, for the extension libraries that must order equal
 * elements exactly as cel-go does: sort.Slice is not stable, so which of
 * two equal keys comes first depends on the algorithm's every comparison
 * and swap. Internal to libcel.
 */
#ifndef CEL_EXT_GOSORT_H
#define CEL_EXT_GOSORT_H

#include <stddef.h>

/* less(ctx, a, b): whether the element identified by index a sorts before
 * the one identified by b (the indexes are values of idx[], not positions). */
typedef int (*cel_gosort_less)(void *ctx, size_t a, size_t b);

/* Permutes idx[0..n) as sort.Slice(idx, func(i, j) less(idx[i], idx[j]))
 * would. */
void cel_gosort(size_t *idx, size_t n, cel_gosort_less less, void *ctx);

#endif
