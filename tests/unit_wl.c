/*
 * unit_wl.c -- unit tests of pel_wl_read (src/screen/wl_read.c) on the real
 * OFAC and UN files in ../shared/data/sanctions (or data/watchlist for the
 * vessel extract) and on the small hand-made files in tests/data/wl.
 * Expected counts were computed independently with grep/awk (see each
 * CHECK).  Prints one line per failure and "unit_wl: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"
#include "screen/wl_internal.h"

#include "check.h"

#define REF "../shared/data/sanctions/"
#define FIX "tests/data/wl/"

/* Every entry of one call, deep-copied enough for the checks. */
typedef struct got_e {
    char list[16], id[40], name[80], flag[48], program[80], callsign[16], type[40], listed[16], source[96];
    char names[512]; /* aliases then "|" then former names, ';'-joined */
    char fflags[128];
    uint32_t imo, imo_company, mmsi;
    uint64_t line;
} got_e;

typedef struct got {
    size_t n;
    got_e e[1024];
} got;

static int on_entry(void *ud, const pel_wl_entry *e) {
    got *g = ud;
    if (g->n == sizeof g->e / sizeof g->e[0])
        return 0;
    got_e *o = &g->e[g->n++];
    memset(o, 0, sizeof *o);
#define CP(dst, src) snprintf(dst, sizeof dst, "%s", (src) ? (src) : "")
    CP(o->list, e->list);
    CP(o->id, e->entry_id);
    CP(o->name, e->name);
    CP(o->flag, e->flag);
    CP(o->program, e->program);
    CP(o->callsign, wl_callsign(e));
    CP(o->type, e->vessel_type);
    CP(o->listed, e->listed_on);
    CP(o->source, e->source);
    size_t k = 0;
    for (size_t i = 0; i < e->naliases; i++)
        k += (size_t)snprintf(o->names + k, k < sizeof o->names ? sizeof o->names - k : 0, "%s;", e->aliases[i]);
    k += (size_t)snprintf(o->names + k, k < sizeof o->names ? sizeof o->names - k : 0, "|");
    for (size_t i = 0; i < e->nformer; i++)
        k += (size_t)snprintf(o->names + k, k < sizeof o->names ? sizeof o->names - k : 0, "%s;", e->former[i]);
    k = 0;
    for (size_t i = 0; i < e->nformer_flags; i++)
        k +=
            (size_t)snprintf(o->fflags + k, k < sizeof o->fflags ? sizeof o->fflags - k : 0, "%s;", e->former_flags[i]);
    o->imo = e->imo;
    o->imo_company = e->imo_company;
    o->mmsi = e->mmsi;
    o->line = e->line;
    return 0;
}

static got G; /* large: static */

static pel_status run(const char *const *paths, size_t n, wl_stats *st, pel_error *err) {
    memset(&G, 0, sizeof G);
    pel_wl_cb cb = {on_entry, &G};
    return wl_read_ex(paths, n, &cb, st, err);
}

static int find(const char *id) {
    for (size_t i = 0; i < G.n; i++)
        if (!strcmp(G.e[i].id, id))
            return (int)i;
    return -1;
}

static void test_company_rule(void) {
    /* the 16 numbers of the UN file's DPRK entity comments */
    static const uint32_t company[] = {1790183, 5342883, 5571322, 5963351, 5787684, 5936312, 5676084, 5985863,
                                       5954061, 5145892, 5434358, 5982254, 5878561, 5987860, 5905801, 5988369};
    for (size_t i = 0; i < sizeof company / sizeof company[0]; i++) {
        CHECK(wl_imo_company_valid(company[i]), "company rule %u", company[i]);
        CHECK(pel_imo_valid(company[i]) == (company[i] == 1790183), "ship rule %u", company[i]);
    }
    CHECK(!wl_imo_company_valid(9179842) && !wl_imo_company_valid(5342884) && !wl_imo_company_valid(0), "company no");
}

static void test_ofac_vessels(void) {
    wl_stats st;
    pel_error err = {0};
    const char *p[] = {REF "ofac_sdn_vessels_20240503.csv"};
    pel_status s = run(p, 1, &st, &err);
    CHECK(s == PEL_OK, "read: %s", err.msg);
    CHECK(G.n == 851 && st.entries == 851, "851 vessels, got %zu", G.n);
    /* grep -a -c -E 'IMO +[0-9]{7}|Identification [0-9]{7}[^0-9]' -> 846
     * (the README's 842 leaves out "IMO  n" with two spaces, "Number IMO n"
     * and the bare 8606173 and 9894387) */
    CHECK(st.with_imo == 846, "with imo %zu", st.with_imo);
    CHECK(st.imo_rejected == 0, "rejected %zu", st.imo_rejected);
    CHECK(st.with_mmsi == 154, "with mmsi %zu", st.with_mmsi); /* grep -c -E 'MMSI [0-9]{9}' */
    size_t bad = 0;
    for (size_t i = 0; i < G.n; i++)
        bad += G.e[i].imo && !pel_imo_valid(G.e[i].imo);
    CHECK(bad == 0, "%zu invalid ship IMOs", bad);
    CHECK(G.e[0].line == 1 && !strcmp(G.e[0].id, "4238") && !strcmp(G.e[0].name, "MAR AZUL") &&
              !strcmp(G.e[0].callsign, "CL2192") && !strcmp(G.e[0].type, "Tug") && !strcmp(G.e[0].flag, "Cuba") &&
              !strcmp(G.e[0].list, "ofac_sdn"),
          "first %s %s %s", G.e[0].id, G.e[0].name, G.e[0].callsign);
    CHECK(G.e[850].line == 851, "last line %llu", (unsigned long long)G.e[850].line);
    int i = find("17104");
    CHECK(i >= 0 && G.e[i].imo == 8606173 && !strcmp(G.e[i].name, "RYONG GUN BONG"), "17104");
    i = find("33809");
    CHECK(i >= 0 && G.e[i].imo == 9894387, "33809 bare IMO");
    i = find("23424");
    CHECK(i >= 0 && G.e[i].imo == 0, "23424 Malta register number is no IMO");
    static const struct {
        const char *name;
        uint32_t imo;
    } ru[] = {{"ANGARA", 9179842}, {"LADY R", 9161003}, {"MARIA", 8517839}};
    for (size_t k = 0; k < 3; k++) {
        int j = -1;
        for (size_t m = 0; m < G.n; m++)
            if (!strcmp(G.e[m].name, ru[k].name))
                j = (int)m;
        CHECK(j >= 0 && G.e[j].imo == ru[k].imo && strstr(G.e[j].program, "RUSSIA-EO14024"), "%s", ru[k].name);
    }
    i = find("15036");
    CHECK(i >= 0 && !strcmp(G.e[i].name, "ARTAVIL") && G.e[i].mmsi == 572469210 && G.e[i].imo == 9187629 &&
              !strcmp(G.e[i].names, "|ALPHA;") && !strcmp(G.e[i].fflags, "Malta;Tuvalu;Tanzania;") &&
              !strcmp(G.e[i].callsign, "T2EU4") && !strcmp(G.e[i].flag, "Iran"),
          "ARTAVIL: %s / %s / %u", G.e[i].names, G.e[i].fflags, G.e[i].mmsi);
    i = find("4243");
    CHECK(i >= 0 && !strcmp(G.e[i].names, "|ANA I;SAND SWAN;"), "EBANO former %s", G.e[i].names);
    size_t multi = 0;
    for (size_t k = 0; k < G.n; k++)
        multi += strchr(G.e[k].program, ';') != NULL && strchr(G.e[k].program, '[') == NULL &&
                 strchr(G.e[k].program, ']') == NULL;
    /* grep -a -c '\] \[' on the extract's vessel rows */
    CHECK(multi > 0, "multi-program rows joined with '; '");
}

static void test_ofac_full_and_alt(void) {
    wl_stats st;
    pel_error err = {0};
    /* alt first: applies whatever the order */
    const char *p[] = {REF "ofac_alt_vessels_20250811.csv", REF "ofac_sdn_20240503.csv"};
    pel_status s = run(p, 2, &st, &err);
    CHECK(s == PEL_OK, "read: %s", err.msg);
    CHECK(G.n == 851 && st.with_imo == 846 && st.with_mmsi == 154, "full file %zu / %zu", G.n, st.with_imo);
    CHECK(st.records == 14965 + 155, "records %zu", st.records);
    CHECK(st.alt_rows == 155 && st.alt_applied == 155 && st.alt_unmatched == 0, "alt %zu %zu %zu", st.alt_rows,
          st.alt_applied, st.alt_unmatched);
    int i = find("15036");
    CHECK(i >= 0 && !strcmp(G.e[i].names, "|ALPHA;ABADAN;SHONA;"), "15036 %s", G.e[i].names);
    i = find("15038");
    CHECK(i >= 0 && strstr(G.e[i].names, "ARGO 1;|") && strstr(G.e[i].names, "AMOL;") &&
              strstr(G.e[i].names, "CASTOR;"),
          "15038 %s", G.e[i].names);
    CHECK(G.e[0].line == 74, "line in the full file %llu", (unsigned long long)G.e[0].line);

    /* an alt row of a non-vessel is counted and ignored; alt alone reports nothing */
    const char *q[] = {FIX "latin1_ctrlz.csv", FIX "alt_extra.csv"};
    s = run(q, 2, &st, &err);
    CHECK(s == PEL_OK && G.n == 2 && st.alt_unmatched == 1 && st.alt_applied == 1, "alt_extra: %s", err.msg);
    CHECK(!strcmp(G.e[0].names, "BLUE SEA;|"), "alias %s", G.e[0].names);
    const char *r[] = {FIX "alt_extra.csv"};
    s = run(r, 1, &st, &err);
    CHECK(s == PEL_OK && G.n == 0 && st.alt_unmatched == 2, "alt alone");
}

static void test_latin1(void) {
    wl_stats st;
    pel_error err = {0};
    const char *p[] = {FIX "latin1_ctrlz.csv"};
    pel_status s = run(p, 1, &st, &err);
    CHECK(s == PEL_OK && G.n == 2, "latin1: %s", err.msg);
    /* the owner column is not kept; the Remarks give the company number */
    CHECK(G.e[1].imo == 0 && G.e[1].imo_company == 5342883 && st.imo_rejected == 1, "company IMO in OFAC");
    CHECK(!strcmp(G.e[1].names, "O'NEIL STAR;|") && !strcmp(G.e[1].flag, ""), "alias %s", G.e[1].names);
    CHECK(!strcmp(G.e[1].program, "DPRK3"), "program");
    CHECK(!strcmp(G.e[0].flag, "Per\xc3\xba"), "Latin-1 to UTF-8: %s", G.e[0].flag);
}

static void test_un(void) {
    wl_stats st;
    pel_error err = {0};
    const char *p[] = {REF "un_consolidated_20240926.xml"};
    pel_status s = run(p, 1, &st, &err);
    CHECK(s == PEL_OK, "UN: %s", err.msg);
    /* grep -c '<ENTITY>' = 193, grep -c '<INDIVIDUAL>' = 682 */
    CHECK(st.un_entities == 193 && st.un_individuals == 682, "UN %zu %zu", st.un_entities, st.un_individuals);
    CHECK(st.un_company_imos == 16, "company IMOs %zu", st.un_company_imos);
    CHECK(G.n == 0 && st.with_imo == 0, "UN vessels %zu", G.n);

    const char *q[] = {FIX "un_vessel.xml"};
    s = run(q, 1, &st, &err);
    CHECK(s == PEL_OK && G.n == 1 && st.un_company_imos == 2, "un_vessel: %s %zu", err.msg, G.n);
    CHECK(!strcmp(G.e[0].list, "un") && !strcmp(G.e[0].id, "KPe.900") && !strcmp(G.e[0].name, "RYONG GUN BONG") &&
              G.e[0].imo == 8606173 && G.e[0].imo_company == 5342883 && !strcmp(G.e[0].names, "RYONG GUN BONG 1;|") &&
              !strcmp(G.e[0].program, "DPRK") && !strcmp(G.e[0].listed, "2018-03-30") && G.e[0].line == 21,
          "UN vessel %s %u %u line %llu", G.e[0].name, G.e[0].imo, G.e[0].imo_company, (unsigned long long)G.e[0].line);
}

static void test_opensanctions(void) {
    wl_stats st;
    pel_error err = {0};
    const char *p[] = {FIX "os_targets.csv", FIX "ftm.jsonl"};
    pel_status s = run(p, 2, &st, &err);
    CHECK(s == PEL_OK && G.n == 4, "os: %s %zu", err.msg, G.n);
    CHECK(!strcmp(G.e[0].list, "opensanctions") && !strcmp(G.e[0].id, "NK-abc123") && G.e[0].imo == 9187629 &&
              G.e[0].mmsi == 572469210 && !strcmp(G.e[0].names, "ALPHA;ARTAVIL II;|") && !strcmp(G.e[0].flag, "ir") &&
              !strcmp(G.e[0].program, "OFAC SDN, IRAN") && !strcmp(G.e[0].listed, "2019-12-03") && G.e[0].line == 2,
          "os row %s %u %u %s", G.e[0].id, G.e[0].imo, G.e[0].mmsi, G.e[0].names);
    CHECK(!strcmp(G.e[1].name, "SUN, \"STAR\" 8") && G.e[1].imo == 8606173 && G.e[1].mmsi == 0 &&
              !strcmp(G.e[1].flag, "kp") && G.e[1].line == 4,
          "os row 2 %s", G.e[1].name);
    CHECK(!strcmp(G.e[2].id, "ofac-15036") && !strcmp(G.e[2].name, "ARTAVIL") &&
              !strcmp(G.e[2].names, "ARTAVIL II;ART;|ALPHA;") && G.e[2].imo == 9187629 && G.e[2].mmsi == 572469210 &&
              !strcmp(G.e[2].flag, "ir") && !strcmp(G.e[2].fflags, "mt;tv;") && !strcmp(G.e[2].callsign, "T2EU4") &&
              !strcmp(G.e[2].type, "Crude Oil Tanker") && !strcmp(G.e[2].program, "us_ofac_sdn; un_sc_sanctions") &&
              !strcmp(G.e[2].listed, "2019-12-03") && G.e[2].line == 1,
          "ftm %s %s %s", G.e[2].id, G.e[2].names, G.e[2].program);
    CHECK(!strcmp(G.e[3].id, "un-v1") && G.e[3].imo == 8606173 && G.e[3].line == 4, "ftm 2 line %llu",
          (unsigned long long)G.e[3].line);
}

static void test_own(void) {
    wl_stats st;
    pel_error err = {0};
    const char *p[] = {FIX "own.csv"};
    pel_status s = run(p, 1, &st, &err);
    CHECK(s == PEL_OK && G.n == 2, "own: %s", err.msg);
    CHECK(!strcmp(G.e[0].list, "own") && !strcmp(G.e[0].id, "2") && !strcmp(G.e[0].name, "CHON MA SAN") &&
              G.e[0].imo == 8660313 && G.e[0].mmsi == 0 && !strcmp(G.e[0].flag, "KP") &&
              !strcmp(G.e[0].program, "DPRK, own watch") && !strcmp(G.e[0].listed, "2019-03-05") &&
              !strcmp(G.e[0].source, FIX "own.csv"),
          "own 1");
    CHECK(!strcmp(G.e[1].id, "3") && G.e[1].imo == 9179842 && G.e[1].mmsi == 273355410, "own 2");
}

static void test_malformed(void) {
    static const struct {
        const char *file;
        const char *want; /* in the message */
    } cases[] = {
        {FIX "bad_quote.csv", "bad_quote.csv: line 2: unbalanced quotes"},
        {FIX "bad_cols.csv", "bad_cols.csv: line 3: 11 columns"},
        {FIX "bad.xml", "bad.xml: line "},
        {FIX "bad.jsonl", "bad.jsonl: line 2: not a JSON object"},
        {FIX "unknown.txt", "unknown.txt: line 1: unknown list format"},
        {FIX "own_bad_imo.csv", "own_bad_imo.csv: line 3: imo"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wl_stats st;
        pel_error err = {0};
        /* good files around the bad one: still nothing reported */
        const char *p[] = {FIX "own.csv", cases[i].file, FIX "ftm.jsonl"};
        pel_status s = run(p, 3, &st, &err);
        if (getenv("WL_VERBOSE"))
            printf("%s\n", err.msg);
        CHECK(s == PEL_ERR_FORMAT && err.code == PEL_ERR_FORMAT && G.n == 0 && strstr(err.msg, cases[i].want),
              "%s: status %d, %zu reported, \"%s\"", cases[i].file, s, G.n, err.msg);
    }
    pel_error err = {0};
    const char *p[] = {FIX "own.csv", FIX "does_not_exist.csv"};
    CHECK(run(p, 2, NULL, &err) == PEL_ERR_IO && G.n == 0 && strstr(err.msg, "does_not_exist.csv"), "io: %s", err.msg);
    /* stopping */
    const char *q[] = {FIX "own.csv"};
    pel_wl_cb cb = {NULL, NULL};
    CHECK(pel_wl_read(q, 1, &cb, &err) == PEL_OK, "no callback");
    CHECK(pel_wl_read(NULL, 0, NULL, &err) == PEL_OK, "nothing");
}

static int stop_first(void *ud, const pel_wl_entry *e) {
    (void)e;
    ++*(int *)ud;
    return 1;
}

static void test_stop(void) {
    int calls = 0;
    pel_wl_cb cb = {stop_first, &calls};
    const char *q[] = {FIX "own.csv"};
    CHECK(pel_wl_read(q, 1, &cb, NULL) == PEL_STOPPED && calls == 1, "stop");
}

int main(void) {
    test_company_rule();
    test_ofac_vessels();
    test_ofac_full_and_alt();
    test_latin1();
    test_un();
    test_opensanctions();
    test_own();
    test_malformed();
    test_stop();
    printf("unit_wl: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
