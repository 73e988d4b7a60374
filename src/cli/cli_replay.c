/*
 * cli_replay.c -- pelorus replay: serves an NMEA file over TCP or UDP.
 */
#include <stdio.h>

#include "cli.h"

int cli_replay(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fputs("pelorus replay: not built yet\n", stderr);
    return 2;
}
