/*
 * program.c: cel_compile: parse, check, then plan. The planner turns the
 * checked tree into the plan of plan.h: it resolves names the way cel-go
 * does (comprehension variables first, then the longest declared dotted
 * prefix tried against each container candidate, then type names), picks
 * the candidate overloads of each call by name, style and arity, gives the
 * language's own operators their own nodes, and folds constants into the
 * program's arena. Calls flagged CEL_FN_VALIDATE_LITERAL that fail on
 * literal arguments are compile errors, as Kubernetes' literal validators
 * make them. It also marks how cel-go would price each node (plan.h,
 * CEL_PC_*): attributes, relative attributes, and what OptOptimize makes
 * constant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/ast.h"
#include "cel/check.h"
#include "cel/env.h"
#include "cel/plan.h"
#include "cel_regex.h"

#define PLAN_MAX_DEPTH 1000
#define PLAN_MAX_SCOPE 256
#define PLAN_MAX_CANDIDATES 64

typedef struct scope_var {
    const char *name;
    int slot;
    const cel_plan *block; /* cel.@block index slots: their block */
} scope_var;

typedef struct planner {
    const cel_env *env;
    cel_program *prog;
    const char *container;
    bool validate_literals;
    bool literal_validators; /* Kubernetes >= 1.29 messages */
    bool optimize;           /* cel-go OptOptimize pricing */
    bool presence_cost;      /* has() costs 1 */
    cel_arena *arena;
    scope_var scope[PLAN_MAX_SCOPE];
    int nscope;
    int nlocals, maxlocals;
    /* The checker's single resolved overload per call node (cel_check_refs),
     * or NULL for unchecked programs. */
    const cel_overload *const *refs;
    size_t nrefs;
    const char *accu_name; /* innermost comprehension's accumulator */
    int accu_slot;
    int depth;
    /* First error (compile errors stop planning). */
    char *err;
    uint32_t err_offset;
    char *err_detail; /* cel_diag.detail */
} planner;

static cel_plan *plan_expr(planner *p, const cel_ast *e);

static void plan_error(planner *p, uint32_t offset, const char *msg)
{
    if (p->err)
        return;
    p->err = strdup(msg);
    p->err_offset = offset;
}

static cel_plan *node_new(planner *p, int op, const cel_ast *e, uint32_t nargs)
{
    cel_plan *n = cel_arena_alloc(p->arena, sizeof *n);
    if (!n) {
        plan_error(p, e ? e->offset : 0, "out of memory");
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->op = (uint8_t)op;
    n->offset = e ? e->offset : 0;
    n->slot = -1;
    n->nargs = nargs;
    if (nargs) {
        n->args = cel_arena_alloc(p->arena, nargs * sizeof *n->args);
        if (!n->args) {
            plan_error(p, n->offset, "out of memory");
            return NULL;
        }
        memset(n->args, 0, nargs * sizeof *n->args);
    }
    return n;
}

static const char *arena_str(planner *p, const char *s, size_t n)
{
    char *d = cel_arena_memdup(p->arena, s, n);
    if (!d)
        plan_error(p, 0, "out of memory");
    return d;
}

static cel_plan *const_node(planner *p, const cel_ast *e, cel_value v, uint64_t cost)
{
    cel_plan *n = node_new(p, CEL_P_CONST, e, 0);
    if (n) {
        n->val = v;
        n->cost = cost;
        n->cflags = CEL_PC_GCONST;
    }
    return n;
}

/* ---------------------------------------------------------------- cel-go's plan shape (plan.h) */

static bool is_attr(const cel_plan *n) { return n->cflags & CEL_PC_ATTR; }
static bool is_gconst(const cel_plan *n) { return n->cflags & CEL_PC_GCONST; }

/* A select, index or presence test: +1 when cel-go has to wrap a
 * non-attribute operand in a relative attribute first. */
static void mark_qualifier(cel_plan *n)
{
    if (n && n->nargs && !is_attr(n->args[0]))
        n->cflags |= CEL_PC_RELATIVE;
}

/* cel-go resolves the attribute n without observing it (a ternary branch,
 * an index): its root costs nothing. The root is the identifier the chain
 * of selects and indexes starts from, or the relative attribute over a
 * non-attribute operand; a folded chain has that +1 in its cost. */
static void unobserve_root(cel_plan *n)
{
    while (n && is_attr(n)) {
        switch (n->op) {
        case CEL_P_VAR:
        case CEL_P_LOCAL:
        case CEL_P_BLOCK_INDEX: n->cflags |= CEL_PC_UNOBSERVED; return;
        case CEL_P_CONST:
            if (n->cost)
                n->cost--;
            return;
        case CEL_P_SELECT:
        case CEL_P_SELECT_PATH:
        case CEL_P_OPT_SELECT:
        case CEL_P_INDEX:
        case CEL_P_OPT_INDEX:
            if (n->cflags & CEL_PC_RELATIVE) {
                n->cflags &= (uint8_t)~CEL_PC_RELATIVE;
                return;
            }
            n = n->args[0];
            break;
        default: return; /* a conditional has no cost of its own */
        }
    }
}

/* The standard conversions cel-go's OptOptimize evaluates once when their
 * argument is a constant (overloads.IsTypeConversionFunction). */
static bool is_conversion(const char *name)
{
    static const char *const names[] = {"bool", "bytes", "double", "duration", "dyn",
                                        "int", "string", "timestamp", "type", "uint"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

/* A constant list whose elements cel-go can put in a hash set (the set
 * membership optimization: bool, int, uint, double, string). */
static bool primitive_list(const cel_value *v)
{
    if (v->kind != CEL_LIST || !v->u.list->items)
        return false;
    for (size_t i = 0; i < v->u.list->len; i++) {
        cel_value e = v->u.list->items[i];
        if (e.kind != CEL_BOOL && e.kind != CEL_INT && e.kind != CEL_UINT && e.kind != CEL_DOUBLE &&
            e.kind != CEL_STRING)
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- scopes */

static const scope_var *scope_lookup(const planner *p, const char *name)
{
    for (int i = p->nscope - 1; i >= 0; i--)
        if (!strcmp(p->scope[i].name, name))
            return &p->scope[i];
    return NULL;
}

static int local_lookup(const planner *p, const char *name)
{
    for (int i = p->nscope - 1; i >= 0; i--)
        if (!strcmp(p->scope[i].name, name))
            return p->scope[i].slot;
    return -1;
}

static int push_local(planner *p, const char *name, uint32_t offset)
{
    if (p->nscope >= PLAN_MAX_SCOPE) {
        plan_error(p, offset, "comprehensions nested too deeply");
        return -1;
    }
    int slot = p->nlocals++;
    if (p->nlocals > p->maxlocals)
        p->maxlocals = p->nlocals;
    p->scope[p->nscope].name = name;
    p->scope[p->nscope].slot = slot;
    p->scope[p->nscope].block = NULL;
    p->nscope++;
    return slot;
}

static void pop_locals(planner *p, int count)
{
    p->nscope -= count;
    p->nlocals -= count;
}

/* ---------------------------------------------------------------- names */

/* Tries `name` (len bytes) in every container scope, innermost first:
 * container "a.b" gives "a.b.name", "a.name", "name". A leading dot means
 * the root scope only. Sets a variable or type node. */
static cel_plan *lookup_name(planner *p, const cel_ast *e, const char *name, size_t len)
{
    char buf[1024];
    bool root = len && name[0] == '.';
    if (root) {
        name++;
        len--;
    }
    size_t clen = (!root && p->container) ? strlen(p->container) : 0;
    for (;;) {
        size_t n = clen ? clen + 1 + len : len;
        if (n < sizeof buf) {
            if (clen) {
                memcpy(buf, p->container, clen);
                buf[clen] = '.';
                memcpy(buf + clen + 1, name, len);
            } else {
                memcpy(buf, name, len);
            }
            buf[n] = '\0';
            const cel_var_decl *v = cel_env_find_var(p->env, buf, n);
            if (v) {
                cel_plan *node = node_new(p, CEL_P_VAR, e, 0);
                if (node) {
                    node->cflags = CEL_PC_ATTR;
                    node->slot = v->slot;
                    node->name_len = (uint32_t)strlen(v->name);
                    node->name = arena_str(p, v->name, node->name_len);
                }
                return node;
            }
            const cel_type *t = cel_env_find_type(p->env, buf, n);
            if (t)
                return const_node(p, e, cel_type_v(t), 0);
        }
        if (!clen)
            return NULL;
        while (clen && p->container[clen - 1] != '.')
            clen--;
        if (clen)
            clen--; /* drop the dot */
    }
}

/* A chain of plain selects over an identifier (a.b.c), as cel-go treats
 * qualified names; collects the nodes base first. */
static size_t qualified_chain(const cel_ast *e, const cel_ast **parts, size_t cap)
{
    size_t n = 0;
    const cel_ast *cur = e;
    while (cur->kind == CEL_AST_SELECT && !cur->u.select.test_only && !cur->u.select.optional)
        cur = cur->u.select.operand;
    if (cur->kind != CEL_AST_IDENT)
        return 0;
    /* Count, then fill from the end. */
    for (const cel_ast *c = e; c != cur; c = c->u.select.operand)
        n++;
    n++;
    if (n > cap)
        return 0;
    size_t i = n;
    for (const cel_ast *c = e;; c = c->u.select.operand) {
        parts[--i] = c;
        if (c == cur)
            break;
    }
    return n;
}

static cel_plan *select_node(planner *p, const cel_ast *e, int op, cel_plan *operand)
{
    cel_plan *n = node_new(p, op, e, 1);
    if (!n)
        return NULL;
    n->args[0] = operand;
    if (op != CEL_P_HAS)
        n->cflags = CEL_PC_ATTR;
    mark_qualifier(n);
    n->name_len = (uint32_t)strlen(e->u.select.field);
    n->name = arena_str(p, e->u.select.field, n->name_len);
    return n->name ? n : NULL;
}

/* "c.b.name, c.name, name" for container "c.b"; just the name at the
 * root scope (leading dot) or without a container. */
static const char *candidate_list(planner *p, const char *name, size_t len)
{
    bool root = len && name[0] == '.';
    if (root) {
        name++;
        len--;
    }
    size_t clen = (!root && p->container) ? strlen(p->container) : 0;
    size_t cap = (clen + 1 + len + 2) * (clen / 2 + 2) + 1;
    char *out = cel_arena_alloc(p->arena, cap);
    if (!out) {
        plan_error(p, 0, "out of memory");
        return NULL;
    }
    size_t pos = 0;
    for (;;) {
        if (pos)
            pos += (size_t)snprintf(out + pos, cap - pos, ", ");
        if (clen)
            pos += (size_t)snprintf(out + pos, cap - pos, "%.*s.", (int)clen, p->container);
        pos += (size_t)snprintf(out + pos, cap - pos, "%.*s", (int)len, name);
        if (!clen)
            return out;
        while (clen && p->container[clen - 1] != '.')
            clen--;
        if (clen)
            clen--;
    }
}

static cel_plan *plan_qualified(planner *p, const cel_ast *e)
{
    const cel_ast *parts[128];
    size_t np = qualified_chain(e, parts, 128);
    if (!np)
        return NULL; /* not a plain chain: caller plans it piece by piece */
    const char *base = parts[0]->u.ident.name;
    int slot = base[0] != '.' ? local_lookup(p, base) : -1;
    cel_plan *cur = NULL;
    size_t used = 1;
    if (slot >= 0) {
        cur = node_new(p, CEL_P_LOCAL, parts[0], 0);
        if (!cur)
            return NULL;
        cur->cflags = CEL_PC_ATTR;
        cur->slot = slot;
        cur->name = arena_str(p, base, strlen(base));
    } else {
        /* Longest declared prefix wins. */
        size_t total = strlen(base);
        for (size_t i = 1; i < np; i++)
            total += 1 + strlen(parts[i]->u.select.field);
        char *full = malloc(total + 1);
        if (!full) {
            plan_error(p, e->offset, "out of memory");
            return NULL;
        }
        size_t ends[128], pos = strlen(base);
        memcpy(full, base, pos);
        ends[0] = pos;
        for (size_t i = 1; i < np; i++) {
            size_t fl = strlen(parts[i]->u.select.field);
            full[pos++] = '.';
            memcpy(full + pos, parts[i]->u.select.field, fl);
            pos += fl;
            ends[i] = pos;
        }
        full[pos] = '\0';
        for (size_t k = np; k > 0 && !cur && !p->err; k--) {
            cur = lookup_name(p, parts[k - 1], full, ends[k - 1]);
            used = k;
        }
        if (!cur && !p->err) {
            /* cel-go names every candidate it tried, innermost container
             * first: "no such attribute(s): goog.pkg.x, pkg.x". */
            cur = node_new(p, CEL_P_UNRESOLVED, parts[0], 0);
            if (cur) {
                cur->cflags = CEL_PC_ATTR;
                cur->name = candidate_list(p, full, pos);
            }
            used = np;
        }
        free(full);
        if (!cur)
            return NULL;
    }
    if (np - used >= 2) {
        /* Two or more plain selects become one path node. */
        cel_plan *n = node_new(p, CEL_P_SELECT_PATH, parts[used], 1);
        cel_plan_field *path = cel_arena_alloc(p->arena, (np - used) * sizeof *path);
        if (!n || !path) {
            plan_error(p, e->offset, "out of memory");
            return NULL;
        }
        n->args[0] = cur;
        n->cflags = CEL_PC_ATTR;
        mark_qualifier(n);
        for (size_t i = used; i < np; i++) {
            const char *f = parts[i]->u.select.field;
            path[i - used].len = (uint32_t)strlen(f);
            path[i - used].name = arena_str(p, f, path[i - used].len);
            if (!path[i - used].name)
                return NULL;
        }
        n->path = path;
        n->npath = (uint32_t)(np - used);
        return n;
    }
    for (size_t i = used; i < np && cur; i++)
        cur = select_node(p, parts[i], CEL_P_SELECT, cur);
    return cur;
}

/* ---------------------------------------------------------------- folding */

static bool all_const(const cel_plan *n)
{
    for (uint32_t i = 0; i < n->nargs; i++)
        if (n->args[i]->op != CEL_P_CONST)
            return false;
    return true;
}

/* Evaluates a node whose operands are constants, once, into the program's
 * arena. Returns the folded node, or n itself when the result is an error
 * (the error then happens at run time, with its cost), or NULL when a
 * literal validator rejects the arguments. */
static void literal_error(planner *p, const cel_plan *n, const char *msg);

static cel_plan *fold(planner *p, cel_plan *n, bool validate)
{
    if (!n || !all_const(n))
        return n;
    uint64_t cost = 0;
    cel_value v = cel_interp_fold(n, 0, p->arena, &cost);
    if (v.kind == CEL_ERROR) {
        if (validate && v.u.err->code != CEL_ERR_MEMORY) {
            literal_error(p, n, v.u.err->msg);
            return NULL;
        }
        return n;
    }
    n->op = CEL_P_CONST;
    n->val = v;
    n->cost = cost;
    n->nargs = 0;
    return n;
}

/* ---------------------------------------------------------------- literal errors */

/* The argument cel-go's literal validators (Kubernetes >= 1.29) check:
 * timestamp() and duration() their argument, matches() its first argument
 * after the receiver (the pattern of s.matches(p), but the subject of the
 * global matches(s, p): cel-go's validator takes argument 0 either way).
 * -1 when the call has no validator or that argument is not a literal. */
static int validated_arg(const planner *p, const cel_plan *n)
{
    if (!p->literal_validators || !n->name || !n->nargs)
        return -1;
    bool member = n->novl && n->ovl[0]->member;
    uint32_t arg;
    if ((!strcmp(n->name, "timestamp") || !strcmp(n->name, "duration")) && !member)
        arg = 0;
    else if (!strcmp(n->name, "matches"))
        arg = member ? 1 : 0;
    else
        return -1;
    /* A literal: a scalar constant of the source (constant lists and maps
     * are not literals; a matches() pattern must be a string). */
    const cel_plan *a = arg < n->nargs ? n->args[arg] : NULL;
    if (!a || a->op != CEL_P_CONST || !is_gconst(a) || a->val.kind == CEL_LIST ||
        a->val.kind == CEL_MAP || a->val.kind == CEL_TYPE)
        return -1;
    if (!strcmp(n->name, "matches") && a->val.kind != CEL_STRING)
        return -1;
    return (int)arg;
}

/* A call whose constant arguments fail at compile time: with the literal
 * validators, "invalid <function> argument" at the validated literal, as
 * cel-go reports it; otherwise (an OptOptimize program that cannot be
 * built, as before 1.29) the function's own message at the call. The
 * global matches(s, p) with a bad pattern p is the latter even with the
 * validators, which look at s. */
static void literal_error(planner *p, const cel_plan *n, const char *msg)
{
    int arg = validated_arg(p, n);
    bool global_matches = arg == 0 && !strcmp(n->name, "matches");
    if (arg < 0 || global_matches) {
        plan_error(p, n->offset, msg);
        return;
    }
    char m[64];
    snprintf(m, sizeof m, "invalid %s argument", n->name);
    if (!p->err)
        p->err_detail = strdup(msg);
    plan_error(p, n->args[arg]->offset, m);
}

/* cel-go's regex validator compiles the first argument of the global
 * matches(s, p), the subject: a literal subject that is not a valid
 * pattern fails the compilation however good p is. */
static bool check_global_matches(planner *p, const cel_plan *n)
{
    if (validated_arg(p, n) != 0 || strcmp(n->name, "matches") != 0)
        return true;
    const cel_value *s = &n->args[0]->val;
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile(s->u.str, s->len, err, sizeof err);
    if (re) {
        cel_regex_free(re);
        return true;
    }
    if (!p->err)
        p->err_detail = strdup(err);
    plan_error(p, n->args[0]->offset, "invalid matches argument");
    return false;
}

/* ---------------------------------------------------------------- calls */

static cel_plan *plan_args(planner *p, cel_plan *n, const cel_ast *target, cel_ast *const *args,
                           size_t nargs)
{
    uint32_t k = 0;
    if (target) {
        n->args[k++] = plan_expr(p, target);
        if (!n->args[0])
            return NULL;
    }
    for (size_t i = 0; i < nargs; i++) {
        n->args[k] = plan_expr(p, args[i]);
        if (!n->args[k])
            return NULL;
        k++;
    }
    return n;
}

static const cel_overload **candidates(planner *p, const char *name, bool member, size_t nargs,
                                       uint32_t *count)
{
    const cel_overload *all[PLAN_MAX_CANDIDATES];
    size_t n = cel_env_find_overloads(p->env, name, member, all, PLAN_MAX_CANDIDATES);
    if (n > PLAN_MAX_CANDIDATES)
        n = PLAN_MAX_CANDIDATES;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]->nargs == nargs)
            all[m++] = all[i];
    *count = (uint32_t)m;
    if (!m)
        return NULL;
    const cel_overload **out = cel_arena_alloc(p->arena, m * sizeof *out);
    if (!out) {
        plan_error(p, 0, "out of memory");
        return NULL;
    }
    memcpy(out, all, m * sizeof *out);
    return out;
}

/* A representative value of each kind, to precompute where dispatch on
 * the first argument starts. */
static bool kind_accepted(const cel_type *t, int kind)
{
    if (!t)
        return true;
    switch (t->kind) {
    case CEL_T_DYN:
    case CEL_T_PARAM: return kind != CEL_ERROR;
    case CEL_T_OPAQUE: return kind == CEL_OPAQUE;
    default: {
        cel_value v = {0};
        v.kind = (uint8_t)kind;
        return kind != CEL_OPAQUE && cel_interp_accepts(t, &v, NULL);
    }
    }
}

static void set_dispatch(cel_plan *n)
{
    for (int k = 0; k < CEL_KIND_COUNT; k++) {
        uint32_t i = 0;
        if (n->nargs)
            while (i < n->novl && !kind_accepted(n->ovl[i]->params[0], k) &&
                   !(n->ovl[i]->flags & (CEL_FN_NONSTRICT | CEL_FN_NO_TYPE_GUARDS)))
                i++;
        n->first[k] = (uint8_t)(i < 255 ? i : 255);
    }
    for (uint32_t i = 0; i < n->novl; i++)
        if (n->ovl[i]->flags & CEL_FN_NONSTRICT)
            n->nonstrict = true;
}

static bool any_flag(const cel_plan *n, unsigned flag)
{
    for (uint32_t i = 0; i < n->novl; i++)
        if (n->ovl[i]->flags & flag)
            return true;
    return false;
}

static bool any_prepare(const cel_plan *n)
{
    for (uint32_t i = 0; i < n->novl; i++)
        if (n->ovl[i]->prepare)
            return true;
    return false;
}

/* Candidates of an operator the interpreter implements itself, kept only
 * to price it with the library's cost functions. */
static void cost_overloads(planner *p, cel_plan *n, const char *name, size_t nargs)
{
    uint32_t m;
    const cel_overload **c = candidates(p, name, false, nargs, &m);
    bool priced = false;
    for (uint32_t i = 0; i < m; i++)
        priced |= c[i]->cost != NULL;
    if (priced) {
        n->cost_ovl = c;
        n->ncost_ovl = m;
        bool generic = true;
        for (size_t i = 0; i < nargs && generic; i++)
            generic = !c[0]->params[i] || c[0]->params[i]->kind == CEL_T_DYN ||
                      c[0]->params[i]->kind == CEL_T_PARAM;
        if (generic)
            n->cost_direct = c[0]->cost; /* may be NULL: cost 1 */
        if (generic && !c[0]->cost)
            n->ncost_ovl = 0;
    }
}

/* An append always prices `list + list`: the candidate that would accept
 * two lists is known now, so evaluation calls its cost function directly
 * instead of matching every `_+_` overload on each step. */
static void append_cost(cel_plan *n)
{
    static const cel_list empty = {0, NULL, NULL, NULL};
    const cel_value l = cel_list_v(&empty);
    for (uint32_t i = 0; i < n->ncost_ovl; i++) {
        const cel_overload *o = n->cost_ovl[i];
        if (o->nargs == 2 && cel_interp_accepts(o->params[0], &l, NULL) && cel_interp_accepts(o->params[1], &l, NULL)) {
            n->cost_direct = o->cost; /* NULL: cost 1 */
            n->ncost_ovl = 0;
            return;
        }
    }
}

/* Lets each candidate with a prepare function work on the constant
 * arguments once (compile a regex, parse an address); invalid constants
 * are compile errors at the call. */
static bool prepare_call(planner *p, cel_plan *n)
{
    unsigned mask = 0;
    cel_value cargs[CEL_MAX_ARGS];
    if (n->nargs > CEL_MAX_ARGS || n->nargs > 8 * sizeof mask)
        return true;
    for (uint32_t i = 0; i < n->nargs; i++) {
        cargs[i] = cel_null();
        if (n->args[i]->op == CEL_P_CONST) {
            cargs[i] = n->args[i]->val;
            mask |= 1u << i;
        }
    }
    if (!mask)
        return true;
    for (uint32_t k = 0; k < n->novl; k++) {
        const cel_overload *o = n->ovl[k];
        if (!o->prepare)
            continue;
        bool fits = true;
        for (uint32_t i = 0; i < n->nargs && fits; i++)
            fits = !(mask & (1u << i)) || cel_interp_accepts(o->params[i], &cargs[i], p->arena);
        if (!fits)
            continue;
        char err[256];
        err[0] = '\0';
        void *state = o->prepare(cargs, n->nargs, mask, err, sizeof err);
        if (!state) {
            if (err[0] && p->validate_literals) {
                literal_error(p, n, err);
                return false;
            }
            continue;
        }
        cel_prepared_item *it = cel_arena_alloc(p->arena, sizeof *it);
        if (!n->prep) {
            n->prep = cel_arena_alloc(p->arena, n->novl * sizeof *n->prep);
            if (n->prep)
                memset(n->prep, 0, n->novl * sizeof *n->prep);
        }
        if (!it || !n->prep) {
            if (o->prepared_free)
                o->prepared_free(state);
            plan_error(p, n->offset, "out of memory");
            return false;
        }
        it->state = state;
        it->free_fn = o->prepared_free;
        it->next = p->prog->prepared;
        p->prog->prepared = it;
        n->prep[k] = state;
    }
    return true;
}

/* The overload the checker resolved this call to, if exactly one. */
static const cel_overload *checked_ref(const planner *p, const cel_ast *e)
{
    return p->refs && e->id < p->nrefs ? p->refs[e->id] : NULL;
}

/* When the checker resolved a call to a single overload, only that one is
 * called at run time (cel-go plans the overload id the checker recorded):
 * list(double).sum() on an empty list is 0.0, not the first overload's 0. */
static void narrow_to_checked(planner *p, const cel_ast *e, cel_plan *n)
{
    const cel_overload *only = checked_ref(p, e);
    if (!only || !(only->flags & CEL_FN_CHECKED_DISPATCH))
        return;
    for (uint32_t i = 0; i < n->novl; i++) {
        if (n->ovl[i] == only) {
            n->ovl[0] = only;
            n->novl = 1;
            return;
        }
    }
}

static cel_plan *plan_library_call(planner *p, const cel_ast *e, const char *name,
                                   const cel_ast *target, cel_ast *const *args, size_t nargs)
{
    size_t total = nargs + (target ? 1 : 0);
    cel_plan *n = node_new(p, CEL_P_CALL, e, (uint32_t)total);
    if (!n || !plan_args(p, n, target, args, nargs))
        return NULL;
    n->name_len = (uint32_t)strlen(name);
    n->name = arena_str(p, name, n->name_len);
    n->ovl = candidates(p, name, target != NULL, total, &n->novl);
    if (p->err)
        return NULL;
    narrow_to_checked(p, e, n);
    if (n->novl > 250)
        n->novl = 250;
    set_dispatch(n);
    if (p->validate_literals && !check_global_matches(p, n))
        return NULL;
    if (!prepare_call(p, n))
        return NULL;
    if (!n->novl || any_flag(n, CEL_FN_NOFOLD))
        return n;
    /* OptOptimize computes a conversion of a constant when the program is
     * built: free at run time, and a failure fails the build. */
    bool conversion = p->optimize && !target && total == 1 && is_gconst(n->args[0]) &&
                      is_conversion(name);
    if (conversion)
        n->cflags |= CEL_PC_GCONST | CEL_PC_FREE;
    /* A prepare function is the literal check of its call (a pattern
     * compiles): a constant call that then fails to evaluate (a match
     * past its limits) fails at run time, as upstream would. */
    bool validate = p->validate_literals &&
                    (conversion || (any_flag(n, CEL_FN_VALIDATE_LITERAL) && !any_prepare(n)));
    cel_plan *f = fold(p, n, validate);
    if (f && f->op != CEL_P_CONST)
        f->cflags &= (uint8_t)~CEL_PC_GCONST; /* not computed: not a constant */
    return f;
}

/* A function name found in the container scopes ("f" in container "a.b"
 * may be "a.b.f"), or NULL. */
static const char *resolve_function(planner *p, const char *name, size_t len)
{
    bool root = len && name[0] == '.';
    if (root) {
        name++;
        len--;
    }
    size_t clen = (!root && p->container) ? strlen(p->container) : 0;
    char buf[1024];
    for (;;) {
        size_t n = clen ? clen + 1 + len : len;
        if (n < sizeof buf) {
            if (clen) {
                memcpy(buf, p->container, clen);
                buf[clen] = '.';
                memcpy(buf + clen + 1, name, len);
            } else {
                memcpy(buf, name, len);
            }
            buf[n] = '\0';
            if (cel_env_has_function(p->env, buf))
                return arena_str(p, buf, n);
        }
        if (!clen)
            return NULL;
        while (clen && p->container[clen - 1] != '.')
            clen--;
        if (clen)
            clen--;
    }
}

/* The dotted text of a plain select chain over an identifier that is not a
 * comprehension variable ("ip", "math", "a.b"), for namespaced functions. */
static char *namespace_of(planner *p, const cel_ast *t)
{
    const cel_ast *parts[64];
    size_t np = qualified_chain(t, parts, 64);
    if (!np || local_lookup(p, parts[0]->u.ident.name) >= 0)
        return NULL;
    size_t total = strlen(parts[0]->u.ident.name);
    for (size_t i = 1; i < np; i++)
        total += 1 + strlen(parts[i]->u.select.field);
    char *s = malloc(total + 1);
    if (!s)
        return NULL;
    strcpy(s, parts[0]->u.ident.name);
    for (size_t i = 1; i < np; i++) {
        strcat(s, ".");
        strcat(s, parts[i]->u.select.field);
    }
    return s;
}

static cel_plan *plan_native(planner *p, const cel_ast *e, int op, size_t nargs)
{
    cel_plan *n = node_new(p, op, e, (uint32_t)nargs);
    if (!n || !plan_args(p, n, NULL, e->u.call.args, nargs))
        return NULL;
    return n;
}

/* The innermost comprehension's accumulator, as a plain identifier. */
static bool is_accu_ident(const planner *p, const cel_ast *e)
{
    return p->accu_name && e->kind == CEL_AST_IDENT && !strcmp(e->u.ident.name, p->accu_name) &&
           local_lookup(p, p->accu_name) == p->accu_slot;
}

static bool is_accu_append(const planner *p, const cel_ast *e)
{
    if (!p->accu_name || e->u.call.target || e->u.call.nargs != 2)
        return false;
    const cel_ast *l = e->u.call.args[0], *r = e->u.call.args[1];
    return l->kind == CEL_AST_IDENT && !strcmp(l->u.ident.name, p->accu_name) &&
           local_lookup(p, p->accu_name) == p->accu_slot && r->kind == CEL_AST_LIST &&
           r->u.list.n == 1 && !(r->u.list.optional && r->u.list.optional[0]);
}

/* cel.@block([e0, e1, ...], result): @index0, @index1, ... name the
 * elements, each evaluated on first use and then reused. */
static cel_plan *plan_block(planner *p, const cel_ast *e)
{
    const cel_ast *l = e->u.call.args[0];
    size_t k = l->u.list.n;
    cel_plan *n = node_new(p, CEL_P_BLOCK, e, (uint32_t)(k + 1));
    if (!n)
        return NULL;
    n->comp.iter = p->nlocals;
    n->comp.iter2 = (int)k;
    for (size_t i = 0; i < k; i++) {
        char name[32];
        snprintf(name, sizeof name, "@index%zu", i);
        const char *copy = arena_str(p, name, strlen(name));
        if (!copy || push_local(p, copy, e->offset) < 0)
            return NULL;
        p->scope[p->nscope - 1].block = n;
    }
    for (size_t i = 0; i < k && !p->err; i++)
        n->args[i] = plan_expr(p, l->u.list.elems[i]);
    if (!p->err)
        n->args[k] = plan_expr(p, e->u.call.args[1]);
    pop_locals(p, (int)k);
    return p->err ? NULL : n;
}

/* x.or(y) and x.orValue(y) of the optional library evaluate y only when x
 * is optional.none(), and cost nothing themselves (cel-go replaces these
 * calls with its own steps). Another library's or() stays an ordinary call,
 * as in cel-go when the checker resolved the call to a different overload. */
static bool is_optional_or(planner *p, const cel_ast *e, const char *fn)
{
    const char *id = fn[2] == 'V' ? "optional_orValue_value" : "optional_or_optional";
    const cel_overload *ref = checked_ref(p, e);
    if (ref)
        return !strcmp(ref->id, id);
    uint32_t m;
    const cel_overload **c = candidates(p, fn, true, 2, &m);
    for (uint32_t i = 0; i < m; i++)
        if (!strcmp(c[i]->id, id))
            return true;
    return false;
}

static cel_plan *plan_optional_or(planner *p, const cel_ast *e, int op)
{
    cel_plan *n = node_new(p, op, e, 2);
    if (!n || !plan_args(p, n, e->u.call.target, e->u.call.args, 1))
        return NULL;
    return n;
}

static cel_plan *plan_call(planner *p, const cel_ast *e)
{
    const char *fn = e->u.call.fn;
    size_t na = e->u.call.nargs;
    const cel_ast *target = e->u.call.target;
    if (target) {
        char *ns = namespace_of(p, target);
        if (ns) {
            size_t nl = strlen(ns), fl = strlen(fn);
            char *q = malloc(nl + 1 + fl + 1);
            const char *resolved = NULL;
            if (q) {
                memcpy(q, ns, nl);
                q[nl] = '.';
                memcpy(q + nl + 1, fn, fl + 1);
                resolved = resolve_function(p, q, nl + 1 + fl);
                free(q);
            }
            free(ns);
            if (resolved)
                return plan_library_call(p, e, resolved, NULL, e->u.call.args, na);
        }
        if (na == 1 && (!strcmp(fn, "or") || !strcmp(fn, "orValue")) && is_optional_or(p, e, fn))
            return plan_optional_or(p, e, fn[2] == 'V' ? CEL_P_OPT_OR_VALUE : CEL_P_OPT_OR);
        return plan_library_call(p, e, fn, target, e->u.call.args, na);
    }
    cel_plan *n = NULL;
    if (na == 2 && !strcmp(fn, "_&&_"))
        return plan_native(p, e, CEL_P_AND, 2);
    if (na == 2 && !strcmp(fn, "_||_"))
        return plan_native(p, e, CEL_P_OR, 2);
    if (na == 3 && !strcmp(fn, "_?_:_")) {
        n = plan_native(p, e, CEL_P_COND, 3);
        if (!n)
            return NULL;
        n->cflags = CEL_PC_ATTR;
        unobserve_root(n->args[1]);
        unobserve_root(n->args[2]);
        /* A constant condition picks its branch now, unless computing it
         * had a cost the evaluation must still be charged. */
        if (n->args[0]->op == CEL_P_CONST && n->args[0]->val.kind == CEL_BOOL &&
            n->args[0]->cost == 0)
            return n->args[n->args[0]->val.u.b ? 1 : 2];
        return n;
    }
    if (na == 1 && !strcmp(fn, "@not_strictly_false"))
        return plan_native(p, e, CEL_P_NOT_STRICTLY_FALSE, 1);
    if (na == 2 && (!strcmp(fn, "_==_") || !strcmp(fn, "_!=_"))) {
        n = plan_native(p, e, fn[1] == '=' ? CEL_P_EQ : CEL_P_NE, 2);
        if (n)
            cost_overloads(p, n, fn, 2);
        return fold(p, n, false);
    }
    if (na == 2 && !strcmp(fn, "@in")) {
        n = plan_native(p, e, CEL_P_IN, 2);
        if (!n)
            return NULL;
        const cel_plan *l = n->args[1];
        if (p->optimize && is_gconst(l) && l->op == CEL_P_CONST && l->val.kind == CEL_LIST) {
            /* OptOptimize: nothing is in a constant empty list (the left
             * side is not even evaluated); a constant list of primitives
             * is a set lookup, free. */
            if (l->val.u.list->len == 0)
                return const_node(p, e, cel_bool(false), 0);
            if (primitive_list(&l->val))
                n->cflags |= CEL_PC_FREE;
        }
        return fold(p, n, false);
    }
    if (na == 2 && (!strcmp(fn, "_[_]") || !strcmp(fn, "_[?_]"))) {
        n = plan_native(p, e, fn[2] == '?' ? CEL_P_OPT_INDEX : CEL_P_INDEX, 2);
        if (!n)
            return NULL;
        n->cflags = CEL_PC_ATTR;
        mark_qualifier(n);
        if (is_attr(n->args[1]))
            unobserve_root(n->args[1]);
        return fold(p, n, false);
    }
    if (na == 1 && !strcmp(fn, "dyn") && !cel_env_has_function(p->env, "dyn"))
        return plan_expr(p, e->u.call.args[0]);
    if (na == 1 && !strcmp(fn, "type") && !cel_env_has_function(p->env, "type"))
        return fold(p, plan_native(p, e, CEL_P_TYPE, 1), false);
    if (na == 2 && !strcmp(fn, "_+_") && is_accu_append(p, e)) {
        n = node_new(p, CEL_P_APPEND, e, 1);
        if (!n)
            return NULL;
        n->slot = p->accu_slot;
        n->args[0] = plan_expr(p, e->u.call.args[1]->u.list.elems[0]);
        if (!n->args[0])
            return NULL;
        /* [constant] is a constant list under OptOptimize: no list cost. */
        if (p->optimize && is_gconst(n->args[0]))
            n->cflags |= CEL_PC_FREE;
        cost_overloads(p, n, "_+_", 2);
        append_cost(n);
        return n;
    }
    if (na == 2 && !strcmp(fn, "cel.@block") && e->u.call.args[0]->kind == CEL_AST_LIST)
        return plan_block(p, e);
    if ((na == 3 || na == 2) && !strcmp(fn, "cel.@mapInsert") && is_accu_ident(p, e->u.call.args[0])) {
        n = node_new(p, CEL_P_MAP_INSERT, e, (uint32_t)(na - 1));
        if (!n)
            return NULL;
        n->slot = p->accu_slot;
        for (size_t i = 1; i < na; i++) {
            n->args[i - 1] = plan_expr(p, e->u.call.args[i]);
            if (!n->args[i - 1])
                return NULL;
        }
        return n;
    }
    const char *resolved = resolve_function(p, fn, strlen(fn));
    return plan_library_call(p, e, resolved ? resolved : fn, NULL, e->u.call.args, na);
}

/* ---------------------------------------------------------------- aggregates */

static cel_plan *plan_list(planner *p, const cel_ast *e)
{
    cel_plan *n = node_new(p, CEL_P_LIST, e, (uint32_t)e->u.list.n);
    if (!n)
        return NULL;
    bool any_opt = false;
    for (size_t i = 0; i < e->u.list.n; i++) {
        n->args[i] = plan_expr(p, e->u.list.elems[i]);
        if (!n->args[i])
            return NULL;
        any_opt |= e->u.list.optional && e->u.list.optional[i];
    }
    if (any_opt) {
        bool *o = cel_arena_alloc(p->arena, e->u.list.n * sizeof *o);
        if (!o)
            return NULL;
        memcpy(o, e->u.list.optional, e->u.list.n * sizeof *o);
        n->optional = o;
    }
    /* OptOptimize builds a list of constants once. */
    bool constant = p->optimize;
    for (uint32_t i = 0; i < n->nargs && constant; i++)
        constant = is_gconst(n->args[i]);
    if (constant)
        n->cflags |= CEL_PC_GCONST | CEL_PC_FREE;
    cel_plan *f = fold(p, n, false);
    if (f && f->op != CEL_P_CONST)
        f->cflags &= (uint8_t)~CEL_PC_GCONST;
    return f;
}

static cel_plan *plan_map(planner *p, const cel_ast *e)
{
    size_t ne = e->u.map.n;
    cel_plan *n = node_new(p, CEL_P_MAP, e, (uint32_t)(2 * ne));
    if (!n)
        return NULL;
    bool *o = NULL;
    for (size_t i = 0; i < ne; i++) {
        const cel_ast_entry *en = &e->u.map.entries[i];
        n->args[2 * i] = plan_expr(p, en->key);
        if (!n->args[2 * i])
            return NULL;
        n->args[2 * i + 1] = plan_expr(p, en->value);
        if (!n->args[2 * i + 1])
            return NULL;
        if (en->optional) {
            if (!o) {
                o = cel_arena_alloc(p->arena, ne * sizeof *o);
                if (!o)
                    return NULL;
                memset(o, 0, ne * sizeof *o);
            }
            o[i] = true;
        }
    }
    n->optional = o;
    bool constant = p->optimize;
    for (uint32_t i = 0; i < n->nargs && constant; i++)
        constant = is_gconst(n->args[i]);
    if (constant)
        n->cflags |= CEL_PC_GCONST | CEL_PC_FREE;
    cel_plan *f = fold(p, n, false);
    if (f && f->op != CEL_P_CONST)
        f->cflags &= (uint8_t)~CEL_PC_GCONST;
    return f;
}

static cel_plan *plan_struct(planner *p, const cel_ast *e)
{
    cel_plan *n = node_new(p, CEL_P_STRUCT, e, (uint32_t)e->u.strct.n);
    if (!n)
        return NULL;
    for (size_t i = 0; i < e->u.strct.n; i++) {
        n->args[i] = plan_expr(p, e->u.strct.entries[i].value);
        if (!n->args[i])
            return NULL;
    }
    n->name = arena_str(p, e->u.strct.type_name, strlen(e->u.strct.type_name));
    return n;
}

static cel_plan *plan_comp(planner *p, const cel_ast *e)
{
    cel_plan *n = node_new(p, CEL_P_COMP, e, 5);
    if (!n)
        return NULL;
    n->args[0] = plan_expr(p, e->u.comp.iter_range);
    if (!n->args[0])
        return NULL;
    n->args[1] = plan_expr(p, e->u.comp.accu_init);
    if (!n->args[1])
        return NULL;
    const char *saved_name = p->accu_name;
    int saved_slot = p->accu_slot;
    n->comp.accu = push_local(p, e->u.comp.accu_var, e->offset);
    n->comp.iter = push_local(p, e->u.comp.iter_var, e->offset);
    int pushed = 2;
    n->comp.iter2 = -1;
    if (e->u.comp.iter_var2) {
        n->comp.iter2 = push_local(p, e->u.comp.iter_var2, e->offset);
        pushed++;
    }
    if (p->err)
        return NULL;
    p->accu_name = e->u.comp.accu_var;
    p->accu_slot = n->comp.accu;
    n->args[2] = plan_expr(p, e->u.comp.loop_cond);
    if (n->args[2])
        n->args[3] = plan_expr(p, e->u.comp.loop_step);
    /* The result sees the accumulator but not the iteration variables. */
    p->nscope -= pushed - 1;
    p->accu_name = NULL;
    if (n->args[3])
        n->args[4] = plan_expr(p, e->u.comp.result);
    p->nscope += pushed - 1;
    pop_locals(p, pushed);
    p->accu_name = saved_name;
    p->accu_slot = saved_slot;
    if (!n->args[4])
        return NULL;
    const cel_plan *cond = n->args[2], *step = n->args[3];
    n->comp.cond_nsf_accu = cond->op == CEL_P_NOT_STRICTLY_FALSE && cond->args[0]->op == CEL_P_LOCAL &&
                            cond->args[0]->slot == n->comp.accu;
    n->comp.step_logic_accu = (step->op == CEL_P_AND || step->op == CEL_P_OR) &&
                              step->args[0]->op == CEL_P_LOCAL && step->args[0]->slot == n->comp.accu;
    return n;
}

/* ---------------------------------------------------------------- expressions */

static cel_plan *plan_expr(planner *p, const cel_ast *e)
{
    if (p->err)
        return NULL;
    if (!e) {
        plan_error(p, 0, "internal error: missing expression");
        return NULL;
    }
    if (++p->depth > PLAN_MAX_DEPTH) {
        plan_error(p, e->offset, "expression nested too deeply");
        return NULL;
    }
    cel_plan *n = NULL;
    switch (e->kind) {
    case CEL_AST_LITERAL: {
        /* The tree goes away after compilation: literal text moves into the
         * program. */
        cel_value v = e->u.lit;
        if (v.kind == CEL_STRING || v.kind == CEL_BYTES) {
            const char *copy = cel_arena_memdup(p->arena, v.u.str, v.len);
            if (!copy) {
                plan_error(p, e->offset, "out of memory");
                break;
            }
            v.u.str = copy;
            /* The hint lets size() and cost functions skip UTF-8 decoding. */
            bool ascii = true;
            for (uint32_t i = 0; i < v.len && ascii; i++)
                ascii = (unsigned char)copy[i] < 0x80;
            if (ascii && v.kind == CEL_STRING)
                v.flags |= CEL_VF_ASCII;
        }
        n = const_node(p, e, v, 0);
        break;
    }
    case CEL_AST_IDENT: {
        const char *name = e->u.ident.name;
        const scope_var *sv = name[0] != '.' ? scope_lookup(p, name) : NULL;
        if (sv) {
            n = node_new(p, sv->block ? CEL_P_BLOCK_INDEX : CEL_P_LOCAL, e, 0);
            if (n) {
                n->cflags = CEL_PC_ATTR;
                n->slot = sv->slot;
                n->target = sv->block;
                n->name = arena_str(p, name, strlen(name));
            }
        } else {
            n = plan_qualified(p, e);
        }
        break;
    }
    case CEL_AST_SELECT:
        if (e->u.select.test_only || e->u.select.optional) {
            cel_plan *operand = plan_expr(p, e->u.select.operand);
            if (operand)
                n = select_node(p, e, e->u.select.test_only ? CEL_P_HAS : CEL_P_OPT_SELECT, operand);
            if (n && n->op == CEL_P_HAS && p->presence_cost)
                n->cflags |= CEL_PC_PRESENCE;
        } else {
            n = plan_qualified(p, e);
            if (!n && !p->err) {
                cel_plan *operand = plan_expr(p, e->u.select.operand);
                if (operand)
                    n = select_node(p, e, CEL_P_SELECT, operand);
            }
        }
        break;
    case CEL_AST_CALL: n = plan_call(p, e); break;
    case CEL_AST_LIST: n = plan_list(p, e); break;
    case CEL_AST_MAP: n = plan_map(p, e); break;
    case CEL_AST_STRUCT: n = plan_struct(p, e); break;
    case CEL_AST_COMPREHENSION: n = plan_comp(p, e); break;
    default: plan_error(p, e->offset, "internal error: unknown node kind"); break;
    }
    p->depth--;
    if (!n && !p->err)
        plan_error(p, e->offset, "out of memory");
    return n;
}

/* ---------------------------------------------------------------- compile */

void cel_diag_clear(cel_diag *d)
{
    if (!d)
        return;
    free(d->text);
    free(d->message);
    free(d->detail);
    d->text = d->message = d->detail = NULL;
    d->line = d->column = 0;
}

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Fills diag from one issue at a source offset. */
static void diag_issue(cel_diag *d, const cel_source *src, uint32_t offset, const char *msg)
{
    if (!d)
        return;
    cel_diag_clear(d);
    d->message = dup_str(msg);
    d->line = 1;
    d->column = 1;
    if (src)
        cel_source_position(src, offset, &d->line, &d->column);
    if (src) {
        size_t len = 0;
        char *buf = NULL;
        if (cel_source_format_issue(src, offset, msg, &buf, &len) == 0) {
            d->text = buf;
            return;
        }
        free(buf);
    }
    size_t n = strlen(msg) + 64;
    d->text = malloc(n);
    if (d->text)
        snprintf(d->text, n, "ERROR: <input>:%d:%d: %s", d->line, d->column, msg);
}

/* Fills diag from text already formatted the cel-go way
 * ("ERROR: <input>:L:C: msg\n..."). */
static void diag_text(cel_diag *d, char *text)
{
    if (!d) {
        free(text);
        return;
    }
    cel_diag_clear(d);
    d->text = text;
    d->line = d->column = 1;
    if (!text)
        return;
    const char *s = strstr(text, "<input>:");
    int consumed = 0;
    if (s && sscanf(s, "<input>:%d:%d: %n", &d->line, &d->column, &consumed) >= 2 && consumed) {
        const char *m = s + consumed, *end = strchr(m, '\n');
        size_t n = end ? (size_t)(end - m) : strlen(m);
        d->message = malloc(n + 1);
        if (d->message) {
            memcpy(d->message, m, n);
            d->message[n] = '\0';
        }
    } else {
        d->message = dup_str(text);
    }
}

/* Plans a parsed (and checked) tree into a new program. */
static cel_program *plan_program(const cel_env *env, const cel_ast *root, const cel_source *srcinfo,
                                 const char *src, size_t len, cel_diag *diag,
                                 const cel_overload *const *refs, size_t nrefs)
{
    cel_program *prog = calloc(1, sizeof *prog);
    if (prog)
        prog->arena = cel_arena_new(0);
    if (prog)
        prog->src = malloc(len + 1);
    planner *p = calloc(1, sizeof *p);
    if (!prog || !prog->arena || !prog->src || !p) {
        diag_issue(diag, NULL, 0, "out of memory");
        cel_program_free(prog);
        free(p);
        return NULL;
    }
    if (len)
        memcpy(prog->src, src, len);
    prog->src[len] = '\0';
    prog->src_len = len;
    prog->type = &cel_t_dyn;
    p->env = env;
    p->prog = prog;
    p->refs = refs;
    p->nrefs = nrefs;
    p->container = cel_env_options_of(env)->container;
    p->validate_literals = !cel_env_options_of(env)->defer_literal_errors;
    p->literal_validators = cel_env_options_of(env)->literal_validators;
    p->optimize = cel_env_options_of(env)->optimize;
    p->presence_cost = cel_env_options_of(env)->presence_test_cost;
    p->arena = prog->arena;
    prog->root = plan_expr(p, root);
    if (!prog->root) {
        diag_issue(diag, srcinfo, p->err_offset, p->err ? p->err : "out of memory");
        if (diag) {
            diag->detail = p->err_detail;
            p->err_detail = NULL;
        }
        cel_program_free(prog);
        prog = NULL;
    } else {
        prog->nlocals = (uint32_t)p->maxlocals;
    }
    free(p->err);
    free(p->err_detail);
    free(p);
    return prog;
}

cel_program *cel_compile(const cel_env *env, const char *src, size_t len, cel_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    const cel_env_options *eo = cel_env_options_of(env);
    cel_parse_opts po = {0};
    po.max_code_points = eo->max_code_points;
    po.max_depth = eo->max_depth;
    po.macros = eo->macros ? eo->macros : CEL_MACROS_STD;
    po.no_macros = eo->no_macros;
    po.optional_syntax = eo->optional_syntax;
    cel_parsed parsed;
    memset(&parsed, 0, sizeof parsed);
    if (cel_parse(src, len, &po, &parsed) != 0 || !parsed.root) {
        if (parsed.nissues) {
            diag_text(diag, cel_parsed_format_issues(&parsed));
        } else {
            diag_issue(diag, NULL, 0, "parse failed");
        }
        cel_parsed_free(&parsed);
        return NULL;
    }
    char *issues = NULL;
    const cel_type *t = &cel_t_dyn;
    cel_arena *types = NULL;
    const cel_overload **refs = NULL;
    size_t nrefs = 0;
    if (!eo->disable_check) {
        types = cel_arena_new(0);
        if (!types || cel_check_refs(env, &parsed, types, &t, &issues, &refs, &nrefs) != 0) {
            diag_text(diag, issues ? issues : dup_str("ERROR: <input>:1:1: type check failed"));
            cel_arena_free(types);
            cel_parsed_free(&parsed);
            return NULL;
        }
        free(issues);
    }
    cel_program *prog = plan_program(env, parsed.root, &parsed.src, src, len, diag, refs, nrefs);
    if (prog && types) {
        prog->types = types;
        prog->type = t ? t : &cel_t_dyn;
        types = NULL;
    }
    cel_arena_free(types);
    cel_parsed_free(&parsed);
    return prog;
}

cel_program *cel_plan_tree(const cel_env *env, const cel_ast *root, const char *src, size_t len,
                           cel_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    return plan_program(env, root, NULL, src, len, diag, NULL, 0);
}

void cel_program_free(cel_program *p)
{
    if (!p)
        return;
    for (cel_prepared_item *it = p->prepared; it; it = it->next)
        if (it->free_fn)
            it->free_fn(it->state);
    cel_arena_free(p->arena);
    cel_arena_free(p->types);
    free(p->src);
    free(p);
}

const cel_type *cel_program_type(const cel_program *p) { return p->type; }

const char *cel_program_source(const cel_program *p, size_t *len)
{
    if (len)
        *len = p->src_len;
    return p->src;
}
