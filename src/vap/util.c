/*
 * util.c: the small helpers every engine file needs: owned strings, error
 * lists that grow line by line, and CEL error values made in an arena
 * (without calling into libcel, so the engine's plumbing can be tested on
 * its own).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/k8s.h"
#include "vap_int.h"

char *vap_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *vap_strndup(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (!r)
        return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return NULL;
    return s;
}

char *vap_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

void vap_errf(char **errs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    if (!line)
        return;
    size_t old = *errs ? strlen(*errs) : 0, add = strlen(line);
    char *n = realloc(*errs, old + add + 2);
    if (!n) {
        free(line);
        return;
    }
    if (old)
        n[old++] = '\n';
    memcpy(n + old, line, add + 1);
    *errs = n;
    free(line);
}

cel_value vap_error(cel_arena *a, int code, const char *fmt, ...)
{
    static const cel_error oom = {CEL_ERR_MEMORY, 13, "out of memory"};
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    cel_error *e = msg ? cel_arena_alloc(a, sizeof *e) : NULL;
    char *copy = e ? cel_arena_memdup(a, msg, strlen(msg)) : NULL;
    if (!copy) {
        free(msg);
        return cel_error_v(&oom);
    }
    e->code = code;
    e->len = (uint32_t)strlen(msg);
    e->msg = copy;
    free(msg);
    return cel_error_v(e);
}

int vap_parse_k8s_version(const char *v)
{
    if (!v || !*v)
        return 0;
    return cel_k8s_parse_version(v);
}
