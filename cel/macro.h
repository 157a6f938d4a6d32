/*
 * cel/macro.h: the contract between the parser (cel/parse.c) and macro
 * expansion (cel/macro.c), both internal to libcel. The parser hands every
 * call it builds to cel_macro_expand; the expander builds its nodes through
 * the parser's constructors so that ids, positions and limits stay in one
 * place.
 */
#ifndef CEL_MACRO_H
#define CEL_MACRO_H

#include "ast.h"

typedef struct cel_parser cel_parser;

/* Node constructors (ids are handed out in creation order; NULL only when
 * memory ran out, which the parser then reports). */
cel_ast *cel_parse_node(cel_parser *p, int kind, uint32_t offset);
cel_ast *cel_parse_ident(cel_parser *p, const char *name, uint32_t offset);
cel_ast *cel_parse_call(cel_parser *p, const char *fn, cel_ast *target, cel_ast **args,
                        size_t nargs, uint32_t offset);
cel_ast *cel_parse_call1(cel_parser *p, const char *fn, cel_ast *a, uint32_t offset);
cel_ast *cel_parse_call2(cel_parser *p, const char *fn, cel_ast *a, cel_ast *b, uint32_t offset);
cel_ast *cel_parse_call3(cel_parser *p, const char *fn, cel_ast *a, cel_ast *b, cel_ast *c,
                         uint32_t offset);
cel_ast *cel_parse_literal(cel_parser *p, cel_value v, uint32_t offset);
cel_ast *cel_parse_list(cel_parser *p, cel_ast **elems, size_t n, uint32_t offset);
cel_ast *cel_parse_map0(cel_parser *p, uint32_t offset);
/* A deep copy with fresh ids (cel-go's ExprHelper.Copy). */
cel_ast *cel_parse_copy(cel_parser *p, const cel_ast *e);
/* Arena string copy. */
const char *cel_parse_strdup(cel_parser *p, const char *s);
/* Reports a (non-syntax) error at offset. */
void cel_parse_report(cel_parser *p, uint32_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* CEL_MACROS_* bits in effect (0 when macros are off). */
unsigned cel_parse_macro_set(const cel_parser *p);

/* Expands the call fn(args) or target.fn(args) if a macro of the enabled
 * families matches its name, style and argument count. Returns the
 * expansion (with ->macro set to the call as written), or NULL when no macro
 * applies. On a malformed macro call (e.g. "argument must be a simple
 * name") the error is reported and *failed set; the result is then an
 * error node. call_offset is the position cel-go gives the call. */
cel_ast *cel_macro_expand(cel_parser *p, const char *fn, cel_ast *target, cel_ast **args,
                          size_t nargs, uint32_t call_offset, bool *failed);

#endif
