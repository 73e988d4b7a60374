/*
 * det_zone.c -- zone stays: when a vessel entered and left each polygon of
 * interest (geo->zones_at: sanctioned waters, ship-to-ship transfer areas,
 * exclusive economic zones...).
 *
 * Rules:
 *   - Positions are followed along chains (detectors.h), so a clone under
 *     the same MMSI elsewhere does not cut or fake a stay.
 *   - A stay in a zone is a run of consecutive positions of a chain inside
 *     it; the first position outside ends it.  There is no hysteresis: a
 *     zone boundary is a legal line, and a vessel that crosses it and comes
 *     back makes two stays.  A position may be in several zones at once
 *     (up to DET_ZONE_MAX); each zone has its own stays.
 *   - Start is the first position inside, end the last one inside.  A stay
 *     still open at the end of the chain ends there (exit "silence"), or is
 *     "open" when that is the vessel's last position (exit "data_end").
 *   - entered_from is the position before the first inside (the crossing
 *     happened between the two), null when the chain started inside.
 *
 *   - Policies (data/zones.geojson's properties.policy): in an "entry"
 *     zone (port approaches, territorial waters) every stay counts; in a
 *     "dwell" zone (open-sea transfer areas that ordinary traffic crosses
 *     at sea speed) a stay counts only when it holds positions in a row,
 *     each reporting a SOG under dwell_max_speed_kn (a position without
 *     SOG breaks the run), lasting dwell_min_h or more from the first to
 *     the last.  A stay that does not is a transit: no finding, and no
 *     risk; `pelorus vessel` shows it as context.
 *
 * Defaults: det_table's settings (detectors.c): every stay in an entry
 * zone is reported, in a dwell zone 2 h under 2 kn.
 *
 * Limits: a silence inside a slow run does not end it (a vessel slow
 * before and after an hour unheard is taken to have stayed slow).  The
 * crossing time is known only to within the reporting
 * interval; a vessel that crosses a zone between two positions (or stays
 * silent inside) leaves no stay.  Zones beyond DET_ZONE_MAX at one point
 * are ignored.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"

void det_zone_default_opts(det_zone_opts *o) {
    det_opts_default(&det_table[DET_ZONE_ENTRY], o);
}

typedef struct stay {
    int zone;
    size_t from, first, last, out; /* from/out: before/after, DET_CHAIN_END if none */
    size_t positions;
    size_t slow_from; /* the first position of the slow run going on, DET_CHAIN_END if none */
    int64_t dwell_ms; /* the longest slow run so far */
} stay;

/* Where the stays go: findings, and transits of dwell zones. */
typedef struct zone_out {
    fnd_emit_fn emit, transits;
    void *ud, *tud;
} zone_out;

static void emit_stay(const det_zone_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                      const stay *s, const zone_out *out) {
    if ((long)s->positions < o->min_positions)
        return;
    bool dwell_zone = geo->zone_dwell && geo->zone_dwell(geo->ud, s->zone);
    bool transit = dwell_zone && (double)s->dwell_ms < o->dwell_min_h * 3.6e6;
    if (transit && !out->transits)
        return;
    fnd_builder f = {0};
    char t[40];
    f.event = transit ? "zone_transit" : "zone_entry";
    f.mmsi = mmsi;
    f.start_ms = p[s->first].t_ms;
    f.end_ms = p[s->last].t_ms;
    f.lat = (double)p[s->first].lat / PEL_DEG;
    f.lon = (double)p[s->first].lon / PEL_DEG;
    fnd_str(&f, "zone", geo->zone_name ? geo->zone_name(geo->ud, s->zone) : NULL);
    fnd_int(&f, "zone_index", s->zone);
    fnd_str(&f, "policy", dwell_zone ? "dwell" : "entry");
    if (dwell_zone)
        fnd_num(&f, "dwell_h", (double)s->dwell_ms / 3.6e6, 2);
    fnd_int(&f, "positions", (int64_t)s->positions);
    fnd_num(&f, "duration_h", (double)(f.end_ms - f.start_ms) / 3.6e6, 2);
    if (s->from != DET_CHAIN_END) {
        pel_format_time(p[s->from].t_ms, t);
        fnd_obj(&f, "entered_from");
        fnd_str(&f, "time", t);
        fnd_num(&f, "lat", (double)p[s->from].lat / PEL_DEG, 6);
        fnd_num(&f, "lon", (double)p[s->from].lon / PEL_DEG, 6);
        fnd_end(&f);
    } else
        fnd_null(&f, "entered_from");
    const char *how = s->out != DET_CHAIN_END ? "left" : s->last == n - 1 ? "data_end" : "silence";
    fnd_str(&f, "exit", how);
    fnd_bool(&f, "open", s->out == DET_CHAIN_END && s->last == n - 1);
    if (s->from != DET_CHAIN_END)
        fnd_add_position(&f, &p[s->from]);
    fnd_add_position(&f, &p[s->first]);
    if (s->last != s->first)
        fnd_add_position(&f, &p[s->last]);
    if (s->out != DET_CHAIN_END)
        fnd_add_position(&f, &p[s->out]);
    if (transit)
        out->transits(out->tud, &f);
    else
        out->emit(out->ud, &f);
}

/* Marks the steps a stay spans (r's busy, det_resume): those after its
 * first position, up to its last. */
static void mark_stay(const det_resume *r, const stay *s) {
    if (r && r->busy)
        for (size_t k = s->first + 1; k <= s->last; k++)
            r->busy[k] = 1;
}

pel_status det_zone_track(const det_zone_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                          const det_resume *r, fnd_emit_fn emit, void *ud, fnd_emit_fn transits, void *tud) {
    det_zone_opts def;
    if (!o) {
        det_zone_default_opts(&def);
        o = &def;
    }
    if (n == 0 || !geo || !geo->zones_at)
        return PEL_OK;
    if (!emit)
        return PEL_ERR_ARG;
    const zone_out out = {emit, transits, ud, tud};
    size_t *link = det_vessel_chains(p, n);
    if (!link)
        return PEL_ERR_NOMEM;
    const size_t *next = link, *prev = link + n;
    for (size_t h = 0; h < n; h++) {
        if (prev[h] != DET_CHAIN_END)
            continue;
        stay open[DET_ZONE_MAX];
        size_t nopen = 0;
        for (size_t k = h; k != DET_CHAIN_END; k = next[k]) {
            if (r && k < r->from) /* context only: the state is empty at r->from */
                continue;
            int z[DET_ZONE_MAX];
            int nz = geo->zones_at(geo->ud, (double)p[k].lat / PEL_DEG, (double)p[k].lon / PEL_DEG, z, DET_ZONE_MAX);
            if (nz < 0)
                nz = 0;
            if (nz > DET_ZONE_MAX)
                nz = DET_ZONE_MAX;
            /* close the stays in zones this position is not in */
            size_t keep = 0;
            for (size_t s = 0; s < nopen; s++) {
                bool in = false;
                for (int i = 0; i < nz && !in; i++)
                    in = z[i] == open[s].zone;
                if (in)
                    open[keep++] = open[s];
                else {
                    open[s].out = k;
                    emit_stay(o, geo, mmsi, p, n, &open[s], &out);
                    mark_stay(r, &open[s]);
                }
            }
            nopen = keep;
            /* extend the others, open stays in newly entered zones */
            for (int i = 0; i < nz; i++) {
                size_t s = 0;
                while (s < nopen && open[s].zone != z[i])
                    s++;
                if (s == nopen) {
                    if (nopen == DET_ZONE_MAX)
                        continue;
                    open[nopen++] = (stay){
                        .zone = z[i], .from = prev[k], .first = k, .out = DET_CHAIN_END, .slow_from = DET_CHAIN_END};
                }
                open[s].last = k;
                open[s].positions++;
                if (p[k].speed != PEL_NA_SPEED && p[k].speed / 10.0 < o->dwell_max_speed_kn) {
                    if (open[s].slow_from == DET_CHAIN_END)
                        open[s].slow_from = k;
                    int64_t run = p[k].t_ms - p[open[s].slow_from].t_ms;
                    if (run > open[s].dwell_ms)
                        open[s].dwell_ms = run;
                } else
                    open[s].slow_from = DET_CHAIN_END;
            }
        }
        for (size_t s = 0; s < nopen; s++) {
            emit_stay(o, geo, mmsi, p, n, &open[s], &out);
            mark_stay(r, &open[s]);
        }
    }
    free(link);
    return PEL_OK;
}

pel_status det_zone_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    return det_zone_track(c->opts, &c->env->geo, mmsi, p, n, c->resume, c->emit, c->ud, NULL, NULL);
}
