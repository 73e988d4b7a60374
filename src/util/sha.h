/*
 * sha.h -- SHA-256 of a text as hex digits, for ids and digests (nettle's
 * SHA-256).  Internal to libpelorus.
 */
#ifndef PEL_UTIL_SHA_H
#define PEL_UTIL_SHA_H

#include <stddef.h>

/* Writes the first nbytes (at most 32) bytes of SHA-256(data[0, len)) to
 * out as 2 * nbytes lower-case hex digits and a NUL (out holds 2 * nbytes
 * + 1).  data is only read during the call. */
void sha_hex(const void *data, size_t len, size_t nbytes, char *out);

#endif
