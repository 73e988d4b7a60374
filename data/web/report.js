/* report.js -- the page logic of the Pelorus evidence report (report.html).
 *
 * Reads the report data (a JSON script element the C writer fills in, see
 * scripts/web-assets.sh and tests/browser/assemble.mjs for the template
 * rules) and the Natural Earth land TopoJSON, then draws: a Leaflet map on a
 * single canvas renderer (land, zones, ports, tracks, findings), a side
 * panel with the details of the selected vessel or finding, the ranked
 * vessel table and the findings table (both put in the document a page of
 * rows at a time, so thousands of rows do not freeze the page), and the
 * licence credits.
 *
 * Every string in the data is attacker-controlled (vessel names, list
 * entries, file names): this file never uses innerHTML, insertAdjacentHTML,
 * document.write or eval; text goes in through textContent and Leaflet
 * popups/tooltips get DOM nodes.  Every text shown goes through shown(),
 * the display policy of src/util/display.h: a right-to-left override, a
 * zero-width space or a control character in a name is shown as a visible
 * mark ("\u27e8U+202E\u27e9"), never obeyed (docs/report.md, "Display").
 * Plain ES2017, no build step.
 *
 * The dossier (dossier.html, docs/report.md "Dossier") runs this file too:
 * without the side panel (#panel) it draws the header, the map and the
 * footer, hands its helpers to dossier.js (window.pelorus.ui), and a click
 * on the map shows the finding's block of the page.
 *
 * For the browser test (tests/browser/report_check.mjs) the body's data-
 * attributes say what was drawn: findingsDrawn, tracksDrawn, vesselRows,
 * landRings, ready="1" once everything is built; errors counts uncaught
 * errors (recorded by the template's first script).
 */
(function () {
    'use strict';

    /* ------------------------------------------------------------------ */
    /* Constants                                                           */
    /* ------------------------------------------------------------------ */

    var EVENTS = ['encounter', 'loitering', 'gap', 'port_visit', 'zone_entry', 'spoofing', 'identity_change',
        'watchlist_match', 'data_quality'];
    var EVENT_LABEL = {
        encounter: 'Encounter', loitering: 'Loitering', gap: 'AIS gap', port_visit: 'Port visit',
        zone_entry: 'Zone entry', spoofing: 'Spoofing', identity_change: 'Identity change',
        watchlist_match: 'List match', data_quality: 'Data quality'
    };
    var EVENT_COLOUR = {
        encounter: '#7b3fa0', loitering: '#e07b00', gap: '#d1342f', port_visit: '#1f5fa8',
        zone_entry: '#0f9488', spoofing: '#d6409f', identity_change: '#8a5a2b', watchlist_match: '#222222',
        data_quality: '#8a8a8a'
    };
    var LEVELS = ['high', 'medium', 'low', 'none'];
    var LEVEL_COLOUR = { high: '#c62828', medium: '#ef6c00', low: '#2e7dba', none: '#78909c' };
    var LAND_STYLE = { stroke: true, color: '#a9a392', weight: 0.7, opacity: 1, fill: true, fillColor: '#f3efe6',
        fillOpacity: 1, interactive: false };
    /* members every finding has, or the report adds; the rest are "measured" */
    var COMMON = { id: 1, event: 1, mmsi: 1, mmsi2: 1, start: 1, end: 1, lat: 1, lon: 1, evidence: 1,
        evidence_total: 1, vessel_name: 1, vessel2_name: 1, geometry: 1 };
    var PAGE_ROWS = 200;
    var SVGNS = 'http://www.w3.org/2000/svg';

    var body = document.body;

    /* ------------------------------------------------------------------ */
    /* The display policy: the table of src/util/display.h, the same       */
    /* ranges (tests/display_test.sh checks they are equal)                */
    /* ------------------------------------------------------------------ */

    // display-policy:begin
    var HIDDEN_RANGES = [
        [0x0000, 0x001F], [0x007F, 0x009F], [0x00AD, 0x00AD], [0x034F, 0x034F], [0x061C, 0x061C],
        [0x115F, 0x1160], [0x17B4, 0x17B5], [0x180B, 0x180F], [0x200B, 0x200F], [0x2028, 0x202E],
        [0x2060, 0x206F], [0x3164, 0x3164], [0xD800, 0xDFFF], [0xFDD0, 0xFDEF], [0xFE00, 0xFE0F],
        [0xFEFF, 0xFEFF], [0xFFA0, 0xFFA0], [0xFFF0, 0xFFFB], [0xFFFE, 0xFFFF],
        [0x1BCA0, 0x1BCA3], [0x1D173, 0x1D17A], [0x1FFFE, 0x1FFFF], [0x2FFFE, 0x2FFFF], [0x3FFFE, 0x3FFFF],
        [0x4FFFE, 0x4FFFF], [0x5FFFE, 0x5FFFF], [0x6FFFE, 0x6FFFF], [0x7FFFE, 0x7FFFF], [0x8FFFE, 0x8FFFF],
        [0x9FFFE, 0x9FFFF], [0xAFFFE, 0xAFFFF], [0xBFFFE, 0xBFFFF], [0xCFFFE, 0xCFFFF], [0xDFFFE, 0xE0FFF],
        [0xEFFFE, 0xEFFFF], [0xFFFFE, 0xFFFFF], [0x10FFFE, 0x10FFFF]
    ];
    var HIDDEN_RE = new RegExp('[' + HIDDEN_RANGES.map(function (r) {
        var a = '\\u{' + r[0].toString(16) + '}', b = '\\u{' + r[1].toString(16) + '}';
        return r[0] === r[1] ? a : a + '-' + b;
    }).join('') + ']', 'gu');

    /* The text as it is to be shown: each hidden character as a visible
     * mark "\u27e8U+202E\u27e9" (uppercase hex, at least 4 digits). */
    function shown(s) {
        return String(s).replace(HIDDEN_RE, function (ch) {
            var h = ch.codePointAt(0).toString(16).toUpperCase();
            while (h.length < 4) h = '0' + h;
            return '\u27e8U+' + h + '\u27e9';
        });
    }
    // display-policy:end

    /* Sets a node's text by the display policy. */
    function setText(node, s) {
        node.textContent = shown(s);
    }

    /* ------------------------------------------------------------------ */
    /* DOM helpers: the only way text reaches the page                     */
    /* ------------------------------------------------------------------ */

    /* el('td', {cls: 'num', title: 'x'}, [child or string ...]) */
    function el(tag, props, children) {
        var node = document.createElement(tag);
        if (props) {
            if (props.cls) node.className = props.cls;
            if (props.text != null) setText(node, props.text);
            if (props.title != null) node.title = shown(props.title);
            if (props.type) node.type = props.type;
            if (props.colour) node.style.setProperty('--c', safeColour(props.colour));
            if (props.data) {
                Object.keys(props.data).forEach(function (k) { node.dataset[k] = String(props.data[k]); });
            }
        }
        if (children) append(node, children);
        return node;
    }

    function append(node, children) {
        for (var i = 0; i < children.length; i++) {
            var c = children[i];
            if (c == null || c === false) continue;
            node.appendChild(typeof c === 'object' ? c : document.createTextNode(shown(c)));
        }
        return node;
    }

    function clear(node) {
        while (node.firstChild) node.removeChild(node.firstChild);
    }

    function svg(tag, attrs) {
        var node = document.createElementNS(SVGNS, tag);
        Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
        return node;
    }

    /* colours only ever come from the constants above; this is a guard */
    function safeColour(c) {
        return /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : '#888888';
    }

    function swatch(colour, shape) {
        return el('span', { cls: 'sw' + (shape ? ' sw-' + shape : ''), colour: colour });
    }

    function button(text, cls, onClick, title) {
        var b = el('button', { cls: cls || 'link', text: text, title: title, type: 'button' });
        b.addEventListener('click', onClick);
        return b;
    }

    /* ------------------------------------------------------------------ */
    /* Formatting                                                          */
    /* ------------------------------------------------------------------ */

    function isStr(x) { return typeof x === 'string'; }

    function fmtTime(s) {
        if (!isStr(s)) return '\u2014';
        var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(?:\.\d+)?)?Z$/.exec(s);
        return m ? m[1] + ' ' + m[2] : s;
    }

    var numFormats = {};    /* Intl.NumberFormat per digits: toLocaleString builds one per call */
    function fmtNum(x, digits) {
        if (typeof x !== 'number' || !isFinite(x)) return '\u2014';
        var k = digits == null ? 'n' : String(digits);
        if (!numFormats[k]) {
            numFormats[k] = new Intl.NumberFormat('en-US', digits == null ? { maximumFractionDigits: 6 } :
                { minimumFractionDigits: digits, maximumFractionDigits: digits });
        }
        return numFormats[k].format(x);
    }

    function fmtValue(v) {
        if (v === null || v === undefined) return '\u2014';
        if (v === true) return 'yes';
        if (v === false) return 'no';
        if (typeof v === 'number') return String(v);
        if (isStr(v)) return v;
        if (Array.isArray(v) && v.every(function (x) { return !x || typeof x !== 'object'; })) {
            return v.map(function (x) { return x === null ? '\u2014' : String(x); }).join(', ');
        }
        return JSON.stringify(v);
    }

    function fmtLatLon(lat, lon) {
        if (typeof lat !== 'number' || typeof lon !== 'number') return '\u2014';
        return Math.abs(lat).toFixed(4) + '\u00b0' + (lat < 0 ? 'S' : 'N') + ' ' +
            Math.abs(lon).toFixed(4) + '\u00b0' + (lon < 0 ? 'W' : 'E');
    }

    function parseTime(s) {
        var t = isStr(s) ? Date.parse(s) : NaN;
        return isFinite(t) ? t : NaN;
    }

    function hours(f) {
        if (typeof f.duration_h === 'number') return f.duration_h;
        var a = parseTime(f.start), b = parseTime(f.end);
        return isFinite(a) && isFinite(b) ? (b - a) / 3600000 : null;
    }

    function eventLabel(ev) {
        return Object.prototype.hasOwnProperty.call(EVENT_LABEL, ev) ? EVENT_LABEL[ev] : String(ev);
    }

    function eventColour(ev) {
        return Object.prototype.hasOwnProperty.call(EVENT_COLOUR, ev) ? EVENT_COLOUR[ev] : '#555555';
    }

    function levelColour(l) {
        return Object.prototype.hasOwnProperty.call(LEVEL_COLOUR, l) ? LEVEL_COLOUR[l] : LEVEL_COLOUR.none;
    }

    /* what a finding is about, in a few words, for lists and tooltips */
    function findingWhat(f) {
        switch (f.event) {
        case 'port_visit': return (f.port || 'port') + (f.port_concern ? ' (port of concern)' : '');
        case 'zone_entry': return f.zone || 'zone';
        case 'encounter': return f.nearest_port ? 'nearest port ' + f.nearest_port : '';
        case 'loitering': return f.nearest_port ? 'nearest port ' + f.nearest_port : '';
        case 'gap': return (f.open ? 'open' : fmtNum(f.distance_nm, 1) + ' nm') +
            (f.suspected ? ', suspected' : ', coverage hole');
        case 'spoofing': return f.kind || '';
        case 'identity_change': return (f.field || '') + ': ' + fmtValue(f.from) + ' \u2192 ' + fmtValue(f.to);
        case 'watchlist_match': return (f.entry_name || f.entry || '') + (f.program ? ' [' + f.program + ']' : '') +
            (f.confidence ? ', ' + f.confidence + ' confidence' : '');
        case 'data_quality': return (f.kind || '') + (f.imo != null ? ' ' + fmtValue(f.imo) : '');
        default: return '';
        }
    }

    /* ------------------------------------------------------------------ */
    /* Data                                                                */
    /* ------------------------------------------------------------------ */

    function readJson(id) {
        var node = document.getElementById(id);
        if (!node) return null;
        try {
            return JSON.parse(node.textContent);
        } catch (e) {
            return null;
        }
    }

    var data = readJson('pelorus-data');
    var dataOk = !!(data && typeof data === 'object');
    if (!dataOk) data = {};
    function arr(x) { return Array.isArray(x) ? x : []; }
    var vessels = arr(data.vessels);
    var findings = arr(data.findings);
    var tracks = arr(data.tracks);
    var ports = arr(data.ports);
    var licences = arr(data.licences);
    var stats = data.stats && typeof data.stats === 'object' ? data.stats : {};
    var period = data.period && typeof data.period === 'object' ? data.period : {};

    var vesselByMmsi = new Map();
    vessels.forEach(function (v, i) {
        if (v && v.mmsi != null) vesselByMmsi.set(v.mmsi, i);
        arr(v && v.mmsis).forEach(function (m) { if (m != null && !vesselByMmsi.has(m)) vesselByMmsi.set(m, i); });
    });

    function vesselName(mmsi, fallback) {
        var i = vesselByMmsi.get(mmsi);
        var n = i != null ? vessels[i].name : null;
        return isStr(n) && n ? n : (isStr(fallback) && fallback ? fallback : null);
    }

    function vesselLabel(mmsi, name) {
        var n = vesselName(mmsi, name);
        return (n || 'unnamed') + ' (' + mmsi + ')';
    }

    var periodFrom = parseTime(period.from), periodTo = parseTime(period.to);

    /* ------------------------------------------------------------------ */
    /* Header, footer                                                      */
    /* ------------------------------------------------------------------ */

    function buildHeader() {
        var title = isStr(data.title) && data.title ? data.title : 'Pelorus evidence report';
        setText(document.getElementById('title'), title);
        document.title = shown(title);
        var sub = [];
        if (isStr(period.from) || isStr(period.to)) sub.push(fmtTime(period.from) + ' \u2013 ' + fmtTime(period.to) + ' UTC');
        if (isStr(data.database)) sub.push('database ' + data.database);
        if (isStr(data.version)) sub.push('Pelorus ' + data.version);
        if (!dataOk) sub.push('no report data in this file');
        setText(document.getElementById('subtitle'), sub.join('  \u00b7  '));

        var high = vessels.filter(function (v) { return v && v.level === 'high'; }).length;
        var counts = [
            ['Vessels', fmtNum(typeof stats.vessels === 'number' ? stats.vessels : vessels.length)],
            ['High risk', fmtNum(high)],
            ['Findings', fmtNum(typeof stats.findings === 'number' ? stats.findings : findings.length)],
            ['Track points', fmtNum(stats.track_points)],
            ['Drawn', fmtNum(stats.drawn_points)]
        ];
        var dl = document.getElementById('counts');
        counts.forEach(function (c) {
            dl.appendChild(el('div', { cls: 'count' + (c[0] === 'High risk' && high ? ' hot' : '') },
                [el('dt', { text: c[0] }), el('dd', { text: c[1] })]));
        });
    }

    function buildFooter() {
        var box = document.getElementById('licences');
        var gen = 'Generated by Pelorus' + (isStr(data.version) ? ' ' + data.version : '') +
            '. Third-party software and data in this report:';
        box.appendChild(el('p', { text: gen }));
        var list = el('div', { cls: 'lic-list' });
        licences.forEach(function (l) {
            if (!l || typeof l !== 'object') return;
            var d = el('details', { cls: 'lic' }, [
                el('summary', null, [el('b', { text: l.name || 'unnamed' }), ' \u2014 ' + (l.licence || 'licence not given')]),
                el('pre', { text: l.text || '' })
            ]);
            list.appendChild(d);
        });
        box.appendChild(list);
    }

    /* ------------------------------------------------------------------ */
    /* Map                                                                 */
    /* ------------------------------------------------------------------ */

    var map = null;
    var renderer = null;
    var layers = { tracks: null, zones: null, ports: null, coverage: null, events: {}, highlight: null };
    var trackLayerByMmsi = new Map();
    var findingLayer = new Map();
    var drawn = { findings: 0, tracks: 0, landRings: 0, points: 0 };

    function toLatLngs(coords) {
        /* [[lon, lat, t], ...] -> [[lat, lon], ...], unwrapping the antimeridian
         * so a track crossing it does not run round the world */
        var out = new Array(coords.length), shift = 0, prev = null;
        for (var i = 0; i < coords.length; i++) {
            var c = coords[i];
            var lon = +c[0], lat = +c[1];
            if (prev !== null) {
                var d = lon + shift - prev;
                if (d > 180) shift -= 360;
                else if (d < -180) shift += 360;
            }
            prev = lon + shift;
            out[i] = [lat, prev];
        }
        return out;
    }

    function bboxBounds(b) {
        if (!Array.isArray(b) || b.length !== 4 || !b.every(function (x) { return typeof x === 'number'; })) return null;
        return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    }

    function fitTo(bounds, maxZoom) {
        if (!bounds || !bounds.isValid()) return;
        if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
            map.setView(bounds.getCenter(), Math.min(maxZoom || 9, 9));
        } else {
            /* keep clear of the layer control in the top right corner */
            map.fitBounds(bounds, { paddingTopLeft: [40, 30], paddingBottomRight: [panel ? 250 : 30, 30], maxZoom: maxZoom || 10 });
        }
    }

    function drawBasemap() {
        /* graticule every 5 degrees, under the land so it shows at sea only */
        var grat = [];
        for (var lat = -80; lat <= 80; lat += 5) grat.push([[lat, -180], [lat, 180]]);
        for (var lon = -180; lon <= 180; lon += 5) grat.push([[-85, lon], [85, lon]]);
        L.polyline(grat, { renderer: renderer, color: '#ffffff', weight: 0.6, opacity: 0.45, interactive: false })
            .addTo(map);

        var topo = readJson('pelorus-land');
        if (!topo || !topo.objects || typeof topojson === 'undefined') return;
        var key = topo.objects.land ? 'land' : Object.keys(topo.objects)[0];
        var geo = topojson.feature(topo, topo.objects[key]);
        var feats = geo.type === 'FeatureCollection' ? geo.features : [geo];
        feats.forEach(function (f) {
            var g = f && f.geometry;
            if (!g) return;
            if (g.type === 'Polygon') drawn.landRings += g.coordinates.length;
            else if (g.type === 'MultiPolygon') g.coordinates.forEach(function (p) { drawn.landRings += p.length; });
        });
        L.geoJSON(geo, { renderer: renderer, style: function () { return LAND_STYLE; }, interactive: false })
            .addTo(map);
    }

    function drawZones() {
        var z = data.zones;
        layers.zones = L.featureGroup();
        if (!z || typeof z !== 'object' || !Array.isArray(z.features)) return;
        var gj = L.geoJSON(z, {
            renderer: renderer,
            style: function () {
                return { color: '#8e24aa', weight: 1.4, opacity: 0.85, dashArray: '5 4', fillColor: '#8e24aa',
                    fillOpacity: 0.07 };
            },
            filter: function (f) {
                return f && f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon');
            },
            onEachFeature: function (f, layer) {
                layer.bindTooltip(function () { return zoneTip(f.properties || {}); }, { sticky: true });
                layer.on('click', function () { showZone(f.properties || {}); });
            }
        });
        layers.zones.addLayer(gj);
        layers.zones.addTo(map);
    }

    /* the coverage map (docs/coverage.md): each cell heard in the period,
     * shaded by the share of its ten-minute slots that heard something; off
     * until chosen in the layer control */
    function drawCoverage() {
        layers.coverage = L.featureGroup();
        var c = data.coverage;
        if (!c || typeof c !== 'object' || !Array.isArray(c.cells)) return;
        c.cells.forEach(function (q) {
            if (!Array.isArray(q) || q.length < 6 || q.some(function (x) { return typeof x !== 'number'; })) return;
            var r = L.rectangle([[q[0], q[1]], [q[2], q[3]]], {
                renderer: renderer, stroke: false, fillColor: '#1e88e5',
                fillOpacity: 0.06 + 0.4 * Math.max(0, Math.min(1, q[4]))
            });
            r.bindTooltip(function () {
                return el('div', { cls: 'tip' }, [el('b', { text: 'coverage cell' }),
                    el('div', { text: 'heard in ' + Math.round(q[4] * 100) + ' % of the period\'s 10-minute slots, ' +
                        fmtNum(q[5]) + ' h' })]);
            }, { sticky: true });
            layers.coverage.addLayer(r);
        });
    }

    function zoneTip(p) {
        return el('div', { cls: 'tip' }, [el('b', { text: fmtValue(p.name) }), el('div', { text: 'zone' + (p.kind ? ', ' + p.kind : '') })]);
    }

    function drawPorts() {
        layers.ports = L.featureGroup();
        ports.forEach(function (p) {
            if (!p || typeof p.lat !== 'number' || typeof p.lon !== 'number') return;
            var m = L.circleMarker([p.lat, p.lon], {
                renderer: renderer, radius: p.concern ? 4 : 2.5, color: '#ffffff', weight: 1.2,
                fillColor: p.concern ? '#263238' : '#78909c', fillOpacity: 1
            });
            m.bindTooltip(function () {
                return el('div', { cls: 'tip' }, [el('b', { text: fmtValue(p.name) }),
                    el('div', { text: p.concern ? 'port of concern' : 'port' })]);
            }, { direction: 'top', offset: [0, -4] });
            layers.ports.addLayer(m);
        });
        layers.ports.addTo(map);
    }

    function drawTracks() {
        layers.tracks = L.featureGroup();
        /* lowest risk first so the riskiest are drawn on top */
        var order = tracks.slice().sort(function (a, b) {
            var ia = vesselByMmsi.has(a.mmsi) ? vesselByMmsi.get(a.mmsi) : 1e9;
            var ib = vesselByMmsi.has(b.mmsi) ? vesselByMmsi.get(b.mmsi) : 1e9;
            return ib - ia;
        });
        order.forEach(function (t) {
            if (!t || !Array.isArray(t.segments)) return;
            var parts = [];
            t.segments.forEach(function (s) {
                if (s && Array.isArray(s.coords) && s.coords.length) {
                    parts.push(toLatLngs(s.coords));
                    drawn.points += s.coords.length;
                }
            });
            if (!parts.length) return;
            var vi = vesselByMmsi.get(t.mmsi);
            var level = vi != null ? vessels[vi].level : 'none';
            var line = L.polyline(parts, {
                renderer: renderer, color: levelColour(level), weight: level === 'high' ? 2.2 : 1.6,
                opacity: level === 'none' ? 0.6 : 0.85, smoothFactor: 1.2
            });
            line.pelMmsi = t.mmsi;
            line.pelLevel = level;
            layers.tracks.addLayer(line);
            trackLayerByMmsi.set(t.mmsi, line);
            drawn.tracks += 1;
        });
        /* one tooltip and one click handler for the group, not per layer */
        layers.tracks.bindTooltip(function (line) {
            return el('div', { cls: 'tip' }, [el('b', { text: vesselLabel(line.pelMmsi, null) }),
                el('div', { text: 'track, risk ' + (line.pelLevel || 'none') })]);
        }, { sticky: true });
        layers.tracks.on('click', function (e) {
            var i = vesselByMmsi.get(e.layer.pelMmsi);
            if (i != null) selectVessel(i, { pan: false });
        });
        layers.tracks.addTo(map);
    }

    function findingStyle(f, isLine) {
        var c = eventColour(f.event);
        if (isLine) {
            return { renderer: renderer, color: c, weight: 2.6, opacity: 0.95, lineCap: 'round',
                dashArray: f.event === 'gap' ? '7 6' : (f.event === 'spoofing' ? '1 6' : null) };
        }
        if (f.event === 'gap') {
            /* open gap: where it went dark, a hollow dashed ring */
            return { renderer: renderer, radius: 6, color: c, weight: 2, dashArray: '3 3', fill: true,
                fillColor: '#ffffff', fillOpacity: 0.8 };
        }
        return { renderer: renderer, radius: f.event === 'encounter' ? 7 : 5.5, color: '#ffffff', weight: 1.6,
            fillColor: c, fillOpacity: 0.95 };
    }

    function findingLayerFor(f) {
        var g = f.geometry;
        if (!g || typeof g !== 'object') return null;
        if (g.type === 'Point' && Array.isArray(g.coordinates)) {
            return L.circleMarker([g.coordinates[1], g.coordinates[0]], findingStyle(f, false));
        }
        if (g.type === 'LineString' && Array.isArray(g.coordinates)) {
            return L.polyline(toLatLngs(g.coordinates), findingStyle(f, true));
        }
        /* anything else GeoJSON: let Leaflet build it with the same styles */
        try {
            return L.geoJSON(g, {
                style: function () { return findingStyle(f, true); },
                pointToLayer: function (_, ll) { return L.circleMarker(ll, findingStyle(f, false)); }
            });
        } catch (e) {
            return null;
        }
    }

    function findingTip(f) {
        var who = vesselLabel(f.mmsi, f.vessel_name);
        if (f.mmsi2 != null) who += ' & ' + vesselLabel(f.mmsi2, f.vessel2_name);
        return el('div', { cls: 'tip' }, [
            el('b', { text: eventLabel(f.event) + (f.event === 'spoofing' && f.kind ? ' (' + f.kind + ')' : '') }),
            el('div', { text: who }),
            el('div', { text: fmtTime(f.start) + ' \u2013 ' + fmtTime(f.end) }),
            el('div', { cls: 'muted', text: findingWhat(f) })
        ]);
    }

    function drawFindings() {
        /* lines (gaps, parallel segments) first, points on top */
        var lines = [], points = [];
        findings.forEach(function (f, i) {
            if (!f || !f.geometry) return;
            (f.geometry.type === 'Point' ? points : lines).push(i);
        });
        /* where points coincide (a port visit inside a port's zone) the rarer,
         * weightier event is drawn on top */
        var rank = { zone_entry: 0, gap: 1, loitering: 2, port_visit: 3, spoofing: 4, encounter: 5 };
        var rk = function (i) { var r = rank[findings[i].event]; return r == null ? 2.5 : r; };
        points.sort(function (a, b) { return rk(a) - rk(b) || a - b; });
        lines.concat(points).forEach(function (i) {
            var f = findings[i];
            var layer = findingLayerFor(f);
            if (!layer) return;
            var ev = String(f.event);
            if (!layers.events[ev]) layers.events[ev] = L.featureGroup();
            layer.pelFinding = i;
            layers.events[ev].addLayer(layer);
            findingLayer.set(i, layer);
            drawn.findings += 1;
        });
        function idOf(l) {
            var id = l ? l.pelFinding : null;
            while (id == null && l && l._eventParents) { /* a child of an L.geoJSON finding */
                var parents = Object.keys(l._eventParents).map(function (k) { return l._eventParents[k]; });
                l = parents.length ? parents[0] : null;
                id = l ? l.pelFinding : null;
            }
            return id;
        }
        Object.keys(layers.events).forEach(function (ev) {
            layers.events[ev].bindTooltip(function (l) {
                var id = idOf(l);
                return id != null ? findingTip(findings[id]) : el('div', { text: eventLabel(ev) });
            }, { sticky: true });
            layers.events[ev].on('click', function (e) {
                var id = idOf(e.layer);
                if (id != null) selectFinding(id, { pan: false });
            });
            layers.events[ev].addTo(map);
        });
    }

    function addLayerControl() {
        var Ctl = L.Control.extend({
            options: { position: 'topright' },
            onAdd: function () {
                var box = el('div', { cls: 'layer-ctl leaflet-bar' });
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                box.appendChild(el('div', { cls: 'ctl-title', text: 'Layers' }));

                function row(label, layer, sw, count) {
                    var cb = el('input', { type: 'checkbox' });
                    cb.checked = map.hasLayer(layer);
                    cb.addEventListener('change', function () {
                        if (cb.checked) map.addLayer(layer); else map.removeLayer(layer);
                    });
                    var lab = el('label', { cls: 'ctl-row' }, [cb, sw, el('span', { text: label })]);
                    if (count != null) lab.appendChild(el('span', { cls: 'ctl-count', text: fmtNum(count) }));
                    box.appendChild(lab);
                }
                row('Vessel tracks', layers.tracks, el('span', { cls: 'sw-levels' },
                    LEVELS.map(function (l) { return swatch(levelColour(l), 'line'); })), drawn.tracks);
                var evs = EVENTS.filter(function (e) { return layers.events[e]; })
                    .concat(Object.keys(layers.events).filter(function (e) { return EVENTS.indexOf(e) < 0; }));
                if (evs.length) box.appendChild(el('div', { cls: 'ctl-sub', text: 'Findings' }));
                evs.forEach(function (ev) {
                    var shape = ev === 'gap' ? 'dash' : (ev === 'spoofing' ? 'dot' : null);
                    row(eventLabel(ev), layers.events[ev], swatch(eventColour(ev), shape),
                        layers.events[ev].getLayers().length);
                });
                box.appendChild(el('div', { cls: 'ctl-sub', text: 'Reference' }));
                row('Zones', layers.zones, swatch('#8e24aa', 'zone'), null);
                row('Ports', layers.ports, swatch('#263238', 'dot'), null);
                row('Coverage (share of time heard)', layers.coverage, swatch('#1e88e5', 'zone'),
                    layers.coverage.getLayers().length);
                var legend = el('div', { cls: 'ctl-legend' }, LEVELS.map(function (l) {
                    return el('span', null, [swatch(levelColour(l), 'line'), l]);
                }));
                box.appendChild(el('div', { cls: 'ctl-sub', text: 'Track colour = risk' }));
                box.appendChild(legend);
                return box;
            }
        });
        map.addControl(new Ctl());

        var Credit = L.Control.extend({
            options: { position: 'bottomright' },
            onAdd: function () { return el('div', { cls: 'map-credit', text: 'Leaflet | Map data: Natural Earth' }); }
        });
        map.addControl(new Credit());
    }

    function initialView() {
        var b = null;
        vessels.forEach(function (v) {
            var vb = v ? bboxBounds(v.bbox) : null;
            if (vb) b = b ? b.extend(vb) : vb;
        });
        if (!b) {
            findingLayer.forEach(function (layer) {
                var lb = layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng()]);
                b = b ? b.extend(lb) : lb;
            });
        }
        if (b && b.isValid()) fitTo(b, 8); else map.setView([30, 125], 3);
    }

    function buildMap() {
        renderer = L.canvas({ padding: 0.4, tolerance: 4 });
        map = L.map('map', {
            renderer: renderer, preferCanvas: true, attributionControl: false, zoomSnap: 0.25, zoomDelta: 0.5,
            minZoom: 2, maxZoom: 15, worldCopyJump: false
        });
        L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
        drawBasemap();
        drawCoverage();
        drawZones();
        drawPorts();
        drawTracks();
        drawFindings();
        layers.highlight = L.featureGroup().addTo(map);
        addLayerControl();
        initialView();
        map.on('keydown', function (e) { if (e.originalEvent.key === 'Escape') showOverview(); });
        /* for the browser test and the console: the map, and where a finding is drawn */
        window.pelorus = window.pelorus || {};
        Object.assign(window.pelorus, {
            map: map,
            findingPoint: function (id) {
                var l = findingLayer.get(id);
                if (!l || !l.getLatLng) return null;
                var p = map.latLngToContainerPoint(l.getLatLng());
                return { x: p.x, y: p.y };
            }
        });
    }

    /* ------------------------------------------------------------------ */
    /* Selection and the side panel                                        */
    /* ------------------------------------------------------------------ */

    var panel = document.getElementById('panel');
    var panelHistory = []; /* stack of functions re-showing earlier panels */
    var current = null;

    function showPanel(render, remember) {
        if (remember && current) panelHistory.push(current);
        current = render;
        clear(panel);
        if (panelHistory.length) {
            panel.appendChild(button('\u2190 Back', 'back', function () {
                var prev = panelHistory.pop();
                current = null;
                showPanel(prev, false);
            }));
        }
        render(panel);
        panel.scrollTop = 0;
    }

    function highlightLayers(list) {
        layers.highlight.clearLayers();
        list.forEach(function (l) { layers.highlight.addLayer(l); });
    }

    function showOverview() {
        panelHistory.length = 0;
        current = null;
        if (layers.highlight) layers.highlight.clearLayers();
        markRows(null, null);
        showPanel(function (p) {
            p.appendChild(el('h3', { text: 'Overview' }));
            p.appendChild(el('p', { cls: 'muted', text: 'Click a vessel in the table or a track, or a finding on the map or in the list, for its details and evidence.' }));
            var byEv = {};
            findings.forEach(function (f) { if (f) byEv[f.event] = (byEv[f.event] || 0) + 1; });
            var tb = el('tbody');
            Object.keys(byEv).sort(function (a, b) {
                var ia = EVENTS.indexOf(a), ib = EVENTS.indexOf(b);
                return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
            }).forEach(function (ev) {
                var tr = el('tr', { cls: 'clickable' }, [el('td', null, [swatch(eventColour(ev)), eventLabel(ev)]),
                    el('td', { cls: 'num', text: fmtNum(byEv[ev]) })]);
                tr.addEventListener('click', function () {
                    var sel = document.getElementById('finding-filter');
                    sel.value = ev;
                    sel.dispatchEvent(new Event('change'));
                    document.getElementById('findings-block').scrollIntoView({ behavior: 'smooth' });
                });
                tb.appendChild(tr);
            });
            p.appendChild(el('h4', { text: 'Findings by event' }));
            p.appendChild(el('table', { cls: 'kv' }, [tb]));

            var top = vessels.slice(0, 6);
            if (top.length) {
                p.appendChild(el('h4', { text: 'Riskiest vessels' }));
                var ol = el('ol', { cls: 'top-list' });
                top.forEach(function (v, i) {
                    if (!v) return;
                    ol.appendChild(el('li', null, [levelBadge(v.level, v.score),
                        button(vesselLabel(v.mmsi, v.name), 'link', function () { selectVessel(i, { pan: true }); })]));
                });
                p.appendChild(ol);
            }
            var w = data.weights;
            if (w && typeof w === 'object' && Object.keys(w).length) {
                var wt = el('tbody');
                Object.keys(w).forEach(function (k) {
                    wt.appendChild(el('tr', null, [el('th', { text: k }), el('td', { cls: 'num', text: fmtValue(w[k]) })]));
                });
                p.appendChild(el('details', { cls: 'weights' }, [el('summary', { text: 'Risk weights used' }),
                    el('table', { cls: 'kv' }, [wt])]));
            }
        }, false);
    }

    function levelBadge(level, score) {
        var l = LEVELS.indexOf(level) >= 0 ? level : 'none';
        return el('span', { cls: 'badge lv-' + l, text: (score != null ? fmtValue(score) + ' ' : '') + l });
    }

    function eventBadge(ev) {
        return el('span', { cls: 'ev-badge', colour: eventColour(ev), text: eventLabel(ev) });
    }

    function kvTable(rows) {
        var tb = el('tbody');
        rows.forEach(function (r) {
            var v = r[1];
            tb.appendChild(el('tr', null, [el('th', { text: r[0] }),
                el('td', { cls: typeof v === 'number' ? 'mono' : null }, [v instanceof Node ? v : fmtValue(v)])]));
        });
        return el('table', { cls: 'kv' }, [tb]);
    }

    function vesselLink(mmsi, name) {
        var i = vesselByMmsi.get(mmsi);
        var text = vesselLabel(mmsi, name);
        if (i == null) return el('span', { text: text });
        return button(text, 'link', function () { selectVessel(i, { pan: true, remember: true }); });
    }

    /* the dossier (dossier.html) has no side panel: a click shows the
     * finding's or vessel's block of the page instead */
    function scrollToBlock(nodeId) {
        var n = document.getElementById(nodeId);
        if (n) n.scrollIntoView({ block: 'start' });
    }

    function selectFinding(id, opts) {
        var f = findings[id];
        if (!f) return;
        if (!panel) { scrollToBlock('finding-' + id); return; }
        opts = opts || {};
        var layer = findingLayer.get(id);
        var hl = [];
        if (layer) {
            if (layer.getLatLng) {
                hl.push(L.circleMarker(layer.getLatLng(), { renderer: renderer, radius: 13, color: '#111111', weight: 2.5,
                    fill: false, interactive: false }));
                hl.push(L.circleMarker(layer.getLatLng(), { renderer: renderer, radius: 13, color: '#ffeb3b', weight: 1.2,
                    fill: false, interactive: false }));
            } else if (layer.getLatLngs) {
                hl.push(L.polyline(layer.getLatLngs(), { renderer: renderer, color: '#ffeb3b', weight: 8, opacity: 0.6,
                    interactive: false }));
            }
        }
        highlightLayers(hl);
        if (opts.pan && layer) {
            if (layer.getLatLng) map.setView(layer.getLatLng(), Math.max(map.getZoom(), 7));
            else fitTo(layer.getBounds(), 9);
        }
        markRows(null, id);
        showPanel(function (p) { renderFinding(p, f, id); }, !!opts.remember);
    }

    function renderFinding(p, f, id) {
        var head = el('div', { cls: 'p-head' }, [eventBadge(f.event),
            el('span', { cls: 'p-id', text: 'finding #' + id })]);
        p.appendChild(head);
        var title = eventLabel(f.event);
        if (f.event === 'spoofing' && f.kind) title += ': ' + f.kind;
        if (f.event === 'identity_change' && f.field) title += ': ' + f.field;
        p.appendChild(el('h3', { text: title }));

        var vs = el('div', { cls: 'p-vessels' }, [vesselLink(f.mmsi, f.vessel_name)]);
        if (f.mmsi2 != null) append(vs, [el('span', { cls: 'muted', text: ' with ' }), vesselLink(f.mmsi2, f.vessel2_name)]);
        p.appendChild(vs);

        var h = hours(f);
        p.appendChild(kvTable([
            ['Start (UTC)', fmtTime(f.start)],
            ['End (UTC)', fmtTime(f.end)],
            ['Duration', h == null ? null : fmtNum(h, 2) + ' h'],
            ['Position', fmtLatLon(f.lat, f.lon)]
        ]));

        var measured = Object.keys(f).filter(function (k) { return !COMMON[k]; });
        if (measured.length) {
            p.appendChild(el('h4', { text: 'Measured' }));
            p.appendChild(kvTable(measured.map(function (k) { return [k, f[k]]; })));
        }

        var ev = arr(f.evidence);
        var total = typeof f.evidence_total === 'number' ? f.evidence_total : ev.length;
        p.appendChild(el('h4', { text: 'Evidence' }));
        p.appendChild(el('p', { cls: 'muted', text: total === ev.length ?
            'The ' + fmtNum(total) + ' input line' + (total === 1 ? '' : 's') + ' this finding rests on:' :
            fmtNum(ev.length) + ' of the ' + fmtNum(total) + ' input lines this finding rests on:' }));
        var ol = el('ol', { cls: 'evidence' });
        ev.forEach(function (e) {
            if (!e || typeof e !== 'object') return;
            ol.appendChild(el('li', { text: fmtValue(e.file) + ':' + fmtValue(e.line) }));
        });
        p.appendChild(ol);
    }

    function showZone(props) {
        layers.highlight.clearLayers();
        showPanel(function (p) {
            p.appendChild(el('div', { cls: 'p-head' }, [el('span', { cls: 'ev-badge', colour: '#8e24aa', text: 'Zone' })]));
            p.appendChild(el('h3', { text: fmtValue(props.name) }));
            p.appendChild(kvTable(Object.keys(props).filter(function (k) { return k !== 'name'; })
                .map(function (k) { return [k, props[k]]; })));
        }, true);
    }

    function selectVessel(i, opts) {
        var v = vessels[i];
        if (!v) return;
        if (!panel) { scrollToBlock('vessel-' + i); return; }
        opts = opts || {};
        var hl = [];
        var tl = trackLayerByMmsi.get(v.mmsi);
        var ms = arr(v.mmsis).length ? arr(v.mmsis) : [v.mmsi];
        ms.forEach(function (m) { /* a ship under several MMSIs: each one's track */
            var t = trackLayerByMmsi.get(m);
            if (!t) return;
            if (!tl) tl = t;
            hl.push(L.polyline(t.getLatLngs(), { renderer: renderer, color: '#102a43', weight: 6, opacity: 0.35,
                interactive: false }));
            hl.push(L.polyline(t.getLatLngs(), { renderer: renderer, color: levelColour(v.level), weight: 3,
                opacity: 1, interactive: false }));
        });
        highlightLayers(hl);
        if (opts.pan !== false) {
            var b = bboxBounds(v.bbox) || (tl ? tl.getBounds() : null);
            fitTo(b, 10);
        }
        markRows(i, null);
        showPanel(function (p) { renderVessel(p, v, i); }, !!opts.remember);
    }

    function renderVessel(p, v, i) {
        p.appendChild(el('div', { cls: 'p-head' }, [levelBadge(v.level, v.score), el('span', { cls: 'p-id', text: 'rank ' + (i + 1) })]));
        p.appendChild(el('h3', { text: isStr(v.name) && v.name ? v.name : 'unnamed vessel' }));
        p.appendChild(kvTable([
            arr(v.mmsis).length > 1 ? ['MMSIs (one ship, in time order)', arr(v.mmsis).join(' \u2192 ')] : ['MMSI', v.mmsi],
            ['IMO', v.imo],
            ['Call sign', v.callsign],
            ['Ship type', v.shiptype_text ? v.shiptype_text + (v.shiptype != null ? ' (' + v.shiptype + ')' : '') : v.shiptype],
            ['Country (MID)', v.country],
            ['Positions', typeof v.positions === 'number' ? fmtNum(v.positions) : null],
            ['Heard', fmtTime(v.first) + ' \u2013 ' + fmtTime(v.last)]
        ]));

        var reasons = arr(v.reasons);
        p.appendChild(el('h4', { text: 'Why this score' }));
        if (!reasons.length) p.appendChild(el('p', { cls: 'muted', text: 'No reasons given.' }));
        var ul = el('ul', { cls: 'reasons' });
        reasons.forEach(function (r) {
            if (!r) return;
            var pts = el('span', { cls: 'pts', text: (typeof r.points === 'number' && r.points >= 0 ? '+' : '') + fmtValue(r.points) });
            var txt = (typeof r.finding === 'number' && findings[r.finding]) ?
                button(fmtValue(r.text), 'link', function () { selectFinding(r.finding, { pan: true, remember: true }); }) :
                el('span', { text: fmtValue(r.text) });
            ul.appendChild(el('li', null, [pts, txt]));
        });
        p.appendChild(ul);

        var fids = arr(v.findings).filter(function (id) { return typeof id === 'number' && findings[id]; });
        if (fids.length) {
            p.appendChild(el('h4', { text: 'Timeline' }));
            p.appendChild(timeline(v, fids));
        }

        var matches = fids.filter(function (id) { return findings[id].event === 'watchlist_match'; });
        p.appendChild(el('h4', { text: 'List matches' }));
        if (!matches.length) {
            p.appendChild(el('p', { cls: 'muted', text: 'None of its identities matched a list entry.' }));
        } else {
            var mt = el('tbody');
            matches.forEach(function (id) {
                var f = findings[id];
                var tr = el('tr', { cls: 'clickable' }, [
                    el('td', { text: fmtValue(f.list) }),
                    el('td', null, [el('b', { text: fmtValue(f.entry_name) }), el('div', { cls: 'muted', text: 'entry ' + fmtValue(f.entry) + (f.program ? ', ' + fmtValue(f.program) : '') })]),
                    el('td', { text: fmtValue(f.matched_on) + (f.matched_name_kind ? ' (' + f.matched_name_kind + ')' : '') }),
                    el('td', null, [el('b', { text: fmtValue(f.confidence) }), el('div', { cls: 'muted', text:
                        (arr(f.corroborated_by).length ? 'corroborated by ' + arr(f.corroborated_by).join(', ') : '') +
                        (arr(f.contradicted_by).length ? (arr(f.corroborated_by).length ? '; ' : '') + 'contradicted by ' +
                            arr(f.contradicted_by).join(', ') : '') +
                        (f.listed_on ? (f.heard_before_listing ? '; heard before its listing on ' : '; listed on ') +
                            fmtValue(f.listed_on) : '') })]),
                    el('td', { cls: 'num', text: fmtValue(f.score) })
                ]);
                tr.addEventListener('click', function () { selectFinding(id, { pan: false, remember: true }); });
                mt.appendChild(tr);
            });
            p.appendChild(el('table', { cls: 'grid small' }, [el('thead', null, [el('tr', null, [
                el('th', { text: 'List' }), el('th', { text: 'Entry' }), el('th', { text: 'Matched on' }), el('th', { text: 'Confidence' }),
                el('th', { cls: 'num', text: 'Score' })])]), mt]));
        }

        var ids = arr(v.identities);
        p.appendChild(el('h4', { text: 'Identities broadcast' }));
        if (!ids.length) {
            p.appendChild(el('p', { cls: 'muted', text: 'No static reports heard.' }));
        } else {
            var it = el('tbody');
            ids.forEach(function (d) {
                if (!d) return;
                it.appendChild(el('tr', null, [el('td', { text: fmtValue(d.name) }), el('td', { text: fmtValue(d.imo) }),
                    el('td', { text: fmtValue(d.callsign) }), el('td', { text: fmtValue(d.shiptype) }),
                    el('td', { text: fmtTime(d.first) }), el('td', { text: fmtTime(d.last) })]));
            });
            p.appendChild(el('div', { cls: 'scroll-x' }, [el('table', { cls: 'grid small' }, [el('thead', null, [el('tr', null,
                ['Name', 'IMO', 'Call sign', 'Type', 'First', 'Last'].map(function (h) { return el('th', { text: h }); }))]), it])]));
        }

        p.appendChild(el('h4', { text: 'Findings (' + fids.length + ')' }));
        var fl = el('ul', { cls: 'f-list' });
        fids.forEach(function (id) {
            var f = findings[id];
            fl.appendChild(el('li', null, [swatch(eventColour(f.event)),
                button(eventLabel(f.event) + ' \u00b7 ' + fmtTime(f.start), 'link', function () { selectFinding(id, { pan: true, remember: true }); }),
                el('span', { cls: 'muted', text: ' ' + findingWhat(f) })]));
        });
        p.appendChild(fl);
    }

    /* one row per event kind, a bar per finding along the report period */
    function timeline(v, fids) {
        var t0 = periodFrom, t1 = periodTo;
        if (!isFinite(t0) || !isFinite(t1) || t1 <= t0) {
            t0 = Infinity; t1 = -Infinity;
            fids.forEach(function (id) {
                var a = parseTime(findings[id].start), b = parseTime(findings[id].end);
                if (isFinite(a)) t0 = Math.min(t0, a);
                if (isFinite(b)) t1 = Math.max(t1, b);
            });
            if (!(t1 > t0)) { t0 -= 3600000; t1 = t0 + 7200000; }
        }
        var kinds = [];
        fids.forEach(function (id) { var e = findings[id].event; if (kinds.indexOf(e) < 0) kinds.push(e); });
        kinds.sort(function (a, b) { return EVENTS.indexOf(a) - EVENTS.indexOf(b); });
        var W = 330, L0 = 92, R = 8, rowH = 16, top = 4, H = top + kinds.length * rowH + 20;
        var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', class: 'timeline', role: 'img' });
        var x = function (t) { return L0 + (W - L0 - R) * Math.min(1, Math.max(0, (t - t0) / (t1 - t0))); };
        s.appendChild(svg('rect', { x: L0, y: top - 2, width: W - L0 - R, height: kinds.length * rowH + 2, class: 'tl-bg' }));
        kinds.forEach(function (k, r) {
            var lab = svg('text', { x: L0 - 6, y: top + r * rowH + 11, 'text-anchor': 'end', class: 'tl-label' });
            setText(lab, eventLabel(k));
            s.appendChild(lab);
        });
        fids.forEach(function (id) {
            var f = findings[id];
            var a = parseTime(f.start), b = parseTime(f.end);
            if (!isFinite(a)) return;
            if (!isFinite(b) || b < a) b = a;
            var r = kinds.indexOf(f.event);
            var xa = x(a), xb = Math.max(x(b), xa + 3);
            var rect = svg('rect', { x: xa.toFixed(1), y: top + r * rowH + 2, width: (xb - xa).toFixed(1), height: rowH - 5,
                rx: 2, fill: safeColour(eventColour(f.event)), class: 'tl-bar' });
            var tt = svg('title', {});
            setText(tt, eventLabel(f.event) + ': ' + fmtTime(f.start) + ' \u2013 ' + fmtTime(f.end) + ' ' + findingWhat(f));
            rect.appendChild(tt);
            rect.addEventListener('click', function () { selectFinding(id, { pan: true, remember: true }); });
            s.appendChild(rect);
        });
        var y = top + kinds.length * rowH + 14;
        [[t0, 'start'], [t1, 'end']].forEach(function (pair) {
            var t = svg('text', { x: pair[1] === 'start' ? L0 : W - R, y: y, 'text-anchor': pair[1] === 'start' ? 'start' : 'end', class: 'tl-axis' });
            setText(t, fmtTime(new Date(pair[0]).toISOString()));
            s.appendChild(t);
        });
        return s;
    }

    /* ------------------------------------------------------------------ */
    /* Tables, built lazily                                                */
    /* ------------------------------------------------------------------ */

    var rowOfVessel = new Map();
    var rowOfFinding = new Map();
    var marked = [];

    function markRows(vi, fi) {
        marked.forEach(function (r) { r.classList.remove('sel'); });
        marked = [];
        var r = vi != null ? rowOfVessel.get(vi) : (fi != null ? rowOfFinding.get(fi) : null);
        if (r) { r.classList.add('sel'); marked.push(r); }
    }

    /* A table that holds rows for a list of item indexes but puts only the
     * first PAGE_ROWS in the document, and PAGE_ROWS more whenever its
     * scroll box nears the bottom (or the "show more" button is pressed):
     * laying out 9,000 rows took seconds, and nobody reads them at once. */
    function LazyTable(tableId, makeRow, noun) {
        this.table = document.getElementById(tableId);
        this.wrap = this.table.parentNode;
        this.makeRow = makeRow;
        this.noun = noun;
        this.items = [];
        this.shown = 0;
        this.body = el('tbody');
        this.table.appendChild(this.body);
        this.more = el('button', { cls: 'more', type: 'button' });
        this.foot = el('div', { cls: 'more-row' }, [this.more]);
        this.wrap.appendChild(this.foot);
        var self = this;
        this.more.addEventListener('click', function () { self.showMore(PAGE_ROWS * 5); });
        this.wrap.addEventListener('scroll', function () {
            if (self.wrap.scrollTop + self.wrap.clientHeight > self.wrap.scrollHeight - 300) self.showMore(PAGE_ROWS);
        }, { passive: true });
    }

    LazyTable.prototype.setItems = function (items) {
        this.items = items;
        this.shown = 0;
        clear(this.body);
        this.wrap.scrollTop = 0;
        this.showMore(PAGE_ROWS);
    };

    LazyTable.prototype.showMore = function (n) {
        var end = Math.min(this.items.length, this.shown + n);
        if (end > this.shown) {
            var frag = document.createDocumentFragment();
            for (var i = this.shown; i < end; i++) frag.appendChild(this.makeRow(this.items[i]));
            this.body.appendChild(frag);
            this.shown = end;
        }
        var left = this.items.length - this.shown;
        this.foot.hidden = left <= 0;
        this.more.textContent = 'Showing ' + fmtNum(this.shown) + ' of ' + fmtNum(this.items.length) + ' ' + this.noun +
            ' \u2014 show ' + fmtNum(Math.min(left, PAGE_ROWS * 5)) + ' more';
        return this.shown;
    };

    var vesselTable = null, findingTable = null;

    function vesselRow(i) {
        var v = vessels[i];
        var reasons = arr(v.reasons);
        var rl = el('ul', { cls: 'r-inline' });
        reasons.slice(0, 3).forEach(function (r) {
            if (r) rl.appendChild(el('li', null, [el('span', { cls: 'pts', text: (r.points >= 0 ? '+' : '') + fmtValue(r.points) }), fmtValue(r.text)]));
        });
        if (reasons.length > 3) rl.appendChild(el('li', { cls: 'muted', text: '+' + (reasons.length - 3) + ' more' }));
        var score = typeof v.score === 'number' ? v.score : 0;
        var bar = el('span', { cls: 'bar' });
        bar.style.width = Math.max(0, Math.min(100, score)) + '%';
        bar.style.background = levelColour(v.level);
        var tr = el('tr', { cls: 'clickable', data: { i: i } }, [
            el('td', { cls: 'num muted', text: i + 1 }),
            el('td', { cls: 'num score' }, [el('span', { text: fmtValue(v.score) }), el('span', { cls: 'bar-bg' }, [bar])]),
            el('td', null, [levelBadge(v.level, null)]),
            el('td', { cls: 'mono', text: fmtValue(v.mmsi) }),
            el('td', { cls: 'name', text: isStr(v.name) && v.name ? v.name : '\u2014' }),
            el('td', { cls: 'mono', text: fmtValue(v.imo) }),
            el('td', { text: fmtValue(v.country) }),
            el('td', null, [rl])
        ]);
        rowOfVessel.set(i, tr);
        return tr;
    }

    function vesselMatches(v, q) {
        if (!q) return true;
        var hay = [v.name, v.mmsi, v.imo, v.callsign, v.country, v.level].map(function (x) { return x == null ? '' : String(x); })
            .join(' ').toLowerCase();
        arr(v.identities).forEach(function (d) { if (d && d.name) hay += ' ' + String(d.name).toLowerCase(); });
        return hay.indexOf(q) >= 0;
    }

    function buildVesselTable(q) {
        rowOfVessel.clear();
        var idx = [];
        vessels.forEach(function (v, i) { if (v && vesselMatches(v, q)) idx.push(i); });
        document.getElementById('vessel-note').textContent = q ?
            fmtNum(idx.length) + ' of ' + fmtNum(vessels.length) + ' vessels' : fmtNum(vessels.length) + ' vessels';
        vesselTable.setItems(idx);
        return idx.length;
    }

    function findingRow(i) {
        var f = findings[i];
        var h = hours(f);
        var tr = el('tr', { cls: 'clickable', data: { i: i } }, [
            el('td', { cls: 'num muted', text: i }),
            el('td', null, [eventBadge(f.event)]),
            el('td', { text: vesselLabel(f.mmsi, f.vessel_name) }),
            el('td', { text: f.mmsi2 != null ? vesselLabel(f.mmsi2, f.vessel2_name) : '' }),
            el('td', { cls: 'mono', text: fmtTime(f.start) }),
            el('td', { cls: 'mono', text: fmtTime(f.end) }),
            el('td', { cls: 'num', text: h == null ? '\u2014' : fmtNum(h, 1) }),
            el('td', { text: findingWhat(f) })
        ]);
        rowOfFinding.set(i, tr);
        return tr;
    }

    function buildFindingTable(ev) {
        rowOfFinding.clear();
        var idx = [];
        findings.forEach(function (f, i) { if (f && (!ev || f.event === ev)) idx.push(i); });
        document.getElementById('finding-note').textContent = ev ?
            fmtNum(idx.length) + ' of ' + fmtNum(findings.length) + ' findings' : fmtNum(findings.length) + ' findings';
        findingTable.setItems(idx);
        return idx.length;
    }

    function wireTables() {
        vesselTable = new LazyTable('vessel-table', vesselRow, 'vessels');
        findingTable = new LazyTable('finding-table', findingRow, 'findings');
        document.getElementById('vessel-table').addEventListener('click', function (e) {
            var tr = e.target.closest('tr[data-i]');
            if (tr) selectVessel(+tr.dataset.i, { pan: true });
        });
        document.getElementById('finding-table').addEventListener('click', function (e) {
            var tr = e.target.closest('tr[data-i]');
            if (tr) selectFinding(+tr.dataset.i, { pan: true });
        });
        var timer = null;
        document.getElementById('vessel-filter').addEventListener('input', function (e) {
            var q = e.target.value.trim().toLowerCase();
            clearTimeout(timer);
            timer = setTimeout(function () { buildVesselTable(q); }, 150);
        });
        var sel = document.getElementById('finding-filter');
        var present = {};
        findings.forEach(function (f) { if (f) present[f.event] = (present[f.event] || 0) + 1; });
        EVENTS.concat(Object.keys(present).filter(function (e) { return EVENTS.indexOf(e) < 0; })).forEach(function (ev) {
            if (!present[ev]) return;
            var o = el('option', { text: eventLabel(ev) + ' (' + present[ev] + ')' });
            o.value = ev;
            sel.appendChild(o);
        });
        sel.addEventListener('change', function () { buildFindingTable(sel.value); });
    }

    /* ------------------------------------------------------------------ */
    /* Start                                                               */
    /* ------------------------------------------------------------------ */

    /* The helpers the dossier's script (dossier.js) draws its page with:
     * the same display policy, formatting and DOM building as this page. */
    function exportHelpers() {
        window.pelorus = window.pelorus || {};
        window.pelorus.ui = {
            data: data, vessels: vessels, findings: findings, vesselByMmsi: vesselByMmsi, COMMON: COMMON,
            EVENTS: EVENTS, shown: shown, setText: setText, el: el, append: append, clear: clear, svg: svg,
            safeColour: safeColour, swatch: swatch, isStr: isStr, arr: arr, fmtTime: fmtTime, fmtNum: fmtNum,
            fmtValue: fmtValue, fmtLatLon: fmtLatLon, parseTime: parseTime, hours: hours, eventLabel: eventLabel,
            eventColour: eventColour, levelColour: levelColour, levelBadge: levelBadge, eventBadge: eventBadge,
            kvTable: kvTable, findingWhat: findingWhat, vesselLabel: vesselLabel, selectFinding: selectFinding
        };
    }

    function start() {
        var t0 = performance.now();
        buildHeader();
        buildFooter();
        if (typeof L !== 'undefined') buildMap();
        body.dataset.findingsDrawn = String(drawn.findings);
        body.dataset.tracksDrawn = String(drawn.tracks);
        body.dataset.pointsDrawn = String(drawn.points);
        body.dataset.landRings = String(drawn.landRings);
        exportHelpers();
        if (!panel) { /* the dossier: dossier.js draws the rest and says ready */
            body.dataset.buildMs = String(Math.round(performance.now() - t0));
            return;
        }
        showOverview();
        wireTables();
        body.dataset.vesselRows = String(buildVesselTable(''));
        body.dataset.findingRows = String(buildFindingTable(''));
        body.dataset.buildMs = String(Math.round(performance.now() - t0));
        /* let the canvas paint before saying ready */
        requestAnimationFrame(function () {
            if (performance.mark) performance.mark('pelorus-ready');
            body.dataset.ready = '1';
        });
    }

    start();
})();
