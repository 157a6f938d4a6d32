/*
 * tests/unit/test_parse.c: the parser (cel/parse.c), macro expansion
 * (cel/macro.c) and diagnostics (cel/source.c). Expected trees are printed
 * in cel-go's debug form without ids; expected diagnostics are cel-go's
 * texts (many taken from cel-go's parser tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ast_dump.h"

struct pcase {
    const char *src;
    const char *want; /* tree dump, or the formatted diagnostics */
};

/* Operators, precedence, associativity, literals (all macros, optional syntax). */
static const struct pcase shapes[] = {
    { "1 + 2 * 3 - 1 / 2 == 6 % 1",
      "_==_(_-_(_+_(1, _*_(2, 3)), _/_(1, 2)), _%_(6, 1))" },
    { "a || b && c",
      "_||_(a, _&&_(b, c))" },
    { "a && b || c",
      "_||_(_&&_(a, b), c)" },
    { "a || b || c || d",
      "_||_(_||_(a, b), _||_(c, d))" },
    { "a && b && c",
      "_&&_(_&&_(a, b), c)" },
    { "a ? b : c ? d : e",
      "_?_:_(a, b, _?_:_(c, d, e))" },
    { "(a ? b : c) ? d : e",
      "_?_:_(_?_:_(a, b, c), d, e)" },
    { "a < b == c",
      "_==_(_<_(a, b), c)" },
    { "1 < 2 < 3 < 4",
      "_<_(_<_(_<_(1, 2), 3), 4)" },
    { "a in b",
      "@in(a, b)" },
    { "a != b",
      "_!=_(a, b)" },
    { "a <= b",
      "_<=_(a, b)" },
    { "a >= b",
      "_>=_(a, b)" },
    { "a > b",
      "_>_(a, b)" },
    { "1 - 2 - 3",
      "_-_(_-_(1, 2), 3)" },
    { "1 - (2 - 3)",
      "_-_(1, _-_(2, 3))" },
    { "8 / 4 / 2",
      "_/_(_/_(8, 4), 2)" },
    { "-a.b",
      "-_(a.b)" },
    { "!a",
      "!_(a)" },
    { "!!a",
      "a" },
    { "--a",
      "a" },
    { "---a",
      "-_(a)" },
    { "-1",
      "-1" },
    { "- -1",
      "1" },
    { "-(1)",
      "-_(1)" },
    { "!-1",
      "!_(-1)" },
    { "-9223372036854775808",
      "-9223372036854775808" },
    { "-0x10",
      "-16" },
    { "0x1F",
      "31" },
    { "1u",
      "1u" },
    { "0x1Fu",
      "31u" },
    { "1U",
      "1u" },
    { "1.5",
      "1.5d" },
    { ".5",
      "0.5d" },
    { "1e3",
      "1000d" },
    { "1E+3",
      "1000d" },
    { "1.5e-3",
      "0.0015d" },
    { "-2.5",
      "-2.5d" },
    { "-.2.V",
      "-0.2d.V" },
    { "!-2.V",
      "!_(-2.V)" },
    { "1.all(x,x)",
      "__comprehension__(x, 1, @result, true, @not_strictly_false(@result), _&&_(@result, x), @result)" },
    { "a.b.c",
      "a.b.c" },
    { "a[0]",
      "_[_](a, 0)" },
    { "a.f(1, 2)",
      "a.f(1, 2)" },
    { "f(a)",
      "f(a)" },
    { ".f(a)",
      ".f(a)" },
    { ".a.b",
      ".a.b" },
    { "a.b.C{x: 1}",
      "a.b.C{x: 1}" },
    { ".a.B{}",
      ".a.B{}" },
    { "import{}",
      "import{}" },
    { "[]",
      "[]" },
    { "[,]",
      "[]" },
    { "[1, 2,]",
      "[1, 2]" },
    { "{}",
      "{}" },
    { "{,}",
      "{}" },
    { "{1: 2,}",
      "{1: 2}" },
    { "M{f: 1,}",
      "M{f: 1}" },
    { "true && false || null",
      "_||_(_&&_(true, false), null)" },
    { "x.y().z",
      "x.y().z" },
    { "(a.b).c",
      "a.b.c" },
    { "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\x27\\?\\`\"",
      "\"\\x07\\x08\\x0c\\x0a\\x0d\\x09\\x0b\\x5c\\x22'?`\"" },
    { "\"\\x41\\X42\\101\\u0043\\U00000044\"",
      "\"ABACD\"" },
    { "r'\\n\\x'",
      "\"\\x5cn\\x5cx\"" },
    { "\"\"\"a\n"
     "b\"\"\"",
      "\"a\\x0ab\"" },
    { "'''a\\'''b'''",
      "\"a'''b\"" },
    { "b\"\\x00\\377\\xff\"",
      "b\"\\x00\\xff\\xff\"" },
    { "b\"é\"",
      "b\"\\xc3\\xa9\"" },
    { "br\"\\x\"",
      "b\"\\x5cx\"" },
    { "x // comment\n"
     "+ 1",
      "_+_(x, 1)" },
};

/* Every macro's expansion, optional syntax, quoted field names. */
static const struct pcase macro_cases[] = {
    { "has(a.b)",
      "a.b~test-only~" },
    { "x.all(y, y > 0)",
      "__comprehension__(y, x, @result, true, @not_strictly_false(@result), _&&_(@result, _>_(y, 0)), @result)" },
    { "x.exists(y, p)",
      "__comprehension__(y, x, @result, false, @not_strictly_false(!_(@result)), _||_(@result, p), @result)" },
    { "x.exists_one(y, p)",
      "__comprehension__(y, x, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))" },
    { "x.existsOne(y, p)",
      "__comprehension__(y, x, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))" },
    { "x.map(y, y * 2)",
      "__comprehension__(y, x, @result, [], true, _+_(@result, [_*_(y, 2)]), @result)" },
    { "x.map(y, y > 0, y * 2)",
      "__comprehension__(y, x, @result, [], true, _?_:_(_>_(y, 0), _+_(@result, [_*_(y, 2)]), @result), @result)" },
    { "x.filter(y, y > 0)",
      "__comprehension__(y, x, @result, [], true, _?_:_(_>_(y, 0), _+_(@result, [y]), @result), @result)" },
    { "m.all(k, v, v > k)",
      "__comprehension__(k, v, m, @result, true, @not_strictly_false(@result), _&&_(@result, _>_(v, k)), @result)" },
    { "m.exists(k, v, p)",
      "__comprehension__(k, v, m, @result, false, @not_strictly_false(!_(@result)), _||_(@result, p), @result)" },
    { "m.existsOne(k, v, p)",
      "__comprehension__(k, v, m, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))" },
    { "m.exists_one(k, v, p)",
      "__comprehension__(k, v, m, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))" },
    { "l.transformList(i, v, v * 2)",
      "__comprehension__(i, v, l, @result, [], true, _+_(@result, [_*_(v, 2)]), @result)" },
    { "l.transformList(i, v, p, v * 2)",
      "__comprehension__(i, v, l, @result, [], true, _?_:_(p, _+_(@result, [_*_(v, 2)]), @result), @result)" },
    { "m.transformMap(k, v, v + 1)",
      "__comprehension__(k, v, m, @result, {}, true, cel.@mapInsert(@result, k, _+_(v, 1)), @result)" },
    { "m.transformMap(k, v, p, v + 1)",
      "__comprehension__(k, v, m, @result, {}, true, _?_:_(p, cel.@mapInsert(@result, k, _+_(v, 1)), @result), @result)" },
    { "m.transformMapEntry(k, v, {v: k})",
      "__comprehension__(k, v, m, @result, {}, true, cel.@mapInsert(@result, {v: k}), @result)" },
    { "m.transformMapEntry(k, v, p, {v: k})",
      "__comprehension__(k, v, m, @result, {}, true, _?_:_(p, cel.@mapInsert(@result, {v: k}), @result), @result)" },
    { "cel.bind(x, 1, x + 1)",
      "__comprehension__(#unused, [], x, 1, false, x, _+_(x, 1))" },
    { "cel.block([1, cel.index(0) + 1], cel.index(1))",
      "cel.@block([1, _+_(@index0, 1)], @index1)" },
    { "cel.iterVar(0, 1) + cel.accuVar(1, 0)",
      "_+_(@it:0:1, @ac:1:0)" },
    { "o.optMap(x, x + 1)",
      "_?_:_(o.hasValue(), optional.of(__comprehension__(#unused, [], x, o.value(), false, x, _+_(x, 1))), optional.none())" },
    { "o.optFlatMap(x, optional.of(x))",
      "_?_:_(o.hasValue(), __comprehension__(#unused, [], x, o.value(), false, x, optional.of(x)), optional.none())" },
    { "l.sortBy(e, -e)",
      "__comprehension__(#unused, [], @__sortBy_input__, l, false, @__sortBy_input__, @__sortBy_input__.@sortByAssociatedKeys(__comprehension__(e, @__sortBy_input__, @result, [], true, _+_(@result, [-_(e)]), @result)))" },
    { "a.?b",
      "a.?b" },
    { "a[?b]",
      "_[?_](a, b)" },
    { "[?a, b]",
      "[?a, b]" },
    { "{?1: a}",
      "{?1: a}" },
    { "M{?f: a}",
      "M{?f: a}" },
    { "a.`b-c`",
      "a.b-c" },
    { "a.`b c`",
      "a.b c" },
    { "a.`/foo`",
      "a./foo" },
    { "M{`in`: 1}",
      "M{in: 1}" },
    { "foo.bind(x, 1, x)",
      "foo.bind(x, 1, x)" },
    { "has(a.b).filter(c, c)",
      "__comprehension__(c, a.b~test-only~, @result, [], true, _?_:_(c, _+_(@result, [c]), @result), @result)" },
    { "x.filter(y, y.exists(z, has(z.a)))",
      "__comprehension__(y, x, @result, [], true, _?_:_(__comprehension__(z, y, @result, false, @not_strictly_false(!_(@result)), _||_(@result, z.a~test-only~), @result), _+_(@result, [y]), @result), @result)" },
};

/* Diagnostics with all macros and optional syntax enabled. */
static const struct pcase errors[] = {
    { "a.b[c](d)",
      "ERROR: <input>:1:7: Syntax error: mismatched input '(' expecting <EOF>\n"
     " | a.b[c](d)\n"
     " | ......^" },
    { "1 + +",
      "ERROR: <input>:1:5: Syntax error: mismatched input '+' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | 1 + +\n"
     " | ....^\n"
     "ERROR: <input>:1:6: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | 1 + +\n"
     " | .....^" },
    { "?",
      "ERROR: <input>:1:1: Syntax error: mismatched input '?' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | ?\n"
     " | ^\n"
     "ERROR: <input>:1:2: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | ?\n"
     " | .^" },
    { "in",
      "ERROR: <input>:1:1: Syntax error: mismatched input 'in' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | in\n"
     " | ^\n"
     "ERROR: <input>:1:3: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | in\n"
     " | ..^" },
    { "foo(a,b,)",
      "ERROR: <input>:1:9: Syntax error: mismatched input ')' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | foo(a,b,)\n"
     " | ........^" },
    { "{\"a\": 1}.\"a\"",
      "ERROR: <input>:1:10: Syntax error: no viable alternative at input '.\"a\"'\n"
     " | {\"a\": 1}.\"a\"\n"
     " | .........^" },
    { "self.true == 1",
      "ERROR: <input>:1:6: Syntax error: mismatched input 'true' expecting IDENTIFIER\n"
     " | self.true == 1\n"
     " | .....^" },
    { "func{{a}}",
      "ERROR: <input>:1:6: Syntax error: extraneous input '{' expecting {'}', ',', '?', IDENTIFIER, ESC_IDENTIFIER}\n"
     " | func{{a}}\n"
     " | .....^\n"
     "ERROR: <input>:1:8: Syntax error: mismatched input '}' expecting ':'\n"
     " | func{{a}}\n"
     " | .......^\n"
     "ERROR: <input>:1:9: Syntax error: extraneous input '}' expecting <EOF>\n"
     " | func{{a}}\n"
     " | ........^" },
    { "msg{:a}",
      "ERROR: <input>:1:5: Syntax error: extraneous input ':' expecting {'}', ',', '?', IDENTIFIER, ESC_IDENTIFIER}\n"
     " | msg{:a}\n"
     " | ....^\n"
     "ERROR: <input>:1:7: Syntax error: mismatched input '}' expecting ':'\n"
     " | msg{:a}\n"
     " | ......^" },
    { "{a}",
      "ERROR: <input>:1:3: Syntax error: mismatched input '}' expecting ':'\n"
     " | {a}\n"
     " | ..^" },
    { "{:a}",
      "ERROR: <input>:1:2: Syntax error: extraneous input ':' expecting {'[', '{', '}', '(', '.', ',', '-', '!', '?', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | {:a}\n"
     " | .^\n"
     "ERROR: <input>:1:4: Syntax error: mismatched input '}' expecting ':'\n"
     " | {:a}\n"
     " | ...^" },
    { "ind[a{b}]",
      "ERROR: <input>:1:8: Syntax error: mismatched input '}' expecting ':'\n"
     " | ind[a{b}]\n"
     " | .......^" },
    { "\"\\xFh\"",
      "ERROR: <input>:1:1: Syntax error: token recognition error at: '\"\\xFh'\n"
     " | \"\\xFh\"\n"
     " | ^\n"
     "ERROR: <input>:1:6: Syntax error: token recognition error at: '\"'\n"
     " | \"\\xFh\"\n"
     " | .....^\n"
     "ERROR: <input>:1:7: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | \"\\xFh\"\n"
     " | ......^" },
    { "'\\udead' == '\\ufffd'",
      "ERROR: <input>:1:1: invalid unicode code point\n"
     " | '\\udead' == '\\ufffd'\n"
     " | ^" },
    { "1.all(2, 3)",
      "ERROR: <input>:1:7: argument must be a simple name\n"
     " | 1.all(2, 3)\n"
     " | ......^" },
    { "[1, 2, 3].map(var, var * var)",
      "ERROR: <input>:1:15: reserved identifier: var\n"
     " | [1, 2, 3].map(var, var * var)\n"
     " | ..............^\n"
     "ERROR: <input>:1:15: argument is not an identifier\n"
     " | [1, 2, 3].map(var, var * var)\n"
     " | ..............^\n"
     "ERROR: <input>:1:20: reserved identifier: var\n"
     " | [1, 2, 3].map(var, var * var)\n"
     " | ...................^\n"
     "ERROR: <input>:1:26: reserved identifier: var\n"
     " | [1, 2, 3].map(var, var * var)\n"
     " | .........................^" },
    { "as",
      "ERROR: <input>:1:1: reserved identifier: as\n"
     " | as\n"
     " | ^" },
    { "break",
      "ERROR: <input>:1:1: reserved identifier: break\n"
     " | break\n"
     " | ^" },
    { "const",
      "ERROR: <input>:1:1: reserved identifier: const\n"
     " | const\n"
     " | ^" },
    { "continue",
      "ERROR: <input>:1:1: reserved identifier: continue\n"
     " | continue\n"
     " | ^" },
    { "else",
      "ERROR: <input>:1:1: reserved identifier: else\n"
     " | else\n"
     " | ^" },
    { "for",
      "ERROR: <input>:1:1: reserved identifier: for\n"
     " | for\n"
     " | ^" },
    { "function",
      "ERROR: <input>:1:1: reserved identifier: function\n"
     " | function\n"
     " | ^" },
    { "if",
      "ERROR: <input>:1:1: reserved identifier: if\n"
     " | if\n"
     " | ^" },
    { "import",
      "ERROR: <input>:1:1: reserved identifier: import\n"
     " | import\n"
     " | ^" },
    { "let",
      "ERROR: <input>:1:1: reserved identifier: let\n"
     " | let\n"
     " | ^" },
    { "loop",
      "ERROR: <input>:1:1: reserved identifier: loop\n"
     " | loop\n"
     " | ^" },
    { "package",
      "ERROR: <input>:1:1: reserved identifier: package\n"
     " | package\n"
     " | ^" },
    { "namespace",
      "ERROR: <input>:1:1: reserved identifier: namespace\n"
     " | namespace\n"
     " | ^" },
    { "return",
      "ERROR: <input>:1:1: reserved identifier: return\n"
     " | return\n"
     " | ^" },
    { "var",
      "ERROR: <input>:1:1: reserved identifier: var\n"
     " | var\n"
     " | ^" },
    { "void",
      "ERROR: <input>:1:1: reserved identifier: void\n"
     " | void\n"
     " | ^" },
    { "while",
      "ERROR: <input>:1:1: reserved identifier: while\n"
     " | while\n"
     " | ^" },
    { "1 + 2\n"
     "3 +",
      "ERROR: <input>:2:1: Syntax error: mismatched input '3' expecting <EOF>\n"
     " | 3 +\n"
     " | ^" },
    { "--",
      "ERROR: <input>:1:3: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | --\n"
     " | ..^" },
    { "x{.",
      "ERROR: <input>:1:3: Syntax error: mismatched input '.' expecting {'}', ',', '?', IDENTIFIER, ESC_IDENTIFIER}\n"
     " | x{.\n"
     " | ..^" },
    { "has(a)",
      "ERROR: <input>:1:5: invalid argument to has() macro\n"
     " | has(a)\n"
     " | ....^" },
    { "x.all(y.z, true)",
      "ERROR: <input>:1:8: argument must be a simple name\n"
     " | x.all(y.z, true)\n"
     " | .......^" },
    { "x.map(1, 2)",
      "ERROR: <input>:1:7: argument is not an identifier\n"
     " | x.map(1, 2)\n"
     " | ......^" },
    { "x.filter(1, 2)",
      "ERROR: <input>:1:10: argument is not an identifier\n"
     " | x.filter(1, 2)\n"
     " | .........^" },
    { "x.all(__result__, 1)",
      "ERROR: <input>:1:7: iteration variable overwrites accumulator variable\n"
     " | x.all(__result__, 1)\n"
     " | ......^" },
    { "x.map(__result__, 1)",
      "ERROR: <input>:1:7: iteration variable overwrites accumulator variable\n"
     " | x.map(__result__, 1)\n"
     " | ......^" },
    { "m.all(__result__, v, 1)",
      "ERROR: <input>:1:7: iteration variable overwrites accumulator variable\n"
     " | m.all(__result__, v, 1)\n"
     " | ......^" },
    { "m.all(k, __result__, 1)",
      "ERROR: <input>:1:10: iteration variable overwrites accumulator variable\n"
     " | m.all(k, __result__, 1)\n"
     " | .........^" },
    { "m.all(k, k, 1)",
      "ERROR: <input>:1:10: duplicate variable name: k\n"
     " | m.all(k, k, 1)\n"
     " | .........^" },
    { "m.all(k, 1, 1)",
      "ERROR: <input>:1:10: argument must be a simple name\n"
     " | m.all(k, 1, 1)\n"
     " | .........^" },
    { "m.all(1, k, 1)",
      "ERROR: <input>:1:7: argument must be a simple name\n"
     " | m.all(1, k, 1)\n"
     " | ......^" },
    { "cel.bind(1, 2, 3)",
      "ERROR: <input>:1:10: cel.bind() variable names must be simple identifiers\n"
     " | cel.bind(1, 2, 3)\n"
     " | .........^" },
    { "cel.block(1, 2)",
      "ERROR: <input>:1:11: cel.block requires the first arg to be a list literal\n"
     " | cel.block(1, 2)\n"
     " | ..........^" },
    { "cel.index(-1)",
      "ERROR: <input>:1:11: cel.index requires a single non-negative int constant arg\n"
     " | cel.index(-1)\n"
     " | ..........^" },
    { "cel.index(x)",
      "ERROR: <input>:1:11: cel.index requires a single non-negative int constant arg\n"
     " | cel.index(x)\n"
     " | ..........^" },
    { "cel.iterVar(0, x)",
      "ERROR: <input>:1:16: cel.iterVar requires two non-negative int constant args\n"
     " | cel.iterVar(0, x)\n"
     " | ...............^" },
    { "cel.accuVar(x, 1)",
      "ERROR: <input>:1:13: cel.accuVar requires two non-negative int constant args\n"
     " | cel.accuVar(x, 1)\n"
     " | ............^" },
    { "o.optMap(1, 2)",
      "ERROR: <input>:1:10: optMap() variable name must be a simple identifier\n"
     " | o.optMap(1, 2)\n"
     " | .........^" },
    { "o.optFlatMap(1, 2)",
      "ERROR: <input>:1:14: optFlatMap() variable name must be a simple identifier\n"
     " | o.optFlatMap(1, 2)\n"
     " | .............^" },
    { "1.sortBy(e, e)",
      "ERROR: <input>:1:1: sortBy can only be applied to a list, identifier, comprehension, call or select expression\n"
     " | 1.sortBy(e, e)\n"
     " | ^" },
    { "l.sortBy(1, e)",
      "ERROR: <input>:1:10: argument is not an identifier\n"
     " | l.sortBy(1, e)\n"
     " | .........^" },
    { "has(a.?b)",
      "ERROR: <input>:1:6: invalid argument to has() macro\n"
     " | has(a.?b)\n"
     " | .....^" },
    { "9223372036854775808",
      "ERROR: <input>:1:1: invalid int literal\n"
     " | 9223372036854775808\n"
     " | ^" },
    { "-9223372036854775809",
      "ERROR: <input>:1:1: invalid int literal\n"
     " | -9223372036854775809\n"
     " | ^" },
    { "18446744073709551616u",
      "ERROR: <input>:1:1: invalid uint literal\n"
     " | 18446744073709551616u\n"
     " | ^" },
    { "0x10000000000000000",
      "ERROR: <input>:1:1: invalid int literal\n"
     " | 0x10000000000000000\n"
     " | ^" },
    { "1e999",
      "ERROR: <input>:1:1: invalid double literal\n"
     " | 1e999\n"
     " | ^" },
    { "-1e999",
      "ERROR: <input>:1:1: invalid double literal\n"
     " | -1e999\n"
     " | ^" },
    { "a.`b.c`()",
      "ERROR: <input>:1:8: Syntax error: mismatched input '(' expecting <EOF>\n"
     " | a.`b.c`()\n"
     " | .......^" },
    { "`b-c`",
      "ERROR: <input>:1:1: Syntax error: mismatched input '`b-c`' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | `b-c`\n"
     " | ^" },
    { "`b-c`()",
      "ERROR: <input>:1:1: Syntax error: extraneous input '`b-c`' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | `b-c`()\n"
     " | ^\n"
     "ERROR: <input>:1:7: Syntax error: mismatched input ')' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | `b-c`()\n"
     " | ......^" },
    { "a.`$b`",
      "ERROR: <input>:1:3: Syntax error: token recognition error at: '`$'\n"
     " | a.`$b`\n"
     " | ..^\n"
     "ERROR: <input>:1:6: Syntax error: token recognition error at: '`'\n"
     " | a.`$b`\n"
     " | .....^" },
    { "\"\"\"hello\n"
     "world",
      "ERROR: <input>:1:3: Syntax error: token recognition error at: '\"hello\n"
     "'\n"
     " | \"\"\"hello\n"
     " | ..^\n"
     "ERROR: <input>:2:1: Syntax error: extraneous input 'world' expecting <EOF>\n"
     " | world\n"
     " | ^" },
    { "'hello\n"
     "world'",
      "ERROR: <input>:1:1: Syntax error: token recognition error at: ''hello\n"
     "'\n"
     " | 'hello\n"
     " | ^\n"
     "ERROR: <input>:2:6: Syntax error: token recognition error at: '''\n"
     " | world'\n"
     " | .....^" },
    { "r\"hello\n"
     "world\"",
      "ERROR: <input>:1:2: Syntax error: token recognition error at: '\"hello\n"
     "'\n"
     " | r\"hello\n"
     " | .^\n"
     "ERROR: <input>:2:1: Syntax error: extraneous input 'world' expecting <EOF>\n"
     " | world\"\n"
     " | ^\n"
     "ERROR: <input>:2:6: Syntax error: token recognition error at: '\"'\n"
     " | world\"\n"
     " | .....^" },
    { "a = b",
      "ERROR: <input>:1:3: Syntax error: token recognition error at: '= '\n"
     " | a = b\n"
     " | ..^\n"
     "ERROR: <input>:1:5: Syntax error: extraneous input 'b' expecting <EOF>\n"
     " | a = b\n"
     " | ....^" },
    { "a & b",
      "ERROR: <input>:1:3: Syntax error: token recognition error at: '& '\n"
     " | a & b\n"
     " | ..^\n"
     "ERROR: <input>:1:5: Syntax error: extraneous input 'b' expecting <EOF>\n"
     " | a & b\n"
     " | ....^" },
    { "a | b",
      "ERROR: <input>:1:3: Syntax error: token recognition error at: '| '\n"
     " | a | b\n"
     " | ..^\n"
     "ERROR: <input>:1:5: Syntax error: extraneous input 'b' expecting <EOF>\n"
     " | a | b\n"
     " | ....^" },
    { "#",
      "ERROR: <input>:1:1: Syntax error: token recognition error at: '#'\n"
     " | #\n"
     " | ^\n"
     "ERROR: <input>:1:2: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | #\n"
     " | .^" },
    { "1 + 2 $",
      "ERROR: <input>:1:7: Syntax error: token recognition error at: '$'\n"
     " | 1 + 2 $\n"
     " | ......^" },
    { "a.",
      "ERROR: <input>:1:3: Syntax error: no viable alternative at input '.'\n"
     " | a.\n"
     " | ..^" },
    { ".1.",
      "ERROR: <input>:1:4: Syntax error: no viable alternative at input '.'\n"
     " | .1.\n"
     " | ...^" },
    { "a.?",
      "ERROR: <input>:1:4: Syntax error: mismatched input '<EOF>' expecting {IDENTIFIER, ESC_IDENTIFIER}\n"
     " | a.?\n"
     " | ...^" },
    { "if(1)",
      "ERROR: <input>:1:1: reserved identifier: if\n"
     " | if(1)\n"
     " | ^" },
    { ".if",
      "ERROR: <input>:1:2: reserved identifier: if\n"
     " | .if\n"
     " | .^" },
    { "b\"\\u00ff\"",
      "ERROR: <input>:1:1: unable to unescape string\n"
     " | b\"\\u00ff\"\n"
     " | ^" },
    { "b\"\\U000000ff\"",
      "ERROR: <input>:1:1: unable to unescape string\n"
     " | b\"\\U000000ff\"\n"
     " | ^" },
    { "\"\\U00110000\"",
      "ERROR: <input>:1:1: invalid unicode code point\n"
     " | \"\\U00110000\"\n"
     " | ^" },
    { "\"\\ud800\"",
      "ERROR: <input>:1:1: invalid unicode code point\n"
     " | \"\\ud800\"\n"
     " | ^" },
    { "\"abc",
      "ERROR: <input>:1:1: Syntax error: token recognition error at: '\"abc'\n"
     " | \"abc\n"
     " | ^\n"
     "ERROR: <input>:1:5: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | \"abc\n"
     " | ....^" },
    { "'\\z'",
      "ERROR: <input>:1:1: Syntax error: token recognition error at: ''\\z'\n"
     " | '\\z'\n"
     " | ^\n"
     "ERROR: <input>:1:4: Syntax error: token recognition error at: '''\n"
     " | '\\z'\n"
     " | ...^\n"
     "ERROR: <input>:1:5: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | '\\z'\n"
     " | ....^" },
    { "a[1",
      "ERROR: <input>:1:4: Syntax error: mismatched input '<EOF>' expecting ']'\n"
     " | a[1\n"
     " | ...^" },
    { "f(1",
      "ERROR: <input>:1:4: Syntax error: mismatched input '<EOF>' expecting ')'\n"
     " | f(1\n"
     " | ...^" },
    { "(1",
      "ERROR: <input>:1:3: Syntax error: mismatched input '<EOF>' expecting ')'\n"
     " | (1\n"
     " | ..^" },
    { "[1",
      "ERROR: <input>:1:3: Syntax error: mismatched input '<EOF>' expecting ']'\n"
     " | [1\n"
     " | ..^" },
    { "{1: 2",
      "ERROR: <input>:1:6: Syntax error: mismatched input '<EOF>' expecting '}'\n"
     " | {1: 2\n"
     " | .....^" },
    { "a ? b",
      "ERROR: <input>:1:6: Syntax error: mismatched input '<EOF>' expecting ':'\n"
     " | a ? b\n"
     " | .....^" },
    { "a ? b :",
      "ERROR: <input>:1:8: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | a ? b :\n"
     " | .......^" },
    { "a b",
      "ERROR: <input>:1:3: Syntax error: extraneous input 'b' expecting <EOF>\n"
     " | a b\n"
     " | ..^" },
    { "'😁' in ['😁'] && in.😁",
      "ERROR: <input>:1:17: Syntax error: extraneous input 'in' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | '😁' in ['😁'] && in.😁\n"
     " | .．.......．......^\n"
     "ERROR: <input>:1:20: Syntax error: token recognition error at: '😁'\n"
     " | '😁' in ['😁'] && in.😁\n"
     " | .．.......．.........＾\n"
     "ERROR: <input>:1:21: Syntax error: no viable alternative at input '.'\n"
     " | '😁' in ['😁'] && in.😁\n"
     " | .．.......．.........．^" },
    { "	x +	\"é\" + ",
      "ERROR: <input>:1:12: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " |  x + \"é\" + \n"
     " | ......．....^" },
    { "\"\\1\"",
      "ERROR: <input>:1:1: Syntax error: token recognition error at: '\"\\1\"'\n"
     " | \"\\1\"\n"
     " | ^\n"
     "ERROR: <input>:1:5: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
     " | \"\\1\"\n"
     " | ....^" },
};

/* Diagnostics with optional syntax disabled. */
static const struct pcase errors_no_optional[] = {
    { "a.?b && a[?b]",
      "ERROR: <input>:1:2: unsupported syntax '.?'\n"
     " | a.?b && a[?b]\n"
     " | .^\n"
     "ERROR: <input>:1:10: unsupported syntax '[?'\n"
     " | a.?b && a[?b]\n"
     " | .........^" },
    { "[?a, ?b]",
      "ERROR: <input>:1:2: unsupported syntax '?'\n"
     " | [?a, ?b]\n"
     " | .^\n"
     "ERROR: <input>:1:6: unsupported syntax '?'\n"
     " | [?a, ?b]\n"
     " | .....^" },
    { "Msg{?field: value} && {?'key': value}",
      "ERROR: <input>:1:5: unsupported syntax '?'\n"
     " | Msg{?field: value} && {?'key': value}\n"
     " | ....^\n"
     "ERROR: <input>:1:24: unsupported syntax '?'\n"
     " | Msg{?field: value} && {?'key': value}\n"
     " | .......................^" },
    { "x{?.",
      "ERROR: <input>:1:3: unsupported syntax '?'\n"
     " | x{?.\n"
     " | ..^\n"
     "ERROR: <input>:1:4: Syntax error: mismatched input '.' expecting {IDENTIFIER, ESC_IDENTIFIER}\n"
     " | x{?.\n"
     " | ...^" },
};

/* ---------------------------------------------------------------- helpers */

static cel_parse_opts all_opts(void)
{
    cel_parse_opts o = { 0 };
    o.macros = CEL_MACROS_ALL;
    o.optional_syntax = true;
    return o;
}

/* Parses src; returns the dump of the tree or the formatted diagnostics. */
static char *parse_text(const char *src, size_t len, const cel_parse_opts *o, int *rc)
{
    cel_parsed p;
    *rc = cel_parse(src, len, o, &p);
    char *s;
    if (*rc == 0) {
        assert_non_null(p.root);
        assert_int_equal(p.nissues, 0);
        s = ast_dump(p.root);
    } else {
        assert_null(p.root);
        s = cel_parsed_format_issues(&p);
    }
    cel_parsed_free(&p);
    assert_non_null(s);
    return s;
}

static void run_table(const struct pcase *t, size_t n, const cel_parse_opts *o, bool ok)
{
    for (size_t i = 0; i < n; i++) {
        int rc;
        char *got = parse_text(t[i].src, strlen(t[i].src), o, &rc);
        if (strcmp(got, t[i].want) != 0 || (rc == 0) != ok)
            fail_msg("%s\n  got:  %s\n  want: %s", t[i].src, got, t[i].want);
        free(got);
    }
}

/* ---------------------------------------------------------------- tables */

static void test_shapes(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    run_table(shapes, sizeof shapes / sizeof *shapes, &o, true);
}

static void test_macro_expansions(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    run_table(macro_cases, sizeof macro_cases / sizeof *macro_cases, &o, true);
}

static void test_errors(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    run_table(errors, sizeof errors / sizeof *errors, &o, false);
}

static void test_errors_without_optional_syntax(void **state)
{
    (void)state;
    cel_parse_opts o = { 0 };
    o.macros = CEL_MACROS_ALL;
    run_table(errors_no_optional, sizeof errors_no_optional / sizeof *errors_no_optional, &o,
              false);
}

static void expect_parse(const char *src, const cel_parse_opts *o, const char *want)
{
    int rc;
    char *got = parse_text(src, strlen(src), o, &rc);
    if (rc != 0 || strcmp(got, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", src, got, want);
    free(got);
}

static void expect_error(const char *src, size_t len, const cel_parse_opts *o, const char *want)
{
    int rc;
    char *got = parse_text(src, len, o, &rc);
    if (rc == 0 || strcmp(got, want) != 0)
        fail_msg("%.60s\n  got:  %s\n  want: %s", src, got, want);
    free(got);
}

/* ---------------------------------------------------------------- options */

static void test_macro_families(void **state)
{
    (void)state;
    cel_parse_opts o = { 0 };
    /* macros == 0 means the standard set */
    expect_parse("has(a.b)", &o, "a.b~test-only~");
    expect_parse("m.all(k, v, v)", &o, "m.all(k, v, v)");
    expect_parse("cel.bind(x, 1, x)", &o, "cel.bind(x, 1, x)");
    expect_parse("cel.index(0)", &o, "cel.index(0)");
    expect_parse("o.optMap(x, x)", &o, "o.optMap(x, x)");
    expect_parse("l.sortBy(x, x)", &o, "l.sortBy(x, x)");
    o.no_macros = true;
    expect_parse("has(a.b)", &o, "has(a.b)");
    expect_parse("x.all(y, y)", &o, "x.all(y, y)");
    o.no_macros = false;
    o.macros = CEL_MACROS_TWO_VAR;
    expect_parse("x.all(y, y)", &o, "x.all(y, y)");
    expect_parse("m.all(k, v, v)", &o,
                 "__comprehension__(k, v, m, @result, true, @not_strictly_false(@result), "
                 "_&&_(@result, v), @result)");
    o.macros = CEL_MACROS_BIND;
    expect_parse("foo.bind(x, 1, x)", &o, "foo.bind(x, 1, x)");
    expect_parse("cel.bind(x, 1, x)", &o, "__comprehension__(#unused, [], x, 1, false, x, x)");
    /* wrong argument counts are plain calls */
    o.macros = CEL_MACROS_ALL;
    expect_parse("x.all(y)", &o, "x.all(y)");
    expect_parse("has(a.b, c)", &o, "has(a.b, c)");
    expect_parse("x.has(a.b)", &o, "x.has(a.b)");
    expect_parse("all(x, y, z)", &o, "all(x, y, z)");
    expect_parse("x.transformList(a, b)", &o, "x.transformList(a, b)");
}

static void test_macro_keeps_call(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    const char *src = "x.exists(y, y > 1)";
    cel_parsed p;
    assert_int_equal(cel_parse(src, strlen(src), &o, &p), 0);
    assert_int_equal(p.root->kind, CEL_AST_COMPREHENSION);
    assert_non_null(p.root->macro);
    char *m = ast_dump(p.root->macro);
    assert_string_equal(m, "x.exists(y, _>_(y, 1))");
    free(m);
    cel_parsed_free(&p);
}

/* ---------------------------------------------------------------- positions */

static void collect_ids(const cel_ast *e, uint32_t *seen, size_t cap, size_t *n)
{
    if (!e)
        return;
    assert_true(*n < cap);
    seen[(*n)++] = e->id;
    switch (e->kind) {
    case CEL_AST_SELECT: collect_ids(e->u.select.operand, seen, cap, n); break;
    case CEL_AST_CALL:
        collect_ids(e->u.call.target, seen, cap, n);
        for (size_t i = 0; i < e->u.call.nargs; i++)
            collect_ids(e->u.call.args[i], seen, cap, n);
        break;
    case CEL_AST_LIST:
        for (size_t i = 0; i < e->u.list.n; i++)
            collect_ids(e->u.list.elems[i], seen, cap, n);
        break;
    case CEL_AST_MAP:
        for (size_t i = 0; i < e->u.map.n; i++) {
            collect_ids(e->u.map.entries[i].key, seen, cap, n);
            collect_ids(e->u.map.entries[i].value, seen, cap, n);
        }
        break;
    case CEL_AST_COMPREHENSION:
        collect_ids(e->u.comp.iter_range, seen, cap, n);
        collect_ids(e->u.comp.accu_init, seen, cap, n);
        collect_ids(e->u.comp.loop_cond, seen, cap, n);
        collect_ids(e->u.comp.loop_step, seen, cap, n);
        collect_ids(e->u.comp.result, seen, cap, n);
        break;
    default: break;
    }
}

static void test_ids_and_offsets(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    const char *src = "a + b.c[1] == f(x)\n  && o.optMap(v, v) != {1: 2}";
    cel_parsed p;
    assert_int_equal(cel_parse(src, strlen(src), &o, &p), 0);
    uint32_t ids[256];
    size_t n = 0;
    collect_ids(p.root, ids, 256, &n);
    for (size_t i = 0; i < n; i++) {
        assert_true(ids[i] > 0 && ids[i] < p.next_id);
        for (size_t j = i + 1; j < n; j++)
            assert_int_not_equal(ids[i], ids[j]);
    }
    /* _&&_ sits at the && token; its left operand _==_ at '==' */
    const cel_ast *and = p.root;
    assert_string_equal(and->u.call.fn, "_&&_");
    assert_int_equal(and->offset, 21);
    const cel_ast *eq = and->u.call.args[0];
    assert_int_equal(eq->offset, 11);
    const cel_ast *plus = eq->u.call.args[0];
    assert_int_equal(plus->offset, 2);
    const cel_ast *index = plus->u.call.args[1];
    assert_string_equal(index->u.call.fn, "_[_]");
    assert_int_equal(index->offset, 7);          /* '[' */
    assert_int_equal(index->u.call.args[0]->offset, 5); /* '.' of b.c */
    const cel_ast *call = eq->u.call.args[1];
    assert_int_equal(call->offset, 15);          /* '(' of f( */
    int line, col;
    cel_source_position(&p.src, and->offset, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 3);
    cel_parsed_free(&p);
}

static void test_source_positions(void **state)
{
    (void)state;
    const char *text = "ab\n\xc3\xa9\xc3\xa9x\n\xff\xffy";
    cel_source s;
    assert_int_equal(cel_source_init(&s, text, strlen(text)), 0);
    int line, col;
    cel_source_position(&s, 0, &line, &col);
    assert_int_equal(line, 1); assert_int_equal(col, 1);
    cel_source_position(&s, 2, &line, &col);
    assert_int_equal(line, 1); assert_int_equal(col, 3);
    cel_source_position(&s, 7, &line, &col); /* 'x' after two 2-byte characters */
    assert_int_equal(line, 2); assert_int_equal(col, 3);
    cel_source_position(&s, 11, &line, &col); /* invalid bytes count one each */
    assert_int_equal(line, 3); assert_int_equal(col, 3);
    cel_source_position(&s, CEL_NO_OFFSET, &line, &col);
    assert_int_equal(line, -1); assert_int_equal(col, 0);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(cel_source_format_issue(&s, 7, "m1", &buf, &len), 0);
    assert_int_equal(cel_source_format_issue(&s, CEL_NO_OFFSET, "m2", &buf, &len), 0);
    assert_string_equal(buf, "ERROR: <input>:2:3: m1\n | \xc3\xa9\xc3\xa9x\n | \xef\xbc\x8e\xef\xbc\x8e^\n"
                             "ERROR: <input>:-1:0: m2");
    assert_int_equal(len, strlen(buf));
    free(buf);
    cel_source_free(&s);
}

static void test_issue_order_and_truncation(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    /* 120 reserved identifiers: all reported, 100 shown, the rest counted */
    char src[2048] = "";
    for (int i = 0; i < 120; i++)
        strcat(src, i ? "+if" : "if");
    cel_parsed p;
    assert_int_equal(cel_parse(src, strlen(src), &o, &p), -1);
    assert_int_equal(p.nissues, 120);
    char *s = cel_parsed_format_issues(&p);
    assert_non_null(strstr(s, "\n20 more errors were truncated"));
    assert_non_null(strstr(s, "ERROR: <input>:1:1: reserved identifier: if\n"));
    free(s);
    cel_parsed_free(&p);
}

/* ---------------------------------------------------------------- limits */

static char *repeat(const char *pre, const char *unit, size_t n, const char *mid, const char *close,
                    size_t m)
{
    size_t len = strlen(pre) + strlen(unit) * n + strlen(mid) + strlen(close) * m + 1;
    char *s = malloc(len);
    assert_non_null(s);
    strcpy(s, pre);
    char *q = s + strlen(s);
    for (size_t i = 0; i < n; i++, q += strlen(unit))
        memcpy(q, unit, strlen(unit));
    memcpy(q, mid, strlen(mid));
    q += strlen(mid);
    for (size_t i = 0; i < m; i++, q += strlen(close))
        memcpy(q, close, strlen(close));
    *q = '\0';
    return s;
}

static void expect_ok(const char *src, const cel_parse_opts *o)
{
    cel_parsed p;
    int rc = cel_parse(src, strlen(src), o, &p);
    if (rc != 0) {
        char *s = cel_parsed_format_issues(&p);
        fail_msg("%.60s...: %s", src, s);
    }
    cel_parsed_free(&p);
}

static void test_code_point_limit(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    char *s = repeat("'", "x", 99998, "'", "", 0);
    expect_ok(s, &o);
    free(s);
    s = repeat("'", "x", 99999, "'", "", 0);
    expect_error(s, strlen(s), &o,
                 "ERROR: <input>:-1:0: expression code point size exceeds limit: size: 100001, "
                 "limit 100000");
    free(s);
    /* code points, not bytes: 99998 two-byte characters fit */
    s = repeat("'", "\xc3\xa9", 99998, "'", "", 0);
    expect_ok(s, &o);
    free(s);
    o.max_code_points = 10;
    expect_error("12345678901", 11, &o,
                 "ERROR: <input>:-1:0: expression code point size exceeds limit: size: 11, limit 10");
}

static void test_nesting_limit(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    char *s = repeat("", "[", 249, "1", "]", 249);
    expect_ok(s, &o);
    free(s);
    s = repeat("", "[", 250, "1", "]", 250);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 250");
    free(s);
    s = repeat("", "(", 249, "1", ")", 249);
    expect_ok(s, &o);
    free(s);
    s = repeat("", "f(", 250, "1", ")", 250);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 250");
    free(s);
    /* 100k unbalanced parentheses fail cleanly */
    s = repeat("", "(", 99999, "", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 250");
    free(s);
    s = repeat("", "{1: ", 20000, "", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 250");
    free(s);
    s = repeat("", "a ? b : ", 300, "c", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 250");
    free(s);
    /* cel-go's own cases with the limit at 32 */
    o.max_depth = 32;
    s = repeat("", "[", 32, "'not fine'", "]", 32);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 32");
    free(s);
    s = repeat("", "a ? b : ", 40, "c", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: expression recursion limit exceeded: 32");
    free(s);
}

static void test_operator_depth_limit(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    char *s = repeat("a", ".b", 250, "", "", 0);
    expect_ok(s, &o);
    free(s);
    s = repeat("a", ".b", 251, "", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: max recursion depth exceeded");
    free(s);
    s = repeat("1", " + 1", 250, "", "", 0);
    expect_ok(s, &o);
    free(s);
    s = repeat("1", " + 1", 251, "", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: max recursion depth exceeded");
    free(s);
    /* long chains far past the limit stop early, without deep recursion */
    s = repeat("a", ".b", 49000, "", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: max recursion depth exceeded");
    free(s);
    s = repeat("a", "[0]", 33000, "", "", 0);
    expect_error(s, strlen(s), &o, "ERROR: <input>:-1:0: max recursion depth exceeded");
    free(s);
    /* logical chains are balanced, unary chains collapse: no limit applies */
    s = repeat("a", " || a", 16000, "", "", 0);
    expect_ok(s, &o);
    free(s);
    s = repeat("", "!", 99990, "a", "", 0);
    expect_ok(s, &o);
    free(s);
    s = repeat("", "-", 99990, "1", "", 0);
    expect_ok(s, &o);
    free(s);
    /* cel-go's own cases with the limit at 32 */
    o.max_depth = 32;
    static const char *const deep[] = {
        "1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 + 14 + 15 + 16 + 17 + 18 "
        "+ 19 + 20 + 21 + 22 + 23 + 24 + 25 + 26 + 27 + 28 + 29 + 30 + 31 + 32 + 33 + 34",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F.G.H",
        "a[1][2][3][4][5][6][7][8][9][10][11][12][13][14][15][16][17][18][19][20]"
        "[21][22][23][24][25][26][27][28][29][30][31][32][33]",
        "a < 1 < 2 < 3 < 4 < 5 < 6 < 7 < 8 < 9 < 10 < 11 < 12 < 13 < 14 < 15 < 16 < 17 < 18 "
        "< 19 < 20 < 21 < 22 < 23 < 24 < 25 < 26 < 27 < 28 < 29 < 30 < 31 < 32 < 33",
    };
    for (size_t i = 0; i < sizeof deep / sizeof *deep; i++)
        expect_error(deep[i], strlen(deep[i]), &o,
                     "ERROR: <input>:-1:0: max recursion depth exceeded");
    /* 20 indexes under 13 relations: 33 */
    char *r = malloc(2048);
    assert_non_null(r);
    r[0] = '\0';
    for (int i = 0; i < 14; i++) {
        strcat(r, i ? " != a" : "a");
        for (int j = 1; j <= 20; j++)
            sprintf(r + strlen(r), "[%d]", j);
    }
    expect_error(r, strlen(r), &o, "ERROR: <input>:-1:0: max recursion depth exceeded");
    free(r);
    expect_ok("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F.G", &o);
}

static void test_recovery_limits(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    o.max_errors = 4;
    expect_error("a ? b ((?))", 11, &o,
                 "ERROR: <input>:1:9: Syntax error: mismatched input '?' expecting {'[', '{', '(', "
                 "'.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, "
                 "BYTES, IDENTIFIER}\n | a ? b ((?))\n | ........^\n"
                 "ERROR: <input>:1:10: Syntax error: mismatched input ')' expecting {'[', '{', '(', "
                 "'.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, "
                 "BYTES, IDENTIFIER}\n | a ? b ((?))\n | .........^\n"
                 "ERROR: <input>:1:12: Syntax error: error recovery attempt limit exceeded: 4\n"
                 " | a ? b ((?))\n | ...........^");
    /* more than 100 syntax errors stop the parser */
    o = all_opts();
    char *s = repeat("", "#", 150, "", "", 0);
    cel_parsed p;
    assert_int_equal(cel_parse(s, strlen(s), &o, &p), -1);
    assert_int_equal(p.nissues, 101);
    assert_string_equal(p.issues[100].msg, "Syntax error: More than 100 syntax errors");
    cel_parsed_free(&p);
    free(s);
}

/* ---------------------------------------------------------------- bytes */

static void test_nul_and_control_bytes(void **state)
{
    (void)state;
    cel_parse_opts o = all_opts();
    const char src[] = "'a\0b' + \"\x01\x7f\" + b'\0'";
    cel_parsed p;
    assert_int_equal(cel_parse(src, sizeof src - 1, &o, &p), 0);
    char *d = ast_dump(p.root);
    assert_string_equal(d, "_+_(_+_(\"a\\x00b\", \"\\x01\\x7f\"), b\"\\x00\")");
    free(d);
    const cel_ast *a = p.root->u.call.args[0]->u.call.args[0];
    assert_int_equal(a->u.lit.len, 3);
    assert_memory_equal(a->u.lit.u.str, "a\0b", 3);
    cel_parsed_free(&p);
    /* outside a literal a NUL is a token error */
    const char bad[] = "1 +\0 2";
    expect_error(bad, sizeof bad - 1, &o,
                 "ERROR: <input>:1:4: Syntax error: token recognition error at: '\\x00'\n"
                 " | 1 +  2\n | ...^");
    /* invalid UTF-8 inside a string becomes U+FFFD, as cel-go reads runes */
    expect_parse("'\xff'", &o, "\"\\xef\\xbf\\xbd\"");
}

/* ---------------------------------------------------------------- conformance */

static int conformance_file(const char *path, size_t *total, size_t *failed)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    cel_parse_opts o = all_opts();
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t err;
        json_t *j = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &err);
        assert_non_null(j);
        json_t *e = json_object_get(j, "expr");
        assert_non_null(e);
        const char *src = json_string_value(e);
        size_t len = json_string_length(e);
        cel_parsed p;
        (*total)++;
        if (cel_parse(src, len, &o, &p) != 0) {
            char *s = cel_parsed_format_issues(&p);
            print_message("%s: %s\n%s\n", path, src, s);
            free(s);
            (*failed)++;
        } else {
            char *u = cel_unparse(p.root);
            assert_non_null(u);
            cel_parsed q;
            if (cel_parse(u, strlen(u), &o, &q) != 0 || !cel_ast_equal(p.root, q.root)) {
                print_message("round trip: %s\n  -> %s\n", src, u);
                (*failed)++;
            }
            cel_parsed_free(&q);
            free(u);
        }
        cel_parsed_free(&p);
        json_decref(j);
    }
    free(line);
    fclose(f);
    return 0;
}

static void test_conformance_expressions(void **state)
{
    (void)state;
    static const char *const files[] = {
        "basic", "bindings_ext", "block_ext", "comparisons", "conversions", "encoders_ext",
        "fields", "fp_math", "integer_math", "lists", "logic", "macros", "macros2",
        "math_ext", "namespace", "optionals", "parse", "plumbing", "string", "string_ext",
        "timestamps",
    };
    size_t total = 0, failed = 0, found = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/conformance/%s.jsonl", CELGATE_SHARED_DIR, files[i]);
        if (conformance_file(path, &total, &failed) == 0)
            found++;
    }
    if (found == 0)
        skip(); /* the shared conformance folder is not beside this checkout */
    print_message("conformance: %zu expressions, %zu failed\n", total, failed);
    assert_true(total > 1000);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_macro_expansions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_errors_without_optional_syntax),
        cmocka_unit_test(test_macro_families),
        cmocka_unit_test(test_macro_keeps_call),
        cmocka_unit_test(test_ids_and_offsets),
        cmocka_unit_test(test_source_positions),
        cmocka_unit_test(test_issue_order_and_truncation),
        cmocka_unit_test(test_code_point_limit),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_operator_depth_limit),
        cmocka_unit_test(test_recovery_limits),
        cmocka_unit_test(test_nul_and_control_bytes),
        cmocka_unit_test(test_conformance_expressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
