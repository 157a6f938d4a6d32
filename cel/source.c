/*
 * cel/source.c: source positions and diagnostics in cel-go's format.
 *
 * Offsets are bytes; what users see is a 1-based line and a 1-based column
 * counted in code points, then the source line and a caret line made of one
 * '.' per code point before the column. As in cel-go (common/error.go), a
 * multi-byte character is marked with the full-width '．' and '＾' so the
 * caret stays under it, tabs in the echoed line become spaces (and NUL
 * bytes, which a C string cannot carry), and lines longer than 16384 bytes
 * are not echoed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "lex.h"

#define SOURCE_MAX_SNIPPET 16384u

int cel_source_init(cel_source *s, const char *text, size_t len)
{
    s->text = text;
    s->len = len;
    s->line_starts = NULL;
    s->nlines = 0;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    s->line_starts = malloc(n * sizeof *s->line_starts);
    if (!s->line_starts)
        return -1;
    s->line_starts[0] = 0;
    size_t k = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            s->line_starts[k++] = (uint32_t)(i + 1);
    s->nlines = n;
    return 0;
}

void cel_source_free(cel_source *s)
{
    free(s->line_starts);
    s->line_starts = NULL;
    s->nlines = 0;
}

/* Index of the line holding offset (binary search over line starts). */
static size_t line_index(const cel_source *s, uint32_t offset)
{
    size_t lo = 0, hi = s->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void cel_source_position(const cel_source *s, uint32_t offset, int *line, int *column)
{
    if (offset == CEL_NO_OFFSET || !s->line_starts) {
        *line = -1;
        *column = 0;
        return;
    }
    if (offset > s->len)
        offset = (uint32_t)s->len;
    size_t li = line_index(s, offset);
    uint32_t start = s->line_starts[li];
    *line = (int)li + 1;
    *column = (int)cel_lex_count_code_points(s->text + start, offset - start) + 1;
}

/* ---------------------------------------------------------------- buffer */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

int cel_source_format_issue(const cel_source *s, uint32_t offset, const char *msg, char **buf,
                            size_t *len)
{
    sbuf b = { *buf, *len, *buf ? *len + 1 : 0, false };
    int line, col;
    cel_source_position(s, offset, &line, &col);
    if (b.len)
        sb_str(&b, "\n");
    char head[64];
    snprintf(head, sizeof head, "ERROR: <input>:%d:%d: ", line, line < 0 ? 0 : col);
    sb_str(&b, head);
    sb_str(&b, msg);
    if (line > 0) {
        uint32_t ls = s->line_starts[line - 1];
        uint32_t le = (size_t)line < s->nlines ? s->line_starts[line] - 1 : (uint32_t)s->len;
        if (le - ls <= SOURCE_MAX_SNIPPET) {
            sb_str(&b, "\n | ");
            for (uint32_t i = ls; i < le; i++)
                /* tabs as cel-go does; NUL too, since the text is a C string */
                sb_put(&b, s->text[i] == '\t' || s->text[i] == '\0' ? " " : s->text + i, 1);
            sb_str(&b, "\n | ");
            const unsigned char *t = (const unsigned char *)s->text;
            uint32_t i = ls;
            for (int c = 1; c < col && i < le; c++) {
                int sz;
                cel_lex_decode_utf8(t + i, le - i, &sz);
                sb_str(&b, sz > 1 ? "\xef\xbc\x8e" : ".");
                i += (uint32_t)sz;
            }
            int sz = 1;
            if (i < le)
                cel_lex_decode_utf8(t + i, le - i, &sz);
            sb_str(&b, sz > 1 ? "\xef\xbc\xbe" : "^");
        }
    }
    if (b.oom) {
        free(b.p);
        *buf = NULL;
        *len = 0;
        return -1;
    }
    *buf = b.p;
    *len = b.len;
    return 0;
}
