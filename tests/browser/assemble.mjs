#!/usr/bin/env node
// assemble.mjs -- writes a report.html from the template data/web/report.html
// and a data JSON file by the same rules as the C report writer, so the page
// can be developed and tested without it:
//
//   node tests/browser/assemble.mjs DATA.json OUT.html [--web DIR]
//
// Rules: one pass over the template; each "<!--PELORUS:INCLUDE name-->" is
// replaced by the raw bytes of DIR/name (name: a relative path of letters,
// digits and . _ - /, no ".." component), each "<!--PELORUS:DATA-->" by the
// data JSON text with <, >, &, U+2028 and U+2029 written as \u003c, \u003e,
// \u0026, \u2028, \u2029.  An included file holding "</script" or "</style"
// (any case) is refused, as the C writer refuses it.  The data file is
// re-serialised compactly (the C side writes its own JSON; only the escaping
// rules matter here).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let web = resolve(here, '../../data/web');
const pos = [];
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--web') web = resolve(args[++i]);
    else pos.push(args[i]);
}
if (pos.length !== 2) {
    console.error('usage: node tests/browser/assemble.mjs DATA.json OUT.html [--web DIR]');
    process.exit(2);
}
const [dataPath, outPath] = pos;

export function escapeJson(text) {
    return text.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const template = readFileSync(join(web, 'report.html'), 'utf8');
const dataText = escapeJson(JSON.stringify(JSON.parse(readFileSync(dataPath, 'utf8'))));

let includes = 0, datas = 0;
const out = template.replace(/<!--PELORUS:(INCLUDE ([^>]*?)|DATA)-->/g, (m, what, name) => {
    if (what === 'DATA') { datas++; return dataText; }
    if (!/^[A-Za-z0-9._\/-]+$/.test(name) || name.startsWith('/') || name.split('/').includes('..')) {
        throw new Error(`assemble: bad include name "${name}"`);
    }
    const body = readFileSync(join(web, name), 'utf8');
    if (/<\/(script|style)/i.test(body)) throw new Error(`assemble: ${name} contains </script or </style`);
    includes++;
    return body;
});
if (datas === 0) throw new Error('assemble: the template has no data marker');
mkdirSync(dirname(resolve(outPath)), { recursive: true });
writeFileSync(outPath, out);
console.log(`assemble: wrote ${outPath} (${out.length} bytes, ${includes} includes)`);
