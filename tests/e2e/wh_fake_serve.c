/*
 * tests/e2e/wh_fake_serve.c: `celgate serve` with the fake engine of
 * tests/wh_fake_engine.h, for the end-to-end tests of the server itself
 * (TLS, limits, reloads, draining) in builds where the policy engine is
 * not there yet. Same flags, same server code.
 */
#include "tests/wh_fake_engine.h"

int main(int argc, char **argv)
{
    /* Called like the real binary: `wh_fake_serve serve --flags...`. */
    if (argc > 1 && !strcmp(argv[1], "serve"))
        return wh_serve_main(argc - 1, argv + 1, &wh_fake_engine);
    return wh_serve_main(argc, argv, &wh_fake_engine);
}
