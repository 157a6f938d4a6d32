/*
 * cel/lex.c: the CEL lexer. Tokens are those of cel-go's grammar
 * (parser/gen/CEL.g4); where no token matches, we behave as ANTLR's lexer
 * does, because cel-go's error messages show it: the longest prefix that
 * formed a token wins (so '"""abc' lexes as the empty string '""' and then
 * fails on '"abc'), and otherwise the failure covers the text up to and
 * including the offending character, which is skipped.
 */
#include <string.h>

#include "lex.h"

void cel_lex_init(cel_lex *lx, const char *src, uint32_t len)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
}

/* ---------------------------------------------------------------- UTF-8 */

uint32_t cel_lex_decode_utf8(const unsigned char *s, size_t len, int *size)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *size = 1;
        return c;
    }
    int n;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; cp = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; cp = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; cp = c & 0x07; min = 0x10000;
    } else {
        *size = 1;
        return 0xFFFD;
    }
    if ((size_t)n > len) {
        *size = 1;
        return 0xFFFD;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *size = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are invalid,
     * as Go's decoder (which cel-go relies on) says. */
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        *size = 1;
        return 0xFFFD;
    }
    *size = n;
    return cp;
}

size_t cel_lex_count_code_points(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
        } else {
            int sz;
            cel_lex_decode_utf8((const unsigned char *)s + i, len - i, &sz);
            i += (size_t)sz;
        }
        n++;
    }
    return n;
}

static int encode_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---------------------------------------------------------------- names */

static const char *const tok_names[CEL_TOK_COUNT] = {
    "<EOF>", "'=='", "'!='", "'in'", "'<'", "'<='", "'>='", "'>'", "'&&'", "'||'",
    "'['", "']'", "'{'", "'}'", "'('", "')'", "'.'", "','", "'-'", "'!'", "'?'", "':'",
    "'+'", "'*'", "'/'", "'%'", "'true'", "'false'", "'null'", "NUM_FLOAT", "NUM_INT",
    "NUM_UINT", "STRING", "BYTES", "IDENTIFIER", "ESC_IDENTIFIER", "<error>",
};

const char *cel_lex_tok_name(int kind)
{
    return kind >= 0 && kind < CEL_TOK_COUNT ? tok_names[kind] : "<invalid>";
}

/* ---------------------------------------------------------------- scanning */

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static bool is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_ident_char(int c) { return is_letter(c) || is_digit(c) || c == '_'; }

static int peek(const cel_lex *lx, uint32_t at)
{
    return at < lx->len ? (unsigned char)lx->src[at] : -1;
}

/* Byte length of the character at `at` (one code point; an invalid byte
 * counts alone), or 0 at the end of input. */
static uint32_t char_len(const cel_lex *lx, uint32_t at)
{
    if (at >= lx->len)
        return 0;
    if ((unsigned char)lx->src[at] < 0x80)
        return 1;
    int sz;
    cel_lex_decode_utf8((const unsigned char *)lx->src + at, lx->len - at, &sz);
    return (uint32_t)sz;
}

/* A failed token: the reported text runs from start through the offending
 * character at `at`, which is consumed (ANTLR's LexerNoViableAlt recovery). */
static void fail(cel_lex *lx, cel_token *tok, uint32_t start, uint32_t at)
{
    uint32_t end = at + char_len(lx, at);
    tok->kind = CEL_TOK_ERROR;
    tok->start = start;
    tok->end = end;
    lx->pos = end;
}

static void emit(cel_lex *lx, cel_token *tok, int kind, uint32_t start, uint32_t end)
{
    tok->kind = (uint8_t)kind;
    tok->start = start;
    tok->end = end;
    lx->pos = end;
}

/* Length of the escape sequence at `at` (which holds a backslash), or 0 if
 * it is not one; *bad receives the offset of the offending character. */
static uint32_t escape_len(const cel_lex *lx, uint32_t at, uint32_t *bad)
{
    int c = peek(lx, at + 1);
    switch (c) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v':
    case '"': case '\'': case '\\': case '?': case '`':
        return 2;
    case 'x': case 'X': case 'u': case 'U': {
        uint32_t n = c == 'u' ? 4 : c == 'U' ? 8 : 2;
        for (uint32_t i = 0; i < n; i++) {
            if (!is_hex(peek(lx, at + 2 + i))) {
                *bad = at + 2 + i;
                return 0;
            }
        }
        return 2 + n;
    }
    case '0': case '1': case '2': case '3':
        for (uint32_t i = 0; i < 2; i++) {
            int d = peek(lx, at + 2 + i);
            if (d < '0' || d > '7') {
                *bad = at + 2 + i;
                return 0;
            }
        }
        return 4;
    default:
        *bad = at + 1;
        return 0;
    }
}

/* Scans a quoted literal whose opening quote is at q. Returns true with
 * *end past the closing quote; false with *bad at the offending character
 * (the end of input when unterminated). */
static bool scan_quoted(const cel_lex *lx, uint32_t q, bool raw, bool *triple, uint32_t *end,
                        uint32_t *bad)
{
    char quote = lx->src[q];
    *triple = peek(lx, q + 1) == quote && peek(lx, q + 2) == quote;
    uint32_t i = q + (*triple ? 3 : 1);
    for (;;) {
        int c = peek(lx, i);
        if (c < 0) {
            *bad = i;
            return false;
        }
        if (*triple) {
            if (c == quote && peek(lx, i + 1) == quote && peek(lx, i + 2) == quote) {
                *end = i + 3;
                return true;
            }
        } else {
            if (c == quote) {
                *end = i + 1;
                return true;
            }
            if (c == '\n' || c == '\r') {
                *bad = i;
                return false;
            }
        }
        if (c == '\\' && !raw) {
            uint32_t n = escape_len(lx, i, bad);
            if (n == 0)
                return false;
            i += n;
        } else {
            i += char_len(lx, i);
        }
    }
}

/* A string or bytes literal starting at start, its quote at q. */
static void lex_quoted(cel_lex *lx, cel_token *tok, uint32_t start, uint32_t q, bool raw,
                       bool bytes)
{
    bool triple;
    uint32_t end, bad;
    int kind = bytes ? CEL_TOK_BYTES : CEL_TOK_STRING;
    if (scan_quoted(lx, q, raw, &triple, &end, &bad)) {
        emit(lx, tok, kind, start, end);
        return;
    }
    /* ANTLR falls back to the longest prefix that was a token: the empty
     * literal before a broken triple quote, or the prefix letters as an
     * identifier before a broken single-quoted literal. */
    if (triple)
        emit(lx, tok, kind, start, q + 2);
    else if (q > start)
        emit(lx, tok, CEL_TOK_IDENT, start, q);
    else
        fail(lx, tok, start, bad);
}

static void lex_number(cel_lex *lx, cel_token *tok, uint32_t start)
{
    uint32_t i = start;
    if (peek(lx, i) == '0' && peek(lx, i + 1) == 'x' && is_hex(peek(lx, i + 2))) {
        i += 2;
        while (is_hex(peek(lx, i)))
            i++;
        if (peek(lx, i) == 'u' || peek(lx, i) == 'U')
            emit(lx, tok, CEL_TOK_UINT, start, i + 1);
        else
            emit(lx, tok, CEL_TOK_INT, start, i);
        return;
    }
    bool is_float = false;
    if (peek(lx, i) == '.') {
        /* '.' DIGIT+ EXPONENT? (the caller checked the digit) */
        i++;
        is_float = true;
    }
    while (is_digit(peek(lx, i)))
        i++;
    if (!is_float && peek(lx, i) == '.' && is_digit(peek(lx, i + 1))) {
        i += 1;
        while (is_digit(peek(lx, i)))
            i++;
        is_float = true;
    }
    if (peek(lx, i) == 'e' || peek(lx, i) == 'E') {
        uint32_t j = i + 1;
        if (peek(lx, j) == '+' || peek(lx, j) == '-')
            j++;
        if (is_digit(peek(lx, j))) {
            while (is_digit(peek(lx, j)))
                j++;
            i = j;
            is_float = true;
        }
    }
    if (is_float) {
        emit(lx, tok, CEL_TOK_FLOAT, start, i);
    } else if (peek(lx, i) == 'u' || peek(lx, i) == 'U') {
        emit(lx, tok, CEL_TOK_UINT, start, i + 1);
    } else {
        emit(lx, tok, CEL_TOK_INT, start, i);
    }
}

static void lex_word(cel_lex *lx, cel_token *tok, uint32_t start)
{
    /* String prefixes: [bB]? [rR]? followed by a quote. */
    uint32_t i = start;
    bool bytes = false, raw = false;
    if (peek(lx, i) == 'b' || peek(lx, i) == 'B') {
        bytes = true;
        i++;
    }
    if (peek(lx, i) == 'r' || peek(lx, i) == 'R') {
        raw = true;
        i++;
    }
    if (i > start && (peek(lx, i) == '"' || peek(lx, i) == '\'')) {
        lex_quoted(lx, tok, start, i, raw, bytes);
        return;
    }
    i = start;
    while (is_ident_char(peek(lx, i)))
        i++;
    size_t n = i - start;
    const char *w = lx->src + start;
    int kind = CEL_TOK_IDENT;
    if (n == 4 && memcmp(w, "true", 4) == 0)
        kind = CEL_TOK_TRUE;
    else if (n == 5 && memcmp(w, "false", 5) == 0)
        kind = CEL_TOK_FALSE;
    else if (n == 4 && memcmp(w, "null", 4) == 0)
        kind = CEL_TOK_NULL;
    else if (n == 2 && memcmp(w, "in", 2) == 0)
        kind = CEL_TOK_IN;
    emit(lx, tok, kind, start, i);
}

static bool is_esc_ident_char(int c)
{
    return is_ident_char(c) || c == '.' || c == '-' || c == '/' || c == ' ';
}

void cel_lex_next(cel_lex *lx, cel_token *tok)
{
    uint32_t i = lx->pos;
    for (;;) {
        int c = peek(lx, i);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
            i++;
        } else if (c == '/' && peek(lx, i + 1) == '/') {
            while (i < lx->len && lx->src[i] != '\n')
                i++;
        } else {
            break;
        }
    }
    uint32_t s = i;
    int c = peek(lx, i), d = peek(lx, i + 1);
    switch (c) {
    case -1: emit(lx, tok, CEL_TOK_EOF, s, s); return;
    case '=':
        if (d == '=')
            emit(lx, tok, CEL_TOK_EQ, s, s + 2);
        else
            fail(lx, tok, s, s + 1);
        return;
    case '!': emit(lx, tok, d == '=' ? CEL_TOK_NE : CEL_TOK_NOT, s, s + (d == '=' ? 2 : 1)); return;
    case '<': emit(lx, tok, d == '=' ? CEL_TOK_LE : CEL_TOK_LT, s, s + (d == '=' ? 2 : 1)); return;
    case '>': emit(lx, tok, d == '=' ? CEL_TOK_GE : CEL_TOK_GT, s, s + (d == '=' ? 2 : 1)); return;
    case '&':
        if (d == '&')
            emit(lx, tok, CEL_TOK_AND, s, s + 2);
        else
            fail(lx, tok, s, s + 1);
        return;
    case '|':
        if (d == '|')
            emit(lx, tok, CEL_TOK_OR, s, s + 2);
        else
            fail(lx, tok, s, s + 1);
        return;
    case '[': emit(lx, tok, CEL_TOK_LBRACKET, s, s + 1); return;
    case ']': emit(lx, tok, CEL_TOK_RBRACKET, s, s + 1); return;
    case '{': emit(lx, tok, CEL_TOK_LBRACE, s, s + 1); return;
    case '}': emit(lx, tok, CEL_TOK_RBRACE, s, s + 1); return;
    case '(': emit(lx, tok, CEL_TOK_LPAREN, s, s + 1); return;
    case ')': emit(lx, tok, CEL_TOK_RPAREN, s, s + 1); return;
    case ',': emit(lx, tok, CEL_TOK_COMMA, s, s + 1); return;
    case '-': emit(lx, tok, CEL_TOK_MINUS, s, s + 1); return;
    case '?': emit(lx, tok, CEL_TOK_QUESTION, s, s + 1); return;
    case ':': emit(lx, tok, CEL_TOK_COLON, s, s + 1); return;
    case '+': emit(lx, tok, CEL_TOK_PLUS, s, s + 1); return;
    case '*': emit(lx, tok, CEL_TOK_STAR, s, s + 1); return;
    case '/': emit(lx, tok, CEL_TOK_SLASH, s, s + 1); return;
    case '%': emit(lx, tok, CEL_TOK_PERCENT, s, s + 1); return;
    case '.':
        if (is_digit(d))
            lex_number(lx, tok, s);
        else
            emit(lx, tok, CEL_TOK_DOT, s, s + 1);
        return;
    case '"': case '\'':
        lex_quoted(lx, tok, s, s, false, false);
        return;
    case '`': {
        uint32_t j = s + 1;
        while (is_esc_ident_char(peek(lx, j)))
            j++;
        if (j > s + 1 && peek(lx, j) == '`')
            emit(lx, tok, CEL_TOK_ESC_IDENT, s, j + 1);
        else
            fail(lx, tok, s, j);
        return;
    }
    default:
        break;
    }
    if (is_digit(c))
        lex_number(lx, tok, s);
    else if (is_letter(c) || c == '_')
        lex_word(lx, tok, s);
    else
        fail(lx, tok, s, s);
}

/* ---------------------------------------------------------------- literals */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

/* Copies raw text, normalising CR LF and lone CR to LF (cel-go does so for
 * every literal) and replacing invalid UTF-8 with U+FFFD (cel-go sees the
 * source as runes). */
static size_t copy_plain(const char *s, size_t n, char *out, size_t o, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c == '\r') {
        out[o++] = '\n';
        *i += (*i + 1 < n && s[*i + 1] == '\n') ? 2 : 1;
        return o;
    }
    if (c < 0x80) {
        out[o++] = (char)c;
        (*i)++;
        return o;
    }
    int sz;
    uint32_t cp = cel_lex_decode_utf8((const unsigned char *)s + *i, n - *i, &sz);
    o += (size_t)encode_utf8(cp, out + o);
    *i += (size_t)sz;
    return o;
}

long cel_lex_unescape(const char *text, size_t len, bool is_bytes, char *out, const char **err)
{
    size_t i = 0;
    bool raw = false;
    if (i < len && (text[i] == 'b' || text[i] == 'B'))
        i++;
    if (i < len && (text[i] == 'r' || text[i] == 'R')) {
        raw = true;
        i++;
    }
    if (len - i < 2 || (text[i] != '"' && text[i] != '\'') || text[len - 1] != text[i]) {
        *err = "unable to unescape string";
        return -1;
    }
    char q = text[i];
    size_t qn = (len - i >= 6 && text[i + 1] == q && text[i + 2] == q) ? 3 : 1;
    size_t body = i + qn, stop = len - qn;
    size_t o = 0;
    i = body;
    while (i < stop) {
        if (text[i] != '\\' || raw) {
            o = copy_plain(text, stop, out, o, &i);
            continue;
        }
        if (i + 1 >= stop) {
            *err = "unable to unescape string, found '\\' as last character";
            return -1;
        }
        char c = text[i + 1];
        i += 2;
        uint32_t v;
        switch (c) {
        case 'a': out[o++] = '\a'; continue;
        case 'b': out[o++] = '\b'; continue;
        case 'f': out[o++] = '\f'; continue;
        case 'n': out[o++] = '\n'; continue;
        case 'r': out[o++] = '\r'; continue;
        case 't': out[o++] = '\t'; continue;
        case 'v': out[o++] = '\v'; continue;
        case '\\': case '\'': case '"': case '`': case '?': out[o++] = c; continue;
        case 'x': case 'X': case 'u': case 'U': {
            size_t n = (c == 'u') ? 4 : (c == 'U') ? 8 : 2;
            if ((c == 'u' || c == 'U') && is_bytes) {
                *err = "unable to unescape string";
                return -1;
            }
            if (stop - i < n) {
                *err = "unable to unescape string";
                return -1;
            }
            v = 0;
            for (size_t j = 0; j < n; j++) {
                if (!is_hex((unsigned char)text[i + j])) {
                    *err = "unable to unescape string";
                    return -1;
                }
                v = (v << 4) | (uint32_t)hexval((unsigned char)text[i + j]);
            }
            i += n;
            break;
        }
        case '0': case '1': case '2': case '3':
            if (stop - i < 2 || text[i] < '0' || text[i] > '7' || text[i + 1] < '0' ||
                text[i + 1] > '7') {
                *err = "unable to unescape octal sequence in string";
                return -1;
            }
            v = (uint32_t)(c - '0') * 64 + (uint32_t)(text[i] - '0') * 8 + (uint32_t)(text[i + 1] - '0');
            i += 2;
            break;
        default:
            *err = "unable to unescape string";
            return -1;
        }
        /* In bytes, \x and octal escapes are raw byte values; in strings
         * they are code points like \u. */
        if (is_bytes) {
            out[o++] = (char)v;
        } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
                *err = "invalid unicode code point";
                return -1;
            }
            o += (size_t)encode_utf8(v, out + o);
        }
    }
    return (long)o;
}
