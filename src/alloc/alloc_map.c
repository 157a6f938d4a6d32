/*
 * alloc_map.c: a byte-keyed hash map (IPAddress objects by address,
 * Services by "namespace/name", ServiceCIDRs by name). Linear probing with
 * backward-shift deletion keeps lookups short without tombstones.
 */
#include "alloc_int.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

void alloc_map_init(alloc_map *m)
{
    m->slots = NULL;
    m->cap = m->len = 0;
}

void alloc_map_free(alloc_map *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key) {
            free(m->slots[i].key);
            if (free_val)
                free_val(m->slots[i].val);
        }
    }
    free(m->slots);
    alloc_map_init(m);
}

static size_t find_slot(const alloc_map *m, const void *key, size_t klen, uint64_t h)
{
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key) {
        const alloc_map_entry *e = &m->slots[i];
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

void *alloc_map_get(const alloc_map *m, const void *key, size_t klen)
{
    if (!m->cap)
        return NULL;
    size_t i = find_slot(m, key, klen, hash_bytes(key, klen));
    return m->slots[i].key ? m->slots[i].val : NULL;
}

static int grow(alloc_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    alloc_map_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        alloc_map_entry *e = &m->slots[i];
        if (!e->key)
            continue;
        size_t j = e->hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *e;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int alloc_map_put(alloc_map *m, const void *key, size_t klen, void *val)
{
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    uint64_t h = hash_bytes(key, klen);
    size_t i = find_slot(m, key, klen, h);
    if (m->slots[i].key)
        return 1;
    char *k = malloc(klen ? klen : 1);
    if (!k)
        return -1;
    memcpy(k, key, klen);
    m->slots[i] = (alloc_map_entry){k, klen, h, val};
    m->len++;
    return 0;
}

void *alloc_map_del(alloc_map *m, const void *key, size_t klen)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1, i = find_slot(m, key, klen, hash_bytes(key, klen));
    if (!m->slots[i].key)
        return NULL;
    void *val = m->slots[i].val;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->len--;
    /* Shift back later entries of the cluster whose home is at or before
     * the hole, so probing never stops early. */
    size_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].key)
            break;
        size_t home = m->slots[j].hash & mask;
        bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            m->slots[hole] = m->slots[j];
            m->slots[j].key = NULL;
            hole = j;
        }
    }
    return val;
}

bool alloc_map_iter(const alloc_map *m, size_t *i, alloc_map_entry **e)
{
    while (*i < m->cap) {
        alloc_map_entry *s = &m->slots[(*i)++];
        if (s->key) {
            *e = s;
            return true;
        }
    }
    return false;
}
