/* dossier.js -- the printable case dossier (dossier.html, docs/report.md
 * "Dossier").  report.js runs first and draws the header, the map and the
 * footer, and hands over its helpers (window.pelorus.ui: the display policy,
 * formatting, DOM building); this file draws the rest from the data's
 * "dossier" member and the report's vessels and findings:
 *   - the vessels by risk;
 *   - a section per vessel: identity, the reasons for its score with their
 *     points, a timeline chart (inline SVG: speed over ground and draught
 *     over time, gaps shaded, encounters, port visits, loitering, zone
 *     entries and the other findings marked on the time axis, UTC), the
 *     identities broadcast, the list matches and its findings;
 *   - every finding with its details and its evidence lines, each
 *     "file:line" and the line's text (or "(text not available)").
 * Every text goes in through textContent (ui.el / ui.setText, which show
 * hidden characters as marks); nothing is parsed as HTML.  Plain ES2017.
 *
 * For the browser test (tests/browser/report_check.mjs --dossier) the
 * body's data- attributes say what was drawn: dossierVessels, timelines,
 * speedPaths, gapBands, evidenceBlocks, evidenceLines, and ready="1".
 */
(function () {
    'use strict';

    var body = document.body;
    var ui = window.pelorus && window.pelorus.ui;
    if (!ui) throw new Error('dossier.js: report.js did not run');
    var el = ui.el, svg = ui.svg, arr = ui.arr, isStr = ui.isStr, fmtTime = ui.fmtTime, fmtNum = ui.fmtNum,
        fmtValue = ui.fmtValue, setText = ui.setText;
    var data = ui.data, vessels = ui.vessels, findings = ui.findings;
    var dossier = data.dossier && typeof data.dossier === 'object' ? data.dossier : {};
    var series = arr(dossier.vessels);

    var HOUR = 3600000;
    var BREAK_MS = HOUR; /* the speed line is broken where positions are further apart */
    /* the events marked on the time axis, one row each, in this order */
    var MARK_ROWS = ['encounter', 'port_visit', 'loitering', 'zone_entry', 'spoofing', 'identity_change',
        'watchlist_match', 'data_quality'];
    var drawnStats = { timelines: 0, speedPaths: 0, gapBands: 0, evidenceBlocks: 0, evidenceLines: 0 };

    function text(tag, attrs, s) {
        var n = svg(tag, attrs);
        setText(n, s);
        return n;
    }

    function mmsisOf(v) {
        var ms = arr(v.mmsis).length ? arr(v.mmsis) : [v.mmsi];
        return ms;
    }

    function findingsOf(v) {
        return arr(v.findings).filter(function (id) { return typeof id === 'number' && findings[id]; });
    }

    /* a short label for a marked finding */
    function markLabel(f, v) {
        var ms = mmsisOf(v);
        switch (f.event) {
        case 'encounter': {
            var other = ms.indexOf(f.mmsi) >= 0 ? f.mmsi2 : f.mmsi;
            var name = ms.indexOf(f.mmsi) >= 0 ? f.vessel2_name : f.vessel_name;
            return 'with ' + (isStr(name) && name ? name : other);
        }
        case 'port_visit': return f.port || 'port';
        case 'zone_entry': return f.zone || 'zone';
        case 'loitering': return 'loitering';
        case 'spoofing': return f.kind || 'spoofing';
        case 'identity_change': return f.field || 'identity';
        case 'watchlist_match': return f.entry_name || f.list || 'list';
        default: return ui.eventLabel(f.event);
        }
    }

    /* ---- time axis ------------------------------------------------------ */

    var STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 48 * HOUR, 96 * HOUR, 168 * HOUR,
        336 * HOUR, 720 * HOUR];

    function tickStep(span, maxTicks) {
        for (var i = 0; i < STEPS.length; i++) if (span / STEPS[i] <= maxTicks) return STEPS[i];
        return Math.ceil(span / maxTicks / (24 * HOUR)) * 24 * HOUR;
    }

    function tickLabel(t, step) {
        var s = new Date(t).toISOString(); /* UTC */
        if (step >= 24 * HOUR) return s.slice(5, 10);
        return s.slice(5, 10) + ' ' + s.slice(11, 16);
    }

    function niceMax(x) {
        if (!(x > 0)) return 1;
        var p = Math.pow(10, Math.floor(Math.log10(x)));
        var m = [1, 2, 2.5, 5, 10].find(function (k) { return k * p >= x; });
        return m * p;
    }

    /* ---- the timeline chart ----------------------------------------------- */

    function timeline(v, vi, s) {
        var fids = findingsOf(v);
        var ms = mmsisOf(v);
        var speed = arr(s && s.speed).filter(function (p) { return Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number'; });
        var draught = arr(s && s.draught).filter(function (p) { return Array.isArray(p) && p.length >= 3 && p.every(function (x) { return typeof x === 'number'; }); });
        /* the range: the positions, the draught spans within the period, the findings */
        var pf = ui.parseTime(data.period && data.period.from), pt = ui.parseTime(data.period && data.period.to);
        var t0 = Infinity, t1 = -Infinity;
        function take(t) { if (isFinite(t)) { t0 = Math.min(t0, t); t1 = Math.max(t1, t); } }
        speed.forEach(function (p) { take(p[0] * 1000); });
        fids.forEach(function (id) { take(ui.parseTime(findings[id].start)); take(ui.parseTime(findings[id].end)); });
        if (!isFinite(t0)) draught.forEach(function (p) { take(p[0] * 1000); take(p[1] * 1000); });
        if (isFinite(pf)) t0 = Math.max(t0, pf);
        if (isFinite(pt)) t1 = Math.min(t1, pt);
        if (!isFinite(t0) || !isFinite(t1)) return el('p', { cls: 'muted', text: 'Nothing to draw: no positions or findings in the period.' });
        if (t1 - t0 < HOUR) { var mid = (t0 + t1) / 2; t0 = mid - HOUR / 2; t1 = mid + HOUR / 2; }

        var W = 720, L0 = 86, R = 14, rowH = 15, top = 6;
        var x = function (t) { return L0 + (W - L0 - R) * Math.min(1, Math.max(0, (t - t0) / (t1 - t0))); };
        /* the marked findings: a row per event, lanes within it so that
         * bands and their labels never overlap */
        var lanes = [], marks = [];
        MARK_ROWS.forEach(function (ev) {
            var ends = [];
            fids.forEach(function (id) {
                var f = findings[id];
                if (f.event !== ev) return;
                var a = ui.parseTime(f.start), b = ui.parseTime(f.end);
                if (!isFinite(a)) return;
                if (!isFinite(b) || b < a) b = a;
                var xa = x(a), xb = Math.max(x(b), xa + 3), label = markLabel(f, v);
                var lw = String(label).length * 5 + 4, lx, anchor = 'start', inside = false, lo = xa, hi = xb;
                if (xb - xa >= lw + 6) { lx = xa + 3; inside = true; }
                else if (xb + 3 + lw <= W - R) { lx = xb + 3; hi = xb + 3 + lw; }
                else if (xa - 3 - lw >= L0) { lx = xa - 3; anchor = 'end'; lo = xa - 3 - lw; }
                else { lx = xa + 3; inside = true; }
                var lane = 0;
                while (lane < ends.length && ends[lane] + 4 > lo) lane++;
                ends[lane] = hi;
                marks.push({ id: id, f: f, ev: ev, xa: xa, xb: xb, lx: lx, anchor: anchor, inside: inside, label: label,
                    row: lanes.length + lane });
            });
            for (var k = 0; k < ends.length; k++) lanes.push({ ev: ev, first: k === 0 });
        });
        var marksH = lanes.length * rowH, sTop = top + marksH + (lanes.length ? 8 : 0), sH = 120, gapY = 14, dH = 56;
        var dTop = sTop + sH + gapY, axisY = dTop + dH, H = axisY + 34;
        var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', class: 'd-chart', role: 'img',
            'aria-label': 'timeline' });
        root.dataset.vessel = String(v.mmsi);
        var hatch = 'd-hatch-' + vi;
        var defs = svg('defs', {});
        var pat = svg('pattern', { id: hatch, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
        pat.appendChild(svg('rect', { width: 6, height: 6, fill: '#f2f2f2' }));
        pat.appendChild(svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#9a9a9a', 'stroke-width': 2 }));
        defs.appendChild(pat);
        root.appendChild(defs);

        /* panels */
        root.appendChild(svg('rect', { x: L0, y: sTop, width: W - L0 - R, height: sH, class: 'd-panel' }));
        root.appendChild(svg('rect', { x: L0, y: dTop, width: W - L0 - R, height: dH, class: 'd-panel' }));

        /* gaps: hatched bands across both panels */
        var gaps = 0;
        fids.forEach(function (id) {
            var f = findings[id];
            if (f.event !== 'gap' || ms.indexOf(f.mmsi) < 0) return;
            var a = ui.parseTime(f.start), b = ui.parseTime(f.end);
            if (!isFinite(a)) return;
            if (!isFinite(b) || b < a) b = a;
            var xa = x(a), xb = Math.max(x(b), xa + 2);
            [[sTop, sH], [dTop, dH]].forEach(function (p) {
                var r = svg('rect', { x: xa.toFixed(1), y: p[0], width: (xb - xa).toFixed(1), height: p[1],
                    fill: 'url(#' + hatch + ')', class: 'd-gap' });
                r.dataset.finding = String(id);
                r.appendChild(text('title', {}, 'AIS gap #' + id + ': ' + fmtTime(f.start) + ' \u2013 ' + fmtTime(f.end) +
                    ' UTC, ' + ui.findingWhat(f)));
                root.appendChild(r);
            });
            root.appendChild(text('text', { x: ((xa + xb) / 2).toFixed(1), y: sTop + 10, 'text-anchor': 'middle', class: 'd-gap-label' }, 'gap'));
            gaps += 1;
        });
        root.dataset.gaps = String(gaps);
        drawnStats.gapBands += gaps;

        /* marked findings: a labelled band each */
        lanes.forEach(function (ln, r) {
            if (ln.first) root.appendChild(text('text', { x: L0 - 5, y: top + r * rowH + 10, 'text-anchor': 'end', class: 'd-row-label' }, ui.eventLabel(ln.ev)));
        });
        marks.forEach(function (mk) {
            var y = top + mk.row * rowH, f = mk.f, id = mk.id;
            var g = svg('g', { class: 'd-mark d-mark-' + mk.ev });
            g.dataset.finding = String(id);
            var rect = svg('rect', { x: mk.xa.toFixed(1), y: y + 1, width: (mk.xb - mk.xa).toFixed(1), height: rowH - 4, rx: 1.5,
                fill: ui.safeColour(ui.eventColour(mk.ev)), class: 'd-mark-bar' });
            rect.appendChild(text('title', {}, ui.eventLabel(mk.ev) + ' #' + id + ': ' + fmtTime(f.start) + ' \u2013 ' +
                fmtTime(f.end) + ' UTC ' + ui.findingWhat(f)));
            g.appendChild(rect);
            g.appendChild(text('text', { x: mk.lx.toFixed(1), y: y + 10, 'text-anchor': mk.anchor,
                class: mk.inside ? 'd-mark-label d-in' : 'd-mark-label' }, mk.label));
            g.addEventListener('click', function () { ui.selectFinding(id, {}); });
            root.appendChild(g);
            /* and a faint line down through the panels */
            root.appendChild(svg('line', { x1: mk.xa.toFixed(1), x2: mk.xa.toFixed(1), y1: sTop, y2: dTop + dH, class: 'd-mark-line' }));
        });

        /* speed */
        var smax = niceMax(Math.max.apply(null, speed.map(function (p) { return p[1]; }).concat([1])));
        var ys = function (kn) { return sTop + sH - sH * Math.min(1, Math.max(0, kn / smax)); };
        [0, 0.5, 1].forEach(function (k) {
            var yv = ys(smax * k);
            root.appendChild(svg('line', { x1: L0, x2: W - R, y1: yv.toFixed(1), y2: yv.toFixed(1), class: 'd-grid' }));
            root.appendChild(text('text', { x: L0 - 4, y: (yv + 3).toFixed(1), 'text-anchor': 'end', class: 'd-tick' }, fmtNum(smax * k, smax * k % 1 ? 1 : 0)));
        });
        root.appendChild(text('text', { x: 40, y: sTop + sH / 2, class: 'd-axis-title', transform: 'rotate(-90 40 ' + (sTop + sH / 2) + ')', 'text-anchor': 'middle' }, 'speed (kn)'));
        var d = '', prev = null, pts = 0;
        speed.forEach(function (p) {
            var t = p[0] * 1000;
            if (t < t0 || t > t1) return;
            var cmd = prev === null || t - prev > BREAK_MS ? 'M' : 'L';
            d += cmd + x(t).toFixed(1) + ' ' + ys(p[1]).toFixed(1) + ' ';
            prev = t;
            pts += 1;
        });
        if (d) {
            var sp = svg('path', { d: d.trim(), class: 'd-speed' });
            sp.dataset.points = String(pts);
            root.appendChild(sp);
            drawnStats.speedPaths += 1;
        } else {
            root.appendChild(text('text', { x: (L0 + W - R) / 2, y: sTop + sH / 2, 'text-anchor': 'middle', class: 'd-empty' }, 'no speed reported in the period'));
        }
        root.dataset.speedPoints = String(pts);

        /* draught: a step per voyage report span */
        var dmax = niceMax(Math.max.apply(null, draught.map(function (p) { return p[2]; }).concat([1])));
        var yd = function (m) { return dTop + dH - dH * Math.min(1, Math.max(0, m / dmax)); };
        [0, 1].forEach(function (k) {
            var yv = yd(dmax * k);
            root.appendChild(svg('line', { x1: L0, x2: W - R, y1: yv.toFixed(1), y2: yv.toFixed(1), class: 'd-grid' }));
            root.appendChild(text('text', { x: L0 - 4, y: (yv + 3).toFixed(1), 'text-anchor': 'end', class: 'd-tick' }, fmtNum(dmax * k, dmax * k % 1 ? 1 : 0)));
        });
        root.appendChild(text('text', { x: 40, y: dTop + dH / 2, class: 'd-axis-title', transform: 'rotate(-90 40 ' + (dTop + dH / 2) + ')', 'text-anchor': 'middle' }, 'draught (m)'));
        var dd = '';
        draught.forEach(function (p) {
            var a = p[0] * 1000, b = p[1] * 1000;
            if (b < t0 || a > t1) return;
            var xa = x(a), xb = Math.max(x(b), xa + 2), yv = yd(p[2]).toFixed(1);
            dd += 'M' + xa.toFixed(1) + ' ' + yv + ' L' + xb.toFixed(1) + ' ' + yv + ' ';
        });
        if (dd) {
            var dp = svg('path', { d: dd.trim(), class: 'd-draught' });
            dp.dataset.spans = String(draught.length);
            root.appendChild(dp);
        } else {
            root.appendChild(text('text', { x: (L0 + W - R) / 2, y: dTop + dH / 2 + 3, 'text-anchor': 'middle', class: 'd-empty' }, 'no draught reported'));
        }

        /* the time axis, UTC */
        var step = tickStep(t1 - t0, 7);
        for (var t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
            var xv = x(t);
            root.appendChild(svg('line', { x1: xv.toFixed(1), x2: xv.toFixed(1), y1: sTop, y2: axisY + 3, class: 'd-vgrid' }));
            root.appendChild(text('text', { x: xv.toFixed(1), y: axisY + 14, 'text-anchor': 'middle', class: 'd-tick' }, tickLabel(t, step)));
        }
        root.appendChild(text('text', { x: L0, y: axisY + 29, class: 'd-axis-title' }, fmtTime(new Date(t0).toISOString()) + ' \u2013 ' +
            fmtTime(new Date(t1).toISOString()) + ' (UTC)'));
        root.appendChild(text('text', { x: W - R, y: axisY + 29, 'text-anchor': 'end', class: 'd-axis-title' },
            'hatched: AIS gaps; bands: findings'));
        drawnStats.timelines += 1;
        return root;
    }

    /* ---- sections --------------------------------------------------------- */

    function h(tag, s) { return el(tag, { text: s }); }

    function table(head, rows, cls) {
        var tb = el('tbody');
        rows.forEach(function (r) {
            tb.appendChild(el('tr', null, r.map(function (c) {
                return c instanceof Node ? el('td', null, [c]) : el('td', { text: c == null ? '\u2014' : String(c) });
            })));
        });
        return el('table', { cls: 'grid small ' + (cls || '') }, [el('thead', null, [el('tr', null,
            head.map(function (x) { return el('th', { text: x }); }))]), tb]);
    }

    function findingRef(id) {
        var a = el('a', { cls: 'f-ref', text: '#' + id });
        a.href = '#finding-' + id;
        return a;
    }

    function buildRanking() {
        var box = document.getElementById('d-ranking');
        box.appendChild(h('h2', 'Vessels by risk'));
        if (!vessels.length) {
            box.appendChild(el('p', { cls: 'muted', text: 'No vessel in this dossier.' }));
            return;
        }
        box.appendChild(table(['#', 'Score', 'Level', 'MMSI', 'Name', 'IMO', 'Country', 'Reasons'], vessels.map(function (v, i) {
            return [String(i + 1), fmtValue(v.score), ui.levelBadge(v.level, null), arr(v.mmsis).join(' \u2192 ') || fmtValue(v.mmsi),
                isStr(v.name) && v.name ? v.name : '\u2014', fmtValue(v.imo), fmtValue(v.country), String(arr(v.reasons).length)];
        }), 'd-rank'));
    }

    function buildVessel(v, i) {
        var sec = el('section', { cls: 'd-section d-vessel' });
        sec.id = 'vessel-' + i;
        sec.appendChild(el('div', { cls: 'd-vhead' }, [ui.levelBadge(v.level, v.score),
            el('span', { cls: 'muted', text: ' rank ' + (i + 1) })]));
        sec.appendChild(h('h2', (isStr(v.name) && v.name ? v.name : 'unnamed vessel') + ' (' + v.mmsi + ')'));
        sec.appendChild(ui.kvTable([
            arr(v.mmsis).length > 1 ? ['MMSIs (one ship, in time order)', arr(v.mmsis).join(' \u2192 ')] : ['MMSI', v.mmsi],
            ['IMO', v.imo],
            ['Call sign', v.callsign],
            ['Ship type', v.shiptype_text ? v.shiptype_text + (v.shiptype != null ? ' (' + v.shiptype + ')' : '') : v.shiptype],
            ['Destination', v.destination],
            ['Country (MID)', v.country],
            ['Positions', typeof v.positions === 'number' ? fmtNum(v.positions) : null],
            ['Heard', fmtTime(v.first) + ' \u2013 ' + fmtTime(v.last) + ' UTC']
        ]));

        sec.appendChild(h('h3', 'Why this score'));
        var reasons = arr(v.reasons);
        if (!reasons.length) sec.appendChild(el('p', { cls: 'muted', text: 'No reasons: score 0.' }));
        var ul = el('ul', { cls: 'reasons' });
        reasons.forEach(function (r) {
            if (!r) return;
            ul.appendChild(el('li', null, [el('span', { cls: 'pts', text: (typeof r.points === 'number' && r.points >= 0 ? '+' : '') + fmtValue(r.points) }),
                el('span', { text: fmtValue(r.text) }), typeof r.finding === 'number' ? findingRef(r.finding) : null]));
        });
        sec.appendChild(ul);

        sec.appendChild(h('h3', 'Timeline'));
        var chart = el('div', { cls: 'd-chart-box' }, [timeline(v, i, series[i] && series[i].mmsi === v.mmsi ? series[i] : null)]);
        sec.appendChild(chart);

        var ids = arr(v.identities);
        sec.appendChild(h('h3', 'Identities broadcast'));
        if (!ids.length) sec.appendChild(el('p', { cls: 'muted', text: 'No static reports heard.' }));
        else {
            var multi = ids.some(function (d) { return d && d.mmsi != null; });
            sec.appendChild(table((multi ? ['MMSI'] : []).concat(['Name', 'IMO', 'Call sign', 'Type', 'First (UTC)', 'Last (UTC)']),
                ids.filter(Boolean).map(function (d) {
                    return (multi ? [fmtValue(d.mmsi)] : []).concat([fmtValue(d.name), fmtValue(d.imo), fmtValue(d.callsign),
                        fmtValue(d.shiptype), fmtTime(d.first), fmtTime(d.last)]);
                }), 'd-ids'));
        }

        var fids = findingsOf(v);
        var matches = fids.filter(function (id) { return findings[id].event === 'watchlist_match'; });
        sec.appendChild(h('h3', 'List matches'));
        if (!matches.length) sec.appendChild(el('p', { cls: 'muted', text: 'None of its identities matched a list entry.' }));
        else {
            sec.appendChild(table(['List', 'Entry', 'Matched on', 'Confidence', 'Score', ''], matches.map(function (id) {
                var f = findings[id];
                return [fmtValue(f.list), fmtValue(f.entry_name) + ' (entry ' + fmtValue(f.entry) + (f.program ? ', ' + fmtValue(f.program) : '') + ')',
                    fmtValue(f.matched_on) + (f.matched_name_kind ? ' (' + f.matched_name_kind + ')' : ''), fmtValue(f.confidence),
                    fmtValue(f.score), findingRef(id)];
            }), 'd-matches'));
        }

        sec.appendChild(h('h3', 'Findings (' + fids.length + ')'));
        var fl = el('ul', { cls: 'f-list' });
        fids.forEach(function (id) {
            var f = findings[id];
            fl.appendChild(el('li', null, [ui.swatch(ui.eventColour(f.event)), findingRef(id),
                el('span', { text: ' ' + ui.eventLabel(f.event) + ' \u00b7 ' + fmtTime(f.start) + ' ' + ui.findingWhat(f) })]));
        });
        sec.appendChild(fl);
        return sec;
    }

    function buildFinding(f, id) {
        var art = el('article', { cls: 'd-finding' });
        art.id = 'finding-' + id;
        var title = '';
        if (f.event === 'spoofing' && f.kind) title = f.kind;
        if (f.event === 'identity_change' && f.field) title = f.field;
        art.appendChild(el('div', { cls: 'd-fhead' }, [ui.eventBadge(f.event), title ? el('b', { text: ' ' + title }) : null,
            el('span', { cls: 'muted', text: '  finding #' + id })]));
        var who = ui.vesselLabel(f.mmsi, f.vessel_name);
        if (f.mmsi2 != null) who += ' with ' + ui.vesselLabel(f.mmsi2, f.vessel2_name);
        var hh = ui.hours(f);
        var rows = [['Vessels', who], ['Time (UTC)', fmtTime(f.start) + ' \u2013 ' + fmtTime(f.end)],
            ['Duration', hh == null ? null : fmtNum(hh, 2) + ' h'], ['Position', ui.fmtLatLon(f.lat, f.lon)]];
        Object.keys(f).filter(function (k) { return !ui.COMMON[k]; }).forEach(function (k) { rows.push([k, f[k]]); });
        art.appendChild(ui.kvTable(rows));
        var ev = arr(f.evidence).filter(function (e) { return e && typeof e === 'object'; });
        var total = typeof f.evidence_total === 'number' ? f.evidence_total : ev.length;
        art.appendChild(el('p', { cls: 'muted d-evnote', text: total === ev.length ?
            'Evidence: the ' + fmtNum(total) + ' input line' + (total === 1 ? '' : 's') + ' it rests on' :
            'Evidence: ' + fmtNum(ev.length) + ' of the ' + fmtNum(total) + ' input lines it rests on' }));
        var pre = el('div', { cls: 'd-evidence' });
        ev.forEach(function (e) {
            var has = isStr(e.text);
            pre.appendChild(el('div', { cls: 'd-evline' + (has ? '' : ' d-missing') }, [
                el('span', { cls: 'd-loc', text: fmtValue(e.file) + ':' + fmtValue(e.line) }),
                el('span', { cls: 'd-text', text: has ? e.text : '(text not available)' })]));
            drawnStats.evidenceLines += 1;
        });
        art.appendChild(pre);
        drawnStats.evidenceBlocks += 1;
        return art;
    }

    function start() {
        buildRanking();
        var box = document.getElementById('d-vessels');
        vessels.forEach(function (v, i) { if (v) box.appendChild(buildVessel(v, i)); });
        var fs = document.getElementById('d-findings');
        fs.appendChild(h('h2', 'Findings and their evidence (' + findings.length + ')'));
        if (!findings.length) fs.appendChild(el('p', { cls: 'muted', text: 'No findings in the period.' }));
        findings.forEach(function (f, id) { if (f) fs.appendChild(buildFinding(f, id)); });
        var map = window.pelorus.map;
        if (map) {
            map.invalidateSize();
            /* the page is narrower on paper: fit the map again */
            window.addEventListener('beforeprint', function () { map.invalidateSize(); });
        }
        body.dataset.dossierVessels = String(box.children.length);
        Object.keys(drawnStats).forEach(function (k) { body.dataset[k] = String(drawnStats[k]); });
        requestAnimationFrame(function () {
            if (performance.mark) performance.mark('pelorus-ready');
            body.dataset.ready = '1';
        });
    }

    start();
})();
