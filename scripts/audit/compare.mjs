// The cookie audit's judgement, with no browser in it: what a page stored and requested in each
// consent state, compared with what the shop's config declares (issue #18). The runner that
// drives Chromium only collects observations; everything decided about them is decided here,
// so it is tested with `node --test` in milliseconds.

/** The consent states the audit visits, in order. */
export const STATES = ['before-decision', 'after-reject', 'after-accept'];

/** `_ga_*` matches names starting with `_ga_`; any other pattern matches only itself. */
export function matchesPattern(pattern, name) {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** A host pattern (`example.com`, `*.example.com`, either with `:port`) against a URL's host. */
export function matchesHost(pattern, host, port) {
  const [patternHost, patternPort] = pattern.split(':');
  if (patternPort !== undefined && patternPort !== String(port)) return false;
  if (patternHost.startsWith('*.')) {
    const base = patternHost.slice(2);
    return host === base || host.endsWith(`.${base}`);
  }
  return host === patternHost;
}

const SESSION_WORDS = /^(session|økt|økta|sesjon)\b/i;
const UNITS = [
  [/^(s|sec|second|seconds|sekund|sekunder)$/i, 1],
  [/^(min|minute|minutes|minutt|minutter)$/i, 60],
  [/^(h|hour|hours|time|timer|timar)$/i, 3600],
  [/^(d|day|days|dag|dager|dagar|døgn)$/i, 86400],
  [/^(week|weeks|uke|uker|veke|veker)$/i, 7 * 86400],
  [/^(month|months|måned|måneder|månad|månader)$/i, 30 * 86400],
  [/^(y|year|years|år)$/i, 365 * 86400],
];

/**
 * A declared lifetime text (`"2 years"`, `"2 år"`, `"Økt (slettes …)"`, `"1 day"`) as
 * `{session: true}`, `{seconds}` or null when it cannot be read.
 */
export function parseLifetime(text) {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  if (SESSION_WORDS.test(t)) return { session: true };
  const m = /^(\d+)\s*([\p{L}]+)/u.exec(t);
  if (!m) return null;
  const unit = UNITS.find(([re]) => re.test(m[2]));
  return unit ? { seconds: Number(m[1]) * unit[1] } : null;
}

/** The declared lifetime in any language of a localized value (English first). */
function declaredLifetime(lifetime) {
  if (lifetime == null) return null;
  if (typeof lifetime === 'string') return parseLifetime(lifetime);
  for (const lang of ['en', 'nb', 'nn']) {
    const parsed = parseLifetime(lifetime[lang]);
    if (parsed) return parsed;
  }
  return null;
}

/** Every declared item of the config, flattened, with its category and service. */
export function declarations(config) {
  const out = [];
  for (const category of config.categories ?? []) {
    for (const service of category.services ?? []) {
      for (const cookie of service.cookies ?? []) {
        const decl = typeof cookie === 'string' ? { name: cookie } : cookie;
        out.push({
          category: category.id,
          required: category.required === true,
          service: service.id,
          name: decl.name,
          type: decl.type ?? 'cookie',
          lifetime: decl.lifetime ?? null,
        });
      }
    }
  }
  return out;
}

/** Every declared host, with its category and service. */
export function declaredHosts(config) {
  return (config.categories ?? []).flatMap((category) => (category.services ?? []).flatMap((service) =>
    (service.hosts ?? []).map((host) => ({ category: category.id, required: category.required === true, service: service.id, host }))));
}

// Two lifetimes agree within a day, or 10 % for lifetimes over ten days (a year is 365 or 366 days,
// a month 28 to 31, and the cookie was set a moment before it was read).
function lifetimesAgree(declaredSeconds, actualSeconds) {
  return Math.abs(declaredSeconds - actualSeconds) <= Math.max(86400, declaredSeconds * 0.1);
}

/**
 * Compares observations with the config.
 * @param {object} config the shop's widget config (parsed JSON)
 * @param {{state: string, page: string, items: {type: string, name: string, expires?: number,
 *   domain?: string, thirdParty?: boolean}[], requests: {url: string, initiator?: string}[]}[]} observations
 *   one per state and page; `expires` is seconds from now for a persistent cookie, absent for a session one
 * @param {{origin: string}} site the audited site's origin (requests elsewhere are third-party)
 * @returns {{violations: object[], warnings: object[], suggestions: object[]}}
 */
export function compare(config, observations, site) {
  const decls = declarations(config);
  const hosts = declaredHosts(config);
  const siteOrigin = new URL(site.origin).origin;
  const violations = [];
  const warnings = [];
  const suggestions = new Map();
  const seen = new Set();
  // One finding per kind and item, naming the state it first appeared in and every state it was seen in.
  const byKey = new Map();
  const push = (list, finding) => {
    const key = `${finding.kind}|${finding.type ?? ''}|${finding.name ?? finding.host}`;
    const earlier = byKey.get(key);
    if (earlier) {
      if (!earlier.states.includes(finding.state)) earlier.states.push(finding.state);
      return;
    }
    const added = { ...finding, states: [finding.state] };
    byKey.set(key, added);
    list.push(added);
  };

  for (const { state, page, items, requests } of observations) {
    const allowsOptional = state === 'after-accept';
    for (const item of items) {
      const decl = decls.find((d) => d.type === item.type && matchesPattern(d.name, item.name));
      if (!decl) {
        push(violations, { kind: 'undeclared', type: item.type, name: item.name, state, page });
        suggestions.set(`${item.type}|${item.name}`, suggest(item));
        continue;
      }
      seen.add(decl);
      if (!decl.required && !allowsOptional) {
        push(violations, { kind: 'before-consent', type: item.type, name: item.name, category: decl.category, service: decl.service, state, page });
      }
      if (item.type !== 'cookie') continue;
      const declared = declaredLifetime(decl.lifetime);
      if (decl.lifetime != null && declared === null) {
        push(warnings, { kind: 'lifetime-unreadable', type: item.type, name: item.name, declared: decl.lifetime, state, page });
      } else if (declared?.session && item.expires !== undefined) {
        push(warnings, { kind: 'session-declared-persistent', type: item.type, name: item.name, actualSeconds: item.expires, state, page });
      } else if (declared?.seconds && item.expires === undefined) {
        push(warnings, { kind: 'lifetime-differs', type: item.type, name: item.name, declaredSeconds: declared.seconds, actualSeconds: null, state, page });
      } else if (declared?.seconds && !lifetimesAgree(declared.seconds, item.expires)) {
        push(warnings, { kind: 'lifetime-differs', type: item.type, name: item.name, declaredSeconds: declared.seconds, actualSeconds: item.expires, state, page });
      }
    }
    for (const request of requests) {
      const url = new URL(request.url);
      if (url.origin === siteOrigin || !/^https?:$/.test(url.protocol)) continue;
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      const declaredHost = hosts.find((h) => matchesHost(h.host, url.hostname, port));
      const host = url.port ? `${url.hostname}:${url.port}` : url.hostname;
      if (!declaredHost) {
        push(violations, { kind: 'undeclared-host', host, url: request.url, initiator: request.initiator ?? null, state, page });
        suggestions.set(`host|${host}`, { hosts: [host] });
      } else if (!declaredHost.required && !allowsOptional) {
        push(violations, { kind: 'host-before-consent', host, url: request.url, category: declaredHost.category, service: declaredHost.service, initiator: request.initiator ?? null, state, page });
      }
    }
  }
  for (const decl of decls) {
    if (!seen.has(decl)) warnings.push({ kind: 'never-seen', type: decl.type, name: decl.name, category: decl.category, service: decl.service });
  }
  return { violations, warnings, suggestions: [...suggestions.values()] };
}

/** A config entry for an undeclared item, for the shop to fill in and place in a service. */
function suggest(item) {
  const entry = { name: item.name };
  if (item.type !== 'cookie') entry.type = item.type;
  if (item.thirdParty) entry.party = 'third';
  if (item.type === 'cookie') entry.lifetime = item.expires === undefined ? 'Session' : humanLifetime(item.expires);
  return { cookies: [entry] };
}

/** Seconds as the largest whole unit a shop would write (`"2 years"`, `"30 days"`, `"1 hour"`). */
export function humanLifetime(seconds) {
  const units = [['year', 365 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    const n = Math.round(seconds / size);
    if (n >= 1 && Math.abs(n * size - seconds) <= Math.min(size * 0.1, 2 * 86400)) return `${n} ${unit}${n === 1 ? '' : 's'}`;
  }
  return `${Math.max(1, Math.round(seconds))} seconds`;
}
