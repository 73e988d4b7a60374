/*
 * watch.c -- pelorus watch: live feeds into the store, detection as data
 * comes, and alerts (pel_watch, pelorus.h; docs/watch.md).
 *
 * Every line a feed gives is first appended to the journal (a file beside
 * the database, one per run, named by its start time), then handed to the
 * live ingest (pel_live_line) with its journal line number: the journal is
 * the evidence every finding points to, and what a restart re-reads.  A
 * sentence gets the feed's name and its arrival time after the checksum,
 * the way collectors write it: ",rNAME,1733369000123" (source NAME, clock
 * "trailer"); a line with a tag block keeps its own source, so there
 * ",xNAME,..." (a field the decoder passes over); a receiver's tag-block
 * time beats the arrival time.
 *
 * Every commit_s seconds with new lines: the lines are committed with the
 * followed files' positions, the tracks built, the whole store scanned
 * (pel_scan_findings, the same findings as pelorus scan), and the
 * findings compared with the alerts standing:
 *   - a finding matches a standing alert of the same event and vessels
 *     that starts at the same time, else one whose period overlaps its own
 *     (the nearest start): it keeps that alert's id as it grows;
 *   - a new finding gets an alert "new" with id the first 16 hex digits of
 *     SHA-256("event|mmsi|mmsi2|start ms");
 *   - a matched one whose digest changed an alert "update" (the digest of
 *     an open gap leaves out its end, which moves with every message of
 *     anyone: it changes when its cause or its place does);
 *   - a standing alert no finding matches an alert "retract" (late data
 *     closed the gap, split the encounter...).
 * Each alert carries the next sequence number.  The alerts are written,
 * then the standing alerts and the sequence number committed; a restart
 * reads the alerts file back past the committed number (the window between
 * the two), so an alert is never sent twice as new.
 *
 * Restart: a journal left partial by a killed run is read again from the
 * first line not committed (pel_live_journal), its lines stored, and the
 * journal closed; followed files go on from the committed position.
 *
 * Limits: each detection scans the whole store (identical to pelorus scan,
 * but its cost grows with the history held: point a long-running watch at
 * a database holding the days it needs); lines received over TCP or UDP
 * but not yet in the journal when the process dies are lost (the journal
 * is written as lines arrive, and flushed every commit).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "findings/finding.h"
#include "findings/write.h"
#include "live/feed.h"
#include "live/live.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/sha.h"
#include "util/xsort.h"

/* ---- standing alerts ---------------------------------------------------------------------- */

typedef struct standing {
    char id[24];
    int64_t seq;
    char digest[40];
    char event[32];
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
    bool matched;
} standing;

typedef struct watch {
    pel_store *s;
    const pel_watch_opts *o;
    pel_watch_stats *st;
    pel_error *err;
    pel_live *lv;
    feed_set *fs;
    exec_pool *ex;
    FILE *journal;
    char jpath[1100];
    uint64_t lineno;
    standing *a;
    size_t na, acap;
    int64_t seq;
    pel_status failed;
    char **tag;              /* per feed, its name as written in the journal's trailers */
    int64_t batch_first_ms;  /* arrival of the first line since the last commit, 0 none */
    int64_t detect_first_ms; /* ... of the lines the detection under way covers */
    double *delay;           /* per alert: seconds from detect_first_ms to its sending */
    size_t ndelay, delaycap;
    int jday;                  /* the UTC day (days since 1970) the journal was opened on */
    unsigned jseq;             /* journals opened by this run */
    uint64_t jfirst;           /* the journal's line count when opened (a continued one's) */
    uint64_t stored, detected; /* records stored so far (positions and identities; per journal, with its
                                  number), and as the last detection saw them */
} watch;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_standing(const void *x, const void *y) {
    const standing *a = x, *b = y;
    int c = strcmp(a->event, b->event);
    if (c)
        return c;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    if (a->mmsi2 != b->mmsi2)
        return a->mmsi2 < b->mmsi2 ? -1 : 1;
    if (a->start_ms != b->start_ms)
        return a->start_ms < b->start_ms ? -1 : 1;
    return strcmp(a->id, b->id);
}

static standing *standing_add(watch *w) {
    if (w->na == w->acap) {
        size_t nc = w->acap ? 2 * w->acap : 256;
        standing *n = realloc(w->a, nc * sizeof *n);
        if (!n)
            return NULL;
        w->a = n;
        w->acap = nc;
    }
    standing *x = &w->a[w->na++];
    memset(x, 0, sizeof *x);
    return x;
}

static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

static int load_one(void *ud, const st_live_alert *a) {
    watch *w = ud;
    standing *x = standing_add(w);
    if (!x) {
        w->failed = PEL_ERR_NOMEM;
        return 1;
    }
    copy_str(x->id, sizeof x->id, a->id);
    copy_str(x->digest, sizeof x->digest, a->digest);
    copy_str(x->event, sizeof x->event, a->event);
    x->seq = a->seq;
    x->mmsi = a->mmsi;
    x->mmsi2 = a->mmsi2;
    x->start_ms = a->start_ms;
    x->end_ms = a->end_ms;
    return 0;
}

static pel_status put_standing(watch *w, const standing *x) {
    st_live_alert a = {.id = x->id,
                       .seq = x->seq,
                       .digest = x->digest,
                       .event = x->event,
                       .mmsi = x->mmsi,
                       .mmsi2 = x->mmsi2,
                       .start_ms = x->start_ms,
                       .end_ms = x->end_ms};
    return st_live_alert_put(w->s, &a, w->err);
}

/* ---- the alerts file read back (restart) ------------------------------------------------- */

/* Applies the alerts of the file written after the committed sequence
 * number (a run killed between writing and committing them). */
static pel_status recover_alerts(watch *w) {
    const char *path = w->o->alerts_path;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return PEL_OK; /* none written yet */
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    pel_status st = PEL_OK;
    while (st == PEL_OK && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break; /* cut by the kill: never complete */
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        json_int_t seq = json_integer_value(json_object_get(j, "seq"));
        const char *kind = json_string_value(json_object_get(j, "alert"));
        const char *id = json_string_value(json_object_get(j, "id"));
        if (j && seq > w->seq && kind && id) {
            standing *x = NULL;
            for (size_t i = 0; i < w->na && !x; i++)
                if (!strcmp(w->a[i].id, id))
                    x = &w->a[i];
            if (!strcmp(kind, "retract")) {
                if (x && (st = st_live_alert_drop(w->s, id, w->err)) == PEL_OK)
                    *x = w->a[--w->na];
            } else if (!x && !(x = standing_add(w)))
                st = pel_fail(w->err, PEL_ERR_NOMEM, "out of memory");
            else {
                json_t *fd = json_object_get(j, "finding");
                const char *t0 = json_string_value(json_object_get(fd, "start"));
                const char *t1 = json_string_value(json_object_get(fd, "end"));
                copy_str(x->id, sizeof x->id, id);
                copy_str(x->digest, sizeof x->digest, json_string_value(json_object_get(j, "digest")));
                copy_str(x->event, sizeof x->event, json_string_value(json_object_get(fd, "event")));
                x->mmsi = (uint32_t)json_integer_value(json_object_get(fd, "mmsi"));
                x->mmsi2 = (uint32_t)json_integer_value(json_object_get(fd, "mmsi2"));
                if (t0)
                    pel_parse_time(t0, strlen(t0), &x->start_ms);
                if (t1)
                    pel_parse_time(t1, strlen(t1), &x->end_ms);
                x->seq = seq;
                st = put_standing(w, x);
            }
            w->seq = seq;
            w->st->recovered_alerts++;
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    return st;
}

/* ---- detection and alerts ----------------------------------------------------------------- */

/* The digest of finding i: of its whole line, but for an open gap of what
 * stays while it grows. */
static void digest_of(const fnd_set *s, size_t i, const char *line, char *out) {
    const fnd_finding *f = &s->v[i];
    if (fnd_get_bool(f, "open") == 1) {
        char t[512];
        const char *cause = fnd_get_str(f, "cause");
        int k = snprintf(t, sizeof t, "%s|%u|%u|%lld|%.6f|%.6f|%s|%d", f->event, f->mmsi, f->mmsi2,
                         (long long)f->start_ms, f->lat, f->lon, cause ? cause : "-", fnd_get_bool(f, "suspected"));
        sha_hex(t, (size_t)k < sizeof t ? (size_t)k : sizeof t - 1, 16, out);
    } else
        sha_hex(line, strlen(line), 16, out);
}

/* The standing alert finding f continues: same event and vessels, the
 * same start, else an overlapping period (the nearest start); NULL none. */
static standing *match(watch *w, size_t nold, const fnd_finding *f) {
    standing key = {.mmsi = f->mmsi, .mmsi2 = f->mmsi2, .start_ms = INT64_MIN};
    copy_str(key.event, sizeof key.event, f->event);
    size_t lo = 0, hi = nold; /* the sorted ones: those appended since are new */
    while (lo < hi) {         /* the first of the same event and vessels */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_standing(&w->a[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    standing *best = NULL;
    int64_t bestd = INT64_MAX;
    for (size_t i = lo; i < nold; i++) {
        standing *x = &w->a[i];
        if (strcmp(x->event, f->event) || x->mmsi != f->mmsi || x->mmsi2 != f->mmsi2)
            break;
        if (x->matched)
            continue;
        if (x->start_ms == f->start_ms)
            return x;
        if (x->start_ms <= f->end_ms && f->start_ms <= x->end_ms) {
            int64_t d = llabs(x->start_ms - f->start_ms);
            if (d < bestd) {
                bestd = d;
                best = x;
            }
        }
    }
    return best;
}

/* Writes one alert line to the alerts output and the command. */
static pel_status emit(watch *w, const char *text) {
    if (w->detect_first_ms) { /* the delay of its alert, at most: from the first line it could rest on */
        if (w->ndelay == w->delaycap && w->delaycap < (1u << 20)) {
            size_t nc = w->delaycap ? 2 * w->delaycap : 1024;
            double *nd = realloc(w->delay, nc * sizeof *nd);
            if (nd) {
                w->delay = nd;
                w->delaycap = nc;
            }
        }
        if (w->ndelay < w->delaycap)
            w->delay[w->ndelay++] = (double)(now_ms() - w->detect_first_ms) / 1000.0;
    }
    if (w->o->alerts) {
        if (fputs(text, w->o->alerts) == EOF || fputc('\n', w->o->alerts) == EOF)
            return pel_fail(w->err, PEL_ERR_IO, "writing the alerts failed: %s", strerror(errno));
    }
    exec_alert(w->ex, text);
    return PEL_OK;
}

static int cmp_id(const void *x, const void *y) {
    return strcmp(x, y);
}

/* True when id is among the n ids (sorted) of the alerts standing before
 * the detection.  (The ids given during it are those of distinct findings:
 * fnd_id tells findings alike apart.) */
static bool id_taken(char (*ids)[24], size_t n, const char *id) {
    return xbsearch(id, ids, n, sizeof *ids, cmp_id) != NULL;
}

/* Rewrites the findings file with the set (a copy renamed over it). */
static pel_status write_findings(watch *w, const fnd_set *s) {
    const char *path = w->o->findings_path;
    if (!path)
        return PEL_OK;
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return pel_fail(w->err, PEL_ERR_IO, "%s: %s", tmp, strerror(errno));
    pel_status st = fnd_write(f, PEL_FIND_JSONL, s);
    if (fclose(f) != 0 || st != PEL_OK || rename(tmp, path) != 0) {
        unlink(tmp);
        return pel_fail(w->err, PEL_ERR_IO, "writing %s failed", path);
    }
    return PEL_OK;
}

/* Scans the store and sends the alerts of what changed. */
static pel_status detect(watch *w) {
    double t0 = mono_s();
    fnd_set *s = NULL;
    /* a window: the last window_s seconds of the data (and each vessel's
     * last position before them); what began before it is settled */
    pel_scan_opts so = w->o->scan;
    int64_t first, last, from = INT64_MIN;
    if (w->o->window_s > 0 && st_data_span(w->s, &first, &last) && last - (int64_t)(w->o->window_s * 1000) > first) {
        from = last - (int64_t)(w->o->window_s * 1000);
        so.has_from = true;
        so.from_ms = from;
    }
    pel_status st = pel_scan_findings(w->s, &so, &s, NULL, w->err);
    if (st != PEL_OK)
        return st;
    w->st->scans++;
    w->st->last_scan_s = mono_s() - t0;
    xqsort(w->a, w->na, sizeof *w->a, cmp_standing);
    for (size_t i = 0; i < w->na; i++)
        w->a[i].matched = false;
    size_t nold = w->na;
    char(*ids)[24] = malloc((nold ? nold : 1) * sizeof *ids);
    if (!ids) {
        fnd_set_free(s);
        return pel_fail(w->err, PEL_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nold; i++)
        memcpy(ids[i], w->a[i].id, sizeof ids[i]);
    xqsort(ids, nold, sizeof *ids, cmp_id);
    uint64_t sent = 0;
    for (size_t i = 0; i < s->n && st == PEL_OK; i++) {
        const fnd_finding *f = &s->v[i];
        char *line = fnd_json_line(s, i);
        if (!line) {
            st = pel_fail(w->err, PEL_ERR_NOMEM, "out of memory");
            break;
        }
        char dg[40];
        digest_of(s, i, line, dg);
        standing *x = match(w, nold, f);
        const char *kind = NULL;
        bool moved = false; /* a continued finding's period changed */
        standing fresh = {0};
        if (x && x->start_ms < from) {
            /* settled: the window sees only its tail, which keeps it (its
             * period, not its alert) going while it goes on */
            x->matched = true;
            if (f->end_ms > x->end_ms) {
                x->end_ms = f->end_ms;
                st = put_standing(w, x);
            }
        } else if (x) {
            x->matched = true;
            if (strcmp(x->digest, dg))
                kind = "update";
            moved = x->start_ms != f->start_ms || x->end_ms != f->end_ms;
            x->start_ms = f->start_ms;
            x->end_ms = f->end_ms;
        } else {
            fnd_id(s, i, fresh.id); /* the finding's own id (as pelorus scan writes it) */
            for (int salt = 1; id_taken(ids, nold, fresh.id); salt++) {
                /* taken by another standing alert (one whose finding's start moved) */
                char k2[200];
                int m = snprintf(k2, sizeof k2, "%s|taken|%d", fresh.id, salt);
                sha_hex(k2, (size_t)m, 8, fresh.id);
            }
            copy_str(fresh.event, sizeof fresh.event, f->event);
            fresh.mmsi = f->mmsi;
            fresh.mmsi2 = f->mmsi2;
            fresh.start_ms = f->start_ms;
            fresh.end_ms = f->end_ms;
            fresh.matched = true;
            kind = "new";
        }
        if (kind) {
            standing *y = x;
            if (!y) {
                /* appended past the sorted part: matched, so never matched again */
                if (!(y = standing_add(w))) {
                    free(line);
                    st = pel_fail(w->err, PEL_ERR_NOMEM, "out of memory");
                    break;
                }
                *y = fresh;
            }
            copy_str(y->digest, sizeof y->digest, dg);
            y->seq = ++w->seq;
            char *text = NULL;
            size_t tl = 0;
            FILE *m = open_memstream(&text, &tl);
            if (!m) {
                free(line);
                st = pel_fail(w->err, PEL_ERR_NOMEM, "out of memory");
                break;
            }
            fprintf(m, "{\"alert\":\"%s\",\"id\":\"%s\",\"seq\":%lld,\"digest\":\"%s\",\"finding\":%s}", kind, y->id,
                    (long long)y->seq, y->digest, line);
            fclose(m);
            st = text ? emit(w, text) : PEL_ERR_NOMEM;
            free(text);
            if (st == PEL_OK)
                st = put_standing(w, y);
            if (!strcmp(kind, "new"))
                w->st->alerts_new++;
            else
                w->st->alerts_update++;
            sent++;
        } else if (moved) /* the same alert, its period current */
            st = put_standing(w, x);
        free(line);
    }
    /* what no finding continues any more */
    for (size_t i = 0; i < nold && st == PEL_OK; i++) {
        standing *x = &w->a[i];
        if (x->matched)
            continue;
        if (x->start_ms < from) { /* settled: kept while the window still meets it, then let go */
            if (x->end_ms < from) {
                st = st_live_alert_drop(w->s, x->id, w->err);
                w->st->settled++;
                x->id[0] = 0;
            }
            continue;
        }
        char t0s[40], t1s[40];
        pel_format_time(x->start_ms, t0s);
        pel_format_time(x->end_ms, t1s);
        char text[512];
        int64_t seq = ++w->seq;
        if (x->mmsi2)
            snprintf(text, sizeof text,
                     "{\"alert\":\"retract\",\"id\":\"%s\",\"seq\":%lld,\"event\":\"%s\",\"mmsi\":%u,\"mmsi2\":%u,"
                     "\"start\":\"%s\",\"end\":\"%s\"}",
                     x->id, (long long)seq, x->event, x->mmsi, x->mmsi2, t0s, t1s);
        else
            snprintf(text, sizeof text,
                     "{\"alert\":\"retract\",\"id\":\"%s\",\"seq\":%lld,\"event\":\"%s\",\"mmsi\":%u,\"start\":\"%s\","
                     "\"end\":\"%s\"}",
                     x->id, (long long)seq, x->event, x->mmsi, t0s, t1s);
        st = emit(w, text);
        if (st == PEL_OK)
            st = st_live_alert_drop(w->s, x->id, w->err);
        w->st->alerts_retract++;
        sent++;
        x->id[0] = 0; /* dropped below */
    }
    size_t k = 0;
    for (size_t i = 0; i < w->na; i++)
        if (w->a[i].id[0])
            w->a[k++] = w->a[i];
    w->na = k;
    w->st->standing = k;
    if (sent && w->o->alerts && fflush(w->o->alerts) != 0 && st == PEL_OK)
        st = pel_fail(w->err, PEL_ERR_IO, "writing the alerts failed: %s", strerror(errno));
    if (sent && w->o->alerts_path && w->o->alerts)
        fsync(fileno(w->o->alerts));
    if (st == PEL_OK) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)w->seq);
        st = st_live_put(w->s, "alert_seq", v, w->err);
    }
    if (st == PEL_OK)
        st = pel_live_sync(w->lv, w->err);
    if (st == PEL_OK)
        st = write_findings(w, s);
    fnd_set_free(s);
    free(ids);
    return st;
}

/* ---- lines in ------------------------------------------------------------------------------ */

static int on_line(void *ud, size_t feed, const char *line, size_t len, int64_t arrival_ms) {
    watch *w = ud;
    char buf[FEED_MAX_LINE + 200];
    size_t n = len < FEED_MAX_LINE ? len : FEED_MAX_LINE;
    memcpy(buf, line, n);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' '; /* one journal line per line received */
    /* after a sentence's checksum: the feed it came by and its arrival
     * time, the collector's (a receiver's tag-block time and source beat
     * them); a restart tells the feeds' lines apart by it */
    const char *star = NULL;
    for (size_t i = n; i-- > 0 && !star;)
        if (buf[i] == '*')
            star = buf + i;
    if (star && (buf[0] == '!' || buf[0] == '\\') && star + 3 == buf + n) {
        /* a line with a tag block keeps its own source (its fragments are
         * joined by it): the feed goes in a field the decoder passes over */
        int k = snprintf(buf + n, sizeof buf - n, ",%c%s,%lld", buf[0] == '\\' ? 'x' : 'r', w->tag[feed],
                         (long long)arrival_ms);
        if (k > 0 && (size_t)k < sizeof buf - n)
            n += (size_t)k;
    }
    buf[n] = '\n';
    if (fwrite(buf, 1, n + 1, w->journal) != n + 1) {
        w->failed = pel_fail(w->err, PEL_ERR_IO, "%s: writing the journal failed: %s", w->jpath, strerror(errno));
        return 1;
    }
    w->lineno++;
    w->st->lines++;
    if (!w->batch_first_ms)
        w->batch_first_ms = arrival_ms;
    pel_status st = pel_live_line(w->lv, feed, buf, n, w->lineno, w->err);
    if (st != PEL_OK) {
        w->failed = st;
        return 1;
    }
    return 0;
}

/* Commits the lines so far with the followed files' positions. */
static pel_status commit(watch *w) {
    if (fflush(w->journal) != 0)
        return pel_fail(w->err, PEL_ERR_IO, "%s: writing the journal failed: %s", w->jpath, strerror(errno));
    fdatasync(fileno(w->journal));
    size_t nf = feed_count(w->fs);
    char **kv = calloc(2 * nf + 1, sizeof *kv);
    size_t nkv = 0;
    pel_status st = kv ? PEL_OK : PEL_ERR_NOMEM;
    for (size_t i = 0; i < nf && st == PEL_OK; i++) {
        uint64_t ino, off;
        if (!feed_file_position(w->fs, i, &ino, &off))
            continue;
        char *k = malloc(strlen(feed_spec(w->fs, i)) + 8), *v = malloc(48);
        if (!k || !v) {
            free(k);
            free(v);
            st = PEL_ERR_NOMEM;
            break;
        }
        sprintf(k, "feed:%s", feed_spec(w->fs, i));
        sprintf(v, "%llu %llu", (unsigned long long)ino, (unsigned long long)off);
        kv[nkv++] = k;
        kv[nkv++] = v;
    }
    if (st == PEL_OK) {
        pel_ingest_stats is;
        st = pel_live_commit(w->lv, w->lineno, (const char *const *)kv, nkv, &is, w->err);
        w->st->positions = is.positions;
        w->st->rejected = is.rejected;
        w->stored = ((uint64_t)w->jseq << 48) + is.positions + is.statics;
    } else
        pel_fail(w->err, st, "out of memory");
    for (size_t i = 0; kv && i < nkv; i++)
        free(kv[i]);
    free(kv);
    w->st->commits++;
    w->detect_first_ms = w->batch_first_ms;
    w->batch_first_ms = 0;
    return st;
}

/* ---- restart ------------------------------------------------------------------------------------ */

typedef struct left {
    char **path;
    size_t n;
    bool failed;
} left;

static int left_one(void *ud, int64_t id, const char *path, uint64_t done) {
    (void)id;
    (void)done; /* pel_live_journal tells it again */
    left *l = ud;
    char **np = realloc(l->path, (l->n + 1) * sizeof *np);
    if (!np || !(np[l->n] = strdup(path))) {
        if (np)
            l->path = np;
        l->failed = true;
        return 1;
    }
    l->path = np;
    l->n++;
    return 0;
}

/* Whether a journal line is to be stored again at a restart: 1 when it
 * came by a feed that is no followed file (its trailer names the feed;
 * *feed gets it), 0 when by a followed file (read again from the file,
 * whose position is committed with the journal's lines), -1 when it has
 * no trailer (no sentence: nothing to store, and no telling its feed). */
static int of_file(const watch *w, const char *line, size_t len, size_t *feed) {
    const char *star = NULL;
    for (size_t i = len; i-- > 0 && !star;)
        if (line[i] == '*')
            star = line + i;
    if (!star || star + 4 >= line + len || star[3] != ',' || (star[4] != 'r' && star[4] != 'x'))
        return -1;
    const char *name = star + 5, *end = memchr(name, ',', (size_t)(line + len - name));
    if (!end)
        return -1;
    for (size_t i = 0; i < feed_count(w->fs); i++)
        if (strlen(w->tag[i]) == (size_t)(end - name) && !memcmp(w->tag[i], name, (size_t)(end - name))) {
            *feed = i;
            return feed_kind_of(w->fs, i) == FEED_FILE ? 0 : 1;
        }
    return 1; /* a feed of another run: stored */
}

/* The journals a killed run left: their lines past the committed ones
 * stored (each on the decoder of the feed its trailer names), each closed. */
static pel_status finish_left(watch *w) {
    left l = {0};
    pel_status st = st_live_journals(w->s, left_one, &l, w->err);
    if (st == PEL_OK && l.failed)
        st = pel_fail(w->err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < l.n && st == PEL_OK; i++) {
        uint64_t done = 0;
        st = pel_live_journal(w->lv, l.path[i], &done, w->err);
        FILE *f = st == PEL_OK ? fopen(l.path[i], "r") : NULL;
        if (st == PEL_OK && f) {
            char *line = NULL;
            size_t cap = 0;
            ssize_t n;
            uint64_t no = 0;
            while (st == PEL_OK && (n = getline(&line, &cap, f)) > 0) {
                no++;
                if (line[n - 1] != '\n')
                    break; /* cut by the kill: the feed had not finished it */
                if (no <= done)
                    continue;
                /* a followed file's lines are read again from it (its
                 * position is committed with the journal's lines) */
                size_t feed = 0;
                if (of_file(w, line, (size_t)n - 1, &feed) < 1) {
                    w->st->skipped_lines++;
                    continue;
                }
                st = pel_live_line(w->lv, feed, line, (size_t)n - 1, no, w->err);
                w->st->recovered_lines++;
            }
            free(line);
            fclose(f);
        }
        if (st == PEL_OK)
            st = pel_live_journal_done(w->lv, w->err);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.path[i]);
    free(l.path);
    return st;
}

/* ---- the service ---------------------------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void status(watch *w) {
    if (!w->o->on_status)
        return;
    char buf[4096];
    size_t k = 0;
    k += (size_t)snprintf(buf + k, sizeof buf - k,
                          "lines %llu, positions %llu, rejected %llu, scans %llu (last %.2f s), alerts new %llu "
                          "update %llu retract %llu, standing %llu",
                          (unsigned long long)w->st->lines, (unsigned long long)w->st->positions,
                          (unsigned long long)w->st->rejected, (unsigned long long)w->st->scans, w->st->last_scan_s,
                          (unsigned long long)w->st->alerts_new, (unsigned long long)w->st->alerts_update,
                          (unsigned long long)w->st->alerts_retract, (unsigned long long)w->st->standing);
    if (w->ndelay && k < sizeof buf) {
        xqsort(w->delay, w->ndelay, sizeof *w->delay, cmp_double);
        w->st->delay_median_s = w->delay[w->ndelay / 2];
        w->st->delay_p90_s = w->delay[w->ndelay * 9 / 10];
        k += (size_t)snprintf(buf + k, sizeof buf - k,
                              ", alert delay median %.2f s, p90 %.2f s (from the first line of the commit)",
                              w->st->delay_median_s, w->st->delay_p90_s);
    }
    const exec_stats *es = exec_stats_of(w->ex);
    if (es && k < sizeof buf)
        k += (size_t)snprintf(buf + k, sizeof buf - k, ", exec ok %llu failed %llu dropped %llu",
                              (unsigned long long)es->ok, (unsigned long long)es->failed,
                              (unsigned long long)es->dropped);
    w->o->on_status(w->o->ud, buf);
    int64_t t = now_ms();
    for (size_t i = 0; i < feed_count(w->fs); i++) {
        const feed_stats *f = feed_stats_of(w->fs, i);
        const pel_live_feed_counts *c = pel_live_feed(w->lv, i);
        k = (size_t)snprintf(buf, sizeof buf, "feed %s (%s): %s, lines %llu, messages %llu, rejects %llu",
                             feed_name(w->fs, i), feed_spec(w->fs, i),
                             f->ended ? "ended"
                             : f->up  ? "up"
                                      : "down",
                             (unsigned long long)f->lines, (unsigned long long)(c ? c->messages : 0),
                             (unsigned long long)(c ? c->rejected : 0));
        for (int r = 0; c && r < 64 && k < sizeof buf; r++)
            if (c->by_reason[r])
                k += (size_t)snprintf(buf + k, sizeof buf - k, " %s %llu", pel_ingest_reason_name(r),
                                      (unsigned long long)c->by_reason[r]);
        if (k < sizeof buf && f->too_long)
            k += (size_t)snprintf(buf + k, sizeof buf - k, " too_long %llu", (unsigned long long)f->too_long);
        char heard[48] = "never";
        if (f->last_heard_ms)
            snprintf(heard, sizeof heard, "%.1f s ago", (double)(t - f->last_heard_ms) / 1000.0);
        if (k < sizeof buf)
            snprintf(buf + k, sizeof buf - k, ", last heard %s, reconnects %llu%s%s", heard,
                     (unsigned long long)f->reconnects, f->error[0] ? ", " : "", f->error);
        w->o->on_status(w->o->ud, buf);
    }
}

/* A new journal for this run: DIR/YYYYMMDDTHHMMSSZ-PID-N.nmea (N: this run's Nth). */
static pel_status open_journal(watch *w) {
    const char *dir = w->o->journal_dir;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return pel_fail(w->err, PEL_ERR_IO, "%s: cannot make the journal directory: %s", dir, strerror(errno));
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(w->jpath, sizeof w->jpath, "%s/%s-%ld-%u.nmea", dir, stamp, (long)getpid(), ++w->jseq);
    w->jday = (int)(t / 86400);
    if (!(w->journal = fopen(w->jpath, "a")))
        return pel_fail(w->err, PEL_ERR_IO, "%s: %s", w->jpath, strerror(errno));
    uint64_t done = 0;
    pel_status st = pel_live_journal(w->lv, w->jpath, &done, w->err);
    w->lineno = w->jfirst = done;
    return st;
}

/* A new journal each UTC day, and every o->journal_lines lines when set:
 * the current one completed (after the commit just made), the next begun. */
static pel_status rotate(watch *w) {
    bool day = (int)(time(NULL) / 86400) != w->jday;
    bool full = w->o->journal_lines && w->lineno - w->jfirst >= w->o->journal_lines;
    if (!day && !full)
        return PEL_OK;
    pel_status st = pel_live_journal_done(w->lv, w->err);
    if (fclose(w->journal) != 0 && st == PEL_OK)
        st = pel_fail(w->err, PEL_ERR_IO, "%s: %s", w->jpath, strerror(errno));
    w->journal = NULL;
    w->st->journals++;
    return st == PEL_OK ? open_journal(w) : st;
}

pel_status pel_watch(pel_store *s, const pel_watch_opts *o, pel_watch_stats *stats, pel_error *err) {
    pel_watch_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!o->nfeeds)
        return pel_fail(err, PEL_ERR_ARG, "no feed to watch");
    if (!o->journal_dir || !*o->journal_dir)
        return pel_fail(err, PEL_ERR_ARG, "no journal directory");
    pel_status st = pel_scan_check_settings(o->scan.set, o->scan.nset, err);
    if (st != PEL_OK)
        return st;
    watch w = {.s = s, .o = o, .st = stats, .err = err};
    if (!(w.fs = feed_set_new(o->once, o->udp_idle_ms)))
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->nfeeds && st == PEL_OK; i++) {
        size_t idx;
        st = feed_add(w.fs, o->feeds[i].spec, o->feeds[i].name, &idx, err);
    }
    /* the feeds' names as trailers carry them: no comma, star or blank */
    if (st == PEL_OK && !(w.tag = calloc(o->nfeeds, sizeof *w.tag)))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->nfeeds && st == PEL_OK; i++) {
        const char *nm = o->feeds[i].name && *o->feeds[i].name ? o->feeds[i].name : "feed";
        if (!(w.tag[i] = strdup(nm))) {
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            break;
        }
        for (char *c = w.tag[i]; *c; c++)
            if (*c == ',' || *c == '*' || *c == '\\' || *c == '!' || (unsigned char)*c <= ' ' || *c == 127)
                *c = '_';
    }
    if (st == PEL_OK && o->exec && !(w.ex = exec_pool_new(o->exec, o->exec_jobs)))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK)
        st = pel_live_open(s, &o->ingest, &w.lv, err);
    if (st == PEL_OK)
        st = pel_live_feeds(w.lv, o->nfeeds, err);
    /* restart: what the last run left */
    if (st == PEL_OK)
        st = finish_left(&w);
    if (st == PEL_OK)
        st = st_live_alerts(s, load_one, &w, err);
    if (st == PEL_OK && w.failed != PEL_OK)
        st = pel_fail(err, w.failed, "out of memory");
    char *seq = NULL;
    if (st == PEL_OK && (st = st_live_get(s, "alert_seq", &seq, err)) == PEL_OK && seq)
        w.seq = strtoll(seq, NULL, 10);
    /* a database that never sent an alert has nothing to read back: an
     * alerts file already there is another database's */
    if (st == PEL_OK && seq)
        st = recover_alerts(&w);
    else if (st == PEL_OK) /* watched from now on: committed below, before any alert */
        st = st_live_put(s, "alert_seq", "0", err);
    free(seq);
    if (st == PEL_OK)
        st = pel_live_sync(w.lv, err);
    /* followed files go on where the committed lines end */
    for (size_t i = 0; i < feed_count(w.fs) && st == PEL_OK; i++) {
        if (feed_kind_of(w.fs, i) != FEED_FILE)
            continue;
        char key[1100], *v = NULL;
        snprintf(key, sizeof key, "feed:%s", feed_spec(w.fs, i));
        if ((st = st_live_get(s, key, &v, err)) == PEL_OK && v) {
            unsigned long long ino = 0, off = 0;
            if (sscanf(v, "%llu %llu", &ino, &off) == 2)
                feed_file_resume(w.fs, i, ino, off);
        }
        free(v);
    }
    if (st == PEL_OK)
        st = open_journal(&w);
    double commit_s = o->commit_s > 0 ? o->commit_s : 1.0, stats_s = o->stats_s > 0 ? o->stats_s : 60.0;
    double next_commit = mono_s() + commit_s, next_status = mono_s() + stats_s;
    bool dirty = false, detected_once = false;
    while (st == PEL_OK) {
        uint64_t before = w.lineno;
        double now = mono_s();
        /* nothing to commit: the next commit is due a period after the
         * next line, not at once (a silent feed must not spin the loop) */
        if (!dirty && detected_once && now >= next_commit)
            next_commit = now + commit_s;
        int wait = (int)((next_commit - now) * 1000);
        if (wait < 0)
            wait = 0;
        if (wait > 250)
            wait = 250;
        st = feed_poll(w.fs, wait, on_line, &w, err);
        if (st == PEL_STOPPED)
            st = w.failed != PEL_OK ? w.failed : PEL_OK;
        if (st != PEL_OK)
            break;
        if (w.failed != PEL_OK) {
            st = w.failed;
            break;
        }
        dirty |= w.lineno != before;
        exec_poll(w.ex);
        bool ended = feed_all_ended(w.fs);
        bool stop = (o->stop && *o->stop) || ended;
        now = mono_s();
        if (stop)
            pel_live_flush(w.lv);
        if ((dirty && now >= next_commit) || stop || (!detected_once && now >= next_commit)) {
            st = commit(&w);
            /* lines that stored nothing (garbage, rejects) change no finding */
            if (st == PEL_OK && ((dirty && w.stored != w.detected) || !detected_once)) {
                st = detect(&w);
                w.detected = w.stored;
            }
            if (st == PEL_OK && !stop)
                st = rotate(&w);
            dirty = false;
            detected_once = true;
            next_commit = mono_s() + commit_s;
        }
        if ((o->report && *o->report) || now >= next_status) {
            if (o->report)
                *o->report = 0;
            status(&w);
            next_status = now + stats_s;
        }
        if (stop)
            break;
    }
    if (w.lv && w.journal && st == PEL_OK)
        st = pel_live_journal_done(w.lv, err);
    /* commands still running finish on their own; wait a little for them */
    for (int i = 0; i < 100 && exec_busy(w.ex); i++) {
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
        exec_poll(w.ex);
    }
    if (w.lv)
        status(&w);
    /* --once: a feed that gave nothing but an error (a file missing or a
     * directory, a server refusing) is an input that could not be read */
    for (size_t i = 0; st == PEL_OK && o->once && w.fs && i < feed_count(w.fs); i++) {
        const feed_stats *f = feed_stats_of(w.fs, i);
        if (f->error[0] && !f->bytes)
            st = pel_fail(err, PEL_ERR_IO, "feed %s (%s): %s", feed_name(w.fs, i), feed_spec(w.fs, i), f->error);
    }
    const exec_stats *es = exec_stats_of(w.ex);
    if (es) {
        stats->exec_ok = es->ok;
        stats->exec_failed = es->failed;
        stats->exec_dropped = es->dropped;
    }
    if (w.journal)
        fclose(w.journal);
    pel_live_close(w.lv);
    exec_pool_free(w.ex);
    feed_set_free(w.fs);
    for (size_t i = 0; w.tag && i < o->nfeeds; i++)
        free(w.tag[i]);
    free(w.tag);
    free(w.delay);
    free(w.a);
    return st;
}
