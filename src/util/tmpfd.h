/*
 * tmpfd.h -- the library's temporary files: where the scan sets aside what
 * would otherwise grow with the history in memory (the encounter
 * detector's resampled points, the gaps waiting for their judgement, the
 * findings of pelorus scan).
 */
#ifndef PEL_TMPFD_H
#define PEL_TMPFD_H

#include <stddef.h>

/* The directory temporary files go to: $TMPDIR, else /tmp.  Static or
 * the environment's. */
const char *util_tmp_dir(void);

/* Opens a new temporary file for reading and writing in $TMPDIR (else
 * /tmp), named "pelorus-WHAT-XXXXXX" and unlinked at once, so that nothing
 * is left behind whatever happens; close-on-exec.  Returns the descriptor
 * (the caller's, to close), or -1 with msg (msgcap bytes) saying why, the
 * directory and the system's reason in it, and errno the reason. */
int util_tmp_fd(const char *what, char *msg, size_t msgcap);

#endif
