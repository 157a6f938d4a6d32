/*
 * cel/plan.h: the evaluation plan the planner (program.c) builds from a
 * checked tree and the interpreter (interp.c) walks. Internal to libcel.
 *
 * A plan is a tree of nodes in the program's arena. Names are already
 * resolved (variables to activation slots, comprehension variables to
 * local slots, type names to type values, calls to their candidate
 * overloads), constants are folded, and the operators whose semantics are
 * the language's own (logic, equality, indexing, membership, literals,
 * comprehensions) have their own node kinds. Nothing in a plan changes
 * after cel_compile returns.
 */
#ifndef CEL_PLAN_H
#define CEL_PLAN_H

#include "cel/cel.h"

typedef enum cel_plan_op {
    CEL_P_CONST,      /* val; cost: what computing it would have cost */
    CEL_P_VAR,        /* activation slot; name for the unbound error */
    CEL_P_LOCAL,      /* comprehension variable: slot in the local frame */
    CEL_P_UNRESOLVED, /* a name nothing declares (unchecked programs) */
    CEL_P_SELECT,     /* args[0].name */
    CEL_P_SELECT_PATH,/* args[0].path[0].path[1]...: a chain of plain selects */
    CEL_P_HAS,        /* has(args[0].name) */
    CEL_P_OPT_SELECT, /* args[0].?name */
    CEL_P_INDEX,      /* args[0][args[1]] */
    CEL_P_OPT_INDEX,  /* args[0][?args[1]] */
    CEL_P_IN,         /* args[0] in args[1] */
    CEL_P_EQ,         /* args[0] == args[1] */
    CEL_P_NE,         /* args[0] != args[1] */
    CEL_P_AND,        /* args[0] && args[1] */
    CEL_P_OR,         /* args[0] || args[1] */
    CEL_P_COND,       /* args[0] ? args[1] : args[2] */
    CEL_P_NOT_STRICTLY_FALSE,
    CEL_P_TYPE,       /* type(args[0]) */
    CEL_P_CALL,       /* ovl[0..novl) applied to args */
    CEL_P_LIST,       /* [args...], optional[i] for [?x] */
    CEL_P_MAP,        /* {args[2i]: args[2i+1]}, optional[i] for {?k: v} */
    CEL_P_STRUCT,     /* Msg{...}: not supported at run time */
    CEL_P_COMP,       /* comprehension, see cel_plan.comp */
    CEL_P_APPEND,     /* accumulator + [args[0]], appended in place */
    CEL_P_MAP_INSERT, /* cel.@mapInsert(accumulator, args...) in place */
    CEL_P_BLOCK,      /* cel.@block([args[0..k)], args[k]): k lazy slots from comp.iter */
    CEL_P_BLOCK_INDEX,/* @indexN: slot, computed on first use from target's args[N] */
    CEL_P_OPT_OR,     /* args[0].or(args[1]): args[1] evaluated only for optional.none() */
    CEL_P_OPT_OR_VALUE/* args[0].orValue(args[1]), likewise */
} cel_plan_op;

typedef struct cel_plan cel_plan;

/* How cel-go prices a node beyond its operation (cel_plan.cflags). cel-go
 * charges while it evaluates its own plan (interpreter/runtimecost.go),
 * whose shape differs from ours in three ways that show in the cost:
 *   - attributes: an identifier with its selects and indexes is one
 *     attribute, +1 for resolving its root and +1 per qualifier. A select
 *     or index on anything else (a call, a literal) first wraps it in a
 *     relative attribute, one more +1. An attribute used as a ternary
 *     branch or as an index is resolved without being observed, so its
 *     root costs nothing there (its qualifiers still do).
 *   - OptOptimize (Kubernetes builds every program with it): constant
 *     list and map literals and conversions of constants become constants,
 *     and `in` on a constant list of primitives becomes a set lookup; none
 *     of them costs anything at run time. */
enum {
    CEL_PC_ATTR = 1 << 0,       /* cel-go plans an attribute here */
    CEL_PC_GCONST = 1 << 1,     /* cel-go plans a constant here */
    CEL_PC_FREE = 1 << 2,       /* the operation itself is not charged */
    CEL_PC_UNOBSERVED = 1 << 3, /* VAR/LOCAL/BLOCK_INDEX read for free */
    CEL_PC_RELATIVE = 1 << 4,   /* +1: a relative attribute over a non-attribute */
    CEL_PC_PRESENCE = 1 << 5    /* HAS: the presence test costs 1 (plain cel-go) */
};

typedef struct cel_plan_field {
    const char *name;
    uint32_t len;
} cel_plan_field;

struct cel_plan {
    uint8_t op;      /* cel_plan_op */
    uint8_t cflags;  /* CEL_PC_* */
    uint32_t offset; /* source offset, for messages */
    uint32_t nargs;
    cel_plan **args;
    cel_value val;        /* CEL_P_CONST */
    uint64_t cost;        /* CEL_P_CONST: cost of the folded computation */
    const char *name;     /* field, variable or function name (NUL-terminated) */
    uint32_t name_len;
    int slot;             /* CEL_P_VAR / CEL_P_LOCAL / CEL_P_APPEND (accumulator) */
    const bool *optional; /* CEL_P_LIST / CEL_P_MAP, or NULL */
    const cel_plan *target;     /* CEL_P_BLOCK_INDEX: its block */
    const cel_plan_field *path; /* CEL_P_SELECT_PATH, npath fields */
    uint32_t npath;
    /* CEL_P_CALL: candidates by name, style and arity, in library order;
     * first[kind] is the first candidate whose first parameter accepts a
     * value of that kind (novl when none), so dispatch starts there. */
    const cel_overload **ovl;
    uint32_t novl;
    uint8_t first[CEL_KIND_COUNT];
    /* Per candidate: what its prepare function made of the constant
     * arguments (cel_call_prepared), or NULL; the array itself may be NULL. */
    void **prep;
    bool nonstrict;       /* some candidate wants error arguments */
    /* CEL_P_EQ / CEL_P_NE / CEL_P_APPEND: the library overload whose cost
     * function prices the operation, or NULL (cost 1). */
    const cel_overload **cost_ovl;
    uint32_t ncost_ovl;
    /* Set when the first of them takes any arguments (A, A), and for
     * CEL_P_APPEND to the list + list candidate's (ncost_ovl then 0): its
     * cost function is called without matching parameters first. */
    cel_cost_fn cost_direct;
    struct {
        int iter, iter2, accu; /* local slots; iter2 -1 for one variable */
        /* args: range, init, cond, step, result */
        /* The shapes all() and exists() expand to, which the interpreter
         * runs without walking the nodes around the accumulator:
         * cond is @not_strictly_false(accu); step is accu && x / accu || x. */
        bool cond_nsf_accu, step_logic_accu;
    } comp;
};

/* Evaluates a plan node with no activation (constant folding at compile
 * time), allocating in a. *cost receives what it cost. */
cel_value cel_interp_fold(const cel_plan *n, uint32_t nlocals, cel_arena *a, uint64_t *cost);

/* How an evaluation spent its cost, for the fuzz targets' invariants: an
 * operation is priced from its arguments and charged before it runs, and
 * the first charge past the cost limit (or budget) stops the evaluation.
 * So a stopped evaluation's cost is crossed_at + crossing, with crossed_at
 * within the limit: the documented slack is that one operation's price
 * (docs/fuzzing.md). */
typedef struct cel_cost_trace {
    uint64_t cost;
    bool crossed;        /* a charge went past the limit */
    uint64_t crossed_at; /* the cost before that charge */
    uint64_t crossing;   /* that charge */
} cel_cost_trace;

/* cel_eval, also reporting the trace above. */
cel_value cel_interp_eval_traced(const cel_program *p, const cel_activation *act,
                                 cel_arena *arena, const cel_eval_opts *opts,
                                 cel_cost_trace *trace);

/* The helpers macro expansions call (cel.@mapInsert); every environment
 * has them. */
extern const cel_library cel_lib_internal;

/* Follows path through a JSON-backed map (cel_json_value) without
 * wrapping the objects in between: returns how many fields were found in
 * a row (0 when m is not a JSON map) and the last one's value in *out. */
size_t cel_json_walk(const cel_map *m, const cel_plan_field *path, size_t n, cel_value *out,
                     cel_arena *a);

/* has(m.name) on a JSON-backed map without wrapping the member: 1 present,
 * 0 absent, -1 when m is not a JSON map. */
int cel_json_has(const cel_map *m, const char *name, size_t len);

/* Growable native maps, for accumulators a comprehension owns: a copy of
 * src (may be NULL) with room for cap entries, then insertions in place
 * (0 done, 1 key already present, -1 out of memory; cap grows). Keys
 * must be valid map keys. */
cel_map *cel_native_map_growable(cel_arena *a, const cel_map *src, size_t cap);
int cel_native_map_insert(cel_arena *a, cel_map *m, size_t *cap, const cel_value *key,
                          const cel_value *val);

/* Whether overload parameter type t accepts runtime value v (cel-go's
 * runtime type guard: kinds, and the first element of a list or map for
 * element types that are not dyn). Adapted (JSON) containers are looked
 * into only when an arena is given for decoding; without one they pass. */
bool cel_interp_accepts(const cel_type *t, const cel_value *v, cel_arena *a);

/* The compiled program (program.c builds it, interp.c runs it). */
struct cel_program {
    cel_arena *arena; /* plan nodes and constants */
    cel_plan *root;
    const cel_type *type;
    char *src;
    size_t src_len;
    uint32_t nlocals; /* comprehension variable slots */
    cel_arena *types; /* the checker's types, or NULL */
    struct cel_prepared_item *prepared; /* states to release with the program */
};

/* One prepared state (see cel_prepare_fn) owned by a program. */
typedef struct cel_prepared_item {
    void *state;
    cel_prepared_free_fn free_fn;
    struct cel_prepared_item *next;
} cel_prepared_item;

/* Plans a tree built elsewhere (tests, tools) into a program, without
 * parsing or checking; src is kept as the program's text. */
struct cel_ast;
cel_program *cel_plan_tree(const cel_env *env, const struct cel_ast *root, const char *src,
                           size_t len, cel_diag *diag);

#endif
