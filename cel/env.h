/*
 * cel/env.h: what an environment holds, for the checker and the planner
 * (internal to libcel). An environment is built once and then only read.
 */
#ifndef CEL_ENV_H
#define CEL_ENV_H

#include "cel/cel.h"

typedef struct cel_var_decl {
    const char *name; /* dotted names allowed */
    const cel_type *type;
    int slot;         /* index into cel_activation.vars */
} cel_var_decl;

/* The options the environment was built with (container, limits, macros). */
const cel_env_options *cel_env_options_of(const cel_env *env);

/* The variable declared with exactly this name, or NULL. */
const cel_var_decl *cel_env_find_var(const cel_env *env, const char *name, size_t len);

/* Every overload of function `name` in the given call style (member or
 * global), in library order. Writes up to cap pointers into out and returns
 * how many there are in all. */
size_t cel_env_find_overloads(const cel_env *env, const char *name, bool member,
                              const cel_overload **out, size_t cap);

/* True when some overload (either style) is named `name`. */
bool cel_env_has_function(const cel_env *env, const char *name);

/* The named type (int, list, net.IP, google.protobuf.Timestamp, ...), for
 * identifiers that denote types, or NULL. */
const cel_type *cel_env_find_type(const cel_env *env, const char *name, size_t len);

#endif
