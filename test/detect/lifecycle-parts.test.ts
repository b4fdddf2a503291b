import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeSilences,
  emptyBook,
  fingerprintOf,
  groupLabelsOf,
  inMaintenance,
  openGroups,
  parseBook,
  reduce,
  seriesKeyOf,
  silenceMatches,
  type AlertBook,
  type LifecycleContext,
  type Silence,
} from '../../src/detect/lifecycle/index.js';
import type { Maintenance } from '../../src/detect/rules/schema.js';

const MIN = 60_000;

describe('keys', () => {
  it('writes a series key with sorted keys, and "" for no labels', () => {
    assert.equal(seriesKeyOf({ region: 'EU', gateway: 'adyen' }), 'gateway=adyen,region=EU');
    assert.equal(seriesKeyOf({}), '');
  });

  it('fingerprints rule + labels stably, whatever the key order, as 12 hex characters', () => {
    const a = fingerprintOf('checkout_errors', { region: 'EU', gateway: 'adyen' });
    assert.match(a, /^[0-9a-f]{12}$/);
    assert.equal(fingerprintOf('checkout_errors', { gateway: 'adyen', region: 'EU' }), a);
    assert.notEqual(fingerprintOf('checkout_latency', { region: 'EU', gateway: 'adyen' }), a);
    assert.notEqual(fingerprintOf('checkout_errors', { region: 'EU' }), a);
    // Values with separators in them cannot collide with another label set.
    assert.notEqual(fingerprintOf('r', { a: '1,b=2' }), fingerprintOf('r', { a: '1', b: '2' }));
  });

  it('keeps only the group-by labels', () => {
    assert.deepEqual(groupLabelsOf({ region: 'EU', gateway: 'adyen' }, ['region']), { region: 'EU' });
    assert.deepEqual(groupLabelsOf({ region: 'EU' }, []), {});
    assert.deepEqual(groupLabelsOf({ region: 'EU' }, ['region', 'country']), { region: 'EU' });
  });
});

describe('inMaintenance', () => {
  const nightly: Maintenance = { days: ['fri'], start: '22:00', end: '02:00', tz: 'Europe/Berlin', reason: 'nightly batch' };
  const cases: [string, number, string | undefined][] = [
    ['Friday 21:59 Berlin, before', Date.UTC(2026, 0, 9, 20, 59), undefined],
    ['Friday 22:00 Berlin, start', Date.UTC(2026, 0, 9, 21, 0), 'nightly batch'],
    ['Friday 23:30 Berlin', Date.UTC(2026, 0, 9, 22, 30), 'nightly batch'],
    ['Saturday 01:59 Berlin, after midnight', Date.UTC(2026, 0, 10, 0, 59), 'nightly batch'],
    ['Saturday 02:00 Berlin, end', Date.UTC(2026, 0, 10, 1, 0), undefined],
    ['Saturday 23:30 Berlin, not a listed day', Date.UTC(2026, 0, 10, 22, 30), undefined],
    ['Friday 01:00 Berlin, the window that would have started Thursday', Date.UTC(2026, 0, 9, 0, 0), undefined],
    ['Friday 22:30 Berlin in summer (UTC+2)', Date.UTC(2026, 6, 10, 20, 30), 'nightly batch'],
    ['Friday 21:30 Berlin in summer (UTC+2)', Date.UTC(2026, 6, 10, 19, 30), undefined],
  ];
  for (const [name, now, want] of cases) {
    it(`reads a recurring window across midnight on the zone's clock: ${name}`, () => {
      assert.equal(inMaintenance([nightly], now), want);
    });
  }

  it('reads a same-day window on every day when no days are given', () => {
    const office: Maintenance = { start: '09:00', end: '17:00', tz: 'America/New_York', reason: 'office hours' };
    assert.equal(inMaintenance([office], Date.UTC(2026, 0, 11, 14, 0)), 'office hours'); // Sunday 09:00 EST
    assert.equal(inMaintenance([office], Date.UTC(2026, 0, 11, 22, 0)), undefined); // 17:00 EST
  });

  it('treats start == end as a whole day from start', () => {
    const allSaturday: Maintenance = { days: ['sat'], start: '00:00', end: '00:00', tz: 'UTC', reason: 'weekend freeze' };
    assert.equal(inMaintenance([allSaturday], Date.UTC(2026, 0, 10, 23, 59)), 'weekend freeze');
    assert.equal(inMaintenance([allSaturday], Date.UTC(2026, 0, 11, 0, 0)), undefined);
  });

  it('reads a fixed window as [from, to) and returns the first matching reason', () => {
    const fixed: Maintenance = { from: '2026-03-02T10:00:00Z', to: '2026-03-02T11:00:00Z', reason: 'db migration' };
    const other: Maintenance = { start: '00:00', end: '23:59', tz: 'UTC', reason: 'later' };
    assert.equal(inMaintenance([fixed], Date.parse('2026-03-02T09:59:59Z')), undefined);
    assert.equal(inMaintenance([fixed, other], Date.parse('2026-03-02T10:00:00Z')), 'db migration');
    assert.equal(inMaintenance([fixed], Date.parse('2026-03-02T11:00:00Z')), undefined);
    assert.equal(inMaintenance([], 0), undefined);
  });
});

describe('silences', () => {
  const silence: Silence = { id: 's', matchers: { rule: 'r', region: 'EU' }, startsAt: 1000, endsAt: 2000, createdBy: 'U1', reason: 'x' };

  it('matches while active when every matcher is equal', () => {
    assert.equal(silenceMatches(silence, { rule: 'r', region: 'EU', gateway: 'adyen' }, 1000), true);
    assert.equal(silenceMatches(silence, { rule: 'r', region: 'EU' }, 1999), true);
    assert.equal(silenceMatches(silence, { rule: 'r', region: 'EU' }, 2000), false, 'ended');
    assert.equal(silenceMatches(silence, { rule: 'r', region: 'EU' }, 999), false, 'not started');
    assert.equal(silenceMatches(silence, { rule: 'r', region: 'US' }, 1500), false);
    assert.equal(silenceMatches(silence, { rule: 'r' }, 1500), false, 'a missing label does not match');
  });

  it('lists the silences active at a time', () => {
    const book: AlertBook = { ...emptyBook(), silences: [silence, { ...silence, id: 'later', startsAt: 5000, endsAt: 6000 }] };
    assert.deepEqual(activeSilences(book, 1500).map((s) => s.id), ['s']);
    assert.deepEqual(activeSilences(book, 5500).map((s) => s.id), ['later']);
  });
});

describe('parseBook', () => {
  const ctx: LifecycleContext = {
    rules: { r: { id: 'r', metric: 'm', severity: 'warning', forMs: 0, resolveAfterMs: 5 * MIN, renotifyMs: 0, groupBy: ['region'], maintenance: [] } },
  };
  function liveBook(): AlertBook {
    let book = emptyBook();
    const observe = (t: number, labels: Record<string, string>, score: number) =>
      (book = reduce(book, { kind: 'observe', now: t, observations: [{ ruleId: 'r', seriesKey: seriesKeyOf(labels), labels, t, value: 1, score, expected: { lower: 0, upper: 1, center: 0.5 } }] }, ctx).book);
    observe(0, { region: 'EU' }, 0.9);
    observe(MIN, { region: 'US' }, 0.2);
    const [g] = openGroups(book);
    book = reduce(book, { kind: 'posted', groupId: g!.id, channel: 'C1', ts: '1.2', now: MIN }, ctx).book;
    book = reduce(book, { kind: 'silence', now: MIN, silence: { id: 's', matchers: { region: 'EU' }, startsAt: 0, endsAt: 10 * MIN, createdBy: 'U1', reason: 'x' } }, ctx).book;
    return book;
  }

  it('restores a book that went through JSON', () => {
    const book = liveBook();
    const parsed = parseBook(JSON.stringify(book));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.book, book);
  });

  it('refuses text that is not JSON', () => {
    const parsed = parseBook('{"version":1,');
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.problem, /^the alert book is not JSON/);
  });

  it('refuses a wrong version and a group missing its fingerprint, naming each field', () => {
    const book = JSON.parse(JSON.stringify(liveBook()));
    book.version = 2;
    const id = Object.keys(book.groups)[0]!;
    delete book.groups[id].fingerprint;
    const parsed = parseBook(book);
    assert.equal(parsed.ok, false);
    const problem = parsed.ok ? '' : parsed.problem;
    assert.match(problem, /^the alert book is corrupt:/);
    assert.match(problem, /\n {2}version: /);
    assert.ok(problem.includes(`groups.${id}.fingerprint: `), problem);
  });

  it('refuses two open groups for one fingerprint and series pointing at a missing group', () => {
    const book = JSON.parse(JSON.stringify(liveBook()));
    const [g] = Object.values(book.groups) as { id: string }[];
    book.groups['copy'] = { ...g, id: 'copy' };
    book.series['r|region=EU'].groupId = 'gone';
    const parsed = parseBook(book);
    const problem = parsed.ok ? '' : parsed.problem;
    assert.match(problem, /second open group for fingerprint/);
    assert.match(problem, /series\.r\|region=EU\.groupId: group "gone" is not in the book/);
  });

  it('refuses a score outside [0, 1] and a negative reopen count', () => {
    const book = JSON.parse(JSON.stringify(liveBook()));
    book.series['r|region=US'].last.score = 7;
    (Object.values(book.groups)[0] as { reopened: number }).reopened = -1;
    const parsed = parseBook(book);
    const problem = parsed.ok ? '' : parsed.problem;
    assert.match(problem, /series\.r\|region=US\.last\.score/);
    assert.match(problem, /reopened/);
  });
});
