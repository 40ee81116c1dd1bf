// Drops the loader half of the wasm-bindgen glue, which the widget's entries do not use.
//
//   node scripts/trim-glue.mjs GLUE_IN GLUE_OUT
//
// wasm-bindgen --target web exports `__wbg_init` (default) and `initSync`: fetch, streaming
// compilation with its MIME-type fallback and its warnings, the deprecated-argument forms. The
// entries (src/web/*/entry-*.js) compile the finished download themselves and start the module
// with the two functions that remain, `__wbg_get_imports` and `__wbg_finalize_init`. Without
// the export, terser (--module) drops the unused loader: -0.3 kB brotli per module. Every
// expected piece must be there, or the build fails: a glue whose shape changed would otherwise
// fail only in the browser.
import { readFileSync, writeFileSync } from 'node:fs';

const [glueIn, glueOut] = process.argv.slice(2);
if (!glueOut) {
  console.error('usage: node scripts/trim-glue.mjs GLUE_IN GLUE_OUT');
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
writeFileSync(glueOut, glue.replace(loaderExport, ''));
