/*
 * cel/ext/lib_strings.h: what the strings extension's files share (internal
 * to libcel): the two format() implementations of lib_strings_format.c,
 * and the check-time validation of format calls that the checker runs, as
 * cel-go's string-format AST validator does.
 */
#ifndef CEL_EXT_LIB_STRINGS_H
#define CEL_EXT_LIB_STRINGS_H

#include <stdint.h>

#include "cel/ast.h"
#include "cel/env.h"
#include "cel/function.h"

/* <string>.format(list): strings versions 1-3 (Go fmt and golang.org/x/text
 * in en_US) and version 4 (the cel-spec formatting). */
cel_value cel_strx_format_v1(cel_call *c, const cel_value *args, size_t nargs);
cel_value cel_strx_format_v2(cel_call *c, const cel_value *args, size_t nargs);

/* What the validator needs from the checker: the final (substituted) type
 * of a node, and a way to report an issue at a source offset. */
typedef struct cel_strx_checker {
    const cel_type *(*type_of)(void *ctx, const cel_ast *e);
    void (*report)(void *ctx, uint32_t offset, const char *msg);
    void *ctx;
} cel_strx_checker;

/* Validates e if it is <literal string>.format(<list literal>) resolved
 * by the environment's format overload: clause syntax, argument count and
 * each argument's type against its clause, with cel-go's messages. Does
 * nothing for other nodes or environments without format. */
void cel_strx_check_format_call(const cel_env *env, const cel_ast *e,
                                const cel_strx_checker *chk);

#endif
