#!/usr/bin/env node
// make_big_mock.mjs -- writes a synthetic report data file of a chosen size,
// to check the page stays usable with thousands of vessels and ~100k drawn
// track points (the numbers are random walks, not AIS):
//
//   node tests/browser/make_big_mock.mjs OUT.json [VESSELS [POINTS [FINDINGS]]]
//
// Defaults 3000 vessels, 100000 points, 6000 findings.  Deterministic (a fixed
// seed): the same arguments give the same file.  It prints the number of
// findings that have a geometry, for report_check.mjs --expect-findings.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [out, nv = '3000', np = '100000', nf = '6000'] = process.argv.slice(2);
if (!out) {
    console.error('usage: node tests/browser/make_big_mock.mjs OUT.json [VESSELS [POINTS [FINDINGS]]]');
    process.exit(2);
}
const V = Number(nv), P = Number(np), F = Number(nf);

let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const t0 = 1700000000, t1 = t0 + 30 * 86400;
const events = ['encounter', 'loitering', 'gap', 'port_visit', 'zone_entry', 'spoofing', 'identity_change', 'watchlist_match'];
const mids = [[412, 'China'], [440, 'Republic of Korea'], [445, "Democratic People's Republic of Korea"], [431, 'Japan'],
    [351, 'Panama'], [667, 'Sierra Leone'], [511, 'Palau']];

const vessels = [], tracks = [], findings = [];
const perV = Math.max(2, Math.floor(P / V));
for (let i = 0; i < V; i++) {
    const [mid, country] = pick(mids);
    const mmsi = mid * 1000000 + i;
    let lon = 119 + rnd() * 11, lat = 30 + rnd() * 10;
    let t = t0 + Math.floor(rnd() * 86400);
    const coords = [];
    let heading = rnd() * 2 * Math.PI;
    for (let k = 0; k < perV; k++) {
        heading += (rnd() - 0.5) * 0.6;
        lon += Math.cos(heading) * 0.05; lat += Math.sin(heading) * 0.04;
        t += 600 + Math.floor(rnd() * 1200);
        coords.push([+lon.toFixed(5), +lat.toFixed(5), t]);
    }
    const lons = coords.map((c) => c[0]), lats = coords.map((c) => c[1]);
    tracks.push({ mmsi, segments: [{ segment: 0, coords }] });
    vessels.push({ mmsi, name: rnd() < 0.9 ? 'VESSEL ' + i + (rnd() < 0.1 ? ' <b>&amp;</b>' : '') : null,
        imo: rnd() < 0.7 ? 9000000 + i : null, callsign: 'C' + i, shiptype: pick([70, 80, 30]), shiptype_text: null,
        country, score: 0, level: 'none', reasons: [], identities: [{ name: 'VESSEL ' + i, imo: null, callsign: 'C' + i,
            shiptype: 70, first: iso(coords[0][2]), last: iso(coords[coords.length - 1][2]) }],
        positions: coords.length, first: iso(coords[0][2]), last: iso(coords[coords.length - 1][2]), findings: [],
        bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], _c: coords });
}
let withGeom = 0;
for (let id = 0; id < F; id++) {
    const vi = Math.floor(rnd() * V), v = vessels[vi];
    const c = pick(v._c);
    const ev = pick(events);
    const f = { id, event: ev, mmsi: v.mmsi, start: iso(c[2]), end: iso(c[2] + 3600 * (1 + Math.floor(rnd() * 20))),
        lat: c[1], lon: c[0], duration_h: 1 + Math.floor(rnd() * 20), evidence: [{ file: 'big.nmea', line: id + 1 }],
        evidence_total: 1, vessel_name: v.name, vessel2_name: null, geometry: null };
    if (ev === 'encounter' || ev === 'loitering' || ev === 'port_visit' || ev === 'zone_entry') {
        f.geometry = { type: 'Point', coordinates: [c[0], c[1]] };
    } else if (ev === 'gap') {
        f.geometry = { type: 'LineString', coordinates: [[c[0], c[1]], [c[0] + rnd() - 0.5, c[1] + rnd() - 0.5]] };
        f.suspected = rnd() < 0.5; f.open = false; f.distance_nm = 30;
    } else if (ev === 'spoofing') {
        f.kind = 'parallel_segments';
        f.geometry = { type: 'LineString', coordinates: [[c[0], c[1]], [c[0] + 2, c[1] - 3]] };
    } else if (ev === 'identity_change') {
        f.field = 'name'; f.from = v.name; f.to = 'X'; f.lat = null; f.lon = null;
    } else {
        f.list = 'ofac_sdn'; f.entry = String(id); f.entry_name = 'ENTRY ' + id; f.program = 'DPRK'; f.score = 1;
        f.matched_on = ['name']; f.lat = null; f.lon = null;
    }
    if (f.geometry) withGeom++;
    findings.push(f);
    v.findings.push(id);
    const pts = { watchlist_match: 40, port_visit: 40, encounter: 15, spoofing: 20 }[ev] || 5;
    v.reasons.push({ text: ev.replace('_', ' ') + ' at ' + f.start, points: pts, finding: id });
    v.score = Math.min(100, v.score + pts);
}
for (const v of vessels) {
    v.level = v.score >= 70 ? 'high' : v.score >= 40 ? 'medium' : v.score > 0 ? 'low' : 'none';
    v.reasons.sort((a, b) => b.points - a.points);
    delete v._c;
}
vessels.sort((a, b) => b.score - a.score || a.mmsi - b.mmsi);
const zones = JSON.parse(readFileSync(resolve(here, '../../data/zones.geojson'), 'utf8'));
const licences = JSON.parse(readFileSync(resolve(here, '../../data/web/licences.json'), 'utf8'));
const data = { title: 'Pelorus evidence report (synthetic, large)', version: '0.1.0', database: 'big.db',
    period: { from: iso(t0), to: iso(t1) }, weights: { watchlist: 40 }, vessels, findings, tracks, zones,
    ports: [{ name: 'Nampo', lat: 38.716667, lon: 125.4, concern: true }],
    stats: { vessels: V, findings: F, track_points: V * perV, drawn_points: V * perV }, licences };
writeFileSync(out, JSON.stringify(data));
console.log(`${V} vessels, ${V * perV} points, ${F} findings, ${withGeom} with geometry`);
