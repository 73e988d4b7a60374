/* cli_report.c -- placeholder, replaced by the real command. */
#include <stdio.h>

#include "cli.h"

int cli_report(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "pelorus report: not built yet\n");
    return 2;
}
