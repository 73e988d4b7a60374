#!/usr/bin/env node
// dossier_check.mjs -- opens a Pelorus case dossier (pelorus report
// --dossier) in a real browser (Debian's /usr/bin/chromium through
// playwright-core; nothing is downloaded) and checks it against its own
// data JSON:
//
//   node tests/browser/dossier_check.mjs DOSSIER.html [--screenshot OUT.png]
//        [--pdf OUT.pdf] [--xss] [--expect-missing] [--chromium PATH]
//
// Checks: no network request is attempted, no console error or warning,
// page error or dialog; the page says ready; the map drew every finding
// with a geometry and the land; a section and a timeline chart (SVG) per
// vessel of the data; a drawn speed path (path.d-speed with as many points
// as the vessel's speed series has in the chart's range) wherever the data
// has speeds; as many gap bands per chart as the vessel has gap findings; a
// draught path where the data has draught spans; an evidence block per
// finding, each line "file:line" followed by exactly the data's text or
// "(text not available)" when it is null; the list matches and identities
// tables.  --xss: the text <script>alert(1)</script> shows as text, only
// the template's script elements exist, no element has an on* attribute.
// --expect-missing: the data has no line's text (its input is gone) and
// every evidence line shows "(text not available)".  In print media no
// control shows, each vessel starts a page and no chart or finding is cut;
// page.pdf() (A4) must give a PDF of at least one page.
// Prints "browser: N passed, M failed"; exit status 0 only if all passed.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function usage() {
    console.error('usage: node tests/browser/dossier_check.mjs DOSSIER.html [--screenshot OUT.png] [--pdf OUT.pdf] ' +
        '[--xss] [--expect-missing] [--chromium PATH]');
    process.exit(2);
}

const opt = { file: null, shot: null, pdf: null, xss: false, missing: false, chromium: '/usr/bin/chromium' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) usage(); return argv[++i]; };
    if (a === '--screenshot') opt.shot = next();
    else if (a === '--pdf') opt.pdf = next();
    else if (a === '--xss') opt.xss = true;
    else if (a === '--expect-missing') opt.missing = true;
    else if (a === '--chromium') opt.chromium = next();
    else if (a.startsWith('--') || opt.file) usage();
    else opt.file = a;
}
if (!opt.file) usage();
if (!existsSync(opt.file)) { console.error(`dossier_check: ${opt.file}: no such file`); process.exit(2); }
if (!existsSync(opt.chromium)) { console.error(`dossier_check: no browser at ${opt.chromium}`); process.exit(2); }

let passed = 0, failed = 0;
function check(ok, what, detail) {
    if (ok) { passed++; console.log(`ok    ${what}`); }
    else { failed++; console.log(`FAIL  ${what}${detail !== undefined ? ': ' + detail : ''}`); }
}

// what the page must show, from its own data
const html = readFileSync(opt.file, 'utf8');
const m = /<script[^>]*id="pelorus-data"[^>]*>([\s\S]*?)<\/script>/.exec(html);
const data = JSON.parse(m[1]);
const nvessels = data.vessels.length;
const withGeometry = data.findings.filter((f) => f.geometry).length;
const want = data.vessels.map((v, i) => {
    const ms = v.mmsis && v.mmsis.length ? v.mmsis : [v.mmsi];
    const s = data.dossier.vessels[i];
    const gaps = v.findings.filter((id) => data.findings[id].event === 'gap' && ms.includes(data.findings[id].mmsi)).length;
    return { mmsi: v.mmsi, gaps, speed: s.speed.length, draught: s.draught.length,
        matches: v.findings.filter((id) => data.findings[id].event === 'watchlist_match').length,
        identities: v.identities.length };
});
const evidence = data.findings.map((f) => f.evidence.map((e) => `${e.file}:${e.line}` +
    (typeof e.text === 'string' ? e.text : '(text not available)')));

const template = readFileSync(resolve(here, '../../data/web/dossier.html'), 'utf8');
const templateScripts = (template.match(/<script\b[^>]*\bdata-pelorus="[^"]+"/g) || [])
    .map((s) => /data-pelorus="([^"]+)"/.exec(s)[1]);

const requests = [], consoleMsgs = [], pageErrors = [], dialogs = [];
const browser = await chromium.launch({ executablePath: opt.chromium, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'] });
let exitCode = 1;
try {
    const context = await browser.newContext({ viewport: { width: 900, height: 1200 }, deviceScaleFactor: 1,
        serviceWorkers: 'block' });
    await context.route('**', (route) => {
        const url = route.request().url();
        if (/^(file|data|about):/i.test(url)) return route.continue();
        requests.push(url);
        return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('request', (r) => {
        const url = r.url();
        if (!/^(file|data|about):/i.test(url) && !requests.includes(url)) requests.push(url);
    });
    page.on('console', (c) => {
        if (c.type() === 'error' || c.type() === 'warning') consoleMsgs.push(`${c.type()}: ${c.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(String(e && e.message ? e.message : e)));
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });

    await page.goto(pathToFileURL(resolve(opt.file)).href, { waitUntil: 'load', timeout: 30000 });
    let ready = true;
    try {
        await page.waitForSelector('body[data-ready="1"]', { timeout: 20000, state: 'attached' });
    } catch (e) {
        ready = false;
    }
    check(ready, 'page says ready within 20 s');
    const info = await page.evaluate(() => {
        const charts = Array.from(document.querySelectorAll('section.d-vessel svg.d-chart'));
        return {
            ds: Object.assign({}, document.body.dataset),
            sections: document.querySelectorAll('section.d-vessel').length,
            charts: charts.map((c) => {
                const sp = c.querySelector('path.d-speed');
                return {
                    vessel: c.dataset.vessel, gaps: Number(c.dataset.gaps),
                    gapRects: c.querySelectorAll('rect.d-gap').length,
                    speedD: sp ? sp.getAttribute('d') : '', speedPoints: sp ? Number(sp.dataset.points) : 0,
                    speedPointsWanted: Number(c.dataset.speedPoints),
                    draught: c.querySelectorAll('path.d-draught').length,
                    ticks: c.querySelectorAll('text.d-tick').length,
                    utc: c.textContent.includes('(UTC)'),
                };
            }),
            matchRows: Array.from(document.querySelectorAll('section.d-vessel')).map((s) => {
                const t = s.querySelector('table.d-matches');
                return t ? t.querySelectorAll('tbody tr').length : 0;
            }),
            idRows: Array.from(document.querySelectorAll('section.d-vessel')).map((s) => {
                const t = s.querySelector('table.d-ids');
                return t ? t.querySelectorAll('tbody tr').length : 0;
            }),
            evidence: Array.from(document.querySelectorAll('article.d-finding')).map((a) =>
                Array.from(a.querySelectorAll('.d-evline')).map((l) =>
                    l.querySelector('.d-loc').textContent + l.querySelector('.d-text').textContent)),
            canvases: document.querySelectorAll('#map .leaflet-overlay-pane canvas').length,
        };
    });
    check(info.ds.errors === '0', 'no uncaught errors recorded by the page', `errors=${info.ds.errors} ${info.ds.lastError || ''}`);
    check(Number(info.ds.findingsDrawn) === withGeometry, `map: findings drawn = ${withGeometry}`, info.ds.findingsDrawn);
    check(Number(info.ds.landRings) > 100 && info.canvases === 1, 'map: the land on one canvas', `${info.ds.landRings} rings`);
    check(info.sections === nvessels && Number(info.ds.dossierVessels) === nvessels, `a section per vessel (${nvessels})`,
        `${info.sections}`);
    check(info.charts.length === nvessels, `a timeline chart per vessel (${nvessels})`, `${info.charts.length}`);
    const byVessel = info.charts.map((c, i) => ({ c, w: want[i] }));
    check(byVessel.every(({ c, w }) => c.vessel === String(w.mmsi)), 'the charts in the ranking\'s order');
    check(byVessel.every(({ c, w }) => w.speed === 0 || (/^M[\d.]+ [\d.]+( [ML][\d.]+ [\d.]+)+$/.test(c.speedD) &&
        c.speedPoints === c.speedPointsWanted && c.speedPoints > 0)),
        'a drawn speed path wherever the data has speeds, every point in range drawn',
        JSON.stringify(byVessel.map(({ c, w }) => [w.speed, c.speedPoints, c.speedD.slice(0, 30)])));
    check(byVessel.some(({ c }) => c.speedPoints > 1), 'at least one speed line of several points');
    check(byVessel.every(({ c, w }) => c.gaps === w.gaps && c.gapRects === 2 * w.gaps),
        'gap bands: one (across speed and draught) per gap finding of the vessel',
        JSON.stringify(byVessel.map(({ c, w }) => [w.gaps, c.gaps, c.gapRects])));
    check(byVessel.every(({ c, w }) => (w.draught > 0) === (c.draught === 1)), 'a draught path where the data has draught spans',
        JSON.stringify(byVessel.map(({ c, w }) => [w.draught, c.draught])));
    check(info.charts.every((c) => c.ticks >= 4 && c.utc), 'axes labelled, time in UTC');
    check(JSON.stringify(info.matchRows) === JSON.stringify(want.map((w) => w.matches)), 'list matches table per vessel',
        JSON.stringify([info.matchRows, want.map((w) => w.matches)]));
    check(JSON.stringify(info.idRows) === JSON.stringify(want.map((w) => w.identities)), 'identity history table per vessel',
        JSON.stringify([info.idRows, want.map((w) => w.identities)]));
    check(info.evidence.length === data.findings.length && Number(info.ds.evidenceBlocks) === data.findings.length,
        `an evidence block per finding (${data.findings.length})`, `${info.evidence.length}`);
    // as shown: hidden characters as marks (the display policy, report.js's shown(); tests/display_test.sh)
    const shownEvidence = await page.evaluate((ev) => ev.map((a) => a.map((s) => window.pelorus.ui.shown(s))), evidence);
    check(JSON.stringify(info.evidence) === JSON.stringify(shownEvidence), 'every evidence line: file:line and exactly its text',
        JSON.stringify(info.evidence).slice(0, 200));

    if (opt.missing) {
        const lines = info.evidence.flat();
        check(lines.length > 0 && lines.every((l) => l.endsWith('(text not available)')) &&
            data.findings.every((f) => f.evidence.every((e) => e.text === null)),
            `every evidence line (${lines.length}) shows (text not available)`);
    }
    if (opt.shot) {
        await page.evaluate(() => {
            const s = document.getElementById('vessel-0');
            if (s) s.scrollIntoView({ block: 'start' });
        });
        await page.waitForTimeout(200);
        await page.screenshot({ path: opt.shot, fullPage: false });
        console.log(`screenshot: ${opt.shot}`);
    }

    if (opt.xss) {
        const probe = '<script>alert(1)</script>';
        const r = await page.evaluate((p) => {
            const onAttrs = [];
            document.querySelectorAll('*').forEach((e) => {
                for (const a of e.attributes) if (/^on/i.test(a.name)) onAttrs.push(e.tagName + '[' + a.name + ']');
            });
            return { visible: document.body.innerText.includes(p),
                scripts: Array.from(document.querySelectorAll('script')).map((s) => s.dataset.pelorus || '(none)'),
                onAttrs, imgs: Array.from(document.images).filter((i) => !/^data:/.test(i.src)).length };
        }, probe);
        check(r.visible, 'the name <script>alert(1)</script> shows as text');
        check(r.scripts.length === templateScripts.length && r.scripts.every((s) => templateScripts.includes(s)),
            `only the template's ${templateScripts.length} script elements exist`, r.scripts.join(','));
        check(r.onAttrs.length === 0, 'no inline event handler attributes', r.onAttrs.slice(0, 5).join(' '));
        check(r.imgs === 0, 'no <img> elements that would load anything', `${r.imgs}`);
    }

    // printing: the print styles, A4, at least one page
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const head = pdf.subarray(0, 5).toString('latin1');
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
    if (opt.pdf) writeFileSync(opt.pdf, pdf);
    check(head === '%PDF-' && pdf.length > 20000 && pages >= 1, 'page.pdf() gives a PDF of at least one page',
        `${head} ${pdf.length} bytes, ${pages} pages`);
    console.log(`pdf: ${pages} pages, ${pdf.length} bytes`);
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
        const shownControls = Array.from(document.querySelectorAll('.layer-ctl, .leaflet-control-zoom, input, button'))
            .filter((e) => getComputedStyle(e).display !== 'none' && e.getClientRects().length).length;
        const breaks = Array.from(document.querySelectorAll('section.d-vessel'))
            .every((s) => getComputedStyle(s).breakBefore === 'page');
        const avoid = Array.from(document.querySelectorAll('.d-chart-box, article.d-finding'))
            .every((e) => getComputedStyle(e).breakInside === 'avoid');
        return { shownControls, breaks, avoid };
    });
    await page.emulateMedia({ media: 'screen' });
    check(printed.shownControls === 0, 'print: no interactive controls shown', `${printed.shownControls}`);
    check(printed.breaks && printed.avoid, 'print: a page break before each vessel, none inside a chart or a finding');

    await page.waitForTimeout(100);
    check(dialogs.length === 0, 'no dialog (alert/confirm/prompt) fired', dialogs.join(' | '));
    check(requests.length === 0, 'no network request attempted', requests.slice(0, 5).join(' '));
    check(pageErrors.length === 0, 'no page errors', pageErrors.slice(0, 3).join(' | '));
    check(consoleMsgs.length === 0, 'no console errors or warnings', consoleMsgs.slice(0, 5).join(' | '));
    await context.close();
    exitCode = failed === 0 ? 0 : 1;
} catch (e) {
    failed++;
    console.log(`FAIL  ${e && e.message ? e.message.split('\n')[0] : e}`);
    exitCode = 1;
} finally {
    await browser.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(exitCode);
