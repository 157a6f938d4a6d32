/*
 * ext_text.c: the output buffer and number texts the extension libraries
 * share (see ext_text.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "cel/cel_time.h"
#include "ext_text.h"

size_t cel_xtext_room(const cel_arena *a)
{
    size_t lim = cel_arena_get_limit(a), used = cel_arena_used(a);
    size_t room = lim ? (lim > used ? lim - used : 0) : CEL_DEFAULT_EVAL_MEMORY;
    return room > UINT32_MAX ? UINT32_MAX : room;
}

void cel_xbuf_init(cel_xbuf *b, const cel_arena *a)
{
    memset(b, 0, sizeof *b);
    b->room = cel_xtext_room(a);
}

void cel_xbuf_put(cel_xbuf *b, const char *s, size_t n)
{
    if (b->full)
        return;
    if (n > b->room - b->len) {
        b->full = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 128;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->full = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void cel_xbuf_puts(cel_xbuf *b, const char *s) { cel_xbuf_put(b, s, strlen(s)); }

void cel_xbuf_free(cel_xbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

size_t cel_xtext_shortest_fixed(double d, char *buf)
{
    size_t o = 0;
    if (signbit(d)) {
        buf[o++] = '-';
        d = -d;
    }
    if (d == 0) {
        buf[o++] = '0';
        buf[o] = '\0';
        return o;
    }
    char dg[24];
    int e;
    cel_time_shortest_digits(d, dg, &e);
    int nd = (int)strlen(dg);
    if (e <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int k = 0; k < -e; k++)
            buf[o++] = '0';
        memcpy(buf + o, dg, (size_t)nd);
        o += (size_t)nd;
    } else {
        for (int k = 0; k < e; k++)
            buf[o++] = k < nd ? dg[k] : '0';
        if (nd > e) {
            buf[o++] = '.';
            memcpy(buf + o, dg + e, (size_t)(nd - e));
            o += (size_t)(nd - e);
        }
    }
    buf[o] = '\0';
    return o;
}
