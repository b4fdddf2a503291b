import type { IngestPipeline } from './ingest/index.js';
import { estimateEventsPerMinute, generateBatches, scaleForEventsPerSecond } from './ingest/index.js';
import type { Logger } from './ops/index.js';
import type { Store } from './store/index.js';

/**
 * At a start with the demo on and an empty store: history up to `now`, generated exactly as the
 * live stream would have produced it (same ids), with progress in the log. Skipped once any
 * rollup exists, so restarts do not pay for it again.
 */
export async function backfillDemo(
  store: Store,
  pipeline: IngestPipeline,
  demo: { seed: number; eventsPerSecond: number; backfillMs: number },
  nowMs: number,
  log: Logger,
): Promise<number> {
  const [row] = await store.query<{ n: number }>('SELECT count() AS n FROM (SELECT 1 FROM rollup_1m LIMIT 1)');
  if (Number(row?.n ?? 0) > 0) return 0;
  const scale = scaleForEventsPerSecond(demo.eventsPerSecond);
  const fromMs = nowMs - demo.backfillMs;
  const expected = Math.round(estimateEventsPerMinute(scale) * (demo.backfillMs / 60_000));
  log.info({ module: 'demo', hours: demo.backfillMs / 3_600_000, expected }, 'empty store: backfilling demo history so answers and alerts have something to learn from');
  let events = 0;
  let lastLog = Date.now();
  for (const batch of generateBatches({ seed: demo.seed, fromMs, toMs: nowMs, scale }, 20_000)) {
    await pipeline.push(batch, 'demo');
    events += batch.length;
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log.info({ module: 'demo', events, expected, percent: Math.min(100, Math.round((100 * events) / Math.max(1, expected))) }, 'backfill progress');
    }
  }
  await pipeline.flush();
  log.info({ module: 'demo', events }, 'demo backfill done');
  return events;
}
