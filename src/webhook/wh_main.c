/*
 * webhook/wh_main.c: the body of `celgate serve`, given an engine: settings,
 * signals, start, the main loop. src/cli/serve.c binds the policy engine;
 * tests bind a fake one to the very same server.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wh.h"

/* --check: what the server would load, without listening. */
static int check_only(const wh_config *cfg, const wh_engine *engine)
{
    char *err = NULL;
    int rc = 0;
    vap_set *set = engine->load(cfg->policies, cfg->k8s_version, &err);
    if (set) {
        printf("policies: %s: %zu policies, %zu bindings\n", cfg->policies,
               engine->policy_count(set), engine->binding_count(set));
        engine->unref(set);
    } else {
        fprintf(stderr, "policies: %s\n", err ? err : "not loaded");
        rc = 1;
    }
    free(err);
    err = NULL;
    wh_tls *t = wh_tls_new();
    if (t && wh_tls_load(t, cfg->cert_file, cfg->key_file, &err) == 0) {
        printf("certificate: %s: valid until %lld (unix time)\n", cfg->cert_file,
               (long long)wh_tls_not_after(t));
    } else {
        fprintf(stderr, "certificate: %s\n", err ? err : "out of memory");
        rc = 1;
    }
    wh_tls_free(t);
    free(err);
    err = NULL;
    if (cfg->client_ca) {
        char *pem;
        size_t len, n = 0;
        if (wh_read_file(cfg->client_ca, WH_PEM_MAX, &pem, &len, &err) == 0) {
            if (wh_tls_parse_ca(pem, len, &n, &err) == 0)
                printf("client CA: %s: %zu certificates\n", cfg->client_ca, n);
            free(pem);
        }
        if (err) {
            fprintf(stderr, "client CA: %s: %s\n", cfg->client_ca, err);
            rc = 1;
        }
        free(err);
    }
    return rc;
}

int wh_serve_main(int argc, char **argv, const wh_engine *engine)
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
    if (cfg.check) {
        rc = check_only(&cfg, engine);
        wh_config_clear(&cfg);
        return rc;
    }
    if (wh_signals_block(&err) < 0) {
        fprintf(stderr, "celgate serve: %s\n", err ? err : "signals");
        free(err);
        wh_config_clear(&cfg);
        return 1;
    }
    wh_server *s;
    if (wh_server_start(&cfg, engine, &s, &err) < 0) {
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
}
