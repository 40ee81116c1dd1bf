// Host tests of the cookie audit's comparison logic (scripts/audit/compare.mjs): node --test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, matchesPattern, matchesHost, parseLifetime, humanLifetime } from '../../scripts/audit/compare.mjs';

const DAY = 86400;
const config = {
  categories: [
    { id: 'necessary', required: true, services: [{ id: 'shop', cookies: [
      { name: 'pw_consent', lifetime: { nb: 'Økt (slettes når nettleseren lukkes)', en: 'Session (deleted when the browser closes)' } },
      { name: 'pw_lang', lifetime: { nb: 'Økt', en: 'Session' } },
      { name: 'privacy-widget-outbox*', type: 'sessionStorage' },
    ] }] },
    { id: 'analytics', services: [{ id: 'ga', hosts: ['*.google-analytics.com', '127.0.0.2:8081'], cookies: [
      { name: '_ga', lifetime: { nb: '2 år', en: '2 years' } }, { name: '_ga_*', lifetime: '2 years' }, { name: '_gid', lifetime: '1 day' },
    ] }] },
  ],
};
const site = { origin: 'http://127.0.0.1:8080' };
const cookie = (name, expires) => ({ type: 'cookie', name, ...(expires === undefined ? {} : { expires }) });
const obs = (state, items, requests = []) => ({ state, page: '/', items, requests });

test('prefix patterns match names that start with the prefix; exact names only themselves', () => {
  assert.ok(matchesPattern('_ga_*', '_ga_DEMO123'));
  assert.ok(!matchesPattern('_ga_*', '_ga'));
  assert.ok(matchesPattern('_ga', '_ga'));
  assert.ok(!matchesPattern('_ga', '_gat'));
});

test('host patterns: exact, wildcard subdomains, optional port', () => {
  assert.ok(matchesHost('*.google-analytics.com', 'www.google-analytics.com', '443'));
  assert.ok(matchesHost('*.google-analytics.com', 'google-analytics.com', '443'));
  assert.ok(!matchesHost('*.google-analytics.com', 'evilgoogle-analytics.com', '443'));
  assert.ok(matchesHost('127.0.0.2:8081', '127.0.0.2', '8081'));
  assert.ok(!matchesHost('127.0.0.2:8081', '127.0.0.2', '8082'));
  assert.ok(matchesHost('127.0.0.2', '127.0.0.2', '9999'));
});

test('lifetimes are read in nb, nn and en; unknown words give null', () => {
  assert.deepEqual(parseLifetime('Økt (slettes når nettleseren lukkes)'), { session: true });
  assert.deepEqual(parseLifetime('Session'), { session: true });
  assert.deepEqual(parseLifetime('2 år'), { seconds: 730 * DAY });
  assert.deepEqual(parseLifetime('1 day'), { seconds: DAY });
  assert.deepEqual(parseLifetime('13 måneder'), { seconds: 390 * DAY });
  assert.equal(parseLifetime('until you log out'), null);
  assert.equal(humanLifetime(730 * DAY), '2 years');
  assert.equal(humanLifetime(30 * DAY), '30 days');
  assert.equal(humanLifetime(3600), '1 hour');
});

test('a clean run has no violations and warns only about declared items never seen', () => {
  const result = compare(config, [
    obs('before-decision', [cookie('pw_consent')]),
    obs('after-reject', [cookie('pw_consent')]),
    obs('after-accept', [cookie('pw_consent'), cookie('_ga', 730 * DAY - 5), cookie('_ga_X1', 730 * DAY), cookie('_gid', DAY)],
      [{ url: 'http://127.0.0.2:8081/collect' }]),
  ], site);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(result.warnings.map((w) => `${w.kind} ${w.name}`), ['never-seen pw_lang', 'never-seen privacy-widget-outbox*']);
});

test('optional items and hosts before a decision or after reject all are violations, with their state', () => {
  const result = compare(config, [
    obs('before-decision', [cookie('_ga', 730 * DAY)]),
    obs('after-reject', [], [{ url: 'https://www.google-analytics.com/g/collect', initiator: 'http://127.0.0.1:8080/gtag.js' }]),
    obs('after-accept', [cookie('_ga', 730 * DAY)], [{ url: 'https://www.google-analytics.com/g/collect' }]),
  ], site);
  assert.deepEqual(result.violations.map((v) => [v.kind, v.name ?? v.host, v.state]), [
    ['before-consent', '_ga', 'before-decision'],
    ['host-before-consent', 'www.google-analytics.com', 'after-reject'],
  ]);
  assert.equal(result.violations[1].initiator, 'http://127.0.0.1:8080/gtag.js');
});

test('undeclared cookies, storage keys and hosts are violations with a suggested config entry', () => {
  const result = compare(config, [
    obs('before-decision', [cookie('cart_id', 30 * DAY), { type: 'localStorage', name: 'chat-state' }]),
    obs('after-accept', [{ type: 'cookie', name: 'IDE', thirdParty: true, expires: 390 * DAY }], [{ url: 'http://127.0.0.3:9000/pixel.gif' }]),
  ], site);
  assert.deepEqual(result.violations.map((v) => [v.kind, v.type ?? '', v.name ?? v.host, v.state]), [
    ['undeclared', 'cookie', 'cart_id', 'before-decision'],
    ['undeclared', 'localStorage', 'chat-state', 'before-decision'],
    ['undeclared', 'cookie', 'IDE', 'after-accept'],
    ['undeclared-host', '', '127.0.0.3:9000', 'after-accept'],
  ]);
  assert.deepEqual(result.suggestions, [
    { cookies: [{ name: 'cart_id', lifetime: '30 days' }] },
    { cookies: [{ name: 'chat-state', type: 'localStorage' }] },
    { cookies: [{ name: 'IDE', party: 'third', lifetime: '390 days' }] },
    { hosts: ['127.0.0.3:9000'] },
  ]);
});

test('a storage key declared as a cookie is still undeclared: the type must match too', () => {
  const result = compare(config, [obs('before-decision', [{ type: 'localStorage', name: 'pw_consent' }])], site);
  assert.equal(result.violations[0].kind, 'undeclared');
});

test('lifetimes: session declared but persistent, and a persistent lifetime that differs, are warnings', () => {
  const result = compare(config, [
    obs('after-accept', [cookie('pw_consent', 365 * DAY), cookie('_ga', 90 * DAY), cookie('_gid'), cookie('_ga_A', 700 * DAY)]),
  ], site);
  assert.deepEqual(result.violations, []);
  const kinds = result.warnings.filter((w) => w.kind !== 'never-seen').map((w) => `${w.kind} ${w.name}`);
  assert.deepEqual(kinds, ['session-declared-persistent pw_consent', 'lifetime-differs _ga', 'lifetime-differs _gid']);
});

test('the same finding on several pages and states is reported once, with every state it was seen in', () => {
  const result = compare(config, [
    { state: 'before-decision', page: '/', items: [cookie('x')], requests: [] },
    { state: 'before-decision', page: '/b', items: [cookie('x')], requests: [] },
    { state: 'after-accept', page: '/', items: [cookie('x')], requests: [] },
  ], site);
  assert.equal(result.violations.length, 1);
  assert.equal(result.violations[0].state, 'before-decision');
  assert.deepEqual(result.violations[0].states, ['before-decision', 'after-accept']);
});
