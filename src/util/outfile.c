/*
 * outfile.c -- atomic output files (outfile.h).
 *
 * Limits: the directory's fsync is best effort (some file systems refuse
 * it; the rename is still atomic).  A temporary file name is tried 100
 * times at most.  Not thread-safe for one outfile; different outfiles are
 * independent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fail.h"
#include "util/outfile.h"

/* "PATH: WHAT", and ": the system's reason" when e is an errno. */
static pel_status fail(pel_error *err, pel_status st, const char *path, const char *what, int e) {
    if (e)
        return pel_fail(err, st, "%s: %s: %s", path, what, strerror(e));
    return pel_fail(err, st, "%s: %s", path, what);
}

/* The descriptor a name stands for ("-", /dev/stdout, /dev/fd/3), or -1. */
static int fd_name(const char *path) {
    if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))
        return 1;
    if (!strcmp(path, "/dev/stderr"))
        return 2;
    const char *n = !strncmp(path, "/dev/fd/", 8) ? path + 8 : !strncmp(path, "/proc/self/fd/", 14) ? path + 14 : NULL;
    if (!n || !*n || strlen(n) > 6)
        return -1;
    int fd = 0;
    for (; *n; n++) {
        if (*n < '0' || *n > '9')
            return -1;
        fd = fd * 10 + (*n - '0');
    }
    return fd;
}

static bool is_device(mode_t m) {
    return S_ISCHR(m) || S_ISFIFO(m) || S_ISSOCK(m) || S_ISBLK(m);
}

static pel_status open_direct(outfile *o, int fd, pel_error *err) {
    o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!o->f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail(err, PEL_ERR_IO, o->path, "cannot write", e);
    }
    o->keep = true;
    return PEL_OK;
}

/* The directory of path ("." when it has none) and the file name in it. */
static char *dir_of(const char *path, const char **base) {
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

pel_status outfile_open(outfile *o, const char *path, pel_error *err) {
    memset(o, 0, sizeof *o);
    if (!path || !*path)
        return fail(err, PEL_ERR_IO, "(no name)", "no output file name", 0);
    o->path = strdup(path);
    if (!o->path)
        return fail(err, PEL_ERR_NOMEM, path, "out of memory", 0);
    int dfd = fd_name(path);
    if (dfd >= 0) {
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        pel_status st = open_direct(o, fd, err);
        if (st != PEL_OK)
            outfile_discard(o);
        return st;
    }
    struct stat ls, ts;
    mode_t mode = 0;
    bool replace = false;
    if (lstat(path, &ls) == 0) {
        if (S_ISLNK(ls.st_mode)) {
            if (stat(path, &ts) == 0 && is_device(ts.st_mode)) {
                pel_status st = open_direct(o, open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC), err);
                if (st != PEL_OK)
                    outfile_discard(o);
                return st;
            }
            outfile_discard(o);
            return fail(err, PEL_ERR_IO, path,
                        "is a symbolic link; refusing to write through it (remove it, or name the file itself)", 0);
        }
        if (S_ISDIR(ls.st_mode)) {
            outfile_discard(o);
            return fail(err, PEL_ERR_IO, path, "is a directory", 0);
        }
        if (is_device(ls.st_mode)) {
            pel_status st = open_direct(o, open(path, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC), err);
            if (st != PEL_OK)
                outfile_discard(o);
            return st;
        }
        mode = ls.st_mode & 07777;
        replace = true;
    } else if (errno != ENOENT) {
        int e = errno;
        outfile_discard(o);
        return fail(err, PEL_ERR_IO, path, "cannot write", e);
    }
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t cap = strlen(path) + 32;
    o->tmp = malloc(cap);
    if (!o->tmp) {
        outfile_discard(o);
        return fail(err, PEL_ERR_NOMEM, path, "out of memory", 0);
    }
    static unsigned counter;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t x = (uint64_t)now.tv_nsec ^ (uint64_t)now.tv_sec << 20 ^ (uint64_t)getpid() << 40;
    int fd = -1, e = EEXIST;
    for (int attempt = 0; attempt < 100 && fd < 0 && e == EEXIST; attempt++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL + counter++;
        /* the directory part as given, then ".NAME.xxxxxx.tmp" */
        snprintf(o->tmp, cap, "%.*s.%s.%06llx.tmp", (int)(base - path), path, base,
                 (unsigned long long)(x >> 40) & 0xffffffULL);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        e = fd < 0 ? errno : 0;
    }
    if (fd < 0) {
        free(o->tmp);
        o->tmp = NULL;
        outfile_discard(o);
        return fail(err, PEL_ERR_IO, path, "cannot create a temporary file beside it", e);
    }
    if (replace && fchmod(fd, mode) != 0) {
        e = errno;
        close(fd);
        outfile_discard(o);
        return fail(err, PEL_ERR_IO, path, "cannot set the mode of its temporary file", e);
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        e = errno;
        close(fd);
        outfile_discard(o);
        return fail(err, PEL_ERR_IO, path, "cannot write", e);
    }
    return PEL_OK;
}

static void clear(outfile *o) {
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

void outfile_discard(outfile *o) {
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
}

/* fsync of the directory holding path, so the rename survives a crash. */
static void sync_dir(const char *path) {
    const char *base;
    char *dir = dir_of(path, &base);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

pel_status outfile_commit(outfile *o, pel_error *err) {
    if (!o->f) {
        clear(o);
        return PEL_OK;
    }
    int e = 0;
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        e = errno ? errno : EIO;
    if (!e && !o->keep && fsync(fileno(o->f)) != 0)
        e = errno;
    errno = 0;
    if (fclose(o->f) != 0 && !e)
        e = errno ? errno : EIO;
    o->f = NULL;
    if (!e && o->tmp && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e) {
        pel_status st = fail(err, PEL_ERR_IO, o->path, "writing failed", e);
        outfile_discard(o);
        return st;
    }
    if (o->tmp)
        sync_dir(o->path);
    free(o->tmp);
    o->tmp = NULL;
    clear(o);
    return PEL_OK;
}
