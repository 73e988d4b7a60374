/*
 * case_manifest.c -- a case's MANIFEST (the SHA-256 and size of every file
 * in it, and of every original input it names), its check, and its
 * optional Ed25519 signature (nettle's hogweed): MANIFEST.sig signs the
 * MANIFEST's bytes, so one signature covers every file.  Keys: pel_key_new.
 *
 *   MANIFEST:      "pelorus-case-manifest 1", then "file SHA256 SIZE PATH"
 *                  for each file by path, then "input SHA256 SIZE PATH" for
 *                  each original input (PATH to the end of the line)
 *   MANIFEST.sig:  "pelorus-ed25519-signature 1", "key HEX", "sig HEX"
 *   keys:          "pelorus-ed25519-secret-key 1" / "...-public-key 1", then
 *                  the 32 bytes in hex
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <nettle/eddsa.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case/case.h"
#include "util/fail.h"
#include "util/sha.h"
#include "util/xsort.h"

#define MANIFEST_HEAD "pelorus-case-manifest 1"
#define SIG_HEAD "pelorus-ed25519-signature 1"
#define SECRET_HEAD "pelorus-ed25519-secret-key 1"
#define PUBLIC_HEAD "pelorus-ed25519-public-key 1"

pel_status case_sha256_file(const char *path, char hex[65], uint64_t *size, pel_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
    struct sha256_ctx c;
    sha256_init(&c);
    static _Thread_local uint8_t buf[1 << 16];
    size_t n;
    uint64_t total = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sha256_update(&c, n, buf);
        total += n;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad)
        return pel_fail(err, PEL_ERR_IO, "%s: read error", path);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    if (size)
        *size = total;
    return PEL_OK;
}

/* ---- the files of a directory, by relative path ---- */

typedef struct flist {
    char **v;
    size_t n, cap;
    size_t skip;        /* the directory's path length + 1 */
    bool all;           /* MANIFEST and MANIFEST.sig too */
    bool oom, odd;      /* out of memory; something neither file nor directory */
    char odd_name[256]; /* the first such */
} flist;

static _Thread_local flist *walking;

static int on_file(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
    (void)ftw;
    flist *l = walking;
    if (type == FTW_D || type == FTW_DP)
        return 0;
    if (type != FTW_F || !S_ISREG(sb->st_mode)) { /* a link, a pipe, a device: no file of a case */
        if (!l->odd)
            snprintf(l->odd_name, sizeof l->odd_name, "%s", path + l->skip);
        l->odd = true;
        return 0;
    }
    const char *rel = path + l->skip;
    if (!l->all && (!strcmp(rel, "MANIFEST") || !strcmp(rel, "MANIFEST.sig")))
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = true;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(rel))) {
        l->oom = true;
        return 1;
    }
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void flist_free(flist *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static pel_status list_files(const char *dir, flist *l, bool all, pel_error *err) {
    memset(l, 0, sizeof *l);
    l->all = all;
    l->skip = strlen(dir) + 1;
    walking = l;
    int rc = nftw(dir, on_file, 16, FTW_PHYS);
    walking = NULL;
    if (l->oom)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (rc != 0)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", dir, strerror(errno));
    xqsort(l->v, l->n, sizeof *l->v, cmp_str);
    return PEL_OK;
}

pel_status case_files(const char *dir, char ***v, size_t *n, pel_error *err) {
    flist l;
    pel_status st = list_files(dir, &l, true, err);
    if (st == PEL_OK && l.odd) /* a case holds regular files only: a link could point anywhere, a pipe block */
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: %s is not a regular file: not a case", dir, l.odd_name);
    if (st != PEL_OK) {
        flist_free(&l);
        return st;
    }
    *v = l.v;
    *n = l.n;
    return PEL_OK;
}

char *case_join(const char *dir, const char *rel) {
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

pel_status case_manifest_write(const char *dir, const case_doc *d, pel_error *err) {
    flist l;
    pel_status st = list_files(dir, &l, false, err);
    char *mp = case_join(dir, "MANIFEST");
    FILE *f = st == PEL_OK && mp ? fopen(mp, "wbx") : NULL;
    if (st == PEL_OK && !f)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", mp ? mp : "MANIFEST", strerror(errno));
    if (st == PEL_OK)
        fprintf(f, "%s\n", MANIFEST_HEAD);
    for (size_t i = 0; st == PEL_OK && i < l.n; i++) {
        char *p = case_join(dir, l.v[i]), h[65];
        uint64_t size = 0;
        st = p ? case_sha256_file(p, h, &size, err) : PEL_ERR_NOMEM;
        if (st == PEL_OK)
            fprintf(f, "file %s %llu %s\n", h, (unsigned long long)size, l.v[i]);
        free(p);
    }
    for (size_t i = 0; st == PEL_OK && i < d->nin; i++)
        fprintf(f, "input %s %llu %s\n", d->in[i].sha256, (unsigned long long)d->in[i].size, d->in[i].path);
    if (f && fclose(f) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", mp, strerror(errno));
    free(mp);
    flist_free(&l);
    return st;
}

char *case_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    if (b && ferror(f)) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = n;
    }
    return b;
}

pel_status case_manifest_check(const char *dir,
                               void (*problem)(void *ud, const char *file, uint64_t line, const char *what), void *ud,
                               uint64_t *bad, char id[17], pel_error *err) {
    *bad = 0;
    char *mp = case_join(dir, "MANIFEST");
    size_t len = 0;
    char *m = mp ? case_slurp(mp, &len) : NULL;
    free(mp);
    if (!m)
        return pel_fail(err, PEL_ERR_FORMAT, "%s: no MANIFEST: not a case", dir);
    sha_hex(m, len, 8, id);
    flist l;
    pel_status st = list_files(dir, &l, false, err);
    bool *seen = st == PEL_OK ? calloc(l.n + 1, sizeof *seen) : NULL;
    if (st == PEL_OK && !seen)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    uint64_t ln = 0;
    char what[600];
    for (char *p = m, *end = m + len; st == PEL_OK && p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            st = pel_fail(err, PEL_ERR_FORMAT, "MANIFEST:%llu: no line end", (unsigned long long)ln + 1);
            break;
        }
        *nl = 0;
        ln++;
        char kind[8], h[65];
        unsigned long long size;
        int used = 0;
        if (ln == 1) {
            if (strcmp(p, MANIFEST_HEAD) != 0)
                st = pel_fail(err, PEL_ERR_FORMAT, "MANIFEST:1: not \"%s\"", MANIFEST_HEAD);
        } else if (sscanf(p, "%7s %64[0-9a-f] %llu %n", kind, h, &size, &used) != 3 || strlen(h) != 64 || !used ||
                   !p[used]) {
            st = pel_fail(err, PEL_ERR_FORMAT, "MANIFEST:%llu: not \"file|input SHA256 SIZE PATH\"",
                          (unsigned long long)ln);
        } else if (!strcmp(kind, "file")) {
            const char *rel = p + used;
            const char *key = rel;
            char **hit = xbsearch(&key, l.v, l.n, sizeof *l.v, cmp_str);
            if (!hit) {
                problem(ud, rel, 0, "missing: listed in MANIFEST, not in the case");
                (*bad)++;
            } else {
                seen[hit - l.v] = true;
                char *fp = case_join(dir, rel), got[65];
                uint64_t gsize = 0;
                st = fp ? case_sha256_file(fp, got, &gsize, err) : PEL_ERR_NOMEM;
                free(fp);
                if (st == PEL_OK && (strcmp(got, h) != 0 || gsize != size)) {
                    snprintf(what, sizeof what,
                             "changed: SHA-256 %.16s..., %llu bytes; MANIFEST says %.16s..., %llu bytes", got,
                             (unsigned long long)gsize, h, size);
                    problem(ud, rel, 0, what);
                    (*bad)++;
                }
            }
        } else if (strcmp(kind, "input") != 0)
            st = pel_fail(err, PEL_ERR_FORMAT, "MANIFEST:%llu: unknown entry '%s'", (unsigned long long)ln, kind);
        p = nl + 1;
    }
    for (size_t i = 0; st == PEL_OK && i < l.n; i++)
        if (!seen[i]) {
            problem(ud, l.v[i], 0, "not in MANIFEST: added to the case");
            (*bad)++;
        }
    free(seen);
    flist_free(&l);
    free(m);
    return st;
}

/* ---- keys and signatures ---- */

static bool unhex(const char *s, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (uint8_t)v;
    }
    return s[2 * n] == 0 || s[2 * n] == '\n';
}

static void tohex(const uint8_t *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* Reads a key file: its head and n bytes of hex. */
static pel_status read_key(const char *path, const char *head, uint8_t *out, size_t n, pel_error *err) {
    size_t len;
    char *b = case_slurp(path, &len);
    if (!b)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
    size_t hl = strlen(head);
    bool ok = len > hl + 1 && !strncmp(b, head, hl) && b[hl] == '\n' && strlen(b + hl + 1) >= 2 * n &&
              unhex(b + hl + 1, out, n);
    free(b);
    if (!ok)
        return pel_fail(err, PEL_ERR_FORMAT, "%s: not a key file (\"%s\" and %zu bytes in hex)", path, head, n);
    return PEL_OK;
}

pel_status case_read_pubkey(const char *path, uint8_t pub[32], pel_error *err) {
    return read_key(path, PUBLIC_HEAD, pub, 32, err);
}

/* Writes text to path, a new file (never over an existing one) of mode. */
static pel_status write_new(const char *path, const char *text, mode_t mode, pel_error *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    if (fd < 0)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        unlink(path);
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(e));
    }
    return PEL_OK;
}

pel_status pel_key_new(const char *secret_path, const char *public_path, pel_error *err) {
    uint8_t priv[32], pub[32];
    if (getrandom(priv, sizeof priv, 0) != (ssize_t)sizeof priv)
        return pel_fail(err, PEL_ERR_IO, "no random bytes for a key: %s", strerror(errno));
    ed25519_sha512_public_key(pub, priv);
    char text[200], hex[65];
    tohex(priv, 32, hex);
    snprintf(text, sizeof text, "%s\n%s\n", SECRET_HEAD, hex);
    pel_status st = write_new(secret_path, text, 0600, err);
    if (st == PEL_OK) {
        tohex(pub, 32, hex);
        snprintf(text, sizeof text, "%s\n%s\n", PUBLIC_HEAD, hex);
        st = write_new(public_path, text, 0644, err);
        if (st != PEL_OK)
            unlink(secret_path);
    }
    memset(priv, 0, sizeof priv);
    return st;
}

/* Signs dir's MANIFEST with the secret key at key_path into MANIFEST.sig
 * (replacing an earlier signature). */
pel_status case_sign_dir(const char *dir, const char *key_path, char signer[65], pel_error *err) {
    uint8_t priv[32], pub[32], sig[ED25519_SIGNATURE_SIZE];
    pel_status st = read_key(key_path, SECRET_HEAD, priv, 32, err);
    if (st != PEL_OK)
        return st;
    char *mp = case_join(dir, "MANIFEST"), *sp = case_join(dir, "MANIFEST.sig");
    size_t len = 0;
    char *m = mp ? case_slurp(mp, &len) : NULL;
    if (!m)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: no MANIFEST: not a case", dir);
    else {
        ed25519_sha512_public_key(pub, priv);
        ed25519_sha512_sign(pub, priv, len, (const uint8_t *)m, sig);
        char text[400], kh[65], sh[129];
        tohex(pub, 32, kh);
        tohex(sig, sizeof sig, sh);
        snprintf(text, sizeof text, "%s\nkey %s\nsig %s\n", SIG_HEAD, kh, sh);
        if (unlink(sp) != 0 && errno != ENOENT)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", sp, strerror(errno));
        else
            st = write_new(sp, text, 0644, err);
        memcpy(signer, kh, 65);
    }
    memset(priv, 0, sizeof priv);
    free(m);
    free(mp);
    free(sp);
    return st;
}

pel_status case_signature(const char *dir, bool *signed_, bool *ok, char signer[65], pel_error *err) {
    *signed_ = *ok = false;
    signer[0] = 0;
    char *sp = case_join(dir, "MANIFEST.sig"), *mp = case_join(dir, "MANIFEST");
    if (!sp || !mp) {
        free(sp);
        free(mp);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    size_t sl = 0, ml = 0;
    char *s = case_slurp(sp, &sl);
    pel_status st = PEL_OK;
    if (!s) {
        if (errno != ENOENT)
            st = pel_fail(err, PEL_ERR_IO, "MANIFEST.sig: %s", strerror(errno));
    } else {
        *signed_ = true;
        char kh[65] = "", sh[129] = "";
        uint8_t pub[32], sig[64];
        char head[64] = "";
        if (sscanf(s, "%63[^\n]\nkey %64[0-9a-f]\nsig %128[0-9a-f]", head, kh, sh) != 3 || strcmp(head, SIG_HEAD) ||
            strlen(kh) != 64 || strlen(sh) != 128 || !unhex(kh, pub, 32) || !unhex(sh, sig, 64))
            st = pel_fail(err, PEL_ERR_FORMAT, "MANIFEST.sig: not \"%s\", \"key HEX\", \"sig HEX\"", SIG_HEAD);
        else {
            memcpy(signer, kh, 65);
            char *m = case_slurp(mp, &ml);
            if (!m)
                st = pel_fail(err, PEL_ERR_FORMAT, "%s: no MANIFEST: not a case", dir);
            else
                *ok = ed25519_sha512_verify(pub, ml, (const uint8_t *)m, sig) == 1;
            free(m);
        }
        free(s);
    }
    free(sp);
    free(mp);
    return st;
}

/* ---- temporary directories ---- */

static int on_remove(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

void case_rmtree(const char *path) {
    if (path && *path)
        nftw(path, on_remove, 16, FTW_DEPTH | FTW_PHYS);
}

pel_status case_tmpdir(char *buf, size_t cap, pel_error *err) {
    const char *t = getenv("TMPDIR");
    if (!t || !*t || strlen(t) > cap - 40)
        t = "/tmp";
    snprintf(buf, cap, "%s/pelorus-case-XXXXXX", t);
    if (!mkdtemp(buf))
        return pel_fail(err, PEL_ERR_IO, "cannot make a temporary directory in %s: %s", t, strerror(errno));
    return PEL_OK;
}
