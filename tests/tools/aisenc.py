"""aisenc.py -- a small AIS encoder for writing test inputs by hand (tests
never run it; a person does, and commits what it writes)."""
import functools, operator

def bits(v, n):
    v &= (1 << n) - 1
    return format(v, '0%db' % n)

SIX = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"
def text(s, n):
    s = (s + '@' * n)[:n]
    return ''.join(bits(SIX.index(c), 6) for c in s)

def armor(b):
    fill = (-len(b)) % 6
    b += '0' * fill
    out = ''
    for i in range(0, len(b), 6):
        v = int(b[i:i+6], 2)
        out += chr(v + 48 if v < 40 else v + 56)
    return out, fill

def cks(s):
    return '%02X' % functools.reduce(operator.xor, (ord(c) for c in s), 0)

def sentence(payload, fill, total=1, num=1, seq='', ch='A', talker='AI', kind='VDM'):
    body = '%s%s,%d,%d,%s,%s,%s,%d' % (talker, kind, total, num, seq, ch, payload, fill)
    return '!%s*%s' % (body, cks(body))

def tag(fields):
    return '\\%s*%s\\' % (fields, cks(fields))

def t1(mmsi, lat, lon, speed=0, course=0, heading=0, status=0, typ=1, second=10, turn=-128):
    b = bits(typ, 6) + bits(0, 2) + bits(mmsi, 30) + bits(status, 4) + bits(turn, 8)
    b += bits(speed, 10) + bits(0, 1) + bits(lon, 28) + bits(lat, 27) + bits(course, 12)
    b += bits(heading, 9) + bits(second, 6) + bits(0, 2) + bits(0, 3) + bits(0, 1) + bits(0, 19)
    return b

def deg(v):
    return int(round(v * 600000))

def t5(mmsi, imo, cs, name, shiptype, dest, draught=55):
    b = bits(5, 6) + bits(0, 2) + bits(mmsi, 30) + bits(0, 2) + bits(imo, 30) + text(cs, 7) + text(name, 20)
    b += bits(shiptype, 8) + bits(100, 9) + bits(20, 9) + bits(10, 6) + bits(12, 6) + bits(1, 4)
    b += bits(3, 4) + bits(14, 5) + bits(6, 5) + bits(30, 6) + bits(draught, 8) + text(dest, 20) + bits(0, 1) + bits(0, 1)
    return b

def t24a(mmsi, name, pad=True):
    b = bits(24, 6) + bits(0, 2) + bits(mmsi, 30) + bits(0, 2) + text(name, 20)
    return b + (bits(0, 8) if pad else '')

def t24b(mmsi, shiptype, vendor, cs, mother=None, part=1):
    b = bits(24, 6) + bits(0, 2) + bits(mmsi, 30) + bits(part, 2) + bits(shiptype, 8) + text(vendor, 3)
    b += bits(5, 4) + bits(12345, 20) + text(cs, 7)
    if mother is not None:
        b += bits(mother, 30)
    else:
        b += bits(8, 9) + bits(4, 9) + bits(2, 6) + bits(3, 6)
    return b + bits(0, 6)

def t27(mmsi, lat10, lon10, speed, course, status=0):
    b = bits(27, 6) + bits(0, 2) + bits(mmsi, 30) + bits(0, 1) + bits(0, 1) + bits(status, 4)
    b += bits(lon10, 18) + bits(lat10, 17) + bits(speed, 6) + bits(course, 9) + bits(0, 1) + bits(0, 1)
    return b

def single(b, **kw):
    p, f = armor(b)
    return sentence(p, f, **kw)

def multi(b, seq, ch='A', split=None):
    p, f = armor(b)
    split = split or [len(p) // 2]
    parts, last = [], 0
    for s in split + [len(p)]:
        parts.append(p[last:s]); last = s
    n = len(parts)
    return [sentence(part, f if i == n - 1 else 0, n, i + 1, str(seq), ch) for i, part in enumerate(parts)]

