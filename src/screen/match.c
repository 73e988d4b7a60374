/*
 * match.c -- matching broadcast identities against designated vessels.
 *
 * A matcher holds copies of the list entries (in an arena) and, once built,
 * three indexes: entries sorted by IMO ship number, entries sorted by MMSI,
 * and postings of letter bigrams of every normalised name (primary, a.k.a.
 * and f.k.a.).  A query looks its IMO and MMSI up by binary search and its
 * name up through the bigram postings: the postings count, for each list
 * name, how many distinct bigrams it shares with the query, which gives the
 * Dice coefficient of the pair exactly; only names whose Dice coefficient
 * can still reach the threshold are scored in full.  No query is compared
 * with every name.  The rules and the formula are in docs/screening.md.
 *
 * Known limits: names are compared as letters plus hull numbers, so word
 * order matters ("STAR OCEAN" is not "OCEAN STAR"); accents are folded for
 * Latin-1 letters only (U+00C0..U+00FF, UTF-8 or raw Latin-1 bytes); names
 * in other scripts have no letters for us and never match by name; AIS names
 * cut at 20 characters are compared as they are.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"
#include "util/xsort.h"

#define MT_MAXL 96 /* letters kept of a name */
#define MT_MAXN 6  /* numbers kept of a name */
#define MT_NBG (27 * 27)

/* ---- arena ---------------------------------------------------------------- */

typedef struct mt_chunk {
    struct mt_chunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
} mt_chunk;

static void *mt_alloc(mt_chunk **head, size_t n) {
    n = (n + 15) & ~(size_t)15;
    mt_chunk *c = *head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = *head;
        c->used = 0;
        c->cap = cap;
        *head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static const char *mt_strdup(mt_chunk **head, const char *s, bool *nomem) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = mt_alloc(head, n);
    if (!p) {
        *nomem = true;
        return NULL;
    }
    return memcpy(p, s, n);
}

static const char *const *mt_strv(mt_chunk **head, const char *const *v, size_t n, bool *nomem) {
    if (!v || !n)
        return NULL;
    const char **p = mt_alloc(head, n * sizeof *p);
    if (!p) {
        *nomem = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = mt_strdup(head, v[i], nomem);
    return p;
}

/* ---- normalisation ------------------------------------------------------------ */

/* A name reduced to what is compared: its letters (A-Z, no spaces), its
 * numbers in order, and its distinct bigrams of "$" + letters. */
typedef struct mt_norm {
    char let[MT_MAXL + 1];
    int nlet;
    uint32_t num[MT_MAXN];
    int nnum;
    int ntok;  /* letter words */
    bool weak; /* one common word (and perhaps a number): needs IMO/MMSI */
    uint16_t bg[MT_MAXL + 1];
    int nbg;
} mt_norm;

// clang-format off
/* U+00C0..U+00FF folded to ASCII; "" is a separator (x and division signs) */
static const char *const mt_latin1[64] = {
    "A","A","A","A","A","A","AE","C","E","E","E","E","I","I","I","I",
    "D","N","O","O","O","O","O","","O","U","U","U","U","Y","TH","SS",
    "A","A","A","A","A","A","AE","C","E","E","E","E","I","I","I","I",
    "D","N","O","O","O","O","O","","O","U","U","U","U","Y","TH","Y",
};

/* Single words too common in ship names to identify a vessel on their own. */
static const char *const mt_common[] = {
    "ACE", "ALPHA", "ANGEL", "ASIA", "ATLANTIC", "BAY", "BLUE", "BRAVE", "BRIGHT", "CAPE", "CARRIER", "CRYSTAL",
    "DAWN", "DELTA", "DIAMOND", "DOLPHIN", "DRAGON", "DREAM", "EAGLE", "EAST", "EASTERN", "ENERGY", "EXPRESS",
    "FAITH", "FORTUNE", "FREEDOM", "FRIENDSHIP", "GLOBAL", "GLORY", "GOLD", "GOLDEN", "GRACE", "GRAND", "GREAT",
    "HAPPY", "HARMONY", "HARVEST", "HOPE", "ISLAND", "JADE", "JUPITER", "KING", "LIBERTY", "LIGHT", "LION",
    "LUCKY", "MARINE", "MARINER", "MERCURY", "MOON", "NEPTUNE", "NEW", "NOBLE", "NORTH", "OCEAN", "ORIENT",
    "ORIENTAL", "PACIFIC", "PEACE", "PEARL", "PHOENIX", "PIONEER", "PRIDE", "PRINCESS", "PROSPERITY", "QUEEN",
    "RAINBOW", "RIVER", "ROSE", "ROYAL", "SEA", "SILVER", "SKY", "SOUTH", "SPIRIT", "STAR", "SUN", "SUNRISE",
    "SUNNY", "TIGER", "TRADER", "TRIUMPH", "UNION", "UNITY", "VENUS", "VENTURE", "VICTORY", "VISION", "WAVE",
    "WEST", "WIND", "WISDOM",
};
// clang-format on

static bool mt_is_common(const char *w) {
    size_t lo = 0, hi = sizeof mt_common / sizeof mt_common[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(mt_common[mid], w);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Value of a word made of I, V, X as a Roman numeral 1..39, else 0. */
static uint32_t mt_roman(const char *w) {
    static const char *const r[] = {"I",  "II",  "III",  "IV",  "V",  "VI",  "VII",  "VIII",  "IX",  "X",
                                    "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (strcmp(r[i], w) == 0)
            return (uint32_t)i + 1;
    return 0;
}

/* Splits s into words of A-Z and words of 0-9 (upper-cased, accents folded,
 * every other character a separator, a letter-digit change a boundary). */
typedef struct mt_words {
    char w[32][MT_MAXL + 1];
    bool digit[32];
    int n;
} mt_words;

static void mt_split(const char *s, mt_words *ws) {
    ws->n = 0;
    int len = 0, kind = -1; /* -1 none, 0 letters, 1 digits */
    const unsigned char *p = (const unsigned char *)s;
    while (1) {
        char buf[4] = "";
        const char *add = buf;
        unsigned c = *p;
        if (c == 0) {
            add = NULL;
        } else if (c >= 0xC0 && c <= 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) { /* UTF-8 U+0000..U+00FF */
            unsigned u = ((c & 0x1F) << 6) | (p[1] & 0x3F);
            add = u >= 0xC0 ? mt_latin1[u - 0xC0] : "";
            p += 2;
        } else if (c >= 0xC0) { /* raw Latin-1, or UTF-8 beyond U+00FF: skip the sequence */
            if (c < 0xF8 && (p[1] & 0xC0) == 0x80) {
                while ((p[1] & 0xC0) == 0x80)
                    p++;
                add = "";
            } else {
                add = mt_latin1[c - 0xC0];
            }
            p++;
        } else {
            if (c >= 'a' && c <= 'z')
                c -= 32;
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                buf[0] = (char)c;
            p++;
        }
        /* add each character of add; "" or NULL ends the word */
        if (!add || !*add) {
            if (kind >= 0 && ws->n < 32) {
                ws->w[ws->n][len] = 0;
                ws->digit[ws->n++] = kind == 1;
            }
            kind = -1;
            len = 0;
            if (!add)
                break;
            continue;
        }
        for (const char *a = add; *a; a++) {
            int k = *a >= '0' && *a <= '9';
            if (kind >= 0 && k != kind) {
                if (ws->n < 32) {
                    ws->w[ws->n][len] = 0;
                    ws->digit[ws->n++] = kind == 1;
                }
                len = 0;
            }
            kind = k;
            if (ws->n < 32 && len < MT_MAXL)
                ws->w[ws->n][len++] = *a;
        }
    }
}

static int mt_cmp_u16(const void *a, const void *b) {
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Normalises a name into *n (see docs/screening.md). */
static void mt_normalise(const char *s, mt_norm *n) {
    /* on the stack (3 KB): a failed allocation here made a name compare as
     * empty, a match lost without a word */
    mt_words wsb, *ws = &wsb;
    memset(n, 0, sizeof *n);
    if (!s)
        return;
    mt_split(s, ws);
    int i = 0;
    /* vessel prefixes: MV, MT, SS, FV, or M/V, M.V., M/T, F/V as two words */
    if (ws->n >= 2 && !ws->digit[0] &&
        (!strcmp(ws->w[0], "MV") || !strcmp(ws->w[0], "MT") || !strcmp(ws->w[0], "SS") || !strcmp(ws->w[0], "FV")))
        i = 1;
    else if (ws->n >= 3 && !ws->digit[1] && (!strcmp(ws->w[0], "M") || !strcmp(ws->w[0], "F")) &&
             (!strcmp(ws->w[1], "V") || (!strcmp(ws->w[0], "M") && !strcmp(ws->w[1], "T"))))
        i = 2;
    bool letters_left = false; /* "SS 1" keeps its "SS" */
    for (int j = i; j < ws->n; j++)
        letters_left |= !ws->digit[j];
    if (!letters_left)
        i = 0;
    const char *only = NULL;
    for (int first = i; i < ws->n; i++) {
        uint32_t v = 0;
        if (ws->digit[i]) {
            const char *d = ws->w[i];
            while (*d == '0' && d[1])
                d++;
            if (strlen(d) > 9)
                d += strlen(d) - 9;
            v = (uint32_t)strtoul(d, NULL, 10);
        } else if (i > first && n->nlet > 0) {
            v = mt_roman(ws->w[i]); /* "ARK III": a hull number after a name */
        }
        if (!ws->digit[i] && !strcmp(ws->w[i], "NO") && n->nlet > 0 && i + 1 < ws->n && ws->digit[i + 1])
            continue; /* "NO.2", "NO 2": the number follows */
        if (ws->digit[i] || v) {
            if (n->nnum < MT_MAXN)
                n->num[n->nnum++] = v;
            continue;
        }
        for (const char *a = ws->w[i]; *a && n->nlet < MT_MAXL; a++)
            n->let[n->nlet++] = *a;
        n->ntok++;
        only = ws->w[i];
    }
    n->let[n->nlet] = 0;
    n->weak = n->ntok == 1 && n->nnum <= 1 && mt_is_common(only);
    /* distinct bigrams of "$" + letters: 0 is "$", 1..26 A..Z */
    if (n->nlet > 0) {
        int prev = 0;
        for (int k = 0; k < n->nlet; k++) {
            int cur = n->let[k] - 'A' + 1;
            n->bg[n->nbg++] = (uint16_t)(prev * 27 + cur);
            prev = cur;
        }
        xqsort(n->bg, (size_t)n->nbg, sizeof n->bg[0], mt_cmp_u16);
        int m = 0;
        for (int k = 0; k < n->nbg; k++)
            if (m == 0 || n->bg[m - 1] != n->bg[k])
                n->bg[m++] = n->bg[k];
        n->nbg = m;
    }
}

/* ---- similarity ---------------------------------------------------------------- */

static double mt_jaro_winkler(const char *a, int la, const char *b, int lb) {
    if (la == 0 || lb == 0)
        return 0;
    int win = (la > lb ? la : lb) / 2 - 1;
    if (win < 0)
        win = 0;
    bool ma[MT_MAXL] = {0}, mb[MT_MAXL] = {0};
    int m = 0;
    for (int i = 0; i < la; i++) {
        int lo = i - win > 0 ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;
        for (int j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = true;
                m++;
                break;
            }
    }
    if (m == 0)
        return 0;
    int t = 0;
    for (int i = 0, j = 0; i < la; i++)
        if (ma[i]) {
            while (!mb[j])
                j++;
            if (a[i] != b[j])
                t++;
            j++;
        }
    double jaro = ((double)m / la + (double)m / lb + (m - t / 2.0) / m) / 3.0;
    int l = 0;
    while (l < 4 && l < la && l < lb && a[l] == b[l])
        l++;
    return jaro + l * 0.1 * (1 - jaro);
}

static int mt_common_bigrams(const mt_norm *a, const mt_norm *b) {
    int c = 0;
    for (int i = 0, j = 0; i < a->nbg && j < b->nbg;) {
        if (a->bg[i] == b->bg[j])
            c++, i++, j++;
        else if (a->bg[i] < b->bg[j])
            i++;
        else
            j++;
    }
    return c;
}

/* The score of two normalised names; common = their shared bigrams. */
static double mt_score(const mt_norm *a, const mt_norm *b, int common) {
    if (a->nlet == 0 || b->nlet == 0)
        return 0;
    bool same_num = a->nnum == b->nnum && memcmp(a->num, b->num, (size_t)a->nnum * sizeof a->num[0]) == 0;
    if (a->weak || b->weak) /* a common word alone: never enough */
        return same_num && a->nlet == b->nlet && memcmp(a->let, b->let, (size_t)a->nlet) == 0 ? 0.80 : 0;
    double dice = 2.0 * common / (a->nbg + b->nbg);
    double s = (mt_jaro_winkler(a->let, a->nlet, b->let, b->nlet) + dice) / 2;
    if (!same_num)
        s *= a->nnum == 0 || b->nnum == 0 ? 0.85 : 0.5; /* missing hull number, different one */
    return s;
}

double pel_name_similarity(const char *a, const char *b) {
    mt_norm *na = malloc(2 * sizeof *na);
    if (!na)
        return 0;
    mt_normalise(a, &na[0]);
    mt_normalise(b, &na[1]);
    double s = mt_score(&na[0], &na[1], mt_common_bigrams(&na[0], &na[1]));
    free(na);
    return s;
}

/* ---- the matcher ------------------------------------------------------------------ */

typedef struct mt_name {
    uint32_t entry;
    int kind;
    const char *raw;
    mt_norm n;
} mt_name;

typedef struct mt_key {
    uint32_t key, entry;
} mt_key;

struct pel_matcher {
    mt_chunk *arena;
    pel_wl_entry *ents;
    size_t n, cap;
    mt_name *names;
    size_t nn, ncap;
    bool built;
    uint32_t off[MT_NBG + 1]; /* postings of bigram g: post[off[g]..off[g+1]) */
    uint32_t *post;           /* name indexes */
    mt_key *imo, *mmsi;
    size_t nimo, nmmsi;
    atomic_ullong ncompare; /* names scored in full, for the benchmark */
};

pel_matcher *pel_matcher_new(void) {
    pel_matcher *m = calloc(1, sizeof *m);
    if (m)
        atomic_init(&m->ncompare, 0);
    return m;
}

void pel_matcher_free(pel_matcher *m) {
    if (!m)
        return;
    for (mt_chunk *c = m->arena, *nx; c; c = nx) {
        nx = c->next;
        free(c);
    }
    free(m->ents);
    free(m->names);
    free(m->post);
    free(m->imo);
    free(m->mmsi);
    free(m);
}

static pel_status mt_add_name(pel_matcher *m, uint32_t entry, int kind, const char *raw) {
    if (!raw || !*raw)
        return PEL_OK;
    if (m->nn == m->ncap) {
        size_t nc = m->ncap ? 2 * m->ncap : 64;
        mt_name *nv = realloc(m->names, nc * sizeof *nv);
        if (!nv)
            return PEL_ERR_NOMEM;
        m->names = nv;
        m->ncap = nc;
    }
    mt_name *nm = &m->names[m->nn];
    nm->entry = entry;
    nm->kind = kind;
    nm->raw = raw;
    mt_normalise(raw, &nm->n);
    if (nm->n.nlet == 0) /* nothing to compare by name */
        return PEL_OK;
    m->nn++;
    return PEL_OK;
}

/* Copies *e (every string and array) into the matcher; the index must be
 * built again (pel_matcher_build) before the entry is found by name.  On
 * PEL_ERR_NOMEM the matcher is unchanged but for unreachable arena memory. */
pel_status pel_matcher_add(pel_matcher *m, const pel_wl_entry *e) {
    if (!m || !e)
        return PEL_ERR_ARG;
    if (m->n >= UINT32_MAX - 1)
        return PEL_ERR_ARG;
    if (m->n == m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 64;
        pel_wl_entry *nv = realloc(m->ents, nc * sizeof *nv);
        if (!nv)
            return PEL_ERR_NOMEM;
        m->ents = nv;
        m->cap = nc;
    }
    bool nomem = false;
    pel_wl_entry c = *e;
    c.list = mt_strdup(&m->arena, e->list, &nomem);
    c.entry_id = mt_strdup(&m->arena, e->entry_id, &nomem);
    c.name = mt_strdup(&m->arena, e->name, &nomem);
    c.aliases = mt_strv(&m->arena, e->aliases, e->naliases, &nomem);
    c.naliases = c.aliases ? e->naliases : 0;
    c.former = mt_strv(&m->arena, e->former, e->nformer, &nomem);
    c.nformer = c.former ? e->nformer : 0;
    c.flag = mt_strdup(&m->arena, e->flag, &nomem);
    c.former_flags = mt_strv(&m->arena, e->former_flags, e->nformer_flags, &nomem);
    c.nformer_flags = c.former_flags ? e->nformer_flags : 0;
    c.program = mt_strdup(&m->arena, e->program, &nomem);
    c.listed_on = mt_strdup(&m->arena, e->listed_on, &nomem);
    c.vessel_type = mt_strdup(&m->arena, e->vessel_type, &nomem);
    c.callsign = mt_strdup(&m->arena, e->callsign, &nomem);
    c.source = mt_strdup(&m->arena, e->source, &nomem);
    if (nomem)
        return PEL_ERR_NOMEM;
    size_t nn0 = m->nn;
    uint32_t idx = (uint32_t)m->n;
    pel_status st = mt_add_name(m, idx, 0, c.name);
    for (size_t i = 0; st == PEL_OK && i < c.naliases; i++)
        st = mt_add_name(m, idx, 1, c.aliases[i]);
    for (size_t i = 0; st == PEL_OK && i < c.nformer; i++)
        st = mt_add_name(m, idx, 2, c.former[i]);
    if (st != PEL_OK) {
        m->nn = nn0;
        return st;
    }
    m->ents[m->n++] = c;
    m->built = false;
    return PEL_OK;
}

static int mt_cmp_key(const void *a, const void *b) {
    const mt_key *x = a, *y = b;
    return x->key != y->key ? (x->key < y->key ? -1 : 1) : (x->entry < y->entry ? -1 : x->entry > y->entry);
}

static bool mt_mmsi_ok(uint32_t mmsi) {
    return mmsi >= 100000000u && mmsi <= 999999999u;
}

/* Builds the IMO, MMSI and bigram indexes over every entry added so far.
 * PEL_ERR_NOMEM leaves the matcher usable (queries then compare names
 * one by one). */
pel_status pel_matcher_build(pel_matcher *m) {
    if (!m)
        return PEL_ERR_ARG;
    free(m->post);
    free(m->imo);
    free(m->mmsi);
    m->post = NULL;
    m->imo = m->mmsi = NULL;
    m->nimo = m->nmmsi = 0;
    m->built = false;
    size_t total = 0;
    memset(m->off, 0, sizeof m->off);
    for (size_t i = 0; i < m->nn; i++) {
        for (int k = 0; k < m->names[i].n.nbg; k++)
            m->off[m->names[i].n.bg[k] + 1]++;
        total += (size_t)m->names[i].n.nbg;
    }
    m->post = malloc((total ? total : 1) * sizeof *m->post);
    m->imo = malloc((m->n ? m->n : 1) * sizeof *m->imo);
    m->mmsi = malloc((m->n ? m->n : 1) * sizeof *m->mmsi);
    if (!m->post || !m->imo || !m->mmsi || total >= UINT32_MAX)
        return PEL_ERR_NOMEM;
    for (int g = 0; g < MT_NBG; g++)
        m->off[g + 1] += m->off[g];
    uint32_t fill[MT_NBG];
    memcpy(fill, m->off, sizeof fill);
    for (size_t i = 0; i < m->nn; i++)
        for (int k = 0; k < m->names[i].n.nbg; k++)
            m->post[fill[m->names[i].n.bg[k]]++] = (uint32_t)i;
    for (size_t i = 0; i < m->n; i++) {
        if (pel_imo_valid(m->ents[i].imo))
            m->imo[m->nimo++] = (mt_key){m->ents[i].imo, (uint32_t)i};
        if (mt_mmsi_ok(m->ents[i].mmsi))
            m->mmsi[m->nmmsi++] = (mt_key){m->ents[i].mmsi, (uint32_t)i};
    }
    xqsort(m->imo, m->nimo, sizeof *m->imo, mt_cmp_key);
    xqsort(m->mmsi, m->nmmsi, sizeof *m->mmsi, mt_cmp_key);
    m->built = true;
    return PEL_OK;
}

size_t pel_matcher_count(const pel_matcher *m) {
    return m ? m->n : 0;
}

const pel_wl_entry *pel_matcher_entry(const pel_matcher *m, size_t i) {
    return m && i < m->n ? &m->ents[i] : NULL;
}

/* Names scored in full by every query so far (benchmark and tests). */
unsigned long long mt_comparisons(const pel_matcher *m);
unsigned long long mt_comparisons(const pel_matcher *m) {
    return m ? atomic_load(&((pel_matcher *)m)->ncompare) : 0;
}

/* One query's matches, one per entry. */
typedef struct mt_hits {
    pel_match *v;
    double *name_score;
    size_t *name_idx;
    size_t n, cap;
    uint32_t *slot; /* entry -> index + 1 in v, 0 when none */
    bool nomem;
} mt_hits;

static void mt_hit(mt_hits *h, const pel_matcher *m, uint32_t entry, unsigned field, double score, size_t name) {
    uint32_t s = h->slot[entry];
    if (s == 0) {
        if (h->n == h->cap) {
            size_t nc = h->cap ? 2 * h->cap : 16;
            pel_match *nv = realloc(h->v, nc * sizeof *nv);
            double *ns = nv ? realloc(h->name_score, nc * sizeof *ns) : NULL;
            if (ns)
                h->name_score = ns;
            size_t *ni = ns ? realloc(h->name_idx, nc * sizeof *ni) : NULL;
            if (nv)
                h->v = nv;
            if (!ni) {
                h->nomem = true;
                return;
            }
            h->name_idx = ni;
            h->cap = nc;
        }
        h->v[h->n] = (pel_match){.entry = entry, .fields = 0, .score = 0, .matched_name = NULL, .name_kind = 0};
        h->name_score[h->n] = -1;
        h->name_idx[h->n] = 0;
        s = h->slot[entry] = (uint32_t)++h->n;
    }
    pel_match *p = &h->v[s - 1];
    p->fields |= field;
    if (field == PEL_MATCH_NAME) {
        double *ns = &h->name_score[s - 1];
        if (score > *ns || (score == *ns && name < h->name_idx[s - 1])) {
            *ns = score;
            h->name_idx[s - 1] = name;
            p->matched_name = m->names[name].raw;
            p->name_kind = m->names[name].kind;
        }
    }
    p->score = p->fields & (PEL_MATCH_IMO | PEL_MATCH_MMSI) ? 1.0 : h->name_score[s - 1];
}

static void mt_lookup(mt_hits *h, const pel_matcher *m, const mt_key *v, size_t n, uint32_t key, unsigned field) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && v[lo].key == key; lo++)
        mt_hit(h, m, v[lo].entry, field, 1.0, 0);
}

static int mt_cmp_match(const void *a, const void *b) {
    const pel_match *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Matches one identity; see pel.h.  The matches and their matched_name are
 * valid as long as m and until it is changed.  Returns 0 with errno ENOMEM
 * when out of memory (never fewer matches). */
size_t pel_matcher_query(const pel_matcher *m, const char *name, uint32_t imo, uint32_t mmsi, double min_score,
                         pel_match *out, size_t cap) {
    if (!m || m->n == 0)
        return 0;
    if (min_score <= 0)
        min_score = PEL_NAME_THRESHOLD;
    mt_hits h = {0};
    h.slot = calloc(m->n, sizeof *h.slot);
    if (!h.slot) {
        errno = ENOMEM;
        return 0;
    }
    if (pel_imo_valid(imo)) {
        if (m->built)
            mt_lookup(&h, m, m->imo, m->nimo, imo, PEL_MATCH_IMO);
        else
            for (size_t i = 0; i < m->n; i++)
                if (m->ents[i].imo == imo)
                    mt_hit(&h, m, (uint32_t)i, PEL_MATCH_IMO, 1, 0);
    }
    if (mt_mmsi_ok(mmsi)) {
        if (m->built)
            mt_lookup(&h, m, m->mmsi, m->nmmsi, mmsi, PEL_MATCH_MMSI);
        else
            for (size_t i = 0; i < m->n; i++)
                if (m->ents[i].mmsi == mmsi)
                    mt_hit(&h, m, (uint32_t)i, PEL_MATCH_MMSI, 1, 0);
    }
    mt_norm qb, *q = name && *name ? &qb : NULL; /* on the stack: a name is never skipped for want of memory */
    if (q)
        mt_normalise(name, q);
    if (q && q->nlet > 0 && m->nn > 0) {
        unsigned long long ncmp = 0;
        uint32_t *count = m->built ? calloc(m->nn, sizeof *count) : NULL;
        uint32_t *touched = count ? malloc(m->nn * sizeof *touched) : NULL;
        if (touched) {
            /* the Dice term alone must reach 2 * min_score - 1 (the Jaro-Winkler
             * term and the number factor are at most 1) */
            double dmin = 2 * min_score - 1;
            size_t nt = 0;
            for (int k = 0; k < q->nbg; k++)
                for (uint32_t p = m->off[q->bg[k]]; p < m->off[q->bg[k] + 1]; p++)
                    if (count[m->post[p]]++ == 0)
                        touched[nt++] = m->post[p];
            for (size_t t = 0; t < nt; t++) {
                const mt_name *nm = &m->names[touched[t]];
                int c = (int)count[touched[t]];
                if (2.0 * c / (q->nbg + nm->n.nbg) < dmin)
                    continue;
                ncmp++;
                double s = mt_score(q, &nm->n, c);
                if (s >= min_score)
                    mt_hit(&h, m, nm->entry, PEL_MATCH_NAME, s, touched[t]);
            }
        } else { /* no index (not built, or no memory for the counts): every name */
            for (size_t i = 0; i < m->nn; i++) {
                ncmp++;
                double s = mt_score(q, &m->names[i].n, mt_common_bigrams(q, &m->names[i].n));
                if (s >= min_score)
                    mt_hit(&h, m, m->names[i].entry, PEL_MATCH_NAME, s, i);
            }
        }
        free(count);
        free(touched);
        atomic_fetch_add(&((pel_matcher *)m)->ncompare, ncmp);
    }
    size_t n = h.nomem ? 0 : h.n;
    if (h.nomem)
        errno = ENOMEM;
    if (n) {
        xqsort(h.v, n, sizeof *h.v, mt_cmp_match);
        for (size_t i = 0; i < n && i < cap; i++)
            out[i] = h.v[i];
    }
    free(h.v);
    free(h.name_score);
    free(h.name_idx);
    free(h.slot);
    return n;
}
