/*
 * typeparse.c: reads type expressions as declarations write them
 * ("int", "list(int)", "map(string, dyn)", "optional_type(net.IP)",
 * "type(int)", "google.protobuf.Timestamp"), for the conformance runner's
 * type_env and the policy engine's variable declarations. The result is
 * what cel_type_format prints back.
 */
#include <string.h>

#include "cel/type.h"
#include "cel/value.h"

#define TYPEPARSE_MAX_DEPTH 32 /* nesting deeper than any real declaration */

static const cel_type tp_type_bare = {.kind = CEL_T_TYPE, .name = "type"};

static const struct {
    const char *name;
    const cel_type *type;
} tp_simple[] = {
    {"dyn", &cel_t_dyn},
    {"any", &cel_t_dyn},
    {"null_type", &cel_t_null},
    {"bool", &cel_t_bool},
    {"int", &cel_t_int},
    {"uint", &cel_t_uint},
    {"double", &cel_t_double},
    {"string", &cel_t_string},
    {"bytes", &cel_t_bytes},
    {"timestamp", &cel_t_timestamp},
    {"google.protobuf.Timestamp", &cel_t_timestamp},
    {"duration", &cel_t_duration},
    {"google.protobuf.Duration", &cel_t_duration},
    {"list", &cel_t_list_dyn},
    {"map", &cel_t_map_dyn},
    {"type", &tp_type_bare},
    {"optional_type", &cel_t_optional_dyn},
};

typedef struct tp_state {
    const char *s;
    size_t len, pos;
    cel_type_resolver resolve;
    void *ctx;
    struct cel_arena *arena;
    const char *err;
} tp_state;

static void tp_space(tp_state *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static bool tp_name_char(char ch, bool first)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
           (!first && ((ch >= '0' && ch <= '9') || ch == '.'));
}

static bool tp_accept(tp_state *p, char ch)
{
    tp_space(p);
    if (p->pos < p->len && p->s[p->pos] == ch) {
        p->pos++;
        return true;
    }
    return false;
}

static const cel_type *tp_fail(tp_state *p, const char *msg)
{
    if (!p->err)
        p->err = msg;
    return NULL;
}

static const cel_type *tp_make(tp_state *p, cel_type_kind kind, const char *name,
                               const cel_type *p0, const cel_type *p1)
{
    cel_type *t = cel_arena_alloc(p->arena, sizeof *t);
    if (!t)
        return tp_fail(p, "out of memory");
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->name = name;
    t->param[0] = p0;
    t->param[1] = p1;
    return t;
}

static const cel_type *tp_type(tp_state *p, int depth);

/* "(" T ")" or "(" K "," V ")" after a parameterised type's name. */
static bool tp_params(tp_state *p, const cel_type **out, int n, int depth)
{
    if (!tp_accept(p, '('))
        return tp_fail(p, "expected '('") != NULL;
    for (int i = 0; i < n; i++) {
        if (i > 0 && !tp_accept(p, ','))
            return tp_fail(p, "expected ','") != NULL;
        out[i] = tp_type(p, depth + 1);
        if (!out[i])
            return false;
    }
    if (!tp_accept(p, ')'))
        return tp_fail(p, "expected ')'") != NULL;
    return true;
}

static bool tp_is(const char *name, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(name, word, n) == 0;
}

static const cel_type *tp_type(tp_state *p, int depth)
{
    if (depth > TYPEPARSE_MAX_DEPTH)
        return tp_fail(p, "type nested too deeply");
    tp_space(p);
    size_t start = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '.')
        p->pos++; /* a leading dot names the root scope */
    if (p->pos >= p->len || !tp_name_char(p->s[p->pos], true))
        return tp_fail(p, "expected a type name");
    while (p->pos < p->len && tp_name_char(p->s[p->pos], false))
        p->pos++;
    const char *name = p->s + start;
    size_t n = p->pos - start;
    if (name[n - 1] == '.')
        return tp_fail(p, "expected a type name");
    if (name[0] == '.') {
        name++;
        n--;
    }

    tp_space(p);
    bool open = p->pos < p->len && p->s[p->pos] == '(';
    const cel_type *params[2] = {NULL, NULL};
    if (open && tp_is(name, n, "list")) {
        if (!tp_params(p, params, 1, depth))
            return NULL;
        return tp_make(p, CEL_T_LIST, "list", params[0], NULL);
    }
    if (open && tp_is(name, n, "map")) {
        if (!tp_params(p, params, 2, depth))
            return NULL;
        return tp_make(p, CEL_T_MAP, "map", params[0], params[1]);
    }
    if (open && tp_is(name, n, "type")) {
        if (!tp_params(p, params, 1, depth))
            return NULL;
        return tp_make(p, CEL_T_TYPE, "type", params[0], NULL);
    }
    if (open && tp_is(name, n, "optional_type")) {
        if (!tp_params(p, params, 1, depth))
            return NULL;
        return tp_make(p, CEL_T_OPTIONAL, "optional_type", params[0], NULL);
    }
    if (open)
        return tp_fail(p, "type does not take parameters");
    for (size_t i = 0; i < sizeof tp_simple / sizeof *tp_simple; i++)
        if (tp_is(name, n, tp_simple[i].name))
            return tp_simple[i].type;
    const cel_type *t = p->resolve ? p->resolve(p->ctx, name, n) : NULL;
    if (!t) {
        p->pos = start;
        return tp_fail(p, "unknown type");
    }
    return t;
}

const cel_type *cel_type_parse(const char *s, size_t len, cel_type_resolver resolve, void *ctx,
                               struct cel_arena *arena, size_t *err_offset, const char **err)
{
    tp_state p = {.s = s, .len = len, .resolve = resolve, .ctx = ctx, .arena = arena};
    const cel_type *t = tp_type(&p, 0);
    if (t) {
        tp_space(&p);
        if (p.pos != p.len) {
            t = NULL;
            tp_fail(&p, "unexpected text after the type");
        }
    }
    if (!t) {
        if (err)
            *err = p.err ? p.err : "invalid type";
        if (err_offset)
            *err_offset = p.pos;
    }
    return t;
}
