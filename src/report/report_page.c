/*
 * report_page.c -- report.html and the dossier (report_internal.h): a page
 * template (data/web/report.html, data/web/dossier.html) with its markers
 * filled, one self-contained file that opens offline.
 *
 * Markers, each an HTML comment of the template:
 *   <!--PELORUS:DATA-->           the data JSON (report_data.c), compact,
 *                                 with every '<', '>', '&' and every hidden
 *                                 character of util/display.h (U+2028 and
 *                                 U+2029 among them) as a \u escape
 *                                 (esc_json_text, ESC_HTML): it can sit in a
 *                                 <script> element whatever the vessels
 *                                 broadcast, and the page carries no
 *                                 invisible byte (report.js shows hidden
 *                                 characters as marks)
 *   <!--PELORUS:INCLUDE NAME-->   the file web/NAME as it is (the page's
 *                                 script and styles, the vendored Leaflet
 *                                 and Natural Earth files)
 *   <!--PELORUS:SCRIPT-HASHES-->  'sha256-...' of every script element the
 *                                 browser runs, for the page's
 *                                 Content-Security-Policy
 * The page is assembled in memory first, since the hashes go ahead of the
 * scripts they hash.  Deterministic: the same data and files give the same
 * bytes.
 *
 * Limits: an included file may not contain "</script" or "</style" (either
 * would end its element early: refused); a NAME with "..", a backslash or a
 * leading '/' is refused; the template must have a DATA marker.  The whole
 * page is held in memory (a few MiB with the vendored files).
 */
#include <ctype.h>
#include <errno.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/report_internal.h"
#include "util/escape.h"
#include "util/fail.h"

/* How the data is dumped: compact, reals with 10 significant digits. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

static bool contains_ci(const char *buf, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)buf[i + k]) == needle[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* Writes 'sha256-...' for the text of every script element of page that a
 * browser runs (not the application/json data blocks), separated by spaces:
 * the Content-Security-Policy then allows those scripts and nothing else --
 * no injected element, no inline event handler -- even if a bug let a
 * hostile string into the page as HTML. */
static void write_script_hashes(FILE *f, const char *page, size_t len) {
    const char *p = page, *end = page + len;
    bool first = true;
    for (;;) {
        const char *tag = NULL;
        for (const char *q = p; q + 7 <= end; q++)
            if (!strncasecmp(q, "<script", 7) && (q[7] == '>' || isspace((unsigned char)q[7]))) {
                tag = q;
                break;
            }
        if (!tag)
            break;
        const char *gt = memchr(tag, '>', (size_t)(end - tag));
        if (!gt)
            break;
        const char *body = gt + 1, *stop = NULL;
        for (const char *q = body; q + 9 <= end; q++)
            if (!strncasecmp(q, "</script", 8)) {
                stop = q;
                break;
            }
        if (!stop)
            break;
        if (!contains_ci(tag, (size_t)(gt - tag), "application/json")) {
            struct sha256_ctx h;
            uint8_t d[SHA256_DIGEST_SIZE];
            char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
            sha256_init(&h);
            sha256_update(&h, (size_t)(stop - body), (const uint8_t *)body);
            sha256_digest(&h, sizeof d, d);
            base64_encode_raw(b64, sizeof d, d);
            b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE)] = 0;
            fprintf(f, "%s'sha256-%s'", first ? "" : " ", b64);
            first = false;
        }
        p = stop + 8;
    }
}

/* Fills the template with data (already escaped) into out. */
static pel_status fill(const char *data_dir, const char *tname, const char *data, FILE *out, pel_error *err) {
    char *web = rpt_join(data_dir, "web"), *tpath = web ? rpt_join(web, tname) : NULL;
    if (!tpath) {
        free(web);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    size_t tlen;
    char *tpl = rpt_slurp(tpath, &tlen);
    if (!tpl) {
        pel_status st = pel_fail(err, PEL_ERR_IO, "the report template %s: %s", tpath, strerror(errno));
        free(web);
        free(tpath);
        return st;
    }
    /* assembled in memory first: the hashes of its scripts go into its
     * Content-Security-Policy, ahead of them */
    char *page = NULL;
    size_t plen = 0;
    FILE *mf = open_memstream(&page, &plen);
    pel_status st = mf ? PEL_OK : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    const char *p = tpl, *end = tpl + tlen;
    int ndata = 0;
    long hashes_at = -1;
    while (st == PEL_OK) {
        const char *m = strstr(p, "<!--PELORUS:");
        if (!m) {
            fwrite(p, 1, (size_t)(end - p), mf);
            break;
        }
        fwrite(p, 1, (size_t)(m - p), mf);
        const char *close = strstr(m, "-->");
        if (!close) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: a <!--PELORUS: marker without -->", tpath);
            break;
        }
        const char *in = m + strlen("<!--PELORUS:");
        size_t inlen = (size_t)(close - in);
        if (inlen == 4 && !strncmp(in, "DATA", 4)) {
            fputs(data, mf);
            ndata++;
        } else if (inlen == 13 && !strncmp(in, "SCRIPT-HASHES", 13)) {
            fflush(mf);
            hashes_at = (long)plen;
        } else if (inlen > 8 && !strncmp(in, "INCLUDE ", 8)) {
            const char *a = in + 8, *b = close;
            while (a < b && *a == ' ')
                a++;
            while (b > a && b[-1] == ' ')
                b--;
            char name[512];
            snprintf(name, sizeof name, "%.*s", (int)(b - a), a);
            if (!name[0] || name[0] == '/' || strstr(name, "..") || strchr(name, '\\') ||
                (size_t)(b - a) >= sizeof name) {
                st = pel_fail(err, PEL_ERR_FORMAT, "%s: refusing to include \"%s\" (no .., no leading /)", tpath, name);
                break;
            }
            char *ipath = rpt_join(web, name);
            size_t ilen;
            char *inc = ipath ? rpt_slurp(ipath, &ilen) : NULL;
            if (!inc)
                st = pel_fail(err, PEL_ERR_IO, "the report template's include %s: %s", ipath ? ipath : name,
                              strerror(errno));
            else if (contains_ci(inc, ilen, "</script") || contains_ci(inc, ilen, "</style"))
                st = pel_fail(err, PEL_ERR_FORMAT, "%s contains </script or </style, which would end its element in %s",
                              ipath, tname);
            else
                fwrite(inc, 1, ilen, mf);
            free(inc);
            free(ipath);
        } else {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: unknown marker <!--PELORUS:%.*s-->", tpath,
                          (int)(inlen > 40 ? 40 : inlen), in);
            break;
        }
        p = close + 3;
    }
    if (st == PEL_OK && !ndata)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s has no <!--PELORUS:DATA--> marker", tpath);
    if (mf && fclose(mf) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK) {
        if (hashes_at >= 0) {
            fwrite(page, 1, (size_t)hashes_at, out);
            write_script_hashes(out, page, plen);
            fwrite(page + hashes_at, 1, plen - (size_t)hashes_at, out);
        } else
            fwrite(page, 1, plen, out);
    }
    free(page);
    free(tpl);
    free(web);
    free(tpath);
    return st;
}

pel_status rpt_page_write(const char *data_dir, const char *template_name, json_t *data, FILE *out, pel_error *err) {
    /* hidden characters as \u escapes: report.html carries no invisible
     * byte, and report.js shows each as a visible mark; < > & too, so
     * nothing in it can end its <script> element */
    char *dump = json_dumps(data, DUMP_FLAGS), *safe = dump ? esc_json_text_dup(dump, ESC_HTML) : NULL;
    pel_status st =
        safe ? fill(data_dir, template_name, safe, out, err) : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    free(dump);
    free(safe);
    return st;
}
