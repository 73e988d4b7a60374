/*
 * cli_eval.c -- pelorus eval: score findings against the known answers of a
 * simulation (docs/evaluation.md).  FINDINGS "-" is standard input, read
 * through /dev/stdin (so error messages name "/dev/stdin:LINE"; Linux and
 * the BSDs have it).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/escape.h"

static const char eval_help[] = "usage: pelorus eval [OPTIONS] TRUTH FINDINGS\n"
                                "\n"
                                "Scores FINDINGS (JSON lines as pelorus scan writes them; - for standard\n"
                                "input) against TRUTH (truth.jsonl as pelorus simulate writes it).  A\n"
                                "finding matches a truth item of the same event, the same vessel (the\n"
                                "unordered pair for encounter and identity_change imo_shared), the same\n"
                                "kind (spoofing) or field (identity_change) when the truth gives one, and\n"
                                "a time interval overlapping the truth's widened by the slack either side.\n"
                                "Each truth item and each finding is matched at most once: the pairs with\n"
                                "the largest overlap first, ties in file order.  Optional truth items\n"
                                "(\"optional\": true) neither count as misses nor make their finding a\n"
                                "false alarm.  See docs/evaluation.md.\n"
                                "\n"
                                "Writes a table per event and over all events (truth, found, tp, fp, fn,\n"
                                "optional_matched, precision, recall, F1; - when 0/0), then the missed\n"
                                "truth items and the false alarms.\n"
                                "\n"
                                "options:\n"
                                "  --slack-h H   time tolerance either side of a truth interval, hours\n"
                                "                (default 1; 0 = the intervals themselves must overlap)\n"
                                "  --min-f1 X    exit 1 when an event's F1 is below X (0..1); an event with\n"
                                "                truth items or findings and no F1 counts as below; the\n"
                                "                failing rows are named on standard error\n"
                                "  --json        the rows as JSON lines instead of the table: one object\n"
                                "                per event, then \"all\", members event, truth, found, tp,\n"
                                "                fp, fn, precision, recall, f1 (null when 0/0)\n"
                                "  -q, --quiet   no summary on standard error\n"
                                "\n"
                                "exit status: 0 done; 1 below --min-f1, or a file unreadable or not in\n"
                                "the format; 2 usage\n";

static void json_num(FILE *f, const char *name, double v) {
    if (isnan(v))
        fprintf(f, ",\"%s\":null", name);
    else
        fprintf(f, ",\"%s\":%.6g", name, v);
}

static void json_row(FILE *f, const pel_eval_row *r) {
    /* event names come from the files: the JSON policy of util/escape.h */
    fputs("{\"event\":", f);
    esc_json_string(f, r->event, 0);
    fprintf(f, ",\"truth\":%llu,\"found\":%llu,\"tp\":%llu,\"fp\":%llu,\"fn\":%llu", (unsigned long long)r->truth,
            (unsigned long long)r->found, (unsigned long long)r->tp, (unsigned long long)r->fp,
            (unsigned long long)r->fn);
    json_num(f, "precision", r->precision);
    json_num(f, "recall", r->recall);
    json_num(f, "f1", r->f1);
    fputs("}\n", f);
}

int cli_eval(int argc, char **argv) {
    const char *paths[2] = {NULL, NULL};
    int npath = 0;
    double slack_h = 1, min_f1 = NAN;
    bool json = false, quiet = false;
    enum { O_HELP, O_QUIET, O_JSON, O_SLACK, O_MINF1 };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},    [O_QUIET] = {"--quiet", "-q", false}, [O_JSON] = {"--json", NULL, false},
        [O_SLACK] = {"--slack-h", NULL, true}, [O_MINF1] = {"--min-f1", NULL, true}, {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "eval", argc, argv);
    const char *v;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            return 2;
        case CLI_ARG:
            if (npath == 2) {
                fprintf(stderr, "pelorus eval: more than two files (see --help)\n");
                return 2;
            }
            paths[npath++] = v;
            break;
        case O_HELP:
            fputs(eval_help, stdout);
            return 0;
        case O_QUIET:
            quiet = true;
            break;
        case O_JSON:
            json = true;
            break;
        case O_SLACK:
            if (!cli_real("eval", "--slack-h", v, 0, 1e5, "hours", &slack_h))
                return 2;
            break;
        case O_MINF1:
            if (!cli_real("eval", "--min-f1", v, 0, 1, NULL, &min_f1))
                return 2;
            break;
        }
    }
    if (npath != 2) {
        fprintf(stderr, "pelorus eval: wants TRUTH and FINDINGS (see --help)\n");
        return 2;
    }
    if (!strcmp(paths[0], "-")) {
        fprintf(stderr, "pelorus eval: TRUTH must be a file; only FINDINGS may be - (see --help)\n");
        return 2;
    }
    /* pel_eval_opts takes 0 as "the default"; 0.1 ms asks for no slack, as
     * the library rounds the slack to whole milliseconds */
    pel_eval_opts o = {.slack_s = slack_h > 0 ? slack_h * 3600 : 1e-4};
    pel_eval_result res;
    pel_error err = {0};
    const char *findings = strcmp(paths[1], "-") ? paths[1] : "/dev/stdin";
    pel_status r = pel_eval(paths[0], findings, &o, json ? NULL : stdout, &res, &err);
    if (r != PEL_OK) {
        fprintf(stderr, "pelorus eval: %s\n", err.msg[0] ? err.msg : "failed");
        return 1;
    }
    if (json) {
        for (size_t k = 0; k < res.nrows; k++)
            json_row(stdout, &res.rows[k]);
        json_row(stdout, &res.all);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "pelorus eval: writing the result: %s\n", strerror(errno));
        return 1;
    }
    if (!quiet) {
        fprintf(stderr, "pelorus eval: truth %llu, found %llu: %llu matched, %llu false alarms, %llu missed",
                (unsigned long long)res.all.truth, (unsigned long long)res.all.found, (unsigned long long)res.all.tp,
                (unsigned long long)res.all.fp, (unsigned long long)res.all.fn);
        if (isnan(res.all.f1))
            fputs("\n", stderr);
        else
            fprintf(stderr, ", F1 %.3f\n", res.all.f1);
    }
    int rc = 0;
    if (!isnan(min_f1))
        for (size_t k = 0; k < res.nrows; k++) {
            const pel_eval_row *row = &res.rows[k];
            /* NaN: nothing counted (no truth, no findings) is ignored, else below */
            bool below = isnan(row->f1) ? row->truth || row->found : row->f1 < min_f1;
            if (below) {
                if (isnan(row->f1))
                    fprintf(stderr, "pelorus eval: %s: F1 undefined, below %g\n", row->event, min_f1);
                else
                    fprintf(stderr, "pelorus eval: %s: F1 %.3f below %g\n", row->event, row->f1, min_f1);
                rc = 1;
            }
        }
    return rc;
}
