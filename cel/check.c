/*
 * check.c: the CEL type checker. It follows cel-go's checker (checker.go,
 * types.go): one walk over the tree deduces a type for every node, with
 * type variables unified as overloads are resolved, and collects cel-go's
 * messages. Then, as cel-go's AST validators, a walk runs the Kubernetes
 * "homogeneous aggregate literals" validation when the environment asks
 * for it, and one checks literal string.format calls (cel/ext/lib_strings.h).
 *
 * Unification keeps one substitution per fresh type variable in an array
 * indexed by the variable's number; an undo log lets a failed assignability
 * test leave the substitutions as they were, which is what cel-go gets by
 * copying its mapping before each attempt.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/check.h"
#include "cel/ext/lib_strings.h"

#define CHECK_MAX_ISSUES 100   /* cel-go's default error report limit */
#define CHECK_MAX_TYPE_DEPTH 512 /* deeper types than this come only from hostile input */
#define CHECK_MAX_NAME 4096    /* longest qualified name tried for resolution */
/* Trees from the parser are at most a few hundred levels deep (its
 * recursion limit); this bounds the stack for trees built any other way. */
#define CHECK_MAX_DEPTH 4096

/* Types the checker itself builds on. `type` on its own denotes the type of
 * types (cel-go prints it "type"), unlike cel_t_type which is type(dyn). */
static const cel_type t_type_bare = {.kind = CEL_T_TYPE, .name = "type"};
static const cel_type t_type_of_type = {.kind = CEL_T_TYPE, .name = "type",
                                        .param = {&t_type_bare}};
static const cel_type t_type_of_list = {.kind = CEL_T_TYPE, .name = "type",
                                        .param = {&cel_t_list_dyn}};
static const cel_type t_type_of_map = {.kind = CEL_T_TYPE, .name = "type",
                                       .param = {&cel_t_map_dyn}};
#define TYPE_OF(t) {.kind = CEL_T_TYPE, .name = "type", .param = {&(t)}}
static const cel_type t_type_of_int = TYPE_OF(cel_t_int);
static const cel_type t_type_of_uint = TYPE_OF(cel_t_uint);
static const cel_type t_type_of_double = TYPE_OF(cel_t_double);
static const cel_type t_type_of_bool = TYPE_OF(cel_t_bool);
static const cel_type t_type_of_string = TYPE_OF(cel_t_string);
static const cel_type t_type_of_bytes = TYPE_OF(cel_t_bytes);
static const cel_type t_type_of_null = TYPE_OF(cel_t_null);
static const cel_type t_type_of_timestamp = TYPE_OF(cel_t_timestamp);
static const cel_type t_type_of_duration = TYPE_OF(cel_t_duration);

/* Identifiers that denote types in every environment (cel-go declares them
 * in its standard library as variables of type type(T)). */
static const struct {
    const char *name;
    const cel_type *type;
} builtin_type_idents[] = {
    {"int", &t_type_of_int},
    {"uint", &t_type_of_uint},
    {"double", &t_type_of_double},
    {"bool", &t_type_of_bool},
    {"string", &t_type_of_string},
    {"bytes", &t_type_of_bytes},
    {"null_type", &t_type_of_null},
    {"list", &t_type_of_list},
    {"map", &t_type_of_map},
    {"type", &t_type_of_type},
    {"google.protobuf.Timestamp", &t_type_of_timestamp},
    {"google.protobuf.Duration", &t_type_of_duration},
};

/* Operators the interpreter evaluates as special forms. Environments built
 * without a library that declares them still type-check them the way
 * cel-go's standard declarations do; a declaration in the environment wins. */
static const cel_type t_list_dyn_param = {.kind = CEL_T_LIST, .name = "list",
                                          .param = {&cel_t_dyn}};
static const cel_type t_map_kv = {.kind = CEL_T_MAP, .name = "map",
                                  .param = {&cel_t_param_k, &cel_t_param_v}};
static const cel_overload builtin_overloads[] = {
    {.id = "logical_and", .name = "_&&_", .nargs = 2,
     .params = {&cel_t_bool, &cel_t_bool}, .result = &cel_t_bool},
    {.id = "logical_or", .name = "_||_", .nargs = 2,
     .params = {&cel_t_bool, &cel_t_bool}, .result = &cel_t_bool},
    {.id = "logical_not", .name = "!_", .nargs = 1, .params = {&cel_t_bool},
     .result = &cel_t_bool},
    {.id = "not_strictly_false", .name = "@not_strictly_false", .nargs = 1,
     .params = {&cel_t_bool}, .result = &cel_t_bool},
    {.id = "conditional", .name = "_?_:_", .nargs = 3,
     .params = {&cel_t_bool, &cel_t_param_a, &cel_t_param_a}, .result = &cel_t_param_a},
    /* cel.block's bindings are dyn (@indexN); its value has its result's type */
    {.id = "cel_block_list", .name = "cel.@block", .nargs = 2,
     .params = {&t_list_dyn_param, &cel_t_param_a}, .result = &cel_t_param_a},
    /* the two-variable transformMap macros build their result with it */
    {.id = "cel_map_insert_key_value", .name = "cel.@mapInsert", .nargs = 3,
     .params = {&t_map_kv, &cel_t_param_k, &cel_t_param_v}, .result = &t_map_kv},
    {.id = "cel_map_insert_map", .name = "cel.@mapInsert", .nargs = 2,
     .params = {&t_map_kv, &t_map_kv}, .result = &t_map_kv},
};

typedef struct check_issue {
    uint32_t offset;
    uint32_t seq; /* report order, to keep the sort stable */
    char *msg;
} check_issue;

typedef struct check_local {
    const char *name;
    const cel_type *type;
} check_local;

typedef struct check_undo {
    uint32_t var;
    const cel_type *old;
} check_undo;

typedef struct checker {
    const cel_env *env;
    const cel_env_options *opts;
    const char *container; /* never NULL */
    const cel_parsed *parsed;
    cel_arena *scratch;    /* every type built while checking */

    const cel_type **node_types; /* by node id */
    size_t nnode_types;

    /* The one overload a call resolved to, by node id (NULL when none or
     * several matched): the planner then dispatches to it alone, as cel-go
     * does with a single overload id in the checked reference. */
    const cel_overload **refs;
    size_t nrefs;

    cel_type **vars;             /* fresh type variables, by number */
    const cel_type **subs;       /* their substitutions (NULL: unbound) */
    size_t nvars, capvars;
    check_undo *undo;
    size_t nundo, capundo;

    check_local *locals;         /* comprehension variables, innermost last */
    size_t nlocals, caplocals;

    check_issue *issues;
    size_t nissues, capissues;
    size_t reported;             /* including those past the limit */

    unsigned depth;              /* of the node being checked */
    bool too_deep;
    bool oom;
} checker;

/* ---------------------------------------------------------------- growth */

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > ((size_t)-1) / 2 / elem)
            return false;
        n *= 2;
    }
    void *q = realloc(*p, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* ---------------------------------------------------------------- issues */

static void report(checker *c, uint32_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(checker *c, uint32_t offset, const char *fmt, ...)
{
    c->reported++;
    if (c->nissues >= CHECK_MAX_ISSUES)
        return;
    if (!grow((void **)&c->issues, &c->capissues, c->nissues + 1, sizeof *c->issues)) {
        c->oom = true;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0) {
        c->oom = true;
        return;
    }
    c->issues[c->nissues].offset = offset;
    c->issues[c->nissues].seq = (uint32_t)c->nissues;
    c->issues[c->nissues].msg = msg;
    c->nissues++;
}

/* A type as cel-go prints it in messages, in scratch memory. */
static const char *tstr(checker *c, const cel_type *t)
{
    char small[128];
    size_t n = cel_type_format(t, small, sizeof small);
    char *s = cel_arena_alloc(c->scratch, n + 1);
    if (!s) {
        c->oom = true;
        return "?";
    }
    if (n < sizeof small)
        memcpy(s, small, n + 1);
    else
        cel_type_format(t, s, n + 1);
    return s;
}

/* ---------------------------------------------------------------- types */

static cel_type *new_type(checker *c, const cel_type *proto)
{
    cel_type *t = cel_arena_alloc(c->scratch, sizeof *t);
    if (!t) {
        c->oom = true;
        return NULL;
    }
    *t = *proto;
    return t;
}

static const cel_type *mk2(checker *c, cel_type_kind kind, const char *name, const cel_type *p0,
                           const cel_type *p1)
{
    cel_type proto = {.kind = kind, .name = name, .param = {p0, p1}};
    const cel_type *t = new_type(c, &proto);
    return t ? t : &cel_t_error;
}

static const cel_type *mk_list(checker *c, const cel_type *elem)
{
    return mk2(c, CEL_T_LIST, "list", elem, NULL);
}

static const cel_type *mk_map(checker *c, const cel_type *k, const cel_type *v)
{
    return mk2(c, CEL_T_MAP, "map", k, v);
}

static const cel_type *mk_optional(checker *c, const cel_type *t)
{
    return mk2(c, CEL_T_OPTIONAL, "optional_type", t, NULL);
}

static const cel_type *mk_type_of(checker *c, const cel_type *t)
{
    return mk2(c, CEL_T_TYPE, "type", t, NULL);
}

/* The number of a fresh type variable, or -1 for any other type. */
static long var_index(const checker *c, const cel_type *t)
{
    if (!t || t->kind != CEL_T_PARAM || !t->name || strncmp(t->name, "_var", 4) != 0)
        return -1;
    char *end;
    unsigned long i = strtoul(t->name + 4, &end, 10);
    if (*end || i >= c->nvars || c->vars[i] != t)
        return -1;
    return (long)i;
}

static const cel_type *new_var(checker *c)
{
    size_t old_cap = c->capvars;
    if (!grow((void **)&c->vars, &c->capvars, c->nvars + 1, sizeof *c->vars)) {
        c->oom = true;
        return &cel_t_dyn;
    }
    if (c->capvars != old_cap || !c->subs) {
        /* subs grows in step with vars */
        const cel_type **s = realloc(c->subs, c->capvars * sizeof *s);
        if (!s) {
            c->capvars = old_cap;
            c->oom = true;
            return &cel_t_dyn;
        }
        c->subs = s;
    }
    char name[32];
    int n = snprintf(name, sizeof name, "_var%zu", c->nvars);
    cel_type proto = {.kind = CEL_T_PARAM, .name = cel_arena_memdup(c->scratch, name, (size_t)n)};
    cel_type *t = proto.name ? new_type(c, &proto) : NULL;
    if (!t) {
        c->oom = true;
        return &cel_t_dyn;
    }
    c->vars[c->nvars] = t;
    c->subs[c->nvars] = NULL;
    c->nvars++;
    return t;
}

static const cel_type *find_sub(const checker *c, const cel_type *t)
{
    long i = var_index(c, t);
    return i < 0 ? NULL : c->subs[i];
}

static void bind(checker *c, const cel_type *var, const cel_type *t)
{
    long i = var_index(c, var);
    if (i < 0)
        return;
    if (!grow((void **)&c->undo, &c->capundo, c->nundo + 1, sizeof *c->undo)) {
        c->oom = true;
        return;
    }
    c->undo[c->nundo].var = (uint32_t)i;
    c->undo[c->nundo].old = c->subs[i];
    c->nundo++;
    c->subs[i] = t;
}

static void rollback(checker *c, size_t mark)
{
    while (c->nundo > mark) {
        c->nundo--;
        c->subs[c->undo[c->nundo].var] = c->undo[c->nundo].old;
    }
}

/* The kind the unifier reasons with: a missing type, or a type parameter
 * that is not one of ours (declared in a variable's type), is dyn. */
static cel_type_kind kind_of(const checker *c, const cel_type *t)
{
    if (!t)
        return CEL_T_DYN;
    if (t->kind == CEL_T_PARAM && var_index(c, t) < 0)
        return CEL_T_DYN;
    return t->kind;
}

static bool is_dyn_or_error(const checker *c, const cel_type *t)
{
    cel_type_kind k = kind_of(c, t);
    return k == CEL_T_DYN || k == CEL_T_ERROR;
}

static bool same_name(const cel_type *a, const cel_type *b)
{
    return strcmp(a->name ? a->name : "", b->name ? b->name : "") == 0;
}

static int nparams(const cel_type *t)
{
    switch (t->kind) {
    case CEL_T_MAP: return 2;
    case CEL_T_LIST: case CEL_T_OPTIONAL: return 1;
    case CEL_T_TYPE: return t->param[0] ? 1 : 0;
    case CEL_T_OPAQUE: return t->param[1] ? 2 : t->param[0] ? 1 : 0;
    default: return 0;
    }
}

/* cel-go's IsExactType: same kind, same name, same parameters. */
static bool exact(const checker *c, const cel_type *a, const cel_type *b, int depth)
{
    if (a == b)
        return true;
    if (depth > CHECK_MAX_TYPE_DEPTH)
        return false;
    cel_type_kind ka = kind_of(c, a), kb = kind_of(c, b);
    if (ka != kb)
        return false;
    switch (ka) {
    case CEL_T_DYN: case CEL_T_NULL: case CEL_T_BOOL: case CEL_T_INT: case CEL_T_UINT:
    case CEL_T_DOUBLE: case CEL_T_STRING: case CEL_T_BYTES: case CEL_T_TIMESTAMP:
    case CEL_T_DURATION: case CEL_T_ERROR:
        return true;
    case CEL_T_PARAM:
        return false; /* distinct variables */
    case CEL_T_OBJECT:
        return same_name(a, b);
    default:
        break;
    }
    if (ka == CEL_T_OPAQUE && !same_name(a, b))
        return false;
    int n = nparams(a);
    if (n != nparams(b))
        return false;
    for (int i = 0; i < n; i++)
        if (!exact(c, a->param[i], b->param[i], depth + 1))
            return false;
    return true;
}

/* The occurs check: true when var does not appear within w. */
static bool not_referenced_in(const checker *c, const cel_type *var, const cel_type *w, int depth)
{
    if (depth > CHECK_MAX_TYPE_DEPTH)
        return false;
    if (exact(c, var, w, 0))
        return false;
    switch (kind_of(c, w)) {
    case CEL_T_PARAM: {
        const cel_type *s = find_sub(c, w);
        return s ? not_referenced_in(c, var, s, depth + 1) : true;
    }
    case CEL_T_LIST: case CEL_T_MAP: case CEL_T_OPTIONAL: case CEL_T_OPAQUE: case CEL_T_TYPE: {
        int n = nparams(w);
        for (int i = 0; i < n; i++)
            if (w->param[i] && !not_referenced_in(c, var, w->param[i], depth + 1))
                return false;
        return true;
    }
    default:
        return true;
    }
}

/* cel-go's isEqualOrLessSpecific: a is dyn-er than (or equal to) b. */
static bool less_specific(const checker *c, const cel_type *a, const cel_type *b, int depth)
{
    cel_type_kind ka = kind_of(c, a), kb = kind_of(c, b);
    if (ka == CEL_T_DYN || ka == CEL_T_PARAM)
        return true;
    if (kb == CEL_T_DYN || kb == CEL_T_PARAM)
        return false;
    if (ka != kb || depth > CHECK_MAX_TYPE_DEPTH)
        return false;
    switch (ka) {
    case CEL_T_OPAQUE:
    case CEL_T_OPTIONAL:
        if (!same_name(a, b) || nparams(a) != nparams(b))
            return false;
        for (int i = 0; i < nparams(a); i++)
            if (!less_specific(c, a->param[i], b->param[i], depth + 1))
                return false;
        return true;
    case CEL_T_LIST:
        return less_specific(c, a->param[0], b->param[0], depth + 1);
    case CEL_T_MAP:
        return less_specific(c, a->param[0], b->param[0], depth + 1) &&
               less_specific(c, a->param[1], b->param[1], depth + 1);
    case CEL_T_TYPE:
        return true;
    default:
        return exact(c, a, b, depth);
    }
}

static const cel_type *most_general(const checker *c, const cel_type *a, const cel_type *b)
{
    return less_specific(c, a, b, 0) ? a : b;
}

/* Types a null literal may be assigned to (cel-go's legacy nullability). */
static bool nullable(const checker *c, const cel_type *t)
{
    switch (kind_of(c, t)) {
    case CEL_T_NULL: case CEL_T_OPAQUE: case CEL_T_OPTIONAL: case CEL_T_OBJECT:
    case CEL_T_TIMESTAMP: case CEL_T_DURATION:
        return true;
    default:
        return false;
    }
}

static bool assign(checker *c, const cel_type *t1, const cel_type *t2, int depth);

/* Whether t1 is a valid substitution for the variable var, binding it if
 * so. *has_sub tells whether var was bound before. */
static bool valid_substitution(checker *c, const cel_type *t1, const cel_type *var, bool *has_sub,
                               int depth)
{
    *has_sub = false;
    if (t1 == var) {
        *has_sub = true;
        return true;
    }
    const cel_type *sub = find_sub(c, var);
    if (sub) {
        *has_sub = true;
        if (exact(c, t1, sub, 0))
            return true;
        if (assign(c, t1, sub, depth + 1)) {
            const cel_type *g = most_general(c, t1, sub);
            if (not_referenced_in(c, var, g, 0))
                bind(c, var, g);
            return true;
        }
        return false;
    }
    if (not_referenced_in(c, var, t1, 0)) {
        bind(c, var, t1);
        return true;
    }
    return false;
}

/* cel-go's internalIsAssignable: may a value of type t1 be used where t2
 * is expected, binding type variables on the way. */
static bool assign(checker *c, const cel_type *t1, const cel_type *t2, int depth)
{
    if (depth > CHECK_MAX_TYPE_DEPTH)
        return false;
    cel_type_kind k1 = kind_of(c, t1), k2 = kind_of(c, t2);
    bool has_sub;
    if (k2 == CEL_T_PARAM) {
        if (valid_substitution(c, t1, t2, &has_sub, depth))
            return true;
        if (has_sub)
            return false;
    }
    if (k1 == CEL_T_PARAM)
        return valid_substitution(c, t2, t1, &has_sub, depth);
    if (is_dyn_or_error(c, t1) || is_dyn_or_error(c, t2))
        return true;
    if (k1 == CEL_T_NULL)
        return nullable(c, t2);
    if (k2 == CEL_T_NULL)
        return nullable(c, t1);
    if (k1 != k2)
        return false;
    switch (k1) {
    case CEL_T_BOOL: case CEL_T_INT: case CEL_T_UINT: case CEL_T_DOUBLE: case CEL_T_STRING:
    case CEL_T_BYTES: case CEL_T_TIMESTAMP: case CEL_T_DURATION:
        return true;
    case CEL_T_OBJECT:
        return same_name(t1, t2);
    case CEL_T_TYPE:
        return true; /* a type is a type, whatever it denotes */
    case CEL_T_LIST:
        return assign(c, t1->param[0], t2->param[0], depth + 1);
    case CEL_T_MAP:
        return assign(c, t1->param[0], t2->param[0], depth + 1) &&
               assign(c, t1->param[1], t2->param[1], depth + 1);
    case CEL_T_OPTIONAL:
    case CEL_T_OPAQUE:
        if (!same_name(t1, t2) || nparams(t1) != nparams(t2))
            return false;
        for (int i = 0; i < nparams(t1); i++)
            if (!assign(c, t1->param[i], t2->param[i], depth + 1))
                return false;
        return true;
    default:
        return false;
    }
}

/* One assignability test that keeps its bindings only if it succeeds. */
static bool assignable(checker *c, const cel_type *t1, const cel_type *t2)
{
    size_t mark = c->nundo;
    if (!assign(c, t1, t2, 0)) {
        rollback(c, mark);
        return false;
    }
    c->nundo = mark; /* committed: nothing outside can roll back past here */
    return true;
}

static bool assignable_list(checker *c, const cel_type *const *l1, const cel_type *const *l2,
                            size_t n)
{
    size_t mark = c->nundo;
    for (size_t i = 0; i < n; i++) {
        if (!assign(c, l1[i], l2[i], 0)) {
            rollback(c, mark);
            return false;
        }
    }
    c->nundo = mark;
    return true;
}

/* Replaces bound variables by what they stand for; unbound ones by dyn
 * when to_dyn. Returns t itself when nothing changes. */
static const cel_type *subst(checker *c, const cel_type *t, bool to_dyn, int depth)
{
    if (!t)
        return to_dyn ? &cel_t_dyn : t;
    if (depth > CHECK_MAX_TYPE_DEPTH)
        return &cel_t_dyn;
    if (t->kind == CEL_T_PARAM) {
        const cel_type *s = find_sub(c, t);
        if (s)
            return subst(c, s, to_dyn, depth + 1);
        return to_dyn ? &cel_t_dyn : t;
    }
    int n = nparams(t);
    if (n == 0)
        return t;
    const cel_type *p[2] = {t->param[0], t->param[1]};
    bool changed = false;
    for (int i = 0; i < n; i++) {
        p[i] = subst(c, t->param[i], to_dyn, depth + 1);
        changed |= p[i] != t->param[i];
    }
    if (!changed)
        return t;
    cel_type *r = new_type(c, t);
    if (!r)
        return &cel_t_error;
    r->param[0] = p[0];
    r->param[1] = p[1];
    return r;
}

/* Replaces an overload's declared type parameters (A, B, K, V, ...) with
 * fresh variables, the same name getting the same variable. */
typedef struct inst_map {
    const char *names[8];
    const cel_type *vars[8];
    int n;
} inst_map;

static bool has_params(const cel_type *t, int depth)
{
    if (!t || depth > CHECK_MAX_TYPE_DEPTH)
        return false;
    if (t->kind == CEL_T_PARAM)
        return true;
    for (int i = 0; i < nparams(t); i++)
        if (has_params(t->param[i], depth + 1))
            return true;
    return false;
}

static const cel_type *instantiate(checker *c, inst_map *m, const cel_type *t, int depth)
{
    if (!t || depth > CHECK_MAX_TYPE_DEPTH)
        return t;
    if (t->kind == CEL_T_PARAM) {
        for (int i = 0; i < m->n; i++)
            if (strcmp(t->name ? t->name : "", m->names[i]) == 0)
                return m->vars[i];
        if (m->n == 8)
            return &cel_t_dyn;
        m->names[m->n] = t->name ? t->name : "";
        m->vars[m->n] = new_var(c);
        return m->vars[m->n++];
    }
    int n = nparams(t);
    if (n == 0)
        return t;
    cel_type *r = new_type(c, t);
    if (!r)
        return &cel_t_error;
    for (int i = 0; i < n; i++)
        r->param[i] = instantiate(c, m, t->param[i], depth + 1);
    return r;
}

/* ---------------------------------------------------------------- node types */

static void set_type(checker *c, const cel_ast *e, const cel_type *t)
{
    if (e->id >= c->nnode_types) {
        size_t cap = c->nnode_types;
        if (!grow((void **)&c->node_types, &cap, (size_t)e->id + 1, sizeof *c->node_types)) {
            c->oom = true;
            return;
        }
        memset(c->node_types + c->nnode_types, 0,
               (cap - c->nnode_types) * sizeof *c->node_types);
        c->nnode_types = cap;
    }
    c->node_types[e->id] = t;
}

static const cel_type *get_type(const checker *c, const cel_ast *e)
{
    if (!e || e->id >= c->nnode_types || !c->node_types[e->id])
        return &cel_t_error;
    return c->node_types[e->id];
}

static void set_ref(checker *c, const cel_ast *e, const cel_overload *o)
{
    if (e->id >= c->nrefs) {
        size_t cap = c->nrefs;
        if (!grow((void **)&c->refs, &cap, (size_t)e->id + 1, sizeof *c->refs)) {
            c->oom = true;
            return;
        }
        memset(c->refs + c->nrefs, 0, (cap - c->nrefs) * sizeof *c->refs);
        c->nrefs = cap;
    }
    c->refs[e->id] = o;
}

/* ---------------------------------------------------------------- names */

/* Calls attempt(c, candidate, ctx) for each name the container makes of name
 * (for container a.b, name x: a.b.x, a.x, x; for .x only x) until it
 * returns true. */
static bool for_candidates(checker *c, const char *name,
                           bool (*attempt)(checker *, const char *, size_t, void *), void *ctx)
{
    if (name[0] == '.')
        return attempt(c, name + 1, strlen(name + 1), ctx);
    size_t nlen = strlen(name), clen = strlen(c->container);
    char *buf = clen ? cel_arena_alloc(c->scratch, clen + nlen + 2) : NULL;
    if (buf) {
        memcpy(buf, c->container, clen);
        size_t end = clen;
        for (;;) {
            buf[end] = '.';
            memcpy(buf + end + 1, name, nlen);
            buf[end + 1 + nlen] = '\0';
            if (attempt(c, buf, end + 1 + nlen, ctx))
                return true;
            while (end > 0 && c->container[end - 1] != '.')
                end--;
            if (end == 0)
                break;
            end--; /* drop the dot */
        }
    }
    return attempt(c, name, nlen, ctx);
}

typedef struct ident_hit {
    const cel_type *type;
} ident_hit;

static bool try_ident(checker *c, const char *name, size_t len, void *ctx)
{
    ident_hit *hit = ctx;
    for (size_t i = c->nlocals; i-- > 0;) {
        if (strlen(c->locals[i].name) == len && memcmp(c->locals[i].name, name, len) == 0) {
            hit->type = c->locals[i].type;
            return true;
        }
    }
    const cel_var_decl *v = cel_env_find_var(c->env, name, len);
    if (v) {
        hit->type = v->type ? v->type : &cel_t_dyn;
        return true;
    }
    for (size_t i = 0; i < sizeof builtin_type_idents / sizeof *builtin_type_idents; i++) {
        if (strlen(builtin_type_idents[i].name) == len &&
            memcmp(builtin_type_idents[i].name, name, len) == 0) {
            hit->type = builtin_type_idents[i].type;
            return true;
        }
    }
    const cel_type *t = cel_env_find_type(c->env, name, len);
    if (t) {
        hit->type = mk_type_of(c, t);
        return true;
    }
    return false;
}

static const cel_type *lookup_ident(checker *c, const char *name)
{
    ident_hit hit = {0};
    return for_candidates(c, name, try_ident, &hit) ? hit.type : NULL;
}

/* The built-in overloads named name: how many, the first in *first. */
static size_t builtin_function(const char *name, size_t len, const cel_overload **first)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof builtin_overloads / sizeof *builtin_overloads; i++) {
        if (strlen(builtin_overloads[i].name) == len &&
            memcmp(builtin_overloads[i].name, name, len) == 0) {
            if (n++ == 0 && first)
                *first = &builtin_overloads[i];
        }
    }
    return n;
}

typedef struct fn_hit {
    char *name; /* scratch copy of the resolved name */
} fn_hit;

static bool try_function(checker *c, const char *name, size_t len, void *ctx)
{
    fn_hit *hit = ctx;
    if (!cel_env_has_function(c->env, name) && !builtin_function(name, len, NULL))
        return false;
    hit->name = cel_arena_memdup(c->scratch, name, len);
    if (!hit->name)
        c->oom = true;
    return hit->name != NULL;
}

static const char *lookup_function(checker *c, const char *name)
{
    fn_hit hit = {0};
    return for_candidates(c, name, try_function, &hit) ? hit.name : NULL;
}

/* The dotted name an ident/select chain spells (a.b.c), in scratch
 * memory; NULL for anything else (calls, has() tests, optional selects). */
static size_t qualified_len(const cel_ast *e)
{
    size_t n = 0;
    for (; e->kind == CEL_AST_SELECT; e = e->u.select.operand) {
        if (e->u.select.test_only || e->u.select.optional)
            return 0;
        n += 1 + strlen(e->u.select.field);
    }
    if (e->kind != CEL_AST_IDENT)
        return 0;
    return n + strlen(e->u.ident.name);
}

static char *qualified_name(checker *c, const cel_ast *e, size_t extra)
{
    size_t n = qualified_len(e);
    if (n == 0 || n > CHECK_MAX_NAME)
        return NULL;
    char *buf = cel_arena_alloc(c->scratch, n + extra + 1);
    if (!buf) {
        c->oom = true;
        return NULL;
    }
    size_t end = n;
    buf[end] = '\0';
    for (; e->kind == CEL_AST_SELECT; e = e->u.select.operand) {
        size_t f = strlen(e->u.select.field);
        end -= f;
        memcpy(buf + end, e->u.select.field, f);
        buf[--end] = '.';
    }
    memcpy(buf, e->u.ident.name, end);
    return buf;
}

/* ---------------------------------------------------------------- checking */

static void check(checker *c, const cel_ast *e);

static bool push_local(checker *c, const char *name, const cel_type *t)
{
    if (!name)
        return true;
    if (!grow((void **)&c->locals, &c->caplocals, c->nlocals + 1, sizeof *c->locals)) {
        c->oom = true;
        return false;
    }
    c->locals[c->nlocals].name = name;
    c->locals[c->nlocals].type = t;
    c->nlocals++;
    return true;
}

static void check_literal(checker *c, const cel_ast *e)
{
    const cel_type *t;
    switch (e->u.lit.kind) {
    case CEL_NULL: t = &cel_t_null; break;
    case CEL_BOOL: t = &cel_t_bool; break;
    case CEL_INT: t = &cel_t_int; break;
    case CEL_UINT: t = &cel_t_uint; break;
    case CEL_DOUBLE: t = &cel_t_double; break;
    case CEL_STRING: t = &cel_t_string; break;
    case CEL_BYTES: t = &cel_t_bytes; break;
    case CEL_TIMESTAMP: t = &cel_t_timestamp; break;
    case CEL_DURATION: t = &cel_t_duration; break;
    default: t = &cel_t_dyn; break;
    }
    set_type(c, e, t);
}

/* Names cel.block's expansion introduces (cel-go types them dyn). */
static bool is_block_name(const char *name)
{
    return strncmp(name, "@index", 6) == 0 || strncmp(name, "@it:", 4) == 0 ||
           strncmp(name, "@ac:", 4) == 0;
}

static void check_ident(checker *c, const cel_ast *e)
{
    const char *name = e->u.ident.name;
    const cel_type *t = lookup_ident(c, name);
    if (t) {
        set_type(c, e, t);
        return;
    }
    if (is_block_name(name)) {
        set_type(c, e, &cel_t_dyn);
        return;
    }
    set_type(c, e, &cel_t_error);
    report(c, e->offset, "undeclared reference to '%s' (in container '%s')", name, c->container);
}

static const cel_field *find_field(const cel_type *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].name && strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

static const cel_type *unwrap_optional(const checker *c, const cel_type *t, bool *was)
{
    if (kind_of(c, t) == CEL_T_OPTIONAL) {
        *was = true;
        return t->param[0] ? t->param[0] : &cel_t_dyn;
    }
    *was = false;
    return t;
}

static const cel_type *check_select_field(checker *c, const cel_ast *e, bool optional)
{
    const cel_ast *operand = e->u.select.operand;
    const char *field = e->u.select.field;
    check(c, operand);
    const cel_type *ot = subst(c, get_type(c, operand), false, 0);
    bool was_opt;
    const cel_type *target = unwrap_optional(c, ot, &was_opt);
    const cel_type *result = &cel_t_error;
    switch (kind_of(c, target)) {
    case CEL_T_MAP:
        result = target->param[1] ? target->param[1] : &cel_t_dyn;
        break;
    case CEL_T_OBJECT: {
        const cel_field *f = find_field(target, field);
        if (f)
            result = f->type ? f->type : &cel_t_dyn;
        else
            report(c, e->offset, "undefined field '%s'", field);
        break;
    }
    case CEL_T_PARAM:
        /* pin the variable to dyn so later uses cannot narrow it wrongly */
        assignable(c, &cel_t_dyn, target);
        result = &cel_t_dyn;
        break;
    case CEL_T_DYN: case CEL_T_ERROR:
        result = &cel_t_dyn;
        break;
    default:
        report(c, e->offset, "type '%s' does not support field selection", tstr(c, target));
        result = &cel_t_dyn;
        break;
    }
    if (was_opt || optional)
        return mk_optional(c, result);
    return result;
}

static void check_select(checker *c, const cel_ast *e)
{
    char *qn = qualified_name(c, e, 0);
    if (qn) {
        const cel_type *t = lookup_ident(c, qn);
        if (t) {
            set_type(c, e, t);
            return;
        }
    }
    const cel_type *t = check_select_field(c, e, e->u.select.optional);
    if (e->u.select.test_only)
        t = &cel_t_bool;
    set_type(c, e, subst(c, t, false, 0));
}

/* Ordering operators compare across int, uint and double only when the
 * environment enables cross-type numeric comparisons. */
static bool is_numeric_kind(const cel_type *t)
{
    return t && (t->kind == CEL_T_INT || t->kind == CEL_T_UINT || t->kind == CEL_T_DOUBLE);
}

static bool overload_disabled(const checker *c, const cel_overload *o)
{
    if (c->opts && c->opts->cross_type_numeric)
        return false;
    if (o->nargs != 2 || o->member)
        return false;
    const char *n = o->name;
    if (strcmp(n, "_<_") != 0 && strcmp(n, "_<=_") != 0 && strcmp(n, "_>_") != 0 &&
        strcmp(n, "_>=_") != 0)
        return false;
    return is_numeric_kind(o->params[0]) && is_numeric_kind(o->params[1]) &&
           o->params[0]->kind != o->params[1]->kind;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, bool *oom)
{
    size_t n = strlen(s);
    if (!grow((void **)buf, cap, *len + n + 1, 1)) {
        *oom = true;
        return;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* "(int, string)" or, for a receiver call, "int.(string)". */
static char *format_signature(checker *c, const cel_type *const *args, size_t n, bool member)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    size_t i = 0;
    if (member && n > 0) {
        append(&buf, &len, &cap, tstr(c, args[0]), &c->oom);
        append(&buf, &len, &cap, ".", &c->oom);
        i = 1;
    }
    append(&buf, &len, &cap, "(", &c->oom);
    for (size_t first = i; i < n; i++) {
        if (i > first)
            append(&buf, &len, &cap, ", ", &c->oom);
        append(&buf, &len, &cap, tstr(c, args[i]), &c->oom);
    }
    append(&buf, &len, &cap, ")", &c->oom);
    return buf;
}

/* Resolves a call of the function `name` (already resolved against the
 * container) with the given argument types; args[0] is the receiver of a
 * member call. Sets the call's type; reports when nothing matches. */
static void resolve_overload(checker *c, const cel_ast *e, const char *name, bool member,
                             const cel_ast *const *arg_nodes, const cel_type **args, size_t n)
{
    const cel_overload *stack[32];
    const cel_overload **ovs = stack;
    size_t count = cel_env_find_overloads(c->env, name, member, stack, 32);
    if (count > 32) {
        ovs = malloc(count * sizeof *ovs);
        if (!ovs) {
            c->oom = true;
            set_type(c, e, &cel_t_error);
            return;
        }
        count = cel_env_find_overloads(c->env, name, member, ovs, count);
    }
    const cel_overload *builtins[4];
    const cel_overload *first = NULL;
    size_t nb;
    if (count == 0 && !member && (nb = builtin_function(name, strlen(name), &first)) > 0) {
        for (size_t i = 0; i < nb && i < 4; i++)
            builtins[i] = first + i; /* entries of one name are adjacent */
        ovs = builtins;
        count = nb < 4 ? nb : 4;
    }

    /* cel-go checks the logical operators argument by argument, as they may
     * be variadic in optimised trees. */
    if (!member && (strcmp(name, "_&&_") == 0 || strcmp(name, "_||_") == 0)) {
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
            if (!assignable(c, args[i], &cel_t_bool)) {
                report(c, arg_nodes[i]->offset, "expected type '%s' but found '%s'",
                       tstr(c, &cel_t_bool), tstr(c, args[i]));
                ok = false;
            }
        }
        set_type(c, e, ok ? &cel_t_bool : &cel_t_error);
        if (ovs != stack && ovs != builtins)
            free(ovs);
        return;
    }

    const cel_type *result = NULL;
    const cel_overload *only = NULL;
    size_t matched = 0;
    for (size_t k = 0; k < count; k++) {
        const cel_overload *o = ovs[k];
        if (o->member != member || o->nargs != n || n > CEL_MAX_ARGS || overload_disabled(c, o))
            continue;
        const cel_type *params[CEL_MAX_ARGS];
        const cel_type *res = o->result ? o->result : &cel_t_dyn;
        bool generic = has_params(res, 0);
        for (size_t i = 0; i < n && !generic; i++)
            generic = has_params(o->params[i], 0);
        if (generic) {
            inst_map m = {.n = 0};
            for (size_t i = 0; i < n; i++)
                params[i] = instantiate(c, &m, o->params[i] ? o->params[i] : &cel_t_dyn, 0);
            res = instantiate(c, &m, res, 0);
        } else {
            for (size_t i = 0; i < n; i++)
                params[i] = o->params[i] ? o->params[i] : &cel_t_dyn;
        }
        if (!assignable_list(c, args, params, n))
            continue;
        const cel_type *r = subst(c, res, false, 0);
        if (matched++ == 0)
            only = o;
        if (!result)
            result = r;
        else if (kind_of(c, result) != CEL_T_DYN && !exact(c, r, result, 0))
            result = &cel_t_dyn;
    }
    if (ovs != stack && ovs != builtins)
        free(ovs);

    if (result) {
        set_type(c, e, result);
        if (matched == 1)
            set_ref(c, e, only);
        return;
    }
    for (size_t i = 0; i < n; i++)
        args[i] = subst(c, args[i], true, 0);
    char *sig = format_signature(c, args, n, member);
    report(c, e->offset, "found no matching overload for '%s' applied to '%s'", name,
           sig ? sig : "?");
    free(sig);
    set_type(c, e, &cel_t_error);
}

static void check_call(checker *c, const cel_ast *e)
{
    const char *fn = e->u.call.fn;
    size_t nargs = e->u.call.nargs;
    const cel_ast *target = e->u.call.target;
    for (size_t i = 0; i < nargs; i++)
        check(c, e->u.call.args[i]);

    /* argument nodes and types, the receiver first for member calls */
    const cel_ast *nodes_stack[8];
    const cel_type *types_stack[8];
    const cel_ast **nodes = nodes_stack;
    const cel_type **types = types_stack;
    size_t total = nargs + 1;
    if (total > 8) {
        nodes = malloc(total * sizeof *nodes);
        types = malloc(total * sizeof *types);
        if (!nodes || !types) {
            free(nodes);
            free(types);
            c->oom = true;
            set_type(c, e, &cel_t_error);
            return;
        }
    }

    if (!target) {
        const char *resolved = lookup_function(c, fn);
        if (!resolved) {
            report(c, e->offset, "undeclared reference to '%s' (in container '%s')", fn,
                   c->container);
            set_type(c, e, &cel_t_error);
        } else {
            for (size_t i = 0; i < nargs; i++) {
                nodes[i] = e->u.call.args[i];
                types[i] = get_type(c, e->u.call.args[i]);
            }
            resolve_overload(c, e, resolved, false, nodes, types, nargs);
        }
        goto done;
    }

    /* a.b.f(x) may be the namespaced function a.b.f rather than f on a.b */
    size_t flen = strlen(fn);
    char *buf = qualified_name(c, target, 1 + flen);
    if (buf) {
        size_t len = strlen(buf);
        buf[len] = '.';
        memcpy(buf + len + 1, fn, flen + 1);
        const char *resolved = lookup_function(c, buf);
        if (resolved) {
            for (size_t i = 0; i < nargs; i++) {
                nodes[i] = e->u.call.args[i];
                types[i] = get_type(c, e->u.call.args[i]);
            }
            resolve_overload(c, e, resolved, false, nodes, types, nargs);
            goto done;
        }
    }

    check(c, target);
    const char *resolved = lookup_function(c, fn);
    if (!resolved) {
        report(c, e->offset, "undeclared reference to '%s' (in container '%s')", fn,
               c->container);
        set_type(c, e, &cel_t_error);
        goto done;
    }
    nodes[0] = target;
    types[0] = get_type(c, target);
    for (size_t i = 0; i < nargs; i++) {
        nodes[i + 1] = e->u.call.args[i];
        types[i + 1] = get_type(c, e->u.call.args[i]);
    }
    resolve_overload(c, e, resolved, true, nodes, types, total);

done:
    if (nodes != nodes_stack) {
        free(nodes);
        free(types);
    }
}

/* cel-go's joinTypes with dynamic aggregate literals: the common type, or
 * dyn once two elements disagree. */
static const cel_type *join_types(checker *c, const cel_type *prev, const cel_type *cur)
{
    if (!prev)
        return cur;
    if (assignable(c, prev, cur))
        return most_general(c, prev, cur);
    return &cel_t_dyn;
}

static const cel_type *optional_entry_type(checker *c, const cel_ast *v)
{
    const cel_type *t = get_type(c, v);
    bool was;
    const cel_type *inner = unwrap_optional(c, t, &was);
    if (!was && kind_of(c, inner) != CEL_T_DYN)
        report(c, v->offset, "expected type '%s' but found '%s'", tstr(c, mk_optional(c, inner)),
               tstr(c, inner));
    return inner;
}

static void check_list(checker *c, const cel_ast *e)
{
    const cel_type *elem = NULL;
    for (size_t i = 0; i < e->u.list.n; i++) {
        const cel_ast *x = e->u.list.elems[i];
        check(c, x);
        const cel_type *t = e->u.list.optional && e->u.list.optional[i]
                                ? optional_entry_type(c, x)
                                : get_type(c, x);
        elem = join_types(c, elem, t);
    }
    set_type(c, e, mk_list(c, elem ? elem : new_var(c)));
}

static void check_map(checker *c, const cel_ast *e)
{
    const cel_type *kt = NULL, *vt = NULL;
    for (size_t i = 0; i < e->u.map.n; i++) {
        const cel_ast_entry *en = &e->u.map.entries[i];
        check(c, en->key);
        kt = join_types(c, kt, get_type(c, en->key));
        check(c, en->value);
        const cel_type *t = en->optional ? optional_entry_type(c, en->value)
                                         : get_type(c, en->value);
        vt = join_types(c, vt, t);
    }
    if (!kt) {
        kt = new_var(c);
        vt = new_var(c);
    }
    set_type(c, e, mk_map(c, kt, vt));
}

static bool try_struct_type(checker *c, const char *name, size_t len, void *ctx)
{
    const cel_type **out = ctx;
    const cel_var_decl *v = cel_env_find_var(c->env, name, len);
    if (v) {
        *out = v->type ? v->type : &cel_t_dyn;
        return true;
    }
    const cel_type *t = cel_env_find_type(c->env, name, len);
    if (t) {
        *out = mk_type_of(c, t);
        return true;
    }
    return false;
}

static void check_struct(checker *c, const cel_ast *e)
{
    const char *tname = e->u.strct.type_name;
    const cel_type *decl = NULL;
    const cel_type *result = &cel_t_error;
    if (!for_candidates(c, tname, try_struct_type, &decl)) {
        report(c, e->offset, "undeclared reference to '%s' (in container '%s')", tname,
               c->container);
    } else if (kind_of(c, decl) != CEL_T_ERROR) {
        if (decl->kind != CEL_T_TYPE) {
            /* cel-go names the declared type without its parameters */
            report(c, e->offset, "'%s' is not a type", decl->name ? decl->name : "dyn");
        } else {
            const cel_type *t = decl->param[0];
            if (t && (t->kind == CEL_T_OBJECT || t->kind == CEL_T_TIMESTAMP ||
                      t->kind == CEL_T_DURATION)) {
                result = t;
            } else {
                report(c, e->offset, "'%s' is not a message type",
                       t && t->name ? t->name : "dyn");
            }
        }
    }
    set_type(c, e, result);
    for (size_t i = 0; i < e->u.strct.n; i++) {
        const cel_ast_entry *en = &e->u.strct.entries[i];
        check(c, en->value);
        const cel_type *ft = &cel_t_error;
        if (result->kind == CEL_T_OBJECT) {
            const cel_field *f = find_field(result, en->field);
            if (f)
                ft = f->type ? f->type : &cel_t_dyn;
            else
                report(c, en->offset, "undefined field '%s'", en->field);
        } else if (result->kind != CEL_T_ERROR) {
            ft = &cel_t_dyn; /* well-known types built by their fields */
        }
        const cel_type *vt = en->optional ? optional_entry_type(c, en->value)
                                          : get_type(c, en->value);
        if (!assignable(c, ft, vt))
            report(c, en->offset, "expected type of field '%s' is '%s' but provided type is '%s'",
                   en->field, tstr(c, ft), tstr(c, vt));
    }
}

static void assert_type(checker *c, const cel_ast *e, const cel_type *want)
{
    const cel_type *got = get_type(c, e);
    if (!assignable(c, want, got))
        report(c, e->offset, "expected type '%s' but found '%s'", tstr(c, want), tstr(c, got));
}

static void check_comprehension(checker *c, const cel_ast *e)
{
    const cel_ast *range = e->u.comp.iter_range;
    check(c, range);
    check(c, e->u.comp.accu_init);
    const cel_type *rt = subst(c, get_type(c, range), false, 0);
    const cel_type *accu = get_type(c, e->u.comp.accu_init);
    bool two = e->u.comp.iter_var2 != NULL;
    size_t base = c->nlocals;
    push_local(c, e->u.comp.accu_var, accu);

    const cel_type *v1, *v2 = NULL;
    switch (kind_of(c, rt)) {
    case CEL_T_LIST:
        v1 = rt->param[0] ? rt->param[0] : &cel_t_dyn;
        if (two) {
            v2 = v1;
            v1 = &cel_t_int;
        }
        break;
    case CEL_T_MAP:
        v1 = rt->param[0] ? rt->param[0] : &cel_t_dyn;
        if (two)
            v2 = rt->param[1] ? rt->param[1] : &cel_t_dyn;
        break;
    case CEL_T_DYN: case CEL_T_ERROR: case CEL_T_PARAM:
        assignable(c, &cel_t_dyn, rt);
        v1 = &cel_t_dyn;
        v2 = two ? &cel_t_dyn : NULL;
        break;
    default:
        report(c, range->offset,
               "expression of type '%s' cannot be range of a comprehension "
               "(must be list, map, or dynamic)",
               tstr(c, rt));
        v1 = &cel_t_error;
        v2 = two ? &cel_t_error : NULL;
        break;
    }

    size_t loop = c->nlocals;
    push_local(c, e->u.comp.iter_var, v1);
    if (two)
        push_local(c, e->u.comp.iter_var2, v2);
    check(c, e->u.comp.loop_cond);
    assert_type(c, e->u.comp.loop_cond, &cel_t_bool);
    check(c, e->u.comp.loop_step);
    assert_type(c, e->u.comp.loop_step, accu);
    c->nlocals = loop;
    check(c, e->u.comp.result);
    c->nlocals = base;
    set_type(c, e, subst(c, get_type(c, e->u.comp.result), false, 0));
}

static void check(checker *c, const cel_ast *e)
{
    if (!e || c->oom)
        return;
    if (c->depth >= CHECK_MAX_DEPTH) {
        if (!c->too_deep)
            report(c, e->offset, "expression nested too deeply to check");
        c->too_deep = true;
        set_type(c, e, &cel_t_error);
        return;
    }
    c->depth++;
    switch (e->kind) {
    case CEL_AST_LITERAL: check_literal(c, e); break;
    case CEL_AST_IDENT: check_ident(c, e); break;
    case CEL_AST_SELECT: check_select(c, e); break;
    case CEL_AST_CALL: check_call(c, e); break;
    case CEL_AST_LIST: check_list(c, e); break;
    case CEL_AST_MAP: check_map(c, e); break;
    case CEL_AST_STRUCT: check_struct(c, e); break;
    case CEL_AST_COMPREHENSION: check_comprehension(c, e); break;
    default: set_type(c, e, &cel_t_error); break;
    }
    c->depth--;
}

/* ---------------------------------------------------------------- homogeneous literals */

/* Kubernetes' HomogeneousAggregateLiterals (a cel-go validator run after a
 * successful check): every element of a list literal, and every key and
 * every value of a map literal, has exactly the type of the first one.
 * Literals nested (through other literals) in format()'s arguments are
 * exempt. */
static const cel_type *final_type(checker *c, const cel_ast *e)
{
    return subst(c, get_type(c, e), true, 0);
}

static void validate_homogeneous(checker *c, const cel_ast *e, bool exempt, int depth);

static void validate_children(checker *c, const cel_ast *e, int depth)
{
    switch (e->kind) {
    case CEL_AST_SELECT:
        validate_homogeneous(c, e->u.select.operand, false, depth + 1);
        break;
    case CEL_AST_CALL: {
        bool fmt = strcmp(e->u.call.fn, "format") == 0;
        validate_homogeneous(c, e->u.call.target, false, depth + 1);
        for (size_t i = 0; i < e->u.call.nargs; i++)
            validate_homogeneous(c, e->u.call.args[i], fmt, depth + 1);
        break;
    }
    case CEL_AST_STRUCT:
        for (size_t i = 0; i < e->u.strct.n; i++)
            validate_homogeneous(c, e->u.strct.entries[i].value, false, depth + 1);
        break;
    case CEL_AST_COMPREHENSION:
        validate_homogeneous(c, e->u.comp.iter_range, false, depth + 1);
        validate_homogeneous(c, e->u.comp.accu_init, false, depth + 1);
        validate_homogeneous(c, e->u.comp.loop_cond, false, depth + 1);
        validate_homogeneous(c, e->u.comp.loop_step, false, depth + 1);
        validate_homogeneous(c, e->u.comp.result, false, depth + 1);
        break;
    default:
        break;
    }
}

static const cel_type *element_type(checker *c, const cel_ast *x, bool optional)
{
    const cel_type *t = final_type(c, x);
    if (optional && t->kind == CEL_T_OPTIONAL && t->param[0])
        t = t->param[0];
    return t;
}

static void validate_homogeneous(checker *c, const cel_ast *e, bool exempt, int depth)
{
    if (!e || c->oom || depth > CHECK_MAX_DEPTH)
        return;
    if (e->kind == CEL_AST_LIST) {
        const cel_type *first = NULL;
        for (size_t i = 0; i < e->u.list.n && !exempt; i++) {
            const cel_ast *x = e->u.list.elems[i];
            const cel_type *t = element_type(c, x, e->u.list.optional && e->u.list.optional[i]);
            if (!first) {
                first = t;
            } else if (!exact(c, first, t, 0)) {
                report(c, x->offset, "expected type '%s' but found '%s'", tstr(c, first),
                       tstr(c, t));
                break;
            }
        }
        for (size_t i = 0; i < e->u.list.n; i++)
            validate_homogeneous(c, e->u.list.elems[i], exempt, depth + 1);
        return;
    }
    if (e->kind == CEL_AST_MAP) {
        const cel_type *k0 = NULL, *v0 = NULL;
        for (size_t i = 0; i < e->u.map.n && !exempt; i++) {
            const cel_ast_entry *en = &e->u.map.entries[i];
            const cel_type *kt = final_type(c, en->key);
            const cel_type *vt = element_type(c, en->value, en->optional);
            if (!k0) {
                k0 = kt;
                v0 = vt;
                continue;
            }
            if (!exact(c, k0, kt, 0))
                report(c, en->key->offset, "expected type '%s' but found '%s'", tstr(c, k0),
                       tstr(c, kt));
            if (!exact(c, v0, vt, 0))
                report(c, en->value->offset, "expected type '%s' but found '%s'", tstr(c, v0),
                       tstr(c, vt));
        }
        for (size_t i = 0; i < e->u.map.n; i++) {
            validate_homogeneous(c, e->u.map.entries[i].key, exempt, depth + 1);
            validate_homogeneous(c, e->u.map.entries[i].value, exempt, depth + 1);
        }
        return;
    }
    validate_children(c, e, depth);
}

/* ---------------------------------------------------------------- format() calls */

/* cel-go's string.format validator (ext strings, version 1 on): literal
 * format strings applied to list literals are checked clause by clause
 * against the argument types. The clause rules live with format itself. */
static const cel_type *format_type_of(void *ctx, const cel_ast *e)
{
    return final_type(ctx, e);
}

static void format_report(void *ctx, uint32_t offset, const char *msg)
{
    report(ctx, offset, "%s", msg);
}

static void validate_format_calls(checker *c, const cel_strx_checker *chk, const cel_ast *e,
                                  int depth)
{
    if (!e || c->oom || depth > CHECK_MAX_DEPTH)
        return;
    switch (e->kind) {
    case CEL_AST_SELECT:
        validate_format_calls(c, chk, e->u.select.operand, depth + 1);
        break;
    case CEL_AST_CALL:
        cel_strx_check_format_call(c->env, e, chk);
        validate_format_calls(c, chk, e->u.call.target, depth + 1);
        for (size_t i = 0; i < e->u.call.nargs; i++)
            validate_format_calls(c, chk, e->u.call.args[i], depth + 1);
        break;
    case CEL_AST_LIST:
        for (size_t i = 0; i < e->u.list.n; i++)
            validate_format_calls(c, chk, e->u.list.elems[i], depth + 1);
        break;
    case CEL_AST_MAP:
        for (size_t i = 0; i < e->u.map.n; i++) {
            validate_format_calls(c, chk, e->u.map.entries[i].key, depth + 1);
            validate_format_calls(c, chk, e->u.map.entries[i].value, depth + 1);
        }
        break;
    case CEL_AST_STRUCT:
        for (size_t i = 0; i < e->u.strct.n; i++)
            validate_format_calls(c, chk, e->u.strct.entries[i].value, depth + 1);
        break;
    case CEL_AST_COMPREHENSION:
        validate_format_calls(c, chk, e->u.comp.iter_range, depth + 1);
        validate_format_calls(c, chk, e->u.comp.accu_init, depth + 1);
        validate_format_calls(c, chk, e->u.comp.loop_cond, depth + 1);
        validate_format_calls(c, chk, e->u.comp.loop_step, depth + 1);
        validate_format_calls(c, chk, e->u.comp.result, depth + 1);
        break;
    default:
        break;
    }
}

/* ---------------------------------------------------------------- result */

/* Copies the result type out of scratch memory into the caller's arena.
 * Types without parameters are constants or belong to the environment and
 * are shared; fresh variables never reach here (they became dyn). */
static const cel_type *export_type(checker *c, cel_arena *a, const cel_type *t, int depth)
{
    if (!t || nparams(t) == 0 || depth > CHECK_MAX_TYPE_DEPTH)
        return t;
    cel_type *r = cel_arena_alloc(a, sizeof *r);
    if (!r) {
        c->oom = true;
        return &cel_t_dyn;
    }
    *r = *t;
    for (int i = 0; i < nparams(t); i++)
        r->param[i] = export_type(c, a, t->param[i], depth + 1);
    return r;
}

static int issue_cmp(const void *a, const void *b)
{
    const check_issue *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *format_issues(checker *c)
{
    qsort(c->issues, c->nissues, sizeof *c->issues, issue_cmp);
    char *buf = NULL;
    size_t len = 0;
    for (size_t i = 0; i < c->nissues; i++) {
        if (cel_source_format_issue(&c->parsed->src, c->issues[i].offset, c->issues[i].msg, &buf,
                                    &len) != 0) {
            free(buf);
            return NULL;
        }
    }
    if (c->reported > c->nissues) {
        /* cel-go's closing line when it stops listing errors */
        char *more = NULL;
        int n = asprintf(&more, "%s%zu more errors were truncated", len ? "\n" : "",
                         c->reported - c->nissues);
        char *grown = n < 0 ? NULL : realloc(buf, len + (size_t)n + 1);
        if (!grown) {
            free(more);
            free(buf);
            return NULL;
        }
        memcpy(grown + len, more, (size_t)n + 1);
        free(more);
        buf = grown;
    }
    return buf;
}

int cel_check(const cel_env *env, const cel_parsed *parsed, cel_arena *types_arena,
              const cel_type **result_type, char **issues)
{
    return cel_check_refs(env, parsed, types_arena, result_type, issues, NULL, NULL);
}

int cel_check_refs(const cel_env *env, const cel_parsed *parsed, cel_arena *types_arena,
                   const cel_type **result_type, char **issues, const cel_overload ***refs,
                   size_t *nrefs)
{
    if (refs)
        *refs = NULL;
    if (nrefs)
        *nrefs = 0;
    *issues = NULL;
    *result_type = &cel_t_error;
    checker c = {.env = env, .parsed = parsed};
    c.opts = cel_env_options_of(env);
    c.container = c.opts && c.opts->container ? c.opts->container : "";
    c.scratch = cel_arena_new(0);
    size_t n = parsed->next_id ? parsed->next_id : 1;
    c.node_types = calloc(n, sizeof *c.node_types);
    c.nnode_types = n;
    int rc = -1;
    if (!c.scratch || !c.node_types || !parsed->root) {
        if (parsed->root)
            c.oom = true;
        else
            report(&c, 0, "no expression to check");
        goto out;
    }

    check(&c, parsed->root);
    if (!c.oom && c.nissues == 0) {
        /* cel-go runs every AST validator once the check succeeded. */
        if (c.opts && c.opts->homogeneous_literals)
            validate_homogeneous(&c, parsed->root, false, 0);
        cel_strx_checker chk = {format_type_of, format_report, &c};
        validate_format_calls(&c, &chk, parsed->root, 0);
    }
    if (c.oom || c.nissues)
        goto out;
    const cel_type *t = export_type(&c, types_arena, final_type(&c, parsed->root), 0);
    if (c.oom)
        goto out;
    *result_type = t;
    rc = 0;
    if (refs && c.nrefs) {
        const cel_overload **out = cel_arena_alloc(types_arena, c.nrefs * sizeof *out);
        if (out) {
            memcpy(out, c.refs, c.nrefs * sizeof *out);
            *refs = out;
            *nrefs = c.nrefs;
        }
    }

out:
    if (c.oom) {
        char *buf = NULL;
        size_t len = 0;
        if (cel_source_format_issue(&parsed->src, 0, "out of memory while type-checking", &buf,
                                    &len) == 0)
            *issues = buf;
        rc = -1;
    } else if (rc != 0) {
        *issues = format_issues(&c);
    }
    for (size_t i = 0; i < c.nissues; i++)
        free(c.issues[i].msg);
    free(c.issues);
    free(c.node_types);
    free(c.refs);
    free(c.vars);
    free(c.subs);
    free(c.undo);
    free(c.locals);
    cel_arena_free(c.scratch);
    return rc;
}
