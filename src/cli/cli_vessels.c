/* cli_vessels.c -- placeholder, replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int cli_vessels(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "pelorus vessels: not built yet\n");
    return 2;
}
