/*
 * escape.c -- the escaping policy of escape.h: JSON, CSV and XML (and the
 * HTML inside KML) on top of the display policy of util/display.h.
 *
 * Text is read one code point at a time with disp_next, so a byte that is
 * not UTF-8 is U+FFFD in every syntax, and each hidden character is either
 * kept exactly (JSON: a \u escape) or shown as a mark (CSV, XML).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/display.h"
#include "util/escape.h"

/* ---- JSON ------------------------------------------------------------------ */

/* \uXXXX (a surrogate pair above U+FFFF), lower-case hex. */
static void json_u(FILE *f, uint32_t cp) {
    if (cp < 0x10000)
        fprintf(f, "\\u%04x", (unsigned)cp);
    else {
        uint32_t v = cp - 0x10000;
        fprintf(f, "\\u%04x\\u%04x", (unsigned)(0xD800 | v >> 10), (unsigned)(0xDC00 | (v & 0x3FF)));
    }
}

/* cp in UTF-8. */
static void put_utf8(FILE *f, uint32_t cp) {
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    fwrite(b, 1, n, f);
}

void esc_json_string(FILE *f, const char *s, unsigned flags) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool html = flags & ESC_HTML, shown_later = flags & ESC_SHOWN;
    fputc('"', f);
    while (*p) {
        const unsigned char *run = p; /* printable ASCII that needs nothing: one write */
        while (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\' && !(html && (*p == '<' || *p == '>' || *p == '&')))
            p++;
        if (p > run) {
            fwrite(run, 1, (size_t)(p - run), f);
            continue;
        }
        uint32_t cp = disp_next(&p);
        if (cp == '"' || cp == '\\') {
            fputc('\\', f);
            fputc((int)cp, f);
        } else if (shown_later ? cp < 0x20 || cp == 0x7F : disp_hidden(cp))
            json_u(f, cp);
        else if (html && (cp == '<' || cp == '>' || cp == '&'))
            json_u(f, cp);
        else
            put_utf8(f, cp); /* the character itself (U+FFFD for a bad byte); with ESC_SHOWN a hidden one too,
                                for the display to mark */
    }
    fputc('"', f);
}

void esc_json_text(FILE *f, const char *json, unsigned flags) {
    const unsigned char *p = (const unsigned char *)(json ? json : "");
    bool html = flags & ESC_HTML;
    while (*p) {
        const unsigned char *run = p; /* below U+007F nothing changes but < > &: one run */
        while (*p && *p < 0x7F && !(html && (*p == '<' || *p == '>' || *p == '&')))
            p++;
        if (p > run) {
            fwrite(run, 1, (size_t)(p - run), f);
            continue;
        }
        const unsigned char *at = p;
        uint32_t cp = disp_next(&p);
        if ((cp >= 0x7F && disp_hidden(cp)) || (html && (cp == '<' || cp == '>' || cp == '&')))
            json_u(f, cp);
        else
            fwrite(at, 1, (size_t)(p - at), f); /* as it was (an invalid byte too: U+FFFD is not hidden) */
    }
}

/* ---- CSV ------------------------------------------------------------------- */

static bool formula_start(const char *s) {
    return s[0] && strchr("=+-@", s[0]) != NULL;
}

void esc_csv(FILE *f, const char *s, unsigned flags) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool data = flags & ESC_DATA, formula = !data && formula_start((const char *)p), quote = true;
    if (flags & (ESC_MINIMAL | ESC_DATA))
        quote = formula || strpbrk((const char *)p, data ? ",\"\r\n" : ",\"") != NULL; /* CR and LF are marks
                                                                                         in the display form */
    char b[16];
    if (quote)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    while (*p) {
        if (data) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p++, f);
            continue;
        }
        uint32_t cp = disp_next(&p);
        if (cp == '"')
            fputc('"', f);
        fwrite(b, 1, disp_shown(cp, b), f);
    }
    if (quote)
        fputc('"', f);
}

/* ---- XML ------------------------------------------------------------------- */

void esc_xml(FILE *f, const char *s, unsigned flags) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool html = flags & ESC_HTML;
    char b[16];
    while (*p) {
        uint32_t cp = disp_next(&p);
        const char *e = NULL;
        switch (cp) {
        case '&':
            e = html ? "&amp;amp;" : "&amp;";
            break;
        case '<':
            e = html ? "&amp;lt;" : "&lt;";
            break;
        case '>':
            e = html ? "&amp;gt;" : "&gt;";
            break;
        case '"':
            e = html ? "&amp;quot;" : "&quot;";
            break;
        case '\'':
            e = html ? "&amp;#39;" : "&apos;";
            break;
        default:
            break;
        }
        if (e)
            fputs(e, f);
        else
            fwrite(b, 1, disp_shown(cp, b), f);
    }
}

/* ---- strings ----------------------------------------------------------------- */

char *esc_dup(esc_fn fn, const char *s, unsigned flags) {
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    fn(m, s, flags);
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

char *esc_json_text_dup(const char *json, unsigned flags) {
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    esc_json_text(m, json, flags);
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The length of the valid UTF-8 sequence at s (1..4), 0 when the byte at s
 * starts none (or is NUL): disp_next's reading, without decoding twice. */
static size_t valid_at(const unsigned char *s) {
    if (*s == 0)
        return 0;
    if (*s < 0x80)
        return 1;
    const unsigned char *q = s;
    uint32_t cp = disp_next(&q);
    return cp == 0xFFFD && !(s[0] == 0xEF && s[1] == 0xBF && s[2] == 0xBD) ? 0 : (size_t)(q - s);
}

char *esc_utf8_dup(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    char *out = malloc(len * 3 + 1), *o = out; /* each bad byte becomes 3 bytes at most */
    if (!out)
        return NULL;
    size_t i = 0;
    while (i < len) {
        /* a sequence is read within len only: copy what fits to a terminated scratch */
        unsigned char seq[5] = {0};
        size_t room = len - i < 4 ? len - i : 4;
        memcpy(seq, s + i, room);
        size_t n = valid_at(seq);
        if (n) {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    *o = 0;
    return out;
}

size_t esc_utf8_len(const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    size_t n = 0;
    while (*s) {
        if (*s < 0x80) {
            s++;
            n++;
            continue;
        }
        size_t k = valid_at(s);
        n += k ? k : 3;
        s += k ? k : 1;
    }
    return n;
}

char *esc_utf8_copy(char *dst, const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    char *o = dst;
    while (*s) {
        if (*s < 0x80) {
            *o++ = (char)*s++;
            continue;
        }
        size_t k = valid_at(s);
        if (k) {
            memcpy(o, s, k);
            o += k;
            s += k;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            s++;
        }
    }
    *o = 0;
    return dst;
}
