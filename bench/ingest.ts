/**
 * npm run bench:ingest [-- --events 1000000 --rounds 3]
 *
 * Events/s through the whole pipeline (validate → pseudonymise → batch → dedupe → insert →
 * minute/hour/day rollups) against a plain insert of the same rows, by the same insert
 * path, into a table of the same shape with no views, in the same process and store.
 * Rounds alternate baseline and pipeline; medians are compared.
 */
import { IngestPipeline, generateBatches, scaleForEventsPerSecond, validateEnvelope } from '../src/ingest/index.js';
import { createMetrics, silentLogger } from '../src/ops/index.js';
import { EVENT_COLUMNS, createPseudonymiser, type EventRow, type Store } from '../src/store/index.js';
import { fmt, median, note, numberArg, withBenchStore } from './lib.js';

const N = numberArg('events', 1_000_000);
const ROUNDS = numberArg('rounds', 3);
/** How sources hand events to the pipeline (HTTP requests, file batches). */
const PUSH_SIZE = 10_000;
/** The pipeline's insert batch, used for the baseline too. */
const INSERT_BATCH = numberArg('batch', 50_000);

function makeEvents(): unknown[] {
  // A busy shop: 2000 events/s of demo traffic, so rollup keys per minute are realistic.
  const toMs = Date.now() - 3_600_000;
  const fromMs = toMs - Math.ceil(N / 2000) * 1000 * 2;
  const out: unknown[] = [];
  for (const batch of generateBatches({ seed: 7, fromMs, toMs, scale: scaleForEventsPerSecond(2000) }, 50_000)) {
    for (const e of batch) {
      if (out.length >= N) return out;
      out.push(e);
    }
  }
  if (out.length < N) throw new Error(`generated only ${out.length} events; widen the range`);
  return out;
}

async function truncateAll(store: Store): Promise<void> {
  for (const t of ['events', 'rollup_1m', 'rollup_1h', 'rollup_1d', 'dead_letters', 'baseline_events']) await store.command(`TRUNCATE TABLE ${t}`);
}

async function baseline(store: Store, rows: EventRow[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await store.insertRows('baseline_events', EVENT_COLUMNS, rows.slice(i, i + INSERT_BATCH));
  return rows.length / ((performance.now() - t0) / 1000);
}

async function pipeline(store: Store, events: unknown[]): Promise<number> {
  const p = new IngestPipeline(store, createPseudonymiser('bench-key'), createMetrics(), silentLogger(), { batchSize: INSERT_BATCH, exclusiveStore: true });
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += PUSH_SIZE) await p.push(events.slice(i, i + PUSH_SIZE), 'bench');
  await p.close();
  return events.length / ((performance.now() - t0) / 1000);
}

await withBenchStore(async (store) => {
  note(`generating ${fmt(N)} demo events…`);
  const events = makeEvents();
  const pseudonymise = createPseudonymiser('bench-key');
  const now = Date.now();
  const rows: EventRow[] = events.map((raw) => {
    const v = validateEnvelope(raw, now);
    if (!v.ok) throw new Error(`demo event failed validation: ${v.error}`);
    const e = v.event;
    return { id: e.id, ts: e.tsMs, type: e.type, source: e.source, user_id: pseudonymise(e.userId), dims: e.dims, measures: e.measures };
  });
  // Same columns, engine, partitioning and key as events, but no materialized views.
  await store.command('CREATE TABLE baseline_events AS events');

  const base: number[] = [];
  const full: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    await truncateAll(store);
    base.push(await baseline(store, rows));
    note(`round ${round}/${ROUNDS}: plain insert ${fmt(base.at(-1)!)} events/s`);
    await truncateAll(store);
    full.push(await pipeline(store, events));
    note(`round ${round}/${ROUNDS}: pipeline     ${fmt(full.at(-1)!)} events/s`);
  }

  const [check] = await store.query<{ events: number; rolled: number }>(
    "SELECT (SELECT count() FROM events) AS events, (SELECT sum(cnt) FROM rollup_1d) AS rolled",
  );
  if (Number(check?.events) !== N || Number(check?.rolled) !== N) {
    throw new Error(`lost or doubled events: ${N} pushed, ${check?.events} stored, ${check?.rolled} in rollups`);
  }
  const b = median(base);
  const f = median(full);
  console.log(`bench:ingest  events=${fmt(N)}  rounds=${ROUNDS}  (median of rounds)`);
  console.log(`  plain insert (baseline_events, no views)     ${fmt(b).padStart(10)} events/s`);
  console.log(`  pipeline (validate→dedupe→insert→rollups)    ${fmt(f).padStart(10)} events/s`);
  console.log(`  ratio pipeline/plain                          ${(f / b).toFixed(2)}   (target ≥ 0.70)`);
  console.log(`  absolute target ≥ 200,000 events/s: ${f >= 200_000 ? 'met' : 'not met'}`);
  console.log(`  check: ${fmt(N)} events stored once, ${fmt(N)} counted in rollup_1d`);
});
