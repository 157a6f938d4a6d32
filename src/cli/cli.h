/*
 * cli/cli.h: the celgate subcommands. Each lives in its own file
 * (src/cli/<command>.c) and is reached through the table in src/main.c.
 * Each returns the process exit status.
 */
#ifndef CELGATE_CLI_H
#define CELGATE_CLI_H

int cli_eval_main(int argc, char **argv);    /* celgate eval: evaluate one CEL expression */
int cli_review_main(int argc, char **argv);  /* celgate review: policies on one AdmissionReview */
int cli_serve_main(int argc, char **argv);   /* celgate serve: the admission webhook */
int cli_cert_main(int argc, char **argv);    /* celgate cert: certificates for the webhook */
int cli_sandbox_main(int argc, char **argv); /* celgate sandbox: a small API server for kubectl */
int cli_test_main(int argc, char **argv);    /* celgate test: kaptest-format policy tests */

#endif
