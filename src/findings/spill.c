/*
 * spill.c -- an fnd_set whose findings live in a temporary file (spill.h),
 * so that a scan's memory does not grow with the number of its findings
 * beyond a fixed index entry each (fnd_ref, 40 bytes; 48 with the room
 * the index keeps to grow).
 *
 * A finding pushed is frozen as every finding is (finding.c: one block of
 * members, evidence and strings), then written to the file as a record: a
 * fixed head (its core and counts) and the block, its pointers made
 * offsets into the block, so that it reads back anywhere.  The index entry
 * keeps what ordering and ids need (start, end, vessels, event) and where
 * the record is.  Records are written a MiB at a time (pwrite), and a
 * finding is read back (pread, or from the records not yet written: a
 * detector reads the gaps it just pushed) one at a time, into one of
 * two buffers (the second for comparing two findings alike in their core).
 * An amended finding is written again at the end of the file and its entry
 * points there; a dropped one leaves its record unused.  The findings of
 * the events in the hold list stay in memory as frozen blocks: those a
 * detector's finish amends or drops once every finding is known.
 *
 * The file is util_tmp_fd's ($TMPDIR, else /tmp): unlinked as soon as it
 * is made, so the system removes it when it is closed or the process ends.  Limits: a record is at most 4 GiB (a
 * finding is a few KiB); the file grows with every amendment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings/spill.h"
#include "findings/write.h"
#include "util/tmpfd.h"
#include "util/xsort.h"

/* One finding of the index. */
typedef struct fnd_ref {
    int64_t start_ms, end_ms;
    uint64_t off; /* the record's offset in the file; a held finding's slot in held */
    uint32_t mmsi, mmsi2;
    uint32_t len;   /* the record's bytes; 0 for a held finding */
    uint16_t event; /* index into events */
    uint16_t spare;
} fnd_ref;

/* A record's head; the block follows it. */
typedef struct rec_head {
    int64_t start_ms, end_ms;
    double lat, lon;
    uint64_t nev_total;
    uint32_t mmsi, mmsi2, clocks;
    uint32_t nmem, nev;
    uint32_t event; /* offset of the event's name in the block */
} rec_head;
_Static_assert(sizeof(rec_head) % 8 == 0, "a record's block (its members first) aligned after its head");

#define OUT_SIZE (1u << 20) /* the records not yet written: a write a MiB */

struct fnd_spill {
    FILE *f;          /* util_tmp_fd's; read and written by pread/pwrite on its descriptor */
    uint64_t end;     /* the records' end: the file's and then out's */
    uint64_t flushed; /* the file's end: out holds [flushed, end) */
    unsigned char *out;
    fnd_ref *ref;
    size_t n, cap;
    char **events; /* interned event names (owned) */
    bool *held_ev; /* per event: kept in memory */
    size_t nevents;
    char **hold; /* the hold list (owned, NULL-terminated) */
    fnd_finding *held;
    size_t nheld, heldcap;
    unsigned char *wbuf; /* a record being written */
    size_t wcap;
    unsigned char *rbuf[2]; /* records read back */
    size_t rcap[2];
    fnd_finding cur[2];
    pel_status failed;
    char msg[200];
};

static pel_status fail(fnd_spill *sp, pel_status st, const char *what, int e) {
    if (sp->failed == PEL_OK) {
        sp->failed = st;
        if (st == PEL_ERR_NOMEM)
            snprintf(sp->msg, sizeof sp->msg, "out of memory");
        else
            snprintf(sp->msg, sizeof sp->msg, "the findings' temporary file: %s: %s", what,
                     e ? strerror(e) : "unexpected end of file");
    }
    return st;
}

fnd_spill *spill_new(const char *const *hold, pel_status *st) {
    fnd_spill *sp = calloc(1, sizeof *sp);
    size_t nh = 0;
    while (hold && hold[nh])
        nh++;
    if (sp) {
        sp->hold = calloc(nh + 1, sizeof *sp->hold);
        sp->out = malloc(OUT_SIZE);
    }
    bool ok = sp && sp->hold && sp->out;
    for (size_t i = 0; ok && i < nh; i++)
        ok = (sp->hold[i] = strdup(hold[i])) != NULL;
    if (!ok) {
        spill_free(sp);
        *st = PEL_ERR_NOMEM;
        return NULL;
    }
    char why[240];
    int fd = util_tmp_fd("findings", why, sizeof why);
    if (fd < 0 || !(sp->f = fdopen(fd, "w+b"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        spill_free(sp);
        errno = e;
        *st = PEL_ERR_IO;
        return NULL;
    }
    *st = PEL_OK;
    return sp;
}

void spill_free(fnd_spill *sp) {
    if (!sp)
        return;
    if (sp->f)
        fclose(sp->f);
    free(sp->ref);
    for (size_t i = 0; i < sp->nevents; i++)
        free(sp->events[i]);
    free(sp->events);
    free(sp->held_ev);
    for (size_t i = 0; sp->hold && sp->hold[i]; i++)
        free(sp->hold[i]);
    free(sp->hold);
    for (size_t i = 0; i < sp->nheld; i++)
        free(sp->held[i].block);
    free(sp->held);
    free(sp->wbuf);
    free(sp->out);
    free(sp->rbuf[0]);
    free(sp->rbuf[1]);
    free(sp);
}

size_t spill_count(const fnd_spill *sp) {
    return sp->n;
}

pel_status spill_status(const fnd_spill *sp) {
    return sp->failed;
}

const char *spill_error(const fnd_spill *sp) {
    return sp->msg;
}

/* The index of the event called name, added when new; -1 when out of
 * memory (or more than 65535 events). */
static int intern(fnd_spill *sp, const char *name) {
    for (size_t i = 0; i < sp->nevents; i++)
        if (!strcmp(sp->events[i], name))
            return (int)i;
    if (sp->nevents == UINT16_MAX)
        return -1;
    char **ev = realloc(sp->events, (sp->nevents + 1) * sizeof *ev);
    if (ev)
        sp->events = ev;
    bool *he = realloc(sp->held_ev, (sp->nevents + 1) * sizeof *he);
    if (he)
        sp->held_ev = he;
    char *copy = ev && he ? strdup(name) : NULL;
    if (!copy)
        return -1;
    bool held = false;
    for (size_t i = 0; sp->hold[i]; i++)
        held |= !strcmp(sp->hold[i], name);
    sp->events[sp->nevents] = copy;
    sp->held_ev[sp->nevents] = held;
    return (int)sp->nevents++;
}

static bool grow(unsigned char **buf, size_t *cap, size_t need) {
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need)
        ncap *= 2;
    unsigned char *nb = realloc(*buf, ncap);
    if (!nb)
        return false;
    *buf = nb;
    *cap = ncap;
    return true;
}

/* The bytes of f's block in use: its members, evidence and strings. */
static size_t block_used(const fnd_finding *f) {
    const char *b = f->block;
    size_t used = f->nmem * sizeof(fnd_member) + f->nev * sizeof(fnd_evidence);
    size_t e = (size_t)(f->event - b) + strlen(f->event) + 1;
    if (e > used)
        used = e;
    for (size_t i = 0; i < f->nmem; i++) {
        const fnd_member *m = &f->mem[i];
        if (m->name && (e = (size_t)(m->name - b) + strlen(m->name) + 1) > used)
            used = e;
        if (m->kind == FND_STR && (e = (size_t)(m->v.s - b) + strlen(m->v.s) + 1) > used)
            used = e;
    }
    return used;
}

/* A block's pointer p as an offset (0 for NULL, else offset + 1). */
static const char *to_off(const char *p, const void *block) {
    return p ? (const char *)(uintptr_t)(p - (const char *)block + 1) : NULL;
}

static const char *from_off(const char *o, const unsigned char *block) {
    return o ? (const char *)block + ((uintptr_t)o - 1) : NULL;
}

/* Writes n bytes at off of the file. */
static pel_status put(fnd_spill *sp, const unsigned char *p, size_t n, uint64_t off) {
    while (n) {
        ssize_t w = pwrite(fileno(sp->f), p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return fail(sp, PEL_ERR_IO, "writing", w < 0 ? errno : ENOSPC);
        p += w;
        off += (uint64_t)w;
        n -= (size_t)w;
    }
    return PEL_OK;
}

/* Writes out's records to the file. */
static pel_status flush(fnd_spill *sp) {
    pel_status st = put(sp, sp->out, (size_t)(sp->end - sp->flushed), sp->flushed);
    if (st == PEL_OK)
        sp->flushed = sp->end;
    return st;
}

/* Appends f as a record after the others (in out, written when out is
 * full): *off and *len set. */
static pel_status write_rec(fnd_spill *sp, const fnd_finding *f, uint64_t *off, uint32_t *len) {
    /* a multiple of 8: the next record's head and members aligned in out */
    size_t used = block_used(f), total = (sizeof(rec_head) + used + 7) & ~(size_t)7;
    if (total > UINT32_MAX)
        return fail(sp, PEL_ERR_IO, "a finding too large to write", EFBIG);
    if (sp->end - sp->flushed + total > OUT_SIZE && flush(sp) != PEL_OK)
        return sp->failed;
    bool direct = total > OUT_SIZE; /* a record larger than out: built apart, written at once */
    if (direct && !grow(&sp->wbuf, &sp->wcap, total))
        return fail(sp, PEL_ERR_NOMEM, NULL, 0);
    unsigned char *rec = direct ? sp->wbuf : sp->out + (sp->end - sp->flushed);
    rec_head h = {.start_ms = f->start_ms,
                  .end_ms = f->end_ms,
                  .lat = f->lat,
                  .lon = f->lon,
                  .nev_total = f->nev_total,
                  .mmsi = f->mmsi,
                  .mmsi2 = f->mmsi2,
                  .clocks = f->clocks,
                  .nmem = (uint32_t)f->nmem,
                  .nev = (uint32_t)f->nev,
                  .event = (uint32_t)(f->event - (const char *)f->block)};
    memcpy(rec, &h, sizeof h);
    unsigned char *blk = rec + sizeof h;
    memcpy(blk, f->block, used);
    memset(blk + used, 0, total - sizeof h - used); /* the padding: no stray bytes in the file */
    fnd_member *mem = (fnd_member *)blk;
    for (size_t i = 0; i < f->nmem; i++) {
        mem[i].name = to_off(mem[i].name, f->block);
        if (mem[i].kind == FND_STR)
            mem[i].v.s = to_off(mem[i].v.s, f->block);
    }
    if (direct && put(sp, rec, total, sp->end) != PEL_OK)
        return sp->failed;
    *off = sp->end;
    *len = (uint32_t)total;
    sp->end += total;
    if (direct)
        sp->flushed = sp->end;
    return PEL_OK;
}

/* The finding of r, read into buffer k (0 or 1) unless held. */
static const fnd_finding *load(fnd_spill *sp, const fnd_ref *r, int k) {
    if (!r->len)
        return &sp->held[r->off];
    if (!grow(&sp->rbuf[k], &sp->rcap[k], r->len)) {
        fail(sp, PEL_ERR_NOMEM, NULL, 0);
        return NULL;
    }
    unsigned char *buf = sp->rbuf[k];
    size_t got = 0;
    if (r->off >= sp->flushed) { /* not written yet */
        memcpy(buf, sp->out + (r->off - sp->flushed), r->len);
        got = r->len;
    }
    while (got < r->len) {
        ssize_t g = pread(fileno(sp->f), buf + got, r->len - got, (off_t)(r->off + got));
        if (g < 0 && errno == EINTR)
            continue;
        if (g <= 0) {
            fail(sp, PEL_ERR_IO, "reading", g < 0 ? errno : 0);
            return NULL;
        }
        got += (size_t)g;
    }
    rec_head h;
    memcpy(&h, buf, sizeof h);
    unsigned char *blk = buf + sizeof h;
    fnd_member *mem = (fnd_member *)blk;
    for (size_t i = 0; i < h.nmem; i++) {
        mem[i].name = from_off(mem[i].name, blk);
        if (mem[i].kind == FND_STR)
            mem[i].v.s = from_off(mem[i].v.s, blk);
    }
    sp->cur[k] = (fnd_finding){.event = (const char *)blk + h.event,
                               .mmsi = h.mmsi,
                               .mmsi2 = h.mmsi2,
                               .start_ms = h.start_ms,
                               .end_ms = h.end_ms,
                               .lat = h.lat,
                               .lon = h.lon,
                               .clocks = h.clocks,
                               .nev_total = h.nev_total,
                               .ev = (const fnd_evidence *)(blk + h.nmem * sizeof(fnd_member)),
                               .nev = h.nev,
                               .mem = mem,
                               .nmem = h.nmem,
                               .block = NULL};
    return &sp->cur[k];
}

/* Puts f into r: kept as it is when held (slot is r's own when >= 0),
 * else written and its block freed. */
static pel_status store(fnd_spill *sp, fnd_ref *r, fnd_finding *f, bool held) {
    if (held) {
        if (r->len == 0 && r->off < sp->nheld && sp->held[r->off].block) { /* amended: in its own slot */
            free(sp->held[r->off].block);
            sp->held[r->off] = *f;
            return PEL_OK;
        }
        if (sp->nheld == sp->heldcap) {
            size_t ncap = sp->heldcap ? 2 * sp->heldcap : 64;
            fnd_finding *nh = realloc(sp->held, ncap * sizeof *nh);
            if (!nh) {
                free(f->block);
                return fail(sp, PEL_ERR_NOMEM, NULL, 0);
            }
            sp->held = nh;
            sp->heldcap = ncap;
        }
        sp->held[sp->nheld] = *f;
        r->off = sp->nheld++;
        r->len = 0;
        return PEL_OK;
    }
    uint64_t off = 0;
    uint32_t len = 0;
    pel_status st = write_rec(sp, f, &off, &len);
    free(f->block);
    if (st == PEL_OK) {
        r->off = off;
        r->len = len;
    }
    return st;
}

pel_status spill_add(fnd_spill *sp, fnd_finding *f) {
    if (sp->failed != PEL_OK) {
        free(f->block);
        return sp->failed;
    }
    int ev = intern(sp, f->event);
    if (ev < 0) {
        free(f->block);
        return fail(sp, PEL_ERR_NOMEM, NULL, 0);
    }
    if (sp->n == sp->cap) { /* by a fifth: at most 48 bytes a finding with the room to grow */
        size_t ncap = sp->cap ? sp->cap + sp->cap / 5 : 1024;
        fnd_ref *nr = realloc(sp->ref, ncap * sizeof *nr);
        if (!nr) {
            free(f->block);
            return fail(sp, PEL_ERR_NOMEM, NULL, 0);
        }
        sp->ref = nr;
        sp->cap = ncap;
    }
    fnd_ref r = {.start_ms = f->start_ms,
                 .end_ms = f->end_ms,
                 .mmsi = f->mmsi,
                 .mmsi2 = f->mmsi2,
                 .event = (uint16_t)ev,
                 .len = 1}; /* not yet a held slot */
    pel_status st = store(sp, &r, f, sp->held_ev[ev]);
    if (st != PEL_OK)
        return st;
    sp->ref[sp->n++] = r;
    return PEL_OK;
}

fnd_key spill_key(const fnd_spill *sp, size_t i) {
    const fnd_ref *r = &sp->ref[i];
    return (fnd_key){.event = sp->events[r->event],
                     .mmsi = r->mmsi,
                     .mmsi2 = r->mmsi2,
                     .start_ms = r->start_ms,
                     .end_ms = r->end_ms};
}

const fnd_finding *spill_get(fnd_spill *sp, size_t i) {
    return load(sp, &sp->ref[i], 0);
}

pel_status spill_replace(fnd_spill *sp, size_t i, fnd_finding *f) {
    fnd_ref r = sp->ref[i];
    pel_status st = store(sp, &r, f, sp->held_ev[r.event]);
    if (st == PEL_OK)
        sp->ref[i] = r;
    return st;
}

void spill_keep(fnd_spill *sp, const bool *keep) {
    size_t k = 0;
    for (size_t i = 0; i < sp->n; i++) {
        if (keep[i])
            sp->ref[k++] = sp->ref[i];
        else if (!sp->ref[i].len) {
            free(sp->held[sp->ref[i].off].block);
            sp->held[sp->ref[i].off].block = NULL;
        }
    }
    sp->n = k;
}

/* ---- the canonical order ------------------------------------------------------------------ */

static _Thread_local fnd_spill *sorting;      /* the spill being sorted */
static _Thread_local const uint16_t *ev_rank; /* its events' places in strcmp order */

static int cmp_name(const void *a, const void *b) {
    return strcmp(sorting->events[*(const uint16_t *)a], sorting->events[*(const uint16_t *)b]);
}

/* finding.c's cmp_finding on the index: the members' text read only when
 * the cores are alike. */
static int cmp_ref(const void *a, const void *b) {
    const fnd_ref *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    if (x->event != y->event)
        return ev_rank[x->event] < ev_rank[y->event] ? -1 : 1;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->mmsi2 != y->mmsi2)
        return x->mmsi2 < y->mmsi2 ? -1 : 1;
    if (x->end_ms != y->end_ms)
        return x->end_ms < y->end_ms ? -1 : 1;
    const fnd_finding *fx = load(sorting, x, 0), *fy = fx ? load(sorting, y, 1) : NULL;
    if (!fy)
        return 0; /* reading failed (noted): a tie */
    char *tx = fnd_members_text(fx, false), *ty = fnd_members_text(fy, false);
    int c = tx && ty ? strcmp(tx, ty) : 0; /* out of memory: a tie, as cmp_finding */
    free(tx);
    free(ty);
    return c;
}

void spill_sort(fnd_spill *sp) {
    uint16_t *order = malloc((sp->nevents ? sp->nevents : 1) * sizeof *order);
    uint16_t *rank = malloc((sp->nevents ? sp->nevents : 1) * sizeof *rank);
    if (!order || !rank) {
        free(order);
        free(rank);
        fail(sp, PEL_ERR_NOMEM, NULL, 0);
        return;
    }
    for (size_t i = 0; i < sp->nevents; i++)
        order[i] = (uint16_t)i;
    sorting = sp;
    xqsort(order, sp->nevents, sizeof *order, cmp_name);
    for (size_t i = 0; i < sp->nevents; i++)
        rank[order[i]] = (uint16_t)i; /* names are distinct: no two ranks alike */
    ev_rank = rank;
    xqsort(sp->ref, sp->n, sizeof *sp->ref, cmp_ref);
    sorting = NULL;
    ev_rank = NULL;
    free(order);
    free(rank);
}
