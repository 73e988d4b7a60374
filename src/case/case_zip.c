/*
 * case_zip.c -- a case as one .zip file (libzip): written with every file
 * under one top directory, in path order, deflated, with a fixed time so
 * that the same case gives the same bytes; read back by extracting it
 * into a temporary directory, refusing any entry that would leave it
 * (absolute names, "..", links).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "case/case.h"
#include "util/fail.h"

#define ZIP_TIME 315532800 /* 1980-01-01, the earliest a zip can say: no clock in the bytes */
/* A partner's zip is untrusted: what it may unpack to (a zip bomb fills no disk) */
#define ZIP_MAX_ENTRIES 100000
#define ZIP_MAX_BYTES (64ull << 30)

pel_status case_zip_write(const char *dir, const char *top, const char *path, pel_error *err) {
    char **files = NULL;
    size_t n = 0;
    pel_status st = case_files(dir, &files, &n, err);
    if (st != PEL_OK)
        return st;
    int ze = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_EXCL, &ze);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", path, zip_error_strerror(&e));
        zip_error_fini(&e);
    }
    char name[2048], src[2048];
    for (size_t i = 0; st == PEL_OK && i < n; i++) {
        snprintf(name, sizeof name, "%s/%s", top, files[i]);
        snprintf(src, sizeof src, "%s/%s", dir, files[i]);
        zip_source_t *zs = zip_source_file(z, src, 0, -1);
        zip_int64_t idx = zs ? zip_file_add(z, name, zs, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (zs)
                zip_source_free(zs);
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", path, zip_strerror(z));
        } else if (zip_file_set_mtime(z, (zip_uint64_t)idx, ZIP_TIME, 0) != 0 ||
                   zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) != 0)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", path, zip_strerror(z));
    }
    if (z) {
        if (st == PEL_OK && zip_close(z) != 0)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", path, zip_strerror(z));
        if (st != PEL_OK)
            zip_discard(z);
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return st;
}

/* True when name is a relative path that stays inside. */
static bool safe_name(const char *name) {
    if (!*name || name[0] == '/' || strstr(name, "\\"))
        return false;
    for (const char *p = name; *p;) {
        size_t l = strcspn(p, "/");
        if ((l == 2 && p[0] == '.' && p[1] == '.') || (l == 1 && p[0] == '.'))
            return false;
        p += l;
        if (*p == '/')
            p++;
    }
    return true;
}

/* Makes the directories leading to dir/name. */
static bool make_parents(const char *dir, const char *name) {
    char p[2048];
    int k = snprintf(p, sizeof p, "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= sizeof p)
        return false;
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return false;
        *s = '/';
    }
    return true;
}

pel_status case_zip_extract(const char *path, const char *dir, char **root, pel_error *err) {
    *root = NULL;
    int ze = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &ze);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        pel_status st =
            pel_fail(err, ze == ZIP_ER_NOZIP ? PEL_ERR_FORMAT : PEL_ERR_IO, "%s: %s", path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return st;
    }
    pel_status st = PEL_OK;
    int root_depth = 0;
    zip_int64_t n = zip_get_num_entries(z, 0);
    uint64_t total = 0;
    if (n > ZIP_MAX_ENTRIES)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: %lld entries, more than a case holds (%d)", path, (long long)n,
                      ZIP_MAX_ENTRIES);
    char buf[1 << 15];
    for (zip_int64_t i = 0; st == PEL_OK && i < n; i++) {
        zip_stat_t zs;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_NAME)) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: entry %lld unreadable", path, (long long)i);
            break;
        }
        size_t nl = strlen(zs.name);
        if (nl && zs.name[nl - 1] == '/')
            continue; /* a directory: made with the files in it */
        total += (zs.valid & ZIP_STAT_SIZE) ? zs.size : 0;
        if (!(zs.valid & ZIP_STAT_SIZE) || total > ZIP_MAX_BYTES) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: would unpack to more than %llu GiB: refused", path,
                          (unsigned long long)(ZIP_MAX_BYTES >> 30));
            break;
        }
        if (!safe_name(zs.name)) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: entry \"%s\" would be written outside the case", path, zs.name);
            break;
        }
        char out[2048];
        snprintf(out, sizeof out, "%s/%s", dir, zs.name);
        if (!make_parents(dir, zs.name)) {
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", out, strerror(errno));
            break;
        }
        zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)i, 0);
        FILE *f = zf ? fopen(out, "wbx") : NULL;
        if (!zf || !f)
            st = pel_fail(err, zf ? PEL_ERR_IO : PEL_ERR_FORMAT, "%s: %s", zf ? out : path,
                          zf ? strerror(errno) : zip_strerror(z));
        zip_int64_t got = 0;
        uint64_t written = 0;
        while (st == PEL_OK && (got = zip_fread(zf, buf, sizeof buf)) > 0) {
            written += (uint64_t)got;
            if (written > zs.size) /* more than the entry says it holds */
                st = pel_fail(err, PEL_ERR_FORMAT, "%s: %s: longer than its size", path, zs.name);
            else if (fwrite(buf, 1, (size_t)got, f) != (size_t)got)
                st = pel_fail(err, PEL_ERR_IO, "%s: %s", out, strerror(errno));
        }
        if (st == PEL_OK && got < 0)
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: %s: %s", path, zs.name, zip_file_strerror(zf));
        if (f && fclose(f) != 0 && st == PEL_OK)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", out, strerror(errno));
        if (zf)
            zip_fclose(zf);
        /* the case is the directory holding case.json nearest the top */
        const char *base = strrchr(zs.name, '/');
        int depth = 0;
        for (const char *c = zs.name; *c; c++)
            depth += *c == '/';
        if (st == PEL_OK && !strcmp(base ? base + 1 : zs.name, "case.json") && (!*root || depth < root_depth)) {
            free(*root);
            size_t dl = base ? (size_t)(base - zs.name) : 0;
            size_t cap = strlen(dir) + dl + 2;
            if ((*root = malloc(cap)) != NULL)
                snprintf(*root, cap, "%s%s%.*s", dir, dl ? "/" : "", (int)dl, zs.name);
            else
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            root_depth = depth;
        }
    }
    zip_discard(z);
    if (st == PEL_OK && !*root)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: no case.json inside: not a case", path);
    if (st != PEL_OK) {
        free(*root);
        *root = NULL;
    }
    return st;
}

pel_status case_open_path(const char *path, char **dir, char tmp[1024], pel_error *err) {
    *dir = NULL;
    tmp[0] = 0;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
            n--;
        if (!(*dir = strndup(path, n)))
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        /* regular files only: a partner's directory is untrusted too */
        char **files = NULL;
        size_t nf = 0;
        pel_status st = case_files(*dir, &files, &nf, err);
        for (size_t i = 0; i < nf; i++)
            free(files[i]);
        free(files);
        if (st != PEL_OK) {
            free(*dir);
            *dir = NULL;
        }
        return st;
    }
    pel_status st = case_tmpdir(tmp, 1024, err);
    if (st != PEL_OK)
        return st;
    st = case_zip_extract(path, tmp, dir, err);
    if (st != PEL_OK) {
        case_rmtree(tmp);
        tmp[0] = 0;
    }
    return st;
}
