#!/usr/bin/env node
// Run by scripts/build.sh after www/dist/ is built: content-hashed copies of the five modules
// (www/dist/<hash>/, cacheable forever), their subresource-integrity hashes, and the npm
// package folder target/npm/privacy-widget/ (`npm pack` it, or publish it).
//
//   node scripts/package.mjs [DIST] [OUT]     # defaults: www/dist, $CARGO_TARGET_DIR|target/npm/privacy-widget
//
// The loader finds its .wasm and the other modules next to itself (import.meta.resolve),
// so a copy keeps its file names and gets a directory named by the content hash of all ten
// files; the un-hashed www/dist/privacy-widget.js the demo and the tests load stays as it is.
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(process.argv[2] ?? path.join(ROOT, 'www', 'dist'));
const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
const OUT = path.resolve(process.argv[3] ?? path.join(TARGET, 'npm', 'privacy-widget'));
/** The ten files a page may load; the first is the one the embed's script tag names. */
const MODULE_FILES = [
  'privacy-widget.js', 'privacy-widget_bg.wasm',
  'privacy-widget-consent.js', 'privacy-widget-consent_bg.wasm',
  'privacy-widget-extras.js', 'privacy-widget-extras_bg.wasm',
  'privacy-widget-declaration.js', 'privacy-widget-declaration_bg.wasm',
  'privacy-widget-forms.js', 'privacy-widget-forms_bg.wasm',
];
/** A hashed directory's name: 12 hex digits (48 bits), nothing else in www/dist looks like it. */
const HASH_DIR = /^[0-9a-f]{12}$/;

const say = (message) => console.log(`[package] ${message}`);
const die = (message) => {
  console.error(`[package] ERROR: ${message}`);
  process.exit(1);
};

const files = {};
for (const name of MODULE_FILES) {
  try {
    files[name] = await readFile(path.join(DIST, name));
  } catch {
    die(`${path.join(DIST, name)} is missing: scripts/build.sh writes it before this step`);
  }
}
const hashOf = createHash('sha256');
for (const name of MODULE_FILES) hashOf.update(`${name}\0${files[name].length}\0`).update(files[name]);
const hash = hashOf.digest('hex').slice(0, 12);
const sri = Object.fromEntries(MODULE_FILES.map((name) =>
  [name, `sha384-${createHash('sha384').update(files[name]).digest('base64')}`]));
const version = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version;
const integrity = { version, hash, integrity: sri };

// www/dist/<hash>/: the current copy only (older hashed directories are removed; a shop that
// deploys www/dist keeps what it needs for pages still cached in browsers by deploying additively).
for (const entry of await readdir(DIST, { withFileTypes: true })) {
  if (entry.isDirectory() && HASH_DIR.test(entry.name) && entry.name !== hash) {
    await rm(path.join(DIST, entry.name), { recursive: true, force: true });
  }
}
const hashedDir = path.join(DIST, hash);
await mkdir(hashedDir, { recursive: true });
for (const name of MODULE_FILES) await writeFile(path.join(hashedDir, name), files[name]);
await writeFile(path.join(DIST, 'integrity.json'), `${JSON.stringify(integrity, null, 2)}\n`);

// The package folder, written to a temp name and renamed, so it is never half there.
const tmp = `${OUT}.tmp`;
await rm(tmp, { recursive: true, force: true });
await mkdir(path.join(tmp, hash), { recursive: true });
for (const name of MODULE_FILES) {
  await writeFile(path.join(tmp, name), files[name]);
  await writeFile(path.join(tmp, hash, name), files[name]);
}
await cp(path.join(ROOT, 'src', 'privacy-widget.d.ts'), path.join(tmp, 'privacy-widget.d.ts'));
await cp(path.join(ROOT, 'LICENSE'), path.join(tmp, 'LICENSE'));
await writeFile(path.join(tmp, 'integrity.json'), `${JSON.stringify(integrity, null, 2)}\n`);
// The JSON Schemas, when the repository has them (schema/*.json).
let schemas = [];
try {
  schemas = (await readdir(path.join(ROOT, 'schema'))).filter((name) => name.endsWith('.json'));
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
if (schemas.length) {
  await mkdir(path.join(tmp, 'schema'));
  for (const name of schemas) await cp(path.join(ROOT, 'schema', name), path.join(tmp, 'schema', name));
}
// The cookie audit (`npx privacy-widget-audit --url …`), with its report stylesheet.
await mkdir(path.join(tmp, 'audit'));
for (const name of ['run.mjs', 'compare.mjs', 'report.mjs', 'report.css']) {
  await cp(path.join(ROOT, 'scripts', 'audit', name), path.join(tmp, 'audit', name));
}
// The integrators' README, with this build's version, hash and integrity filled in.
const readme = (await readFile(path.join(ROOT, 'docs', 'package-README.md'), 'utf8'))
  .replaceAll('{{VERSION}}', version)
  .replaceAll('{{HASH}}', hash)
  .replaceAll('{{INTEGRITY}}', sri['privacy-widget.js']);
if (/\{\{[A-Z]+\}\}/.test(readme)) die(`docs/package-README.md has an unknown placeholder: ${/\{\{[A-Z]+\}\}/.exec(readme)[0]}`);
await writeFile(path.join(tmp, 'README.md'), readme);

const manifest = {
  name: 'privacy-widget',
  version,
  description: 'Consent banner with prior blocking, newsletter signup and privacy-statement viewer, in Rust/WebAssembly; '
    + 'one script tag, works under a strict CSP',
  license: 'MIT',
  type: 'module',
  main: './privacy-widget.js',
  types: './privacy-widget.d.ts',
  // Importing the loader starts the widget: bundlers must not drop it as unused.
  sideEffects: true,
  exports: {
    '.': { types: './privacy-widget.d.ts', default: './privacy-widget.js' },
    './privacy-widget.js': './privacy-widget.js',
    './privacy-widget_bg.wasm': './privacy-widget_bg.wasm',
    './privacy-widget-consent.js': './privacy-widget-consent.js',
    './privacy-widget-consent_bg.wasm': './privacy-widget-consent_bg.wasm',
    './privacy-widget-extras.js': './privacy-widget-extras.js',
    './privacy-widget-extras_bg.wasm': './privacy-widget-extras_bg.wasm',
    './privacy-widget-declaration.js': './privacy-widget-declaration.js',
    './privacy-widget-declaration_bg.wasm': './privacy-widget-declaration_bg.wasm',
    './privacy-widget-forms.js': './privacy-widget-forms.js',
    './privacy-widget-forms_bg.wasm': './privacy-widget-forms_bg.wasm',
    './privacy-widget.d.ts': './privacy-widget.d.ts',
    './integrity.json': './integrity.json',
    [`./${hash}/*`]: `./${hash}/*`,
    ...(schemas.length ? { './schema/*': './schema/*' } : {}),
    './package.json': './package.json',
  },
  bin: { 'privacy-widget-audit': './audit/run.mjs' },
  // Only the audit needs it, and it runs on the shop's machine or CI, never in a visitor's browser.
  peerDependencies: { 'playwright-core': '>=1.40.0' },
  peerDependenciesMeta: { 'playwright-core': { optional: true } },
  keywords: ['consent', 'cookie-banner', 'gdpr', 'privacy', 'webassembly', 'consent-mode'],
};
await writeFile(path.join(tmp, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
await rm(OUT, { recursive: true, force: true });
await mkdir(path.dirname(OUT), { recursive: true });
await rename(tmp, OUT);

say(`www/dist/${hash}/ and ${path.relative(ROOT, OUT)}/ (privacy-widget ${version}${schemas.length ? `, ${schemas.length} schema file(s)` : ''})`);
say(`integrity of privacy-widget.js: ${sri['privacy-widget.js']}`);
