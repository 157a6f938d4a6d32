/*
 * env.c: environments: the declared variables (each with an activation
 * slot), the libraries' overloads, and the named types, plus the lookups
 * the checker and the planner make against them. An environment is built,
 * then only read (by many threads), so nothing here caches lazily.
 */
#include <stdlib.h>
#include <string.h>

#include "cel/env.h"

/* The standard library lives in another module. Until it is linked in,
 * an environment simply has no standard functions. */
extern const cel_library cel_lib_std __attribute__((weak));
extern const cel_library cel_lib_time __attribute__((weak));

struct cel_env {
    cel_env_options opts;
    char *container;
    cel_var_decl *vars;
    size_t nvars, capvars;
    const cel_overload **ovl;
    size_t novl, capovl;
    const cel_type **types;
    size_t ntypes, captypes;
};

/* Types every environment can name. */
static const cel_type *const builtin_types[] = {
    &cel_t_int, &cel_t_uint, &cel_t_double, &cel_t_bool, &cel_t_string, &cel_t_bytes,
    &cel_t_list_dyn, &cel_t_map_dyn, &cel_t_null, &cel_t_type, &cel_t_timestamp,
    &cel_t_duration, &cel_t_optional_dyn,
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

cel_env *cel_env_new(const cel_env_options *opts)
{
    cel_env *env = calloc(1, sizeof *env);
    if (!env)
        return NULL;
    if (opts) {
        env->opts = *opts;
    } else {
        env->opts.std_lib = true;
    }
    if (env->opts.container && env->opts.container[0]) {
        env->container = strdup(env->opts.container);
        if (!env->container) {
            free(env);
            return NULL;
        }
    }
    env->opts.container = env->container;
    if (!env->opts.max_code_points)
        env->opts.max_code_points = CEL_DEFAULT_MAX_CODE_POINTS;
    if (!env->opts.max_depth)
        env->opts.max_depth = CEL_DEFAULT_MAX_DEPTH;
    if (env->opts.std_lib) {
        if ((&cel_lib_std && cel_env_add_library(env, &cel_lib_std) != 0) ||
            (&cel_lib_time && cel_env_add_library(env, &cel_lib_time) != 0)) {
            cel_env_free(env);
            return NULL;
        }
    }
    return env;
}

void cel_env_free(cel_env *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->nvars; i++)
        free((char *)env->vars[i].name);
    free(env->vars);
    free(env->ovl);
    free(env->types);
    free(env->container);
    free(env);
}

int cel_env_add_var(cel_env *env, const char *name, const cel_type *type)
{
    size_t n = strlen(name);
    if (!n || cel_env_find_var(env, name, n))
        return -1;
    if (!grow((void **)&env->vars, &env->capvars, env->nvars + 1, sizeof *env->vars))
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    cel_var_decl *d = &env->vars[env->nvars];
    d->name = copy;
    d->type = type ? type : &cel_t_dyn;
    d->slot = (int)env->nvars;
    env->nvars++;
    return d->slot;
}

int cel_env_add_library(cel_env *env, const cel_library *lib)
{
    for (size_t i = 0; i < lib->count; i++)
        for (size_t j = 0; j < env->novl; j++)
            if (!strcmp(env->ovl[j]->id, lib->overloads[i].id))
                return -1;
    if (!grow((void **)&env->ovl, &env->capovl, env->novl + lib->count, sizeof *env->ovl))
        return -1;
    for (size_t i = 0; i < lib->ntypes; i++)
        if (cel_env_add_type(env, lib->types[i]) != 0)
            return -1;
    for (size_t i = 0; i < lib->count; i++)
        env->ovl[env->novl++] = &lib->overloads[i];
    return 0;
}

int cel_env_add_type(cel_env *env, const cel_type *type)
{
    if (!grow((void **)&env->types, &env->captypes, env->ntypes + 1, sizeof *env->types))
        return -1;
    env->types[env->ntypes++] = type;
    return 0;
}

size_t cel_env_var_count(const cel_env *env) { return env->nvars; }

const cel_env_options *cel_env_options_of(const cel_env *env) { return &env->opts; }

const cel_var_decl *cel_env_find_var(const cel_env *env, const char *name, size_t len)
{
    for (size_t i = 0; i < env->nvars; i++)
        if (!strncmp(env->vars[i].name, name, len) && env->vars[i].name[len] == '\0')
            return &env->vars[i];
    return NULL;
}

size_t cel_env_find_overloads(const cel_env *env, const char *name, bool member,
                              const cel_overload **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < env->novl; i++) {
        const cel_overload *o = env->ovl[i];
        if (o->member == member && !strcmp(o->name, name)) {
            if (n < cap)
                out[n] = o;
            n++;
        }
    }
    return n;
}

bool cel_env_has_function(const cel_env *env, const char *name)
{
    for (size_t i = 0; i < env->novl; i++)
        if (!strcmp(env->ovl[i]->name, name))
            return true;
    return false;
}

static bool name_is(const char *s, const char *name, size_t len)
{
    return !strncmp(s, name, len) && s[len] == '\0';
}

const cel_type *cel_env_find_type(const cel_env *env, const char *name, size_t len)
{
    for (size_t i = 0; i < env->ntypes; i++)
        if (env->types[i]->name && name_is(env->types[i]->name, name, len))
            return env->types[i];
    for (size_t i = 0; i < sizeof builtin_types / sizeof builtin_types[0]; i++)
        if (name_is(builtin_types[i]->name, name, len))
            return builtin_types[i];
    return NULL;
}
