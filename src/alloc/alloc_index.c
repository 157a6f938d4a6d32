/*
 * alloc_index.c: the free-space index. Allocated addresses are kept as
 * maximal (coalesced) intervals in a B+tree ordered by interval start.
 * Since intervals never touch, the first free address at or after X is X
 * itself or the end of X's interval plus one, so every query is one
 * descent: O(log n) at any fill, with memory of one entry per run of
 * allocated addresses.
 *
 * Why a B+tree rather than a binary tree: with a million random /64
 * allocations a binary tree is ~25 levels of cache misses; 32-way nodes
 * make it 4-5, which keeps the cost per allocation flat as the index
 * outgrows the caches.
 *
 * Inner nodes hold lower bounds: every start in child i (i >= 1) is
 * >= key[i] and < key[i+1]. Deletion removes empty nodes but does not
 * merge underfull ones (the height is that of the largest size seen).
 * Nodes needed by a split are reserved before anything changes, so an
 * out-of-memory error leaves the index as it was.
 */
#include "alloc_int.h"

#include <stdlib.h>
#include <string.h>

#define ORDER 32

typedef struct alloc_inode {
    int n;
    bool leaf;
    struct alloc_inode *prev, *next; /* leaves, in key order */
    alloc_u128 key[ORDER];
    union {
        alloc_u128 end[ORDER];
        struct alloc_inode *child[ORDER];
    } u;
} alloc_inode;

void alloc_index_init(alloc_index *ix)
{
    memset(ix, 0, sizeof *ix);
}

static void free_node(alloc_inode *n)
{
    if (!n)
        return;
    if (!n->leaf)
        for (int i = 0; i < n->n; i++)
            free_node(n->u.child[i]);
    free(n);
}

void alloc_index_free(alloc_index *ix)
{
    free_node(ix->root);
    while (ix->spare) {
        alloc_inode *s = ix->spare;
        ix->spare = s->next;
        free(s);
    }
    alloc_index_init(ix);
}

/* Enough spare nodes for a split at every level plus a new root. */
static int reserve(alloc_index *ix)
{
    while (ix->nspare < ix->height + 2) {
        alloc_inode *s = malloc(sizeof *s);
        if (!s)
            return -1;
        s->next = ix->spare;
        ix->spare = s;
        ix->nspare++;
    }
    return 0;
}

static alloc_inode *take(alloc_index *ix, bool leaf)
{
    alloc_inode *s = ix->spare;
    ix->spare = s->next;
    ix->nspare--;
    s->n = 0;
    s->leaf = leaf;
    s->prev = s->next = NULL;
    return s;
}

/* A binary search over a node's keys is a chain of dependent cache
 * misses; asking for all its key lines at once overlaps them. */
static inline void prefetch_keys(const alloc_inode *n)
{
    const char *p = (const char *)n->key;
    for (size_t off = 0; off < sizeof n->key; off += 64)
        __builtin_prefetch(p + off);
}

/* Last i with key[i] <= x in a leaf, or -1. */
static int leaf_floor(const alloc_inode *l, alloc_u128 x)
{
    int lo = 0, hi = l->n - 1, r = -1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (alloc_u128_cmp(l->key[mid], x) <= 0) {
            r = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return r;
}

/* The child whose range holds x: last i >= 1 with key[i] <= x, else 0. */
static int inner_pick(const alloc_inode *n, alloc_u128 x)
{
    int lo = 1, hi = n->n - 1, r = 0;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (alloc_u128_cmp(n->key[mid], x) <= 0) {
            r = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return r;
}

typedef struct pos {
    alloc_inode *leaf;
    int i;
} pos;

/* The interval with the greatest start <= x. */
static bool floor_pos(const alloc_index *ix, alloc_u128 x, pos *p)
{
    alloc_inode *n = ix->root;
    if (!n)
        return false;
    while (!n->leaf) {
        n = n->u.child[inner_pick(n, x)];
        prefetch_keys(n);
    }
    int i = leaf_floor(n, x);
    if (i < 0) {
        /* Leaves are never empty, so the floor ends the previous one. */
        n = n->prev;
        if (!n)
            return false;
        i = n->n - 1;
    }
    p->leaf = n;
    p->i = i;
    return true;
}

static bool first_pos(const alloc_index *ix, pos *p)
{
    alloc_inode *n = ix->root;
    if (!n || n->n == 0)
        return false;
    while (!n->leaf)
        n = n->u.child[0];
    p->leaf = n;
    p->i = 0;
    return true;
}

static bool next_pos(pos *p)
{
    if (p->i + 1 < p->leaf->n) {
        p->i++;
        return true;
    }
    if (!p->leaf->next)
        return false;
    p->leaf = p->leaf->next;
    p->i = 0;
    return true;
}

/* Inserts a new interval into subtree n; returns a new right sibling
 * (its lower bound in *sep) when n split. Spares are reserved. */
static alloc_inode *insert_rec(alloc_index *ix, alloc_inode *n, alloc_u128 k, alloc_u128 e, alloc_u128 *sep)
{
    if (n->leaf) {
        alloc_inode *t = n;
        alloc_inode *r = NULL;
        if (n->n == ORDER) {
            r = take(ix, true);
            int h = ORDER / 2;
            memcpy(r->key, n->key + h, (size_t)(ORDER - h) * sizeof n->key[0]);
            memcpy(r->u.end, n->u.end + h, (size_t)(ORDER - h) * sizeof n->u.end[0]);
            r->n = ORDER - h;
            n->n = h;
            r->next = n->next;
            if (r->next)
                r->next->prev = r;
            r->prev = n;
            n->next = r;
            if (alloc_u128_cmp(k, r->key[0]) >= 0)
                t = r;
        }
        int i = leaf_floor(t, k) + 1;
        memmove(t->key + i + 1, t->key + i, (size_t)(t->n - i) * sizeof t->key[0]);
        memmove(t->u.end + i + 1, t->u.end + i, (size_t)(t->n - i) * sizeof t->u.end[0]);
        t->key[i] = k;
        t->u.end[i] = e;
        t->n++;
        if (r)
            *sep = r->key[0];
        return r;
    }
    int ci = inner_pick(n, k);
    alloc_u128 csep;
    alloc_inode *cr = insert_rec(ix, n->u.child[ci], k, e, &csep);
    if (!cr)
        return NULL;
    /* Place (csep, cr) after child ci, splitting n if it is full. */
    alloc_u128 keys[ORDER + 1];
    alloc_inode *kids[ORDER + 1];
    int m = n->n + 1;
    memcpy(keys, n->key, (size_t)(ci + 1) * sizeof keys[0]);
    memcpy(kids, n->u.child, (size_t)(ci + 1) * sizeof kids[0]);
    keys[ci + 1] = csep;
    kids[ci + 1] = cr;
    memcpy(keys + ci + 2, n->key + ci + 1, (size_t)(n->n - ci - 1) * sizeof keys[0]);
    memcpy(kids + ci + 2, n->u.child + ci + 1, (size_t)(n->n - ci - 1) * sizeof kids[0]);
    if (m <= ORDER) {
        memcpy(n->key, keys, (size_t)m * sizeof keys[0]);
        memcpy(n->u.child, kids, (size_t)m * sizeof kids[0]);
        n->n = m;
        return NULL;
    }
    alloc_inode *r = take(ix, false);
    int h = m / 2;
    memcpy(n->key, keys, (size_t)h * sizeof keys[0]);
    memcpy(n->u.child, kids, (size_t)h * sizeof kids[0]);
    n->n = h;
    memcpy(r->key, keys + h, (size_t)(m - h) * sizeof keys[0]);
    memcpy(r->u.child, kids + h, (size_t)(m - h) * sizeof kids[0]);
    r->n = m - h;
    *sep = keys[h];
    return r;
}

static void insert(alloc_index *ix, alloc_u128 k, alloc_u128 e)
{
    if (!ix->root) {
        ix->root = take(ix, true);
        ix->height = 1;
    }
    alloc_u128 sep;
    alloc_inode *r = insert_rec(ix, ix->root, k, e, &sep);
    if (r) {
        alloc_inode *root = take(ix, false);
        root->n = 2;
        root->u.child[0] = ix->root;
        root->u.child[1] = r;
        root->key[1] = sep;
        ix->root = root;
        ix->height++;
    }
    ix->nodes++;
}

/* Removes the interval starting at k; returns true when n became empty. */
static bool delete_rec(alloc_inode *n, alloc_u128 k)
{
    if (n->leaf) {
        int i = leaf_floor(n, k);
        memmove(n->key + i, n->key + i + 1, (size_t)(n->n - i - 1) * sizeof n->key[0]);
        memmove(n->u.end + i, n->u.end + i + 1, (size_t)(n->n - i - 1) * sizeof n->u.end[0]);
        n->n--;
        if (n->n > 0)
            return false;
        if (n->prev)
            n->prev->next = n->next;
        if (n->next)
            n->next->prev = n->prev;
        return true;
    }
    int ci = inner_pick(n, k);
    if (!delete_rec(n->u.child[ci], k))
        return false;
    free(n->u.child[ci]);
    memmove(n->key + ci, n->key + ci + 1, (size_t)(n->n - ci - 1) * sizeof n->key[0]);
    memmove(n->u.child + ci, n->u.child + ci + 1, (size_t)(n->n - ci - 1) * sizeof n->u.child[0]);
    n->n--;
    return n->n == 0;
}

static void delete(alloc_index *ix, alloc_u128 k)
{
    if (delete_rec(ix->root, k)) {
        free(ix->root);
        ix->root = NULL;
        ix->height = 0;
    }
    /* An inner root with one child is a wasted level. */
    while (ix->root && !ix->root->leaf && ix->root->n == 1) {
        alloc_inode *old = ix->root;
        ix->root = old->u.child[0];
        free(old);
        ix->height--;
    }
    ix->nodes--;
}

bool alloc_index_has(const alloc_index *ix, alloc_u128 x)
{
    pos p;
    return floor_pos(ix, x, &p) && alloc_u128_cmp(x, p.leaf->u.end[p.i]) <= 0;
}

int alloc_index_add(alloc_index *ix, alloc_u128 x)
{
    /* One descent serves the lookup and, usually, the insertion: x belongs
     * to the leaf the descent reaches, right after its floor there. */
    alloc_inode *home = ix->root;
    while (home && !home->leaf) {
        home = home->u.child[inner_pick(home, x)];
        prefetch_keys(home);
    }
    int hi = home ? leaf_floor(home, x) : -1;
    pos l = {home, hi}, r;
    bool has_l = hi >= 0;
    if (!has_l && home && home->prev) {
        l.leaf = home->prev;
        l.i = l.leaf->n - 1;
        has_l = true;
    }
    if (has_l && alloc_u128_cmp(x, l.leaf->u.end[l.i]) <= 0)
        return 1;
    if (reserve(ix) < 0)
        return -1;
    bool joins_left = has_l && alloc_u128_cmp(alloc_u128_add(l.leaf->u.end[l.i], 1), x) == 0;
    r = l;
    bool has_r = has_l ? next_pos(&r) : first_pos(ix, &r);
    bool joins_right = has_r && !alloc_u128_is_max(x) &&
                       alloc_u128_cmp(r.leaf->key[r.i], alloc_u128_add(x, 1)) == 0;
    if (joins_left && joins_right) {
        l.leaf->u.end[l.i] = r.leaf->u.end[r.i];
        delete(ix, r.leaf->key[r.i]);
    } else if (joins_left) {
        l.leaf->u.end[l.i] = x;
    } else if (joins_right) {
        /* Lowering a start could cross an inner lower bound: re-insert. */
        alloc_u128 e = r.leaf->u.end[r.i];
        delete(ix, r.leaf->key[r.i]);
        insert(ix, x, e); /* the spares reserved above still cover it */
    } else if (home && home->n < ORDER) {
        int i = hi + 1;
        memmove(home->key + i + 1, home->key + i, (size_t)(home->n - i) * sizeof home->key[0]);
        memmove(home->u.end + i + 1, home->u.end + i, (size_t)(home->n - i) * sizeof home->u.end[0]);
        home->key[i] = x;
        home->u.end[i] = x;
        home->n++;
        ix->nodes++;
    } else {
        insert(ix, x, x);
    }
    if (ix->count != UINT64_MAX)
        ix->count++;
    return 0;
}

int alloc_index_remove(alloc_index *ix, alloc_u128 x)
{
    pos p;
    if (!floor_pos(ix, x, &p) || alloc_u128_cmp(x, p.leaf->u.end[p.i]) > 0)
        return 1;
    alloc_u128 s = p.leaf->key[p.i], e = p.leaf->u.end[p.i];
    int cs = alloc_u128_cmp(x, s), ce = alloc_u128_cmp(x, e);
    if (cs == 0 && ce == 0) {
        delete(ix, x);
    } else if (cs == 0) {
        /* A raised start may pass the next leaf's lower bound (an end can
         * grow past it), unless a later start in this leaf follows. */
        if (p.i + 1 < p.leaf->n) {
            p.leaf->key[p.i] = alloc_u128_add(x, 1);
        } else {
            if (reserve(ix) < 0)
                return -1;
            delete(ix, x);
            insert(ix, alloc_u128_add(x, 1), e);
        }
    } else if (ce == 0) {
        p.leaf->u.end[p.i] = alloc_u128_sub(x, 1);
    } else {
        if (reserve(ix) < 0)
            return -1;
        p.leaf->u.end[p.i] = alloc_u128_sub(x, 1);
        insert(ix, alloc_u128_add(x, 1), e);
    }
    if (ix->count != UINT64_MAX)
        ix->count--;
    return 0;
}

/* First free address >= x, or false if everything from x up is taken. */
static bool free_from(const alloc_index *ix, alloc_u128 x, alloc_u128 *out)
{
    pos p;
    if (!floor_pos(ix, x, &p) || alloc_u128_cmp(x, p.leaf->u.end[p.i]) > 0) {
        *out = x;
        return true;
    }
    if (alloc_u128_is_max(p.leaf->u.end[p.i]))
        return false;
    *out = alloc_u128_add(p.leaf->u.end[p.i], 1);
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
    pos p;
    bool has = floor_pos(ix, x, &p);
    if (has && alloc_u128_cmp(x, p.leaf->u.end[p.i]) <= 0) {
        *start = p.leaf->key[p.i];
        *end = p.leaf->u.end[p.i];
        return true;
    }
    if (!(has ? next_pos(&p) : first_pos(ix, &p)))
        return false;
    *start = p.leaf->key[p.i];
    *end = p.leaf->u.end[p.i];
    return true;
}
