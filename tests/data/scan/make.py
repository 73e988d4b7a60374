#!/usr/bin/env python3
"""Writes tests/data/scan/scenario.nmea: a small day of traffic with known
answers for tests/scan_test.sh -- one of each kind of finding and the
innocent look-alikes that must not be reported.  Run by a person; the file it
writes is committed.  Every vessel reports every 5 minutes (class A) through
NMEA 4 tag blocks; static data every hour."""
import math, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tools'))
from aisenc import bits, multi, single, t1, t5, tag

T0 = 1700000000  # 2023-11-14T22:13:20Z
H = 3600
lines = []  # (time, text) -- sorted at the end

def deg(v):
    return int(round(v * 600000))

def move(lat, lon, course_deg, speed_kn, seconds):
    d = speed_kn * seconds / 3600.0 / 60.0  # degrees of latitude
    la = lat + d * math.cos(math.radians(course_deg))
    lo = lon + d * math.sin(math.radians(course_deg)) / math.cos(math.radians(lat))
    return la, lo

def track(mmsi, start_pos, legs, start, station, status=0, step=300):
    """From start_pos, sail each leg (course, speed_kn, duration_s) in turn,
    reporting every step seconds; returns (end time, end position)."""
    t = start
    lat, lon = start_pos
    for (course, speed, dur) in legs:
        for k in range(0, dur, step):
            la, lo = move(lat, lon, course, speed, k)
            p = single(t1(mmsi, deg(la), deg(lo), int(round(speed * 10)), int(round(course * 10)) % 3600,
                          int(course) % 360, status, 1, (t + k) % 60))
            lines.append((t + k, tag('s:rSTN%02d,c:%d' % (station, t + k)) + p))
        lat, lon = move(lat, lon, course, speed, dur)
        t += dur
    return t, (lat, lon)

def static(mmsi, name, imo, cs, st, dest, draught, t, station):
    parts = multi(t5(mmsi, imo, cs, name, st, dest, draught), (t // 60) % 10)
    lines.append((t, tag('s:rSTN%02d,c:%d' % (station, t)) + parts[0]))
    lines.append((t, parts[1]))

# 1. ship-to-ship transfer in the open Yellow Sea: V1 and V2 sail to P and
#    drift 150 m apart at 0.5 kn for 3 h; then V1 goes dark for 14 h while V2
#    is still heard nearby, and comes back 60 nm north with a deeper draught
P = (35.5, 123.2)
V1, V2 = 445111000, 412222000
approach = 3000  # 50 minutes at 10 kn: 8.33 nm
s1 = (P[0] - 10 * approach / 3600 / 60, P[1])
s2 = (P[0] + 10 * approach / 3600 / 60, P[1] + 0.0016)
t, end1 = track(V1, s1, [(0, 10, approach), (90, 0.5, 3 * H)], T0, 1)
track(V2, s2, [(180, 10, approach), (90, 0.5, 3 * H), (200, 3, 16 * H)], T0, 2)
static(V1, 'CHON MA SAN', 0, 'HMYX', 80, 'NAMPO', 50, T0, 1)
t_back = t + 14 * H
track(V1, (end1[0] + 1.0, end1[1]), [(0, 9, 3 * H)], t_back, 1)
static(V1, 'CHON MA SAN', 0, 'HMYX', 80, 'NAMPO', 110, t_back, 1)

# 2. a port visit to Nampo (a port of concern): in from 20 nm, stopped 6 h, out
NAMPO = (38.716667, 125.4)
V3 = 445333000
dist_nm = 20.0
s3 = move(NAMPO[0], NAMPO[1], 225, dist_nm, 3600)  # 20 nm south-west of the port
t, _ = track(V3, s3, [(45, 10, int(dist_nm / 10 * H))], T0, 3)
t, _ = track(V3, NAMPO, [(0, 0, 6 * H)], t, 3, status=5)
track(V3, NAMPO, [(225, 10, 2 * H)], t, 3)
static(V3, 'SONG RIM', 9012345, 'HMAB', 70, 'NAMPO', 60, T0, 3)  # IMO check digit wrong on purpose

# 3. innocent: two ships anchored together in Nampo for a day, 100 m apart
for i, m in enumerate((445444000, 445444100)):
    track(m, (NAMPO[0] + 0.005, NAMPO[1] + 0.005 + 0.0011 * i), [(0, 0, 24 * H)], T0, 4, status=1)

# 4. innocent: pair trawlers 400 m apart at 3.5 kn for 6 h offshore
for i, m in enumerate((412555000, 412555100)):
    track(m, (34.5, 123.5 + 0.0044 * i), [(90, 3.5, 6 * H)], T0, 5, status=7)

# 5. innocent: two ships crossing within 200 m at 12 kn
track(412666000, (34.8, 122.8), [(90, 12, 2 * H)], T0, 6)
track(412666100, (34.6, 122.8 + 0.2 / math.cos(math.radians(34.8))), [(0, 12, 2 * H)], T0 + 300, 6)

# 6. loitering far offshore: 1 kn for 6 h
track(412777000, (34.0, 124.5), [(30, 1, 6 * H)], T0 + H, 7)

# 7. identity change: a name and call sign change under one MMSI
V8 = 412888000
track(V8, (33.5, 122.5), [(90, 11, 10 * H)], T0, 8)
static(V8, 'SEA GLORY', 9321483, 'BRAV', 70, 'DALIAN', 70, T0, 8)
static(V8, 'HAI XING 8', 9321483, 'BRZZ', 70, 'DALIAN', 70, T0 + 6 * H, 8)

# 8. an MMSI in two places at once: 445999000 off Nampo and in the East China Sea
track(445999000, (38.2, 124.8), [(0, 8, 8 * H)], T0, 9)
track(445999000, (31.0, 125.5), [(180, 8, 8 * H)], T0 + 150, 10)

# 9. a coverage hole: a ship alone in the open sea falls silent for 14 h
#    with nobody else heard around it: a gap, but not a suspected one
t, end9 = track(412999000, (25.0, 131.0), [(0, 10, 2 * H)], T0, 11)
track(412999000, move(end9[0], end9[1], 0, 10, 14 * H), [(0, 10, 2 * H)], t + 14 * H, 11)

lines.sort(key=lambda x: x[0])
with open(os.path.join(HERE, 'scenario.nmea'), 'w') as fh:
    for _, l in lines:
        fh.write(l + '\n')
print(len(lines), 'lines')
