import type { EventSink } from '../../source.js';
import { estimateEventsPerMinute, generateBatches, scaleForEventsPerSecond } from './generator.js';

export interface DemoHistoryOptions {
  seed: number;
  eventsPerSecond: number;
  fromMs: number;
  toMs: number;
}

export interface DemoHistoryProgress {
  events: number;
  rejected: number;
  /** An estimate (the stream is random): a progress bar may end a little off 100%. */
  expected: number;
}

/**
 * Pushes the demo stream of [fromMs, toMs) into a sink, exactly as the live stream would have
 * produced it (same ids: re-running ingests nothing twice). Shared by `opsight demo --backfill`
 * and the first `npm start`; `onProgress` runs after every batch.
 */
export async function pushDemoHistory(sink: Pick<EventSink, 'push'>, o: DemoHistoryOptions, onProgress?: (p: DemoHistoryProgress) => void): Promise<DemoHistoryProgress> {
  const scale = scaleForEventsPerSecond(o.eventsPerSecond);
  const expected = Math.round(estimateEventsPerMinute(scale) * (Math.max(0, o.toMs - o.fromMs) / 60_000));
  const p: DemoHistoryProgress = { events: 0, rejected: 0, expected };
  for (const batch of generateBatches({ seed: o.seed, fromMs: o.fromMs, toMs: o.toMs, scale }, 20_000)) {
    const result = await sink.push(batch, 'demo');
    p.events += batch.length;
    p.rejected += result.rejected.length;
    onProgress?.({ ...p });
  }
  return p;
}
