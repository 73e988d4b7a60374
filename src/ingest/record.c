/*
 * record.c -- a decoded NMEA message as a pel_record, the one shape every
 * input format takes before the store.
 *
 * Positions come from types 1, 2, 3 (class A), 18, 19 (class B) and 27
 * (long range, 1/10 minute: scaled to 1/600000 degree); identity and voyage
 * data from 5, 19 and 24.  Other types carry nothing for tracks.
 *
 * The record's texts (name, call sign, destination, ETA) point into the
 * message, whose decoder keeps them (the ETA as its normalised view's
 * "MM-DDTHH:MMZ"): they live as long as the message does, and nothing here
 * is static or per thread.
 */
#include <math.h>
#include <string.h>

#include "pelorus.h"

bool pel_record_from_msg(pel_record *r, const pel_ais_msg *m) {
    memset(r, 0, sizeof *r);
    r->mmsi = m->mmsi;
    r->has_time = m->has_rx;
    r->t_ms = m->rx_ms;
    r->clock = m->rx_clock;
    r->type = m->type;
    r->lat = PEL_NA_LAT;
    r->lon = PEL_NA_LON;
    r->speed = PEL_NA_SPEED;
    r->course = PEL_NA_COURSE;
    r->heading = PEL_NA_HEADING;
    r->status = PEL_NA_STATUS;
    r->shiptype = -1;
    r->to_bow = r->to_stern = r->to_port = r->to_starboard = -1;
    r->draught_dm = -1;
    r->partno = -1;
    r->second = -1;
    r->source = m->source;
    r->line = m->line;
    r->line_last = m->line_last;
    switch (m->type) {
    case 1:
    case 2:
    case 3:
    case 18:
    case 19: {
        r->kind = PEL_REC_POSITION;
        /* the normalised view, not field lookups: this is the hot path */
        r->lat = m->lat_raw;
        r->lon = m->lon_raw;
        r->speed = m->speed == m->speed ? (int)lround(m->speed * (m->type == 9 ? 1 : 10)) : PEL_NA_SPEED;
        r->course = m->course == m->course ? (int)lround(m->course * 10) : PEL_NA_COURSE;
        r->heading = m->heading >= 0 ? m->heading : PEL_NA_HEADING;
        r->status = m->type <= 3 ? m->status : PEL_NA_STATUS;
        r->second = m->second >= 0 && m->second < 60 ? m->second : -1;
        if (m->type != 19)
            return true;
        r->kind |= PEL_REC_STATIC;
        r->shipname = m->shipname;
        r->shiptype = m->shiptype;
        r->to_bow = m->to_bow, r->to_stern = m->to_stern, r->to_port = m->to_port, r->to_starboard = m->to_starboard;
        return true;
    }
    case 27: {
        r->kind = PEL_REC_POSITION;
        r->lat = m->lat_raw;
        r->lon = m->lon_raw;
        r->speed = m->speed == m->speed ? (int)lround(m->speed * 10) : PEL_NA_SPEED;
        r->course = m->course == m->course ? (int)lround(m->course * 10) : PEL_NA_COURSE;
        r->status = m->status;
        return true;
    }
    case 5:
        r->kind = PEL_REC_STATIC;
        r->shipname = m->shipname;
        r->callsign = m->callsign;
        r->destination = m->destination;
        r->imo = m->imo;
        r->shiptype = m->shiptype;
        r->to_bow = m->to_bow, r->to_stern = m->to_stern, r->to_port = m->to_port, r->to_starboard = m->to_starboard;
        r->draught_dm = m->draught == m->draught ? (int)lround(m->draught * 10) : -1;
        r->eta = m->eta; /* as transmitted, "MM-DDTHH:MMZ", in m like the other texts */
        return true;
    case 24:
        r->kind = PEL_REC_STATIC;
        r->partno = m->partno;
        if (m->partno == 0)
            r->shipname = m->shipname;
        else {
            r->callsign = m->callsign;
            r->shiptype = m->shiptype;
            r->to_bow = m->to_bow, r->to_stern = m->to_stern, r->to_port = m->to_port,
            r->to_starboard = m->to_starboard;
        }
        return true;
    default:
        return false;
    }
}
