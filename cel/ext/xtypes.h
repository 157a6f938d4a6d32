/*
 * cel/ext/xtypes.h: small helpers shared by the Kubernetes value-type
 * libraries (quantity, URL, semver, format): building results in the
 * evaluation's arena, and Kubernetes' cost arithmetic.
 */
#ifndef CEL_EXT_XTYPES_H
#define CEL_EXT_XTYPES_H

#include <math.h>
#include <string.h>

#include "cel/function.h"
#include "cel/value.h"

/* cel-go sizes strings in code points. */
static inline uint64_t cel_xt_str_size(const cel_value *v)
{
    if (v->flags & CEL_VF_ASCII)
        return v->len;
    uint64_t n = 0;
    for (uint32_t i = 0; i < v->len; i++)
        n += ((unsigned char)v->u.str[i] & 0xc0) != 0x80;
    return n;
}

/* Kubernetes' uint64(math.Ceil(float64(size) * factor)), in doubles as Go
 * computes it (so ceil(30 * 0.1) is 4, as there). */
static inline uint64_t cel_xt_ceil(double x)
{
    double c = ceil(x);
    return c >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)c;
}

static inline uint64_t cel_xt_traversal(uint64_t size, double factor)
{
    return cel_xt_ceil((double)size * factor);
}

static inline cel_value cel_xt_oom(cel_call *c)
{
    return cel_error_new(cel_call_arena(c), CEL_ERR_MEMORY, "out of memory");
}

/* An error value with a fixed text. */
static inline cel_value cel_xt_error(cel_call *c, int code, const char *msg)
{
    return cel_error_new(cel_call_arena(c), code, "%s", msg);
}

/* A new opaque value of type t with payload bytes after the header, or
 * NULL when the arena is full. */
static inline cel_opaque *cel_xt_opaque_new(cel_call *c, const cel_opaque_type *t,
                                            size_t payload)
{
    cel_opaque *o = cel_arena_alloc(cel_call_arena(c), sizeof(cel_opaque) + payload);
    if (o)
        o->type = t;
    return o;
}

/* optional.of(*inner), or optional.none() for NULL. */
static inline cel_value cel_xt_optional(cel_call *c, const cel_value *inner)
{
    cel_value v = {0};
    v.kind = CEL_OPTIONAL;
    if (inner) {
        cel_value *box = cel_arena_alloc(cel_call_arena(c), sizeof *box);
        if (!box)
            return cel_xt_oom(c);
        *box = *inner;
        v.u.opt = box;
    }
    return v;
}

static inline cel_value cel_xt_string(cel_call *c, const char *s, size_t n)
{
    return cel_string_copy(cel_call_arena(c), s, n);
}

#endif
