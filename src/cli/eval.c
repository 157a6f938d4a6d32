/* cli/eval.c: placeholder until the evaluator lands (replaced by the CEL core work). */
#include <stdio.h>
#include "cli/cli.h"
int cli_eval_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "celgate eval: the CEL evaluator is not built yet\n");
    return 2;
}
