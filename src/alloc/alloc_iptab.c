/*
 * alloc_iptab.c: the table of IPAddress objects by address. Chained and
 * intrusive (the link lives in the object: no key copies), and it grows
 * incrementally as Redis's dict does: while a larger table is being
 * filled, every operation moves a few buckets across, so no single
 * allocation pays for rehashing a million entries.
 */
#include "alloc_cluster.h"

#include <stdlib.h>

/* Growing 4x moves each entry a third as often as doubling (moves are
 * cache misses); one bucket per operation spreads them thin, and a move
 * is always finished before the next growth is due. */
#define GROWTH 4
#define STEP_BUCKETS 1
#define STEP_EMPTY 16

static uint64_t ip_hash(const alloc_ip *ip)
{
    uint64_t z = ip->v.lo ^ (ip->v.hi * 0x9E3779B97F4A7C15ull) ^ (uint64_t)ip->fam;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static bool same_ip(const alloc_ip *a, const alloc_ip *b)
{
    return a->fam == b->fam && a->v.hi == b->v.hi && a->v.lo == b->v.lo;
}

void alloc_iptab_init(alloc_iptab *t)
{
    t->t[0] = t->t[1] = NULL;
    t->cap[0] = t->cap[1] = 0;
    t->len = 0;
    t->rehash = 0;
}

static bool rehashing(const alloc_iptab *t)
{
    return t->t[1] != NULL;
}

/* Moves a few buckets of the old table into the new one. */
static void step(alloc_iptab *t)
{
    if (!rehashing(t))
        return;
    int moved = 0, empty = 0;
    while (moved < STEP_BUCKETS && t->rehash < t->cap[0]) {
        alloc_ipobj *o = t->t[0][t->rehash];
        if (!o) {
            t->rehash++;
            if (++empty >= STEP_EMPTY)
                break;
            continue;
        }
        while (o) {
            alloc_ipobj *next = o->hnext;
            size_t b = ip_hash(&o->ip) & (t->cap[1] - 1);
            o->hnext = t->t[1][b];
            t->t[1][b] = o;
            o = next;
        }
        t->t[0][t->rehash++] = NULL;
        moved++;
    }
    if (t->rehash == t->cap[0]) {
        free(t->t[0]);
        t->t[0] = t->t[1];
        t->cap[0] = t->cap[1];
        t->t[1] = NULL;
        t->cap[1] = 0;
        t->rehash = 0;
    }
}

alloc_ipobj *alloc_iptab_find(alloc_iptab *t, const alloc_ip *ip)
{
    step(t);
    uint64_t h = ip_hash(ip);
    for (int k = 0; k < 2; k++) {
        if (!t->t[k])
            continue;
        for (alloc_ipobj *o = t->t[k][h & (t->cap[k] - 1)]; o; o = o->hnext)
            if (same_ip(&o->ip, ip))
                return o;
    }
    return NULL;
}

int alloc_iptab_insert(alloc_iptab *t, alloc_ipobj *o)
{
    if (!t->t[0]) {
        t->t[0] = calloc(64, sizeof *t->t[0]);
        if (!t->t[0])
            return -1;
        t->cap[0] = 64;
    }
    step(t);
    if (!rehashing(t) && t->len >= t->cap[0]) {
        /* If the bigger table cannot be had, chains just get longer. */
        t->t[1] = calloc(t->cap[0] * GROWTH, sizeof *t->t[1]);
        if (t->t[1]) {
            t->cap[1] = t->cap[0] * GROWTH;
            t->rehash = 0;
        }
    }
    int k = rehashing(t) ? 1 : 0;
    size_t b = ip_hash(&o->ip) & (t->cap[k] - 1);
    o->hnext = t->t[k][b];
    t->t[k][b] = o;
    t->len++;
    return 0;
}

bool alloc_iptab_remove(alloc_iptab *t, alloc_ipobj *o)
{
    step(t);
    uint64_t h = ip_hash(&o->ip);
    for (int k = 0; k < 2; k++) {
        if (!t->t[k])
            continue;
        for (alloc_ipobj **p = &t->t[k][h & (t->cap[k] - 1)]; *p; p = &(*p)->hnext) {
            if (*p == o) {
                *p = o->hnext;
                t->len--;
                return true;
            }
        }
    }
    return false;
}

size_t alloc_iptab_collect(const alloc_iptab *t, alloc_ipobj ***out)
{
    *out = NULL;
    if (!t->len)
        return 0;
    alloc_ipobj **v = malloc(t->len * sizeof *v);
    if (!v)
        return 0;
    size_t n = 0;
    for (int k = 0; k < 2; k++)
        for (size_t b = 0; b < t->cap[k]; b++)
            for (alloc_ipobj *o = t->t[k][b]; o && n < t->len; o = o->hnext)
                v[n++] = o;
    *out = v;
    return n;
}

void alloc_iptab_free(alloc_iptab *t, void (*free_obj)(alloc_ipobj *))
{
    for (int k = 0; k < 2; k++) {
        for (size_t b = 0; b < t->cap[k]; b++) {
            alloc_ipobj *o = t->t[k][b];
            while (o) {
                alloc_ipobj *next = o->hnext;
                free_obj(o);
                o = next;
            }
        }
        free(t->t[k]);
    }
    alloc_iptab_init(t);
}
