/*
 * unit_display.c -- util/display.h, the display policy: which characters
 * are hidden (each range's ends and the code points beside them), their
 * marks, table cells that never cut a mark or a character, CSV cells, and
 * JSON that keeps the exact text (read back with jansson) while carrying
 * no hidden byte.  Also util/numtext.h, the strict numbers the settings use.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/display.h"
#include "util/escape.h"
#include "util/numtext.h"

/* What f wrote, as a new string. */
#define CAPTURE(buf, call)                                                                                             \
    do {                                                                                                               \
        size_t n_;                                                                                                     \
        FILE *m_ = open_memstream(&(buf), &n_);                                                                        \
        FILE *f = m_;                                                                                                  \
        call;                                                                                                          \
        fclose(m_);                                                                                                    \
    } while (0)

static void utf8(uint32_t cp, char *b) {
    if (cp < 0x80)
        b[0] = (char)cp, b[1] = 0;
    else if (cp < 0x800)
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), b[2] = 0;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)),
        b[3] = 0;
    else
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3F)), b[2] = (char)(0x80 | (cp >> 6 & 0x3F)),
        b[3] = (char)(0x80 | (cp & 0x3F)), b[4] = 0;
}

static void test_hidden(void) {
    /* the characters the issue names, and some that must stay visible */
    static const uint32_t hid[] = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066,  0x2067, 0x2068, 0x2069,  0x200E,
                                   0x200F, 0x061C, 0x200B, 0x200C, 0x200D, 0x2060,  0xFEFF, 0x00AD, 0x0001,  0x001B,
                                   0x007F, 0x0085, 0x009B, 0x2028, 0x2029, 0xE0041, 0xFE0F, 0xFFFE, 0x10FFFF};
    static const uint32_t vis[] = {' ',    'A',    '~',    0x00A0, 0x00C5, 0x0416, 0x05D0, 0x0627,  0x2010,
                                   0x2027, 0x202F, 0x205F, 0x3000, 0x4E2D, 0xAC00, 0xFFFD, 0x1F6A2, 0x10FFFD};
    for (size_t i = 0; i < sizeof hid / sizeof hid[0]; i++)
        CHECK(disp_hidden(hid[i]), "U+%04X is hidden", (unsigned)hid[i]);
    for (size_t i = 0; i < sizeof vis / sizeof vis[0]; i++)
        CHECK(!disp_hidden(vis[i]), "U+%04X is shown as itself", (unsigned)vis[i]);
    /* every range: both ends hidden, the code points beside them not (unless
     * the next range starts there) */
    size_t n;
    const uint32_t(*r)[2] = disp_ranges(&n);
    for (size_t i = 0; i < n; i++) {
        CHECK(disp_hidden(r[i][0]) && disp_hidden(r[i][1]), "range %zu's ends hidden", i);
        CHECK(i == 0 || r[i][0] > r[i - 1][1] + 1, "range %zu ascending, apart from the one before", i);
        if (r[i][0] > 0)
            CHECK(!disp_hidden(r[i][0] - 1), "U+%04X before range %zu shown", (unsigned)r[i][0] - 1, i);
        if (r[i][1] < 0x10FFFF)
            CHECK(!disp_hidden(r[i][1] + 1), "U+%04X after range %zu shown", (unsigned)r[i][1] + 1, i);
    }
}

static void test_forms(void) {
    static const struct {
        const char *in, *shown, *json;
    } cases[] = {
        {"BLACK STAR", "BLACK STAR", "\"BLACK STAR\""},
        {"\xE2\x80\xAERATS KCALB\xE2\x80\xAC", "\xE2\x9F\xA8U+202E\xE2\x9F\xA9RATS KCALB\xE2\x9F\xA8U+202C\xE2\x9F\xA9",
         "\"\\u202eRATS KCALB\\u202c\""},
        {"A\xE2\x80\x8B"
         "B",
         "A\xE2\x9F\xA8U+200B\xE2\x9F\xA9"
         "B",
         "\"A\\u200bB\""},
        {"ESC\x1b[2J", "ESC\xE2\x9F\xA8U+001B\xE2\x9F\xA9[2J", "\"ESC\\u001b[2J\""},
        {"T\xF3\xA0\x81\x81", "T\xE2\x9F\xA8U+E0041\xE2\x9F\xA9", "\"T\\udb40\\udc41\""},
        {"bad\xff", "bad\xEF\xBF\xBD", "\"bad\xEF\xBF\xBD\""},
        {"q\"\\", "q\"\\", "\"q\\\"\\\\\""},
        {"M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2", "M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2", "\"M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *a = NULL, *b = NULL, *c = disp_dup(cases[i].in);
        CAPTURE(a, disp_fputs(f, cases[i].in));
        CAPTURE(b, esc_json_string(f, cases[i].in, 0));
        CHECK(a && !strcmp(a, cases[i].shown), "case %zu shown: [%s]", i, a);
        CHECK(c && !strcmp(c, cases[i].shown), "case %zu disp_dup: [%s]", i, c);
        CHECK(b && !strcmp(b, cases[i].json), "case %zu as JSON: [%s]", i, b);
        /* the JSON reads back as the exact text (a bad byte as U+FFFD) */
        json_t *j = json_loads(b, JSON_DECODE_ANY, NULL);
        CHECK(j && json_is_string(j) && (strstr(cases[i].in, "\xff") || !strcmp(json_string_value(j), cases[i].in)),
              "case %zu: JSON read back exactly", i);
        json_decref(j);
        free(a);
        free(b);
        free(c);
    }
    char *h = NULL;
    CAPTURE(h, esc_json_string(f, "<a&b>", ESC_HTML));
    CHECK(h && !strcmp(h, "\"\\u003ca\\u0026b\\u003e\""), "html escapes: %s", h);
    free(h);
}

static void test_json_text(void) {
    /* a JSON writer's output (raw UTF-8) keeps its value, loses its hidden bytes */
    json_t *o = json_object();
    char all[256] = "", b[8];
    static const uint32_t cps[] = {0x202E, 'X', 0x200B, 0x2028, 0x7F, 0x85, 0xE0041, 0x4E2D, 0xFEFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        utf8(cps[i], b);
        strcat(all, b);
    }
    json_object_set_new(o, "name", json_string(all));
    json_object_set_new(o, all, json_integer(1));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS), *safe = esc_json_text_dup(text, 0);
    CHECK(safe != NULL, "esc_json_text_dup");
    const unsigned char *p = (const unsigned char *)safe;
    bool clean = true;
    while (*p)
        if (disp_hidden(disp_next(&p)))
            clean = false;
    CHECK(clean, "no hidden character left in [%s]", safe);
    json_t *back = json_loads(safe, 0, NULL);
    CHECK(back && json_equal(back, o), "the same JSON value after the escapes");
    json_decref(back);
    json_decref(o);
    free(text);
    free(safe);
}

static void test_cells(void) {
    char *s = NULL;
    /* a mark is never cut: 3 + 8 > 10 */
    bool cut;
    CAPTURE(s, cut = disp_fput_cell(f,
                                    "ABC\xE2\x80\xAE"
                                    "DEF",
                                    10, true));
    CHECK(cut && !strcmp(s, "ABC       "), "a mark that does not fit is left out, padded: [%s]", s);
    free(s);
    CAPTURE(s, cut = disp_fput_cell(f, "\xC3\x9C\xC3\x9C\xC3\x9C", 2, false));
    CHECK(cut && !strcmp(s, "\xC3\x9C\xC3\x9C"), "a character is never cut in half: [%s]", s);
    free(s);
    CAPTURE(s, cut = disp_fput_cell(f, "AB", 4, true));
    CHECK(!cut && !strcmp(s, "AB  "), "padding: [%s]", s);
    free(s);
    CAPTURE(s, cut = disp_fput_cell(f, NULL, 3, true));
    CHECK(!cut && !strcmp(s, "   "), "NULL is empty: [%s]", s);
    free(s);
    CAPTURE(s, esc_csv(f, "=1+\"x\"\xE2\x80\x8F", 0));
    CHECK(!strcmp(s, "\"'=1+\"\"x\"\"\xE2\x9F\xA8U+200F\xE2\x9F\xA9\""), "CSV cell: [%s]", s);
    free(s);
    CAPTURE(s, esc_csv(f, "\xE2\x80\x8B=1", 0));
    CHECK(!strcmp(s, "\"\xE2\x9F\xA8U+200B\xE2\x9F\xA9=1\""),
          "an invisible first character cannot hide a formula: [%s]", s);
    free(s);
}

static void test_numbers(void) {
    static const struct {
        const char *s;
        bool ok;
        double v;
    } reals[] = {
        {"0", true, 0},     {"500", true, 500},  {"-1.5", true, -1.5},   {"+2", true, 2},     {".5", true, .5},
        {"5.", true, 5},    {"1e3", true, 1000}, {"1E-2", true, .01},    {"nan", false, 0},   {"NaN", false, 0},
        {"inf", false, 0},  {"-inf", false, 0},  {"infinity", false, 0}, {"1e400", false, 0}, {"1e-400", false, 0},
        {"0x10", false, 0}, {"", false, 0},      {" 5", false, 0},       {"5 ", false, 0},    {"5x", false, 0},
        {"1e", false, 0},   {".", false, 0},     {"-", false, 0},        {"1,5", false, 0},   {"1e308", true, 1e308},
    };
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        double v = -42;
        bool ok = num_real(reals[i].s, &v);
        CHECK(ok == reals[i].ok && (!ok || v == reals[i].v), "num_real(\"%s\"): %d %g", reals[i].s, ok, v);
        CHECK(ok || v == -42, "num_real(\"%s\") leaves v alone when refused", reals[i].s);
    }
    CHECK(!num_real(NULL, &(double){0}), "num_real(NULL)");
    static const struct {
        const char *s;
        bool ok;
        uint64_t v;
    } ints[] = {
        {"0", true, 0},
        {"+7", true, 7},
        {"9223372036854775807", true, 9223372036854775807ULL},
        {"9223372036854775808", false, 0},
        {"99999999999999999999", false, 0},
        {"-1", false, 0},
        {"1e3", false, 0},
        {"1.0", false, 0},
        {"", false, 0},
        {" 1", false, 0},
        {"0x1", false, 0},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        uint64_t v = 42;
        bool ok = num_uint(ints[i].s, &v);
        CHECK(ok == ints[i].ok && (!ok || v == ints[i].v), "num_uint(\"%s\"): %d %llu", ints[i].s, ok,
              (unsigned long long)v);
    }
    CHECK(num_is_whole(3) && !num_is_whole(3.5) && num_is_whole(-2), "num_is_whole");
}

int main(void) {
    test_hidden();
    test_forms();
    test_json_text();
    test_cells();
    test_numbers();
    printf("unit_display: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
