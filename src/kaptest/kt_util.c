/*
 * kt_util.c: the small tools the other kt_ files share: owned strings,
 * string lists and buffers, Go's %q quoting (kaptest prints messages with
 * it), bounded file reading, paths relative to a manifest, and JSON
 * strings that stay valid whatever bytes a message holds.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

char *kt_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *kt_strndup(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

char *kt_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

void kt_strlist_push(kt_strlist *l, char *s)
{
    if (!s)
        return;
    char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv) {
        free(s);
        return;
    }
    l->v = nv;
    l->v[l->n++] = s;
}

void kt_strlist_pushf(kt_strlist *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    kt_strlist_push(l, s);
}

void kt_strlist_clear(kt_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void kt_buf_add(kt_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns)
            return; /* the text stays as it was: reports only get shorter */
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void kt_buf_addf(kt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    if (s)
        kt_buf_add(b, s, strlen(s));
    free(s);
}

const char *kt_buf_str(kt_buf *b)
{
    return b->s ? b->s : "";
}

char *kt_buf_take(kt_buf *b)
{
    char *s = b->s ? b->s : kt_strdup("");
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

/* Length of the UTF-8 sequence at s (1..4), 0 when invalid; *cp the code point. */
static size_t utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) { n = 2; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { n = 3; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { n = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

char *kt_go_quote(const char *s)
{
    kt_buf b = {0};
    kt_buf_add(&b, "\"", 1);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_seq(p + i, len - i, &cp);
        if (n == 0) {
            kt_buf_addf(&b, "\\x%02x", p[i]);
            i++;
            continue;
        }
        switch (cp) {
        case '\a': kt_buf_add(&b, "\\a", 2); break;
        case '\b': kt_buf_add(&b, "\\b", 2); break;
        case '\f': kt_buf_add(&b, "\\f", 2); break;
        case '\n': kt_buf_add(&b, "\\n", 2); break;
        case '\r': kt_buf_add(&b, "\\r", 2); break;
        case '\t': kt_buf_add(&b, "\\t", 2); break;
        case '\v': kt_buf_add(&b, "\\v", 2); break;
        case '"': kt_buf_add(&b, "\\\"", 2); break;
        case '\\': kt_buf_add(&b, "\\\\", 2); break;
        default:
            if (cp < 0x20 || cp == 0x7f)
                kt_buf_addf(&b, "\\x%02x", (unsigned)cp);
            else if ((cp >= 0x80 && cp < 0xa0) || cp == 0xad || cp == 0xfeff || (cp >= 0x2028 && cp <= 0x2029))
                kt_buf_addf(&b, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp); /* not printable in Go */
            else
                kt_buf_add(&b, (const char *)p + i, n);
        }
        i += n;
    }
    kt_buf_add(&b, "\"", 1);
    return kt_buf_take(&b);
}

char *kt_read_file(const char *path, size_t *len, char **err)
{
    *err = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = kt_asprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            *err = kt_asprintf("%s: out of memory", path);
            break;
        }
        if (n == cap) {
            if (cap > KT_MAX_FILE_BYTES) {
                *err = kt_asprintf("%s: file larger than %u MiB", path, KT_MAX_FILE_BYTES >> 20);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                *err = kt_asprintf("%s: out of memory", path);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                *err = kt_asprintf("%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (!*err && n > KT_MAX_FILE_BYTES)
        *err = kt_asprintf("%s: file larger than %u MiB", path, KT_MAX_FILE_BYTES >> 20);
    if (*err) {
        free(buf);
        return NULL;
    }
    char *nb = realloc(buf, n + 1);
    if (nb)
        buf = nb;
    else if (n == cap) {
        free(buf);
        *err = kt_asprintf("%s: out of memory", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Folds "." and "name/.." out of a path, lexically (symbolic links are
 * not followed: the path only names a file in reports). */
static char *normalize(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    bool abs = path[0] == '/';
    size_t w = 0;
    if (abs)
        out[w++] = '/';
    size_t depth = 0; /* components that can be folded */
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0)
            break;
        if (len == 1 && p[0] == '.') {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.' && depth > 0) {
            while (w > (abs ? 1u : 0u) && out[w - 1] != '/')
                w--;
            if (w > (abs ? 1u : 0u))
                w--; /* the slash before it */
            depth--;
        } else if (len == 2 && p[0] == '.' && p[1] == '.' && abs) {
            /* "/.." is "/" */
        } else {
            if (w > (abs ? 1u : 0u))
                out[w++] = '/';
            memcpy(out + w, p, len);
            w += len;
            if (!(len == 2 && p[0] == '.' && p[1] == '.'))
                depth++;
        }
        p += len;
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return out;
}

char *kt_path_beside(const char *base, const char *rel)
{
    if (!rel)
        return NULL;
    if (rel[0] == '/')
        return normalize(rel);
    const char *slash = strrchr(base, '/');
    if (!slash)
        return normalize(rel);
    char *joined = kt_asprintf("%.*s/%s", (int)(slash - base), base, rel);
    char *n = joined ? normalize(joined) : NULL;
    free(joined);
    return n;
}

json_t *kt_json_string(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    /* not UTF-8: replace what is not */
    kt_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_seq(p + i, len - i, &cp);
        if (n == 0) {
            kt_buf_add(&b, "\xef\xbf\xbd", 3);
            i++;
        } else {
            kt_buf_add(&b, s + i, n);
            i += n;
        }
    }
    j = json_string(kt_buf_str(&b));
    free(b.s);
    return j ? j : json_string("");
}

char *kt_upper(const char *s)
{
    char *u = kt_strdup(s ? s : "");
    for (char *p = u; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}
