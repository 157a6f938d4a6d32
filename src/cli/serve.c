/*
 * cli/serve.c: `celgate serve`: the validating admission webhook. Binds the
 * policy engine (src/vap) to the server in src/webhook and runs it until
 * SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "webhook/wh.h"

static vap_set *engine_load(const char *path, const char *k8s_version, char **err)
{
    vap_load_opts o = {.k8s_version = k8s_version, .skip_invalid = false};
    return vap_set_load(path, &o, err);
}

static int engine_evaluate(const vap_set *s, const json_t *request, vap_outcome *out,
                           char **err)
{
    /* No authorizer rules: `authorizer` checks are denied, as documented. */
    return vap_evaluate(s, request, NULL, out, err);
}

static const wh_engine engine = {
    .load = engine_load,
    .ref = vap_set_ref,
    .unref = vap_set_unref,
    .policy_count = vap_set_policy_count,
    .binding_count = vap_set_binding_count,
    .evaluate = engine_evaluate,
    .outcome_clear = vap_outcome_clear,
};

int cli_serve_main(int argc, char **argv)
{
    return wh_serve_main(argc, argv, &engine);
}
