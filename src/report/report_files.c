/*
 * report_files.c -- the files of a report: its directory made, whole files
 * read (the page's template and its includes), and the report's own files
 * written whole or not at all through util/outfile.h (report_internal.h).
 *
 * Limits: rpt_slurp holds the whole file in memory (the template and the
 * vendored scripts, a few MiB); rpt_make_dir creates directories with mode
 * 0777 less the umask, as mkdir -p does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report_internal.h"
#include "util/fail.h"

char *rpt_join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

pel_status rpt_make_dir(const char *path, pel_error *err) {
    char *p = strdup(path);
    if (!p)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (char *c = p + 1;; c++) {
        if (*c == '/' || !*c) {
            char keep = *c;
            *c = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                pel_status st = pel_fail(err, PEL_ERR_IO, "%s: %s", p, strerror(errno));
                free(p);
                return st;
            }
            *c = keep;
            if (!keep)
                break;
        }
    }
    struct stat sb;
    pel_status st = PEL_OK;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        st = pel_fail(err, PEL_ERR_IO, "%s: not a directory", path);
    free(p);
    return st;
}

char *rpt_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
        errno = EIO;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

/* A failure or a kill leaves the previous file (or none): each file is
 * written to a temporary file beside it and renamed into place whole. */
pel_status rpt_out_open(outfile *o, const char *dir, const char *name, pel_error *err) {
    char *path = rpt_join(dir, name);
    if (!path) {
        memset(o, 0, sizeof *o);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    pel_status st = outfile_open(o, path, err);
    free(path);
    return st;
}

pel_status rpt_out_close(outfile *o, pel_status st, pel_error *err) {
    if (st != PEL_OK) {
        outfile_discard(o);
        return st;
    }
    return outfile_commit(o, err);
}
