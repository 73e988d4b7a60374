/*
 * det_cellsum.c -- a coverage cell's rows summed once, for the gap
 * detector's question "what did this cell hear during the gap, and
 * outside it?" (det_gap.c, cell_heard).
 *
 * A cell is asked about once per gap crossing it, and a busy cell by
 * thousands of gaps; walking its rows over the whole span each time made
 * a scan's cost grow with the square of the history.  Here each cell's
 * rows are copied once, with running totals (positions, vessels, slots
 * heard within the data's span) and running ors of the vessels' bits
 * from either end, so that a window costs two binary searches, the two
 * hours it cuts, and the vessel's own hours in the cell (few), whatever
 * the span.  The answers are those of the walk, to the unit: a row is in
 * the window when its six slots all are, before or after it when none
 * are, cut otherwise, and an hour in which the vessel itself was the only
 * one heard counts as silent.
 *
 * A question names its baseline's range too (the gap's window widened by
 * gap.baseline_days each side, within the span): only the rows meeting it
 * count.  The rows are read from the store (st_coverage_cell) for a range
 * of hours the first time a cell is asked about, and again when a question
 * reaches past what was read: CS_AHEAD_H hours are read past what is
 * asked, since the gap detector asks in time order (det_gap.c's finish).
 * The cache holds at most CS_MAX_ROWS rows: past that, the cells read only
 * for hours before the asker's sweep (det_cellsum_forget) go first, then
 * all.  The results never depend on it.
 */
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "geo/cell.h"
#include "store/store.h"
#include "util/fail.h"

#define CS_MAX_ROWS (1u << 20)
#define CS_AHEAD_H (7 * 24) /* hours read past what a question asks */

/* One cell: what every station heard together, an hour a row (st_cov_all), with running totals, and
 * every station's own rows (vessels, by hour) with theirs. */
typedef struct cs_cell {
    uint32_t cell;  /* GEO_CELL_NONE: an empty slot */
    int64_t lo, hi; /* the hours read from the store, inclusive */
    size_t n;       /* hours heard (every station together) */
    size_t nrows;   /* rows read (for the cache's size) */
    int64_t *hour;
    uint32_t *pos, *ves;
    uint64_t *seen;
    uint8_t *slots;
    uint64_t *cpos, *cves, *cslots; /* [n + 1]: sums of rows [0, i) */
    uint64_t *por, *sor;            /* [n + 1]: or of rows [0, i) and of rows [i, n) */
    size_t ns;                      /* stations' rows */
    uint32_t *st_id;                /* station of each, ascending; hours ascending within */
    int64_t *st_hour;
    uint32_t *st_ves;
    uint64_t *st_cves; /* [ns + 1] */
} cs_cell;

struct det_cellsum {
    pel_store *s;
    int64_t ss, se;  /* the data's span in ten-minute slots [ss, se) */
    st_cov_row *buf; /* a cell's rows as read, before they are summed */
    size_t rcap;
    st_cov_row *all; /* ... and every station's together (st_cov_all) */
    size_t acap;
    cs_cell *slot;
    size_t cap, used, rows;
    int64_t sweep; /* hours before this are asked about no more (det_cellsum_forget) */
};

static void cell_free(cs_cell *c) {
    free(c->hour);    /* the block of every station together */
    free(c->st_hour); /* the stations' block */
    *c = (cs_cell){.cell = GEO_CELL_NONE};
}

det_cellsum *det_cellsum_new(pel_store *s, int64_t ss, int64_t se) {
    det_cellsum *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->s = s;
    m->ss = ss;
    m->se = se;
    m->cap = 1024;
    if (!(m->slot = malloc(m->cap * sizeof *m->slot))) {
        free(m);
        return NULL;
    }
    for (size_t i = 0; i < m->cap; i++)
        m->slot[i] = (cs_cell){.cell = GEO_CELL_NONE};
    return m;
}

void det_cellsum_free(det_cellsum *m) {
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].cell != GEO_CELL_NONE)
            cell_free(&m->slot[i]);
    free(m->slot);
    free(m->buf);
    free(m->all);
    free(m);
}

/* Reads the rows of cell with hours lo..hi into m->buf: PEL_OK with *n
 * set, or an error. */
static pel_status read_cell(det_cellsum *m, uint32_t cell, int64_t lo, int64_t hi, size_t *n, pel_error *err) {
    *n = 0;
    st_iter *it = st_coverage_cell(m->s, cell, lo, hi, err);
    if (!it)
        return PEL_ERR_IO;
    st_cov_row r;
    int step;
    pel_status st = PEL_OK;
    while ((step = st_cov_row_next(it, &r, err)) > 0) {
        if (*n == m->rcap) {
            size_t nc = m->rcap ? m->rcap * 2 : 256;
            st_cov_row *nv = realloc(m->buf, nc * sizeof *nv);
            if (!nv) {
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map's sums");
                break;
            }
            m->buf = nv;
            m->rcap = nc;
        }
        m->buf[(*n)++] = r;
    }
    st_iter_free(it);
    if (st == PEL_OK && step < 0)
        st = (pel_status)-step;
    return st;
}

/* Takes c out of the table, keeping the probe chains whole (linear
 * probing: the entries after it that hash at or before its slot move
 * back). */
static void drop(det_cellsum *m, cs_cell *c);

static cs_cell *find(det_cellsum *m, uint32_t cell) {
    size_t i = (size_t)(((uint64_t)cell * 0x9E3779B97F4A7C15u) >> 20) & (m->cap - 1);
    while (m->slot[i].cell != GEO_CELL_NONE && m->slot[i].cell != cell)
        i = (i + 1) & (m->cap - 1);
    return &m->slot[i];
}

static bool grow(det_cellsum *m) {
    size_t ocap = m->cap;
    cs_cell *old = m->slot, *neu = malloc(2 * ocap * sizeof *neu);
    if (!neu)
        return false;
    m->slot = neu;
    m->cap = 2 * ocap;
    for (size_t i = 0; i < m->cap; i++)
        neu[i] = (cs_cell){.cell = GEO_CELL_NONE};
    for (size_t i = 0; i < ocap; i++)
        if (old[i].cell != GEO_CELL_NONE)
            *find(m, old[i].cell) = old[i];
    free(old);
    return true;
}

static size_t home(const det_cellsum *m, uint32_t cell) {
    return (size_t)(((uint64_t)cell * 0x9E3779B97F4A7C15u) >> 20) & (m->cap - 1);
}

static void drop(det_cellsum *m, cs_cell *c) {
    size_t i = (size_t)(c - m->slot);
    m->rows -= m->slot[i].nrows;
    m->used--;
    cell_free(&m->slot[i]);
    for (size_t j = (i + 1) & (m->cap - 1); m->slot[j].cell != GEO_CELL_NONE; j = (j + 1) & (m->cap - 1)) {
        size_t h = home(m, m->slot[j].cell);
        /* j may move to i when its home is not in (i, j] cyclically */
        if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
            m->slot[i] = m->slot[j];
            m->slot[j] = (cs_cell){.cell = GEO_CELL_NONE};
            i = j;
        }
    }
}

void det_cellsum_forget(det_cellsum *m, int64_t hour) {
    if (m && hour > m->sweep)
        m->sweep = hour;
}

/* Makes room: the cells read only for hours before the sweep first, then
 * every cell. */
static void make_room(det_cellsum *m) {
    for (size_t i = 0; i < m->cap && m->rows > CS_MAX_ROWS / 2;)
        if (m->slot[i].cell != GEO_CELL_NONE && m->slot[i].hi < m->sweep)
            drop(m, &m->slot[i]); /* slot i may now hold another: look again */
        else
            i++;
    if (m->rows > CS_MAX_ROWS / 2) {
        for (size_t i = 0; i < m->cap; i++)
            if (m->slot[i].cell != GEO_CELL_NONE)
                cell_free(&m->slot[i]);
        m->used = m->rows = 0;
    }
}

/* The slots of a row (hour h, bits) within [lo, hi). */
static int range_slots(int64_t lo, int64_t hi, int64_t h, uint8_t bits) {
    int k = 0;
    for (int b = 0; b < 6; b++)
        k += (bits >> b & 1) && h * 6 + b >= lo && h * 6 + b < hi;
    return k;
}

/* The slots of a row (hour h, bits) within the data's span. */
static int span_slots(const det_cellsum *m, int64_t h, uint8_t bits) {
    return range_slots(m->ss, m->se, h, bits);
}

/* Fills c from the cell's rows as stored, rs[0, nrs) (station, then hour,
 * ascending), and what every station heard together, r[0, n0) (st_cov_all:
 * one row per hour). */
static bool build(const det_cellsum *m, cs_cell *c, const st_cov_row *r, size_t n0, const st_cov_row *rs, size_t nrs) {
    size_t first = 0; /* the stations' own rows: past those of no known station */
    while (first < nrs && rs[first].station == 0)
        first++;
    size_t ns = nrs - first;
    /* one block for every station together, one for the stations' own */
    size_t b0 = n0 * (sizeof(int64_t) + 2 * sizeof(uint32_t) + sizeof(uint64_t)) + (n0 + 1) * 5 * sizeof(uint64_t) + n0;
    size_t b1 = ns * (sizeof(uint32_t) + sizeof(int64_t) + sizeof(uint32_t)) + (ns + 1) * sizeof(uint64_t);
    char *a = malloc(b0 ? b0 : 1), *s = malloc(b1 ? b1 : 1);
    if (!a || !s) {
        free(a);
        free(s);
        return false;
    }
    c->n = n0;
    /* 8-byte arrays first, then 4-byte ones, then bytes: each stays aligned */
    c->hour = (int64_t *)a;
    c->seen = (uint64_t *)(c->hour + n0);
    c->cpos = c->seen + n0;
    c->cves = c->cpos + n0 + 1;
    c->cslots = c->cves + n0 + 1;
    c->por = c->cslots + n0 + 1;
    c->sor = c->por + n0 + 1;
    c->pos = (uint32_t *)(c->sor + n0 + 1);
    c->ves = c->pos + n0;
    c->slots = (uint8_t *)(c->ves + n0);
    c->cpos[0] = c->cves[0] = c->cslots[0] = c->por[0] = 0;
    for (size_t i = 0; i < n0; i++) {
        c->hour[i] = r[i].hour;
        c->pos[i] = r[i].positions;
        c->ves[i] = r[i].vessels;
        c->seen[i] = r[i].seen;
        c->slots[i] = r[i].slots;
        c->cpos[i + 1] = c->cpos[i] + r[i].positions;
        c->cves[i + 1] = c->cves[i] + r[i].vessels;
        c->cslots[i + 1] = c->cslots[i] + (uint64_t)span_slots(m, r[i].hour, r[i].slots);
        c->por[i + 1] = c->por[i] | r[i].seen;
    }
    c->sor[n0] = 0;
    for (size_t i = n0; i-- > 0;)
        c->sor[i] = c->sor[i + 1] | r[i].seen;
    c->ns = ns;
    c->st_hour = (int64_t *)s;
    c->st_cves = (uint64_t *)(c->st_hour + ns);
    c->st_id = (uint32_t *)(c->st_cves + ns + 1);
    c->st_ves = c->st_id + ns;
    c->st_cves[0] = 0;
    for (size_t i = 0; i < ns; i++) {
        c->st_id[i] = rs[first + i].station;
        c->st_hour[i] = rs[first + i].hour;
        c->st_ves[i] = rs[first + i].vessels;
        c->st_cves[i + 1] = c->st_cves[i] + rs[first + i].vessels;
    }
    return true;
}

/* The first index in hour[lo, hi) whose hour h satisfies h * 6 + add >= x
 * (hours ascending). */
static size_t first_at(const int64_t *hour, size_t lo, size_t hi, int64_t add, int64_t x) {
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hour[mid] * 6 + add >= x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The vessel's own positions in hour h (own sorted by hour). */
static uint32_t own_in(const det_own_hour *own, size_t nown, int64_t h) {
    size_t lo = 0, hi = nown;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (own[mid].hour < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nown && own[lo].hour == h ? own[lo].positions : 0;
}

/* The index of the row of hour h in hour[lo, hi), or hi. */
static size_t row_of(const int64_t *hour, size_t lo, size_t hi, int64_t h) {
    size_t i = first_at(hour, lo, hi, 0, h * 6);
    return i < hi && hour[i] == h ? i : hi;
}

/* Row i of c (cut by the window [ws, we)) walked slot by slot, as a row
 * the window neither holds nor misses. */
static void cut_row(const cs_cell *c, size_t i, int64_t ws, int64_t we, int64_t bs, int64_t be, uint32_t mine,
                    det_cell_heard *out) {
    int64_t h0 = c->hour[i] * 6;
    for (int k = 0; k < 6; k++) {
        int64_t sl = h0 + k;
        if (!(c->slots[i] >> k & 1) || sl < bs || sl >= be)
            continue;
        if (sl >= ws && sl < we)
            out->slots_heard++;
        else
            out->base_heard++;
    }
    (void)mine; /* a cut hour's positions count on neither side */
}

pel_status det_cellsum_heard(det_cellsum *m, uint32_t cell, int64_t ws, int64_t we, int64_t bs, int64_t be,
                             const det_own_hour *own, size_t nown, det_cell_heard *out, uint64_t *base_seen,
                             det_cellsum_best *best, pel_error *err) {
    /* the hours the question needs: those meeting [bs, be) */
    int64_t need_lo = bs / 6, need_hi = (be - 1) / 6;
    if (need_hi < need_lo)
        need_hi = need_lo;
    cs_cell *c = find(m, cell);
    if (c->cell == cell && (c->lo > need_lo || c->hi < need_hi)) {
        drop(m, c); /* read too little: read again */
        c = find(m, cell);
    }
    if (c->cell != cell) {
        int64_t lo = need_lo, hi = need_hi + CS_AHEAD_H;
        size_t n;
        pel_status st = read_cell(m, cell, lo, hi, &n, err);
        if (st != PEL_OK)
            return st;
        /* only the hours of the span (a scan of a period) */
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
            if (m->buf[i].hour * 6 + 6 > m->ss && m->buf[i].hour * 6 < m->se)
                m->buf[kept++] = m->buf[i];
        n = kept;
        const st_cov_row *r = m->buf;
        if (m->rows > CS_MAX_ROWS)
            make_room(m);
        if (m->used * 2 >= m->cap && !grow(m))
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map's sums");
        size_t na = 0;
        if ((st = st_cov_all(m->s, r, n, &m->all, &na, &m->acap, err)) != PEL_OK)
            return st;
        c = find(m, cell);
        if (!build(m, c, m->all, na, r, n))
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map's sums");
        c->cell = cell;
        c->lo = lo;
        c->hi = hi;
        c->nrows = n;
        m->used++;
        m->rows += n;
    }
    size_t n = c->n;
    /* rows [0, a) wholly before the window, [b, n) wholly after it, [a, b)
     * meet it: the first and last of those may be cut, the rest are in it;
     * the baseline is rows [ia, a) and [b, ib), those meeting [bs, be) */
    size_t a = first_at(c->hour, 0, n, 6, ws + 1);
    size_t b = first_at(c->hour, a, n, 0, we);
    if (b < a)
        b = a;
    size_t ia = first_at(c->hour, 0, a, 6, bs + 1);
    size_t ib = first_at(c->hour, b, n, 0, be);
    uint64_t bpos = (c->cpos[a] - c->cpos[ia]) + (c->cpos[ib] - c->cpos[b]);
    uint64_t bves = (c->cves[a] - c->cves[ia]) + (c->cves[ib] - c->cves[b]);
    uint64_t bsl = (c->cslots[a] - c->cslots[ia]) + (c->cslots[ib] - c->cslots[b]);
    /* the baseline's edge rows: their slots within [bs, be) only */
    if (ia < a)
        bsl = bsl - (uint64_t)span_slots(m, c->hour[ia], c->slots[ia]) +
              (uint64_t)range_slots(bs, be, c->hour[ia], c->slots[ia]);
    if (ib > b)
        bsl = bsl - (uint64_t)span_slots(m, c->hour[ib - 1], c->slots[ib - 1]) +
              (uint64_t)range_slots(bs, be, c->hour[ib - 1], c->slots[ib - 1]);
    if (ia == 0 && ib == n)
        *base_seen = c->por[a] | c->sor[b];
    else {
        uint64_t seen = 0;
        for (size_t i = ia; i < a; i++)
            seen |= c->seen[i];
        for (size_t i = b; i < ib; i++)
            seen |= c->seen[i];
        *base_seen = seen;
    }
    /* the rows meeting the window: whole ones by the sums, cut ones slot by slot */
    size_t i0 = a, i1 = b; /* [i0, i1): the rows wholly in it */
    if (i0 < i1 && !(c->hour[i0] * 6 >= ws && c->hour[i0] * 6 + 6 <= we)) {
        uint32_t mine = own_in(own, nown, c->hour[i0]);
        if (!(mine && c->ves[i0] <= 1))
            cut_row(c, i0, ws, we, bs, be, mine, out);
        i0++;
    }
    if (i0 < i1 && !(c->hour[i1 - 1] * 6 >= ws && c->hour[i1 - 1] * 6 + 6 <= we)) {
        uint32_t mine = own_in(own, nown, c->hour[i1 - 1]);
        if (!(mine && c->ves[i1 - 1] <= 1))
            cut_row(c, i1 - 1, ws, we, bs, be, mine, out);
        i1--;
    }
    uint64_t ipos = c->cpos[i1] - c->cpos[i0], ives = c->cves[i1] - c->cves[i0];
    uint64_t isl = c->cslots[i1] - c->cslots[i0];
    /* less the vessel's own: an hour it alone was heard in is silent; in
     * another, its positions and itself are not the others' */
    for (size_t k = 0; k < nown; k++) {
        size_t i = row_of(c->hour, 0, n, own[k].hour);
        if (i == n || i < ia || i >= ib || (i >= a && i < i0) || (i >= i1 && i < b))
            continue; /* no such row, one outside the baseline, or a cut one (done above) */
        uint32_t mine = own[k].positions, p = c->pos[i];
        if (!mine)
            continue;
        bool in = i >= i0 && i < i1;
        uint64_t *P = in ? &ipos : &bpos, *V = in ? &ives : &bves, *S = in ? &isl : &bsl;
        if (c->ves[i] <= 1) {
            *P -= p;
            *V -= c->ves[i];
            *S -=
                (uint64_t)(in ? span_slots(m, c->hour[i], c->slots[i]) : range_slots(bs, be, c->hour[i], c->slots[i]));
        } else {
            *P -= mine < p ? mine : p;
            *V -= 1;
        }
    }
    out->slots_heard += (long)isl;
    out->base_heard += (long)bsl;
    out->positions += (long)ipos;
    out->vessel_hours += (long)ives;
    out->base_positions += (long)bpos;
    out->base_vessel_hours += (long)bves;

    /* the station that heard the most other vessel-hours outside the
     * window within the baseline (on a tie the first by name, else the
     * lowest id), when asked */
    best->station = 0;
    best->vessel_hours = 0;
    for (size_t i = 0; best->want && i < c->ns;) {
        uint32_t sid = c->st_id[i];
        size_t j = i;
        while (j < c->ns && c->st_id[j] == sid)
            j++;
        size_t sa = first_at(c->st_hour, i, j, 6, ws + 1);
        size_t sb = first_at(c->st_hour, sa, j, 0, we);
        if (sb < sa)
            sb = sa;
        size_t si = first_at(c->st_hour, i, sa, 6, bs + 1), sj = first_at(c->st_hour, sb, j, 0, be);
        long vh = (long)((c->st_cves[sa] - c->st_cves[si]) + (c->st_cves[sj] - c->st_cves[sb]));
        for (size_t k = 0; k < nown; k++) {
            size_t r = row_of(c->st_hour, i, j, own[k].hour);
            if (r < j && ((r >= si && r < sa) || (r >= sb && r < sj)) && own[k].positions)
                vh -= 1;
        }
        bool before = vh > best->vessel_hours ||
                      (vh == best->vessel_hours && best->station && best->names && best->names[sid] &&
                       best->names[best->station] && strcmp(best->names[sid], best->names[best->station]) < 0);
        if (sid && sid < best->nstations && before) {
            best->station = sid;
            best->vessel_hours = vh;
        }
        i = j;
    }
    return PEL_OK;
}
