/*
 * lib_regex.c: the Kubernetes regex library (k8s.io/apiserver
 * pkg/cel/library/regex.go, "kubernetes.regex"): <string>.find(regex) and
 * <string>.findAll(regex[, limit]), with Go's regexp semantics on the
 * RE2-on-PCRE2 engine of cel/regex.c.
 *
 * A literal pattern is compiled once, when the program is planned (the
 * overloads' prepare hook, as Kubernetes' FindRegexOptimization does at
 * program creation): a bad literal is then a compile error. A pattern
 * computed at run time is compiled per call, and a bad one is the runtime
 * error "Illegal regex: <Go's message>".
 */
#include <string.h>

#include "cel/cel_regex.h"
#include "cel/ext_strings.h"
#include "cel/lib_std.h"

#define ARENA(c) cel_call_arena(c)

static void *regex_prepare(const cel_value *args, size_t nargs, unsigned const_mask, char *err,
                           size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (nargs < 2 || !(const_mask & 2u) || args[1].kind != CEL_STRING)
        return NULL;
    return cel_regex_compile(args[1].u.str, args[1].len, err, errcap);
}

static void regex_prepared_free(void *state) { cel_regex_free(state); }

/* The compiled pattern: the program's, or one compiled for this call
 * (*own, to be freed). NULL with an error value in *errv. */
static const cel_regex *pattern(cel_call *c, const cel_value *re, cel_regex **own, cel_value *errv)
{
    *own = NULL;
    const cel_regex *p = cel_call_prepared(c);
    if (p)
        return p;
    char err[CEL_REGEX_ERR_CAP];
    *own = cel_regex_compile(re->u.str, re->len, err, sizeof err);
    if (!*own)
        *errv = cel_error_new(ARENA(c), CEL_ERR_GENERAL, "Illegal regex: %s", err);
    return *own;
}

static cel_value sub(const cel_value *s, size_t from, size_t to)
{
    cel_value v = cel_string_n(s->u.str + from, (uint32_t)(to - from));
    v.flags = s->flags & CEL_VF_ASCII;
    return v;
}

/* re.FindString(s): the leftmost match, or "" when there is none. */
static cel_value regex_find(cel_call *c, const cel_value *a, size_t n)
{
    cel_regex *own;
    cel_value errv;
    const cel_regex *re = pattern(c, &a[1], &own, &errv);
    if (!re)
        return errv;
    char err[CEL_REGEX_ERR_CAP];
    size_t start = 0, end = 0;
    int m = cel_regex_search(re, a[0].u.str, a[0].len, &start, &end, err, sizeof err);
    cel_regex_free(own);
    if (m < 0)
        return cel_error_new(ARENA(c), CEL_ERR_GENERAL, "%s", err);
    return m ? sub(&a[0], start, end) : sub(&a[0], 0, 0);
}

/* re.FindAllString(s, limit): successive non-overlapping matches, at most
 * limit of them when limit >= 0; an empty match right after the previous
 * match is skipped, and the search then moves on one code point. */
static cel_value find_all(cel_call *c, const cel_value *s, const cel_value *rv, int64_t limit)
{
    cel_regex *own;
    cel_value errv;
    const cel_regex *re = pattern(c, rv, &own, &errv);
    if (!re)
        return errv;
    if (limit < 0 || (uint64_t)limit > (uint64_t)s->len + 1)
        limit = (int64_t)s->len + 1;
    cel_arena *a = ARENA(c);
    cel_value *items = NULL;
    size_t count = 0, cap = 0;
    char err[CEL_REGEX_ERR_CAP];
    int64_t prev_end = -1;
    for (size_t pos = 0; (int64_t)count < limit && pos <= s->len;) {
        size_t start, end;
        int m = cel_regex_search_at(re, s->u.str, s->len, pos, &start, &end, err, sizeof err);
        if (m < 0) {
            cel_regex_free(own);
            return cel_error_new(a, CEL_ERR_GENERAL, "%s", err);
        }
        if (m == 0)
            break;
        bool accept = true;
        if (end == pos) {
            if ((int64_t)start == prev_end)
                accept = false;
            if (pos < s->len) {
                size_t l;
                cel_utf8_decode(s->u.str + pos, s->len - pos, &l);
                pos += l;
            } else {
                pos = s->len + 1;
            }
        } else {
            pos = end;
        }
        prev_end = (int64_t)end;
        if (!accept)
            continue;
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 8;
            cel_value *ni = cel_arena_alloc(a, nc * sizeof *ni);
            if (!ni) {
                cel_regex_free(own);
                return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
            }
            if (count)
                memcpy(ni, items, count * sizeof *ni);
            items = ni;
            cap = nc;
        }
        items[count++] = sub(s, start, end);
    }
    cel_regex_free(own);
    return cel_list_new(a, items, count);
}

static cel_value regex_find_all(cel_call *c, const cel_value *a, size_t n)
{
    return find_all(c, &a[0], &a[1], -1);
}

static cel_value regex_find_all_n(cel_call *c, const cel_value *a, size_t n)
{
    return find_all(c, &a[0], &a[1], a[2].u.i);
}

static const cel_type t_list_string = {.kind = CEL_T_LIST, .name = "list",
                                       .param = {&cel_t_string}};

/* Kubernetes prices both as matches: ceil(0.1 * (1 + size(s))) times
 * ceil(0.25 * size(regex)). */
static const cel_overload regex_overloads[] = {
    {"string_find_string", "find", true, 2, 0, {&cel_t_string, &cel_t_string}, &cel_t_string,
     regex_find, cel_std_cost_matches, regex_prepare, regex_prepared_free},
    {"string_find_all_string", "findAll", true, 2, 0, {&cel_t_string, &cel_t_string},
     &t_list_string, regex_find_all, cel_std_cost_matches, regex_prepare, regex_prepared_free},
    {"string_find_all_string_int", "findAll", true, 3, 0,
     {&cel_t_string, &cel_t_string, &cel_t_int}, &t_list_string, regex_find_all_n,
     cel_std_cost_matches, regex_prepare, regex_prepared_free},
};

const cel_library cel_lib_k8s_regex = {
    "kubernetes.regex", regex_overloads, sizeof regex_overloads / sizeof regex_overloads[0], NULL, 0,
};
