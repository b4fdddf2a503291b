/**
 * Pure tests of the plan compiler: validation messages, parameters instead of spliced values,
 * how a window is tiled with rollup segments, and which rollup level a plan may read.
 * No store, no clock: only the shipped catalog file is read, once.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { OpsightError } from '../../src/errors.js';
import {
  compile,
  coverWindow,
  loadCatalog,
  maxRollupLevel,
  tzOffsetMinutes,
  validatePlan,
  type Catalog,
  type PlanInput,
  type Segment,
} from '../../src/semantic/index.js';
import { ROLLUPS } from '../../src/store/index.js';
import { mulberry32 } from '../support/random.js';

const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (s: string) => Date.parse(s);

const plan = (over: Partial<PlanInput> = {}): PlanInput => ({
  metric: 'revenue',
  by: [],
  filters: {},
  from: '2026-11-21T00:00:00Z',
  to: '2026-11-22T00:00:00Z',
  grain: null,
  compare: null,
  compare_from: null,
  compare_to: null,
  top: null,
  ...over,
});

/** Asserts that validatePlan (and compile) refuse the plan with a plan error matching `message`. */
function rejects(catalog: Catalog, input: unknown, message: RegExp): void {
  for (const fn of [() => validatePlan(input, catalog), () => compile(input as PlanInput, catalog)]) {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof OpsightError, `expected an OpsightError, got ${String(err)}`);
      assert.equal(err.code, 'opsight_plan_invalid');
      assert.match(err.message, message);
      assert.ok(err.userMessage && err.userMessage.length > 0, 'a plan error carries a message for the user');
      return true;
    });
  }
}


const SIZE_MS: Record<string, number> = Object.fromEntries(ROLLUPS.map((r) => [r.level, r.seconds * 1000]));
const LEVEL_INDEX: Record<string, number> = Object.fromEntries(ROLLUPS.map((r, i) => [r.level, i]));

describe('semantic/compile', () => {
  let catalog: Catalog;
  before(() => {
    catalog = loadCatalog(RULES_DIR);
  });

  describe('validatePlan', () => {
    test('accepts a contract plan and fills the defaults', () => {
      const p = validatePlan({ metric: 'revenue', from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' }, catalog);
      assert.deepEqual(p, plan());
    });

    test('names an unknown metric and lists the known ones', () => {
      rejects(catalog, plan({ metric: 'revenu' }), /Unknown metric "revenu"\. Known metrics: .*revenue.*p95_latency_ms/);
    });

    test('refuses a group-by on a dimension the metric cannot be cut by, listing the ones it can', () => {
      rejects(catalog, plan({ by: ['service'] }), /Revenue cannot be broken down by "service"\. It can be cut by: channel, campaign, region/);
    });

    test('refuses a filter on a dimension the metric cannot be cut by', () => {
      rejects(catalog, plan({ metric: 'requests', filters: { channel: ['google'] } }), /Requests cannot be broken down by "channel"\. It can be cut by: service, region/);
    });

    test('refuses the same dimension twice in by', () => {
      rejects(catalog, plan({ by: ['region', 'region'] }), /by: each dimension at most once/);
    });

    test('refuses from at or after to', () => {
      rejects(catalog, plan({ from: '2026-11-22T00:00:00Z', to: '2026-11-22T00:00:00Z' }), /from \(2026-11-22T00:00:00Z\) must be before to/);
      rejects(catalog, plan({ from: '2026-11-23T00:00:00Z', to: '2026-11-22T00:00:00Z' }), /must be before/);
    });

    test('refuses instants that are not ISO-8601 with a zone', () => {
      rejects(catalog, plan({ from: '2026-11-21' }), /from: expected an ISO-8601 instant/);
      rejects(catalog, plan({ to: '2026-11-22T00:00:00' }), /to: expected an ISO-8601 instant/);
      rejects(catalog, plan({ from: 'yesterday' }), /from: expected an ISO-8601 instant/);
    });

    test('refuses a comparison without both baseline instants, and baseline instants without a comparison', () => {
      const message = /compare, compare_from and compare_to go together/;
      rejects(catalog, plan({ compare: 'previous_period' }), message);
      rejects(catalog, plan({ compare: 'previous_period', compare_from: '2026-11-20T00:00:00Z' }), message);
      rejects(catalog, plan({ compare: 'previous_period', compare_to: '2026-11-21T00:00:00Z' }), message);
      rejects(catalog, plan({ compare_from: '2026-11-20T00:00:00Z', compare_to: '2026-11-21T00:00:00Z' }), message);
      rejects(catalog, plan({ compare_from: '2026-11-20T00:00:00Z' }), message);
    });

    test('refuses a baseline window that ends before it starts', () => {
      rejects(
        catalog,
        plan({ compare: 'previous_period', compare_from: '2026-11-21T00:00:00Z', compare_to: '2026-11-20T00:00:00Z' }),
        /compare_from must be before compare_to/,
      );
    });

    test('refuses an unknown compare label, grain or top order', () => {
      rejects(catalog, plan({ compare: 'yesterday' as never, compare_from: '2026-11-20T00:00:00Z', compare_to: '2026-11-21T00:00:00Z' }), /compare:/);
      rejects(catalog, plan({ grain: 'fortnight' as never }), /grain:/);
      rejects(catalog, plan({ by: ['region'], top: { n: 5, order: 'up' as never } }), /top\.order:/);
      rejects(catalog, plan({ by: ['region'], top: { n: 0, order: 'desc' } }), /top\.n:/);
    });

    test('refuses fields the contract does not have', () => {
      rejects(catalog, { ...plan(), limit: 10 }, /limit|Unrecognized key/);
    });

    test('refuses more than 5000 buckets and suggests a coarser grain', () => {
      // 3.5 days of minutes = 5040 buckets.
      rejects(catalog, plan({ grain: 'minute', from: '2026-11-18T00:00:00Z', to: '2026-11-21T12:00:00Z' }), /more than 5000 minutes; pick a coarser grain or a shorter range/);
      // Exactly 5000 is fine.
      assert.doesNotThrow(() => validatePlan(plan({ grain: 'minute', from: '2026-11-18T00:00:00Z', to: new Date(at('2026-11-18T00:00:00Z') + 5000 * MINUTE).toISOString() }), catalog));
      rejects(catalog, plan({ grain: 'hour', from: '2026-01-01T00:00:00Z', to: '2026-08-01T00:00:00Z' }), /more than 5000 hours/);
    });

    test('refuses a time zone that is not IANA', () => {
      rejects(catalog, plan({ grain: 'day', tz: 'Mars/Olympus' }), /tz: "Mars\/Olympus" is not an IANA time zone/);
    });
  });

  describe('compile: values only in parameters', () => {
    const hostile = ["x' OR 1=1 --", "EU'); DROP TABLE events; --", 'a\\\'b', '{f_region:String}', 'zz-marker-value'];

    test('filter values never appear in the SQL text, only in params', () => {
      const c = compile(plan({ filters: { region: hostile, channel: ['google'] }, by: ['channel'] }), catalog);
      for (const v of [...hostile, 'google']) assert.ok(!c.sql.includes(v), `filter value ${JSON.stringify(v)} leaked into the SQL`);
      assert.ok(!c.sql.includes('1=1'));
      assert.deepEqual(c.params.f_region, hostile);
      assert.deepEqual(c.params.f_channel, ['google']);
      assert.match(c.sql, /region IN \{f_region:Array\(String\)\}/);
      assert.match(c.sql, /channel IN \{f_channel:Array\(String\)\}/);
    });

    test('window bounds and top n are parameters too', () => {
      const c = compile(
        plan({
          by: ['region'],
          top: { n: 3, order: 'desc' },
          compare: 'previous_period',
          compare_from: '2026-11-20T00:00:00Z',
          compare_to: '2026-11-21T00:00:00Z',
        }),
        catalog,
      );
      assert.ok(!/2026-11-2\d/.test(c.sql), 'no instant is spliced into the SQL');
      assert.equal(c.params.top_n, 3);
      assert.match(c.sql, /LIMIT \{top_n:UInt32\}/);
      const bounds = Object.entries(c.params).filter(([k]) => /^t\d+_(from|to)$/.test(k));
      assert.deepEqual(
        bounds.map(([, v]) => v),
        ['2026-11-21 00:00:00', '2026-11-22 00:00:00', '2026-11-20 00:00:00', '2026-11-21 00:00:00'],
      );
    });

    test('a plan with hostile text in by, filter keys or tz is refused before any SQL is built', () => {
      rejects(catalog, plan({ by: ['region; DROP TABLE events'] }), /cannot be broken down by/);
      rejects(catalog, plan({ filters: { "region') OR 1=1 --": ['EU'] } }), /cannot be broken down by/);
      rejects(catalog, plan({ grain: 'day', tz: "UTC') --" }), /not an IANA time zone/);
    });

    test('output columns follow the contract: dims, bucket, value, baseline, change', () => {
      const c = compile(
        plan({
          by: ['channel'],
          grain: 'hour',
          compare: 'same_period_last_week',
          compare_from: '2026-11-14T00:00:00Z',
          compare_to: '2026-11-15T00:00:00Z',
        }),
        catalog,
      );
      assert.match(c.sql, /SELECT channel, formatDateTime\(b, '%Y-%m-%dT%H:%i:%SZ', 'UTC'\) AS bucket, .* AS value, .* AS baseline, .* AS change/);
      assert.match(c.sql, /ORDER BY b, channel/);
    });

    test('a ratio divides with nullIf, so a zero denominator is "no data", not an error', () => {
      const c = compile(plan({ metric: 'conversion_rate' }), catalog);
      assert.match(c.sql, /nullIf\(/);
    });
  });

  describe('coverWindow', () => {
    const levels = ['minute', 'hour', 'day'] as const;

    /** Every property a cover must have; returns the problems found. */
    function coverProblems(fromMs: number, toMs: number, level: (typeof levels)[number], segs: Segment[]): string[] {
      const problems: string[] = [];
      const from = Math.floor(fromMs / MINUTE) * MINUTE;
      const to = Math.ceil(toMs / MINUTE) * MINUTE;
      if (to <= from) return segs.length === 0 ? [] : ['an empty window must have no segments'];
      if (segs.length === 0) return ['no segments for a non-empty window'];
      if (segs[0]!.fromMs !== from) problems.push(`starts at ${segs[0]!.fromMs}, not at the window start rounded down to a minute (${from})`);
      if (segs[segs.length - 1]!.toMs !== to) problems.push(`ends at ${segs[segs.length - 1]!.toMs}, not at the window end rounded up to a minute (${to})`);
      segs.forEach((s, i) => {
        const size = SIZE_MS[s.level]!;
        if (!(s.fromMs < s.toMs)) problems.push(`segment ${i} is empty or inverted`);
        if (s.fromMs % size !== 0 || s.toMs % size !== 0) problems.push(`segment ${i} (${s.level}) is not aligned to its rollup's buckets`);
        if (LEVEL_INDEX[s.level]! > LEVEL_INDEX[level]!) problems.push(`segment ${i} reads ${s.level}, coarser than the allowed ${level}`);
        const next = segs[i + 1];
        if (next && next.fromMs !== s.toMs) problems.push(`gap or overlap between segments ${i} and ${i + 1}: ${s.toMs} → ${next.fromMs}`);
        // Coarsest first: a finer segment never holds a whole bucket of a coarser allowed level.
        for (let j = LEVEL_INDEX[s.level]! + 1; j <= LEVEL_INDEX[level]!; j++) {
          const coarse = ROLLUPS[j]!.seconds * 1000;
          if (Math.ceil(s.fromMs / coarse) * coarse + coarse <= s.toMs) problems.push(`segment ${i} (${s.level}) holds a whole ${ROLLUPS[j]!.level}`);
        }
      });
      if (segs.length > 2 * LEVEL_INDEX[level]! + 1) problems.push(`${segs.length} segments; at most ${2 * LEVEL_INDEX[level]! + 1} are needed`);
      return problems;
    }

    test('tiles the example window from the module comment: minutes, hours, days, hours, minutes', () => {
      const segs = coverWindow(at('2026-11-20T09:17:00Z'), at('2026-11-23T14:05:00Z'), 'day');
      assert.deepEqual(
        segs.map((s) => [s.level, new Date(s.fromMs).toISOString(), new Date(s.toMs).toISOString()]),
        [
          ['minute', '2026-11-20T09:17:00.000Z', '2026-11-20T10:00:00.000Z'],
          ['hour', '2026-11-20T10:00:00.000Z', '2026-11-21T00:00:00.000Z'],
          ['day', '2026-11-21T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
          ['hour', '2026-11-23T00:00:00.000Z', '2026-11-23T14:00:00.000Z'],
          ['minute', '2026-11-23T14:00:00.000Z', '2026-11-23T14:05:00.000Z'],
        ],
      );
    });

    test('rounds edges outward to whole minutes and returns nothing for an empty window', () => {
      const segs = coverWindow(at('2026-11-20T09:17:30.500Z'), at('2026-11-20T09:20:00.001Z'), 'day');
      assert.deepEqual(segs, [{ level: 'minute', fromMs: at('2026-11-20T09:17:00Z'), toMs: at('2026-11-20T09:21:00Z') }]);
      assert.deepEqual(coverWindow(at('2026-11-20T09:17:00Z'), at('2026-11-20T09:17:00Z'), 'day'), []);
      assert.deepEqual(coverWindow(at('2026-11-20T09:18:00Z'), at('2026-11-20T09:17:00Z'), 'day'), []);
    });

    test('a window of whole days at day level is one day segment', () => {
      assert.deepEqual(coverWindow(at('2026-11-01T00:00:00Z'), at('2026-12-01T00:00:00Z'), 'day'), [
        { level: 'day', fromMs: at('2026-11-01T00:00:00Z'), toMs: at('2026-12-01T00:00:00Z') },
      ]);
      assert.deepEqual(
        coverWindow(at('2026-11-01T00:00:00Z'), at('2026-11-03T00:00:00Z'), 'hour').map((s) => s.level),
        ['hour'],
      );
    });

    test('tiles 3000 random windows exactly, without gaps or overlaps, at every level', () => {
      const rnd = mulberry32(7);
      const base = at('2026-01-01T00:00:00Z');
      const problems: string[] = [];
      for (let i = 0; i < 3000; i++) {
        // A mix of sub-minute, sub-hour, multi-hour and multi-week windows, some aligned.
        const span = [MINUTE / 2, 90 * MINUTE, 30 * HOUR, 40 * DAY][i % 4]!;
        let fromMs = base + Math.floor(rnd() * 300 * DAY);
        let toMs = fromMs + Math.floor(rnd() * span);
        if (i % 5 === 0) fromMs = Math.floor(fromMs / HOUR) * HOUR;
        if (i % 7 === 0) toMs = Math.ceil(toMs / DAY) * DAY;
        for (const level of levels) {
          const segs = coverWindow(fromMs, toMs, level);
          for (const p of coverProblems(fromMs, toMs, level, segs)) {
            problems.push(`[${new Date(fromMs).toISOString()}, ${new Date(toMs).toISOString()}) at ${level}: ${p}`);
          }
        }
      }
      assert.deepEqual(problems.slice(0, 10), []);
    });
  });

  describe('rollup level', () => {
    const instants = [at('2026-11-20T09:17:00Z'), at('2026-11-23T14:05:00Z')];

    test('a total reads day rollups whatever the zone', () => {
      for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata']) assert.equal(maxRollupLevel(null, tz, instants), 'day');
    });

    test('day, week and month grains read day rollups only in UTC', () => {
      for (const grain of ['day', 'week', 'month']) {
        assert.equal(maxRollupLevel(grain, 'UTC', instants), 'day', grain);
        assert.equal(maxRollupLevel(grain, 'Etc/UTC', instants), 'day', grain);
        assert.equal(maxRollupLevel(grain, 'America/New_York', instants), 'hour', grain);
        assert.equal(maxRollupLevel(grain, 'Europe/Berlin', instants), 'hour', grain);
        assert.equal(maxRollupLevel(grain, 'Asia/Kolkata', instants), 'minute', grain);
      }
    });

    test('hour grain reads hour rollups in whole-hour zones and minute rollups in Asia/Kolkata', () => {
      assert.equal(maxRollupLevel('hour', 'UTC', instants), 'hour');
      assert.equal(maxRollupLevel('hour', 'America/New_York', instants), 'hour');
      assert.equal(maxRollupLevel('hour', 'Asia/Kolkata', instants), 'minute');
      assert.equal(maxRollupLevel('hour', 'Asia/Kathmandu', instants), 'minute');
      assert.equal(maxRollupLevel('hour', 'America/St_Johns', instants), 'minute');
    });

    test('minute grain always reads minute rollups', () => {
      assert.equal(maxRollupLevel('minute', 'UTC', instants), 'minute');
    });

    test('tzOffsetMinutes follows daylight saving', () => {
      assert.equal(tzOffsetMinutes('America/New_York', at('2026-10-31T12:00:00Z')), -240);
      assert.equal(tzOffsetMinutes('America/New_York', at('2026-11-02T12:00:00Z')), -300);
      assert.equal(tzOffsetMinutes('Asia/Kolkata', at('2026-11-02T12:00:00Z')), 330);
      assert.equal(tzOffsetMinutes('UTC', at('2026-11-02T12:00:00Z')), 0);
    });

    test('compile reads the tables the level allows', () => {
      const days = { from: '2026-11-16T00:00:00Z', to: '2026-11-21T00:00:00Z' };
      assert.deepEqual(compile(plan({ ...days, grain: 'day' }), catalog).rollups, ['rollup_1d']);
      assert.deepEqual(compile(plan({ ...days, grain: 'week' }), catalog).rollups, ['rollup_1d']);
      assert.deepEqual(compile(plan({ ...days, grain: 'day', tz: 'America/New_York' }), catalog).rollups, ['rollup_1h']);
      assert.deepEqual(compile(plan({ ...days, grain: 'hour', tz: 'Asia/Kolkata' }), catalog).rollups, ['rollup_1m']);
      assert.deepEqual(compile(plan({ ...days, grain: 'day', tz: 'Asia/Kolkata' }), catalog).rollups, ['rollup_1m']);
      assert.deepEqual(compile(plan({ from: '2026-11-20T09:17:00Z', to: '2026-11-23T14:05:00Z' }), catalog).rollups, ['rollup_1d', 'rollup_1h', 'rollup_1m']);
      assert.deepEqual(compile(plan({ from: '2026-11-20T09:17:00Z', to: '2026-11-20T09:47:00Z', grain: 'minute' }), catalog).rollups, ['rollup_1m']);
    });

    test('a baseline shifted by a part of an hour is not read from hour rollups (buckets would split)', () => {
      // The baseline is moved onto the asked window by from − compare_from = 2 h 30 min; an
      // hour rollup row moved by that would straddle two hour buckets, so it must be read from
      // minute rollups (rollup-equivalence.test.ts checks the numbers).
      const c = compile(
        plan({
          from: '2026-10-30T10:20:00Z',
          to: '2026-10-30T12:50:00Z',
          grain: 'hour',
          compare: 'previous_period',
          compare_from: '2026-10-30T07:50:00Z',
          compare_to: '2026-10-30T10:20:00Z',
        }),
        catalog,
      );
      const baseSelects = c.sql.split('\n').filter((l) => l.includes("'base' AS period"));
      assert.ok(baseSelects.length > 0);
      for (const l of baseSelects) assert.match(l, /FROM rollup_1m /, `baseline read from a coarser rollup: ${l.trim()}`);
    });

    test('a zone whose offset is whole hours at both edges but not in between is read from minute rollups', () => {
      // Australia/Lord_Howe is +11:00 in March and October but +10:30 from April to
      // September: whole hours at both edges, yet its days in between start at hh:30 UTC.
      const c = compile(plan({ from: '2026-03-01T00:00:00Z', to: '2026-10-15T00:00:00Z', grain: 'day', tz: 'Australia/Lord_Howe' }), catalog);
      assert.deepEqual(c.rollups, ['rollup_1m']);
    });
  });
});
