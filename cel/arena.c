/*
 * arena.c: the bump allocator behind every evaluation (and every parsed
 * tree). Allocation is a pointer bump inside the current chunk; a reset
 * keeps the first chunk so that a reused arena (one per webhook worker)
 * stops calling malloc once warmed up. A limit bounds what one hostile
 * expression can make us allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "cel/value.h"

#define ARENA_ALIGN 16u
#define ARENA_DEFAULT_CHUNK (16u * 1024u)

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char data[];
} arena_chunk;

struct cel_arena {
    arena_chunk *head;  /* current chunk, newest first */
    arena_chunk *first; /* the chunk kept across resets */
    size_t first_size;
    size_t used;  /* bytes handed out since the last reset */
    size_t limit; /* 0: none */
};

static arena_chunk *chunk_new(size_t size)
{
    arena_chunk *c = malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

cel_arena *cel_arena_new(size_t first_chunk)
{
    cel_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->first_size = first_chunk ? first_chunk : ARENA_DEFAULT_CHUNK;
    return a;
}

static void free_chain(arena_chunk *c, arena_chunk *keep)
{
    while (c) {
        arena_chunk *next = c->next;
        if (c != keep)
            free(c);
        c = next;
    }
}

void cel_arena_reset(cel_arena *a)
{
    if (!a)
        return;
    free_chain(a->head, a->first);
    a->head = a->first;
    if (a->first) {
        a->first->next = NULL;
        a->first->used = 0;
    }
    a->used = 0;
}

void cel_arena_free(cel_arena *a)
{
    if (!a)
        return;
    free_chain(a->head, NULL);
    if (a->first && a->head == NULL)
        free(a->first);
    free(a);
}

void *cel_arena_alloc(cel_arena *a, size_t n)
{
    size_t need = (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        return NULL; /* overflow */
    if (need == 0)
        need = ARENA_ALIGN;
    if (a->limit && (need > a->limit || a->used > a->limit - need))
        return NULL;
    arena_chunk *c = a->head;
    if (!c || c->size - c->used < need) {
        if (!a->first && !c) {
            size_t sz = a->first_size > need ? a->first_size : need;
            c = chunk_new(sz);
            if (!c)
                return NULL;
            a->first = c;
        } else {
            /* Grow geometrically so that many small allocations stay cheap
             * and one large one gets a chunk of its own size. */
            size_t sz = c ? c->size * 2 : a->first_size;
            if (sz < need)
                sz = need;
            if (sz > (64u << 20) && need <= (64u << 20))
                sz = 64u << 20;
            c = chunk_new(sz);
            if (!c)
                return NULL;
        }
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

char *cel_arena_memdup(cel_arena *a, const void *p, size_t n)
{
    if (n == (size_t)-1)
        return NULL;
    char *d = cel_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

size_t cel_arena_used(const cel_arena *a) { return a->used; }

void cel_arena_set_limit(cel_arena *a, size_t max_bytes) { a->limit = max_bytes; }

size_t cel_arena_get_limit(const cel_arena *a) { return a->limit; }
