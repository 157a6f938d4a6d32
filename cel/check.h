/*
 * cel/check.h: the type checker (internal to libcel). It follows cel-go's
 * checker: deduces a type for every node, resolves identifiers against the
 * environment and its container, and reports cel-go's messages
 * ("undeclared reference to 'x' (in container '')", "found no matching
 * overload for '_+_' applied to '(int, string)'").
 *
 * What it reads from the environment (cel/env.h): variables, named types,
 * overloads, and the options container, cross_type_numeric (ordering of
 * int/uint/double against each other is allowed only then) and
 * homogeneous_literals (Kubernetes: every list element, map key and map
 * value has the type of the first, except inside format() arguments,
 * checked after a successful check as cel-go's validator does).
 *
 * Operators the interpreter treats as special forms (_&&_, _||_, !_,
 * _?_:_, @not_strictly_false, cel.@block, cel.@mapInsert) are typed with
 * cel-go's signatures when the environment does not declare them itself.
 */
#ifndef CEL_CHECK_H
#define CEL_CHECK_H

#include "cel/ast.h"
#include "cel/env.h"

/* Checks a parsed tree. Returns 0 and the result type (allocated in
 * types_arena, or a well-known constant) on success; -1 with *issues
 * (malloc'd, formatted with cel_source_format_issue, in source order, at
 * most 100 then "N more errors were truncated") otherwise. Type parameters
 * left unbound come out as dyn. */
int cel_check(const cel_env *env, const cel_parsed *parsed, cel_arena *types_arena,
              const cel_type **result_type, char **issues);

/* cel_check, also giving by node id the overload each call resolved to when
 * exactly one matched (*refs, *nrefs entries, allocated in types_arena;
 * NULL where none or several matched). Both are NULL/0 on failure. */
int cel_check_refs(const cel_env *env, const cel_parsed *parsed, cel_arena *types_arena,
                   const cel_type **result_type, char **issues, const cel_overload ***refs,
                   size_t *nrefs);

#endif
