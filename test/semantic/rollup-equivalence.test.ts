/**
 * The key correctness test of the semantic layer: for every metric in the catalog, what
 * runPlan reads from the rollups equals what a hand-written query over the raw `events`
 * table says, for totals, every grain, time zones, filters, group-bys, top-N and comparisons.
 *
 * The dataset is generated here from a seeded PRNG (deterministic), ingested through the real
 * IngestPipeline (validate → pseudonymise → batch → dedupe → insert → materialized views).
 * Windows start and end on whole minutes (rollups bucket at minutes; edges round outward by
 * design) while events carry random seconds and milliseconds, plus events placed exactly on
 * and 1 ms before every window edge.
 *
 * The raw side is written by hand per metric id (RAW below): it does not reuse the catalog's
 * formulas or the compiler, so a wrong measure, formula, filter, bucket or rollup segment in
 * src/ shows up as a difference. A catalog metric without a RAW entry fails the test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IngestPipeline } from '../../src/ingest/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { loadCatalog, runPlan, type Catalog, type Metric, type PlanInput, type PlanRow } from '../../src/semantic/index.js';
import { Store, connect, createPseudonymiser } from '../../src/store/index.js';
import { mulberry32 } from '../support/random.js';

const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Hand-written raw SQL per metric. `p` is the SQL condition selecting the period's rows
// (`period = 'cur'` or `period = 'base'`). Division by zero means "no data" (NULL), as the
// catalog documents. `kind` sets the tolerance: exact (counts, sums, ratios of them),
// quantile (t-digest in the rollups vs quantileExact here), uniq (HyperLogLog-ish vs exact).
// ---------------------------------------------------------------------------------------------
type Kind = 'exact' | 'quantile' | 'uniq';
interface RawMetric {
  /** Event types whose rows make a group exist (the metric's events). */
  types: string[];
  kind: Kind;
  sql: (p: string) => string;
}

const div = (a: string, b: string) => `(${a}) / nullIf(${b}, 0)`;
const cnt = (type: string, p: string) => `countIf(type = '${type}' AND ${p})`;
const sum = (type: string, field: string, p: string) => `sumIf(measures['${field}'], type = '${type}' AND ${p})`;

const RAW: Record<string, RawMetric> = {
  revenue: { types: ['order_placed'], kind: 'exact', sql: (p) => sum('order_placed', 'revenue', p) },
  orders: { types: ['order_placed'], kind: 'exact', sql: (p) => cnt('order_placed', p) },
  aov: { types: ['order_placed'], kind: 'exact', sql: (p) => div(sum('order_placed', 'revenue', p), cnt('order_placed', p)) },
  customers: {
    types: ['order_placed'],
    kind: 'uniq',
    sql: (p) => `uniqExactIf(user_id, type = 'order_placed' AND user_id != '' AND ${p})`,
  },
  sessions: { types: ['session_started'], kind: 'exact', sql: (p) => cnt('session_started', p) },
  conversion_rate: {
    types: ['order_placed', 'session_started'],
    kind: 'exact',
    sql: (p) => div(cnt('order_placed', p), cnt('session_started', p)),
  },
  cart_abandonment_rate: {
    types: ['cart_created', 'order_placed'],
    kind: 'exact',
    sql: (p) => `1 - ${div(cnt('order_placed', p), cnt('cart_created', p))}`,
  },
  checkout_errors: { types: ['checkout_error'], kind: 'exact', sql: (p) => cnt('checkout_error', p) },
  checkout_error_rate: {
    types: ['checkout_error', 'checkout_started'],
    kind: 'exact',
    sql: (p) => div(cnt('checkout_error', p), cnt('checkout_started', p)),
  },
  payment_failures: { types: ['payment_failed'], kind: 'exact', sql: (p) => cnt('payment_failed', p) },
  impressions: { types: ['ad_stats'], kind: 'exact', sql: (p) => sum('ad_stats', 'impressions', p) },
  clicks: { types: ['ad_stats'], kind: 'exact', sql: (p) => sum('ad_stats', 'clicks', p) },
  ctr: { types: ['ad_stats'], kind: 'exact', sql: (p) => div(sum('ad_stats', 'clicks', p), sum('ad_stats', 'impressions', p)) },
  roas: {
    types: ['ad_stats'],
    kind: 'exact',
    sql: (p) => div(sum('ad_stats', 'attributed_revenue', p), sum('ad_stats', 'spend', p)),
  },
  cpc: { types: ['ad_stats'], kind: 'exact', sql: (p) => div(sum('ad_stats', 'spend', p), sum('ad_stats', 'clicks', p)) },
  ad_spend: { types: ['ad_stats'], kind: 'exact', sql: (p) => sum('ad_stats', 'spend', p) },
  signups: { types: ['signup'], kind: 'exact', sql: (p) => cnt('signup', p) },
  leads: { types: ['lead'], kind: 'exact', sql: (p) => cnt('lead', p) },
  deliveries: { types: ['delivery_attempted'], kind: 'exact', sql: (p) => cnt('delivery_attempted', p) },
  delivery_success_rate: {
    types: ['delivery_attempted'],
    kind: 'exact',
    sql: (p) => div(sum('delivery_attempted', 'success', p), cnt('delivery_attempted', p)),
  },
  requests: { types: ['http_request'], kind: 'exact', sql: (p) => cnt('http_request', p) },
  error_rate: {
    types: ['http_request'],
    kind: 'exact',
    sql: (p) => div(`countIf(type = 'http_request' AND dims['status_class'] = '5xx' AND ${p})`, cnt('http_request', p)),
  },
  p95_latency_ms: {
    types: ['http_request'],
    kind: 'quantile',
    sql: (p) =>
      `if(${cnt('http_request', p)} = 0, NULL, quantileExactIf(0.95)(measures['latency_ms'], type = 'http_request' AND ${p}))`,
  },
};

/** Levels of the exact latency distribution fetched to judge small-sample p95 by rank. */
const RANK_LEVELS = [0.5, 0.8, 0.85, 0.88, 0.9, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1] as const;

// ---------------------------------------------------------------------------------------------
// Deterministic dataset
// ---------------------------------------------------------------------------------------------
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tuesday; the data spans a month boundary and New York's DST end (2026-11-01). */
const START_MS = Date.UTC(2026, 9, 27);
const DAYS = 10;
const END_MS = START_MS + DAYS * DAY;
const RANDOM_EVENTS = 100_000;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const at = (s: string) => Date.parse(s);


const REGION_COUNTRIES: Record<string, string[]> = {
  NA: ['US', 'CA', 'MX'],
  EU: ['GB', 'DE', 'FR', 'ES', 'NL'],
  LATAM: ['BR', 'AR'],
  APAC: ['JP', 'SG', 'AU', 'IN'],
};

interface RawEvent {
  id: string;
  ts: string | number;
  type: string;
  source?: string;
  user_id?: string;
  dims: Record<string, string>;
  measures?: Record<string, number>;
}

function generateEvents(seed: number, count: number, edgeInstants: readonly number[]): RawEvent[] {
  const rnd = mulberry32(seed);
  const weighted = <T,>(items: ReadonlyArray<readonly [T, number]>): T => {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = rnd() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![0];
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

  const geo = () => {
    const region = weighted([['NA', 4], ['EU', 3], ['APAC', 2], ['LATAM', 1]] as const);
    return { region, country: pick(REGION_COUNTRIES[region]!) };
  };
  const device = () => weighted([['mobile', 5], ['desktop', 4], ['tablet', 1]] as const);
  const marketing = (): Record<string, string> => {
    const channel = weighted([['google', 35], ['meta', 25], ['email', 15], ['organic', 15], ['tiktok', 10]] as const);
    const d: Record<string, string> = { channel, ...geo(), device: device() };
    // Organic and most email traffic has no campaign: the dim is absent, i.e. '' in the rollups.
    if (channel !== 'organic' && (channel !== 'email' || rnd() < 0.3)) {
      d.campaign = weighted([['black-friday-2026', 4], ['cyber-monday-2026', 3], ['brand-always-on', 2], ['retargeting-q4', 1]] as const);
    }
    return d;
  };
  const gateway = () => weighted([['stripe', 6], ['adyen', 3], ['paypal', 1]] as const);
  const category = () => weighted([['electronics', 5], ['apparel', 4], ['home', 3], ['beauty', 2], ['sports', 1]] as const);
  const user = (): string | undefined => (rnd() < 0.1 ? undefined : `user-${Math.floor(rnd() * 4000)}@example.com`);

  const make = (type: string): Omit<RawEvent, 'id' | 'ts'> => {
    switch (type) {
      case 'session_started':
      case 'cart_created':
        return { type, user_id: user(), dims: marketing() };
      case 'checkout_started':
        return { type, user_id: user(), dims: { ...marketing(), payment_gateway: gateway() } };
      case 'checkout_error':
        return { type, dims: { ...geo(), device: device(), payment_gateway: gateway() } };
      case 'payment_failed':
        return { type, dims: { ...geo(), device: device(), payment_gateway: gateway() }, measures: { amount: round(5 + rnd() * 400, 2) } };
      case 'order_placed':
        return {
          type,
          user_id: user(),
          dims: { ...marketing(), product_category: category(), payment_gateway: gateway() },
          measures: { revenue: round(5 + Math.exp(4 + gauss() * 0.7), 2), items: 1 + Math.floor(rnd() * 5) },
        };
      case 'ad_stats': {
        const impressions = 100 + Math.floor(rnd() * 5000);
        const clicks = Math.floor(impressions * rnd() * 0.08);
        return {
          type,
          source: 'ads',
          dims: marketing(),
          measures: { spend: round(clicks * (0.2 + rnd() * 1.5), 4), impressions, clicks, attributed_revenue: round(clicks * rnd() * 6, 3) },
        };
      }
      case 'signup':
        return { type, user_id: user(), dims: { ...marketing(), plan: weighted([['free', 6], ['pro', 3], ['enterprise', 1]] as const) } };
      case 'lead':
        return {
          type,
          user_id: user(),
          dims: { ...marketing(), plan: weighted([['free', 6], ['pro', 3], ['enterprise', 1]] as const) },
          measures: { score: Math.floor(rnd() * 100) },
        };
      case 'delivery_attempted':
        return {
          type,
          dims: { carrier: weighted([['dhl', 4], ['dpd', 3], ['ups', 2], ['fedex', 1]] as const), ...geo(), product_category: category() },
          measures: { success: rnd() < 0.87 ? 1 : 0 },
        };
      case 'http_request': {
        const statusClass = weighted([['2xx', 80], ['3xx', 5], ['4xx', 9], ['5xx', 6]] as const);
        const service = weighted([['checkout-api', 4], ['payments-api', 3], ['search-api', 2], ['auth-api', 1]] as const);
        const slow = statusClass === '5xx' ? 3 : service === 'payments-api' ? 1.8 : 1;
        return {
          type,
          source: 'apm',
          dims: { service, region: geo().region, status_class: statusClass },
          measures: { latency_ms: round(Math.exp(3.6 + gauss() * 0.8) * slow, 3) },
        };
      }
      default:
        // Not in the catalog: stored raw, never rolled up.
        return { type, user_id: user(), dims: { region: geo().region } };
    }
  };

  const TYPES = [
    ['session_started', 20],
    ['cart_created', 8],
    ['checkout_started', 6],
    ['checkout_error', 2],
    ['payment_failed', 2],
    ['order_placed', 8],
    ['ad_stats', 10],
    ['signup', 3],
    ['lead', 3],
    ['delivery_attempted', 8],
    ['http_request', 30],
    ['page_view', 1],
  ] as const;

  const out: RawEvent[] = [];
  const stamp = (tsMs: number): string | number => (rnd() < 0.5 ? tsMs : new Date(tsMs).toISOString());
  for (let i = 0; i < count; i++) {
    const tsMs = START_MS + Math.floor(rnd() * (END_MS - START_MS));
    out.push({ id: `ev-${i}`, ts: stamp(tsMs), source: 'shop', ...make(weighted(TYPES)) });
  }
  // On every window edge and 1 ms before it, one event of each type: inclusive `from`,
  // exclusive `to`, minute bucketing of the last millisecond.
  let e = 0;
  for (const edge of edgeInstants) {
    for (const tsMs of [edge, edge - 1]) {
      for (const [type] of TYPES) out.push({ id: `edge-${e++}`, ts: stamp(tsMs), source: 'shop', ...make(type) });
    }
  }
  // The envelope lets user_id be absent; drop undefined keys so the JSON is what producers send.
  for (const ev of out) if (ev.user_id === undefined) delete ev.user_id;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------
type Grain = 'minute' | 'hour' | 'day' | 'week' | 'month' | null;
type CompareKind = 'previous_period' | 'same_period_last_week';
interface Query {
  by: string[];
  filters: Record<string, string[]>;
  from: string;
  to: string;
  grain: Grain;
  tz?: string;
  compare?: { kind: CompareKind; from: string; to: string };
  top?: { n: number; order: 'asc' | 'desc' };
}

interface Scenario {
  name: string;
  query: (m: Metric, catalog: Catalog) => Query;
  /** Rollup tables the compiled query must read (asserted for every metric). */
  rollups?: string[];
}

const W_RAGGED = { from: '2026-10-28T09:17:00Z', to: '2026-11-01T14:05:00Z' }; // day 2 09:17 → day 6 14:05
const W_MINUTE = { from: '2026-10-29T10:43:00Z', to: '2026-10-29T11:24:00Z' };
const W_HOUR = { from: '2026-10-30T03:17:00Z', to: '2026-10-31T09:41:00Z' };
const W_DAY = { from: '2026-10-27T06:30:00Z', to: '2026-11-05T18:45:00Z' };
const W_NY = { from: '2026-10-28T07:13:00Z', to: '2026-11-04T16:41:00Z' }; // spans NY's DST end
const W_KOLKATA_DAY = { from: '2026-10-28T11:11:00Z', to: '2026-11-02T20:52:00Z' };
const W_KOLKATA_HOUR = { from: '2026-10-31T02:07:00Z', to: '2026-10-31T13:53:00Z' };
const C_PREV_TOTAL = { from: '2026-11-01T09:17:00Z', to: '2026-11-04T14:05:00Z', cf: '2026-10-29T04:29:00Z', ct: '2026-11-01T09:17:00Z' };
const C_PREV_DAY = { from: '2026-11-02T00:00:00Z', to: '2026-11-05T00:00:00Z', cf: '2026-10-30T00:00:00Z', ct: '2026-11-02T00:00:00Z' };
const C_WEEK_NY = { from: '2026-11-03T05:00:00Z', to: '2026-11-05T17:32:00Z', cf: '2026-10-27T05:00:00Z', ct: '2026-10-29T17:32:00Z' };
const C_WEEK_TOTAL = { from: '2026-11-03T09:17:00Z', to: '2026-11-05T14:05:00Z', cf: '2026-10-27T09:17:00Z', ct: '2026-10-29T14:05:00Z' };
/** 150 minutes by hour vs the 150 minutes before: the baseline shift is not a whole hour. */
const C_PREV_HOUR = { from: '2026-10-30T10:20:00Z', to: '2026-10-30T12:50:00Z', cf: '2026-10-30T07:50:00Z', ct: '2026-10-30T10:20:00Z' };

const EDGES = [
  START_MS,
  ...[W_RAGGED, W_MINUTE, W_HOUR, W_DAY, W_NY, W_KOLKATA_DAY, W_KOLKATA_HOUR].flatMap((w) => [at(w.from), at(w.to)]),
  ...[C_PREV_TOTAL, C_PREV_DAY, C_WEEK_NY, C_WEEK_TOTAL, C_PREV_HOUR].flatMap((w) => [at(w.from), at(w.to), at(w.cf), at(w.ct)]),
];

/** A dimension of the metric other than `region` (every catalog metric can be cut by region). */
function otherDim(m: Metric): string {
  const d = m.dimensions.find((x) => x !== 'region');
  assert.ok(d, `${m.id} has no dimension besides region`);
  return d;
}
function twoValues(catalog: Catalog, dim: string): string[] {
  const values = catalog.dimensions[dim]?.values ?? [];
  assert.ok(values.length >= 2, `dimension ${dim} lists fewer than two values`);
  return values.slice(0, 2);
}
const base = (w: { from: string; to: string }): Query => ({ by: [], filters: {}, from: w.from, to: w.to, grain: null });
const ALL_LEVELS = ['rollup_1d', 'rollup_1h', 'rollup_1m'];

const SCENARIOS: Scenario[] = [
  { name: 'total over a ragged window (minute + hour + day segments)', query: () => base(W_RAGGED), rollups: ALL_LEVELS },
  { name: 'total over the whole dataset', query: () => base({ from: iso(START_MS), to: iso(END_MS) }), rollups: ['rollup_1d'] },
  { name: 'minute grain over 41 minutes crossing an hour', query: () => ({ ...base(W_MINUTE), grain: 'minute' }), rollups: ['rollup_1m'] },
  { name: 'hour grain, UTC, ragged edges', query: () => ({ ...base(W_HOUR), grain: 'hour' }), rollups: ['rollup_1h', 'rollup_1m'] },
  { name: 'day grain, UTC, ragged edges', query: () => ({ ...base(W_DAY), grain: 'day' }), rollups: ALL_LEVELS },
  { name: 'week grain, UTC (weeks start Monday)', query: () => ({ ...base({ from: iso(START_MS), to: iso(END_MS) }), grain: 'week' }) },
  { name: 'month grain, UTC, across a month boundary', query: () => ({ ...base({ from: iso(START_MS), to: iso(END_MS) }), grain: 'month' }) },
  {
    name: 'day grain in America/New_York across the DST change (hour segments)',
    query: () => ({ ...base(W_NY), grain: 'day', tz: 'America/New_York' }),
    rollups: ['rollup_1h', 'rollup_1m'],
  },
  {
    name: 'week grain in America/New_York',
    query: () => ({ ...base({ from: iso(START_MS), to: iso(END_MS) }), grain: 'week', tz: 'America/New_York' }),
  },
  {
    name: 'day grain in Asia/Kolkata (half-hour offset: minute segments only)',
    query: () => ({ ...base(W_KOLKATA_DAY), grain: 'day', tz: 'Asia/Kolkata' }),
    rollups: ['rollup_1m'],
  },
  {
    name: 'hour grain in Asia/Kolkata',
    query: () => ({ ...base(W_KOLKATA_HOUR), grain: 'hour', tz: 'Asia/Kolkata' }),
    rollups: ['rollup_1m'],
  },
  {
    name: 'month grain in Asia/Kolkata',
    query: () => ({ ...base({ from: iso(START_MS), to: iso(END_MS) }), grain: 'month', tz: 'Asia/Kolkata' }),
  },
  { name: 'filter with one value', query: () => ({ ...base(W_RAGGED), filters: { region: ['EU'] } }) },
  {
    name: 'filters with several values on two dimensions, day grain',
    query: (m, c) => ({ ...base(W_DAY), grain: 'day', filters: { region: ['NA', 'APAC'], [otherDim(m)]: twoValues(c, otherDim(m)) } }),
  },
  { name: 'group by one dimension', query: (m) => ({ ...base(W_RAGGED), by: [m.dimensions[0]!] }) },
  { name: 'group by two dimensions', query: (m) => ({ ...base(W_RAGGED), by: ['region', otherDim(m)] }) },
  { name: 'group by one dimension, hour grain', query: () => ({ ...base(W_HOUR), grain: 'hour', by: ['region'] }) },
  {
    name: 'group by two dimensions with a filter, day grain in New York',
    query: (m) => ({ ...base(W_NY), grain: 'day', tz: 'America/New_York', by: [otherDim(m), 'region'], filters: { region: ['NA', 'EU', 'LATAM'] } }),
  },
  { name: 'top 3 desc', query: (m) => ({ ...base(W_RAGGED), by: [otherDim(m)], top: { n: 3, order: 'desc' } }) },
  { name: 'top 2 asc', query: () => ({ ...base(W_RAGGED), by: ['region'], top: { n: 2, order: 'asc' } }) },
  {
    name: 'top 2 desc with a day series',
    query: (m) => ({ ...base(W_DAY), grain: 'day', by: [otherDim(m)], top: { n: 2, order: 'desc' } }),
  },
  {
    name: 'previous_period total by region (ragged windows)',
    query: () => ({
      ...base(C_PREV_TOTAL),
      by: ['region'],
      compare: { kind: 'previous_period', from: C_PREV_TOTAL.cf, to: C_PREV_TOTAL.ct },
    }),
  },
  {
    name: 'previous_period by day (UTC days)',
    query: () => ({ ...base(C_PREV_DAY), grain: 'day', compare: { kind: 'previous_period', from: C_PREV_DAY.cf, to: C_PREV_DAY.ct } }),
  },
  {
    name: 'same_period_last_week by day in America/New_York (baseline before the DST change)',
    query: () => ({
      ...base(C_WEEK_NY),
      grain: 'day',
      tz: 'America/New_York',
      compare: { kind: 'same_period_last_week', from: C_WEEK_NY.cf, to: C_WEEK_NY.ct },
    }),
  },
  {
    name: 'same_period_last_week total by a dimension with a filter',
    query: (m) => ({
      ...base(C_WEEK_TOTAL),
      by: [otherDim(m)],
      filters: { region: ['NA', 'EU'] },
      compare: { kind: 'same_period_last_week', from: C_WEEK_TOTAL.cf, to: C_WEEK_TOTAL.ct },
    }),
  },
  {
    // Baseline rows are moved onto the asked window by from − compare_from = 2 h 30 min; an
    // hour rollup row moved by that lands in one hour bucket while its events span two.
    name: 'previous_period by hour when the shift is not a whole hour',
    query: () => ({ ...base(C_PREV_HOUR), grain: 'hour', compare: { kind: 'previous_period', from: C_PREV_HOUR.cf, to: C_PREV_HOUR.ct } }),
  },
];

function toPlan(metric: string, q: Query): PlanInput {
  return {
    metric,
    by: q.by,
    filters: q.filters,
    from: q.from,
    to: q.to,
    grain: q.grain,
    compare: q.compare?.kind ?? null,
    compare_from: q.compare?.from ?? null,
    compare_to: q.compare?.to ?? null,
    top: q.top ?? null,
    ...(q.tz ? { tz: q.tz } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Raw side
// ---------------------------------------------------------------------------------------------

/**
 * A local wall-clock label for a bucket, computed here in ClickHouse from each event's own
 * (shifted) timestamp with formatting functions, independent of the compiler's bucket SQL.
 */
function rawBucketLabel(grain: Grain, tz: string): string | undefined {
  const z = `'${tz}'`;
  switch (grain) {
    case null:
      return undefined;
    case 'minute':
      return `formatDateTime(tt, '%Y-%m-%d %H:%i', ${z})`;
    case 'hour':
      return `formatDateTime(tt, '%Y-%m-%d %H:00', ${z})`;
    case 'day':
      return `formatDateTime(tt, '%Y-%m-%d 00:00', ${z})`;
    case 'week':
      return `concat(toString(toMonday(toDate(tt, ${z}))), ' 00:00')`;
    case 'month':
      return `formatDateTime(tt, '%Y-%m-01 00:00', ${z})`;
  }
}

/** The same label for a rollup row's `bucket` (an ISO instant), via Intl. */
function localLabel(isoInstant: string, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(isoInstant));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '??';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

interface RawRow {
  [k: string]: string | number | number[] | null;
}

function rawQuery(raw: RawMetric, q: Query): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { types: raw.types };
  const periods = [{ name: 'cur', from: at(q.from), to: at(q.to), shiftMs: 0 }];
  if (q.compare) periods.push({ name: 'base', from: at(q.compare.from), to: at(q.compare.to), shiftMs: at(q.from) - at(q.compare.from) });
  const sub = periods.map((p, i) => {
    params[`p${i}_from`] = p.from;
    params[`p${i}_to`] = p.to;
    const tt = p.shiftMs === 0 ? 'ts' : `addMilliseconds(ts, ${p.shiftMs})`;
    return (
      `SELECT '${p.name}' AS period, ${tt} AS tt, type, user_id, dims, measures FROM events` +
      ` WHERE ts >= fromUnixTimestamp64Milli({p${i}_from:Int64}) AND ts < fromUnixTimestamp64Milli({p${i}_to:Int64})`
    );
  });
  const where = ['type IN {types:Array(String)}'];
  Object.entries(q.filters).forEach(([dim, values], i) => {
    params[`f${i}`] = values;
    where.push(`dims['${dim}'] IN {f${i}:Array(String)}`);
  });
  const label = rawBucketLabel(q.grain, q.tz ?? 'UTC');
  const keys = [...q.by.map((d, i) => `dims['${d}'] AS k${i}`), ...(label ? [`${label} AS bucket_label`] : [])];
  const cols = [...keys, `toNullable(toFloat64(${raw.sql("period = 'cur'")})) AS value`, "countIf(period = 'cur') AS n_cur"];
  if (q.compare) cols.push(`toNullable(toFloat64(${raw.sql("period = 'base'")})) AS baseline`, "countIf(period = 'base') AS n_base");
  if (raw.kind === 'quantile') {
    const levels = RANK_LEVELS.join(', ');
    cols.push(`quantilesExactIf(${levels})(measures['latency_ms'], type = 'http_request' AND period = 'cur') AS q_cur`);
    if (q.compare) cols.push(`quantilesExactIf(${levels})(measures['latency_ms'], type = 'http_request' AND period = 'base') AS q_base`);
  }
  const groupBy = keys.length > 0 ? `\nGROUP BY ${keys.map((k) => k.split(' AS ')[1]).join(', ')}` : '';
  return { sql: `SELECT ${cols.join(', ')}\nFROM (${sub.join('\nUNION ALL\n')})\nWHERE ${where.join(' AND ')}${groupBy}`, params };
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const fmt = (v: number | null) => (v === null ? 'null' : String(v));

/** Why `actual` is not close enough to the raw value, or undefined when it is. */
function mismatch(kind: Kind, actual: number | null, expected: number | null, n: number, ranks: number[] | undefined): string | undefined {
  if (actual === null || expected === null) return actual === expected ? undefined : `${fmt(actual)} vs raw ${fmt(expected)}`;
  if (!Number.isFinite(actual)) return `${actual} vs raw ${expected}`;
  const rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  switch (kind) {
    case 'exact':
      return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)) ? undefined : `${actual} vs raw ${expected} (exact)`;
    case 'uniq':
      return rel <= 0.02 ? undefined : `${actual} vs raw ${expected} (uniq: ${(rel * 100).toFixed(2)}% off, allowed 2%)`;
    case 'quantile': {
      if (n >= 200) return rel <= 0.05 ? undefined : `${actual} vs raw ${expected} (p95 of ${n}: ${(rel * 100).toFixed(2)}% off, allowed 5%)`;
      // Few values: a sketch interpolates between neighbours, so judge by rank, not by value.
      const delta = 0.02 + 2 / n;
      const lowIdx = Math.max(0, RANK_LEVELS.filter((l) => l <= 0.95 - delta).length - 1);
      const highIdx = RANK_LEVELS.findIndex((l) => l >= 0.95 + delta);
      const low = ranks?.[lowIdx] ?? -Infinity;
      const high = highIdx === -1 ? Infinity : (ranks?.[highIdx] ?? Infinity);
      // t-digest keeps centroids as Float32: allow its rounding (~6e-8 relative) at the bounds.
      return actual >= low * (1 - 1e-6) && actual <= high * (1 + 1e-6)
        ? undefined
        : `${actual} vs raw ${expected} (p95 of ${n}: outside the exact quantiles [${low}, ${high}] around rank 0.95±${delta.toFixed(3)})`;
    }
  }
}

interface Diff {
  problems: string[];
}

function keyOf(values: Array<string | undefined>): string {
  return JSON.stringify(values);
}

function compareRows(metricId: string, raw: RawMetric, q: Query, rollupRows: PlanRow[], rawRows: RawRow[], diff: Diff): void {
  const tz = q.tz ?? 'UTC';
  const say = (msg: string) => diff.problems.push(`${metricId}: ${msg}`);
  const rollupKey = (r: PlanRow) => keyOf([...q.by.map((d) => String(r[d])), ...(q.grain ? [localLabel(String(r.bucket), tz)] : [])]);
  const rawKey = (r: RawRow) => keyOf([...q.by.map((_, i) => String(r[`k${i}`])), ...(q.grain ? [String(r.bucket_label)] : [])]);

  // Bucket starts must sit on the grain's local boundary (the label would hide a 00:30 start).
  if (q.grain) {
    for (const r of rollupRows) {
      const label = localLabel(String(r.bucket), tz);
      const ok =
        q.grain === 'minute' ||
        (q.grain === 'hour' ? label.endsWith(':00') : label.endsWith(' 00:00') && (q.grain !== 'month' || label.slice(8, 10) === '01'));
      if (!ok) say(`bucket ${r.bucket} is local ${label}, not the start of a ${q.grain} in ${tz}`);
      if (q.grain === 'week' && new Date(`${label.slice(0, 10)}T00:00:00Z`).getUTCDay() !== 1) say(`week bucket ${r.bucket} is not a Monday in ${tz}`);
    }
  }

  let expectedRows = rawRows;
  if (q.top && !q.grain) {
    expectedRows = sortTop(rawRows, q, 'value').slice(0, q.top.n);
  }

  const byKey = new Map(rollupRows.map((r) => [rollupKey(r), r] as const));
  if (byKey.size !== rollupRows.length) say(`duplicate keys in the rollup result (${rollupRows.length} rows, ${byKey.size} keys)`);
  const rawByKey = new Map(rawRows.map((r) => [rawKey(r), r] as const));

  if (q.top && !q.grain) {
    const got = rollupRows.map(rollupKey);
    const want = expectedRows.map(rawKey);
    if (raw.kind === 'exact') {
      if (JSON.stringify(got) !== JSON.stringify(want)) say(`top ${q.top.order} ${q.top.n}: got ${got.join(' ')}, raw says ${want.join(' ')}`);
    } else {
      // Approximate values may swap near-ties: each returned group must hold a raw value at
      // least as good as every group left out, within the metric's tolerance.
      if (got.length !== want.length) say(`top ${q.top.n}: got ${got.length} rows, raw has ${want.length}`);
      const left = rawRows.filter((r) => !got.includes(rawKey(r)));
      for (const k of got) {
        const r = rawByKey.get(k);
        if (!r) {
          say(`top ${q.top.n}: returned ${k}, which has no raw events`);
          continue;
        }
        for (const l of left) {
          const [a, b] = [num(r.value), num(l.value)];
          if (a === null || b === null) continue;
          const worse = q.top.order === 'desc' ? a < b * (1 - 0.05) : a > b * (1 + 0.05);
          if (worse) say(`top ${q.top.order}: returned ${k} (raw ${a}) although ${rawKey(l)} (raw ${b}) was left out`);
        }
      }
    }
  }

  if (!(q.top && !q.grain)) {
    // Same groups (and buckets) on both sides. For a top-N series, the raw groups are the
    // ones the rollup result chose (which groups win is checked by the caller).
    const groupOf = (k: string) => keyOf((JSON.parse(k) as string[]).slice(0, q.by.length));
    const chosen = new Set([...byKey.keys()].map(groupOf));
    if (q.top && chosen.size > q.top.n) say(`top ${q.top.n} series holds ${chosen.size} groups`);
    const wantKeys = [...rawByKey.keys()].filter((k) => !q.top || chosen.has(groupOf(k)));
    const missing = wantKeys.filter((k) => !byKey.has(k));
    const extra = [...byKey.keys()].filter((k) => !rawByKey.has(k));
    if (missing.length > 0) say(`${missing.length} group(s)/bucket(s) missing from the rollup result, e.g. ${missing.slice(0, 3).join(' ')}`);
    if (extra.length > 0) say(`${extra.length} group(s)/bucket(s) only in the rollup result, e.g. ${extra.slice(0, 3).join(' ')}`);
  }

  for (const [k, r] of byKey) {
    const e = rawByKey.get(k);
    if (!e) continue;
    const vBad = mismatch(raw.kind, num(r.value), num(e.value), Number(e.n_cur), e.q_cur as number[] | undefined);
    if (vBad) say(`${k} value: ${vBad}`);
    if (q.compare) {
      const bBad = mismatch(raw.kind, num(r.baseline), num(e.baseline), Number(e.n_base), e.q_base as number[] | undefined);
      if (bBad) say(`${k} baseline: ${bBad}`);
      // change = value / baseline − 1; null when the baseline is 0 or missing.
      const [v, b] = raw.kind === 'exact' ? [num(e.value), num(e.baseline)] : [num(r.value), num(r.baseline)];
      const wantChange = v === null || b === null || b === 0 ? null : v / b - 1;
      const gotChange = num(r.change);
      const changeBad =
        wantChange === null || gotChange === null
          ? wantChange !== gotChange
          : Math.abs(gotChange - wantChange) > 1e-9 * Math.max(1, Math.abs(wantChange));
      if (changeBad) say(`${k} change: ${fmt(gotChange)}, expected ${fmt(wantChange)}`);
    } else if ('baseline' in r || 'change' in r) {
      say(`${k}: baseline/change present without a comparison`);
    }
  }

  // Output order: buckets ascending; totals by value in the top order (desc by default).
  if (q.grain) {
    const buckets = rollupRows.map((r) => String(r.bucket));
    for (let i = 1; i < buckets.length; i++) if (buckets[i]! < buckets[i - 1]!) say(`buckets out of order at row ${i}: ${buckets[i - 1]} then ${buckets[i]}`);
  } else if (q.by.length > 0) {
    const desc = (q.top?.order ?? 'desc') === 'desc';
    const values = rollupRows.map((r) => num(r.value));
    for (let i = 1; i < values.length; i++) {
      const [a, b] = [values[i - 1]!, values[i]!];
      if (a === null && b !== null) say(`null value sorted before ${b} at row ${i}`);
      if (a !== null && b !== null && (desc ? b > a : b < a)) say(`rows not ordered by value ${desc ? 'desc' : 'asc'} at row ${i}: ${a} then ${b}`);
    }
  }
}

/** Raw rows sorted the way the contract orders top-N: by value (nulls last), then by the dims. */
function sortTop(rows: RawRow[], q: Query, col: string): RawRow[] {
  const desc = q.top?.order !== 'asc';
  return [...rows].sort((x, y) => {
    const [a, b] = [num(x[col]), num(y[col])];
    if (a === null || b === null) {
      if (a !== b) return a === null ? 1 : -1;
    } else if (a !== b) return desc ? b - a : a - b;
    for (let i = 0; i < q.by.length; i++) {
      const [s, t] = [String(x[`k${i}`]), String(y[`k${i}`])];
      if (s !== t) return s < t ? -1 : 1;
    }
    return 0;
  });
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------
describe('rollups answer like the raw events (every catalog metric)', () => {
  let dataDir: string;
  let store: Store;
  let catalog: Catalog;
  let ingested = 0;

  before(async () => {
    catalog = loadCatalog(RULES_DIR);
    dataDir = mkdtempSync(join(tmpdir(), 'opsight-rollup-eq-'));
    store = new Store(connect({ kind: 'embedded', dataDir }), silentLogger());
    await store.migrate();
    const events = generateEvents(20261121, RANDOM_EVENTS, EDGES);
    const pipeline = new IngestPipeline(store, createPseudonymiser('rollup-equivalence-key'), createMetrics(), silentLogger(), {
      batchSize: 40_000,
      now: () => END_MS + DAY,
    });
    for (let i = 0; i < events.length; i += 7_000) {
      const result = await pipeline.push(events.slice(i, i + 7_000), 'test');
      assert.deepEqual(result.rejected, [], 'the generated events are all valid');
      ingested += result.accepted;
    }
    await pipeline.close();
  });

  after(async () => {
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('every catalog metric has a hand-written raw SQL expression in this test', () => {
    const missing = Object.keys(catalog.metrics).filter((id) => !RAW[id]);
    assert.deepEqual(missing, [], `add a RAW entry for: ${missing.join(', ')}`);
    const stale = Object.keys(RAW).filter((id) => !catalog.metrics[id]);
    assert.deepEqual(stale, [], `RAW entries for metrics no longer in the catalog: ${stale.join(', ')}`);
  });

  test('stores every ingested event and rolls up every catalog type at all three levels', async () => {
    const [events] = await store.query<{ n: number }>('SELECT count() AS n FROM events');
    assert.equal(Number(events?.n), ingested);
    const perLevel = await store.query<{ level: string; n: number }>(
      `SELECT 'raw' AS level, count() AS n FROM events WHERE type != 'page_view'
       UNION ALL SELECT '1m', sum(cnt) FROM rollup_1m
       UNION ALL SELECT '1h', sum(cnt) FROM rollup_1h
       UNION ALL SELECT '1d', sum(cnt) FROM rollup_1d`,
    );
    const counts = Object.fromEntries(perLevel.map((r) => [r.level, Number(r.n)]));
    assert.deepEqual(counts, { raw: counts.raw, '1m': counts.raw, '1h': counts.raw, '1d': counts.raw });
    const [types] = await store.query<{ n: number }>('SELECT uniqExact(type) AS n FROM rollup_1d');
    assert.equal(Number(types?.n), 11, 'all 11 catalog event types are rolled up; page_view is not');
  });

  for (const scenario of SCENARIOS) {
    test(`matches raw SQL: ${scenario.name}`, async () => {
      const diff: Diff = { problems: [] };
      for (const metricId of Object.keys(catalog.metrics)) {
        const metric = catalog.metrics[metricId]!;
        const raw = RAW[metricId];
        if (!raw) {
          diff.problems.push(`${metricId}: no hand-written raw SQL in this test`);
          continue;
        }
        const q = scenario.query(metric, catalog);
        const result = await runPlan(store, catalog, toPlan(metricId, q));
        if (scenario.rollups) {
          // Distinct users live in their own family (users_*) at the same levels as rollup_*.
          const levels = (tables: readonly string[]) => [...new Set(tables.map((t) => t.replace(/^[a-z]+_/, '')))].sort();
          assert.deepEqual(levels(result.rollups), levels(scenario.rollups), `${metricId}: rollup levels read`);
        }
        const rq = rawQuery(raw, q);
        let rawRows = await store.query<RawRow>(rq.sql, rq.params);
        if (q.top && q.grain) {
          // Raw top-N: rank the groups by their total over the window, then keep their series.
          const tq = rawQuery(raw, { ...q, grain: null });
          const totals = await store.query<RawRow>(tq.sql, tq.params);
          const winners = new Set(sortTop(totals, q, 'value').slice(0, q.top.n).map((r) => keyOf(q.by.map((_, i) => String(r[`k${i}`])))));
          if (raw.kind === 'exact') {
            const got = new Set(result.rows.map((r) => keyOf(q.by.map((d) => String(r[d])))));
            if (JSON.stringify([...got].sort()) !== JSON.stringify([...winners].sort())) {
              diff.problems.push(`${metricId}: top ${q.top.n} groups ${[...got].join(' ')}, raw says ${[...winners].join(' ')}`);
            }
            rawRows = rawRows.filter((r) => winners.has(keyOf(q.by.map((_, i) => String(r[`k${i}`])))));
          }
        }
        compareRows(metricId, raw, q, result.rows, rawRows, diff);
      }
      const shown = diff.problems.slice(0, 40);
      if (diff.problems.length > shown.length) shown.push(`… and ${diff.problems.length - shown.length} more`);
      assert.equal(diff.problems.length, 0, `rollups disagree with raw events:\n  ${shown.join('\n  ')}`);
    });
  }
});
