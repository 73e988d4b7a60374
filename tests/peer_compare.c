/*
 * peer_compare.c - compare Pelorus AIS JSON output with gpsd's reference output.
 *
 * Usage:
 *   peer_compare [--deviations FILE] [--max-lcs-cells N] OURS.jsonl GPSD.chk
 *
 * OURS.jsonl holds one JSON object per line (the output of
 * `pelorus decode --no-meta [-u]`).  GPSD.chk is a gpsd regression file:
 * either pure JSON Lines (sample.aivdm.js.chk) or a gpsfake log in which
 * echoed NMEA sentences and comments are interleaved with JSON reports
 * (daemon_*.log.chk).  Lines that do not start with '{' are skipped in the
 * .chk; in OURS every non-blank line must be JSON.  Only objects with
 * "class":"AIS" are compared; others are ignored on both sides.
 *
 * The two record streams are aligned in order on the key (type, mmsi, and for
 * type 24 the part: A or B) with a longest-common-subsequence match, so
 * records present on one side only are found and reported.  For every aligned
 * pair, every field of gpsd's object is compared with ours:
 *   strings, integers, booleans and null exactly; JSON reals to gpsd's printed
 *   precision (|ours - gpsd| <= half a unit in gpsd's last printed decimal
 *   place + 1e-9); arrays and objects recursively.
 * Fields we print that gpsd does not are reported too.  The keys "device"
 * and "scaled" are ignored at the top level.
 *
 * Known deviations come from the deviations file (see
 * tests/peers/deviations.txt for the format).  Rules are enabled only when
 * listed there; without --deviations the comparison is strict:
 *   R1  sentinel        a field we omit is fine if gpsd printed its
 *                       "not available" value.
 *   R2  type24-merge    gpsd's merged type 24 object (part A + part B) is
 *                       compared with the union of our two part objects; our
 *                       extra "partno" field is allowed.
 *   R2U type24-unpaired our type 24 part objects (partno 0 or 1) that gpsd
 *                       never printed (it prints a part only once merged).
 *   R3  binary-payload  type 6/8 objects that gpsd decoded (no "data") are
 *                       compared on the header fields only.
 * Explicit per-record deviations ("dev" lines) suppress individual errors.
 * Every application of a rule or deviation is counted and printed.
 *
 * Output: one line per error, per-rule counts, and a final line
 *   peer_compare: N records compared, F fields compared, E errors
 * Exit status: 0 no errors, 1 errors found, 2 usage / input / config error.
 *
 * Limits:
 *   - alignment is on keys only: if gpsd repeats a record right before a
 *     genuine record with the same key, the pairing may shift by one record;
 *   - the LCS table needs (gpsd records + 1) * (our records + 1) cells of
 *     4 bytes; above --max-lcs-cells (default 25 million) a greedy windowed
 *     alignment is used instead, which can pair records less well;
 *   - numbers are printed in messages as written in the input; other values
 *     are re-serialised by jansson and truncated to 160 characters;
 *   - an integer where gpsd printed a real (or the reverse) is an error even
 *     if the values agree, because the formatting differs;
 *   - the printed text of numbers is found by field path; a number under an
 *     object key that contains a JSON escape sequence, or under a path longer
 *     than 255 characters, is compared to within 1e-9 instead;
 *   - R2U covers only partno 0 and 1; other part numbers are ordinary extra
 *     records;
 *   - JSON input lines are limited only by memory.
 *
 * Build: gcc -O2 -std=c17 -Wall -Wextra -o build/peer_compare \
 *            tests/peer_compare.c -ljansson
 */

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_MISMATCH 1
#define EXIT_USAGE 2

#define MAX_PATH_LEN 256   /* longest nested field path we track */
#define MAX_SCAN_DEPTH 64  /* deepest JSON nesting the number scanner follows */
#define VALUE_TEXT_MAX 160 /* longest value text printed in a message */
#define GREEDY_WINDOW 2000 /* look-ahead of the fallback alignment */

/* ------------------------------------------------------------------------ */
/* Small utilities                                                          */
/* ------------------------------------------------------------------------ */

/* Print a fatal configuration / input error and exit with status 2. */
_Noreturn static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("peer_compare: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

/* realloc (also used as malloc) that exits on out-of-memory. */
static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory");
    return q;
}

/* strdup that exits on out-of-memory. */
static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

/* Copy the first N bytes of S into a new NUL-terminated string. */
static char *xstrndup(const char *s, size_t n) {
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Return the part of a path after the last '/'. */
static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ------------------------------------------------------------------------ */
/* Tallies: ordered string -> count maps used for per-rule detail counts.    */
/* ------------------------------------------------------------------------ */

typedef struct {
    char **keys;
    long *counts;
    size_t n, cap;
} Tally;

/* Add one to the count of KEY, creating it at the end if new. */
static void tally_add(Tally *t, const char *key) {
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->keys[i], key) == 0) {
            t->counts[i]++;
            return;
        }
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->keys = xrealloc(t->keys, t->cap * sizeof *t->keys);
        t->counts = xrealloc(t->counts, t->cap * sizeof *t->counts);
    }
    t->keys[t->n] = xstrdup(key);
    t->counts[t->n] = 1;
    t->n++;
}

/* Print a tally as "key n, key n" (nothing if empty). */
static void tally_print(const Tally *t) {
    for (size_t i = 0; i < t->n; i++)
        printf("%s%s: %ld", i ? ", " : "", t->keys[i], t->counts[i]);
}

/* Release a tally's memory. */
static void tally_free(Tally *t) {
    for (size_t i = 0; i < t->n; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->counts);
}

/* ------------------------------------------------------------------------ */
/* Number texts: jansson keeps only the double value of a real, but the     */
/* precision rule needs the digits gpsd printed.  A small scanner walks the  */
/* (already validated) line and records each number literal by field path,  */
/* e.g. "lat" or "tidals[0].lon".                                           */
/* ------------------------------------------------------------------------ */

typedef struct {
    char *path;
    char *text;
} NumText;

typedef struct {
    NumText *v;
    size_t n, cap;
} NumTexts;

typedef struct {
    const char *s; /* cursor into the text */
    NumTexts *out;
    char path[MAX_PATH_LEN]; /* path of the value being scanned */
    size_t plen;
    int depth;
    int unnamed; /* > 0 while inside a path too long to track */
} Scanner;

/* Record the number literal [start, end) at the scanner's current path. */
static void numtexts_add(Scanner *sc, const char *start, const char *end) {
    NumTexts *nt = sc->out;
    if (sc->unnamed)
        return;
    if (nt->n == nt->cap) {
        nt->cap = nt->cap ? 2 * nt->cap : 32;
        nt->v = xrealloc(nt->v, nt->cap * sizeof *nt->v);
    }
    nt->v[nt->n].path = xstrndup(sc->path, sc->plen);
    nt->v[nt->n].text = xstrndup(start, (size_t)(end - start));
    nt->n++;
}

/* Find the number text recorded for PATH (last one wins, like jansson). */
static const char *numtexts_find(const NumTexts *nt, const char *path) {
    if (!nt)
        return NULL;
    for (size_t i = nt->n; i-- > 0;)
        if (strcmp(nt->v[i].path, path) == 0)
            return nt->v[i].text;
    return NULL;
}

/* Release the recorded number texts. */
static void numtexts_free(NumTexts *nt) {
    for (size_t i = 0; i < nt->n; i++) {
        free(nt->v[i].path);
        free(nt->v[i].text);
    }
    free(nt->v);
    nt->v = NULL;
    nt->n = nt->cap = 0;
}

/* Skip JSON whitespace at the cursor. */
static void scan_ws(Scanner *sc) {
    while (*sc->s == ' ' || *sc->s == '\t' || *sc->s == '\n' || *sc->s == '\r')
        sc->s++;
}

/*
 * Skip a JSON string starting at the opening quote.  If KEY is not NULL the
 * raw (still escaped) contents are copied into it, truncated to KEYSZ-1.
 */
static bool scan_string(Scanner *sc, char *key, size_t keysz) {
    size_t k = 0;
    if (*sc->s != '"')
        return false;
    sc->s++;
    while (*sc->s && *sc->s != '"') {
        if (*sc->s == '\\' && sc->s[1]) {
            if (key && k + 2 < keysz) {
                key[k++] = sc->s[0];
                key[k++] = sc->s[1];
            }
            sc->s += 2;
            continue;
        }
        if (key && k + 1 < keysz)
            key[k++] = *sc->s;
        sc->s++;
    }
    if (key)
        key[k] = '\0';
    if (*sc->s != '"')
        return false;
    sc->s++;
    return true;
}

/* Append PIECE (".key", "key" or "[i]") to the scanner path; false if it
 * would not fit. */
static bool path_push(Scanner *sc, const char *piece) {
    size_t n = strlen(piece);
    if (sc->plen + n + 1 > sizeof sc->path)
        return false;
    memcpy(sc->path + sc->plen, piece, n + 1);
    sc->plen += n;
    return true;
}

/* Scan one JSON value at the cursor, recording number literals. */
static bool scan_value(Scanner *sc) {
    scan_ws(sc);
    if (++sc->depth > MAX_SCAN_DEPTH)
        return false;
    bool ok = true;
    char c = *sc->s;
    if (c == '{' || c == '[') {
        bool is_obj = (c == '{');
        char close = is_obj ? '}' : ']';
        long index = 0;
        sc->s++;
        scan_ws(sc);
        if (*sc->s == close) {
            sc->s++;
        } else {
            for (;;) {
                size_t saved = sc->plen;
                char piece[MAX_PATH_LEN + 2];
                if (is_obj) {
                    char key[MAX_PATH_LEN];
                    scan_ws(sc);
                    if (!scan_string(sc, key, sizeof key)) {
                        ok = false;
                        break;
                    }
                    scan_ws(sc);
                    if (*sc->s != ':') {
                        ok = false;
                        break;
                    }
                    sc->s++;
                    snprintf(piece, sizeof piece, "%s%s", sc->plen ? "." : "", key);
                } else {
                    snprintf(piece, sizeof piece, "[%ld]", index++);
                }
                bool pushed = path_push(sc, piece);
                if (!pushed)
                    sc->unnamed++;
                bool inner = scan_value(sc);
                if (!pushed)
                    sc->unnamed--;
                if (!inner) {
                    ok = false;
                    break;
                }
                sc->plen = saved;
                sc->path[saved] = '\0';
                scan_ws(sc);
                if (*sc->s == ',') {
                    sc->s++;
                    continue;
                }
                if (*sc->s == close) {
                    sc->s++;
                    break;
                }
                ok = false;
                break;
            }
        }
    } else if (c == '"') {
        ok = scan_string(sc, NULL, 0);
    } else if (c == '-' || isdigit((unsigned char)c)) {
        const char *start = sc->s;
        while (*sc->s && strchr("+-0123456789.eE", *sc->s))
            sc->s++;
        numtexts_add(sc, start, sc->s);
    } else if (isalpha((unsigned char)c)) {
        while (isalpha((unsigned char)*sc->s))
            sc->s++;
    } else {
        ok = false;
    }
    sc->depth--;
    return ok;
}

/* Record the number texts of the JSON document TEXT into OUT. */
static bool scan_numbers(const char *text, NumTexts *out) {
    Scanner sc;
    memset(&sc, 0, sizeof sc);
    sc.s = text;
    sc.out = out;
    return scan_value(&sc);
}

/* ------------------------------------------------------------------------ */
/* Records and streams                                                      */
/* ------------------------------------------------------------------------ */

typedef struct {
    json_t *obj;   /* parsed object (owned) */
    NumTexts nums; /* number literal texts by path */
    long line;     /* line number in its file */
    long ordinal;  /* 1-based AIS record number in its file */
    long long type;
    long long mmsi;
    int part;      /* type 24: 0 = A, 1 = B, -1 unknown / not type 24 */
    bool merged24; /* gpsd type 24 object holding both part A and B fields */
    long partner;  /* ours: index of the part A merged into this part B */
    bool consumed; /* ours: part A used as partner of a part B */
} Record;

typedef struct {
    Record *v;
    size_t n, cap;
    const char *path;
    const char *base;
    bool is_gpsd;
} Stream;

/* Fields that only a type 24 part B carries. */
static const char *const type24_b_fields[] = {"shiptype",     "vendorid",        "model",    "serial",
                                              "callsign",     "to_bow",          "to_stern", "to_port",
                                              "to_starboard", "mothership_mmsi", NULL};

/* Work out which type 24 part an object is: from "partno" (ours), "part"
 * (gpsd split24 mode), or else from the fields present.  Also flags objects
 * that merge part A and part B fields. */
static void classify_type24(Record *r) {
    json_t *pn = json_object_get(r->obj, "partno");
    json_t *pl = json_object_get(r->obj, "part");
    bool has_a = json_object_get(r->obj, "shipname") != NULL;
    bool has_b = false;
    for (int i = 0; type24_b_fields[i]; i++)
        if (json_object_get(r->obj, type24_b_fields[i]))
            has_b = true;

    r->part = -1;
    r->merged24 = false;
    if (json_is_integer(pn)) {
        json_int_t v = json_integer_value(pn);
        r->part = (v >= 0 && v <= 3) ? (int)v : 4; /* 4: out of range */
    } else if (json_is_string(pl)) {
        const char *s = json_string_value(pl);
        r->part = strcmp(s, "A") == 0 ? 0 : strcmp(s, "B") == 0 ? 1 : -1;
    } else if (has_b) {
        r->part = 1;
        r->merged24 = has_a;
    } else if (has_a) {
        r->part = 0;
    }
}

static int g_load_errors = 0;

/* Report an input problem that counts as a comparison error. */
static void load_error(const Stream *st, long line, const char *what) {
    printf("%s:%ld: %s\n", st->base, line, what);
    g_load_errors++;
}

/* Read every AIS object from PATH into ST. */
static void load_stream(Stream *st, const char *path, bool is_gpsd) {
    FILE *fp = fopen(path, "r");
    if (!fp)
        die("cannot open %s: %s", path, strerror(errno));
    st->path = path;
    st->base = base_name(path);
    st->is_gpsd = is_gpsd;

    char *buf = NULL;
    size_t bufsz = 0;
    ssize_t len;
    long lineno = 0;
    long ordinal = 0;
    while ((len = getline(&buf, &bufsz, fp)) != -1) {
        lineno++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        const char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            continue;
        if (*p != '{') {
            if (!is_gpsd)
                load_error(st, lineno, "not a JSON object");
            continue;
        }
        json_error_t jerr;
        json_t *obj = json_loads(p, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj || !json_is_object(obj)) {
            char msg[300];
            snprintf(msg, sizeof msg, "invalid JSON: %s", obj ? "not an object" : jerr.text);
            load_error(st, lineno, msg);
            json_decref(obj);
            continue;
        }
        json_t *cls = json_object_get(obj, "class");
        if (!json_is_string(cls) || strcmp(json_string_value(cls), "AIS") != 0) {
            json_decref(obj);
            continue;
        }
        ordinal++;
        json_t *type = json_object_get(obj, "type");
        json_t *mmsi = json_object_get(obj, "mmsi");
        if (!json_is_integer(type) || !json_is_integer(mmsi)) {
            load_error(st, lineno, "AIS object without integer \"type\" and \"mmsi\"");
            json_decref(obj);
            continue;
        }
        if (st->n == st->cap) {
            st->cap = st->cap ? 2 * st->cap : 256;
            st->v = xrealloc(st->v, st->cap * sizeof *st->v);
        }
        Record *r = &st->v[st->n++];
        memset(r, 0, sizeof *r);
        r->obj = obj;
        r->line = lineno;
        r->ordinal = ordinal;
        r->type = json_integer_value(type);
        r->mmsi = json_integer_value(mmsi);
        r->part = -1;
        r->partner = -1;
        if (r->type == 24)
            classify_type24(r);
        if (!scan_numbers(p, &r->nums))
            load_error(st, lineno, "number scanner could not follow this line");
    }
    if (ferror(fp))
        die("error reading %s: %s", path, strerror(errno));
    free(buf);
    fclose(fp);
}

/* Release every record of a stream. */
static void free_stream(Stream *st) {
    for (size_t i = 0; i < st->n; i++) {
        json_decref(st->v[i].obj);
        numtexts_free(&st->v[i].nums);
    }
    free(st->v);
}

/* Alignment key equality: type, mmsi and (for type 24) part. */
static bool same_key(const Record *a, const Record *b) {
    return a->type == b->type && a->mmsi == b->mmsi && a->part == b->part;
}

/* ------------------------------------------------------------------------ */
/* Deviations file: rules and explicit per-record deviations                */
/* ------------------------------------------------------------------------ */

enum { RULE_R1, RULE_R2, RULE_R2U, RULE_R3, RULE_COUNT };

typedef struct {
    const char *id; /* as written in the deviations file */
    const char *name;
    bool enabled;
    char *reason;
    long applied;
    Tally detail;
} Rule;

static Rule g_rules[RULE_COUNT] = {
    {"R1", "sentinel", false, NULL, 0, {0}},
    {"R2", "type24-merge", false, NULL, 0, {0}},
    {"R2U", "type24-unpaired", false, NULL, 0, {0}},
    {"R3", "binary-payload", false, NULL, 0, {0}},
};

typedef enum { W_LINE, W_REC, W_OURS, W_MMSI } WhereKind;
typedef enum { D_MISSING, D_EXTRA, D_FIELD } DevKind;

typedef struct {
    char *file; /* basename of the gpsd .chk file */
    WhereKind where;
    long long *vals;
    size_t nvals;
    DevKind kind;
    char *field; /* D_FIELD: field name or path, "*" for any */
    char *reason;
    long src_line; /* line in the deviations file */
    long used;
} Deviation;

static Deviation *g_devs = NULL;
static size_t g_ndevs = 0;
static const char *g_dev_path = NULL;

/* Split LINE in place into whitespace-separated words; the remainder after
 * NWORDS words is returned in *REST (NULL if empty). */
static int split_words(char *line, char **words, int nwords, char **rest) {
    int n = 0;
    char *p = line;
    *rest = NULL;
    while (n < nwords) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            return n;
        words[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    while (*p && isspace((unsigned char)*p))
        p++;
    if (*p) {
        char *end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        *rest = p;
    }
    return n;
}

/* Parse a comma-separated list of non-negative integers. */
static bool parse_list(const char *s, long long **vals, size_t *n) {
    *vals = NULL;
    *n = 0;
    while (*s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || v < 0 || (*end && *end != ','))
            return false;
        *vals = xrealloc(*vals, (*n + 1) * sizeof **vals);
        (*vals)[(*n)++] = v;
        s = *end ? end + 1 : end;
        if (*end == ',' && !*s)
            return false;
    }
    return *n > 0;
}

/* Load the deviations file (format documented in tests/peers/deviations.txt). */
static void load_deviations(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp)
        die("cannot open deviations file %s: %s", path, strerror(errno));
    g_dev_path = path;
    char *buf = NULL;
    size_t bufsz = 0;
    long lineno = 0;
    while (getline(&buf, &bufsz, fp) != -1) {
        lineno++;
        char *p = buf;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *w[5], *rest;
        int n = split_words(p, w, 1, &rest);
        if (n < 1)
            continue;
        if (strcmp(w[0], "rule") == 0) {
            if (!rest || split_words(rest, w + 1, 2, &rest) < 2 || !rest)
                die("%s:%ld: expected 'rule ID NAME REASON'", path, lineno);
            int k;
            for (k = 0; k < RULE_COUNT; k++)
                if (strcmp(g_rules[k].id, w[1]) == 0)
                    break;
            if (k == RULE_COUNT)
                die("%s:%ld: unknown rule id '%s' (known: R1 R2 R2U R3)", path, lineno, w[1]);
            if (strcmp(g_rules[k].name, w[2]) != 0)
                die("%s:%ld: rule %s is named '%s', not '%s'", path, lineno, w[1], g_rules[k].name, w[2]);
            if (g_rules[k].enabled)
                die("%s:%ld: rule %s listed twice", path, lineno, w[1]);
            g_rules[k].enabled = true;
            g_rules[k].reason = xstrdup(rest);
        } else if (strcmp(w[0], "dev") == 0) {
            if (!rest || split_words(rest, w + 1, 3, &rest) < 3 || !rest)
                die("%s:%ld: expected 'dev FILE WHERE WHAT REASON'", path, lineno);
            Deviation d;
            memset(&d, 0, sizeof d);
            d.src_line = lineno;
            char *eq = strchr(w[2], '=');
            if (!eq)
                die("%s:%ld: WHERE must be line=, rec=, ours= or mmsi=", path, lineno);
            *eq = '\0';
            if (strcmp(w[2], "line") == 0)
                d.where = W_LINE;
            else if (strcmp(w[2], "rec") == 0)
                d.where = W_REC;
            else if (strcmp(w[2], "ours") == 0)
                d.where = W_OURS;
            else if (strcmp(w[2], "mmsi") == 0)
                d.where = W_MMSI;
            else
                die("%s:%ld: unknown WHERE '%s'", path, lineno, w[2]);
            if (!parse_list(eq + 1, &d.vals, &d.nvals))
                die("%s:%ld: bad number list '%s'", path, lineno, eq + 1);
            if (strcmp(w[3], "missing") == 0) {
                d.kind = D_MISSING;
                if (d.where == W_OURS)
                    die("%s:%ld: 'missing' records are located by line=, rec= or mmsi=", path, lineno);
            } else if (strcmp(w[3], "extra") == 0) {
                d.kind = D_EXTRA;
                if (d.where == W_LINE || d.where == W_REC)
                    die("%s:%ld: 'extra' records are located by ours= or mmsi=", path, lineno);
            } else if (strncmp(w[3], "field=", 6) == 0 && w[3][6]) {
                d.kind = D_FIELD;
                d.field = xstrdup(w[3] + 6);
            } else {
                die("%s:%ld: WHAT must be missing, extra or field=NAME", path, lineno);
            }
            d.file = xstrdup(w[1]);
            d.reason = xstrdup(rest);
            g_devs = xrealloc(g_devs, (g_ndevs + 1) * sizeof *g_devs);
            g_devs[g_ndevs++] = d;
        } else {
            die("%s:%ld: unknown directive '%s' (expected rule or dev)", path, lineno, w[0]);
        }
    }
    free(buf);
    fclose(fp);
}

/* True if V is in the deviation's value list. */
static bool dev_has(const Deviation *d, long long v) {
    for (size_t i = 0; i < d->nvals; i++)
        if (d->vals[i] == v)
            return true;
    return false;
}

/* True if a field deviation naming DF covers the field path PATH: the same
 * path, "*", or the top-level name of PATH. */
static bool dev_field_covers(const char *df, const char *path) {
    if (strcmp(df, "*") == 0 || strcmp(df, path) == 0)
        return true;
    size_t n = strlen(df);
    return strncmp(df, path, n) == 0 && (path[n] == '.' || path[n] == '[');
}

static const char *g_gpsd_base = NULL;
static long g_dev_applied = 0;

/*
 * Look for an explicit deviation of KIND covering the gpsd record G and/or
 * our record O (either may be NULL) and FIELD (D_FIELD only).  Counts and
 * returns it, or returns NULL.
 */
static Deviation *dev_apply(DevKind kind, const Record *g, const Record *o, const char *field) {
    for (size_t i = 0; i < g_ndevs; i++) {
        Deviation *d = &g_devs[i];
        if (d->kind != kind || strcmp(d->file, g_gpsd_base) != 0)
            continue;
        bool hit = false;
        switch (d->where) {
        case W_LINE:
            hit = g && dev_has(d, g->line);
            break;
        case W_REC:
            hit = g && dev_has(d, g->ordinal);
            break;
        case W_OURS:
            hit = o && dev_has(d, o->line);
            break;
        case W_MMSI:
            hit = (g && dev_has(d, g->mmsi)) || (o && dev_has(d, o->mmsi));
            break;
        }
        if (!hit)
            continue;
        if (kind == D_FIELD && !dev_field_covers(d->field, field))
            continue;
        d->used++;
        g_dev_applied++;
        return d;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Alignment                                                                */
/* ------------------------------------------------------------------------ */

typedef enum { OP_MATCH, OP_GPSD_ONLY, OP_OURS_ONLY } OpKind;

typedef struct {
    OpKind kind;
    long g; /* gpsd record index, -1 if none */
    long o; /* our record index, -1 if none */
} Op;

typedef struct {
    Op *v;
    size_t n, cap;
} Ops;

/* Append one alignment step. */
static void ops_add(Ops *ops, OpKind kind, long g, long o) {
    if (ops->n == ops->cap) {
        ops->cap = ops->cap ? 2 * ops->cap : 256;
        ops->v = xrealloc(ops->v, ops->cap * sizeof *ops->v);
    }
    ops->v[ops->n++] = (Op){kind, g, o};
}

/*
 * Longest-common-subsequence alignment of the two key sequences.
 * L[i][j] is the LCS length of gpsd[i..] and ours[j..]; walking forward,
 * equal keys are always matched (that is optimal for LCS), otherwise the
 * side whose skip keeps the longer LCS is skipped.
 */
static void align_lcs(const Stream *g, const Stream *o, Ops *ops) {
    size_t n = g->n, m = o->n, w = m + 1;
    uint32_t *L = xrealloc(NULL, (n + 1) * w * sizeof *L);
    for (size_t j = 0; j <= m; j++)
        L[n * w + j] = 0;
    for (size_t i = n; i-- > 0;) {
        L[i * w + m] = 0;
        for (size_t j = m; j-- > 0;) {
            if (same_key(&g->v[i], &o->v[j]))
                L[i * w + j] = L[(i + 1) * w + j + 1] + 1;
            else {
                uint32_t a = L[(i + 1) * w + j], b = L[i * w + j + 1];
                L[i * w + j] = a > b ? a : b;
            }
        }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && same_key(&g->v[i], &o->v[j])) {
            ops_add(ops, OP_MATCH, (long)i++, (long)j++);
        } else if (j < m && (i == n || L[i * w + j + 1] >= L[(i + 1) * w + j])) {
            ops_add(ops, OP_OURS_ONLY, -1, (long)j++);
        } else {
            ops_add(ops, OP_GPSD_ONLY, (long)i++, -1);
        }
    }
    free(L);
}

/* Fallback for very large inputs: match each gpsd record with the next
 * record of ours that has the same key within GREEDY_WINDOW records. */
static void align_greedy(const Stream *g, const Stream *o, Ops *ops) {
    size_t j = 0;
    for (size_t i = 0; i < g->n; i++) {
        size_t k, lim = j + GREEDY_WINDOW < o->n ? j + GREEDY_WINDOW : o->n;
        for (k = j; k < lim; k++)
            if (same_key(&g->v[i], &o->v[k]))
                break;
        if (k == lim) {
            ops_add(ops, OP_GPSD_ONLY, (long)i, -1);
            continue;
        }
        for (; j < k; j++)
            ops_add(ops, OP_OURS_ONLY, -1, (long)j);
        ops_add(ops, OP_MATCH, (long)i, (long)k);
        j = k + 1;
    }
    for (; j < o->n; j++)
        ops_add(ops, OP_OURS_ONLY, -1, (long)j);
}

/*
 * R2: for each gpsd merged type 24 object matched with our part B, find the
 * nearest earlier unmatched part A of ours with the same MMSI and remember it
 * as the partner, so the comparison uses the union of both parts.
 */
static void pair_type24(const Stream *g, Stream *o, const Ops *ops) {
    if (!g_rules[RULE_R2].enabled)
        return;
    for (size_t k = 0; k < ops->n; k++) {
        const Op *op = &ops->v[k];
        if (op->kind != OP_MATCH)
            continue;
        const Record *gr = &g->v[op->g];
        Record *orr = &o->v[op->o];
        if (gr->type != 24 || !gr->merged24 || orr->part != 1)
            continue;
        for (size_t b = k; b-- > 0;) {
            const Op *prev = &ops->v[b];
            if (prev->kind != OP_OURS_ONLY)
                continue;
            Record *cand = &o->v[prev->o];
            if (cand->type == 24 && cand->part == 0 && cand->mmsi == orr->mmsi && !cand->consumed) {
                cand->consumed = true;
                orr->partner = prev->o;
                break;
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Comparison                                                               */
/* ------------------------------------------------------------------------ */

static long g_errors = 0;
static long g_records_compared = 0;
static long g_fields_compared = 0;

/* Format value V for a message; numbers as written in the input. */
static void fmt_value(const json_t *v, const NumTexts *nums, const char *path, char *out, size_t outsz) {
    if (!v) {
        snprintf(out, outsz, "(absent)");
        return;
    }
    if (json_is_number(v)) {
        const char *t = numtexts_find(nums, path);
        if (t) {
            snprintf(out, outsz, "%s", t);
            return;
        }
    }
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s) {
        snprintf(out, outsz, "(unprintable)");
        return;
    }
    if (strlen(s) > VALUE_TEXT_MAX)
        snprintf(out, outsz, "%.*s...", VALUE_TEXT_MAX, s);
    else
        snprintf(out, outsz, "%s", s);
    free(s);
}

/* The comparison context of one record pair. */
typedef struct {
    const Record *g;  /* gpsd record */
    const Record *o;  /* our record (part B when merged) */
    const Record *oa; /* our part A merged in by R2, or NULL */
} Pair;

/* Report a field error unless an explicit deviation covers it. */
static void field_error(const Pair *pr, const char *path, json_t *ov, const NumTexts *onums, json_t *gv,
                        const char *note) {
    if (dev_apply(D_FIELD, pr->g, pr->o, path) || (pr->oa && dev_apply(D_FIELD, NULL, pr->oa, path)))
        return;
    char ob[VALUE_TEXT_MAX + 16], gb[VALUE_TEXT_MAX + 16];
    fmt_value(ov, onums, path, ob, sizeof ob);
    fmt_value(gv, &pr->g->nums, path, gb, sizeof gb);
    printf("%s:record %ld type %lld mmsi %lld field %s: ours %s gpsd %s%s [gpsd line %ld, ours line %ld]\n",
           g_gpsd_base, pr->g->ordinal, pr->g->type, pr->g->mmsi, path, ob, gb, note ? note : "", pr->g->line,
           pr->o->line);
    g_errors++;
}

/* 10 raised to the integer power E (no libm needed). */
static double pow10i(long e) {
    double r = 1.0;
    for (long i = 0; i < (e < 0 ? -e : e) && i < 400; i++)
        r *= 10.0;
    return e < 0 ? 1.0 / r : r;
}

/* Absolute difference of two doubles. */
static double absdiff(double a, double b) {
    return a > b ? a - b : b - a;
}

/* Tolerance for a gpsd real printed as TEXT: half a unit in the last
 * printed place, plus 1e-9. */
static double real_tolerance(const char *text) {
    if (!text)
        return 1e-9;
    const char *e = strpbrk(text, "eE");
    const char *end = e ? e : text + strlen(text);
    const char *dot = memchr(text, '.', (size_t)(end - text));
    long decimals = dot ? (long)(end - dot - 1) : 0;
    long exponent = e ? strtol(e + 1, NULL, 10) : 0;
    return 0.5 * pow10i(exponent - decimals) + 1e-9;
}

static void compare_value(const Pair *pr, const char *path, json_t *ov, const NumTexts *onums, json_t *gv);

/* Compare two JSON objects member by member (nested objects only). */
static void compare_object(const Pair *pr, const char *path, json_t *ov, const NumTexts *onums, json_t *gv) {
    const char *key;
    json_t *v;
    char sub[MAX_PATH_LEN];
    json_object_foreach(gv, key, v) {
        snprintf(sub, sizeof sub, "%s.%s", path, key);
        compare_value(pr, sub, json_object_get(ov, key), onums, v);
    }
    json_object_foreach(ov, key, v) {
        if (json_object_get(gv, key))
            continue;
        snprintf(sub, sizeof sub, "%s.%s", path, key);
        field_error(pr, sub, v, onums, NULL, " (extra field)");
    }
}

/* Compare our value OV with gpsd's GV at PATH, reporting any difference. */
static void compare_value(const Pair *pr, const char *path, json_t *ov, const NumTexts *onums, json_t *gv) {
    if (!ov) {
        field_error(pr, path, NULL, onums, gv, NULL);
        return;
    }
    bool ok = false;
    const char *note = NULL;
    switch (json_typeof(gv)) {
    case JSON_STRING:
        ok = json_is_string(ov) && strcmp(json_string_value(ov), json_string_value(gv)) == 0;
        break;
    case JSON_INTEGER:
        ok = json_is_integer(ov) && json_integer_value(ov) == json_integer_value(gv);
        if (json_is_real(ov))
            note = " (real where gpsd has an integer)";
        break;
    case JSON_REAL:
        if (json_is_real(ov)) {
            double tol = real_tolerance(numtexts_find(&pr->g->nums, path));
            ok = absdiff(json_real_value(ov), json_real_value(gv)) <= tol;
        } else if (json_is_integer(ov)) {
            note = " (integer where gpsd has a real)";
        }
        break;
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
        ok = json_typeof(ov) == json_typeof(gv);
        break;
    case JSON_ARRAY:
        if (json_is_array(ov)) {
            size_t gn = json_array_size(gv), on = json_array_size(ov);
            char sub[MAX_PATH_LEN];
            if (gn != on && !dev_apply(D_FIELD, pr->g, pr->o, path)) {
                printf("%s:record %ld type %lld mmsi %lld field %s: ours %zu elements gpsd %zu elements [gpsd line "
                       "%ld, ours line %ld]\n",
                       g_gpsd_base, pr->g->ordinal, pr->g->type, pr->g->mmsi, path, on, gn, pr->g->line, pr->o->line);
                g_errors++;
            }
            for (size_t i = 0; i < gn && i < on; i++) {
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                compare_value(pr, sub, json_array_get(ov, i), onums, json_array_get(gv, i));
            }
            return;
        }
        break;
    case JSON_OBJECT:
        if (json_is_object(ov)) {
            compare_object(pr, path, ov, onums, gv);
            return;
        }
        break;
    }
    if (!ok)
        field_error(pr, path, ov, onums, gv, note);
}

/* R1: the "not available" value of FIELD for message TYPE, in scaled or
 * unscaled form.  Returns false if the field has no sentinel in R1. */
static bool sentinel_value(long long type, bool scaled, const char *field, double *out) {
    bool pos = (type >= 1 && type <= 3) || type == 4 || type == 9 || type == 11 || type == 17 || type == 18 ||
               type == 19 || type == 21 || type == 27;
    bool tenth_min = (type == 17 || type == 27); /* positions in 1/10 minute */
    bool motion = (type >= 1 && type <= 3) || type == 18 || type == 19;

    if (pos && strcmp(field, "lat") == 0) {
        *out = scaled ? 91.0 : tenth_min ? 54600.0 : 54600000.0;
        return true;
    }
    if (pos && strcmp(field, "lon") == 0) {
        *out = scaled ? 181.0 : tenth_min ? 108600.0 : 108600000.0;
        return true;
    }
    if (strcmp(field, "speed") == 0) {
        if (type == 27) {
            *out = 63.0;
            return true;
        }
        if (type == 9) {
            *out = 1023.0;
            return true;
        }
        if (motion) {
            *out = scaled ? 102.3 : 1023.0;
            return true;
        }
    }
    if (strcmp(field, "course") == 0) {
        if (type == 27) {
            *out = 511.0;
            return true;
        }
        if (motion || type == 9) {
            *out = scaled ? 360.0 : 3600.0;
            return true;
        }
    }
    if (strcmp(field, "heading") == 0 && motion) {
        *out = 511.0;
        return true;
    }
    return false;
}

/* R1: true if gpsd's value GV of top-level FIELD is that field's sentinel. */
static bool is_sentinel(const Record *g, const char *field, const json_t *gv) {
    if (!json_is_number(gv))
        return false;
    bool scaled = json_is_true(json_object_get(g->obj, "scaled"));
    double s;
    if (!sentinel_value(g->type, scaled, field, &s))
        return false;
    double tol = json_is_real(gv) ? real_tolerance(numtexts_find(&g->nums, field)) : 1e-9;
    return absdiff(json_number_value(gv), s) <= tol;
}

/* R3: header fields still compared for a decoded type 6/8 payload. */
static bool is_binary_header(const char *key) {
    static const char *const hdr[] = {"class",     "type",       "repeat", "mmsi", "seqno",
                                      "dest_mmsi", "retransmit", "dac",    "fid",  NULL};
    for (int i = 0; hdr[i]; i++)
        if (strcmp(hdr[i], key) == 0)
            return true;
    return false;
}

/* Keys ignored on both sides. */
static bool is_ignored_key(const char *key) {
    return strcmp(key, "device") == 0 || strcmp(key, "scaled") == 0;
}

/* Count one application of rule K with detail text DETAIL. */
static void rule_count(int k, const char *detail) {
    g_rules[k].applied++;
    tally_add(&g_rules[k].detail, detail);
}

/* Look up KEY in our record, falling back to the merged part A. */
static json_t *ours_get(const Pair *pr, const char *key, const NumTexts **nums) {
    json_t *v = json_object_get(pr->o->obj, key);
    *nums = &pr->o->nums;
    if (!v && pr->oa) {
        v = json_object_get(pr->oa->obj, key);
        *nums = &pr->oa->nums;
    }
    return v;
}

/* Compare one aligned record pair (with optional R2 part A). */
static void compare_pair(const Pair *pr) {
    const Record *g = pr->g;
    bool r3 = false;
    g_records_compared++;

    if ((g->type == 6 || g->type == 8) && g_rules[RULE_R3].enabled && !json_object_get(g->obj, "data")) {
        char d[96];
        snprintf(d, sizeof d, "type %lld dac %lld fid %lld", g->type,
                 json_integer_value(json_object_get(g->obj, "dac")),
                 json_integer_value(json_object_get(g->obj, "fid")));
        rule_count(RULE_R3, d);
        r3 = true;
    }

    const char *key;
    json_t *gv;
    json_object_foreach(g->obj, key, gv) {
        if (is_ignored_key(key) || (r3 && !is_binary_header(key)))
            continue;
        const NumTexts *onums;
        json_t *ov = ours_get(pr, key, &onums);
        if (!ov && g_rules[RULE_R1].enabled && is_sentinel(g, key, gv)) {
            rule_count(RULE_R1, key);
            continue;
        }
        g_fields_compared++;
        compare_value(pr, key, ov, onums, gv);
    }

    /* Fields only we print. */
    bool partno_allowed = false;
    const Record *sides[2] = {pr->o, pr->oa};
    for (int s = 0; s < 2; s++) {
        if (!sides[s])
            continue;
        json_t *ov;
        json_object_foreach(sides[s]->obj, key, ov) {
            if (is_ignored_key(key) || json_object_get(g->obj, key))
                continue;
            if (s == 1 && json_object_get(pr->o->obj, key))
                continue; /* already seen in part B */
            if (r3 && !is_binary_header(key))
                continue;
            if (strcmp(key, "partno") == 0 && g->type == 24 && g_rules[RULE_R2].enabled) {
                partno_allowed = true;
                continue;
            }
            Pair one = *pr;
            one.o = sides[s];
            one.oa = NULL;
            field_error(&one, key, ov, &sides[s]->nums, NULL, " (extra field)");
        }
    }
    /* R2 is counted once per gpsd type 24 object it was needed for. */
    if (pr->oa)
        rule_count(RULE_R2, "merged object vs our part A + part B");
    else if (partno_allowed)
        rule_count(RULE_R2, "single part, partno allowed");
}

/* Report a gpsd record we did not print (unless a deviation allows it). */
static void report_gpsd_only(const Record *g) {
    if (dev_apply(D_MISSING, g, NULL, NULL))
        return;
    printf("%s:record %ld type %lld mmsi %lld: record missing from ours [gpsd line %ld]\n", g_gpsd_base, g->ordinal,
           g->type, g->mmsi, g->line);
    g_errors++;
}

/* Report a record of ours that gpsd did not print (unless R2U or a
 * deviation allows it). */
static void report_ours_only(const Stream *o, const Record *r) {
    if (r->consumed)
        return; /* part A merged into a later part B by R2 */
    if (r->type == 24 && (r->part == 0 || r->part == 1) && g_rules[RULE_R2U].enabled) {
        rule_count(RULE_R2U, r->part == 0 ? "part A" : "part B");
        return;
    }
    if (dev_apply(D_EXTRA, NULL, r, NULL))
        return;
    printf("%s:ours record %ld type %lld mmsi %lld: record not in gpsd [ours %s line %ld]\n", g_gpsd_base, r->ordinal,
           r->type, r->mmsi, o->base, r->line);
    g_errors++;
}

/* Print the per-rule and per-deviation summary. */
static void print_summary(void) {
    for (int k = 0; k < RULE_COUNT; k++) {
        const Rule *r = &g_rules[k];
        if (!r->enabled) {
            printf("rule %s %s: disabled (not in deviations file)\n", r->id, r->name);
            continue;
        }
        printf("rule %s %s: %ld applied", r->id, r->name, r->applied);
        if (r->detail.n) {
            printf(" (");
            tally_print(&r->detail);
            printf(")");
        }
        printf("\n");
    }
    long unused = 0;
    for (size_t i = 0; i < g_ndevs; i++) {
        const Deviation *d = &g_devs[i];
        if (strcmp(d->file, g_gpsd_base) != 0)
            continue;
        if (d->used)
            printf("deviation %s:%ld applied %ld time%s: %s\n", base_name(g_dev_path), d->src_line, d->used,
                   d->used == 1 ? "" : "s", d->reason);
        else
            unused++;
    }
    printf("explicit deviations: %ld applied", g_dev_applied);
    if (unused)
        printf(", %ld entr%s for %s never applied", unused, unused == 1 ? "y" : "ies", g_gpsd_base);
    printf("\n");
    for (size_t i = 0; i < g_ndevs; i++) {
        const Deviation *d = &g_devs[i];
        if (strcmp(d->file, g_gpsd_base) == 0 && !d->used)
            printf("warning: deviation %s:%ld never applied\n", base_name(g_dev_path), d->src_line);
    }
}

/* Print the usage line and exit with status 2. */
_Noreturn static void usage(void) {
    fprintf(stderr, "usage: peer_compare [--deviations FILE] [--max-lcs-cells N] OURS.jsonl GPSD.chk\n");
    exit(EXIT_USAGE);
}

/* Parse arguments, load inputs, align, compare, summarise. */
int main(int argc, char **argv) {
    const char *dev_path = NULL;
    const char *files[2];
    int nfiles = 0;
    unsigned long long max_cells = 25000000ULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--deviations") == 0 && i + 1 < argc) {
            dev_path = argv[++i];
        } else if (strcmp(argv[i], "--max-lcs-cells") == 0 && i + 1 < argc) {
            char *end;
            max_cells = strtoull(argv[++i], &end, 10);
            if (*end)
                usage();
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage();
        } else if (nfiles < 2) {
            files[nfiles++] = argv[i];
        } else {
            usage();
        }
    }
    if (nfiles != 2)
        usage();

    if (dev_path)
        load_deviations(dev_path);

    Stream ours, gpsd;
    memset(&ours, 0, sizeof ours);
    memset(&gpsd, 0, sizeof gpsd);
    load_stream(&ours, files[0], false);
    load_stream(&gpsd, files[1], true);
    g_gpsd_base = gpsd.base;

    Ops ops;
    memset(&ops, 0, sizeof ops);
    unsigned long long cells = (unsigned long long)(gpsd.n + 1) * (ours.n + 1);
    if (cells <= max_cells) {
        align_lcs(&gpsd, &ours, &ops);
    } else {
        printf("note: %zu x %zu records exceed --max-lcs-cells; using greedy alignment\n", gpsd.n, ours.n);
        align_greedy(&gpsd, &ours, &ops);
    }
    pair_type24(&gpsd, &ours, &ops);

    for (size_t k = 0; k < ops.n; k++) {
        const Op *op = &ops.v[k];
        if (op->kind == OP_MATCH) {
            const Record *orr = &ours.v[op->o];
            Pair pr = {&gpsd.v[op->g], orr, orr->partner >= 0 ? &ours.v[orr->partner] : NULL};
            compare_pair(&pr);
        } else if (op->kind == OP_GPSD_ONLY) {
            report_gpsd_only(&gpsd.v[op->g]);
        } else {
            report_ours_only(&ours, &ours.v[op->o]);
        }
    }

    g_errors += g_load_errors;
    print_summary();
    printf("peer_compare: %ld records compared, %ld fields compared, %ld errors\n", g_records_compared,
           g_fields_compared, g_errors);

    free(ops.v);
    free_stream(&ours);
    free_stream(&gpsd);
    for (size_t i = 0; i < g_ndevs; i++) {
        free(g_devs[i].file);
        free(g_devs[i].vals);
        free(g_devs[i].field);
        free(g_devs[i].reason);
    }
    free(g_devs);
    for (int k = 0; k < RULE_COUNT; k++) {
        free(g_rules[k].reason);
        tally_free(&g_rules[k].detail);
    }
    return g_errors ? EXIT_MISMATCH : EXIT_SUCCESS;
}
