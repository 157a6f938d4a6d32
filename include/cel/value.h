/*
 * cel/value.h: the runtime values of CEL and the arena they live in.
 *
 * A value is a small tagged struct passed by copy. Anything larger than
 * eight bytes (strings, lists, maps, opaque payloads, error texts) is
 * referenced, never owned: it lives either in a compiled program (constants,
 * immutable and shared between threads) or in the arena of one evaluation,
 * which is released in one step when the evaluation ends.
 *
 * Strings and bytes always carry their length: CEL strings may hold NUL.
 */
#ifndef CEL_VALUE_H
#define CEL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- arena */

typedef struct cel_arena cel_arena;

/* A new arena; first_chunk 0 picks a default. */
cel_arena *cel_arena_new(size_t first_chunk);
/* Releases every allocation, keeping the first chunk for reuse. */
void cel_arena_reset(cel_arena *a);
void cel_arena_free(cel_arena *a);
/* 16-byte aligned storage, or NULL once the arena's limit would be passed. */
void *cel_arena_alloc(cel_arena *a, size_t n);
/* Copy of n bytes plus a NUL terminator (not counted in n), or NULL. */
char *cel_arena_memdup(cel_arena *a, const void *p, size_t n);
/* Bytes handed out since the last reset. */
size_t cel_arena_used(const cel_arena *a);
/* Caps the bytes one evaluation may allocate (0: no cap). */
void cel_arena_set_limit(cel_arena *a, size_t max_bytes);
/* The cap set by cel_arena_set_limit (0: none). */
size_t cel_arena_get_limit(const cel_arena *a);

/* ---------------------------------------------------------------- kinds */

typedef enum cel_kind {
    CEL_NULL = 0,
    CEL_BOOL,
    CEL_INT,
    CEL_UINT,
    CEL_DOUBLE,
    CEL_STRING,    /* UTF-8, u.str + len */
    CEL_BYTES,     /* u.str + len */
    CEL_LIST,      /* u.list */
    CEL_MAP,       /* u.map */
    CEL_TIMESTAMP, /* u.i = seconds since 1970-01-01T00:00:00Z, len = nanos 0..999999999 */
    CEL_DURATION,  /* u.i = seconds, nanos in len as int32 with the sign of the seconds */
    CEL_TYPE,      /* u.type */
    CEL_OPTIONAL,  /* u.opt: NULL is optional.none() */
    CEL_OPAQUE,    /* u.opaque: net.IP, net.CIDR, quantity, ... */
    CEL_ERROR,     /* u.err */
    CEL_KIND_COUNT
} cel_kind;

typedef struct cel_type cel_type;
typedef struct cel_list cel_list;
typedef struct cel_map cel_map;
typedef struct cel_opaque cel_opaque;
typedef struct cel_error cel_error;

typedef struct cel_value {
    uint8_t kind;  /* cel_kind */
    uint8_t flags; /* CEL_VF_* */
    uint16_t spare;
    uint32_t len;  /* see cel_kind */
    union {
        bool b;
        int64_t i;
        uint64_t u;
        double d;
        const char *str;
        const cel_list *list;
        const cel_map *map;
        const cel_type *type;
        const struct cel_value *opt;
        const cel_opaque *opaque;
        const cel_error *err;
    } u;
} cel_value;

/* String flag: every byte is ASCII (size() and indexing need no decoding).
 * Only a hint: absent does not mean non-ASCII. */
#define CEL_VF_ASCII 0x01

/* ---------------------------------------------------------------- errors */

/* Error classes. Most errors are plain CEL runtime errors; the others change
 * what a caller does next (cost errors abort a whole policy evaluation). */
typedef enum cel_error_code {
    CEL_ERR_GENERAL = 0,
    CEL_ERR_NO_OVERLOAD,   /* "no such overload" family */
    CEL_ERR_NO_KEY,        /* "no such key: k" */
    CEL_ERR_NO_FIELD,      /* "no such field" */
    CEL_ERR_INDEX,         /* "index out of range" family */
    CEL_ERR_OVERFLOW,      /* integer overflow / out of range conversion */
    CEL_ERR_DIV_ZERO,      /* "division by zero" / "modulus by zero" */
    CEL_ERR_COST,          /* "operation cancelled: actual cost limit exceeded" */
    CEL_ERR_BUDGET,        /* the caller's shared budget ran out */
    CEL_ERR_MEMORY,        /* the arena's limit was reached */
    CEL_ERR_UNSUPPORTED    /* e.g. protobuf message construction */
} cel_error_code;

struct cel_error {
    int code;        /* cel_error_code */
    uint32_t len;
    const char *msg; /* NUL-terminated as well */
};

/* ---------------------------------------------------------------- containers */

/* Lists and maps are either native (items in an array) or adapted from
 * another representation (JSON documents) and decoded element by element on
 * access through ops: a policy that reads three fields of a megabyte object
 * decodes three fields. */
typedef struct cel_list_ops {
    cel_value (*get)(const cel_list *l, size_t i, cel_arena *a);
} cel_list_ops;

struct cel_list {
    size_t len;
    const cel_value *items;   /* native lists; NULL when ops is used */
    const cel_list_ops *ops;
    const void *impl;
};

typedef struct cel_map_ops {
    /* Looks key up (numeric keys already follow CEL's int/uint/double key
     * equivalence). Returns false when absent. The value found may be an
     * error (a lazily computed entry that failed). */
    bool (*find)(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a);
    /* Fast path for string keys (field selection); may be NULL. */
    bool (*find_str)(const cel_map *m, const char *s, size_t n, cel_value *out, cel_arena *a);
    /* The i-th entry in iteration order, 0 <= i < len. */
    void (*entry)(const cel_map *m, size_t i, cel_value *key, cel_value *val, cel_arena *a);
} cel_map_ops;

struct cel_map {
    size_t len;
    const cel_map_ops *ops; /* every map has ops; native maps use cel_native_map_ops */
    void *impl;             /* adapters may cache in impl during one evaluation */
};

/* ---------------------------------------------------------------- opaque */

/* Values of library-defined types (net.IP, net.CIDR, quantity, URL, ...). */
typedef struct cel_opaque_type {
    const char *name; /* CEL type name, e.g. "net.IP" */
    bool (*equal)(const cel_opaque *a, const cel_opaque *b);
    /* Optional: ordering for types that define <; NULL otherwise. */
    int (*compare)(const cel_opaque *a, const cel_opaque *b);
    /* Size used by the cost model (e.g. CIDR: ceil(bits/8)); NULL: 1. */
    uint64_t (*size)(const cel_opaque *o);
    /* Optional CEL-literal-ish rendering for printing, into a NUL-terminated
     * arena string; NULL: "<type name>". */
    const char *(*format)(const cel_opaque *o, cel_arena *a);
    const cel_type *type; /* the cel_type value type(x) returns */
    /* Optional: CEL equality with this value on the left, against any
     * operand that is not an error (cel-go calls lhs.Equal(rhs), and library
     * types differ: a Kubernetes quantity answers false for other kinds, a
     * URL or semver "no such overload"). NULL: same type compares through
     * equal, anything else is "no such overload". */
    cel_value (*equal_value)(const struct cel_value *self, const struct cel_value *other,
                             cel_arena *arena);
} cel_opaque_type;

struct cel_opaque {
    const cel_opaque_type *type;
    /* payload follows, aligned to 8 */
};
#define CEL_OPAQUE_DATA(o) ((void *)((char *)(o) + sizeof(cel_opaque)))

/* ---------------------------------------------------------------- constructors */

static inline cel_value cel_null(void) { cel_value v = {0}; v.kind = CEL_NULL; return v; }
static inline cel_value cel_bool(bool b) { cel_value v = {0}; v.kind = CEL_BOOL; v.u.b = b; return v; }
static inline cel_value cel_int(int64_t i) { cel_value v = {0}; v.kind = CEL_INT; v.u.i = i; return v; }
static inline cel_value cel_uint(uint64_t u) { cel_value v = {0}; v.kind = CEL_UINT; v.u.u = u; return v; }
static inline cel_value cel_double(double d) { cel_value v = {0}; v.kind = CEL_DOUBLE; v.u.d = d; return v; }
static inline cel_value cel_string_n(const char *s, uint32_t n)
{ cel_value v = {0}; v.kind = CEL_STRING; v.u.str = s; v.len = n; return v; }
static inline cel_value cel_bytes_n(const char *s, uint32_t n)
{ cel_value v = {0}; v.kind = CEL_BYTES; v.u.str = s; v.len = n; return v; }
static inline cel_value cel_list_v(const cel_list *l) { cel_value v = {0}; v.kind = CEL_LIST; v.u.list = l; return v; }
static inline cel_value cel_map_v(const cel_map *m) { cel_value v = {0}; v.kind = CEL_MAP; v.u.map = m; return v; }
static inline cel_value cel_type_v(const cel_type *t) { cel_value v = {0}; v.kind = CEL_TYPE; v.u.type = t; return v; }
static inline cel_value cel_opaque_v(const cel_opaque *o) { cel_value v = {0}; v.kind = CEL_OPAQUE; v.u.opaque = o; return v; }
static inline cel_value cel_error_v(const cel_error *e) { cel_value v = {0}; v.kind = CEL_ERROR; v.u.err = e; return v; }
static inline bool cel_is_error(cel_value v) { return v.kind == CEL_ERROR; }

/* Arena-allocated error value with a printf-style message; on arena
 * exhaustion returns a static "out of memory" error instead. */
cel_value cel_error_new(cel_arena *a, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies s (n bytes) into the arena as a string value (ASCII flag computed). */
cel_value cel_string_copy(cel_arena *a, const char *s, size_t n);

/* Native containers built in the arena. The items/keys arrays are taken as
 * they are (not copied). cel_map_new rejects repeated keys (and keys of a
 * kind a map cannot hold) with the CEL error texts. */
cel_value cel_list_new(cel_arena *a, const cel_value *items, size_t n);
cel_value cel_map_new(cel_arena *a, const cel_value *keys, const cel_value *vals, size_t n);
extern const cel_map_ops cel_native_map_ops;

/* Container access (dispatching to native storage or the adapter). */
static inline cel_value cel_list_at(const cel_list *l, size_t i, cel_arena *a)
{ return l->items ? l->items[i] : l->ops->get(l, i, a); }
bool cel_map_find(const cel_map *m, const cel_value *key, cel_value *out, cel_arena *a);
bool cel_map_find_str(const cel_map *m, const char *s, size_t n, cel_value *out, cel_arena *a);
void cel_map_entry(const cel_map *m, size_t i, cel_value *key, cel_value *val, cel_arena *a);

/* ---------------------------------------------------------------- semantics */

/* CEL equality (heterogeneous numeric equality, deep list/map equality,
 * opaque equality through the type). Returns a bool value, or an error value
 * where CEL defines one (an error operand). */
cel_value cel_value_equal(const cel_value *a, const cel_value *b, cel_arena *arena);
/* CEL ordering: -1/0/1 in *out, or CEL_CMP_UNORDERED when a NaN is involved
 * (every relation is then false). Returns CEL_BOOL true on success, or an
 * error value ("no such overload") for operands that do not order. int, uint
 * and double order exactly against each other (never through double). */
#define CEL_CMP_UNORDERED 2
cel_value cel_value_compare(const cel_value *a, const cel_value *b, int *out, cel_arena *arena);

/* Texts shared by the printers (literals, JSON, string()): RFC 3339 UTC
 * with trailing fraction zeros dropped ("2009-02-13T23:31:30.5Z"), seconds
 * with a fraction ("-1.5s"), and the shortest double that reads back
 * ("0.1", "1e+21", "NaN", "-Infinity"). Return the full length (snprintf). */
size_t cel_value_format_timestamp(int64_t secs, uint32_t nanos, char *buf, size_t cap);
size_t cel_value_format_duration(int64_t secs, int32_t nanos, char *buf, size_t cap);
size_t cel_value_format_double(double d, char *buf, size_t cap);

/* Renders v as CEL source text (strings quoted and escaped, doubles in a
 * form that parses back, maps and lists recursively). Malloc'd, caller frees. */
char *cel_value_to_cel_literal(const cel_value *v, cel_arena *a);

#ifdef __cplusplus
}
#endif
#endif
