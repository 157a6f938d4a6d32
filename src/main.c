/*
 * main.c: the celgate binary: dispatches to a subcommand in src/cli/.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"eval", cli_eval_main, "evaluate a CEL expression"},
    {"review", cli_review_main, "evaluate policies on one AdmissionReview"},
    {"serve", cli_serve_main, "serve policies as an HTTPS validating admission webhook"},
    {"cert", cli_cert_main, "write a CA and serving certificate; print the webhook registration"},
    {"test", cli_test_main, "run policy test manifests (kaptest format)"},
    {"sandbox", cli_sandbox_main, "serve a small Kubernetes API for kubectl (ServiceCIDRs, policies)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: celgate <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'celgate <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "celgate: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
