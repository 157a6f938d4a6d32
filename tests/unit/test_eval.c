/*
 * test_eval.c: the planner and the interpreter, on trees built by hand (so
 * the tests do not depend on the parser) against a small test library:
 * error absorption in && || ?: and comprehensions, cost figures and the
 * cost limit, budget and memory limits, name resolution (qualified names,
 * containers, namespaced functions), literal validation, optionals,
 * indexing, and one program evaluated from four threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/ext.h"
#include "cel/json.h"
#include "cel/plan.h"
#include "env.h"

/* ---------------------------------------------------------------- test library */

static cel_value f_add(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i + a[1].u.i); }
static cel_value f_lt(cel_call *c, const cel_value *a, size_t n) { return cel_bool(a[0].u.i < a[1].u.i); }
static cel_value f_gt(cel_call *c, const cel_value *a, size_t n) { return cel_bool(a[0].u.i > a[1].u.i); }
static cel_value f_not(cel_call *c, const cel_value *a, size_t n) { return cel_bool(!a[0].u.b); }
static cel_value f_div(cel_call *c, const cel_value *a, size_t n)
{
    if (a[1].u.i == 0)
        return cel_error_new(cel_call_arena(c), CEL_ERR_DIV_ZERO, "division by zero");
    return cel_int(a[0].u.i / a[1].u.i);
}
static cel_value f_size(cel_call *c, const cel_value *a, size_t n) { return cel_int((int64_t)a[0].u.list->len); }
static cel_value f_id(cel_call *c, const cel_value *a, size_t n) { return a[0]; }
static cel_value f_double(cel_call *c, const cel_value *a, size_t n) { return cel_int(a[0].u.i * 2); }
static cel_value f_re(cel_call *c, const cel_value *a, size_t n)
{
    if (memchr(a[0].u.str, '(', a[0].len))
        return cel_error_new(cel_call_arena(c), CEL_ERR_GENERAL, "invalid regex: missing )");
    return cel_bool(true);
}
static uint64_t cost_len(const cel_value *a, size_t n) { return a[0].len; }

static const cel_overload test_ovl[] = {
    {"add_int", "_+_", false, 2, 0, {&cel_t_int, &cel_t_int}, &cel_t_int, f_add, NULL},
    {"lt_int", "_<_", false, 2, 0, {&cel_t_int, &cel_t_int}, &cel_t_bool, f_lt, NULL},
    {"gt_int", "_>_", false, 2, 0, {&cel_t_int, &cel_t_int}, &cel_t_bool, f_gt, NULL},
    {"not", "!_", false, 1, 0, {&cel_t_bool}, &cel_t_bool, f_not, NULL},
    {"div_int", "_/_", false, 2, 0, {&cel_t_int, &cel_t_int}, &cel_t_int, f_div, NULL},
    {"size_list", "size", true, 1, 0, {&cel_t_list_dyn}, &cel_t_int, f_size, NULL},
    {"costly", "costly", false, 1, 0, {&cel_t_string}, &cel_t_string, f_id, cost_len},
    {"ns_fn", "ns.fn", false, 1, 0, {&cel_t_int}, &cel_t_int, f_double, NULL},
    {"re", "re", false, 1, CEL_FN_VALIDATE_LITERAL, {&cel_t_string}, &cel_t_bool, f_re, NULL},
};
static const cel_library test_lib = {"test", test_ovl, sizeof test_ovl / sizeof test_ovl[0], NULL, 0};

/* ---------------------------------------------------------------- tree builders */

static cel_arena *T; /* trees */
static cel_arena *A; /* evaluations */
static uint32_t next_id;

static cel_ast *mk(int kind)
{
    cel_ast *n = cel_arena_alloc(T, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    n->id = ++next_id;
    return n;
}
static cel_ast *lit(cel_value v) { cel_ast *n = mk(CEL_AST_LITERAL); n->u.lit = v; return n; }
static cel_ast *I(int64_t i) { return lit(cel_int(i)); }
static cel_ast *S(const char *s) { return lit(cel_string_n(s, (uint32_t)strlen(s))); }
static cel_ast *B(bool b) { return lit(cel_bool(b)); }
static cel_ast *id(const char *name) { cel_ast *n = mk(CEL_AST_IDENT); n->u.ident.name = name; return n; }
static cel_ast *sel(cel_ast *o, const char *f) { cel_ast *n = mk(CEL_AST_SELECT); n->u.select.operand = o; n->u.select.field = f; return n; }
static cel_ast *has(cel_ast *o, const char *f) { cel_ast *n = sel(o, f); n->u.select.test_only = true; return n; }
static cel_ast *optsel(cel_ast *o, const char *f) { cel_ast *n = sel(o, f); n->u.select.optional = true; return n; }

static cel_ast *callv(const char *fn, cel_ast *target, size_t nargs, va_list ap)
{
    cel_ast *n = mk(CEL_AST_CALL);
    n->u.call.fn = fn;
    n->u.call.target = target;
    n->u.call.nargs = nargs;
    n->u.call.args = cel_arena_alloc(T, (nargs + 1) * sizeof(cel_ast *));
    for (size_t i = 0; i < nargs; i++)
        n->u.call.args[i] = va_arg(ap, cel_ast *);
    return n;
}
static cel_ast *call(const char *fn, size_t nargs, ...)
{
    va_list ap; va_start(ap, nargs);
    cel_ast *n = callv(fn, NULL, nargs, ap);
    va_end(ap);
    return n;
}
static cel_ast *mcall(cel_ast *target, const char *fn, size_t nargs, ...)
{
    va_list ap; va_start(ap, nargs);
    cel_ast *n = callv(fn, target, nargs, ap);
    va_end(ap);
    return n;
}
static cel_ast *list(size_t n, ...)
{
    cel_ast *l = mk(CEL_AST_LIST);
    l->u.list.n = n;
    l->u.list.elems = cel_arena_alloc(T, (n + 1) * sizeof(cel_ast *));
    va_list ap; va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        l->u.list.elems[i] = va_arg(ap, cel_ast *);
    va_end(ap);
    return l;
}
/* {k0: v0, k1: v1, ...} */
static cel_ast *map(size_t n, ...)
{
    cel_ast *m = mk(CEL_AST_MAP);
    m->u.map.n = n;
    m->u.map.entries = cel_arena_alloc(T, (n + 1) * sizeof(cel_ast_entry));
    memset(m->u.map.entries, 0, (n + 1) * sizeof(cel_ast_entry));
    va_list ap; va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        m->u.map.entries[i].key = va_arg(ap, cel_ast *);
        m->u.map.entries[i].value = va_arg(ap, cel_ast *);
    }
    va_end(ap);
    return m;
}
static cel_ast *comp(const char *iter, cel_ast *range, cel_ast *init, cel_ast *cond, cel_ast *step,
                     cel_ast *result)
{
    cel_ast *n = mk(CEL_AST_COMPREHENSION);
    n->u.comp.iter_var = iter;
    n->u.comp.accu_var = "@result";
    n->u.comp.iter_range = range;
    n->u.comp.accu_init = init;
    n->u.comp.loop_cond = cond;
    n->u.comp.loop_step = step;
    n->u.comp.result = result;
    return n;
}
/* The expansions of cel-go's standard macros. */
static cel_ast *all(cel_ast *range, const char *x, cel_ast *pred)
{
    return comp(x, range, B(true), call("@not_strictly_false", 1, id("@result")),
                call("_&&_", 2, id("@result"), pred), id("@result"));
}
static cel_ast *exists(cel_ast *range, const char *x, cel_ast *pred)
{
    return comp(x, range, B(false), call("@not_strictly_false", 1, call("!_", 1, id("@result"))),
                call("_||_", 2, id("@result"), pred), id("@result"));
}
static cel_ast *map_macro(cel_ast *range, const char *x, cel_ast *f)
{
    return comp(x, range, list(0), B(true), call("_+_", 2, id("@result"), list(1, f)), id("@result"));
}
static cel_ast *filter(cel_ast *range, const char *x, cel_ast *pred)
{
    return comp(x, range, list(0), B(true),
                call("_?_:_", 3, pred, call("_+_", 2, id("@result"), list(1, id(x))), id("@result")),
                id("@result"));
}
static cel_ast *div0(void) { return call("_/_", 2, I(1), I(0)); }

/* ---------------------------------------------------------------- harness */

static cel_env *env;
static cel_value vars[8];
/* Results may point at the program's constants: the last program lives
 * until the next run. */
static cel_program *last;

static int setup(void **state)
{
    T = cel_arena_new(0);
    A = cel_arena_new(0);
    cel_env_options o = {0};
    env = cel_env_new(&o);
    if (!env || cel_env_add_library(env, &test_lib) != 0)
        return -1;
    cel_env_add_var(env, "a.b", &cel_t_dyn);  /* slot 0 */
    cel_env_add_var(env, "a", &cel_t_dyn);    /* slot 1 */
    cel_env_add_var(env, "big", &cel_t_dyn);  /* slot 2 */
    cel_env_add_var(env, "o", &cel_t_dyn);    /* slot 3 */
    cel_env_add_var(env, "s", &cel_t_string); /* slot 4 */
    return 0;
}

static int teardown(void **state)
{
    cel_program_free(last);
    cel_env_free(env);
    cel_arena_free(T);
    cel_arena_free(A);
    return 0;
}

static cel_program *plan(const cel_env *e, cel_ast *root)
{
    cel_diag d;
    cel_program *p = cel_plan_tree(e, root, "test", 4, &d);
    if (!p)
        fail_msg("plan failed: %s", d.text);
    cel_diag_clear(&d);
    return p;
}


static cel_value run_opts(cel_ast *root, const cel_eval_opts *opts, uint64_t *cost)
{
    cel_program_free(last);
    last = plan(env, root);
    cel_activation act = {vars, 5};
    return cel_eval(last, &act, A, opts, cost);
}

static cel_value run(cel_ast *root) { return run_opts(root, NULL, NULL); }

static void expect_lit(cel_ast *root, const char *want)
{
    cel_value v = run(root);
    char *s = cel_value_to_cel_literal(&v, A);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void expect_error(cel_ast *root, const char *msg)
{
    cel_value v = run(root);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_string_equal(v.u.err->msg, msg);
}

/* ---------------------------------------------------------------- tests */

static void test_logic_absorbs_errors(void **state)
{
    cel_ast *err = call("_==_", 2, div0(), I(1));
    expect_lit(call("_&&_", 2, B(false), err), "false");
    expect_lit(call("_&&_", 2, call("_==_", 2, div0(), I(1)), B(false)), "false");
    expect_lit(call("_||_", 2, call("_==_", 2, div0(), I(1)), B(true)), "true");
    expect_lit(call("_||_", 2, B(true), call("_==_", 2, div0(), I(1))), "true");
    expect_error(call("_&&_", 2, B(true), call("_==_", 2, div0(), I(1))), "division by zero");
    expect_error(call("_||_", 2, call("_==_", 2, div0(), I(1)), B(false)), "division by zero");
    expect_error(call("_&&_", 2, I(1), B(true)), "no such overload: _&&_(int)");
    vars[4] = cel_null();
    expect_error(call("_?_:_", 3, id("s"), I(1), I(2)), "no such overload: _?_:_(null_type)");
}

static void test_conditional_is_lazy(void **state)
{
    vars[1] = cel_bool(true);
    expect_lit(call("_?_:_", 3, id("a"), I(1), div0()), "1");
    vars[1] = cel_bool(false);
    expect_error(call("_?_:_", 3, id("a"), I(1), div0()), "division by zero");
}

static void test_comprehensions(void **state)
{
    cel_ast *l123 = list(3, I(1), I(2), I(3));
    expect_lit(all(l123, "x", call("_<_", 2, id("x"), I(3))), "false");
    expect_lit(all(list(2, I(1), I(2)), "x", call("_<_", 2, id("x"), I(3))), "true");
    expect_lit(exists(list(3, I(1), I(2), I(3)), "x", call("_<_", 2, I(2), id("x"))), "true");
    /* An error in one iteration is absorbed when another decides. */
    expect_lit(exists(list(2, I(0), I(1)), "x", call("_==_", 2, call("_/_", 2, I(1), id("x")), I(1))),
               "true");
    expect_lit(all(list(2, I(0), I(1)), "x", call("_>_", 2, call("_/_", 2, I(1), id("x")), I(5))),
               "false");
    expect_error(all(list(2, I(0), I(1)), "x", call("_<_", 2, call("_/_", 2, I(1), id("x")), I(5))),
                 "division by zero");
    expect_lit(map_macro(list(3, I(1), I(2), I(3)), "x", call("_+_", 2, id("x"), I(1))), "[2, 3, 4]");
    expect_lit(filter(list(4, I(1), I(5), I(2), I(7)), "x", call("_<_", 2, id("x"), I(3))), "[1, 2]");
    /* Nested: the inner comprehension reuses its slot on each outer step. */
    expect_lit(map_macro(list(2, I(1), I(2)), "x",
                         map_macro(list(2, I(10), I(20)), "y", call("_+_", 2, id("x"), id("y")))),
               "[[11, 21], [12, 22]]");
    /* Maps iterate by key. */
    expect_lit(map_macro(map(2, S("k1"), I(1), S("k2"), I(2)), "k", id("k")), "[\"k1\", \"k2\"]");
    expect_error(all(I(3), "x", B(true)), "expected iterable type, got int");
}

static void test_big_map_macro_is_linear(void **state)
{
    enum { N = 20000 };
    cel_value *items = cel_arena_alloc(A, N * sizeof *items);
    for (int i = 0; i < N; i++)
        items[i] = cel_int(i);
    vars[2] = cel_list_new(A, items, N);
    cel_value v = run(map_macro(id("big"), "x", call("_+_", 2, id("x"), I(1))));
    assert_int_equal(v.kind, CEL_LIST);
    assert_int_equal(v.u.list->len, N);
    assert_int_equal(cel_list_at(v.u.list, N - 1, A).u.i, N);
    /* Quadratic copying would need N^2/2 values: far more than this. */
    assert_true(cel_arena_used(A) < (size_t)N * 16 * 8);
}

static void test_cost_figures(void **state)
{
    uint64_t cost = 0;
    cel_value k[1] = {cel_string_n("b", 1)}, v[1] = {cel_int(7)};
    vars[1] = cel_map_new(A, k, v, 1);
    vars[0] = cel_int(3);
    /* a.b is declared: one variable read, not a select on a. */
    cel_value r = run_opts(sel(id("a"), "b"), NULL, &cost);
    assert_int_equal(r.u.i, 3);
    assert_int_equal(cost, 1);
    r = run_opts(I(5), NULL, &cost);
    assert_int_equal(cost, 0);
    r = run_opts(call("_+_", 2, id("a.b"), I(1)), NULL, &cost);
    assert_int_equal(cost, 2);
    r = run_opts(has(id("a"), "b"), NULL, &cost);
    assert_true(r.u.b);
    assert_int_equal(cost, 1); /* the identifier; has() itself is free */
    r = run_opts(list(2, id("a.b"), I(1)), NULL, &cost);
    assert_int_equal(cost, 11);
    r = run_opts(map(1, S("x"), id("a.b")), NULL, &cost);
    assert_int_equal(cost, 31);
    /* range [1,2,3] 10 + init [] 10 + 3 * (accu 1 + x 1 + x 1 + _+_ 1 + [..] 10 + append 1)
     * + result 1 */
    r = run_opts(map_macro(list(3, I(1), I(2), I(3)), "x", call("_+_", 2, id("x"), id("x"))), NULL,
                 &cost);
    assert_int_equal(cost, 66);
    r = run_opts(call("costly", 1, S("abcdefgh")), NULL, &cost);
    assert_int_equal(cost, 8); /* folded at compile time, still priced */
}

static void test_cost_limit(void **state)
{
    uint64_t cost = 0;
    cel_eval_opts o = {.cost_limit = 20};
    cel_value r = run_opts(map_macro(list(3, I(1), I(2), I(3)), "x", call("_+_", 2, id("x"), id("x"))),
                           &o, &cost);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_int_equal(r.u.err->code, CEL_ERR_COST);
    assert_string_equal(r.u.err->msg, "operation cancelled: actual cost limit exceeded");
    assert_true(cost > 20 && cost < 40);
    /* A cost error is never absorbed. */
    vars[4] = cel_string_n("0123456789012345678901234", 25);
    r = run_opts(call("_||_", 2, call("_==_", 2, call("costly", 1, id("s")), S("")), B(true)), &o, &cost);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_int_equal(r.u.err->code, CEL_ERR_COST);
    vars[4] = cel_string_n("", 0);
}

static void test_budget(void **state)
{
    uint64_t budget = 100, cost;
    cel_eval_opts o = {.budget = &budget};
    cel_ast *e = map_macro(list(3, I(1), I(2), I(3)), "x", call("_+_", 2, id("x"), id("x")));
    cel_value r = run_opts(e, &o, &cost);
    assert_int_equal(r.kind, CEL_LIST);
    assert_int_equal(budget, 34);
    r = run_opts(e, &o, &cost);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_int_equal(r.u.err->code, CEL_ERR_BUDGET);
    assert_int_equal(budget, 0);
}

static void test_memory_limit(void **state)
{
    enum { N = 5000 };
    cel_value *items = cel_arena_alloc(A, N * sizeof *items);
    for (int i = 0; i < N; i++)
        items[i] = cel_int(i);
    vars[2] = cel_list_new(A, items, N);
    cel_eval_opts o = {.memory_limit = 16 * 1024};
    /* || would absorb an ordinary error; running out of memory must not be. */
    cel_value r = run_opts(call("_||_", 2, call("_==_", 2, map_macro(id("big"), "x", id("x")), I(1)), B(true)),
                           &o, NULL);
    assert_int_equal(r.kind, CEL_ERROR);
    assert_int_equal(r.u.err->code, CEL_ERR_MEMORY);
    /* The arena's own limit is restored afterwards. */
    assert_int_equal(cel_arena_get_limit(A), 0);
}

static void test_deep_nesting(void **state)
{
    cel_ast *e = I(1);
    for (int i = 0; i < 500; i++)
        e = call("_+_", 2, e, id("a.b"));
    vars[0] = cel_int(1);
    expect_lit(e, "501");
    for (int i = 0; i < 1000; i++)
        e = call("_+_", 2, e, I(1));
    cel_diag d;
    cel_program *p = cel_plan_tree(env, e, "x", 1, &d);
    assert_null(p);
    assert_string_equal(d.message, "expression nested too deeply");
    cel_diag_clear(&d);
}

static void test_names(void **state)
{
    cel_value k[1] = {cel_string_n("c", 1)}, v[1] = {cel_int(42)};
    vars[0] = cel_map_new(A, k, v, 1); /* a.b */
    vars[1] = cel_int(0);              /* a */
    /* The longest declared prefix wins: a.b.c is select c on variable a.b. */
    expect_lit(sel(sel(id("a"), "b"), "c"), "42");
    expect_error(id("nope"), "no such attribute(s): nope");
    expect_lit(id("int"), "int");
    expect_lit(call("type", 1, I(1)), "int");
    expect_lit(call("_==_", 2, call("type", 1, list(0)), id("list")), "true");
    /* Namespaced function: ns is not a variable, ns.fn is a function. */
    expect_lit(mcall(id("ns"), "fn", 1, I(21)), "42");

    cel_env_options o = {.container = "x.y"};
    cel_env *ce = cel_env_new(&o);
    assert_int_equal(cel_env_add_var(ce, "x.v", &cel_t_dyn), 0);
    assert_int_equal(cel_env_add_var(ce, "v", &cel_t_dyn), 1);
    cel_value cv[2] = {cel_int(1), cel_int(2)};
    cel_activation act = {cv, 2};
    cel_program *p = plan(ce, id("v"));
    assert_int_equal(cel_eval(p, &act, A, NULL, NULL).u.i, 1); /* x.v, from the container */
    cel_program_free(p);
    p = plan(ce, id(".v"));
    assert_int_equal(cel_eval(p, &act, A, NULL, NULL).u.i, 2); /* root scope */
    cel_program_free(p);
    cel_env_free(ce);
}

static void test_literal_validation(void **state)
{
    cel_ast *bad = call("re", 1, S("a("));
    bad->offset = 3;
    cel_diag d;
    cel_program *p = cel_plan_tree(env, bad, "xyzre('a(')", 11, &d);
    assert_null(p);
    assert_string_equal(d.message, "invalid regex: missing )");
    cel_diag_clear(&d);
    expect_lit(call("re", 1, S("ab")), "true");
    /* With a non-literal argument the error happens at run time. */
    vars[4] = cel_string_n("(", 1);
    expect_error(call("re", 1, id("s")), "invalid regex: missing )");
    vars[4] = cel_string_n("", 0);
}

static void test_index_and_membership(void **state)
{
    expect_error(call("_[_]", 2, list(2, I(1), I(2)), I(2)), "index out of bounds: 2");
    expect_lit(call("_[_]", 2, list(2, I(1), I(2)), lit(cel_double(1.0))), "2");
    expect_lit(call("_[_]", 2, map(1, lit(cel_uint(1)), S("a")), I(1)), "\"a\"");
    expect_lit(call("_[_]", 2, map(1, I(2), S("b")), lit(cel_double(2.0))), "\"b\"");
    expect_error(call("_[_]", 2, map(1, I(2), S("b")), lit(cel_double(3.1))), "no such key: 3.1");
    expect_error(sel(map(1, S("x"), I(1)), "y"), "no such key: y");
    expect_lit(call("@in", 2, lit(cel_uint(2)), list(2, I(1), I(2))), "true");
    expect_lit(call("@in", 2, S("x"), map(1, S("x"), I(1))), "true");
    expect_lit(call("@in", 2, I(3), list(2, I(1), I(2))), "false");
    expect_error(map(2, I(0), I(1), lit(cel_uint(0)), I(2)), "Failed with repeated key");
    expect_lit(has(map(1, S("x"), I(1)), "x"), "true");
    expect_lit(has(map(1, S("x"), I(1)), "y"), "false");
    expect_lit(has(I(1), "y"), "false"); /* cel-go: no error for non-maps */
    expect_error(sel(I(1), "y"), "no such key: y");
    expect_error(call("_[_]", 2, list(1, I(1)), lit(cel_double(0.5))), "unsupported index value 0.5 in list");
    expect_error(call("_[_]", 2, list(1, I(1)), S("a")), "unsupported index type 'string' in list");
    expect_error(call("_<_", 2, S("a"), I(1)), "no such overload: _<_(string, int)");
    expect_lit(mcall(list(2, I(1), I(2)), "size", 0), "2");
}

static void test_optionals(void **state)
{
    expect_lit(optsel(map(1, S("a"), I(1)), "a"), "optional.of(1)");
    expect_lit(optsel(map(1, S("a"), I(1)), "b"), "optional.none()");
    /* Once optional, the chain stays optional. */
    expect_lit(sel(optsel(map(1, S("a"), map(1, S("b"), I(2))), "a"), "b"), "optional.of(2)");
    expect_lit(sel(optsel(map(1, S("a"), map(1, S("b"), I(2))), "a"), "c"), "optional.none()");
    expect_lit(call("_[?_]", 2, list(1, I(5)), I(3)), "optional.none()");
    expect_lit(call("_[?_]", 2, list(1, I(5)), I(0)), "optional.of(5)");
    static cel_value one;
    one = cel_int(1);
    vars[3] = (cel_value){.kind = CEL_OPTIONAL, .u.opt = &one};
    cel_ast *l = list(2, id("o"), optsel(map(0), "z"));
    static const bool opt[2] = {true, true};
    l->u.list.optional = opt;
    expect_lit(l, "[1]");
    cel_ast *m = map(2, S("a"), id("o"), S("b"), optsel(map(0), "z"));
    m->u.map.entries[0].optional = m->u.map.entries[1].optional = true;
    expect_lit(m, "{\"a\": 1}");
}

typedef struct thread_arg {
    const cel_program *p;
    const cel_activation *act;
    char *out;
} thread_arg;

static void *eval_thread(void *varg)
{
    thread_arg *t = varg;
    cel_arena *a = cel_arena_new(0);
    for (int i = 0; i < 200 && a; i++) {
        cel_value v = cel_eval(t->p, t->act, a, NULL, NULL);
        free(t->out);
        t->out = cel_value_to_cel_literal(&v, a);
        cel_arena_reset(a);
    }
    cel_arena_free(a);
    return NULL;
}

static void test_threads(void **state)
{
    cel_value *items = cel_arena_alloc(A, 100 * sizeof *items);
    for (int i = 0; i < 100; i++)
        items[i] = cel_int(i);
    vars[2] = cel_list_new(A, items, 100);
    cel_program *p = plan(env, filter(map_macro(id("big"), "x", call("_+_", 2, id("x"), I(1))), "y",
                                      call("_<_", 2, I(90), id("y"))));
    cel_activation act = {vars, 5};
    cel_value ref = cel_eval(p, &act, A, NULL, NULL);
    char *want = cel_value_to_cel_literal(&ref, A);
    assert_string_equal(want, "[91, 92, 93, 94, 95, 96, 97, 98, 99, 100]");
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){p, &act, NULL};
        assert_int_equal(pthread_create(&th[i], NULL, eval_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_non_null(args[i].out);
        assert_string_equal(args[i].out, want);
        free(args[i].out);
    }
    free(want);
    cel_program_free(p);
}

/* Chains of selects run as one path node: through JSON objects without
 * wrapping them, otherwise step by step; results and costs are those of
 * the chain either way. */
static void test_select_paths(void **state)
{
    json_t *doc = json_loads("{\"x\": {\"y\": {\"z\": 5}}, \"s\": \"str\", \"n\": null}", 0, NULL);
    assert_non_null(doc);
    for (int native = 0; native < 2; native++) {
        if (native) {
            /* The same document as native maps. */
            static cel_value zk[1], zv[1], yk[1], yv[1], xk[3], xv[3];
            zk[0] = cel_string_n("z", 1); zv[0] = cel_int(5);
            yk[0] = cel_string_n("y", 1); yv[0] = cel_map_new(A, zk, zv, 1);
            xk[0] = cel_string_n("x", 1); xv[0] = cel_map_new(A, yk, yv, 1);
            xk[1] = cel_string_n("s", 1); xv[1] = cel_string_n("str", 3);
            xk[2] = cel_string_n("n", 1); xv[2] = cel_null();
            vars[2] = cel_map_new(A, xk, xv, 3);
        } else {
            vars[2] = cel_json_value(doc, A);
        }
        uint64_t cost;
        cel_value r = run_opts(sel(sel(sel(id("big"), "x"), "y"), "z"), NULL, &cost);
        assert_int_equal(r.kind, CEL_INT);
        assert_int_equal(r.u.i, 5);
        assert_int_equal(cost, 4);
        r = run_opts(sel(sel(sel(id("big"), "x"), "q"), "z"), NULL, &cost);
        assert_int_equal(r.kind, CEL_ERROR);
        assert_string_equal(r.u.err->msg, "no such key: q");
        assert_int_equal(cost, 3);
        r = run_opts(sel(sel(sel(id("big"), "s"), "z"), "w"), NULL, &cost);
        assert_string_equal(r.u.err->msg, "no such key: z");
        assert_int_equal(cost, 3);
        r = run_opts(sel(sel(id("big"), "n"), "z"), NULL, &cost);
        assert_string_equal(r.u.err->msg, "no such key: z");
        expect_lit(sel(sel(id("big"), "x"), "y"), "{\"z\": 5}");
        /* An optional in the chain keeps the rest optional. */
        static cel_value box;
        box = vars[2];
        vars[3] = (cel_value){.kind = CEL_OPTIONAL, .u.opt = &box};
        expect_lit(sel(sel(sel(id("o"), "x"), "y"), "z"), "optional.of(5)");
        expect_lit(sel(sel(sel(id("o"), "x"), "q"), "z"), "optional.none()");
        vars[3] = (cel_value){.kind = CEL_OPTIONAL, .u.opt = NULL};
        r = run_opts(sel(sel(sel(id("o"), "x"), "y"), "z"), NULL, &cost);
        assert_int_equal(r.kind, CEL_OPTIONAL);
        assert_null(r.u.opt);
        assert_int_equal(cost, 4);
    }
    json_decref(doc);
}

/* transformMap inserts into a map the comprehension owns: linear, with
 * the library function's results and errors. */
static void test_transform_map(void **state)
{
    enum { N = 20000 };
    cel_env_options o = {.std_lib = true, .macros = CEL_MACROS_ALL};
    cel_env *me = cel_env_new(&o);
    assert_int_equal(cel_env_add_var(me, "big", &cel_t_dyn), 0);
    cel_value *items = cel_arena_alloc(A, N * sizeof *items);
    for (int i = 0; i < N; i++)
        items[i] = cel_int(i);
    cel_value big = cel_list_new(A, items, N);
    cel_activation act = {&big, 1};
    const char *src = "big.transformMap(i, v, v % 2 == 0, v * 3)";
    cel_diag d;
    cel_program *p = cel_compile(me, src, strlen(src), &d);
    if (!p)
        fail_msg("%s", d.text);
    size_t before = cel_arena_used(A);
    cel_value r = cel_eval(p, &act, A, NULL, NULL);
    assert_int_equal(r.kind, CEL_MAP);
    assert_int_equal(r.u.map->len, N / 2);
    cel_value out, key = cel_int(19998);
    assert_true(cel_map_find(r.u.map, &key, &out, A));
    assert_int_equal(out.u.i, 3 * 19998);
    key = cel_int(19999);
    assert_false(cel_map_find(r.u.map, &key, &out, A));
    /* Copying the map at each step would take N^2/8 entries of memory. */
    assert_true(cel_arena_used(A) - before < (size_t)N * 200);
    cel_program_free(p);

    src = "{'a': 1, 'b': 2}.transformMapEntry(k, v, {'same': v})";
    p = cel_compile(me, src, strlen(src), &d);
    assert_non_null(p);
    r = cel_eval(p, NULL, A, NULL, NULL);
    assert_int_equal(r.kind, CEL_ERROR);
    /* Go's %v of the key: no quotes (cel-go's mutableMap.Insert). */
    assert_string_equal(r.u.err->msg, "insert failed: key same already exists");
    cel_program_free(p);
    src = "{'a': 1, 'b': 2}.transformMapEntry(k, v, {k + k: v}) == {'aa': 1, 'bb': 2}";
    p = cel_compile(me, src, strlen(src), &d);
    assert_non_null(p);
    r = cel_eval(p, NULL, A, NULL, NULL);
    assert_int_equal(r.kind, CEL_BOOL);
    assert_true(r.u.b);
    cel_program_free(p);
    cel_env_free(me);
}

/* cel.@block: indexes are computed on first use, once. */
static void test_block(void **state)
{
    cel_env_options o = {.std_lib = true, .macros = CEL_MACROS_ALL, .disable_check = true};
    cel_env *be = cel_env_new(&o);
    static const struct {
        const char *src, *want;
        uint64_t cost;
    } cases[] = {
        {"cel.block([1, cel.index(0) + 1, cel.index(1) + 1], cel.index(2))", "3", 5},
        /* an index nobody reads is never evaluated */
        {"cel.block([1 / 0, 2], cel.index(1))", "2", 1},
        /* computed once, read three times */
        {"cel.block(['ab' + 'cd'], [cel.index(0), cel.index(0), cel.index(0)])", "[\"abcd\", \"abcd\", \"abcd\"]", 14},
        {"[1, 2].map(x, cel.block([x * 10], cel.index(0) + 1))", "[11, 21]", 0},
        {"cel.block([cel.index(0)], cel.index(0))", "error(\"cel.block: @index0 depends on itself\")", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cel_diag d;
        cel_program *p = cel_compile(be, cases[i].src, strlen(cases[i].src), &d);
        if (!p)
            fail_msg("%s: %s", cases[i].src, d.text);
        uint64_t cost;
        cel_value v = cel_eval(p, NULL, A, NULL, &cost);
        char *text = cel_value_to_cel_literal(&v, A);
        assert_string_equal(text, cases[i].want);
        free(text);
        if (cases[i].cost)
            assert_int_equal(cost, cases[i].cost);
        cel_program_free(p);
    }
    cel_env_free(be);
}

/* Environment bookkeeping the checker and the planner rely on. */
static void test_env(void **state)
{
    cel_env_options o = {.container = "a.b"};
    cel_env *e = cel_env_new(&o);
    assert_non_null(e);
    assert_string_equal(cel_env_options_of(e)->container, "a.b");
    assert_int_equal(cel_env_add_var(e, "x.y", &cel_t_int), 0);
    assert_int_equal(cel_env_add_var(e, "x.y", &cel_t_int), -1); /* duplicate */
    assert_int_equal(cel_env_add_var(e, "z", NULL), 1);
    assert_int_equal(cel_env_var_count(e), 2);
    const cel_var_decl *d = cel_env_find_var(e, "x.y.q", 3);
    assert_non_null(d);
    assert_int_equal(d->slot, 0);
    assert_ptr_equal(cel_env_find_var(e, "z", 1)->type, &cel_t_dyn);
    assert_null(cel_env_find_var(e, "x", 1));
    assert_int_equal(cel_env_add_library(e, &test_lib), 0);
    assert_int_equal(cel_env_add_library(e, &test_lib), -1); /* overload ids repeat */
    const cel_overload *out[4];
    assert_int_equal(cel_env_find_overloads(e, "size", true, out, 4), 1);
    assert_int_equal(cel_env_find_overloads(e, "size", false, out, 4), 0);
    assert_true(cel_env_has_function(e, "ns.fn"));
    assert_true(cel_env_has_function(e, "cel.@mapInsert")); /* every environment */
    assert_false(cel_env_has_function(e, "_-_")); /* no standard library asked for */
    assert_ptr_equal(cel_env_find_type(e, "google.protobuf.Duration", 24), &cel_t_duration);
    assert_ptr_equal(cel_env_find_type(e, "list", 4), &cel_t_list_dyn);
    assert_null(cel_env_find_type(e, "net.IP", 6));
    cel_env_free(e);
    e = cel_env_new(NULL); /* defaults: the standard library */
    assert_true(cel_env_has_function(e, "_-_"));
    assert_true(cel_env_has_function(e, "getFullYear"));
    cel_env_free(e);
}

/* The upstream cost figures of spec cel-k8s-library.md §6, through the
 * parser, the IP/CIDR libraries and constant folding (folded calls still
 * cost what evaluating them would). */
static void test_k8s_cost_figures(void **state)
{
    static const struct {
        const char *expr;
        uint64_t cost;
    } cases[] = {
        {"ip('192.168.0.1')", 2},
        {"ip('2001:db8:3333:4444:5555:6666:7777:8888')", 4},
        {"ip('192.168.0.1').family()", 3},
        {"ip('192.168.0.1') == ip('192.168.0.1')", 5},
        /* a folded condition still costs what computing it did */
        {"ip('192.168.0.1').family() == 4 ? 1 : 2", 4},
        {"true ? 1 : 2", 0},
        {"ip.isCanonical('192.168.0.1')", 3},
        {"ip.isCanonical('2001:db8:3333:4444:5555:6666:7777:8888')", 8},
        {"ip.isCanonical('2001:db8::abcd')", 3},
        {"cidr('192.168.0.0/16')", 2},
        {"cidr('2001:db8::/32')", 2},
        {"cidr('192.168.0.0/16').containsCIDR(cidr('192.0.0.0/30'))", 7},
        {"cidr('192.168.0.0/16').containsIP(ip('192.0.0.1'))", 4},
        {"cidr('192.168.0.0/16').containsIP(ip('192.169.169.250'))", 5},
        {"cidr('2001:db8::/32').containsIP(ip('2001:db8:3333:4444:5555:6666:7777:8888'))", 7},
    };
    cel_env_options o = {.std_lib = true};
    cel_env *ke = cel_env_new(&o);
    assert_non_null(ke);
    assert_int_equal(cel_env_add_library(ke, &cel_lib_k8s_ip), 0);
    assert_int_equal(cel_env_add_library(ke, &cel_lib_k8s_cidr), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cel_diag d;
        cel_program *p = cel_compile(ke, cases[i].expr, strlen(cases[i].expr), &d);
        if (!p)
            fail_msg("%s: %s", cases[i].expr, d.text);
        uint64_t cost = 0;
        cel_value v = cel_eval(p, NULL, A, NULL, &cost);
        assert_int_not_equal(v.kind, CEL_ERROR);
        if (cost != cases[i].cost)
            fail_msg("%s: cost %llu, want %llu", cases[i].expr, (unsigned long long)cost,
                     (unsigned long long)cases[i].cost);
        cel_program_free(p);
    }
    /* ip()/cidr() carry no literal validator (Kubernetes validates only
     * duration, timestamp and regex literals), so a bad CIDR literal
     * compiles and fails when evaluated, as on the API server. */
    cel_diag d;
    const char *bad = "1 == 1 && cidr('10.0.0.0/33').prefixLength() == 1";
    cel_program *p = cel_compile(ke, bad, strlen(bad), &d);
    assert_non_null(p);
    cel_value v = cel_eval(p, NULL, A, NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.u.err->msg, "prefix length out of range"));
    cel_program_free(p);
    cel_env_free(ke);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logic_absorbs_errors),
        cmocka_unit_test(test_conditional_is_lazy),
        cmocka_unit_test(test_comprehensions),
        cmocka_unit_test(test_big_map_macro_is_linear),
        cmocka_unit_test(test_cost_figures),
        cmocka_unit_test(test_cost_limit),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_literal_validation),
        cmocka_unit_test(test_index_and_membership),
        cmocka_unit_test(test_optionals),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_k8s_cost_figures),
        cmocka_unit_test(test_select_paths),
        cmocka_unit_test(test_transform_map),
        cmocka_unit_test(test_block),
        cmocka_unit_test(test_env),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
