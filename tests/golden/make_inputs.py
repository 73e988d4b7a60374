#!/usr/bin/env python3
"""Writes the hand-made golden inputs in tests/golden/ (run once by a person;
the tests never run it).  Each input exercises what the peers' data lacks:
tag blocks, receiver prefixes and trailers, multi-sentence messages across
interleaved sources, type 24 variants, sentinels, and bad input.  The expected
outputs (*.out) come from `make golden` and are reviewed by hand."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools'))
from aisenc import *  # noqa: F401,F403  (bits, text, armor, cks, sentence, tag, t1, t5, t24a, t24b, t27, single, multi)

def pghp(when, sentences, cc=None):
    """A Gatehouse $PGHP line: when is 'yyyy,m,d,h,m,s,ms'; cc the checksum
    of the message it times: the XOR of its sentences' checksums (computed
    from sentences, one or a list, unless given; '' for none)."""
    if cc is None:
        x = 0
        for sen in ([sentences] if isinstance(sentences, str) else sentences):
            x ^= int(sen[sen.index('*') + 1:][:2], 16)
        cc = '%02X' % x
    body = 'PGHP,1,%s,316,2,316000002,1AIS_S' % when + (',' + cc if cc != '' else '')
    return '$' + body + '*' + cks(body)

def write(name, lines, eol='\n'):
    with open(os.path.join(HERE, name), 'w', newline='') as fh:
        for l in lines:
            fh.write(l + eol)

# 1. tag blocks and receiver conventions
A = single(t1(445123000, deg(38.7), deg(125.3), 5, 900, 90, 0))     # North Korean MMSI off Nampo
B = single(t1(273456000, deg(42.75), deg(133.08), 0, 0, 200, 5))    # Russian MMSI at Vostochny
lines = [
    '# tag blocks: c: seconds, c: milliseconds, s: source',
    tag('s:rSTN01,c:1700000000') + A,
    tag('c:1700000000123,s:rSTN02') + B,
    '# tag block with its own checksum wrong, sentence checksum good: kept and counted, its fields used',
    '\\s:rSTN01,c:1700000001*00\\' + A,
    '# tag block without a checksum: accepted unchecked',
    '\\s:rSTN03,c:1700000002\\' + A,
    '# tag block with unknown keys and T: human time',
    tag('s:rORBCOMM009,q:u,c:1700000003,T:2023-11-14 22.13.23') + B,
    '# leading Unix time, ISO-8601 time with and without fraction',
    '1700000004 ' + A,
    '1700000004.250,' + A,
    '2023-11-14T22:13:25Z ' + B,
    '2023-11-14 22:13:25.5;' + B,
    '# USCG trailer: station and Unix time after the checksum',
    A + ',d-109,S2105,t050056.00,T56.13718694,r003669946,1700000006,1700000001',
    '# Gatehouse $PGHP: its last field is the checksum of the sentence it times (here the next one)',
    pghp('2023,11,14,22,13,27,500', B),
    B,
    B,
    '# VDO (own ship), other talkers, empty channel',
    single(t1(445123000, deg(38.7), deg(125.3)), talker='AI', kind='VDO'),
    single(t1(445123000, deg(38.7), deg(125.3)), talker='BS', ch=''),
    single(t1(445123000, deg(38.7), deg(125.3)), talker='AB', ch='B'),
    '# other NMEA: ignored, counted',
    '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47',
    '!AIALR,000000.00,006,A,V,AIS: UTC Lost*75',
]
write('tagblocks.nmea', lines, '\r\n')

# 2. multi-sentence messages
V1 = t5(445999000, 9123456, 'HMXX', 'CHON MA SAN', 80, 'NAMPO')
V2 = t5(273111000, 9876543, 'UBCD7', 'ANGARA', 70, 'RAJIN')
a1, a2 = multi(V1, 3)
b1, b2 = multi(V2, 3)
c = multi(V1, 5, split=[20, 50])
lines = [
    '# two sources interleaved with the same sequence id: kept apart by s:',
    tag('g:1-2-11,s:rSTN01,c:1700000100') + a1,
    tag('g:1-2-12,s:rSTN02,c:1700000100') + b1,
    tag('g:2-2-12,s:rSTN02,c:1700000100') + b2,
    tag('g:2-2-11,s:rSTN01,c:1700000100') + a2,
    '# NMEA 4.10 group syntax, second fragment without a tag block (Norwegian feed)',
    tag('1G2:501,s:rSTN05,c:1700000110') + a1,
    a2,
    '# three fragments, an unrelated line between them',
    tag('s:rSTN01,c:1700000120') + c[0],
    tag('s:rSTN01,c:1700000120') + A,
    c[1],
    c[2],
    '# orphan: a second fragment whose first never came',
    tag('s:rSTN01,c:1700000130') + b2,
    '# duplicate fragment 1 replaces the partial one; duplicate fragment 2 after completion is an orphan',
    tag('s:rSTN01,c:1700000140') + a1,
    tag('s:rSTN01,c:1700000140') + a1,
    tag('s:rSTN01,c:1700000140') + a2,
    tag('s:rSTN01,c:1700000140') + a2,
    '# out of order within a three-part message: fragment 3 before 2',
    c[0], c[2], c[1],
    '# fragment 2 twice within a three-part message: the repeat is a duplicate',
    c[0], c[1], c[1], c[2],
    '# a first fragment that never completes: stale at the end of input',
    tag('s:rSTN09,c:1700000150') + b1,
]
write('multipart.nmea', lines)

# 3. type 24 variants, type 27, sentinels
lines = [
    '# type 24 part A, 168 bits and the 160-bit form seen in the wild',
    single(t24a(338123456, 'SEA DOG')),
    single(t24a(338123456, 'SEA DOG', pad=False)),
    '# type 24 part B with dimensions, and for an auxiliary craft (98MIDxxxx) with the mother ship',
    single(t24b(338123456, 37, 'SRT', 'WDC1234')),
    single(t24b(983381234, 52, 'ACM', 'WDC9999', mother=338123456)),
    '# type 24 part 2 (reserved): rejected',
    single(t24b(338123456, 37, 'SRT', 'WDC1234', part=2)),
    '# sentinels: lat 91, lon 181, speed 1023, course 3600, heading 511 are not printed',
    single(t1(445000111, 91 * 600000, 181 * 600000, 1023, 3600, 511, 15)),
    '# type 27 long-range report, and with its sentinels',
    single(t27(445000222, int(38.7 * 600), int(125.3 * 600), 12, 270, 0)),
    single(t27(445000222, 91 * 600, 181 * 600, 63, 511, 15)),
    '# a shipname with JSON-special characters',
    single(t5(412000333, 9321483, 'B"\\', 'A "QUOTED" \\ NAME', 70, 'X&Y<Z>')) if False else
        '\\s:rSTN01,c:1700000200*%s\\' % cks('s:rSTN01,c:1700000200') + multi(t5(412000333, 9321483, 'B"\\', 'A "Q" \\ N', 70, 'X&Y<Z>'), 1)[0],
    multi(t5(412000333, 9321483, 'B"\\', 'A "Q" \\ N', 70, 'X&Y<Z>'), 1)[1],
]
write('type24.nmea', lines)

# 4. receive time: $PGHP pairing and the precedence of clocks
#    (tag block c: > $PGHP > leading receiver time > trailer after the checksum)
P = [single(t1(445100000 + 7 * i, deg(38.7), deg(125.3), 5, 900, 90, 0, second=i)) for i in range(12)]
assert len(set(x[-2:] for x in P)) == len(P), 'the sentences must differ in checksum'
M = multi(t5(445999000, 9123456, 'HMXX', 'CHON MA SAN', 80, 'NAMPO'), 4)
VDO = single(t1(445123000, deg(38.7), deg(125.3), 5, 900, 90, 0), kind='VDO')
NOT_THERE = next(c for c in ('%02X' % v for v in range(128)) if c not in [x[-2:] for x in P + M])
lines = [
    '# exactEarth: every line has the arrival trailer (ms); the $PGHP gives the satellite receive time',
    '# $PGHP before its sentence',
    pghp('2012,1,31,5,7,0,100', P[0]) + ',1327992119157',
    P[0] + ',1327992119173',
    '# $PGHP after its sentence',
    P[1] + ',1327992119189',
    pghp('2012,1,31,5,7,1,200', P[1]) + ',1327992119205',
    '# interleaved: $PGHP, two other sentences, its sentence; then a sentence, two $PGHP lines, its sentence',
    pghp('2012,1,31,5,7,2,300', P[2]) + ',1327992119221',
    P[3] + ',1327992119237',
    P[4] + ',1327992119253',
    P[2] + ',1327992119269',
    pghp('2012,1,31,5,7,3,400', P[4]) + ',1327992119285',
    pghp('2012,1,31,5,7,4,500', P[5]) + ',1327992119301',
    P[5] + ',1327992119317',
    '# a $PGHP whose sentence never comes: it times nothing; P3 above keeps its trailer',
    pghp('2012,1,31,5,7,5,600', P[0], cc=NOT_THERE) + ',1327992119333',
    '# a tag-block time beats a $PGHP; the $PGHP stays unpaired',
    pghp('2012,1,31,5,7,6,700', P[6]),
    tag('s:rSTN01,c:1327990000') + P[6],
    '# a $PGHP beats a leading receiver time, which beats a trailer',
    pghp('2012,1,31,5,7,7,800', P[7]),
    '1327990001 ' + P[7] + ',1327992119349',
    '1327990002 ' + P[8] + ',1327992119365',
    '# a $PGHP without its checksum field times the next sentence',
    pghp('2012,1,31,5,7,8,900', P[9], cc=''),
    P[9],
    '# a two-sentence message: cc is the XOR of its two checksums (Gatehouse)',
    pghp('2012,1,31,5,7,9,0', M),
    M[0],
    M[1],
    '# an own-ship (VDO) message: Gatehouse writes cc 00, the $PGHP right before times it',
    pghp('2012,1,31,5,7,9,500', VDO, cc='00'),
    VDO,
    '# a sentence whose $PGHP is 17 lines later: too far, it keeps its trailer',
    P[10] + ',1327992119381',
] + ['# filler %d' % i for i in range(16)] + [
    pghp('2012,1,31,5,7,10,0', P[10]),
    '# a sentence 16 lines before its $PGHP: paired',
    P[11] + ',1327992119397',
] + ['# filler %d' % i for i in range(15)] + [
    pghp('2012,1,31,5,7,11,0', P[11]),
]
write('pghp.nmea', lines)

# 5. oversize payloads: decoded at the standard length and counted
lines = [
    '# type 1 with 18 extra bits (MarineTraffic) and 36 (AISHub); type 5 with 36; type 3 with 37: too long',
    single(t1(445123000, deg(38.7), deg(125.3), 5, 900, 90, 0) + '0' * 18),
    single(t1(445123000, deg(38.7), deg(125.3), 5, 900, 90, 0) + '1' * 36),
    multi(t5(445999000, 9123456, 'HMXX', 'CHON MA SAN', 80, 'NAMPO') + '0' * 36, 6)[0],
    multi(t5(445999000, 9123456, 'HMXX', 'CHON MA SAN', 80, 'NAMPO') + '0' * 36, 6)[1],
    single(t1(445123000, deg(38.7), deg(125.3), 5, 900, 90, 0, typ=3) + '0' * 37),
    '# type 27 in a full 168-bit slot (as gpsd), and at 169 bits: too long',
    single(t27(445000222, int(38.7 * 600), int(125.3 * 600), 12, 270, 0) + '0' * 72),
    single(t27(445000222, int(38.7 * 600), int(125.3 * 600), 12, 270, 0) + '0' * 73),
    '# too short for its type: still rejected',
    single(t1(445123000, deg(38.7), deg(125.3))[:148]),
]
write('oversize.nmea', lines)

# 6. bad input
good = single(t1(445123000, deg(38.7), deg(125.3)))
lines = [
    '# each line below is rejected for the reason its comment gives',
    good[:25],                                            # truncated: no checksum
    good[:-2] + ('00' if good[-2:] != '00' else '11'),    # wrong checksum
    good.replace('*', ''),                                # checksum missing
    '!AIVDM,1,1,,A,1' + 'x' * 27 + ',0*' + cks('AIVDM,1,1,,A,1' + 'x' * 27 + ',0'),  # illegal payload chars
    sentence(armor(t1(445123000, 0, 0))[0], 7),           # fill 7
    sentence('', 2),                                      # fill on empty payload
    single(t1(445123000, 0, 0)[:120]),                    # type 1 too short
    single(bits(0, 6) + bits(0, 2) + bits(445123000, 30) + '0' * 130),  # type 0
    single(bits(28, 6) + bits(0, 2) + bits(445123000, 30) + '0' * 130), # type 28
    '!AIVDM,1,1,,A,13aIkM@P00PJ@qPNL=e@0?wJ28JO*66',      # too few fields
    '!AIVDM,0,1,,A,13aIkM@P00PJ@qPNL=e@0?wJ28JO,0*' + cks('AIVDM,0,1,,A,13aIkM@P00PJ@qPNL=e@0?wJ28JO,0'),
    'hello world',                                        # not NMEA
    '!AIV',                                               # cut short
    '',                                                   # blank: ignored
    good,                                                 # a good one among them
]
write('badinput.nmea', lines)
with open(os.path.join(HERE, 'badinput.nmea'), 'ab') as fh:
    fh.write(b'\x00\x01\xfe\xff binary garbage \x1b[31m\n')
    fh.write(good.encode() + b'\n')
    fh.write(good[:30].encode())  # last line without a newline, truncated
open(os.path.join(HERE, 'empty.nmea'), 'w').close()
