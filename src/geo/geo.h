/*
 * geo.h -- the geography the detectors need: the port list (data/ports.csv),
 * areas of interest (a GeoJSON FeatureCollection of polygons, normally
 * data/zones.geojson), the MMSI country table (data/mid.csv) and
 * great-circle distance.  Internal to libpelorus; scan.c wires it into the
 * detectors (det_geo).
 *
 * Coordinates are WGS84 degrees, latitude first in every function (GeoJSON
 * files are lon/lat, as RFC 7946 says).  Distances are metres on a sphere of
 * GEO_EARTH_RADIUS_M, the same sphere as trk_distance_m.  Loaded tables are
 * read-only afterwards, so several threads may query one at a time or
 * concurrently.  Limits are listed in geo.c's header.
 */
#ifndef PEL_GEO_H
#define PEL_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

#define GEO_EARTH_RADIUS_M 6371008.8 /* IUGG mean radius, as trk_distance_m */

/* Great-circle (haversine) distance in metres between two points in
 * degrees.  Longitudes may be given in any 360-degree range. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* The data directory: given when not NULL (or empty), else $PELORUS_DATA
 * when set, else the data/ directory the program was built from
 * (PEL_DATADIR).  Borrowed: given, the environment, or a static string. */
const char *geo_data_dir(const char *given);

/* ---- ports --------------------------------------------------------------- */

/* One port.  Every string is "" when the file leaves it empty or has no
 * such column; all are owned by the geo_ports that holds the port. */
typedef struct geo_port {
    const char *wpi;  /* World Port Index number ("60280"), "" for hand-added ports */
    const char *name; /* never empty */
    const char *alt_name;
    const char *unlocode; /* "KPNAM" */
    const char *country;  /* a country name, as the WPI writes it */
    const char *harbor_size;
    const char *harbor_type;
    const char *source; /* where a hand-added row comes from */
    double lat, lon;    /* degrees */
    bool concern;       /* a port of concern (column concern = 1) */
} geo_port;

typedef struct geo_ports geo_ports;

/* Reads a port list: a CSV file (RFC 4180 quoting, LF or CRLF, an optional
 * UTF-8 BOM, blank lines ignored) whose header names its columns; name, lat
 * and lon are required, wpi, alt_name, unlocode, country, harbor_size,
 * harbor_type, concern (0 or 1; absent = 0) and source are optional, other
 * columns are ignored.  Builds the grid index used by the queries.  On
 * success *out owns everything (free with geo_ports_free) and PEL_OK is
 * returned; otherwise *out is NULL, nothing is leaked and err (may be NULL)
 * says what and where: PEL_ERR_IO (cannot read), PEL_ERR_FORMAT (file:line:
 * problem), PEL_ERR_NOMEM. */
pel_status geo_ports_load(const char *path, geo_ports **out, pel_error *err);

/* Frees p and every string of its ports; NULL is accepted. */
void geo_ports_free(geo_ports *p);

/* Number of ports (0 for NULL). */
int geo_ports_count(const geo_ports *p);

/* Port i (0-based, file order), or NULL when i is out of range.  Borrowed:
 * valid until geo_ports_free(p). */
const geo_port *geo_port_get(const geo_ports *p, int i);

/* Name of port i, or NULL when i is out of range.  Borrowed as above. */
const char *geo_port_name(const geo_ports *p, int i);

/* 1 when port i is a port of concern, 0 otherwise or when out of range. */
int geo_port_concern(const geo_ports *p, int i);

/* Index of the port nearest to (lat, lon), its distance in metres in
 * *dist_m (may be NULL).  Exactly the answer of a linear scan with
 * geo_distance_m, ties going to the lowest index, found through a 1-degree
 * grid whose cells are skipped when a lower bound of their distance exceeds
 * the best found (geo.c tells how).  Returns -1 (and INFINITY) when p
 * is NULL or empty or the point is not finite or |lat| > 90. */
int geo_port_nearest(const geo_ports *p, double lat, double lon, double *dist_m);

/* The ports within radius_m metres of (lat, lon) (distance <= radius_m):
 * writes the indices of the nearest min(cap, count) of them to out, nearest
 * first (ties by index), and their distances to dist_m (room for cap; may be
 * NULL, and then at most 64 indices are written).
 * Returns the count of ports within the radius, which may exceed cap; 0 for
 * bad arguments.  No allocation. */
int geo_port_within(const geo_ports *p, double lat, double lon, double radius_m, int *out, double *dist_m, int cap);

/* ---- zones --------------------------------------------------------------- */

typedef struct geo_zones geo_zones;

/* What makes a stay in a zone worth a finding (properties.policy). */
typedef enum geo_zone_policy {
    GEO_ZONE_ENTRY, /* "entry" (or no policy): any entry -- port approaches, territorial waters */
    GEO_ZONE_DWELL  /* "dwell": only a slow stay -- open-sea transfer areas that traffic crosses */
} geo_zone_policy;

/* Reads a GeoJSON FeatureCollection whose features are Polygons or
 * MultiPolygons (holes allowed), each a zone named by properties.name (a
 * string) or "zone N" (N counted from 1).  properties.kind (a string) and
 * properties.concern (a boolean) are kept when present; properties.policy
 * is "entry" (also when absent or null) or "dwell", anything else is
 * refused ("feature 2 (\"X\"): properties.policy \"stay\" is neither
 * \"entry\" nor \"dwell\"").  Every ring must
 * have at least 4 positions, the last equal to the first; positions are
 * [lon, lat(, ...)] numbers within range.  Anything else is refused with
 * PEL_ERR_FORMAT and a message naming the feature and the problem
 * ("zones.geojson: feature 3 (\"Wonsan\"): polygon 1, ring 1 is not closed
 * ..."); PEL_ERR_IO when the file cannot be read, PEL_ERR_NOMEM.  On
 * success *out owns the zones (free with geo_zones_free); otherwise *out is
 * NULL. */
pel_status geo_zones_load(const char *path, geo_zones **out, pel_error *err);

/* Frees z; NULL is accepted. */
void geo_zones_free(geo_zones *z);

/* Number of zones (0 for NULL). */
int geo_zones_count(const geo_zones *z);

/* Name of zone i (never NULL for a valid i), NULL when out of range.
 * Borrowed: valid until geo_zones_free(z). */
const char *geo_zone_name(const geo_zones *z, int zone);

/* properties.kind of zone i, NULL when absent or out of range.  Borrowed. */
const char *geo_zone_kind(const geo_zones *z, int zone);

/* properties.concern of zone i (false when absent or out of range). */
bool geo_zone_concern(const geo_zones *z, int zone);

/* properties.policy of zone i (GEO_ZONE_ENTRY when out of range). */
geo_zone_policy geo_zone_policy_of(const geo_zones *z, int zone);

/* "entry" or "dwell".  Static. */
const char *geo_zone_policy_name(geo_zone_policy p);

/* True when (lat, lon) lies inside zone i: inside one of its polygons by
 * the even-odd rule over that polygon's rings (so not in a hole), after a
 * bounding-box check.  Coordinates are taken as a plane in lon/lat: a
 * polygon that crosses the antimeridian must be split into two (RFC 7946
 * 3.1.9).  A point exactly on an edge may go either way (deterministically). */
bool geo_zone_contains(const geo_zones *z, int zone, double lat, double lon);

/* Writes to out the indices (ascending) of the zones containing (lat, lon),
 * at most cap of them, and returns how many were written.  0 for NULL z. */
int geo_zones_at(const geo_zones *z, double lat, double lon, int *out, int cap);

/* ---- MMSI country (MID) table ------------------------------------------- */

typedef struct geo_mid geo_mid;

/* Reads a MID table: CSV with a header naming mid and iso2 (or
 * iso3166_alpha2), optionally iso3 and name; each mid 201..799 once.  Same
 * contract as geo_ports_load; free with geo_mid_free. */
pel_status geo_mid_load(const char *path, geo_mid **out, pel_error *err);

/* Frees m; NULL is accepted. */
void geo_mid_free(geo_mid *m);

/* For a ship MMSI (nine digits, first digit 2-7: MIDxxxxxx) whose MID is in
 * the table, writes the ISO 3166 alpha-2 code ("KP") with its NUL to iso2
 * and returns true.  Every other form (00MID coast stations, 0MID groups,
 * 111MID SAR aircraft, 98/99MID craft and aids to navigation, 970-974
 * devices, fewer digits) and unallocated MIDs return false, iso2 untouched. */
bool geo_mid_country(const geo_mid *m, uint32_t mmsi, char iso2[3]);

/* Country name of a MID (201..799) as the table gives it, or NULL.
 * Borrowed: valid until geo_mid_free(m). */
const char *geo_mid_name(const geo_mid *m, unsigned mid);

/* The ISO 3166 alpha-2 code of a country as lists write it: a code ("KP",
 * "prk"), the table's name, or a common other spelling ("Korea, North",
 * "Russian Federation", "Vietnam", "Gabon"); case, spaces and punctuation
 * ignored.  Writes iso2 (with its NUL) and returns true when known. */
bool geo_country_iso2(const geo_mid *m, const char *name, char iso2[3]);

/* ---- land.c: a land mask ------------------------------------------------ */

typedef struct geo_land geo_land;

/* Reads Natural Earth's land from a TopoJSON file (data/web/vendor/land-50m.json)
 * and rasterises it (2 arc-minute cells).  Same contract as geo_ports_load;
 * free with geo_land_free (NULL accepted). */
pel_status geo_land_load(const char *path, geo_land **out, pel_error *err);
void geo_land_free(geo_land *g);

/* True when (lat, lon) is in a land cell.  g NULL: false. */
bool geo_land_at(const geo_land *g, double lat, double lon);

/* True when every cell within km of (lat, lon) is land: a place at least
 * that far inland (km absorbs the generalised coast; 10 is a safe margin). */
bool geo_land_inland(const geo_land *g, double lat, double lon, double km);

/* How far inland (lat, lon) is: the largest whole km up to max_km for
 * which geo_land_inland holds; 0 at sea, on the coast or for g NULL. */
double geo_land_depth_km(const geo_land *g, double lat, double lon, double max_km);

/* The longest stretch, in km, of the straight leg from (lat1, lon1) to
 * (lat2, lon2) that runs over land (0 when it stays at sea). */
double geo_land_crossing_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2);

/* The same over land at least margin_km inland (geo_land_inland): a leg
 * that hugs a coast or clips a cape crosses none. */
double geo_land_crossing_inland_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2,
                                   double margin_km);

/* A lower bound, in km, of the shortest sea route from (lat1, lon1) to
 * (lat2, lon2): a path over cells that are not margin_km inland (so necks
 * of land under twice the margin count as passable), never less than the
 * straight distance.  INFINITY when no route of at most max_km exists;
 * NAN when it is not judged (g NULL, a leg across the antimeridian, a
 * search box over 4 million cells, out of memory).  Costs a search over
 * the box that holds every route of max_km: call it for the few legs that
 * need it. */
double geo_land_sea_route_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2, double margin_km,
                             double max_km);

#endif
