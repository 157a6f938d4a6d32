/*
 * lib_authz.c: the Kubernetes `authorizer` CEL library. Builders (path,
 * group, resource, subresource, namespace, name, fieldSelector,
 * labelSelector, serviceAccount) produce immutable check values in the
 * evaluation's arena; check(verb) hands the finished question to the host
 * (cel_eval_opts.host, a cel_authz_host) and wraps its answer in a Decision.
 * A check is priced as upstream prices it: a fixed 350,000. The selector
 * builders (fieldSelector, labelSelector) are a library of their own,
 * cel_lib_authz_selectors, because Kubernetes adds them in 1.31.
 */
#include <stddef.h>
#include <string.h>

#include "cel/ext_authz.h"

#define AUTHZ_CHECK_COST 350000u

enum { K_AUTHORIZER, K_PATH, K_GROUP, K_RESOURCE, K_DECISION };

typedef struct authz_obj {
    int what;
    cel_authz_check q;     /* what is being built */
    cel_authz_answer ans;  /* K_DECISION */
} authz_obj;

static bool obj_equal(const cel_opaque *a, const cel_opaque *b)
{
    return a == b;
}

static const cel_opaque_type ot_authorizer, ot_path, ot_group, ot_resource, ot_decision;

#define AUTHZ_TYPE(var, tname, ot)                                                                  \
    const cel_type var = {CEL_T_OPAQUE, tname, {NULL, NULL}, NULL, 0, &ot}
AUTHZ_TYPE(cel_t_authz_authorizer, "kubernetes.authorization.Authorizer", ot_authorizer);
AUTHZ_TYPE(cel_t_authz_path_check, "kubernetes.authorization.PathCheck", ot_path);
AUTHZ_TYPE(cel_t_authz_group_check, "kubernetes.authorization.GroupCheck", ot_group);
AUTHZ_TYPE(cel_t_authz_resource_check, "kubernetes.authorization.ResourceCheck", ot_resource);
AUTHZ_TYPE(cel_t_authz_decision, "kubernetes.authorization.Decision", ot_decision);

static const cel_opaque_type ot_authorizer = {"kubernetes.authorization.Authorizer", obj_equal, NULL, NULL, NULL,
                                              &cel_t_authz_authorizer};
static const cel_opaque_type ot_path = {"kubernetes.authorization.PathCheck", obj_equal, NULL, NULL, NULL,
                                        &cel_t_authz_path_check};
static const cel_opaque_type ot_group = {"kubernetes.authorization.GroupCheck", obj_equal, NULL, NULL, NULL,
                                         &cel_t_authz_group_check};
static const cel_opaque_type ot_resource = {"kubernetes.authorization.ResourceCheck", obj_equal, NULL, NULL, NULL,
                                            &cel_t_authz_resource_check};
static const cel_opaque_type ot_decision = {"kubernetes.authorization.Decision", obj_equal, NULL, NULL, NULL,
                                            &cel_t_authz_decision};

static const cel_opaque_type *const kinds[] = {&ot_authorizer, &ot_path, &ot_group, &ot_resource, &ot_decision};

static const authz_obj *obj_of(const cel_value *v)
{
    return (const authz_obj *)CEL_OPAQUE_DATA(v->u.opaque);
}

/* A copy of base (or a blank one) of kind `what`, in the arena. */
static authz_obj *obj_new(cel_arena *a, int what, const authz_obj *base, cel_value *out)
{
    cel_opaque *o = cel_arena_alloc(a, sizeof(cel_opaque) + sizeof(authz_obj));
    if (!o)
        return NULL;
    o->type = kinds[what];
    authz_obj *x = CEL_OPAQUE_DATA(o);
    if (base)
        *x = *base;
    else
        memset(x, 0, sizeof *x);
    x->what = what;
    *out = cel_opaque_v(o);
    return x;
}

static const char *arena_str(cel_arena *a, const cel_value *v)
{
    return cel_arena_memdup(a, v->u.str, v->len);
}

static cel_value oom(cel_call *c)
{
    return cel_error_new(cel_call_arena(c), CEL_ERR_MEMORY, "out of memory");
}

cel_value cel_authz_value(cel_arena *a)
{
    cel_value v;
    if (!obj_new(a, K_AUTHORIZER, NULL, &v))
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    return v;
}

cel_value cel_authz_request_resource(cel_arena *a, const char *group, const char *resource,
                                     const char *subresource, const char *namespace_, const char *name)
{
    cel_value v;
    authz_obj *x = obj_new(a, K_RESOURCE, NULL, &v);
    if (!x)
        return cel_error_new(a, CEL_ERR_MEMORY, "out of memory");
    x->q.group = group;
    x->q.resource = resource;
    x->q.subresource = subresource;
    x->q.namespace_ = namespace_;
    x->q.name = name;
    return v;
}

static cel_value fn_path(cel_call *c, const cel_value *args, size_t n)
{
    cel_value v;
    authz_obj *x = obj_new(cel_call_arena(c), K_PATH, obj_of(&args[0]), &v);
    if (!x || !(x->q.path = arena_str(cel_call_arena(c), &args[1])))
        return oom(c);
    x->q.is_path = true;
    return v;
}

static cel_value fn_group(cel_call *c, const cel_value *args, size_t n)
{
    cel_value v;
    authz_obj *x = obj_new(cel_call_arena(c), K_GROUP, obj_of(&args[0]), &v);
    if (!x || !(x->q.group = arena_str(cel_call_arena(c), &args[1])))
        return oom(c);
    return v;
}

static cel_value fn_service_account(cel_call *c, const cel_value *args, size_t n)
{
    cel_arena *a = cel_call_arena(c);
    cel_value v;
    authz_obj *x = obj_new(a, K_AUTHORIZER, NULL, &v);
    const char **groups = cel_arena_alloc(a, 2 * sizeof *groups);
    size_t ul = 23 + args[1].len + 1 + args[2].len;
    char *user = cel_arena_alloc(a, ul + 1);
    char *nsgroup = cel_arena_alloc(a, 23 + args[1].len + 1);
    if (!x || !groups || !user || !nsgroup)
        return oom(c);
    /* system:serviceaccount:<ns>:<name>, in groups system:serviceaccounts
     * and system:serviceaccounts:<ns> */
    memcpy(user, "system:serviceaccount:", 22);
    memcpy(user + 22, args[1].u.str, args[1].len);
    user[22 + args[1].len] = ':';
    memcpy(user + 23 + args[1].len, args[2].u.str, args[2].len);
    user[23 + args[1].len + args[2].len] = '\0';
    memcpy(nsgroup, "system:serviceaccounts:", 23);
    memcpy(nsgroup + 23, args[1].u.str, args[1].len);
    nsgroup[23 + args[1].len] = '\0';
    groups[0] = "system:serviceaccounts";
    groups[1] = nsgroup;
    x->q.user = user;
    x->q.groups = groups;
    x->q.ngroups = 2;
    return v;
}

/* resource/subresource/namespace/name/fieldSelector/labelSelector: one
 * builder, told which field by the overload. */
static cel_value set_field(cel_call *c, const cel_value *args, int what, size_t off)
{
    cel_value v;
    authz_obj *x = obj_new(cel_call_arena(c), what, obj_of(&args[0]), &v);
    const char *s = x ? arena_str(cel_call_arena(c), &args[1]) : NULL;
    if (!s)
        return oom(c);
    *(const char **)((char *)&x->q + off) = s;
    return v;
}

static cel_value fn_resource(cel_call *c, const cel_value *a, size_t n)
{ return set_field(c, a, K_RESOURCE, offsetof(cel_authz_check, resource)); }
static cel_value fn_subresource(cel_call *c, const cel_value *a, size_t n)
{ return set_field(c, a, K_RESOURCE, offsetof(cel_authz_check, subresource)); }
static cel_value fn_namespace(cel_call *c, const cel_value *a, size_t n)
{ return set_field(c, a, K_RESOURCE, offsetof(cel_authz_check, namespace_)); }
static cel_value fn_name(cel_call *c, const cel_value *a, size_t n)
{ return set_field(c, a, K_RESOURCE, offsetof(cel_authz_check, name)); }
static cel_value fn_field_selector(cel_call *c, const cel_value *a, size_t n)
{ return set_field(c, a, K_RESOURCE, offsetof(cel_authz_check, field_selector)); }
static cel_value fn_label_selector(cel_call *c, const cel_value *a, size_t n)
{ return set_field(c, a, K_RESOURCE, offsetof(cel_authz_check, label_selector)); }

static cel_value fn_check(cel_call *c, const cel_value *args, size_t n)
{
    const cel_authz_host *host = cel_call_host(c);
    cel_arena *a = cel_call_arena(c);
    if (!host || !host->check)
        return cel_error_new(a, CEL_ERR_GENERAL, "authorizer check failed: no authorizer is configured");
    cel_value v;
    authz_obj *x = obj_new(a, K_DECISION, obj_of(&args[0]), &v);
    if (!x || !(x->q.verb = arena_str(a, &args[1])))
        return oom(c);
    x->ans = host->check(host->ctx, &x->q, a);
    return v;
}

static cel_value fn_allowed(cel_call *c, const cel_value *args, size_t n)
{
    return cel_bool(obj_of(&args[0])->ans.decision == CEL_AUTHZ_ALLOW);
}

static cel_value fn_errored(cel_call *c, const cel_value *args, size_t n)
{
    return cel_bool(obj_of(&args[0])->ans.error != NULL);
}

static cel_value str_or_empty(cel_call *c, const char *s)
{
    return s ? cel_string_copy(cel_call_arena(c), s, strlen(s)) : cel_string_n("", 0);
}

static cel_value fn_reason(cel_call *c, const cel_value *args, size_t n)
{
    return str_or_empty(c, obj_of(&args[0])->ans.reason);
}

static cel_value fn_error(cel_call *c, const cel_value *args, size_t n)
{
    return str_or_empty(c, obj_of(&args[0])->ans.error);
}

static uint64_t check_cost(const cel_value *args, size_t n)
{
    return AUTHZ_CHECK_COST;
}

#define S &cel_t_string
#define AUTH &cel_t_authz_authorizer
#define PATHC &cel_t_authz_path_check
#define GROUPC &cel_t_authz_group_check
#define RESC &cel_t_authz_resource_check
#define DEC &cel_t_authz_decision

static const cel_overload overloads[] = {
    {"authorizer_path", "path", true, 2, 0, {AUTH, S}, PATHC, fn_path, NULL},
    {"authorizer_group", "group", true, 2, 0, {AUTH, S}, GROUPC, fn_group, NULL},
    {"authorizer_serviceaccount", "serviceAccount", true, 3, 0, {AUTH, S, S}, AUTH, fn_service_account, NULL},
    {"groupcheck_resource", "resource", true, 2, 0, {GROUPC, S}, RESC, fn_resource, NULL},
    {"resourcecheck_subresource", "subresource", true, 2, 0, {RESC, S}, RESC, fn_subresource, NULL},
    {"resourcecheck_namespace", "namespace", true, 2, 0, {RESC, S}, RESC, fn_namespace, NULL},
    {"resourcecheck_name", "name", true, 2, 0, {RESC, S}, RESC, fn_name, NULL},
    {"pathcheck_check", "check", true, 2, CEL_FN_NOFOLD, {PATHC, S}, DEC, fn_check, check_cost},
    {"resourcecheck_check", "check", true, 2, CEL_FN_NOFOLD, {RESC, S}, DEC, fn_check, check_cost},
    {"decision_allowed", "allowed", true, 1, CEL_FN_NOFOLD, {DEC}, &cel_t_bool, fn_allowed, NULL},
    {"decision_reason", "reason", true, 1, CEL_FN_NOFOLD, {DEC}, S, fn_reason, NULL},
    {"decision_errored", "errored", true, 1, CEL_FN_NOFOLD, {DEC}, &cel_t_bool, fn_errored, NULL},
    {"decision_error", "error", true, 1, CEL_FN_NOFOLD, {DEC}, S, fn_error, NULL},
};

static const cel_type *const types[] = {&cel_t_authz_authorizer, &cel_t_authz_path_check, &cel_t_authz_group_check,
                                        &cel_t_authz_resource_check, &cel_t_authz_decision};

const cel_library cel_lib_authz = {
    "kubernetes.authz", overloads, sizeof overloads / sizeof overloads[0], types, sizeof types / sizeof types[0],
};

/* Kubernetes' selector cost (library/cost.go): a list of requirements
 * (10), a parse of the selector (ceil(0.1 * len)), and about one
 * requirement per two characters, each a struct and a values slice
 * (ceil(ceil(0.5 * len) * 50)). */
static uint64_t selector_cost(const cel_value *args, size_t n)
{
    uint64_t len = 0; /* code points, as cel-go sizes strings */
    for (uint32_t i = 0; n >= 2 && args[1].kind == CEL_STRING && i < args[1].len; i++)
        len += ((unsigned char)args[1].u.str[i] & 0xc0) != 0x80;
    uint64_t parse = (len + 9) / 10, requirements = (len + 1) / 2;
    return 10 + parse + requirements * 50;
}

/* The AuthzSelectors library (Kubernetes >= 1.31). */
static const cel_overload selector_overloads[] = {
    {"resourcecheck_fieldselector", "fieldSelector", true, 2, 0, {RESC, S}, RESC, fn_field_selector, selector_cost},
    {"resourcecheck_labelselector", "labelSelector", true, 2, 0, {RESC, S}, RESC, fn_label_selector, selector_cost},
};

const cel_library cel_lib_authz_selectors = {
    "kubernetes.authzSelectors", selector_overloads, sizeof selector_overloads / sizeof selector_overloads[0], NULL, 0,
};
