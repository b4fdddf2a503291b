import type { IngestPipeline } from './ingest/index.js';
import { pushDemoHistory } from './ingest/index.js';
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
  const fromMs = nowMs - demo.backfillMs;
  log.info({ module: 'demo', hours: demo.backfillMs / 3_600_000 }, 'empty store: backfilling demo history so answers and alerts have something to learn from');
  let lastLog = Date.now();
  const { events } = await pushDemoHistory(pipeline, { seed: demo.seed, eventsPerSecond: demo.eventsPerSecond, fromMs, toMs: nowMs }, (p) => {
    if (Date.now() - lastLog < 2000) return;
    lastLog = Date.now();
    log.info({ module: 'demo', events: p.events, expected: p.expected, percent: Math.min(100, Math.round((100 * p.events) / Math.max(1, p.expected))) }, 'backfill progress');
  });
  await pipeline.flush();
  log.info({ module: 'demo', events }, 'demo backfill done');
  return events;
}
