/*
 * cel/cel_regex.h: regular expressions with RE2 (Go regexp) syntax and
 * semantics, run by PCRE2 (internal to libcel).
 *
 * CEL's matches() is defined on RE2. The pattern is first translated: every
 * construct RE2 lacks (backreferences, lookaround, atomic groups,
 * possessive quantifiers, recursion, conditionals, \K, \C, ...) is rejected
 * with Go's message ("error parsing regexp: invalid escape sequence: `\1`"),
 * and the few escapes whose meaning differs (\s and \v, octal escapes) are
 * rewritten. Matching is ASCII for \d \s \w \b like RE2, `$` matches only at
 * the end of the text unless (?m), `.` excludes only \n unless (?s).
 * PCRE2 backtracks where RE2 does not, so every match runs under match,
 * depth and heap limits: a catastrophic pattern yields an error quickly
 * instead of hanging (or, for a yes/no match, the DFA matcher's answer).
 *
 * Compile once, match many: a cel_regex is immutable after compilation and
 * may be used by many threads at once. A program caches a compiled literal
 * pattern through the overload's prepare hook (see cel_prepare_fn in
 * cel/function.h): `matches` declares one that compiles the constant pattern
 * when the program is planned and hands the cel_regex to every call.
 */
#ifndef CEL_REGEX_H
#define CEL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cel_regex cel_regex;

#define CEL_REGEX_ERR_CAP 256
/* Longest pattern accepted (bytes). */
#define CEL_REGEX_MAX_PATTERN 65536u

/* Compiles an RE2-syntax pattern of n bytes. NULL on error, with Go's
 * message in err ("error parsing regexp: ..."). */
cel_regex *cel_regex_compile(const char *pattern, size_t n, char *err, size_t errcap);
void cel_regex_free(cel_regex *re);

/* Unanchored search, like Go's MatchString: 1 when the pattern matches
 * somewhere in s, 0 when not, -1 when a resource limit stopped the search
 * or s is not valid UTF-8 (message in err). Backtracking that runs out of
 * budget is retried without backtracking (PCRE2's DFA matcher), so only a
 * search neither can finish is an error. */
int cel_regex_match(const cel_regex *re, const char *s, size_t n, char *err, size_t errcap);

/* How many patterns have been compiled in this process (for tests). */
unsigned long cel_regex_compile_count(void);

/* Like cel_regex_match, and on a match reports the byte span of the
 * leftmost match in *start / *end (for find-style library functions). */
int cel_regex_search(const cel_regex *re, const char *s, size_t n, size_t *start, size_t *end,
                     char *err, size_t errcap);
/* The same search starting at byte offset from (<= n); the text before it
 * still counts for ^ and \b, as in Go's successive matches (FindAll). */
int cel_regex_search_at(const cel_regex *re, const char *s, size_t n, size_t from, size_t *start,
                        size_t *end, char *err, size_t errcap);

#endif
