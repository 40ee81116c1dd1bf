// Renames the glue's side of the wasm imports and exports after wasm-opt has shortened them.
//
//   node scripts/short-names.mjs MAP WASM GLUE_IN GLUE_OUT
//
// wasm-bindgen names every import `__wbg_<method>_<16 hex digits>` and every closure export
// `wasm_bindgen__convert__closures_____invoke__h<16 hex digits>`: ~170 names whose random
// hashes brotli cannot compress, each written once in the .wasm and once in the glue (~4 kB
// brotli of the ~65 kB every page loads). `wasm-opt --minify-imports-and-exports-and-modules`
// shortens them in the .wasm and prints the mapping (MAP); this script applies the same mapping
// to the glue, which refers to imports as keys of its import object
// (`__wbg_x_0123…: function(…)`), to the import module as `"./NAME_bg.js": import0`, and to
// exports as `wasm.<name>`. Every rename must apply exactly where expected, or the build fails:
// a glue whose shape changed would otherwise fail only in the browser.
import { readFileSync, writeFileSync } from 'node:fs';

const [mapFile, wasmFile, glueIn, glueOut] = process.argv.slice(2);
if (!glueOut) {
  console.error('usage: node scripts/short-names.mjs MAP WASM GLUE_IN GLUE_OUT');
  process.exit(2);
}
const fail = (message) => {
  console.error(`[short-names] ${message}`);
  process.exit(1);
};

// The map is JSON-like but not JSON (trailing commas): one ["module", "old", "new"] (import) or
// ["old", "new"] (export) per line.
const map = readFileSync(mapFile, 'utf8');
const rows = [...map.matchAll(/^\s*\[((?:\s*"[^"]*",?)+)\s*\],?\s*$/gm)]
  .map((m) => [...m[1].matchAll(/"([^"]*)"/g)].map((s) => s[1]));
const imports = rows.filter((r) => r.length === 3);
const exports = rows.filter((r) => r.length === 2);

const module = new WebAssembly.Module(readFileSync(wasmFile));
const moduleNames = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
const oldModules = new Set(imports.map(([m]) => m));
if (moduleNames.size !== 1 || oldModules.size !== 1) {
  fail(`expected one import module, found ${[...oldModules]} -> ${[...moduleNames]}`);
}
const expectedImports = WebAssembly.Module.imports(module).length;
const expectedExports = WebAssembly.Module.exports(module).length;
if (imports.length !== expectedImports || exports.length !== expectedExports) {
  fail(`the map names ${imports.length} imports and ${exports.length} exports, the wasm has ` +
       `${expectedImports} and ${expectedExports}: wasm-opt's map format changed?`);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let glue = readFileSync(glueIn, 'utf8');
const replace = (pattern, replacement, what, { atLeastOnce = true, atMostOnce = false } = {}) => {
  let count = 0;
  glue = glue.replace(pattern, (_, ...groups) => {
    count += 1;
    return replacement(...groups);
  });
  if ((atLeastOnce && count === 0) || (atMostOnce && count > 1)) {
    fail(`${what}: found ${count} times in ${glueIn}; wasm-bindgen's glue changed shape`);
  }
};

const [oldModule] = oldModules;
const [newModule] = moduleNames;
replace(new RegExp(`"${escape(oldModule)}"(\\s*:\\s*import0\\b)`, 'g'), (rest) => `${JSON.stringify(newModule)}${rest}`,
  `the import module "${oldModule}"`, { atMostOnce: true });
for (const [, from, to] of imports) {
  replace(new RegExp(`(?<![\\w$])${escape(from)}(\\s*:\\s*function\\b)`, 'g'), (rest) => `${to}${rest}`,
    `the import ${from}`, { atMostOnce: true });
}
// Exports the glue never calls (e.g. wasm-bindgen's abort bookkeeping) are fine to miss.
for (const [from, to] of exports) {
  replace(new RegExp(`\\bwasm\\.${escape(from)}(?![\\w$])`, 'g'), () => `wasm.${to}`,
    `the export ${from}`, { atLeastOnce: false });
}
// An old name still in the glue is a use the rules above did not expect (the glue's own
// functions may share an export's name, e.g. `export function start_widget`).
const stale = (from) => new RegExp(`(?<![\\w$])${escape(from)}(?![\\w$])`);
const staleExport = (from) => new RegExp(`\\bwasm\\s*(\\.\\s*|\\[\\s*["'])${escape(from)}(?![\\w$])`);
for (const [, from] of imports) if (stale(from).test(glue)) fail(`the import ${from} is still in the glue`);
for (const [from] of exports) if (staleExport(from).test(glue)) fail(`the export ${from} is still in the glue`);
writeFileSync(glueOut, glue);
