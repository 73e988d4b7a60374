/*
 * wl_read.c -- pel_wl_read: reads sanctions list files and reports their
 * vessel entries.
 *
 * Every file is read whole into memory (lists are a few MB), its format
 * detected from the content (wl_detect), parsed into wl_item records, and
 * only when every file has been read and validated are the entries reported,
 * files in argument order and entries in file order.  A malformed file
 * (unbalanced quotes, wrong column count, invalid XML, a JSON line that does
 * not parse, an unknown format) is PEL_ERR_FORMAT naming the file and line,
 * and nothing at all is reported.
 *
 * Formats and the decisions taken:
 *  - OFAC legacy sdn.csv: 12 columns, no header, "-0- " is empty, Latin-1 /
 *    CP1252 converted to UTF-8 (a file that already is valid UTF-8 is kept),
 *    trailing Ctrl-Z skipped.  Only SDN_Type "vessel".  "NPWMD] [DPRK2"
 *    becomes "NPWMD; DPRK2".  Remarks clauses (';'-separated, "alt." prefix
 *    ignored): "Vessel Registration Identification IMO n" (also "Number IMO
 *    n", ent 47371's "Identification Number IMO n" and the bare 7-digit
 *    "Identification 8606173." of ent 17104 when it passes the check; bare
 *    numbers of other lengths, e.g. "15411 (Malta)", "RS 999999 (Russia)",
 *    are national registers and ignored), "MMSI n", "Former Vessel Flag X"
 *    ("None Identified" dropped), "a.k.a."/"n.k.a." aliases, "f.k.a." former
 *    names, "Linked To:" kept internally (wl_linked_to).
 *  - An IMO number that fails the ship check digit is never put in imo: it
 *    is counted (wl_stats.imo_rejected) and goes to imo_company when it
 *    passes the company rule, otherwise it is dropped.  (None in the 2024
 *    OFAC file.)
 *  - OFAC alt.csv (5 columns): aka/nka rows become aliases, fka rows former
 *    names of the sdn vessel with that ent_num, after the names of the
 *    Remarks, duplicates skipped; rows of any other ent_num are counted and
 *    ignored.  Alt files apply to the sdn files of the same call whatever
 *    the argument order; an alt file alone reports nothing.
 *  - UN consolidated XML: the UN list has no vessel type.  An ENTITY is a
 *    vessel when its COMMENTS1 gives, after "IMO", a 7-digit number that
 *    passes the ship check digit and fails the company rule and the text
 *    around it does not say "company".  Numbers that pass the company rule
 *    are company numbers (imo_company), never ship numbers; the 2024 file's
 *    16 (15 "IMO number: n" plus OMM's "(IMO) Number: 1790183", which passes
 *    both rules) all are, so it reports no vessel.  INDIVIDUALs never are.
 *  - OpenSanctions targets.simple.csv: columns found by header name (id,
 *    schema, name required); schema "Vessel" kept; aliases ';'-separated;
 *    identifiers ';'-separated, an optional "IMO" prefix removed: 7 digits
 *    passing the ship check -> imo, 9 digits -> mmsi, others ignored; flag =
 *    first of countries; program = sanctions; listed_on = first_seen's date.
 *  - FtM JSON lines: schema "Vessel"; name[0] the name, the other names and
 *    alias aliases, previousName former; imoNumber/mmsi as above; flag[0];
 *    pastFlags former flags; type[0]; callSign[0]; program = datasets joined
 *    with "; "; listed_on = first_seen's date.
 *  - Own CSV: header name,imo,mmsi,flag,program,source,listed_on; 7 fields a
 *    row; imo (optional "IMO" prefix) must pass the ship check and mmsi be 9
 *    digits, else the file is malformed (a typo would never match).  The
 *    source column is not the entry's source (that is the file): kept
 *    nowhere yet.
 *
 * Hostile input: UN XML is parsed without entity substitution, DTD loading
 * or network access, with libxml2's size limits on, and a document with a
 * DOCTYPE is refused before its declarations are read.  Names are
 * de-duplicated through a hash (wl_strv), so an entry's names import in
 * linear time.  Any failed allocation (c->oom, libxml2's error handlers)
 * fails the whole call with PEL_ERR_NOMEM: never an entry or field lost
 * with success (tests/unit_wl_oom.c).
 *
 * Limits: files are held in memory whole; CSV quoted fields may span lines
 * (the record's line is its first); one IMO and one MMSI per entry (the
 * first found).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "util/fail.h"
#include "util/textcsv.h"
#include "util/xsort.h"
#include "wl_internal.h"

/* ---- entries ------------------------------------------------------------ */

/* A list of distinct names in the order first seen.  From STRV_HASHED names
 * on, a hash table (open addressing, index + 1 per slot, at most half full)
 * finds duplicates, so adding n names is linear, not quadratic (an OFAC
 * entry may carry 100,000 aliases). */
typedef struct wl_strv {
    char **v;
    size_t n, cap;
    uint32_t *slot; /* NULL until n reaches STRV_HASHED */
    size_t nslot;   /* a power of two */
} wl_strv;

#define STRV_HASHED 16

typedef struct wl_item {
    pel_wl_entry e; /* first: wl_callsign casts back */
    char *entry_id, *name, *flag, *program, *listed_on, *vessel_type, *callsign, *linked_to;
    size_t program_len, program_cap, linked_len, linked_cap; /* for append_joined */
    wl_strv aliases, former, former_flags;
    bool is_sdn;
} wl_item;

typedef struct wl_alt {
    char *ent, *name;
    bool former;
    const char *source;
    uint64_t line;
} wl_alt;

typedef struct wl_ctx {
    wl_item **items;
    size_t nitems, capitems;
    wl_alt *alts;
    size_t nalts, capalts;
    wl_stats *st;
    pel_error *err;
    const char *path;
    bool oom; /* an allocation failed: the call fails, whatever was read */
} wl_ctx;

static pel_status fail(wl_ctx *c, pel_status code, uint64_t line, const char *fmt, ...) {
    if (c->oom && code != PEL_ERR_NOMEM) { /* what went wrong after an allocation failed: that failure */
        code = PEL_ERR_NOMEM;
        line = 0;
        fmt = "out of memory";
    }
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line)
        return pel_fail(c->err, code, "%s: line %llu: %s", c->path, (unsigned long long)line, what);
    return pel_fail(c->err, code, "%s: %s", c->path, what);
}

static pel_status nomem(wl_ctx *c) {
    return fail(c, PEL_ERR_NOMEM, 0, "out of memory");
}

static char *dupn(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* dupn that marks the call failed (c->oom) when out of memory. */
static char *cdupn(wl_ctx *c, const char *s, size_t n) {
    char *d = dupn(s, n);
    if (!d)
        c->oom = true;
    return d;
}

/* s trimmed of spaces; NULL when empty or NULL, or out of memory (then
 * c->oom is set). */
static char *dup_trim(wl_ctx *c, const char *s) {
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n ? cdupn(c, s, n) : NULL;
}

static uint64_t strv_hash(const char *s) { /* FNV-1a */
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot of s in v's table: the one holding it, or the empty one where it
 * would go. */
static uint32_t *strv_slot(const wl_strv *v, const char *s) {
    size_t mask = v->nslot - 1, i = (size_t)strv_hash(s) & mask;
    while (v->slot[i] && strcmp(v->v[v->slot[i] - 1], s) != 0)
        i = (i + 1) & mask;
    return &v->slot[i];
}

/* Rebuilds v's table with room for twice its names; false when out of
 * memory (v unchanged). */
static bool strv_rehash(wl_strv *v) {
    size_t ns = 64;
    while (ns < 4 * (v->n + 1))
        ns *= 2;
    uint32_t *t = calloc(ns, sizeof *t);
    if (!t)
        return false;
    free(v->slot);
    v->slot = t;
    v->nslot = ns;
    for (size_t i = 0; i < v->n; i++)
        *strv_slot(v, v->v[i]) = (uint32_t)(i + 1);
    return true;
}

static bool strv_has(const wl_strv *v, const char *s) {
    if (v->slot)
        return *strv_slot(v, s) != 0;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

/* Adds a copy of s[0..n) trimmed (nothing when empty or already there). */
static bool strv_addn(wl_strv *v, const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return true;
    char *d = dupn(s, n);
    if (!d)
        return false;
    if (strv_has(v, d)) {
        free(d);
        return true;
    }
    if (v->n >= UINT32_MAX - 1) { /* the table's indices are 32-bit */
        free(d);
        return false;
    }
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4;
        char **nv = realloc(v->v, nc * sizeof *nv);
        if (!nv) {
            free(d);
            return false;
        }
        v->v = nv;
        v->cap = nc;
    }
    if ((v->slot || v->n + 1 >= STRV_HASHED) && 2 * (v->n + 1) > v->nslot && !strv_rehash(v)) {
        free(d);
        return false;
    }
    v->v[v->n++] = d;
    if (v->slot)
        *strv_slot(v, d) = (uint32_t)v->n;
    return true;
}

static bool strv_add(wl_strv *v, const char *s) {
    return s ? strv_addn(v, s, strlen(s)) : true;
}

/* Adds the sep-separated parts of s. */
static bool strv_split(wl_strv *v, const char *s, char sep) {
    while (s && *s) {
        const char *e = strchr(s, sep);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (!strv_addn(v, s, n))
            return false;
        s = e ? e + 1 : NULL;
    }
    return true;
}

static void strv_free(wl_strv *v) {
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    free(v->slot);
}

static void item_free(wl_item *it) {
    if (!it)
        return;
    free(it->entry_id);
    free(it->name);
    free(it->flag);
    free(it->program);
    free(it->listed_on);
    free(it->vessel_type);
    free(it->callsign);
    free(it->linked_to);
    strv_free(&it->aliases);
    strv_free(&it->former);
    strv_free(&it->former_flags);
    free(it);
}

static wl_item *item_new(wl_ctx *c, const char *list, uint64_t line) {
    if (c->nitems == c->capitems) {
        size_t nc = c->capitems ? c->capitems * 2 : 64;
        wl_item **nv = realloc(c->items, nc * sizeof *nv);
        if (!nv)
            return NULL;
        c->items = nv;
        c->capitems = nc;
    }
    wl_item *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->e.list = list;
    it->e.source = c->path;
    it->e.line = line;
    c->items[c->nitems++] = it;
    return it;
}

/* ---- identifiers -------------------------------------------------------- */

bool wl_imo_company_valid(uint32_t n) {
    static const unsigned w[6] = {8, 6, 4, 2, 9, 7};
    if (n < 1000000 || n > 9999999)
        return false;
    unsigned sum = 0, div = 1000000;
    for (int i = 0; i < 6; i++, div /= 10)
        sum += (n / div % 10) * w[i];
    return (11 - sum % 11) % 10 == n % 10;
}

/* An IMO number n read where a ship number is expected. */
static void put_imo(wl_ctx *c, wl_item *it, uint32_t n) {
    if (pel_imo_valid(n)) {
        if (!it->e.imo)
            it->e.imo = n;
        return;
    }
    c->st->imo_rejected++;
    if (wl_imo_company_valid(n) && !it->e.imo_company)
        it->e.imo_company = n;
}

/* Exactly ndig digits at s (not followed by another digit) -> *out. */
static bool digits_at(const char *s, int ndig, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < ndig; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (isdigit((unsigned char)s[ndig]))
        return false;
    *out = v;
    return true;
}

/* An identifier value: optional "IMO" prefix, then only digits. */
static int ident_digits(const char *s, size_t n, uint32_t *out, bool *had_imo) {
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    *had_imo = false;
    if (n >= 3 && strncasecmp(s, "IMO", 3) == 0) {
        *had_imo = true;
        s += 3, n -= 3;
        while (n && (*s == ' ' || *s == ':' || *s == '-'))
            s++, n--;
    }
    if (n == 0 || n > 9)
        return 0;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return (int)n;
}

/* OpenSanctions identifiers / FtM imoNumber and mmsi values. */
static void put_ident(wl_ctx *c, wl_item *it, const char *s, size_t n) {
    uint32_t v;
    bool imo;
    int nd = ident_digits(s, n, &v, &imo);
    if (nd == 7 && (imo || pel_imo_valid(v)))
        put_imo(c, it, v);
    else if (nd == 9 && !imo && !it->e.mmsi)
        it->e.mmsi = v;
}

/* ---- files and text ----------------------------------------------------- */

static pel_status slurp(wl_ctx *c, char **data, size_t *len) {
    FILE *f = fopen(c->path, "rb");
    if (!f)
        return fail(c, PEL_ERR_IO, 0, "%s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *nb = realloc(b, cap * 2 + 1);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    bool bad = b && ferror(f);
    int e = errno;
    fclose(f);
    if (!b)
        return nomem(c);
    if (bad) {
        free(b);
        return fail(c, PEL_ERR_IO, 0, "%s", strerror(e));
    }
    b[n] = 0;
    *data = b;
    *len = n;
    return PEL_OK;
}

static bool utf8_valid(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t k = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 9;
        if (k == 9 || (k == 1 && b < 0xC2) || i + k >= n + (k ? 0 : 1))
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

/* CP1252 (Latin-1 with 0x80-0x9F printable) to UTF-8; *data replaced. */
static bool latin1_to_utf8(char **data, size_t *len) {
    // clang-format off
    static const uint16_t cp1252[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    // clang-format on
    const unsigned char *s = (const unsigned char *)*data;
    char *o = malloc(*len * 3 + 1), *p = o;
    if (!o)
        return false;
    for (size_t i = 0; i < *len; i++) {
        unsigned u = s[i] >= 0x80 && s[i] < 0xA0 ? cp1252[s[i] - 0x80] : s[i];
        if (u < 0x80)
            *p++ = (char)u;
        else if (u < 0x800) {
            *p++ = (char)(0xC0 | u >> 6);
            *p++ = (char)(0x80 | (u & 0x3F));
        } else {
            *p++ = (char)(0xE0 | u >> 12);
            *p++ = (char)(0x80 | (u >> 6 & 0x3F));
            *p++ = (char)(0x80 | (u & 0x3F));
        }
    }
    *p = 0;
    free(*data);
    *data = o;
    *len = (size_t)(p - o);
    return true;
}

/* OFAC's "-0- " (and blanks) -> NULL, else a trimmed copy; *ok false on OOM. */
static char *ofac_val(wl_ctx *c, const char *s, bool *ok) {
    bool was = c->oom;
    c->oom = false;
    char *d = dup_trim(c, s);
    if (c->oom)
        *ok = false;
    c->oom |= was;
    if (d && strcmp(d, "-0-") == 0) {
        free(d);
        return NULL;
    }
    return d;
}

/* A tonnage as lists write it ("2595", "160,000", "1,865 GRT"): the
 * leading number with thousands separators, 0 when there is none or it is
 * absurd (over 10 million). */
static uint32_t tonnage_val(const char *s) {
    uint64_t v = 0;
    bool any = false;
    for (; s && (*s == ' ' || *s == '"'); s++)
        ;
    for (; s && *s; s++) {
        if (*s >= '0' && *s <= '9') {
            v = v * 10 + (uint64_t)(*s - '0');
            any = true;
            if (v > 10000000u)
                return 0;
        } else if (*s != ',' || !any)
            break;
    }
    return any ? (uint32_t)v : 0;
}

static bool all_digits(const char *s) {
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* ---- format detection --------------------------------------------------- */

pel_wl_format wl_detect(const char *data, size_t len, bool *oom) {
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p >= end)
        return PEL_WL_AUTO;
    if (*p == '<')
        return PEL_WL_UN_XML;
    if (*p == '{')
        return PEL_WL_OS_FTM;
    textcsv r;
    textcsv_init(&r, p, (size_t)(end - p));
    pel_wl_format f = PEL_WL_AUTO;
    int k = textcsv_next(&r);
    if (k < 0 && oom && !strcmp(r.why, "out of memory"))
        *oom = true;
    if (k == 1) {
        char a[3][16];
        for (int i = 0; i < 3; i++) { /* trimmed, in place (a header word is short) */
            const char *t = textcsv_get(&r, (size_t)i);
            while (*t == ' ' || *t == '\t')
                t++;
            size_t n = strlen(t);
            while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
                n--;
            snprintf(a[i], sizeof a[i], "%.*s", (int)(n < sizeof a[i] ? n : sizeof a[i] - 1), t);
        }
        if (!strcasecmp(a[0], "id") && !strcasecmp(a[1], "schema") && !strcasecmp(a[2], "name"))
            f = PEL_WL_OS_CSV;
        else if (!strcasecmp(a[0], "name") && !strcasecmp(a[1], "imo") && !strcasecmp(a[2], "mmsi"))
            f = PEL_WL_OWN_CSV;
        else if (all_digits(a[0]) && r.nf == 12)
            f = PEL_WL_OFAC_SDN;
        else if (all_digits(a[0]) && r.nf == 5)
            f = PEL_WL_OFAC_ALT;
    }
    textcsv_free(&r);
    return f;
}

/* A CSV file that could not be read: malformed, or out of memory. */
static pel_status csv_fail(wl_ctx *c, const textcsv *r) {
    if (!strcmp(r->why, "out of memory"))
        c->oom = true;
    return fail(c, PEL_ERR_FORMAT, r->err_line, "%s%s", strstr(r->why, "quote") ? "unbalanced quotes: " : "", r->why);
}

/* ---- OFAC sdn.csv ------------------------------------------------------- */

static bool starts(const char *s, const char *pre) {
    return strncasecmp(s, pre, strlen(pre)) == 0;
}

/* The name between the first and the last single quote of s. */
static bool add_quoted(wl_strv *v, const char *s) {
    const char *a = strchr(s, '\''), *b = strrchr(s, '\'');
    if (!a || b <= a + 1)
        return true;
    return strv_addn(v, a + 1, (size_t)(b - a - 1));
}

/* Appends "; " and s[0..n) to *dst (of *len bytes in *cap, both 0 when
 * *dst is NULL), growing it by doubling: linear in what is appended. */
static bool append_joined(char **dst, size_t *len, size_t *cap, const char *s, size_t n) {
    size_t old = *len, need = old + (old ? 2 : 0) + n + 1;
    if (need > *cap) {
        size_t nc = *cap ? *cap : 64;
        while (nc < need)
            nc *= 2;
        char *d = realloc(*dst, nc);
        if (!d)
            return false;
        *dst = d;
        *cap = nc;
    }
    char *d = *dst;
    if (old)
        memcpy(d + old, "; ", 2), old += 2;
    memcpy(d + old, s, n);
    d[old + n] = 0;
    *len = old + n;
    return true;
}

static bool ofac_remarks(wl_ctx *c, wl_item *it, const char *rem) {
    const char *s = rem;
    while (s && *s) {
        const char *e = strchr(s, ';');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char *cl = dupn(s, n);
        if (!cl)
            return false;
        char *t = cl;
        while (*t == ' ')
            t++;
        size_t tl = strlen(t);
        while (tl && (t[tl - 1] == ' ' || (!e && t[tl - 1] == '.')))
            t[--tl] = 0;
        if (starts(t, "alt. "))
            t += 5;
        bool ok = true;
        if (starts(t, "Vessel Registration Identification ") || starts(t, "Identification Number ")) {
            const char *v = t + (starts(t, "Vessel ") ? strlen("Vessel Registration ") : 0) + strlen("Identification ");
            if (starts(v, "Number "))
                v += 7;
            uint32_t num;
            if (starts(v, "IMO")) {
                v += 3;
                while (*v == ' ' || *v == ':')
                    v++;
                if (digits_at(v, 7, &num))
                    put_imo(c, it, num);
            } else if (digits_at(v, 7, &num) && (v[7] == 0 || v[7] == '.' || v[7] == ' ') && pel_imo_valid(num)) {
                put_imo(c, it, num); /* ent 17104: "Identification 8606173." */
            }
        } else if (starts(t, "MMSI ")) {
            uint32_t num;
            if (digits_at(t + 5, 9, &num) && !it->e.mmsi)
                it->e.mmsi = num;
        } else if (starts(t, "Former Vessel Flag ")) {
            const char *fl = t + strlen("Former Vessel Flag ");
            if (strcasecmp(fl, "None Identified") != 0)
                ok = strv_add(&it->former_flags, fl);
        } else if (starts(t, "f.k.a. ")) {
            ok = add_quoted(&it->former, t);
        } else if (starts(t, "a.k.a. ") || starts(t, "n.k.a. ")) {
            ok = add_quoted(&it->aliases, t);
        } else if (starts(t, "Linked To: ")) {
            const char *l = t + 11;
            ok = append_joined(&it->linked_to, &it->linked_len, &it->linked_cap, l, strlen(l));
        }
        free(cl);
        if (!ok)
            return false;
        s = e ? e + 1 : NULL;
    }
    return true;
}

/* "NPWMD] [DPRK2" -> "NPWMD; DPRK2" (in place; never longer). */
static void ofac_programs(char *s) {
    char *o = s;
    for (const char *p = s; *p;) {
        if (p[0] == ']' && p[1] == ' ' && p[2] == '[') {
            *o++ = ';', *o++ = ' ';
            p += 3;
        } else if (*p == '[' || *p == ']') {
            p++;
        } else
            *o++ = *p++;
    }
    *o = 0;
}

static pel_status read_ofac(wl_ctx *c, textcsv *r, bool alt) {
    int k;
    while ((k = textcsv_next(r)) == 1) {
        c->st->records++;
        size_t want = alt ? 5 : 12;
        if (r->nf != want)
            return fail(c, PEL_ERR_FORMAT, r->rec_line, "%zu columns, an OFAC %s has %zu", r->nf,
                        alt ? "alt.csv" : "sdn.csv", want);
        char *ent = dup_trim(c, textcsv_get(r, 0));
        if (!ent || !all_digits(ent)) {
            free(ent);
            return fail(c, PEL_ERR_FORMAT, r->rec_line, "ent_num is not a number");
        }
        bool ok = true;
        if (alt) {
            c->st->alt_rows++;
            char *type = ofac_val(c, textcsv_get(r, 2), &ok), *name = ofac_val(c, textcsv_get(r, 3), &ok);
            if (ok && type && name &&
                (!strcasecmp(type, "aka") || !strcasecmp(type, "fka") || !strcasecmp(type, "nka"))) {
                if (c->nalts == c->capalts) {
                    size_t nc = c->capalts ? c->capalts * 2 : 64;
                    wl_alt *na = realloc(c->alts, nc * sizeof *na);
                    if (!na)
                        ok = false;
                    else
                        c->alts = na, c->capalts = nc;
                }
                if (ok) {
                    c->alts[c->nalts++] = (wl_alt){ent, name, !strcasecmp(type, "fka"), c->path, r->rec_line};
                    ent = name = NULL;
                }
            }
            free(type);
            free(name);
            free(ent);
            if (!ok)
                return nomem(c);
            continue;
        }
        char *type = dup_trim(c, textcsv_get(r, 2));
        bool vessel = type && strcasecmp(type, "vessel") == 0;
        free(type);
        if (!vessel) {
            free(ent);
            continue;
        }
        wl_item *it = item_new(c, "ofac_sdn", r->rec_line);
        if (!it) {
            free(ent);
            return nomem(c);
        }
        it->is_sdn = true;
        it->entry_id = ent;
        it->name = ofac_val(c, textcsv_get(r, 1), &ok);
        it->program = ofac_val(c, textcsv_get(r, 3), &ok);
        if (it->program)
            ofac_programs(it->program);
        it->callsign = ofac_val(c, textcsv_get(r, 5), &ok);
        it->vessel_type = ofac_val(c, textcsv_get(r, 6), &ok);
        it->e.tonnage = tonnage_val(textcsv_get(r, 7));
        it->e.gross_tonnage = tonnage_val(textcsv_get(r, 8));
        it->flag = ofac_val(c, textcsv_get(r, 9), &ok);
        char *rem = ofac_val(c, textcsv_get(r, 11), &ok);
        if (ok && rem)
            ok = ofac_remarks(c, it, rem);
        free(rem);
        if (!ok)
            return nomem(c);
    }
    if (k < 0)
        return csv_fail(c, r);
    return PEL_OK;
}

/* ---- our own CSV and OpenSanctions targets.simple.csv ------------------- */

static pel_status read_own(wl_ctx *c, textcsv *r) {
    static const char *const cols[7] = {"name", "imo", "mmsi", "flag", "program", "source", "listed_on"};
    int k = textcsv_next(r); /* the header */
    if (k == 1) {
        bool good = r->nf == 7;
        for (size_t i = 0; good && i < 7; i++) {
            char *t = dup_trim(c, textcsv_get(r, i));
            good = t && !strcasecmp(t, cols[i]);
            free(t);
        }
        if (!good)
            return fail(c, PEL_ERR_FORMAT, r->rec_line, "header is not name,imo,mmsi,flag,program,source,listed_on");
    }
    while (k == 1 && (k = textcsv_next(r)) == 1) {
        c->st->records++;
        if (r->nf != 7)
            return fail(c, PEL_ERR_FORMAT, r->rec_line, "%zu fields, the header has 7", r->nf);
        wl_item *it = item_new(c, "own", r->rec_line);
        char idb[24];
        snprintf(idb, sizeof idb, "%llu", (unsigned long long)r->rec_line);
        if (!it || !(it->entry_id = strdup(idb)))
            return nomem(c);
        it->name = dup_trim(c, textcsv_get(r, 0));
        if (!it->name)
            return fail(c, PEL_ERR_FORMAT, r->rec_line, "no name");
        uint32_t v;
        bool imo;
        const char *f = textcsv_get(r, 1);
        int nd = ident_digits(f, strlen(f), &v, &imo);
        if (nd == 7 && pel_imo_valid(v))
            it->e.imo = v;
        else if (nd || *f)
            for (const char *q = f; *q; q++)
                if (!isspace((unsigned char)*q))
                    return fail(c, PEL_ERR_FORMAT, r->rec_line,
                                "imo \"%.20s\" is not a 7-digit IMO ship number with a valid check digit", f);
        f = textcsv_get(r, 2);
        nd = ident_digits(f, strlen(f), &v, &imo);
        if (nd == 9 && !imo)
            it->e.mmsi = v;
        else
            for (const char *q = f; *q; q++)
                if (!isspace((unsigned char)*q))
                    return fail(c, PEL_ERR_FORMAT, r->rec_line, "mmsi \"%.20s\" is not 9 digits", f);
        it->flag = dup_trim(c, textcsv_get(r, 3));
        it->program = dup_trim(c, textcsv_get(r, 4));
        it->listed_on = dup_trim(c, textcsv_get(r, 6));
    }
    if (k < 0)
        return csv_fail(c, r);
    return PEL_OK;
}

static pel_status read_os_csv(wl_ctx *c, textcsv *r) {
    enum { ID, SCHEMA, NAME, ALIASES, COUNTRIES, IDENTS, SANCTIONS, FIRST_SEEN, NCOL };
    static const char *const names[NCOL] = {"id",        "schema",      "name",      "aliases",
                                            "countries", "identifiers", "sanctions", "first_seen"};
    long col[NCOL];
    int k = textcsv_next(r);
    if (k < 0)
        return csv_fail(c, r);
    size_t ncols = r->nf;
    for (int j = 0; j < NCOL; j++) {
        col[j] = -1;
        for (size_t i = 0; i < r->nf; i++) {
            char *t = dup_trim(c, textcsv_get(r, i));
            bool eq = t && !strcasecmp(t, names[j]);
            free(t);
            if (eq) {
                col[j] = (long)i;
                break;
            }
        }
    }
    if (col[ID] < 0 || col[SCHEMA] < 0 || col[NAME] < 0)
        return fail(c, PEL_ERR_FORMAT, r->rec_line, "header lacks id, schema or name");
#define COL(j) (col[j] < 0 ? "" : textcsv_get(r, (size_t)col[j]))
    while ((k = textcsv_next(r)) == 1) {
        c->st->records++;
        if (r->nf != ncols)
            return fail(c, PEL_ERR_FORMAT, r->rec_line, "%zu fields, the header has %zu", r->nf, ncols);
        char *schema = dup_trim(c, COL(SCHEMA));
        bool vessel = schema && !strcmp(schema, "Vessel");
        free(schema);
        if (!vessel)
            continue;
        wl_item *it = item_new(c, "opensanctions", r->rec_line);
        if (!it)
            return nomem(c);
        it->entry_id = dup_trim(c, COL(ID));
        it->name = dup_trim(c, COL(NAME));
        it->program = dup_trim(c, COL(SANCTIONS));
        const char *fs = COL(FIRST_SEEN);
        it->listed_on = strlen(fs) >= 10 ? cdupn(c, fs, 10) : NULL;
        const char *co = COL(COUNTRIES), *semi = strchr(co, ';');
        it->flag = semi ? cdupn(c, co, (size_t)(semi - co)) : dup_trim(c, co);
        if (!strv_split(&it->aliases, COL(ALIASES), ';'))
            return nomem(c);
        for (const char *s = COL(IDENTS); s && *s;) {
            const char *e = strchr(s, ';');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            put_ident(c, it, s, n);
            s = e ? e + 1 : NULL;
        }
    }
#undef COL
    if (k < 0)
        return csv_fail(c, r);
    return PEL_OK;
}

/* ---- FollowTheMoney JSON lines ------------------------------------------ */

static const char *js_str(json_t *a, size_t i) {
    json_t *v = json_is_array(a) ? json_array_get(a, i) : (i == 0 ? a : NULL);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static size_t js_len(json_t *a) {
    return json_is_array(a) ? json_array_size(a) : json_is_string(a) ? 1 : 0;
}

static bool js_addall(wl_strv *v, json_t *a, size_t from) {
    for (size_t i = from; i < js_len(a); i++)
        if (!strv_add(v, js_str(a, i)))
            return false;
    return true;
}

static pel_status read_ftm(wl_ctx *c, const char *data, size_t len) {
    const char *p = data, *end = data + len;
    for (uint64_t line = 1; p < end; line++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
        const char *q = p;
        p = e ? e + 1 : end;
        while (n && isspace((unsigned char)q[n - 1]))
            n--;
        while (n && isspace((unsigned char)*q))
            q++, n--;
        if (!n)
            continue;
        c->st->records++;
        json_error_t je;
        json_t *o = json_loadb(q, n, JSON_REJECT_DUPLICATES, &je);
        if (!o || !json_is_object(o)) {
            json_decref(o);
            return fail(c, PEL_ERR_FORMAT, line, "not a JSON object: %s", o ? "another JSON value" : je.text);
        }
        const char *schema = json_string_value(json_object_get(o, "schema"));
        json_t *pr = json_object_get(o, "properties");
        if (!schema || strcmp(schema, "Vessel") != 0) {
            json_decref(o);
            continue;
        }
        if (pr && !json_is_object(pr)) {
            json_decref(o);
            return fail(c, PEL_ERR_FORMAT, line, "properties is not an object");
        }
        wl_item *it = item_new(c, "opensanctions", line);
        bool ok = it != NULL;
        if (ok) {
            const char *id = json_string_value(json_object_get(o, "id"));
            json_t *nm = json_object_get(pr, "name");
            it->entry_id = id ? cdupn(c, id, strlen(id)) : NULL;
            it->name = dup_trim(c, js_str(nm, 0));
            it->flag = dup_trim(c, js_str(json_object_get(pr, "flag"), 0));
            it->vessel_type = dup_trim(c, js_str(json_object_get(pr, "type"), 0));
            it->callsign = dup_trim(c, js_str(json_object_get(pr, "callSign"), 0));
            it->e.gross_tonnage = tonnage_val(js_str(json_object_get(pr, "grossRegisteredTonnage"), 0));
            it->e.tonnage = tonnage_val(js_str(json_object_get(pr, "tonnage"), 0));
            const char *fs = json_string_value(json_object_get(o, "first_seen"));
            it->listed_on = fs && strlen(fs) >= 10 ? cdupn(c, fs, 10) : NULL;
            ok = js_addall(&it->aliases, nm, 1) && js_addall(&it->aliases, json_object_get(pr, "alias"), 0) &&
                 js_addall(&it->former, json_object_get(pr, "previousName"), 0) &&
                 js_addall(&it->former_flags, json_object_get(pr, "pastFlags"), 0);
            json_t *im = json_object_get(pr, "imoNumber"), *mm = json_object_get(pr, "mmsi"),
                   *ds = json_object_get(o, "datasets");
            for (size_t i = 0; i < js_len(im); i++)
                if (js_str(im, i))
                    put_ident(c, it, js_str(im, i), strlen(js_str(im, i)));
            for (size_t i = 0; i < js_len(mm); i++) {
                uint32_t v;
                bool imo;
                if (js_str(mm, i) && ident_digits(js_str(mm, i), strlen(js_str(mm, i)), &v, &imo) == 9 && !imo &&
                    !it->e.mmsi)
                    it->e.mmsi = v;
            }
            for (size_t i = 0; ok && i < js_len(ds); i++)
                if (js_str(ds, i))
                    ok = append_joined(&it->program, &it->program_len, &it->program_cap, js_str(ds, i),
                                       strlen(js_str(ds, i)));
        }
        json_decref(o);
        if (!ok)
            return nomem(c);
        if (!it->name)
            return fail(c, PEL_ERR_FORMAT, line, "a Vessel without a name");
    }
    return PEL_OK;
}

/* ---- UN consolidated list XML ------------------------------------------- */

static xmlNode *child(xmlNode *n, const char *name) {
    for (xmlNode *k = n ? n->children : NULL; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, name))
            return k;
    return NULL;
}

/* The trimmed text of n; NULL when n is absent or its text empty, or out of
 * memory (then c->oom is set). */
static char *text_of(wl_ctx *c, xmlNode *n) {
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n); /* "" for an empty element: NULL is out of memory */
    if (!t) {
        c->oom = true;
        return NULL;
    }
    char *d = dup_trim(c, (const char *)t);
    xmlFree(t);
    return d;
}

/* Finds the IMO numbers in an entity's comments: ship numbers (vessel) and
 * company numbers. */
static void un_imos(const char *s, uint32_t *ship, uint32_t *company, size_t *ncompany) {
    for (const char *p = s; p && (p = strstr(p, "IMO")) != NULL; p += 3) {
        const char *q = p + 3;
        for (int i = 0; i < 24 && *q && !isdigit((unsigned char)*q); i++)
            q++;
        uint32_t v;
        if (isdigit((unsigned char)*q) && (q == s || !isdigit((unsigned char)q[-1])) && digits_at(q, 7, &v)) {
            /* "company" within the clause before the number says what it is */
            const char *from = p - s > 40 ? p - 40 : s;
            bool says_company = false;
            for (const char *t = from; t < q; t++)
                if (!strncasecmp(t, "company", 7))
                    says_company = true;
            if (wl_imo_company_valid(v) || says_company) {
                (*ncompany)++;
                if (!*company)
                    *company = v;
            } else if (pel_imo_valid(v) && !*ship)
                *ship = v;
        }
    }
}

/* libxml2's generic error handler while a list is read: prints nothing,
 * and marks the read failed (ctx: the wl_ctx) when an allocation failed. */
static void quiet(void *ctx, const char *msg, ...) {
    char b[256];
    va_list ap;
    va_start(ap, msg);
    vsnprintf(b, sizeof b, msg, ap);
    va_end(ap);
    if (ctx && strstr(b, "Memory allocation failed"))
        ((wl_ctx *)ctx)->oom = true;
}

/* The SAX handler of a document type declaration: the UN list has none, and
 * one is where entities (and their expansion) come from, so the parse stops
 * there. */
static void un_dtd(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *sys_id) {
    (void)name, (void)ext_id, (void)sys_id;
    xmlParserCtxtPtr p = ctx;
    *(bool *)p->_private = true;
    xmlStopParser(p);
}

/* The UN consolidated list in data (len bytes).  Parsed with libxml2's
 * defaults for untrusted input: no entity substitution (XML_PARSE_NOENT
 * off), no DTD loaded or validated, no network, libxml2's size limits kept
 * (XML_PARSE_HUGE off); a document with a DOCTYPE is refused before its
 * declarations are read. */
static pel_status read_un_doc(wl_ctx *c, const char *data, size_t len) {
    if (len > INT_MAX)
        return fail(c, PEL_ERR_FORMAT, 0, "larger than 2 GB: not a UN list");
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p)
        return nomem(c);
    bool dtd = false;
    p->_private = &dtd;
    p->sax->internalSubset = un_dtd;
    xmlDoc *doc =
        xmlCtxtReadMemory(p, data, (int)len, c->path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (dtd || (doc && (doc->intSubset || doc->extSubset))) {
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(p);
        return fail(c, PEL_ERR_FORMAT, 0,
                    "has a document type declaration (<!DOCTYPE>): the UN list has none, and its entities are not "
                    "read");
    }
    if (!doc || !p->wellFormed) {
        const xmlError *xe = xmlCtxtGetLastError(p);
        if ((xe && xe->code == XML_ERR_NO_MEMORY) || p->errNo == XML_ERR_NO_MEMORY)
            c->oom = true;
        char m[160] = "not well-formed XML";
        if (xe && xe->message) {
            snprintf(m, sizeof m, "%s", xe->message);
            size_t l = strlen(m);
            while (l && isspace((unsigned char)m[l - 1]))
                m[--l] = 0;
        }
        uint64_t line = xe && xe->line > 0 ? (uint64_t)xe->line : 0;
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(p);
        return fail(c, PEL_ERR_FORMAT, line, "invalid XML: %s", m);
    }
    xmlFreeParserCtxt(p);
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "CONSOLIDATED_LIST") != 0) {
        uint64_t l = root ? (uint64_t)xmlGetLineNo(root) : 0;
        xmlFreeDoc(doc);
        return fail(c, PEL_ERR_FORMAT, l, "root element is not CONSOLIDATED_LIST");
    }
    pel_status st = PEL_OK;
    for (xmlNode *n = child(root, "INDIVIDUALS") ? child(root, "INDIVIDUALS")->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "INDIVIDUAL"))
            c->st->un_individuals++, c->st->records++;
    xmlNode *ents = child(root, "ENTITIES");
    for (xmlNode *n = ents ? ents->children : NULL; n && st == PEL_OK; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "ENTITY") != 0)
            continue;
        c->st->un_entities++;
        c->st->records++;
        char *cm = text_of(c, child(n, "COMMENTS1"));
        uint32_t ship = 0, company = 0;
        size_t ncomp = 0;
        un_imos(cm, &ship, &company, &ncomp);
        free(cm);
        if (c->oom) {
            st = nomem(c);
            break;
        }
        c->st->un_company_imos += ncomp;
        if (!ship)
            continue;
        c->st->un_vessels++;
        wl_item *it = item_new(c, "un", (uint64_t)xmlGetLineNo(n));
        if (!it) {
            st = nomem(c);
            break;
        }
        it->e.imo = ship;
        it->e.imo_company = company;
        it->entry_id = text_of(c, child(n, "REFERENCE_NUMBER"));
        it->name = text_of(c, child(n, "FIRST_NAME"));
        it->program = text_of(c, child(n, "UN_LIST_TYPE"));
        it->listed_on = text_of(c, child(n, "LISTED_ON"));
        bool ok = true;
        for (xmlNode *a = n->children; a && ok; a = a->next) {
            if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "ENTITY_ALIAS") != 0)
                continue;
            char *an = text_of(c, child(a, "ALIAS_NAME"));
            ok = strv_add(&it->aliases, an);
            free(an);
        }
        if (!ok || c->oom)
            st = nomem(c);
        else if (!it->name)
            st = fail(c, PEL_ERR_FORMAT, it->e.line, "ENTITY without FIRST_NAME");
    }
    xmlFreeDoc(doc);
    return st;
}

/* libxml2's structured error handler while a list is read: every error,
 * of the parser or not, comes here (and nothing is printed); a failed
 * allocation fails the read even when libxml2 carries on (a node or text
 * left out, then a misleading parse error). */
static void on_xml_error(void *ctx, xmlErrorPtr e) {
    if (ctx && e && e->code == XML_ERR_NO_MEMORY)
        ((wl_ctx *)ctx)->oom = true;
}

static pel_status read_un(wl_ctx *c, const char *data, size_t len) {
    /* the handlers are per thread: set for this read, then put back */
    xmlGenericErrorFunc old = xmlGenericError;
    void *oldctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc olds = xmlStructuredError;
    void *oldsctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(c, quiet);
    xmlSetStructuredErrorFunc(c, on_xml_error);
    pel_status st = read_un_doc(c, data, len);
    xmlSetStructuredErrorFunc(oldsctx, olds);
    xmlSetGenericErrorFunc(oldctx, old);
    return st;
}

/* ---- the whole call ----------------------------------------------------- */

static pel_status read_one(wl_ctx *c) {
    char *data = NULL;
    size_t len = 0;
    pel_status st = slurp(c, &data, &len);
    if (st != PEL_OK)
        return st;
    pel_wl_format f = wl_detect(data, len, &c->oom);
    if (f == PEL_WL_AUTO) {
        free(data);
        return fail(c, PEL_ERR_FORMAT, len ? 1 : 0, len ? "unknown list format" : "empty file, not a list");
    }
    c->st->files[f]++;
    if (f == PEL_WL_UN_XML) {
        st = read_un(c, data, len);
        free(data);
        return st;
    }
    if (f == PEL_WL_OS_FTM) {
        st = read_ftm(c, data, len);
        free(data);
        return st;
    }
    /* CSV formats: a trailing Ctrl-Z line goes, Latin-1 becomes UTF-8 */
    size_t l = len;
    while (l && (data[l - 1] == '\n' || data[l - 1] == '\r'))
        l--;
    if (l && data[l - 1] == 0x1A)
        len = l - 1;
    if (!utf8_valid((const unsigned char *)data, len) && !latin1_to_utf8(&data, &len)) {
        free(data);
        return nomem(c);
    }
    textcsv r = {.p = data, .end = data + len, .line = 1};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    if (f == PEL_WL_OFAC_SDN || f == PEL_WL_OFAC_ALT)
        st = read_ofac(c, &r, f == PEL_WL_OFAC_ALT);
    else if (f == PEL_WL_OWN_CSV)
        st = read_own(c, &r);
    else
        st = read_os_csv(c, &r);
    textcsv_free(&r);
    free(data);
    return st;
}

static int cmp_ent(const void *a, const void *b) {
    const wl_item *x = *(wl_item *const *)a, *y = *(wl_item *const *)b;
    return strcmp(x->entry_id, y->entry_id);
}

/* Joins the alt rows to the sdn vessels (a sorted copy of the index). */
static pel_status join_alts(wl_ctx *c) {
    size_t ns = 0;
    for (size_t i = 0; i < c->nitems; i++)
        ns += c->items[i]->is_sdn;
    wl_item **idx = malloc((ns ? ns : 1) * sizeof *idx);
    if (!idx)
        return nomem(c);
    ns = 0;
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i]->is_sdn)
            idx[ns++] = c->items[i];
    xqsort(idx, ns, sizeof *idx, cmp_ent);
    pel_status st = PEL_OK;
    for (size_t i = 0; i < c->nalts && st == PEL_OK; i++) {
        wl_item key = {.entry_id = c->alts[i].ent}, *kp = &key;
        wl_item **hit = ns ? xbsearch(&kp, idx, ns, sizeof *idx, cmp_ent) : NULL;
        if (!hit) {
            c->st->alt_unmatched++;
            continue;
        }
        c->st->alt_applied++;
        for (; hit > idx && !strcmp(hit[-1]->entry_id, key.entry_id); hit--)
            ;
        for (; hit < idx + ns && !strcmp((*hit)->entry_id, key.entry_id); hit++)
            if (!strv_add(c->alts[i].former ? &(*hit)->former : &(*hit)->aliases, c->alts[i].name))
                st = nomem(c);
    }
    free(idx);
    return st;
}

pel_status wl_read_ex(const char *const *paths, size_t n, const pel_wl_cb *cb, wl_stats *stats, pel_error *err) {
    wl_stats local;
    wl_ctx c = {.st = stats ? stats : &local, .err = err};
    memset(c.st, 0, sizeof *c.st);
    if (err) {
        err->code = PEL_OK;
        err->msg[0] = 0;
    }
    if (n && !paths)
        return pel_fail(err, PEL_ERR_ARG, "pel_wl_read: no paths");
    pel_status st = PEL_OK;
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        c.path = paths[i];
        st = read_one(&c);
    }
    if (st == PEL_OK)
        st = join_alts(&c);
    if (st == PEL_OK && c.oom) /* a field or name lost to a failed allocation: never a list in part */
        st = nomem(&c);
    for (size_t i = 0; i < c.nitems; i++) {
        wl_item *it = c.items[i];
        it->e.entry_id = it->entry_id;
        it->e.name = it->name;
        it->e.flag = it->flag;
        it->e.program = it->program;
        it->e.listed_on = it->listed_on;
        it->e.vessel_type = it->vessel_type;
        it->e.callsign = it->callsign;
        it->e.aliases = (const char *const *)it->aliases.v;
        it->e.naliases = it->aliases.n;
        it->e.former = (const char *const *)it->former.v;
        it->e.nformer = it->former.n;
        it->e.former_flags = (const char *const *)it->former_flags.v;
        it->e.nformer_flags = it->former_flags.n;
        c.st->with_imo += it->e.imo != 0;
        c.st->with_mmsi += it->e.mmsi != 0;
    }
    c.st->entries = st == PEL_OK ? c.nitems : 0;
    for (size_t i = 0; i < c.nitems && st == PEL_OK; i++)
        if (cb && cb->on_entry && cb->on_entry(cb->ud, &c.items[i]->e))
            st = PEL_STOPPED;
    for (size_t i = 0; i < c.nitems; i++)
        item_free(c.items[i]);
    free(c.items);
    for (size_t i = 0; i < c.nalts; i++) {
        free(c.alts[i].ent);
        free(c.alts[i].name);
    }
    free(c.alts);
    return st;
}

pel_status pel_wl_read(const char *const *paths, size_t n, const pel_wl_cb *cb, pel_error *err) {
    return wl_read_ex(paths, n, cb, NULL, err);
}

const char *wl_callsign(const pel_wl_entry *e) {
    return e ? ((const wl_item *)(const void *)e)->callsign : NULL;
}

const char *wl_linked_to(const pel_wl_entry *e) {
    return e ? ((const wl_item *)(const void *)e)->linked_to : NULL;
}
