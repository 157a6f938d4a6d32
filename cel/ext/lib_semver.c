/*
 * lib_semver.c: the Kubernetes semver CEL library ("kubernetes.Semver",
 * version 1: with the normalize overloads): the kubernetes.Semver type, its
 * functions under upstream's overload ids, and their runtime costs. Parsing
 * and ordering are semver.c's.
 */
#include <stdio.h>
#include <string.h>

#include "cel/ext_k8s_types.h"
#include "semver.h"
#include "xtypes.h"

/* The numbers, then the prerelease and build texts back to back. */
typedef struct semver_box {
    uint64_t major, minor, patch;
    uint32_t pre_len, build_len;
    uint8_t has_pre, has_build;
    char text[];
} semver_box;

static cel_value sv_equal_value(const cel_value *self, const cel_value *other, cel_arena *a);
static const char *sv_format(const cel_opaque *o, cel_arena *a);

static const cel_opaque_type semver_opaque = {
    .name = "kubernetes.Semver",
    .format = sv_format,
    .type = &cel_t_k8s_semver,
    .equal_value = sv_equal_value,
};

const cel_type cel_t_k8s_semver = {
    .kind = CEL_T_OPAQUE, .name = "kubernetes.Semver", .opaque = &semver_opaque};

static void unpack(const cel_opaque *o, cel_semver *v)
{
    const semver_box *b = CEL_OPAQUE_DATA(o);
    v->major = b->major;
    v->minor = b->minor;
    v->patch = b->patch;
    v->pre = b->has_pre ? b->text : NULL;
    v->pre_len = b->pre_len;
    v->build = b->has_build ? b->text + b->pre_len : NULL;
    v->build_len = b->build_len;
}

static cel_value sv_equal_value(const cel_value *self, const cel_value *other, cel_arena *a)
{
    if (other->kind != CEL_OPAQUE || other->u.opaque->type != &semver_opaque)
        return cel_error_new(a, CEL_ERR_NO_OVERLOAD, "no such overload");
    cel_semver x, y;
    unpack(self->u.opaque, &x);
    unpack(other->u.opaque, &y);
    return cel_bool(cel_semver_compare(&x, &y) == 0);
}

/* Version.String(): Parse only accepts canonical text, so it is the input's
 * numbers re-printed with the prerelease and build parts as written. */
static const char *sv_format(const cel_opaque *o, cel_arena *a)
{
    cel_semver v;
    unpack(o, &v);
    size_t cap = 80 + v.pre_len + v.build_len;
    char *out = cel_arena_alloc(a, cap);
    if (!out)
        return NULL;
    int n = snprintf(out, cap, "semver(\"%llu.%llu.%llu", (unsigned long long)v.major,
                     (unsigned long long)v.minor, (unsigned long long)v.patch);
    if (v.pre)
        n += snprintf(out + n, cap - (size_t)n, "-%.*s", (int)v.pre_len, v.pre);
    if (v.build)
        n += snprintf(out + n, cap - (size_t)n, "+%.*s", (int)v.build_len, v.build);
    snprintf(out + n, cap - (size_t)n, "\")");
    return out;
}

static cel_value new_semver(cel_call *c, const cel_semver *v)
{
    cel_opaque *o =
        cel_xt_opaque_new(c, &semver_opaque, sizeof(semver_box) + v->pre_len + v->build_len);
    if (!o)
        return cel_xt_oom(c);
    semver_box *b = CEL_OPAQUE_DATA(o);
    b->major = v->major;
    b->minor = v->minor;
    b->patch = v->patch;
    b->has_pre = v->pre != NULL;
    b->has_build = v->build != NULL;
    b->pre_len = (uint32_t)v->pre_len;
    b->build_len = (uint32_t)v->build_len;
    if (v->pre_len)
        memcpy(b->text, v->pre, v->pre_len);
    if (v->build_len)
        memcpy(b->text + v->pre_len, v->build, v->build_len);
    return cel_opaque_v(o);
}

static cel_value parse_error(cel_call *c, const char *s, size_t n, const cel_semver_err *e)
{
    cel_arena *a = cel_call_arena(c);
    size_t len = cel_semver_error(s, n, e, NULL, 0);
    char *buf = cel_arena_alloc(a, len + 1);
    if (!buf)
        return cel_xt_oom(c);
    cel_semver_error(s, n, e, buf, len + 1);
    return cel_error_new(a, CEL_ERR_GENERAL, "%s", buf);
}

/* semver.Parse(s), or normalizeAndParse(s) with normalize. The parsed
 * version points into the text parsed: s itself, or an arena copy. */
static bool parse(cel_call *c, const cel_value *s, bool normalize, cel_semver *v,
                  cel_value *err)
{
    const char *text = s->u.str;
    size_t n = s->len;
    cel_semver_err e;
    if (normalize) {
        char *norm = cel_arena_alloc(cel_call_arena(c), n + 6);
        if (!norm) {
            if (err)
                *err = cel_xt_oom(c);
            return false;
        }
        if (!cel_semver_normalize(text, n, norm, &n, &e)) {
            if (err)
                *err = parse_error(c, text, s->len, &e);
            return false;
        }
        text = norm;
    }
    if (!cel_semver_parse(text, n, v, &e)) {
        if (err)
            *err = parse_error(c, text, n, &e);
        return false;
    }
    return true;
}

static cel_value sv_string_to_semver(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_semver v;
    cel_value err;
    if (!parse(c, &args[0], nargs > 1 && args[1].u.b, &v, &err))
        return err;
    return new_semver(c, &v);
}

static cel_value sv_is_semver(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_semver v;
    return cel_bool(parse(c, &args[0], nargs > 1 && args[1].u.b, &v, NULL));
}

/* types.Int(v.Major): a uint64 above MaxInt64 wraps, as there. */
static cel_value sv_major(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_semver v;
    unpack(args[0].u.opaque, &v);
    return cel_int((int64_t)v.major);
}

static cel_value sv_minor(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_semver v;
    unpack(args[0].u.opaque, &v);
    return cel_int((int64_t)v.minor);
}

static cel_value sv_patch(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_semver v;
    unpack(args[0].u.opaque, &v);
    return cel_int((int64_t)v.patch);
}

static int cmp_args(const cel_value *args)
{
    cel_semver x, y;
    unpack(args[0].u.opaque, &x);
    unpack(args[1].u.opaque, &y);
    return cel_semver_compare(&x, &y);
}

static cel_value sv_is_greater_than(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cmp_args(args) == 1);
}

static cel_value sv_is_less_than(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cmp_args(args) == -1);
}

static cel_value sv_compare_to(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_int(cmp_args(args));
}

/* semver(), isSemver(): a traversal of the string; the rest cost 1. */
static uint64_t sv_cost_parse(const cel_value *args, size_t nargs)
{
    return cel_xt_traversal(cel_xt_str_size(&args[0]), 0.1);
}

#define SV (&cel_t_k8s_semver)
#define STR (&cel_t_string)
#define BOOL (&cel_t_bool)

static const cel_overload semver_overloads[] = {
    {"string_to_semver", "semver", false, 1, 0, {STR}, SV, sv_string_to_semver, sv_cost_parse},
    {"string_bool_to_semver", "semver", false, 2, 0, {STR, BOOL}, SV, sv_string_to_semver,
     sv_cost_parse},
    {"is_semver_string", "isSemver", false, 1, 0, {STR}, BOOL, sv_is_semver, sv_cost_parse},
    {"is_semver_string_bool", "isSemver", false, 2, 0, {STR, BOOL}, BOOL, sv_is_semver,
     sv_cost_parse},
    {"semver_is_greater_than", "isGreaterThan", true, 2, 0, {SV, SV}, BOOL, sv_is_greater_than,
     NULL},
    {"semver_is_less_than", "isLessThan", true, 2, 0, {SV, SV}, BOOL, sv_is_less_than, NULL},
    {"semver_compare_to", "compareTo", true, 2, 0, {SV, SV}, &cel_t_int, sv_compare_to, NULL},
    {"semver_major", "major", true, 1, 0, {SV}, &cel_t_int, sv_major, NULL},
    {"semver_minor", "minor", true, 1, 0, {SV}, &cel_t_int, sv_minor, NULL},
    {"semver_patch", "patch", true, 1, 0, {SV}, &cel_t_int, sv_patch, NULL},
};

const cel_library cel_lib_k8s_semver = {
    .name = "kubernetes.Semver",
    .overloads = semver_overloads,
    .count = sizeof semver_overloads / sizeof semver_overloads[0],
};
