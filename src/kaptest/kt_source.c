/*
 * kt_source.c: errors that point into policy files. A CEL error names a
 * line and column inside the expression; the expression is a YAML scalar
 * (plain, quoted, or a | / > block) somewhere in the policy file. Walking
 * the file's text from where the scalar starts, in step with the
 * expression's characters (skipping what YAML folded away: indentation,
 * line breaks, quotes, escapes), finds the file position, and the line is
 * shown with a caret under it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

/* Byte offset of (line, col) in text, columns in code points; -1 if past the end. */
static long offset_of(const char *text, size_t len, int line, int col)
{
    size_t i = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(text + i, '\n', len - i);
        if (!nl)
            return -1;
        i = (size_t)(nl - text) + 1;
    }
    for (int c = 1; c < col && i < len && text[i] != '\n'; c++) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
            i++;
    }
    return (long)i;
}

static void position_of(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static bool skippable(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\' || c == '"' || c == '\'';
}

void kt_expr_to_file(const char *file, int sline, int scol, const char *expr, int eline, int ecol, int *line,
                     int *col)
{
    *line = sline;
    *col = scol;
    if (!file || sline <= 0 || !expr)
        return;
    char *err = NULL;
    size_t len = 0;
    char *text = kt_read_file(file, &len, &err);
    free(err);
    if (!text)
        return;
    /* the target as a byte offset into the expression */
    size_t target = 0, elen = strlen(expr);
    for (int l = 1; l < eline && target < elen; target++)
        if (expr[target] == '\n')
            l++;
    for (int c = 1; c < ecol && target < elen; c++) {
        target++;
        while (target < elen && ((unsigned char)expr[target] & 0xc0) == 0x80)
            target++;
    }
    long start = offset_of(text, len, sline, scol);
    if (start < 0) {
        free(text);
        return;
    }
    size_t p = (size_t)start;
    if (p < len && (text[p] == '|' || text[p] == '>')) { /* block header: the text starts on the next line */
        const char *nl = memchr(text + p, '\n', len - p);
        p = nl ? (size_t)(nl - text) + 1 : len;
    } else if (p < len && (text[p] == '"' || text[p] == '\'')) {
        p++;
    }
    for (size_t i = 0; i < target && p < len; i++) {
        while (p < len && text[p] != expr[i] && skippable(text[p]))
            p++;
        if (p < len)
            p++;
    }
    while (p < len && target < elen && text[p] != expr[target] && skippable(text[p]))
        p++;
    if (p > len)
        p = len;
    position_of(text, p, line, col);
    free(text);
}

void kt_point(kt_strlist *lines, const char *file, int line, int col, const char *what, bool snippet)
{
    if (!file)
        return;
    if (line <= 0) {
        kt_strlist_pushf(lines, "    %s: %s", file, what);
        return;
    }
    kt_strlist_pushf(lines, "    %s:%d:%d: %s", file, line, col, what);
    if (!snippet)
        return;
    char *err = NULL;
    size_t len = 0;
    char *text = kt_read_file(file, &len, &err);
    free(err);
    if (!text)
        return;
    long start = offset_of(text, len, line, 1);
    if (start >= 0) {
        const char *s = text + start;
        const char *nl = memchr(s, '\n', len - (size_t)start);
        size_t n = nl ? (size_t)(nl - s) : len - (size_t)start;
        if (n > 300)
            n = 300; /* a minified line: enough to see where */
        char num[16];
        int w = snprintf(num, sizeof num, "%d", line);
        kt_strlist_pushf(lines, "    %s | %.*s", num, (int)n, s);
        /* the caret under the column, tabs kept so it lines up */
        kt_buf b = {0};
        kt_buf_addf(&b, "    %*s | ", w, "");
        size_t i = 0;
        for (int c = 1; c < col && i < n; c++) {
            kt_buf_add(&b, s[i] == '\t' ? "\t" : " ", 1);
            i++;
            while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
                i++;
        }
        kt_buf_add(&b, "^", 1);
        kt_strlist_push(lines, kt_buf_take(&b));
    }
    free(text);
}
