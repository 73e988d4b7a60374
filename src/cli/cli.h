/* cli.h -- the subcommands of the pelorus command. */
#ifndef PEL_CLI_H
#define PEL_CLI_H

#include <stdio.h>

#include "pelorus.h"

/* Each takes argv from the subcommand name on and returns the exit code. */
int cli_decode(int argc, char **argv);
int cli_ingest(int argc, char **argv);
int cli_vessel(int argc, char **argv);
int cli_tracks(int argc, char **argv);
int cli_dbdump(int argc, char **argv);
int cli_scan(int argc, char **argv);
int cli_watchlist(int argc, char **argv);
int cli_screen(int argc, char **argv);
int cli_simulate(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_vessels(int argc, char **argv);

/* Writes one rejected line to f as "file<TAB>line<TAB>reason<TAB>detail<TAB>
 * text", bytes outside printable ASCII written as \xNN. */
void cli_write_reject(FILE *f, const char *file, const pel_reject_info *r);

/* Writes the one-line summary of st to f, prefixed by who. */
void cli_write_summary(FILE *f, const char *who, const pel_stats *st);

#endif
