/*
 * display.c -- the display policy of display.h.  The escaping of each
 * syntax built on it is util/escape.c.
 */
#include <stdlib.h>
#include <string.h>

#include "util/display.h"

/* The hidden characters; data/web/report.js's HIDDEN_RANGES is the same
 * table (tests/display_test.sh compares them). */
// clang-format off
static const uint32_t hidden[][2] = {
    {0x0000, 0x001F}, {0x007F, 0x009F}, {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C},
    {0x115F, 0x1160}, {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x200B, 0x200F}, {0x2028, 0x202E},
    {0x2060, 0x206F}, {0x3164, 0x3164}, {0xD800, 0xDFFF}, {0xFDD0, 0xFDEF}, {0xFE00, 0xFE0F},
    {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFB}, {0xFFFE, 0xFFFF},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0x1FFFE, 0x1FFFF}, {0x2FFFE, 0x2FFFF}, {0x3FFFE, 0x3FFFF},
    {0x4FFFE, 0x4FFFF}, {0x5FFFE, 0x5FFFF}, {0x6FFFE, 0x6FFFF}, {0x7FFFE, 0x7FFFF}, {0x8FFFE, 0x8FFFF},
    {0x9FFFE, 0x9FFFF}, {0xAFFFE, 0xAFFFF}, {0xBFFFE, 0xBFFFF}, {0xCFFFE, 0xCFFFF}, {0xDFFFE, 0xE0FFF},
    {0xEFFFE, 0xEFFFF}, {0xFFFFE, 0xFFFFF}, {0x10FFFE, 0x10FFFF},
};
// clang-format on
#define NHIDDEN (sizeof hidden / sizeof hidden[0])

const uint32_t (*disp_ranges(size_t *n))[2] {
    *n = NHIDDEN;
    return hidden;
}

bool disp_hidden(uint32_t cp) {
    size_t lo = 0, hi = NHIDDEN;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < hidden[mid][0])
            hi = mid;
        else if (cp > hidden[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

uint32_t disp_next(const unsigned char **ps) {
    const unsigned char *s = *ps;
    uint32_t c = s[0], cp, min;
    int len;
    *ps = s + 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else
        return 0xFFFD;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) /* the NUL fails this: nothing past it is read */
            return 0xFFFD;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *ps = s + len;
    return cp;
}

size_t disp_shown(uint32_t cp, char *b) {
    if (disp_hidden(cp))
        return (size_t)snprintf(b, 16, "\xE2\x9F\xA8U+%04X\xE2\x9F\xA9", (unsigned)cp); /* ⟨U+XXXX⟩ */
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | cp >> 18);
    b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Characters of a display form: a mark is "⟨U+XXXX⟩", 8 or 9 of them. */
static size_t chars_of(uint32_t cp) {
    if (!disp_hidden(cp))
        return 1;
    return cp > 0xFFFFF ? 10 : cp > 0xFFFF ? 9 : 8;
}

size_t disp_fputs(FILE *f, const char *s) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = 0;
    char b[16];
    while (*p) {
        const unsigned char *run = p; /* printable ASCII, written as one run */
        while (*p >= 0x20 && *p < 0x7F)
            p++;
        if (p > run) {
            fwrite(run, 1, (size_t)(p - run), f);
            n += (size_t)(p - run);
            continue;
        }
        uint32_t cp = disp_next(&p);
        fwrite(b, 1, disp_shown(cp, b), f);
        n += chars_of(cp);
    }
    return n;
}

bool disp_fput_cell(FILE *f, const char *s, size_t width, bool pad) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = 0;
    char b[16];
    bool cut = false;
    while (*p) {
        uint32_t cp = disp_next(&p);
        if (n + chars_of(cp) > width) {
            cut = true;
            break;
        }
        fwrite(b, 1, disp_shown(cp, b), f);
        n += chars_of(cp);
    }
    for (; pad && n < width; n++)
        fputc(' ', f);
    return cut;
}

char *disp_dup(const char *s) {
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    disp_fputs(m, s);
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}
