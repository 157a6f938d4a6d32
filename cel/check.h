/*
 * cel/check.h: the type checker (internal to libcel). It follows cel-go's
 * checker: deduces a type for every node, resolves identifiers against the
 * environment and its container, and reports cel-go's messages
 * ("undeclared reference to 'x' (in container '')", "found no matching
 * overload for '_+_' applied to '(int, string)'").
 */
#ifndef CEL_CHECK_H
#define CEL_CHECK_H

#include "cel/ast.h"
#include "cel/env.h"

/* Checks a parsed tree. Returns 0 and the result type (allocated in
 * types_arena, or a well-known constant) on success; -1 with *issues
 * (malloc'd, formatted with cel_source_format_issue) otherwise. */
int cel_check(const cel_env *env, const cel_parsed *parsed, cel_arena *types_arena,
              const cel_type **result_type, char **issues);

#endif
