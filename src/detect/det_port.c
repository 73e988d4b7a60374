/*
 * det_port.c -- port visits: a vessel that came within 3 km of a port or
 * anchorage, stopped there, and left beyond 4 km.
 *
 * Rules:
 *   - Positions are followed along chains (detectors.h), so a clone
 *     transmitting far away under the same MMSI does not cut a visit.
 *   - Entry: the first position within entry_m (3 km) of a port.  The visit
 *     lasts while positions stay within exit_m (4 km) of a port
 *     (hysteresis: a vessel swinging at anchor around the 3 km line makes
 *     one visit, not many).  It ends at the last position before the first
 *     one beyond exit_m, or at the end of the chain (exit "silence"), or at
 *     the vessel's last position (exit "data_end", "open": true).
 *   - Stop: some position inside reports a speed over ground below stop_kn
 *     (0.5 kn).  A visit without a stop (a pass-by, a vessel only heard
 *     under way in the approaches) is not reported.
 *   - The port is the nearest one at the first stop; lat/lon of the finding
 *     are those of that stop.
 *   - "arrival_seen" is false when the vessel was already within entry_m at
 *     its first position: the visit began before the data (or before the
 *     silence the chain starts after).  A vessel in port from its first
 *     position to its last -- neither arrival nor departure seen -- made no
 *     visit we saw; it is reported only at a port of concern.
 *
 * Defaults: det_table's settings (detectors.c).  The nearest port is looked
 * for only twice exit_m around each position (20 km at least, well past
 * any visit) when the geography can (det_geo.port_within_m): cheap in the
 * open sea.
 *
 * Limits: the stop rests on reported speed only: a vessel whose positions
 * carry no speed never stops.  A silence inside the port is part of the
 * visit (the chain carries on over it), whatever its length.  Moving from
 * one port to an adjacent one without passing exit_m is one visit.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"

void det_port_default_opts(det_port_opts *o) {
    det_opts_default(&det_table[DET_PORT_VISIT], o);
}

typedef struct visit {
    size_t entry, last, stop, out; /* out: first position outside, or DET_CHAIN_END */
    int port;                      /* nearest port at the stop */
    double min_kn;
    size_t positions;
    int arrival_seen; /* 1 when a position of the chain came before the entry */
} visit;

static void emit_visit(const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n, const visit *v,
                       fnd_emit_fn emit, void *ud) {
    if (v->stop == DET_CHAIN_END)
        return; /* no stop: a pass-by */
    /* in port from the first position to the last, neither arriving nor
     * leaving: no visit was seen, only a vessel at berth while the data
     * lasted -- worth telling for a port of concern only */
    int concern = geo->port_concern ? geo->port_concern(geo->ud, v->port) : 0;
    if (!v->arrival_seen && v->out == DET_CHAIN_END && v->last == n - 1 && concern != 1)
        return;
    fnd_builder f = {0};
    f.event = "port_visit";
    f.mmsi = mmsi;
    f.start_ms = p[v->entry].t_ms;
    f.end_ms = p[v->last].t_ms;
    f.lat = (double)p[v->stop].lat / PEL_DEG;
    f.lon = (double)p[v->stop].lon / PEL_DEG;
    fnd_str(&f, "port", geo->port_name ? geo->port_name(geo->ud, v->port) : NULL);
    fnd_int(&f, "port_index", v->port);
    fnd_bool(&f, "port_concern", geo->port_concern ? (geo->port_concern(geo->ud, v->port) ? 1 : 0) : -1);
    fnd_num(&f, "duration_h", (double)(f.end_ms - f.start_ms) / 3.6e6, 2);
    fnd_int(&f, "positions", (int64_t)v->positions);
    fnd_num(&f, "min_speed_kn", v->min_kn, 1);
    fnd_bool(&f, "stopped", 1);
    const char *how = v->out != DET_CHAIN_END ? "left" : v->last == n - 1 ? "data_end" : "silence";
    fnd_str(&f, "exit", how);
    fnd_bool(&f, "open", v->out == DET_CHAIN_END && v->last == n - 1);
    /* already there when the data begin: the arrival was not seen */
    fnd_bool(&f, "arrival_seen", v->arrival_seen);
    fnd_add_position(&f, &p[v->entry]);
    if (v->stop != v->entry)
        fnd_add_position(&f, &p[v->stop]);
    if (v->last != v->entry && v->last != v->stop)
        fnd_add_position(&f, &p[v->last]);
    if (v->out != DET_CHAIN_END)
        fnd_add_position(&f, &p[v->out]);
    emit(ud, &f);
}

/* Marks the steps a visit spans (r's busy, det_resume): those after its
 * entry, up to its last position inside. */
static void mark_visit(const det_resume *r, const visit *v) {
    if (r && r->busy)
        for (size_t k = v->entry + 1; k <= v->last; k++)
            r->busy[k] = 1;
}

pel_status det_port_track(const det_port_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                          const det_resume *r, fnd_emit_fn emit, void *ud) {
    det_port_opts def;
    if (!o) {
        det_port_default_opts(&def);
        o = &def;
    }
    if (n == 0 || !geo || !geo->port_dist_m)
        return PEL_OK;
    if (!emit)
        return PEL_ERR_ARG;
    size_t *link = det_vessel_chains(p, n);
    if (!link)
        return PEL_ERR_NOMEM;
    const size_t *next = link, *prev = link + n;
    double near = o->exit_m * 2 > 20000 ? o->exit_m * 2 : 20000; /* well past any visit */
    for (size_t h = 0; h < n; h++) {
        if (prev[h] != DET_CHAIN_END)
            continue;
        bool inside = false;
        visit v = {0};
        for (size_t k = h; k != DET_CHAIN_END; k = next[k]) {
            if (r && k < r->from) /* context only: the state is empty at r->from */
                continue;
            int idx = -1;
            double lat = (double)p[k].lat / PEL_DEG, lon = (double)p[k].lon / PEL_DEG;
            double d = geo->port_within_m ? geo->port_within_m(geo->ud, lat, lon, near, &idx)
                                          : geo->port_dist_m(geo->ud, lat, lon, &idx);
            if (isnan(d) || idx < 0)
                d = INFINITY;
            if (inside && d > o->exit_m) {
                v.out = k;
                emit_visit(geo, mmsi, p, n, &v, emit, ud);
                mark_visit(r, &v);
                inside = false;
            }
            if (!inside && d <= o->entry_m) {
                inside = true;
                v = (visit){.entry = k,
                            .stop = DET_CHAIN_END,
                            .out = DET_CHAIN_END,
                            .port = -1,
                            .min_kn = NAN,
                            .arrival_seen = k != h};
            }
            if (!inside)
                continue;
            v.last = k;
            v.positions++;
            if (p[k].speed != PEL_NA_SPEED) {
                double kn = p[k].speed / 10.0;
                if (isnan(v.min_kn) || kn < v.min_kn)
                    v.min_kn = kn;
                if (kn < o->stop_kn && v.stop == DET_CHAIN_END) {
                    v.stop = k;
                    v.port = idx;
                }
            }
        }
        if (inside) {
            emit_visit(geo, mmsi, p, n, &v, emit, ud);
            mark_visit(r, &v);
        }
    }
    free(link);
    return PEL_OK;
}

pel_status det_port_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    return det_port_track(c->opts, &c->env->geo, mmsi, p, n, c->resume, c->emit, c->ud);
}
