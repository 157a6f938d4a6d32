/*
 * cli/serve.c: `celgate serve`: the validating admission webhook. Binds the
 * policy engine (src/vap) to the server in src/webhook and runs it until
 * SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "webhook/wh.h"

#ifdef CELGATE_HAVE_VAP
static vap_set *engine_load(const char *path, const char *k8s_version, char **err)
{
    vap_load_opts o = {.k8s_version = k8s_version, .skip_invalid = false};
    return vap_set_load(path, &o, err);
}

static json_t *engine_handle(const vap_set *s, const char *body, size_t len, vap_outcome *out,
                             char **err)
{
    return vap_handle_review(s, body, len, NULL, out, err);
}

static const wh_engine engine = {
    .load = engine_load,
    .ref = vap_set_ref,
    .unref = vap_set_unref,
    .policy_count = vap_set_policy_count,
    .binding_count = vap_set_binding_count,
    .handle = engine_handle,
    .outcome_clear = vap_outcome_clear,
};
#endif

int cli_serve_main(int argc, char **argv)
{
    wh_config cfg;
    wh_config_init(&cfg);
    char *err = NULL;
    int rc = wh_config_parse(&cfg, argc, argv, stdout, &err);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "celgate serve: %s\n(see celgate serve --help)\n",
                    err ? err : "invalid arguments");
        free(err);
        wh_config_clear(&cfg);
        return rc < 0 ? 2 : 0;
    }
#ifndef CELGATE_HAVE_VAP
    fprintf(stderr, "celgate serve: this build has no policy engine (src/vap is not built)\n");
    wh_config_clear(&cfg);
    return 2;
#else
    if (wh_signals_block(&err) < 0) {
        fprintf(stderr, "celgate serve: %s\n", err ? err : "signals");
        free(err);
        wh_config_clear(&cfg);
        return 1;
    }
    wh_server *s;
    if (wh_server_start(&cfg, &engine, &s, &err) < 0) {
        wh_log("error", "cannot start", json_pack("{s:s}", "error", err ? err : "unknown"));
        free(err);
        wh_config_clear(&cfg);
        return 1;
    }
    wh_log("info", "serving",
           json_pack("{s:s, s:i, s:s, s:i, s:s, s:b}", "addr", cfg.addr, "port",
                     (int)wh_server_port(s), "health_addr", cfg.health_addr, "health_port",
                     (int)wh_server_health_port(s), "policies", cfg.policies, "client_ca",
                     cfg.client_ca != NULL));
    rc = wh_run(s);
    wh_config_clear(&cfg);
    return rc;
#endif
}
