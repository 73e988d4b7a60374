/*
 * sha.c -- SHA-256 of a text as hex digits (sha.h).
 */
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>

#include "util/sha.h"

void sha_hex(const void *data, size_t len, size_t nbytes, char *out) {
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)data);
    sha256_digest(&c, sizeof d, d);
    if (nbytes > sizeof d)
        nbytes = sizeof d;
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    out[2 * nbytes] = 0;
}
