/*
 * feed.h -- live AIS feeds for pelorus watch: several inputs at once, each
 * read without blocking the others, cut into lines.
 *
 * A feed is named by a spec:
 *   tcp://HOST:PORT   a TCP client (AIS-catcher, rtl-ais, a provider's NMEA
 *                     stream); reconnects with backoff when the connection
 *                     fails or closes (1 s doubling to 60 s, back to 1 s
 *                     after a line is heard), unless the set is "once"
 *   udp://ADDR:PORT   a UDP listener (AIS-catcher, OpenCPN); one datagram
 *                     may hold several lines
 *   file:PATH         a file followed as it grows (tail -F): a file replaced
 *                     (rotated: another inode) or truncated is read again
 *                     from its start
 *   -                 standard input
 * Lines end at LF (a CR before it is dropped), and at the end of a UDP
 * datagram; empty lines are not handed on.  At the end of standard input,
 * of a TCP connection closed by its peer, or of a file in a once set, an
 * unterminated last line is handed on too.  A line longer than
 * FEED_MAX_LINE is counted (too_long) and skipped to its end; a NUL byte
 * is kept in the line (the decoder rejects it).  Reading is fair: each
 * poll round takes at most FEED_ROUND_BYTES from any one feed, so a flood
 * on one never starves the others, and a partial line waits for its end
 * without holding anything else.
 *
 * Nothing here prints or exits; errors are values (pel_status) with a
 * message in pel_error, and the state of each feed is in its feed_stats.
 */
#ifndef PEL_FEED_H
#define PEL_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

#define FEED_MAX_LINE 4096
#define FEED_ROUND_BYTES 65536

typedef enum feed_kind { FEED_TCP, FEED_UDP, FEED_FILE, FEED_STDIN } feed_kind;

typedef struct feed_stats {
    uint64_t lines;        /* complete lines handed on */
    uint64_t bytes;        /* bytes read */
    uint64_t too_long;     /* lines longer than FEED_MAX_LINE, skipped */
    uint64_t connects;     /* TCP connections made */
    uint64_t reconnects;   /* TCP connections made after the first */
    uint64_t rotations;    /* file:  replaced or truncated files reopened */
    int64_t last_heard_ms; /* wall clock (ms since 1970) of the last byte read; 0 never */
    bool up;               /* connected (TCP), bound (UDP), open (file, stdin) */
    bool ended;            /* will give no more: standard input at its end (in
                              any set); in a once set also a TCP connection
                              closed (or never made in 5 attempts), a file at
                              its end (or that cannot be opened), a UDP feed
                              silent for idle_ms after its first datagram */
    char error[160];       /* the last connection, bind, open or read error
                              ("connection refused", "closed by peer"); ""
                              none, cleared when a connection, bind or open
                              succeeds */
} feed_stats;

typedef struct feed_set feed_set;

/* Called for every complete line of feed index `feed` (without its line
 * end; borrowed for the call), with the wall clock of its arrival in ms
 * since 1970.  Returning nonzero stops feed_poll early (it returns
 * PEL_STOPPED). */
typedef int (*feed_line_fn)(void *ud, size_t feed, const char *line, size_t len, int64_t arrival_ms);

/* A new, empty set.  once: feeds end instead of reconnecting or waiting
 * (pelorus watch --once); idle_ms: in a once set, how long a UDP feed may
 * be silent after its first datagram before it counts as ended (0: 3000).
 * NULL when out of memory.  Free with feed_set_free. */
feed_set *feed_set_new(bool once, int idle_ms);

/* Closes every descriptor of the set (standard input is left open) and
 * frees it; NULL is accepted. */
void feed_set_free(feed_set *fs);

/* Adds the feed of spec (above) called name (copied; the source name its
 * lines are given when they carry none).  A spec that cannot be parsed is
 * PEL_ERR_ARG with err saying why; a UDP address that cannot be bound or a
 * file: that cannot be opened yet is not an error (it is retried; see
 * feed_stats.error).  *index gets the feed's index (0, 1, ... in the order
 * added). */
pel_status feed_add(feed_set *fs, const char *spec, const char *name, size_t *index, pel_error *err);

/* For a file: feed, starts reading at byte offset (a restart resuming where
 * the last run's committed lines end), if the file is still the one of
 * that inode and at least that long; otherwise from the start.  Call it
 * before the first feed_poll (the file is opened there); it applies to
 * that first opening only. */
void feed_file_resume(feed_set *fs, size_t feed, uint64_t inode, uint64_t offset);

/* For a file: feed, the inode and the byte offset just past the last line
 * handed on (what feed_file_resume takes after a restart).  A partial last
 * line is not counted, so a restart reads it again whole; in a once set
 * the unterminated last line handed on at the end is not counted either.
 * After a rotation or truncation, the new file's inode and offset; inode 0
 * before the file was first opened.  Either pointer may be NULL.  False
 * for other feeds. */
bool feed_file_position(const feed_set *fs, size_t feed, uint64_t *inode, uint64_t *offset);

/* Waits up to timeout_ms for input on any feed (connecting, reconnecting
 * and reopening as due), then reads what is there, fairly, handing each
 * complete line to fn.  timeout_ms < 0 waits without limit (for input or
 * the next timer: reconnect, file check, UDP idle end); it returns at once
 * when every feed has ended.  PEL_OK (also when a signal interrupted the
 * wait, so that the caller's handlers get to run), PEL_STOPPED when fn
 * asked to stop (the rest of what was read is kept for the next call),
 * PEL_ERR_NOMEM, or PEL_ERR_IO when poll itself failed. */
pel_status feed_poll(feed_set *fs, int timeout_ms, feed_line_fn fn, void *ud, pel_error *err);

/* True when every feed has ended: in a once set when all have ended; in
 * another set only standard input ends, so a set of "-" alone ends with
 * it.  True for a set with no feeds (nothing will come) and for NULL. */
bool feed_all_ended(const feed_set *fs);

/* The number of feeds added. */
size_t feed_count(const feed_set *fs);

/* The name and the spec a feed was added with; owned by the set, valid
 * until feed_set_free.  NULL for an index out of range. */
const char *feed_name(const feed_set *fs, size_t feed);
const char *feed_spec(const feed_set *fs, size_t feed);

/* The kind of a feed (FEED_STDIN for an index out of range). */
feed_kind feed_kind_of(const feed_set *fs, size_t feed);

/* The live state of a feed, owned by the set and updated by every
 * feed_poll (read it between calls); valid until feed_set_free.  NULL for
 * an index out of range. */
const feed_stats *feed_stats_of(const feed_set *fs, size_t feed);

#endif
