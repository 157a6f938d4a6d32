/*
 * k8s_env.c: the Kubernetes base CEL environment by compatibility version,
 * the two environments of an API server of a given version, and the "all
 * libraries" environment. Which library arrives in which version is one
 * table (cel_k8s_libraries), so adding a library is adding a row; the
 * language options that depend on the version are in options_for.
 */
#include <stdlib.h>
#include <string.h>

#include "cel/ext.h"
#include "cel/ext_lists.h"
#include "cel/ext_authz.h"
#include "cel/ext_strings.h"
#include "cel/ext_k8s_types.h"
#include "cel/k8s.h"

const cel_k8s_library cel_k8s_libraries[] = {
    /* base.go: Authz since 1.27; AuthzSelectors since 1.31 (feature gate
     * AuthorizeWithSelectors, on by default from 1.32, when 1.31 is the
     * compatibility version of new expressions). */
    {&cel_lib_authz, 0, 0},
    {&cel_lib_authz_selectors, 31, 0},
    {&cel_lib_k8s_ip, 30, 0},
    {&cel_lib_k8s_cidr, 30, 0},
    {&cel_lib_k8s_lists, 0, 0},
    {&cel_lib_k8s_lists_includes, 37, 0},
    {&cel_lib_optional, 28, 0},
    {&cel_lib_optional_v2, 32, 0},
    {&cel_lib_ext_sets, 29, 0},
    {&cel_lib_ext_lists_v3, 34, 0},
    {&cel_lib_k8s_regex, 0, 0},
    {&cel_lib_ext_strings[0], 0, 28},
    {&cel_lib_ext_strings[2], 29, 0},
    {&cel_lib_k8s_urls, 0, 0},
    {&cel_lib_k8s_quantity, 28, 0},
    {&cel_lib_k8s_format, 31, 0},
    {&cel_lib_k8s_semver, 33, 0},
    {NULL, 0, 0},
};

/* Libraries of the "all" environment beyond the newest Kubernetes one. An
 * extra library named like a Kubernetes one is a newer version of it and
 * takes its place. */
static const cel_library *const extra_libraries[] = {
    &cel_lib_ext_strings[CEL_STRX_NEWEST],
    &cel_lib_ext_math[CEL_MATH_NEWEST],
    &cel_lib_ext_encoders[CEL_ENCODERS_NEWEST],
    NULL,
};

static bool has(unsigned minor, unsigned since, unsigned until)
{
    return minor >= since && (until == 0 || minor <= until);
}

/* The language side of base.go by version. Always (1.0): homogeneous
 * aggregate literals, UTC default time zone, OptOptimize with cost
 * tracking and has() costing nothing. 1.28: cel.OptionalTypes (the ?.
 * [? {?k: syntax, optional.* functions and optMap/optFlatMap) and
 * CrossTypeNumericComparisons. 1.29: the duration, timestamp, regex and
 * homogeneous-literal AST validators. 1.32: ext.TwoVarComprehensions.
 * 1.34: ext.Lists(3), whose sortBy is a macro. */
static cel_env_options options_for(unsigned minor, const cel_env_options *base)
{
    cel_env_options o = {0};
    if (base) {
        o.container = base->container;
        o.max_code_points = base->max_code_points;
        o.max_depth = base->max_depth;
        o.disable_check = base->disable_check;
    }
    o.macros = CEL_MACROS_STD;
    if (minor >= 28)
        o.macros |= CEL_MACROS_OPTIONAL;
    if (minor >= 32)
        o.macros |= CEL_MACROS_TWO_VAR;
    if (minor >= 34)
        o.macros |= CEL_MACROS_LISTS;
    o.optional_syntax = minor >= 28;
    o.cross_type_numeric = minor >= 28;
    o.homogeneous_literals = true;
    o.literal_validators = minor >= 29;
    o.optimize = true;
    o.std_lib = true;
    return o;
}

static bool in_range(unsigned minor)
{
    return minor >= CEL_K8S_OLDEST_MINOR && minor <= CEL_K8S_NEWEST_MINOR;
}

bool cel_k8s_has_library(unsigned minor, const cel_library *lib)
{
    if (minor == 0)
        minor = CEL_K8S_NEWEST_MINOR;
    for (const cel_k8s_library *l = cel_k8s_libraries; l->lib; l++)
        if (l->lib == lib && has(minor, l->since, l->until))
            return true;
    return false;
}

static bool replaced_by_extra(const cel_library *lib)
{
    for (size_t i = 0; extra_libraries[i]; i++)
        if (lib->name && extra_libraries[i]->name && !strcmp(lib->name, extra_libraries[i]->name))
            return true;
    return false;
}

int cel_env_add_k8s_libraries(cel_env *env, unsigned minor, bool extras)
{
    if (minor == 0)
        minor = CEL_K8S_NEWEST_MINOR;
    for (const cel_k8s_library *l = cel_k8s_libraries; l->lib; l++)
        if (has(minor, l->since, l->until) && !(extras && replaced_by_extra(l->lib)) &&
            cel_env_add_library(env, l->lib) < 0)
            return -1;
    for (size_t i = 0; extras && extra_libraries[i]; i++)
        if (cel_env_add_library(env, extra_libraries[i]) < 0)
            return -1;
    return 0;
}

static cel_env *build(unsigned minor, const cel_env_options *o, bool extras)
{
    cel_env *env = cel_env_new(o);
    if (env && cel_env_add_k8s_libraries(env, minor, extras) < 0) {
        cel_env_free(env);
        return NULL;
    }
    return env;
}

cel_env *cel_env_new_k8s(unsigned minor, const cel_env_options *base)
{
    if (minor == 0)
        minor = CEL_K8S_NEWEST_MINOR;
    if (!in_range(minor))
        return NULL;
    cel_env_options o = options_for(minor, base);
    return build(minor, &o, false);
}

unsigned cel_k8s_compat_minor(unsigned server_minor, cel_k8s_exprs which)
{
    if (server_minor == 0)
        server_minor = CEL_K8S_NEWEST_MINOR;
    return which == CEL_K8S_NEW_EXPRESSIONS && server_minor > 0 ? server_minor - 1 : server_minor;
}

cel_env *cel_env_new_k8s_server(unsigned server_minor, cel_k8s_exprs which,
                                const cel_env_options *base)
{
    unsigned compat = cel_k8s_compat_minor(server_minor, which);
    if (!in_range(compat))
        return NULL;
    return cel_env_new_k8s(compat, base);
}

cel_env *cel_env_new_all(const cel_env_options *base)
{
    cel_env_options o = options_for(CEL_K8S_NEWEST_MINOR, base);
    o.macros = CEL_MACROS_ALL;
    return build(CEL_K8S_NEWEST_MINOR, &o, true);
}

int cel_k8s_version(const char *s, unsigned oldest, unsigned newest)
{
    if (!s)
        return -1;
    if (s[0] == 'v')
        s++;
    if (strncmp(s, "1.", 2) != 0)
        return -1;
    s += 2;
    /* Digits only, no sign, no leading zeros (strtoul alone accepts " +7"). */
    if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
        return -1;
    unsigned long minor = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        minor = minor * 10 + (unsigned long)(s[i] - '0');
        if (minor > 100000)
            return -1;
    }
    if (s[i] == '.') {
        size_t j = i + 1;
        if (s[j] < '0' || s[j] > '9')
            return -1;
        while (s[j] >= '0' && s[j] <= '9' && j - i < 10)
            j++;
        i = j;
    }
    if (s[i])
        return -1;
    if (minor < oldest || minor > newest)
        return -2;
    return (int)minor;
}

int cel_k8s_parse_version(const char *s)
{
    int m = cel_k8s_version(s, CEL_K8S_OLDEST_MINOR, CEL_K8S_NEWEST_MINOR);
    return m < 0 ? -1 : m;
}
