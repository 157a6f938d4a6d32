/*
 * test_lib_strings.c: cel-go's strings extension as CEL users see it, in
 * the Kubernetes environments (version 0 up to 1.28, version 2 from
 * 1.29), the all-libraries environment (version 4) and bare environments
 * with one version each: results (cel-go's own test tables), every error
 * text, check-time format validation, version gating, and Kubernetes'
 * runtime costs.
 */
#include "strx_support.h"
#include "cel/ext.h"
#include "cel/ext_strings.h"

static ext_env k28, k29, k37, all;
static ext_env plain[CEL_STRX_NEWEST + 1]; /* one strings version each, no literal rules */
static ext_env unchecked_v1, unchecked_v2;  /* without type-checking: runtime errors */

static cel_env *bare(unsigned version, bool check)
{
    cel_env_options o = {.std_lib = true, .disable_check = !check};
    cel_env *env = cel_env_new(&o);
    if (env && (cel_env_add_library(env, cel_strx_library(version)) != 0 ||
                cel_env_add_library(env, &cel_lib_k8s_ip) != 0)) {
        cel_env_free(env);
        return NULL;
    }
    return env;
}

static int setup(void **state)
{
    bool ok = ext_env_init(&k28, cel_env_new_k8s(28, NULL)) &&
              ext_env_init(&k29, cel_env_new_k8s(29, NULL)) &&
              ext_env_init(&k37, cel_env_new_k8s(0, NULL)) &&
              ext_env_init(&all, cel_env_new_all(NULL)) &&
              ext_env_init(&unchecked_v1, bare(2, false)) &&
              ext_env_init(&unchecked_v2, bare(4, false));
    for (unsigned v = 0; v <= CEL_STRX_NEWEST && ok; v++)
        ok = ext_env_init(&plain[v], bare(v, true));
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    ext_env *envs[] = {&k28, &k29, &k37, &all, &unchecked_v1, &unchecked_v2};
    for (size_t i = 0; i < LEN(envs); i++)
        cel_env_free(envs[i]->env);
    for (unsigned v = 0; v <= CEL_STRX_NEWEST; v++)
        cel_env_free(plain[v].env);
    ext_done();
    return 0;
}

/* ------------------------------------------------------------ functions */

static void test_char_at(void **state)
{
    want_true(&k37, "'tacocat'.charAt(3) == 'o'");
    want_true(&k37, "'tacocat'.charAt(7) == ''");
    want_true(&k37, "'©αT'.charAt(0) == '©' && '©αT'.charAt(1) == 'α' && '©αT'.charAt(2) == 'T'");
    want_err(&k37, "'tacocat'.charAt(30)", "index out of range: 30");
    want_err(&k37, "'tacocat'.charAt(-1)", "index out of range: -1");
    want_err(&k37, "'tacocat'.charAt(8)", "index out of range: 8");
    /* a stray byte is one code point, read as U+FFFD (Go's []rune) */
    cel_value s = STR("a\xff" "b");
    cel_value v = ext_eval(&k37, "s.charAt(1)", &s, NULL, NULL);
    assert_int_equal(v.kind, CEL_STRING);
    assert_int_equal(v.len, 3);
    assert_memory_equal(v.u.str, "\xef\xbf\xbd", 3);
    v = ext_eval(&k37, "s.charAt(2)", &s, NULL, NULL);
    assert_int_equal(v.len, 1);
    assert_memory_equal(v.u.str, "b", 1);
}

static void test_index_of(void **state)
{
    want_int(&k37, "'tacocat'.indexOf('')", 0);
    want_int(&k37, "'tacocat'.indexOf('ac')", 1);
    want_int(&k37, "'tacocat'.indexOf('none')", -1);
    want_int(&k37, "'tacocat'.indexOf('', 3)", 3);
    want_int(&k37, "'tacocat'.indexOf('a', 3)", 5);
    want_int(&k37, "'tacocat'.indexOf('at', 3)", 5);
    want_int(&k37, "'ta©o©αT'.indexOf('©')", 2);
    want_int(&k37, "'ta©o©αT'.indexOf('©', 3)", 4);
    want_int(&k37, "'ta©o©αT'.indexOf('©αT', 3)", 4);
    want_int(&k37, "'ta©o©αT'.indexOf('©α', 5)", -1);
    want_int(&k37, "'ijk'.indexOf('k')", 2);
    want_int(&k37, "'hello wello'.indexOf('hello wello')", 0);
    want_int(&k37, "'hello wello'.indexOf('ello', 6)", 7);
    want_int(&k37, "'hello wello'.indexOf('elbo room!!')", -1);
    want_int(&k37, "'hello wello'.indexOf('elbo room!!!')", -1);
    want_int(&k37, "''.indexOf('a')", -1);
    /* an empty search string is found where the search starts, wherever */
    want_int(&k37, "'tacocat'.indexOf('', 30)", 30);
    want_err(&k37, "'tacocat'.indexOf('a', 30)", "index out of range: 30");
    want_err(&k37, "'tacocat'.indexOf('a', 7)", "index out of range: 7");
    want_err(&k37, "'tacocat'.indexOf('a', -1)", "index out of range: -1");
    /* runes, not bytes: a stray byte is U+FFFD and matches it */
    cel_value s = STR("a\xff\xc3\xa9z");
    cel_value v = ext_eval(&k37, "s.indexOf('é')", &s, NULL, NULL);
    assert_int_equal(v.u.i, 2);
    v = ext_eval(&k37, "s.indexOf('\\uFFFD')", &s, NULL, NULL);
    assert_int_equal(v.u.i, 1);
    v = ext_eval(&k37, "s.indexOf('z', 3)", &s, NULL, NULL);
    assert_int_equal(v.u.i, 3);
}

static void test_last_index_of(void **state)
{
    want_int(&k37, "'tacocat'.lastIndexOf('')", 7);
    want_int(&k37, "'tacocat'.lastIndexOf('at')", 5);
    want_int(&k37, "'tacocat'.lastIndexOf('none')", -1);
    want_int(&k37, "'tacocat'.lastIndexOf('', 3)", 3);
    want_int(&k37, "'tacocat'.lastIndexOf('a', 3)", 1);
    want_int(&k37, "'ta©o©αT'.lastIndexOf('©')", 4);
    want_int(&k37, "'ta©o©αT'.lastIndexOf('©', 3)", 2);
    want_int(&k37, "'ta©o©αT'.lastIndexOf('©α', 4)", 4);
    want_int(&k37, "'hello wello'.lastIndexOf('ello', 6)", 1);
    want_int(&k37, "'hello wello'.lastIndexOf('low')", -1);
    want_int(&k37, "'hello wello'.lastIndexOf('elbo room!!')", -1);
    want_int(&k37, "'hello wello'.lastIndexOf('elbo room!!!')", -1);
    want_int(&k37, "'hello wello'.lastIndexOf('hello wello')", 0);
    want_int(&k37, "'bananananana'.lastIndexOf('nana', 7)", 6);
    want_int(&k37, "''.lastIndexOf('@@')", -1);
    want_err(&k37, "'tacocat'.lastIndexOf('a', -1)", "index out of range: -1");
    want_err(&k37, "'tacocat'.lastIndexOf('a', 30)", "index out of range: 30");
    cel_value s = STR("\xff" "ab\xff");
    cel_value v = ext_eval(&k37, "s.lastIndexOf('\\uFFFD')", &s, NULL, NULL);
    assert_int_equal(v.u.i, 3);
}

static void test_ascii_case(void **state)
{
    want_true(&k37, "'TacoCat'.lowerAscii() == 'tacocat'");
    want_true(&k37, "'TacoCÆt'.lowerAscii() == 'tacocÆt'");
    want_true(&k37, "'TacoCÆt Xii'.lowerAscii() == 'tacocÆt xii'");
    want_true(&k37, "'tacoCat'.upperAscii() == 'TACOCAT'");
    want_true(&k37, "'tacoCαt'.upperAscii() == 'TACOCαT'");
    want_true(&k37, "'TacoCÆt Xii'.upperAscii() == 'TACOCÆT XII'");
    /* the result is string([]rune(s)): a stray byte becomes U+FFFD */
    cel_value s = STR("A\xff");
    cel_value v = ext_eval(&k37, "s.lowerAscii()", &s, NULL, NULL);
    assert_int_equal(v.kind, CEL_STRING);
    assert_int_equal(v.len, 4);
    assert_memory_equal(v.u.str, "a\xef\xbf\xbd", 4);
}

static void test_replace(void **state)
{
    want_true(&k37, "'12 days 12 hours'.replace('{0}', '2') == '12 days 12 hours'");
    want_true(&k37, "'{0} days {0} hours'.replace('{0}', '2') == '2 days 2 hours'");
    want_true(&k37, "'{0} days {0} hours'.replace('{0}', '2', 1).replace('{0}', '23') == "
                    "'2 days 23 hours'");
    want_true(&k37, "'1 ©αT taco'.replace('αT', 'o©α') == '1 ©o©α taco'");
    want_str(&k37, "'hello hello'.replace('he', 'we')", "wello wello");
    want_str(&k37, "'hello hello'.replace('he', 'we', -1)", "wello wello");
    want_str(&k37, "'hello hello'.replace('he', 'we', 1)", "wello hello");
    want_str(&k37, "'hello hello'.replace('he', 'we', 0)", "hello hello");
    /* an empty search string matches before every code point and at the end */
    want_str(&k37, "'ta©o'.replace('', '.')", ".t.a.©.o.");
    want_str(&k37, "'hello'.replace('', '-', 2)", "-h-ello");
    want_str(&k37, "''.replace('', '-')", "-");
    /* results past what an evaluation may allocate fail, at run time and
     * when folding constants at compile time alike */
    static char big[70001];
    memset(big, 'a', sizeof big - 1);
    cel_value sv = cel_string_n(big, sizeof big - 1);
    char *src = malloc(100000);
    assert_non_null(src);
    int n = snprintf(src, 100000, "s.replace('', '%.*s')", 1000, big); /* 70 MB */
    assert_true(n > 0 && n < 100000);
    want_err_with(&k37, src, &sv, NULL, "string too long");
    n = snprintf(src, 100000, "'%.*s'.replace('', '%.*s')", 50000, big, 40000, big);
    assert_true(n > 0 && n < 100000);
    want_err(&k37, src, "string too long");
    free(src);
}

static void test_split(void **state)
{
    want_true(&k37, "'hello world'.split(' ') == ['hello', 'world']");
    want_true(&k37, "'hello world events!'.split(' ', 0) == []");
    want_true(&k37, "'hello world events!'.split(' ', 1) == ['hello world events!']");
    want_true(&k37, "'hello hello hello'.split(' ', 2) == ['hello', 'hello hello']");
    want_true(&k37, "'hello hello hello'.split(' ', -1) == ['hello', 'hello', 'hello']");
    want_true(&k37, "'o©o©o©o'.split('©', -1) == ['o', 'o', 'o', 'o']");
    want_true(&k37, "'ab©'.split('') == ['a', 'b', '©']");
    want_true(&k37, "'ab©d'.split('', 2) == ['a', 'b©d']");
    want_true(&k37, "''.split('') == []");
    want_true(&k37, "''.split(',') == ['']");
    want_true(&k37, "'a,'.split(',') == ['a', '']");
}

static void test_substring(void **state)
{
    want_true(&k37, "'tacocat'.substring(4) == 'cat'");
    want_true(&k37, "'tacocat'.substring(7) == ''");
    want_true(&k37, "'tacocat'.substring(0, 4) == 'taco'");
    want_true(&k37, "'tacocat'.substring(4, 4) == ''");
    want_true(&k37, "'ta©o©αT'.substring(2, 6) == '©o©α'");
    want_true(&k37, "'ta©o©αT'.substring(7, 7) == ''");
    want_err(&k37, "'tacocat'.substring(40)", "index out of range: 40");
    want_err(&k37, "'tacocat'.substring(-1)", "index out of range: -1");
    want_err(&k37, "'tacocat'.substring(1, 50)", "index out of range: 50");
    want_err(&k37, "'tacocat'.substring(49, 50)", "index out of range: 49");
    want_err(&k37, "'tacocat'.substring(-1, 3)", "index out of range: -1");
    want_err(&k37, "'tacocat'.substring(4, 3)", "invalid substring range. start: 4, end: 3");
}

static void test_trim(void **state)
{
    want_true(&k37, "' \\f\\n\\r\\t\\vtext  '.trim() == 'text'");
    want_true(&k37, "'\\u0085\\u00a0\\u1680text'.trim() == 'text'");
    want_true(&k37, "'text\\u2000\\u2001\\u2002\\u2003\\u2004\\u2004\\u2006\\u2007\\u2008\\u2009'"
                    ".trim() == 'text'");
    want_true(&k37, "'\\u200atext\\u2028\\u2029\\u202F\\u205F\\u3000'.trim() == 'text'");
    /* zero-width characters are not spaces */
    want_true(&k37, "'\\u180etext\\u200b\\u200c\\u200d\\u2060\\ufeff'.trim() == "
                    "'\\u180etext\\u200b\\u200c\\u200d\\u2060\\ufeff'");
    want_true(&k37, "'  '.trim() == ''");
}

/* A list value [1] (static: it outlives the arena resets). */
static cel_value int_list(void)
{
    static const cel_value items[1] = {{.kind = CEL_INT, .u.i = 1}};
    static const cel_list l = {1, items, NULL, NULL};
    return cel_list_v(&l);
}

/* ['a', 1]: passes the run-time guard of list(string), which looks at the
 * first element only, as cel-go's does. */
static cel_value mixed_list(void)
{
    static const cel_value items[2] = {{.kind = CEL_STRING, .len = 1, .u.str = "a"},
                                       {.kind = CEL_INT, .u.i = 1}};
    static const cel_list l = {2, items, NULL, NULL};
    return cel_list_v(&l);
}

static void test_join(void **state)
{
    ext_env *envs[] = {&k28, &k37, &all};
    for (size_t i = 0; i < LEN(envs); i++) {
        want_true(envs[i], "['x', 'y'].join() == 'xy'");
        want_true(envs[i], "['x', 'y'].join('-') == 'x-y'");
        want_true(envs[i], "[].join() == ''");
        want_true(envs[i], "[].join('-') == ''");
    }
    /* a list of ints fails the overload's run-time type guard */
    cel_value ints = int_list();
    want_err_with(&k37, "x.join()", NULL, &ints, "no such overload: join(list)");
    want_err_with(&k28, "x.join('-')", NULL, &ints, "no such overload: join(list, string)");
    cel_value l = mixed_list();
    /* version 2 on names the value; 0 and 1 fail converting the list */
    want_err_with(&k37, "x.join()", NULL, &l, "join: invalid input: 1");
    want_err_with(&all, "x.join('-')", NULL, &l, "join: invalid input: 1");
    want_err_with(&k28, "x.join()", NULL, &l, "unsupported type conversion from 'int' to string");
    want_err_with(&plain[1], "x.join(', ')", NULL, &l,
                  "unsupported type conversion from 'int' to string");
}

static void test_quote(void **state)
{
    want_true(&k37, "strings.quote(\"first\\nsecond\") == \"\\\"first\\\\nsecond\\\"\"");
    want_true(&k37, "strings.quote(\"bell\\a\") == \"\\\"bell\\\\a\\\"\"");
    want_true(&k37, "strings.quote(\"\\bbackspace\") == \"\\\"\\\\bbackspace\\\"\"");
    want_true(&k37, "strings.quote(\"\\fform feed\") == \"\\\"\\\\fform feed\\\"\"");
    want_true(&k37, "strings.quote(\"carriage \\r return\") == \"\\\"carriage \\\\r return\\\"\"");
    want_true(&k37, "strings.quote(\"horizontal tab\\t\") == \"\\\"horizontal tab\\\\t\\\"\"");
    want_true(&k37, "strings.quote(\"vertical \\v tab\") == \"\\\"vertical \\\\v tab\\\"\"");
    want_true(&k37, "strings.quote(\"double \\\\\\\\ slash\") == \"\\\"double \\\\\\\\\\\\\\\\ slash\\\"\"");
    want_true(&k37, "strings.quote(\"mid string \\\" quote\") == \"\\\"mid string \\\\\\\" quote\\\"\"");
    want_true(&k37, "strings.quote('single-quote with \"double quote\"') == "
                    "\"\\\"single-quote with \\\\\\\"double quote\\\\\\\"\\\"\"");
    want_true(&k37, "strings.quote(\"завтра\") == \"\\\"завтра\\\"\"");
    want_true(&k37, "strings.quote(\"\\U0001F431\\U0001F600\\U0001F61B\") == "
                    "\"\\\"\\U0001F431\\U0001F600\\U0001F61B\\\"\"");
    want_str(&k37, "strings.quote('')", "\"\"");
    /* other control characters stay as they are */
    want_str(&k37, "strings.quote('a\\x01b')", "\"a\x01" "b\"");
    /* a stray byte becomes U+FFFD */
    cel_value s = STR("a\xff");
    cel_value v = ext_eval(&k37, "strings.quote(s)", &s, NULL, NULL);
    assert_int_equal(v.kind, CEL_STRING);
    assert_int_equal(v.len, 6);
    assert_memory_equal(v.u.str, "\"a\xef\xbf\xbd\"", 6);
}

static void test_reverse(void **state)
{
    want_str(&all, "'gums'.reverse()", "smug");
    want_str(&all, "'John Smith'.reverse()", "htimS nhoJ");
    want_str(&all, "'©αT'.reverse()", "Tα©");
    want_str(&all, "''.reverse()", "");
    want_str(&plain[3], "'abc'.reverse()", "cba");
}

/* ------------------------------------------------------------ format, version 4 */

static void test_format_v2(void **state)
{
    static const struct {
        const char *src, *want;
    } cases[] = {
        {"'no substitution'.format([])", "no substitution"},
        {"'str is %s and some more'.format(['filler'])", "str is filler and some more"},
        {"'%% and also %%'.format([])", "% and also %"},
        {"'%%%s%%'.format(['text'])", "%text%"},
        {"'%d %d %d, %s %s %s'.format([1, 2, 3, 'A', 'B', 'C'])", "1 2 3, A B C"},
        {"'%.3f'.format([1.2345])", "1.234"},
        {"'this is 5 in binary: %b'.format([5])", "this is 5 in binary: 101"},
        {"'%b'.format([-5])", "-101"},
        {"'unsigned 64 in binary: %b'.format([uint(64)])", "unsigned 64 in binary: 1000000"},
        {"'bit set from bool: %b'.format([true])", "bit set from bool: 1"},
        {"'%o'.format([11])", "13"},
        {"'%o'.format([-11])", "-13"},
        {"'%o'.format([uint(65535)])", "177777"},
        {"'%x is 30 in hexadecimal'.format([30])", "1e is 30 in hexadecimal"},
        {"'%X'.format([30])", "1E"},
        {"'%x'.format([-30])", "-1e"},
        {"'%X'.format([uint(6000)])", "1770"},
        {"'%x'.format(['Hello world!'])", "48656c6c6f20776f726c6421"},
        {"'%X'.format(['Hello world!'])", "48656C6C6F20776F726C6421"},
        {"'%x'.format([b'byte string'])", "6279746520737472696e67"},
        {"'%x'.format([b'\\x00\\x00byte string\\x00'])", "00006279746520737472696e6700"},
        {"'%X'.format([b'byte string'])", "6279746520737472696E67"},
        {"'%.6e'.format([1052.032911275])", "1.052033e+03"},
        {"'%f'.format([2.71828])", "2.718280"},
        {"'%e'.format([2.71828])", "2.718280e+00"},
        {"'%.0f'.format([2.5])", "2"},
        {"'%.0f'.format([3.5001])", "4"},
        {"'%.3f'.format([-123.4999])", "-123.500"},
        {"'%.5f'.format([-1.2])", "-1.20000"},
        {"'%.3f'.format([5])", "5.000"},
        {"'%e'.format([uint(5)])", "5.000000e+00"},
        {"'%s'.format([2.71])", "2.71"},
        {"'%s'.format([[2.71]])", "[2.71]"},
        {"'%s'.format([0.000000002])", "0.000000002"},
        {"'%s'.format([1e21])", "1000000000000000000000"},
        {"'%s'.format([-0.0])", "-0"},
        {"'%f'.format([double('NaN')])", "NaN"},
        {"'%f'.format([double('Infinity')])", "Infinity"},
        {"'%e'.format([double('-Infinity')])", "-Infinity"},
        {"'%d'.format([double('-Infinity')])", "-Infinity"},
        {"'%d'.format([3.5])", "3.5"},
        {"'%s'.format([[double('NaN'), double('+Infinity'), double('-Infinity')]])",
         "[NaN, Infinity, -Infinity]"},
        {"'%d'.format([uint(64)])", "64"},
        {"'null: %s'.format([null])", "null: null"},
        {"'%s'.format([999999999999])", "999999999999"},
        {"'some bytes: %s'.format([b'xyz'])", "some bytes: xyz"},
        {"'type is %s'.format([type('test string')])", "type is string"},
        {"'%s'.format([type(duration('1s'))])", "google.protobuf.Duration"},
        {"'%s'.format([timestamp('2023-02-03T23:31:20+00:00')])", "2023-02-03T23:31:20Z"},
        {"'%s'.format([timestamp('2023-02-03T23:31:20.123+01:00')])", "2023-02-03T22:31:20.123Z"},
        {"'%s'.format([duration('1h45m47s')])", "6347s"},
        {"'%s'.format([duration('2ns')])", "0.000000002s"},
        {"'%s'.format([duration('-1.5s')])", "-1.5s"},
        {"'true bool: %s, false bool: %s'.format([true, false])",
         "true bool: true, false bool: false"},
        {"'%s'.format([dyn('a string')])", "a string"},
        {"'%d'.format([dyn(128)])", "128"},
        {"'%.3f'.format([dyn(4.5)])", "4.500"},
        {"'%s'.format([{'b': 1, 'a': 2}])", "{a: 2, b: 1}"},
        {"'%s'.format([[]])", "[]"},
        {"'%s'.format([{}])", "{}"},
    };
    for (size_t i = 0; i < LEN(cases); i++)
        want_str(&all, cases[i].src, cases[i].want);
    /* mixed literals (no homogeneous-literal rule in a bare environment) */
    want_str(&plain[4], "'%s'.format([['abc', 3.14, null, [9, 8, 7, 6], "
                        "timestamp('2023-02-03T23:31:20Z')]])",
             "[abc, 3.14, null, [9, 8, 7, 6], 2023-02-03T23:31:20Z]");
    want_str(&plain[4], "'%s'.format([{'key1': b'xyz', 'key5': null, 'key2': duration('2h'), "
                        "'key4': true, 'key3': 2.71828}])",
             "{key1: xyz, key2: 7200s, key3: 2.71828, key4: true, key5: null}");
    want_str(&plain[4], "'map with multiple key types: %s'.format([{1: 'value1', uint(2): "
                        "'value2', true: double('NaN')}])",
             "map with multiple key types: {1: value1, 2: value2, true: NaN}");
    want_str(&plain[4], "'%s'.format([{'strKey': 'x', 6: duration('422s'), true: 42}])",
             "{6: 422s, strKey: x, true: 42}");
    want_str(&plain[4], "'%s, %s'.format([dyn(32), dyn(56.8)])", "32, 56.8");
}

/* ------------------------------------------------------------ format, versions 1-3 */

static void test_format_v1(void **state)
{
    static const struct {
        const char *src, *want;
    } cases[] = {
        {"'%.3f'.format([1.2345])", "1.234"},
        {"'%f'.format([2.71828])", "2.718280"},
        /* golang.org/x/text in en_US: "×10" with superscript digits, and
         * the precision turned into a width ("%6e"), so six digits always */
        {"'%.6e'.format([1052.032911275])", "1.052033\u202f\u00d7\u202f10\u2070\u00b3"},
        {"'%e'.format([2.71828])", "2.718280\u202f\u00d7\u202f10\u2070\u2070"},
        {"'%.2e'.format([2.71828])", "2.718280\u202f\u00d7\u202f10\u2070\u2070"},
        {"'%.20e'.format([2.71828])", "     2.718280\u202f\u00d7\u202f10\u2070\u2070"},
        {"'%e'.format([-0.00012])", "-1.200000\u202f\u00d7\u202f10\u207b\u2070\u2074"},
        {"'%f'.format(['NaN'])", "NaN"},
        {"'%f'.format(['Infinity'])", "\u221e"},
        {"'%f'.format(['-Infinity'])", "-\u221e"},
        {"'%e'.format([double('-Infinity')])", "-\u221e"},
        /* x/text groups the integer digits */
        {"'%f'.format([1234567.5])", "1,234,567.500000"},
        {"'%.1f'.format([-1000.25])", "-1,000.2"},
        {"'%.0f'.format([999.5])", "1,000"},
        {"'%d'.format([uint(64)])", "64"},
        {"'%b'.format([-5])", "-101"},
        {"'%x'.format([-30])", "-1e"},
        {"'%o'.format([uint(65535)])", "177777"},
        {"'null: %s'.format([null])", "null: null"},
        {"'some bytes: %s'.format([b'xyz'])", "some bytes: xyz"},
        {"'type is %s'.format([type('test string')])", "type is string"},
        {"'%s'.format([timestamp('2023-02-03T23:31:20+00:00')])", "2023-02-03T23:31:20Z"},
        {"'%s'.format([duration('1h45m47s')])", "6347s"},
        /* %s of a double is string(double) */
        {"'%s'.format([56.8])", "56.8"},
        {"'%s'.format([1e21])", "1e+21"},
        {"'%s'.format([[1, 2]])", "[1, 2]"},
        {"'%s'.format([['a', 'b']])", "[\"a\", \"b\"]"},
        {"'%s'.format([[2.5]])", "[2.500000]"},
        {"'%s'.format([[double('NaN')]])", "[\"NaN\"]"},
        {"'%s'.format([[double('-Infinity')]])", "[\"-Inf\"]"},
        {"'%s'.format([[duration('1s')]])", "[duration(\"1s\")]"},
        {"'%s'.format([[b'a\\x01']])", "[b\"a\\x01\"]"},
        {"'%s'.format([['tab\\there']])", "[\"tab\\there\"]"},
        {"'%s'.format([{'b': 1, 'a': 2}])", "{\"a\":2, \"b\":1}"},
    };
    ext_env *envs[] = {&k29, &k37};
    for (size_t e = 0; e < LEN(envs); e++)
        for (size_t i = 0; i < LEN(cases); i++)
            want_str(envs[e], cases[i].src, cases[i].want);
    want_str(&plain[1], "'%s'.format([['abc', 3.14, null, [9, 8, 7, 6], "
                        "timestamp('2023-02-03T23:31:20Z')]])",
             "[\"abc\", 3.140000, null, [9, 8, 7, 6], timestamp(\"2023-02-03T23:31:20Z\")]");
    want_str(&plain[2], "'%s'.format([{'key1': b'xyz', 'key5': null, 'key2': duration('2h'), "
                        "'key4': true, 'key3': 2.71828}])",
             "{\"key1\":b\"xyz\", \"key2\":duration(\"7200s\"), \"key3\":2.718280, "
             "\"key4\":true, \"key5\":null}");
    want_str(&plain[3], "'map with multiple key types: %s'.format([{1: 'value1', uint(2): "
                        "'value2', true: double('NaN')}])",
             "map with multiple key types: {1:\"value1\", 2:\"value2\", true:\"NaN\"}");
    want_str(&plain[2], "'%s'.format([{'strKey': 'x', 6: duration('422s'), true: 42}])",
             "{\"strKey\":\"x\", 6:duration(\"422s\"), true:42}");
    want_str(&plain[2], "'%s'.format([[6, 4.2, 'a string']])", "[6, 4.200000, \"a string\"]");
    want_str(&plain[2], "'dynIntStr: %s dynDoubleStr: %s'.format([dyn(32), dyn(56.8)])",
             "dynIntStr: 32 dynDoubleStr: 56.8");
}

/* ------------------------------------------------------------ format errors at run time */

static void test_format_runtime_errors(void **state)
{
    static const struct {
        const char *src, *v1, *v2;
    } cases[] = {
        {"'%a'.format([1])", "could not parse formatting clause: unrecognized formatting clause \"a\"",
         NULL},
        {"'double is %E'.format([0.5])",
         "could not parse formatting clause: unrecognized formatting clause \"E\"", NULL},
        {"'%d %d %d'.format([0, 1])", "index 2 out of range", NULL},
        {"'filler %'.format([])", "index 0 out of range", NULL},
        {"'filler %'.format([1])", "unexpected end of string", NULL},
        {"'%.f'.format([1.0])",
         "could not parse formatting clause: error while parsing precision: error while "
         "converting precision to integer: strconv.Atoi: parsing \"\": invalid syntax", NULL},
        {"'%.12'.format([1.0])",
         "could not parse formatting clause: error while parsing precision: could not find end "
         "of precision specifier", NULL},
        {"'%.99999999999999999999f'.format([1.0])",
         "could not parse formatting clause: error while parsing precision: error while "
         "converting precision to integer: strconv.Atoi: parsing \"99999999999999999999\": "
         "value out of range", NULL},
        /* Go reads the clause byte as a rune */
        {"'%é'.format([1])", "could not parse formatting clause: unrecognized formatting clause \"\u00c3\"",
         NULL},
        {"'string is %b'.format(['abc'])",
         "error during formatting: only integers and bools can be formatted as binary, was given string",
         "error during formatting: only ints, uints, and bools can be formatted as binary, was given string"},
        {"'%d'.format([duration('30m2s')])",
         "error during formatting: decimal clause can only be used on integers, was given "
         "google.protobuf.Duration",
         "error during formatting: decimal clause can only be used on ints, uints, and doubles, "
         "was given google.protobuf.Duration"},
        {"'octal: %o'.format(['a string'])",
         "error during formatting: octal clause can only be used on integers, was given string",
         "error during formatting: octal clause can only be used on ints and uints, was given string"},
        {"'double is %x'.format([0.5])",
         "error during formatting: only integers, byte buffers, and strings can be formatted as "
         "hex, was given double",
         "error during formatting: only ints, uints, bytes, and strings can be formatted as hex, "
         "was given double"},
        {"'null: %e'.format([null])",
         "error during formatting: scientific clause can only be used on doubles, was given null_type",
         "error during formatting: scientific clause can only be used on ints, uints, and "
         "doubles, was given null_type"},
        {"'null: %f'.format([null])",
         "error during formatting: fixed-point clause can only be used on doubles, was given null_type",
         "error during formatting: fixed-point clause can only be used on ints, uints, and "
         "doubles, was given null_type"},
        {"'%f'.format([1])",
         "error during formatting: fixed-point clause can only be used on doubles, was given int",
         ""},
        {"'%d'.format([1.5])",
         "error during formatting: decimal clause can only be used on integers, was given double",
         ""},
        {"'object is %s'.format([ip('1.2.3.4')])",
         "error during formatting: string clause can only be used on strings, bools, bytes, ints, "
         "doubles, maps, lists, types, durations, and timestamps, was given net.IP", NULL},
        {"'%s'.format([[1, 2, ip('1.2.3.4')]])",
         "error during formatting: no formatting function for net.IP",
         "error during formatting: string clause can only be used on strings, bools, bytes, ints, "
         "doubles, maps, lists, types, durations, and timestamps, was given net.IP"},
        {"'%s'.format([{1: 'a', 2: ip('1.2.3.4')}])",
         "error during formatting: no formatting function for net.IP",
         "error during formatting: string clause can only be used on strings, bools, bytes, ints, "
         "doubles, maps, lists, types, durations, and timestamps, was given net.IP"},
        {"'%s'.format([b'\\xff'])",
         "error during formatting: could not convert argument \"invalid UTF-8 in bytes, cannot "
         "convert to string\" to string", ""},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        want_err(&unchecked_v1, cases[i].src, cases[i].v1);
        const char *v2 = cases[i].v2 ? cases[i].v2 : cases[i].v1;
        if (v2[0])
            want_err(&unchecked_v2, cases[i].src, v2);
    }
    /* what V1 rejects, V2 formats */
    want_str(&unchecked_v2, "'%f'.format([1])", "1.000000");
    want_str(&unchecked_v2, "'%d'.format([1.5])", "1.5");
    want_str(&unchecked_v2, "'%s'.format([b'\\xff'])", "\xff");
    /* the same texts when the argument's type is only known at run time */
    cel_value d = {.kind = CEL_DURATION, .u.i = 1};
    want_err_with(&k37, "'%d'.format([x])", NULL, &d,
                  "error during formatting: decimal clause can only be used on integers, was "
                  "given google.protobuf.Duration");
    /* a precision too large to print fails instead of exhausting memory */
    want_err(&unchecked_v2, "'%.2000000000f'.format([1.0])", "string too long");
}

/* ------------------------------------------------------------ format errors at check time */

static void test_format_check(void **state)
{
    /* cel-go's string.format validator: literal format, list literal */
    want_compile_err(&all, "'%s %s'.format(['abc'])", "ERROR: <input>:1:15: index 1 out of range");
    want_compile_err(&all, "'%s %s'.format(['abc', 'def', 'ghi'])",
                     "ERROR: <input>:1:15: too many arguments supplied to string.format "
                     "(expected 2, got 3)");
    want_compile_err(&all, "'filler %'.format([])", "ERROR: <input>:1:18: unexpected end of string");
    want_compile_err(&all, "'%j'.format([123])",
                     "could not parse formatting clause: unrecognized formatting clause \"j\"");
    want_compile_err(&all, "'double is %.34'.format([5.0])",
                     "could not parse formatting clause: error while parsing precision: could "
                     "not find end of precision specifier");
    /* type errors point at the argument */
    want_compile_err(&all, "'int is %d'.format([null])",
                     "ERROR: <input>:1:21: error during formatting: decimal clause can only be "
                     "used on ints, uints, and doubles, was given null_type");
    want_compile_err(&all, "'double is %f'.format([true])",
                     "error during formatting: fixed-point clause can only be used on ints, "
                     "uints, and doubles, was given bool");
    want_compile_err(&all, "'double is %e'.format([true])",
                     "error during formatting: scientific clause can only be used on ints, "
                     "uints, and doubles, was given bool");
    want_compile_err(&all, "'string is %b'.format(['a string'])",
                     "error during formatting: only ints, uints, and bools can be formatted as "
                     "binary, was given string");
    want_compile_err(&all, "'%x is a double'.format([2.5])",
                     "error during formatting: only ints, uints, bytes, and strings can be "
                     "formatted as hex, was given double");
    want_compile_err(&all, "'an octal: %o'.format([3.14])",
                     "octal clause can only be used on ints and uints, was given double");
    want_compile_err(&all, "'%d'.format([[1]])",
                     "decimal clause can only be used on ints, uints, and doubles, was given list");
    want_compile_err(&all, "'%s'.format([ip('1.2.3.4')])",
                     "error during formatting: string clause can only be "
                     "used on strings, bools, bytes, ints, doubles, maps, lists, types, "
                     "durations, and timestamps, was given net.IP");
    /* %s looks through list and map literals, and names the element */
    want_compile_err(&plain[4], "'list is %s'.format([[1, ip('1.2.3.4')]])",
                     "error during formatting: string clause can only be used on strings, "
                     "bools, bytes, ints, doubles, maps, lists, types, durations, and "
                     "timestamps, was given net.IP");
    want_compile_err(&plain[4], "'%s'.format([{'k': ip('1.2.3.4')}])",
                     "was given net.IP");
    /* version 1 rules in Kubernetes */
    want_compile_err(&k37, "'%d'.format(['a'])",
                     "ERROR: <input>:1:14: error during formatting: decimal clause can only be "
                     "used on integers, was given string");
    want_compile_err(&k37, "'%f'.format([1])",
                     "fixed-point clause can only be used on doubles, was given int");
    want_compiles(&k37, "'%f'.format(['NaN'])");
    want_compile_err(&all, "'%f'.format(['NaN'])",
                     "fixed-point clause can only be used on ints, uints, and doubles, was given string");
    /* not checked: variables of dyn type, non-literal formats or lists */
    want_compiles(&all, "'%d'.format([x])");
    want_compiles(&all, "s.format([true])");
    want_compiles(&all, "'%d'.format(dyn([true]))");
    /* the homogeneous-literal rule does not apply inside format() */
    want_compiles(&k37, "'%s %d'.format(['a', 1])");
}

/* ------------------------------------------------------------ versions */

static void test_versions(void **state)
{
    /* Kubernetes 1.28: version 0 */
    want_compile_err(&k28, "'%d'.format([1])", "undeclared reference to 'format'");
    want_compile_err(&k28, "strings.quote('a')", "undeclared reference to 'strings'");
    want_true(&k28, "'TacoCat'.lowerAscii() == 'tacocat' && 'a b'.split(' ').join('-') == 'a-b'");
    /* 1.29 on: version 2 */
    want_str(&k29, "strings.quote('a')", "\"a\"");
    want_str(&k29, "'%e'.format([1.0])", "1.000000\u202f\u00d7\u202f10\u2070\u2070");
    want_compile_err(&k29, "'abc'.reverse()", "reverse");
    want_compile_err(&k37, "'abc'.reverse()", "reverse");
    /* the all-libraries environment: the newest */
    want_str(&all, "'%e'.format([1.0])", "1.000000e+00");
    want_str(&all, "'abc'.reverse()", "cba");
    /* bare tables */
    want_compile_err(&plain[0], "strings.quote('a')", "undeclared reference");
    want_str(&plain[1], "strings.quote('a')", "\"a\"");
    want_compile_err(&plain[2], "'a'.reverse()", "undeclared reference to 'reverse'");
    want_str(&plain[3], "'%e'.format([1.0])", "1.000000\u202f\u00d7\u202f10\u2070\u2070");
    want_str(&plain[4], "'%e'.format([1.0])", "1.000000e+00");
    assert_ptr_equal(cel_strx_library(99), &cel_lib_ext_strings[CEL_STRX_NEWEST]);
    assert_ptr_equal(cel_strx_library(2), &cel_lib_ext_strings[2]);
    /* wrong argument types are compile errors when checked ... */
    want_compile_err(&k37, "'hello'.charAt(true)",
                     "found no matching overload for 'charAt' applied to 'string.(bool)'");
    /* ... and "no such overload" when not */
    cel_value v = ext_eval(&unchecked_v2, "42.charAt(2) == ''", NULL, NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.u.err->msg, "no such overload"));
    v = ext_eval(&unchecked_v2, "'42'.replace('2', '1', '1')", NULL, NULL, NULL);
    assert_int_equal(v.kind, CEL_ERROR);
    assert_non_null(strstr(v.u.err->msg, "no such overload"));
}

/* ------------------------------------------------------------ costs */

static void test_costs(void **state)
{
    /* Kubernetes' CostEstimator; s costs 1 */
    cel_value s25 = STR("Hello World, hello world!"); /* 25 bytes */
    cel_value s18 = STR("hello mellow hello");        /* 18 bytes */
    cel_value e5 = STR("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"); /* 5 runes, 10 bytes */
    cel_value fmt = STR("no substitution");           /* 15 */
    /* charAt: cel-go's default */
    want_cost_with(&k37, "s.charAt(0)", &s25, 2);
    /* indexOf / lastIndexOf: traversalCost truncates, over bytes */
    want_cost_with(&k37, "s.indexOf('l')", &s18, 2);
    want_cost_with(&k37, "s.lastIndexOf('l', 3)", &s18, 2);
    want_cost_with(&k37, "s.indexOf('\\u00e9')", &e5, 2);
    want_cost_with(&k37, "'hello'.indexOf('l')", NULL, 0);
    /* lowerAscii upperAscii substring trim: ceil(0.1 * code points) */
    want_cost_with(&k37, "s.lowerAscii()", &s25, 4);
    want_cost_with(&k37, "s.upperAscii()", &e5, 2);
    want_cost_with(&k37, "s.substring(1)", &s25, 4);
    want_cost_with(&k37, "s.substring(1, 2)", &s25, 4);
    want_cost_with(&k37, "s.trim()", &s25, 4);
    /* replace split: ceil(0.2 * code points) */
    want_cost_with(&k37, "s.replace('l', 'L')", &s25, 6);
    want_cost_with(&k37, "s.replace('l', 'L', 1)", &s25, 6);
    want_cost_with(&k37, "s.split(' ')", &s25, 6);
    want_cost_with(&k37, "s.split(' ', 2)", &s25, 6);
    /* join: ceil(0.2 * result): list 10, s twice, 50 runes joined */
    want_cost_with(&k37, "[s, s].join()", &s25, 22);
    want_cost_with(&k37, "['a', 'b'].join('-')", NULL, 1); /* the constant list is folded */
    /* format and strings.quote: cel-go's ceil(0.1 * size of the string) */
    want_cost_with(&k37, "s.format([])", &fmt, 3); /* the constant list is folded */
    want_cost_with(&k37, "strings.quote(s)", &fmt, 3);
    want_cost_with(&all, "'%.3f'.format([1.2345])", NULL, 1); /* the constant list is folded */
    /* reverse (all libraries): the default */
    want_cost_with(&all, "s.reverse()", &s25, 2);
    /* the same in Kubernetes 1.28 */
    want_cost_with(&k28, "s.split(' ')", &s25, 6);
}

int main(void)
{
    /* The compiler reaches the parser and the standard library through weak
     * references; name them so that this executable links them. */
    const void *volatile link[] = {(const void *)cel_parse, &cel_lib_std, &cel_lib_time};
    (void)link;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_char_at),
        cmocka_unit_test(test_index_of),
        cmocka_unit_test(test_last_index_of),
        cmocka_unit_test(test_ascii_case),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_substring),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_reverse),
        cmocka_unit_test(test_format_v2),
        cmocka_unit_test(test_format_v1),
        cmocka_unit_test(test_format_runtime_errors),
        cmocka_unit_test(test_format_check),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_costs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
