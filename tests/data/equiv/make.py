#!/usr/bin/env python3
"""Writes the same traffic three ways -- NMEA with tag blocks, NOAA
MarineCadastre CSV, DMA aisdk CSV -- for tests/equiv_test.sh, which checks
that all three ingest to the same positions and identities.  Run by a person;
the files it writes are committed.  Positions are multiples of 1/100000
degree, so that five decimals in the CSVs are exact in AIS units."""
import os, sys, datetime
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tools'))
from aisenc import armor, bits, multi, single, t1, t5, t24a, t24b, tag

T0 = 1700000000
vessels = [  # mmsi, class, name, imo, callsign, type, (bow, stern, port, starboard), draught dm, destination
    (445123000, 'A', 'CHON MA SAN', 9081435, 'HMYX', 80, (100, 20, 10, 12), 55, 'NAMPO'),
    (273456000, 'A', 'ANGARA', 9179842, 'UBCD7', 70, (100, 20, 10, 12), 72, 'RAJIN'),  # t5's dimensions
    (412345000, 'B', 'YU JONG 2', 0, 'BXYZ', 30, (8, 4, 2, 3), -1, ''),  # t24b's dimensions
]

def t18(mmsi, lat, lon, speed, course, heading, second):
    b = bits(18, 6) + bits(0, 2) + bits(mmsi, 30) + bits(0, 8) + bits(speed, 10) + bits(0, 1)
    b += bits(lon, 28) + bits(lat, 27) + bits(course, 12) + bits(heading, 9) + bits(second, 6)
    b += bits(0, 2) + '1' + '0' + '1' + '1' + '1' + '0' + '0' + bits(0, 20)
    return b

def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S')

def dma_time(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%d/%m/%Y %H:%M:%S')

nmea, noaa, dma = [], [], []
noaa.append('MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass')
dma.append('# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D')
dma_type = {80: 'Tanker', 70: 'Cargo', 30: 'Fishing'}
for k in range(25):  # two hours, every five minutes
    t = T0 + 300 * k
    for i, (mmsi, cls, name, imo, cs, st, dims, dr, dest) in enumerate(vessels):
        lat = 3870000 + 137 * k * (i + 1) + 50000 * i   # 1/100000 degree
        lon = 12530000 + 211 * k + 70000 * i
        speed, course, heading, status = 55 + i, 450 + 100 * i, 45 + 10 * i, (0 if cls == 'A' else 15)
        second = (t % 60)
        lat6, lon6 = lat * 6, lon * 6   # 1/600000 degree
        src = tag('s:rSTN0%d,c:%d' % (i + 1, t))
        if cls == 'A':
            nmea.append(src + single(t1(mmsi, lat6, lon6, speed, course, heading, status, 1, second)))
        else:
            nmea.append(src + single(t18(mmsi, lat6, lon6, speed, course, heading, second)))
        length, width = dims[0] + dims[1], dims[2] + dims[3]
        noaa.append('%d,%s,%.5f,%.5f,%.1f,%.1f,%d,%s,%s,%s,%d,%s,%d,%d,%s,,%s' % (
            mmsi, iso(t), lat / 1e5, lon / 1e5, speed / 10, course / 10, heading, name,
            ('IMO%d' % imo) if imo else '', cs, st, str(status) if cls == 'A' else '', length, width,
            ('%.1f' % (dr / 10)) if dr >= 0 else '', cls))
        navstat = 'Under way using engine' if cls == 'A' else 'Unknown value'
        dma.append('%s,Class %s,%d,%.5f,%.5f,%s,,%.1f,%.1f,%d,%s,%s,%s,%s,,%d,%d,GPS,%s,%s,,AIS,%d,%d,%d,%d' % (
            dma_time(t), cls, mmsi, lat / 1e5, lon / 1e5, navstat, speed / 10, course / 10, heading,
            imo if imo else 'Unknown', cs, name, dma_type[st], width, length,
            ('%.1f' % (dr / 10)) if dr >= 0 else '', dest if dest else 'Unknown', dims[0], dims[1], dims[2], dims[3]))
        if k % 12 == 0:  # static data once an hour
            ts = tag('s:rSTN0%d,c:%d' % (i + 1, t))
            if cls == 'A':
                parts = multi(t5(mmsi, imo, cs, name, st, dest, dr), k % 10)
                nmea.append(ts + parts[0])
                nmea.append(parts[1])
            else:
                b = t24b(mmsi, st, 'SRT', cs)
                # the dimensions of t24b are fixed (8, 4, 2, 3): use them in the CSVs' place
                nmea.append(ts + single(t24a(mmsi, name)))
                nmea.append(ts + single(b))

def write(name, lines):
    with open(os.path.join(HERE, name), 'w', newline='') as fh:
        fh.write('\n'.join(lines) + '\n')

write('same.nmea', nmea)
write('same_noaa.csv', noaa)
write('same_dma.csv', dma)
