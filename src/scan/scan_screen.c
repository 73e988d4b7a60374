/*
 * scan_screen.c -- screening as a detector of the scan (scan_screen.h):
 * every identity the store holds against the stored sanctions lists, or
 * the shipped OFAC list when none is stored (docs/screening.md).  The
 * lists and the matching are src/screen/'s, the row of the table
 * (screening, its kinds) is src/detect/'s; this file joins the two, so
 * that neither stage knows the other.
 */
#include "scan_screen.h"
#include "screen/screen.h"

pel_status scan_screen(det_call *c) {
    pel_matcher *m = NULL;
    bool is_default = false;
    pel_status st = sc_load_matcher(c->env->s, c->env->data_dir, c->env->stored_lists_only, &m, &is_default, c->err);
    is_default = is_default || c->env->lists_default;
    if (st == PEL_OK)
        st = sc_screen(c->env->s, m, is_default, c->env->mid, c->emit, c->ud, NULL, c->err);
    pel_matcher_free(m);
    return st;
}
