/*
 * test_k8s_env.c: the Kubernetes CEL environments (cel/k8s.h): which
 * version has which library and language option, the compatibility
 * version an API server of 1.N uses for new and for stored expressions,
 * literal errors (Kubernetes' validators from 1.29, plain cel-go at run
 * time), RE2-safe regexes through CEL, the cost model Kubernetes' programs
 * are priced with (OptOptimize, attribute shapes), the per-call limit and
 * the shared budget, and the authorizer without a host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cel/cel.h"
#include "cel/ext.h"
#include "cel/ext_authz.h"
#include "cel/k8s.h"
#include "cel_regex.h"
#include "env.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static cel_arena *A;

static int setup(void **state)
{
    A = cel_arena_new(0);
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    cel_arena_free(A);
    return 0;
}

/* Compiles src or fails the test with the diagnostics. */
static cel_program *compile_ok(const cel_env *env, const char *src)
{
    cel_diag d;
    cel_program *p = cel_compile(env, src, strlen(src), &d);
    if (!p)
        fail_msg("%s: %s", src, d.text ? d.text : "?");
    return p;
}

/* The diagnostics of a compilation that must fail; caller clears. */
static cel_diag compile_fails(const cel_env *env, const char *src)
{
    cel_diag d;
    cel_program *p = cel_compile(env, src, strlen(src), &d);
    if (p) {
        cel_program_free(p);
        fail_msg("%s compiled", src);
    }
    return d;
}

static bool compiles(const cel_env *env, const char *src)
{
    cel_diag d;
    cel_program *p = cel_compile(env, src, strlen(src), &d);
    cel_diag_clear(&d);
    cel_program_free(p);
    return p != NULL;
}

/* Evaluates src (no variables) and returns its value; *cost gets the
 * cost. The program is freed: only scalar results may be inspected. */
static cel_value eval_src(const cel_env *env, const char *src, const cel_eval_opts *o, uint64_t *cost)
{
    cel_program *p = compile_ok(env, src);
    cel_arena_reset(A);
    cel_value v = cel_eval(p, NULL, A, o, cost);
    if (v.kind == CEL_ERROR) /* copy the message out of the program's reach */
        v = cel_error_new(A, v.u.err->code, "%s", v.u.err->msg);
    cel_program_free(p);
    return v;
}

/* ---------------------------------------------------------------- versions */

static void test_compatibility_rule(void **state)
{
    /* environment.go: new expressions at the binary's minor - 1, stored
     * ones with everything the binary knows. */
    assert_int_equal(cel_k8s_compat_minor(30, CEL_K8S_NEW_EXPRESSIONS), 29);
    assert_int_equal(cel_k8s_compat_minor(30, CEL_K8S_STORED_EXPRESSIONS), 30);
    assert_int_equal(cel_k8s_compat_minor(0, CEL_K8S_NEW_EXPRESSIONS), CEL_K8S_NEWEST_MINOR - 1);
    assert_int_equal(cel_k8s_compat_minor(0, CEL_K8S_STORED_EXPRESSIONS), CEL_K8S_NEWEST_MINOR);

    for (unsigned m = CEL_K8S_OLDEST_MINOR; m <= CEL_K8S_NEWEST_MINOR; m++) {
        cel_env *e = cel_env_new_k8s(m, NULL);
        assert_non_null(e);
        cel_env_free(e);
    }
    assert_null(cel_env_new_k8s(CEL_K8S_OLDEST_MINOR - 1, NULL));
    assert_null(cel_env_new_k8s(CEL_K8S_NEWEST_MINOR + 1, NULL));
    /* a 1.28 server checks new expressions at 1.27, which is not modelled */
    assert_null(cel_env_new_k8s_server(28, CEL_K8S_NEW_EXPRESSIONS, NULL));
    cel_env *e = cel_env_new_k8s_server(28, CEL_K8S_STORED_EXPRESSIONS, NULL);
    assert_non_null(e);
    cel_env_free(e);

    /* "Will my policy be accepted by my 1.30 cluster?": ip() and cidr()
     * arrived in 1.30, so a 1.30 API server refuses them in a new policy
     * (compatibility version 1.29) but compiles them in a stored one; a
     * 1.31 server accepts them. */
    const char *net = "cidr('10.0.0.0/8').containsIP(ip('10.0.0.1'))";
    cel_env *n30 = cel_env_new_k8s_server(30, CEL_K8S_NEW_EXPRESSIONS, NULL);
    cel_env *s30 = cel_env_new_k8s_server(30, CEL_K8S_STORED_EXPRESSIONS, NULL);
    cel_env *n31 = cel_env_new_k8s_server(31, CEL_K8S_NEW_EXPRESSIONS, NULL);
    assert_non_null(n30);
    assert_non_null(s30);
    assert_non_null(n31);
    cel_diag d = compile_fails(n30, net);
    assert_non_null(strstr(d.text, "undeclared reference to 'cidr'"));
    cel_diag_clear(&d);
    assert_true(compiles(s30, net));
    assert_true(compiles(n31, net));
    cel_env_free(n30);
    cel_env_free(s30);
    cel_env_free(n31);
}

/* The language options by version, against base.go. */
static void test_options_by_version(void **state)
{
    for (unsigned m = CEL_K8S_OLDEST_MINOR; m <= CEL_K8S_NEWEST_MINOR; m++) {
        cel_env *e = cel_env_new_k8s(m, NULL);
        const cel_env_options *o = cel_env_options_of(e);
        /* always: homogeneous aggregate literals, OptOptimize pricing,
         * the standard macros and library */
        assert_true(o->homogeneous_literals);
        assert_true(o->optimize);
        assert_true(o->std_lib);
        assert_false(o->defer_literal_errors);
        assert_true(o->macros & CEL_MACROS_STD);
        /* 1.28 (all modelled versions): optional types, cross-type numeric
         * comparisons */
        assert_true(o->optional_syntax);
        assert_true(o->macros & CEL_MACROS_OPTIONAL);
        assert_true(o->cross_type_numeric);
        /* 1.29: the AST validators */
        assert_int_equal(o->literal_validators, m >= 29);
        /* 1.32: two-variable comprehensions; 1.34: lists v3 (sortBy) */
        assert_int_equal(!!(o->macros & CEL_MACROS_TWO_VAR), m >= 32);
        assert_int_equal(!!(o->macros & CEL_MACROS_LISTS), m >= 34);
        /* never in Kubernetes: cel.bind, cel.block */
        assert_false(o->macros & (CEL_MACROS_BIND | CEL_MACROS_BLOCK));
        cel_env_free(e);
    }
    cel_env *all = cel_env_new_all(NULL);
    assert_int_equal(cel_env_options_of(all)->macros, CEL_MACROS_ALL);
    assert_true(compiles(all, "cel.bind(x, 1, x + 1) == 2"));
    cel_env_free(all);
    cel_env *k = cel_env_new_k8s(0, NULL);
    assert_false(compiles(k, "cel.bind(x, 1, x + 1) == 2"));
    /* the base options keep the caller's container and limits */
    cel_env_free(k);
    cel_env_options base = {.container = "a.b", .max_depth = 7, .disable_check = true};
    k = cel_env_new_k8s(31, &base);
    assert_string_equal(cel_env_options_of(k)->container, "a.b");
    assert_int_equal(cel_env_options_of(k)->max_depth, 7);
    assert_true(cel_env_options_of(k)->disable_check);
    assert_false(cel_env_options_of(k)->macros & CEL_MACROS_TWO_VAR);
    cel_env_free(k);
}

static void test_libraries_by_version(void **state)
{
    for (unsigned m = CEL_K8S_OLDEST_MINOR; m <= CEL_K8S_NEWEST_MINOR; m++) {
        assert_true(cel_k8s_has_library(m, &cel_lib_authz));
        assert_int_equal(cel_k8s_has_library(m, &cel_lib_authz_selectors), m >= 31);
        assert_int_equal(cel_k8s_has_library(m, &cel_lib_k8s_ip), m >= 30);
        assert_int_equal(cel_k8s_has_library(m, &cel_lib_k8s_cidr), m >= 30);
    }
    assert_true(cel_k8s_has_library(0, &cel_lib_k8s_ip));

    /* A function the version lacks is a compile error. */
    cel_env *e29 = cel_env_new_k8s(29, NULL), *e30 = cel_env_new_k8s(30, NULL);
    cel_diag d = compile_fails(e29, "ip('1.2.3.4').family() == 4");
    assert_non_null(strstr(d.text, "undeclared reference to 'ip'"));
    cel_diag_clear(&d);
    assert_true(compiles(e30, "ip('1.2.3.4').family() == 4"));
    assert_true(compiles(e30, "type(cidr('10.0.0.0/8')) == net.CIDR"));
    cel_env_free(e29);
    cel_env_free(e30);

    /* authorizer selectors from 1.31 */
    const char *sel = "authorizer.group('').resource('pods').fieldSelector('spec.nodeName=n').check('list').allowed()";
    for (unsigned m = 30; m <= 31; m++) {
        cel_env *e = cel_env_new_k8s(m, NULL);
        assert_true(cel_env_add_var(e, "authorizer", &cel_t_authz_authorizer) >= 0);
        assert_int_equal(compiles(e, sel), m >= 31);
        assert_true(compiles(e, "authorizer.path('/healthz').check('get').allowed()"));
        cel_env_free(e);
    }

    /* two-variable comprehensions from 1.32 */
    cel_env *e31 = cel_env_new_k8s(31, NULL), *e32 = cel_env_new_k8s(32, NULL);
    assert_false(compiles(e31, "[1, 2].all(i, v, v > i)"));
    assert_true(compiles(e32, "[1, 2].all(i, v, v > i)"));
    assert_true(compiles(e31, "[1, 2].all(v, v > 0)"));
    cel_env_free(e31);
    cel_env_free(e32);

    /* the conformance route: libraries without the options */
    cel_env_options o = {.std_lib = true};
    cel_env *plain = cel_env_new(&o);
    assert_int_equal(cel_env_add_k8s_libraries(plain, 29, false), 0);
    assert_false(compiles(plain, "isIP('1.2.3.4')"));
    cel_env_free(plain);
    plain = cel_env_new(&o);
    assert_int_equal(cel_env_add_k8s_libraries(plain, 0, true), 0);
    assert_true(compiles(plain, "isIP('1.2.3.4')"));
    /* a library added twice clashes */
    assert_int_equal(cel_env_add_k8s_libraries(plain, 0, false), -1);
    cel_env_free(plain);
}

static void test_version_parse(void **state)
{
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"1.30", 30}, {"v1.30", 30}, {"1.30.2", 30}, {"v1.37.12", 37}, {"1.28", 28},
        {"1.27", -2}, {"1.38", -2}, {"1.100", -2},
        {"1.3x", -1}, {"1.030", -1}, {"1.30.", -1}, {"1.30.x", -1}, {"2.30", -1},
        {"1.+30", -1}, {" 1.30", -1}, {"1.30 ", -1}, {"1.", -1}, {"", -1}, {"v", -1},
        {"1.30.1.2", -1}, {"V1.30", -1},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        int got = cel_k8s_version(cases[i].s, CEL_K8S_OLDEST_MINOR, CEL_K8S_NEWEST_MINOR);
        if (got != cases[i].want)
            fail_msg("'%s': %d, want %d", cases[i].s, got, cases[i].want);
        assert_int_equal(cel_k8s_parse_version(cases[i].s), cases[i].want < 0 ? -1 : cases[i].want);
    }
    assert_int_equal(cel_k8s_version(NULL, 28, 37), -1);
}

/* ---------------------------------------------------------------- literals */

/* From 1.29 cel-go's validators report a bad literal as "invalid <fn>
 * argument" at the literal; before, the program could not be built and the
 * function's own message is the error. Plain cel-go finds out at run time. */
static void test_literal_errors(void **state)
{
    cel_env *e29 = cel_env_new_k8s(29, NULL), *e28 = cel_env_new_k8s(28, NULL);
    static const struct {
        const char *src, *fn, *why;
        int column;
    } cases[] = {
        {"duration('1x') > duration('0s')", "duration", "time: unknown unit \"x\" in duration \"1x\"", 10},
        {"timestamp('bad') > timestamp(0)", "timestamp",
         "parsing time \"bad\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"bad\" as \"2006\"", 11},
        {"'abc'.matches('a(')", "matches", "error parsing regexp: missing closing ): `a(`", 15},
        {"timestamp(253402300800) > timestamp(0)", "timestamp", "timestamp overflow", 11},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        char msg[64];
        snprintf(msg, sizeof msg, "invalid %s argument", cases[i].fn);
        cel_diag d = compile_fails(e29, cases[i].src);
        assert_string_equal(d.message, msg);
        assert_int_equal(d.line, 1);
        assert_int_equal(d.column, cases[i].column);
        assert_non_null(d.detail);
        assert_string_equal(d.detail, cases[i].why);
        cel_diag_clear(&d);
        d = compile_fails(e28, cases[i].src);
        assert_string_equal(d.message, cases[i].why);
        assert_null(d.detail);
        cel_diag_clear(&d);
    }
    /* the validator of the global matches(s, p) looks at s (cel-go takes
     * the first argument either way): a bad p is caught when the program
     * is built, with the regex message; a literal s that is not a pattern
     * fails however good p is */
    cel_diag d = compile_fails(e29, "matches('x', 'a(')");
    assert_string_equal(d.message, "error parsing regexp: missing closing ): `a(`");
    cel_diag_clear(&d);
    d = compile_fails(e29, "matches('(', 'a')");
    assert_string_equal(d.message, "invalid matches argument");
    assert_int_equal(d.column, 9);
    cel_diag_clear(&d);
    /* OptOptimize computes conversions of constants when the program is
     * built: a failing one cannot be built */
    d = compile_fails(e29, "int('x') == 1");
    assert_string_equal(d.message, "strconv.ParseInt: parsing \"x\": invalid syntax");
    cel_diag_clear(&d);
    /* non-literal arguments fail at run time */
    assert_int_equal(cel_env_add_var(e29, "s", &cel_t_string), 0);
    cel_program *p = compile_ok(e29, "duration(s) > duration('0s')");
    cel_value vars[1] = {cel_string_n("1x", 2)};
    cel_activation act = {vars, 1};
    cel_arena_reset(A);
    cel_value v = cel_eval(p, &act, A, NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_string_equal(v.u.err->msg, "time: unknown unit \"x\" in duration \"1x\"");
    cel_program_free(p);
    cel_env_free(e29);
    cel_env_free(e28);

    /* plain cel-go (the conformance suite): bad literals at run time */
    cel_env_options o = {.std_lib = true, .defer_literal_errors = true};
    cel_env *plain = cel_env_new(&o);
    v = eval_src(plain, "'abc'.matches('a(')", NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_string_equal(v.u.err->msg, "error parsing regexp: missing closing ): `a(`");
    v = eval_src(plain, "int('x') == 1", NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    cel_env_free(plain);
}

/* ---------------------------------------------------------------- regex */

/* RE2 syntax only: what RE2 lacks is refused with Go's message, a compile
 * error in Kubernetes (the message then "invalid matches argument", the
 * reason in the detail), a run-time error in plain cel-go. */
static void test_regex_syntax(void **state)
{
    static const struct {
        const char *pattern, *go; /* pattern as CEL source text */
    } cases[] = {
        {"(a)\\\\1", "error parsing regexp: invalid escape sequence: `\\1`"},            /* backreference */
        {"a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},    /* lookahead */
        {"a(?!b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
        {"(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"},            /* lookbehind */
        {"(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`"},     /* atomic group */
        {"a*+", "error parsing regexp: invalid nested repetition operator: `*+`"},        /* possessive */
        {"a++", "error parsing regexp: invalid nested repetition operator: `++`"},
        {"a\\\\C", "error parsing regexp: invalid escape sequence: `\\C`"},               /* any byte */
        {"(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`"},      /* recursion */
        {"(a(?1))", "error parsing regexp: invalid or unsupported Perl syntax: `(?1`"},
        {"(?(1)a|b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?(`"}, /* conditional */
    };
    cel_env *k = cel_env_new_k8s(0, NULL), *k28 = cel_env_new_k8s(28, NULL);
    cel_env_options o = {.std_lib = true, .defer_literal_errors = true};
    cel_env *plain = cel_env_new(&o);
    for (size_t i = 0; i < LEN(cases); i++) {
        char src[128];
        snprintf(src, sizeof src, "'x'.matches('%s')", cases[i].pattern);
        cel_diag d = compile_fails(k, src);
        assert_string_equal(d.message, "invalid matches argument");
        assert_non_null(d.detail);
        if (strcmp(d.detail, cases[i].go) != 0)
            fail_msg("%s: detail %s, want %s", src, d.detail, cases[i].go);
        cel_diag_clear(&d);
        d = compile_fails(k28, src);
        assert_string_equal(d.message, cases[i].go);
        cel_diag_clear(&d);
        cel_value v = eval_src(plain, src, NULL, NULL);
        assert_int_equal(v.kind, CEL_ERROR);
        assert_string_equal(v.u.err->msg, cases[i].go);
    }
    cel_env_free(k);
    cel_env_free(k28);
    cel_env_free(plain);
}

/* A pattern that makes a backtracking engine explode answers as RE2 does
 * (no match, no hang), whether folded at compile time or run with a
 * variable; a literal pattern is compiled once per program. */
static void test_regex_safety(void **state)
{
    cel_env *k = cel_env_new_k8s(0, NULL);
    assert_int_equal(cel_env_add_var(k, "s", &cel_t_string), 0);
    assert_int_equal(cel_env_add_var(k, "p", &cel_t_string), 1);
    cel_value v = eval_src(k, "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.matches('^(a+)+$')", NULL, NULL);
    assert_int_equal(v.kind, CEL_BOOL);
    assert_false(v.u.b);

    unsigned long before = cel_regex_compile_count();
    cel_program *lit = compile_ok(k, "s.matches('^(a+)+$')");
    assert_int_equal(cel_regex_compile_count(), before + 1); /* at compile time */
    cel_program *dyn = compile_ok(k, "s.matches(p)");
    assert_int_equal(cel_regex_compile_count(), before + 1);
    const char *subjects[] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < 2; i++) {
            cel_value vars[2] = {cel_string_n(subjects[i], (uint32_t)strlen(subjects[i])),
                                 cel_string_n("^(a+)+$", 7)};
            cel_activation act = {vars, 2};
            cel_arena_reset(A);
            v = cel_eval(lit, &act, A, NULL, NULL);
            assert_int_equal(v.kind, CEL_BOOL);
            assert_int_equal(v.u.b, i == 1);
            v = cel_eval(dyn, &act, A, NULL, NULL);
            assert_int_equal(v.kind, CEL_BOOL);
            assert_int_equal(v.u.b, i == 1);
        }
    }
    /* the literal was never compiled again; the variable one on every call */
    assert_int_equal(cel_regex_compile_count(), before + 1 + 20);
    cel_program_free(lit);
    cel_program_free(dyn);
    cel_env_free(k);
}

/* ---------------------------------------------------------------- cost */

/* Costs of the Kubernetes environments (OptOptimize, cel-go's attribute
 * shapes) next to plain cel-go's for the same expression. */
static void test_cost_model(void **state)
{
    static const struct {
        const char *src;
        uint64_t k8s, plain;
    } cases[] = {
        /* constant aggregates: built once under OptOptimize */
        {"[1, 2].size() == 2", 2, 12},
        {"{'a': 1}.size() == 1", 2, 32},
        {"[[1], [2, 3]].size() == 2", 2, 32},
        {"[1 + 1].size() == 1", 13, 13},  /* a call is not a constant */
        /* conversions of constants are constants */
        {"int('5') == 5", 1, 2},
        {"string(1) == '1'", 1, 2},
        {"duration('1s') < duration('2s')", 1, 3},
        /* `in` a constant list of primitives is a free set lookup */
        {"2 in [1, 2, 3]", 0, 13},
        {"2 in [1, 2, 3] && 'a' in ['a']", 0, 24},
        {"[1] in [[1], [2]]", 2, 42},     /* lists are not primitives */
        /* a relative attribute costs one more than a select on a variable */
        {"{'a': 1}.a == 1", 3, 33},
        {"[1, 2][0] == 1", 3, 13},
        /* a ternary branch that is an attribute costs nothing for its root */
        {"true ? [1][0] : 2", 1, 11},
        /* Kubernetes prices == on its own types at 1 (size 16 would give
         * 2), in any environment that has them; != keeps cel-go's rule */
        {"ip('::1') == ip('::1')", 3, 3},
        {"ip('::1') != ip('::2')", 4, 4},
        {"cidr('::1/128') == cidr('::1/128')", 3, 3},
    };
    cel_env *k = cel_env_new_k8s(0, NULL);
    cel_env_options o = {.std_lib = true};
    cel_env *plain = cel_env_new(&o);
    assert_int_equal(cel_env_add_k8s_libraries(plain, 0, false), 0);
    for (size_t i = 0; i < LEN(cases); i++) {
        uint64_t ck = 0, cp = 0;
        cel_value v = eval_src(k, cases[i].src, NULL, &ck);
        if (v.kind == CEL_ERROR)
            fail_msg("%s: %s", cases[i].src, v.u.err->msg);
        v = eval_src(plain, cases[i].src, NULL, &cp);
        if (v.kind == CEL_ERROR)
            fail_msg("%s (plain): %s", cases[i].src, v.u.err->msg);
        if (ck != cases[i].k8s || cp != cases[i].plain)
            fail_msg("%s: cost %llu (k8s) %llu (plain), want %llu %llu", cases[i].src,
                     (unsigned long long)ck, (unsigned long long)cp, (unsigned long long)cases[i].k8s,
                     (unsigned long long)cases[i].plain);
    }
    /* x in [] is false without evaluating x, as upstream's optimizer has it */
    assert_int_equal(cel_env_add_var(k, "x", &cel_t_dyn), 0);
    cel_program *p = compile_ok(k, "x in []");
    uint64_t c = 1;
    cel_value v = cel_eval(p, NULL, A, NULL, &c); /* x unbound */
    assert_int_equal(v.kind, CEL_BOOL);
    assert_false(v.u.b);
    assert_int_equal(c, 0);
    cel_program_free(p);
    cel_env_free(k);
    cel_env_free(plain);
}

/* Kubernetes' per-call limit stops a comprehension at the first charge
 * past it (upstream checks every 100 iterations at most; here every step),
 * with cel-go's message, and no logic operator absorbs it. */
static void test_cost_limit(void **state)
{
    cel_env *k = cel_env_new_k8s(0, NULL);
    const char *big = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, "
                      "[1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, "
                      "[1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))";
    uint64_t cost = 0;
    cel_value v = eval_src(k, big, NULL, &cost);
    assert_int_equal(v.kind, CEL_BOOL);
    assert_int_equal(cost, 3444441);
    cel_eval_opts o = {.cost_limit = CEL_K8S_PER_CALL_LIMIT};
    v = eval_src(k, big, &o, &cost);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_int_equal(v.u.err->code, CEL_ERR_COST);
    assert_string_equal(v.u.err->msg, "operation cancelled: actual cost limit exceeded");
    /* the largest single charge in this loop is 3 (a cond step) */
    assert_true(cost > CEL_K8S_PER_CALL_LIMIT && cost <= CEL_K8S_PER_CALL_LIMIT + 3);
    char guarded[1024];
    snprintf(guarded, sizeof guarded, "true || %s", big);
    v = eval_src(k, guarded, &o, &cost); /* short-circuit: never evaluated */
    assert_int_equal(v.kind, CEL_BOOL);
    snprintf(guarded, sizeof guarded, "%s || true", big);
    v = eval_src(k, guarded, &o, &cost);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_int_equal(v.u.err->code, CEL_ERR_COST);
    cel_env_free(k);
}

/* One budget across several evaluations (the engine shares one across a
 * policy's expressions): each takes its cost from it; once it runs out the
 * evaluation stops with the budget error. */
static void test_shared_budget(void **state)
{
    cel_env *k = cel_env_new_k8s(0, NULL);
    const char *src = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, true))"; /* 341 */
    uint64_t budget = 1000, cost = 0;
    cel_eval_opts o = {.cost_limit = CEL_K8S_PER_CALL_LIMIT, .budget = &budget};
    cel_value v = eval_src(k, src, &o, &cost);
    assert_int_equal(v.kind, CEL_BOOL);
    assert_int_equal(cost, 341);
    assert_int_equal(budget, 659);
    v = eval_src(k, src, &o, &cost);
    assert_int_equal(v.kind, CEL_BOOL);
    assert_int_equal(budget, 318);
    v = eval_src(k, src, &o, &cost);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_int_equal(v.u.err->code, CEL_ERR_BUDGET);
    assert_string_equal(v.u.err->msg,
                        "validation failed due to running out of cost budget, no further validation rules will be run");
    assert_true(cost > 318 && cost <= 321);
    assert_int_equal(budget, 0);
    cel_env_free(k);
}

/* ---------------------------------------------------------------- authorizer */

/* Without a host every check is an error saying so; the builders and the
 * check are priced as Kubernetes prices them (the accessor after a failed
 * check is still charged, as cel-go charges a unary call on an error). */
static void test_authorizer_without_host(void **state)
{
    cel_env *k = cel_env_new_k8s(0, NULL);
    int slot = cel_env_add_var(k, "authorizer", &cel_t_authz_authorizer);
    assert_int_equal(slot, 0);
    static const struct {
        const char *src;
        uint64_t cost;
    } cases[] = {
        {"authorizer.path('/healthz').check('get').allowed()", 350003},
        {"authorizer.group('apps').resource('deployments').subresource('status').namespace('test')"
         ".name('backend').check('create').allowed()",
         350007},
        /* == on an error and '': cel-go's min(1, 0) * 0.1 rounds to 0 */
        {"authorizer.serviceAccount('ns', 'sa').path('/x').check('get').reason() == ''", 350004},
        /* fieldSelector: 10 + ceil(71 * 0.1) + ceil(71 * 0.5) * 50 = 1818 */
        {"authorizer.group('').resource('pods').fieldSelector("
         "'spec.nodeName=example-node-name.fully.qualified.domain.name.example.com').check('list').errored()",
         3 + 1818 + 350000 + 1},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        cel_program *p = compile_ok(k, cases[i].src);
        cel_value vars[1];
        cel_arena_reset(A);
        vars[0] = cel_authz_value(A);
        cel_activation act = {vars, 1};
        uint64_t cost = 0;
        cel_value v = cel_eval(p, &act, A, NULL, &cost);
        assert_int_equal(v.kind, CEL_ERROR);
        assert_string_equal(v.u.err->msg, "authorizer check failed: no authorizer is configured");
        if (cost != cases[i].cost)
            fail_msg("%s: cost %llu, want %llu", cases[i].src, (unsigned long long)cost,
                     (unsigned long long)cases[i].cost);
        cel_program_free(p);
    }
    /* the builders alone are not checks */
    cel_program *p = compile_ok(k, "authorizer.group('apps').resource('deployments') == "
                                   "authorizer.group('apps').resource('deployments')");
    cel_value vars[1] = {cel_authz_value(A)};
    cel_activation act = {vars, 1};
    uint64_t cost = 0;
    cel_value v = cel_eval(p, &act, A, NULL, &cost);
    assert_int_equal(v.kind, CEL_BOOL);
    assert_int_equal(cost, 7); /* 3 + 3 + == 1 */
    cel_program_free(p);
    cel_env_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compatibility_rule),
        cmocka_unit_test(test_options_by_version),
        cmocka_unit_test(test_libraries_by_version),
        cmocka_unit_test(test_version_parse),
        cmocka_unit_test(test_literal_errors),
        cmocka_unit_test(test_regex_syntax),
        cmocka_unit_test(test_regex_safety),
        cmocka_unit_test(test_cost_model),
        cmocka_unit_test(test_cost_limit),
        cmocka_unit_test(test_shared_budget),
        cmocka_unit_test(test_authorizer_without_host),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
