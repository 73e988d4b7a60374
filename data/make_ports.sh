#!/bin/sh
# make_ports.sh -- derives data/ports.csv from the NGA World Port Index.
#
# Run by a person when the WPI copy changes; the build and the tests never
# run it.  Reproducible: the same input gives the same bytes (LC_ALL=C).
#
#   data/make_ports.sh [WPI_SLIM_CSV] > data/ports.csv
#
# Input: wpi_ports_slim.csv (default ../shared/data/ports/wpi_ports_slim.csv,
# see that directory's README.txt), header
#   wpi_number,main_port_name,alternate_port_name,unlocode,country,latitude,
#   longitude,harbor_size,harbor_type,world_water_body
# Output header
#   wpi,name,alt_name,unlocode,country,lat,lon,harbor_size,harbor_type,concern,source
# * rows sorted by WPI number (stable: the two numbers the WPI uses twice,
#   400 and 49460, keep the input order), then the hand-added rows;
# * unlocode: the space removed ("KP NAM" -> "KPNAM"); a value that is not
#   then 2 letters + 3 letters/digits is left empty (it is a WPI typo);
# * concern = 1 for every North Korean port and every Russian port on the
#   Primorye (Primorsky Krai) coast, taken as the box 42.2N-47.4N,
#   130.4E-139.2E (Tumen River mouth to the Khabarovsk Krai border; it holds
#   no other Russian coast: Sakhalin lies east of 141E);
# * source is empty for WPI rows and says where a hand-added row comes from;
# * a field holding a comma or a quote is quoted ("" for a quote).
# The ports marked as of concern are listed on standard error.
set -eu
in=${1:-"$(dirname "$0")/../../shared/data/ports/wpi_ports_slim.csv"}
[ -r "$in" ] || { echo "make_ports.sh: cannot read $in" >&2; exit 1; }
LC_ALL=C
export LC_ALL

echo "wpi,name,alt_name,unlocode,country,lat,lon,harbor_size,harbor_type,concern,source"
{
    awk '
    # splits a CSV line into f[1..n] (quotes, "" inside quotes); returns n
    function csvsplit(s, f,    n, i, c, q, v) {
        n = 1; v = ""; q = 0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (q) {
                if (c == "\"") {
                    if (substr(s, i + 1, 1) == "\"") { v = v "\""; i++ } else q = 0
                } else v = v c
            } else if (c == "\"") q = 1
            else if (c == ",") { f[n++] = v; v = "" }
            else v = v c
        }
        f[n] = v
        return n
    }
    function quote(s) {
        if (s ~ /[,"]/) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
        return s
    }
    { sub(/\r$/, "") }
    NR == 1 { next }
    {
        n = csvsplit($0, f)
        if (n != 10) { print "make_ports.sh: line " NR ": " n " fields" > "/dev/stderr"; exit 1 }
        u = f[4]; gsub(/ /, "", u)
        if (u !~ /^[A-Z][A-Z][A-Z0-9][A-Z0-9][A-Z0-9]$/) {
            if (u != "") print "make_ports.sh: unlocode \"" f[4] "\" of " f[2] " (WPI " f[1] ") left empty" > "/dev/stderr"
            u = ""
        }
        lat = f[6] + 0; lon = f[7] + 0
        concern = 0
        if (f[5] == "North Korea") concern = 1
        if (f[5] == "Russia" && lat >= 42.2 && lat <= 47.4 && lon >= 130.4 && lon <= 139.2) concern = 1
        if (concern) print "make_ports.sh: of concern: " f[2] " (WPI " f[1] ", " f[5] ")" > "/dev/stderr"
        print quote(f[1]) "," quote(f[2]) "," quote(f[3]) "," quote(u) "," quote(f[5]) "," f[6] "," f[7] "," \
              quote(f[8]) "," quote(f[9]) "," concern ","
    }' "$in" | sort -t, -k1,1g -s
    # Hand-added ports (not in the WPI).  Each says where its position is from
    # (no commas or quotes in these lines, so no quoting is needed).
    echo ',Bolshoy Kamen,Bolshoi Kamen,,Russia,43.116667,132.350000,,,1,hand-added (not in the WPI): town position 43 07 N 132 21 E from the infobox of the Wikipedia article Bolshoy Kamen (the German and Russian articles give the same); degree-minute precision (about 1 km); the Zvezda shipyard is on the same shore of Ussuri Bay'
}
echo "make_ports.sh: of concern: Bolshoy Kamen (hand-added, Russia)" >&2
