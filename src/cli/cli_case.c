/*
 * cli_case.c -- pelorus case export|verify|sign|list|findings and pelorus
 * key new: case files partners can verify (docs/case.md).  A thin layer
 * over pel_case_*; importing a case is pelorus ingest CASE (cli_store.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelorus.h"

static const char case_help[] =
    "usage: pelorus case export --db DB --vessel MMSI [--vessel MMSI]... [OPTIONS] --out CASE\n"
    "       pelorus case verify [--pubkey FILE] CASE\n"
    "       pelorus case sign --key FILE CASE\n"
    "       pelorus case list [--db DB]\n"
    "       pelorus case findings [--db DB] [--case ID] [--vessel MMSI]\n"
    "       pelorus key new --out NAME   (writes NAME.key, secret, and NAME.pub)\n"
    "\n"
    "A case carries its own evidence: the findings about some vessels, every\n"
    "input line they rest on byte for byte with its file and line, every line of\n"
    "the vessels involved (and their partners) over the findings' window with a\n"
    "margin, the list entries matched, the ports, zones and settings used, a\n"
    "printable dossier (case.html) and a MANIFEST of SHA-256 sums.  A partner\n"
    "verifies it with nothing but the case: verify checks every file and line,\n"
    "the signature, and reruns the detectors on the case's lines, which must give\n"
    "its findings byte for byte; any difference is named by file and line and the\n"
    "exit status is 1.  Import a partner's case with pelorus ingest CASE.\n"
    "\n"
    "export options:\n"
    "  --db PATH          the database (default pelorus.db)\n"
    "  --vessel MMSI      a vessel of the case (repeatable; at least one)\n"
    "  --finding ID       only this finding (its finding_id; repeatable)\n"
    "  --from T, --to T   only findings meeting this period (ISO-8601 or Unix)\n"
    "  --margin-h H       lines held before the first finding and after the\n"
    "                     last (24; 0 to 8760)\n"
    "  --context-km K     other vessels' lines held within K km of the tracks,\n"
    "                     the coverage a gap is judged by (15; 0: none)\n"
    "  --title TEXT       the case's title\n"
    "  --input-dir DIR    where to find inputs moved since they were ingested\n"
    "  --set NAME=VALUE   a detector setting, as pelorus scan (repeatable)\n"
    "  --zones FILE, --data-dir DIR   as pelorus scan\n"
    "  --zip              write CASE as one .zip file\n"
    "  -q, --quiet        no summary on standard error\n";

static int fail_usage(const char *msg, const char *arg) {
    fprintf(stderr, "pelorus case: %s%s%s (see pelorus case --help)\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

static void on_differ(void *ud, const char *id, const char *event, const char *why) {
    (void)ud;
    fprintf(stderr, "pelorus case export: finding %s (%s) is not given the same by the case alone: %s\n", id, event,
            why);
}

static void on_unread(void *ud, const char *path, const char *msg) {
    (void)ud;
    fprintf(stderr, "pelorus case export: left out, as it holds no position of the vessels in the window: %s\n", msg);
    (void)path;
}

static int case_export(int argc, char **argv) {
    const char *db = cli_default_db(), *out = NULL;
    pel_case_opts o = {0};
    bool quiet = false;
    uint32_t *mmsi = calloc((size_t)argc + 1, sizeof *mmsi);
    const char **ids = calloc((size_t)argc + 1, sizeof *ids), **set = calloc((size_t)argc + 1, sizeof *set);
    if (!mmsi || !ids || !set) {
        free(mmsi);
        free(ids);
        free(set);
        return 1;
    }
    enum {
        O_HELP,
        O_QUIET,
        O_DB,
        O_VESSEL,
        O_FINDING,
        O_FROM,
        O_TO,
        O_MARGIN,
        O_CONTEXT,
        O_TITLE,
        O_INDIR,
        O_SET,
        O_ZONES,
        O_DATA,
        O_ZIP,
        O_OUT
    };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_QUIET] = {"--quiet", "-q", false},
        [O_DB] = {"--db", NULL, true},
        [O_VESSEL] = {"--vessel", NULL, true},
        [O_FINDING] = {"--finding", NULL, true},
        [O_FROM] = {"--from", NULL, true},
        [O_TO] = {"--to", NULL, true},
        [O_MARGIN] = {"--margin-h", NULL, true},
        [O_CONTEXT] = {"--context-km", NULL, true},
        [O_TITLE] = {"--title", NULL, true},
        [O_INDIR] = {"--input-dir", NULL, true},
        [O_SET] = {"--set", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_ZIP] = {"--zip", NULL, false},
        [O_OUT] = {"--out", "-o", true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "case export", argc, argv);
    const char *v;
    int rc = 0;
    double ctx = 15;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            rc = fail_usage("unexpected argument", v);
            break;
        case O_HELP:
            fputs(case_help, stdout);
            free(mmsi);
            free(ids);
            free(set);
            return 0;
        case O_QUIET:
            quiet = true;
            break;
        case O_DB:
            db = v;
            break;
        case O_VESSEL:
            if (!cli_mmsi("case export", "--vessel", v, &mmsi[o.nmmsi++]))
                rc = 2;
            break;
        case O_FINDING:
            ids[o.nfinding++] = v;
            break;
        case O_FROM:
            o.has_from = cli_time("case export", "--from", v, &o.from_ms);
            rc = o.has_from ? 0 : 2;
            break;
        case O_TO:
            o.has_to = cli_time("case export", "--to", v, &o.to_ms);
            rc = o.has_to ? 0 : 2;
            break;
        case O_MARGIN:
            if (!cli_real("case export", "--margin-h", v, 0, 8760, "hours", &o.margin_h))
                rc = 2;
            break;
        case O_CONTEXT:
            if (!cli_real("case export", "--context-km", v, 0, 1000, "km", &ctx))
                rc = 2;
            break;
        case O_TITLE:
            o.title = v;
            break;
        case O_INDIR:
            o.input_dir = v;
            break;
        case O_SET:
            set[o.nset++] = v;
            break;
        case O_ZONES:
            o.zones_path = v;
            break;
        case O_DATA:
            o.data_dir = v;
            break;
        case O_ZIP:
            o.zip = true;
            break;
        case O_OUT:
            out = v;
            break;
        }
    }
    o.context_km = ctx > 0 ? ctx : -1;
    o.mmsi = mmsi;
    o.finding = ids;
    o.set = set;
    if (!rc && !o.nmmsi)
        rc = fail_usage("export needs --vessel MMSI", NULL);
    if (!rc && !out)
        rc = fail_usage("export needs --out CASE", NULL);
    if (!rc && !cli_period("case export", o.has_from, o.from_ms, o.has_to, o.to_ms))
        rc = 2;
    pel_error err = {0};
    if (!rc && pel_scan_check_settings(o.set, o.nset, &err) != PEL_OK)
        rc = fail_usage(err.msg, NULL);
    pel_store *s = NULL;
    if (!rc && !(s = pel_store_open(db, true, &err))) {
        fprintf(stderr, "pelorus case export: %s\n", err.msg);
        rc = 1;
    }
    if (!rc) {
        o.on_differ = on_differ;
        o.on_unread = on_unread;
        pel_case_stats st;
        if (pel_case_export(s, &o, out, &st, &err) != PEL_OK) {
            fprintf(stderr, "pelorus case export: %s\n", err.msg);
            rc = err.code == PEL_ERR_ARG ? 2 : 1;
        } else if (!quiet)
            fprintf(stderr,
                    "pelorus case export: %s (case %s): %llu findings, %llu of the database's %llu given byte for "
                    "byte by the case alone; %llu vessels, %llu lines from %llu inputs\n",
                    out, st.id, (unsigned long long)st.findings, (unsigned long long)st.reproduced,
                    (unsigned long long)st.origin_findings, (unsigned long long)st.vessels,
                    (unsigned long long)st.lines, (unsigned long long)st.inputs);
        if (!rc && !quiet && st.partner_inputs)
            fprintf(stderr,
                    "pelorus case export: the lines of %llu inputs from partners' cases are theirs: not exported "
                    "again\n",
                    (unsigned long long)st.partner_inputs);
    }
    pel_store_close(s);
    free(mmsi);
    free(ids);
    free(set);
    return rc;
}

static void on_problem(void *ud, const char *file, uint64_t line, const char *what) {
    (void)ud;
    if (line)
        printf("FAIL %s:%llu: %s\n", file, (unsigned long long)line, what);
    else
        printf("FAIL %s: %s\n", file, what);
}

/* The arguments of verify and sign: one case and the value of one
 * option (opt).  Returns 0 with them set, -1 after --help, 2 after a usage
 * error. */
static int one_case(int argc, char **argv, const char *cmd, const char *opt, const char **val, const char **path) {
    enum { O_HELP, O_VAL };
    const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_VAL] = {opt, NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, cmd, argc, argv);
    const char *v;
    int rc = 0;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        if (k == CLI_BAD)
            rc = 2;
        else if (k == O_HELP) {
            fputs(case_help, stdout);
            return -1;
        } else if (k == O_VAL)
            *val = v;
        else if (*path)
            rc = fail_usage("one case at a time:", v);
        else
            *path = v;
    }
    if (!rc && !*path)
        rc = fail_usage("which case?", NULL);
    return rc;
}

static int case_verify(int argc, char **argv) {
    const char *pub = NULL, *path = NULL;
    int rc = one_case(argc, argv, "case verify", "--pubkey", &pub, &path);
    if (rc)
        return rc < 0 ? 0 : rc;
    pel_error err = {0};
    pel_case_check r;
    if (pel_case_verify(path, pub, on_problem, NULL, &r, &err) != PEL_OK) {
        fprintf(stderr, "pelorus case verify: %s\n", err.msg);
        return 1;
    }
    if (r.is_signed)
        printf("%s signature by key %s\n", r.signature_ok ? "ok" : "FAIL", r.signer);
    else
        printf("unsigned\n");
    if (r.problems) {
        printf("FAIL case %s: %llu problem%s\n", r.id, (unsigned long long)r.problems, r.problems == 1 ? "" : "s");
        return 1;
    }
    printf("ok case %s: every file matches its MANIFEST, the rerun gives its %llu findings byte for byte\n", r.id,
           (unsigned long long)r.findings);
    return 0;
}

static int case_sign(int argc, char **argv) {
    const char *key = NULL, *path = NULL;
    int rc = one_case(argc, argv, "case sign", "--key", &key, &path);
    if (!rc && !key)
        rc = fail_usage("sign needs --key FILE", NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    pel_error err = {0};
    char who[65];
    if (pel_case_sign(path, key, who, &err) != PEL_OK) {
        fprintf(stderr, "pelorus case sign: %s\n", err.msg);
        return 1;
    }
    fprintf(stderr, "pelorus case sign: %s signed by key %s\n", path, who);
    return 0;
}

static int case_show(int argc, char **argv, bool findings) {
    const char *db = cli_default_db(), *id = NULL;
    uint32_t mmsi = 0;
    enum { O_HELP, O_DB, O_CASE, O_VESSEL };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},    [O_DB] = {"--db", NULL, true}, [O_CASE] = {"--case", NULL, true},
        [O_VESSEL] = {"--vessel", NULL, true}, {NULL, NULL, false},
    };
    const char *cmd = findings ? "case findings" : "case list";
    cli_args g;
    cli_args_init(&g, cmd, argc, argv);
    const char *v;
    int rc = 0;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        if (k == CLI_BAD)
            rc = 2;
        else if (k == O_HELP) {
            fputs(case_help, stdout);
            return 0;
        } else if (k == O_DB)
            db = v;
        else if (k == O_CASE && findings)
            id = v;
        else if (k == O_VESSEL && findings)
            rc = cli_mmsi(cmd, "--vessel", v, &mmsi) ? 0 : 2;
        else
            rc = fail_usage("unexpected", v);
    }
    if (rc)
        return rc;
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus %s: %s\n", cmd, err.msg);
        return 1;
    }
    pel_status st = findings ? pel_case_findings(s, id, mmsi, stdout, &err) : pel_case_list(s, stdout, &err);
    pel_store_close(s);
    if (st != PEL_OK) {
        fprintf(stderr, "pelorus %s: %s\n", cmd, err.msg);
        return 1;
    }
    return 0;
}

int cli_case(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(case_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "export"))
        return case_export(argc - 1, argv + 1);
    if (!strcmp(argv[1], "verify"))
        return case_verify(argc - 1, argv + 1);
    if (!strcmp(argv[1], "sign"))
        return case_sign(argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return case_show(argc - 1, argv + 1, false);
    if (!strcmp(argv[1], "findings"))
        return case_show(argc - 1, argv + 1, true);
    return fail_usage("unknown subcommand", argv[1]);
}

int cli_key(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(case_help, stdout);
        return 0;
    }
    if (argc != 4 || strcmp(argv[1], "new") != 0 || strcmp(argv[2], "--out") != 0) {
        fprintf(stderr, "usage: pelorus key new --out NAME   (writes NAME.key and NAME.pub)\n");
        return 2;
    }
    size_t n = strlen(argv[3]) + 8;
    char *sk = malloc(n), *pk = malloc(n);
    if (!sk || !pk) {
        free(sk);
        free(pk);
        return 1;
    }
    snprintf(sk, n, "%s.key", argv[3]);
    snprintf(pk, n, "%s.pub", argv[3]);
    pel_error err = {0};
    int rc = 0;
    if (pel_key_new(sk, pk, &err) != PEL_OK) {
        fprintf(stderr, "pelorus key new: %s\n", err.msg);
        rc = 1;
    } else
        fprintf(stderr, "pelorus key new: secret key %s (keep it to yourself), public key %s (give it to partners)\n",
                sk, pk);
    free(sk);
    free(pk);
    return rc;
}
