// Measures the browser bundle of the main entry (dist/index.js) as scripts/check-bundle.mjs builds it
// (esbuild, platform browser, ESM): raw and gzipped bytes, minified or not, with axios bundled or left to the
// application (it is a peer dependency), and what dominates the minified bundle (esbuild's metafile, bytes
// per package). Prints a markdown section; with --write, splices it into docs/benchmarks.md between its
// markers (the rest of the page untouched).
// Run after `npm run build`. Usage: node scripts/bundle-size.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, version } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = resolve(root, 'dist/index.js');
const doc = resolve(root, 'docs/benchmarks.md');
const START = '<!-- bundle-size:start (scripts/bundle-size.mjs --write) -->';
const END = '<!-- bundle-size:end -->';

/** One bundle: its output bytes and the metafile. */
async function bundle({ minify, external }) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    metafile: true,
    minify,
    external,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  return { bytes: output.contents, metafile: result.metafile };
}

/** A markdown table, aligned as the formatter (Biome) writes it: the first column left, the others right. */
function table(header, rows) {
  const widths = header.map((cell, i) => Math.max(cell.length, 3, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)];
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The package an input file belongs to (`axios`, `zod`, ...), or `partner-center-resilience` for dist/. */
function packageOf(file) {
  const at = file.lastIndexOf('node_modules/');
  if (at === -1) return 'partner-center-resilience (dist/)';
  const parts = file.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? file);
}

/** Minified bytes per package in the output, largest first. */
function byPackage(metafile) {
  const totals = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(file);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Minified bytes of one package's folders (`v4/core`, `v4/locales`, ...) in the output, largest first. */
function byFolder(metafile, pkg, depth) {
  const marker = `node_modules/${pkg}/`;
  const totals = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const at = file.lastIndexOf(marker);
      if (at === -1) continue;
      const parts = file.slice(at + marker.length).split('/');
      const folder = parts.length > depth ? parts.slice(0, depth).join('/') : '(top)';
      totals.set(folder, (totals.get(folder) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** The largest input files of the library's own code in the output. */
function largestOwnFiles(metafile, count) {
  const files = [];
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (!file.includes('node_modules/')) files.push([file, bytesInOutput]);
    }
  }
  return files.sort((a, b) => b[1] - a[1]).slice(0, count);
}

const variants = [
  ['with axios, minified', { minify: true, external: [] }],
  ['with axios, not minified', { minify: false, external: [] }],
  ['axios left to the application, minified', { minify: true, external: ['axios'] }],
  ['axios left to the application, not minified', { minify: false, external: ['axios'] }],
];
const rows = [];
let whole;
for (const [name, options] of variants) {
  const result = await bundle(options);
  if (whole === undefined) whole = result;
  rows.push([name, kib(result.bytes.length), kib(gzip(result.bytes))]);
}
const total = whole.bytes.length;
const packages = byPackage(whole.metafile);
const own = largestOwnFiles(whole.metafile, 1);
const zod = packages.find(([name]) => name === 'zod');
const folders = zod ? byFolder(whole.metafile, 'zod', 2) : [];

const section = [
  START,
  '## Bundle size (browser)',
  '',
  'The main entry bundled for a browser as `scripts/check-bundle.mjs` builds it (esbuild, platform browser,',
  'ESM, tree-shaken: everything the entry exports is kept). Measured with:',
  '',
  '```sh',
  'npm run build && node scripts/bundle-size.mjs --write',
  '```',
  '',
  `esbuild ${version}, ${new Date().toISOString().slice(0, 10)}; gzip level 9.`,
  '',
  ...table(['bundle', 'raw', 'gzipped'], rows),
  '',
  "What the minified bundle with axios is made of (bytes in the output, from esbuild's metafile):",
  '',
  ...table(
    ['package', 'minified', 'share'],
    packages.map(([name, bytes]) => [name, kib(bytes), `${((bytes / total) * 100).toFixed(1)}%`]),
  ),
  '',
  `Inside zod, by folder: ${folders
    .filter(([, bytes]) => bytes >= 512)
    .slice(0, 4)
    .map(([folder, bytes]) => `${folder} ${kib(bytes)}`)
    .join(', ')}.`,
  ...(folders.some(([folder, bytes]) => folder === 'v4/locales' && bytes > 64 * 1024)
    ? [
        "zod's `v4/locales` (its error messages in every language) are in the bundle: a file imports",
        "`{ z }` from 'zod', a namespace object esbuild keeps whole. Import it as `import * as z from 'zod'`.",
      ]
    : [
        "The library's files import zod as `import * as z from 'zod'`, so esbuild drops what is unused (its",
        'locales among it): `import { z }` kept the whole namespace, 156.1 KiB gzipped with axios before.',
      ]),
  '',
  `The largest file of the library's own code is ${own.map(([file, bytes]) => `\`${file}\` (${kib(bytes)})`).join(', ')}`,
  '(tsup emits the entry as one file). axios is a peer dependency, so an application that already uses it',
  'pays the "axios left to the application" figures. `npm run bench` keeps this section as it is.',
  END,
].join('\n');

console.log(section);
if (process.argv.includes('--write')) {
  const page = readFileSync(doc, 'utf8');
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  const next =
    from !== -1 && to > from
      ? `${page.slice(0, from)}${section}${page.slice(to + END.length)}`
      : `${page.trimEnd()}\n\n${section}\n`;
  writeFileSync(doc, next);
  console.error(`bundle-size: wrote its section into ${doc}`);
}
