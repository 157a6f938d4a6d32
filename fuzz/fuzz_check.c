/*
 * fuzz_check.c: arbitrary bytes parsed as a CEL expression (all macros,
 * optional syntax) and type-checked against an environment with the
 * standard library and variables of assorted types, with and without the
 * Kubernetes options. The checker must give either a type or issues (a
 * non-empty text), never both and never neither, and must not crash, hang
 * or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cel/ast.h"
#include "cel/check.h"
#include "cel/env.h"
#include "cel/k8s.h"

static void require(bool ok)
{
    if (!ok)
        abort();
}

static const cel_field fz_fields[] = {
    {"name", &cel_t_string},
    {"count", &cel_t_int},
};
static const cel_type fz_object = {.kind = CEL_T_OBJECT, .name = "fuzz.Object",
                                   .fields = fz_fields, .nfields = 2};
static const cel_type fz_list_int = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_int}};
static const cel_type fz_map = {.kind = CEL_T_MAP, .name = "map",
                                .param = {&cel_t_string, &cel_t_dyn}};
static const cel_type fz_opt = {.kind = CEL_T_OPTIONAL, .name = "optional_type",
                                .param = {&cel_t_string}};

static cel_env *fz_env(bool kubernetes)
{
    cel_env_options o = {.macros = CEL_MACROS_ALL, .optional_syntax = true, .std_lib = true,
                         .container = kubernetes ? "k8s.io" : NULL,
                         .homogeneous_literals = kubernetes, .cross_type_numeric = kubernetes};
    cel_env *env = cel_env_new(&o);
    require(env != NULL);
    require(cel_env_add_k8s_libraries(env, 0, true) == 0);
    require(cel_env_add_type(env, &fz_object) == 0);
    require(cel_env_add_var(env, "x", &cel_t_dyn) >= 0);
    require(cel_env_add_var(env, "i", &cel_t_int) >= 0);
    require(cel_env_add_var(env, "s", &cel_t_string) >= 0);
    require(cel_env_add_var(env, "l", &fz_list_int) >= 0);
    require(cel_env_add_var(env, "m", &fz_map) >= 0);
    require(cel_env_add_var(env, "o", &fz_object) >= 0);
    require(cel_env_add_var(env, "opt", &fz_opt) >= 0);
    require(cel_env_add_var(env, "a.b.c", &cel_t_int) >= 0);
    return env;
}

static void fz_check(const uint8_t *data, size_t size, bool kubernetes)
{
    cel_parse_opts po = {.macros = CEL_MACROS_ALL, .optional_syntax = true};
    cel_parsed parsed;
    if (cel_parse((const char *)data, size, &po, &parsed) != 0) {
        cel_parsed_free(&parsed);
        return;
    }
    /* Built once per process (checking only reads them): a harness-local
     * cache. */
    static cel_env *envs[2];
    if (!envs[kubernetes])
        envs[kubernetes] = fz_env(kubernetes);
    const cel_env *env = envs[kubernetes];
    cel_arena *arena = cel_arena_new(0);
    require(arena != NULL);
    const cel_type *t = NULL;
    char *issues = NULL;
    int rc = cel_check(env, &parsed, arena, &t, &issues);
    if (rc == 0) {
        require(t != NULL && issues == NULL);
        char buf[64];
        cel_type_format(t, buf, sizeof buf);
    } else {
        require(issues != NULL && strncmp(issues, "ERROR: <input>:", 15) == 0);
    }
    free(issues);
    cel_arena_free(arena);
    cel_parsed_free(&parsed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    fz_check(data, size, false);
    fz_check(data, size, true);
    return 0;
}
