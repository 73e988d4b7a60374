/*
 * cli_live.c -- pelorus watch: live monitoring.
 */
#include <stdio.h>

#include "cli.h"

int cli_watch(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fputs("pelorus watch: not built yet\n", stderr);
    return 2;
}
