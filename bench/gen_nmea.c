/*
 * gen_nmea.c -- synthetic, deterministic AIS traffic for the Pelorus decode
 * benchmark.
 *
 * Writes AIVDM sentences (ITU-R M.1371, as documented in gpsd's "AIVDM/AIVDO
 * protocol decoding") to stdout, one per line, each preceded by an NMEA 4.0
 * tag block naming a receiver station and a UNIX time:
 *
 *   \s:rSTN14,c:1700034560*00\!AIVDM,1,1,,B,15SKPiPcB<a7aQ0B8@LIFGNT00=b,0*60
 *
 * Usage: gen_nmea --sentences N [--vessels V] [--seed S] [--start UNIX] [--days D]
 *
 * Exactly N lines are written.  The traffic mix, by share of sentences, is
 * about 78% position reports (types 1/2/3, mostly 1), 6% static and voyage
 * data (type 5, always two sentences), 10% class B position reports (type 18)
 * and 6% class B static data (type 24, each part A followed at once by the
 * same vessel's part B, as real units send them).  V vessels (about 80%
 * class A, 20% class B) with distinct MMSIs move at 0-20 knots inside a few
 * sea areas of the Bohai, Yellow and East China Seas, the Korea Strait and
 * the western Sea of Japan (lat 25-42 N, lon 118-132 E); the time stamps
 * advance evenly over one day from --start.  The same arguments always give
 * the same bytes.
 *
 * Build: gcc -O2 -std=c17 -Wall -Wextra -o build/gen_nmea bench/gen_nmea.c -lm
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Constants and tables                                                      */
/* ------------------------------------------------------------------------ */

#define DEFAULT_VESSELS 20000u
#define MAX_VESSELS 2000000u
#define DEFAULT_SEED 1u
#define DEFAULT_START 1700000000u
#define SPAN_SECONDS 86400u    /* the file covers one day */
#define OUTBUF_SIZE (1u << 20) /* stdout is written in 1 MiB chunks */
#define MAX_LINE 200           /* longest line we can produce, with margin */
#define PI 3.14159265358979323846

/* A rectangle of sea in which some vessels sail, bouncing off its edges. */
typedef struct {
    double lat0, lat1, lon0, lon1; /* degrees, south/north, west/east */
    unsigned weight;               /* relative share of vessels */
} sea_area;

static const sea_area AREAS[] = {
    {38.3, 39.8, 119.0, 121.2, 10}, /* Bohai Sea */
    {37.6, 39.2, 122.8, 124.3, 8},  /* northern Yellow Sea */
    {33.5, 37.0, 121.5, 125.8, 22}, /* central Yellow Sea */
    {27.5, 33.0, 122.5, 127.5, 30}, /* East China Sea */
    {25.5, 27.0, 120.6, 122.5, 10}, /* northern Taiwan Strait */
    {33.8, 34.8, 127.8, 129.0, 8},  /* Korea Strait */
    {31.0, 33.0, 128.0, 129.5, 5},  /* west of Kyushu */
    {35.5, 41.0, 129.8, 132.0, 7},  /* western Sea of Japan */
};
#define N_AREAS (sizeof AREAS / sizeof AREAS[0])

/* Receiver stations rSTN01..rSTN16, placed on the coast; a message is heard
 * by the station nearest to the vessel (sometimes by the second nearest). */
static const double STATIONS[16][2] = {
    {38.90, 121.60}, /* Dalian */
    {39.90, 119.60}, /* Qinhuangdao */
    {37.50, 129.10}, /* Donghae */
    {37.55, 121.40}, /* Yantai */
    {36.07, 120.40}, /* Qingdao */
    {34.75, 119.45}, /* Lianyungang */
    {30.60, 122.10}, /* Yangshan */
    {29.95, 122.20}, /* Zhoushan */
    {27.95, 120.90}, /* Wenzhou */
    {26.15, 119.95}, /* Mazu */
    {25.15, 121.75}, /* Keelung */
    {37.45, 126.60}, /* Incheon */
    {34.80, 126.40}, /* Mokpo */
    {33.50, 126.50}, /* Jeju */
    {35.10, 129.05}, /* Busan */
    {33.60, 130.40}, /* Fukuoka */
};
#define N_STATIONS 16

/* A flag state: its Maritime Identification Digits, a call sign prefix and
 * pattern ('L' letter, 'D' digit, 'A' either), and relative weights among
 * class A and class B vessels. */
typedef struct {
    unsigned mid;
    const char *cs_prefix;
    const char *cs_pattern;
    unsigned weight_a, weight_b;
} flag_state;

static const flag_state FLAGS[] = {
    {412, "B", "LLLD", 16, 30}, /* China */
    {413, "B", "LLLD", 16, 30}, /* China */
    {414, "B", "LLLD", 6, 10},  /* China */
    {440, "D", "SLLD", 7, 12},  /* Korea ('S' stands for itself) */
    {441, "D", "SLLD", 4, 6},   /* Korea */
    {431, "J", "LDDDD", 5, 8},  /* Japan */
    {416, "BN", "LLD", 2, 4},   /* Taiwan */
    {477, "VR", "LLLD", 6, 0},  /* Hong Kong */
    {351, "3E", "LLLD", 3, 0},  /* Panama */
    {352, "3E", "LLLD", 3, 0},  /* Panama */
    {353, "3F", "LLLD", 3, 0},  /* Panama */
    {355, "3F", "LLLD", 2, 0},  /* Panama */
    {370, "H3", "LLLD", 2, 0},  /* Panama */
    {371, "H9", "LLLD", 2, 0},  /* Panama */
    {372, "H8", "LLLD", 2, 0},  /* Panama */
    {636, "5L", "LLDD", 5, 0},  /* Liberia */
    {538, "V7", "LLDD", 5, 0},  /* Marshall Islands */
    {563, "9V", "DDDD", 2, 0},  /* Singapore */
    {564, "9V", "DDDD", 2, 0},  /* Singapore */
    {566, "9V", "DDDD", 2, 0},  /* Singapore */
    {248, "9H", "ADDD", 2, 0},  /* Malta */
    {256, "9H", "ADDD", 2, 0},  /* Malta */
    {209, "5B", "DDDD", 1, 0},  /* Cyprus */
    {241, "SV", "LLD", 1, 0},   /* Greece */
    {574, "3W", "LLD", 1, 0},   /* Vietnam */
    {273, "U", "LLLD", 1, 0},   /* Russia */
};
#define N_FLAGS (sizeof FLAGS / sizeof FLAGS[0])

/* Words for vessel names and destinations. */
static const char *const PINYIN[] = {"HAI",   "XIN",   "HUA",  "DONG", "FENG", "SHUN",  "MING", "JIN",
                                     "YUAN",  "TONG",  "HENG", "DA",   "AN",   "KANG",  "LONG", "RUI",
                                     "XIANG", "CHANG", "YANG", "ZHOU", "HONG", "SHENG", "TAI",  "FU"};
static const char *const ADJ[] = {"PACIFIC", "OCEAN",  "GOLDEN", "EASTERN",  "GRAND", "ASIAN", "BRIGHT",
                                  "SILVER",  "GLOBAL", "ROYAL",  "NORTHERN", "JADE",  "CORAL", "STAR"};
static const char *const NOUN[] = {"GLORY",   "PIONEER", "HOPE",   "FORTUNE", "SPIRIT", "EXPRESS",
                                   "TRADER",  "BRIDGE",  "PEARL",  "WIND",    "DRAGON", "HARMONY",
                                   "VENTURE", "PRIDE",   "LEADER", "BREEZE",  "ACE",    "PHOENIX"};
static const char *const KOREAN[] = {"HANJIN",  "DAEJIN",  "SINOKOR", "HYUNDAI", "PAN",
                                     "HEUNG A", "DONGJIN", "SEOHAE",  "NAMHAE",  "KOREA"};
static const char *const JAPANESE[] = {"NIPPON", "SHIN", "KOTOBUKI", "HAKUYO", "TOYOFUJI", "KAIYO", "SAKURA"};
static const char *const FISH_PREFIX[] = {"LU RONG YU",  "ZHE DAI YU",  "LIAO DAN YU", "SU GAN YU",
                                          "MIN LIAN YU", "JIN GANG YU", "ZHE LING YU", "LU WEI YU"};
static const char *const DESTS[] = {
    "SHANGHAI",  "CN SHA",    "CNSHA",      "QINGDAO",       "CN TAO",        "NINGBO", "CN NGB",
    "DALIAN",    "CN DLC",    "TIANJIN",    "CN TSN",        "BUSAN",         "KR PUS", "INCHEON",
    "KR INC",    "KR ULS",    "YOKOHAMA",   "KOBE",          "JP UKB",        "JP MOJ", "HAKATA",
    "KAOHSIUNG", "TW KEL",    "HONG KONG",  "CN XMN",        "LIANYUNGANG",   "RIZHAO", "YANTAI",
    "NAGASAKI",  "SINGAPORE", "FOR ORDERS", "CN SHA>KR PUS", "ZHOUSHAN ANCH", "CN RZH"};
static const char *const VENDORS[] = {"SRT", "CML", "EMT", "FUR", "JRC", "SMT", "ACR", "WGT"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Random numbers                                                            */
/* ------------------------------------------------------------------------ */

/* A 64-bit state stepped by the golden-ratio increment and scrambled by two
 * multiply-xorshift rounds (the "splitmix" construction).  Deterministic and
 * plenty good for synthetic data. */
static uint64_t rng_state;

/* Next 64 random bits. */
static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform integer in [0, n), n >= 1 and below 2^32. */
static uint32_t rng_below(uint32_t n) {
    return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
static int rng_range(int lo, int hi) {
    return lo + (int)rng_below((uint32_t)(hi - lo + 1));
}

/* Uniform double in [0, 1). */
static double rng_unit(void) {
    return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

/* 1 with probability pct/100, else 0. */
static unsigned rng_pct(unsigned pct) {
    return rng_below(100) < pct;
}

/* Pick an element of a string table. */
#define PICK(a) ((a)[rng_below((uint32_t)COUNT(a))])

/* ------------------------------------------------------------------------ */
/* Vessels                                                                   */
/* ------------------------------------------------------------------------ */

/* Everything we know about one simulated vessel. */
typedef struct {
    double lat, lon; /* current position, degrees */
    double cog;      /* course over ground, degrees true */
    double sog;      /* speed over ground, knots */
    double cruise;   /* the speed it tends towards, knots */
    int64_t last_t;  /* time of the position above */
    uint32_t mmsi;
    uint32_t imo;    /* 0 when the vessel has none */
    uint32_t serial; /* type 24B unit serial number */
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_stbd;
    uint8_t class_b; /* 1 for a class B (CS) transponder */
    uint8_t area;    /* index into AREAS */
    uint8_t status;  /* navigation status (class A) */
    uint8_t shiptype;
    uint8_t draught; /* 1/10 m */
    uint8_t ais_version, epfd, model, vendor;
    uint8_t eta_month, eta_day, eta_hour, eta_minute;
    uint8_t has_rot;     /* class A with a rate-of-turn indicator */
    uint8_t has_heading; /* has a heading sensor */
    int8_t heading_off;  /* heading minus course, degrees (leeway, drift) */
    char name[21], callsign[8], dest[21];
} vessel;

/* Append string s to dst (capacity cap incl. NUL), truncating silently. */
static void str_add(char *dst, size_t cap, const char *s) {
    size_t n = strlen(dst);
    while (*s && n + 1 < cap)
        dst[n++] = *s++;
    dst[n] = '\0';
}

/* Append unsigned number v to dst, like str_add. */
static void str_add_num(char *dst, size_t cap, unsigned v) {
    char tmp[12];
    snprintf(tmp, sizeof tmp, "%u", v);
    str_add(dst, cap, tmp);
}

/* Index i in [0, n) chosen with probability weight(i) / sum of weights. */
static size_t pick_weighted(size_t n, unsigned (*weight)(size_t i)) {
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += weight(i);
    unsigned r = rng_below(total);
    for (size_t i = 0; i < n; i++) {
        unsigned w = weight(i);
        if (r < w)
            return i;
        r -= w;
    }
    return n - 1;
}

/* Weights for pick_weighted: flag states among class A and class B
 * vessels, and sea areas. */
static unsigned flag_weight_a(size_t i) {
    return FLAGS[i].weight_a;
}
static unsigned flag_weight_b(size_t i) {
    return FLAGS[i].weight_b;
}
static unsigned area_weight(size_t i) {
    return AREAS[i].weight;
}

/* A valid 7-digit IMO number: the 7th digit is the sum of the first six
 * digits weighted 7,6,5,4,3,2, modulo 10. */
static uint32_t make_imo(void) {
    unsigned d[6];
    d[0] = (unsigned)rng_range(7, 9); /* real IMO numbers start 7..9 */
    for (int i = 1; i < 6; i++)
        d[i] = rng_below(10);
    unsigned sum = 0, v = 0;
    for (int i = 0; i < 6; i++) {
        sum += d[i] * (unsigned)(7 - i);
        v = v * 10 + d[i];
    }
    return v * 10 + sum % 10;
}

/* A call sign for flag state f, following its prefix and pattern. */
static void make_callsign(char *out, const flag_state *f) {
    out[0] = '\0';
    str_add(out, 8, f->cs_prefix);
    size_t n = strlen(out);
    for (const char *p = f->cs_pattern; *p && n < 7; p++) {
        char c;
        if (*p == 'L' || (*p == 'A' && rng_pct(50)))
            c = (char)('A' + rng_below(26));
        else if (*p == 'D' || *p == 'A')
            c = (char)('0' + rng_below(10));
        else
            c = *p;
        out[n++] = c;
    }
    out[n] = '\0';
}

/* A vessel name in the style of flag state mid; class B boats get fishing
 * boat or pleasure craft names. */
static void make_name(char *out, unsigned mid, int class_b) {
    out[0] = '\0';
    int china = mid >= 412 && mid <= 416;
    int korea = mid == 440 || mid == 441;
    if (class_b) {
        if (china && rng_pct(80)) {
            str_add(out, 21, PICK(FISH_PREFIX));
            str_add(out, 21, " ");
            str_add_num(out, 21, (unsigned)rng_range(1, 9999));
        } else if (korea && rng_pct(70)) {
            str_add(out, 21, PICK(KOREAN));
            str_add(out, 21, " HO ");
            str_add_num(out, 21, (unsigned)rng_range(1, 99));
        } else {
            str_add(out, 21, PICK(ADJ));
            str_add(out, 21, " ");
            str_add(out, 21, PICK(NOUN));
        }
        return;
    }
    if (china && rng_pct(75)) {
        str_add(out, 21, PICK(PINYIN));
        str_add(out, 21, " ");
        str_add(out, 21, PICK(PINYIN));
        if (rng_pct(30)) {
            str_add(out, 21, " ");
            str_add(out, 21, PICK(PINYIN));
        }
        str_add(out, 21, " ");
        str_add_num(out, 21, (unsigned)rng_range(1, 99));
    } else if (korea && rng_pct(70)) {
        str_add(out, 21, PICK(KOREAN));
        str_add(out, 21, " ");
        str_add(out, 21, PICK(NOUN));
    } else if (mid == 431 && rng_pct(70)) {
        str_add(out, 21, PICK(JAPANESE));
        str_add(out, 21, " MARU");
        if (rng_pct(50)) {
            str_add(out, 21, " NO.");
            str_add_num(out, 21, (unsigned)rng_range(1, 38));
        }
    } else {
        str_add(out, 21, PICK(ADJ));
        str_add(out, 21, " ");
        str_add(out, 21, PICK(NOUN));
        if (rng_pct(25)) {
            str_add(out, 21, " ");
            str_add_num(out, 21, (unsigned)rng_range(1, 9));
        }
    }
}

/* Whether year y of the Gregorian calendar has 366 days. */
static int is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Month (1-12), day, hour and minute (UTC) of UNIX time t >= 0. */
static void utc_fields(int64_t t, unsigned *month, unsigned *day, unsigned *hour, unsigned *minute) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = t / 86400, secs = t % 86400;
    int64_t year = 1970;
    for (;;) {
        int64_t ylen = is_leap(year) ? 366 : 365;
        if (days < ylen)
            break;
        days -= ylen;
        year++;
    }
    int m = 0;
    for (; m < 11; m++) {
        int64_t len = mdays[m] + (m == 1 && is_leap(year));
        if (days < len)
            break;
        days -= len;
    }
    *month = (unsigned)m + 1;
    *day = (unsigned)days + 1;
    *hour = (unsigned)(secs / 3600);
    *minute = (unsigned)(secs % 3600 / 60);
}

/* Set a length and beam (metres) as the four antenna distances. */
static void set_dims(vessel *v, unsigned length, unsigned beam) {
    unsigned bow = length * (unsigned)rng_range(70, 90) / 100;
    if (bow > 511)
        bow = 511;
    unsigned stern = length - bow;
    if (stern > 511)
        stern = 511;
    if (beam > 126)
        beam = 126;
    unsigned port = beam / 2;
    if (port > 63)
        port = 63;
    unsigned stbd = beam - port;
    if (stbd > 63)
        stbd = 63;
    v->to_bow = (uint16_t)bow;
    v->to_stern = (uint16_t)stern;
    v->to_port = (uint8_t)port;
    v->to_stbd = (uint8_t)stbd;
}

/* Open-addressing set of MMSIs, to keep them distinct. */
typedef struct {
    uint32_t *slot;
    size_t mask;
} mmsi_set;

/* Insert m; returns 0 when it was already there. */
static int mmsi_set_add(mmsi_set *s, uint32_t m) {
    size_t i = (size_t)((m * 2654435761u) & s->mask);
    while (s->slot[i]) {
        if (s->slot[i] == m)
            return 0;
        i = (i + 1) & s->mask;
    }
    s->slot[i] = m;
    return 1;
}

/* Fill in vessel v, a new vessel of class A or B, at time start. */
static void make_vessel(vessel *v, int class_b, mmsi_set *set, int64_t start) {
    memset(v, 0, sizeof *v);
    v->class_b = (uint8_t)class_b;

    const flag_state *f;
    do {
        size_t fi = pick_weighted(N_FLAGS, class_b ? flag_weight_b : flag_weight_a);
        f = &FLAGS[fi];
        v->mmsi = f->mid * 1000000u + (uint32_t)rng_range(1000, 999999);
    } while (!mmsi_set_add(set, v->mmsi));

    make_name(v->name, f->mid, class_b);
    if (class_b && rng_pct(30))
        v->callsign[0] = '\0'; /* many small craft have none */
    else
        make_callsign(v->callsign, f);

    /* Where it is and how it moves. */
    v->area = (uint8_t)pick_weighted(N_AREAS, area_weight);
    const sea_area *a = &AREAS[v->area];
    v->lat = a->lat0 + rng_unit() * (a->lat1 - a->lat0);
    v->lon = a->lon0 + rng_unit() * (a->lon1 - a->lon0);
    v->cog = rng_unit() * 360.0;
    v->last_t = start;
    v->has_heading = (uint8_t)(class_b ? rng_pct(30) : rng_pct(98));
    v->heading_off = (int8_t)rng_range(-4, 4);

    if (class_b) {
        unsigned r = rng_below(100);
        if (r < 70) {
            v->shiptype = 30; /* fishing */
            v->cruise = 1.0 + rng_unit() * 9.0;
            set_dims(v, (unsigned)rng_range(12, 40), (unsigned)rng_range(4, 8));
        } else if (r < 85) {
            v->shiptype = 37; /* pleasure craft */
            v->cruise = 4.0 + rng_unit() * 16.0;
            set_dims(v, (unsigned)rng_range(8, 25), (unsigned)rng_range(3, 6));
        } else if (r < 92) {
            v->shiptype = 36; /* sailing */
            v->cruise = 3.0 + rng_unit() * 5.0;
            set_dims(v, (unsigned)rng_range(9, 20), (unsigned)rng_range(3, 5));
        } else {
            v->shiptype = 52; /* tug */
            v->cruise = 5.0 + rng_unit() * 6.0;
            set_dims(v, (unsigned)rng_range(15, 30), (unsigned)rng_range(5, 9));
        }
        if (rng_pct(10))
            v->cruise = rng_unit() * 0.3; /* drifting or alongside */
        v->vendor = (uint8_t)rng_below((uint32_t)COUNT(VENDORS));
        v->model = (uint8_t)rng_range(1, 15);
        v->serial = rng_below(1u << 20);
    } else {
        unsigned r = rng_below(100);
        unsigned length, beam;
        if (r < 50) {
            v->shiptype = (uint8_t)rng_range(70, 79); /* cargo */
            v->cruise = 10.0 + rng_unit() * 7.0;
            length = (unsigned)rng_range(90, 366);
            beam = length / 7 + (unsigned)rng_range(0, 6);
        } else if (r < 70) {
            v->shiptype = (uint8_t)rng_range(80, 89); /* tanker */
            v->cruise = 9.0 + rng_unit() * 6.0;
            length = (unsigned)rng_range(100, 333);
            beam = length / 6;
        } else if (r < 78) {
            v->shiptype = (uint8_t)rng_range(60, 69); /* passenger */
            v->cruise = 14.0 + rng_unit() * 6.0;
            length = (unsigned)rng_range(60, 220);
            beam = length / 7;
        } else if (r < 90) {
            v->shiptype = 30; /* fishing */
            v->cruise = 2.0 + rng_unit() * 8.0;
            length = (unsigned)rng_range(30, 90);
            beam = length / 5;
        } else if (r < 96) {
            v->shiptype = 52; /* tug */
            v->cruise = 6.0 + rng_unit() * 6.0;
            length = (unsigned)rng_range(25, 45);
            beam = (unsigned)rng_range(8, 13);
        } else {
            v->shiptype = 90; /* other */
            v->cruise = 5.0 + rng_unit() * 10.0;
            length = (unsigned)rng_range(40, 150);
            beam = length / 6;
        }
        set_dims(v, length, beam);

        unsigned s = rng_below(100);
        if (s < 18) {
            /* At anchor (the areas are open sea, so nobody is moored). */
            v->status = 1;
            v->cruise = rng_unit() * 0.2;
        } else if (v->shiptype == 30 && s < 60) {
            v->status = 7; /* engaged in fishing */
            v->cruise = 1.0 + rng_unit() * 4.0;
        } else {
            v->status = 0; /* under way using engine */
        }

        v->imo = v->shiptype == 30 && rng_pct(60) ? 0 : make_imo();
        v->ais_version = (uint8_t)rng_range(0, 2);
        unsigned e = rng_below(100);
        v->epfd = (uint8_t)(e < 75 ? 1 : e < 90 ? 3 : 0);
        v->has_rot = (uint8_t)rng_pct(80);
        unsigned dmax = length / 20 + 3;
        if (dmax > 22)
            dmax = 22;
        v->draught = (uint8_t)rng_range(20, (int)dmax * 10);
        strcpy(v->dest, PICK(DESTS));
        if (rng_pct(5)) {
            /* ETA not available */
            v->eta_month = 0;
            v->eta_day = 0;
            v->eta_hour = 24;
            v->eta_minute = 60;
        } else {
            unsigned mo, d, h, mi;
            utc_fields(start + (int64_t)rng_range(3600, 10 * 86400), &mo, &d, &h, &mi);
            v->eta_month = (uint8_t)mo;
            v->eta_day = (uint8_t)d;
            v->eta_hour = (uint8_t)h;
            v->eta_minute = (uint8_t)(mi / 5 * 5);
        }
    }
    if (v->cruise > 20.0)
        v->cruise = 20.0;
    v->sog = v->cruise;
}

/* Move vessel v along its course from v->last_t to time t, with a little
 * wander in course and speed; it turns back into its sea area when it
 * leaves it.  Returns the course change in degrees (for rate of turn). */
static double advance(vessel *v, int64_t t) {
    double old_cog = v->cog;
    double dt = (double)(t - v->last_t);
    v->last_t = t;
    if (v->cruise < 0.5) {
        /* At anchor or drifting: swing a little, barely move. */
        v->sog = v->cruise > 0.0 ? rng_unit() * v->cruise : 0.0;
        v->cog = fmod(v->cog + (rng_unit() - 0.5) * 20.0 + 360.0, 360.0);
        return 0.0;
    }
    if (dt > 0.0) {
        double dist = v->sog * dt / 3600.0; /* nautical miles */
        double rad = v->cog * (PI / 180.0);
        v->lat += dist * cos(rad) / 60.0;
        v->lon += dist * sin(rad) / (60.0 * cos(v->lat * (PI / 180.0)));
    }
    v->cog += (rng_unit() - 0.5) * 3.0;
    v->sog += (rng_unit() - 0.5) * 0.4 + (v->cruise - v->sog) * 0.1;
    if (v->sog < 0.0)
        v->sog = 0.0;
    if (v->sog > 20.0)
        v->sog = 20.0;

    const sea_area *a = &AREAS[v->area];
    if (v->lat < a->lat0 || v->lat > a->lat1 || v->lon < a->lon0 || v->lon > a->lon1) {
        if (v->lat < a->lat0)
            v->lat = a->lat0;
        if (v->lat > a->lat1)
            v->lat = a->lat1;
        if (v->lon < a->lon0)
            v->lon = a->lon0;
        if (v->lon > a->lon1)
            v->lon = a->lon1;
        /* Head back towards the middle of the area, give or take. */
        double dy = (a->lat0 + a->lat1) / 2.0 - v->lat;
        double dx = ((a->lon0 + a->lon1) / 2.0 - v->lon) * cos(v->lat * (PI / 180.0));
        v->cog = atan2(dx, dy) * (180.0 / PI) + (rng_unit() - 0.5) * 60.0;
    }
    v->cog = fmod(v->cog + 720.0, 360.0);
    double d = v->cog - old_cog;
    if (d > 180.0)
        d -= 360.0;
    if (d < -180.0)
        d += 360.0;
    return d;
}

/* Index of the station that hears vessel v: the nearest one, or 1 time in
 * 8 the second nearest (coverage overlaps). */
static unsigned pick_station(const vessel *v) {
    double best = 1e30, second = 1e30;
    unsigned bi = 0, si = 0;
    for (unsigned i = 0; i < N_STATIONS; i++) {
        double dy = STATIONS[i][0] - v->lat;
        double dx = (STATIONS[i][1] - v->lon) * 0.83; /* ~cos(34 deg) */
        double d = dy * dy + dx * dx;
        if (d < best) {
            second = best;
            si = bi;
            best = d;
            bi = i;
        } else if (d < second) {
            second = d;
            si = i;
        }
    }
    return rng_below(8) == 0 ? si : bi;
}

/* ------------------------------------------------------------------------ */
/* AIS payload bits                                                          */
/* ------------------------------------------------------------------------ */

/* A payload under construction, kept directly as 6-bit symbols. */
typedef struct {
    uint8_t sym[80]; /* 6-bit values, not yet armoured */
    unsigned nsym;
    uint64_t acc; /* bits not yet making up a whole symbol */
    unsigned accbits;
    unsigned fill; /* fill bits added by bits_finish */
} bitbuf;

/* Start an empty payload. */
static void bits_init(bitbuf *b) {
    b->nsym = 0;
    b->acc = 0;
    b->accbits = 0;
    b->fill = 0;
}

/* Append the low n bits (n <= 32) of value, most significant first; signed
 * fields are passed as their two's complement and truncated here. */
static void bits_put(bitbuf *b, uint64_t value, unsigned n) {
    b->acc = (b->acc << n) | (value & ((UINT64_C(1) << n) - 1));
    b->accbits += n;
    while (b->accbits >= 6) {
        b->accbits -= 6;
        b->sym[b->nsym++] = (uint8_t)((b->acc >> b->accbits) & 63);
    }
}

/* Append a signed value as an n-bit two's complement field. */
static void bits_put_signed(bitbuf *b, int64_t value, unsigned n) {
    bits_put(b, (uint64_t)value, n);
}

/* Append text as nchars 6-bit characters, padded with '@'.  Lower case is
 * raised; characters outside the AIS set become '?'. */
static void bits_put_text(bitbuf *b, const char *s, unsigned nchars) {
    for (unsigned i = 0; i < nchars; i++) {
        unsigned c = (unsigned char)(*s ? *s++ : '@');
        if (c >= 'a' && c <= 'z')
            c -= 32;
        unsigned v;
        if (c >= '@' && c <= '_')
            v = c - 64;
        else if (c >= ' ' && c <= '?')
            v = c;
        else
            v = '?';
        bits_put(b, v, 6);
    }
}

/* Pad the last symbol with zero bits and note how many were added. */
static void bits_finish(bitbuf *b) {
    if (b->accbits) {
        b->fill = 6 - b->accbits;
        bits_put(b, 0, b->fill);
    }
}

/* Latitude/longitude in 1/10000 minute, as the AIS fields carry them. */
static int64_t to_ais_angle(double deg) {
    return (int64_t)lround(deg * 600000.0);
}

/* Course in 1/10 degree, 0..3599. */
static unsigned to_ais_course(double cog) {
    unsigned c = (unsigned)lround(cog * 10.0);
    return c >= 3600 ? c - 3600 : c;
}

/* Speed in 1/10 knot. */
static unsigned to_ais_speed(double sog) {
    return (unsigned)lround(sog * 10.0);
}

/* True heading for v: its course plus a small offset, or 511 (none). */
static unsigned heading_of(const vessel *v) {
    if (!v->has_heading)
        return 511;
    int h = (int)lround(v->cog) + v->heading_off;
    return (unsigned)((h % 360 + 360) % 360);
}

/* The UTC second the report claims, a moment before reception at t. */
static unsigned report_second(int64_t t) {
    int64_t s = t - (int64_t)rng_below(3);
    return (unsigned)(((s % 60) + 60) % 60);
}

/* SOTDMA communication state (19 bits) for a type 1/2 report at time t. */
static uint32_t sotdma_state(int64_t t) {
    unsigned sync = rng_below(100) < 90 ? 0 : 3;
    unsigned timeout = rng_below(8);
    unsigned sub;
    if (timeout == 1) {
        int64_t d = ((t % 86400) + 86400) % 86400;
        sub = (unsigned)(d / 3600) << 9 | (unsigned)(d % 3600 / 60) << 2;
    } else if (timeout == 3 || timeout == 5 || timeout == 7) {
        sub = rng_below(60); /* stations received */
    } else {
        sub = rng_below(2250); /* slot number or offset */
    }
    return (uint32_t)(sync << 17 | timeout << 14 | sub);
}

/* Types 1, 2, 3: class A position report (168 bits). */
static void build_position_a(bitbuf *b, const vessel *v, unsigned type, int64_t t, double turned) {
    bits_put(b, type, 6);
    bits_put(b, 0, 2); /* repeat */
    bits_put(b, v->mmsi, 30);
    bits_put(b, v->status, 4);
    int rot = -128; /* no turn indicator */
    if (v->has_rot) {
        double rate = turned * 2.0; /* deg/min, reports ~30 s apart */
        double r = 4.733 * sqrt(fabs(rate));
        if (r > 126.0)
            r = 126.0;
        rot = (int)lround(rate < 0 ? -r : r);
    }
    bits_put_signed(b, rot, 8);
    bits_put(b, to_ais_speed(v->sog), 10);
    bits_put(b, rng_pct(30), 1); /* position accuracy */
    bits_put_signed(b, to_ais_angle(v->lon), 28);
    bits_put_signed(b, to_ais_angle(v->lat), 27);
    unsigned cog = to_ais_course(v->cog);
    if (v->sog < 0.05 && v->status == 1)
        cog = 3600; /* lying still at anchor: course not available */
    bits_put(b, cog, 12);
    bits_put(b, heading_of(v), 9);
    bits_put(b, report_second(t), 6);
    bits_put(b, 0, 2);           /* maneuver indicator */
    bits_put(b, 0, 3);           /* spare */
    bits_put(b, rng_pct(10), 1); /* RAIM */
    uint32_t radio;
    if (type == 3) {
        /* ITDMA: sync 2, slot increment 13, slots 3, keep 1 */
        radio = (uint32_t)(rng_below(8192) << 4 | rng_below(5) << 1 | rng_below(2));
    } else {
        radio = sotdma_state(t);
    }
    bits_put(b, radio, 19);
}

/* Type 18: class B "CS" position report (168 bits). */
static void build_position_b(bitbuf *b, const vessel *v, int64_t t) {
    bits_put(b, 18, 6);
    bits_put(b, 0, 2);
    bits_put(b, v->mmsi, 30);
    bits_put(b, 0, 8); /* reserved */
    bits_put(b, to_ais_speed(v->sog), 10);
    bits_put(b, rng_pct(20), 1);
    bits_put_signed(b, to_ais_angle(v->lon), 28);
    bits_put_signed(b, to_ais_angle(v->lat), 27);
    bits_put(b, to_ais_course(v->cog), 12);
    bits_put(b, heading_of(v), 9);
    bits_put(b, report_second(t), 6);
    bits_put(b, 0, 2);          /* regional */
    bits_put(b, 1, 1);          /* CS unit */
    bits_put(b, 0, 1);          /* no display */
    bits_put(b, 1, 1);          /* DSC */
    bits_put(b, 1, 1);          /* whole marine band */
    bits_put(b, 1, 1);          /* accepts message 22 */
    bits_put(b, 0, 1);          /* autonomous mode */
    bits_put(b, rng_pct(5), 1); /* RAIM */
    /* Communication state selector 1 (ITDMA) and the fixed CS state. */
    bits_put(b, (1u << 19) | 0x60006u, 20);
}

/* Type 5: static and voyage related data (424 bits). */
static void build_static_a(bitbuf *b, const vessel *v) {
    bits_put(b, 5, 6);
    bits_put(b, 0, 2);
    bits_put(b, v->mmsi, 30);
    bits_put(b, v->ais_version, 2);
    bits_put(b, v->imo, 30);
    bits_put_text(b, v->callsign, 7);
    bits_put_text(b, v->name, 20);
    bits_put(b, v->shiptype, 8);
    bits_put(b, v->to_bow, 9);
    bits_put(b, v->to_stern, 9);
    bits_put(b, v->to_port, 6);
    bits_put(b, v->to_stbd, 6);
    bits_put(b, v->epfd, 4);
    bits_put(b, v->eta_month, 4);
    bits_put(b, v->eta_day, 5);
    bits_put(b, v->eta_hour, 5);
    bits_put(b, v->eta_minute, 6);
    bits_put(b, v->draught, 8);
    bits_put_text(b, v->dest, 20);
    bits_put(b, 0, 1); /* DTE ready */
    bits_put(b, 0, 1); /* spare */
}

/* Type 24 part A (partno 0): name (168 bits). */
static void build_static_b_a(bitbuf *b, const vessel *v) {
    bits_put(b, 24, 6);
    bits_put(b, 0, 2);
    bits_put(b, v->mmsi, 30);
    bits_put(b, 0, 2);
    bits_put_text(b, v->name, 20);
    bits_put(b, 0, 8); /* spare */
}

/* Type 24 part B (partno 1): type, vendor, call sign, size (168 bits). */
static void build_static_b_b(bitbuf *b, const vessel *v) {
    bits_put(b, 24, 6);
    bits_put(b, 0, 2);
    bits_put(b, v->mmsi, 30);
    bits_put(b, 1, 2);
    bits_put(b, v->shiptype, 8);
    bits_put_text(b, VENDORS[v->vendor], 3);
    bits_put(b, v->model, 4);
    bits_put(b, v->serial, 20);
    bits_put_text(b, v->callsign, 7);
    bits_put(b, v->to_bow, 9);
    bits_put(b, v->to_stern, 9);
    bits_put(b, v->to_port, 6);
    bits_put(b, v->to_stbd, 6);
    bits_put(b, 0, 6); /* spare */
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static char outbuf[OUTBUF_SIZE];
static size_t outlen;

/* Write out the buffer; exit quietly if stdout has gone away. */
static void out_flush(void) {
    if (outlen && fwrite(outbuf, 1, outlen, stdout) != outlen) {
        fprintf(stderr, "gen_nmea: write error: %s\n", strerror(errno));
        exit(1);
    }
    outlen = 0;
}

/* Write decimal v at p; returns the end. */
static char *put_uint(char *p, uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* Write "*hh" for checksum x, hex upper case; returns the end. */
static char *put_checksum(char *p, unsigned x) {
    static const char hex[] = "0123456789ABCDEF";
    *p++ = '*';
    *p++ = hex[(x >> 4) & 15];
    *p++ = hex[x & 15];
    return p;
}

/* XOR of the bytes in [from, to). */
static unsigned xor_range(const char *from, const char *to) {
    unsigned x = 0;
    while (from < to)
        x ^= (unsigned char)*from++;
    return x;
}

/* Write one line: tag block, then sentence `num` of `count` carrying
 * symbols sym[0..nsym) with `fill` fill bits.  seqid < 0 leaves the
 * sequential message id empty. */
static void emit_line(unsigned station, int64_t t, unsigned count, unsigned num, int seqid, char channel,
                      const uint8_t *sym, unsigned nsym, unsigned fill) {
    if (OUTBUF_SIZE - outlen < MAX_LINE)
        out_flush();
    char *p = outbuf + outlen;

    /* \s:rSTNnn,c:<t>*hh\ */
    *p++ = '\\';
    char *tag = p;
    memcpy(p, "s:rSTN", 6);
    p += 6;
    *p++ = (char)('0' + (station + 1) / 10);
    *p++ = (char)('0' + (station + 1) % 10);
    memcpy(p, ",c:", 3);
    p += 3;
    p = put_uint(p, (uint64_t)t);
    p = put_checksum(p, xor_range(tag, p));
    *p++ = '\\';

    /* !AIVDM,count,num,seqid,channel,payload,fill*hh */
    *p++ = '!';
    char *body = p;
    memcpy(p, "AIVDM,", 6);
    p += 6;
    *p++ = (char)('0' + count);
    *p++ = ',';
    *p++ = (char)('0' + num);
    *p++ = ',';
    if (seqid >= 0)
        *p++ = (char)('0' + seqid);
    *p++ = ',';
    *p++ = channel;
    *p++ = ',';
    for (unsigned i = 0; i < nsym; i++) {
        unsigned s = sym[i];
        *p++ = (char)(s < 40 ? s + 48 : s + 56);
    }
    *p++ = ',';
    *p++ = (char)('0' + fill);
    p = put_checksum(p, xor_range(body, p));
    *p++ = '\n';
    outlen = (size_t)(p - outbuf);
}

/* Write payload b as one sentence, or as two when it is longer than 60
 * symbols (type 5: 71 symbols as 60 + 11, the fill bits on the second
 * part, the pair tagged with the next sequential message id 0-9).
 * Returns the number of lines written. */
static unsigned emit_payload(const bitbuf *b, unsigned station, int64_t t, char channel, unsigned *seqid) {
    if (b->nsym <= 60) {
        emit_line(station, t, 1, 1, -1, channel, b->sym, b->nsym, b->fill);
        return 1;
    }
    int id = (int)(*seqid % 10);
    *seqid = (*seqid + 1) % 10;
    emit_line(station, t, 2, 1, id, channel, b->sym, 60, 0);
    emit_line(station, t, 2, 2, id, channel, b->sym + 60, b->nsym - 60, b->fill);
    return 2;
}

/* ------------------------------------------------------------------------ */
/* Main                                                                      */
/* ------------------------------------------------------------------------ */

/* The kinds of message, drawn per 94 messages as 78 type 1/2/3, 3 type 5
 * (two sentences each), 10 type 18 and 3 type 24 part A + part B pairs:
 * 100 sentences in all, matching the intended shares. */
enum { KIND_POS_A, KIND_STATIC_A, KIND_POS_B, KIND_STATIC_B };

/* One drawn message: its kind and the index of its vessel. */
typedef struct {
    int kind;
    size_t vessel;
} draw;

/* Draw a message; the fleet holds n_a class A vessels, then n_b class B. */
static draw next_draw(size_t n_a, size_t n_b) {
    unsigned r = rng_below(94);
    draw d;
    d.kind = r < 78 ? KIND_POS_A : r < 81 ? KIND_STATIC_A : r < 91 ? KIND_POS_B : KIND_STATIC_B;
    if (d.kind >= KIND_POS_B && n_b == 0)
        d.kind = KIND_POS_A; /* tiny fleet without class B vessels */
    d.vessel = d.kind <= KIND_STATIC_A ? rng_below((uint32_t)n_a) : n_a + rng_below((uint32_t)n_b);
    return d;
}

/* Ask the CPU to start loading v into the cache (vessels are picked at
 * random from a fleet too big for the cache; a no-op without GCC). */
static void prefetch_vessel(const vessel *v) {
#if defined(__GNUC__)
    const char *p = (const char *)v;
    for (size_t off = 0; off < sizeof *v; off += 64)
        __builtin_prefetch(p + off);
    __builtin_prefetch(p + sizeof *v - 1);
#else
    (void)v;
#endif
}

/* Print usage to f. */
static void usage(FILE *f) {
    fprintf(f,
            "usage: gen_nmea --sentences N [--vessels V] [--seed S] "
            "[--start UNIX] [--days D]\n"
            "Writes N lines of synthetic AIS traffic (tag block + !AIVDM) to "
            "stdout.\n"
            "  --vessels V   number of distinct vessels (default %u, max %u)\n"
            "  --seed S      random seed (default %u)\n"
            "  --start UNIX  time of the first line (default %u)\n"
            "  --days D      the file spans D days (default 1)\n",
            DEFAULT_VESSELS, MAX_VESSELS, DEFAULT_SEED, DEFAULT_START);
}

/* Parse a whole unsigned decimal number, or exit with a message. */
static uint64_t parse_num(const char *opt, const char *s, uint64_t max) {
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+') {
        fprintf(stderr, "gen_nmea: %s needs a non-negative number\n", opt);
        exit(2);
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) {
        fprintf(stderr, "gen_nmea: bad value for %s: '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    uint64_t n_sentences = 0, n_vessels = DEFAULT_VESSELS;
    uint64_t seed = DEFAULT_SEED, start = DEFAULT_START, span_days = 1;
    int have_n = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        static const char *const opts[] = {"--sentences", "--vessels", "--seed", "--start", "--days"};
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        int which = -1;
        for (int k = 0; k < 5; k++) {
            size_t len = strlen(opts[k]);
            if (!strncmp(a, opts[k], len) && (a[len] == '\0' || a[len] == '=')) {
                which = k;
                val = a[len] == '=' ? a + len + 1 : (i + 1 < argc ? argv[++i] : NULL);
                break;
            }
        }
        switch (which) {
        case 0:
            n_sentences = parse_num(a, val, UINT64_C(1) << 40);
            have_n = 1;
            break;
        case 1:
            n_vessels = parse_num(a, val, MAX_VESSELS);
            if (n_vessels == 0) {
                fprintf(stderr, "gen_nmea: --vessels must be at least 1\n");
                return 2;
            }
            break;
        case 2:
            seed = parse_num(a, val, UINT64_MAX);
            break;
        case 3:
            /* Keep c: at most 10 digits and ETAs representable. */
            start = parse_num(a, val, UINT64_C(9000000000));
            break;
        case 4:
            span_days = parse_num(a, val, 3660);
            if (span_days == 0) {
                fprintf(stderr, "gen_nmea: --days must be at least 1\n");
                return 2;
            }
            break;
        default:
            fprintf(stderr, "gen_nmea: unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!have_n) {
        usage(stderr);
        return 2;
    }

    rng_state = seed ^ UINT64_C(0x50454C4F525553) /* "PELORUS" */;

    /* The fleet: first the class A vessels, then the class B ones. */
    size_t nv = (size_t)n_vessels;
    size_t n_a = nv >= 5 ? nv - nv / 5 : nv; /* tiny fleets: all class A */
    size_t n_b = nv - n_a;
    vessel *fleet = malloc(nv * sizeof *fleet);
    size_t cap = 16;
    while (cap < nv * 2)
        cap <<= 1;
    mmsi_set set = {calloc(cap, sizeof(uint32_t)), cap - 1};
    if (!fleet || !set.slot) {
        fprintf(stderr, "gen_nmea: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < nv; i++)
        make_vessel(&fleet[i], i >= n_a, &set, (int64_t)start);
    free(set.slot);

    unsigned seqid = 0;
    uint64_t line = 0;
    draw cur = next_draw(n_a, n_b);
    while (line < n_sentences) {
        int64_t t = (int64_t)(start + line * (SPAN_SECONDS * span_days) / n_sentences);
        char channel = rng_below(2) ? 'B' : 'A';

        /* Draw the next message now, so that its vessel can be fetched
         * into the cache while this one is written. */
        draw nxt = next_draw(n_a, n_b);
        prefetch_vessel(&fleet[nxt.vessel]);

        vessel *v = &fleet[cur.vessel];
        int kind = cur.kind;
        if (n_sentences - line < 2 && kind == KIND_STATIC_A)
            kind = KIND_POS_A; /* no room for two lines */
        if (n_sentences - line < 2 && kind == KIND_STATIC_B)
            kind = KIND_POS_B;

        bitbuf b;
        bits_init(&b);
        if (kind == KIND_POS_A) {
            double turned = advance(v, t);
            unsigned k = rng_below(100);
            unsigned type = k < 86 ? 1 : k < 89 ? 2 : 3;
            build_position_a(&b, v, type, t, turned);
        } else if (kind == KIND_STATIC_A) {
            build_static_a(&b, v);
        } else if (kind == KIND_POS_B) {
            advance(v, t);
            build_position_b(&b, v, t);
        } else {
            build_static_b_a(&b, v);
        }
        bits_finish(&b);
        unsigned station = pick_station(v);
        line += emit_payload(&b, station, t, channel, &seqid);

        if (kind == KIND_STATIC_B) {
            /* Part B follows part A at once, as real units send them, and
             * on the same channel: decoders that pair the parts (gpsd
             * does) keep one part A queue per channel. */
            bits_init(&b);
            build_static_b_b(&b, v);
            bits_finish(&b);
            line += emit_payload(&b, station, t, channel, &seqid);
        }
        cur = nxt;
    }
    out_flush();
    free(fleet);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "gen_nmea: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
