import { setTimeout as delay } from 'node:timers/promises';
import type { WebAPICallResult } from '@slack/web-api';
import { OpsightError } from '../../errors.js';
import type { Logger, Metrics, RetryOptions } from '../../ops/index.js';
import { classifyFailure, slackMessagesOf, type SendFailure } from './classify.js';

/**
 * The outbound Slack queue: every message the bot writes goes through here.
 *
 * - One lane per channel: FIFO, one send in flight, at least `minIntervalMs` from the end of
 *   one send to the start of the next (Slack allows about one chat.postMessage per second per
 *   channel). Lanes are independent. Because a lane is FIFO, a chat.update enqueued after the
 *   post it edits always goes after that post.
 * - HTTP 429: wait Retry-After (+ a little jitter) and send the same message again; the lane
 *   waits meanwhile, so nothing is reordered. Scope of the pause: chat.postMessage's limit is
 *   per channel, so a 429 on it pauses only its channel. Every other method (chat.update,
 *   files.*) has a per-workspace, per-method limit (Slack's tiers), so a 429 on it also holds
 *   that method in every channel until Retry-After ends; other methods keep flowing. Nothing
 *   ever pauses all methods at once.
 * - Network errors, HTTP 5xx and Slack's "try later" errors: retried with capped, jittered
 *   exponential backoff (the policy of ops/retry.ts, written out here because the waits must
 *   use the injectable clock and end at close()), then failed. Other Slack errors fail at once.
 *   Failures are logged, counted in opsight_slack_messages_failed_total and reject the enqueue
 *   promise with opsight_slack_delivery_failed. Retries keep the lane's spacing too.
 * - Coalescing: items that carry a `coalesceKey` and are waiting in the same lane when the
 *   first of them is sent are merged by the key's coalescer into one message, sent in the
 *   place of the first; all of them resolve with that message's result.
 *
 * - close() stops intake and drains; with a deadline it fails what is left (shutdown).
 *
 * A network error after Slack received the request can post a message twice (Slack has no
 * idempotency key for chat.postMessage); that is the price of not losing it.
 */

/** The slice of `@slack/web-api`'s WebClient the outbox uses; the WebClient itself fits. */
export interface SlackApiClient {
  apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult>;
}

interface ItemCommon {
  /**
   * Items with the same key waiting in one channel are merged into one message by
   * `coalescers[key]` (e.g. a burst of alerts → "5 alerts fired"). No key: never merged.
   */
  coalesceKey?: string;
  /** Anything the coalescer needs to merge this item (e.g. the alert); never sent to Slack. */
  context?: unknown;
}

/** A Web API call: `client.apiCall(method, args)`. */
export interface OutboxCall extends ItemCommon {
  method: string;
  /** The method's arguments as `@slack/web-api` takes them; `channel`/`channel_id`, when set, must be the lane's channel. */
  args: Record<string, unknown>;
}

/** A custom job (several calls, e.g. an upload); `method` labels metrics, logs and 429 pauses. */
export interface OutboxJob extends ItemCommon {
  method: string;
  run(client: SlackApiClient): Promise<WebAPICallResult>;
}

export type OutboxItem = OutboxCall | OutboxJob;

/** Merges two or more waiting items (in queue order) into the one item sent in their place. */
export type Coalescer = (items: readonly OutboxItem[], channel: string) => OutboxItem;

/** Waits `ms`; must settle early (resolve or reject) when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface OutboxOptions {
  /** A WebClient built with `rejectRateLimitedCalls: true, retryConfig: { retries: 0 }`: the outbox owns waits and retries. */
  client: SlackApiClient;
  log: Logger;
  metrics: Metrics;
  /** Least time between the end of one send and the start of the next in one channel, in ms. @default 1000 */
  minIntervalMs?: number;
  /** Backoff for retriable failures; same defaults as ops `retry` (300 ms, ×2, ±20%, 30 s cap, 5 retries). */
  retry?: Omit<RetryOptions, 'onRetry'>;
  /** 429 answers one message may get before it fails (each waits Retry-After). @default 10 */
  rateLimitRetries?: number;
  /** Random extra wait after Retry-After, up to this many ms, so lanes do not all return at once. @default 250 */
  rateLimitJitterMs?: number;
  /** Merge functions by coalesceKey. @default {} */
  coalescers?: Readonly<Record<string, Coalescer>>;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** @default node:timers/promises setTimeout with the signal */
  sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

export interface OutboxCloseOptions {
  /** Give up after this many ms: messages not sent by then are failed with a shutdown error. @default wait for all */
  deadlineMs?: number;
}

/** A message as the listeners build it (structurally the Messenger's OutgoingMessage). */
export interface OutboxMessage {
  text: string;
  blocks?: readonly unknown[];
}

export interface PostOptions {
  threadTs?: string;
  coalesceKey?: string;
  context?: unknown;
}

export interface PngFile {
  filename: string;
  title: string;
  /** Describes the chart for screen readers. */
  altText: string;
  png: Buffer;
}

interface Entry {
  item: OutboxItem;
  resolve(result: WebAPICallResult): void;
  reject(err: OpsightError): void;
}

interface Lane {
  readonly channel: string;
  readonly waiting: Entry[];
  /** No send before this time (ms, `now()` clock). */
  nextAt: number;
}

/** Only chat.postMessage is limited per channel; other methods per workspace (see the top comment). */
const PER_CHANNEL_LIMITED = new Set(['chat.postMessage']);

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

const isJob = (item: OutboxItem): item is OutboxJob => typeof (item as Partial<OutboxJob>).run === 'function';

export class SlackOutbox {
  readonly #client: SlackApiClient;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #minIntervalMs: number;
  readonly #retries: number;
  readonly #initialDelayMs: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #maxDelayMs: number;
  readonly #rateLimitRetries: number;
  readonly #rateLimitJitterMs: number;
  readonly #coalescers: Readonly<Record<string, Coalescer>>;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #random: () => number;

  readonly #lanes = new Map<string, Lane>();
  /** Method → time its workspace-wide 429 pause ends. */
  readonly #methodPausedUntil = new Map<string, number>();
  /** Aborted when the outbox stops for good: wakes every wait. */
  readonly #stop = new AbortController();
  #unsettled = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;
  #shutdownReason: string | undefined;

  constructor(options: OutboxOptions) {
    const positive = (name: string, v: number | undefined, fallback: number): number => {
      const value = v ?? fallback;
      if (!(Number.isFinite(value) && value >= 0)) {
        throw new OpsightError('opsight_config_invalid', `SlackOutbox option ${name} must be a number ≥ 0, got ${v}`);
      }
      return value;
    };
    this.#client = options.client;
    this.#log = options.log.child({ module: 'slack.outbox' });
    this.#metrics = options.metrics;
    this.#minIntervalMs = positive('minIntervalMs', options.minIntervalMs, 1000);
    this.#retries = positive('retry.retries', options.retry?.retries, 5);
    this.#initialDelayMs = positive('retry.initialDelayMs', options.retry?.initialDelayMs, 300);
    this.#factor = positive('retry.factor', options.retry?.factor, 2);
    this.#jitter = positive('retry.jitter', options.retry?.jitter, 0.2);
    this.#maxDelayMs = positive('retry.maxDelayMs', options.retry?.maxDelayMs, 30_000);
    this.#rateLimitRetries = positive('rateLimitRetries', options.rateLimitRetries, 10);
    this.#rateLimitJitterMs = positive('rateLimitJitterMs', options.rateLimitJitterMs, 250);
    this.#coalescers = options.coalescers ?? {};
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
  }

  /** Messages waiting in all lanes (not counting those being sent or retried). */
  depth(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.waiting.length;
    return n;
  }

  /**
   * Queues one item for `channel` (a channel id, C…/D…/G…: one channel spelled two ways would
   * get two lanes). Resolves with Slack's result once sent; rejects with
   * opsight_slack_delivery_failed when Slack refuses it, retries run out or the outbox closes.
   */
  enqueue(channel: string, item: OutboxItem): Promise<WebAPICallResult> {
    const refuse = (message: string, error: string) => {
      this.#metrics.slackMessagesFailed.inc({ method: item.method, error });
      return Promise.reject(new OpsightError('opsight_slack_delivery_failed', message));
    };
    if (this.#closed) {
      return refuse(`Slack ${item.method} to ${channel} not sent: the outbox is closed (the process is shutting down)`, 'shutdown');
    }
    if (!isJob(item)) {
      for (const key of ['channel', 'channel_id'] as const) {
        const named = item.args[key];
        if (named !== undefined && named !== channel) {
          return refuse(`Slack ${item.method}: args.${key} "${String(named)}" is not the queue channel "${channel}"; pass the same channel to enqueue, which paces per channel`, 'invalid_arguments');
        }
      }
    }
    if (item.coalesceKey !== undefined && !this.#coalescers[item.coalesceKey]) {
      return refuse(`Slack ${item.method} to ${channel}: no coalescer for coalesceKey "${item.coalesceKey}"; pass coalescers: { "${item.coalesceKey}": (items) => item } to the outbox`, 'invalid_arguments');
    }
    return new Promise<WebAPICallResult>((resolve, reject) => {
      this.#unsettled++;
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        this.#unsettled--;
        if (this.#unsettled === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
        return true;
      };
      const entry: Entry = {
        item,
        resolve: (result) => {
          if (settle()) resolve(result);
        },
        reject: (err) => {
          if (settle()) reject(err);
        },
      };
      let lane = this.#lanes.get(channel);
      const start = !lane;
      if (!lane) {
        lane = { channel, waiting: [], nextAt: 0 };
        this.#lanes.set(channel, lane);
      }
      lane.waiting.push(entry);
      this.#metrics.slackQueueDepth.inc();
      if (start) void this.#run(lane);
    });
  }

  /** chat.postMessage (in a thread with `threadTs`); resolves with the message's ts. */
  async post(channel: string, message: OutboxMessage, options: PostOptions = {}): Promise<{ ts: string; channel: string }> {
    const args: Record<string, unknown> = { channel, text: message.text };
    if (message.blocks !== undefined) args.blocks = message.blocks;
    if (options.threadTs !== undefined) args.thread_ts = options.threadTs;
    const result = await this.enqueue(channel, { method: 'chat.postMessage', args, coalesceKey: options.coalesceKey, context: options.context });
    const { ts, channel: postedIn } = result as { ts?: unknown; channel?: unknown };
    if (typeof ts !== 'string' || ts === '') {
      throw new OpsightError('opsight_slack_api_failed', `Slack chat.postMessage to ${channel} answered ok without a message ts; check that SLACK_API_URL is Slack's Web API`);
    }
    return { ts, channel: typeof postedIn === 'string' ? postedIn : channel };
  }

  /** chat.update of a message this bot posted; queued behind anything already waiting in the channel. */
  async update(channel: string, ts: string, message: OutboxMessage): Promise<void> {
    const args: Record<string, unknown> = { channel, ts, text: message.text };
    if (message.blocks !== undefined) args.blocks = message.blocks;
    await this.enqueue(channel, { method: 'chat.update', args });
  }

  /** A PNG (a chart) into the channel or a thread, with files.uploadV2 (WebClient runs its three steps). */
  async uploadPng(channel: string, file: PngFile, options: { threadTs?: string } = {}): Promise<void> {
    const args: Record<string, unknown> = { channel_id: channel, file: file.png, filename: file.filename, title: file.title, alt_text: file.altText };
    if (options.threadTs !== undefined) args.thread_ts = options.threadTs;
    await this.enqueue(channel, { method: 'files.uploadV2', args });
  }

  /**
   * Stops taking messages and sends what is queued. With `deadlineMs`, whatever is not sent by
   * then fails with a shutdown error (a send already on the wire is not cut; its promise
   * settles when Slack answers). Resolves when everything has settled or the deadline passed.
   */
  async close(options: OutboxCloseOptions = {}): Promise<void> {
    this.#closed = true;
    const idle = new Promise<void>((resolve) => {
      if (this.#unsettled === 0) resolve();
      else this.#idleWaiters.push(resolve);
    });
    if (options.deadlineMs === undefined) {
      await idle;
    } else {
      const deadline = new AbortController();
      const timedOut = await Promise.race([
        idle.then(() => false),
        this.#sleep(options.deadlineMs, deadline.signal).then(() => true, () => true),
      ]);
      deadline.abort();
      if (timedOut && this.#unsettled > 0) this.#shutdown(`the outbox was closed at shutdown and its ${options.deadlineMs} ms deadline passed first`);
    }
    // Wakes lanes idling out their last interval, so no timer outlives the outbox.
    this.#stop.abort();
  }

  #shutdown(reason: string): void {
    this.#shutdownReason = reason;
    const dropped: Record<string, number> = {};
    for (const lane of this.#lanes.values()) {
      for (const entry of lane.waiting.splice(0)) {
        this.#metrics.slackQueueDepth.dec();
        this.#metrics.slackMessagesFailed.inc({ method: entry.item.method, error: 'shutdown' });
        entry.reject(new OpsightError('opsight_slack_delivery_failed', `Slack ${entry.item.method} to ${lane.channel} not sent: ${reason}`));
        dropped[lane.channel] = (dropped[lane.channel] ?? 0) + 1;
      }
    }
    // One line with counts per channel rather than one per message.
    if (Object.keys(dropped).length > 0) this.#log.error({ dropped }, 'slack messages not sent before shutdown');
    this.#stop.abort();
  }

  /** Waits until `at` (ms on the outbox clock); returns early when the outbox stops. */
  async #waitUntil(at: number): Promise<void> {
    const ms = at - this.#now();
    if (ms > 0 && !this.#stop.signal.aborted) await this.#sleep(ms, this.#stop.signal).catch(() => undefined);
  }

  async #run(lane: Lane): Promise<void> {
    // Let the caller's synchronous burst land first, so it can be coalesced.
    await Promise.resolve();
    let batch: Entry[] = [];
    try {
      for (;;) {
        const head = lane.waiting[0];
        if (!head) {
          // Idle out the interval before forgetting the lane, so a message enqueued right
          // after still keeps its distance from the last one.
          await this.#waitUntil(lane.nextAt);
          if (lane.waiting.length === 0 || this.#stop.signal.aborted) break;
          continue;
        }
        await this.#waitUntil(Math.max(lane.nextAt, this.#methodPause(head.item.method)));
        if (this.#shutdownReason !== undefined) break;
        batch = this.#take(lane);
        await this.#deliver(lane, batch);
        batch = [];
        lane.nextAt = this.#now() + this.#minIntervalMs;
      }
    } catch (err) {
      // #deliver settles every entry itself; reaching here is a bug, and must not strand messages
      // (settling twice is a no-op, so entries #deliver already settled stay as they are).
      this.#log.error({ err, channel: lane.channel }, 'slack outbox lane crashed');
      const waiting = lane.waiting.splice(0);
      this.#metrics.slackQueueDepth.dec(waiting.length);
      for (const entry of [...batch, ...waiting]) {
        this.#fail(lane.channel, entry.item.method, [entry], 'unknown', `Slack ${entry.item.method} to ${lane.channel} not sent: the outbox lane failed: ${(err as Error).message}`, err, 1);
      }
    } finally {
      this.#lanes.delete(lane.channel);
    }
  }

  #methodPause(method: string): number {
    return PER_CHANNEL_LIMITED.has(method) ? 0 : (this.#methodPausedUntil.get(method) ?? 0);
  }

  /** The head, plus every waiting item with the head's coalesceKey (they are merged into it). */
  #take(lane: Lane): Entry[] {
    const head = lane.waiting.shift()!;
    const key = head.item.coalesceKey;
    const batch = [head];
    if (key !== undefined) {
      for (let i = 0; i < lane.waiting.length; ) {
        if (lane.waiting[i]!.item.coalesceKey === key) batch.push(...lane.waiting.splice(i, 1));
        else i++;
      }
    }
    this.#metrics.slackQueueDepth.dec(batch.length);
    return batch;
  }

  async #deliver(lane: Lane, batch: Entry[]): Promise<void> {
    const channel = lane.channel;
    let item = batch[0]!.item;
    if (batch.length > 1) {
      const key = item.coalesceKey!;
      try {
        item = this.#coalescers[key]!(batch.map((e) => e.item), channel);
      } catch (err) {
        const message = `Slack ${item.method} to ${channel}: the coalescer for "${key}" threw while merging ${batch.length} messages: ${(err as Error).message}`;
        this.#fail(channel, item.method, batch, 'coalesce_failed', message, err, batch.length);
        return;
      }
      this.#log.info({ channel, coalesceKey: key, merged: batch.length }, 'slack messages coalesced');
    }
    const method = item.method;

    let failures = 0;
    let rateLimited = 0;
    let lastError: { failure: SendFailure; err: unknown } | undefined;
    for (;;) {
      if (this.#shutdownReason !== undefined && lastError) {
        // Woken from a Retry-After or backoff wait by close()'s deadline: stop here.
        const message = `Slack ${method} to ${channel} not sent: ${this.#shutdownReason} (last attempt: ${lastError.failure.error})`;
        this.#fail(channel, method, batch, 'shutdown', message, lastError.err, 1);
        return;
      }
      let result: WebAPICallResult;
      try {
        result = isJob(item) ? await item.run(this.#client) : await this.#client.apiCall(method, { ...item.args });
      } catch (err) {
        const failure = classifyFailure(err);
        const attempts = failures + rateLimited + 1;
        lastError = { failure, err };
        if (this.#shutdownReason !== undefined && failure.kind !== 'fatal') continue;
        if (failure.kind === 'rate_limited' && rateLimited < this.#rateLimitRetries) {
          rateLimited++;
          // Never sooner than the lane's pacing, even for "Retry-After: 0".
          const waitMs = Math.max(this.#minIntervalMs, failure.retryAfterMs + Math.round(this.#random() * this.#rateLimitJitterMs));
          const until = this.#now() + waitMs;
          if (!PER_CHANNEL_LIMITED.has(method)) this.#methodPausedUntil.set(method, Math.max(until, this.#methodPause(method)));
          this.#metrics.slackRetries.inc({ reason: 'ratelimited' });
          this.#log.warn({ channel, method, retryAfterMs: failure.retryAfterMs, waitMs, attempt: attempts }, 'slack rate limited; waiting Retry-After');
          await this.#waitUntil(until);
          continue;
        }
        if (failure.kind === 'retriable' && failures < this.#retries) {
          failures++;
          // A retry is a request too: it keeps the lane's spacing even when the backoff is shorter.
          const waitMs = Math.max(this.#minIntervalMs, this.#backoffMs(failures));
          this.#metrics.slackRetries.inc({ reason: failure.reason });
          this.#log.warn({ channel, method, error: failure.error, waitMs, attempt: attempts }, 'slack write failed; retrying');
          await this.#waitUntil(this.#now() + waitMs);
          continue;
        }
        this.#fail(channel, method, batch, failure.error, this.#failureMessage(channel, method, failure, attempts, err), err, 1);
        return;
      }
      this.#metrics.slackMessagesSent.inc({ method });
      for (const entry of batch) entry.resolve(result);
      return;
    }
  }

  /** ops/retry.ts's policy: initial × factor^(n−1), capped, ± jitter. */
  #backoffMs(retry: number): number {
    const base = Math.min(this.#maxDelayMs, this.#initialDelayMs * this.#factor ** (retry - 1));
    return Math.max(0, Math.round(base * (1 + (this.#random() * 2 - 1) * this.#jitter)));
  }

  #failureMessage(channel: string, method: string, failure: SendFailure, attempts: number, err: unknown): string {
    if (failure.kind === 'fatal') {
      const details = slackMessagesOf(err);
      return `Slack ${method} to ${channel} failed: ${failure.error}${details.length > 0 ? ` (${details.join('; ')})` : ''}: ${failure.hint}`;
    }
    return `Slack ${method} to ${channel} failed: ${failure.error}, gave up after ${attempts} attempts; Slack or the network stayed unavailable and the message was not delivered`;
  }

  /**
   * Rejects `entries` with one opsight_slack_delivery_failed error, logs it (fields only: never
   * text, blocks or token) and counts `counted` failed messages (a merged send is one message).
   */
  #fail(channel: string, method: string, entries: readonly Entry[], error: string, message: string, cause: unknown, counted: number): void {
    this.#metrics.slackMessagesFailed.inc({ method, error }, counted);
    this.#log.error({ channel, method, error, messages: entries.length }, 'slack write failed');
    const failure = new OpsightError('opsight_slack_delivery_failed', message, cause === undefined ? {} : { cause });
    for (const entry of entries) entry.reject(failure);
  }
}

/** The outbox main.ts builds over the writer WebClient. */
export function createOutbox(options: OutboxOptions): SlackOutbox {
  return new SlackOutbox(options);
}
