// Fails when the modules of a crate under src/ import each other in a cycle (issue #14): dependencies
// point one way, so a module can be read, tested and changed knowing only what it imports.
//
//   node scripts/check-cycles.mjs            # checks src/**/*.rs and server/src/**/*.rs; exit 1 and the cycles if any
//   node scripts/check-cycles.mjs --graph    # also prints every edge found
//
// Granularity is the file; a module split over files (`a.rs` plus `a/b.rs`) counts as one, and an
// inline `mod x { … }` (`prelude`, `tests`) as a node of its own, since the rest of the file does not
// depend on it. Edges are the
// paths a file names through `crate::`, `super::`, `self::` or a child module it declares, in `use`
// items (with `{…}` groups) and anywhere in code (`super::app::install_api()`), or through a module
// name a `use` brought in (`use crate::web::consent;` then `consent::app::…`); each path resolves to
// the longest module prefix that is a file or an inline module. Macro paths (`crate::page_state!`)
// name no module. Paths into other crates
// (`privacy_widget_core::…`) cannot form a cycle and are not followed. No dependencies: plain node.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, relative, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// The widget's crates (src/, src/core/) and the reference backend (server/src/, issue #19).
const SOURCE_DIRS = [join(ROOT, "src"), join(ROOT, "server", "src")];

function rustFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? rustFiles(join(dir, d.name)) : d.name.endsWith(".rs") ? [join(dir, d.name)] : [],
  );
}

// Each file belongs to the crate of the nearest lib.rs above it (src/lib.rs, src/core/lib.rs,
// server/src/lib.rs).
function crateRoot(file) {
  const top = SOURCE_DIRS.find((dir) => file.startsWith(dir + "/"));
  for (let dir = dirname(file); dir.startsWith(top); dir = dirname(dir)) {
    if (existsSync(join(dir, "lib.rs"))) return dir;
  }
  throw new Error(`${file}: no lib.rs above it under ${relative(ROOT, top)}/`);
}

// Module path of a file within its crate: lib.rs -> [], a/b.rs -> [a, b], a/mod.rs -> [a].
function modulePath(file, root) {
  const parts = relative(root, file).split("/");
  const last = basename(parts.pop(), ".rs");
  if (last !== "lib" && last !== "mod") parts.push(last);
  else if (last === "lib" && parts.length > 0) parts.push(last);
  return parts;
}

// Comments, strings and char literals blanked (same length, newlines kept), so no path inside
// them counts and brace depth stays right.
function stripCode(text) {
  let out = "";
  let i = 0;
  const blank = (s) => s.replace(/[^\n]/g, " ");
  while (i < text.length) {
    const rest = text.slice(i, i + 3);
    let m;
    if (rest.startsWith("//")) {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (rest.startsWith("/*")) {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if ((m = /^b?r(#*)"/.exec(text.slice(i, i + 12))) && !/\w/.test(text[i - 1] ?? "")) {
      const close = '"' + m[1];
      const end = text.indexOf(close, i + m[0].length);
      const stop = end < 0 ? text.length : end + close.length;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += blank(text.slice(i, j + 1));
      i = j + 1;
    } else if ((m = /^'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^'\\\n])'/.exec(text.slice(i, i + 12)))) {
      out += blank(m[0]);
      i += m[0].length;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

// `a::{b, c::{d, e as f}, *}` -> [[a,b], [a,c,d], [a,c,e], [a]]
function expandUseTree(tree) {
  const tokens = tree.match(/[A-Za-z_$][\w$]*|::|[{},*]/g) ?? [];
  let pos = 0;
  function parse(prefix) {
    const paths = [];
    let path = [...prefix];
    while (pos < tokens.length) {
      const t = tokens[pos];
      if (t === "{") {
        pos += 1;
        paths.push(...parse(path));
      } else if (t === "}") {
        pos += 1;
        if (path.length > prefix.length) paths.push(path);
        return paths;
      } else if (t === ",") {
        pos += 1;
        if (path.length > prefix.length) paths.push(path);
        path = [...prefix];
      } else if (t === "as") {
        pos += 2; // the alias names nothing new
      } else if (t === "*" || t === "::") {
        pos += 1;
      } else {
        path.push(t);
        pos += 1;
      }
    }
    if (path.length > prefix.length) paths.push(path);
    return paths;
  }
  const paths = parse([]);
  return paths.map((p) => (p[p.length - 1] === "self" ? p.slice(0, -1) : p));
}

const files = SOURCE_DIRS.flatMap(rustFiles).sort();
const nodes = new Map(); // "crateRoot|a::b" -> node name
const parsed = [];
for (const file of files) {
  const root = crateRoot(file);
  const mod = modulePath(file, root);
  const name = relative(ROOT, file);
  nodes.set(`${root}|${mod.join("::")}`, name);
  parsed.push({ file, root, mod, name, code: stripCode(readFileSync(file, "utf8")) });
}

// Inline modules: `mod x {` opens a node named file#x until its closing brace.
for (const p of parsed) {
  p.regions = []; // { start, end, mod, name }
  const stack = [];
  let depth = 0;
  const re = /\bmod\s+([A-Za-z_]\w*)\s*\{|[{}]/g;
  let m;
  while ((m = re.exec(p.code))) {
    if (m[1]) {
      const outer = stack.length ? stack[stack.length - 1] : { mod: p.mod, name: p.name };
      const region = { start: m.index, end: p.code.length, mod: [...outer.mod, m[1]], name: `${outer.name}#${m[1]}`, depth };
      depth += 1;
      stack.push(region);
      p.regions.push(region);
      nodes.set(`${p.root}|${region.mod.join("::")}`, region.name);
    } else if (m[0] === "{") {
      depth += 1;
    } else {
      depth -= 1;
      if (stack.length && stack[stack.length - 1].depth === depth) stack.pop().end = m.index;
    }
  }
}

function scopeAt(p, index) {
  let best = { mod: p.mod, name: p.name };
  for (const r of p.regions) if (r.start <= index && index < r.end && r.mod.length > best.mod.length) best = r;
  return best;
}

// The node a path names, from the module `from`; null when it leaves the crate or names no module.
// `imported`: module names a `use` of this file brought in, with their full paths.
function resolve(p, from, segments, childMods, imported = new Map()) {
  const full = absolute(from, segments, childMods, imported);
  if (!full) return null;
  for (let n = full.length; n >= 0; n -= 1) {
    const node = nodes.get(`${p.root}|${full.slice(0, n).join("::")}`);
    if (node) return node;
  }
  return null;
}

// The path from the crate root that `segments` names, seen from module `from`.
function absolute(from, segments, childMods, imported) {
  let mod;
  let rest = segments;
  if (imported.has(rest[0])) {
    mod = imported.get(rest[0]);
    rest = rest.slice(1);
  } else if (rest[0] === "crate") {
    mod = [];
    rest = rest.slice(1);
  } else if (rest[0] === "super" || rest[0] === "self") {
    mod = [...from];
    while (rest[0] === "super" || rest[0] === "self") {
      if (rest[0] === "super") mod.pop();
      rest = rest.slice(1);
    }
  } else if (childMods.has(rest[0])) {
    mod = [...from];
  } else {
    return null;
  }
  return [...mod, ...rest];
}

// A module `a.rs` whose implementation is split over files in its own folder `a/` (outbox.rs with
// outbox/persist.rs) is one module: its parts use each other's items (`use super::…`) and it
// re-exports them; only edges between different modules count.
function splitOf(node) {
  return node.replace(/#.*$/, "").replace(/\.rs$/, "");
}
const edges = new Map(); // node -> Map(target -> "file:line")
function addEdge(from, to, where) {
  if (!to || from === to) return;
  const [a, b] = [splitOf(from), splitOf(to)];
  const plain = (n) => !/(^|\/)(lib|mod)$/.test(n);
  if ((plain(a) && b.startsWith(a + "/")) || (plain(b) && a.startsWith(b + "/"))) return;
  if (!edges.has(from)) edges.set(from, new Map());
  if (!edges.get(from).has(to)) edges.get(from).set(to, where);
}

for (const p of parsed) {
  const lineOf = (index) => p.code.slice(0, index).split("\n").length;
  // Child modules declared here (`mod x;` / `mod x {`) can be named without a prefix.
  const childMods = new Set([...p.code.matchAll(/\bmod\s+([A-Za-z_]\w*)\s*[;{]/g)].map((m) => m[1]));
  let code = p.code;
  const imported = new Map(); // a module brought in by name (`use super::api;`) -> its full path
  for (const m of p.code.matchAll(/\buse\s+([^;]+);/g)) {
    const scope = scopeAt(p, m.index);
    for (const path of expandUseTree(m[1])) {
      addEdge(scope.name, resolve(p, scope.mod, path, childMods), `${p.name}:${lineOf(m.index)}`);
      const named = path[path.length - 1] === "self" ? path.slice(0, -1) : path;
      const full = absolute(scope.mod, named, childMods, new Map());
      if (full && full.length && nodes.has(`${p.root}|${full.join("::")}`)) imported.set(full[full.length - 1], full);
    }
    code = code.slice(0, m.index) + " ".repeat(m[0].length) + code.slice(m.index + m[0].length);
  }
  for (const m of code.matchAll(/(?<![\w$:])([A-Za-z_]\w*)((?:\s*::\s*[A-Za-z_]\w*)+)(?!\w)(\s*!)?/g)) {
    if (m[3]) continue; // a macro (`crate::page_state!`) names no module
    const segments = [m[1], ...m[2].split("::").map((s) => s.trim()).filter(Boolean)];
    const scope = scopeAt(p, m.index);
    addEdge(scope.name, resolve(p, scope.mod, segments, childMods, imported), `${p.name}:${lineOf(m.index)}`);
  }
}

if (process.argv.includes("--graph")) {
  for (const [from, tos] of [...edges].sort()) {
    for (const [to, where] of tos) console.log(`${from} -> ${to}  (${where})`);
  }
}

// Tarjan's strongly connected components; each with more than one node holds a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const components = [];
function connect(v) {
  idx.set(v, index);
  low.set(v, index);
  index += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), idx.get(w)));
    }
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component);
  }
}
for (const v of [...new Set([...nodes.values(), ...edges.keys()])].sort()) if (!idx.has(v)) connect(v);

// One concrete cycle per component, by breadth-first search back to its first node.
function cycleThrough(component) {
  const inside = new Set(component);
  const start = [...component].sort()[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let u = prev.get(v); u; u = prev.get(u)) path.unshift(u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

if (components.length === 0) {
  console.log(`[check-cycles] no import cycle among ${nodes.size} modules of src/ and server/src/`);
  process.exit(0);
}
console.error(`[check-cycles] ${components.length} import cycle(s) in src/ and server/src/ (modules that import each other):`);
for (const component of components) {
  const cycle = cycleThrough(component);
  const steps = cycle.slice(0, -1).map((v, i) => `    ${v} -> ${cycle[i + 1]}  (${edges.get(v).get(cycle[i + 1])})`);
  console.error(`  cycle among ${component.sort().join(", ")}:\n${steps.join("\n")}`);
}
console.error("[check-cycles] make the dependencies point one way (pass a callback, or move the shared piece down)");
process.exit(1);
