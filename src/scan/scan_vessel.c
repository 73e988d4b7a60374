/*
 * scan_vessel.c -- pel_vessel_chain: the MMSIs one ship was heard under,
 * in time order, with the evidence of each link (detect/det_link.c, with
 * the identity detector's default settings; the same links a scan reports
 * as identity_change "mmsi").  Here, above detect/ and store/, because the
 * store's own vessel report (store/query.c) cannot see the detectors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "detect/detectors.h"
#include "pelorus.h"
#include "store/store.h"
#include "util/display.h"
#include "util/fail.h"

static void put_time(FILE *f, int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    fputs(t, f);
}

/* "FILE:LINE" of an evidence line (the input's path as ingested). */
static void put_line(FILE *f, char **paths, size_t npaths, uint32_t input, uint64_t line) {
    if (input < npaths && paths[input])
        disp_fputs(f, paths[input]);
    else
        fprintf(f, "input %u", input);
    fprintf(f, ":%llu", (unsigned long long)line);
}

static void put_mmsi(FILE *f, pel_store *s, uint32_t mmsi, pel_error *err, pel_status *rc) {
    st_vessel v;
    bool found = false;
    if (*rc == PEL_OK)
        *rc = st_vessel_get(s, mmsi, &v, &found, err);
    fprintf(f, "  %09u", mmsi);
    if (*rc == PEL_OK && found && v.has_times) {
        fputs("  ", f);
        put_time(f, v.first_ms);
        fputs(" .. ", f);
        put_time(f, v.last_ms);
    }
    fputc('\n', f);
}

static void put_link(FILE *f, const det_link *k, char **paths, size_t npaths) {
    static const char *const on[] = {"IMO", "name", "call sign", "size"};
    fprintf(f, "    -> went on as %09u after %.2f h, %.2f nm away (needs %.1f kn; %.1f kn allowed); the same ", k->to,
            (double)k->silence_ms / 3.6e6, k->distance_m / 1852.0,
            k->silence_ms
                ? k->distance_m / 1852.0 / ((double)(k->silence_ms < 0 ? -k->silence_ms : k->silence_ms) / 3.6e6)
                : 0.0,
            k->reach_kn);
    int n = 0;
    for (int b = 0; b < 4; b++)
        if (k->matched & (1u << b))
            fprintf(f, "%s%s", n++ ? ", " : "", on[b]);
    if (k->imo)
        fprintf(f, " (IMO %u)", k->imo);
    fputc('\n', f);
    fputs("       last position of the old MMSI  ", f);
    put_line(f, paths, npaths, k->last.input, k->last.line);
    fputs("\n       first position of the new one   ", f);
    put_line(f, paths, npaths, k->first.input, k->first.line);
    fputs("\n       identity reports                ", f);
    for (int i = 0; i < k->nident; i++) {
        if (i)
            fputs(", ", f);
        put_line(f, paths, npaths, k->ident[i].input, k->ident[i].line);
    }
    fputc('\n', f);
}

pel_status pel_vessel_chain(pel_store *s, uint32_t mmsi, const char *const *set, size_t nset, FILE *out,
                            pel_error *err) {
    if (!s || !out)
        return pel_fail(err, PEL_ERR_ARG, "pel_vessel_chain: no store or no output");
    det_opts opts[DET__COUNT];
    pel_status rc = det_settings_apply(opts, set, nset, err);
    if (rc != PEL_OK)
        return rc;
    det_links *l = NULL;
    rc = det_links_build(s, (const det_identity_opts *)opts[DET_IDENTITY].b, &l, err);
    if (rc != PEL_OK)
        return rc;
    uint32_t head = det_links_head(l, mmsi);
    if (!det_link_from(l, head)) {
        det_links_free(l);
        return PEL_OK; /* one MMSI: nothing to tell */
    }
    char **paths = NULL;
    size_t npaths = 0;
    rc = st_input_paths(s, &paths, &npaths, err);
    size_t n = 1;
    for (const det_link *k = det_link_from(l, head); k && n <= det_links_count(l); k = det_link_from(l, k->to))
        n++;
    fprintf(out, "\none ship under %zu MMSIs, in time order (identity_change \"mmsi\"; docs/findings.md)\n", n);
    uint32_t m = head;
    put_mmsi(out, s, m, err, &rc);
    for (size_t i = 1; i < n && rc == PEL_OK; i++) {
        const det_link *k = det_link_from(l, m);
        put_link(out, k, paths, npaths);
        m = k->to;
        put_mmsi(out, s, m, err, &rc);
    }
    for (size_t i = 0; paths && i < npaths; i++)
        free(paths[i]);
    free(paths);
    det_links_free(l);
    return rc;
}
