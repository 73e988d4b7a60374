/*
 * sim.h -- the simulate stage: a scenario (docs/simulate.md) becomes a
 * fleet of vessels with planned movements, a schedule of AIS transmissions
 * following ITU-R M.1371, a reception model, and the truth a correct scan
 * must report.  Internal to libpelorus; pel_simulate (sim.c) drives it.
 *
 * Times are Unix milliseconds; positions degrees.  Every random draw comes
 * from one seeded generator consumed in a fixed order, so a scenario and
 * seed give byte-identical output.
 */
#ifndef PEL_SIM_H
#define PEL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */
typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

void sim_rng_seed(sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(sim_rng *r);
double sim_rng_unit(sim_rng *r); /* [0, 1) */
double sim_rng_range(sim_rng *r, double lo, double hi);
bool sim_rng_chance(sim_rng *r, double p);

/* ---- movement ---- */
enum { SIM_SAIL = 0, SIM_STAY, SIM_DRIFT };

/* One leg: the vessel moves in a straight line (in lat/lon) from p0 at t0
 * to p1 at t1. */
typedef struct sim_leg {
    int64_t t0, t1;
    double lat0, lon0, lat1, lon1;
    int kind;   /* SIM_SAIL, SIM_STAY (moored in port), SIM_DRIFT (slow at sea) */
    int status; /* navigation status broadcast during the leg */
} sim_leg;

/* A change of broadcast identity at time t (rename, new IMO, new call sign,
 * new MMSI after a change of flag, new draught). */
typedef struct sim_change {
    int64_t t;
    char name[21]; /* "" = unchanged */
    char callsign[8];
    uint32_t imo;   /* 0 = unchanged */
    uint32_t mmsi;  /* 0 = unchanged */
    int draught_dm; /* 0 = unchanged */
    int shiptype;   /* 0 = unchanged */
} sim_change;

typedef struct sim_window {
    int64_t t0, t1;
    char cause[12]; /* a dark window: the gap cause the truth expects ("" = dark) */
} sim_window;

/* A spoofed position (spoof_land, spoof_circle, spoof_offset events): from
 * t0 to t1 the vessel broadcasts (lat, lon), or a place on the circle of
 * radius_m around it going round once every period_ms from phase_deg,
 * exactly (no GNSS noise: a spoofer's signal is a computed one), whatever
 * its true place; or (offset) its true place shifted by dlat, dlon degrees
 * plus north_m, east_m metres, with its usual noise and no more. */
enum { SIM_SPOOF_LAND = 1, SIM_SPOOF_CIRCLE, SIM_SPOOF_OFFSET };
typedef struct sim_spoof {
    int64_t t0, t1;
    int kind;
    double lat, lon, radius_m, phase_deg;
    int64_t period_ms;
    double dlat, dlon, north_m, east_m; /* an offset */
} sim_spoof;

typedef struct sim_vessel {
    char id[32];
    int role; /* SIM_ROLE_ */
    uint32_t mmsi;
    char name[21], callsign[8], destination[21];
    uint32_t imo;
    int shiptype;
    bool class_b;
    bool type19; /* a class B that also sends type 19 */
    int length, beam;
    int draught_dm;
    double speed_kn;    /* cruising speed */
    bool designated;    /* written to watchlist.csv */
    char list_name[21]; /* the name the list gives ("" = name) */
    char program[32];

    sim_leg *legs;
    size_t nlegs, caplegs;
    sim_window *dark; /* transmitter off */
    size_t ndark;
    sim_change *changes; /* sorted by t */
    size_t nchanges;
    sim_spoof *spoof; /* spoofed positions (not sorted) */
    size_t nspoof;

    /* run-time state */
    int64_t next_pos, next_static;
    size_t leg;  /* current leg (legs are visited in order) */
    uint64_t tx; /* positions transmitted */
} sim_vessel;

enum { SIM_ROLE_BACKGROUND = 0, SIM_ROLE_SCRIPTED, SIM_ROLE_CLONE };

typedef struct sim_receiver {
    char name[32];
    double lat, lon;
    double range_m;   /* 0: hears its nearest vessels at any range (shore) */
    int64_t late_ms;  /* store-and-forward: its lines arrive this late */
    sim_window *down; /* outages: hears nothing */
    size_t ndown;
    bool satellite; /* heard only in passes, by vessels no shore station covers */
    int64_t pass_ms, period_ms, offset_ms;
} sim_receiver;

typedef struct sim_hole {
    double lat, lon, radius_m;
    int64_t t0, t1;
} sim_hole;

/* A scripted event of the scenario, kept for the truth. */
typedef struct sim_event {
    char id[32];
    char type[16]; /* "sts", "dark", "port_call", "loiter", "clone", "rename", "reflag", ... */
    int v1, v2;    /* vessel indices (-1 none) */
    int64_t t0, t1;
    double lat, lon;
    int port; /* port index, -1 none */
} sim_event;

typedef struct sim_scenario {
    char name[64];
    uint64_t seed;
    int64_t start, end;
    double loss, duplicate, reorder, corrupt, truncate;
    int64_t reorder_max_ms;
    int64_t feed_interval_ms; /* at most one position per vessel per interval (a downsampled feed) */
    sim_receiver *rx;
    size_t nrx;
    sim_hole *holes;
    size_t nholes;
    sim_vessel *v;
    size_t nv, capv;
    sim_event *ev;
    size_t nev, capev;
} sim_scenario;

struct geo_ports;
struct geo_land;

/* What a run may cost (docs/simulate.md, "Budget"), and the estimate of
 * what it will.  Limits of 0 mean none. */
typedef struct sim_budget {
    uint64_t max_messages;  /* AIS messages transmitted */
    uint64_t max_bytes;     /* memory of the fleet, its plans and the waiting lines */
    int nzones;             /* zones followed per vessel (sim.c keeps state for each) */
    double messages, bytes; /* out: the estimate */
} sim_budget;

/* Reads and checks a scenario file (land: the land mask lanes, boxes and
 * spoof_land events are checked against; NULL: not checked), generates the background fleet and plans
 * every vessel's legs (scenario.c).  Before the background fleet is made,
 * the run is estimated (messages transmitted, memory) and refused with
 * PEL_ERR_ARG, the estimate and the limit in err, when over budget (b may be
 * NULL: no limit); planning stops the same way if the legs outgrow the
 * memory budget.  On success *sc is filled (free with sim_scenario_free),
 * b->messages and b->bytes hold the estimate, and PEL_OK is returned;
 * otherwise err names the member at fault. */
pel_status sim_scenario_load(const char *path, const struct geo_ports *ports, const struct geo_land *land, int64_t seed,
                             double scale, sim_budget *b, sim_scenario *sc, pel_error *err);

/* Memory the run (sim.c) keeps for each vessel besides its legs, with
 * nzones zones followed; and for the lines waiting to be written when
 * msgs_per_s messages are sent a second (reception as in sc). */
double sim_run_bytes_per_vessel(int nzones);
double sim_run_window_bytes(double msgs_per_s, const sim_scenario *sc);

/* Position reports an hour of one vessel at speed kn, and static reports an
 * hour (ITU-R M.1371 intervals as sim.c transmits them, at most one per
 * feed interval; feed_s 0 keeps all). */
double sim_positions_per_hour(bool class_b, double kn, double feed_s);
double sim_statics_per_hour(bool class_b, double feed_s);
void sim_scenario_free(sim_scenario *sc);

/* The true position of v at time t (legs interpolated), its speed over
 * ground in knots, course in degrees and navigation status. */
void sim_position(const sim_vessel *v, int64_t t, double *lat, double *lon, double *sog, double *cog, int *status);

/* Appends a leg to v; false when out of memory. */
bool sim_add_leg(sim_vessel *v, const sim_leg *l);

/* Initial bearing in degrees from the first point to the second (sphere). */
double sim_bearing(double lat1, double lon1, double lat2, double lon2);

#endif
