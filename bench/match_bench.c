/*
 * match_bench.c -- how fast the watchlist matcher screens identities, and
 * proof that it does not compare every identity with every name.
 *
 * Loads the vessels of an OFAC SDN vessel extract (name in column 2, IMO,
 * MMSI, a.k.a. and f.k.a. from the remarks; roughly parsed) and tops the
 * list up with synthetic Korean-style names to 1,000 entries of at least
 * three names each (synthetic aliases added), then screens
 * 10,000, 50,000 and 100,000 generated identities (random names, IMO and
 * MMSI, one in ten a variant of a listed name) and prints for each the time,
 * the matches and the names scored in full.
 *
 *   gcc -std=c17 -O2 -Iinclude -o /tmp/match_bench bench/match_bench.c \
 *       src/screen/match.c build/libpelorus.a -ljansson -lcsv -lsqlite3 -lnettle -lz -lm
 *   /tmp/match_bench [/work/shared/data/sanctions/ofac_sdn_vessels_20240503.csv]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pelorus.h"

unsigned long long mt_comparisons(const pel_matcher *m);

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const syl[] = {"CHON",  "MA",   "SAN",   "KUM", "UN",    "JI",   "SONG",  "NAM",
                                  "YU",    "JONG", "RYONG", "GUN", "BONG",  "PAEK", "MYONG", "HWA",
                                  "SAM",   "JIN",  "KWANG", "MYO", "HYANG", "RA",   "SON",   "TAE",
                                  "PYONG", "HO",   "AN",    "DOK", "SU",    "RI",   "KANG",  "MIN"};
#define NSYL (sizeof syl / sizeof syl[0])

static void synth_name(char *buf, size_t cap) {
    int w = 1 + (int)rnd(3);
    size_t o = 0;
    for (int i = 0; i < w; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", syl[rnd(NSYL)]);
    if (rnd(2))
        snprintf(buf + o, cap - o, " %u", 1 + rnd(20));
}

/* A variant of a listed name: spacing or punctuation changed, a prefix, or
 * another hull number. */
static void variant(const char *name, char *buf, size_t cap) {
    size_t o = 0;
    int how = (int)rnd(4);
    if (how == 0)
        o += (size_t)snprintf(buf, cap, "M/V ");
    for (const char *p = name; *p && o + 2 < cap; p++) {
        if (*p == ' ' && how == 1)
            continue;
        buf[o++] = *p == ' ' && how == 2 ? '-' : *p;
    }
    buf[o] = 0;
    if (how == 3)
        snprintf(buf + o, cap - o, " %u", 1 + rnd(9));
}

typedef struct ent {
    char name[128], *al[8], *fo[8];
    size_t nal, nfo;
    uint32_t imo, mmsi;
} ent;

/* The value between quotes after each marker ("f.k.a. '", "a.k.a. '"). */
static size_t quoted(const char *s, const char *marker, char **out, size_t cap) {
    size_t n = 0;
    for (const char *p = strstr(s, marker); p && n < cap; p = strstr(p, marker)) {
        p += strlen(marker);
        const char *q = strchr(p, '\'');
        if (!q)
            break;
        out[n] = strndup(p, (size_t)(q - p));
        n++;
        p = q;
    }
    return n;
}

static size_t load_ofac(const char *path, ent *es, size_t cap) {
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return 0;
    char line[8192];
    size_t n = 0;
    while (n < cap && fgets(line, sizeof line, f)) {
        char *a = strchr(line, '"'), *b = a ? strchr(a + 1, '"') : NULL;
        if (!b)
            continue;
        ent *e = &es[n];
        memset(e, 0, sizeof *e);
        snprintf(e->name, sizeof e->name, "%.*s", (int)(b - a - 1), a + 1);
        const char *p = strstr(line, "IMO ");
        if (p)
            e->imo = (uint32_t)strtoul(p + 4, NULL, 10);
        p = strstr(line, "MMSI ");
        if (p)
            e->mmsi = (uint32_t)strtoul(p + 5, NULL, 10);
        e->nal = quoted(line, "a.k.a. '", e->al, 8);
        e->nfo = quoted(line, "f.k.a. '", e->fo, 8);
        n++;
    }
    fclose(f);
    return n;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/work/shared/data/sanctions/ofac_sdn_vessels_20240503.csv";
    enum { NENT = 1000 };
    static ent es[NENT];
    size_t nofac = load_ofac(path, es, NENT), n = nofac;
    for (; n < NENT; n++) {
        memset(&es[n], 0, sizeof es[n]);
        synth_name(es[n].name, sizeof es[n].name);
        char buf[128];
        for (int k = 0; k < 2; k++) {
            synth_name(buf, sizeof buf);
            (k ? es[n].fo : es[n].al)[0] = strdup(buf);
            *(k ? &es[n].nfo : &es[n].nal) = 1;
        }
        es[n].mmsi = 445000000 + rnd(1000000);
    }
    for (size_t i = 0; i < n; i++) /* about three names an entry, as the UN list has */
        while (1 + es[i].nal + es[i].nfo < 3 && es[i].nal < 8) {
            char buf[128];
            synth_name(buf, sizeof buf);
            es[i].al[es[i].nal++] = strdup(buf);
        }
    pel_matcher *m = pel_matcher_new();
    size_t nnames = 0;
    for (size_t i = 0; i < n; i++) {
        pel_wl_entry e = {.list = "bench",
                          .entry_id = "x",
                          .name = es[i].name,
                          .aliases = (const char *const *)es[i].al,
                          .naliases = es[i].nal,
                          .former = (const char *const *)es[i].fo,
                          .nformer = es[i].nfo,
                          .imo = es[i].imo,
                          .mmsi = es[i].mmsi};
        nnames += 1 + es[i].nal + es[i].nfo;
        if (pel_matcher_add(m, &e) != PEL_OK)
            return 1;
    }
    double t0 = now();
    if (pel_matcher_build(m) != PEL_OK)
        return 1;
    printf("entries %zu (%zu from %s), names %zu, build %.3f s\n", n, nofac, path, nnames, now() - t0);

    static const size_t sizes[] = {10000, 50000, 100000};
    for (size_t s = 0; s < 3; s++) {
        rng = 0x9E3779B97F4A7C15ull; /* the same identities each time, the first ones shared */
        unsigned long long c0 = mt_comparisons(m);
        size_t matches = 0, withmatch = 0;
        pel_match out[16];
        char name[160];
        t0 = now();
        for (size_t i = 0; i < sizes[s]; i++) {
            if (rnd(10) == 0)
                variant(es[rnd((uint32_t)n)].name, name, sizeof name);
            else
                synth_name(name, sizeof name);
            uint32_t imo = 9000000 + rnd(999999), mmsi = 200000000 + rnd(600000000);
            size_t k = pel_matcher_query(m, name, imo, mmsi, 0, out, 16);
            matches += k;
            withmatch += k > 0;
        }
        double t = now() - t0;
        unsigned long long c = mt_comparisons(m) - c0;
        printf("identities %6zu: %.3f s (%.2f us each), %zu with a match (%zu matches), %llu names scored "
               "(%.1f per identity; all-pairs would be %zu)\n",
               sizes[s], t, t / (double)sizes[s] * 1e6, withmatch, matches, c, (double)c / (double)sizes[s],
               sizes[s] * nnames);
    }
    pel_matcher_free(m);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < es[i].nal; k++)
            free(es[i].al[k]);
        for (size_t k = 0; k < es[i].nfo; k++)
            free(es[i].fo[k]);
    }
    return 0;
}
