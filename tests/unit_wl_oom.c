/*
 * unit_wl_oom.c -- allocation failures in the sanctions lists' path: the
 * readers (pel_wl_read), the import into the store (pel_watchlist_import)
 * and screening against what was imported (pel_screen).  Each allocation
 * of a call is made to fail in turn (the 1st, then the 2nd, ... until a
 * call runs with none failing); every call must then either give exactly
 * what the clean call gives, or fail saying it ran out of memory, and a
 * failed import must leave no list behind.  Never success with an entry,
 * an alias or a field missing (issue 17: the UN list imported "0 entries"
 * with exit 0 under a memory limit).  SQLite's style of fault injection.
 *
 * malloc, calloc and realloc are replaced here (forwarding to glibc's
 * __libc_* functions, which libxml2, jansson, SQLite and libc itself reach
 * through the same symbols); under AddressSanitizer, which owns malloc, the
 * test cannot run and says so.  Prints "unit_wl_oom: N passed, M failed".
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelorus.h"
#include "screen/wl_internal.h"

#include "check.h"

#if defined(__SANITIZE_ADDRESS__)
int main(void) {
    printf("unit_wl_oom: NOT RUN under AddressSanitizer (it replaces malloc, which ASan owns); "
           "`make test` runs it\n");
    printf("unit_wl_oom: %d passed, %d failed\n", passed, failed);
    return 0;
}
#else

/* ---- failing allocations ---- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static bool armed;          /* count (and fail) allocations */
static bool trace_phase;    /* OOM_TRACE=N prints where allocation N of the screening runs fails */
static long count, fail_at; /* allocations so far; the one to fail (1-based) */

/* Jansson's own allocations are never failed: its lexer ignores a failed
 * append (load.c, lex_get_save) and then asserts, aborting the process --
 * a known limit of jansson 2.14 that no caller can handle (docs/screening.md). */
static bool from_jansson(const void *caller) {
    Dl_info in;
    return dladdr(caller, &in) && in.dli_fname && strstr(in.dli_fname, "libjansson");
}

static bool fail_now(const void *caller) {
    if (!armed)
        return false;
    if (from_jansson(caller))
        return false;
    if (++count != fail_at)
        return false;
    if (getenv("OOM_TRACE") && trace_phase && atol(getenv("OOM_TRACE")) == fail_at) {
        void *bt[16];
        armed = false;
        int n = backtrace(bt, 16);
        backtrace_symbols_fd(bt, n, 2);
        armed = true;
    }
    errno = ENOMEM;
    return true;
}

void *malloc(size_t n) {
    return fail_now(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}
void *calloc(size_t k, size_t n) {
    return fail_now(__builtin_return_address(0)) ? NULL : __libc_calloc(k, n);
}
void *realloc(void *p, size_t n) {
    return fail_now(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}

static void arm(long at) {
    count = 0;
    fail_at = at;
    armed = true;
}

/* Disarms; true when the allocation to fail was reached. */
static bool disarm(void) {
    armed = false;
    return count >= fail_at;
}

/* ---- entries as text, without allocating ---- */

static char text[1 << 16], clean[1 << 16];
static size_t tlen;

static void put(const char *k, const char *v) {
    int n = snprintf(text + tlen, sizeof text - tlen, "%s=%s|", k, v ? v : "(null)");
    if (n > 0 && (size_t)n < sizeof text - tlen)
        tlen += (size_t)n;
}

static int on_entry(void *ud, const pel_wl_entry *e) {
    (void)ud;
    bool was = armed;
    armed = false;
    char num[64];
    put("list", e->list);
    put("id", e->entry_id);
    put("name", e->name);
    put("flag", e->flag);
    put("program", e->program);
    put("listed_on", e->listed_on);
    put("type", e->vessel_type);
    put("callsign", wl_callsign(e));
    put("linked", wl_linked_to(e));
    snprintf(num, sizeof num, "%u/%u/%u/%llu", e->imo, e->imo_company, e->mmsi, (unsigned long long)e->line);
    put("numbers", num);
    for (size_t i = 0; i < e->naliases; i++)
        put("alias", e->aliases[i]);
    for (size_t i = 0; i < e->nformer; i++)
        put("former", e->former[i]);
    for (size_t i = 0; i < e->nformer_flags; i++)
        put("former_flag", e->former_flags[i]);
    put("end", "\n");
    armed = was;
    return 0;
}

static bool says_oom(const pel_error *e) {
    return strstr(e->msg, "out of memory") || strstr(e->msg, "Cannot allocate memory");
}

/* ---- the readers ---- */

static void readers(const char *what, const char *const *paths, size_t n) {
    pel_wl_cb cb = {on_entry, NULL};
    pel_error err = {0};
    tlen = 0;
    pel_status st = pel_wl_read(paths, n, &cb, &err);
    CHECK(st == PEL_OK && tlen > 0, "%s: the clean read gives entries (%d %s)", what, st, err.msg);
    memcpy(clean, text, tlen);
    size_t clen = tlen;
    long runs = 0, ok = 0, oom = 0, bad = 0;
    for (long at = 1;; at++) {
        tlen = 0;
        memset(&err, 0, sizeof err);
        arm(at);
        st = pel_wl_read(paths, n, &cb, &err);
        bool hit = disarm();
        runs++;
        if (st == PEL_OK && tlen == clen && !memcmp(text, clean, clen))
            ok++;
        else if (st != PEL_OK && says_oom(&err) && tlen == 0)
            oom++;
        else {
            if (bad++ < 3)
                CHECK(false, "%s: allocation %ld failing: status %d, \"%s\", %zu bytes of entries (clean: %zu)", what,
                      at, st, err.msg, tlen, clen);
        }
        if (!hit)
            break;
    }
    CHECK(bad == 0, "%s: %ld of %ld runs with one failed allocation gave a wrong result", what, bad, runs);
    CHECK(oom > 0 && ok > 0, "%s: %ld runs, %ld failed with out of memory, %ld gave the entries", what, runs, oom, ok);
    printf("%s: %ld allocations each failed once: %ld calls said out of memory, %ld were unaffected\n", what, runs - 1,
           oom, ok);
}

/* ---- the import and screening ---- */

static const char *const lists[3] = {"tests/data/wl/latin1_ctrlz.csv", "tests/data/wl/alt_extra.csv",
                                     "tests/data/wl/own_screen.csv"};

/* A store at dir/name with the identities of tests/data/screen ingested. */
static pel_store *new_store(const char *dir, const char *name) {
    char db[512];
    snprintf(db, sizeof db, "%s/%s", dir, name);
    pel_error err = {0};
    pel_store *s = pel_store_open(db, false, &err);
    CHECK(s != NULL, "store %s opens: %s", name, err.msg);
    if (!s)
        return NULL;
    const char *in[1] = {"tests/data/screen/identities.nmea"};
    pel_ingest_opts io = {0};
    pel_ingest_stats ist;
    CHECK(pel_ingest(s, in, 1, &io, &ist, &err) == PEL_OK, "identities ingested: %s", err.msg);
    return s;
}

/* Screens s into buf (the stream allocates nothing once open), with the
 * allocation at (> 0) failing; the status, *hit when it was reached. */
static pel_status screen_into(pel_store *s, char *buf, size_t cap, uint64_t *matches, pel_error *err, long at,
                              bool *hit) {
    memset(buf, 0, cap);
    FILE *f = fmemopen(buf, cap - 1, "w");
    setvbuf(f, NULL, _IONBF, 0);
    if (at > 0)
        arm(at);
    pel_status st = pel_screen(s, NULL, f, PEL_FIND_JSONL, matches, err);
    bool h = at > 0 && disarm();
    if (hit)
        *hit = h;
    fclose(f);
    return st;
}

/* The first line of watchlist show: which lists, how many entries. */
static void show_into(pel_store *s, char *buf, size_t cap) {
    memset(buf, 0, cap);
    FILE *f = fmemopen(buf, cap - 1, "w");
    setvbuf(f, NULL, _IONBF, 0);
    pel_error err = {0};
    pel_watchlist_show(s, f, &err);
    fclose(f);
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = 0;
}

static void store_path(const char *dir) {
    static char out0[1 << 16], out1[1 << 16], show0[4096], show1[4096], showc[4096];
    pel_error err = {0};
    uint64_t clean_entries = 0, entries = 0, m0 = 0, m1 = 0;
    bool skipped = false;
    /* the clean run, in a store of its own */
    pel_store *c = new_store(dir, "clean.db");
    if (!c)
        return;
    CHECK(pel_watchlist_import(c, lists, 3, false, &clean_entries, &skipped, &err) == PEL_OK && clean_entries > 0,
          "clean import: %s", err.msg);
    CHECK(screen_into(c, out0, sizeof out0, &m0, &err, 0, NULL) == PEL_OK && m0 > 0, "clean screening: %s", err.msg);
    show_into(c, showc, sizeof showc);
    pel_store_close(c);

    /* the import: whole or nothing, whatever allocation fails */
    pel_store *s = new_store(dir, "w.db");
    if (!s)
        return;
    show_into(s, show0, sizeof show0);
    long runs = 0, oom = 0, bad = 0;
    pel_status st;
    for (long at = 1;; at++) {
        memset(&err, 0, sizeof err);
        arm(at);
        st = pel_watchlist_import(s, lists, 3, false, &entries, &skipped, &err);
        bool hit = disarm();
        runs++;
        if (st == PEL_OK || !hit) /* done: it must be whole (checked below) */
            break;
        show_into(s, show1, sizeof show1); /* failed: it must say why, and leave nothing */
        if (says_oom(&err) && !strcmp(show0, show1))
            oom++;
        else if (bad++ < 3)
            CHECK(false, "import, allocation %ld failing: status %d \"%s\"; lists now: %s", at, st, err.msg, show1);
    }
    CHECK(bad == 0, "import: %ld of %ld runs with one failed allocation left a list in part or said nothing", bad,
          runs);
    CHECK(oom > 0, "import: some runs failed (%ld)", oom);
    CHECK(st == PEL_OK && entries == clean_entries && !skipped,
          "the import in the end: %d %s, %llu entries (clean %llu)", st, err.msg, (unsigned long long)entries,
          (unsigned long long)clean_entries);
    show_into(s, show1, sizeof show1);
    CHECK(!strcmp(show1, showc), "the imported list is the clean one: [%s] [%s]", show1, showc);
    printf("import: %ld runs, %ld failed with out of memory and left nothing, then %llu entries imported\n", runs, oom,
           (unsigned long long)entries);

    /* screening against the imported list: the same matches, or out of memory */
    CHECK(screen_into(s, out1, sizeof out1, &m1, &err, 0, NULL) == PEL_OK && m1 == m0 && !strcmp(out0, out1),
          "screening after the injected import equals the clean one");
    runs = oom = bad = 0;
    long ok = 0;
    trace_phase = true;
    for (long at = 1;; at++) {
        memset(&err, 0, sizeof err);
        bool hit;
        st = screen_into(s, out1, sizeof out1, &m1, &err, at, &hit);
        runs++;
        if (st == PEL_OK && m1 == m0 && !strcmp(out0, out1))
            ok++;
        else if (st != PEL_OK && says_oom(&err))
            oom++;
        else if (bad++ < 3)
            CHECK(false, "screen, allocation %ld failing: status %d \"%s\", %llu matches (clean %llu)", at, st, err.msg,
                  (unsigned long long)m1, (unsigned long long)m0);
        if (!hit)
            break;
    }
    CHECK(bad == 0, "screen: %ld of %ld runs with one failed allocation gave a wrong result", bad, runs);
    printf("screen: %ld allocations each failed once: %ld calls said out of memory, %ld were unaffected\n", runs - 1,
           oom, ok);
    pel_store_close(s);
}

int main(void) {
    static const char *const un[] = {"tests/data/wl/un_vessel.xml"};
    static const char *const ofac[] = {"tests/data/wl/latin1_ctrlz.csv", "tests/data/wl/alt_extra.csv"};
    static const char *const os[] = {"tests/data/wl/os_targets.csv"};
    static const char *const ftm[] = {"tests/data/wl/ftm.jsonl"};
    static const char *const own[] = {"tests/data/wl/own.csv"};
    readers("UN XML", un, 1);
    readers("OFAC sdn + alt", ofac, 2);
    readers("OpenSanctions CSV", os, 1);
    readers("FtM JSON", ftm, 1);
    readers("own CSV", own, 1);
    char dir[] = "/tmp/unit_wl_oom.XXXXXX";
    if (mkdtemp(dir)) {
        store_path(dir);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            printf("could not remove %s\n", dir);
    } else
        CHECK(false, "mkdtemp: %s", strerror(errno));
    printf("unit_wl_oom: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
#endif
