/*
 * alloc_index.c: the free-space index. Allocated addresses are kept as
 * maximal (coalesced) intervals in a treap ordered by interval start. Since
 * intervals never touch, the first free address at or after X is X itself
 * or the end of X's interval plus one, so every query is one O(log n)
 * descent whatever the fill, and memory is one node per run of allocated
 * addresses. Priorities come from a hash of the key, so the tree needs no
 * random state and is still balanced in expectation.
 */
#include "alloc_int.h"

#include <stdlib.h>

typedef struct alloc_inode {
    alloc_u128 start, end;
    uint64_t prio;
    struct alloc_inode *l, *r;
} alloc_inode;

static uint64_t mix(alloc_u128 k)
{
    uint64_t z = k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void alloc_index_init(alloc_index *ix)
{
    ix->root = NULL;
    ix->nodes = 0;
    ix->count = 0;
}

static void free_tree(alloc_inode *n)
{
    /* Iterative (rotate left subtrees away) so a degenerate tree cannot
     * overflow the stack. */
    while (n) {
        if (n->l) {
            alloc_inode *l = n->l;
            n->l = l->r;
            l->r = n;
            n = l;
        } else {
            alloc_inode *r = n->r;
            free(n);
            n = r;
        }
    }
}

void alloc_index_free(alloc_index *ix)
{
    free_tree(ix->root);
    alloc_index_init(ix);
}

/* The interval with the greatest start <= x. */
static alloc_inode *floor_node(alloc_inode *n, alloc_u128 x)
{
    alloc_inode *best = NULL;
    while (n) {
        if (alloc_u128_cmp(n->start, x) <= 0) {
            best = n;
            n = n->r;
        } else {
            n = n->l;
        }
    }
    return best;
}

/* The interval whose start equals x exactly. */
static alloc_inode *find_start(alloc_inode *n, alloc_u128 x)
{
    while (n) {
        int c = alloc_u128_cmp(x, n->start);
        if (c == 0)
            return n;
        n = c < 0 ? n->l : n->r;
    }
    return NULL;
}

static alloc_inode *rot_right(alloc_inode *n)
{
    alloc_inode *l = n->l;
    n->l = l->r;
    l->r = n;
    return l;
}

static alloc_inode *rot_left(alloc_inode *n)
{
    alloc_inode *r = n->r;
    n->r = r->l;
    r->l = n;
    return r;
}

static alloc_inode *insert_node(alloc_inode *n, alloc_inode *nn)
{
    if (!n)
        return nn;
    if (alloc_u128_cmp(nn->start, n->start) < 0) {
        n->l = insert_node(n->l, nn);
        if (n->l->prio > n->prio)
            n = rot_right(n);
    } else {
        n->r = insert_node(n->r, nn);
        if (n->r->prio > n->prio)
            n = rot_left(n);
    }
    return n;
}

/* Removes the node with start == key; *gone receives it (not freed). */
static alloc_inode *delete_node(alloc_inode *n, alloc_u128 key, alloc_inode **gone)
{
    if (!n)
        return NULL;
    int c = alloc_u128_cmp(key, n->start);
    if (c < 0) {
        n->l = delete_node(n->l, key, gone);
        return n;
    }
    if (c > 0) {
        n->r = delete_node(n->r, key, gone);
        return n;
    }
    if (!n->l || !n->r) {
        *gone = n;
        return n->l ? n->l : n->r;
    }
    if (n->l->prio > n->r->prio) {
        n = rot_right(n);
        n->r = delete_node(n->r, key, gone);
    } else {
        n = rot_left(n);
        n->l = delete_node(n->l, key, gone);
    }
    return n;
}

static int add_interval(alloc_index *ix, alloc_u128 start, alloc_u128 end)
{
    alloc_inode *nn = malloc(sizeof *nn);
    if (!nn)
        return -1;
    nn->start = start;
    nn->end = end;
    nn->prio = mix(start);
    nn->l = nn->r = NULL;
    ix->root = insert_node(ix->root, nn);
    ix->nodes++;
    return 0;
}

static void drop_interval(alloc_index *ix, alloc_u128 start)
{
    alloc_inode *gone = NULL;
    ix->root = delete_node(ix->root, start, &gone);
    if (gone) {
        free(gone);
        ix->nodes--;
    }
}

bool alloc_index_has(const alloc_index *ix, alloc_u128 x)
{
    alloc_inode *f = floor_node(ix->root, x);
    return f && alloc_u128_cmp(x, f->end) <= 0;
}

int alloc_index_add(alloc_index *ix, alloc_u128 x)
{
    alloc_inode *left = floor_node(ix->root, x);
    if (left && alloc_u128_cmp(x, left->end) <= 0)
        return 1;
    bool joins_left = left && alloc_u128_cmp(alloc_u128_add(left->end, 1), x) == 0;
    alloc_inode *right = alloc_u128_is_max(x) ? NULL : find_start(ix->root, alloc_u128_add(x, 1));
    if (joins_left && right) {
        left->end = right->end;
        drop_interval(ix, right->start);
    } else if (joins_left) {
        left->end = x;
    } else if (right) {
        /* Nothing starts between x and x+1, so the order is kept. */
        right->start = x;
    } else if (add_interval(ix, x, x) < 0) {
        return -1;
    }
    if (ix->count != UINT64_MAX)
        ix->count++;
    return 0;
}

int alloc_index_remove(alloc_index *ix, alloc_u128 x)
{
    alloc_inode *n = floor_node(ix->root, x);
    if (!n || alloc_u128_cmp(x, n->end) > 0)
        return 1;
    int cs = alloc_u128_cmp(x, n->start), ce = alloc_u128_cmp(x, n->end);
    if (cs == 0 && ce == 0) {
        drop_interval(ix, x);
    } else if (cs == 0) {
        n->start = alloc_u128_add(x, 1);
    } else if (ce == 0) {
        n->end = alloc_u128_sub(x, 1);
    } else {
        alloc_u128 old_end = n->end;
        if (add_interval(ix, alloc_u128_add(x, 1), old_end) < 0)
            return -1;
        n->end = alloc_u128_sub(x, 1);
    }
    if (ix->count != UINT64_MAX)
        ix->count--;
    return 0;
}

/* First free address >= x, or false if everything from x up is taken. */
static bool free_from(const alloc_index *ix, alloc_u128 x, alloc_u128 *out)
{
    alloc_inode *f = floor_node(ix->root, x);
    if (!f || alloc_u128_cmp(x, f->end) > 0) {
        *out = x;
        return true;
    }
    if (alloc_u128_is_max(f->end))
        return false;
    *out = alloc_u128_add(f->end, 1);
    return true;
}

bool alloc_index_first_free(const alloc_index *ix, alloc_u128 lo, alloc_u128 hi,
                            alloc_u128 start, alloc_u128 *out)
{
    alloc_u128 cand;
    if (free_from(ix, start, &cand) && alloc_u128_cmp(cand, hi) <= 0) {
        *out = cand;
        return true;
    }
    if (free_from(ix, lo, &cand) && alloc_u128_cmp(cand, start) < 0) {
        *out = cand;
        return true;
    }
    return false;
}

bool alloc_index_next(const alloc_index *ix, alloc_u128 x, alloc_u128 *start, alloc_u128 *end)
{
    alloc_inode *f = floor_node(ix->root, x);
    if (f && alloc_u128_cmp(x, f->end) <= 0) {
        *start = f->start;
        *end = f->end;
        return true;
    }
    /* The successor: smallest start > x. */
    alloc_inode *n = ix->root, *best = NULL;
    while (n) {
        if (alloc_u128_cmp(n->start, x) > 0) {
            best = n;
            n = n->l;
        } else {
            n = n->r;
        }
    }
    if (!best)
        return false;
    *start = best->start;
    *end = best->end;
    return true;
}
