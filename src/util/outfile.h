/*
 * outfile.h -- output files written whole or not at all.  Internal to
 * libpelorus; the command line uses it for -o and --rejects.
 *
 * A regular file is written to a new temporary file in the same directory
 * (".NAME.XXXXXX.tmp", created with O_EXCL and O_NOFOLLOW, so it is never an
 * existing file or a planted symbolic link) and renamed over NAME only when
 * everything was written, flushed and synced (fsync of the file, then of
 * the directory): a kill -9, a full disk or an error in the middle leaves
 * the previous NAME as it was (or no NAME), never a truncated one.  A kill
 * leaves the temporary file behind; nothing reads it.
 *
 * NAME itself is never written through a symbolic link: a link at NAME is
 * refused (PEL_ERR_IO, "is a symbolic link"), so a link planted in an
 * output directory cannot make Pelorus overwrite the file it points to.
 * The exceptions are the names of an open descriptor and of devices:
 *   - "-", "/dev/stdout", "/dev/stderr", "/dev/fd/N", "/proc/self/fd/N":
 *     written to that descriptor directly (a duplicate; what the shell
 *     opened it as, a pipe, a terminal or a file it truncated, is its own);
 *   - NAME (or a link at NAME) naming a character device, a FIFO or a
 *     socket (/dev/null, /dev/tty, a named pipe): opened and written as is,
 *     since there is nothing to replace atomically.
 * Either way every write error, flush error and close error is reported
 * by outfile_commit.
 *
 * Permissions: a replaced file keeps its mode; a new one gets 0666 less
 * the umask, as fopen gives.
 */
#ifndef PEL_OUTFILE_H
#define PEL_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "pelorus.h"

typedef struct outfile {
    FILE *f;    /* write here; NULL when not open */
    char *path; /* the name given (owned) */
    char *tmp;  /* the temporary file (owned), NULL when written directly */
    bool keep;  /* f is a duplicate of a descriptor or a device: closed, never renamed */
} outfile;

/* Opens path for writing as the header describes; o is the caller's
 * (uninitialised is fine) and becomes the owner of what it holds.  Returns
 * PEL_OK with o->f ready, or PEL_ERR_IO / PEL_ERR_NOMEM with err (may be
 * NULL) naming path and o left closed (outfile_discard is harmless). */
pel_status outfile_open(outfile *o, const char *path, pel_error *err);

/* Finishes o: flushes, checks the stream's error indicator, syncs, closes
 * and renames the temporary file over the name.  Returns PEL_OK, or
 * PEL_ERR_IO with err (may be NULL) naming the path and the reason; then
 * the temporary file is removed and the name left as it was.  o is closed
 * either way.  A closed o gives PEL_OK. */
pel_status outfile_commit(outfile *o, pel_error *err);

/* Closes o without keeping what was written: the temporary file is removed
 * and the name left as it was (a descriptor or device written directly
 * keeps what it got).  A closed o is left as is. */
void outfile_discard(outfile *o);

#endif
