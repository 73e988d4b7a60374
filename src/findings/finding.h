/*
 * finding.h -- the findings layer: what a finding is, how a detector builds
 * one, and the collection that holds them.  Internal to libpelorus; the
 * public face is pel_findings in include/pelorus.h, and docs/findings.md is
 * the contract every writer here keeps.
 *
 * A finding is what `pelorus scan` reports: an event ("gap", "encounter",
 * ...) about a vessel (mmsi, and mmsi2 for two), from start to end, at
 * lat/lon, with the measured quantities that justify it as typed members
 * (numbers with the decimals they are written with, integers, strings,
 * booleans and null, arrays, objects), the clocks its times came from, and
 * its evidence: the input and line of each message it rests on.
 *
 * Who uses what:
 *   - detectors (src/detect/) and screening (src/screen/) fill an
 *     fnd_builder on the stack and hand it to an fnd_emit_fn;
 *   - fnd_set_push, an fnd_emit_fn, copies it into an fnd_set (the
 *     collection, which is the public pel_findings);
 *   - the writers (findings/write.h) write a set in every format, the
 *     reader (findings/read.h) makes a set from JSON lines;
 *   - risk, the report and eval read the members through fnd_get_*.
 * Nothing downstream of a detector ever parses a finding back from text.
 *
 * Values are kept as they are written: a number member holds the value its
 * text reads back as ("%.2f" of 2.345 is 2.35, and 2.35 is what risk sees),
 * lat/lon are rounded to the 6 decimals they are written with, and every
 * string is valid UTF-8 (a byte that is not becomes U+FFFD when the finding
 * enters a set, as docs/report.md, "Escaping", says of every text).
 */
#ifndef PEL_FINDING_H
#define PEL_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

#define FND_MAX_EVIDENCE 64 /* evidence entries a finding lists; evidence_total counts them all */
#define FND_MAX_MEMBERS 256 /* members a builder holds (an array's or object's own members count) */

/* ---- members ----------------------------------------------------------------- */

typedef enum fnd_kind {
    FND_NULL, /* null: not available */
    FND_BOOL, /* v.b */
    FND_INT,  /* v.i */
    FND_NUM,  /* v.d, written with prec decimals ("%.*f"); prec -1: as few digits as give v.d back */
    FND_STR,  /* v.s, UTF-8 */
    FND_ARR,  /* an array: the n members after it are its elements (name NULL), at every depth */
    FND_OBJ   /* an object: the n members after it are its members, at every depth */
} fnd_kind;

typedef struct fnd_member {
    const char *name; /* NULL for an array's element */
    uint8_t kind;     /* fnd_kind */
    int8_t prec;      /* FND_NUM */
    uint32_t n;       /* FND_ARR, FND_OBJ: the members that follow and belong to it */
    union {
        bool b;
        int64_t i;
        double d;
        const char *s;
    } v;
} fnd_member;

/* The member after m at m's own depth (skipping an array's or object's
 * contents). */
static inline const fnd_member *fnd_next(const fnd_member *m) {
    return m + 1 + (m->kind == FND_ARR || m->kind == FND_OBJ ? m->n : 0);
}

/* One message a finding rests on: the input (inputs.id in the store, an
 * index into the set's paths) and its line. */
typedef struct fnd_evidence {
    uint32_t input;
    uint64_t line;
} fnd_evidence;

/* ---- building ---------------------------------------------------------------- */

/* A finding being built: a detector declares one on the stack zeroed
 * (fnd_builder f = {0}), sets the core members directly, adds members and
 * evidence with the functions below, and emits it.  Strings, member names
 * and event are borrowed: they must stay valid until the emit call returns
 * (string literals, the port list's names, the caller's buffers).  A
 * builder is about 2.6 KiB and allocates nothing. */
typedef struct fnd_builder {
    const char *event;        /* an event name (static) */
    uint32_t mmsi, mmsi2;     /* mmsi2 0 unless two vessels */
    int64_t start_ms, end_ms; /* Unix ms */
    double lat, lon;          /* degrees; NaN where there is no place (set it: 0 is a place) */
    unsigned clocks;          /* 1 << pel_clock of every report it rests on */
    uint64_t nev_total;       /* messages it rests on (>= nev) */
    size_t nev;
    fnd_evidence ev[FND_MAX_EVIDENCE];
    size_t nmem;
    fnd_member mem[FND_MAX_MEMBERS];
    uint32_t open[4]; /* the arrays and objects being filled (indexes into mem) */
    int depth;
    bool overflow; /* a member did not fit: the set refuses the finding */
} fnd_builder;

/* Members, in the order they are written.  A number that is NaN or
 * infinite, a NULL string and a negative bool are null. */
void fnd_num(fnd_builder *f, const char *name, double v, int prec);
void fnd_int(fnd_builder *f, const char *name, int64_t v);
void fnd_str(fnd_builder *f, const char *name, const char *s);
void fnd_bool(fnd_builder *f, const char *name, int v); /* 1 true, 0 false, < 0 null */
void fnd_null(fnd_builder *f, const char *name);
/* An array of the n strings v[i] (the array v itself is read now). */
void fnd_strs(fnd_builder *f, const char *name, const char *const *v, size_t n);
/* An object member: the members added until fnd_end are its own (at most
 * 4 levels). */
void fnd_obj(fnd_builder *f, const char *name);
/* An array member: the members added until fnd_end are its elements (add
 * them with a NULL name; objects and arrays too). */
void fnd_arr(fnd_builder *f, const char *name);
void fnd_end(fnd_builder *f);

/* Adds one piece of evidence, the input and line of p, if there is room;
 * counts it and notes the clock its time came from. */
static inline void fnd_add_position(fnd_builder *f, const pel_position *p) {
    f->clocks |= 1u << (p->clock & 7);
    if (f->nev < FND_MAX_EVIDENCE) {
        f->ev[f->nev].input = p->input;
        f->ev[f->nev].line = p->line;
        f->nev++;
    }
    f->nev_total++;
}

/* Where a builder goes: the emit callback of every detector.  f is
 * borrowed for the call. */
typedef void (*fnd_emit_fn)(void *ud, const fnd_builder *f);

/* ---- a finding in a set -------------------------------------------------------- */

/* A finding as a set holds it: read-only, everything owned by the set and
 * valid until the set is freed (or the finding dropped). */
typedef struct fnd_finding {
    const char *event;
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
    double lat, lon; /* as written: 6 decimals; NaN when none */
    unsigned clocks;
    uint64_t nev_total;
    const fnd_evidence *ev;
    size_t nev;
    const fnd_member *mem;
    size_t nmem;
    void *block; /* the one allocation holding mem, ev and the strings */
} fnd_finding;

/* A read-only view of b as a finding (pointing into b, valid while b is
 * unchanged; its strings not yet made UTF-8): to compare or look at a
 * finding before a set holds it. */
void fnd_view(const fnd_builder *b, fnd_finding *out);

/* The top-level member called name, or NULL. */
const fnd_member *fnd_get(const fnd_finding *f, const char *name);
/* A string member, or NULL when absent or not a string. */
const char *fnd_get_str(const fnd_finding *f, const char *name);
/* A number member (integer or not), or def when absent or not a number. */
double fnd_get_num(const fnd_finding *f, const char *name, double def);
/* A bool member: 1 true, 0 false, -1 absent, null or not a bool. */
int fnd_get_bool(const fnd_finding *f, const char *name);
/* True when the member is the string value, or an array holding it. */
bool fnd_has_str(const fnd_finding *f, const char *name, const char *value);
/* The member called name of the object obj (its own members, not theirs),
 * or NULL when there is none or obj is no object. */
const fnd_member *fnd_member_get(const fnd_member *obj, const char *name);

/* ---- the set --------------------------------------------------------------------- */

typedef struct fnd_spill fnd_spill; /* findings/spill.c */

/* The collection: findings and the paths their evidence points to.  The
 * public pel_findings.
 *
 * Two kinds: in memory (fnd_set_new), where v holds every finding; and
 * spilling (fnd_set_spill, what pel_scan writes from), where the findings
 * are in a temporary file, v is NULL and each finding is reached by
 * fnd_set_get.  Code that serves both reaches the findings through
 * fnd_set_count, fnd_set_key and fnd_set_get only; code that reads v is
 * for sets in memory (every pel_findings a caller of the public API gets). */
struct pel_findings {
    fnd_finding *v; /* owned; NULL when spilling */
    size_t n, cap;  /* n: the findings, of either kind */
    char **paths;   /* the evidence's files by input (owned, NULL where unknown) */
    size_t npaths;
    pel_status failed; /* the first push that failed (PEL_ERR_NOMEM, PEL_ERR_ARG, PEL_ERR_IO): the set is
                          incomplete */
    fnd_spill *spill;  /* owned; NULL in memory */
};
typedef struct pel_findings fnd_set;

/* What orders a finding and names it (fnd_id), known without reading it
 * from a spilling set's file.  event is the set's, valid while it lives. */
typedef struct fnd_key {
    const char *event;
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
} fnd_key;

/* A new empty set, or NULL when out of memory.  Free with fnd_set_free. */
fnd_set *fnd_set_new(void);

/* Frees s and everything in it (a spilling set's file too); NULL is
 * accepted. */
void fnd_set_free(fnd_set *s);

/* Makes the empty set s spilling: every finding added from now on goes to
 * a temporary file (util_tmp_fd: in $TMPDIR, else /tmp, unlinked at once,
 * gone when the set is freed or the process ends) and only an index entry stays in memory (40 bytes, at
 * most 48 with the index's room to grow),
 * except the findings of the events in hold (a NULL-terminated list, NULL
 * for none; copied), kept in memory because a detector's finish amends or
 * drops them once every finding is known (cheaper than rewriting them in
 * the file; both work).  Everything of this header works on a spilling
 * set, through fnd_set_get where a finding is read.  PEL_OK;
 * PEL_ERR_NOMEM; PEL_ERR_IO when no temporary file could be made (errno
 * set); PEL_ERR_ARG when s is not empty or spills already.  s unchanged on
 * failure. */
pel_status fnd_set_spill(fnd_set *s, const char *const *hold);

/* The findings of s, of either kind. */
size_t fnd_set_count(const fnd_set *s);

/* Finding i's core (i < fnd_set_count), read from no file. */
fnd_key fnd_set_key(const fnd_set *s, size_t i);

/* Finding i (i < fnd_set_count) of either kind of set.  In memory it is
 * &s->v[i]; a spilling set reads it from its file into a buffer of the
 * set: the finding (and everything it points to) is valid until the next
 * fnd_set_get, fnd_set_add (fnd_set_push), fnd_set_append, fnd_set_keep or
 * fnd_set_sort on s, which is
 * why s is const here but not thread-safe.  NULL when reading failed
 * (fnd_set_error says why). */
const fnd_finding *fnd_set_get(const fnd_set *s, size_t i);

/* Why a spilling set failed (its temporary file could not be written or
 * read, or memory ran out), "" when it did not or s is in memory. */
const char *fnd_set_error(const fnd_set *s);

/* An fnd_emit_fn: copies f into the set ud (an fnd_set *).  A failure is
 * remembered in the set's failed (out of memory, or a builder that
 * overflowed) and the finding is lost: check failed before using the set. */
void fnd_set_push(void *ud, const fnd_builder *f);

/* Copies the finding described by core (its mem/ev/nmem/nev and strings
 * borrowed for the call; its block ignored) into s.  Returns PEL_OK,
 * PEL_ERR_NOMEM or, spilling, PEL_ERR_IO (fnd_set_error); s unchanged. */
pel_status fnd_set_add(fnd_set *s, const fnd_finding *core);

/* Amends finding i with what b holds (a judgement made once every finding
 * is known: a gap's feed_hours_fraction, a loitering's possible partners):
 * b's members after i's own, in b's order, with their arrays' and objects'
 * contents; b's evidence after i's own, as far as FND_MAX_EVIDENCE goes
 * (evidence_total counts all of it); b's clocks.  b's event, vessels,
 * times and place are ignored: a finding's core is its detector's.  b is
 * borrowed for the call.  Pointers into finding i are invalid afterwards.
 * PEL_OK; PEL_ERR_ARG when b overflowed or left an array or object open;
 * PEL_ERR_NOMEM; PEL_ERR_IO when a spilling set's file failed
 * (fnd_set_error); finding i is unchanged on failure. */
pel_status fnd_set_append(fnd_set *s, size_t i, const fnd_builder *b);

/* fnd_set_append of one number member. */
pel_status fnd_set_append_num(fnd_set *s, size_t i, const char *name, double v, int prec);

/* Drops the findings whose keep[i] is false, keeping the order of the
 * others. */
void fnd_set_keep(fnd_set *s, const bool *keep);

/* Puts the findings in the canonical order of docs/findings.md: start,
 * event, mmsi, mmsi2, end, then the members' text, so that the same
 * findings always come out in the same order.  A spilling set reads the
 * findings alike in their core to compare them: when that fails, its
 * failed says so (fnd_set_error why) and the order is not to be used. */
void fnd_set_sort(fnd_set *s);

/* Finding i's id (docs/findings.md, "finding_id"), into out as FND_ID_LEN hex
 * digits and a NUL: the first bytes of SHA-256("event|mmsi|mmsi2|start
 * ms"), with "|rank" for the second and later findings alike in those in
 * the set's order (s sorted: fnd_set_sort).  The same finding keeps it as
 * it grows (its end moves), across runs. */
#define FND_ID_LEN 16
void fnd_id(const fnd_set *s, size_t i, char out[FND_ID_LEN + 1]);

/* Gives s the paths of the evidence's inputs (paths[input], NULL where
 * none), taking ownership of the array and its strings; earlier paths are
 * freed. */
void fnd_set_paths(fnd_set *s, char **paths, size_t n);

/* The file of an evidence entry, "?" when its input has no path. */
const char *fnd_evidence_file(const fnd_set *s, const fnd_evidence *e);

#endif
