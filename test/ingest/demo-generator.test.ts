import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLLED_UP_TYPES, validateEnvelope, type EnvelopeInput } from '../../src/ingest/envelope.js';
import type { EventSink, PushResult } from '../../src/ingest/source.js';
import {
  DemoSource,
  INCIDENT_KINDS,
  demoIncidents,
  estimateEventsPerMinute,
  generateBatches,
  generateEvents,
  generateMinute,
  type DemoEvent,
  type DemoOptions,
  type Incident,
} from '../../src/ingest/sources/demo/index.js';
import { BRIEF_DIMENSION_VALUES } from '../support/brief.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A Monday. */
const T0 = Date.UTC(2026, 10, 16);

const all = (opts: DemoOptions): DemoEvent[] => [...generateEvents(opts)];

// BRIEF.md, written out here independently of the generator's model.
const BRIEF_DIMS: Record<string, string[]> = {
  session_started: ['channel', 'campaign', 'region', 'country', 'device'],
  cart_created: ['channel', 'campaign', 'region', 'country', 'device'],
  checkout_started: ['channel', 'campaign', 'region', 'country', 'device', 'payment_gateway'],
  checkout_error: ['region', 'country', 'device', 'payment_gateway'],
  payment_failed: ['region', 'country', 'device', 'payment_gateway'],
  order_placed: ['channel', 'campaign', 'region', 'country', 'device', 'product_category', 'payment_gateway'],
  ad_stats: ['channel', 'campaign', 'region', 'country', 'device'],
  signup: ['channel', 'campaign', 'region', 'country', 'device', 'plan'],
  lead: ['channel', 'campaign', 'region', 'country', 'device', 'plan'],
  delivery_attempted: ['carrier', 'region', 'country', 'product_category'],
  http_request: ['service', 'region', 'status_class'],
};
const BRIEF_MEASURES: Record<string, string[]> = {
  session_started: [],
  cart_created: [],
  checkout_started: [],
  checkout_error: [],
  payment_failed: ['amount'],
  order_placed: ['revenue', 'items'],
  ad_stats: ['spend', 'impressions', 'clicks', 'attributed_revenue'],
  signup: [],
  lead: ['score'],
  delivery_attempted: ['success'],
  http_request: ['latency_ms'],
};
const BRIEF_VALUES = BRIEF_DIMENSION_VALUES;
const BRIEF_COUNTRY_REGION: Record<string, string> = {
  US: 'NA', CA: 'NA', MX: 'NA',
  GB: 'EU', DE: 'EU', FR: 'EU', ES: 'EU', NL: 'EU',
  BR: 'LATAM', AR: 'LATAM',
  JP: 'APAC', SG: 'APAC', AU: 'APAC', IN: 'APAC',
};
const WITH_USER = new Set(['session_started', 'cart_created', 'checkout_started', 'order_placed', 'signup', 'lead']);
const CATALOG_METRICS = new Set([
  'revenue', 'orders', 'aov', 'sessions', 'conversion_rate', 'cart_abandonment_rate', 'checkout_errors',
  'checkout_error_rate', 'payment_failures', 'impressions', 'clicks', 'ctr', 'roas', 'cpc', 'ad_spend', 'signups',
  'leads', 'deliveries', 'delivery_success_rate', 'requests', 'error_rate', 'p95_latency_ms',
]);

// One quiet-ish day at a small scale, shared by the shape tests.
const DAY_OPTS: DemoOptions = { seed: 42, fromMs: T0, toMs: T0 + DAY, scale: 0.05 };
let dayCache: DemoEvent[] | undefined;
const oneDay = (): DemoEvent[] => (dayCache ??= all(DAY_OPTS));

test('same seed and range give the same events; another seed does not', () => {
  const opts = { seed: 7, fromMs: T0 + 9 * HOUR + 1234, toMs: T0 + 9 * HOUR + 7 * MINUTE + 55 };
  const a = all(opts);
  const b = all(opts);
  assert.ok(a.length > 1000);
  assert.deepEqual(a, b);
  const c = all({ ...opts, seed: 8 });
  assert.notDeepEqual(
    a.slice(0, 50).map((e) => e.ts),
    c.slice(0, 50).map((e) => e.ts),
  );
});

test('a range split anywhere, even mid-minute, concatenates to the whole range', () => {
  const from = T0 + 14 * HOUR + 17_345;
  const to = from + 11 * MINUTE + 4_321;
  const whole = all({ seed: 3, fromMs: from, toMs: to, scale: 0.7 });
  const cuts = [from, from + 1, from + 42_655, T0 + 14 * HOUR + 3 * MINUTE, from + 5 * MINUTE + 999, to - 1, to];
  const parts: DemoEvent[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) parts.push(...all({ seed: 3, fromMs: cuts[i]!, toMs: cuts[i + 1]!, scale: 0.7 }));
  assert.equal(parts.length, whole.length);
  assert.deepEqual(parts, whole);

  const batched = [...generateBatches({ seed: 3, fromMs: from, toMs: to, scale: 0.7 }, 777)];
  assert.ok(batched.slice(0, -1).every((b) => b.length === 777));
  assert.deepEqual(batched.flat(), whole);

  const minute = Math.floor(from / MINUTE) + 2;
  const fromMinute: DemoEvent[] = [];
  generateMinute({ seed: 3, scale: 0.7 }, minute, fromMinute);
  assert.deepEqual(fromMinute, whole.filter((e) => Math.floor(e.ts / MINUTE) === minute));
});

test('events are in time order, inside the range, with unique ids', () => {
  const from = T0 + 5 * HOUR + 30_500;
  const to = from + 3 * HOUR;
  const events = all({ seed: 11, fromMs: from, toMs: to, scale: 0.3 });
  const ids = new Set<string>();
  let last = -Infinity;
  for (const e of events) {
    assert.ok(e.ts >= from && e.ts < to, `ts ${e.ts} outside the range`);
    assert.ok(e.ts >= last, 'out of order');
    assert.ok(Number.isInteger(e.ts));
    last = e.ts;
    ids.add(e.id);
  }
  assert.equal(ids.size, events.length);
  // An adjacent range never reuses an id.
  for (const e of all({ seed: 11, fromMs: to, toMs: to + 10 * MINUTE, scale: 0.3 })) assert.ok(!ids.has(e.id));
});

test('one day has every rolled-up type, with the brief dims and finite measures, and passes validation', () => {
  const events = oneDay();
  const seenTypes = new Set<string>();
  for (const e of events) {
    seenTypes.add(e.type);
    assert.equal(e.source, 'demo');
    assert.deepEqual(Object.keys(e.dims).sort(), [...BRIEF_DIMS[e.type]!].sort(), `${e.type} dims`);
    assert.deepEqual(Object.keys(e.measures).sort(), [...BRIEF_MEASURES[e.type]!].sort(), `${e.type} measures`);
    for (const v of Object.values(e.measures)) assert.ok(Number.isFinite(v) && v >= 0, `${e.type} measure ${v}`);
    if (WITH_USER.has(e.type)) assert.match(e.user_id ?? '', /^u\d+$/);
    const input: EnvelopeInput = e;
    const r = validateEnvelope(input, DAY_OPTS.toMs, 'x');
    assert.ok(r.ok, r.ok ? '' : `${e.type} ${e.id}: ${r.error}`);
  }
  assert.deepEqual([...seenTypes].sort(), [...ROLLED_UP_TYPES].sort());
});

test('one day uses every dimension value of the brief, and countries stay in their region', () => {
  const seen: Record<string, Set<string>> = {};
  for (const e of oneDay()) {
    for (const [k, v] of Object.entries(e.dims)) (seen[k] ??= new Set()).add(v);
    if (e.dims.country !== undefined) assert.equal(BRIEF_COUNTRY_REGION[e.dims.country], e.dims.region, e.id);
    if (e.type === 'delivery_attempted') assert.ok(e.measures.success === 0 || e.measures.success === 1);
  }
  for (const [dim, values] of Object.entries(BRIEF_VALUES)) {
    assert.deepEqual([...(seen[dim] ?? [])].sort(), [...values].sort(), dim);
  }
});

test('rates are roughly as documented', () => {
  const n: Record<string, number> = {};
  let revenue = 0;
  let spend = 0;
  let attributed = 0;
  let impressions = 0;
  let clicks = 0;
  let delivered = 0;
  let errors5xx = 0;
  const latency: Record<string, number[]> = {};
  for (const e of generateEvents({ seed: 5, fromMs: T0, toMs: T0 + DAY, scale: 0.2, incidents: [] })) {
    n[e.type] = (n[e.type] ?? 0) + 1;
    const m = e.measures;
    if (e.type === 'order_placed') revenue += m.revenue!;
    if (e.type === 'ad_stats') {
      spend += m.spend!;
      attributed += m.attributed_revenue!;
      impressions += m.impressions!;
      clicks += m.clicks!;
    }
    if (e.type === 'delivery_attempted') delivered += m.success!;
    if (e.type === 'http_request') {
      (latency[e.dims.service!] ??= []).push(m.latency_ms!);
      if (e.dims.status_class === '5xx') errors5xx++;
    }
  }
  const between = (x: number, lo: number, hi: number, what: string) => assert.ok(x >= lo && x <= hi, `${what} = ${x}`);
  between(n.cart_created! / n.session_started!, 0.08, 0.12, 'carts per session');
  between(n.checkout_started! / n.cart_created!, 0.5, 0.7, 'checkouts per cart');
  between(n.order_placed! / n.checkout_started!, 0.7, 0.9, 'orders per checkout');
  between(n.checkout_error! / n.checkout_started!, 0.01, 0.06, 'checkout error rate');
  between(n.payment_failed! / n.checkout_started!, 0.01, 0.06, 'payment failure rate');
  between(revenue / n.order_placed!, 60, 150, 'AOV');
  between(attributed / spend, 2, 5, 'ROAS');
  between(clicks / impressions, 0.01, 0.03, 'CTR');
  between(delivered / n.delivery_attempted!, 0.92, 0.98, 'delivery success');
  between(errors5xx / n.http_request!, 0.002, 0.01, '5xx rate');
  for (const [service, values] of Object.entries(latency)) {
    values.sort((a, b) => a - b);
    between(values[Math.floor(values.length * 0.95)]!, 150, 450, `${service} p95 latency`);
  }
  between(n.signup! + n.lead!, 1, Infinity, 'b2b volume');
});

test('seasonality: regional nights are quiet, B2B dips at the weekend while the shop does not', () => {
  const count = (fromMs: number, toMs: number, type: string, region?: string) => {
    let c = 0;
    for (const e of generateEvents({ seed: 9, fromMs, toMs, scale: 0.2, incidents: [] })) {
      if (e.type === type && (region === undefined || e.dims.region === region)) c++;
    }
    return c;
  };
  // EU is UTC+1: 03:00 local vs 16:00 local.
  const night = count(T0 + 2 * HOUR, T0 + 3 * HOUR, 'session_started', 'EU');
  const afternoon = count(T0 + 15 * HOUR, T0 + 16 * HOUR, 'session_started', 'EU');
  assert.ok(afternoon > 4 * night, `EU afternoon ${afternoon} vs night ${night}`);
  // Sunday 2026-11-15 vs Wednesday 2026-11-18, whole UTC days at a small scale.
  const sunday = T0 - DAY;
  const wednesday = T0 + 2 * DAY;
  const lowScale = (fromMs: number, type: string) => {
    let c = 0;
    for (const e of generateEvents({ seed: 9, fromMs, toMs: fromMs + DAY, scale: 0.05, incidents: [] })) if (e.type === type) c++;
    return c;
  };
  assert.ok(lowScale(sunday, 'signup') < 0.7 * lowScale(wednesday, 'signup'), 'weekend B2B dip');
  assert.ok(lowScale(sunday, 'order_placed') > lowScale(wednesday, 'order_placed'), 'weekend shop bump');
});

test('the volume estimate matches scale 1 ≈ 40–60 events/s and what is generated', () => {
  const perSecond = estimateEventsPerMinute(1) / 60;
  assert.ok(perSecond >= 40 && perSecond <= 60, `scale 1 = ${perSecond} events/s`);
  const scale = 0.05;
  let generated = 0;
  for (const b of generateBatches({ seed: 2, fromMs: T0, toMs: T0 + 7 * DAY, scale }, 50_000)) generated += b.length;
  const expected = estimateEventsPerMinute(scale) * 7 * 1440;
  assert.ok(Math.abs(generated / expected - 1) < 0.15, `generated ${generated} vs expected ${expected}`);
});

test('demoIncidents: every kind within 7 days, deterministic, consistent across overlapping ranges', () => {
  for (const seed of [1, 42, 1234567]) {
    const week = demoIncidents(seed, T0, T0 + 7 * DAY);
    assert.deepEqual(new Set(week.map((i) => i.kind)), new Set(INCIDENT_KINDS), `seed ${seed}`);
    assert.deepEqual(demoIncidents(seed, T0, T0 + 7 * DAY), week);
    for (const inc of week) {
      assert.ok(CATALOG_METRICS.has(inc.metric), inc.metric);
      const minutes = (inc.endMs - inc.startMs) / MINUTE;
      assert.ok(minutes >= 30 && minutes <= 120, `${inc.id} lasts ${minutes} min`);
      assert.equal(inc.startMs % MINUTE, 0);
      assert.ok(inc.title.length > 0 && inc.description.length > 0);
      for (const [k, v] of Object.entries(inc.segment)) assert.ok(BRIEF_VALUES[k]?.includes(v), `${k}=${v}`);
    }
    // A sub-range sees exactly the week's incidents that overlap it.
    const from = T0 + 2 * DAY + 5 * HOUR;
    const to = T0 + 4 * DAY + 3 * HOUR;
    assert.deepEqual(
      demoIncidents(seed, from, to),
      week.filter((i) => i.startMs < to && i.endMs > from),
    );
    assert.equal(new Set(week.map((i) => i.id)).size, week.length);
  }
});

/** The metric each kind moves, measured over one window for the incident's segment. */
function measure(inc: Incident, events: Iterable<DemoEvent>): number {
  const seg = inc.segment;
  const inSeg = (e: DemoEvent) => Object.entries(seg).every(([k, v]) => e.dims[k] === v);
  let a = 0;
  let b = 0;
  const values: number[] = [];
  for (const e of events) {
    if (!inSeg(e)) continue;
    switch (inc.kind) {
      case 'checkout_errors':
        if (e.type === 'checkout_error') a++;
        break;
      case 'roas_collapse':
        if (e.type === 'ad_stats') {
          a += e.measures.attributed_revenue!;
          b += e.measures.spend!;
        }
        break;
      case 'ad_overspend':
        if (e.type === 'ad_stats') a += e.measures.spend!;
        break;
      case 'latency_regression':
        if (e.type === 'http_request') values.push(e.measures.latency_ms!);
        break;
      case 'delivery_failures':
        if (e.type === 'delivery_attempted') {
          a += e.measures.success!;
          b++;
        }
        break;
    }
  }
  if (inc.kind === 'latency_regression') {
    values.sort((x, y) => x - y);
    return values[Math.floor(values.length * 0.95)] ?? 0;
  }
  if (inc.kind === 'roas_collapse' || inc.kind === 'delivery_failures') return b > 0 ? a / b : NaN;
  return a;
}

test('each incident shows in its segment against the same window a day earlier', () => {
  for (const seed of [42, 7]) {
    const incidents = demoIncidents(seed, T0, T0 + 7 * DAY);
    for (const kind of INCIDENT_KINDS) {
      const inc = incidents.find((i) => i.kind === kind)!;
      const during = measure(inc, generateEvents({ seed, fromMs: inc.startMs, toMs: inc.endMs }));
      const before = measure(inc, generateEvents({ seed, fromMs: inc.startMs - DAY, toMs: inc.endMs - DAY }));
      const what = `seed ${seed} ${inc.title}: during ${during}, a day earlier ${before}`;
      switch (kind) {
        case 'checkout_errors':
          assert.ok(during >= 4 * Math.max(before, 2), what);
          break;
        case 'roas_collapse':
          assert.ok(during < 0.5 * before && before > 1.5, what);
          break;
        case 'latency_regression':
          assert.ok(during > 2 * before, what);
          break;
        case 'delivery_failures':
          assert.ok(during < 0.7 && before > 0.88, what);
          break;
        case 'ad_overspend':
          assert.ok(during > 2 * before && before > 0, what);
          break;
      }
    }
  }
});

test('incidents: [] gives a quiet stream; an explicit incident is applied', () => {
  const from = T0 + 15 * HOUR;
  const inc: Incident = {
    id: 'test-1',
    title: 'test',
    kind: 'delivery_failures',
    startMs: from,
    endMs: from + HOUR,
    metric: 'delivery_success_rate',
    segment: { carrier: 'ups' },
    description: 'test',
    factor: 0.1,
  };
  const quiet = measure(inc, generateEvents({ seed: 1, fromMs: from, toMs: from + HOUR, incidents: [] }));
  const broken = measure(inc, generateEvents({ seed: 1, fromMs: from, toMs: from + HOUR, incidents: [inc] }));
  assert.ok(quiet > 0.9, `quiet ${quiet}`);
  assert.ok(broken < 0.2, `broken ${broken}`);
});

class CollectingSink implements EventSink {
  events: DemoEvent[] = [];
  pushes = 0;
  active = 0;
  maxActive = 0;
  failNext = 0;
  async push(values: readonly unknown[], source: string): Promise<PushResult> {
    assert.equal(source, 'demo');
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await new Promise((r) => setTimeout(r, 2));
      this.pushes++;
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('sink is down');
      }
      this.events.push(...(values as DemoEvent[]));
      return { accepted: values.length, rejected: [] };
    } finally {
      this.active--;
    }
  }
  async reject(): Promise<void> {}
}

test('DemoSource streams from now(), never overlaps pushes, survives a failed push and agrees with a backfill', async () => {
  let clock = T0 + 13 * HOUR + 12_345;
  const start = clock;
  const source = new DemoSource({ seed: 42, eventsPerSecond: 50, now: () => clock, tickMs: 5, maxBatch: 400 });
  assert.equal(source.name, 'demo');
  const sink = new CollectingSink();
  await source.start(sink);
  const waitFor = async (pred: () => boolean) => {
    for (let i = 0; i < 2000 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(pred(), 'timed out');
  };
  for (const step of [700, 1_000, 59_000, 1, 123_456, 3_000]) {
    clock += step;
    if (step === 59_000) sink.failNext = 1;
    await waitFor(() => source.position === clock);
  }
  await source.stop();
  const pushesAtStop = sink.pushes;
  clock += 60_000;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(sink.pushes, pushesAtStop, 'nothing pushed after stop');
  assert.equal(sink.maxActive, 1, 'pushes overlapped');

  const expected = all({ seed: 42, fromMs: start, toMs: clock - 60_000, scale: source.scale });
  assert.ok(sink.events.length > 5000);
  assert.equal(sink.events.length, expected.length);
  assert.deepEqual(sink.events, expected);
  assert.ok(Math.abs(estimateEventsPerMinute(source.scale) / 60 - 50) < 1, `scale ${source.scale}`);
});
