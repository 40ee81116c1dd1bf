#!/usr/bin/env node
// node scripts/prune-table.mjs IN.wasm OUT.wasm
//
// Frees the closure shims wasm-bindgen leaves in the function table (scripts/build.sh runs it
// between wasm-bindgen and wasm-opt). wasm-bindgen learns each closure signature's invoke shim
// from a describe function that takes the shim's address (`describe_invoke` in wasm-bindgen's
// convert/closures.rs): the linker puts every such shim in the table, for every signature any
// describe mentions (Fn and FnMut, catching and aborting). wasm-bindgen then exports the shims
// closures use, which the glue calls by export, and deletes the describe functions; nothing left
// reads a shim's table slot, but the slots (57 in the consent build, 46 in the extras) keep the
// shims no closure uses alive, and wasm-opt cannot drop them (an indirect call could reach any
// slot). Here each shim's slot gets one trapping stub instead, so the shims that are not exported
// go. The slots stay, so no other function's index moves. Consent build -168 B brotli, extras -288.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node scripts/prune-table.mjs IN.wasm OUT.wasm");
  process.exit(2);
}

// The shims' names as rustc writes them into the name section that wasm-bindgen keeps.
const SHIM = /^wasm_bindgen::convert::closures::_::invoke::h[0-9a-f]+$/;
const STUB = "privacy_widget_pruned_table_slot";

// With the name section: the shims are found by name, and `npm run size` reads the names after.
binaryen.setDebugInfo(true);
const module = binaryen.readBinary(readFileSync(input));
module.addFunction(STUB, binaryen.none, binaryen.none, [], module.unreachable());
let pruned = 0;
const segments = [];
for (let i = 0; i < module.getNumElementSegments(); i++) {
  segments.push(binaryen.getElementSegmentInfo(module.getElementSegmentByIndex(i)));
}
for (const segment of segments) {
  if (!segment.data.some((name) => SHIM.test(name))) continue;
  const offset = binaryen.getExpressionInfo(segment.offset);
  if (segment.isPassive || offset.id !== binaryen.ConstId) {
    console.error(`prune-table: element segment ${segment.name} is not active at a constant offset; wasm-bindgen's output changed shape`);
    process.exit(1);
  }
  const data = segment.data.map((name) => (SHIM.test(name) ? (pruned++, STUB) : name));
  module.removeElementSegment(segment.name);
  module.addActiveElementSegment(segment.table, segment.name, data, module.i32.const(offset.value));
}
// The banner build makes no closures: its module is left as wasm-bindgen wrote it. The other two
// would lose a few hundred bytes if the pattern stopped matching (the count is in the build's log).
if (!pruned) {
  copyFileSync(input, output);
  console.log("prune-table: no closure shims in the table");
  process.exit(0);
}
if (!module.validate()) {
  console.error("prune-table: the module no longer validates");
  process.exit(1);
}
writeFileSync(output, module.emitBinary());
console.log(`prune-table: ${pruned} table slots of closure shims now hold one stub`);
