#!/usr/bin/env node
// report_check.mjs -- opens a Pelorus report.html in a real browser (Debian's
// /usr/bin/chromium through playwright-core; no browser is downloaded) and
// checks that it works offline and safely:
//
//   node tests/browser/report_check.mjs REPORT.html --expect-findings N
//        [--expect-vessels N] [--screenshot OUT.png [--select RANK]] [--xss]
//        [--chromium PATH]
//
// Checks: no network request is even attempted (every request that is not
// file:, data: or about: is aborted and counted); no console error or
// warning, page error or dialog (alert, confirm, prompt); the page says
// ready (body[data-ready="1"]) within 20 s; it drew N findings, the land
// (more than 100 rings, and land-coloured pixels on the map canvas) and the
// expected vessel rows (the table puts a page of rows in the document at a
// time: scrolling and "show more" must bring in all of them); clicking a
// vessel row, a finding row and a finding on the map fills the side panel.
// --select RANK takes the screenshot with that vessel (1 = the riskiest)
// selected.  --xss: the text <script>alert(1)</script> is visible as text,
// every script element is one of the template's own, no element has an on*
// attribute, every finding's panel opens.  Prints the load time (navigation
// start to ready) and "browser: N passed, M failed"; exit status 0 only if
// all passed.  --display (a report of tests/tools/display_fixture.py): after
// every vessel and finding panel has been opened, no text node, title or
// tooltip of the page holds a hidden character of src/util/display.c's
// table (a right-to-left override, a zero-width space, a control ...), and
// the override name shows as the mark "\u27e8U+202E\u27e9RATS KCALB\u27e8U+202C\u27e9".
import { chromium } from 'playwright-core';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function usage() {
    console.error('usage: node tests/browser/report_check.mjs REPORT.html --expect-findings N ' +
        '[--expect-vessels N] [--screenshot OUT.png [--select RANK]] [--xss] [--chromium PATH]');
    process.exit(2);
}

const opt = { report: null, findings: null, vessels: null, shot: null, select: null, xss: false, display: false,
    chromium: '/usr/bin/chromium' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) usage(); return argv[++i]; };
    if (a === '--expect-findings') opt.findings = Number(next());
    else if (a === '--expect-vessels') opt.vessels = Number(next());
    else if (a === '--screenshot') opt.shot = next();
    else if (a === '--select') opt.select = Number(next());
    else if (a === '--xss') opt.xss = true;
    else if (a === '--display') opt.display = true;
    else if (a === '--chromium') opt.chromium = next();
    else if (a.startsWith('--') || opt.report) usage();
    else opt.report = a;
}
if (!opt.report || !Number.isInteger(opt.findings) || (opt.vessels !== null && !Number.isInteger(opt.vessels))) usage();
if (!existsSync(opt.report)) { console.error(`report_check: ${opt.report}: no such file`); process.exit(2); }
if (!existsSync(opt.chromium)) {
    console.error(`report_check: no browser at ${opt.chromium} (apt-get install chromium)`);
    process.exit(2);
}

let passed = 0, failed = 0;
function check(ok, what, detail) {
    if (ok) { passed++; console.log(`ok    ${what}`); }
    else { failed++; console.log(`FAIL  ${what}${detail !== undefined ? ': ' + detail : ''}`); }
}

// The template's own script elements: every <script> tag in data/web/report.html
const template = readFileSync(resolve(here, '../../data/web/report.html'), 'utf8');
const templateScripts = (template.match(/<script\b[^>]*\bdata-pelorus="[^"]+"/g) || [])
    .map((s) => /data-pelorus="([^"]+)"/.exec(s)[1]);
const templateScriptTags = (template.match(/<script\b/g) || []).length;

const requests = [];
const consoleMsgs = [];
const pageErrors = [];
const dialogs = [];

const browser = await chromium.launch({
    executablePath: opt.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
let exitCode = 1;
try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1,
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
    page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') consoleMsgs.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(String(e && e.message ? e.message : e)));
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });

    const url = pathToFileURL(resolve(opt.report)).href;
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    let ready = true;
    try {
        await page.waitForSelector('body[data-ready="1"]', { timeout: 20000, state: 'attached' });
    } catch (e) {
        ready = false;
    }
    const wall = Date.now() - t0;
    check(ready, 'page says ready within 20 s');

    const info = await page.evaluate(() => {
        const b = document.body.dataset;
        const nav = performance.getEntriesByType('navigation')[0];
        return {
            ds: Object.assign({}, b),
            now: performance.now(),
            domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
            vesselRowsDom: document.querySelectorAll('#vessel-table tbody tr').length,
            findingRowsDom: document.querySelectorAll('#finding-table tbody tr').length,
            canvases: document.querySelectorAll('#map .leaflet-overlay-pane canvas').length,
        };
    });
    // ready is set in a requestAnimationFrame after the build; readyAt is
    // measured from navigation start (performance.now() is relative to it)
    const readyAt = await page.evaluate(() => {
        const m = performance.getEntriesByName('pelorus-ready');
        return m.length ? m[0].startTime : null;
    });
    const loadMs = readyAt !== null ? readyAt : null;
    console.log(`load: ready ${loadMs !== null ? Math.round(loadMs) + ' ms after navigation start' : 'time not recorded'}` +
        ` (wall clock from goto ${wall} ms; DOMContentLoaded ${info.domContentLoaded !== null ? Math.round(info.domContentLoaded) : '?'} ms;` +
        ` page build ${info.ds.buildMs || '?'} ms)`);

    // screenshot of the page as it opens, before any clicks or scrolling
    if (opt.shot) {
        if (opt.select !== null) {
            // the picture with the vessel of that rank (1 = riskiest) selected
            await page.click(`#vessel-table tbody tr:nth-child(${opt.select}) td.name`);
            await page.evaluate(() => window.scrollTo(0, 0));
            await page.waitForTimeout(800);
        }
        await page.screenshot({ path: opt.shot, fullPage: false });
        console.log(`screenshot: ${opt.shot}`);
    }

    check(info.ds.errors === '0', 'no uncaught errors recorded by the page', `errors=${info.ds.errors} ${info.ds.lastError || ''}`);
    check(Number(info.ds.findingsDrawn) === opt.findings, `findings drawn on the map = ${opt.findings}`,
        `data-findings-drawn=${info.ds.findingsDrawn}`);
    check(info.canvases === 1, 'one canvas renderer on the map', `${info.canvases} canvases`);
    check(Number(info.ds.landRings) > 100, 'land TopoJSON converted (> 100 rings)', `landRings=${info.ds.landRings}`);

    // land pixels: the land fill colour must appear on the map canvas, and sea around it
    const px = await page.evaluate(() => {
        const c = document.querySelector('#map .leaflet-overlay-pane canvas');
        if (!c) return null;
        const ctx = c.getContext('2d');
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let land = 0, painted = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 0) continue;
            painted++;
            if (Math.abs(d[i] - 0xf3) < 4 && Math.abs(d[i + 1] - 0xef) < 4 && Math.abs(d[i + 2] - 0xe6) < 4) land++;
        }
        return { land, painted, total: d.length / 4 };
    });
    check(px && px.land > 0.02 * px.total, 'land drawn on the canvas', px ? `${px.land} land pixels of ${px.total}` : 'no canvas');
    check(px && px.painted < px.total, 'sea left unpainted (the page background shows through)', px ? `${px.painted} of ${px.total} painted` : 'no canvas');

    // the vessel table holds every vessel but puts them in the document a page
    // at a time: scrolling its box adds rows, "show more" adds more; in the end
    // the document must hold exactly the expected rows
    const nv = opt.vessels !== null ? opt.vessels : Number(info.ds.vesselRows);
    check(Number(info.ds.vesselRows) === nv, `vessel table holds ${nv} rows`, `data-vessel-rows=${info.ds.vesselRows}`);
    check(info.vesselRowsDom > 0 || nv === 0, 'the first page of vessel rows is in the document', `${info.vesselRowsDom} rows`);
    const lazy = await page.evaluate(async (want) => {
        const rows = () => document.querySelectorAll('#vessel-table tbody tr').length;
        const wrap = document.querySelector('#vessel-table').parentNode;
        const first = rows();
        wrap.scrollTop = wrap.scrollHeight;
        wrap.dispatchEvent(new Event('scroll'));
        await new Promise((r) => setTimeout(r, 50));
        const afterScroll = rows();
        const t = performance.now();
        for (let k = 0; k < 1000 && rows() < want; k++) {
            const b = document.querySelector('#vessels-block .more');
            if (!b || b.closest('[hidden]')) break;
            b.click();
        }
        return { first, afterScroll, all: rows(), ms: Math.round(performance.now() - t) };
    }, nv);
    if (lazy.first < nv) check(lazy.afterScroll > lazy.first, 'scrolling the vessel table adds rows', `${lazy.first} -> ${lazy.afterScroll}`);
    check(lazy.all === nv, `vessel table shows all ${nv} rows on demand`, `${lazy.all} rows (in ${lazy.ms} ms)`);
    await page.evaluate(() => window.scrollTo(0, 0));
    check(Number(info.ds.tracksDrawn) >= 0 && info.ds.tracksDrawn !== undefined, 'tracks drawn reported',
        `data-tracks-drawn=${info.ds.tracksDrawn}`);
    console.log(`drawn: ${info.ds.tracksDrawn} tracks (${info.ds.pointsDrawn} points), ${info.ds.findingsDrawn} findings, ` +
        `${info.vesselRowsDom} vessel rows, ${info.findingRowsDom} finding rows, ${info.ds.landRings} land rings`);

    // the footer credits
    const foot = await page.evaluate(() => document.getElementById('footer').innerText);
    check(/Natural Earth/.test(foot) && /Leaflet/.test(foot), 'footer credits Natural Earth and Leaflet');

    // interaction: a vessel row, then a finding row, fill the side panel
    if (info.vesselRowsDom > 0) {
        await page.click('#vessel-table tbody tr:first-child td.name');
        const t = await page.evaluate(() => document.getElementById('panel').innerText);
        check(/why this score/i.test(t) && /identities broadcast/i.test(t), 'clicking a vessel shows its panel');
    }
    if (info.findingRowsDom > 0) {
        await page.click('#finding-table tbody tr:first-child td:nth-child(2)');
        const t = await page.evaluate(() => document.getElementById('panel').innerText);
        check(/evidence/i.test(t) && /:\d+/.test(t), 'clicking a finding shows its evidence lines');
    }
    // a finding on the map: click the topmost point finding where it is drawn
    // (after the zoom animation the vessel click started has ended)
    await page.waitForTimeout(800);
    const target = await page.evaluate(() => {
        if (!window.pelorus) return null;
        window.scrollTo(0, 0);
        const box = document.getElementById('map').getBoundingClientRect();
        const n = Number(document.body.dataset.findingRows) || 0;
        for (let id = n - 1; id >= 0; id--) {
            const p = window.pelorus.findingPoint(id);
            if (p && p.x > 60 && p.y > 60 && p.x < box.width - 240 && p.y < box.height - 40) {
                return { x: box.left + p.x, y: box.top + p.y };
            }
        }
        return null;
    });
    if (target) {
        await page.evaluate(() => { document.getElementById('panel').textContent = ''; });
        await page.mouse.click(target.x, target.y);
        const t = await page.evaluate(() => document.getElementById('panel').innerText);
        check(/finding #\d+/.test(t) && /evidence/i.test(t), 'clicking a finding on the map shows its panel', t.slice(0, 80));
    } else {
        console.log('note  no point finding in view to click on the map (map click not checked)');
    }
    const xssProbe = '<script>alert(1)</script>';
    if (opt.xss) {
        const r = await page.evaluate((probe) => {
            const text = document.body.innerText;
            const scripts = Array.from(document.querySelectorAll('script'));
            const onAttrs = [];
            document.querySelectorAll('*').forEach((e) => {
                for (const a of e.attributes) if (/^on/i.test(a.name)) onAttrs.push(e.tagName + '[' + a.name + ']');
            });
            return {
                visible: text.includes(probe),
                scripts: scripts.map((s) => s.dataset.pelorus || '(none)'),
                onAttrs,
                imgs: Array.from(document.images).filter((i) => !/^data:/.test(i.src)).length,
            };
        }, xssProbe);
        check(r.visible, 'the name <script>alert(1)</script> shows as text');
        const own = r.scripts.every((s) => templateScripts.includes(s)) && r.scripts.length === templateScriptTags;
        check(own, `only the template's ${templateScriptTags} script elements exist`, r.scripts.join(','));
        check(r.onAttrs.length === 0, 'no inline event handler attributes', r.onAttrs.slice(0, 5).join(' '));
        check(r.imgs === 0, 'no <img> elements that would load anything', `${r.imgs}`);
        // open the vessel and its findings so every attacker-controlled string is rendered
        const opened = await page.evaluate((probe) => {
            const rows = Array.from(document.querySelectorAll('#vessel-table tbody tr'));
            const row = rows.find((tr) => tr.innerText.includes(probe));
            if (!row) return false;
            row.querySelector('td.name').click();
            return document.getElementById('panel').innerText.includes(probe);
        }, xssProbe);
        check(opened, 'the vessel panel shows the name as text');
        const allFindings = await page.evaluate(() => {
            const more = document.querySelector('#findings-block .more');
            for (let k = 0; k < 1000 && more && !more.closest('[hidden]'); k++) more.click();
            const rows = Array.from(document.querySelectorAll('#finding-table tbody tr'));
            let seen = '';
            for (const tr of rows) { tr.querySelector('td:nth-child(2)').click(); seen += document.getElementById('panel').innerText + '\n'; }
            const data = JSON.parse(document.getElementById('pelorus-data').textContent);
            return { n: rows.length, total: data.findings.length, seen,
                hasProbe: JSON.stringify(data.findings).includes(JSON.stringify('"A&B" <x>').slice(1, -1)) };
        });
        check(allFindings.n === allFindings.total, 'every finding panel opened', `${allFindings.n} of ${allFindings.total}`);
        if (allFindings.hasProbe) {
            check(allFindings.seen.includes('"A&B" <x>'), 'the finding member "A&B" <x> shows as text');
        }
        const after = await page.evaluate(() => ({
            scripts: document.querySelectorAll('script').length,
            imgs: document.images.length,
        }));
        check(after.scripts === templateScriptTags && after.imgs === 0, 'still no foreign script or img after opening every panel',
            `${after.scripts} scripts, ${after.imgs} imgs`);
    }
    if (opt.display) {
        const src = readFileSync(resolve(here, '../../src/util/display.c'), 'utf8');
        const t = src.slice(src.indexOf('hidden[][2] = {'), src.indexOf('};', src.indexOf('hidden[][2] = {')));
        const ranges = [...t.matchAll(/\{0x([0-9A-Fa-f]+), 0x([0-9A-Fa-f]+)\}/g)].map((m) => [parseInt(m[1], 16), parseInt(m[2], 16)]);
        const r = await page.evaluate((ranges) => {
            const hidden = (cp) => ranges.some((x) => cp >= x[0] && cp <= x[1]);
            // open every vessel and every finding so every text is rendered
            for (const id of ['#vessels-block', '#findings-block']) {
                const more = document.querySelector(id + ' .more');
                for (let k = 0; k < 1000 && more && !more.closest('[hidden]'); k++) more.click();
            }
            let panels = '';
            for (const tr of document.querySelectorAll('#vessel-table tbody tr')) {
                tr.querySelector('td.name').click();
                panels += document.getElementById('panel').innerText + '\n';
            }
            const bad = new Set();
            const scan = (s, where) => {
                for (const ch of s) if (ch !== '\n' && ch !== '\t' && hidden(ch.codePointAt(0))) bad.add(where + ' U+' + ch.codePointAt(0).toString(16).toUpperCase());
            };
            const look = () => {
                const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                for (let n = w.nextNode(); n; n = w.nextNode())
                    if (!(n.parentElement && n.parentElement.closest('script, style'))) scan(n.nodeValue, 'text');
                document.querySelectorAll('[title]').forEach((e) => scan(e.title, 'title'));
                scan(document.title, 'document.title');
            };
            look();
            for (const tr of document.querySelectorAll('#finding-table tbody tr')) {
                tr.querySelector('td:nth-child(2)').click();
                panels += document.getElementById('panel').innerText + '\n';
                look();
            }
            return { bad: [...bad], text: document.body.innerText + '\n' + panels };
        }, ranges);
        check(r.bad.length === 0, 'no hidden character shown as itself anywhere on the page', r.bad.slice(0, 8).join(', '));
        check(r.text.includes('\u27e8U+202E\u27e9RATS KCALB\u27e8U+202C\u27e9'),
            'the right-to-left override name shows as \u27e8U+202E\u27e9RATS KCALB\u27e8U+202C\u27e9, not as BLACK STAR');
        check(r.text.includes('A\u27e8U+200B\u27e9B'), 'the zero-width space shows as \u27e8U+200B\u27e9');
    }
    await page.waitForTimeout(200);
    check(dialogs.length === 0, 'no dialog (alert/confirm/prompt) fired', dialogs.join(' | '));
    check(requests.length === 0, 'no network request attempted', requests.slice(0, 5).join(' '));
    check(pageErrors.length === 0, 'no page errors', pageErrors.slice(0, 3).join(' | '));
    check(consoleMsgs.length === 0, 'no console errors or warnings', consoleMsgs.slice(0, 5).join(' | '));
    const ds2 = await page.evaluate(() => document.body.dataset.errors);
    check(ds2 === '0', 'no uncaught errors after the interactions', `errors=${ds2}`);
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
