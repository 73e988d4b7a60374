/*
 * det_screen.c -- screening as a detector of the scan: every identity the
 * store holds against the stored sanctions lists, or the shipped OFAC list
 * when none is stored (docs/screening.md).  The lists and the matching are
 * src/screen/'s; this file only puts its watchlist_match findings in the
 * scan, once every vessel is read.
 */
#include "detectors.h"
#include "screen.h"

pel_status det_screen_finish(det_call *c) {
    pel_matcher *m = NULL;
    bool is_default = false;
    pel_status st = sc_load_matcher(c->env->s, c->env->data_dir, &m, &is_default, c->err);
    if (st == PEL_OK)
        st = sc_screen(c->env->s, m, is_default, c->env->mid, c->emit, c->ud, NULL, c->err);
    pel_matcher_free(m);
    return st;
}
