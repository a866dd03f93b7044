#!/usr/bin/env node
// Bundle size of the built site (run after `npx vite build`): for each page, the JavaScript and
// CSS the browser loads before the page is interactive (the page's node, the entry chunks and
// their static imports, followed through `import` statements), raw and gzip; then the web
// workers (loaded when a page starts them) and the whole build. Prints a Markdown table (the
// README's "Playground" section quotes it) and, with --json FILE, writes the numbers.
//
//   node scripts/bundle-report.mjs [--build build] [--json FILE]

import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const buildDir = resolve(opt('--build', 'build'));
const jsonOut = opt('--json', null);
const immutable = join(buildDir, '_app', 'immutable');
if (!existsSync(immutable)) {
  console.error(`bundle-report: ${relative(process.cwd(), immutable)} not found; run \`npx vite build\` first`);
  process.exit(2);
}

const size = (file) => {
  const data = readFileSync(file);
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
};

/** Every file a JS module statically imports (relative specifiers), transitively. */
function closure(start) {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    const f = stack.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    // static imports only: `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"` (not import("…"))
    for (const m of text.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      const dep = resolve(dirname(f), m[1]);
      if (existsSync(dep)) stack.push(dep);
    }
  }
  return seen;
}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const entries = walk(join(immutable, 'entry')).filter((f) => f.endsWith('.js'));
const nodes = walk(join(immutable, 'nodes')).filter((f) => f.endsWith('.js'));
const css = walk(immutable).filter((f) => f.endsWith('.css'));
const workers = existsSync(join(immutable, 'workers')) ? walk(join(immutable, 'workers')).filter((f) => f.endsWith('.js')) : [];

// Which node is which page: SvelteKit's manifest lists the routes in the app entry; simplest is to
// read each HTML page's modulepreload links, which name exactly what the page loads first.
const pages = walk(buildDir).filter((f) => f.endsWith('.html') && !f.includes('_app'));
const rows = [];
for (const html of pages.sort()) {
  const text = readFileSync(html, 'utf8');
  const linked = [...text.matchAll(/(?:href|import\()\s*=?\s*["']([^"']+\.(?:js|css))["']/g)].map((m) => m[1]);
  const files = new Set();
  for (const l of linked) {
    const p = resolve(dirname(html), l);
    if (!existsSync(p)) continue;
    if (p.endsWith('.js')) for (const f of closure(p)) files.add(f);
    else files.add(p);
  }
  let js = { raw: 0, gzip: 0 },
    cs = { raw: 0, gzip: 0 };
  for (const f of files) {
    const s = size(f);
    const t = f.endsWith('.css') ? cs : js;
    t.raw += s.raw;
    t.gzip += s.gzip;
  }
  const route = '/' + relative(buildDir, html).replace(/index\.html$/, '').replace(/\.html$/, '');
  rows.push({ page: route, files: files.size, js, css: cs });
}
const total = walk(immutable).reduce((a, f) => a + statSync(f).size, 0);
const workerSizes = workers.map((f) => ({ file: relative(immutable, f), ...size(f) }));

const kb = (n) => (n / 1024).toFixed(1);
console.log('| page | files | JS (KiB, gzip) | CSS (KiB, gzip) |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| \`${r.page}\` | ${r.files} | ${kb(r.js.raw)} (${kb(r.js.gzip)}) | ${kb(r.css.raw)} (${kb(r.css.gzip)}) |`);
console.log('');
console.log('| worker | KiB (gzip) |');
console.log('|---|---:|');
for (const w of workerSizes) console.log(`| \`${w.file.replace(/-[\w-]{8}\.js$/, '.js')}\` | ${kb(w.raw)} (${kb(w.gzip)}) |`);
console.log('');
console.log(`_app/immutable in all: ${kb(total)} KiB (${entries.length} entry chunks, ${nodes.length} page nodes, ${css.length} CSS files, ${workers.length} workers)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ pages: rows, workers: workerSizes, immutable_bytes: total }, null, 2) + '\n');
