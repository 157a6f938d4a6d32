/*
 * lib_net.c: the Kubernetes IP and CIDR CEL libraries (kubernetes.net.ip,
 * kubernetes.net.cidr): the opaque types net.IP and net.CIDR, their
 * functions under cel-go's overload ids, and Kubernetes' runtime cost for
 * each call. The address logic lives in netaddr.c; this file only converts
 * between CEL values and it, so each function stays a few lines long.
 *
 * Values: a net.IP holds a cel_netaddr, a net.CIDR a cel_netaddr_prefix
 * (address as written, host bits kept), each right after the cel_opaque
 * header, in the evaluation's arena.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cel/ext.h"
#include "cel/value.h"
#include "netaddr.h"

/* ------------------------------------------------------------ types */

static bool net_ip_equal(const cel_opaque *a, const cel_opaque *b);
static bool net_cidr_equal(const cel_opaque *a, const cel_opaque *b);
static uint64_t net_ip_size(const cel_opaque *o);
static uint64_t net_cidr_size(const cel_opaque *o);
static const char *net_ip_format(const cel_opaque *o, cel_arena *a);
static const char *net_cidr_format(const cel_opaque *o, cel_arena *a);

static const cel_opaque_type net_ip_opaque = {
    .name = "net.IP",
    .equal = net_ip_equal,
    .size = net_ip_size,
    .format = net_ip_format,
    .type = &cel_t_net_ip,
};

static const cel_opaque_type net_cidr_opaque = {
    .name = "net.CIDR",
    .equal = net_cidr_equal,
    .size = net_cidr_size,
    .format = net_cidr_format,
    .type = &cel_t_net_cidr,
};

const cel_type cel_t_net_ip = {.kind = CEL_T_OPAQUE, .name = "net.IP", .opaque = &net_ip_opaque};
const cel_type cel_t_net_cidr = {
    .kind = CEL_T_OPAQUE, .name = "net.CIDR", .opaque = &net_cidr_opaque};

static const cel_netaddr *ip_of(const cel_value *v)
{
    return (const cel_netaddr *)CEL_OPAQUE_DATA(v->u.opaque);
}

static const cel_netaddr_prefix *cidr_of(const cel_value *v)
{
    return (const cel_netaddr_prefix *)CEL_OPAQUE_DATA(v->u.opaque);
}

static bool net_ip_equal(const cel_opaque *a, const cel_opaque *b)
{
    return a->type == b->type &&
           cel_netaddr_equal(CEL_OPAQUE_DATA(a), CEL_OPAQUE_DATA(b));
}

static bool net_cidr_equal(const cel_opaque *a, const cel_opaque *b)
{
    return a->type == b->type &&
           cel_netaddr_prefix_equal(CEL_OPAQUE_DATA(a), CEL_OPAQUE_DATA(b));
}

/* Kubernetes: an IP's size is its byte length, a CIDR's the bytes its
 * prefix covers, ceil(bits / 8). */
static uint64_t net_ip_size(const cel_opaque *o)
{
    return ((const cel_netaddr *)CEL_OPAQUE_DATA(o))->family == 4 ? 4 : 16;
}

static uint64_t net_cidr_size(const cel_opaque *o)
{
    return (((const cel_netaddr_prefix *)CEL_OPAQUE_DATA(o))->bits + 7u) / 8u;
}

static const char *net_ip_format(const cel_opaque *o, cel_arena *a)
{
    char text[CEL_NETADDR_STRMAX], out[CEL_NETADDR_STRMAX + 8];
    cel_netaddr_format(CEL_OPAQUE_DATA(o), text);
    int n = snprintf(out, sizeof out, "ip(\"%s\")", text);
    return cel_arena_memdup(a, out, (size_t)n);
}

static const char *net_cidr_format(const cel_opaque *o, cel_arena *a)
{
    char text[CEL_NETADDR_STRMAX], out[CEL_NETADDR_STRMAX + 8];
    cel_netaddr_prefix_format(CEL_OPAQUE_DATA(o), text);
    int n = snprintf(out, sizeof out, "cidr(\"%s\")", text);
    return cel_arena_memdup(a, out, (size_t)n);
}

/* ------------------------------------------------------------ value helpers */

static cel_value new_ip(cel_call *c, const cel_netaddr *addr)
{
    cel_arena *a = cel_call_arena(c);
    cel_opaque *o = cel_arena_alloc(a, sizeof(cel_opaque) + sizeof *addr);
    if (!o)
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    o->type = &net_ip_opaque;
    memcpy(CEL_OPAQUE_DATA(o), addr, sizeof *addr);
    return cel_opaque_v(o);
}

static cel_value new_cidr(cel_call *c, const cel_netaddr_prefix *p)
{
    cel_arena *a = cel_call_arena(c);
    cel_opaque *o = cel_arena_alloc(a, sizeof(cel_opaque) + sizeof *p);
    if (!o)
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    o->type = &net_cidr_opaque;
    memcpy(CEL_OPAQUE_DATA(o), p, sizeof *p);
    return cel_opaque_v(o);
}

/* Canonical texts are ASCII and short: one arena copy. */
static cel_value new_ascii(cel_call *c, const char *s, size_t n)
{
    cel_arena *a = cel_call_arena(c);
    char *p = cel_arena_memdup(a, s, n);
    if (!p)
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    cel_value v = cel_string_n(p, (uint32_t)n);
    v.flags = CEL_VF_ASCII;
    return v;
}

typedef size_t (*net_msg_fn)(const char *, size_t, const cel_netaddr_err *, char *, size_t);

/* The error value for a failed parse, its text built by msg (measured
 * first, then written into the arena). */
static cel_value parse_error(cel_call *c, const cel_value *s, const cel_netaddr_err *e,
                             net_msg_fn msg)
{
    cel_arena *a = cel_call_arena(c);
    size_t n = msg(s->u.str, s->len, e, NULL, 0);
    char *buf = cel_arena_alloc(a, n + 1);
    if (!buf)
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    msg(s->u.str, s->len, e, buf, n + 1);
    return cel_error_new(a, CEL_ERR_GENERAL, "%s", buf);
}

/* ------------------------------------------------------------ ip library */

static cel_value net_string_to_ip(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr addr;
    cel_netaddr_err e;
    if (!cel_netaddr_parse_ip(args[0].u.str, args[0].len, &addr, &e))
        return parse_error(c, &args[0], &e, cel_netaddr_ip_error);
    return new_ip(c, &addr);
}

static cel_value net_is_ip(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr addr;
    return cel_bool(cel_netaddr_parse_ip(args[0].u.str, args[0].len, &addr, NULL));
}

/* A parse failure is an error here, not false (unlike isIP). */
static cel_value net_ip_is_canonical(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr addr;
    cel_netaddr_err e;
    if (!cel_netaddr_parse_ip(args[0].u.str, args[0].len, &addr, &e))
        return parse_error(c, &args[0], &e, cel_netaddr_ip_error);
    char text[CEL_NETADDR_STRMAX];
    size_t n = cel_netaddr_format(&addr, text);
    return cel_bool(n == args[0].len && memcmp(text, args[0].u.str, n) == 0);
}

static cel_value net_ip_to_string(cel_call *c, const cel_value *args, size_t nargs)
{
    char text[CEL_NETADDR_STRMAX];
    size_t n = cel_netaddr_format(ip_of(&args[0]), text);
    return new_ascii(c, text, n);
}

static cel_value net_ip_family(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_int(ip_of(&args[0])->family);
}

static cel_value net_ip_is_unspecified(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cel_netaddr_is_unspecified(ip_of(&args[0])));
}

static cel_value net_ip_is_loopback(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cel_netaddr_is_loopback(ip_of(&args[0])));
}

static cel_value net_ip_is_link_local_multicast(cel_call *c, const cel_value *args,
                                                size_t nargs)
{
    return cel_bool(cel_netaddr_is_link_local_multicast(ip_of(&args[0])));
}

static cel_value net_ip_is_link_local_unicast(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cel_netaddr_is_link_local_unicast(ip_of(&args[0])));
}

static cel_value net_ip_is_global_unicast(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cel_netaddr_is_global_unicast(ip_of(&args[0])));
}

/* ------------------------------------------------------------ cidr library */

static cel_value net_string_to_cidr(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr_prefix p;
    cel_netaddr_err e;
    if (!cel_netaddr_parse_cidr(args[0].u.str, args[0].len, &p, &e))
        return parse_error(c, &args[0], &e, cel_netaddr_cidr_error);
    return new_cidr(c, &p);
}

static cel_value net_is_cidr(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr_prefix p;
    return cel_bool(cel_netaddr_parse_cidr(args[0].u.str, args[0].len, &p, NULL));
}

static cel_value net_cidr_to_string(cel_call *c, const cel_value *args, size_t nargs)
{
    char text[CEL_NETADDR_STRMAX];
    size_t n = cel_netaddr_prefix_format(cidr_of(&args[0]), text);
    return new_ascii(c, text, n);
}

static cel_value net_cidr_contains_ip(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cel_netaddr_prefix_contains(cidr_of(&args[0]), ip_of(&args[1])));
}

/* Kubernetes passes ip()'s error into the IP overload, which answers a
 * non-IP argument with a bare "no such overload": the parse message is
 * lost, and we reproduce that. */
static cel_value net_cidr_contains_ip_string(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr addr;
    if (!cel_netaddr_parse_ip(args[1].u.str, args[1].len, &addr, NULL))
        return cel_error_new(cel_call_arena(c), CEL_ERR_NO_OVERLOAD, "no such overload");
    return cel_bool(cel_netaddr_prefix_contains(cidr_of(&args[0]), &addr));
}

static cel_value net_cidr_contains_cidr(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_bool(cel_netaddr_prefix_contains_prefix(cidr_of(&args[0]), cidr_of(&args[1])));
}

/* Here the CIDR overload passes an error argument through, so cidr()'s
 * message survives. */
static cel_value net_cidr_contains_cidr_string(cel_call *c, const cel_value *args,
                                               size_t nargs)
{
    cel_netaddr_prefix p;
    cel_netaddr_err e;
    if (!cel_netaddr_parse_cidr(args[1].u.str, args[1].len, &p, &e))
        return parse_error(c, &args[1], &e, cel_netaddr_cidr_error);
    return cel_bool(cel_netaddr_prefix_contains_prefix(cidr_of(&args[0]), &p));
}

static cel_value net_cidr_ip(cel_call *c, const cel_value *args, size_t nargs)
{
    return new_ip(c, &cidr_of(&args[0])->addr);
}

static cel_value net_cidr_masked(cel_call *c, const cel_value *args, size_t nargs)
{
    cel_netaddr_prefix m = cel_netaddr_prefix_masked(cidr_of(&args[0]));
    return new_cidr(c, &m);
}

static cel_value net_cidr_prefix_length(cel_call *c, const cel_value *args, size_t nargs)
{
    return cel_int(cidr_of(&args[0])->bits);
}

/* ------------------------------------------------------------ costs */

/* cel-go sizes strings in code points. */
static uint64_t str_size(const cel_value *v)
{
    if (v->flags & CEL_VF_ASCII)
        return v->len;
    uint64_t n = 0;
    for (uint32_t i = 0; i < v->len; i++)
        n += ((unsigned char)v->u.str[i] & 0xc0) != 0x80;
    return n;
}

/* Kubernetes computes ceil(float64(size) * factor) in doubles; doing the
 * same keeps its rounding wherever a product lands near an integer. */
static uint64_t traversal(uint64_t size, double factor)
{
    return (uint64_t)ceil((double)size * factor);
}

static uint64_t opaque_size(const cel_value *v)
{
    return v->u.opaque->type->size(v->u.opaque);
}

static uint64_t net_cost_parse(const cel_value *args, size_t nargs)
{
    return traversal(str_size(&args[0]), 0.1);
}

static uint64_t net_cost_canonical(const cel_value *args, size_t nargs)
{
    return traversal(str_size(&args[0]) * 2, 0.1);
}

static uint64_t net_cost_contains_ip(const cel_value *args, size_t nargs)
{
    uint64_t cs = opaque_size(&args[0]);
    uint64_t cost = traversal(cs + cs, 0.1);
    if (args[1].kind == CEL_STRING)
        cost += traversal(str_size(&args[1]), 0.1);
    return cost;
}

static uint64_t net_cost_contains_cidr(const cel_value *args, size_t nargs)
{
    uint64_t cs = opaque_size(&args[0]);
    uint64_t cost = traversal(cs + cs, 0.1) + traversal(cs, 0.1) + 1;
    if (args[1].kind == CEL_STRING)
        cost += traversal(str_size(&args[1]), 0.1);
    return cost;
}

/* ------------------------------------------------------------ tables */

#define IP (&cel_t_net_ip)
#define CIDR (&cel_t_net_cidr)

static const cel_overload net_ip_overloads[] = {
    {"string_to_ip", "ip", false, 1, CEL_FN_VALIDATE_LITERAL, {&cel_t_string}, IP,
     net_string_to_ip, net_cost_parse},
    {"is_ip", "isIP", false, 1, 0, {&cel_t_string}, &cel_t_bool, net_is_ip, net_cost_parse},
    {"ip_is_canonical", "ip.isCanonical", false, 1, 0, {&cel_t_string}, &cel_t_bool,
     net_ip_is_canonical, net_cost_canonical},
    {"ip_to_string", "string", false, 1, 0, {IP}, &cel_t_string, net_ip_to_string, NULL},
    {"ip_family", "family", true, 1, 0, {IP}, &cel_t_int, net_ip_family, NULL},
    {"ip_is_unspecified", "isUnspecified", true, 1, 0, {IP}, &cel_t_bool,
     net_ip_is_unspecified, NULL},
    {"ip_is_loopback", "isLoopback", true, 1, 0, {IP}, &cel_t_bool, net_ip_is_loopback, NULL},
    {"ip_is_link_local_multicast", "isLinkLocalMulticast", true, 1, 0, {IP}, &cel_t_bool,
     net_ip_is_link_local_multicast, NULL},
    {"ip_is_link_local_unicast", "isLinkLocalUnicast", true, 1, 0, {IP}, &cel_t_bool,
     net_ip_is_link_local_unicast, NULL},
    {"ip_is_global_unicast", "isGlobalUnicast", true, 1, 0, {IP}, &cel_t_bool,
     net_ip_is_global_unicast, NULL},
};

static const cel_overload net_cidr_overloads[] = {
    {"string_to_cidr", "cidr", false, 1, CEL_FN_VALIDATE_LITERAL, {&cel_t_string}, CIDR,
     net_string_to_cidr, net_cost_parse},
    {"is_cidr", "isCIDR", false, 1, 0, {&cel_t_string}, &cel_t_bool, net_is_cidr,
     net_cost_parse},
    {"cidr_to_string", "string", false, 1, 0, {CIDR}, &cel_t_string, net_cidr_to_string, NULL},
    {"cidr_contains_ip_string", "containsIP", true, 2, 0, {CIDR, &cel_t_string}, &cel_t_bool,
     net_cidr_contains_ip_string, net_cost_contains_ip},
    {"cidr_contains_ip_ip", "containsIP", true, 2, 0, {CIDR, IP}, &cel_t_bool,
     net_cidr_contains_ip, net_cost_contains_ip},
    {"cidr_contains_cidr_string", "containsCIDR", true, 2, 0, {CIDR, &cel_t_string},
     &cel_t_bool, net_cidr_contains_cidr_string, net_cost_contains_cidr},
    {"cidr_contains_cidr", "containsCIDR", true, 2, 0, {CIDR, CIDR}, &cel_t_bool,
     net_cidr_contains_cidr, net_cost_contains_cidr},
    {"cidr_ip", "ip", true, 1, 0, {CIDR}, IP, net_cidr_ip, NULL},
    {"cidr_masked", "masked", true, 1, 0, {CIDR}, CIDR, net_cidr_masked, NULL},
    {"cidr_prefix_length", "prefixLength", true, 1, 0, {CIDR}, &cel_t_int,
     net_cidr_prefix_length, NULL},
};

static const cel_type *const net_ip_types[] = {IP};
static const cel_type *const net_cidr_types[] = {CIDR};

const cel_library cel_lib_k8s_ip = {
    .name = "kubernetes.net.ip",
    .overloads = net_ip_overloads,
    .count = sizeof net_ip_overloads / sizeof net_ip_overloads[0],
    .types = net_ip_types,
    .ntypes = 1,
};

const cel_library cel_lib_k8s_cidr = {
    .name = "kubernetes.net.cidr",
    .overloads = net_cidr_overloads,
    .count = sizeof net_cidr_overloads / sizeof net_cidr_overloads[0],
    .types = net_cidr_types,
    .ntypes = 1,
};
