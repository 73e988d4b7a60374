/*
 * fail.h -- the one way the library fails with a message.  Internal to
 * libpelorus (every stage may include it; programs outside see only
 * pel_error in pelorus.h).
 *
 *     if (!f)
 *         return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
 *
 * pel_fail sets err->code and writes the message into err->msg the way
 * printf formats it, and returns the code, so that a failure is one
 * statement.  err may be NULL (the caller did not want the message): then
 * it only returns the code.
 *
 * A message that does not fit err->msg (255 bytes and the NUL) is cut at a
 * character boundary (never inside a UTF-8 sequence) and ends in "...", so
 * that a reader sees it was cut.  The message is formatted into a buffer of
 * its own before it replaces err->msg: an argument may be err->msg itself
 * (pel_fail(err, st, "%s: %s", path, err->msg) puts a prefix on the message
 * already there).
 *
 * Limits: a message is at most sizeof err->msg - 1 bytes; what printf
 * cannot format (an encoding error) leaves the message empty.
 */
#ifndef PEL_FAIL_H
#define PEL_FAIL_H

#include <stdarg.h>

#include "pelorus.h"

/* Fills err (when not NULL) with code and the message fmt formats; returns
 * code.  Every argument is only read during the call. */
pel_status pel_fail(pel_error *err, pel_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* pel_fail with the arguments as a va_list (for a stage's own helper that
 * adds its context); ap is consumed as vprintf consumes it. */
pel_status pel_vfail(pel_error *err, pel_status code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
