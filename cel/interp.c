/*
 * interp.c: evaluation of a plan (cel_eval). A recursive walk over the plan
 * with one state struct per evaluation (arena, activation, comprehension
 * locals, cost and limits); the plan itself is only read, so any number of
 * threads may evaluate one program at once.
 *
 * Errors are values: strict operations return their first error argument,
 * while &&, ||, ?: and the comprehension conditions absorb errors the other
 * side makes irrelevant. Cost and memory exhaustion are different: they halt
 * the whole evaluation and cannot be absorbed.
 *
 * Cost is charged step by step as cel-go's runtime cost tracker charges the
 * plan cel-go builds; where that plan's shape differs from ours, the
 * planner leaves flags on the nodes (plan.h, CEL_PC_*). The limit is
 * checked at every charge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/plan.h"

/* cel-go's message when an evaluation runs past its cost limit. */
#define COST_LIMIT_MSG "operation cancelled: actual cost limit exceeded"
#define BUDGET_MSG "validation failed due to running out of cost budget, no further validation rules will be run"

#define LIST_CREATE_COST 10
#define MAP_CREATE_COST 30
#define STRUCT_CREATE_COST 40

typedef struct accu_buf {
    cel_list *list; /* the list this comprehension owns and appends to */
    size_t cap;
    cel_map *map;   /* or the map it owns and inserts into */
    size_t map_cap;
} accu_buf;

typedef struct eval_state {
    cel_arena *arena;
    const cel_activation *act;
    cel_value *locals;
    accu_buf *accus;
    uint8_t *lazy; /* cel.@block slots: 0 not computed, 1 computing, 2 done */
    uint64_t cost;
    /* The charge that first took cost past a limit, and the cost before
     * it: evaluation stops there, so cost ends as crossed_at + crossing
     * (cel_interp_eval_traced reports both, for the fuzz invariants). */
    uint64_t crossed_at, crossing;
    bool crossed;
    uint64_t cost_limit;   /* UINT64_MAX: none */
    uint64_t budget_limit; /* UINT64_MAX: none */
    void *host;
    bool halted;
    cel_value halt; /* the error that stopped evaluation */
} eval_state;

struct cel_call {
    eval_state *st;
    const void *prepared;
};

cel_arena *cel_call_arena(const cel_call *c) { return c->st->arena; }
const void *cel_call_prepared(const cel_call *c) { return c->prepared; }
void *cel_call_host(const cel_call *c) { return c->st->host; }

static inline cel_value eval(const cel_plan *n, eval_state *st);

/* ---------------------------------------------------------------- cost */

static void halt_with(eval_state *st, cel_value err)
{
    if (!st->halted) {
        st->halted = true;
        st->halt = err;
    }
}

static void over_limit(eval_state *st);

static inline bool charge(eval_state *st, uint64_t c)
{
    uint64_t before = st->cost;
    st->cost = c > UINT64_MAX - st->cost ? UINT64_MAX : st->cost + c;
    if (__builtin_expect(st->cost > st->cost_limit || st->cost > st->budget_limit, 0)) {
        if (!st->crossed) {
            st->crossed = true;
            st->crossed_at = before;
            st->crossing = c;
        }
        over_limit(st);
        return false;
    }
    return true;
}

static void over_limit(eval_state *st)
{
    if (st->cost > st->cost_limit) {
        halt_with(st, cel_error_new(st->arena, CEL_ERR_COST, COST_LIMIT_MSG));
        return;
    }
    halt_with(st, cel_error_new(st->arena, CEL_ERR_BUDGET, BUDGET_MSG));
}

bool cel_call_charge(cel_call *c, uint64_t cost) { return charge(c->st, cost); }

/* Memory exhaustion anywhere ends the evaluation: absorbing it in || would
 * turn an allocation failure into a verdict. */
static cel_value check_memory(eval_state *st, cel_value v)
{
    if (v.kind == CEL_ERROR && v.u.err->code == CEL_ERR_MEMORY)
        halt_with(st, v);
    return v;
}

/* ---------------------------------------------------------------- helpers */

static const char *type_name_of(const cel_value *v)
{
    if (v->kind == CEL_OPAQUE)
        return v->u.opaque->type->name;
    return cel_type_of_kind(v->kind)->name;
}

static cel_value no_overload(eval_state *st, const char *fn, const cel_value *args, size_t n)
{
    char sig[512];
    size_t pos = 0;
    sig[0] = '\0';
    for (size_t i = 0; i < n && pos < sizeof sig; i++) {
        int w = snprintf(sig + pos, sizeof sig - pos, "%s%s", i ? ", " : "", type_name_of(&args[i]));
        if (w < 0)
            break;
        pos += (size_t)w;
    }
    return cel_error_new(st->arena, CEL_ERR_NO_OVERLOAD, "no such overload: %s(%s)", fn, sig);
}

/* cel-go's runtime type guard (Type.IsAssignableRuntimeType): the kind
 * must agree, and for a list or map parameter with a concrete element type
 * the first element (first entry) must agree too; an empty container always
 * does. Adapted containers are only looked into when an arena is given. */
static bool accepts_elem(const cel_type *t, const cel_value *v, cel_arena *a, int depth);

static bool is_generic(const cel_type *t)
{
    return !t || t->kind == CEL_T_DYN || t->kind == CEL_T_PARAM;
}

static bool accepts_elem(const cel_type *t, const cel_value *v, cel_arena *a, int depth)
{
    if (!t)
        return true;
    switch (t->kind) {
    case CEL_T_DYN:
    case CEL_T_PARAM: return v->kind != CEL_ERROR;
    case CEL_T_NULL: return v->kind == CEL_NULL;
    case CEL_T_BOOL: return v->kind == CEL_BOOL;
    case CEL_T_INT: return v->kind == CEL_INT;
    case CEL_T_UINT: return v->kind == CEL_UINT;
    case CEL_T_DOUBLE: return v->kind == CEL_DOUBLE;
    case CEL_T_STRING: return v->kind == CEL_STRING;
    case CEL_T_BYTES: return v->kind == CEL_BYTES;
    case CEL_T_LIST: {
        if (v->kind != CEL_LIST)
            return false;
        const cel_list *l = v->u.list;
        if (is_generic(t->param[0]) || !l || l->len == 0 || depth > 32 || (!l->items && !a))
            return true;
        cel_value e = cel_list_at(l, 0, a);
        return accepts_elem(t->param[0], &e, a, depth + 1);
    }
    case CEL_T_MAP: {
        if (v->kind != CEL_MAP)
            return false;
        const cel_map *m = v->u.map;
        if ((is_generic(t->param[0]) && is_generic(t->param[1])) || !m || m->len == 0 ||
            depth > 32 || !a)
            return true;
        cel_value k, val;
        cel_map_entry(m, 0, &k, &val, a);
        return accepts_elem(t->param[0], &k, a, depth + 1) &&
               accepts_elem(t->param[1], &val, a, depth + 1);
    }
    case CEL_T_OBJECT: return v->kind == CEL_MAP;
    case CEL_T_TIMESTAMP: return v->kind == CEL_TIMESTAMP;
    case CEL_T_DURATION: return v->kind == CEL_DURATION;
    case CEL_T_TYPE: return v->kind == CEL_TYPE;
    case CEL_T_OPTIONAL: return v->kind == CEL_OPTIONAL;
    case CEL_T_OPAQUE:
        return v->kind == CEL_OPAQUE && (!t->opaque || v->u.opaque->type == t->opaque);
    default: return false;
    }
}

bool cel_interp_accepts(const cel_type *t, const cel_value *v, cel_arena *a)
{
    return accepts_elem(t, v, a, 0);
}

static cel_value make_optional(eval_state *st, const cel_value *inner)
{
    cel_value v = {0};
    v.kind = CEL_OPTIONAL;
    if (inner) {
        cel_value *box = cel_arena_alloc(st->arena, sizeof *box);
        if (!box)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
        *box = *inner;
        v.u.opt = box;
    }
    return v;
}

/* Renders a map key for "no such key: k" the way Go's %v prints it. */
static cel_value no_such_key(eval_state *st, const cel_value *k)
{
    switch (k->kind) {
    case CEL_STRING:
        return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %.*s", (int)k->len, k->u.str);
    case CEL_INT: return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %lld", (long long)k->u.i);
    case CEL_UINT:
        return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %llu", (unsigned long long)k->u.u);
    case CEL_BOOL: return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %s", k->u.b ? "true" : "false");
    case CEL_DOUBLE: {
        char num[40];
        cel_value_format_double(k->u.d, num, sizeof num);
        return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %s", num);
    }
    default: return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %s", type_name_of(k));
    }
}

/* ---------------------------------------------------------------- select and index */

/* field of a map operand; found false when absent. Like cel-go's attribute
 * resolution, selecting on a value that is not a map is a missing key. */
static cel_value select_field(eval_state *st, const char *name, uint32_t len, const cel_value *obj,
                              bool *found)
{
    cel_value out;
    *found = false;
    if (obj->kind == CEL_MAP && cel_map_find_str(obj->u.map, name, len, &out, st->arena)) {
        *found = true;
        return out;
    }
    return cel_error_new(st->arena, CEL_ERR_NO_KEY, "no such key: %s", name);
}

/* One select step on an evaluated operand (not an error), charged. */
static cel_value select_step(eval_state *st, const char *name, uint32_t len, cel_value obj,
                             bool optional)
{
    if (!charge(st, 1))
        return st->halt;
    bool wrap = optional;
    if (obj.kind == CEL_OPTIONAL) {
        /* Once in an optional chain, every further step keeps the result
         * optional and an absent field is optional.none(). */
        if (!obj.u.opt)
            return obj;
        obj = *obj.u.opt;
        wrap = true;
    }
    bool found;
    cel_value v = select_field(st, name, len, &obj, &found);
    if (!wrap)
        return v;
    /* In an optional chain a missing key is optional.none(), but an
     * ordinary step (not .?) on a value that has no fields at all stays
     * the error it would be outside the chain (cel-spec's
     * map_null_entry_no_such_key); .? itself tests presence. */
    if (!found)
        return optional || obj.kind == CEL_MAP ? make_optional(st, NULL) : v;
    return make_optional(st, &v);
}

/* The +1 cel-go charges for resolving a relative attribute (a select or
 * index whose operand is not itself an attribute). */
static inline bool charge_relative(const cel_plan *n, eval_state *st)
{
    return !(n->cflags & CEL_PC_RELATIVE) || charge(st, 1);
}

static cel_value eval_select(const cel_plan *n, eval_state *st, bool optional)
{
    cel_value obj = eval(n->args[0], st);
    if (!charge_relative(n, st))
        return st->halt;
    if (obj.kind == CEL_ERROR)
        return obj;
    return select_step(st, n->name, n->name_len, obj, optional);
}

/* a.b.c.d as one node: JSON objects on the way are walked without being
 * wrapped; anything else takes the step-by-step path, with the same
 * results and costs as a chain of selects. */
static cel_value eval_select_path(const cel_plan *n, eval_state *st)
{
    cel_value obj = eval(n->args[0], st);
    size_t i = 0;
    while (i < n->npath && obj.kind != CEL_ERROR) {
        if (obj.kind == CEL_MAP) {
            size_t k = cel_json_walk(obj.u.map, n->path + i, n->npath - i, &obj, st->arena);
            if (k) {
                if (!charge(st, k))
                    return st->halt;
                i += k;
                continue;
            }
        }
        obj = select_step(st, n->path[i].name, n->path[i].len, obj, false);
        i++;
    }
    return obj;
}

static cel_value eval_has(const cel_plan *n, eval_state *st)
{
    cel_value obj = eval(n->args[0], st);
    if (!charge_relative(n, st) || ((n->cflags & CEL_PC_PRESENCE) && !charge(st, 1)))
        return st->halt;
    if (obj.kind == CEL_ERROR)
        return obj;
    if (obj.kind == CEL_OPTIONAL) {
        if (!obj.u.opt)
            return cel_bool(false);
        obj = *obj.u.opt;
    }
    /* cel-go: a presence test on anything but a map (or message) is false. */
    if (obj.kind != CEL_MAP)
        return cel_bool(false);
    int present = cel_json_has(obj.u.map, n->name, n->name_len);
    if (present >= 0)
        return cel_bool(present);
    cel_value out;
    return cel_bool(cel_map_find_str(obj.u.map, n->name, n->name_len, &out, st->arena));
}

/* List position from an index value (int, uint, or integral double). */
static bool list_position(eval_state *st, const cel_value *idx, int64_t *pos, cel_value *err)
{
    switch (idx->kind) {
    case CEL_INT: *pos = idx->u.i; return true;
    case CEL_UINT:
        *pos = idx->u.u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)idx->u.u;
        return true;
    case CEL_DOUBLE: {
        double d = idx->u.d;
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d) {
            *pos = (int64_t)d;
            return true;
        }
        char num[40];
        cel_value_format_double(d, num, sizeof num);
        *err = cel_error_new(st->arena, CEL_ERR_INDEX, "unsupported index value %s in list", num);
        return false;
    }
    default:
        *err = cel_error_new(st->arena, CEL_ERR_NO_OVERLOAD, "unsupported index type '%s' in list",
                             type_name_of(idx));
        return false;
    }
}

/* obj[idx]; *found false when the element or key is absent (the error
 * returned then is the one a plain index reports). */
static cel_value index_value(eval_state *st, const cel_value *obj, const cel_value *idx, bool *found)
{
    *found = false;
    if (obj->kind == CEL_LIST) {
        int64_t pos;
        cel_value err;
        if (!list_position(st, idx, &pos, &err))
            return err;
        if (pos < 0 || (uint64_t)pos >= obj->u.list->len) {
            /* cel-go's attribute resolution prints the index as given
             * (Go's %v: no u suffix). */
            if (idx->kind == CEL_UINT)
                return cel_error_new(st->arena, CEL_ERR_INDEX, "index out of bounds: %llu",
                                     (unsigned long long)idx->u.u);
            if (idx->kind == CEL_DOUBLE)
                return cel_error_new(st->arena, CEL_ERR_INDEX, "index out of bounds: %g", idx->u.d);
            return cel_error_new(st->arena, CEL_ERR_INDEX, "index out of bounds: %lld",
                                 (long long)idx->u.i);
        }
        *found = true;
        return cel_list_at(obj->u.list, (size_t)pos, st->arena);
    }
    if (obj->kind == CEL_MAP) {
        cel_value out;
        int k = idx->kind;
        if (k != CEL_INT && k != CEL_UINT && k != CEL_DOUBLE && k != CEL_BOOL && k != CEL_STRING)
            return cel_error_new(st->arena, CEL_ERR_NO_OVERLOAD, "unsupported key type: %s",
                                 type_name_of(idx));
        if (!cel_map_find(obj->u.map, idx, &out, st->arena))
            return no_such_key(st, idx);
        *found = true;
        return out;
    }
    const cel_value args[2] = {*obj, *idx};
    return no_overload(st, "_[_]", args, 2);
}

static cel_value eval_index(const cel_plan *n, eval_state *st, bool optional)
{
    cel_value obj = eval(n->args[0], st);
    if (!charge_relative(n, st))
        return st->halt;
    if (obj.kind == CEL_ERROR)
        return obj;
    cel_value idx = eval(n->args[1], st);
    if (idx.kind == CEL_ERROR || !charge(st, 1))
        return idx;
    bool wrap = optional;
    if (obj.kind == CEL_OPTIONAL) {
        if (!obj.u.opt)
            return obj;
        obj = *obj.u.opt;
        wrap = true;
    }
    bool found;
    cel_value v = index_value(st, &obj, &idx, &found);
    if (!wrap)
        return v;
    if (!found) {
        bool container = obj.kind == CEL_MAP || obj.kind == CEL_LIST;
        /* x[?i] on a value that is not a container tests presence: none,
         * as cel-go's qualifiers answer; an ordinary step errs. */
        if (!container)
            return optional ? make_optional(st, NULL) : v;
        return v.u.err->code != CEL_ERR_NO_OVERLOAD ? make_optional(st, NULL) : v;
    }
    return make_optional(st, &v);
}

static cel_value eval_in(const cel_plan *n, eval_state *st)
{
    /* Like cel-go's binary calls: both sides evaluated, the call charged
     * (by the list's size, 1 otherwise) even when one side is an error. */
    cel_value x = eval(n->args[0], st);
    cel_value c = eval(n->args[1], st);
    if (st->halted)
        return st->halt;
    if (x.kind == CEL_ERROR || c.kind == CEL_ERROR) {
        uint64_t cost = n->cflags & CEL_PC_FREE ? 0 : c.kind == CEL_LIST ? c.u.list->len : 1;
        if (!charge(st, cost))
            return st->halt;
        return x.kind == CEL_ERROR ? x : c;
    }
    if (c.kind == CEL_LIST) {
        const cel_list *l = c.u.list;
        /* FREE: a set lookup under OptOptimize. */
        if (!(n->cflags & CEL_PC_FREE) && !charge(st, l->len))
            return st->halt;
        cel_value err = {0};
        bool have_err = false;
        for (size_t i = 0; i < l->len; i++) {
            /* cel-go's list.Contains: needle.Equal(element), which matters
             * for library types whose equality is not symmetric */
            cel_value e = cel_list_at(l, i, st->arena);
            cel_value r = cel_value_equal(&x, &e, st->arena);
            if (r.kind == CEL_BOOL) {
                if (r.u.b)
                    return r;
            } else if (!have_err) {
                err = r;
                have_err = true;
            }
        }
        return have_err ? err : cel_bool(false);
    }
    if (c.kind == CEL_MAP) {
        if (!charge(st, 1))
            return st->halt;
        cel_value out;
        int k = x.kind;
        if (k != CEL_INT && k != CEL_UINT && k != CEL_DOUBLE && k != CEL_BOOL && k != CEL_STRING)
            return cel_bool(false);
        return cel_bool(cel_map_find(c.u.map, &x, &out, st->arena));
    }
    const cel_value args[2] = {x, c};
    return no_overload(st, "@in", args, 2);
}

/* ---------------------------------------------------------------- calls */

/* Prices a call with the first candidate that accepts args and has a cost
 * function; 1 otherwise. */
static uint64_t call_cost(const cel_overload *const *ovl, size_t novl, const cel_value *args,
                          size_t nargs, cel_arena *a)
{
    for (size_t i = 0; i < novl; i++) {
        const cel_overload *o = ovl[i];
        if (o->nargs != nargs)
            continue;
        bool ok = true;
        for (size_t j = 0; j < nargs && ok; j++)
            ok = (o->flags & CEL_FN_NO_TYPE_GUARDS) ? args[j].kind != CEL_ERROR
                                                     : cel_interp_accepts(o->params[j], &args[j], a);
        if (ok)
            return o->cost ? o->cost(args, nargs) : 1;
    }
    return 1;
}

static cel_value eval_equal(const cel_plan *n, eval_state *st, bool negate)
{
    /* cel-go evaluates both sides, charges, then reports the first error;
     * the cost functions size an error as 1. */
    cel_value a[2];
    a[0] = eval(n->args[0], st);
    a[1] = eval(n->args[1], st);
    if (st->halted)
        return st->halt;
    /* Kubernetes' estimator prices == on its own types (IP, CIDR,
     * quantity, URL, ...: the opaque kinds) at 1 whatever their size;
     * != keeps cel-go's default. */
    uint64_t cost = !negate && a[0].kind == CEL_OPAQUE ? 1
                    : n->cost_direct                  ? n->cost_direct(a, 2)
                    : n->ncost_ovl ? call_cost(n->cost_ovl, n->ncost_ovl, a, 2, st->arena) : 1;
    if (!charge(st, cost))
        return st->halt;
    if (a[0].kind == CEL_ERROR || a[1].kind == CEL_ERROR)
        return a[a[0].kind == CEL_ERROR ? 0 : 1];
    /* The common cases, as cel_value_equal has them. */
    if (a[0].kind == a[1].kind) {
        if (a[0].kind == CEL_STRING)
            return cel_bool((a[0].len == a[1].len &&
                             (a[0].len == 0 || memcmp(a[0].u.str, a[1].u.str, a[0].len) == 0)) != negate);
        if (a[0].kind == CEL_INT)
            return cel_bool((a[0].u.i == a[1].u.i) != negate);
    }
    cel_value r = cel_value_equal(&a[0], &a[1], st->arena);
    if (negate && r.kind == CEL_BOOL)
        r.u.b = !r.u.b;
    return r;
}

static cel_value eval_call(const cel_plan *n, eval_state *st)
{
    cel_value small[CEL_MAX_ARGS];
    cel_value *args = small;
    if (n->nargs > CEL_MAX_ARGS) {
        args = cel_arena_alloc(st->arena, n->nargs * sizeof *args);
        if (!args)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
    }
    int first_err = -1;
    for (uint32_t i = 0; i < n->nargs; i++) {
        args[i] = eval(n->args[i], st);
        if (st->halted)
            return st->halt;
        if (args[i].kind == CEL_ERROR && first_err < 0) {
            first_err = (int)i;
            /* cel-go stops a call of three or more arguments at the first
             * error, uncharged ... */
            if (!n->nonstrict && n->nargs > 2)
                return args[i];
        }
    }
    /* ... but evaluates both arguments of a unary or binary one and
     * charges it (error arguments size as 1: nominally 1). */
    if (first_err >= 0 && !n->nonstrict) {
        if (!(n->cflags & CEL_PC_FREE) && !charge(st, 1))
            return st->halt;
        return args[first_err];
    }
    size_t start = n->nargs ? n->first[args[0].kind] : 0;
    for (size_t i = start; i < n->novl; i++) {
        const cel_overload *o = n->ovl[i];
        bool strict = !(o->flags & CEL_FN_NONSTRICT);
        if ((first_err >= 0 && strict) || !o->fn) /* declarations without code */
            continue;
        bool ok = true, guards = !(o->flags & CEL_FN_NO_TYPE_GUARDS);
        for (uint32_t j = 0; j < n->nargs && ok; j++)
            ok = (!strict && args[j].kind == CEL_ERROR) ||
                 (guards ? cel_interp_accepts(o->params[j], &args[j], st->arena)
                         : args[j].kind != CEL_ERROR);
        if (!ok)
            continue;
        if (!(n->cflags & CEL_PC_FREE) && !charge(st, o->cost ? o->cost(args, n->nargs) : 1))
            return st->halt;
        cel_call call = {st, n->prep ? n->prep[i] : NULL};
        cel_value r = o->fn(&call, args, n->nargs);
        if (st->halted)
            return st->halt;
        return check_memory(st, r);
    }
    if (first_err >= 0)
        return args[first_err];
    return no_overload(st, n->name, args, n->nargs);
}

/* ---------------------------------------------------------------- logic */

static cel_value logic_operand_error(eval_state *st, const char *fn, const cel_value *v)
{
    if (v->kind == CEL_ERROR)
        return *v;
    return no_overload(st, fn, v, 1);
}

static cel_value logic_rest(const cel_plan *n, eval_state *st, bool is_and, cel_value l);

/* && and || are commutative over errors: whichever side decides the
 * result wins, and otherwise the left error is reported. */
static cel_value eval_logic(const cel_plan *n, eval_state *st, bool is_and)
{
    cel_value l = eval(n->args[0], st);
    if (st->halted)
        return st->halt;
    return logic_rest(n, st, is_and, l);
}

/* The rest of && / || once the left operand is known. */
static cel_value logic_rest(const cel_plan *n, eval_state *st, bool is_and, cel_value l)
{
    const char *fn = is_and ? "_&&_" : "_||_";
    if (l.kind == CEL_BOOL && l.u.b != is_and)
        return l; /* false && _, true || _ */
    cel_value r = eval(n->args[1], st);
    if (st->halted)
        return st->halt;
    if (r.kind == CEL_BOOL && r.u.b != is_and)
        return r;
    if (l.kind != CEL_BOOL)
        return logic_operand_error(st, fn, &l);
    if (r.kind != CEL_BOOL)
        return logic_operand_error(st, fn, &r);
    return r;
}

static cel_value eval_cond(const cel_plan *n, eval_state *st)
{
    cel_value c = eval(n->args[0], st);
    if (c.kind == CEL_ERROR)
        return c;
    if (c.kind != CEL_BOOL)
        return no_overload(st, "_?_:_", &c, 1);
    return eval(n->args[c.u.b ? 1 : 2], st);
}

/* ---------------------------------------------------------------- literals */

static cel_value eval_list(const cel_plan *n, eval_state *st)
{
    cel_value *items = NULL;
    if (n->nargs) {
        items = cel_arena_alloc(st->arena, n->nargs * sizeof *items);
        if (!items)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
    }
    size_t len = 0;
    for (uint32_t i = 0; i < n->nargs; i++) {
        cel_value v = eval(n->args[i], st);
        if (v.kind == CEL_ERROR)
            return v;
        if (n->optional && n->optional[i]) {
            if (v.kind != CEL_OPTIONAL)
                return cel_error_new(st->arena, CEL_ERR_GENERAL,
                                     "cannot initialize optional list element from non-optional value %s",
                                     type_name_of(&v));
            if (!v.u.opt)
                continue;
            v = *v.u.opt;
        }
        items[len++] = v;
    }
    if (!(n->cflags & CEL_PC_FREE) && !charge(st, LIST_CREATE_COST))
        return st->halt;
    return check_memory(st, cel_list_new(st->arena, items, len));
}

static cel_value eval_map(const cel_plan *n, eval_state *st)
{
    size_t ne = n->nargs / 2, len = 0;
    cel_value *keys = NULL, *vals = NULL;
    if (ne) {
        keys = cel_arena_alloc(st->arena, ne * sizeof *keys);
        vals = cel_arena_alloc(st->arena, ne * sizeof *vals);
        if (!keys || !vals)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
    }
    for (size_t i = 0; i < ne; i++) {
        cel_value k = eval(n->args[2 * i], st);
        if (k.kind == CEL_ERROR)
            return k;
        cel_value v = eval(n->args[2 * i + 1], st);
        if (v.kind == CEL_ERROR)
            return v;
        if (n->optional && n->optional[i]) {
            if (v.kind != CEL_OPTIONAL)
                return cel_error_new(st->arena, CEL_ERR_GENERAL,
                                     "cannot initialize optional entry '%s' from non-optional value",
                                     type_name_of(&k));
            if (!v.u.opt)
                continue;
            v = *v.u.opt;
        }
        keys[len] = k;
        vals[len] = v;
        len++;
    }
    if (!(n->cflags & CEL_PC_FREE) && !charge(st, MAP_CREATE_COST))
        return st->halt;
    return check_memory(st, cel_map_new(st->arena, keys, vals, len));
}

/* ---------------------------------------------------------------- comprehensions */

static cel_value eval_append(const cel_plan *n, eval_state *st)
{
    cel_value accu = st->locals[n->slot];
    if (!charge(st, 1)) /* reading the accumulator */
        return st->halt;
    cel_value x = eval(n->args[0], st);
    if (accu.kind == CEL_ERROR)
        return accu;
    if (x.kind == CEL_ERROR)
        return x;
    if (accu.kind != CEL_LIST) {
        cel_value args[2] = {accu, x};
        return no_overload(st, "_+_", args, 2);
    }
    /* Price it as the `accu + [x]` it stands for. */
    cel_list one = {1, &x, NULL, NULL};
    cel_value cargs[2] = {accu, cel_list_v(&one)};
    uint64_t list_cost = n->cflags & CEL_PC_FREE ? 0 : LIST_CREATE_COST;
    uint64_t cost = n->cost_direct ? n->cost_direct(cargs, 2)
                    : n->ncost_ovl ? call_cost(n->cost_ovl, n->ncost_ovl, cargs, 2, st->arena) : 1;
    if (!charge(st, list_cost + cost))
        return st->halt;
    accu_buf *b = &st->accus[n->slot];
    const cel_list *cur = accu.u.list;
    if (b->list != cur || cur->len == b->cap) {
        size_t cap = cur->len < 4 ? 8 : cur->len * 2;
        cel_list *nl = cel_arena_alloc(st->arena, sizeof *nl);
        cel_value *items = cel_arena_alloc(st->arena, cap * sizeof *items);
        if (!nl || !items)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
        for (size_t i = 0; i < cur->len; i++)
            items[i] = cel_list_at(cur, i, st->arena);
        nl->len = cur->len;
        nl->items = items;
        nl->ops = NULL;
        nl->impl = NULL;
        b->list = nl;
        b->cap = cap;
    }
    ((cel_value *)b->list->items)[b->list->len++] = x;
    return cel_list_v(b->list);
}

/* cel-go's "insert failed: key %v already exists": Go's %v of a map key,
 * so strings are bare and uints have no suffix. */
static cel_value insert_failed(cel_arena *a, const cel_value *k)
{
    switch (k->kind) {
    case CEL_STRING:
        return cel_error_new(a, CEL_ERR_GENERAL, "insert failed: key %.*s already exists",
                             (int)k->len, k->u.str);
    case CEL_INT:
        return cel_error_new(a, CEL_ERR_GENERAL, "insert failed: key %lld already exists",
                             (long long)k->u.i);
    case CEL_UINT:
        return cel_error_new(a, CEL_ERR_GENERAL, "insert failed: key %llu already exists",
                             (unsigned long long)k->u.u);
    case CEL_BOOL:
        return cel_error_new(a, CEL_ERR_GENERAL, "insert failed: key %s already exists",
                             k->u.b ? "true" : "false");
    default: {
        char *text = cel_value_to_cel_literal(k, a);
        cel_value e = cel_error_new(a, CEL_ERR_GENERAL, "insert failed: key %s already exists",
                                    text ? text : "?");
        free(text);
        return e;
    }
    }
}

static cel_value insert_error(eval_state *st, const cel_value *k)
{
    return insert_failed(st->arena, k);
}

/* cel.@mapInsert(@result, k, v) and cel.@mapInsert(@result, m): the
 * transformMap steps, inserting into a map the comprehension owns so the
 * macro stays linear. Same results as the library function. */
static cel_value eval_map_insert(const cel_plan *n, eval_state *st)
{
    cel_value accu = st->locals[n->slot];
    if (!charge(st, 1))
        return st->halt;
    cel_value a[2];
    for (uint32_t i = 0; i < n->nargs; i++) {
        a[i] = eval(n->args[i], st);
        if (a[i].kind == CEL_ERROR)
            return a[i];
    }
    if (accu.kind == CEL_ERROR)
        return accu;
    if (!charge(st, 1))
        return st->halt;
    if (accu.kind != CEL_MAP || (n->nargs == 1 && a[0].kind != CEL_MAP)) {
        cel_value args[3] = {accu, a[0], n->nargs == 2 ? a[1] : cel_null()};
        return no_overload(st, "cel.@mapInsert", args, n->nargs + 1);
    }
    if (n->nargs == 2) {
        int k = a[0].kind;
        if (k != CEL_INT && k != CEL_UINT && k != CEL_BOOL && k != CEL_STRING)
            return cel_error_new(st->arena, CEL_ERR_GENERAL, "unsupported key type: %s",
                                 type_name_of(&a[0]));
    }
    accu_buf *b = &st->accus[n->slot];
    if (b->map != accu.u.map) {
        b->map_cap = accu.u.map->len * 2;
        b->map = cel_native_map_growable(st->arena, accu.u.map, b->map_cap);
        if (!b->map)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
        if (b->map_cap < 8)
            b->map_cap = 8;
    }
    size_t count = n->nargs == 2 ? 1 : a[0].u.map->len;
    for (size_t i = 0; i < count; i++) {
        cel_value k = a[0], v = a[1];
        if (n->nargs == 1)
            cel_map_entry(a[0].u.map, i, &k, &v, st->arena);
        int r = cel_native_map_insert(st->arena, b->map, &b->map_cap, &k, &v);
        if (r > 0) {
            b->map = NULL; /* the partial map is not the accumulator any more */
            return insert_error(st, &k);
        }
        if (r < 0)
            return check_memory(st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
    }
    return cel_map_v(b->map);
}

static cel_value eval_comp(const cel_plan *n, eval_state *st)
{
    cel_value range = eval(n->args[0], st);
    if (range.kind == CEL_ERROR)
        return range;
    if (range.kind != CEL_LIST && range.kind != CEL_MAP)
        return cel_error_new(st->arena, CEL_ERR_NO_OVERLOAD, "expected iterable type, got %s",
                             type_name_of(&range));
    int accu = n->comp.accu, it = n->comp.iter, it2 = n->comp.iter2;
    cel_value *L = st->locals;
    accu_buf saved = st->accus[accu];
    st->accus[accu] = (accu_buf){NULL, 0, NULL, 0};
    L[accu] = eval(n->args[1], st);
    size_t len = range.kind == CEL_LIST ? range.u.list->len : range.u.map->len;
    for (size_t i = 0; i < len && !st->halted; i++) {
        if (range.kind == CEL_LIST) {
            cel_value e = cel_list_at(range.u.list, i, st->arena);
            if (it2 >= 0) {
                L[it] = cel_int((int64_t)i);
                L[it2] = e;
            } else {
                L[it] = e;
            }
        } else {
            cel_value k, v;
            cel_map_entry(range.u.map, i, &k, &v, st->arena);
            L[it] = k;
            if (it2 >= 0)
                L[it2] = v;
        }
        cel_value c;
        if (n->comp.cond_nsf_accu) {
            /* @not_strictly_false(accu): what evaluating its two nodes does,
             * charges included. */
            cel_value v = charge(st, 1) ? L[accu] : st->halt;
            c = !charge(st, 1) ? st->halt : v.kind == CEL_BOOL ? v : cel_bool(true);
        } else {
            c = eval(n->args[2], st);
        }
        if (c.kind == CEL_BOOL && !c.u.b)
            break;
        if (n->comp.step_logic_accu && !st->halted) {
            /* accu && x / accu || x, reading accu as its node would. */
            const cel_plan *step = n->args[3];
            L[accu] = !charge(st, 1) ? st->halt : logic_rest(step, st, step->op == CEL_P_AND, L[accu]);
        } else {
            L[accu] = eval(n->args[3], st);
        }
    }
    cel_value r = st->halted ? st->halt : eval(n->args[4], st);
    st->accus[accu] = saved;
    return r;
}

/* ---------------------------------------------------------------- cel.@block */

static cel_value eval_block(const cel_plan *n, eval_state *st)
{
    int base = n->comp.iter, k = n->comp.iter2;
    for (int i = 0; i < k; i++)
        st->lazy[base + i] = 0;
    return eval(n->args[k], st);
}

static cel_value eval_block_index(const cel_plan *n, eval_state *st)
{
    if (!(n->cflags & CEL_PC_UNOBSERVED) && !charge(st, 1))
        return st->halt;
    const cel_plan *b = n->target;
    int i = n->slot - b->comp.iter;
    switch (st->lazy[n->slot]) {
    case 2: return st->locals[n->slot];
    case 1:
        return cel_error_new(st->arena, CEL_ERR_GENERAL, "cel.block: %s depends on itself", n->name);
    default: break;
    }
    st->lazy[n->slot] = 1;
    cel_value v = eval(b->args[i], st);
    st->locals[n->slot] = v;
    st->lazy[n->slot] = 2;
    return v;
}

/* ---------------------------------------------------------------- optional or */

/* cel-go's evalOptionalOr / evalOptionalOrValue: a left side that is not an
 * optional (an error, or any other value) is the result as it is. */
static cel_value eval_optional_or(const cel_plan *n, eval_state *st, bool or_value)
{
    cel_value l = eval(n->args[0], st);
    if (l.kind != CEL_OPTIONAL)
        return l;
    if (l.u.opt)
        return or_value ? *l.u.opt : l;
    return eval(n->args[1], st);
}

/* ---------------------------------------------------------------- dispatch */

/* Every node but constants, variables and comprehension variables (eval
 * answers those). Kept out of line: the cases it inlines need a large
 * frame, which the leaves should not pay. */
static __attribute__((noinline)) cel_value eval_node(const cel_plan *n, eval_state *st)
{
    switch (n->op) {
    case CEL_P_CONST:
        if (n->cost && !charge(st, n->cost))
            return st->halt;
        return n->val;
    case CEL_P_VAR:
        if (!(n->cflags & CEL_PC_UNOBSERVED) && !charge(st, 1))
            return st->halt;
        if ((size_t)n->slot < st->act->nvars)
            return st->act->vars[n->slot];
        return cel_error_new(st->arena, CEL_ERR_GENERAL, "no such attribute(s): %s", n->name);
    case CEL_P_LOCAL:
        if (!(n->cflags & CEL_PC_UNOBSERVED) && !charge(st, 1))
            return st->halt;
        return st->locals[n->slot];
    case CEL_P_UNRESOLVED:
        return cel_error_new(st->arena, CEL_ERR_GENERAL, "no such attribute(s): %s", n->name);
    case CEL_P_SELECT: return eval_select(n, st, false);
    case CEL_P_SELECT_PATH: return eval_select_path(n, st);
    case CEL_P_OPT_SELECT: return eval_select(n, st, true);
    case CEL_P_HAS: return eval_has(n, st);
    case CEL_P_INDEX: return eval_index(n, st, false);
    case CEL_P_OPT_INDEX: return eval_index(n, st, true);
    case CEL_P_IN: return eval_in(n, st);
    case CEL_P_EQ: return eval_equal(n, st, false);
    case CEL_P_NE: return eval_equal(n, st, true);
    case CEL_P_AND: return eval_logic(n, st, true);
    case CEL_P_OR: return eval_logic(n, st, false);
    case CEL_P_COND: return eval_cond(n, st);
    case CEL_P_NOT_STRICTLY_FALSE: {
        cel_value v = eval(n->args[0], st);
        if (!charge(st, 1))
            return st->halt;
        return v.kind == CEL_BOOL ? v : cel_bool(true);
    }
    case CEL_P_TYPE: {
        cel_value v = eval(n->args[0], st);
        if (v.kind == CEL_ERROR || (!(n->cflags & CEL_PC_FREE) && !charge(st, 1)))
            return v;
        if (v.kind == CEL_OPAQUE && v.u.opaque->type->type)
            return cel_type_v(v.u.opaque->type->type);
        return cel_type_v(cel_type_of_kind(v.kind));
    }
    case CEL_P_CALL: return eval_call(n, st);
    case CEL_P_LIST: return eval_list(n, st);
    case CEL_P_MAP: return eval_map(n, st);
    case CEL_P_STRUCT:
        if (!charge(st, STRUCT_CREATE_COST))
            return st->halt;
        return cel_error_new(st->arena, CEL_ERR_UNSUPPORTED, "unsupported message type: %s", n->name);
    case CEL_P_COMP: return eval_comp(n, st);
    case CEL_P_APPEND: return eval_append(n, st);
    case CEL_P_MAP_INSERT: return eval_map_insert(n, st);
    case CEL_P_BLOCK: return eval_block(n, st);
    case CEL_P_BLOCK_INDEX: return eval_block_index(n, st);
    case CEL_P_OPT_OR: return eval_optional_or(n, st, false);
    case CEL_P_OPT_OR_VALUE: return eval_optional_or(n, st, true);
    default: return cel_error_new(st->arena, CEL_ERR_GENERAL, "internal error: bad plan node");
    }
}

/* The leaves, about half of all nodes evaluated, are answered here without
 * a call. */
static inline cel_value eval(const cel_plan *n, eval_state *st)
{
    if (st->halted)
        return st->halt;
    switch (n->op) {
    case CEL_P_CONST:
        if (n->cost && !charge(st, n->cost))
            return st->halt;
        return n->val;
    case CEL_P_LOCAL:
        if (!(n->cflags & CEL_PC_UNOBSERVED) && !charge(st, 1))
            return st->halt;
        return st->locals[n->slot];
    case CEL_P_VAR:
        if (!(n->cflags & CEL_PC_UNOBSERVED) && !charge(st, 1))
            return st->halt;
        if ((size_t)n->slot < st->act->nvars)
            return st->act->vars[n->slot];
        return cel_error_new(st->arena, CEL_ERR_GENERAL, "no such attribute(s): %s", n->name);
    default: return eval_node(n, st);
    }
}

/* ---------------------------------------------------------------- macro helpers */

/* cel.@mapInsert(m, k, v) and cel.@mapInsert(m, m2): the helpers of the
 * transformMap family of macros. A key already present is an error. */
static cel_value map_insert(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_arena *a = c->st->arena;
    const cel_map *m = args[0].u.map;
    size_t extra = nargs == 3 ? 1 : args[1].u.map->len;
    size_t n = m->len + extra;
    cel_value *keys = cel_arena_alloc(a, (n + 1) * sizeof *keys);
    cel_value *vals = cel_arena_alloc(a, (n + 1) * sizeof *vals);
    if (!keys || !vals)
        return check_memory(c->st, cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory"));
    for (size_t i = 0; i < m->len; i++)
        cel_map_entry(m, i, &keys[i], &vals[i], a);
    for (size_t i = 0; i < extra; i++) {
        cel_value k, v, old;
        if (nargs == 3) {
            k = args[1];
            v = args[2];
        } else {
            cel_map_entry(args[1].u.map, i, &k, &v, a);
        }
        if (cel_map_find(m, &k, &old, a))
            return insert_failed(a, &k);
        keys[m->len + i] = k;
        vals[m->len + i] = v;
    }
    return check_memory(c->st, cel_map_new(a, keys, vals, n));
}

static const cel_type t_map_kv = {.kind = CEL_T_MAP, .name = "map",
                                  .param = {&cel_t_param_k, &cel_t_param_v}};
static const cel_type t_list_a = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_param_a}};
static const cel_type t_opt_a = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                 .param = {&cel_t_param_a}};
static const cel_type t_opt_v = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                 .param = {&cel_t_param_v}};

/* _[?_]: the planner evaluates optional indexing itself; this entry
 * declares it for the checker and serves direct calls. */
static cel_value opt_index(cel_call *c, const cel_value *args, size_t nargs)
{
    bool found;
    cel_value v = index_value(c->st, &args[0], &args[1], &found);
    if (found)
        return make_optional(c->st, &v);
    return v.u.err->code == CEL_ERR_NO_OVERLOAD ? v : make_optional(c->st, NULL);
}

static const cel_overload internal_overloads[] = {
    {.id = "@mapInsert_map_key_value", .name = "cel.@mapInsert", .nargs = 3,
     .params = {&t_map_kv, &cel_t_param_k, &cel_t_param_v}, .result = &t_map_kv, .fn = map_insert},
    {.id = "@mapInsert_map_map", .name = "cel.@mapInsert", .nargs = 2,
     .params = {&t_map_kv, &t_map_kv}, .result = &t_map_kv, .fn = map_insert},
    {.id = "list_optindex_optional_int", .name = "_[?_]", .nargs = 2,
     .params = {&t_list_a, &cel_t_int}, .result = &t_opt_a, .fn = opt_index},
    {.id = "map_optindex_optional_value", .name = "_[?_]", .nargs = 2,
     .params = {&t_map_kv, &cel_t_param_k}, .result = &t_opt_v, .fn = opt_index},
};

const cel_library cel_lib_internal = {"cel.internal", internal_overloads,
                                      sizeof internal_overloads / sizeof internal_overloads[0],
                                      NULL, 0};

/* ---------------------------------------------------------------- entry points */

static cel_value run(const cel_plan *root, uint32_t nlocals, const cel_activation *act,
                     cel_arena *arena, const cel_eval_opts *opts, uint64_t *cost_out,
                     cel_cost_trace *trace)
{
    static const cel_activation empty = {NULL, 0};
    eval_state st = {0};
    st.arena = arena;
    st.act = act ? act : &empty;
    st.cost_limit = opts && opts->cost_limit ? opts->cost_limit : UINT64_MAX;
    st.budget_limit = opts && opts->budget ? *opts->budget : UINT64_MAX;
    st.host = opts ? opts->host : NULL;
    size_t old_limit = cel_arena_get_limit(arena);
    size_t mem = opts && opts->memory_limit ? opts->memory_limit : CEL_DEFAULT_EVAL_MEMORY;
    size_t cap = cel_arena_used(arena) + mem;
    bool set_limit = old_limit == 0 || cap < old_limit;
    if (set_limit)
        cel_arena_set_limit(arena, cap);
    cel_value r;
    if (nlocals) {
        st.locals = cel_arena_alloc(arena, nlocals * sizeof *st.locals);
        st.accus = cel_arena_alloc(arena, nlocals * sizeof *st.accus);
        st.lazy = cel_arena_alloc(arena, nlocals);
        if (!st.locals || !st.accus || !st.lazy) {
            r = cel_error_new(NULL, CEL_ERR_MEMORY, "out of memory");
            goto done;
        }
        memset(st.locals, 0, nlocals * sizeof *st.locals);
        memset(st.accus, 0, nlocals * sizeof *st.accus);
        memset(st.lazy, 0, nlocals);
    }
    r = eval(root, &st);
    if (st.halted)
        r = st.halt;
done:
    if (set_limit)
        cel_arena_set_limit(arena, old_limit);
    if (opts && opts->budget)
        *opts->budget -= st.cost < *opts->budget ? st.cost : *opts->budget;
    if (cost_out)
        *cost_out = st.cost;
    if (trace) {
        trace->cost = st.cost;
        trace->crossed = st.crossed;
        trace->crossed_at = st.crossed_at;
        trace->crossing = st.crossing;
    }
    return r;
}

cel_value cel_eval(const cel_program *p, const cel_activation *act, cel_arena *arena,
                   const cel_eval_opts *opts, uint64_t *cost_out)
{
    return run(p->root, p->nlocals, act, arena, opts, cost_out, NULL);
}

cel_value cel_interp_eval_traced(const cel_program *p, const cel_activation *act,
                                 cel_arena *arena, const cel_eval_opts *opts,
                                 cel_cost_trace *trace)
{
    return run(p->root, p->nlocals, act, arena, opts, NULL, trace);
}

cel_value cel_interp_fold(const cel_plan *n, uint32_t nlocals, cel_arena *a, uint64_t *cost)
{
    return run(n, nlocals, NULL, a, NULL, cost, NULL);
}
