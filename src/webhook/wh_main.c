/*
 * webhook/wh_main.c: the body of `celgate serve`, given an engine: settings,
 * signals, start, the main loop. src/cli/serve.c binds the policy engine;
 * tests bind a fake one to the very same server.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wh.h"

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
