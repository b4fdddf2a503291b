/**
 * npm run bench:query [-- --sizes 10M,100M --runs 20]
 *
 * Plan → SQL → rows latency over the rollups, p50/p95 over a mix of plans, at each size of
 * raw events; then question → rows through the embedded planner (what `opsight ask` and Slack
 * run: plan, SQL, rows, and the driver queries of compared totals). Baseline in the same process: the same questions answered by scanning raw
 * events (what the rollups save). Events are generated inside the engine (bench/fill.ts).
 */
import { parseArgs } from 'node:util';
import { createPlanner, loadSeenValues, runAsk } from '../src/ask/index.js';
import { loadCatalog, runPlan, type PlanInput } from '../src/semantic/index.js';
import { fillEvents } from './fill.js';
import { fmt, median, note, numberArg, quantile, withBenchStore } from './lib.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { sizes: { type: 'string' }, runs: { type: 'string' } }, strict: false });
const SIZES = String(values.sizes ?? '10M,100M')
  .split(',')
  .map((s) => Number(s.trim().replace(/[mM]$/, 'e6').replace(/[kK]$/, 'e3')));
const RUNS = numberArg('runs', 20);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const today = Math.floor(NOW / DAY) * DAY;

const PLANS: Array<{ name: string; plan: PlanInput; raw?: string }> = [
  { name: 'revenue yesterday', plan: { metric: 'revenue', from: iso(today - DAY), to: iso(today) },
    raw: `SELECT sumIf(measures['revenue'], type = 'order_placed') FROM events WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}` },
  { name: 'revenue by channel 7d vs previous', plan: { metric: 'revenue', by: ['channel'], from: iso(NOW - 7 * DAY), to: iso(NOW), compare: 'previous_period', compare_from: iso(NOW - 14 * DAY), compare_to: iso(NOW - 7 * DAY) } },
  { name: 'orders hourly 48h', plan: { metric: 'orders', grain: 'hour', from: iso(NOW - 48 * HOUR), to: iso(NOW) } },
  { name: 'conversion by region daily 30d', plan: { metric: 'conversion_rate', by: ['region'], grain: 'day', from: iso(today - 30 * DAY), to: iso(NOW) },
    raw: `SELECT dims['region'] r, toStartOfDay(ts) d, countIf(type = 'order_placed') / countIf(type = 'session_started') FROM events WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)} AND type IN ('order_placed', 'session_started') GROUP BY r, d` },
  { name: 'top 5 campaigns by roas 7d', plan: { metric: 'roas', by: ['campaign'], top: { n: 5, order: 'desc' }, from: iso(NOW - 7 * DAY), to: iso(NOW) } },
  { name: 'p95 latency by service 1h', plan: { metric: 'p95_latency_ms', by: ['service'], from: iso(NOW - HOUR), to: iso(NOW) } },
  { name: 'error rate by service×region today', plan: { metric: 'error_rate', by: ['service', 'region'], from: iso(today), to: iso(NOW) } },
  { name: 'checkout error rate by gateway, week vs last', plan: { metric: 'checkout_error_rate', by: ['payment_gateway'], from: iso(NOW - 3 * DAY), to: iso(NOW), compare: 'same_period_last_week', compare_from: iso(NOW - 10 * DAY), compare_to: iso(NOW - 7 * DAY) } },
  { name: 'aov by category daily, Berlin, 14d', plan: { metric: 'aov', by: ['product_category'], grain: 'day', tz: 'Europe/Berlin', from: iso(today - 14 * DAY - HOUR), to: iso(NOW) } },
  { name: 'sessions by country×device EU 30d', plan: { metric: 'sessions', by: ['country', 'device'], filters: { region: ['EU'] }, from: iso(NOW - 30 * DAY), to: iso(NOW) } },
];

const QUESTIONS = [
  'revenue yesterday vs the day before',
  'revenue by channel in the last 7 days vs the previous 7 days',
  'orders per hour in the last 48 hours',
  'conversion rate by region per day in the last 30 days',
  'top 5 campaigns by roas in the last 7 days',
  'p95 latency by service in the last hour',
  'error rate by service today',
  'checkout error rate by payment gateway this week vs the same period last week',
  'aov by product category per day in the last 14 days',
  'sessions in the EU by country in the last 30 days',
];

await withBenchStore(async (store) => {
  const catalog = loadCatalog('rules');
  let filled = 0;
  console.log(`bench:query  runs=${RUNS} per plan, ${PLANS.length} plans, events spread over the 30 days before ${iso(NOW)}`);
  for (const size of SIZES) {
    const t0 = performance.now();
    await fillEvents(store, {
      count: size - filled,
      fromMs: NOW - 30 * DAY,
      toMs: NOW,
      idPrefix: `s${size}`,
      onProgress: (done) => process.stderr.write(`\rfilling: ${fmt(filled + done)} / ${fmt(size)} raw events`),
    });
    process.stderr.write('\n');
    filled = size;
    note(`filled ${fmt(size)} events in ${((performance.now() - t0) / 1000).toFixed(0)} s; letting merges settle`);
    await store.command('OPTIMIZE TABLE rollup_1m').catch(() => undefined);

    const all: number[] = [];
    const lines: string[] = [];
    for (const { name, plan } of PLANS) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await runPlan(store, catalog, plan);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      lines.push(`    ${name.padEnd(46)} p50 ${quantile(times, 0.5).toFixed(1).padStart(7)} ms   p95 ${quantile(times, 0.95).toFixed(1).padStart(7)} ms`);
    }
    all.sort((a, b) => a - b);
    console.log(`\n  ${fmt(size)} raw events`);
    for (const line of lines) console.log(line);
    console.log(`    ${'ALL PLANS'.padEnd(46)} p50 ${quantile(all, 0.5).toFixed(1).padStart(7)} ms   p95 ${quantile(all, 0.95).toFixed(1).padStart(7)} ms   (target p95 ≤ 300 ms at 100M)`);

    const planner = createPlanner(catalog, { seenValues: await loadSeenValues(store) });
    const asked: number[] = [];
    for (const q of QUESTIONS) {
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const r = await runAsk(store, catalog, planner, q, { now: new Date(NOW), tz: 'UTC' });
        asked.push(performance.now() - t);
        if (r.status !== 'answered') throw new Error(`bench question not answered: "${q}" → ${r.status}: ${r.answer}`);
      }
    }
    asked.sort((a, b) => a - b);
    console.log(`    ${'ALL QUESTIONS (question → rows)'.padEnd(46)} p50 ${quantile(asked, 0.5).toFixed(1).padStart(7)} ms   p95 ${quantile(asked, 0.95).toFixed(1).padStart(7)} ms   (${QUESTIONS.length} questions × ${RUNS})`);

    for (const { name, plan, raw } of PLANS) {
      if (!raw) continue;
      const params = { from: plan.from.replace('T', ' ').replace('Z', ''), to: plan.to.replace('T', ' ').replace('Z', '') };
      const rawTimes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await store.query(raw, params);
        rawTimes.push(performance.now() - t);
      }
      const rollupTimes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await runPlan(store, catalog, plan);
        rollupTimes.push(performance.now() - t);
      }
      const r = median(rawTimes);
      const p = median(rollupTimes);
      console.log(`    baseline "${name}": raw scan ${r.toFixed(0)} ms vs rollups ${p.toFixed(0)} ms  → ${(r / p).toFixed(1)}× faster`);
    }
  }
});
