/*
 * case_verify.c -- pelorus case verify and sign: a case checked with
 * nothing but itself.  Every file against MANIFEST, every bundled line
 * against its index (so a changed or dropped line is named by its file
 * and line), the signature, then the detectors rerun on the case's lines
 * with its settings: the findings must be findings.jsonl, byte for byte,
 * and each one that is not is named by its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case/case.h"
#include "util/fail.h"

typedef struct counter {
    void (*problem)(void *ud, const char *file, uint64_t line, const char *what);
    void *ud;
    uint64_t n;
} counter;

static void count(void *ud, const char *file, uint64_t line, const char *what) {
    counter *c = ud;
    c->n++;
    if (c->problem)
        c->problem(c->ud, file, line, what);
}

/* findings.jsonl against the rerun, line by line. */
static void compare(const char *want, size_t wlen, const char *got, size_t glen, counter *c) {
    const char *w = want, *g = got, *we = want + wlen, *ge = got + glen;
    uint64_t line = 0;
    char what[600];
    while (w < we || g < ge) {
        line++;
        const char *wn = w < we ? memchr(w, '\n', (size_t)(we - w)) : NULL;
        const char *gn = g < ge ? memchr(g, '\n', (size_t)(ge - g)) : NULL;
        size_t wl = w < we ? (wn ? (size_t)(wn - w) : (size_t)(we - w)) : 0;
        size_t gl = g < ge ? (gn ? (size_t)(gn - g) : (size_t)(ge - g)) : 0;
        if (w >= we)
            snprintf(what, sizeof what, "the rerun gives a finding the case does not hold: %.200s", g);
        else if (g >= ge)
            snprintf(what, sizeof what, "the rerun does not give this finding");
        else if (wl != gl || memcmp(w, g, wl) != 0) {
            size_t k = 0;
            while (k < wl && k < gl && w[k] == g[k])
                k++;
            size_t from = k > 60 ? k - 60 : 0;
            snprintf(what, sizeof what, "differs from the rerun at byte %zu: case \"%.*s\", rerun \"%.*s\"", k + 1,
                     (int)((wl - from) > 120 ? 120 : wl - from), w + from, (int)((gl - from) > 120 ? 120 : gl - from),
                     g + from);
        } else
            what[0] = 0;
        if (what[0])
            count(c, "findings.jsonl", line, what);
        w = w < we ? (wn ? wn + 1 : we) : we;
        g = g < ge ? (gn ? gn + 1 : ge) : ge;
    }
}

pel_status pel_case_verify(const char *path, const char *pubkey_path,
                           void (*problem)(void *ud, const char *file, uint64_t line, const char *what), void *ud,
                           pel_case_check *r, pel_error *err) {
    memset(r, 0, sizeof *r);
    char tmp[1024], *dir = NULL;
    pel_status st = case_open_path(path, &dir, tmp, err);
    if (st != PEL_OK)
        return st;
    counter c = {problem, ud, 0};
    uint64_t bad = 0;
    /* the files */
    st = case_manifest_check(dir, count, &c, &bad, r->id, err);
    /* the signature */
    bool ok = false;
    if (st == PEL_OK)
        st = case_signature(dir, &r->is_signed, &ok, r->signer, err);
    if (st == PEL_OK) {
        uint8_t want[32];
        char wh[65] = "";
        if (pubkey_path && (st = case_read_pubkey(pubkey_path, want, err)) == PEL_OK)
            for (int i = 0; i < 32; i++)
                snprintf(wh + 2 * i, 3, "%02x", want[i]);
        if (st == PEL_OK) {
            if (r->is_signed && !ok)
                count(&c, "MANIFEST.sig", 0,
                      "the signature is not valid for MANIFEST: the case was changed after "
                      "it was signed, or the signature is forged");
            else if (pubkey_path && !r->is_signed)
                count(&c, "MANIFEST.sig", 0, "missing: the case is not signed, and a key was given");
            else if (pubkey_path && strcmp(wh, r->signer) != 0)
                count(&c, "MANIFEST.sig", 0, "signed by another key than the one given");
            r->signature_ok = r->is_signed && ok && (!pubkey_path || !strcmp(wh, r->signer));
        }
    }
    /* the case itself, its lines, the rerun */
    case_doc d = {0};
    char *cj = dir ? case_join(dir, "case.json") : NULL;
    if (st == PEL_OK)
        st = cj ? case_doc_read(cj, &d, err) : PEL_ERR_NOMEM;
    if (st == PEL_OK)
        st = pel_scan_check_settings((const char *const *)d.set, d.nset, err);
    for (size_t i = 0; st == PEL_OK && i < d.nin; i++) {
        uint64_t b = 0;
        char *lp = case_join(dir, d.in[i].lines);
        bool there = lp && access(lp, R_OK) == 0;
        free(lp);
        if (there) /* a missing bundle is told by the MANIFEST check */
            st = case_lines_check(dir, d.in[i].lines, d.in[i].path, count, &c, &b, err);
    }
    char *got = NULL, *want = NULL;
    size_t glen = 0, gcount = 0, wlen = 0;
    if (st == PEL_OK) {
        pel_error re = {0};
        pel_status rs = case_rerun(dir, &d, NULL, NULL, &got, &glen, &gcount, &re);
        if (rs == PEL_ERR_NOMEM)
            st = pel_fail(err, rs, "%s", re.msg);
        else if (rs != PEL_OK) {
            char what[700];
            snprintf(what, sizeof what, "the detectors could not be rerun on the case: %s", re.msg);
            count(&c, "case.json", 0, what);
        } else {
            r->findings = gcount;
            char *fp = case_join(dir, "findings.jsonl");
            want = fp ? case_slurp(fp, &wlen) : NULL;
            free(fp);
            if (!want)
                count(&c, "findings.jsonl", 0, "cannot be read");
            else
                compare(want, wlen, got, glen, &c);
        }
    }
    r->problems = c.n;
    free(got);
    free(want);
    free(cj);
    case_doc_free(&d);
    free(dir);
    if (tmp[0])
        case_rmtree(tmp);
    return st;
}

pel_status pel_case_sign(const char *path, const char *key_path, char *signer, pel_error *err) {
    char tmp[1024], *dir = NULL, who[65] = "";
    pel_status st = case_open_path(path, &dir, tmp, err);
    if (st != PEL_OK)
        return st;
    st = case_sign_dir(dir, key_path, who, err);
    if (st == PEL_OK && tmp[0]) { /* a .zip: written again, whole, in its place */
        char part[1200];
        snprintf(part, sizeof part, "%s.partial", path);
        const char *top = strrchr(dir, '/');
        unlink(part);
        st = case_zip_write(dir, top ? top + 1 : dir, part, err);
        if (st == PEL_OK && rename(part, path) != 0)
            st = pel_fail(err, PEL_ERR_IO, "%s: cannot be replaced", path);
        if (st != PEL_OK)
            unlink(part);
    }
    if (st == PEL_OK && signer)
        memcpy(signer, who, 65);
    free(dir);
    if (tmp[0])
        case_rmtree(tmp);
    return st;
}
