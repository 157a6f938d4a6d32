/*
 * gosort.c: Go's sort.Slice step for step (pdqsort as in Go >= 1.19, with
 * Go's 64-bit xorshift for pattern breaking), so that sorting with ties
 * leaves equal elements in the order cel-go leaves them. Written from the
 * algorithm's description in Go's sort package; every comparison and swap
 * happens in the same order.
 */
#include <stdint.h>

#include "gosort.h"

typedef struct sorter {
    size_t *idx;
    cel_gosort_less less;
    void *ctx;
} sorter;

enum { HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING };

static int lt(const sorter *s, size_t i, size_t j) { return s->less(s->ctx, s->idx[i], s->idx[j]); }

static void swap(const sorter *s, size_t i, size_t j)
{
    size_t t = s->idx[i];
    s->idx[i] = s->idx[j];
    s->idx[j] = t;
}

/* bits.Len: the number of bits needed to represent x. */
static int bit_len(uint64_t x)
{
    int n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static void insertion_sort(const sorter *s, size_t a, size_t b)
{
    for (size_t i = a + 1; i < b; i++)
        for (size_t j = i; j > a && lt(s, j, j - 1); j--)
            swap(s, j, j - 1);
}

static void sift_down(const sorter *s, size_t lo, size_t hi, size_t first)
{
    size_t root = lo;
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= hi)
            return;
        if (child + 1 < hi && lt(s, first + child, first + child + 1))
            child++;
        if (!lt(s, first + root, first + child))
            return;
        swap(s, first + root, first + child);
        root = child;
    }
}

static void heap_sort(const sorter *s, size_t a, size_t b)
{
    size_t first = a, hi = b - a;
    for (size_t i = (hi - 1) / 2 + 1; i-- > 0;)
        sift_down(s, i, hi, first);
    for (size_t i = hi; i-- > 0;) {
        swap(s, first, first + i);
        sift_down(s, 0, i, first);
    }
}

/* Partitions [a, b) around the element at pivot; returns its new place
 * and whether nothing had to move. */
static size_t partition(const sorter *s, size_t a, size_t b, size_t pivot, int *already)
{
    swap(s, a, pivot);
    /* i and j are inclusive bounds of what remains; j may reach a, so they
     * are signed as in Go. */
    long i = (long)a + 1, j = (long)b - 1;
    while (i <= j && lt(s, (size_t)i, a))
        i++;
    while (i <= j && !lt(s, (size_t)j, a))
        j--;
    if (i > j) {
        swap(s, (size_t)j, a);
        *already = 1;
        return (size_t)j;
    }
    swap(s, (size_t)i, (size_t)j);
    i++;
    j--;
    for (;;) {
        while (i <= j && lt(s, (size_t)i, a))
            i++;
        while (i <= j && !lt(s, (size_t)j, a))
            j--;
        if (i > j)
            break;
        swap(s, (size_t)i, (size_t)j);
        i++;
        j--;
    }
    swap(s, (size_t)j, a);
    *already = 0;
    return (size_t)j;
}

/* Elements equal to the pivot first, then the greater ones (no smaller
 * elements are in [a, b)). */
static size_t partition_equal(const sorter *s, size_t a, size_t b, size_t pivot)
{
    swap(s, a, pivot);
    long i = (long)a + 1, j = (long)b - 1;
    for (;;) {
        while (i <= j && !lt(s, a, (size_t)i))
            i++;
        while (i <= j && lt(s, a, (size_t)j))
            j--;
        if (i > j)
            break;
        swap(s, (size_t)i, (size_t)j);
        i++;
        j--;
    }
    return (size_t)i;
}

static int partial_insertion_sort(const sorter *s, size_t a, size_t b)
{
    const int max_steps = 5;
    const size_t shortest_shifting = 50;
    size_t i = a + 1;
    for (int step = 0; step < max_steps; step++) {
        while (i < b && !lt(s, i, i - 1))
            i++;
        if (i == b)
            return 1;
        if (b - a < shortest_shifting)
            return 0;
        swap(s, i, i - 1);
        /* Go's loop bound is the absolute index 1, not a + 1. */
        if (i - a >= 2)
            for (size_t j = i - 1; j >= 1; j--) {
                if (!lt(s, j, j - 1))
                    break;
                swap(s, j, j - 1);
            }
        if (b - i >= 2)
            for (size_t j = i + 1; j < b; j++) {
                if (!lt(s, j, j - 1))
                    break;
                swap(s, j, j - 1);
            }
    }
    return 0;
}

static void break_patterns(const sorter *s, size_t a, size_t b)
{
    size_t length = b - a;
    if (length < 8)
        return;
    uint64_t random = length;
    uint64_t modulus = (uint64_t)1 << bit_len(length);
    for (size_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        size_t other = (size_t)(random & (modulus - 1));
        if (other >= length)
            other -= length;
        swap(s, idx, a + other);
    }
}

static void order2(const sorter *s, size_t *a, size_t *b, int *swaps)
{
    if (lt(s, *b, *a)) {
        (*swaps)++;
        size_t t = *a;
        *a = *b;
        *b = t;
    }
}

static size_t median(const sorter *s, size_t a, size_t b, size_t c, int *swaps)
{
    order2(s, &a, &b, swaps);
    order2(s, &b, &c, swaps);
    order2(s, &a, &b, swaps);
    return b;
}

static size_t choose_pivot(const sorter *s, size_t a, size_t b, int *hint)
{
    const size_t shortest_ninther = 50;
    const int max_swaps = 4 * 3;
    size_t l = b - a;
    int swaps = 0;
    size_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= shortest_ninther) {
            i = median(s, i - 1, i, i + 1, &swaps);
            j = median(s, j - 1, j, j + 1, &swaps);
            k = median(s, k - 1, k, k + 1, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? HINT_INCREASING : swaps == max_swaps ? HINT_DECREASING : HINT_UNKNOWN;
    return j;
}

static void reverse_range(const sorter *s, size_t a, size_t b)
{
    size_t i = a, j = b - 1;
    while (i < j)
        swap(s, i++, j--);
}

static void pdqsort(const sorter *s, size_t a, size_t b, int limit)
{
    const size_t max_insertion = 12;
    int was_balanced = 1, was_partitioned = 1;
    for (;;) {
        size_t length = b - a;
        if (length <= max_insertion) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!was_balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        int hint;
        size_t pivot = choose_pivot(s, a, b, &hint);
        if (hint == HINT_DECREASING) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = HINT_INCREASING;
        }
        if (was_balanced && was_partitioned && hint == HINT_INCREASING &&
            partial_insertion_sort(s, a, b))
            return;
        if (a > 0 && !lt(s, a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        int already;
        size_t mid = partition(s, a, b, pivot, &already);
        was_partitioned = already;
        size_t left = mid - a, right = b - mid, threshold = length / 8;
        if (left < right) {
            was_balanced = left >= threshold;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

void cel_gosort(size_t *idx, size_t n, cel_gosort_less less, void *ctx)
{
    sorter s = {idx, less, ctx};
    pdqsort(&s, 0, n, bit_len(n));
}
