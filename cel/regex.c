/*
 * regex.c: RE2-syntax regular expressions on top of PCRE2. A translator
 * walks the pattern once, rejects what Go's regexp parser rejects (with its
 * messages) and writes the PCRE2 pattern with the same meaning; PCRE2 then
 * compiles it (JIT when available) and matches under resource limits.
 * When backtracking runs out of its budget, a yes/no match is retried with
 * PCRE2's DFA matcher, which does not backtrack: whether a pattern matches
 * somewhere does not depend on the order alternatives are tried, so it
 * gives RE2's answer (`^(a+)+$` against "aaaa...!" is false, quickly).
 */
#include "cel_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backtracking budget per match: enough for ordinary patterns over large
 * inputs, small enough that `^(a+)+$` against forty a's and a ! fails in
 * milliseconds. */
#define REGEX_MATCH_LIMIT 1000000u
#define REGEX_DEPTH_LIMIT 20000u
#define REGEX_HEAP_LIMIT_KIB 32768u
/* DFA workspace (ints): room for the states of any pattern Go accepts
 * over the inputs Kubernetes' cost limit lets through. */
#define REGEX_DFA_WORKSPACE 65536u
/* Go's limits on repeat counts and nesting. */
#define RE2_MAX_REPEAT 1000
#define RE2_MAX_DEPTH 1000

struct cel_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
};

/* Patterns compiled so far (tests check that a literal pattern is
 * compiled once per program, not per evaluation). */
static _Atomic unsigned long compiled_count;

unsigned long cel_regex_compile_count(void) { return compiled_count; }

/* ---------------------------------------------------------------- output buffer */

typedef struct obuf {
    char *p;
    size_t len, cap;
    bool oom;
} obuf;

static void put(obuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 64;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(obuf *b, const char *s) { put(b, s, strlen(s)); }

/* Inserts text at offset at (for wrapping an atom already written). */
static void insert(obuf *b, size_t at, const char *s)
{
    size_t n = strlen(s), tail = b->len - at;
    put(b, s, n); /* grows the buffer; the bytes are moved into place below */
    if (b->oom)
        return;
    memmove(b->p + at + n, b->p + at, tail);
    memcpy(b->p + at, s, n);
}

/* ---------------------------------------------------------------- errors */

/* Go: "error parsing regexp: <code>: `<expr>`". */
static void go_error(char *err, size_t cap, const char *code, const char *expr, size_t n)
{
    if (!err || cap == 0)
        return;
    if (n > 120)
        n = 120; /* long hostile patterns do not make long messages */
    snprintf(err, cap, "error parsing regexp: %s: `%.*s`", code, (int)n, expr);
}

/* ---------------------------------------------------------------- translator */

typedef struct xlat {
    const char *s;
    size_t n, i;
    obuf out;
    char *err;
    size_t errcap;
} xlat;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_word(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0)
        return 4;
    if (c >= 0xe0)
        return 3;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/* Translates the escape at x->i (which points at the backslash). */
static bool xlat_escape(xlat *x, bool in_class)
{
    const char *s = x->s;
    size_t i = x->i;
    if (i + 1 >= x->n) {
        go_error(x->err, x->errcap, "trailing backslash at end of expression", "", 0);
        return false;
    }
    char c = s[i + 1];
    size_t clen = utf8_len((unsigned char)c);
    if (i + 1 + clen > x->n)
        clen = x->n - i - 1;
    switch (c) {
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        /* A lone digit is a backreference (unsupported); with more octal
         * digits it is an octal escape. */
        if (i + 2 >= x->n || s[i + 2] < '0' || s[i + 2] > '7')
            break;
        /* fall through */
    case '0': {
        unsigned v = 0;
        size_t k = i + 1, end = i + 4;
        while (k < x->n && k < end && s[k] >= '0' && s[k] <= '7')
            v = v * 8 + (unsigned)(s[k++] - '0');
        char buf[16];
        snprintf(buf, sizeof buf, "\\x{%x}", v);
        puts_(&x->out, buf);
        x->i = k;
        return true;
    }
    case 'x': {
        /* \xHH or \x{H...}: same syntax in PCRE2; validate as Go does. */
        size_t k = i + 2;
        if (k < x->n && s[k] == '{') {
            size_t b = ++k;
            while (k < x->n && s[k] != '}' &&
                   (is_digit(s[k]) || ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'f')))
                k++;
            if (k >= x->n || s[k] != '}' || k == b || k - b > 8)
                break;
            unsigned long v = strtoul(s + b, NULL, 16);
            if (v > 0x10FFFF)
                break;
            k++;
        } else {
            for (int d = 0; d < 2; d++, k++)
                if (k >= x->n || !(is_digit(s[k]) || ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'f')))
                    goto bad;
        }
        put(&x->out, s + i, k - i);
        x->i = k;
        return true;
    }
    case 'a': case 'f': case 't': case 'n': case 'r':
    case 'd': case 'D': case 'w': case 'W':
        put(&x->out, s + i, 2);
        x->i = i + 2;
        return true;
    case 'v':
        puts_(&x->out, "\\x0b"); /* PCRE2's \v is a class; RE2's is VT */
        x->i = i + 2;
        return true;
    case 's':
        /* RE2's \s is [\t\n\f\r ]: PCRE2 adds VT. */
        puts_(&x->out, in_class ? "\\t\\n\\f\\r\\x20" : "[\\t\\n\\f\\r\\x20]");
        x->i = i + 2;
        return true;
    case 'S':
        puts_(&x->out, in_class ? "\\S\\x0b" : "[\\S\\x0b]");
        x->i = i + 2;
        return true;
    case 'A': case 'b': case 'B': case 'z':
        if (in_class)
            break;
        put(&x->out, s + i, 2);
        x->i = i + 2;
        return true;
    case 'p': case 'P': {
        size_t k = i + 2;
        if (k >= x->n)
            break;
        if (s[k] == '{') {
            const char *close = memchr(s + k, '}', x->n - k);
            if (!close) {
                go_error(x->err, x->errcap, "invalid character class range", s + i, x->n - i);
                return false;
            }
            k = (size_t)(close - s) + 1;
        } else {
            k++;
        }
        put(&x->out, s + i, k - i);
        x->i = k;
        return true;
    }
    case 'Q': {
        if (in_class)
            break;
        /* Literal text up to \E: quote every character for PCRE2. */
        size_t k = i + 2;
        while (k < x->n) {
            if (s[k] == '\\' && k + 1 < x->n && s[k + 1] == 'E') {
                k += 2;
                break;
            }
            if (s[k] == '\\' && k + 1 < x->n && s[k + 1] == '\\') {
                puts_(&x->out, "\\\\");
                k += 2;
                continue;
            }
            if (!is_word(s[k]) && (unsigned char)s[k] < 0x80) {
                char e[3] = {'\\', s[k], 0};
                puts_(&x->out, e);
            } else {
                put(&x->out, s + k, 1);
            }
            k++;
        }
        x->i = k;
        return true;
    }
    default:
        /* Any escaped punctuation stands for itself. */
        if ((unsigned char)c < 0x80 && !is_word(c)) {
            put(&x->out, s + i, 2);
            x->i = i + 2;
            return true;
        }
        break;
    }
bad:
    go_error(x->err, x->errcap, "invalid escape sequence", s + i, 1 + clen);
    return false;
}

/* A character class starting at x->i ('['). */
static bool xlat_class(xlat *x)
{
    const char *s = x->s;
    size_t start = x->i, i = x->i + 1;
    puts_(&x->out, "[");
    if (i < x->n && s[i] == '^') {
        puts_(&x->out, "^");
        i++;
    }
    bool first = true;
    /* Whether the last item was a set (\d, \s, \pL, [:alpha:], ...): RE2
     * reads a '-' after one as a literal hyphen, PCRE2 as a bad range or,
     * after a set spelled out as characters (\s is \t\n\f\r\x20 here),
     * as a range from its last character. */
    bool after_set = false;
    for (;;) {
        if (i >= x->n) {
            go_error(x->err, x->errcap, "missing closing ]", s + start, x->n - start);
            return false;
        }
        char c = s[i];
        if (c == ']' && !first)
            break;
        first = false;
        if (c == '[' && i + 1 < x->n && s[i + 1] == ':') {
            const char *end = NULL;
            for (size_t k = i + 2; k + 1 < x->n; k++)
                if (s[k] == ':' && s[k + 1] == ']') {
                    end = s + k + 2;
                    break;
                }
            if (end) {
                put(&x->out, s + i, (size_t)(end - (s + i)));
                i = (size_t)(end - s);
                after_set = true;
                continue;
            }
        }
        if (c == '\\') {
            x->i = i;
            if (!xlat_escape(x, true))
                return false;
            after_set = i + 1 < x->n && s[i + 1] && strchr("dDwWsSpP", s[i + 1]) != NULL;
            i = x->i;
            continue;
        }
        if (c == '-' && after_set) {
            puts_(&x->out, "\\-");
            after_set = false;
            i++;
            continue;
        }
        after_set = false;
        if (c == '[' || c == ']') {
            /* Literal brackets inside a class: escape for PCRE2. */
            char e[3] = {'\\', c, 0};
            puts_(&x->out, e);
            i++;
            continue;
        }
        size_t l = utf8_len((unsigned char)c);
        if (i + l > x->n)
            l = x->n - i;
        put(&x->out, s + i, l);
        i += l;
    }
    puts_(&x->out, "]");
    x->i = i + 1;
    return true;
}

/* Parses {n}, {n,} or {n,m} at s[i]; returns its length, 0 if the text is
 * not a repeat (then it is a literal brace), or -1 on a bad count. *count
 * is the bound Go's size rule uses: m, or n when unbounded. */
static long repeat_len(const char *s, size_t n, size_t i, long *count)
{
    size_t k = i + 1;
    long lo = 0, hi = -1;
    if (k >= n || !is_digit(s[k]))
        return 0;
    while (k < n && is_digit(s[k])) {
        if (lo <= RE2_MAX_REPEAT)
            lo = lo * 10 + (s[k] - '0');
        k++;
    }
    if (k < n && s[k] == ',') {
        k++;
        if (k < n && is_digit(s[k])) {
            hi = 0;
            while (k < n && is_digit(s[k])) {
                if (hi <= RE2_MAX_REPEAT)
                    hi = hi * 10 + (s[k] - '0');
                k++;
            }
        }
    } else {
        hi = lo;
    }
    if (k >= n || s[k] != '}')
        return 0;
    if (lo > RE2_MAX_REPEAT || hi > RE2_MAX_REPEAT || (hi >= 0 && hi < lo))
        return -1;
    *count = hi >= 0 ? hi : lo;
    return (long)(k + 1 - i);
}

/* (?flags) or (?flags:...) after "(?" at x->i. */
static bool xlat_group(xlat *x, int *depth)
{
    const char *s = x->s;
    size_t i = x->i; /* at '(' */
    size_t k = i + 2;
    if (k < x->n && (s[k] == 'P' || s[k] == '<')) {
        size_t name = k + (s[k] == 'P' ? 1 : 0);
        if (name < x->n && s[name] == '<') {
            /* Go (1.22+) takes everything up to the next '>' as the name. */
            const char *gt = memchr(s + name, '>', x->n - name);
            if (!gt) {
                go_error(x->err, x->errcap, "invalid named capture", s + i, x->n - i);
                return false;
            }
            size_t e = (size_t)(gt - s);
            bool valid = e > name + 1;
            for (size_t c = name + 1; c < e; c++)
                valid = valid && is_word(s[c]);
            if (!valid) {
                go_error(x->err, x->errcap, "invalid named capture", s + i, e + 1 - i);
                return false;
            }
            puts_(&x->out, "(?<");
            put(&x->out, s + name + 1, e - name - 1);
            puts_(&x->out, ">");
            x->i = e + 1;
            (*depth)++;
            return true;
        }
    }
    /* Flags: i m s U, optionally negated, ending in ')' or ':'. */
    bool neg = false, any = false;
    size_t f = k;
    while (f < x->n) {
        char c = s[f];
        if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
            any = true;
        } else if (c == '-' && !neg) {
            neg = true;
            any = false;
        } else if (c == ':' || c == ')') {
            if ((neg && !any) || (!neg && !any && c == ')'))
                break;
            puts_(&x->out, "(?");
            put(&x->out, s + k, f - k);
            put(&x->out, s + f, 1);
            if (c == ':')
                (*depth)++;
            x->i = f + 1;
            return true;
        } else {
            break;
        }
        f++;
    }
    size_t show = f < x->n ? f + utf8_len((unsigned char)s[f]) - i : x->n - i;
    if (show > x->n - i)
        show = x->n - i;
    go_error(x->err, x->errcap, "invalid or unsupported Perl syntax", s + i, show);
    return false;
}

/* Go refuses nested counted repeats whose counts multiply past 1000
 * ("(a{100}){20}"): each atom carries the largest product of counted
 * repeats inside it, and each open group the largest over its atoms. */
typedef struct weights {
    long atom;                     /* the last atom's */
    long group[RE2_MAX_DEPTH + 2]; /* per nesting level */
} weights;

static bool translate(xlat *x)
{
    const char *s = x->s;
    int depth = 0;
    bool atom = false;        /* something a quantifier may apply to */
    size_t last_repeat = SIZE_MAX; /* start of the previous quantifier */
    /* Go lets an assertion (^ $ \b \B \A \z) take a quantifier; PCRE2
     * needs it in a group, which is added when a quantifier follows. */
    bool atom_assert = false;
    size_t atom_out = 0; /* where the last atom starts in the output */
    weights *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(x->err, x->errcap, "out of memory");
        return false;
    }
    bool ok = false;
#define ATOM_WEIGHT(v)                                  \
    do {                                                \
        w->atom = (v);                                  \
        if (w->atom > w->group[depth])                  \
            w->group[depth] = w->atom;                  \
    } while (0)
    while (x->i < x->n) {
        size_t i = x->i;
        char c = s[i];
        size_t qstart = i;
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            size_t qlen = 1;
            long counted = -1; /* the count of a {n,m} repeat */
            if (c == '{') {
                long count = 0;
                long r = repeat_len(s, x->n, i, &count);
                if (r < 0) {
                    long len = 1;
                    while (s[i + (size_t)len - 1] != '}')
                        len++;
                    go_error(x->err, x->errcap, "invalid repeat count", s + i, (size_t)len);
                    goto out;
                }
                if (r == 0) { /* a literal brace */
                    atom_out = x->out.len;
                    atom_assert = false;
                    puts_(&x->out, "\\{");
                    x->i = i + 1;
                    atom = true;
                    ATOM_WEIGHT(1);
                    last_repeat = SIZE_MAX;
                    continue;
                }
                qlen = (size_t)r;
                counted = count;
            }
            if (last_repeat != SIZE_MAX) {
                go_error(x->err, x->errcap, "invalid nested repetition operator", s + last_repeat,
                         i + qlen - last_repeat);
                goto out;
            }
            if (!atom) {
                go_error(x->err, x->errcap, "missing argument to repetition operator", s + i, qlen);
                goto out;
            }
            if (atom_assert) {
                insert(&x->out, atom_out, "(?:");
                puts_(&x->out, ")");
                atom_assert = false;
            }
            if (counted == 0) {
                w->atom = 1; /* Go does not look inside x{0} */
            } else if (counted >= 2) {
                if (w->atom * counted > RE2_MAX_REPEAT) {
                    go_error(x->err, x->errcap, "invalid repeat count", s + i, qlen);
                    goto out;
                }
                ATOM_WEIGHT(w->atom * counted);
            }
            put(&x->out, s + i, qlen);
            i += qlen;
            if (i < x->n && s[i] == '?') { /* non-greedy */
                puts_(&x->out, "?");
                i++;
            }
            x->i = i;
            last_repeat = qstart;
            continue;
        }
        last_repeat = SIZE_MAX;
        switch (c) {
        case '\\':
            atom_out = x->out.len;
            atom_assert = i + 1 < x->n && strchr("bBAz", s[i + 1]) && s[i + 1] != '\0';
            if (!xlat_escape(x, false))
                goto out;
            atom = true;
            ATOM_WEIGHT(1);
            continue;
        case '[':
            atom_out = x->out.len;
            atom_assert = false;
            if (!xlat_class(x))
                goto out;
            atom = true;
            ATOM_WEIGHT(1);
            continue;
        case '(':
            if (++depth > RE2_MAX_DEPTH) {
                go_error(x->err, x->errcap, "expression nests too deeply", s, x->n);
                goto out;
            }
            w->group[depth] = 1;
            if (i + 1 < x->n && s[i + 1] == '?') {
                depth--;
                int before = depth;
                if (!xlat_group(x, &depth))
                    goto out;
                if (depth > before)
                    w->group[depth] = 1;
            } else {
                puts_(&x->out, "(");
                x->i = i + 1;
            }
            atom = false;
            continue;
        case ')':
            if (depth == 0) {
                go_error(x->err, x->errcap, "unexpected )", s, x->n);
                goto out;
            }
            depth--;
            puts_(&x->out, ")");
            x->i = i + 1;
            atom = true;
            atom_assert = false; /* a group takes quantifiers as it is */
            ATOM_WEIGHT(w->group[depth + 1]);
            continue;
        case '|':
            puts_(&x->out, "|");
            x->i = i + 1;
            atom = false;
            continue;
        default: {
            size_t l = utf8_len((unsigned char)c);
            if (i + l > x->n)
                l = x->n - i;
            atom_out = x->out.len;
            atom_assert = c == '^' || c == '$';
            put(&x->out, s + i, l);
            x->i = i + l;
            atom = true;
            ATOM_WEIGHT(1);
            continue;
        }
        }
    }
    if (depth > 0) {
        go_error(x->err, x->errcap, "missing closing )", s, x->n);
        goto out;
    }
    ok = true;
out:
#undef ATOM_WEIGHT
    free(w);
    return ok;
}

/* ---------------------------------------------------------------- compile / match */

cel_regex *cel_regex_compile(const char *pattern, size_t n, char *err, size_t errcap)
{
    if (n > CEL_REGEX_MAX_PATTERN) {
        go_error(err, errcap, "expression too large", pattern, n);
        return NULL;
    }
    xlat x = {pattern, n, 0, {NULL, 0, 0, false}, err, errcap};
    if (!translate(&x)) {
        free(x.out.p);
        return NULL;
    }
    if (!x.out.p)
        put(&x.out, "", 0); /* the empty pattern */
    if (x.out.oom) {
        free(x.out.p);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    int ec;
    PCRE2_SIZE eoff;
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!cctx) {
        free(x.out.p);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    pcre2_set_bsr(cctx, PCRE2_BSR_UNICODE);
    pcre2_set_parens_nest_limit(cctx, RE2_MAX_DEPTH + 10);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)x.out.p, x.out.len,
                                     PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_CIRCUMFLEX |
                                         PCRE2_NEVER_BACKSLASH_C,
                                     &ec, &eoff, cctx);
    pcre2_compile_context_free(cctx);
    free(x.out.p);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        if (ec == PCRE2_ERROR_UTF8_ERR1 || (ec <= PCRE2_ERROR_UTF8_ERR1 && ec >= PCRE2_ERROR_UTF8_ERR21))
            go_error(err, errcap, "invalid UTF-8", pattern, n);
        else if (ec == 108) /* range out of order in character class */
            go_error(err, errcap, "invalid character class range", pattern, n);
        else if (err && errcap)
            snprintf(err, errcap, "error parsing regexp: %s: `%.*s`", (const char *)msg,
                     (int)(n > 120 ? 120 : n), pattern);
        return NULL;
    }
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    cel_regex *re = calloc(1, sizeof *re);
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);
    if (!re || !mctx) {
        free(re);
        pcre2_match_context_free(mctx);
        pcre2_code_free(code);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    pcre2_set_match_limit(mctx, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(mctx, REGEX_HEAP_LIMIT_KIB);
    re->code = code;
    re->mctx = mctx;
    compiled_count++;
    return re;
}

void cel_regex_free(cel_regex *re)
{
    if (!re)
        return;
    pcre2_match_context_free(re->mctx);
    pcre2_code_free(re->code);
    free(re);
}

static bool limit_error(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static void match_error(int rc, char *err, size_t errcap)
{
    if (limit_error(rc))
        snprintf(err, errcap, "regular expression too costly to evaluate (match limit exceeded)");
    else if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        snprintf(err, errcap, "invalid UTF-8 in matched string");
    else {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof msg);
        snprintf(err, errcap, "regular expression match failed: %s", (const char *)msg);
    }
}

/* One match block per thread, made on its first match and freed when the
 * thread ends: allocating one per match was a good part of a short match.
 * Compiled patterns are shared between threads, so it cannot live there. */
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static bool md_key_ok;

static void md_free(void *md) { pcre2_match_data_free(md); }
static void md_key_init(void) { md_key_ok = pthread_key_create(&md_key, md_free) == 0; }

static pcre2_match_data *thread_match_data(void)
{
    pthread_once(&md_once, md_key_init);
    if (!md_key_ok)
        return NULL;
    pcre2_match_data *md = pthread_getspecific(md_key);
    if (!md && (md = pcre2_match_data_create(1, NULL)) && pthread_setspecific(md_key, md) != 0) {
        pcre2_match_data_free(md);
        md = NULL;
    }
    return md;
}

int cel_regex_search(const cel_regex *re, const char *s, size_t n, size_t *start, size_t *end,
                     char *err, size_t errcap)
{
    return cel_regex_search_at(re, s, n, 0, start, end, err, errcap);
}

int cel_regex_search_at(const cel_regex *re, const char *s, size_t n, size_t from, size_t *start,
                        size_t *end, char *err, size_t errcap)
{
    pcre2_match_data *md = thread_match_data();
    if (!md) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int rc = pcre2_match(re->code, (PCRE2_SPTR)(s ? s : ""), n, from, 0, md, re->mctx);
    if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (start)
            *start = ov[0];
        if (end)
            *end = ov[1];
        return 1;
    }
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    match_error(rc, err, errcap);
    return -1;
}

/* The DFA matcher: 1 match, 0 none, -1 when it cannot decide either. */
static int dfa_match(const cel_regex *re, const char *s, size_t n)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int *ws = malloc(REGEX_DFA_WORKSPACE * sizeof *ws);
    int rc = PCRE2_ERROR_NOMEMORY;
    if (md && ws)
        rc = pcre2_dfa_match(re->code, (PCRE2_SPTR)(s ? s : ""), n, 0, 0, md, re->mctx, ws,
                             REGEX_DFA_WORKSPACE);
    free(ws);
    pcre2_match_data_free(md);
    if (rc >= 0) /* 0: more matches at that position than the ovector holds */
        return 1;
    return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int cel_regex_match(const cel_regex *re, const char *s, size_t n, char *err, size_t errcap)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int rc = pcre2_match(re->code, (PCRE2_SPTR)(s ? s : ""), n, 0, 0, md, re->mctx);
    pcre2_match_data_free(md);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (limit_error(rc)) {
        int d = dfa_match(re, s, n);
        if (d >= 0)
            return d;
    }
    match_error(rc, err, errcap);
    return -1;
}
