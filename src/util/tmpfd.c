/*
 * tmpfd.c -- the library's temporary files (tmpfd.h).
 */
#include "tmpfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *util_tmp_dir(void) {
    const char *dir = getenv("TMPDIR");
    return !dir || !*dir || strlen(dir) > 1000 ? "/tmp" : dir;
}

int util_tmp_fd(const char *what, char *msg, size_t msgcap) {
    const char *dir = util_tmp_dir();
    char path[1100];
    snprintf(path, sizeof path, "%s/pelorus-%.32s-XXXXXX", dir, what);
    int fd = mkstemp(path);
    if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        int en = errno;
        unlink(path);
        close(fd);
        snprintf(msg, msgcap, "cannot set up the temporary file %.160s: %s", path, strerror(en));
        errno = en;
        return -1;
    }
    if (fd < 0) {
        int en = errno;
        snprintf(msg, msgcap, "cannot make a temporary file in %.160s: %s", dir, strerror(en));
        errno = en;
        return -1;
    }
    if (unlink(path) != 0) {
        int en = errno;
        close(fd);
        snprintf(msg, msgcap, "cannot unlink the temporary file %.160s: %s", path, strerror(en));
        errno = en;
        return -1;
    }
    return fd;
}
