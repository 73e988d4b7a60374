/*
 * cli_args.c -- what every subcommand shares: reading options, checking the
 * values a person typed, and opening and finishing output files.  One
 * place, so that every command says "unknown option" for an option it does
 * not have, refuses NaN, infinities and out-of-range numbers with the
 * option's allowed range, and never loses output silently.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/numtext.h"

const char *cli_default_db(void) {
    const char *e = getenv("PELORUS_DB");
    return e && e[0] ? e : "pelorus.db";
}

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv) {
    *a = (cli_args){.cmd = cmd, .argc = argc, .argv = argv, .i = 1};
}

int cli_next(cli_args *g, const cli_opt *opts, const char **val) {
    *val = NULL;
    for (;;) {
        if (g->i >= g->argc)
            return CLI_END;
        const char *a = g->argv[g->i++];
        if (!g->rest && !strcmp(a, "--")) {
            g->rest = true;
            continue;
        }
        if (g->rest || a[0] != '-' || !a[1]) {
            *val = a;
            return CLI_ARG;
        }
        const char *eq = !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        for (int k = 0; opts[k].name; k++) {
            bool hit = (strlen(opts[k].name) == n && !strncmp(opts[k].name, a, n)) ||
                       (!eq && opts[k].alias && !strcmp(opts[k].alias, a));
            if (!hit)
                continue;
            if (!opts[k].value) {
                if (eq) {
                    fprintf(stderr, "pelorus %s: %s takes no value (see --help)\n", g->cmd, opts[k].name);
                    return CLI_BAD;
                }
                return k;
            }
            if (eq) {
                *val = eq + 1;
                return k;
            }
            if (g->i >= g->argc) {
                fprintf(stderr, "pelorus %s: %s needs a value (see --help)\n", g->cmd, a);
                return CLI_BAD;
            }
            *val = g->argv[g->i++];
            return k;
        }
        fprintf(stderr, "pelorus %s: unknown option %s (see --help)\n", g->cmd, a);
        return CLI_BAD;
    }
}

bool cli_real(const char *cmd, const char *opt, const char *v, double lo, double hi, const char *unit, double *out) {
    double d;
    if (num_real(v, &d) && d >= lo && d <= hi) {
        *out = d;
        return true;
    }
    fprintf(stderr, "pelorus %s: %s wants a number from %.15g to %.15g%s%s, not \"%s\"\n", cmd, opt, lo, hi,
            unit ? " " : "", unit ? unit : "", v);
    return false;
}

bool cli_whole(const char *cmd, const char *opt, const char *v, uint64_t lo, uint64_t hi, const char *unit,
               uint64_t *out) {
    uint64_t x;
    if (num_uint(v, &x) && x >= lo && x <= hi) {
        *out = x;
        return true;
    }
    fprintf(stderr, "pelorus %s: %s wants a whole number from %llu to %llu%s%s, not \"%s\"\n", cmd, opt,
            (unsigned long long)lo, (unsigned long long)hi, unit ? " " : "", unit ? unit : "", v);
    return false;
}

bool cli_mmsi(const char *cmd, const char *opt, const char *v, uint32_t *out) {
    uint64_t x;
    /* any MMSI the store can hold: the junk ones (0, 998809, 12345678) are
     * kept and reported as invalid_mmsi, so an analyst must be able to name
     * them */
    if (num_uint(v, &x) && x <= PEL_MMSI_MAX) {
        *out = (uint32_t)x;
        return true;
    }
    fprintf(stderr, "pelorus %s: %s wants an MMSI (a whole number, 0 to %u, what AIS can carry), not \"%s\"\n", cmd,
            opt, PEL_MMSI_MAX, v);
    return false;
}

bool cli_time(const char *cmd, const char *opt, const char *v, int64_t *out) {
    if (pel_parse_time(v, strlen(v), out))
        return true;
    fprintf(stderr,
            "pelorus %s: %s wants a time (ISO-8601 UTC, e.g. 2023-11-14T00:00:00Z, or Unix seconds), not \"%s\"\n", cmd,
            opt, v);
    return false;
}

bool cli_choice(const char *cmd, const char *opt, const char *v, const cli_name *names, int *out) {
    size_t n = 0;
    for (; names[n].name; n++)
        if (!strcmp(v, names[n].name)) {
            *out = names[n].value;
            return true;
        }
    fprintf(stderr, "pelorus %s: %s wants ", cmd, opt);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i].name);
    fprintf(stderr, ", not \"%s\"\n", v);
    return false;
}

const cli_name cli_input_formats[] = {
    {"auto", PEL_IN_AUTO},
    {"nmea", PEL_IN_NMEA},
    {"noaa", PEL_IN_NOAA},
    {"dma", PEL_IN_DMA},
    {"kystverket", PEL_IN_KYSTVERKET},
    {"barentswatch", PEL_IN_BARENTSWATCH},
    {"csv", PEL_IN_CSV},
    {NULL, 0},
};

bool cli_period(const char *cmd, bool has_from, int64_t from, bool has_to, int64_t to) {
    if (!has_from || !has_to || from <= to)
        return true;
    char a[40], b[40];
    pel_format_time(from, a);
    pel_format_time(to, b);
    fprintf(stderr, "pelorus %s: --from (%s) is after --to (%s)\n", cmd, a, b);
    return false;
}

FILE *cli_out_open(const char *cmd, cli_out *o, const char *path) {
    memset(o, 0, sizeof *o);
    if (!path) {
        o->f = stdout;
        return o->f;
    }
    pel_error err = {0};
    if (outfile_open(&o->file, path, &err) != PEL_OK) {
        fprintf(stderr, "pelorus %s: %s\n", cmd, err.msg);
        return NULL;
    }
    o->named = true;
    o->f = o->file.f;
    return o->f;
}

bool cli_out_close(const char *cmd, cli_out *o, bool keep) {
    bool ok = true;
    if (o->named) {
        pel_error err = {0};
        if (!keep)
            outfile_discard(&o->file);
        else if (outfile_commit(&o->file, &err) != PEL_OK) {
            fprintf(stderr, "pelorus %s: %s\n", cmd, err.msg);
            ok = false;
        }
    } else if (o->f) {
        errno = 0;
        if (fflush(o->f) != 0 || ferror(o->f)) {
            fprintf(stderr, "pelorus %s: writing standard output failed: %s\n", cmd, strerror(errno ? errno : EIO));
            ok = false;
        }
    }
    memset(o, 0, sizeof *o);
    return ok;
}

int cli_stdout_done(const char *cmd, int rc) {
    errno = 0;
    bool bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    /* a close error counts too (NFS reports late), but not a descriptor
     * that was never open (>&-) when nothing was written to it */
    if (!bad) {
        errno = 0;
        if (fclose(stdout) != 0 && errno != EBADF) {
            bad = true;
            e = errno;
        }
    }
    if (bad && rc == 0) {
        fprintf(stderr, "pelorus%s%s: writing standard output failed: %s\n", cmd ? " " : "", cmd ? cmd : "",
                strerror(e ? e : EIO));
        rc = 1;
    }
    return rc;
}
