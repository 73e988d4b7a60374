/*
 * scan_zones.c -- a vessel's stays in the zones, for `pelorus vessel`
 * (pel_vessel_zones): the zone_entry detector's rules over one vessel,
 * with the crossings of "dwell" zones that are no finding (transits)
 * shown beside the stays that are.  A transit is context for an analyst
 * reading a vessel's history, never a finding and never risk.
 *
 * The zone detector's default settings apply (the vessel command takes no
 * --set); the zones are data/zones.geojson or a file of the caller's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detectors.h"
#include "scan_geo.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/xsort.h"

typedef struct zstay {
    int64_t start, end;
    int zone;
    bool transit, dwell_zone;
    double dwell_h;
    long positions;
} zstay;

typedef struct zctx {
    det_geo geo;
    det_zone_opts o;
    zstay *v;
    size_t n, cap;
    pel_position *use;
    size_t usecap;
    pel_status st;
} zctx;

static void keep(zctx *c, const fnd_builder *b, bool transit) {
    if (c->st != PEL_OK)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        zstay *v = realloc(c->v, cap * sizeof *v);
        if (!v) {
            c->st = PEL_ERR_NOMEM;
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    fnd_finding f;
    fnd_view(b, &f);
    const char *pol = fnd_get_str(&f, "policy");
    c->v[c->n++] = (zstay){.start = b->start_ms,
                           .end = b->end_ms,
                           .zone = (int)fnd_get_num(&f, "zone_index", -1),
                           .transit = transit,
                           .dwell_zone = pol && !strcmp(pol, "dwell"),
                           .dwell_h = fnd_get_num(&f, "dwell_h", 0),
                           .positions = (long)fnd_get_num(&f, "positions", 0)};
}

static void on_finding(void *ud, const fnd_builder *b) {
    keep(ud, b, false);
}

static void on_transit(void *ud, const fnd_builder *b) {
    keep(ud, b, true);
}

static int on_track(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    zctx *c = ud;
    if (n > c->usecap) {
        pel_position *u = realloc(c->use, n * sizeof *u);
        if (!u) {
            c->st = PEL_ERR_NOMEM;
            return 1;
        }
        c->use = u;
        c->usecap = n;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].segment >= 0)
            c->use[k++] = p[i];
    if (k && c->st == PEL_OK) {
        pel_status st = det_zone_track(&c->o, &c->geo, mmsi, c->use, k, NULL, on_finding, c, on_transit, c);
        if (st != PEL_OK)
            c->st = st;
    }
    return c->st != PEL_OK;
}

static int cmp_stay(const void *x, const void *y) {
    const zstay *a = x, *b = y;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->zone != b->zone)
        return a->zone < b->zone ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

pel_status pel_vessel_zones(pel_store *s, uint32_t mmsi, const char *data_dir, const char *zones_path,
                            const char *const *set, size_t nset, FILE *out, pel_error *err) {
    det_opts opts[DET__COUNT];
    pel_status st = det_settings_apply(opts, set, nset, err);
    if (st != PEL_OK)
        return st;
    scan_geo *g = NULL;
    st = scan_geo_load(data_dir, zones_path, &g, err);
    if (st != PEL_OK)
        return st;
    zctx c = {.geo = scan_geo_det(g), .st = PEL_OK};
    memcpy(&c.o, opts[DET_ZONE_ENTRY].b, sizeof c.o);
    pel_track_filter f = {.mmsi = &mmsi, .nmmsi = 1};
    st = pel_tracks(s, &f, on_track, &c, err);
    if (st == PEL_STOPPED || c.st != PEL_OK)
        st = c.st != PEL_OK ? c.st : PEL_ERR_NOMEM;
    if (st == PEL_OK) {
        xqsort(c.v, c.n, sizeof *c.v, cmp_stay);
        fputs("\nzone stays (a dwell zone's crossing is a transit: context, no finding)\n", out);
        if (!c.n)
            fputs("  none\n", out);
        for (size_t i = 0; i < c.n; i++) {
            const zstay *z = &c.v[i];
            char t0[40], t1[40];
            pel_format_time(z->start, t0);
            pel_format_time(z->end, t1);
            const char *name = c.geo.zone_name ? c.geo.zone_name(c.geo.ud, z->zone) : NULL;
            fprintf(out, "  %s .. %s  %-8s %ld positions  %s", t0, t1, z->transit ? "transit" : "finding", z->positions,
                    name ? name : "?");
            if (z->dwell_zone)
                fprintf(out, "  (dwell zone: slow %.1f h)", z->dwell_h);
            fputc('\n', out);
        }
    } else if (st == PEL_ERR_NOMEM && err && !err->msg[0])
        pel_fail(err, st, "out of memory");
    free(c.v);
    free(c.use);
    scan_geo_free(g);
    return st;
}
