/*
 * pg_scan.c -- the PostgreSQL backend's scan state (store.h, "scan
 * state"): none is kept yet, so every scan of a shared archive judges the
 * whole store (docs/incremental.md).
 */
#include "pg_internal.h"

pel_status pg_scan_state_get(pel_store *base, void **buf, size_t *len, pel_error *err) {
    (void)base;
    (void)err;
    *buf = NULL;
    *len = 0;
    return PEL_OK;
}

pel_status pg_scan_state_put(pel_store *base, const void *buf, size_t len, pel_error *err) {
    (void)base;
    (void)buf;
    (void)len;
    (void)err;
    return PEL_OK;
}
