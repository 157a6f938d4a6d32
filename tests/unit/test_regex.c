/*
 * test_regex.c: RE2 semantics on PCRE2: what RE2 rejects is rejected with
 * Go's messages, what differs (\s, \v, $, octal escapes, ASCII classes) is
 * translated, and a catastrophic backtracking pattern stops with an error.
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

#include "cel/cel_regex.h"

static int match(const char *pattern, const char *s, size_t n)
{
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile(pattern, strlen(pattern), err, sizeof err);
    if (!re)
        fail_msg("%s: %s", pattern, err);
    int m = cel_regex_match(re, s, n, err, sizeof err);
    cel_regex_free(re);
    return m;
}

#define M(p, s) match((p), (s), strlen(s))

static void expect_error(const char *pattern, const char *msg)
{
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile(pattern, strlen(pattern), err, sizeof err);
    if (re) {
        cel_regex_free(re);
        fail_msg("%s compiled", pattern);
    }
    assert_string_equal(err, msg);
}

static void test_basic_matching(void **state)
{
    assert_int_equal(M("o+b", "foobar"), 1);
    assert_int_equal(M("^o+b", "foobar"), 0);
    assert_int_equal(M("", ""), 1);
    assert_int_equal(M("a|b", "xbx"), 1);
    assert_int_equal(M("^[a-z]+\\d{2,3}$", "abc123"), 1);
    assert_int_equal(M("^[a-z]+\\d{2,3}$", "abc1234"), 0);
    assert_int_equal(M("(?i)HELLO", "say hello"), 1);
    assert_int_equal(M("(?i:H)ello", "hello"), 1);
    assert_int_equal(M("(?P<word>\\w+)", "x"), 1);
    assert_int_equal(M("(?<word>\\w+)", "x"), 1);
    assert_int_equal(M("a.c", "a\xc3\xa9" "c"), 1); /* . is a code point */
    assert_int_equal(M("^.$", "\xf0\x9f\x98\x80"), 1);
    assert_int_equal(M("\\p{Greek}", "\xce\xb1"), 1);
    assert_int_equal(M("[[:alpha:]]+", "abc"), 1);
    assert_int_equal(M("\\Qa.b\\E", "axb"), 0);
    assert_int_equal(M("\\Qa.b\\E", "a.b"), 1);
    assert_int_equal(M("a{,2}", "a{,2}"), 1); /* not a repeat in RE2: literal */
    assert_int_equal(M("^(a{10}){100}$", "aa"), 0);   /* 10 x 100 is within Go's limit */
    assert_int_equal(M("^((a{1000}){0}b)*$", "bb"), 1); /* Go does not look inside {0} */
    assert_int_equal(M("^(a{2}){2}(b{500}){2}$", "aaaa"), 0);
    assert_int_equal(match("a\\x00b", "a\0b", 3), 1);
    /* Go lets assertions take quantifiers (PCRE2 needs them grouped) */
    assert_int_equal(M("^*a", "ba"), 1);
    assert_int_equal(M("x$+", "x"), 1);
    assert_int_equal(M("x$+", "xy"), 0);
    assert_int_equal(M("a\\b{2}", "a b"), 1);
}

static void test_re2_semantics(void **state)
{
    /* $ is the end of the text only, not before a final newline. */
    assert_int_equal(M("abc$", "abc\n"), 0);
    assert_int_equal(M("(?m)abc$", "abc\n"), 1);
    /* (?m)^ also matches after a final newline, as in Go. */
    assert_int_equal(M("(?m)^$", "a\n"), 1);
    assert_int_equal(M("^$", "a\n"), 0);
    /* . does not match \n unless (?s). */
    assert_int_equal(M("a.b", "a\nb"), 0);
    assert_int_equal(M("(?s)a.b", "a\nb"), 1);
    /* \d \w \b are ASCII. */
    assert_int_equal(M("^\\d$", "\xd9\xa3"), 0);    /* ARABIC-INDIC DIGIT THREE */
    assert_int_equal(M("^\\w$", "\xc3\xa9"), 0);
    /* \s is [\t\n\f\r ]: no vertical tab, no NBSP. */
    assert_int_equal(M("^\\s$", "\v"), 0);
    assert_int_equal(M("^\\s$", "\f"), 1);
    assert_int_equal(M("^\\S$", "\v"), 1);
    assert_int_equal(M("^[\\s]$", "\v"), 0);
    assert_int_equal(M("^[^\\S]$", "\v"), 0);
    assert_int_equal(M("^[^\\S]$", " "), 1);
    assert_int_equal(M("^\\s$", "\xc2\xa0"), 0);
    /* \v is the VT character. */
    assert_int_equal(M("^\\v$", "\v"), 1);
    assert_int_equal(M("^\\v$", "\n"), 0);
    /* Octal escapes. */
    assert_int_equal(M("^\\101$", "A"), 1);
    assert_int_equal(M("^\\0$", "\0x") , 0);
    assert_int_equal(match("^\\0$", "\0", 1), 1);
    /* Leftmost-first alternation, like Go. */
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile("a|ab", 4, err, sizeof err);
    assert_non_null(re);
    size_t s, e;
    assert_int_equal(cel_regex_search(re, "xab", 3, &s, &e, err, sizeof err), 1);
    assert_int_equal(s, 1);
    assert_int_equal(e, 2);
    cel_regex_free(re);
}

/* A '-' right after a set in a class (\d, \s, \pL, [:alpha:]) is a
 * literal hyphen in RE2, not a range: found by the differential test
 * (tests/differential), where PCRE2 refused [\d-z] and read [\s-z] as
 * \t\n\f\r plus the range space..z. */
static void test_hyphen_after_a_set(void **state)
{
    assert_int_equal(M("^[\\d-z]$", "-"), 1);
    assert_int_equal(M("^[\\d-z]$", "z"), 1);
    assert_int_equal(M("^[\\d-z]$", "5"), 1);
    assert_int_equal(M("^[\\d-z]$", "a"), 0);
    assert_int_equal(M("^[\\s-z]$", "a"), 0); /* no range from the space */
    assert_int_equal(M("^[\\s-z]$", "-"), 1);
    assert_int_equal(M("^[\\s-z]$", "\t"), 1);
    assert_int_equal(M("^[\\S-z]$", "\v"), 1);
    assert_int_equal(M("^[\\S-z]$", " "), 0);
    assert_int_equal(M("^[[:alpha:]-9]$", "-"), 1);
    assert_int_equal(M("^[[:alpha:]-9]$", "5"), 0);
    assert_int_equal(M("^[\\pL-]$", "-"), 1);
    assert_int_equal(M("^[\\w-\\d]$", "-"), 1);
    /* the hyphen may start a range of its own */
    assert_int_equal(M("^[\\d--/]$", "."), 1);
    assert_int_equal(M("^[\\d--/]$", "+"), 0);
    /* after a plain character it is still a range */
    assert_int_equal(M("^[a-z-\\d]$", "-"), 1);
    assert_int_equal(M("^[+-z]$", "a"), 1);
}

static void test_rejected_syntax(void **state)
{
    expect_error("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`");
    expect_error("a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    expect_error("a(?!b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`");
    /* Go 1.22+ reads (?< as the start of a named group. */
    expect_error("(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`");
    expect_error("(?<!a)b", "error parsing regexp: invalid named capture: `(?<!a)b`");
    expect_error("(?<=a)>", "error parsing regexp: invalid named capture: `(?<=a)>`");
    expect_error("(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`");
    expect_error("(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`");
    expect_error("(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`");
    expect_error("(?(1)a|b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?(`");
    expect_error("(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`");
    expect_error("a*+", "error parsing regexp: invalid nested repetition operator: `*+`");
    expect_error("a++", "error parsing regexp: invalid nested repetition operator: `++`");
    expect_error("a**", "error parsing regexp: invalid nested repetition operator: `**`");
    expect_error("a{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`");
    expect_error("a\\K", "error parsing regexp: invalid escape sequence: `\\K`");
    expect_error("a\\C", "error parsing regexp: invalid escape sequence: `\\C`");
    expect_error("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`");
    expect_error("\\e", "error parsing regexp: invalid escape sequence: `\\e`");
    expect_error("\\g1", "error parsing regexp: invalid escape sequence: `\\g`");
    expect_error("\\8", "error parsing regexp: invalid escape sequence: `\\8`");
    expect_error("[\\b]", "error parsing regexp: invalid escape sequence: `\\b`");
    expect_error("*a", "error parsing regexp: missing argument to repetition operator: `*`");
    expect_error("(*ACCEPT)", "error parsing regexp: missing argument to repetition operator: `*`");
    expect_error("a|*", "error parsing regexp: missing argument to repetition operator: `*`");
    expect_error("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`");
    expect_error("a{3,2}", "error parsing regexp: invalid repeat count: `{3,2}`");
    expect_error("(a{100}){20}", "error parsing regexp: invalid repeat count: `{20}`");
    expect_error("((a{10}b){10}){11}", "error parsing regexp: invalid repeat count: `{11}`");
    expect_error("(x|a{500}){3,}", "error parsing regexp: invalid repeat count: `{3,}`");
    expect_error("(abc", "error parsing regexp: missing closing ): `(abc`");
    expect_error("abc)", "error parsing regexp: unexpected ): `abc)`");
    expect_error("[abc", "error parsing regexp: missing closing ]: `[abc`");
    expect_error("x[z-a]", "error parsing regexp: invalid character class range: `x[z-a]`");
    expect_error("a\\", "error parsing regexp: trailing backslash at end of expression: ``");
    expect_error("(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`");
}

/* Matching keeps one match block per thread: a shared pattern used from
 * several threads at once, threads that end (ASan checks their blocks are
 * freed), a search after a match on the same thread. */
static void *match_many(void *arg)
{
    const cel_regex *re = arg;
    char err[CEL_REGEX_ERR_CAP];
    long ok = 0;
    for (int i = 0; i < 2000; i++) {
        ok += cel_regex_match(re, "10.96.0.0/24", 12, err, sizeof err) == 1;
        ok += cel_regex_match(re, "2001:DB8::/64", 13, err, sizeof err) == 0;
    }
    return (void *)ok;
}

static void test_threads(void **state)
{
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile("^[0-9a-f:./]+$", 14, err, sizeof err);
    assert_non_null(re);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, match_many, re), 0);
    for (int i = 0; i < 4; i++) {
        void *ok;
        assert_int_equal(pthread_join(t[i], &ok), 0);
        assert_int_equal((long)ok, 4000);
    }
    size_t b = 0, e = 0;
    cel_regex *word = cel_regex_compile("[a-z]+", 6, err, sizeof err);
    assert_non_null(word);
    assert_int_equal(cel_regex_match(re, "10.0.0.0/8", 10, err, sizeof err), 1);
    assert_int_equal(cel_regex_search(word, "12 abc 3", 8, &b, &e, err, sizeof err), 1);
    assert_int_equal(b, 3);
    assert_int_equal(e, 6);
    cel_regex_free(word);
    cel_regex_free(re);
}

static void test_limits(void **state)
{
    /* Catastrophic backtracking: the search (which needs positions)
     * ends with an error instead of hanging; the yes/no match gets RE2's
     * answer from the DFA matcher, with or without a match. */
    char err[CEL_REGEX_ERR_CAP];
    cel_regex *re = cel_regex_compile("^(a+)+$", 7, err, sizeof err);
    assert_non_null(re);
    const char *s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    size_t b, e;
    assert_int_equal(cel_regex_search(re, s, strlen(s), &b, &e, err, sizeof err), -1);
    assert_string_equal(err, "regular expression too costly to evaluate (match limit exceeded)");
    assert_int_equal(cel_regex_match(re, s, strlen(s), err, sizeof err), 0);
    assert_int_equal(cel_regex_match(re, s, strlen(s) - 1, err, sizeof err), 1);
    cel_regex_free(re);
    re = cel_regex_compile("(x+x+)+y", 8, err, sizeof err);
    assert_non_null(re);
    const char *xs = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    assert_int_equal(cel_regex_match(re, xs, strlen(xs), err, sizeof err), 0);
    char xy[128];
    snprintf(xy, sizeof xy, "%sy", xs);
    assert_int_equal(cel_regex_match(re, xy, strlen(xy), err, sizeof err), 1);
    cel_regex_free(re);
    /* Large ordinary inputs still match. */
    size_t n = 1 << 20;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n - 1] = 'b';
    assert_int_equal(match("^a+b$", big, n), 1);
    assert_int_equal(match("a*c", big, n), 0);
    free(big);
    /* Deep nesting is refused like Go. */
    char deep[2100];
    memset(deep, '(', 1001);
    memset(deep + 1001, ')', 1001);
    deep[2002] = '\0';
    assert_null(cel_regex_compile(deep, 2002, err, sizeof err));
    assert_non_null(strstr(err, "expression nests too deeply"));
    /* Invalid UTF-8 subject is an error, not a crash. */
    re = cel_regex_compile("a", 1, err, sizeof err);
    assert_int_equal(cel_regex_match(re, "\xff" "a", 2, err, sizeof err), -1);
    cel_regex_free(re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_matching),
        cmocka_unit_test(test_re2_semantics),
        cmocka_unit_test(test_hyphen_after_a_set),
        cmocka_unit_test(test_rejected_syntax),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
