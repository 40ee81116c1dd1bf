// Drops the loader half of the wasm-bindgen glue, which the widget's entries do not use, and
// the `export` of every function another module does not call.
//
//   node scripts/trim-glue.mjs GLUE_IN GLUE_OUT [KEEP,KEEP…]
//
// wasm-bindgen --target web exports `__wbg_init` (default) and `initSync`: fetch, streaming
// compilation with its MIME-type fallback and its warnings, the deprecated-argument forms. The
// entries (src/web/*/entry-*.js) compile the finished download themselves and start the module
// with the two functions that remain, `__wbg_get_imports` and `__wbg_finalize_init`. Without
// the export, terser (--module) drops the unused loader: -0.3 kB brotli per module. Every
// expected piece must be there, or the build fails: a glue whose shape changed would otherwise
// fail only in the browser.
//
// The glue exports each `#[wasm_bindgen]` function (the start function too, which only the entry's
// `__wbg_finalize_init` calls). The entry appended to the glue calls them in the module's own scope,
// so only those another module imports stay exported (KEEP: the consent manager's `takeIntent`);
// the rest terser may rename, inline or drop.
import { readFileSync, writeFileSync } from 'node:fs';

const [glueIn, glueOut, keepList = ''] = process.argv.slice(2);
if (!glueOut) {
  console.error('usage: node scripts/trim-glue.mjs GLUE_IN GLUE_OUT [KEEP,KEEP…]');
  process.exit(2);
}
const glue = readFileSync(glueIn, 'utf8');
const expected = [
  /^function __wbg_get_imports\(\) \{$/m,
  /^function __wbg_finalize_init\(instance, module\) \{$/m,
];
for (const pattern of expected) {
  if (!pattern.test(glue)) {
    console.error(`[trim-glue] ${glueIn} has no ${pattern}: wasm-bindgen changed its output; update scripts/trim-glue.mjs and the entries`);
    process.exit(1);
  }
}
const loaderExport = /^export \{ initSync, __wbg_init as default \};\n?/gm;
const found = glue.match(loaderExport)?.length ?? 0;
if (found !== 1) {
  console.error(`[trim-glue] ${glueIn}: expected the loader export once, found it ${found} times: update scripts/trim-glue.mjs`);
  process.exit(1);
}
const keep = keepList.split(',').filter(Boolean);
for (const name of keep) {
  if (!new RegExp(`^export function ${name}\\(`, 'm').test(glue)) {
    console.error(`[trim-glue] ${glueIn} exports no function ${name}: update the KEEP list in scripts/build.sh`);
    process.exit(1);
  }
}
const unexported = glue
  .replace(loaderExport, '')
  .replace(/^export function (\w+)\(/gm, (line, name) => (keep.includes(name) ? line : `function ${name}(`));
writeFileSync(glueOut, unexported);
