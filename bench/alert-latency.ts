/**
 * npm run bench:alert-latency [-- --rounds 10 --interval 1000 --history-hours 6]
 *
 * From the first anomalous event pushed into ingest to the alert card in the Slack sandbox,
 * through the whole product (startOpsight in sandbox mode: ingest → rollups → detector →
 * lifecycle → outbox → signed Web API call → sandbox). Quiet demo history first, then one
 * checkout-error incident per round on a gateway × region not used before, its events
 * flowing every 200 ms until the card appears. Baseline in the same process: the same push
 * until its row is readable in rollup_1m. Prints p50 / p99 and their ratio to the baseline.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { generateBatches, scaleForEventsPerSecond } from '../src/ingest/index.js';
import { startOpsight } from '../src/main.js';
import { silentLogger } from '../src/ops/index.js';
import { freePort } from '../test/support/process.js';
import { fmt, note, numberArg, quantile } from './lib.js';

const ROUNDS = numberArg('rounds', 10);
const INTERVAL = numberArg('interval', 1000);
const HISTORY_H = numberArg('history-hours', 6);
const GATEWAYS = ['stripe', 'adyen', 'paypal'];
const REGIONS = ['NA', 'EU', 'APAC', 'LATAM'] as const;
const COUNTRY = { NA: 'US', EU: 'DE', APAC: 'JP', LATAM: 'BR' } as const;

const dir = mkdtempSync(join(tmpdir(), 'opsight-latency-'));
// Only the checkout rule: with the demo stream off, volume rules would see an empty present.
const rulesDir = join(dir, 'rules');
mkdirSync(join(rulesDir, 'alerts'), { recursive: true });
for (const f of ['metrics.yaml', 'access.yaml']) cpSync(join('rules', f), join(rulesDir, f));
// One card per gateway × region, so every round is a new incident rather than a joined series.
const checkout = readFileSync(join('rules', 'alerts', 'checkout.yaml'), 'utf8').replace('group_by: [payment_gateway]', 'group_by: [payment_gateway, region]');
if (!checkout.includes('group_by: [payment_gateway, region]')) throw new Error('rules/alerts/checkout.yaml changed: update the latency bench');
writeFileSync(join(rulesDir, 'alerts', 'checkout.yaml'), checkout);

const config = loadConfig({ OPSIGHT_DATA_DIR: join(dir, 'data'), PORT: String(await freePort()), OPSIGHT_DEMO: '0', OPSIGHT_RULES_DIR: rulesDir, OPSIGHT_TOOLS_DIR: 'tools' });
const app = await startOpsight(config, silentLogger(), { slackPaceMs: 50, alertIntervalMs: INTERVAL, alertHistoryMs: HISTORY_H * 3_600_000 });
const sb = app.sandbox!;
try {
  const now = Date.now();
  const scale = scaleForEventsPerSecond(10);
  note(`writing ${HISTORY_H} h of quiet demo history…`);
  for (const batch of generateBatches({ seed: 11, fromMs: now - HISTORY_H * 3_600_000, toMs: now, scale, incidents: [] }, 20_000)) await app.pipeline.push(batch, 'demo');
  await app.pipeline.flush();
  await app.alerts.cycle();

  let n = 0;
  const event = (type: string, gateway: string, region: keyof typeof COUNTRY) => ({
    id: `lat-${type}-${n++}`,
    ts: Date.now(),
    type,
    source: 'bench',
    dims: { region, country: COUNTRY[region], device: 'mobile', payment_gateway: gateway, channel: 'google', campaign: 'brand-always-on' },
    measures: {},
  });
  const latencies: number[] = [];
  const baselines: number[] = [];
  const pairs = GATEWAYS.flatMap((g) => REGIONS.map((r) => [g, r] as const));
  // A series already alerting (a false alarm on the quiet history) cannot post a new card: skip it.
  const open = (g: string, r: string) => Object.values(app.alerts.book().groups).some((x) => x.status === 'firing' && x.labels.payment_gateway === g && x.labels.region === r);
  const order = pairs.map((_, i) => pairs[(i * 5) % pairs.length]!);
  let skipped = 0;
  for (let round = 0; round < ROUNDS && order.length > 0; round++) {
    const [gateway, region] = order.shift()!;
    if (open(gateway, region)) {
      skipped++;
      round--;
      continue;
    }
    // Baseline: one event pushed until its minute is readable in the rollups.
    const b0 = performance.now();
    const marker = event('checkout_started', gateway, region);
    await app.pipeline.push([marker], 'bench');
    for (;;) {
      const rows = await app.store.query<{ n: number }>("SELECT count() AS n FROM events WHERE id = {id:String}", { id: marker.id });
      if (Number(rows[0]?.n ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    baselines.push(performance.now() - b0);

    const before = sb.messages('C0OPSALERTS').length;
    const t0 = performance.now();
    let done = false;
    const flow = (async () => {
      while (!done) {
        await app.pipeline.push([event('checkout_started', gateway, region), event('checkout_error', gateway, region), event('checkout_error', gateway, region)], 'bench');
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await sb.waitFor(() => sb.messages('C0OPSALERTS').slice(before).find((m) => m.text.includes(gateway) && m.text.includes(region)), { timeoutMs: 60_000, what: `the card for ${gateway} in ${region}` });
      latencies.push(performance.now() - t0);
    } finally {
      done = true;
      await flow;
    }
    note(`  round ${round + 1}: ${gateway} ${region} → card after ${fmt(latencies.at(-1)!)} ms (baseline ${fmt(baselines.at(-1)!)} ms)`);
  }
  const s = [...latencies].sort((a, b) => a - b);
  const bs = [...baselines].sort((a, b) => a - b);
  const p50 = quantile(s, 0.5);
  const p99 = quantile(s, 0.99);
  if (skipped > 0) console.log(`${skipped} gateway × region series skipped: already alerting before their round`);
  console.log(`alert latency over ${s.length} incidents (evaluation every ${INTERVAL} ms): p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(s.at(-1)!)} ms (target p99 ≤ 5,000 ms: ${p99 <= 5000 ? 'met' : 'NOT met'})`);
  console.log(`baseline (push → row readable): p50 ${fmt(quantile(bs, 0.5))} ms; alert p50 is ${(p50 / Math.max(1, quantile(bs, 0.5))).toFixed(1)}× that`);
} finally {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
}
