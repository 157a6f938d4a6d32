/*
 * cel/ast.h: the abstract syntax tree the parser produces and the checker
 * and planner consume, plus source positions and diagnostics.
 *
 * The tree has cel-go's shape: macros are already expanded into
 * comprehension nodes (the original call is kept in `macro` so the tree can
 * be printed back as written). Every node has a unique id and the byte
 * offset of its source position. A tree and everything it references lives
 * in one arena owned by its cel_parsed.
 */
#ifndef CEL_AST_H
#define CEL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cel/cel.h"

typedef enum cel_ast_kind {
    CEL_AST_LITERAL,       /* lit: null, bool, int, uint, double, string, bytes */
    CEL_AST_IDENT,         /* ident: a name (a leading '.' is kept: ".a") */
    CEL_AST_SELECT,        /* select: operand.field, has(operand.field), operand.?field */
    CEL_AST_CALL,          /* call: fn(args) or target.fn(args); operators too */
    CEL_AST_LIST,          /* list: [a, ?b] */
    CEL_AST_MAP,           /* map: {k: v, ?k2: v2} */
    CEL_AST_STRUCT,        /* strct: Msg{field: v} */
    CEL_AST_COMPREHENSION  /* comp: expanded macros */
} cel_ast_kind;

typedef struct cel_ast cel_ast;

typedef struct cel_ast_entry {
    cel_ast *key;     /* map key, or NULL in a struct (see field) */
    const char *field; /* struct field name */
    cel_ast *value;
    bool optional;    /* {?k: v} */
    uint32_t id;      /* entry id (cel-go gives entries ids too) */
    uint32_t offset;
} cel_ast_entry;

struct cel_ast {
    uint8_t kind;     /* cel_ast_kind */
    uint16_t opdepth; /* parser bookkeeping: operators, selections, calls and
                         indexes nested down to here, as cel-go counts them
                         for its "max recursion depth exceeded" limit */
    uint32_t id;      /* unique in the tree, from 1 */
    uint32_t offset;  /* byte offset of the node's position in the source */
    union {
        cel_value lit;
        struct {
            const char *name; /* NUL-terminated */
        } ident;
        struct {
            cel_ast *operand;
            const char *field;
            bool test_only;   /* has() */
            bool optional;    /* .?field: cel-go builds the call _?._(operand,
                                 "field") instead; we keep a select with
                                 this flag (never together with test_only) */
        } select;
        struct {
            /* "_+_", "size", "ip.isCanonical". Operators use cel-go's names:
             * _?_:_ _||_ _&&_ _==_ _!=_ _<_ _<=_ _>_ _>=_ @in _+_ _-_ _*_
             * _/_ _%_ !_ -_ _[_] and _[?_] (optional index). Macros add
             * @not_strictly_false, cel.@mapInsert, cel.@block (see below),
             * hasValue/value/optional.of/optional.none (optMap) and
             * @sortByAssociatedKeys (sortBy); cel/macro.c lists them all. */
            const char *fn;
            cel_ast *target;  /* receiver, or NULL for a global call */
            cel_ast **args;
            size_t nargs;
        } call;
        struct {
            cel_ast **elems;
            size_t n;
            const bool *optional; /* NULL when no element is optional */
        } list;
        struct {
            cel_ast_entry *entries;
            size_t n;
        } map;
        struct {
            const char *type_name; /* as written, a leading '.' kept */
            cel_ast_entry *entries;
            size_t n;
        } strct;
        struct {
            const char *iter_var;
            const char *iter_var2; /* two-variable comprehensions, else NULL */
            const char *accu_var;  /* "@result" for the standard macros */
            cel_ast *iter_range;
            cel_ast *accu_init;
            cel_ast *loop_cond;
            cel_ast *loop_step;
            cel_ast *result;
        } comp;
    } u;
    /* For a node produced by a macro (a comprehension, or has()'s select):
     * the call as written, before expansion. NULL otherwise. */
    cel_ast *macro;
};

/*
 * cel.block (CEL_MACROS_BLOCK) is represented as cel-go represents it:
 * cel.block([e0, e1, ...], result) becomes the global call
 * "cel.@block"(list, result); cel.index(N) becomes the identifier "@indexN"
 * (the value of eN, which may use @index0..@index(N-1)); cel.iterVar(N, M)
 * and cel.accuVar(N, M) become the identifiers "@it:N:M" and "@ac:N:M".
 *
 * cel.bind(v, init, e) is a comprehension over an empty list with iter_var
 * "#unused", accu_var v, accu_init init, loop_cond false, loop_step the
 * identifier v and result e.
 */

/* Compares two trees ignoring ids and offsets (values, names, shapes and
 * flags must match). Used by the unparser tests and the parser fuzzer. */
bool cel_ast_equal(const cel_ast *a, const cel_ast *b);

/* ---------------------------------------------------------------- source */

/* Offset of a diagnostic that has no position ("<input>:-1:0"). */
#define CEL_NO_OFFSET UINT32_MAX

typedef struct cel_source {
    const char *text;      /* not owned; may contain NUL */
    size_t len;
    uint32_t *line_starts; /* byte offsets where each line starts */
    size_t nlines;
} cel_source;

int cel_source_init(cel_source *s, const char *text, size_t len);
void cel_source_free(cel_source *s);
/* 1-based line and 1-based column counted in code points. */
void cel_source_position(const cel_source *s, uint32_t offset, int *line, int *column);

/* Appends one issue in cel-go's format to *buf (malloc'd, grown):
 *   ERROR: <input>:L:C: msg
 *    | source line
 *    | ....^
 * Issues after the first are separated by a newline. */
int cel_source_format_issue(const cel_source *s, uint32_t offset, const char *msg, char **buf,
                            size_t *len);

/* ---------------------------------------------------------------- parsing */

typedef struct cel_parse_opts {
    unsigned max_code_points; /* 0: default */
    unsigned max_depth;       /* 0: default */
    unsigned max_errors;      /* 0: default */
    unsigned macros;          /* CEL_MACROS_* */
    bool no_macros;
    bool optional_syntax;
    /* Backquoted field names (a.`b-c`, Msg{`in`: v}) are accepted unless
     * this is set; then they are reported as cel-go does with
     * EnableIdentEscapeSyntax(false): "unsupported syntax: '`'". */
    bool no_ident_escape;
} cel_parse_opts;

typedef struct cel_parse_issue {
    uint32_t offset;
    char *msg; /* e.g. "Syntax error: mismatched input ')' expecting ..." */
} cel_parse_issue;

typedef struct cel_parsed {
    cel_ast *root;        /* NULL when there are errors */
    cel_source src;
    cel_arena *arena;     /* owns the tree */
    uint32_t next_id;     /* ids given so far + 1 */
    cel_parse_issue *issues;
    size_t nissues;
} cel_parsed;

/* Parses src. Returns 0 on success; otherwise -1 with issues set (also -1
 * with no issue when memory ran out). The result must be released with
 * cel_parsed_free in both cases. opts may be NULL (defaults, standard
 * macros). macros == 0 means CEL_MACROS_STD, as in cel_env_options. */
int cel_parse(const char *src, size_t len, const cel_parse_opts *opts, cel_parsed *out);
void cel_parsed_free(cel_parsed *p);
/* All issues formatted for display (see cel_source_format_issue), malloc'd. */
char *cel_parsed_format_issues(const cel_parsed *p);

/* Prints a tree back to CEL source (macros in the form they were written),
 * such that parsing the text gives the same tree up to ids and offsets.
 * Malloc'd; NULL on allocation failure. */
char *cel_unparse(const cel_ast *root);

#endif
