/*
 * ais_text.c -- the code tables of ITU-R M.1371 as gpsd names them:
 * navigation status, ship and cargo type, position-fixing device, aid to
 * navigation type and station type.  The texts are gpsd's (so that our JSON
 * matches its "_text" fields); the values come from the standard.
 *
 * Limits: ship types 100 and above are not defined for AIS and are named
 * "Illegal ship type value." as gpsd does.
 */
#include <stdio.h>

#include "ais_internal.h"

// clang-format off
static const char *const status_text[16] = {
    "Under way using engine",
    "At anchor",
    "Not under command",
    "Restricted maneuverability",
    "Constrained by her draught",
    "Moored",
    "Aground",
    "Engaged in fishing",
    "Under way sailing",
    "Reserved for HSC",
    "Reserved for WIG",
    "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside",
    "Reserved",
    "AIS-SART is active",
    "Not defined",
};

static const char *const epfd_text[16] = {
    "Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C", "Chayka",
    "Integrated navigation system", "Surveyed", "Galileo",
    "Reserved (9)", "Reserved (10)", "Reserved (11)", "Reserved (12)", "Reserved (13)", "Reserved (14)",
    "Internal GNSS",
};

static const char *const aid_text[32] = {
    "Unspecified", "Reference point", "RACON", "Fixed offshore structure", "Spare, Reserved for future use.",
    "Light, without sectors", "Light, with sectors", "Leading Light Front", "Leading Light Rear",
    "Beacon, Cardinal N", "Beacon, Cardinal E", "Beacon, Cardinal S", "Beacon, Cardinal W",
    "Beacon, Port hand", "Beacon, Starboard hand", "Beacon, Preferred Channel port hand",
    "Beacon, Preferred Channel starboard hand", "Beacon, Isolated danger", "Beacon, Safe water",
    "Beacon, Special mark", "Cardinal Mark N", "Cardinal Mark E", "Cardinal Mark S", "Cardinal Mark W",
    "Port hand Mark", "Starboard hand Mark", "Preferred Channel Port hand", "Preferred Channel Starboard hand",
    "Isolated danger", "Safe Water", "Special Mark", "Light Vessel / LANBY / Rigs",
};

static const char *const station_text[16] = {
    "All types of mobiles", "Reserved for future use", "All types of Class B mobile stations",
    "SAR airborne mobile station", "Aid to Navigation station", "Class B shipborne mobile station",
    "Regional use and inland waterways", "Regional use and inland waterways",
    "Regional use and inland waterways", "Regional use and inland waterways",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
};

/* Ship types 30..59 are named one by one; the decades 20, 40, 60..90 follow
 * one pattern ("<group> - <category>"). */
static const char *const single_type[30] = {
    "Fishing", "Towing", "Towing: length exceeds 200m or breadth exceeds 25m", "Dredging or underwater ops",
    "Diving ops", "Military ops", "Sailing", "Pleasure Craft", "Reserved", "Reserved",
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, /* 40-49: HSC group */
    "Pilot Vessel", "Search and Rescue vessel", "Tug", "Port Tender", "Anti-pollution equipment",
    "Law Enforcement", "Spare - Local Vessel", "Spare - Local Vessel", "Medical Transport",
    "Noncombatant ship according to RR Resolution No. 18",
};

static const char *const group_name[10] = {
    NULL, NULL, "Wing in ground (WIG)", NULL, "High speed craft (HSC)", NULL,
    "Passenger", "Cargo", "Tanker", "Other Type",
};

static const char *const category_name[10] = {
    "all ships of this type", "Hazardous category A", "Hazardous category B", "Hazardous category C",
    "Hazardous category D", "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "No additional information",
};
// clang-format on

const char *ais_status_text(unsigned v) {
    return v < 16 ? status_text[v] : "Not defined";
}

const char *ais_epfd_text(unsigned v) {
    return v < 16 ? epfd_text[v] : "Undefined";
}

const char *ais_aid_text(unsigned v) {
    return v < 32 ? aid_text[v] : "Unspecified";
}

const char *ais_station_text(unsigned v) {
    return v < 16 ? station_text[v] : "Reserved for future use";
}

/* Writes the name of ship type v into buf (>= 64 bytes) or returns a static
 * string; the result is valid as long as buf is. */
const char *ais_shiptype_text(unsigned v, char *buf, size_t cap) {
    if (v == 0)
        return "Not available";
    if (v < 20)
        return "Reserved for future use";
    if (v >= 100)
        return "Illegal ship type value.";
    if (v >= 30 && v < 60 && single_type[v - 30])
        return single_type[v - 30];
    unsigned decade = v / 10, unit = v % 10;
    if (decade == 2 && unit == 9)
        return "Wing in ground (WIG) - Reserved for future use";
    if (v == 99)
        return "Other Type - no additional information";
    snprintf(buf, cap, "%s - %s", group_name[decade], category_name[unit]);
    return buf;
}
