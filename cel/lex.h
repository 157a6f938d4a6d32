/*
 * cel/lex.h: the CEL lexer (internal to libcel). It follows the lexical
 * rules of cel-go's ANTLR grammar (parser/gen/CEL.g4) token for token,
 * including how ANTLR recovers from characters that start no token, so that
 * the parser can reproduce cel-go's "token recognition error" messages.
 *
 * The lexer does not allocate: a token is a kind plus a byte range of the
 * source. Literal values are decoded on demand (cel_lex_unescape).
 */
#ifndef CEL_LEX_H
#define CEL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Token kinds, in the order of cel-go's token vocabulary: the parser prints
 * sets of expected tokens in this order, as ANTLR does. */
typedef enum cel_tok {
    CEL_TOK_EOF = 0,
    CEL_TOK_EQ,        /* == */
    CEL_TOK_NE,        /* != */
    CEL_TOK_IN,        /* in */
    CEL_TOK_LT,        /* < */
    CEL_TOK_LE,        /* <= */
    CEL_TOK_GE,        /* >= */
    CEL_TOK_GT,        /* > */
    CEL_TOK_AND,       /* && */
    CEL_TOK_OR,        /* || */
    CEL_TOK_LBRACKET,  /* [ */
    CEL_TOK_RBRACKET,  /* ] */
    CEL_TOK_LBRACE,    /* { */
    CEL_TOK_RBRACE,    /* } */
    CEL_TOK_LPAREN,    /* ( */
    CEL_TOK_RPAREN,    /* ) */
    CEL_TOK_DOT,       /* . */
    CEL_TOK_COMMA,     /* , */
    CEL_TOK_MINUS,     /* - */
    CEL_TOK_NOT,       /* ! */
    CEL_TOK_QUESTION,  /* ? */
    CEL_TOK_COLON,     /* : */
    CEL_TOK_PLUS,      /* + */
    CEL_TOK_STAR,      /* * */
    CEL_TOK_SLASH,     /* / */
    CEL_TOK_PERCENT,   /* % */
    CEL_TOK_TRUE,      /* true */
    CEL_TOK_FALSE,     /* false */
    CEL_TOK_NULL,      /* null */
    CEL_TOK_FLOAT,     /* 1.5, 1e3, .5 */
    CEL_TOK_INT,       /* 15, 0x1F */
    CEL_TOK_UINT,      /* 15u, 0x1Fu */
    CEL_TOK_STRING,    /* '...', "...", '''...''', r"..." */
    CEL_TOK_BYTES,     /* b'...', br'...' */
    CEL_TOK_IDENT,     /* name */
    CEL_TOK_ESC_IDENT, /* `quoted name` */
    CEL_TOK_ERROR,     /* no token matched: "token recognition error" */
    CEL_TOK_COUNT
} cel_tok;

typedef struct cel_token {
    uint8_t kind;   /* cel_tok */
    uint32_t start; /* byte offset of the first byte */
    uint32_t end;   /* byte offset past the last byte; for CEL_TOK_ERROR the
                       end of the text ANTLR reports (the offending character
                       included) */
} cel_token;

typedef struct cel_lex {
    const char *src;
    uint32_t len;
    uint32_t pos;
} cel_lex;

void cel_lex_init(cel_lex *lx, const char *src, uint32_t len);
/* Scans the next token (whitespace and // comments skipped). */
void cel_lex_next(cel_lex *lx, cel_token *tok);
/* The display name of a token kind in ANTLR's form: "')'", "IDENTIFIER". */
const char *cel_lex_tok_name(int kind);

/* Decodes a STRING or BYTES token's text (prefixes and quotes included).
 * out must hold at least 3 * len bytes (an invalid UTF-8 byte becomes the
 * three bytes of U+FFFD; no escape grows). Returns the
 * decoded length, or -1 with *err set to cel-go's message
 * ("invalid unicode code point", "unable to unescape string"). */
long cel_lex_unescape(const char *text, size_t len, bool is_bytes, char *out, const char **err);

/* Number of code points in s (an invalid UTF-8 byte counts as one). */
size_t cel_lex_count_code_points(const char *s, size_t len);
/* Decodes one code point at s (len > 0); *size receives its byte length.
 * An invalid sequence decodes as U+FFFD with size 1. */
uint32_t cel_lex_decode_utf8(const unsigned char *s, size_t len, int *size);

#endif
