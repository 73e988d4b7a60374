#!/usr/bin/env python3
"""display_fixture.py OUT.csv -- a Danish Maritime Authority CSV whose vessels
change to names, call signs and destinations full of characters that must
never reach a display as themselves (docs/report.md, "Display"): a
right-to-left override (adversarial reproducer 17: "\u202eRATS KCALB\u202c"
displays as "BLACK STAR"), the other bidirectional controls, zero-width and
invisible characters, a tag character, C0 and C1 controls and a terminal
escape sequence.  Written with escapes here so that this file itself shows
what it holds.  Each vessel broadcasts a plain identity first, so the change
is an identity_change finding and the vessel is in every ranking and report.

The hostile texts, by MMSI, are printed as JSON on standard output when
called with --names (for the tests to compare with)."""
import json
import sys

HOSTILE = {
    219000011: ("\u202eRATS KCALB\u202c", "\u202eX1", "\u2067NAMPO\u2069"),
    219000012: ("A\u200bB\u200cC\u200dD\u2060E\ufeffF", "Z\u200bW", "PORT\u200bA"),
    219000013: ("\u2066L\u2067R\u2068F\u2069 \u200e\u200f\u061c\u202a\u202b\u202d", "C\u200fS", "D\u061cST"),
    219000014: ("SOFT\u00adHY\u034fPHEN\U000E0041\u180e\u3164", "T\U000E0067G", "\ufff9ANN\ufffb"),
    219000015: ("C1\u0085\u009bESC\x1b[2J BEL\x07", "E\x1bC", "\x7fDEL"),
}


def csv_field(s):
    return '"' + s.replace('"', '""') + '"'


def main():
    if sys.argv[1:] == ["--names"]:
        print(json.dumps({str(m): {"name": n, "callsign": c, "destination": d}
                          for m, (n, c, d) in HOSTILE.items()}))
        return
    rows = ["# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,"
            "Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,"
            "ETA,Data source type,A,B,C,D"]
    for k in range(12):  # every 10 minutes for two hours; the identity changes after the first hour
        for i, (mmsi, (name, call, dest)) in enumerate(sorted(HOSTILE.items())):
            if k < 6:
                name, call, dest = "PLAIN %d" % i, "P%d" % i, "AARHUS"
            t = "01/03/2023 %02d:%02d:00" % (k // 6, (k % 6) * 10 + i)
            lat = 55.0 + i * 0.5 + k * 0.02
            rows.append(",".join([t, "Class A", str(mmsi), "%.6f" % lat, "11.000000", "Under way using engine",
                                  "", "8.0", "0.0", "0", "Unknown", csv_field(call), csv_field(name), "Tanker",
                                  "", "20", "100", "GPS", "6.0", csv_field(dest), "", "AIS", "", "", "", ""]))
    with open(sys.argv[1], "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(rows) + "\n")


main()
