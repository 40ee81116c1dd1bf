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
// The banner build's browser operations (`src/web/banner/ops.rs`, defined on
// `window.__privacyWidgetBanner` by `entry-banner.js`) are imported as they are, without
// wasm-bindgen's wrapper around each (-0.27 kB brotli): the operations take the wasm's own
// arguments, a slice as its pointer and length (read with the glue's `getArrayU8FromWasm0`), a
// `bool` as 0 or 1, a `u32` as the number (handles and indices stay far below 2^31), and return
// what the wasm expects. Only wrappers that do nothing but those conversions are replaced; any
// other shape (a `String` or a `JsValue` crossing) fails the build.
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
// `k: function(arg0, arg1, arg2) { const ret = __privacyWidgetBanner.blockedAttr(arg0 >>> 0,
// getArrayU8FromWasm0(arg1, arg2)); return ret; },` becomes `k: __privacyWidgetBanner.blockedAttr,`.
const OPS = '__privacyWidgetBanner';
const passedAsIs = /^(?:(arg\d+)|(arg\d+) >>> 0|(arg\d+) !== 0|getArrayU8FromWasm0\((arg\d+), (arg\d+)\))$/;
const direct = (params, op, args) => {
  const passed = args === '' ? [] : args.split(/, (?![^(]*\))/).flatMap((arg) => {
    const m = arg.match(passedAsIs);
    if (!m) {
      console.error(`[trim-glue] ${glueIn}: ${OPS}.${op} takes \`${arg}\`, which an operation cannot take as is; keep its arguments to slices, integers and bools`);
      process.exit(1);
    }
    return m.slice(1).filter(Boolean);
  });
  if (passed.join(', ') !== params) {
    console.error(`[trim-glue] ${glueIn}: ${OPS}.${op} is called with (${passed}) from (${params}): update scripts/trim-glue.mjs`);
    process.exit(1);
  }
  return `${OPS}.${op},`;
};
const wrapper = new RegExp(
  `function\\((.*)\\) \\{\\n\\s*(?:const ret = )?${OPS}\\.(\\w+)\\((.*)\\);\\n(?:\\s*return ret;\\n)?\\s*\\},`, 'g');
const withOps = glue.replace(wrapper, (_, params, op, args) => direct(params, op, args));
if (new RegExp(`function\\([^)]*\\) \\{[^}]*${OPS}\\.`).test(withOps)) {
  console.error(`[trim-glue] ${glueIn}: a wrapper around ${OPS} is left: update scripts/trim-glue.mjs`);
  process.exit(1);
}
const unexported = withOps
  .replace(loaderExport, '')
  .replace(/^export function (\w+)\(/gm, (line, name) => (keep.includes(name) ? line : `function ${name}(`));
writeFileSync(glueOut, unexported);
