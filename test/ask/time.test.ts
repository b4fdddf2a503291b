import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareWindow, createPlanner, defaultGrain, isoUtc, lastMonth, lastWeek, onDate, rolling, sinceWeekday, thisWeek, thisYear, today, wallToUtc, yesterday, type TimeRange } from '../../src/ask/index.js';
import { loadCatalog } from '../../src/semantic/index.js';

const at = (iso: string) => Date.parse(iso);
const win = (r: { fromMs: number; toMs: number }) => [isoUtc(r.fromMs), isoUtc(r.toMs)];
const planner = createPlanner(loadCatalog('rules'));

/** The planner's from/to/compare for "orders <words>" (metric fixed so only time is tested). */
function times(words: string, now: string, tz: string) {
  const out = planner.plan(`orders ${words}`, { now: new Date(now), tz });
  assert.equal(out.status, 'answered', JSON.stringify(out));
  if (out.status !== 'answered') throw new Error('unreachable');
  const p = out.plan;
  return { range: [p.from, p.to], compare: p.compare_from ? [p.compare_from, p.compare_to] : null, grain: p.grain };
}

describe('time words resolve to [from, to) in the question time zone', () => {
  const table: Array<[string, string, string, string, string]> = [
    // words, now, tz, from, to
    ['', '2026-11-18T15:30:00Z', 'UTC', '2026-11-18T00:00:00Z', '2026-11-18T15:30:00Z'],
    ['today', '2026-11-20T00:05:00Z', 'America/New_York', '2026-11-19T05:00:00Z', '2026-11-20T00:05:00Z'],
    ['so far today', '2026-11-18T20:00:00Z', 'Asia/Kolkata', '2026-11-18T18:30:00Z', '2026-11-18T20:00:00Z'],
    ['yesterday', '2026-10-26T10:00:00Z', 'Europe/London', '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z'],
    ['yesterday', '2026-03-30T12:00:00Z', 'Europe/London', '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z'],
    ['yesterday', '2026-01-01T10:00:00Z', 'UTC', '2025-12-31T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['this week', '2026-11-04T15:00:00Z', 'America/New_York', '2026-11-02T05:00:00Z', '2026-11-04T15:00:00Z'],
    ['week to date', '2026-11-04T15:00:00Z', 'America/New_York', '2026-11-02T05:00:00Z', '2026-11-04T15:00:00Z'],
    ['last week', '2026-11-04T15:00:00Z', 'America/New_York', '2026-10-26T04:00:00Z', '2026-11-02T05:00:00Z'],
    ['last week', '2026-01-01T10:00:00Z', 'UTC', '2025-12-22T00:00:00Z', '2025-12-29T00:00:00Z'],
    ['MTD', '2026-11-01T10:00:00Z', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T10:00:00Z'],
    ['month to date', '2026-11-18T15:30:00Z', 'UTC', '2026-11-01T00:00:00Z', '2026-11-18T15:30:00Z'],
    ['last month', '2026-11-18T15:30:00Z', 'Australia/Sydney', '2026-09-30T14:00:00Z', '2026-10-31T13:00:00Z'],
    ['last month', '2026-01-01T10:00:00Z', 'UTC', '2025-12-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['this year', '2026-11-18T15:30:00Z', 'Australia/Sydney', '2025-12-31T13:00:00Z', '2026-11-18T15:30:00Z'],
    ['YTD', '2026-11-18T15:30:00Z', 'Europe/London', '2026-01-01T00:00:00Z', '2026-11-18T15:30:00Z'],
    ['in the last hour', '2026-11-18T15:30:00Z', 'UTC', '2026-11-18T14:30:00Z', '2026-11-18T15:30:00Z'],
    ['past 6 hours', '2026-11-18T15:30:00Z', 'Asia/Kolkata', '2026-11-18T09:30:00Z', '2026-11-18T15:30:00Z'],
    ['last 7 days', '2026-10-27T12:00:00Z', 'Europe/London', '2026-10-20T12:00:00Z', '2026-10-27T12:00:00Z'],
    ['past week', '2026-11-18T15:30:00Z', 'Asia/Singapore', '2026-11-11T15:30:00Z', '2026-11-18T15:30:00Z'],
    ['last 2 weeks', '2026-11-18T15:30:00Z', 'UTC', '2026-11-04T15:30:00Z', '2026-11-18T15:30:00Z'],
    ['since Monday', '2026-11-16T08:15:00Z', 'UTC', '2026-11-16T00:00:00Z', '2026-11-16T08:15:00Z'],
    ['since monday', '2026-11-18T15:30:00Z', 'America/New_York', '2026-11-16T05:00:00Z', '2026-11-18T15:30:00Z'],
    ['since yesterday', '2026-11-18T15:30:00Z', 'UTC', '2026-11-17T00:00:00Z', '2026-11-18T15:30:00Z'],
    ['on Nov 3', '2026-11-18T15:30:00Z', 'America/New_York', '2026-11-03T05:00:00Z', '2026-11-04T05:00:00Z'],
    ['on 3 November', '2026-11-18T15:30:00Z', 'UTC', '2026-11-03T00:00:00Z', '2026-11-04T00:00:00Z'],
    ['on 2026-11-01', '2026-11-18T15:30:00Z', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'],
    ['on Feb 29', '2028-03-10T12:00:00Z', 'UTC', '2028-02-29T00:00:00Z', '2028-03-01T00:00:00Z'],
    // No year and later than today → last year's (decision in time.ts).
    ['on Dec 24', '2026-03-10T12:00:00Z', 'UTC', '2025-12-24T00:00:00Z', '2025-12-25T00:00:00Z'],
  ];
  for (const [words, now, tz, from, to] of table) {
    test(`"${words || '(no time words)'}" at ${now} in ${tz} → [${from}, ${to})`, () => {
      assert.deepEqual(times(words, now, tz).range, [from, to]);
    });
  }
});

describe('comparison windows', () => {
  const cases: Array<[string, string, string, string, string]> = [
    // words, now, tz, compare_from, compare_to
    ['today vs yesterday', '2026-10-26T10:00:00Z', 'Europe/London', '2026-10-24T23:00:00Z', '2026-10-25T10:00:00Z'],
    ['today vs yesterday', '2026-11-01T10:00:00Z', 'America/New_York', '2026-10-31T04:00:00Z', '2026-10-31T09:00:00Z'],
    ['yesterday day over day', '2026-11-18T15:30:00Z', 'UTC', '2026-11-16T00:00:00Z', '2026-11-17T00:00:00Z'],
    ['since tuesday vs the previous period', '2026-11-27T14:00:00Z', 'UTC', '2026-11-20T00:00:00Z', '2026-11-23T14:00:00Z'],
    ['this week vs last week', '2026-11-18T15:30:00Z', 'UTC', '2026-11-09T00:00:00Z', '2026-11-11T15:30:00Z'],
    ['last week vs the week before', '2026-11-04T15:00:00Z', 'America/New_York', '2026-10-19T04:00:00Z', '2026-10-26T04:00:00Z'],
    ['MTD vs last month', '2026-03-31T12:00:00Z', 'UTC', '2026-02-01T00:00:00Z', '2026-02-28T12:00:00Z'],
    ['last month vs the month before', '2026-11-18T15:30:00Z', 'UTC', '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z'],
    ['MTD vs last month', '2026-11-18T15:30:00Z', 'Europe/London', '2026-09-30T23:00:00Z', '2026-10-18T14:30:00Z'],
    ['today YoY', '2028-02-29T12:00:00Z', 'UTC', '2027-02-28T00:00:00Z', '2027-02-28T12:00:00Z'],
    ['this year vs last year', '2026-11-18T15:30:00Z', 'UTC', '2025-01-01T00:00:00Z', '2025-11-18T15:30:00Z'],
    ['last 3 hours vs the previous period', '2026-11-18T15:30:00Z', 'UTC', '2026-11-18T09:30:00Z', '2026-11-18T12:30:00Z'],
    ['last 7 days vs previous 7 days', '2026-11-18T15:30:00Z', 'Asia/Kolkata', '2026-11-04T15:30:00Z', '2026-11-11T15:30:00Z'],
    // Same period last week moves the wall clock 7 days: across London's October change.
    ['last 7 days WoW', '2026-10-27T12:00:00Z', 'Europe/London', '2026-10-13T12:00:00Z', '2026-10-20T11:00:00Z'],
    // 15:30 UTC is already Nov 19 in Sydney: yesterday is Nov 18 there.
    ['yesterday vs same day last week', '2026-11-18T15:30:00Z', 'Australia/Sydney', '2026-11-10T13:00:00Z', '2026-11-11T13:00:00Z'],
  ];
  for (const [words, now, tz, from, to] of cases) {
    test(`"${words}" at ${now} in ${tz} → baseline [${from}, ${to})`, () => {
      assert.deepEqual(times(words, now, tz).compare, [from, to]);
    });
  }

  test('previous_period of a month range clamps the day to the shorter month (Mar 31 → Feb 28)', () => {
    const r: TimeRange = { fromMs: at('2026-03-01T00:00:00Z'), toMs: at('2026-03-31T18:00:00Z'), kind: 'month', label: 'this month' };
    assert.deepEqual(win(compareWindow(r, 'previous_period', 'UTC')), ['2026-02-01T00:00:00Z', '2026-02-28T18:00:00Z']);
  });

  test('same_period_last_year clamps Feb 29 to Feb 28', () => {
    const r = onDate(at('2028-03-01T10:00:00Z'), 1, 29, 2028, 'UTC')!;
    assert.deepEqual(win(compareWindow(r, 'same_period_last_year', 'UTC')), ['2027-02-28T00:00:00Z', '2027-03-01T00:00:00Z']);
  });

  test('a rolling range compares with the stretch just before it, in absolute time', () => {
    const r = rolling(at('2026-03-29T12:00:00Z'), 24, 'hour', 'Europe/London');
    assert.deepEqual(win(compareWindow(r, 'previous_period', 'Europe/London')), ['2026-03-27T12:00:00Z', '2026-03-28T12:00:00Z']);
  });

  test('"vs yesterday" does not fit a week range: clarify, not a guess', () => {
    const out = planner.plan('orders this week vs yesterday', { now: new Date('2026-11-18T15:30:00Z'), tz: 'UTC' });
    assert.equal(out.status, 'clarify');
  });
});

describe('range builders', () => {
  test('weeks start on Monday, also on a Sunday evening in Sydney', () => {
    // 2026-11-22 is a Sunday; 21:00 UTC is already Monday 08:00 in Sydney.
    assert.deepEqual(win(thisWeek(at('2026-11-22T21:00:00Z'), 'Australia/Sydney')), ['2026-11-22T13:00:00Z', '2026-11-22T21:00:00Z']);
    assert.deepEqual(win(lastWeek(at('2026-11-22T12:00:00Z'), 'UTC')), ['2026-11-09T00:00:00Z', '2026-11-16T00:00:00Z']);
  });

  test('days across DST changes are 23 and 25 hours long', () => {
    const spring = yesterday(at('2026-03-09T12:00:00Z'), 'America/New_York');
    assert.equal((spring.toMs - spring.fromMs) / 3_600_000, 23);
    const fall = yesterday(at('2026-11-02T12:00:00Z'), 'America/New_York');
    assert.equal((fall.toMs - fall.fromMs) / 3_600_000, 25);
  });

  test('a wall time in the spring-forward gap moves forward; a repeated one takes the earlier instant', () => {
    // London 2026-03-29 01:30 does not exist (01:00 → 02:00); 2026-10-25 01:30 happens twice.
    assert.equal(isoUtc(wallToUtc(Date.UTC(2026, 2, 29, 1, 30), 'Europe/London')), '2026-03-29T01:30:00Z');
    assert.equal(isoUtc(wallToUtc(Date.UTC(2026, 9, 25, 1, 30), 'Europe/London')), '2026-10-25T00:30:00Z');
  });

  test('since a weekday is today when today is that weekday', () => {
    assert.deepEqual(win(sinceWeekday(at('2026-11-16T08:15:00Z'), 1, 'UTC')), ['2026-11-16T00:00:00Z', '2026-11-16T08:15:00Z']);
  });

  test('today, this year and last month in Kolkata (+05:30)', () => {
    const now = at('2026-11-18T20:00:00Z');
    assert.equal(isoUtc(today(now, 'Asia/Kolkata').fromMs), '2026-11-18T18:30:00Z');
    assert.equal(isoUtc(thisYear(now, 'Asia/Kolkata').fromMs), '2025-12-31T18:30:00Z');
    assert.deepEqual(win(lastMonth(now, 'Asia/Kolkata')), ['2026-09-30T18:30:00Z', '2026-10-31T18:30:00Z']);
  });
});

describe('grains', () => {
  const now = '2026-11-18T15:30:00Z';
  const cases: Array<[string, string | null]> = [
    ['yesterday', null],
    ['per minute in the last hour', 'minute'],
    ['by minute in the last hour', 'minute'],
    ['hourly yesterday', 'hour'],
    ['by hour today', 'hour'],
    ['daily this month', 'day'],
    ['each day last week', 'day'],
    ['per day last week', 'day'],
    ['weekly this year', 'week'],
    ['monthly YTD', 'month'],
    ['trend today', 'hour'],
    ['over time in the last 2 days', 'hour'],
    ['chart last 30 days', 'day'],
    ['trend this year', 'week'],
    ['trend this year, monthly', 'month'],
  ];
  for (const [words, grain] of cases) {
    test(`"orders ${words}" → grain ${grain}`, () => assert.equal(times(words, now, 'UTC').grain, grain));
  }
  test('default grain boundaries: 2 days → hour, 92 days → day, beyond → week', () => {
    const t = at(now);
    assert.equal(defaultGrain({ fromMs: t - 2 * 86_400_000, toMs: t }), 'hour');
    assert.equal(defaultGrain({ fromMs: t - 2 * 86_400_000 - 1, toMs: t }), 'day');
    assert.equal(defaultGrain({ fromMs: t - 92 * 86_400_000, toMs: t }), 'day');
    assert.equal(defaultGrain({ fromMs: t - 93 * 86_400_000, toMs: t }), 'week');
  });
});
