// The audit's HTML report: one section per consent state with its violations and what was
// stored and requested, then the warnings and suggested config entries. Every value is escaped;
// styles come from report.css beside it, so the report has no inline script or style.
import { STATES } from './compare.mjs';

const STATE_TITLES = {
  'before-decision': 'Before a decision',
  'after-reject': 'After “reject all”',
  'after-accept': 'After “accept all”',
};

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function table(caption, headers, rows) {
  if (rows.length === 0) return `<p class="none">${escapeHtml(caption)}: none.</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function lifetime(item) {
  if (item.type !== 'cookie') return '';
  return item.expires === undefined ? 'session' : `${Math.round(item.expires / 86400)} days`;
}

function stateSection(report, state) {
  const observations = report.observations.filter((o) => o.state === state);
  const violations = report.violations.filter((v) => v.states.includes(state));
  const items = new Map();
  for (const o of observations) for (const i of o.items) items.set(`${i.type}|${i.name}|${i.domain ?? ''}`, i);
  const requests = new Map();
  for (const o of observations) {
    for (const r of o.requests) {
      if (new URL(r.url).origin !== new URL(report.site).origin) requests.set(r.url, r);
    }
  }
  const gated = observations.flatMap((o) => o.gated.map((g) => [o.page, g.tag, g.category, g.service ?? '', g.src ?? '(inline)', g.ran ? 'ran' : 'blocked']));
  return `<section aria-labelledby="s-${state}"><h2 id="s-${state}">${escapeHtml(STATE_TITLES[state])}</h2>
<p>Pages: ${escapeHtml(observations.flatMap((o) => o.visited).join(', '))}</p>
${table('Violations', ['kind', 'type', 'name or host', 'category / service', 'initiator'],
    violations.map((v) => [v.kind, v.type ?? 'request', v.name ?? v.host, v.category ? `${v.category} / ${v.service}` : 'not declared', v.initiator ?? '']))}
${table('Cookies and storage', ['type', 'name', 'domain', 'path', 'lifetime', 'Secure', 'HttpOnly', 'SameSite', 'party'],
    [...items.values()].map((i) => [i.type, i.name, i.domain ?? '', i.path ?? '', lifetime(i), i.secure ? 'yes' : '', i.httpOnly ? 'yes' : '', i.sameSite ?? '', i.type === 'cookie' ? (i.thirdParty ? 'third' : 'first') : '']))}
${table('Requests to other origins', ['URL', 'initiator'], [...requests.values()].map((r) => [r.url, r.initiator ?? '']))}
${table('Gated scripts and embeds', ['page', 'element', 'category', 'service', 'source', 'status'], gated)}
</section>`;
}

export function renderHtml(report) {
  const s = report.summary;
  const verdict = s.violations === 0 ? 'No violations' : `${s.violations} violation(s)`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cookie audit of ${escapeHtml(report.site)}</title>
<link rel="stylesheet" href="report.css">
</head>
<body>
<main>
<h1>Cookie audit of ${escapeHtml(report.site)}</h1>
<p class="verdict ${s.violations === 0 ? 'ok' : 'bad'}">${escapeHtml(verdict)}, ${escapeHtml(s.warnings)} warning(s): ${escapeHtml(s.pages)} page(s), ${escapeHtml(s.items)} cookies and storage keys, checked ${escapeHtml(s.checkedAt)}.</p>
${STATES.map((state) => stateSection(report, state)).join('\n')}
<section aria-labelledby="s-warnings"><h2 id="s-warnings">Warnings</h2>
${table('Warnings', ['kind', 'type', 'name', 'detail'], report.warnings.map((w) => [w.kind, w.type, w.name,
    w.kind === 'never-seen' ? `declared by ${w.service}, never seen` : w.declaredSeconds !== undefined ? `declared ${Math.round(w.declaredSeconds / 86400)} days, found ${w.actualSeconds === null ? 'session' : `${Math.round(w.actualSeconds / 86400)} days`}` : w.actualSeconds !== undefined ? `declared session, found ${Math.round(w.actualSeconds / 86400)} days` : JSON.stringify(w.declared ?? '')]))}
</section>
<section aria-labelledby="s-suggestions"><h2 id="s-suggestions">Suggested config entries</h2>
<p>Add each to the service it belongs to (<code>categories[].services[]</code>), with a purpose and, for cookies, the lifetime in your languages.</p>
<pre>${escapeHtml(JSON.stringify(report.suggestions, null, 2))}</pre>
</section>
</main>
</body>
</html>
`;
}
