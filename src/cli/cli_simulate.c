/* cli_simulate.c -- placeholder, replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int cli_simulate(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "pelorus simulate: not built yet\n");
    return 2;
}
