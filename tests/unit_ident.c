/*
 * unit_ident.c -- which broadcast identifiers identify a ship
 * (src/util/ident.c): IMO numbers, MMSIs and placeholder texts, as tables
 * of cases.  The values come from the recorded feeds in
 * tests/data/real-world/ and the NOAA extract (../shared/data/real/), where
 * each was seen, unless marked "made up".
 */
#include <string.h>

#include "pelorus.h"

#include "check.h"

int main(void) {
    // clang-format off
    static const struct { uint32_t imo; pel_imo_kind want; } imos[] = {
        {0, PEL_IMO_ABSENT},
        {1073741823, PEL_IMO_ABSENT},       /* 2^30-1: "not available", exactEarth passes */
        {1, PEL_IMO_MALFORMED},             /* NOAA: three boats "share" it */
        {256, PEL_IMO_MALFORMED},
        {18, PEL_IMO_MALFORMED},            /* GFW listener */
        {117028000, PEL_IMO_MALFORMED},
        {931599100, PEL_IMO_MALFORMED},     /* GFW listener: a valid IMO with two zeros appended */
        {999999, PEL_IMO_MALFORMED},        /* six digits */
        {10000000, PEL_IMO_MALFORMED},      /* eight digits */
        {9174638, PEL_IMO_CHECK_DIGIT},     /* exactEarth */
        {9012345, PEL_IMO_CHECK_DIGIT},     /* made up (the scan scenario's SONG RIM) */
        {9081435, PEL_IMO_VALID},
        {9660968, PEL_IMO_VALID},           /* NOAA: ZEUS */
        {8910146, PEL_IMO_VALID},
        {1000007, PEL_IMO_VALID},           /* made up: 1 x 7 = 7, check digit 7 */
        {1000003, PEL_IMO_CHECK_DIGIT},     /* made up: the same with check digit 3 */
    };
    // clang-format on
    for (size_t i = 0; i < sizeof imos / sizeof imos[0]; i++)
        CHECK(pel_imo_classify(imos[i].imo) == imos[i].want, "IMO %u: %s, got %s", imos[i].imo,
              pel_imo_kind_name(imos[i].want), pel_imo_kind_name(pel_imo_classify(imos[i].imo)));
    CHECK(!strcmp(pel_imo_kind_name(PEL_IMO_CHECK_DIGIT), "check_digit") &&
              !strcmp(pel_imo_kind_name(PEL_IMO_MALFORMED), "malformed"),
          "IMO kind names");

    // clang-format off
    static const struct { uint32_t mmsi; pel_mmsi_kind want; } mmsis[] = {
        {0, PEL_MMSI_ZERO},                 /* AMSA: 376 class B reports */
        {1193046, PEL_MMSI_PLACEHOLDER},    /* 0x123456, exactEarth */
        {12345678, PEL_MMSI_PLACEHOLDER},   /* NOAA */
        {123456789, PEL_MMSI_PLACEHOLDER},
        {987654321, PEL_MMSI_PLACEHOLDER},
        {111111111, PEL_MMSI_PLACEHOLDER},
        {999999999, PEL_MMSI_PLACEHOLDER},
        {416000000, PEL_MMSI_PLACEHOLDER},  /* GFW: the shared Taiwanese default */
        {400000000, PEL_MMSI_PLACEHOLDER},  /* GFW listener: two places 300 km apart */
        {273000000, PEL_MMSI_PLACEHOLDER},  /* exactEarth */
        {111000000, PEL_MMSI_PLACEHOLDER},  /* exactEarth: SAR prefix and zeros */
        {31423000, PEL_MMSI_SHORT},         /* AMSA, exactEarth: eight digits */
        {8900658, PEL_MMSI_SHORT},          /* AMSA */
        {57000, PEL_MMSI_SHORT},
        {1073741823, PEL_MMSI_LONG},        /* the 30-bit field's maximum */
        {1000000001, PEL_MMSI_LONG},
        {445123456, PEL_MMSI_SHIP},
        {273345678, PEL_MMSI_SHIP},
        {416000001, PEL_MMSI_SHIP},
        {471123456, PEL_MMSI_SHIP},
        {200123456, PEL_MMSI_SHIP},         /* a ship form; the MID table judges MID 200 */
        {111445123, PEL_MMSI_OTHER},        /* SAR aircraft */
        {984451234, PEL_MMSI_OTHER},        /* craft of a parent ship */
        {994451234, PEL_MMSI_OTHER},        /* aid to navigation */
        {970123456, PEL_MMSI_OTHER},        /* AIS-SART */
        {972123456, PEL_MMSI_OTHER},        /* MOB */
        {974123456, PEL_MMSI_OTHER},        /* EPIRB */
        {844512345, PEL_MMSI_OTHER},        /* handheld */
        {150123456, PEL_MMSI_NONSTANDARD},  /* 1xx other than 111: no ITU form */
        {100108212, PEL_MMSI_NONSTANDARD},  /* GFW listener: a longline buoy, XIN SHI JI 62-4-99% */
        {950123456, PEL_MMSI_NONSTANDARD},  /* 95x: no ITU form */
    };
    // clang-format on
    for (size_t i = 0; i < sizeof mmsis / sizeof mmsis[0]; i++) {
        pel_mmsi_kind k = pel_mmsi_classify(mmsis[i].mmsi);
        CHECK(k == mmsis[i].want, "MMSI %u: %s, got %s", mmsis[i].mmsi, pel_mmsi_kind_name(mmsis[i].want),
              pel_mmsi_kind_name(k));
        bool inval = mmsis[i].want != PEL_MMSI_SHIP && mmsis[i].want != PEL_MMSI_OTHER;
        CHECK(pel_mmsi_invalid(mmsis[i].mmsi) == inval, "MMSI %u invalid: %d", mmsis[i].mmsi, inval);
    }

    // clang-format off
    static const struct { const char *s; bool placeholder; } texts[] = {
        {NULL, true}, {"", true}, {"   ", true}, {"@@@@@@@", true}, {"@@@@@@@@@@@@@@@@@@@@", true},
        {"0", true}, {"0000000", true}, {"NONAME", true}, {"noname", true}, {"NO NAME", true},
        {"UNKNOWN", true}, {"N/A", true}, {"NA", true}, {"NONE", true}, {"XXXXXXX", true}, {"XX", true},
        {"YYYY", true}, {"-", true}, {"...", true}, {"???", true}, {"TEST", true}, {" NONAME@@@", true},
        {"CHON MA SAN", false}, {"ZEUS", false}, {"HMYX", false}, {"WDF9141", false}, {"X", false},
        {"0A", false}, {"A'&\"B", false}, {"NA1", false}, {"NONAMES", false}, {"SEA NONE", false},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        CHECK(pel_text_placeholder(texts[i].s) == texts[i].placeholder, "\"%s\": placeholder %d",
              texts[i].s ? texts[i].s : "(null)", texts[i].placeholder);

    // clang-format off
    static const struct { const char *s; bool gear; } gear[] = {
        {"XIN SHI JI 65-5-86%", true}, {"LONGLINE BUOY 0846%", true}, {"BUOY SNP 01 79%", true},
        {"HS 112 BUOY-12  100%", true}, {"109000021      [62%]", true}, {"BOUYS JDR-02", true},
        {"206-14-88%", true}, {"buoy 3", true},
        {"XIN SHI JI 65", false}, {"BUOYANT SPIRIT", false}, {"NETBUOY", true},
        {"CHON MA SAN", false}, {"100 PERCENT", false}, {"%", false}, {NULL, false},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof gear / sizeof gear[0]; i++)
        CHECK(pel_text_gear(gear[i].s) == gear[i].gear, "\"%s\": gear %d", gear[i].s ? gear[i].s : "(null)",
              gear[i].gear);

    printf("unit_ident: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
