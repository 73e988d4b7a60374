/* cli.h -- the subcommands of the pelorus command. */
#ifndef PEL_CLI_H
#define PEL_CLI_H

#include <stdio.h>

#include "pelorus.h"
#include "util/outfile.h"

/* Each takes argv from the subcommand name on and returns the exit code. */
int cli_decode(int argc, char **argv);
int cli_ingest(int argc, char **argv);
int cli_vessel(int argc, char **argv);
int cli_tracks(int argc, char **argv);
int cli_coverage(int argc, char **argv);
int cli_dbdump(int argc, char **argv);
int cli_scan(int argc, char **argv);
int cli_watchlist(int argc, char **argv);
int cli_screen(int argc, char **argv);
int cli_simulate(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_vessels(int argc, char **argv);
int cli_watch(int argc, char **argv);  /* cli_live.c */
int cli_replay(int argc, char **argv); /* cli_replay.c */
int cli_case(int argc, char **argv);   /* cli_case.c */
int cli_key(int argc, char **argv);    /* cli_case.c */
int cli_review(int argc, char **argv); /* cli_review.c */

/* ---- cli_args.c: options, values, outputs -------------------------------- */

/* An option of a subcommand. */
typedef struct cli_opt {
    const char *name;  /* "--db"; a { NULL } entry ends a table */
    const char *alias; /* "-o", or NULL */
    bool value;        /* takes a value: the next argument, or "--name=value" */
} cli_opt;

/* Where a subcommand is in its argv. */
typedef struct cli_args {
    const char *cmd; /* "scan", for messages */
    int argc;
    char **argv; /* borrowed */
    int i;       /* the next argument */
    bool rest;   /* after "--": arguments only */
} cli_args;

enum { CLI_END = -3, CLI_BAD = -2, CLI_ARG = -1 };

/* The database when --db is not given: $PELORUS_DB when set and not
 * empty (a file, or a postgresql:// connection string), else pelorus.db.
 * Borrowed from the environment or static. */
const char *cli_default_db(void);

/* Starts reading argv (argv[0] is the subcommand's name) for cmd. */
void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv);

/* The next argument: the index in opts (a table ended by { NULL }) of an
 * option, its value in *val when it takes one; CLI_ARG for an argument that
 * is not an option ("-" and everything after "--" included) in *val;
 * CLI_END after the last; CLI_BAD after telling standard error "pelorus
 * CMD: unknown option X" or "X needs a value" (a usage error: exit 2).
 * *val is borrowed from argv. */
int cli_next(cli_args *a, const cli_opt *opts, const char **val);

/* Value checks for option opt of cmd.  Each returns true with *out set, or
 * false after telling standard error what the option accepts (its range,
 * unit may be NULL) and what was given: a usage error (exit 2).  Numbers
 * are plain decimals (no NaN, infinity, hexadecimal or spaces). */
bool cli_real(const char *cmd, const char *opt, const char *v, double lo, double hi, const char *unit, double *out);
bool cli_whole(const char *cmd, const char *opt, const char *v, uint64_t lo, uint64_t hi, const char *unit,
               uint64_t *out);
bool cli_mmsi(const char *cmd, const char *opt, const char *v, uint32_t *out);
bool cli_time(const char *cmd, const char *opt, const char *v, int64_t *out);
/* One of a list of names: names is a table ended by { NULL }; *out gets
 * the value of the name v.  Unknown: false after telling standard error
 * "pelorus CMD: OPT wants a, b or c, not "v"" (a usage error: exit 2). */
typedef struct cli_name {
    const char *name;
    int value;
} cli_name;
bool cli_choice(const char *cmd, const char *opt, const char *v, const cli_name *names, int *out);
/* The input formats of ingest and scan (--format, --format-in). */
extern const cli_name cli_input_formats[];

/* False (after saying so) when both ends are given and from is after to. */
bool cli_period(const char *cmd, bool has_from, int64_t from, bool has_to, int64_t to);

/* An output: a file written whole or not at all (util/outfile.h), or
 * standard output. */
typedef struct cli_out {
    FILE *f;    /* write here */
    bool named; /* file is in use */
    outfile file;
} cli_out;

/* Opens path (NULL: standard output) for cmd; returns o->f, or NULL after
 * telling standard error why (a runtime error: exit 1). */
FILE *cli_out_open(const char *cmd, cli_out *o, const char *path);

/* Finishes o: keep true commits a file (renames it into place), false
 * discards it (the previous file stays); standard output is flushed.
 * Returns false after telling standard error when writing failed. */
bool cli_out_close(const char *cmd, cli_out *o, bool keep);

/* At the end of every command: flushes and closes standard output and, when
 * that fails (a full disk, /dev/full, a closed pipe) and rc is 0, says so
 * and returns 1; otherwise returns rc.  cmd may be NULL. */
int cli_stdout_done(const char *cmd, int rc);

/* Writes one rejected line to f as "file<TAB>line<TAB>reason<TAB>detail<TAB>
 * text", bytes outside printable ASCII written as \xNN. */
void cli_write_reject(FILE *f, const char *file, const pel_reject_info *r);

/* Writes the one-line summary of st to f, prefixed by who. */
void cli_write_summary(FILE *f, const char *who, const pel_stats *st);

#endif
