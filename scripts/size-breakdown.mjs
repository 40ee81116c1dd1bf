#!/usr/bin/env node
// npm run size: where the bytes of each widget module go, by domain (the core's modules, the
// browser layer's, wasm-bindgen's glue, the allocator, std), measured on the shipped build.
//
//   npm run size                 # all five modules
//   npm run size -- --top 25     # and each module's 25 largest functions
//
// It builds what scripts/build.sh builds, in a target folder of its own (target/size-breakdown,
// so www/dist/ is untouched), but keeps the function names: cargo with strip = "none",
// wasm-bindgen (names kept), wasm-opt with build.sh's flags plus -g. Function sizes after the
// optimizer are therefore the shipped ones; the names section itself is not counted. Static
// data (texts, CSS, messages) cannot be told apart by module: it is its own row.
// Needs twiggy (`cargo install twiggy`, installed on first use).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET = join(ROOT, "target", "size-breakdown");
const CARGO_BIN = join(process.env.CARGO_HOME || join(process.env.HOME, ".cargo"), "bin");
const env = { ...process.env, PATH: `${CARGO_BIN}:${process.env.PATH}` };
const topArg = process.argv.indexOf("--top");
const TOP = topArg > 0 ? Number(process.argv[topArg + 1]) : 0;

// The same flags as scripts/build.sh (WASM_OPT_FLAGS), with -g instead of the strip flags.
function wasmOptFlags() {
  const build = readFileSync(join(ROOT, "scripts", "build.sh"), "utf8");
  const block = (name) => {
    const m = build.match(new RegExp(`^${name}=\\(([^)]*)\\)`, "m"));
    if (!m) throw new Error(`scripts/build.sh no longer defines ${name}=( … ): update scripts/size-breakdown.mjs`);
    return m[1].split(/\s+/).filter((f) => f && f !== "\\");
  };
  const features = block("WASM_FEATURES");
  return block("WASM_OPT_FLAGS")
    .flatMap((f) => (f === '"${WASM_FEATURES[@]}"' ? features : [f]))
    .filter((f) => !f.startsWith("--strip"))
    .concat("-g");
}

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28, ...options });
}

function ensureTwiggy() {
  try {
    run("twiggy", ["--version"]);
  } catch {
    console.error("[size] twiggy not found: cargo install twiggy (once, ~2 min)");
    run("cargo", ["install", "twiggy"], { stdio: "inherit" });
  }
}

/// The domain a function belongs to, from its (demangled) name.
export function domainOf(name) {
  if (name.startsWith("data segment") || name === "data[0]") return "static data (texts, CSS, messages)";
  const own = name.match(/(?:^|[<\s&(])(privacy_widget(?:_core)?)::((?:web::)?(?:banner|consent|extras|shared)?(?:::)?[a-z_0-9]+)/);
  if (own) {
    const [, crate, path] = own;
    const parts = path.split("::").filter(Boolean);
    if (crate === "privacy_widget_core") return `core::${parts[0]}`;
    if (parts[0] === "web") return `web::${parts.slice(1, 3).join("::")}`;
    return `widget::${parts[0]}`;
  }
  if (/wasm_bindgen|js_sys|web_sys|__wbg|__wbindgen|externref/.test(name)) return "wasm-bindgen, js-sys, web-sys";
  if (/lol_alloc|__rust_alloc|__rust_dealloc|__rust_realloc|dlmalloc/.test(name)) return "allocator";
  if (/fmt::|Formatter|Display>/.test(name)) return "core::fmt (panic messages)";
  if (/^(core|alloc)\[|^<(core|alloc)\[|^<?(core|alloc)::|memcpy|memset|memmove|memcmp|compiler_builtins/.test(name)) return "Rust core and alloc";
  if (/^(elem|table|type|import|export|global|memory|code section|custom section)/.test(name)) return "wasm structure (types, tables, imports, exports)";
  return "other";
}

function breakdown(wasm) {
  const rows = JSON.parse(run("twiggy", ["top", "-n", "1000000", "-f", "json", wasm]).toString());
  const byDomain = new Map();
  const functions = [];
  let total = 0;
  for (const row of rows) {
    if (/names" subsection|custom section 'name'|^"function names"|"local names"/.test(row.name)) continue;
    total += row.shallow_size;
    const domain = domainOf(row.name);
    byDomain.set(domain, (byDomain.get(domain) || 0) + row.shallow_size);
    functions.push(row);
  }
  return { total, byDomain: [...byDomain].sort((a, b) => b[1] - a[1]), functions };
}

function buildModule(name, featureArgs) {
  console.error(`[size] cargo build ${name} (target/size-breakdown)`);
  run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "privacy-widget", ...featureArgs], {
    env: { ...env, CARGO_TARGET_DIR: TARGET, CARGO_PROFILE_RELEASE_STRIP: "none" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const out = join(TARGET, "pkg", name);
  mkdirSync(out, { recursive: true });
  run("wasm-bindgen", ["--target", "web", "--out-name", name, "--out-dir", out,
    join(TARGET, "wasm32-unknown-unknown", "release", "privacy_widget.wasm")]);
  run("node", [join(ROOT, "scripts", "prune-table.mjs"), join(out, `${name}_bg.wasm`), join(out, `${name}_bg.wasm`)]);
  const named = join(out, `${name}.named.wasm`);
  run(join(ROOT, "node_modules", ".bin", "wasm-opt"), [...wasmOptFlags(), join(out, `${name}_bg.wasm`), "-o", named]);
  return named;
}

function main() {
  ensureTwiggy();
  if (!existsSync(join(ROOT, "node_modules", ".bin", "wasm-opt"))) throw new Error("node_modules/.bin/wasm-opt missing: npm ci");
  const modules = [
    ["privacy-widget", ["--no-default-features", "--features", "banner"], "www/dist/privacy-widget_bg.wasm"],
    ["privacy-widget-consent", [], "www/dist/privacy-widget-consent_bg.wasm"],
    ["privacy-widget-extras", ["--no-default-features", "--features", "extras"], "www/dist/privacy-widget-extras_bg.wasm"],
    ["privacy-widget-declaration", ["--no-default-features", "--features", "declaration"], "www/dist/privacy-widget-declaration_bg.wasm"],
    ["privacy-widget-forms", ["--no-default-features", "--features", "forms"], "www/dist/privacy-widget-forms_bg.wasm"],
  ];
  for (const [name, features, shipped] of modules) {
    const { total, byDomain, functions } = breakdown(buildModule(name, features));
    const shippedPath = join(ROOT, shipped);
    const brotli = existsSync(shippedPath)
      ? brotliCompressSync(readFileSync(shippedPath), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
      : null;
    console.log(`\n${name}_bg.wasm: ${total} B without names${brotli ? `; shipped ${shipped}: ${brotli} B brotli` : ""}`);
    console.log("| domain | bytes | share |\n|---|---:|---:|");
    for (const [domain, bytes] of byDomain) {
      console.log(`| ${domain} | ${bytes} | ${((100 * bytes) / total).toFixed(1)} % |`);
    }
    if (TOP > 0) {
      console.log(`\nlargest ${TOP}:`);
      for (const f of functions.slice(0, TOP)) console.log(`${String(f.shallow_size).padStart(7)}  ${f.name.slice(0, 140)}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
