/*
 * unit_lines.c -- report/line_text.h, the dossier's evidence lines by file
 * and number: every line of a plain and a gzip file of 5000 lines (CRLF and
 * LF, an empty line, a NUL byte, a last line without its end) asked for in
 * order, backwards and in a shuffled order, across the marks kept every
 * 1024 lines; line 0, past the end, a missing file, a directory, more files
 * than are kept open at once, a line over 16 MiB; and the dossier's speed
 * series (rpt_speed_series): every point up to RPT_SPEED_MAX, thinned
 * beyond it to each run's lowest and highest, in time order.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "report/line_text.h"
#include "report/report_internal.h"

#define NLINES 5000

static char dir[256];

/* The text of line k (1-based) of the test files, without its end. */
static void line_of(unsigned k, char *buf, size_t cap, size_t *len) {
    if (k == 7) { /* an empty line */
        buf[0] = 0;
        *len = 0;
        return;
    }
    if (k == 11) { /* a NUL inside */
        memcpy(buf, "a\0b", 3);
        *len = 3;
        return;
    }
    *len = (size_t)snprintf(buf, cap, "!AIVDM,1,1,,A,line %u of the test %s,0*00", k, k % 3 ? "file" : "input");
}

static void write_files(const char *plain, const char *gz) {
    FILE *f = fopen(plain, "wb");
    gzFile g = gzopen(gz, "wb");
    char buf[256];
    size_t len;
    for (unsigned k = 1; k <= NLINES; k++) {
        line_of(k, buf, sizeof buf, &len);
        const char *end = k == NLINES ? "" : k % 2 ? "\r\n" : "\n"; /* the last line without an end */
        fwrite(buf, 1, len, f);
        fputs(end, f);
        gzwrite(g, buf, (unsigned)len);
        gzputs(g, end);
    }
    fclose(f);
    gzclose(g);
}

/* Line k of file through l equals line_of(k). */
static int same(rpt_lines *l, const char *file, unsigned k) {
    char want[256];
    size_t wlen, len = 99;
    line_of(k, want, sizeof want, &wlen);
    const char *got = rpt_lines_get(l, file, k, &len);
    return got && len == wlen && !memcmp(got, want, wlen);
}

static void test_file(const char *file) {
    rpt_lines *l = rpt_lines_new();
    int bad = 0;
    for (unsigned k = 1; k <= NLINES; k++)
        bad += !same(l, file, k);
    CHECK(bad == 0, "%s: %d of %d lines wrong in order", file, bad, NLINES);
    bad = 0;
    for (unsigned k = NLINES; k >= 1; k--)
        bad += !same(l, file, k);
    CHECK(bad == 0, "%s: %d lines wrong backwards", file, bad);
    /* shuffled (a fixed permutation: k * 2311 mod 5000 visits every line once) */
    bad = 0;
    for (unsigned i = 0; i < NLINES; i++)
        bad += !same(l, file, 1 + (i * 2311u) % NLINES);
    CHECK(bad == 0, "%s: %d lines wrong shuffled", file, bad);
    /* the same line twice, and the marks' neighbours */
    CHECK(same(l, file, 1024) && same(l, file, 1024) && same(l, file, 1025) && same(l, file, 1023) &&
              same(l, file, 2049),
          "%s: lines around a mark", file);
    size_t len = 99;
    CHECK(!rpt_lines_get(l, file, 0, &len) && len == 0, "%s: line 0 is no line", file);
    CHECK(!rpt_lines_get(l, file, NLINES + 1, &len) && len == 0, "%s: past the end", file);
    CHECK(!rpt_lines_get(l, file, UINT64_MAX, &len), "%s: far past the end", file);
    CHECK(same(l, file, NLINES), "%s: the last line, without its end, after asking past the end", file);
    CHECK(same(l, file, 7) && same(l, file, 11), "%s: the empty line and the NUL", file);
    rpt_lines_free(l);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/pel_unit_lines.%d", (int)getpid());
    mkdir(dir, 0700);
    char plain[512], gz[512], path[600];
    snprintf(plain, sizeof plain, "%s/in.nmea", dir);
    snprintf(gz, sizeof gz, "%s/in.nmea.gz", dir);
    write_files(plain, gz);
    test_file(plain);
    test_file(gz);

    rpt_lines *l = rpt_lines_new();
    size_t len = 99;
    snprintf(path, sizeof path, "%s/missing.nmea", dir);
    CHECK(!rpt_lines_get(l, path, 1, &len) && len == 0, "a missing file gives NULL");
    CHECK(!rpt_lines_get(l, dir, 1, &len), "a directory gives NULL");
    CHECK(!rpt_lines_get(l, NULL, 1, &len) && !rpt_lines_get(NULL, plain, 1, &len), "NULL arguments give NULL");
    /* more files than are kept open: 40 copies read round robin */
    char names[40][600];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "%s/copy%d.nmea", dir, i);
        if (link(plain, names[i]) != 0)
            CHECK(0, "link %s", names[i]);
    }
    int bad = 0;
    for (unsigned k = 1; k <= 3000; k += 37)
        for (int i = 0; i < 40; i++)
            bad += !same(l, names[(i * 7 + (int)k) % 40], k);
    CHECK(bad == 0, "40 files round robin: %d lines wrong", bad);
    /* the text is the reader's until the next call: one reader, two files */
    const char *a = rpt_lines_get(l, plain, 2, &len);
    char keep[256];
    memcpy(keep, a, len);
    size_t alen = len;
    rpt_lines_get(l, gz, 3, &len);
    CHECK(same(l, plain, 2) && alen > 0 && !memcmp(keep, "!AIVDM,1,1,,A,line 2 ", 21), "two files interleaved");
    rpt_lines_free(l);
    rpt_lines_free(NULL);

    /* a line over 16 MiB: NULL, and the lines after it still read */
    snprintf(path, sizeof path, "%s/long.txt", dir);
    FILE *f = fopen(path, "wb");
    fputs("first\n", f);
    for (int i = 0; i < 17 * 1024; i++) {
        char k[1024];
        memset(k, 'x', sizeof k);
        fwrite(k, 1, sizeof k, f);
    }
    fputs("\nthird\n", f);
    fclose(f);
    l = rpt_lines_new();
    const char *t = rpt_lines_get(l, path, 1, &len);
    CHECK(t && len == 5 && !memcmp(t, "first", 5), "before the long line");
    CHECK(!rpt_lines_get(l, path, 2, &len), "a line over 16 MiB gives NULL");
    t = rpt_lines_get(l, path, 3, &len);
    CHECK(t && len == 5 && !memcmp(t, "third", 5), "after the long line");
    rpt_lines_free(l);

    /* the speed series */
    size_t n = 5003;
    pel_position *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        p[i].t_ms = 1700000000000 + (int64_t)i * 10000;
        p[i].speed = i % 10 == 9 ? PEL_NA_SPEED : (uint16_t)((i * 37) % 200);
    }
    json_t *s = rpt_speed_series(p, 20);
    CHECK(json_array_size(s) == 18, "20 positions, 2 without a speed: 18 points (%zu)", json_array_size(s));
    CHECK(json_integer_value(json_array_get(json_array_get(s, 1), 0)) == 1700000010 &&
              json_real_value(json_array_get(json_array_get(s, 1), 1)) == 3.7,
          "a point is [unix seconds, knots]");
    json_decref(s);
    s = rpt_speed_series(p, 0);
    CHECK(s && json_array_size(s) == 0, "no positions: an empty series");
    json_decref(s);
    s = rpt_speed_series(p, n);
    size_t have = n - n / 10;
    CHECK(json_array_size(s) <= RPT_SPEED_MAX && json_array_size(s) >= RPT_SPEED_MAX / 2,
          "%zu positions with a speed thinned to at most %d points (%zu)", have, RPT_SPEED_MAX, json_array_size(s));
    int order = 1;
    double top = 0;
    for (size_t i = 0; i < json_array_size(s); i++) {
        json_t *x = json_array_get(s, i);
        if (i &&
            json_integer_value(json_array_get(x, 0)) <= json_integer_value(json_array_get(json_array_get(s, i - 1), 0)))
            order = 0;
        top = fmax(top, json_real_value(json_array_get(x, 1)));
    }
    CHECK(order, "the thinned series in time order");
    CHECK(top == 19.9, "the thinned series keeps the highest speed (%.1f)", top);
    json_t *s2 = rpt_speed_series(p, n);
    CHECK(json_equal(s, s2), "thinning is deterministic");
    json_decref(s);
    json_decref(s2);
    free(p);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        CHECK(0, "rm %s", dir);
    printf("lines: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
