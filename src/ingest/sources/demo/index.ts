import { silentLogger, type Logger } from '../../../ops/log.js';
import type { EventSink, Source } from '../../source.js';
import { generateMinute, scaleForEventsPerSecond, type DemoEvent } from './generator.js';

export {
  adRowsPerMinute,
  estimateEventsPerMinute,
  generateBatches,
  generateEvents,
  generateMinute,
  scaleForEventsPerSecond,
  type DemoEvent,
  type DemoOptions,
} from './generator.js';
export { pushDemoHistory, type DemoHistoryOptions, type DemoHistoryProgress } from './history.js';
export { DEFAULT_FACTOR, INCIDENT_KINDS, demoIncidents, type Incident, type IncidentKind } from './incidents.js';
export { COUNTRY_REGION, DIMENSION_VALUES } from './model.js';

const MINUTE = 60_000;

export interface DemoSourceOptions {
  seed: number;
  /** Long-run average rate; the daily curve moves around it (see estimateEventsPerMinute). */
  eventsPerSecond: number;
  /** The clock. The stream starts at now() when started (no backfill) and follows it. */
  now: () => number;
  /** How often it catches up to now(); default 1000 ms. */
  tickMs?: number;
  /** Most events handed to one sink.push; default 5000. */
  maxBatch?: number;
  log?: Logger;
}

/**
 * The built-in live demo stream. Every tick it pushes the demo events with ts in
 * [last position, now()), cut from whole minutes generated exactly as generateEvents does,
 * so the live stream and a backfill of the same span are the same events with the same ids.
 * Ticks never overlap: the next one is scheduled after the previous push resolved (the
 * sink's backpressure). A failed push is logged and the same span is retried next tick.
 */
export class DemoSource implements Source {
  readonly name = 'demo';
  /** The generator scale that gives `eventsPerSecond` on average. */
  readonly scale: number;
  private readonly seed: number;
  private readonly now: () => number;
  private readonly tickMs: number;
  private readonly maxBatch: number;
  private readonly log: Logger;
  private sink: EventSink | null = null;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private pos = 0;
  private cache: { minute: number; events: DemoEvent[] } | null = null;

  constructor(opts: DemoSourceOptions) {
    this.seed = opts.seed;
    this.now = opts.now;
    this.tickMs = opts.tickMs ?? 1000;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 5000);
    this.log = opts.log ?? silentLogger();
    this.scale = scaleForEventsPerSecond(opts.eventsPerSecond);
  }

  /** Where the stream is: every event with ts before this was pushed. */
  get position(): number {
    return this.pos;
  }

  async start(sink: EventSink): Promise<void> {
    if (this.running) throw new Error('the demo source is already running');
    this.sink = sink;
    this.pos = this.now();
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
        if (this.running) this.schedule();
      });
    }, this.tickMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    const sink = this.sink;
    const to = this.now();
    while (sink && this.running && this.pos < to) {
      const { batch, end } = this.collect(this.pos, to);
      try {
        if (batch.length > 0) await sink.push(batch, this.name);
      } catch (err) {
        this.log.warn({ err, from: new Date(this.pos).toISOString(), events: batch.length }, 'demo push failed; retrying next tick');
        return;
      }
      this.pos = end;
    }
  }

  /** Events with ts in [from, end), at most maxBatch of them, never splitting one millisecond. */
  private collect(from: number, to: number): { batch: DemoEvent[]; end: number } {
    const batch: DemoEvent[] = [];
    let cursor = from;
    while (cursor < to) {
      const minute = Math.floor(cursor / MINUTE);
      const sliceEnd = Math.min(to, (minute + 1) * MINUTE);
      const events = this.minuteEvents(minute);
      let i = lowerBound(events, cursor);
      const j = lowerBound(events, sliceEnd);
      const room = this.maxBatch - batch.length;
      if (j - i > room) {
        // Full: cut where a millisecond starts, so the next push resumes exactly there.
        const k = lowerBound(events, events[i + room]!.ts);
        if (k > i) {
          for (; i < k; i++) batch.push(events[i]!);
          return { batch, end: events[k]!.ts };
        }
        if (batch.length > 0) return { batch, end: cursor };
        // One millisecond holds more than maxBatch events: push it whole.
        const ms = events[i]!.ts;
        for (; i < j && events[i]!.ts === ms; i++) batch.push(events[i]!);
        return { batch, end: ms + 1 };
      }
      for (; i < j; i++) batch.push(events[i]!);
      cursor = sliceEnd;
    }
    return { batch, end: to };
  }

  private minuteEvents(minute: number): DemoEvent[] {
    if (this.cache?.minute !== minute) {
      const events: DemoEvent[] = [];
      generateMinute({ seed: this.seed, scale: this.scale }, minute, events);
      this.cache = { minute, events };
    }
    return this.cache.events;
  }
}

/** First index whose ts >= t (events are in time order). */
function lowerBound(events: readonly DemoEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
