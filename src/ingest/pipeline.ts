import type { Logger, Metrics } from '../ops/index.js';
import type { DeadLetterRow, EventRow, Store } from '../store/index.js';
import { OpsightError } from '../errors.js';
import { validateEnvelope } from './envelope.js';
import { RecentIds } from './recent-ids.js';
import type { EventSink, PushResult, UndecodedInput } from './source.js';

export interface PipelineOptions {
  /** Events per insert. Larger batches amortise ClickHouse's per-insert cost. @default 50000 */
  batchSize?: number;
  /** Longest an event waits in the buffer before a partial batch is flushed. @default 250 */
  flushIntervalMs?: number;
  /** Buffered events above which push() waits (backpressure). @default 4 × batchSize */
  maxQueued?: number;
  /** Clock, for validation of far-future timestamps. */
  now?: () => number;
  /**
   * This process is the only writer to the store (embedded chDB): duplicates of events it
   * stored itself are caught in memory, and only older events are looked up in the store.
   * Leave false when other processes write to the same ClickHouse. @default false
   */
  exclusiveStore?: boolean;
}

interface Queued {
  row: EventRow;
  /** The source that pushed it (http, file, demo…): bounded, so safe as a metrics label. */
  ingestSource: string;
  enqueuedAtMs: number;
}

/** The payload column of a dead letter: the original, exactly, or base64 when not UTF-8. */
function deadLetter(source: string, reason: string, error: string, payload: string, eventId = '', encoding: 'utf8' | 'base64' = 'utf8'): DeadLetterRow {
  return { received_at: Date.now(), source, reason, error, event_id: eventId, payload, payload_encoding: encoding };
}

function idOf(value: unknown): string {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string') return id.slice(0, 200);
    if (typeof id === 'number') return String(id);
  }
  return '';
}

/**
 * validate → pseudonymise → batch → dedupe by id → insert (rollups follow through the
 * materialized views). Every refused event becomes a dead letter with its reason.
 * One flush loop runs at a time; within it at most two batches overlap (see flushPipelined),
 * and each batch's duplicate check sees every batch before it.
 */
export class IngestPipeline implements EventSink {
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private queue: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private closed = false;
  private lastError: OpsightError | undefined;
  private readonly recent: RecentIds | undefined;
  /** Newest event ts in the store when this pipeline started; newer ones it saw itself. */
  private storeHorizonMs: Promise<number> | undefined;

  constructor(
    private readonly store: Store,
    private readonly pseudonymise: (userId: string) => string,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    options: PipelineOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.maxQueued = options.maxQueued ?? this.batchSize * 4;
    this.now = options.now ?? Date.now;
    this.recent = options.exclusiveStore ? new RecentIds() : undefined;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Age in ms of the oldest buffered event: the ingest lag /healthz reports. */
  lagMs(): number {
    const first = this.queue[0];
    return first ? Math.max(0, this.now() - first.enqueuedAtMs) : 0;
  }

  async push(values: readonly unknown[], source: string): Promise<PushResult> {
    if (this.closed) {
      throw new OpsightError('opsight_ingest_closed', 'ingest is shutting down; retry against the restarted process', { retriable: true });
    }
    const nowMs = this.now();
    const rejected: PushResult['rejected'] = [];
    const dead: DeadLetterRow[] = [];
    let accepted = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const v = validateEnvelope(value, nowMs, source);
      if (!v.ok) {
        rejected.push({ index: i, reason: v.reason, error: v.error });
        dead.push(deadLetter(source, v.reason, v.error, this.payloadOf(value), idOf(value)));
        this.metrics.eventsRejected.inc({ reason: v.reason });
        continue;
      }
      const e = v.event;
      this.queue.push({
        row: { id: e.id, ts: e.tsMs, type: e.type, source: e.source, user_id: this.pseudonymise(e.userId), dims: e.dims, measures: e.measures },
        ingestSource: source,
        enqueuedAtMs: nowMs,
      });
      accepted++;
    }
    if (dead.length > 0) await this.store.insertDeadLetters(dead);
    this.metrics.ingestQueueDepth.set(this.queue.length);
    this.schedule();
    // Backpressure: the caller waits while the buffer is over its bound.
    while (this.queue.length >= this.maxQueued && !this.closed) {
      this.kick();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (this.lastError && this.queue.length >= this.maxQueued) throw this.lastError;
    }
    return { accepted, rejected };
  }

  /** The original event for its dead letter, with user_id pseudonymised: never stored in clear. */
  private payloadOf(value: unknown): string {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'user_id' in value) {
      const userId = (value as { user_id: unknown }).user_id;
      if (typeof userId === 'string' || typeof userId === 'number') {
        return safeStringify({ ...value, user_id: this.pseudonymise(String(userId)) });
      }
    }
    return safeStringify(value);
  }

  async reject(inputs: readonly UndecodedInput[], source: string): Promise<void> {
    if (inputs.length === 0) return;
    const rows = inputs.map(({ raw, reason, error }) => {
      this.metrics.eventsRejected.inc({ reason });
      const encoding = reason === 'invalid_utf8' ? 'base64' : 'utf8';
      return deadLetter(source, reason, error, encoding === 'utf8' ? this.redactUserIds(raw) : raw, '', encoding);
    });
    await this.store.insertDeadLetters(rows);
  }

  /** Text that is not JSON may still carry `"user_id": "…"`: pseudonymise every such value. */
  private redactUserIds(raw: string): string {
    return raw.replace(/("user_id"\s*:\s*)("(?:[^"\\]|\\.)*"?|-?\d+(?:\.\d+)?)/g, (_m, key: string, value: string) => {
      let clear = value;
      if (value.startsWith('"')) {
        try {
          clear = JSON.parse(value.endsWith('"') && value.length > 1 ? value : `${value}"`) as string;
        } catch {
          clear = value.slice(1);
        }
      }
      return `${key}${JSON.stringify(this.pseudonymise(clear))}`;
    });
  }

  /**
   * Flushes everything buffered so far; resolves when it is in the store. While the store
   * is down it keeps retrying (events stay buffered); once closed, a failed flush rejects.
   */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      this.kick();
      if (this.flushing) await this.flushing;
      if (this.closed && this.lastError && this.queue.length > 0) {
        throw new OpsightError(this.lastError.code, `${this.queue.length} buffered events could not be written: ${this.lastError.message}`, { cause: this.lastError });
      }
    }
  }

  /** Stops accepting, then flushes every buffered event (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.flush();
    } finally {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private schedule(): void {
    if (this.queue.length >= this.batchSize) {
      this.kick();
    } else if (!this.timer && this.queue.length > 0 && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, this.flushIntervalMs);
    }
  }

  private kick(): void {
    if (this.flushing || this.queue.length === 0) return;
    // Failures are recorded in lastError (flush() and push() report them); the background
    // promise itself never rejects, so nothing goes unhandled.
    this.flushing = this.flushLoop()
      .catch((err: unknown) => {
        this.lastError = err instanceof OpsightError ? err : new OpsightError('opsight_unknown', String(err), { cause: err });
      })
      .finally(() => {
        this.flushing = undefined;
        if (!this.closed) this.schedule();
      });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      try {
        await this.flushPipelined();
        this.lastError = undefined;
      } catch (err) {
        // What failed stays buffered and is retried on the next pass; nothing is dropped.
        this.lastError = err instanceof OpsightError ? err : new OpsightError('opsight_unknown', String(err), { cause: err });
        this.log.error({ module: 'ingest.pipeline', err: this.lastError.message, queued: this.queue.length }, 'insert failed; batch kept for retry');
        this.releaseWaiters();
        if (!this.closed) await new Promise((r) => setTimeout(r, 1000));
        else throw this.lastError;
      }
    }
  }

  /**
   * Two batches in flight: while batch N is inserted, batch N+1's duplicate check runs
   * (the engine has two cores and the check is mostly waiting). N's ids are not visible
   * in the store yet, so N+1 is also checked against them in memory. A batch leaves the
   * queue only once its insert has succeeded.
   */
  private async flushPipelined(): Promise<void> {
    let inFlight: { taken: number; ids: ReadonlySet<string>; done: Promise<void> } | undefined;
    const settle = async () => {
      if (!inFlight) return;
      const current = inFlight;
      inFlight = undefined;
      await current.done;
      this.queue.splice(0, current.taken);
      this.metrics.ingestQueueDepth.set(this.queue.length);
      this.releaseWaiters();
    };
    try {
      while (this.queue.length > (inFlight?.taken ?? 0)) {
        const start = inFlight?.taken ?? 0;
        const batch = this.queue.slice(start, start + this.batchSize);
        const prepared = await this.prepare(batch, inFlight?.ids);
        try {
          await settle();
        } catch (err) {
          prepared.rollback();
          throw err;
        }
        const done = this.commit(prepared);
        // Handled here so a failure while the next check runs is not an unhandled rejection;
        // settle() still awaits it and rethrows.
        done.catch(() => undefined);
        inFlight = { taken: batch.length, ids: prepared.freshIds, done };
      }
      await settle();
    } finally {
      // A failed check must not orphan an insert that is still running (or succeeded).
      if (inFlight) await settle().catch(() => undefined);
    }
  }

  private releaseWaiters(): void {
    if (this.queue.length < this.maxQueued || this.lastError) {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /**
   * Splits a batch into new events and duplicates (of earlier events in the batch, of the
   * batch in flight, or of the store). As the store's only writer, new ids go into `recent`
   * right away, which then also covers the batch in flight; `rollback` takes them out again
   * if this batch is not stored after all. Otherwise `freshIds` carries them to the next batch.
   */
  private async prepare(batch: Queued[], inFlight: ReadonlySet<string> | undefined): Promise<Prepared> {
    const started = performance.now();
    const fresh: Queued[] = [];
    const duplicates: Queued[] = [];
    const lookup: Queued[] = [];
    const freshIds = new Set<string>();
    const recent = this.recent;
    if (recent) {
      // Asked once; a failed ask is asked again on the retry, not cached.
      this.storeHorizonMs ??= this.store.maxEventTs().catch((err: unknown) => {
        this.storeHorizonMs = undefined;
        throw err;
      });
      const horizon = await this.storeHorizonMs;
      for (const item of batch) {
        const { id, ts } = item.row;
        if (recent.has(id, ts)) duplicates.push(item);
        else if (ts <= horizon || !recent.covers(ts)) lookup.push(item);
        else {
          recent.add(id, ts);
          fresh.push(item);
        }
      }
    } else {
      for (const item of batch) {
        if (freshIds.has(item.row.id) || inFlight?.has(item.row.id)) duplicates.push(item);
        else {
          freshIds.add(item.row.id);
          lookup.push(item);
        }
      }
    }
    if (lookup.length > 0) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const { row } of lookup) {
        if (row.ts < lo) lo = row.ts;
        if (row.ts > hi) hi = row.ts;
      }
      const stored = await this.store.existingIds([...new Set(lookup.map((q) => q.row.id))], lo, hi);
      for (const item of lookup) {
        const { id, ts } = item.row;
        if (stored.has(id) || recent?.has(id, ts)) {
          duplicates.push(item);
          freshIds.delete(id);
        } else {
          recent?.add(id, ts);
          fresh.push(item);
        }
      }
    }
    const rollback = () => {
      if (recent) for (const { row } of fresh) recent.delete(row.id, row.ts);
    };
    return { started, size: batch.length, fresh, freshIds, duplicates, rollback };
  }

  private async commit(p: Prepared): Promise<void> {
    try {
      await this.store.insertEvents(p.fresh.map((q) => q.row));
    } catch (err) {
      p.rollback();
      throw err;
    }
    if (p.duplicates.length > 0) {
      this.metrics.eventsRejected.inc({ reason: 'duplicate' }, p.duplicates.length);
      this.metrics.eventsDuplicate.inc(p.duplicates.length);
      await this.store.insertDeadLetters(
        // The payload is the event as it would have been stored (user_id already pseudonymised).
        p.duplicates.map(({ row, ingestSource }) =>
          deadLetter(ingestSource, 'duplicate', `id ${row.id} was already ingested; re-delivery ignored`, JSON.stringify(row), row.id),
        ),
      );
    }
    // Runs of one source are the rule (a request, a file, the demo): count runs, not events.
    let source = '';
    let n = 0;
    for (const q of p.fresh) {
      if (q.ingestSource !== source) {
        if (n > 0) this.metrics.eventsAccepted.inc({ source }, n);
        source = q.ingestSource;
        n = 0;
      }
      n++;
    }
    if (n > 0) this.metrics.eventsAccepted.inc({ source }, n);
    this.metrics.batchSize.observe(p.size);
    this.metrics.insertSeconds.observe((performance.now() - p.started) / 1000);
  }
}

interface Prepared {
  started: number;
  size: number;
  fresh: Queued[];
  /** Ids this batch stores, when they are not tracked in RecentIds (shared store). */
  freshIds: ReadonlySet<string>;
  duplicates: Queued[];
  /** Undoes what prepare() recorded in RecentIds, for a batch that will be retried. */
  rollback(): void;
}

/** JSON for the dead-letter payload; values that cannot be serialised are described instead. */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (err) {
    return `<unserialisable: ${(err as Error).message}>`;
  }
}
