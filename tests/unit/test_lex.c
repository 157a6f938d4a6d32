/*
 * tests/unit/test_lex.c: the lexer (cel/lex.c): every token kind, ANTLR's
 * longest-prefix fallbacks and error recovery, every escape of string and
 * bytes literals, and UTF-8 handling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

/* Lexes src into "KIND:text KIND:text ..." (ERROR tokens show the text
 * ANTLR reports). */
static char *lex_all(const char *src, size_t len)
{
    static char out[4096];
    cel_lex lx;
    cel_lex_init(&lx, src, (uint32_t)len);
    size_t o = 0;
    out[0] = '\0';
    for (int guard = 0; guard < 200; guard++) {
        cel_token t;
        cel_lex_next(&lx, &t);
        const char *name = cel_lex_tok_name(t.kind);
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s:%.*s", o ? " " : "", name,
                              (int)(t.end - t.start), src + t.start);
        if (t.kind == CEL_TOK_EOF)
            break;
    }
    return out;
}

static void expect_tokens(const char *src, const char *want)
{
    const char *got = lex_all(src, strlen(src));
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", src, got, want);
}

static void test_punctuation(void **state)
{
    (void)state;
    expect_tokens("== != < <= >= > && || [ ] { } ( ) . , - ! ? : + * / %",
                  "'==':== '!=':!= '<':< '<=':<= '>=':>= '>':> '&&':&& '||':|| '[':[ ']':] "
                  "'{':{ '}':} '(':( ')':) '.':. ',':, '-':- '!':! '?':? ':':: '+':+ '*':* "
                  "'/':/ '%':% <EOF>:");
    expect_tokens("a<=b!=!c", "IDENTIFIER:a '<=':<= IDENTIFIER:b '!=':!= '!':! IDENTIFIER:c <EOF>:");
}

static void test_keywords_and_identifiers(void **state)
{
    (void)state;
    expect_tokens("true false null in _x x1 inx trueish if `a.b-c/d e_1`",
                  "'true':true 'false':false 'null':null 'in':in IDENTIFIER:_x IDENTIFIER:x1 "
                  "IDENTIFIER:inx IDENTIFIER:trueish IDENTIFIER:if ESC_IDENTIFIER:`a.b-c/d e_1` "
                  "<EOF>:");
    /* reserved words are identifiers to the lexer; the parser rejects them */
    expect_tokens("while", "IDENTIFIER:while <EOF>:");
}

static void test_numbers(void **state)
{
    (void)state;
    expect_tokens("0 123 0x1F 0xabc 1u 7U 0x1Fu 0x1FU",
                  "NUM_INT:0 NUM_INT:123 NUM_INT:0x1F NUM_INT:0xabc NUM_UINT:1u NUM_UINT:7U "
                  "NUM_UINT:0x1Fu NUM_UINT:0x1FU <EOF>:");
    expect_tokens("1.5 .5 1e3 1E+3 1.5e-3 .5e2",
                  "NUM_FLOAT:1.5 NUM_FLOAT:.5 NUM_FLOAT:1e3 NUM_FLOAT:1E+3 NUM_FLOAT:1.5e-3 "
                  "NUM_FLOAT:.5e2 <EOF>:");
    /* longest prefix that is a token: 1. is 1 then '.', 1e is 1 then e */
    expect_tokens("1.", "NUM_INT:1 '.':. <EOF>:");
    expect_tokens("1.a", "NUM_INT:1 '.':. IDENTIFIER:a <EOF>:");
    expect_tokens("1e", "NUM_INT:1 IDENTIFIER:e <EOF>:");
    expect_tokens("1e+", "NUM_INT:1 IDENTIFIER:e '+':+ <EOF>:");
    expect_tokens("0x", "NUM_INT:0 IDENTIFIER:x <EOF>:");
    expect_tokens("0X1", "NUM_INT:0 IDENTIFIER:X1 <EOF>:");
    expect_tokens("1.5u", "NUM_FLOAT:1.5 IDENTIFIER:u <EOF>:");
    expect_tokens("1..2", "NUM_INT:1 '.':. NUM_FLOAT:.2 <EOF>:");
    expect_tokens("-1", "'-':- NUM_INT:1 <EOF>:");
}

static void test_strings_and_bytes(void **state)
{
    (void)state;
    expect_tokens("'a' \"b\" '''c''' \"\"\"d\"\"\" r'e' R\"f\" r'''g''' R\"\"\"h\"\"\"",
                  "STRING:'a' STRING:\"b\" STRING:'''c''' STRING:\"\"\"d\"\"\" STRING:r'e' "
                  "STRING:R\"f\" STRING:r'''g''' STRING:R\"\"\"h\"\"\" <EOF>:");
    expect_tokens("b'a' B\"b\" br'c' bR'd' Br'e' BR'''f'''",
                  "BYTES:b'a' BYTES:B\"b\" BYTES:br'c' BYTES:bR'd' BYTES:Br'e' BYTES:BR'''f''' "
                  "<EOF>:");
    /* rb is not a prefix (cel-go's grammar: BYTES is b followed by STRING) */
    expect_tokens("rb'x'", "IDENTIFIER:rb STRING:'x' <EOF>:");
    expect_tokens("'a\\'b' '''x''y''' \"\"", "STRING:'a\\'b' STRING:'''x''y''' STRING:\"\" <EOF>:");
    expect_tokens("'''a\nb'''", "STRING:'''a\nb''' <EOF>:");
    /* raw strings do not escape the quote */
    expect_tokens("r'a\\'", "STRING:r'a\\' <EOF>:");
    /* raw control bytes are legal inside a literal */
    const char nul[] = "'\0\x01'";
    const char *got = lex_all(nul, sizeof nul - 1);
    assert_int_equal(strncmp(got, "STRING:'", 8), 0);
    assert_string_equal(lex_all("// only a comment", 17), "<EOF>:");
    expect_tokens("a // c\n+ b\f\r\t", "IDENTIFIER:a '+':+ IDENTIFIER:b <EOF>:");
}

static void test_recognition_errors(void **state)
{
    (void)state;
    /* the error text runs through the offending character, which is skipped */
    expect_tokens("a = b", "IDENTIFIER:a <error>:=  IDENTIFIER:b <EOF>:");
    expect_tokens("a=b", "IDENTIFIER:a <error>:=b <EOF>:");
    expect_tokens("&", "<error>:& <EOF>:");
    expect_tokens("|x", "<error>:|x <EOF>:");
    expect_tokens("#$", "<error>:# <error>:$ <EOF>:");
    expect_tokens("\xc3\xa9x", "<error>:\xc3\xa9 IDENTIFIER:x <EOF>:");
    expect_tokens("\xff" "x", "<error>:\xff IDENTIFIER:x <EOF>:");
    expect_tokens("\"abc", "<error>:\"abc <EOF>:");
    expect_tokens("\"ab\ncd\"", "<error>:\"ab\n IDENTIFIER:cd <error>:\" <EOF>:");
    expect_tokens("'\\z'", "<error>:'\\z <error>:' <EOF>:");
    expect_tokens("'\\xFh'", "<error>:'\\xFh <error>:' <EOF>:");
    expect_tokens("'\\u12'", "<error>:'\\u12' <EOF>:");
    expect_tokens("'\\400'", "<error>:'\\4 NUM_INT:00 <error>:' <EOF>:");
    expect_tokens("'\\08'", "<error>:'\\08 <error>:' <EOF>:");
    /* a broken triple quote falls back to the empty literal */
    expect_tokens("\"\"\"ab\ncd", "STRING:\"\" <error>:\"ab\n IDENTIFIER:cd <EOF>:");
    /* a broken prefixed literal falls back to the prefix as an identifier */
    expect_tokens("r\"ab\n\"", "IDENTIFIER:r <error>:\"ab\n <error>:\" <EOF>:");
    expect_tokens("b'\\q'", "IDENTIFIER:b <error>:'\\q <error>:' <EOF>:");
    expect_tokens("``", "<error>:`` <EOF>:");
    expect_tokens("`$b`", "<error>:`$ IDENTIFIER:b <error>:` <EOF>:");
    expect_tokens("`a", "<error>:`a <EOF>:");
}

/* ---------------------------------------------------------------- unescape */

static void expect_unescape(const char *lit, size_t len, bool bytes, const char *want, size_t wlen)
{
    char *out = malloc(3 * len + 1);
    assert_non_null(out);
    const char *err = NULL;
    long n = cel_lex_unescape(lit, len, bytes, out, &err);
    if (n < 0)
        fail_msg("%s: %s", lit, err);
    assert_int_equal((size_t)n, wlen);
    assert_memory_equal(out, want, wlen);
    free(out);
}

static void expect_unescape_error(const char *lit, bool bytes, const char *want)
{
    size_t len = strlen(lit);
    char *out = malloc(3 * len + 1);
    assert_non_null(out);
    const char *err = NULL;
    assert_int_equal(cel_lex_unescape(lit, len, bytes, out, &err), -1);
    assert_string_equal(err, want);
    free(out);
}

#define UNESC(lit, bytes, want) expect_unescape(lit, sizeof(lit) - 1, bytes, want, sizeof(want) - 1)

static void test_escapes(void **state)
{
    (void)state;
    UNESC("'\\a\\b\\f\\n\\r\\t\\v'", false, "\a\b\f\n\r\t\v");
    UNESC("'\\\\\\'\\\"\\`\\?'", false, "\\'\"`?");
    UNESC("'\\x41\\X42'", false, "AB");
    UNESC("'\\101\\000'", false, "A\0");
    UNESC("'\\u263A'", false, "\xe2\x98\xba");
    UNESC("'\\U0001F600'", false, "\xf0\x9f\x98\x80");
    /* in strings \x and octal are code points (cel-go: "\xC3\XBF" is two) */
    UNESC("'\\xC3\\XBF'", false, "\xc3\x83\xc2\xbf");
    UNESC("'\\303\\277'", false, "\xc3\x83\xc2\xbf");
    /* in bytes they are raw bytes; other characters their UTF-8 bytes */
    UNESC("b'\\xC3\\XBF'", true, "\xc3\xbf");
    UNESC("b'\\303\\277\\000'", true, "\xc3\xbf\0");
    UNESC("b'\xc3\xbf'", true, "\xc3\xbf");
    UNESC("b'\\a\\n'", true, "\a\n");
    /* raw literals keep backslashes */
    UNESC("r'\\n\\x'", false, "\\n\\x");
    UNESC("br'\\x00'", true, "\\x00");
    UNESC("R'''a\\'''", false, "a\\");
    /* triple quotes; CR LF and CR become LF */
    UNESC("'''a\r\nb\rc'''", false, "a\nb\nc");
    UNESC("\"\"\"x\"\"y\"\"\"", false, "x\"\"y");
    UNESC("''", false, "");
    UNESC("''''''", false, "");
    /* invalid UTF-8 reads as U+FFFD, as cel-go's rune input does */
    UNESC("'a\xff'", false, "a\xef\xbf\xbd");
    UNESC("'\xed\xa0\x80'", false, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* NUL and control bytes pass through */
    expect_unescape("'\0\x01'", 4, false, "\0\x01", 2);
}

static void test_escape_errors(void **state)
{
    (void)state;
    expect_unescape_error("'\\ud800'", false, "invalid unicode code point");
    expect_unescape_error("'\\udfff'", false, "invalid unicode code point");
    expect_unescape_error("'\\U00110000'", false, "invalid unicode code point");
    expect_unescape_error("b'\\u0041'", true, "unable to unescape string");
    expect_unescape_error("b'\\U00000041'", true, "unable to unescape string");
    expect_unescape_error("'\\q'", false, "unable to unescape string");
    expect_unescape_error("'\\x4'", false, "unable to unescape string");
    expect_unescape_error("'\\18'", false, "unable to unescape octal sequence in string");
    expect_unescape_error("'\\1'", false, "unable to unescape octal sequence in string");
    expect_unescape_error("'\\'", false, "unable to unescape string, found '\\' as last character");
    expect_unescape_error("'", false, "unable to unescape string");
    expect_unescape_error("'a\"", false, "unable to unescape string");
    /* in bytes, surrogate-range octal/hex values are plain bytes */
    UNESC("b'\\377'", true, "\xff");
}

/* ---------------------------------------------------------------- UTF-8 */

static void test_utf8(void **state)
{
    (void)state;
    int sz;
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"A", 1, &sz), 'A');
    assert_int_equal(sz, 1);
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"\xc3\xa9", 2, &sz), 0xe9);
    assert_int_equal(sz, 2);
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"\xf0\x9f\x98\x80", 4, &sz),
                     0x1f600);
    assert_int_equal(sz, 4);
    /* overlong, surrogate, truncated, beyond U+10FFFF: one replacement per byte */
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"\xc0\x80", 2, &sz), 0xfffd);
    assert_int_equal(sz, 1);
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"\xed\xa0\x80", 3, &sz), 0xfffd);
    assert_int_equal(sz, 1);
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"\xe2\x98", 2, &sz), 0xfffd);
    assert_int_equal(sz, 1);
    assert_int_equal(cel_lex_decode_utf8((const unsigned char *)"\xf4\x90\x80\x80", 4, &sz),
                     0xfffd);
    assert_int_equal(sz, 1);
    assert_int_equal(cel_lex_count_code_points("a\xc3\xa9\xff\xf0\x9f\x98\x80", 8), 4);
    assert_int_equal(cel_lex_count_code_points("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_punctuation),
        cmocka_unit_test(test_keywords_and_identifiers),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_and_bytes),
        cmocka_unit_test(test_recognition_errors),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_escape_errors),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
