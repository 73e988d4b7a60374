/*
 * scan_review.h -- the analysts' reviews joined to a scan's findings
 * (scan_review.c).  Internal to the scan stage (src/scan/).
 */
#ifndef PEL_SCAN_REVIEW_H
#define PEL_SCAN_REVIEW_H

#include "findings/finding.h"
#include "pelorus.h"

/* Gives every finding of fs (sorted: its ids final) that was reviewed its
 * latest review, as the member "review": {"status", "note", "by", "at",
 * "reviews" (how many it had)} (docs/review.md).  Returns PEL_OK, or the
 * store's error (PEL_ERR_NOMEM when out of memory) with err filled. */
pel_status scan_reviews(pel_store *s, fnd_set *fs, pel_error *err);

#endif
