/*
 * cel/cel.h: the public face of libcel: environments, compilation, programs
 * and evaluation.
 *
 * Life cycle:
 *   1. Build an environment (cel_env_new, then declare variables, add
 *      libraries, enable macros and syntax). Once built it is not changed
 *      again and may be shared between threads.
 *   2. Compile expressions against it (cel_compile): parse, check, plan.
 *      A program is immutable and may be evaluated by many threads at once.
 *   3. Evaluate (cel_eval): every evaluation brings its own arena and
 *      activation; the result lives in that arena.
 */
#ifndef CEL_CEL_H
#define CEL_CEL_H

#include "cel/function.h"
#include "cel/type.h"
#include "cel/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- limits */

#define CEL_DEFAULT_MAX_CODE_POINTS 100000u /* cel-go parser default */
#define CEL_DEFAULT_MAX_DEPTH 250u          /* cel-go parser recursion limit */
#define CEL_DEFAULT_MAX_ERRORS 30u          /* cel-go parser error recovery */

/* ---------------------------------------------------------------- diagnostics */

/* Compile diagnostics. text holds every issue formatted as cel-go prints
 * them ("ERROR: <input>:1:5: Syntax error: ...\n | src\n | ....^"), joined
 * by newlines; message/line/column describe the first one. */
typedef struct cel_diag {
    char *text;
    char *message;
    int line;   /* 1-based */
    int column; /* 1-based, in code points */
    /* Why, when message is upstream's terse text ("invalid matches
     * argument"): the function's own error for the literal. Or NULL. */
    char *detail;
} cel_diag;

void cel_diag_clear(cel_diag *d);

/* ---------------------------------------------------------------- environment */

/* Macro families the parser expands (cel_env_options.macros). */
enum {
    CEL_MACROS_STD = 1 << 0,      /* has all exists exists_one map filter */
    CEL_MACROS_TWO_VAR = 1 << 1,  /* all/exists/existsOne with two variables,
                                     transformList transformMap transformMapEntry */
    CEL_MACROS_BIND = 1 << 2,     /* cel.bind */
    CEL_MACROS_BLOCK = 1 << 3,    /* cel.block, cel.index, cel.iterVar, cel.accuVar */
    CEL_MACROS_OPTIONAL = 1 << 4, /* optMap, optFlatMap */
    CEL_MACROS_LISTS = 1 << 5,    /* sortBy */
    CEL_MACROS_MATH = 1 << 6,     /* math.greatest, math.least */
    CEL_MACROS_ALL = 0x7f
};

typedef struct cel_env_options {
    const char *container;       /* namespace for name resolution, or NULL */
    unsigned max_code_points;    /* 0: CEL_DEFAULT_MAX_CODE_POINTS */
    unsigned max_depth;          /* 0: CEL_DEFAULT_MAX_DEPTH */
    unsigned macros;             /* CEL_MACROS_* bits; 0 means CEL_MACROS_STD */
    bool no_macros;              /* no macro expansion at all (overrides macros) */
    bool optional_syntax;        /* ?. and [? and {?k: v} and [?x] */
    bool disable_check;          /* evaluate without type-checking */
    bool cross_type_numeric;     /* 1 < 1.5 at check time (Kubernetes >= 1.28) */
    bool homogeneous_literals;   /* list/map literals must be homogeneous (Kubernetes) */
    bool std_lib;                /* add the standard library (cel_env_new sets it
                                    when options are NULL) */
    bool defer_literal_errors;   /* CEL_FN_VALIDATE_LITERAL calls and prepare
                                    functions that fail on literal arguments fail
                                    at run time, as in plain cel-go (the
                                    conformance suite), instead of being compile
                                    errors as in Kubernetes */
    bool literal_validators;     /* Kubernetes >= 1.29 runs cel-go's literal
                                    validators: a bad duration(), timestamp() or
                                    matches() literal is reported as "invalid
                                    <function> argument" at the literal (without
                                    them the compile error carries the
                                    function's own message) */
    bool optimize;               /* price evaluation as cel-go prices a program
                                    built with OptOptimize, as Kubernetes builds
                                    them: constant list and map literals,
                                    conversions of constants and `in` on a
                                    constant list of primitives are computed
                                    once and cost nothing at run time; a
                                    conversion of a constant that fails is a
                                    compile error */
    bool presence_test_cost;     /* has() costs 1, cel-go's default;
                                    Kubernetes keeps the older 0 */
} cel_env_options;

typedef struct cel_env cel_env;

/* A new environment; opts NULL means defaults with the standard library. */
cel_env *cel_env_new(const cel_env_options *opts);
void cel_env_free(cel_env *env);

/* Declares a variable (dotted names allowed: "a.b.c"). Returns its slot in
 * cel_activation.vars, or -1 (duplicate name, out of memory). */
int cel_env_add_var(cel_env *env, const char *name, const cel_type *type);
/* Adds a library's overloads and types. Returns 0, or -1 when an overload
 * id is already present. */
int cel_env_add_library(cel_env *env, const cel_library *lib);
/* Registers an extra named type (for identifiers such as net.IP). */
int cel_env_add_type(cel_env *env, const cel_type *type);
/* Number of variable slots declared so far. */
size_t cel_env_var_count(const cel_env *env);

/* The standard library: cel_lib_std (operators, conversions, strings,
 * bytes, lists, maps, matches) and cel_lib_time (timestamps, durations and
 * their getters with time zones). cel_env_new adds both unless options
 * with std_lib false are given. */
extern const cel_library cel_lib_std;
extern const cel_library cel_lib_time;

/* ---------------------------------------------------------------- programs */

typedef struct cel_program cel_program;

/* Compiles src (len bytes; may contain NUL) against env. NULL on failure,
 * with diag filled (diag may be NULL). */
cel_program *cel_compile(const cel_env *env, const char *src, size_t len, cel_diag *diag);
void cel_program_free(cel_program *p);
/* The result type the checker deduced (dyn when unchecked). */
const cel_type *cel_program_type(const cel_program *p);
/* The source text the program was compiled from. */
const char *cel_program_source(const cel_program *p, size_t *len);

/* ---------------------------------------------------------------- evaluation */

typedef struct cel_activation {
    const cel_value *vars; /* indexed by the slots cel_env_add_var returned */
    size_t nvars;          /* slots beyond nvars read as unbound */
} cel_activation;

typedef struct cel_eval_opts {
    /* Per-evaluation cost limit (Kubernetes: 1,000,000); 0 means none.
     * Past it the result is the CEL_ERR_COST error
     * "operation cancelled: actual cost limit exceeded". */
    uint64_t cost_limit;
    /* Optional shared budget across several evaluations: the cost spent is
     * subtracted from *budget; running it out stops evaluation with a
     * CEL_ERR_BUDGET error. NULL: none. */
    uint64_t *budget;
    /* Handed to functions through cel_call_host (authorizer, etc.). */
    void *host;
    /* Bytes this evaluation may add to its arena; 0 means
     * CEL_DEFAULT_EVAL_MEMORY. Past it the result is a CEL_ERR_MEMORY error. */
    size_t memory_limit;
} cel_eval_opts;

#define CEL_DEFAULT_EVAL_MEMORY ((size_t)64 << 20)

/* Evaluates p. The result (and everything it references) lives in arena.
 * cost_out, if not NULL, receives the cost spent. opts may be NULL. */
cel_value cel_eval(const cel_program *p, const cel_activation *act, cel_arena *arena,
                   const cel_eval_opts *opts, uint64_t *cost_out);

#ifdef __cplusplus
}
#endif
#endif
