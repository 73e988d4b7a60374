/* cli_eval.c -- placeholder, replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int cli_eval(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "pelorus eval: not built yet\n");
    return 2;
}
