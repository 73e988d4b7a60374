/*
 * cli_review.c -- pelorus review: an analyst's judgement of a finding,
 * kept with its history (docs/review.md).  A thin layer over pel_review and
 * pel_reviews_write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "pelorus.h"

static const char review_help[] =
    "usage: pelorus review [--db DB] FINDING_ID --status confirmed|dismissed|open [--note TEXT] [--by NAME]\n"
    "       pelorus review [--db DB] [FINDING_ID]      (the reviews so far, as JSON lines)\n"
    "\n"
    "Records an analyst's review of a finding, by its finding_id (pelorus scan\n"
    "writes it on every finding).  Every review is kept, with who and when; the\n"
    "latest is the finding's status: later scans give the finding a \"review\"\n"
    "member, a dismissed finding stops counting in pelorus vessels --rank and the\n"
    "report (its reason shown with the dismissal), and a case carries the\n"
    "reviews of its findings.  A finding keeps its id as it grows, so its\n"
    "review, across scans.\n"
    "\n"
    "options:\n"
    "  --db PATH          the database (default pelorus.db)\n"
    "  --status S         confirmed, dismissed or open\n"
    "  --note TEXT        why (kept as written)\n"
    "  --by NAME          who reviews (default: $USER)\n"
    "  --set NAME=VALUE, --zones FILE, --data-dir DIR\n"
    "                     the scan the finding must be found by (as pelorus scan)\n";

int cli_review(int argc, char **argv) {
    const char *db = cli_default_db(), *id = NULL, *status = NULL, *note = NULL, *by = getenv("USER");
    const char **set = calloc((size_t)argc + 1, sizeof *set);
    if (!set)
        return 1;
    pel_scan_opts so = {0};
    bool by_given = false;
    enum { O_HELP, O_DB, O_STATUS, O_NOTE, O_BY, O_SET, O_ZONES, O_DATA };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_DB] = {"--db", NULL, true},
        [O_STATUS] = {"--status", NULL, true},
        [O_NOTE] = {"--note", NULL, true},
        [O_BY] = {"--by", NULL, true},
        [O_SET] = {"--set", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "review", argc, argv);
    const char *v;
    int rc = 0;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            if (id) {
                fprintf(stderr, "pelorus review: one finding at a time (see --help)\n");
                rc = 2;
            }
            id = v;
            break;
        case O_HELP:
            fputs(review_help, stdout);
            free(set);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_STATUS:
            status = v;
            break;
        case O_NOTE:
            note = v;
            break;
        case O_BY:
            by = v;
            by_given = true;
            break;
        case O_SET:
            set[so.nset++] = v;
            break;
        case O_ZONES:
            so.zones_path = v;
            break;
        case O_DATA:
            so.data_dir = v;
            break;
        }
    }
    so.set = set;
    pel_error err = {0};
    if (!rc && (note || by_given) && !status) {
        fprintf(stderr, "pelorus review: --note and --by go with --status (see --help)\n");
        rc = 2;
    }
    if (!rc && status && !id) {
        fprintf(stderr, "pelorus review: which finding? (its finding_id; see --help)\n");
        rc = 2;
    }
    if (!rc && pel_scan_check_settings(so.set, so.nset, &err) != PEL_OK) {
        fprintf(stderr, "pelorus review: %s\n", err.msg);
        rc = 2;
    }
    pel_store *s = NULL;
    if (!rc && !(s = pel_store_open(db, !status, &err))) {
        fprintf(stderr, "pelorus review: %s\n", err.msg);
        rc = 1;
    }
    if (!rc && status) {
        int64_t seq = 0;
        pel_status st = pel_review(s, &so, id, status, note, by ? by : "", (int64_t)time(NULL) * 1000, &seq, &err);
        if (st != PEL_OK) {
            fprintf(stderr, "pelorus review: %s\n", err.msg);
            rc = st == PEL_ERR_ARG ? 2 : 1;
        } else
            fprintf(stderr, "pelorus review: finding %s %s by %s (review %lld of it)\n", id, status, by,
                    (long long)seq);
    } else if (!rc && pel_reviews_write(s, id, stdout, &err) != PEL_OK) {
        fprintf(stderr, "pelorus review: %s\n", err.msg);
        rc = 1;
    }
    pel_store_close(s);
    free(set);
    return rc;
}
