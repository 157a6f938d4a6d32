/*
 * cel/ext/ext_text.h: text building the extension libraries share
 * (internal to libcel): a growable output buffer bounded by what the
 * evaluation may still allocate, and Go's positional shortest form of a
 * double.
 */
#ifndef CEL_EXT_TEXT_H
#define CEL_EXT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "cel/value.h"

/* Bytes a result built in arena a may take: the arena's free space, or
 * the evaluation default for arenas without a limit (constant folding at
 * compile time), and never more than a CEL string holds. */
size_t cel_xtext_room(const cel_arena *a);

/* Output built in malloc'd memory; past room it stops growing and marks
 * itself full (the caller then fails with "string too long"). */
typedef struct cel_xbuf {
    char *p;
    size_t len, cap, room;
    bool full;
} cel_xbuf;

void cel_xbuf_init(cel_xbuf *b, const cel_arena *a);
void cel_xbuf_put(cel_xbuf *b, const char *s, size_t n);
void cel_xbuf_puts(cel_xbuf *b, const char *s);
void cel_xbuf_free(cel_xbuf *b);

/* strconv.FormatFloat(d, 'f', -1, 64) for a finite d: the shortest digits
 * that read back, positionally ("0.000000002", "1000000000000000000000",
 * "-0"). buf holds CEL_XTEXT_FIXED_CAP bytes; returns the length. */
#define CEL_XTEXT_FIXED_CAP 400
size_t cel_xtext_shortest_fixed(double d, char *buf);

#endif
