/*
 * unit_match.c -- unit tests of the watchlist matcher (src/screen/match.c):
 * name similarity as tables of pairs that must and must not match, and
 * matcher queries by IMO, MMSI, alias and former name.  Prints one line per
 * failure and "unit_match: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"

#include "check.h"

unsigned long long mt_comparisons(const pel_matcher *m);

static void test_similarity(void) {
    // clang-format off
    static const struct {
        const char *a, *b;
        double lo, hi; /* lo <= similarity <= hi */
    } cases[] = {
        /* the same name written differently: 1.0 */
        {"YUJONG2", "YU JONG 2", 1, 1},
        {"YU-JONG 2", "YU JONG 2", 1, 1},
        {"yu jong no.2", "YU JONG 2", 1, 1},        /* "NO" before a number is dropped */
        {"NO 2 YU JONG", "NO YU JONG", 0, 0.87},      /* ... only before a number, after the name */
        {"M/V SKY LIGHT", "SKYLIGHT", 1, 1},
        {"M.V. SKY LIGHT", "SKY LIGHT", 1, 1},
        {"MV SKY LIGHT", "SKYLIGHT", 1, 1},
        {"MT CHON MA SAN", "CHON MA SAN", 1, 1},
        {"M/T CHON MA SAN", "CHONMASAN", 1, 1},
        {"SS UNITED STATES", "UNITED STATES", 1, 1},
        {"F/V KUM SONG 7", "KUMSONG 7", 1, 1},
        {"CHON MA SAN", "CHONMASAN", 1, 1},
        {"NAM SAN 8", "NAMSAN 08", 1, 1},             /* leading zero */
        {"ARK III", "ARK 3", 1, 1},                   /* Roman hull number */
        {"  kum-un-san 3  ", "KUM UN SAN 3", 1, 1},
        {"Ré Sol", "RE SOL", 1, 1},                    /* UTF-8 accents */
        {"S\xc3\x83O PAULO", "SAO PAULO", 1, 1},
        {"S\xe3O PAULO", "SAO PAULO", 1, 1},           /* raw Latin-1 */
        {"MV", "MV", 1, 1},                            /* a prefix alone is the name */
        /* one-letter typo in a long name: a match */
        {"CHON MA SAM", "CHON MA SAN", 0.88, 0.99},
        {"NAM SAN", "NAM SAM", 0.88, 0.95},           /* six letters, not the first: still a match */
        /* ... but not at the first letter, nor an inserted letter in a short name */
        {"KHON MA SAN", "CHON MA SAN", 0.80, 0.87},
        {"YU JONG 2", "YU JEONG 2", 0.80, 0.87},
        /* hull numbers */
        {"JI SONG 6", "JI SONG 8", 0, 0.5},
        {"NAM SAN 8", "NAM SAN 3", 0, 0.5},
        {"KUM UN SAN 3", "KUM UN SAN", 0.5, 0.87},     /* missing: weaker than different, still no match */
        {"KUM UN SAN 3", "KUM UN SAN 2", 0, 0.5},
        {"ARK III", "ARK II", 0, 0.5},
        /* short names inside longer different names */
        {"STAR", "STAR OF THE SEA", 0, 0.5},
        {"SKY", "SKY LIGHT", 0, 0.5},
        {"NAM SAN", "NAM SAN BONG", 0, 0.87},
        {"ANA", "ANASTASIA", 0, 0.87},
        /* common words on their own never match */
        {"OCEAN", "OCEAN STAR", 0, 0.5},
        {"OCEAN STAR", "OCEAN", 0, 0.5},
        {"GLORY", "GLORY", 0.5, 0.87},                 /* exact: 0.80, visible only below the threshold */
        {"STAR", "STAR", 0.5, 0.87},
        {"SEA", "SEA", 0.5, 0.87},
        {"SUN", "SUNNY", 0, 0.5},
        {"LUCKY", "LUCKY STAR", 0, 0.5},
        {"LUCKY 7", "LUCKY 7", 0.5, 0.87},
        {"OCEAN STAR", "OCEAN STAR", 1, 1},            /* two words: an ordinary name */
        /* a one-letter typo in a short name is not enough */
        {"EBANO", "EBANE", 0, 0.87},
        /* unrelated */
        {"CHON MA SAN", "RYONG GUN BONG", 0, 0.6},
        {"ARTAVIL", "ARTEMIS", 0, 0.87},
        {"", "CHON MA SAN", 0, 0},
        {"1234", "1234", 0, 0},                        /* no letters: no name */
        {NULL, "X", 0, 0},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double s = pel_name_similarity(cases[i].a, cases[i].b), r = pel_name_similarity(cases[i].b, cases[i].a);
        CHECK(s >= cases[i].lo - 1e-9 && s <= cases[i].hi + 1e-9, "similarity(%s, %s) = %.3f, want %.2f..%.2f",
              cases[i].a ? cases[i].a : "NULL", cases[i].b, s, cases[i].lo, cases[i].hi);
        CHECK(s == r, "similarity(%s, %s) not symmetric: %.3f %.3f", cases[i].a ? cases[i].a : "NULL", cases[i].b, s,
              r);
    }
}

/* A small list, built from the OFAC examples and a few made-up entries. */
static pel_matcher *small_list(void) {
    static const char *const al_chon[] = {"CHON MA SAN 2"};
    static const char *const fo_chon[] = {"MAYANG", "SUN RISE 9"};
    static const char *const fo_ebano[] = {"ANA I", "SAND SWAN"};
    static const char *const al_star[] = {"STAR"};
    static const char *const fo_ark[] = {"ABADEH", "CRYSTAL", "SUNDIAL", "ARK"};
    // clang-format off
    pel_wl_entry es[] = {
        {.list = "un", .entry_id = "e0", .name = "CHON MA SAN", .aliases = al_chon, .naliases = 1,
         .former = fo_chon, .nformer = 2, .imo = 8660313, .program = "DPRK"},
        {.list = "ofac_sdn", .entry_id = "4243", .name = "EBANO", .former = fo_ebano, .nformer = 2, .imo = 7406784},
        {.list = "ofac_sdn", .entry_id = "15036", .name = "ARTAVIL", .imo = 9187629, .mmsi = 572469210},
        {.list = "own", .entry_id = "e3", .name = "JI SONG 6", .mmsi = 445112000},
        {.list = "own", .entry_id = "e4", .name = "OCEAN STAR", .aliases = al_star, .naliases = 1},
        {.list = "ofac_sdn", .entry_id = "15037", .name = "ARK III", .former = fo_ark, .nformer = 4, .imo = 9187655},
        {.list = "own", .entry_id = "e6", .name = "YU JONG 2", .imo = 8660314 /* bad check digit */,
         .imo_company = 5342883},
        {.list = "own", .entry_id = "e7", .name = "KUM UN SAN 3"},
        {.list = "own", .entry_id = "e8", .name = "NAM SAN 8", .mmsi = 445112000 /* same MMSI as e3 */},
    };
    // clang-format on
    pel_matcher *m = pel_matcher_new();
    for (size_t i = 0; i < sizeof es / sizeof es[0]; i++) {
        /* pass copies that are destroyed afterwards: the matcher must copy */
        char name[64];
        snprintf(name, sizeof name, "%s", es[i].name);
        pel_wl_entry e = es[i];
        e.name = name;
        CHECK(pel_matcher_add(m, &e) == PEL_OK, "add %zu", i);
        memset(name, 'Z', sizeof name - 1);
    }
    CHECK(pel_matcher_build(m) == PEL_OK, "build");
    return m;
}

static void test_matcher(void) {
    pel_matcher *m = small_list();
    CHECK(pel_matcher_count(m) == 9, "count %zu", pel_matcher_count(m));
    CHECK(strcmp(pel_matcher_entry(m, 0)->name, "CHON MA SAN") == 0, "entry copied");
    CHECK(strcmp(pel_matcher_entry(m, 0)->former[1], "SUN RISE 9") == 0, "former copied");
    CHECK(pel_matcher_entry(m, 9) == NULL, "entry past the end");

    // clang-format off
    static const struct {
        const char *name;
        uint32_t imo, mmsi;
        int n;             /* number of matches */
        long entry;        /* best match's entry, -1 for none */
        unsigned fields;
        int kind;          /* name_kind when the name matched */
        const char *matched;
    } cases[] = {
        /* true matches */
        {"CHONMASAN", 0, 0, 1, 0, PEL_MATCH_NAME, 0, "CHON MA SAN"},
        {"M/T CHON-MA-SAN", 0, 0, 1, 0, PEL_MATCH_NAME, 0, "CHON MA SAN"},
        {"CHON MA SAN 2", 0, 0, 1, 0, PEL_MATCH_NAME, 1, "CHON MA SAN 2"},
        {"MAYANG", 0, 0, 1, 0, PEL_MATCH_NAME, 2, "MAYANG"},
        {"SUNRISE 9", 0, 0, 1, 0, PEL_MATCH_NAME, 2, "SUN RISE 9"},
        {"SAND SWAN", 0, 0, 1, 1, PEL_MATCH_NAME, 2, "SAND SWAN"},
        {"ANA 1", 0, 0, 1, 1, PEL_MATCH_NAME, 2, "ANA I"},
        {"ARK 3", 0, 0, 1, 5, PEL_MATCH_NAME, 0, "ARK III"},
        {"BRAND NEW NAME", 7406784, 0, 1, 1, PEL_MATCH_IMO, 0, NULL},          /* IMO under a new name */
        {"ARTAVIL", 9187629, 572469210, 1, 2, PEL_MATCH_IMO | PEL_MATCH_MMSI | PEL_MATCH_NAME, 0, "ARTAVIL"},
        {NULL, 0, 572469210, 1, 2, PEL_MATCH_MMSI, 0, NULL},
        {"JISONG6", 0, 0, 1, 3, PEL_MATCH_NAME, 0, "JI SONG 6"},
        {"OCEAN STAR", 0, 0, 1, 4, PEL_MATCH_NAME, 0, "OCEAN STAR"},
        {"STAR", 0, 0, 0, -1, 0, 0, NULL},                                     /* alias is a common word */
        {"STAR", 9187655, 0, 1, 5, PEL_MATCH_IMO, 0, NULL},                    /* ... the IMO still matches */
        {"YU JONG 2", 0, 0, 1, 6, PEL_MATCH_NAME, 0, "YU JONG 2"},
        {"CHON MA SAM", 0, 0, 1, 0, PEL_MATCH_NAME, 0, "CHON MA SAN"},         /* typo in a long name */
        /* one MMSI, two entries: both, in entry order */
        {NULL, 0, 445112000, 2, 3, PEL_MATCH_MMSI, 0, NULL},
        /* near misses */
        {"JI SONG 8", 0, 0, 0, -1, 0, 0, NULL},
        {"NAM SAN 3", 0, 0, 0, -1, 0, 0, NULL},
        {"KUM UN SAN", 0, 0, 0, -1, 0, 0, NULL},
        {"CHON MA SAN 7", 0, 0, 0, -1, 0, 0, NULL},
        {"OCEAN", 0, 0, 0, -1, 0, 0, NULL},
        {"CRYSTAL", 0, 0, 0, -1, 0, 0, NULL},                                  /* former name, common word */
        {"SUN", 0, 0, 0, -1, 0, 0, NULL},
        {"STAR OF THE SEA", 0, 0, 0, -1, 0, 0, NULL},
        {"EBANOS TRADER", 0, 0, 0, -1, 0, 0, NULL},
        {"ARK", 0, 0, 1, 5, PEL_MATCH_NAME, 2, "ARK"},                         /* exact former name */
        {"ARK 4", 0, 0, 0, -1, 0, 0, NULL},
        /* identifiers that must not match */
        {NULL, 8660314, 0, 0, -1, 0, 0, NULL},                                 /* bad check digit */
        {NULL, 5342883, 0, 0, -1, 0, 0, NULL},                                 /* company number */
        {NULL, 7406785, 0, 0, -1, 0, 0, NULL},
        {NULL, 0, 12345, 0, -1, 0, 0, NULL},                                   /* not 9 digits */
        {NULL, 0, 0, 0, -1, 0, 0, NULL},
        {"", 0, 0, 0, -1, 0, 0, NULL},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pel_match out[4];
        size_t n = pel_matcher_query(m, cases[i].name, cases[i].imo, cases[i].mmsi, 0, out, 4);
        const char *nm = cases[i].name ? cases[i].name : "NULL";
        CHECK(n == (size_t)cases[i].n, "%s/%u/%u: %zu matches, want %d (first %zu %.3f)", nm, cases[i].imo,
              cases[i].mmsi, n, cases[i].n, n ? out[0].entry : 0, n ? out[0].score : 0);
        if (n == 0 || cases[i].entry < 0)
            continue;
        CHECK(out[0].entry == (size_t)cases[i].entry, "%s: entry %zu, want %ld", nm, out[0].entry, cases[i].entry);
        CHECK(out[0].fields == cases[i].fields, "%s: fields %u, want %u", nm, out[0].fields, cases[i].fields);
        if (cases[i].fields & PEL_MATCH_NAME) {
            CHECK(out[0].name_kind == cases[i].kind, "%s: kind %d, want %d", nm, out[0].name_kind, cases[i].kind);
            CHECK(out[0].matched_name && strcmp(out[0].matched_name, cases[i].matched) == 0, "%s: matched %s", nm,
                  out[0].matched_name ? out[0].matched_name : "NULL");
        }
        if (cases[i].fields & (PEL_MATCH_IMO | PEL_MATCH_MMSI))
            CHECK(out[0].score == 1.0, "%s: score %.3f", nm, out[0].score);
        else
            CHECK(out[0].score >= PEL_NAME_THRESHOLD && out[0].score <= 1.0, "%s: score %.3f", nm, out[0].score);
        for (size_t k = 1; k < n && k < 4; k++)
            CHECK(out[k - 1].score > out[k].score ||
                      (out[k - 1].score == out[k].score && out[k - 1].entry < out[k].entry),
                  "%s: order", nm);
    }

    /* a lower min_score shows the weaker candidates, best first */
    pel_match out[8];
    size_t n = pel_matcher_query(m, "KUM UN SAN", 0, 0, 0.80, out, 8);
    CHECK(n == 1 && out[0].entry == 7 && out[0].score < PEL_NAME_THRESHOLD, "missing hull number at 0.80: %zu", n);
    n = pel_matcher_query(m, "STAR", 0, 0, 0.75, out, 8);
    CHECK(n == 1 && out[0].entry == 4 && out[0].name_kind == 1, "common word at 0.75: %zu", n);
    /* an IMO match and a name match of another entry: IMO first */
    n = pel_matcher_query(m, "CHON MA SAM", 7406784, 0, 0, out, 8);
    CHECK(n == 2 && out[0].entry == 1 && out[1].entry == 0 && out[0].score == 1.0 && out[1].score < 1.0,
          "imo before name: %zu", n);
    /* equal scores: entry order */
    n = pel_matcher_query(m, "CHON MA SAN", 7406784, 0, 0, out, 8);
    CHECK(n == 2 && out[0].entry == 0 && out[1].entry == 1, "ties by entry: %zu", n);
    /* cap smaller than the number of matches: the count is still the total */
    n = pel_matcher_query(m, "CHON MA SAM", 7406784, 0, 0, out, 1);
    CHECK(n == 2 && out[0].entry == 1, "cap 1: %zu", n);
    /* the index shortlists: far fewer full comparisons than names */
    unsigned long long c0 = mt_comparisons(m);
    pel_matcher_query(m, "CHON MA SAN", 0, 0, 0, out, 8);
    CHECK(mt_comparisons(m) - c0 <= 3, "comparisons %llu", mt_comparisons(m) - c0);
    pel_matcher_free(m);

    /* before build: the same answers, without the index */
    pel_matcher *u = pel_matcher_new();
    static const char *const fo[] = {"MAYANG"};
    pel_wl_entry e = {.name = "CHON MA SAN", .former = fo, .nformer = 1, .imo = 8660313};
    CHECK(pel_matcher_add(u, &e) == PEL_OK, "add unbuilt");
    n = pel_matcher_query(u, "MAYANG", 0, 0, 0, out, 8);
    CHECK(n == 1 && out[0].name_kind == 2, "unbuilt name: %zu", n);
    n = pel_matcher_query(u, NULL, 8660313, 0, 0, out, 8);
    CHECK(n == 1 && out[0].fields == PEL_MATCH_IMO, "unbuilt imo: %zu", n);
    CHECK(pel_matcher_add(u, NULL) == PEL_ERR_ARG, "add NULL");
    pel_matcher_free(u);
    pel_matcher_free(NULL);
    CHECK(pel_matcher_query(NULL, "X", 0, 0, 0, out, 8) == 0, "query NULL");
    pel_matcher *empty = pel_matcher_new();
    CHECK(pel_matcher_build(empty) == PEL_OK && pel_matcher_query(empty, "X", 0, 0, 0, out, 8) == 0, "empty");
    pel_matcher_free(empty);
}

int main(void) {
    test_similarity();
    test_matcher();
    printf("unit_match: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
