/*
 * unit_detectors.c -- the detector table (src/detect/detectors.h) against
 * everything that must agree with it:
 *
 *   - the table itself: names, settings (prefix, default within its range,
 *     unit and documentation), kinds, every event emitted by a detector;
 *   - --set: every setting's bounds accepted, the values beyond refused
 *     with the message of docs/findings.md, unknown names refused;
 *   - the sinks: a finding of a kind its detector does not declare fails
 *     the set, with the real hooks of the table;
 *   - docs/findings.md: its settings table is the one the table writes,
 *     each event's row lists its detector's settings and kinds, the event
 *     list is the table's;
 *   - report/risk.c: every declared kind has a risk weight or says why it
 *     has none, and every weight of a finding belongs to a declared kind;
 *   - the findings on record: every finding of the golden scans
 *     (tests/golden/scan/) and every event/kind counted on the real files
 *     (tests/data/realdata/scan_expected.tsv) is a declared kind.
 *
 *   unit_detectors                    check; "unit_detectors: N passed, M failed"
 *   unit_detectors --update-docs      rewrite docs/findings.md's settings table
 *                                     from the table (make golden runs it)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detectors.h"
#include "findings/read.h"
#include "report/rpt.h"

#include "check.h"

#define DOC "docs/findings.md"
#define BEGIN_MARK "<!-- settings: written from src/detect/detectors.c by `make golden`; edit the table there -->\n"
#define END_MARK "<!-- end of settings -->\n"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = 0;
    return buf;
}

/* The settings table the code writes. */
static char *generated(void) {
    char *s = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&s, &n);
    if (!m)
        return NULL;
    fputc('\n', m); /* blank lines around it: a table of its own between the markers */
    det_settings_markdown(m);
    fputc('\n', m);
    fclose(m);
    return s;
}

/* The row of docs/findings.md's "Per event" table for an event ("| `gap` |
 * ... |\n"), malloc'd, or NULL. */
static char *event_row(const char *doc, const char *event) {
    char key[64];
    snprintf(key, sizeof key, "\n| `%s` |", event);
    const char *p = strstr(doc, key);
    if (!p)
        return NULL;
    p++;
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char *r = malloc(len + 1);
    if (r) {
        memcpy(r, p, len);
        r[len] = 0;
    }
    return r;
}

/* True when text holds `word` (in backticks). */
static bool has_code(const char *text, const char *word) {
    char key[128];
    snprintf(key, sizeof key, "`%s`", word);
    return strstr(text, key) != NULL;
}

static const det_detector *detector_of_event(det_event e) {
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t k = 0; k < det_table[d].nkinds; k++)
            if (det_table[d].kinds[k].event == e)
                return &det_table[d];
    return NULL;
}

/* ---- the table ------------------------------------------------------------------ */

static void test_table(void) {
    bool emitted[DET_EV__COUNT] = {0};
    for (int d = 0; d < DET__COUNT; d++) {
        const det_detector *t = &det_table[d];
        CHECK(t->name && t->name[0] && t->doc && t->doc[0], "detector %d has a name and a line of documentation", d);
        for (int e = 0; e < d; e++)
            CHECK(strcmp(t->name, det_table[e].name) != 0, "detector name %s twice", t->name);
        CHECK(t->vessel || t->finish, "%s has a hook that emits (vessel or finish)", t->name);
        CHECK(!t->cleanup || t->begin, "%s: a cleanup without a begin", t->name);
        CHECK(t->opts_size <= DET_OPTS_MAX && (t->nsettings == 0) == (t->opts_size == 0),
              "%s: options of %zu bytes for %zu settings", t->name, t->opts_size, t->nsettings);
        CHECK(t->nkinds > 0, "%s declares what it emits", t->name);
        for (size_t j = 0; j < t->nsettings; j++) {
            const det_setting *s = &t->settings[j];
            size_t pl = strlen(t->name);
            CHECK(!strncmp(s->name, t->name, pl) && s->name[pl] == '.' && s->name[pl + 1],
                  "%s: setting %s is named after its detector", t->name, s->name);
            CHECK(s->lo <= s->dflt && s->dflt <= s->hi, "%s: default %g within %g to %g", s->name, s->dflt, s->lo,
                  s->hi);
            CHECK(s->type == DET_REAL || (s->dflt == floor(s->dflt) && s->lo == floor(s->lo) && s->hi == floor(s->hi)),
                  "%s: a whole setting with whole default and bounds", s->name);
            CHECK(s->offset + (s->type == DET_REAL  ? sizeof(double)
                               : s->type == DET_INT ? sizeof(int)
                                                    : sizeof(long)) <=
                      t->opts_size,
                  "%s: inside its options", s->name);
            CHECK(s->unit && s->unit[0] && !strchr(s->unit, '|') && s->doc && s->doc[0] && !strchr(s->doc, '|') &&
                      !strchr(s->doc, '\n'),
                  "%s: a unit and one line of documentation, no '|'", s->name);
            for (int e = 0; e < DET__COUNT; e++)
                for (size_t i = 0; i < det_table[e].nsettings; i++)
                    CHECK(&det_table[e].settings[i] == s || strcmp(det_table[e].settings[i].name, s->name) != 0,
                          "setting %s twice", s->name);
            if (s->at_most) {
                bool found = false;
                for (size_t i = 0; i < t->nsettings; i++)
                    found |= !strcmp(t->settings[i].name, s->at_most) && s->dflt <= t->settings[i].dflt;
                CHECK(found && s->at_most_why && s->at_most_why[0],
                      "%s: at most %s, a setting of its detector with a default no lower, and a reason", s->name,
                      s->at_most);
            }
        }
        for (size_t k = 0; k < t->nkinds; k++) {
            const det_kind *x = &t->kinds[k];
            CHECK(x->event >= 0 && x->event < DET_EV__COUNT, "%s: kind %zu has an event", t->name, k);
            if (x->event < 0 || x->event >= DET_EV__COUNT)
                continue;
            emitted[x->event] = true;
            CHECK(!x->member == !x->value, "%s: kind %zu has a member and a value, or neither", t->name, k);
            /* one detector per kind: a finding's kind says where it came from */
            for (int e = 0; e < DET__COUNT; e++)
                for (size_t i = 0; i < det_table[e].nkinds; i++) {
                    const det_kind *y = &det_table[e].kinds[i];
                    if (y == x || y->event != x->event)
                        continue;
                    CHECK(x->member && y->member && strcmp(x->value, y->value) != 0,
                          "%s/%s declared twice (by %s and %s), or with and without a kind", det_event_name(x->event),
                          x->value ? x->value : "", t->name, det_table[e].name);
                }
        }
    }
    for (int e = 0; e < DET_EV__COUNT; e++) {
        CHECK(emitted[e], "event %s is emitted by some detector", det_event_name(e));
        CHECK(pel_event_name(e) && !strcmp(pel_event_name(e), det_event_name(e)) &&
                  det_event_index(det_event_name(e)) == e,
              "pel_event_name(%d) is the table's", e);
    }
    CHECK(pel_event_name(DET_EV__COUNT) == NULL && pel_event_name(-1) == NULL, "no event past the end");
}

/* ---- settings and --set -------------------------------------------------------------- */

static void test_settings(void) {
    char set[160], want[400];
    const char *one[1] = {set};
    pel_error err;
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t j = 0; j < det_table[d].nsettings; j++) {
            const det_setting *s = &det_table[d].settings[j];
            bool whole = s->type != DET_REAL;
            /* the bounds and the default, each end of an at-most pair with
             * the other one out of its way (a setting at most another:
             * that one at its maximum; the other: this one at its minimum) */
            char other[160] = "";
            const char *two[2] = {set, other};
            for (size_t i = 0; i < det_table[d].nsettings; i++) {
                const det_setting *x = &det_table[d].settings[i];
                if (s->at_most && !strcmp(x->name, s->at_most))
                    snprintf(other, sizeof other, "%s=%.17g", x->name, x->hi);
                if (x->at_most && !strcmp(x->at_most, s->name))
                    snprintf(other, sizeof other, "%s=%.17g", x->name, x->lo);
            }
            double vals[3] = {s->lo, s->hi, s->dflt};
            for (int v = 0; v < 3; v++) {
                snprintf(set, sizeof set, "%s=%.17g", s->name, vals[v]);
                memset(&err, 0, sizeof err);
                CHECK(pel_scan_check_settings(two, other[0] ? 2 : 1, &err) == PEL_OK, "%s %s accepted: %s", set, other,
                      err.msg);
            }
            /* beyond them, and no numbers */
            double step = whole ? 1 : (s->hi - s->lo) * 1e-3 + 1e-9;
            double bad[2] = {s->lo - step, s->hi + step};
            const char *texts[] = {"nan", "inf", "0x10", " 5", "5x", ""};
            for (int v = 0; v < 2 + 6; v++) {
                char value[64];
                if (v < 2)
                    snprintf(value, sizeof value, "%.17g", bad[v]);
                else
                    snprintf(value, sizeof value, "%s", texts[v - 2]);
                snprintf(set, sizeof set, "%s=%s", s->name, value);
                snprintf(want, sizeof want, "%s wants %s from %.15g to %.15g %s, not \"%.40s\" (docs/findings.md)",
                         s->name, whole ? "a whole number" : "a number", s->lo, s->hi, s->unit, value);
                memset(&err, 0, sizeof err);
                CHECK(pel_scan_check_settings(one, 1, &err) == PEL_ERR_ARG && err.code == PEL_ERR_ARG &&
                          !strcmp(err.msg, want),
                      "%s refused with [%s], got [%s]", set, want, err.msg);
            }
            if (whole) {
                snprintf(set, sizeof set, "%s=%.17g", s->name, s->lo + 0.5);
                CHECK(pel_scan_check_settings(one, 1, NULL) == PEL_ERR_ARG, "%s (not whole) refused", set);
            }
        }
    snprintf(set, sizeof set, "no.such=1");
    memset(&err, 0, sizeof err);
    CHECK(pel_scan_check_settings(one, 1, &err) == PEL_ERR_ARG &&
              !strcmp(err.msg, "unknown setting no.such (docs/findings.md lists them)"),
          "unknown setting: %s", err.msg);
    snprintf(set, sizeof set, "port_visit.entry_m=5000");
    memset(&err, 0, sizeof err);
    CHECK(pel_scan_check_settings(one, 1, &err) == PEL_ERR_ARG &&
              !strcmp(err.msg, "port_visit.entry_m (5000) is beyond port_visit.exit_m (4000): a visit starts inside"
                               " the distance at which it ends (docs/findings.md)"),
          "entry beyond exit: %s", err.msg);
    CHECK(pel_scan_check_settings(NULL, 0, NULL) == PEL_OK, "no settings");

    /* the defaults land in the options, and a setting in its own member */
    det_gap_opts g;
    memset(&g, 0xff, sizeof g);
    det_gap_default_opts(&g);
    CHECK(g.min_gap_h == 12 && g.port_radius_m == 5000 && g.open_radius_m == 50000 && g.serve_hours == 3 &&
              g.dark_share == 0.8 && g.coverage_margin_s == 1800 && g.draught_change_m == 0.5 &&
              g.min_feed_fraction == 0.5,
          "gap defaults");
    det_enc_opts e;
    memset(&e, 0xff, sizeof e);
    det_enc_default_opts(&e);
    CHECK(e.max_distance_m == 500 && e.min_duration_h == 2 && e.max_median_speed_kn == 2 &&
              e.min_port_distance_m == 10000 && e.merge_gap_h == 4 && e.step_s == 600 && e.max_interp_gap_s == 3600,
          "encounter defaults");
    det_opts opts[DET__COUNT];
    const char *many[] = {"encounter.step_s=1200", "gap.serve_hours=7", "loitering.noise_m=12.5",
                          "zone_entry.min_positions=4", "port_visit.stop_kn=0.25"};
    CHECK(det_settings_apply(opts, many, 5, NULL) == PEL_OK, "five settings");
    const det_enc_opts *eo = (const det_enc_opts *)&opts[DET_ENCOUNTER];
    const det_gap_opts *go = (const det_gap_opts *)&opts[DET_GAP];
    const det_loiter_opts *lo = (const det_loiter_opts *)&opts[DET_LOITERING];
    const det_zone_opts *zo = (const det_zone_opts *)&opts[DET_ZONE_ENTRY];
    const det_port_opts *po = (const det_port_opts *)&opts[DET_PORT_VISIT];
    CHECK(eo->step_s == 1200 && eo->max_interp_gap_s == 3600 && go->serve_hours == 7 && go->min_gap_h == 12 &&
              lo->noise_m == 12.5 && zo->min_positions == 4 && po->stop_kn == 0.25 && po->exit_m == 4000,
          "each value in its member, the others at their defaults");
}

/* ---- the sinks -------------------------------------------------------------------------- */

static void builder(fnd_builder *f, det_event e, const char *member, const char *value) {
    memset(f, 0, sizeof *f);
    f->event = det_event_name(e);
    f->mmsi = 273000001;
    f->lat = f->lon = NAN;
    if (member)
        fnd_str(f, member, value);
    fnd_int(f, "positions", 3);
}

static void test_sinks(void) {
    for (int d = 0; d < DET__COUNT; d++) {
        const det_detector *t = &det_table[d];
        for (size_t k = 0; k < t->nkinds; k++) {
            fnd_set *s = fnd_set_new();
            det_sink sink = {.set = s, .d = t};
            fnd_builder f;
            builder(&f, t->kinds[k].event, t->kinds[k].member, t->kinds[k].value);
            det_push(&sink, &f);
            CHECK(s->failed == PEL_OK && s->n == 1 && !sink.bad[0], "%s takes its own %s/%s", t->name,
                  det_event_name(t->kinds[k].event), t->kinds[k].value ? t->kinds[k].value : "");
            /* the same kind through another detector's sink */
            for (int o = 0; o < DET__COUNT; o++) {
                if (o == d)
                    continue;
                det_sink other = {.set = s, .d = &det_table[o]};
                s->failed = PEL_OK;
                det_push(&other, &f);
                CHECK(s->failed == PEL_ERR_ARG && s->n == 1 && other.bad[0], "%s refuses %s's %s/%s", det_table[o].name,
                      t->name, det_event_name(t->kinds[k].event), t->kinds[k].value ? t->kinds[k].value : "");
            }
            fnd_set_free(s);
        }
    }
    /* a kind no one declares, a kind member missing, no event */
    fnd_set *s = fnd_set_new();
    det_sink sink = {.set = s, .d = &det_table[DET_SPOOFING]};
    fnd_builder f;
    builder(&f, DET_EV_SPOOFING, "kind", "made_up");
    det_push(&sink, &f);
    CHECK(s->failed == PEL_ERR_ARG && s->n == 0 && !strcmp(sink.bad, "spoofing/made_up"), "an undeclared kind: %s",
          sink.bad);
    s->failed = PEL_OK;
    builder(&f, DET_EV_SPOOFING, NULL, NULL);
    det_push(&sink, &f);
    CHECK(s->failed == PEL_ERR_ARG && s->n == 0, "a spoofing finding without its kind");
    s->failed = PEL_OK;
    f.event = NULL;
    det_push(&sink, &f);
    CHECK(s->failed == PEL_ERR_ARG && s->n == 0, "no event");
    fnd_set_free(s);

    /* a real hook through the wrong row's sink: the spoofing signs of a
     * track with an impossible jump, as if the gap detector emitted them */
    pel_position p[3] = {0};
    for (int i = 0; i < 3; i++) {
        p[i].t_ms = 1700000000000LL + i * 600000LL;
        p[i].lat = (int32_t)(30 * PEL_DEG);
        p[i].lon = (int32_t)((120 + 2 * i) * PEL_DEG);
        p[i].segment = 0;
        p[i].line = (uint64_t)i + 1;
        p[i].flags = i == 1 ? PEL_POS_SUSPECT_SPEED : 0;
    }
    det_env env = {0};
    for (int as = 0; as < 2; as++) {
        fnd_set *set = fnd_set_new();
        det_sink sk = {.set = set, .d = &det_table[as ? DET_GAP : DET_SPOOFING]};
        det_call c = {.env = &env, .emit = det_push, .ud = &sk};
        CHECK(det_table[DET_SPOOFING].vessel(&c, 273000001, p, 3) == PEL_OK, "spoofing hook");
        if (as)
            CHECK(set->failed == PEL_ERR_ARG && set->n == 0 && !strcmp(sk.bad, "spoofing/impossible_speed"),
                  "the spoofing hook through the gap's sink fails: [%s]", sk.bad);
        else
            CHECK(set->failed == PEL_OK && set->n == 1 && det_kind_of(NULL, &set->v[0]),
                  "the spoofing hook through its own sink: %zu findings", set->n);
        fnd_set_free(set);
    }
}

/* ---- docs/findings.md ------------------------------------------------------------------- */

static void test_docs(void) {
    char *doc = slurp(DOC), *gen = generated();
    CHECK(doc && gen, "%s and the generated table", DOC);
    if (!doc || !gen) {
        free(doc);
        free(gen);
        return;
    }
    const char *b = strstr(doc, BEGIN_MARK), *e = b ? strstr(b, END_MARK) : NULL;
    CHECK(b && e, "%s has the settings table between its markers", DOC);
    if (b && e) {
        b += strlen(BEGIN_MARK);
        bool same = (size_t)(e - b) == strlen(gen) && !strncmp(b, gen, strlen(gen));
        CHECK(same, "%s's settings table is the table's (make golden rewrites it; then review the diff)", DOC);
        if (!same) {
            /* the first line that differs */
            const char *x = b, *y = gen;
            while (*x && *y && *x == *y && x < e)
                x++, y++;
            while (x > b && x[-1] != '\n')
                x--, y--;
            printf("  docs:  %.*s\n  table: %.*s\n", (int)strcspn(x, "\n"), x, (int)strcspn(y, "\n"), y);
        }
    }
    /* every event in the list of events and in a row of its own; each row
     * names its detector's settings, and only those, and its kinds */
    const char *list = strstr(doc, "\n| `event` |");
    char *lrow = list ? event_row(doc, "event") : NULL;
    CHECK(lrow != NULL, "%s lists the events", DOC);
    for (int ev = 0; ev < DET_EV__COUNT; ev++) {
        const char *name = det_event_name(ev);
        if (lrow)
            CHECK(has_code(lrow, name), "the list of events names %s", name);
        char *row = event_row(doc, name);
        CHECK(row != NULL, "%s has a row for %s", DOC, name);
        if (!row)
            continue;
        const det_detector *d = detector_of_event((det_event)ev);
        /* an event several detectors emit (spoofing: spoofing and position)
         * lists the settings of all of them */
        size_t nown = 0;
        for (int t = 0; t < DET__COUNT; t++) {
            bool emits = false;
            for (size_t k = 0; k < det_table[t].nkinds; k++)
                emits |= det_table[t].kinds[k].event == (det_event)ev;
            nown += emits ? det_table[t].nsettings : 0;
        }
        const char *settings = strrchr(row, '|'); /* the row ends "| settings |" */
        while (settings && settings > row && settings[-1] == ' ')
            settings--;
        settings = settings ? settings : row;
        const char *start = settings;
        while (start > row && start[-1] != '|')
            start--;
        size_t listed = 0;
        for (const char *q = strchr(start, '`'); q && q < settings; q = strchr(q, '`')) {
            const char *z = strchr(q + 1, '`');
            if (!z || z > settings)
                break;
            char nm[96];
            snprintf(nm, sizeof nm, "%.*s", (int)(z - q - 1), q + 1);
            q = z + 1;
            if (!strchr(nm, '.') || strchr(nm, ' '))
                continue;
            listed++;
            bool ours = false;
            for (int t = 0; t < DET__COUNT; t++)
                for (size_t k = 0; k < det_table[t].nkinds; k++)
                    if (det_table[t].kinds[k].event == (det_event)ev)
                        for (size_t j = 0; j < det_table[t].nsettings; j++)
                            ours |= !strcmp(det_table[t].settings[j].name, nm);
            CHECK(ours, "%s's row lists %s, which is no setting of a detector of it", name, nm);
        }
        for (int t = 0; t < DET__COUNT; t++) {
            bool emits = false;
            for (size_t k = 0; k < det_table[t].nkinds; k++)
                emits |= det_table[t].kinds[k].event == (det_event)ev;
            for (size_t j = 0; emits && j < det_table[t].nsettings; j++)
                CHECK(strstr(start, det_table[t].settings[j].name) != NULL, "%s's row lists its setting %s", name,
                      det_table[t].settings[j].name);
        }
        CHECK(!d || listed == nown, "%s's row lists %zu settings, its detectors have %zu", name, listed, nown);
        for (int t = 0; t < DET__COUNT; t++)
            for (size_t k = 0; k < det_table[t].nkinds; k++) {
                const det_kind *x = &det_table[t].kinds[k];
                if ((int)x->event == ev && x->member)
                    CHECK(has_code(row, x->member) && has_code(row, x->value), "%s's row names its %s `%s`", name,
                          x->member, x->value);
            }
        free(row);
    }
    free(lrow);
    free(doc);
    free(gen);
}

/* Rewrites the settings table of docs/findings.md; 0 on success. */
static int update_docs(void) {
    char *doc = slurp(DOC), *gen = generated();
    const char *b = doc ? strstr(doc, BEGIN_MARK) : NULL, *e = b ? strstr(b, END_MARK) : NULL;
    if (!gen || !b || !e) {
        fprintf(stderr, "unit_detectors: %s has no settings markers\n", DOC);
        free(doc);
        free(gen);
        return 1;
    }
    FILE *f = fopen(DOC ".tmp", "wb");
    int rc = !f;
    if (f) {
        fwrite(doc, 1, (size_t)(b - doc) + strlen(BEGIN_MARK), f);
        fputs(gen, f);
        fputs(e, f);
        rc = fclose(f) != 0 || rename(DOC ".tmp", DOC) != 0;
    }
    if (!rc)
        printf("updated the settings table of %s\n", DOC);
    free(doc);
    free(gen);
    return rc;
}

/* ---- risk weights ------------------------------------------------------------------------ */

static void test_risk(void) {
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t k = 0; k < det_table[d].nkinds; k++) {
            const det_kind *x = &det_table[d].kinds[k];
            const char *ev = det_event_name(x->event);
            const rpt_kind_weights *r = rpt_kind_weights_of(ev, x->value);
            CHECK(r != NULL, "%s/%s (%s) has a row in risk.c's kind_weights", ev, x->value ? x->value : "",
                  det_table[d].name);
            if (r)
                CHECK((r->w && r->w[0] >= 0) || (r->weightless && r->weightless[0]),
                      "%s/%s: a risk weight, or why it has none", ev, x->value ? x->value : "");
        }
    bool used[RPT_W__COUNT] = {0};
    for (size_t i = 0; rpt_kind_weights_row(i); i++) {
        const rpt_kind_weights *r = rpt_kind_weights_row(i);
        int e = det_event_index(r->event);
        const det_detector *d = e >= 0 ? detector_of_event((det_event)e) : NULL;
        bool declared = false;
        for (int t = 0; e >= 0 && t < DET__COUNT; t++)
            for (size_t k = 0; k < det_table[t].nkinds; k++) {
                const det_kind *x = &det_table[t].kinds[k];
                declared |= (int)x->event == e && (!r->kind ? !x->member : x->value && !strcmp(x->value, r->kind));
            }
        CHECK(d && declared, "risk.c's row %s/%s is a kind a detector declares", r->event, r->kind ? r->kind : "");
        CHECK(!(r->w && r->w[0] >= 0 && r->weightless), "%s/%s: weights and weightless both", r->event,
              r->kind ? r->kind : "");
        for (size_t j = 0; r->w && r->w[j] >= 0; j++)
            if (r->w[j] < RPT_W__COUNT)
                used[r->w[j]] = true;
    }
    for (int w = 0; w < RPT_W__COUNT; w++)
        if (w != RPT_W_FLAG_DPRK && w != RPT_W_HIGH && w != RPT_W_MEDIUM)
            CHECK(used[w], "risk.%s belongs to a kind of finding", rpt_weight_name(w));
}

/* ---- the findings on record ------------------------------------------------------------ */

static void test_recorded(void) {
    static const char *const golden[] = {"scenario_small", "scenario_hard", "yellow_sea_day"};
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "tests/golden/scan/%s.jsonl", golden[i]);
        fnd_set *s = NULL;
        pel_error err = {0};
        CHECK(fnd_read_file(path, &s, NULL, &err) == PEL_OK, "%s: %s", path, err.msg);
        size_t bad = 0;
        for (size_t k = 0; s && k < s->n; k++)
            if (!det_kind_of(NULL, &s->v[k])) {
                if (!bad++)
                    printf("  %s: finding %zu, a %s of no declared kind\n", path, k + 1, s->v[k].event);
            }
        CHECK(s && bad == 0, "%s: every finding of a declared kind (%zu not)", path, bad);
        fnd_set_free(s);
    }
    /* "file<TAB>event[/kind][/confidence]=n,..." */
    FILE *f = fopen("tests/data/realdata/scan_expected.tsv", "r");
    CHECK(f != NULL, "tests/data/realdata/scan_expected.tsv");
    char line[8192];
    size_t kinds = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        for (char *item = strtok(tab + 1, ",\n"); item; item = strtok(NULL, ",\n")) {
            char *eq = strchr(item, '=');
            if (!eq)
                continue; /* "-", "refused" */
            *eq = 0;
            char *slash = strchr(item, '/');
            if (slash)
                *slash++ = 0;
            int e = det_event_index(item);
            bool ok = false;
            for (int d = 0; e >= 0 && d < DET__COUNT; d++)
                for (size_t k = 0; k < det_table[d].nkinds; k++) {
                    const det_kind *x = &det_table[d].kinds[k];
                    if ((int)x->event != e)
                        continue;
                    size_t vl = slash ? strcspn(slash, "/") : 0;
                    ok |= !x->member || (slash && strlen(x->value) == vl && !strncmp(x->value, slash, vl));
                }
            CHECK(ok, "real data: %s%s%s is a declared kind", item, slash ? "/" : "", slash ? slash : "");
            kinds++;
        }
    }
    if (f)
        fclose(f);
    CHECK(kinds > 0, "real data: %zu counts read", kinds);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--update-docs"))
        return update_docs();
    test_table();
    test_settings();
    test_sinks();
    test_docs();
    test_risk();
    test_recorded();
    printf("unit_detectors: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
