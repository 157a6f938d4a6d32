/*
 * type.c: the well-known CEL types and the few operations on type
 * descriptors (runtime type of a value, cel-go style formatting, structural
 * equality). Parameterised types other than the dyn-parameterised constants
 * are built by environments and checkers.
 */
#include <stdio.h>
#include <string.h>

#include "cel/type.h"
#include "cel/value.h"

const cel_type cel_t_dyn = {.kind = CEL_T_DYN, .name = "dyn"};
const cel_type cel_t_null = {.kind = CEL_T_NULL, .name = "null_type"};
const cel_type cel_t_bool = {.kind = CEL_T_BOOL, .name = "bool"};
const cel_type cel_t_int = {.kind = CEL_T_INT, .name = "int"};
const cel_type cel_t_uint = {.kind = CEL_T_UINT, .name = "uint"};
const cel_type cel_t_double = {.kind = CEL_T_DOUBLE, .name = "double"};
const cel_type cel_t_string = {.kind = CEL_T_STRING, .name = "string"};
const cel_type cel_t_bytes = {.kind = CEL_T_BYTES, .name = "bytes"};
const cel_type cel_t_timestamp = {.kind = CEL_T_TIMESTAMP, .name = "google.protobuf.Timestamp"};
const cel_type cel_t_duration = {.kind = CEL_T_DURATION, .name = "google.protobuf.Duration"};
const cel_type cel_t_error = {.kind = CEL_T_ERROR, .name = "error"};
const cel_type cel_t_list_dyn = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_dyn}};
const cel_type cel_t_map_dyn = {.kind = CEL_T_MAP, .name = "map", .param = {&cel_t_dyn, &cel_t_dyn}};
const cel_type cel_t_type = {.kind = CEL_T_TYPE, .name = "type", .param = {&cel_t_dyn}};
const cel_type cel_t_optional_dyn = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                     .param = {&cel_t_dyn}};
const cel_type cel_t_param_a = {.kind = CEL_T_PARAM, .name = "A"};
const cel_type cel_t_param_b = {.kind = CEL_T_PARAM, .name = "B"};
const cel_type cel_t_param_k = {.kind = CEL_T_PARAM, .name = "K"};
const cel_type cel_t_param_v = {.kind = CEL_T_PARAM, .name = "V"};

const cel_type *cel_type_of_kind(int kind)
{
    switch (kind) {
    case CEL_NULL: return &cel_t_null;
    case CEL_BOOL: return &cel_t_bool;
    case CEL_INT: return &cel_t_int;
    case CEL_UINT: return &cel_t_uint;
    case CEL_DOUBLE: return &cel_t_double;
    case CEL_STRING: return &cel_t_string;
    case CEL_BYTES: return &cel_t_bytes;
    case CEL_LIST: return &cel_t_list_dyn;
    case CEL_MAP: return &cel_t_map_dyn;
    case CEL_TIMESTAMP: return &cel_t_timestamp;
    case CEL_DURATION: return &cel_t_duration;
    case CEL_TYPE: return &cel_t_type;
    case CEL_OPTIONAL: return &cel_t_optional_dyn;
    case CEL_ERROR: return &cel_t_error;
    default: return &cel_t_dyn; /* opaque: the value's own type says */
    }
}

/* Appends s to buf at *pos without overrunning cap; counts the full length. */
static void put(char *buf, size_t cap, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (*pos < cap) {
        size_t room = cap - *pos;
        memcpy(buf + *pos, s, n < room ? n : room);
    }
    *pos += n;
}

static void format_into(const cel_type *t, char *buf, size_t cap, size_t *pos)
{
    if (!t) {
        put(buf, cap, pos, "dyn");
        return;
    }
    switch (t->kind) {
    case CEL_T_LIST:
        put(buf, cap, pos, "list(");
        format_into(t->param[0], buf, cap, pos);
        put(buf, cap, pos, ")");
        return;
    case CEL_T_MAP:
        put(buf, cap, pos, "map(");
        format_into(t->param[0], buf, cap, pos);
        put(buf, cap, pos, ", ");
        format_into(t->param[1], buf, cap, pos);
        put(buf, cap, pos, ")");
        return;
    case CEL_T_TYPE:
        put(buf, cap, pos, "type");
        if (t->param[0]) {
            put(buf, cap, pos, "(");
            format_into(t->param[0], buf, cap, pos);
            put(buf, cap, pos, ")");
        }
        return;
    case CEL_T_OPTIONAL:
        put(buf, cap, pos, "optional_type(");
        format_into(t->param[0], buf, cap, pos);
        put(buf, cap, pos, ")");
        return;
    default:
        put(buf, cap, pos, t->name ? t->name : "dyn");
        return;
    }
}

size_t cel_type_format(const cel_type *t, char *buf, size_t cap)
{
    size_t pos = 0;
    format_into(t, buf, cap, &pos);
    if (cap)
        buf[pos < cap ? pos : cap - 1] = '\0';
    return pos;
}

bool cel_type_equal(const cel_type *a, const cel_type *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind)
        return false;
    if (strcmp(a->name ? a->name : "", b->name ? b->name : "") != 0)
        return false;
    for (int i = 0; i < 2; i++)
        if ((a->param[i] || b->param[i]) && !cel_type_equal(a->param[i], b->param[i]))
            return false;
    return true;
}
