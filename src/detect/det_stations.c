/*
 * det_stations.c -- the coverage map (docs/coverage.md) read once for a
 * scan (detectors.h, "det_stations"): what the footprint row and the gap
 * row ask of every station, and a digest of every hour for the
 * incremental scan.
 *
 * One pass over every row of the map, in its key's order (cell, station,
 * hour: no sort):
 *   - each station's cells with its receptions in each (the footprint
 *     row's: det_footprint.c), a station's rows of one cell being together
 *     in that order;
 *   - each station's pulse over the data's span: which ten-minute slots it
 *     heard anything in (the gap row's, for a cell without a baseline of
 *     its own: det_gap.c);
 *   - per hour, the sum of a hash of each of its rows (every station's,
 *     station 0 too): a sum, so that the order of the rows does not
 *     matter.  Two maps whose hour sums agree had the same rows in that
 *     hour, but for a collision of 64-bit hashes; the incremental scan
 *     re-judges the gaps within reach of an hour whose sum changed (late
 *     receptions that add no position -- a second station's duplicates --
 *     change the map and no track).
 *
 * Before, the footprint and gap rows each read the stations' rows on
 * their own: two passes over a month's 1.7 million rows, a tenth of an
 * incremental scan.
 */
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/mix.h"

#define PULSE_MAX_BYTES (256u << 20)

void det_stations_free(det_stations *m) {
    if (!m)
        return;
    for (size_t i = 0; i < m->nnames; i++)
        free(m->names[i]);
    free(m->names);
    free(m->pulse);
    for (size_t i = 0; m->cells && i < m->nnames; i++)
        free(m->cells[i]);
    free(m->cells);
    free(m->ncells);
    free(m->capcells);
    free(m->hours);
    free(m);
}

/* A hash of every field of row r. */
static uint64_t row_hash(const st_cov_row *r) {
    uint64_t h = util_mix(UTIL_MIX_SEED, (uint64_t)r->cell << 32 | r->station);
    h = util_mix(h, (uint64_t)r->hour);
    h = util_mix(h, (uint64_t)r->positions << 8 | r->slots);
    return util_mix(h, r->seen);
}

/* Adds r to station k's cells (a new cell, or more of the last one). */
static bool add_cell(det_stations *m, size_t k, const st_cov_row *r) {
    size_t n = m->ncells[k];
    if (n && m->cells[k][n - 1].cell == r->cell) {
        m->cells[k][n - 1].w += r->positions;
        return true;
    }
    if (n == m->capcells[k]) {
        size_t cap = n ? 2 * n : 64;
        det_station_cell *v = realloc(m->cells[k], cap * sizeof *v);
        if (!v)
            return false;
        m->cells[k] = v;
        m->capcells[k] = cap;
    }
    m->cells[k][m->ncells[k]++] = (det_station_cell){.cell = r->cell, .w = r->positions};
    return true;
}

pel_status det_stations_read(pel_store *s, int64_t data_start_ms, int64_t data_end_ms, det_stations **out,
                             pel_error *err) {
    *out = NULL;
    det_stations *m = calloc(1, sizeof *m);
    if (!m)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    pel_status st = st_source_names(s, &m->names, &m->nnames, err);
    if (st != PEL_OK) {
        det_stations_free(m);
        return st;
    }
    if (m->nnames &&
        (!(m->cells = calloc(m->nnames, sizeof *m->cells)) || !(m->ncells = calloc(m->nnames, sizeof *m->ncells)) ||
         !(m->capcells = calloc(m->nnames, sizeof *m->capcells)))) {
        det_stations_free(m);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    /* the pulse over the data's span, as the gap row asks (two stations
     * at least, and room to hold it) */
    if (data_end_ms > data_start_ms) {
        m->ss = data_start_ms / 600000;
        m->se = data_end_ms / 600000 + 1;
        m->h0 = data_start_ms / 3600000;
        m->nh = (size_t)(data_end_ms / 3600000 - m->h0 + 1);
        if (!(m->hours = calloc(m->nh + 1, sizeof *m->hours))) {
            det_stations_free(m);
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        }
        m->words = (size_t)((m->se - m->ss + 63) / 64);
        if (m->nnames >= 2 && m->words <= PULSE_MAX_BYTES / 8 / m->nnames &&
            !(m->pulse = calloc(m->nnames * m->words, sizeof *m->pulse))) {
            det_stations_free(m);
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the stations' pulse");
        }
    }
    st_iter *it = st_coverage_rows(s, ST_COV_STORED, 0, INT64_MIN / 4, INT64_MAX / 4, err);
    if (!it) {
        det_stations_free(m);
        return PEL_ERR_IO;
    }
    st_cov_row r;
    int step;
    while ((step = st_cov_row_next(it, &r, err)) > 0) {
        if (m->hours) { /* an hour outside the span: in the last sum */
            int64_t i = r.hour - m->h0;
            m->hours[i >= 0 && (size_t)i < m->nh ? (size_t)i : m->nh] += row_hash(&r);
        }
        if (r.station == 0 || r.station >= m->nnames)
            continue;
        if (!add_cell(m, r.station, &r)) {
            step = -(int)pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            break;
        }
        if (m->pulse) {
            uint64_t *bits = m->pulse + (size_t)r.station * m->words;
            for (int k = 0; k < 6; k++) {
                int64_t sl = r.hour * 6 + k - m->ss;
                if ((r.slots >> k & 1) && sl >= 0 && sl < m->se - m->ss)
                    bits[sl / 64] |= 1ull << (sl % 64);
            }
        }
    }
    st_iter_free(it);
    if (step < 0) {
        det_stations_free(m);
        return (pel_status)-step;
    }
    *out = m;
    return PEL_OK;
}
