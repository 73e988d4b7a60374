/*
 * report.c -- pel_report: the evidence report of docs/report.md.
 *
 * Into the output directory go
 *   findings.geojson  the findings of the ranking (as filtered), a Feature each
 *   tracks.geojson    the full-resolution tracks of the ranked vessels within
 *                     the period, through export.c's writer
 *   findings.kml      a Placemark per finding (Google Earth)
 *   findings.csv      a row per finding
 *   report.html       data/web/report.html with its includes and the data
 *                     JSON put in place: one self-contained file
 *
 * The findings come from the scan as structured values (rpt_run_scan) and
 * go into every file through the writers of findings/write.h, in their
 * document form: the report's own code adds only the vessels' names and
 * the geometries (a closed gap's line needs the track).  The data JSON is
 * written compact with every '<', '>', '&' and every hidden character of
 * util/display.h (U+2028 and U+2029 among them) as a \u escape
 * (util/escape.h, esc_json_text with ESC_HTML), so it can sit in a <script>
 * element whatever the vessels broadcast and the page carries no invisible
 * byte; report.js shows hidden characters as marks.  The KML and CSV show
 * them as marks too, the GeoJSON keeps them as escapes (docs/report.md,
 * "Display").  Included files may not contain "</script" or
 * "</style" (either would end their element early).  Everything is
 * deterministic: the same database and options give the same bytes (no
 * clock, no random, no locale: jansson formats reals with '.').
 *
 * Memory: the findings and one vessel's track at a time, plus the
 * simplified tracks (report.max_points_per_vessel points a vessel at most).
 *
 * Limits: tracks are simplified in the plane of longitude and latitude
 * (no antimeridian handling: a track across it is drawn the long way, but
 * never with NaNs).  A gap's line ends at the vessel's first usable
 * position at or after the gap's end.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "ais_internal.h"
#include "findings/write.h"
#include "geo.h"
#include "rpt.h"
#include "store/store.h"
#include "util/display.h"
#include "util/escape.h"
#include "util/fail.h"
#include "util/outfile.h"
#include "util/xsort.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

/* ---- files ---------------------------------------------------------------- */

static char *join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* mkdir -p */
static pel_status make_dir(const char *path, pel_error *err) {
    char *p = strdup(path);
    if (!p)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (char *c = p + 1;; c++) {
        if (*c == '/' || !*c) {
            char keep = *c;
            *c = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                pel_status st = pel_fail(err, PEL_ERR_IO, "%s: %s", p, strerror(errno));
                free(p);
                return st;
            }
            *c = keep;
            if (!keep)
                break;
        }
    }
    struct stat sb;
    pel_status st = PEL_OK;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        st = pel_fail(err, PEL_ERR_IO, "%s: not a directory", path);
    free(p);
    return st;
}

/* Reads a whole file; *len its size.  NULL when it cannot be read (errno). */
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
        errno = EIO;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

/* The report's files go through util/outfile.h: each is written to a
 * temporary file beside it and renamed into place when complete, never
 * through a symbolic link planted at its name; a failure or a kill leaves
 * the previous file (or none). */
static pel_status out_open(outfile *o, const char *dir, const char *name, pel_error *err) {
    char *path = join(dir, name);
    if (!path) {
        memset(o, 0, sizeof *o);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    pel_status st = outfile_open(o, path, err);
    free(path);
    return st;
}

/* The files of a report, in the order they are put in place. */
enum { F_TRACKS, F_GEOJSON, F_KML, F_CSV, F_HTML, F__COUNT };
static const char *const file_names[F__COUNT] = {"tracks.geojson", "findings.geojson", "findings.kml", "findings.csv",
                                                 "report.html"};

/* Finishes o: commits it when st is PEL_OK (a write, flush or rename error
 * then fails with its path), else discards it.  Returns the status. */
static pel_status out_close(outfile *o, pel_status st, pel_error *err) {
    if (st != PEL_OK) {
        outfile_discard(o);
        return st;
    }
    return outfile_commit(o, err);
}

/* ---- JSON helpers ----------------------------------------------------------- */


static json_t *jtime(int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    return json_string(t);
}

static double round_to(double v, double scale) {
    return round(v * scale) / scale;
}

static json_t *jcoord(int32_t raw, double scale) {
    return json_real(round_to((double)raw / PEL_DEG, scale));
}

/* ---- the report's state ------------------------------------------------------ */

typedef struct vinfo {
    uint32_t mmsi;
    size_t rank; /* index in the ranking */
    st_latest id;
    size_t positions;
    int64_t first, last;
    bool has_box;
    double box[4]; /* minlon, minlat, maxlon, maxlat */
    json_t *track; /* {"mmsi", "segments"}, owned */
} vinfo;

typedef struct report {
    pel_store *s;
    const pel_report_opts *o;
    rpt_run run;
    vinfo *v; /* by MMSI */
    size_t nv;
    fnd_doc doc;        /* names and geometries for the findings' writers */
    fnd_geometry *geom; /* per finding of run.findings: where it is drawn */
    json_t *findings;   /* the data's findings (fnd_doc_json), once the geometries are known */
    pel_export *tracks; /* tracks.geojson */
    pel_position *grp;  /* scratch for simplification */
    size_t grpcap;
    uint64_t track_points, drawn_points;
    bool nomem;
} report;

static int cmp_vinfo(const void *a, const void *b) {
    const vinfo *x = a, *y = b;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

static vinfo *find_vessel(report *r, uint32_t mmsi) {
    vinfo key = {.mmsi = mmsi};
    return r->nv ? xbsearch(&key, r->v, r->nv, sizeof *r->v, cmp_vinfo) : NULL;
}

static const char *vessel_name(report *r, uint32_t mmsi) {
    vinfo *v = mmsi ? find_vessel(r, mmsi) : NULL;
    return v ? v->id.name : NULL;
}

/* ---- simplification ------------------------------------------------------------ */

/* Distance in degrees (plane) from p to the segment a-b. */
static double seg_dist(double px, double py, double ax, double ay, double bx, double by) {
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, t = 0;
    if (len2 > 0) {
        t = ((px - ax) * dx + (py - ay) * dy) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return sqrt(ex * ex + ey * ey);
}

/* Douglas-Peucker over p[0..n) with tolerance tol: marks keep[i]; returns
 * how many are kept (the ends always).  Iterative: an explicit stack of
 * ranges, at most n entries. */
static size_t simplify(const pel_position *p, size_t n, double tol, bool *keep, size_t *stack) {
    if (!n)
        return 0;
    memset(keep, 0, n * sizeof *keep);
    keep[0] = keep[n - 1] = true;
    size_t kept = n > 1 ? 2 : 1, sp = 0;
    if (n > 2) {
        stack[sp++] = 0;
        stack[sp++] = n - 1;
    }
    while (sp) {
        size_t b = stack[--sp], a = stack[--sp];
        double ax = (double)p[a].lon / PEL_DEG, ay = (double)p[a].lat / PEL_DEG;
        double bx = (double)p[b].lon / PEL_DEG, by = (double)p[b].lat / PEL_DEG;
        double best = -1;
        size_t at = 0;
        for (size_t i = a + 1; i < b; i++) {
            double d = seg_dist((double)p[i].lon / PEL_DEG, (double)p[i].lat / PEL_DEG, ax, ay, bx, by);
            if (d > best) {
                best = d;
                at = i;
            }
        }
        if (best > tol) {
            keep[at] = true;
            kept++;
            if (at - a > 1) {
                stack[sp++] = a;
                stack[sp++] = at;
            }
            if (b - at > 1) {
                stack[sp++] = at;
                stack[sp++] = b;
            }
        }
    }
    return kept;
}

static bool drawable(const pel_position *p) {
    return p->segment >= 0 && !(p->flags & PEL_POS_BAD_COORD) && p->lat >= -90 * PEL_DEG && p->lat <= 90 * PEL_DEG &&
           p->lon >= -180 * PEL_DEG && p->lon <= 180 * PEL_DEG;
}

static int cmp_seg(const void *a, const void *b) {
    const pel_position *x = a, *y = b;
    if (x->segment != y->segment)
        return x->segment < y->segment ? -1 : 1;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return 0;
}

/* The drawing of one vessel: drawable positions in range p[0..n), grouped
 * by segment, simplified to fit max points. */
static json_t *draw_track(report *r, uint32_t mmsi, const pel_position *p, size_t n) {
    json_t *t = json_object(), *segs = json_array();
    json_object_set_new(t, "mmsi", json_integer(mmsi));
    json_object_set_new(t, "segments", segs);
    if (!n)
        return t;
    if (n > r->grpcap) {
        pel_position *ng = realloc(r->grp, n * sizeof *ng);
        if (!ng) {
            r->nomem = true;
            return t;
        }
        r->grp = ng;
        r->grpcap = n;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (drawable(&p[i]))
            r->grp[k++] = p[i];
    if (!k)
        return t;
    /* stable by time within a segment: positions come in time order */
    xqsort(r->grp, k, sizeof *r->grp, cmp_seg);
    bool *keep = malloc(k * sizeof *keep);
    size_t *stack = malloc((k + 2) * sizeof *stack);
    if (!keep || !stack) {
        free(keep);
        free(stack);
        r->nomem = true;
        return t;
    }
    double tol = r->run.draw.simplify_deg;
    for (int round = 0;; round++) {
        size_t total = 0;
        for (size_t a = 0, b; a < k; a = b) {
            for (b = a + 1; b < k && r->grp[b].segment == r->grp[a].segment; b++)
                ;
            total += simplify(r->grp + a, b - a, tol, keep + a, stack);
        }
        if (total <= r->run.draw.max_points || round >= 60 || tol > 360)
            break;
        tol = tol > 0 ? tol * 2 : 1e-6;
    }
    for (size_t a = 0, b; a < k; a = b) {
        for (b = a + 1; b < k && r->grp[b].segment == r->grp[a].segment; b++)
            ;
        json_t *seg = json_object(), *coords = json_array();
        json_object_set_new(seg, "segment", json_integer(r->grp[a].segment));
        for (size_t i = a; i < b; i++) {
            if (!keep[i])
                continue;
            json_t *c = json_array();
            json_array_append_new(c, jcoord(r->grp[i].lon, 1e5));
            json_array_append_new(c, jcoord(r->grp[i].lat, 1e5));
            int64_t ms = r->grp[i].t_ms;
            json_array_append_new(c, json_integer(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)));
            json_array_append_new(coords, c);
            r->drawn_points++;
        }
        json_object_set_new(seg, "coords", coords);
        json_array_append_new(segs, seg);
    }
    free(keep);
    free(stack);
    return t;
}

/* ---- the tracks pass ------------------------------------------------------------- */

static int on_track(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    report *r = ud;
    vinfo *v = find_vessel(r, mmsi);
    if (!v)
        return 0;
    /* the positions within the period (p is in time order) */
    size_t a = 0, b = n;
    while (a < n && p[a].t_ms < r->o->from_ms)
        a++;
    while (b > a && p[b - 1].t_ms > r->o->to_ms)
        b--;
    v->positions = b - a;
    if (b > a) {
        v->first = p[a].t_ms;
        v->last = p[b - 1].t_ms;
        for (size_t i = a; i < b; i++) {
            if (!drawable(&p[i]))
                continue;
            double lon = (double)p[i].lon / PEL_DEG, lat = (double)p[i].lat / PEL_DEG;
            if (!v->has_box) {
                v->box[0] = v->box[2] = lon;
                v->box[1] = v->box[3] = lat;
                v->has_box = true;
            }
            v->box[0] = fmin(v->box[0], lon);
            v->box[1] = fmin(v->box[1], lat);
            v->box[2] = fmax(v->box[2], lon);
            v->box[3] = fmax(v->box[3], lat);
        }
        if (pel_export_vessel(r->tracks, mmsi, name, p + a, b - a) != PEL_OK)
            return 1;
        r->track_points += b - a;
    }
    json_decref(v->track);
    v->track = draw_track(r, mmsi, p + a, b - a);
    /* the far end of each closed gap: the first usable position at or after its end */
    const rpt_vessel *rv = &r->run.rank.v[v->rank];
    for (size_t k = 0; k < rv->nfindings; k++) {
        const fnd_finding *f = &r->run.findings->v[rv->findings[k]];
        if (strcmp(f->event, "gap") || fnd_get_bool(f, "open") == 1 || f->mmsi != mmsi)
            continue;
        if (isnan(f->lat) || isnan(f->lon))
            continue;
        for (size_t i = 0; i < n; i++)
            if (p[i].t_ms >= f->end_ms && drawable(&p[i])) {
                r->geom[rv->findings[k]] = (fnd_geometry){
                    FND_GEOM_LINE, {f->lon, (double)p[i].lon / PEL_DEG}, {f->lat, (double)p[i].lat / PEL_DEG}};
                break;
            }
    }
    return r->nomem;
}

/* ---- findings ----------------------------------------------------------------------- */

/* What the report adds to each finding (findings/write.h): the vessels'
 * names and the geometry, a closed gap's line drawn from the track. */
static const char *doc_name(void *ud, uint32_t mmsi) {
    return vessel_name(ud, mmsi);
}

static fnd_geometry doc_geometry(void *ud, size_t i) {
    return ((report *)ud)->geom[i];
}

/* The findings as the data JSON holds them (fnd_doc_json), once the gaps'
 * lines are known. */
static pel_status findings_json(report *r) {
    r->findings = json_array();
    if (!r->findings)
        return PEL_ERR_NOMEM;
    for (size_t i = 0; i < r->run.findings->n; i++) {
        json_t *e = fnd_doc_json(r->run.findings, i, &r->doc);
        if (!e || json_array_append_new(r->findings, e))
            return PEL_ERR_NOMEM;
    }
    return PEL_OK;
}

/* ---- the data JSON ------------------------------------------------------------------- */

static json_t *vessel_json(report *r, const vinfo *v, const geo_mid *mid, pel_error *err, pel_status *st) {
    const rpt_vessel *rv = &r->run.rank.v[v->rank];
    json_t *o = json_object();
    char buf[96];
    json_object_set_new(o, "mmsi", json_integer(v->mmsi));
    json_object_set_new(o, "name", rpt_jstr(v->id.name));
    json_object_set_new(o, "imo", v->id.imo ? json_integer(v->id.imo) : json_null());
    json_object_set_new(o, "callsign", rpt_jstr(v->id.callsign));
    json_object_set_new(o, "shiptype", v->id.shiptype >= 0 ? json_integer(v->id.shiptype) : json_null());
    json_object_set_new(o, "shiptype_text",
                        v->id.shiptype >= 0 ? rpt_jstr(ais_shiptype_text((unsigned)v->id.shiptype, buf, sizeof buf))
                                            : json_null());
    json_object_set_new(o, "destination", rpt_jstr(v->id.destination));
    char iso[3];
    const char *country = NULL;
    if (mid && geo_mid_country(mid, v->mmsi, iso))
        country = geo_mid_name(mid, v->mmsi / 1000000) ? geo_mid_name(mid, v->mmsi / 1000000) : iso;
    json_object_set_new(o, "country", rpt_jstr(country));
    json_object_set_new(o, "score", json_real(rv->score));
    json_object_set_new(o, "level", json_string(rv->level));
    json_t *rs = json_array();
    for (size_t k = 0; k < rv->nreasons; k++) {
        json_t *x = json_object();
        json_object_set_new(x, "text", rpt_jstr(rv->reasons[k].text));
        json_object_set_new(x, "points", json_real(rv->reasons[k].points));
        json_object_set_new(x, "finding",
                            rv->reasons[k].finding >= 0 ? json_integer(rv->reasons[k].finding) : json_null());
        json_array_append_new(rs, x);
    }
    json_object_set_new(o, "reasons", rs);
    st_identity *ids = NULL;
    size_t nids = 0;
    json_t *ja = json_array();
    *st = st_identities(r->s, v->mmsi, &ids, &nids, err);
    for (size_t k = 0; k < nids; k++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", rpt_jstr(ids[k].name));
        json_object_set_new(x, "imo", ids[k].imo ? json_integer(ids[k].imo) : json_null());
        json_object_set_new(x, "callsign", rpt_jstr(ids[k].callsign));
        json_object_set_new(x, "shiptype", ids[k].shiptype >= 0 ? json_integer(ids[k].shiptype) : json_null());
        json_object_set_new(x, "first", jtime(ids[k].first_ms));
        json_object_set_new(x, "last", jtime(ids[k].last_ms));
        json_array_append_new(ja, x);
    }
    st_identities_free(ids, nids);
    json_object_set_new(o, "identities", ja);
    json_object_set_new(o, "positions", json_integer((json_int_t)v->positions));
    json_object_set_new(o, "first", v->positions ? jtime(v->first) : json_null());
    json_object_set_new(o, "last", v->positions ? jtime(v->last) : json_null());
    json_t *fi = json_array();
    for (size_t k = 0; k < rv->nfindings; k++)
        json_array_append_new(fi, json_integer((json_int_t)rv->findings[k]));
    json_object_set_new(o, "findings", fi);
    /* the box: the track, else the findings' geometries */
    bool has = v->has_box;
    double box[4] = {v->box[0], v->box[1], v->box[2], v->box[3]};
    for (size_t k = 0; !v->has_box && k < rv->nfindings; k++) {
        const fnd_geometry *g = &r->geom[rv->findings[k]];
        size_t np = g->type == FND_GEOM_POINT ? 1 : g->type == FND_GEOM_LINE ? 2 : 0;
        for (size_t j = 0; j < np; j++) {
            double lon = round_to(g->lon[j], 1e6), lat = round_to(g->lat[j], 1e6); /* as the geometry is written */
            if (!has) {
                box[0] = box[2] = lon;
                box[1] = box[3] = lat;
                has = true;
            }
            box[0] = fmin(box[0], lon);
            box[1] = fmin(box[1], lat);
            box[2] = fmax(box[2], lon);
            box[3] = fmax(box[3], lat);
        }
    }
    if (has) {
        json_t *b = json_array();
        for (int k = 0; k < 4; k++)
            json_array_append_new(b, json_real(round_to(box[k], 1e5)));
        json_object_set_new(o, "bbox", b);
    } else
        json_object_set_new(o, "bbox", json_null());
    return o;
}

/* Port indexes sorted by name, to find a port a finding names. */
static const geo_ports *sort_ports;
static int cmp_port_name(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    int c = strcmp(geo_port_name(sort_ports, x), geo_port_name(sort_ports, y));
    return c ? c : (x > y) - (x < y);
}

/* The index of the port named name nearest to (lat, lon), -1 if none;
 * byname holds every port index sorted by name. */
static int port_by_name(const geo_ports *ports, const int *byname, int np, const char *name, double lat, double lon) {
    if (!name)
        return -1;
    int lo = 0, hi = np;
    while (lo < hi) { /* the first with a name >= name */
        int mid = (lo + hi) / 2;
        if (strcmp(geo_port_name(ports, byname[mid]), name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int best = -1;
    double bd = INFINITY;
    for (int k = lo; k < np && !strcmp(geo_port_name(ports, byname[k]), name); k++) {
        const geo_port *p = geo_port_get(ports, byname[k]);
        double d = isnan(lat) || isnan(lon) ? 0 : geo_distance_m(lat, lon, p->lat, p->lon);
        if (best < 0 || d < bd) {
            best = byname[k];
            bd = d;
        }
    }
    return best;
}

static json_t *ports_json(report *r, const geo_ports *ports) {
    int np = geo_ports_count(ports);
    bool *use = calloc(np ? (size_t)np : 1, sizeof *use);
    int *byname = malloc((np ? (size_t)np : 1) * sizeof *byname);
    json_t *a = json_array();
    if (!use || !byname) {
        free(use);
        free(byname);
        r->nomem = true;
        return a;
    }
    for (int i = 0; i < np; i++) {
        use[i] = geo_port_concern(ports, i);
        byname[i] = i;
    }
    sort_ports = ports;
    if (np)
        xqsort(byname, (size_t)np, sizeof *byname, cmp_port_name);
    for (size_t k = 0; k < r->run.findings->n; k++) {
        const fnd_finding *f = &r->run.findings->v[k];
        const fnd_member *pi = fnd_get(f, "port_index");
        bool has_index = pi && pi->kind == FND_INT;
        if (has_index && pi->v.i >= 0 && pi->v.i < np)
            use[pi->v.i] = true;
        static const char *const keys[] = {"port", "nearest_port", "start_port", "end_port"};
        for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
            if (j == 0 && has_index)
                continue;
            int i = port_by_name(ports, byname, np, fnd_get_str(f, keys[j]), f->lat, f->lon);
            if (i >= 0)
                use[i] = true;
        }
    }
    for (int i = 0; i < np; i++) {
        if (!use[i])
            continue;
        const geo_port *p = geo_port_get(ports, i);
        json_t *o = json_object();
        json_object_set_new(o, "name", rpt_jstr(p->name));
        json_object_set_new(o, "lat", json_real(round_to(p->lat, 1e6)));
        json_object_set_new(o, "lon", json_real(round_to(p->lon, 1e6)));
        json_object_set_new(o, "concern", json_boolean(p->concern));
        json_array_append_new(a, o);
    }
    free(use);
    free(byname);
    return a;
}

/* ---- the HTML --------------------------------------------------------------------------- */

static bool contains_ci(const char *buf, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)buf[i + k]) == needle[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* Writes 'sha256-...' for the text of every script element of page that a
 * browser runs (not the application/json data blocks), separated by spaces:
 * the Content-Security-Policy then allows those scripts and nothing else --
 * no injected element, no inline event handler -- even if a bug let a
 * hostile string into the page as HTML. */
static void write_script_hashes(FILE *f, const char *page, size_t len) {
    const char *p = page, *end = page + len;
    bool first = true;
    for (;;) {
        const char *tag = NULL;
        for (const char *q = p; q + 7 <= end; q++)
            if (!strncasecmp(q, "<script", 7) && (q[7] == '>' || isspace((unsigned char)q[7]))) {
                tag = q;
                break;
            }
        if (!tag)
            break;
        const char *gt = memchr(tag, '>', (size_t)(end - tag));
        if (!gt)
            break;
        const char *body = gt + 1, *stop = NULL;
        for (const char *q = body; q + 9 <= end; q++)
            if (!strncasecmp(q, "</script", 8)) {
                stop = q;
                break;
            }
        if (!stop)
            break;
        if (!contains_ci(tag, (size_t)(gt - tag), "application/json")) {
            struct sha256_ctx h;
            uint8_t d[SHA256_DIGEST_SIZE];
            char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
            sha256_init(&h);
            sha256_update(&h, (size_t)(stop - body), (const uint8_t *)body);
            sha256_digest(&h, sizeof d, d);
            base64_encode_raw(b64, sizeof d, d);
            b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE)] = 0;
            fprintf(f, "%s'sha256-%s'", first ? "" : " ", b64);
            first = false;
        }
        p = stop + 8;
    }
}

static pel_status write_html(report *r, outfile *o, const char *data, pel_error *err) {
    char *web = join(r->run.data_dir, "web"), *tpath = web ? join(web, "report.html") : NULL;
    if (!tpath) {
        free(web);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    size_t tlen;
    char *tpl = slurp(tpath, &tlen);
    if (!tpl) {
        pel_status st = pel_fail(err, PEL_ERR_IO, "the report template %s: %s", tpath, strerror(errno));
        free(web);
        free(tpath);
        return st;
    }
    /* assembled in memory first: the hashes of its scripts go into its
     * Content-Security-Policy, ahead of them */
    char *page = NULL;
    size_t plen = 0;
    FILE *mf = open_memstream(&page, &plen);
    pel_status st = mf ? PEL_OK : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    const char *p = tpl, *end = tpl + tlen;
    int ndata = 0;
    long hashes_at = -1;
    while (st == PEL_OK) {
        const char *m = strstr(p, "<!--PELORUS:");
        if (!m) {
            fwrite(p, 1, (size_t)(end - p), mf);
            break;
        }
        fwrite(p, 1, (size_t)(m - p), mf);
        const char *close = strstr(m, "-->");
        if (!close) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: a <!--PELORUS: marker without -->", tpath);
            break;
        }
        const char *in = m + strlen("<!--PELORUS:");
        size_t inlen = (size_t)(close - in);
        if (inlen == 4 && !strncmp(in, "DATA", 4)) {
            fputs(data, mf);
            ndata++;
        } else if (inlen == 13 && !strncmp(in, "SCRIPT-HASHES", 13)) {
            fflush(mf);
            hashes_at = (long)plen;
        } else if (inlen > 8 && !strncmp(in, "INCLUDE ", 8)) {
            const char *a = in + 8, *b = close;
            while (a < b && *a == ' ')
                a++;
            while (b > a && b[-1] == ' ')
                b--;
            char name[512];
            snprintf(name, sizeof name, "%.*s", (int)(b - a), a);
            if (!name[0] || name[0] == '/' || strstr(name, "..") || strchr(name, '\\') ||
                (size_t)(b - a) >= sizeof name) {
                st = pel_fail(err, PEL_ERR_FORMAT, "%s: refusing to include \"%s\" (no .., no leading /)", tpath, name);
                break;
            }
            char *ipath = join(web, name);
            size_t ilen;
            char *inc = ipath ? slurp(ipath, &ilen) : NULL;
            if (!inc)
                st = pel_fail(err, PEL_ERR_IO, "the report template's include %s: %s", ipath ? ipath : name,
                              strerror(errno));
            else if (contains_ci(inc, ilen, "</script") || contains_ci(inc, ilen, "</style"))
                st = pel_fail(err, PEL_ERR_FORMAT,
                              "%s contains </script or </style, which would end its element in report.html", ipath);
            else
                fwrite(inc, 1, ilen, mf);
            free(inc);
            free(ipath);
        } else {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: unknown marker <!--PELORUS:%.*s-->", tpath,
                          (int)(inlen > 40 ? 40 : inlen), in);
            break;
        }
        p = close + 3;
    }
    if (st == PEL_OK && !ndata)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s has no <!--PELORUS:DATA--> marker", tpath);
    if (mf && fclose(mf) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK) {
        if (hashes_at >= 0) {
            fwrite(page, 1, (size_t)hashes_at, o->f);
            write_script_hashes(o->f, page, plen);
            fwrite(page + hashes_at, 1, plen - (size_t)hashes_at, o->f);
        } else
            fwrite(page, 1, plen, o->f);
    }
    free(page);
    free(tpl);
    free(web);
    free(tpath);
    return st;
}

/* ---- pel_report ---------------------------------------------------------------------------- */

pel_status pel_report(pel_store *s, const pel_report_opts *o, const char *out_dir, pel_report_stats *stp,
                      pel_error *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pel_report_opts dflt = {.from_ms = INT64_MIN, .to_ms = INT64_MAX};
    pel_report_opts copy;
    if (!o)
        o = &dflt;
    else if (o->from_ms == 0 && o->to_ms == 0) { /* a zeroed struct: no time limits */
        copy = *o;
        copy.from_ms = INT64_MIN;
        copy.to_ms = INT64_MAX;
        o = &copy;
    }
    if (!s || !out_dir || !out_dir[0])
        return pel_fail(err, PEL_ERR_ARG, "pel_report: no store or no output directory");
    report r = {.s = s, .o = o};
    pel_status st = rpt_run_scan(s, o, &r.run, err);
    if (st != PEL_OK)
        return st;
    geo_ports *ports = NULL;
    geo_mid *mid = NULL;
    json_t *zones = NULL, *licences = NULL, *root = NULL;
    char *pp = join(r.run.data_dir, "ports.csv"), *mp = join(r.run.data_dir, "mid.csv"),
         *zp = o->zones_path ? strdup(o->zones_path) : join(r.run.data_dir, "zones.geojson"),
         *lp = join(r.run.data_dir, "web/licences.json");
    if (!pp || !mp || !zp || !lp)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK)
        st = make_dir(out_dir, err);
    if (st == PEL_OK)
        st = geo_ports_load(pp, &ports, err);
    if (st == PEL_OK)
        st = geo_mid_load(mp, &mid, err);
    if (st == PEL_OK) {
        json_error_t je;
        zones = json_load_file(zp, 0, &je);
        if (!zones)
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%d: %s", zp, je.line, je.text);
        FILE *lf = fopen(lp, "r");
        if (st == PEL_OK && lf) {
            fclose(lf);
            licences = json_load_file(lp, 0, &je);
            if (!json_is_array(licences))
                st = pel_fail(err, PEL_ERR_FORMAT, "%s: %s", lp, licences ? "not an array" : je.text);
        } else if (st == PEL_OK)
            licences = json_array();
    }
    /* the vessels, by MMSI, with their identities */
    if (st == PEL_OK) {
        r.nv = r.run.rank.n;
        r.v = calloc(r.nv ? r.nv : 1, sizeof *r.v);
        if (!r.v)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == PEL_OK && i < r.nv; i++) {
            r.v[i].mmsi = r.run.rank.v[i].mmsi;
            r.v[i].rank = i;
            st = st_latest_identity(s, r.v[i].mmsi, &r.v[i].id, err);
        }
        if (r.nv)
            xqsort(r.v, r.nv, sizeof *r.v, cmp_vinfo);
    }
    /* where each finding is drawn: a closed gap's line comes with its track */
    if (st == PEL_OK) {
        r.doc = (fnd_doc){doc_name, doc_geometry, &r};
        r.geom = malloc((r.run.findings->n + 1) * sizeof *r.geom);
        if (!r.geom)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == PEL_OK && i < r.run.findings->n; i++)
            r.geom[i] = fnd_geometry_of(&r.run.findings->v[i]);
    }
    /* the five files are opened (as temporary files) before any is
     * written, so a name that cannot be written (a symbolic link, a
     * directory) stops the report before it replaces anything */
    outfile files[F__COUNT];
    memset(files, 0, sizeof files);
    for (int k = 0; k < F__COUNT && st == PEL_OK; k++)
        st = out_open(&files[k], out_dir, file_names[k], err);
    /* tracks: tracks.geojson, the drawings, the gaps' far ends */
    if (st == PEL_OK) {
        r.tracks = pel_export_new(files[F_TRACKS].f, PEL_EXPORT_GEOJSON, err);
        if (!r.tracks)
            st = PEL_ERR_NOMEM;
    }
    if (st == PEL_OK && r.nv) {
        uint32_t *ms = malloc(r.nv * sizeof *ms);
        if (!ms)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        else {
            for (size_t i = 0; i < r.nv; i++)
                ms[i] = r.v[i].mmsi;
            pel_track_filter f = {.mmsi = ms, .nmmsi = r.nv};
            st = pel_tracks(s, &f, on_track, &r, err);
            if (st == PEL_STOPPED || r.nomem)
                st = r.nomem ? pel_fail(err, PEL_ERR_NOMEM, "out of memory")
                             : pel_fail(err, PEL_ERR_IO, "writing tracks.geojson failed");
            free(ms);
        }
    }
    if (r.tracks) {
        pel_status xs = pel_export_finish(r.tracks, st == PEL_OK ? err : NULL);
        if (st == PEL_OK)
            st = xs;
    }
    /* the data */
    if (st == PEL_OK && findings_json(&r) != PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK) {
        root = json_object();
        json_object_set_new(root, "title", json_string("Pelorus evidence report"));
        json_object_set_new(root, "version", json_string(PEL_VERSION));
        const char *db = st_db_name(s), *base = db ? strrchr(db, '/') : NULL;
        json_object_set_new(root, "database", rpt_jstr(base ? base + 1 : db));
        json_t *period = json_object();
        int64_t a, b;
        if (st_data_span(s, &a, &b)) {
            a = a > o->from_ms ? a : o->from_ms;
            b = b < o->to_ms ? b : o->to_ms;
            json_object_set_new(period, "from", jtime(a));
            json_object_set_new(period, "to", jtime(b));
        } else {
            json_object_set_new(period, "from", json_null());
            json_object_set_new(period, "to", json_null());
        }
        json_object_set_new(root, "period", period);
        json_t *w = json_object();
        for (int i = 0; i < RPT_W__COUNT; i++)
            json_object_set_new(w, rpt_weight_name(i), json_real(r.run.w.w[i]));
        json_object_set_new(root, "weights", w);
        json_t *va = json_array(), *ta = json_array();
        for (size_t i = 0; i < r.run.rank.n && st == PEL_OK; i++) {
            vinfo *v = find_vessel(&r, r.run.rank.v[i].mmsi);
            json_array_append_new(va, vessel_json(&r, v, mid, err, &st));
            if (!v->track)
                v->track = draw_track(&r, v->mmsi, NULL, 0);
            json_array_append(ta, v->track);
        }
        json_object_set_new(root, "vessels", va);
        json_object_set(root, "findings", r.findings);
        json_object_set_new(root, "tracks", ta);
        json_object_set(root, "zones", zones);
        json_object_set_new(root, "ports", ports_json(&r, ports));
        json_t *stats = json_object();
        json_object_set_new(stats, "vessels", json_integer((json_int_t)r.run.rank.n));
        json_object_set_new(stats, "findings", json_integer((json_int_t)json_array_size(r.findings)));
        json_object_set_new(stats, "track_points", json_integer((json_int_t)r.track_points));
        json_object_set_new(stats, "drawn_points", json_integer((json_int_t)r.drawn_points));
        json_object_set_new(root, "stats", stats);
        json_object_set(root, "licences", licences);
        if (r.nomem && st == PEL_OK)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    if (st == PEL_OK && fnd_write_geojson(files[F_GEOJSON].f, r.run.findings, &r.doc) != PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK && fnd_write_kml(files[F_KML].f, r.run.findings, &r.doc) != PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK && fnd_write_csv(files[F_CSV].f, r.run.findings, &r.doc) != PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK) {
        /* hidden characters as \u escapes: report.html carries no invisible
         * byte, and report.js shows each as a visible mark; < > & too, so
         * nothing in it can end its <script> element */
        char *dump = json_dumps(root, DUMP_FLAGS), *safe = dump ? esc_json_text_dup(dump, ESC_HTML) : NULL;
        if (!safe)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        else
            st = write_html(&r, &files[F_HTML], safe, err);
        free(dump);
        free(safe);
    }
    /* into place, report.html last; after a failure none is */
    for (int k = 0; k < F__COUNT; k++)
        st = out_close(&files[k], st, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (stp) {
        memset(stp, 0, sizeof *stp);
        stp->vessels = r.run.rank.n;
        stp->findings = r.run.findings ? r.run.findings->n : 0;
        stp->track_points = r.track_points;
        stp->drawn_points = r.drawn_points;
        stp->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    }
    for (size_t i = 0; i < r.nv; i++) {
        st_latest_clear(&r.v[i].id);
        json_decref(r.v[i].track);
    }
    free(r.v);
    free(r.grp);
    free(r.geom);
    json_decref(r.findings);
    json_decref(root);
    json_decref(zones);
    json_decref(licences);
    geo_ports_free(ports);
    geo_mid_free(mid);
    free(pp);
    free(mp);
    free(zp);
    free(lp);
    rpt_run_free(&r.run);
    return st;
}
