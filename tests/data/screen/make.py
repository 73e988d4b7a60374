#!/usr/bin/env python3
"""Writes tests/data/screen/identities.nmea for tests/screen_test.sh: vessels
whose broadcast identities must, or must not, match the default OFAC list.
Run by a person; the file it writes is committed.  MMSIs are made up."""
import os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tools'))
from aisenc import multi, single, t1, t5, tag

T0 = 1700000000
DAY = 86400
lines = []

def vessel(mmsi, t, name, imo, cs, lat):
    lines.append(tag('s:rSTN01,c:%d' % t) + single(t1(mmsi, int(lat * 600000), int(124.0 * 600000), 100, 900, 90)))
    p = multi(t5(mmsi, imo, cs, name, 80, 'NAMPO'), (t // 60) % 10)
    lines.append(tag('s:rSTN01,c:%d' % t) + p[0])
    lines.append(p[1])

vessel(312000001, T0, 'NEW DAWN', 9179842, 'V3XX1', 35.0)          # ANGARA's IMO under a new name
vessel(412000002, T0, 'YUJONG 2', 0, 'BYJ2', 35.1)                 # spacing variant of YU JONG 2
vessel(412000003, T0, 'SAM JONG 2', 0, 'BSJ2', 35.2)               # a designated name...
vessel(412000003, T0 + 90 * DAY, 'PEACEFUL SEA', 0, 'BSJ2', 35.2)  # ...months before a new one
vessel(412000004, T0, 'JI SONG 9', 0, 'BJS9', 35.3)                # near miss: another hull number
vessel(412000005, T0, 'OCEAN', 0, 'BOCN', 35.4)                    # near miss: a common word alone
vessel(412000006, T0, 'YU JONG', 0, 'BKUS', 35.5)                  # near miss: the hull number missing

with open(os.path.join(HERE, 'identities.nmea'), 'w') as fh:
    fh.write('\n'.join(lines) + '\n')
