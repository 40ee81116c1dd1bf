#!/usr/bin/env node
// After a run of ../shared/bench/run.mjs: record which build was measured, print a short table and the verdict
// against the budgets of the design notes (the project brief, outside this repository), and add both to <out>.md and <out>.json.
//
//   node bench/report.mjs [bench/results/latest]     (scripts/bench.sh calls it; re-running it is harmless)
//
// Budgets (the design notes): brotli bytes below the smallest peer's; time-to-banner no slower than the fastest peer at
// every CPU rate; no long task; CLS 0; returning visitor: banner never visible.
import fs from 'node:fs';
import path from 'node:path';

const OUT = path.resolve(process.argv[2] || 'bench/results/latest');
const ME = 'privacy-widget';
const NOISE = 1.25; // the design notes: timing differences under ~25 % are noise on these machines

const res = JSON.parse(fs.readFileSync(OUT + '.json', 'utf8'));
const rates = res.meta.rates;
const cands = res.meta.candidates;
const peers = cands.filter(c => c.kind === 'peer').map(c => c.name);

// ---------- what was measured ----------
if (process.env.BENCH_COMMIT) {
  let debian = null;
  try { debian = fs.readFileSync('/etc/debian_version', 'utf8').trim(); } catch {}
  res.project = {
    commit: process.env.BENCH_COMMIT,
    widgetSourcesModified: Number(process.env.BENCH_DIRTY || 0) > 0,
    assets: (process.env.BENCH_ASSET_SHA || '').trim(),
    distBuiltAt: process.env.BENCH_DIST_BUILT || null,
    distNote: process.env.BENCH_DIST_NOTE || null,
    debian,
  };
}

// ---------- short table ----------
const order = [ME, ...peers.sort(), ...cands.filter(c => c.kind === 'reference' && c.name !== ME).map(c => c.name), 'none']
  .filter(n => cands.some(c => c.name === n));
const ROWS = [
  ['cmpBr', 'brotli bytes (CMP assets + HTML delta)', 'B'],
  ['cmpBytes', 'bytes transferred, uncompressed', 'B'],
  ['requests', 'extra requests', ''],
  ['bannerMs', 'time-to-banner (ms)', ''],
  ['fcpMs', 'FCP (ms)', ''],
  ['longTasks', 'long tasks', ''],
  ['tbtMs', 'TBT (ms)', ''],
  ['cls', 'CLS', ''],
  ['clickToDecisionMs', 'click → stored + hidden (ms)', ''],
  ['returnGaMs', 'returning visit: GA stand-in ran at (ms)', ''],
  ['heapDeltaKB', 'JS heap beyond "none" (KB)', ''],
];
const kb = v => (Math.abs(v) >= 1024 ? (v / 1024).toFixed(1) + 'K' : String(Math.round(v)));
const cell = (st, unit) => {
  if (!st) return 'n/a';
  const m = unit === 'B' ? kb(st.median) : String(st.median);
  return st.ratioToBestPeer != null ? `${m} ×${st.ratioToBestPeer}` : m;
};
let md = '';
for (const rate of rates) {
  const sum = res.summary[rate];
  md += `\n### CPU ×${rate}: medians, ×ratio to the best peer median (N=${res.meta.n})\n\n`;
  md += `| metric | ${order.join(' | ')} |\n|---|${order.map(() => '---').join('|')}|\n`;
  for (const [k, label, unit] of ROWS) md += `| ${label} | ${order.map(n => cell(sum[n][k], unit)).join(' | ')} |\n`;
  md += `| returning visit: banner stayed hidden | ${order.map(n => sum[n].returnBannerHidden).join(' | ')} |\n`;
}

// ---------- verdict ----------
const verdict = [];
const add = (budget, pass, detail) => verdict.push({ budget, pass, detail });
const mine = rate => res.summary[rate]?.[ME];
if (!cands.some(c => c.name === ME)) {
  add('all budgets', null, `${ME} was not part of this run (--only?)`);
} else if (!peers.length) {
  add('all budgets', null, 'no peer was part of this run (--only?)');
} else {
  const r0 = rates[0];
  // 1. size: brotli of everything the widget loads (+ its inline config) vs the smallest peer, same accounting
  const br = mine(r0).cmpBr?.median;
  const peerBr = peers.map(p => [p, res.summary[r0][p].cmpBr?.median]).filter(([, v]) => v != null).sort((a, b) => a[1] - b[1]);
  const [bestP, bestBr] = peerBr[0] || [];
  add('transfer size (brotli) < smallest peer', br != null && bestBr != null ? br < bestBr : null,
    `${kb(br)} vs ${bestP} ${kb(bestBr)} (×${mine(r0).cmpBr?.ratioToBestPeer}); files: ` +
    mine(r0).assets.map(a => `${path.basename(a.path)} ${kb(a.br)}`).join(', ') + `, HTML delta ${mine(r0).htmlDelta.br} B`);
  // 2. time-to-banner vs the fastest peer, each rate
  for (const rate of rates) {
    const st = mine(rate).bannerMs;
    const pm = peers.map(p => [p, res.summary[rate][p].bannerMs?.median]).filter(([, v]) => v != null).sort((a, b) => a[1] - b[1]);
    const ratio = st?.ratioToBestPeer;
    add(`time-to-banner ≤ fastest peer, CPU ×${rate}`, ratio != null ? ratio <= 1.0 : null,
      `${st?.median} ms (${st?.min}–${st?.max}) vs ${pm[0]?.[0]} ${pm[0]?.[1]} ms: ×${ratio}` +
      (ratio != null && ratio > 1 / NOISE && ratio < NOISE ? ' (difference within the ~25 % noise band of this machine)' : ''));
  }
  // 3. long tasks (passive load): PASS = median 0 and no more loads with one than the bare page "none" had
  //    (machine noise); PARTIAL = median 0 but more loads than "none"; FAIL = median > 0.
  for (const rate of rates) {
    const runs = res.raw[rate][ME].filter(m => m.longTasks !== undefined);
    const base = res.raw[rate].none.filter(m => m.longTasks !== undefined);
    const st = mine(rate).longTasks;
    const withLt = runs.filter(m => m.longTasks > 0).length, baseLt = base.filter(m => m.longTasks > 0).length;
    add(`no long tasks, CPU ×${rate}`, !st ? null : st.median > 0 ? false : withLt <= baseLt ? true : 'partial',
      `median ${st?.median} (max ${st?.max}); loads with ≥1: ${runs.filter(m => m.longTasks > 0).length}/${runs.length} ` +
      `(bare page "none": ${base.filter(m => m.longTasks > 0).length}/${base.length}); TBT median ${mine(rate).tbtMs?.median} ms, max ${mine(rate).tbtMs?.max} ms`);
  }
  // 4. CLS: every load
  for (const rate of rates) {
    const st = mine(rate).cls;
    add(`CLS 0, CPU ×${rate}`, st ? st.max === 0 : null, `median ${st?.median}, max ${st?.max}`);
  }
  // 5. returning visitor: banner never visible, the allowed script ran
  for (const rate of rates) {
    const s = mine(rate), [ok, n] = s.returnBannerHidden.split('/').map(Number);
    add(`returning visitor: banner never visible, CPU ×${rate}`, n > 0 ? ok === n : null,
      `${s.returnBannerHidden} loads; GA stand-in ran at ${s.returnGaMs?.median} ms (×${s.returnGaMs?.ratioToBestPeer})`);
  }
  // sanity (not budgets, but a broken candidate makes the numbers meaningless)
  for (const rate of rates) {
    const s = mine(rate);
    const bad = [s.failures && `${s.failures} failed loads`, s.gaBeforeConsent && `blocked script ran before consent in ${s.gaBeforeConsent} loads`,
      s.external.length && `external requests: ${s.external.join(', ')}`,
      s.rejectVisible.split('/')[0] !== s.rejectVisible.split('/')[1] && `reject-all visible ${s.rejectVisible}`,
      s.assets.some(a => a.path.includes('extras')) && `the extras module was loaded on a first visit (${s.assets.filter(a => a.path.includes('extras')).map(a => path.basename(a.path)).join(', ')})`,
    ].filter(Boolean);
    add(`sanity (blocking, failures, external requests, no extras on first visit), CPU ×${rate}`, bad.length === 0, bad.length ? bad.join('; ') : 'ok' + (s.notes.length ? '; notes: ' + s.notes.join('; ') : ''));
  }
}
res.verdict = verdict;

const mark = v => (v === true ? 'PASS' : v === false ? 'FAIL' : v === 'partial' ? 'PARTIAL' : 'n/a');
const p = res.project;
let head = `\n## privacy-widget: summary and verdict\n\n`;
head += p ? `Measured: commit ${p.commit}${p.widgetSourcesModified ? ' + uncommitted changes in src/, Cargo.* or build.sh' : ''}; ` +
  `www/dist built ${p.distBuiltAt}${p.distNote ? ', ' + p.distNote : ''}; assets ${p.assets} Debian ${p.debian}; Chromium ${res.meta.chromium}; ${res.meta.host.cpus} CPUs; ` +
  `load average at start ${res.meta.host.loadavg.map(x => x.toFixed(1)).join(' ')}.\n` : '';
let vmd = `\n### Verdict against the budgets (design notes)\n\n| budget | result | detail |\n|---|---|---|\n` +
  verdict.map(v => `| ${v.budget} | ${mark(v.pass)} | ${v.detail.replace(/\|/g, '\\|')} |\n`).join('');
const block = head + md + vmd;

const MARK = '\n<!-- privacy-widget report -->';
let full = fs.readFileSync(OUT + '.md', 'utf8');
if (full.includes(MARK)) full = full.slice(0, full.indexOf(MARK));
fs.writeFileSync(OUT + '.md', full + MARK + '\n' + block);
fs.writeFileSync(OUT + '.json', JSON.stringify(res, null, 1));
process.stdout.write(block);
