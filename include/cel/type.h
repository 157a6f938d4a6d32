/*
 * cel/type.h: CEL types, as the checker reasons about them and as type()
 * returns them at run time.
 *
 * Types are immutable descriptors. The well-known ones are constants of the
 * library; parameterised ones (list(int), map(string, dyn)) are built by an
 * environment or a checker and live as long as it does.
 */
#ifndef CEL_TYPE_H
#define CEL_TYPE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cel_type_kind {
    CEL_T_DYN = 0,
    CEL_T_NULL,
    CEL_T_BOOL,
    CEL_T_INT,
    CEL_T_UINT,
    CEL_T_DOUBLE,
    CEL_T_STRING,
    CEL_T_BYTES,
    CEL_T_LIST,      /* param[0]: element */
    CEL_T_MAP,       /* param[0]: key, param[1]: value */
    CEL_T_TIMESTAMP, /* google.protobuf.Timestamp */
    CEL_T_DURATION,  /* google.protobuf.Duration */
    CEL_T_TYPE,      /* param[0]: the type it denotes, or NULL */
    CEL_T_OPTIONAL,  /* param[0]: contained type */
    CEL_T_OPAQUE,    /* library type (net.IP, ...): opaque names its value type */
    CEL_T_OBJECT,    /* named record with typed fields (kubernetes.AdmissionRequest) */
    CEL_T_PARAM,     /* type parameter of a generic overload ("A", "K", "V") */
    CEL_T_ERROR
} cel_type_kind;

typedef struct cel_type cel_type;
struct cel_opaque_type;

typedef struct cel_field {
    const char *name;
    const cel_type *type;
} cel_field;

struct cel_type {
    cel_type_kind kind;
    const char *name;              /* the CEL type name: "int", "list", "net.IP", "A" */
    const cel_type *param[2];
    const cel_field *fields;       /* CEL_T_OBJECT */
    size_t nfields;
    const struct cel_opaque_type *opaque; /* CEL_T_OPAQUE */
};

/* Well-known types. */
extern const cel_type cel_t_dyn, cel_t_null, cel_t_bool, cel_t_int, cel_t_uint,
    cel_t_double, cel_t_string, cel_t_bytes, cel_t_timestamp, cel_t_duration,
    cel_t_error;
extern const cel_type cel_t_list_dyn;    /* list(dyn), whose runtime type name is "list" */
extern const cel_type cel_t_map_dyn;     /* map(dyn, dyn), runtime name "map" */
extern const cel_type cel_t_type;        /* type(dyn), runtime name "type" */
extern const cel_type cel_t_optional_dyn;/* optional_type(dyn), runtime name "optional_type" */
extern const cel_type cel_t_param_a, cel_t_param_b, cel_t_param_k, cel_t_param_v;

/* The runtime type value of a value's kind ("int", "list", "map",
 * "google.protobuf.Timestamp", ...), for type(x). */
const cel_type *cel_type_of_kind(int kind);

/* Formats a type as cel-go prints it in messages: "int", "list(int)",
 * "map(string, dyn)", "net.IP", "optional_type(int)", "type(int)".
 * Writes at most cap bytes including the NUL; returns the full length. */
size_t cel_type_format(const cel_type *t, char *buf, size_t cap);

/* Structural equality of two types (params compared deeply). */
bool cel_type_equal(const cel_type *a, const cel_type *b);

/* Looks up a named type that is not built in (net.IP, a record type), or
 * returns NULL. name is not NUL-terminated. */
typedef const cel_type *(*cel_type_resolver)(void *ctx, const char *name, size_t len);

struct cel_arena;

/* Parses a type as declarations write it: "int", "list(int)",
 * "map(string, dyn)", "type(int)", "optional_type(string)", "null_type",
 * "google.protobuf.Timestamp" (or "timestamp"), and names resolve knows
 * ("net.IP"). Bare "list" and "map" mean list(dyn) and map(dyn, dyn).
 * Parameterised types are allocated in arena. Returns NULL on error with
 * *err (a constant message) and *err_offset (byte offset) set; either
 * pointer may be NULL. cel_type_format prints the result back. */
const cel_type *cel_type_parse(const char *s, size_t len, cel_type_resolver resolve, void *ctx,
                               struct cel_arena *arena, size_t *err_offset, const char **err);

#ifdef __cplusplus
}
#endif
#endif
