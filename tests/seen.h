/*
 * seen.h -- a finding as the detector tests look at it: the members every
 * finding has and its evidence, copied from the builder a detector emits,
 * and its measured members as text ("fields": what `pelorus scan --format
 * table` shows, findings/write.h fnd_members_text), so a test can say
 * has(f, "\"open\":false,\"duration_h\":14.00").
 */
#ifndef PEL_TEST_SEEN_H
#define PEL_TEST_SEEN_H

#include <stdlib.h>
#include <string.h>

#include "findings/write.h"

typedef struct seen {
    const char *event;
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
    double lat, lon;
    unsigned clocks;
    uint64_t nev_total;
    size_t nev;
    fnd_evidence ev[FND_MAX_EVIDENCE];
    char fields[8192];
} seen;

/* s becomes what f says (f is only read). */
static inline void seen_of(seen *s, const fnd_builder *f) {
    fnd_finding v;
    fnd_view(f, &v);
    s->event = f->event;
    s->mmsi = f->mmsi;
    s->mmsi2 = f->mmsi2;
    s->start_ms = f->start_ms;
    s->end_ms = f->end_ms;
    s->lat = f->lat;
    s->lon = f->lon;
    s->clocks = f->clocks;
    s->nev_total = f->nev_total;
    s->nev = f->nev;
    memcpy(s->ev, f->ev, sizeof s->ev);
    char *t = fnd_members_text(&v, false);
    snprintf(s->fields, sizeof s->fields, "%s", t ? t : "(out of memory)");
    free(t);
}

#endif
