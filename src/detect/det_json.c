/*
 * det_json.c -- building the JSON members of a finding (det_finding.fields)
 * for every detector: strings escaped, numbers with fixed decimals, not
 * available as null; a member that does not fit is dropped whole so the
 * text always stays valid JSON.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "det.h"

size_t det_json_str(char *out, size_t cap, const char *s) {
    size_t n = 0;
    if (cap < 3)
        return 0;
    out[n++] = '"';
    for (; s && *s && n + 8 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[n++] = '\\';
            out[n++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f)
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
        else
            out[n++] = (char)ch;
    }
    out[n++] = '"';
    out[n] = 0;
    return n;
}

void det_fb_raw(det_fbuf *b, const char *name, const char *fmt, ...) {
    size_t at = b->len;
    int k = snprintf(b->s + at, b->cap - at, "%s\"%s\":", at ? "," : "", name);
    if (k < 0 || (size_t)k >= b->cap - at) {
        b->s[at] = 0;
        return;
    }
    size_t at2 = at + (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(b->s + at2, b->cap - at2, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)m >= b->cap - at2) {
        b->s[at] = 0;
        return;
    }
    b->len = at2 + (size_t)m;
}

void det_fb_num(det_fbuf *b, const char *name, double v, int prec) {
    if (isnan(v) || isinf(v))
        det_fb_raw(b, name, "null");
    else
        det_fb_raw(b, name, "%.*f", prec, v);
}

void det_fb_bool(det_fbuf *b, const char *name, int v) {
    det_fb_raw(b, name, v < 0 ? "null" : v ? "true" : "false");
}

void det_fb_str(det_fbuf *b, const char *name, const char *s) {
    char q[512];
    if (!s) {
        det_fb_raw(b, name, "null");
        return;
    }
    det_json_str(q, sizeof q, s);
    det_fb_raw(b, name, "%s", q);
}
