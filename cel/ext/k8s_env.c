/*
 * k8s_env.c: the Kubernetes base CEL environment by version, and the "all
 * libraries" environment. Which library arrives in which version is one
 * table (cel_k8s_libraries), so adding a library is adding a row.
 */
#include <stdlib.h>
#include <string.h>

#include "cel/ext.h"
#include "cel/ext_k8s_types.h"
#include "cel/k8s.h"

const cel_k8s_library cel_k8s_libraries[] = {
    {&cel_lib_k8s_ip, 30, 0},
    {&cel_lib_k8s_cidr, 30, 0},
    {&cel_lib_k8s_urls, 0, 0},
    {&cel_lib_k8s_quantity, 28, 0},
    {&cel_lib_k8s_format, 31, 0},
    {&cel_lib_k8s_semver, 33, 0},
    {NULL, 0, 0},
};

/* Libraries of the "all" environment beyond the newest Kubernetes one. */
static const cel_library *const extra_libraries[] = {
    NULL,
};

static bool has(unsigned minor, unsigned since, unsigned until)
{
    return minor >= since && (until == 0 || minor <= until);
}

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
    o.std_lib = true;
    return o;
}

int cel_env_add_k8s_libraries(cel_env *env, unsigned minor, bool extras)
{
    if (minor == 0)
        minor = CEL_K8S_NEWEST_MINOR;
    for (const cel_k8s_library *l = cel_k8s_libraries; l->lib; l++)
        if (has(minor, l->since, l->until) && cel_env_add_library(env, l->lib) < 0)
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
    if (minor < CEL_K8S_OLDEST_MINOR || minor > CEL_K8S_NEWEST_MINOR)
        return NULL;
    cel_env_options o = options_for(minor, base);
    return build(minor, &o, false);
}

cel_env *cel_env_new_all(const cel_env_options *base)
{
    cel_env_options o = options_for(CEL_K8S_NEWEST_MINOR, base);
    o.macros = CEL_MACROS_ALL;
    return build(CEL_K8S_NEWEST_MINOR, &o, true);
}

int cel_k8s_parse_version(const char *s)
{
    if (!s)
        return -1;
    if (s[0] == 'v')
        s++;
    if (strncmp(s, "1.", 2) != 0 || s[2] < '0' || s[2] > '9')
        return -1;
    char *end;
    long minor = strtol(s + 2, &end, 10);
    if (*end || minor < CEL_K8S_OLDEST_MINOR || minor > CEL_K8S_NEWEST_MINOR)
        return -1;
    return (int)minor;
}
