/*
 * record.c -- a finding as bytes and back (record.h).
 *
 * A record: its head (rec_head: the core and the counts), the event's name,
 * then each member (rec_mem, its name unless it is an array's element, its
 * string when it is one) and each evidence entry (fnd_evidence).  Strings
 * end with their NUL; nothing is aligned (memcpy in and out).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "findings/record.h"

typedef struct rec_head {
    int64_t start_ms, end_ms;
    double lat, lon;
    uint64_t nev_total;
    uint32_t mmsi, mmsi2, clocks, nmem, nev;
} rec_head;

typedef struct rec_mem {
    uint8_t kind, has_name;
    int8_t prec;
    uint32_t n;
    int64_t i; /* FND_BOOL, FND_INT */
    double d;  /* FND_NUM */
} rec_mem;

void fnd_bytes_add(fnd_bytes *out, const void *p, size_t n) {
    if (out->nomem || n == 0) /* nothing to add (p may then be NULL) */
        return;
    if (out->n + n > out->cap) {
        size_t nc = out->cap ? out->cap : 4096;
        while (nc < out->n + n)
            nc *= 2;
        unsigned char *nv = realloc(out->v, nc);
        if (!nv) {
            out->nomem = true;
            return;
        }
        out->v = nv;
        out->cap = nc;
    }
    memcpy(out->v + out->n, p, n);
    out->n += n;
}

static void add_str(fnd_bytes *out, const char *s) {
    fnd_bytes_add(out, s ? s : "", strlen(s ? s : "") + 1);
}

void fnd_record_put(fnd_bytes *out, const fnd_finding *f) {
    rec_head h;
    memset(&h, 0, sizeof h); /* padding too: the same finding, the same bytes */
    h.start_ms = f->start_ms;
    h.end_ms = f->end_ms;
    h.lat = f->lat;
    h.lon = f->lon;
    h.nev_total = f->nev_total;
    h.mmsi = f->mmsi;
    h.mmsi2 = f->mmsi2;
    h.clocks = f->clocks;
    h.nmem = (uint32_t)f->nmem;
    h.nev = (uint32_t)f->nev;
    fnd_bytes_add(out, &h, sizeof h);
    add_str(out, f->event);
    for (size_t k = 0; k < f->nmem; k++) {
        const fnd_member *m = &f->mem[k];
        rec_mem r;
        memset(&r, 0, sizeof r);
        r.kind = m->kind;
        r.has_name = m->name != NULL;
        r.prec = m->prec;
        r.n = m->n;
        if (m->kind == FND_BOOL)
            r.i = m->v.b;
        else if (m->kind == FND_INT)
            r.i = m->v.i;
        else if (m->kind == FND_NUM)
            r.d = m->v.d;
        fnd_bytes_add(out, &r, sizeof r);
        if (m->name)
            add_str(out, m->name);
        if (m->kind == FND_STR)
            add_str(out, m->v.s);
    }
    if (f->nev)
        fnd_bytes_add(out, f->ev, f->nev * sizeof *f->ev);
}

/* The string at *at (NUL within len), advancing past it; NULL when none. */
static const char *get_str(const unsigned char *buf, size_t len, size_t *at) {
    if (*at >= len)
        return NULL;
    const unsigned char *end = memchr(buf + *at, 0, len - *at);
    if (!end)
        return NULL;
    const char *s = (const char *)buf + *at;
    *at = (size_t)(end - buf) + 1;
    return s;
}

bool fnd_record_get(const unsigned char *buf, size_t len, size_t *at, fnd_finding *f, void **scratch,
                    size_t *scratch_cap) {
    rec_head h;
    if (*at > len || len - *at < sizeof h)
        return false;
    memcpy(&h, buf + *at, sizeof h);
    *at += sizeof h;
    if (h.nmem > FND_MAX_MEMBERS || h.nev > FND_MAX_EVIDENCE)
        return false;
    size_t need = h.nmem * sizeof(fnd_member) + h.nev * sizeof(fnd_evidence) + 1;
    if (need > *scratch_cap) {
        void *ns = realloc(*scratch, need);
        if (!ns)
            return false;
        *scratch = ns;
        *scratch_cap = need;
    }
    fnd_member *mem = *scratch;
    fnd_evidence *ev = (fnd_evidence *)((char *)*scratch + h.nmem * sizeof(fnd_member));
    const char *event = get_str(buf, len, at);
    if (!event)
        return false;
    for (uint32_t k = 0; k < h.nmem; k++) {
        rec_mem r;
        if (len - *at < sizeof r)
            return false;
        memcpy(&r, buf + *at, sizeof r);
        *at += sizeof r;
        /* an array's or object's contents are members that follow it */
        if (r.kind > FND_OBJ || ((r.kind == FND_ARR || r.kind == FND_OBJ) && r.n > h.nmem - k - 1))
            return false;
        mem[k] = (fnd_member){.kind = r.kind, .prec = r.prec, .n = r.n};
        if (r.has_name && !(mem[k].name = get_str(buf, len, at)))
            return false;
        if (r.kind == FND_BOOL)
            mem[k].v.b = r.i != 0;
        else if (r.kind == FND_INT)
            mem[k].v.i = r.i;
        else if (r.kind == FND_NUM)
            mem[k].v.d = r.d;
        else if (r.kind == FND_STR && !(mem[k].v.s = get_str(buf, len, at)))
            return false;
    }
    if (len - *at < h.nev * sizeof *ev)
        return false;
    if (h.nev)
        memcpy(ev, buf + *at, h.nev * sizeof *ev);
    *at += h.nev * sizeof *ev;
    *f = (fnd_finding){.event = event,
                       .mmsi = h.mmsi,
                       .mmsi2 = h.mmsi2,
                       .start_ms = h.start_ms,
                       .end_ms = h.end_ms,
                       .lat = h.lat,
                       .lon = h.lon,
                       .clocks = h.clocks,
                       .nev_total = h.nev_total,
                       .ev = ev,
                       .nev = h.nev,
                       .mem = mem,
                       .nmem = h.nmem};
    return true;
}
