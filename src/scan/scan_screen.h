/*
 * scan_screen.h -- the screening of a scan (scan_screen.c).  Internal to
 * the scan stage (src/scan/).
 */
#ifndef PEL_SCAN_SCREEN_H
#define PEL_SCAN_SCREEN_H

#include "detect/detectors.h"

/* The screening row's work (det_env.screening): every identity of
 * c->env->s against the stored sanctions lists, or the shipped OFAC list
 * when none is stored, its watchlist_match findings through c->emit.
 * Returns PEL_OK, or the error with c->err (may be NULL) filled. */
pel_status scan_screen(det_call *c);

#endif
