/*
 * cel/function.h: how libraries give CEL functions to an environment.
 *
 * A library is a static table of overloads. Each overload names the CEL
 * function, its parameter types (for the checker and for dispatch on the
 * kinds of the arguments at run time), its result type, the C function that
 * implements it and, optionally, its runtime cost. Operators are functions
 * too, under cel-go's names: "_+_", "_-_", "_*_", "_/_", "_%_", "-_", "!_",
 * "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_", "@in", "_[_]".
 *
 * An implementation receives its arguments already evaluated (never an
 * error, unless the overload is CEL_FN_NONSTRICT) and returns a value or an
 * error value made with cel_error_new(cel_call_arena(call), ...).
 */
#ifndef CEL_FUNCTION_H
#define CEL_FUNCTION_H

#include "cel/type.h"
#include "cel/value.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CEL_MAX_ARGS 5

/* Per-call context handed to implementations: the evaluation's arena and
 * whatever the environment attached (time zone database, authorizer, ...). */
typedef struct cel_call cel_call;
cel_arena *cel_call_arena(const cel_call *c);
/* Opaque pointer the embedding program gave the evaluation (cel_eval_opts.host). */
void *cel_call_host(const cel_call *c);
/* Adds to the evaluation's cost (for functions whose cost depends on work
 * done, such as comprehensions in libraries); returns false when the limit
 * is passed, in which case the function should return its error. */
bool cel_call_charge(cel_call *c, uint64_t cost);

typedef cel_value (*cel_fn)(cel_call *c, const cel_value *args, size_t nargs);

/* Runtime cost of one call, given its evaluated arguments. NULL means 1. */
typedef uint64_t (*cel_cost_fn)(const cel_value *args, size_t nargs);

enum {
    /* The function is called even when an argument is an error. */
    CEL_FN_NONSTRICT = 1 << 0,
    /* Do not fold calls with constant arguments at compile time (results
     * depend on the host or on time). */
    CEL_FN_NOFOLD = 1 << 1,
    /* A call whose arguments are all literals is evaluated at compile time,
     * and an error then is a compile error (duration and timestamp
     * literals). For an overload with a prepare function the prepare step
     * is the check instead (a regex pattern compiles), and an error in
     * evaluating the folded call stays a run-time error. Calls that fold
     * without error are folded anyway. */
    CEL_FN_VALIDATE_LITERAL = 1 << 2,
    /* The parameter types are for the checker only: at run time any value
     * (not an error) is passed, and the function checks what it got
     * (cel-go's decls.DisableTypeGuards, as flatten() uses). */
    CEL_FN_NO_TYPE_GUARDS = 1 << 3,
    /* When the checker resolves a call to this overload alone, the call
     * runs this overload alone (cel-go, for overloads with a binding of
     * their own: [1.0].filter(x, false).sum() is 0.0, dyn([]).sum() 0).
     * Without it every candidate is tried in order, as cel-go's singleton
     * bindings (operators, conversions) behave whatever the checker says. */
    CEL_FN_CHECKED_DISPATCH = 1 << 4
};

/* Compile-time preparation (optional). When a call's arguments are partly
 * or wholly constants, the planner calls prepare once with those constants:
 * args[i] is meaningful where bit i of const_mask is set (other slots hold
 * null). prepare returns an opaque state the program keeps (a compiled
 * regex, a parsed IP or CIDR, a time zone), or NULL: with err[0] == 0 when
 * there is nothing to prepare, or with a message in err when the constants
 * are invalid (then a compile error, as for CEL_FN_VALIDATE_LITERAL). The
 * state is shared read-only by every evaluation of the program and released
 * with prepared_free when the program is freed. At run time the function
 * reads it with cel_call_prepared(); it must still work without it (calls
 * with non-constant arguments, or planners that do not prepare). */
typedef void *(*cel_prepare_fn)(const cel_value *args, size_t nargs, unsigned const_mask,
                                char *err, size_t errcap);
typedef void (*cel_prepared_free_fn)(void *state);

/* The state prepare returned for the call site being evaluated, or NULL. */
const void *cel_call_prepared(const cel_call *c);

typedef struct cel_overload {
    const char *id;    /* overload id, e.g. "string_to_ip" */
    const char *name;  /* function name, e.g. "ip", "ip.isCanonical", "_+_" */
    bool member;       /* receiver call: args[0] is the receiver */
    unsigned char nargs; /* including the receiver */
    unsigned short flags;
    const cel_type *params[CEL_MAX_ARGS];
    const cel_type *result;
    cel_fn fn;
    cel_cost_fn cost;
    cel_prepare_fn prepare;             /* optional, see above */
    cel_prepared_free_fn prepared_free; /* required when prepare is set */
} cel_overload;

typedef struct cel_library {
    const char *name;  /* e.g. "cel.std", "kubernetes.net.cidr", "cel.ext.strings" */
    const cel_overload *overloads;
    size_t count;
    /* Types whose names resolve as identifiers (net.IP, net.CIDR). */
    const cel_type *const *types;
    size_t ntypes;
} cel_library;

#ifdef __cplusplus
}
#endif
#endif
