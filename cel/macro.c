/*
 * cel/macro.c: macro expansion at parse time, building the same trees as
 * cel-go (parser/macro.go, ext/comprehensions.go, ext/bindings.go,
 * ext/optional macros, ext/lists.go, ext/math.go) so that evaluation and
 * cost follow it.
 *
 * Helper functions the expansions call, which the evaluator must provide
 * besides the ordinary operators (_&&_ _||_ !_ _?_:_ _+_ _==_):
 *   @not_strictly_false(b)      true unless b is false (errors count as true)
 *   cel.@mapInsert(m, k, v)     m with k -> v added (error if k present)
 *   cel.@mapInsert(m, m2)       m with the entries of m2 added (same rule)
 *   cel.@block(list, e)         cel.block: e with @index0.. bound to list items
 *   hasValue() / value()        optional methods (optMap, optFlatMap)
 *   optional.of(x) / optional.none()
 *   @sortByAssociatedKeys(l, keys)  member call: l sorted by keys (sortBy)
 *   math.@max(...) / math.@min(...)  math.greatest / math.least
 * and the identifiers @indexN, @it:N:M, @ac:N:M (cel.block family).
 *
 * Accumulators are named "@result" (cel-go's hidden accumulator name), and
 * cel.bind, optMap, optFlatMap and sortBy fold over an empty list with the
 * iteration variable "#unused".
 */
#include <stdio.h>
#include <string.h>

#include "macro.h"

#define ACCU "@result"
#define OLD_ACCU "__result__"
#define UNUSED_VAR "#unused"
#define SORTBY_INPUT "@__sortBy_input__"

typedef struct mctx {
    cel_parser *p;
    uint32_t at; /* position of the call */
    bool *failed;
} mctx;

static cel_ast *fail_at(mctx *m, const cel_ast *arg, const char *msg)
{
    cel_parse_report(m->p, arg ? arg->offset : m->at, "%s", msg);
    *m->failed = true;
    return NULL;
}

static cel_ast *accu(mctx *m) { return cel_parse_ident(m->p, ACCU, m->at); }

static cel_ast *lit(mctx *m, cel_value v) { return cel_parse_literal(m->p, v, m->at); }

static const char *ident_name(const cel_ast *e)
{
    return e && e->kind == CEL_AST_IDENT ? e->u.ident.name : NULL;
}

static bool is_accu_name(const char *v)
{
    return strcmp(v, ACCU) == 0 || strcmp(v, OLD_ACCU) == 0;
}

static cel_ast *comprehension(mctx *m, cel_ast *range, const char *iv, const char *iv2,
                              const char *accu_var, cel_ast *init, cel_ast *cond, cel_ast *step,
                              cel_ast *result)
{
    cel_ast *c = cel_parse_node(m->p, CEL_AST_COMPREHENSION, m->at);
    if (!c)
        return NULL;
    c->u.comp.iter_range = range;
    c->u.comp.iter_var = iv;
    c->u.comp.iter_var2 = iv2;
    c->u.comp.accu_var = accu_var;
    c->u.comp.accu_init = init;
    c->u.comp.loop_cond = cond;
    c->u.comp.loop_step = step;
    c->u.comp.result = result;
    return c;
}

/* ---------------------------------------------------------------- standard */

static cel_ast *make_has(mctx *m, cel_ast **args)
{
    cel_ast *a = args[0];
    if (!a || a->kind != CEL_AST_SELECT || a->u.select.optional)
        return fail_at(m, a, "invalid argument to has() macro");
    cel_ast *s = cel_parse_node(m->p, CEL_AST_SELECT, m->at);
    if (!s)
        return NULL;
    s->u.select.operand = a->u.select.operand;
    s->u.select.field = a->u.select.field;
    s->u.select.test_only = true;
    return s;
}

enum { Q_ALL, Q_EXISTS, Q_EXISTS_ONE };

/* The init/condition/step/result of all, exists and exists_one. */
static cel_ast *quantifier(mctx *m, int kind, cel_ast *target, const char *v, const char *v2,
                           cel_ast *pred)
{
    cel_parser *p = m->p;
    cel_ast *init, *cond, *step, *result;
    switch (kind) {
    case Q_ALL:
        init = lit(m, cel_bool(true));
        cond = cel_parse_call1(p, "@not_strictly_false", accu(m), m->at);
        step = cel_parse_call2(p, "_&&_", accu(m), pred, m->at);
        result = accu(m);
        break;
    case Q_EXISTS:
        init = lit(m, cel_bool(false));
        cond = cel_parse_call1(p, "@not_strictly_false", cel_parse_call1(p, "!_", accu(m), m->at),
                               m->at);
        step = cel_parse_call2(p, "_||_", accu(m), pred, m->at);
        result = accu(m);
        break;
    default:
        init = lit(m, cel_int(0));
        cond = lit(m, cel_bool(true));
        step = cel_parse_call3(p, "_?_:_", pred,
                               cel_parse_call2(p, "_+_", accu(m), lit(m, cel_int(1)), m->at),
                               accu(m), m->at);
        result = cel_parse_call2(p, "_==_", accu(m), lit(m, cel_int(1)), m->at);
        break;
    }
    return comprehension(m, target, v, v2, ACCU, init, cond, step, result);
}

static cel_ast *make_quantifier(mctx *m, int kind, cel_ast *target, cel_ast **args)
{
    const char *v = ident_name(args[0]);
    if (!v)
        return fail_at(m, args[0], "argument must be a simple name");
    if (is_accu_name(v))
        return fail_at(m, args[0], "iteration variable overwrites accumulator variable");
    return quantifier(m, kind, target, v, NULL, args[1]);
}

/* map(v, t), map(v, p, t), filter(v, p). */
static cel_ast *make_map(mctx *m, cel_ast *target, cel_ast **args, size_t nargs, bool filter)
{
    cel_parser *p = m->p;
    const char *v = ident_name(args[0]);
    if (!v)
        return fail_at(m, args[0], "argument is not an identifier");
    if (is_accu_name(v))
        return fail_at(m, args[0], "iteration variable overwrites accumulator variable");
    cel_ast *pred = filter ? args[1] : nargs == 3 ? args[1] : NULL;
    cel_ast *elem = filter ? args[0] : nargs == 3 ? args[2] : args[1];
    cel_ast *step = cel_parse_call2(p, "_+_", accu(m), cel_parse_list(p, &elem, 1, m->at), m->at);
    if (pred)
        step = cel_parse_call3(p, "_?_:_", pred, step, accu(m), m->at);
    return comprehension(m, target, v, NULL, ACCU, cel_parse_list(p, NULL, 0, m->at),
                         lit(m, cel_bool(true)), step, accu(m));
}

/* ---------------------------------------------------------------- two variables */

static bool two_vars(mctx *m, cel_ast **args, const char **v1, const char **v2)
{
    *v1 = ident_name(args[0]);
    if (!*v1) {
        fail_at(m, args[0], "argument must be a simple name");
        return false;
    }
    *v2 = ident_name(args[1]);
    if (!*v2) {
        fail_at(m, args[1], "argument must be a simple name");
        return false;
    }
    if (strcmp(*v1, *v2) == 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "duplicate variable name: %s", *v1);
        fail_at(m, args[1], msg);
        return false;
    }
    if (is_accu_name(*v1)) {
        fail_at(m, args[0], "iteration variable overwrites accumulator variable");
        return false;
    }
    if (is_accu_name(*v2)) {
        fail_at(m, args[1], "iteration variable overwrites accumulator variable");
        return false;
    }
    return true;
}

enum { T_LIST, T_MAP, T_MAP_ENTRY };

static cel_ast *make_transform(mctx *m, int kind, cel_ast *target, cel_ast **args, size_t nargs)
{
    cel_parser *p = m->p;
    const char *v1, *v2;
    if (!two_vars(m, args, &v1, &v2))
        return NULL;
    cel_ast *filter = nargs == 4 ? args[2] : NULL;
    cel_ast *fn = nargs == 4 ? args[3] : args[2];
    cel_ast *step, *init;
    if (kind == T_LIST) {
        step = cel_parse_call2(p, "_+_", accu(m), cel_parse_list(p, &fn, 1, m->at), m->at);
        init = cel_parse_list(p, NULL, 0, m->at);
    } else {
        if (kind == T_MAP)
            step = cel_parse_call3(p, "cel.@mapInsert", accu(m), cel_parse_ident(p, v1, m->at), fn,
                                   m->at);
        else
            step = cel_parse_call2(p, "cel.@mapInsert", accu(m), fn, m->at);
        init = cel_parse_map0(p, m->at);
    }
    if (filter)
        step = cel_parse_call3(p, "_?_:_", filter, step, accu(m), m->at);
    return comprehension(m, target, v1, v2, ACCU, init, lit(m, cel_bool(true)), step, accu(m));
}

/* ---------------------------------------------------------------- cel.* */

static bool is_cel_namespace(const cel_ast *target)
{
    const char *n = ident_name(target);
    return n && strcmp(n, "cel") == 0;
}

static cel_ast *make_bind(mctx *m, cel_ast **args)
{
    const char *v = ident_name(args[0]);
    if (!v)
        return fail_at(m, args[0], "cel.bind() variable names must be simple identifiers");
    return comprehension(m, cel_parse_list(m->p, NULL, 0, m->at), UNUSED_VAR, NULL, v, args[1],
                         lit(m, cel_bool(false)), cel_parse_ident(m->p, v, m->at), args[2]);
}

static bool non_negative_int(const cel_ast *e)
{
    return e && e->kind == CEL_AST_LITERAL && e->u.lit.kind == CEL_INT && e->u.lit.u.i >= 0;
}

static cel_ast *make_block(mctx *m, const char *fn, cel_ast **args)
{
    cel_parser *p = m->p;
    char name[64];
    if (strcmp(fn, "block") == 0) {
        if (!args[0] || args[0]->kind != CEL_AST_LIST)
            return fail_at(m, args[0], "cel.block requires the first arg to be a list literal");
        return cel_parse_call2(p, "cel.@block", args[0], args[1], m->at);
    }
    if (strcmp(fn, "index") == 0) {
        if (!non_negative_int(args[0]))
            return fail_at(m, args[0], "cel.index requires a single non-negative int constant arg");
        snprintf(name, sizeof name, "@index%lld", (long long)args[0]->u.lit.u.i);
    } else {
        bool iter = strcmp(fn, "iterVar") == 0;
        const char *msg = iter ? "cel.iterVar requires two non-negative int constant args"
                               : "cel.accuVar requires two non-negative int constant args";
        if (!non_negative_int(args[0]))
            return fail_at(m, args[0], msg);
        if (!non_negative_int(args[1]))
            return fail_at(m, args[1], msg);
        snprintf(name, sizeof name, "@%s:%lld:%lld", iter ? "it" : "ac",
                 (long long)args[0]->u.lit.u.i, (long long)args[1]->u.lit.u.i);
    }
    const char *s = cel_parse_strdup(p, name);
    return s ? cel_parse_ident(p, s, m->at) : NULL;
}

/* ---------------------------------------------------------------- optional, lists */

static cel_ast *make_opt_map(mctx *m, bool flat, cel_ast *target, cel_ast **args)
{
    cel_parser *p = m->p;
    const char *v = ident_name(args[0]);
    if (!v)
        return fail_at(m, args[0], flat ? "optFlatMap() variable name must be a simple identifier"
                                        : "optMap() variable name must be a simple identifier");
    cel_ast *value = cel_parse_call(p, "value", cel_parse_copy(p, target), NULL, 0, m->at);
    cel_ast *body = comprehension(m, cel_parse_list(p, NULL, 0, m->at), UNUSED_VAR, NULL, v, value,
                                  lit(m, cel_bool(false)), cel_parse_ident(p, v, m->at), args[1]);
    if (!flat)
        body = cel_parse_call1(p, "optional.of", body, m->at);
    return cel_parse_call3(p, "_?_:_", cel_parse_call(p, "hasValue", target, NULL, 0, m->at),
                           body, cel_parse_call(p, "optional.none", NULL, NULL, 0, m->at), m->at);
}

static cel_ast *make_sort_by(mctx *m, cel_ast *target, cel_ast **args)
{
    cel_parser *p = m->p;
    int k = target ? target->kind : -1;
    if (k != CEL_AST_LIST && k != CEL_AST_SELECT && k != CEL_AST_IDENT &&
        k != CEL_AST_COMPREHENSION && k != CEL_AST_CALL)
        return fail_at(m, target, "sortBy can only be applied to a list, identifier, "
                                  "comprehension, call or select expression");
    cel_ast *keys = make_map(m, cel_parse_ident(p, SORTBY_INPUT, m->at), args, 2, false);
    if (!keys)
        return NULL;
    cel_ast *sorted = cel_parse_call(p, "@sortByAssociatedKeys",
                                     cel_parse_ident(p, SORTBY_INPUT, m->at), &keys, 1, m->at);
    return comprehension(m, cel_parse_list(p, NULL, 0, m->at), UNUSED_VAR, NULL, SORTBY_INPUT,
                         target, lit(m, cel_bool(false)), cel_parse_ident(p, SORTBY_INPUT, m->at),
                         sorted);
}

/* ---------------------------------------------------------------- math */

/* cel-go's isNumericArgType: a number literal, or anything that is not a
 * literal of another kind or an aggregate literal. */
static bool numeric_arg(const cel_ast *e)
{
    switch (e->kind) {
    case CEL_AST_LITERAL:
        return e->u.lit.kind == CEL_INT || e->u.lit.kind == CEL_UINT || e->u.lit.kind == CEL_DOUBLE;
    case CEL_AST_LIST:
    case CEL_AST_MAP:
    case CEL_AST_STRUCT:
        return false;
    default:
        return true;
    }
}

/* math.greatest(...) / math.least(...) (ext/math.go): one argument (a
 * number or a non-empty list literal of numbers) calls math.@max(x), two
 * call math.@max(a, b), more call math.@max([a, b, ...]). */
static cel_ast *make_math(mctx *m, bool greatest, cel_ast *target, cel_ast **args, size_t n)
{
    const char *fn = greatest ? "math.@max" : "math.@min";
    const char *name = greatest ? "math.greatest()" : "math.least()";
    char msg[96];
    if (n == 0) {
        snprintf(msg, sizeof msg, "%s requires at least one argument", name);
        return fail_at(m, target, msg);
    }
    if (n == 1) {
        bool ok = numeric_arg(args[0]);
        if (args[0]->kind == CEL_AST_LIST && args[0]->u.list.n > 0) {
            ok = true;
            for (size_t i = 0; i < args[0]->u.list.n && ok; i++)
                ok = numeric_arg(args[0]->u.list.elems[i]);
        }
        if (!ok) {
            snprintf(msg, sizeof msg, "%s invalid single argument value", name);
            return fail_at(m, args[0], msg);
        }
        return cel_parse_call(m->p, fn, NULL, args, 1, m->at);
    }
    for (size_t i = 0; i < n; i++) {
        if (!numeric_arg(args[i])) {
            snprintf(msg, sizeof msg, "%s simple literal arguments must be numeric", name);
            return fail_at(m, args[i], msg);
        }
    }
    if (n == 2)
        return cel_parse_call(m->p, fn, NULL, args, 2, m->at);
    cel_ast *list = cel_parse_list(m->p, args, n, m->at);
    return cel_parse_call(m->p, fn, NULL, &list, 1, m->at);
}

/* ---------------------------------------------------------------- dispatch */

static bool is(const char *fn, const char *name) { return strcmp(fn, name) == 0; }

static cel_ast *dispatch(mctx *m, unsigned set, const char *fn, cel_ast *target, cel_ast **args,
                         size_t n, bool *matched)
{
    *matched = true;
    if (!target) {
        if ((set & CEL_MACROS_STD) && n == 1 && is(fn, "has"))
            return make_has(m, args);
        *matched = false;
        return NULL;
    }
    if ((set & CEL_MACROS_MATH) && (is(fn, "greatest") || is(fn, "least"))) {
        const char *ns = ident_name(target);
        if (ns && strcmp(ns, "math") == 0)
            return make_math(m, is(fn, "greatest"), target, args, n);
    }
    if (set & CEL_MACROS_STD) {
        if (n == 2 && is(fn, "all"))
            return make_quantifier(m, Q_ALL, target, args);
        if (n == 2 && is(fn, "exists"))
            return make_quantifier(m, Q_EXISTS, target, args);
        if (n == 2 && (is(fn, "exists_one") || is(fn, "existsOne")))
            return make_quantifier(m, Q_EXISTS_ONE, target, args);
        if ((n == 2 || n == 3) && is(fn, "map"))
            return make_map(m, target, args, n, false);
        if (n == 2 && is(fn, "filter"))
            return make_map(m, target, args, n, true);
    }
    if (set & CEL_MACROS_TWO_VAR) {
        const char *v1, *v2;
        if (n == 3 && (is(fn, "all") || is(fn, "exists") || is(fn, "existsOne") ||
                       is(fn, "exists_one"))) {
            if (!two_vars(m, args, &v1, &v2))
                return NULL;
            int kind = is(fn, "all") ? Q_ALL : is(fn, "exists") ? Q_EXISTS : Q_EXISTS_ONE;
            return quantifier(m, kind, target, v1, v2, args[2]);
        }
        if ((n == 3 || n == 4) && is(fn, "transformList"))
            return make_transform(m, T_LIST, target, args, n);
        if ((n == 3 || n == 4) && is(fn, "transformMap"))
            return make_transform(m, T_MAP, target, args, n);
        if ((n == 3 || n == 4) && is(fn, "transformMapEntry"))
            return make_transform(m, T_MAP_ENTRY, target, args, n);
    }
    if ((set & CEL_MACROS_BIND) && n == 3 && is(fn, "bind") && is_cel_namespace(target))
        return make_bind(m, args);
    if ((set & CEL_MACROS_BLOCK) && is_cel_namespace(target) &&
        ((n == 2 && is(fn, "block")) || (n == 1 && is(fn, "index")) ||
         (n == 2 && (is(fn, "iterVar") || is(fn, "accuVar")))))
        return make_block(m, fn, args);
    if ((set & CEL_MACROS_OPTIONAL) && n == 2 && (is(fn, "optMap") || is(fn, "optFlatMap")))
        return make_opt_map(m, is(fn, "optFlatMap"), target, args);
    if ((set & CEL_MACROS_LISTS) && n == 2 && is(fn, "sortBy"))
        return make_sort_by(m, target, args);
    *matched = false;
    return NULL;
}

cel_ast *cel_macro_expand(cel_parser *p, const char *fn, cel_ast *target, cel_ast **args,
                          size_t nargs, uint32_t call_offset, bool *failed)
{
    unsigned set = cel_parse_macro_set(p);
    *failed = false;
    if (!set)
        return NULL;
    mctx m = { p, call_offset, failed };
    bool matched;
    cel_ast *e = dispatch(&m, set, fn, target, args, nargs, &matched);
    if (!matched || !e)
        return NULL;
    /* Keep the call as written for printing it back. */
    cel_ast *call = cel_parse_call(p, fn, target, args, nargs, call_offset);
    if (!call)
        return NULL;
    e->macro = call;
    if (call->opdepth > e->opdepth)
        e->opdepth = call->opdepth;
    return e;
}
