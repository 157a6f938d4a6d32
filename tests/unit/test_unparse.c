/*
 * tests/unit/test_unparse.c: printing trees back as CEL (cel/unparse.c) and
 * tree comparison (cel_ast_equal). Every case checks the exact text and
 * that parsing it gives the same tree again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

static cel_parse_opts opts(void)
{
    cel_parse_opts o = { 0 };
    o.macros = CEL_MACROS_ALL;
    o.optional_syntax = true;
    return o;
}

/* Parses src (len bytes), unparses, checks the text (when want is not
 * NULL) and that the text parses to an equal tree. */
static void check(const char *src, size_t len, const char *want)
{
    cel_parse_opts o = opts();
    cel_parsed p, q;
    if (cel_parse(src, len, &o, &p) != 0) {
        char *s = cel_parsed_format_issues(&p);
        fail_msg("%s: %s", src, s);
    }
    char *u = cel_unparse(p.root);
    assert_non_null(u);
    if (want && strcmp(u, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", src, u, want);
    if (cel_parse(u, strlen(u), &o, &q) != 0) {
        char *s = cel_parsed_format_issues(&q);
        fail_msg("%s -> %s: %s", src, u, s);
    }
    if (!cel_ast_equal(p.root, q.root))
        fail_msg("round trip changed the tree: %s -> %s", src, u);
    free(u);
    cel_parsed_free(&p);
    cel_parsed_free(&q);
}

#define CHECK(src, want) check(src, strlen(src), want)

static void test_operators(void **state)
{
    (void)state;
    CHECK("a + b * c", "a + b * c");
    CHECK("(a + b) * c", "(a + b) * c");
    CHECK("a - b - c", "a - b - c");
    CHECK("a - (b - c)", "a - (b - c)");
    CHECK("a / (b * c) % d", "a / (b * c) % d");
    CHECK("a < b == (c < d)", "a < b == (c < d)");
    CHECK("a in [1, 2] != false", "a in [1, 2] != false");
    CHECK("!(a && b)", "!(a && b)");
    CHECK("!a && !b", "!a && !b");
    CHECK("-a.b", "-a.b");
    CHECK("(-a).b", "(-a).b");
    CHECK("(a + b).c", "(a + b).c");
    CHECK("(a + b)[0]", "(a + b)[0]");
    CHECK("(a || b).f(c)", "(a || b).f(c)");
    CHECK("a ? b : c ? d : e", "a ? b : c ? d : e");
    CHECK("(a ? b : c) ? d : e", "(a ? b : c) ? d : e");
    CHECK("a ? (b ? c : d) : e", "a ? (b ? c : d) : e");
    CHECK("a || b && c", "a || b && c");
    CHECK("(a || b) && c", "(a || b) && c");
    /* chains are balanced by the parser; nested groups keep parentheses */
    CHECK("a || b || c", "(a || b) || c");
    CHECK("a || (b || c)", "a || (b || c)");
    CHECK("a && b && c && d && e", "((a && b) && c) && (d && e)");
    CHECK("(a ? b : c) || d", "(a ? b : c) || d");
}

static void test_unary_and_signs(void **state)
{
    (void)state;
    CHECK("-1", "-1");
    CHECK("- -1", "1");
    CHECK("-(1)", "-(1)");
    CHECK("-(-1)", "-(-1)");
    CHECK("-(-a)", "-(-a)");
    CHECK("---a", "-a");
    CHECK("!(!a)", "!(!a)");
    CHECK("!(-a)", "!(-a)");
    CHECK("-(!a)", "-(!a)");
    CHECK("!-1", "!-1");
    CHECK("-(1.5)", "-(1.5)");
    CHECK("-(1u)", "-(1u)");
    CHECK("-(5[0])", "-(5[0])");
    CHECK("-5[0]", "-5[0]");
    CHECK("-(-5).a", "-(-5.a)");
    CHECK("a - -5", "a - -5");
    CHECK("-9223372036854775808", "-9223372036854775808");
    CHECK("-.2.V", "-0.2.V");
}

static void test_literals(void **state)
{
    (void)state;
    CHECK("null", "null");
    CHECK("true && false", "true && false");
    CHECK("0x1F", "31");
    CHECK("18446744073709551615u", "18446744073709551615u");
    CHECK("1.0", "1.0");
    CHECK("-0.0", "-0.0");
    CHECK("0.1", "0.1");
    CHECK("1e100", "1e+100");
    CHECK("1.5e-7", "1.5e-07");
    CHECK("123456789.125", "123456789.125");
    CHECK("0.30000000000000004", "0.30000000000000004");
    CHECK("'a\"b\\\\c\\n\\t\\r\\x00\\x7f'", "\"a\\\"b\\\\c\\n\\t\\r\\x00\\x7f\"");
    CHECK("'\\u00e9\\U0001F600'", "\"\xc3\xa9\xf0\x9f\x98\x80\"");
    CHECK("'''multi\nline'''", "\"multi\\nline\"");
    CHECK("r'\\d+'", "\"\\\\d+\"");
    CHECK("b'\\xff\\x00a\"'", "b\"\\xff\\x00a\\\"\"");
    CHECK("b'\xc3\xa9'", "b\"\\xc3\\xa9\"");
    const char nul[] = "'a\0b'";
    check(nul, sizeof nul - 1, "\"a\\x00b\"");
}

static void test_aggregates_and_names(void **state)
{
    (void)state;
    CHECK("[]", "[]");
    CHECK("[1, 2,]", "[1, 2]");
    CHECK("{'a': 1, 2: [3]}", "{\"a\": 1, 2: [3]}");
    CHECK(".a.b.C{f: 1, g: {}}", ".a.b.C{f: 1, g: {}}");
    CHECK("M{}", "M{}");
    CHECK(".f(x)", ".f(x)");
    CHECK(".a", ".a");
    CHECK("a.b.c(d)[e]", "a.b.c(d)[e]");
    CHECK("a.`b-c`.`in`", "a.`b-c`.`in`");
    CHECK("M{`in`: 1, `a b`: 2}", "M{`in`: 1, `a b`: 2}");
    CHECK("a.if.for", "a.if.for");
}

static void test_optional_syntax(void **state)
{
    (void)state;
    CHECK("a.?b", "a.?b");
    CHECK("a[?b]", "a[?b]");
    CHECK("[?a, b, ?c]", "[?a, b, ?c]");
    CHECK("{?1: a, 2: b}", "{?1: a, 2: b}");
    CHECK("M{?f: a}", "M{?f: a}");
    CHECK("a.?`b-c`", "a.?`b-c`");
}

static void test_macros_as_written(void **state)
{
    (void)state;
    CHECK("has(a.b)", "has(a.b)");
    CHECK("has(a.b.c) && x", "has(a.b.c) && x");
    CHECK("x.all(y, y > 0)", "x.all(y, y > 0)");
    CHECK("x.exists_one(y, y)", "x.exists_one(y, y)");
    CHECK("x.map(y, y > 0, y * 2).filter(z, z < 9)", "x.map(y, y > 0, y * 2).filter(z, z < 9)");
    CHECK("m.transformMap(k, v, k != 'a', v)", "m.transformMap(k, v, k != \"a\", v)");
    CHECK("cel.bind(x, 1, x + 1)", "cel.bind(x, 1, x + 1)");
    CHECK("cel.block([1, cel.index(0)], cel.index(1))", "cel.block([1, cel.index(0)], cel.index(1))");
    CHECK("cel.iterVar(0, 1)", "cel.iterVar(0, 1)");
    CHECK("o.optMap(x, x + 1).optFlatMap(y, optional.of(y))",
          "o.optMap(x, x + 1).optFlatMap(y, optional.of(y))");
    CHECK("l.sortBy(e, -e)", "l.sortBy(e, -e)");
    CHECK("-x.all(y, y)", "-x.all(y, y)");
    CHECK("x.all(y, y).f", "x.all(y, y).f");
}

static void test_deep_trees(void **state)
{
    (void)state;
    char *s = malloc(8192);
    assert_non_null(s);
    strcpy(s, "a");
    for (int i = 0; i < 250; i++)
        strcat(s, ".b");
    check(s, strlen(s), s);
    strcpy(s, "");
    for (int i = 0; i < 200; i++)
        strcat(s, "[");
    strcat(s, "1");
    for (int i = 0; i < 200; i++)
        strcat(s, "]");
    check(s, strlen(s), s);
    free(s);
}

static void test_equal(void **state)
{
    (void)state;
    cel_parse_opts o = opts();
    cel_parsed a, b, c, d;
    assert_int_equal(cel_parse("x + 1.0", 7, &o, &a), 0);
    assert_int_equal(cel_parse(" x+1.0 ", 7, &o, &b), 0);
    assert_int_equal(cel_parse("x + 1u", 6, &o, &c), 0);
    assert_int_equal(cel_parse("x + -0.0", 8, &o, &d), 0);
    assert_true(cel_ast_equal(a.root, b.root));
    assert_false(cel_ast_equal(a.root, c.root));
    /* doubles compare by bits: 0.0 and -0.0 differ */
    assert_false(cel_ast_equal(a.root, d.root));
    assert_true(cel_ast_equal(NULL, NULL));
    assert_false(cel_ast_equal(a.root, NULL));
    cel_parsed_free(&a);
    cel_parsed_free(&b);
    cel_parsed_free(&c);
    cel_parsed_free(&d);
    assert_int_equal(cel_parse("a.?b", 4, &o, &a), 0);
    assert_int_equal(cel_parse("a.b", 3, &o, &b), 0);
    assert_false(cel_ast_equal(a.root, b.root));
    cel_parsed_free(&a);
    cel_parsed_free(&b);
    assert_int_equal(cel_parse("m.all(k, v, v)", 14, &o, &a), 0);
    assert_int_equal(cel_parse("m.all(k, w, w)", 14, &o, &b), 0);
    assert_false(cel_ast_equal(a.root, b.root));
    cel_parsed_free(&a);
    cel_parsed_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_unary_and_signs),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_aggregates_and_names),
        cmocka_unit_test(test_optional_syntax),
        cmocka_unit_test(test_macros_as_written),
        cmocka_unit_test(test_deep_trees),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
