/**
 * The alert engine on synthetic rollups: real chDB, events through the real IngestPipeline,
 * rules from YAML, a simulated clock. What it must do: stay quiet on a usual stream, alert on
 * a real incident in the minute it starts, not alert on a handful of events however odd their
 * ratio, resolve a series that stops reporting, and come back from a restart without a
 * second card. The notifier is the engine's output port, recorded here (Slack is covered by
 * test/alerts/product-alerts.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createAlertEngine, loadAlertRules, type AlertEngine, type AlertNotifier, type LifecycleEffect } from '../../src/detect/index.js';
import { IngestPipeline } from '../../src/ingest/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { loadCatalog, type Catalog } from '../../src/semantic/index.js';
import { Store, connect, createPseudonymiser } from '../../src/store/index.js';
import { mulberry32 } from '../support/random.js';

const MIN = 60_000;
const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
/** Minutes of usual history before "now": enough for the default detector to warm up. */
const HISTORY_MIN = 8 * 60;
const T0 = Date.UTC(2026, 10, 2, 0, 0, 0); // a Monday, 00:00 UTC
const NOW0 = T0 + HISTORY_MIN * MIN;

const iso = (ms: number) => new Date(ms).toISOString();
/** One rule on gateway error rates; `extra` is appended to it (YAML, indented 4). */
const rule = (id: string, extra = '') => `
  - id: ${id}
    title: Checkout errors up on {{payment_gateway}}
    metric: checkout_error_rate
    split: { by: [payment_gateway], max_series: 5 }
    window: 5m
    detector: { kind: combined }
    for: 0s
    resolve_after: 5m
    severity: critical
    channel: C0TEST${extra}`;
/** The incident below starts 42 minutes after NOW0 (the clock moves in fixed steps). */
const RULE_YAML = `alerts:${rule(
  'gateway-errors-maintained',
  `
    maintenance:
      - { from: '${iso(NOW0 + 40 * MIN)}', to: '${iso(NOW0 + 50 * MIN)}', reason: provider upgrade }`,
)}${rule('gateway-errors')}
`;

interface Posted {
  groupId: string;
  ruleId: string;
  labels: Record<string, string>;
  at: number;
}

/** Per minute: stripe is busy (60 checkouts, ~2% errors), adyen is sparse (1 checkout) and never errs. */
function minuteEvents(minute: number, rnd: () => number, opts: { stripeErrorRate?: number; stripeSilent?: boolean; adyenErrors?: number } = {}): object[] {
  const out: object[] = [];
  const at = (k: number) => minute + Math.floor((k * MIN) / 61);
  let k = 0;
  const checkout = (gateway: string, error: boolean) => {
    const dims = { payment_gateway: gateway, region: 'EU', country: 'DE', device: 'desktop' };
    out.push({ id: `c-${minute}-${k}`, ts: at(k % 60), type: 'checkout_started', source: 'shop', dims });
    if (error) out.push({ id: `e-${minute}-${k}`, ts: at(k % 60), type: 'checkout_error', source: 'shop', dims });
    k++;
  };
  if (!opts.stripeSilent) for (let i = 0; i < 60; i++) checkout('stripe', rnd() < (opts.stripeErrorRate ?? 0.02));
  checkout('adyen', false);
  for (let i = 0; i < (opts.adyenErrors ?? 0); i++) {
    const dims = { payment_gateway: 'adyen', region: 'EU', country: 'DE', device: 'desktop' };
    out.push({ id: `ea-${minute}-${i}`, ts: minute + 30_000, type: 'checkout_error', source: 'shop', dims });
  }
  return out;
}

describe('alert engine over rollups', () => {
  let dir: string;
  let store: Store;
  let catalog: Catalog;
  let pipeline: IngestPipeline;
  let clock = NOW0;
  const rnd = mulberry32(5);
  const posted: Posted[] = [];
  const effects: LifecycleEffect[] = [];
  let engine: AlertEngine;
  let incidentStart = 0;

  const notifier: AlertNotifier = {
    async apply(list, reader) {
      effects.push(...list);
      const out = [];
      for (const e of list) {
        if (e.kind !== 'post') continue;
        const g = reader.group(e.groupId)!;
        const member = Object.values(g.members)[0];
        posted.push({ groupId: g.id, ruleId: g.ruleId, labels: { ...g.labels, ...member?.labels }, at: reader.now() });
        out.push({ groupId: g.id, channel: 'C0TEST', ts: `${reader.now() / 1000}.000100` });
      }
      return out;
    },
  };

  const newEngine = () => {
    const rules = loadAlertRules(join(dir, 'rules'), catalog).rules;
    const e = createAlertEngine({ store, catalog, rules, log: silentLogger(), historyMs: HISTORY_MIN * MIN, staleMs: 10 * MIN, now: () => clock });
    e.setNotifier(notifier);
    return e;
  };

  const write = async (fromMin: number, toMin: number, opts: Parameters<typeof minuteEvents>[2] = {}) => {
    const events: object[] = [];
    for (let m = fromMin; m < toMin; m += MIN) events.push(...minuteEvents(m, rnd, opts));
    for (let i = 0; i < events.length; i += 20_000) await pipeline.push(events.slice(i, i + 20_000), 'test');
    await pipeline.flush();
  };

  /** Moves the clock minute by minute (10 s past each, the grace), one cycle each. */
  const advance = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      clock += MIN;
      await engine.cycle();
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsight-engine-'));
    mkdirSync(join(dir, 'rules', 'alerts'), { recursive: true });
    writeFileSync(join(dir, 'rules', 'alerts', 'test.yaml'), RULE_YAML);
    catalog = loadCatalog(RULES);
    store = new Store(connect({ kind: 'embedded', dataDir: join(dir, 'db') }), silentLogger());
    await store.migrate();
    pipeline = new IngestPipeline(store, createPseudonymiser('engine-test'), createMetrics(), silentLogger(), { now: () => clock, exclusiveStore: true });
    await write(T0, NOW0 + 10_000);
    clock = NOW0 + 10_000;
    engine = newEngine();
    await engine.start();
  });

  after(async () => {
    await engine?.stop();
    await pipeline?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warms up on history and stays quiet on the usual stream', async () => {
    const minute = Math.floor(clock / MIN) * MIN;
    await write(minute, minute + 30 * MIN);
    await advance(30);
    assert.deepEqual(posted, [], 'no card on a usual stream');
    assert.equal(engine.book().groups && Object.keys(engine.book().groups).length, 0);
  });

  it('a single event is not evidence, however far it moves the ratio', async () => {
    // adyen never erred: its 5-minute window now holds 1 error in 5 checkouts, 20% where 0%
    // was usual. The detector calls that far off its band; one error still pages no one.
    const minute = Math.floor(clock / MIN) * MIN;
    await write(minute, minute + MIN, { adyenErrors: 1 });
    await write(minute + MIN, minute + 12 * MIN);
    await advance(12);
    assert.deepEqual(posted, [], 'no card for one error');
  });

  it('an incident on the busy series posts one card within its first minute', async () => {
    const minute = Math.floor(clock / MIN) * MIN;
    incidentStart = minute;
    await write(minute, minute + 20 * MIN, { stripeErrorRate: 0.4 });
    // The minute still filling is peeked: 30 s into the incident's first minute.
    clock = minute + 30_000;
    await engine.cycle();
    assert.equal(incidentStart, NOW0 + 42 * MIN, 'the incident falls inside the maintenance window');
    const cards = posted.filter((p) => p.labels.payment_gateway === 'stripe');
    assert.equal(cards.length, 1, `one stripe card (posted: ${JSON.stringify(posted)})`);
    assert.equal(cards[0]!.ruleId, 'gateway-errors');
    clock = minute + 10_000;
    await advance(5);
    assert.equal(posted.filter((p) => p.labels.payment_gateway === 'stripe').length, 1, 'still one card: later cycles update it');
  });

  it('a maintenance window holds the card back, and it is posted if the incident outlasts it', async () => {
    const held = Object.values(engine.book().groups).find((g) => g.ruleId === 'gateway-errors-maintained');
    assert.ok(held, 'the incident opened a group on the maintained rule too');
    assert.equal(held.status, 'firing');
    assert.deepEqual(held.suppressed, { kind: 'maintenance', reason: 'provider upgrade' });
    assert.equal(posted.filter((p) => p.ruleId === 'gateway-errors-maintained').length, 0, 'no card during maintenance');
    await advance(Math.round((NOW0 + 51 * MIN - clock) / MIN) + 1); // past the window; the incident runs on
    const after = posted.filter((p) => p.ruleId === 'gateway-errors-maintained');
    assert.equal(after.length, 1, 'posted once the window ended');
    assert.equal(after[0]!.labels.payment_gateway, 'stripe');
  });

  it('a restart restores the book and the detectors: no second card', async () => {
    await engine.stop();
    engine = newEngine();
    await engine.start();
    await advance(3);
    assert.equal(posted.filter((p) => p.labels.payment_gateway === 'stripe').length, 2, 'one card per rule, none again');
    const open = Object.values(engine.book().groups).filter((g) => g.status === 'firing');
    assert.equal(open.length, 2, 'the incident is still open on both rules after the restart');
  });

  it('a firing series that stops reporting resolves', async () => {
    // After the incident's 20 minutes stripe sends nothing at all, while adyen goes on.
    const quietFrom = incidentStart + 20 * MIN;
    await write(quietFrom, quietFrom + 40 * MIN, { stripeSilent: true });
    await advance(Math.round((quietFrom + 30 * MIN - clock) / MIN));
    const group = Object.values(engine.book().groups).find((g) => g.ruleId === 'gateway-errors' && Object.values(g.members).some((m) => m.labels.payment_gateway === 'stripe'));
    assert.ok(group, 'the stripe group is in the book');
    assert.equal(group.status, 'resolved', `stripe resolved once it went silent (status ${group.status})`);
    assert.ok(effects.some((e) => e.kind === 'update' && e.groupId === group.id), 'the card was updated');
  });
});
