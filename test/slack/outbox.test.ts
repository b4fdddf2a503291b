/**
 * The outbound queue against a real local HTTP server speaking the Slack Web API's wire format
 * (form bodies, Bearer token, `{ok, ts, channel}`, 429 + Retry-After, 5xx, `{ok:false,error}`),
 * driven by a real @slack/web-api WebClient pointed at it with `slackApiUrl`. The fake lives
 * only at the wire; the queue, the client and the HTTP stack are the real ones.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { LogLevel, WebClient } from '@slack/web-api';
import { OpsightError } from '../../src/errors.js';
import { createMetrics, silentLogger, type Metrics } from '../../src/ops/index.js';
import { createHttpServer, readBody, sendJson, type HttpServer } from '../../src/server/index.js';
import { createOutbox, type OutboxItem, type OutboxOptions, type SlackOutbox, type Sleep } from '../../src/slack/outbox/index.js';
import { freePort } from '../support/process.js';

const TOKEN = 'xoxb-test-token';

interface SlackRequest {
  method: string;
  args: Record<string, string>;
  /** performance.now() when the request reached the server. */
  at: number;
  /** What the server answered: 'ok', 'http_429', 'http_500', or the Slack error. */
  outcome: string;
  ts?: string;
}

/** A scripted answer instead of success; undefined means "answer like Slack would". */
type Reply = { status: number; headers?: Record<string, string>; body: unknown } | undefined;

/** Answers Slack Web API calls on a real port, records every request, and lets a test script failures. */
class FakeSlack extends EventEmitter {
  readonly requests: SlackRequest[] = [];
  script: (method: string, args: Record<string, string>, request: number) => Reply = () => undefined;
  #server: HttpServer | undefined;
  #seq = 0;
  #uploads = new Map<string, number>();
  port = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<void> {
    this.#server = createHttpServer({
      log: silentLogger(),
      routes: [
        { method: 'POST', path: /^\/api\/(?<method>[\w.]+)$/, handler: (req, res, ctx) => this.#api(req, res, ctx.params.method!) },
        { method: 'POST', path: /^\/upload\/(?<id>\w+)$/, handler: (req, res, ctx) => this.#upload(req, res, ctx.params.id!) },
      ],
      closeGraceMs: 100,
    });
    this.port = await this.#server.listen(0, '127.0.0.1');
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  /** Successful posts (and updates, uploads) of one channel, in the order the server took them. */
  delivered(channel: string, method = 'chat.postMessage'): SlackRequest[] {
    return this.requests.filter((r) => r.method === method && r.outcome === 'ok' && (r.args.channel ?? r.args.channel_id) === channel);
  }

  /**
   * Resolves once `predicate` holds, checking after every request and every 5 ms (for state
   * outside the server, such as a held sleep); fails after `timeoutMs` instead of hanging.
   */
  waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off('request', check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        done();
        resolve();
      };
      const poll = setInterval(check, 5);
      this.on('request', check);
    });
  }

  #record(request: SlackRequest): void {
    this.requests.push(request);
    // After the response is written, so a waiter sees the request's outcome.
    setImmediate(() => this.emit('request', request));
  }

  async #api(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const at = performance.now();
    const body = (await readBody(req, 1 << 20)).toString('utf8');
    const args = Object.fromEntries(new URLSearchParams(body));
    const request: SlackRequest = { method, args, at, outcome: 'ok' };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      request.outcome = 'not_authed';
      this.#record(request);
      return sendJson(res, 200, { ok: false, error: 'not_authed' });
    }
    const scripted = this.script(method, args, this.requests.length);
    if (scripted) {
      const error = (scripted.body as { error?: string }).error;
      request.outcome = scripted.status === 200 ? (error ?? 'ok') : `http_${scripted.status}`;
      this.#record(request);
      return sendJson(res, scripted.status, scripted.body, scripted.headers);
    }
    const ts = `1795000000.${String(++this.#seq).padStart(6, '0')}`;
    switch (method) {
      case 'chat.postMessage':
        if (!args.channel || (!args.text && !args.blocks)) {
          request.outcome = args.channel ? 'no_text' : 'channel_not_found';
          this.#record(request);
          return sendJson(res, 200, { ok: false, error: request.outcome });
        }
        request.ts = ts;
        this.#record(request);
        return sendJson(res, 200, { ok: true, channel: args.channel, ts, message: { text: args.text, ts } });
      case 'chat.update': {
        const posted = this.requests.some((r) => r.method === 'chat.postMessage' && r.outcome === 'ok' && r.ts === args.ts && r.args.channel === args.channel);
        request.outcome = posted ? 'ok' : 'message_not_found';
        this.#record(request);
        return sendJson(res, 200, posted ? { ok: true, channel: args.channel, ts: args.ts, text: args.text } : { ok: false, error: 'message_not_found' });
      }
      case 'files.getUploadURLExternal': {
        const id = `F${++this.#seq}`;
        this.#uploads.set(id, 0);
        this.#record(request);
        return sendJson(res, 200, { ok: true, file_id: id, upload_url: `http://127.0.0.1:${this.port}/upload/${id}` });
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(args.files ?? '[]') as { id: string; title?: string }[];
        const missing = files.find((f) => !this.#uploads.get(f.id));
        request.outcome = missing ? 'file_not_found' : 'ok';
        this.#record(request);
        return sendJson(res, 200, missing ? { ok: false, error: 'file_not_found' } : { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) });
      }
      default:
        request.outcome = 'unknown_method';
        this.#record(request);
        return sendJson(res, 200, { ok: false, error: 'unknown_method' });
    }
  }

  async #upload(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const at = performance.now();
    const bytes = await readBody(req, 10 << 20);
    this.#uploads.set(id, bytes.length);
    this.#record({ method: 'upload', args: { id, bytes: String(bytes.length) }, at, outcome: 'ok' });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - ' + bytes.length);
  }
}

/** WebClient logs Slack's response_metadata messages itself; the tests assert them instead. */
const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The writer client as the product builds it: no hidden retries or rate-limit waits. */
function writerClient(apiUrl: string): WebClient {
  return new WebClient(TOKEN, { slackApiUrl: apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, logger: quietLogger });
}

/** Value of one sample of a metric, read from the registry as /metrics would print it. */
async function metric(metrics: Metrics, name: string, labels = ''): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '') === labels) return Number(m[3]);
  }
  return 0;
}

/**
 * Sleeps for real up to 500 ms; longer waits (Retry-After seconds) are held until the test
 * releases them, so a test decides when a paused channel resumes instead of waiting.
 */
function gatedSleep() {
  const held: { ms: number; release: () => void }[] = [];
  const sleep: Sleep = (ms, signal) => {
    if (ms < 500) return delay(ms, undefined, { signal }).catch(() => undefined);
    return new Promise<void>((resolve) => {
      held.push({ ms, release: resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };
  return { sleep, held, releaseAll: () => held.splice(0).forEach((h) => h.release()) };
}

/** Asserts consecutive requests of one channel reached the server at least `minMs` apart. */
function assertSpacing(requests: readonly SlackRequest[], minMs: number): void {
  // 2 ms for timer granularity: Node may fire a timer up to a millisecond early.
  for (let i = 1; i < requests.length; i++) {
    const gap = requests[i]!.at - requests[i - 1]!.at;
    assert.ok(gap >= minMs - 2, `requests ${i - 1} and ${i} of one channel arrived ${gap.toFixed(1)} ms apart, less than ${minMs} ms`);
  }
}

const text = (r: SlackRequest) => r.args.text;

describe('Slack outbox', () => {
  const slack = new FakeSlack();
  let metrics: Metrics;
  const open: SlackOutbox[] = [];

  before(async () => {
    await slack.start();
  });
  after(async () => {
    await Promise.all(open.map((o) => o.close({ deadlineMs: 100 })));
    await slack.stop();
  });

  function outbox(options: Partial<OutboxOptions> = {}): SlackOutbox {
    metrics = createMetrics();
    slack.script = () => undefined;
    const o = createOutbox({
      client: writerClient(slack.apiUrl),
      log: silentLogger(),
      metrics,
      minIntervalMs: 20,
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      random: () => 0,
      ...options,
    });
    open.push(o);
    return o;
  }

  test('delivers 100 messages over 3 channels through 500s and 429s: none lost, none doubled, each channel in order and paced', async () => {
    const o = outbox({ retry: { retries: 10, initialDelayMs: 1, maxDelayMs: 5 } });
    const channels = ['C100A', 'C100B', 'C100C'];
    // Every 7th request fails with a 500 and every 11th gets a 429 (Retry-After: 0): the same message must go again.
    let injected500 = 0;
    let injected429 = 0;
    slack.script = (method, args, n) => {
      if (!channels.includes(args.channel ?? '')) return undefined;
      if (n % 7 === 3) return (injected500++, { status: 500, body: 'upstream error' });
      if (n % 11 === 5) return (injected429++, { status: 429, headers: { 'retry-after': '0' }, body: { ok: false, error: 'ratelimited' } });
      return undefined;
    };
    const sent = Array.from({ length: 100 }, (_, i) => {
      const channel = channels[i % 3]!;
      return { channel, text: `m${i}`, result: o.post(channel, { text: `m${i}` }) };
    });
    const results = await Promise.all(sent.map((s) => s.result));

    for (const channel of channels) {
      const expected = sent.filter((s) => s.channel === channel).map((s) => s.text);
      assert.deepEqual(slack.delivered(channel).map(text), expected, `channel ${channel}: every message exactly once, in order`);
      assertSpacing(slack.requests.filter((r) => r.args.channel === channel), 20);
    }
    // Each caller got the ts of its own message.
    for (const [i, s] of sent.entries()) {
      const posted = slack.delivered(s.channel).find((r) => text(r) === s.text)!;
      assert.equal(results[i]!.ts, posted.ts);
    }
    assert.ok(injected500 > 0 && injected429 > 0, 'faults were injected');
    assert.equal(await metric(metrics, 'opsight_slack_messages_sent_total', '{method="chat.postMessage"}'), 100);
    assert.equal(await metric(metrics, 'opsight_slack_retries_total', '{reason="server_error"}'), injected500);
    assert.equal(await metric(metrics, 'opsight_slack_retries_total', '{reason="ratelimited"}'), injected429);
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="http_500"}'), 0);
    assert.equal(await metric(metrics, 'opsight_slack_queue_depth'), 0);
  });

  test('a 429 pauses only its channel for Retry-After, then resends the same message and keeps the order', async () => {
    const gate = gatedSleep();
    const o = outbox({ sleep: gate.sleep });
    let limited = false;
    slack.script = (method, args) => {
      if (args.channel === 'C429A' && args.text === 'a3' && !limited) {
        limited = true;
        return { status: 429, headers: { 'retry-after': '2' }, body: { ok: false, error: 'ratelimited' } };
      }
      return undefined;
    };
    const a = ['a1', 'a2', 'a3', 'a4', 'a5'].map((t) => o.post('C429A', { text: t }));
    const b = ['b1', 'b2', 'b3', 'b4', 'b5'].map((t) => o.post('C429B', { text: t }));

    await Promise.all(b);
    await slack.waitFor('the 429 on a3', () => limited && gate.held.length === 1);
    // The wait runs to a deadline set at the 429, so a busy machine may have spent a few ms of it already.
    assert.equal(gate.held.length, 1);
    assert.ok(gate.held[0]!.ms > 1900 && gate.held[0]!.ms <= 2000, `waits Retry-After: 2 s (jitter 0 here), got ${gate.held[0]!.ms} ms`);
    assert.deepEqual(slack.delivered('C429B').map(text), ['b1', 'b2', 'b3', 'b4', 'b5'], 'the other channel is not held up');
    assert.deepEqual(slack.delivered('C429A').map(text), ['a1', 'a2'], 'nothing after a3 goes while it waits');
    assert.equal(o.depth(), 2, 'a4 and a5 wait');
    assert.equal(await metric(metrics, 'opsight_slack_queue_depth'), 2);

    gate.releaseAll();
    await Promise.all(a);
    assert.deepEqual(slack.delivered('C429A').map(text), ['a1', 'a2', 'a3', 'a4', 'a5']);
    assert.deepEqual(
      slack.requests.filter((r) => r.args.channel === 'C429A').map((r) => `${text(r)}:${r.outcome}`),
      ['a1:ok', 'a2:ok', 'a3:http_429', 'a3:ok', 'a4:ok', 'a5:ok'],
      'the same message is sent again after the wait',
    );
    assert.equal(await metric(metrics, 'opsight_slack_retries_total', '{reason="ratelimited"}'), 1);
  });

  test('a 429 on chat.update holds chat.update in every channel (a per-workspace limit) while posts keep flowing', async () => {
    const gate = gatedSleep();
    const o = outbox({ sleep: gate.sleep });
    const a1 = await o.post('CUPDA', { text: 'a1' });
    let limited = false;
    slack.script = (method, args) => {
      if (method === 'chat.update' && args.channel === 'CUPDA' && !limited) {
        limited = true;
        return { status: 429, headers: { 'retry-after': '3' }, body: { ok: false, error: 'ratelimited' } };
      }
      return undefined;
    };
    const updateA = o.update('CUPDA', a1.ts, { text: 'a1 edited' });
    await slack.waitFor('the 429 on the update', () => gate.held.length === 1);

    const b1 = await o.post('CUPDB', { text: 'b1' });
    const updateB = o.update('CUPDB', b1.ts, { text: 'b1 edited' });
    const b2 = o.post('CUPDB', { text: 'b2' });
    const c = [o.post('CUPDC', { text: 'c1' }), o.post('CUPDC', { text: 'c2' })];
    await Promise.all(c);
    await slack.waitFor('channel B holding its update', () => gate.held.length === 2);
    assert.equal(slack.delivered('CUPDB', 'chat.update').length, 0, 'the update in another channel waits for the pause');
    assert.deepEqual(slack.delivered('CUPDB').map(text), ['b1'], 'and what is queued behind it in that channel waits too (FIFO)');
    assert.deepEqual(slack.delivered('CUPDC').map(text), ['c1', 'c2'], 'posts are not held by a chat.update limit');

    gate.releaseAll();
    await Promise.all([updateA, updateB, b2]);
    assert.deepEqual(
      slack.requests.filter((r) => r.args.channel === 'CUPDB' && r.outcome === 'ok').map((r) => `${r.method}:${text(r)}`),
      ['chat.postMessage:b1', 'chat.update:b1 edited', 'chat.postMessage:b2'],
    );
    assert.equal(slack.delivered('CUPDA', 'chat.update').length, 1);
  });

  test('coalesces a burst of keyed messages into one, resolves every one of them with it, and never merges unkeyed ones', async () => {
    const calls: string[][] = [];
    const o = outbox({
      coalescers: {
        alerts: (items, channel) => {
          const names = items.map((i) => (i.context as { name: string }).name);
          calls.push(names);
          return { method: 'chat.postMessage', args: { channel, text: `${items.length} alerts fired: ${names.join(', ')}` } };
        },
      },
    });
    const alert = (name: string) => o.post('CBURST', { text: `alert ${name}` }, { coalesceKey: 'alerts', context: { name } });

    // A synchronous burst with an unkeyed note in the middle.
    const burst = [alert('a1'), alert('a2'), o.post('CBURST', { text: 'note' }), alert('a3'), alert('a4'), alert('a5')];
    const results = await Promise.all(burst);
    assert.deepEqual(slack.delivered('CBURST').map(text), ['5 alerts fired: a1, a2, a3, a4, a5', 'note']);
    const merged = slack.delivered('CBURST')[0]!.ts;
    assert.deepEqual(results.map((r) => r.ts === merged), [true, true, false, true, true, true], 'every merged alert resolves with the merged message');

    // One alert alone is sent as it is; the ones that pile up behind it while the lane waits are merged.
    await alert('x0');
    const later = [alert('x1'), alert('x2'), alert('x3')];
    await Promise.all(later);
    // Unkeyed twins are two messages.
    await Promise.all([o.post('CBURST', { text: 'same' }), o.post('CBURST', { text: 'same' })]);
    assert.deepEqual(slack.delivered('CBURST').map(text).slice(2), ['alert x0', '3 alerts fired: x1, x2, x3', 'same', 'same']);
    assert.deepEqual(calls, [['a1', 'a2', 'a3', 'a4', 'a5'], ['x1', 'x2', 'x3']], 'the coalescer sees items in queue order, never a single one');
    // merged a1–a5, note, x0, merged x1–x3, same, same.
    assert.equal(await metric(metrics, 'opsight_slack_messages_sent_total', '{method="chat.postMessage"}'), 6);
  });

  test('a coalescer that throws fails the merged messages with the reason, and the channel goes on', async () => {
    const o = outbox({ coalescers: { boom: () => { throw new Error('template missing'); } } });
    const burst = [1, 2, 3].map((i) => o.post('CBOOM', { text: `b${i}` }, { coalesceKey: 'boom' }));
    const next = o.post('CBOOM', { text: 'after' });
    for (const p of burst) {
      await assert.rejects(p, (err: unknown) => err instanceof OpsightError && err.code === 'opsight_slack_delivery_failed' && /coalescer for "boom" threw while merging 3 messages: template missing/.test(err.message));
    }
    await next;
    assert.deepEqual(slack.delivered('CBOOM').map(text), ['after']);
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="coalesce_failed"}'), 3);
  });

  test('refuses an unknown coalesceKey and a channel that is not the lane’s, before queueing', async () => {
    const o = outbox();
    await assert.rejects(o.post('CREF', { text: 'x' }, { coalesceKey: 'nope' }), /no coalescer for coalesceKey "nope"/);
    await assert.rejects(o.enqueue('CREF', { method: 'chat.postMessage', args: { channel: 'COTHER', text: 'x' } }), /args.channel "COTHER" is not the queue channel "CREF"/);
    assert.equal(slack.requests.filter((r) => r.args.channel === 'CREF' || r.args.channel === 'COTHER').length, 0);
  });

  test('a Slack error that retrying cannot fix fails at once, with Slack’s error and what to do, and the next message still goes', async () => {
    const o = outbox();
    slack.script = (method, args) => {
      if (args.text === 'bad blocks') {
        return { status: 200, body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]'] } } };
      }
      if (args.channel === 'CNOTIN') return { status: 200, body: { ok: false, error: 'not_in_channel' } };
      return undefined;
    };
    const bad = o.post('CFATAL', { text: 'bad blocks' });
    const good = o.post('CFATAL', { text: 'fine' });
    await assert.rejects(bad, (err: unknown) => {
      assert.ok(err instanceof OpsightError);
      assert.equal(err.code, 'opsight_slack_delivery_failed');
      assert.match(err.message, /chat\.postMessage to CFATAL failed: invalid_blocks \(\[ERROR\] must be more than 0 characters \[json-pointer:\/blocks\/0\/text\/text\]\): the Block Kit payload is invalid/);
      assert.equal((err.cause as { code?: string }).code, 'slack_webapi_platform_error');
      return true;
    });
    await good;
    await assert.rejects(o.post('CNOTIN', { text: 'hello' }), /not_in_channel: the bot is not a member of the channel; invite it with \/invite @opsight/);
    assert.equal(slack.requests.filter((r) => text(r) === 'bad blocks').length, 1, 'sent once, not retried');
    assert.deepEqual(slack.delivered('CFATAL').map(text), ['fine']);
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="invalid_blocks"}'), 1);
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="not_in_channel"}'), 1);
    assert.equal(await metric(metrics, 'opsight_slack_retries_total', '{reason="server_error"}'), 0);
  });

  test('retries 5xx and Slack’s "try later" errors with backoff, then rejects, logs and counts the failure', async () => {
    const o = outbox({ retry: { retries: 3, initialDelayMs: 1, maxDelayMs: 5 } });
    let busy = 0;
    slack.script = (method, args) => {
      if (args.channel === 'CDOWN') return { status: 500, body: 'internal' };
      if (args.channel === 'CBUSY' && busy++ < 2) return { status: 200, body: { ok: false, error: 'service_unavailable' } };
      return undefined;
    };
    await assert.rejects(o.post('CDOWN', { text: 'lost cause' }), (err: unknown) => {
      assert.ok(err instanceof OpsightError);
      assert.equal(err.code, 'opsight_slack_delivery_failed');
      assert.match(err.message, /chat\.postMessage to CDOWN failed: http_500, gave up after 4 attempts/);
      assert.equal((err.cause as { code?: string }).code, 'slack_webapi_http_error');
      return true;
    });
    assert.equal(slack.requests.filter((r) => r.args.channel === 'CDOWN').length, 4, 'first attempt + 3 retries');
    assertSpacing(slack.requests.filter((r) => r.args.channel === 'CDOWN'), 20);
    await o.post('CBUSY', { text: 'eventually' });
    assert.deepEqual(slack.delivered('CBUSY').map(text), ['eventually']);
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="http_500"}'), 1);
    assert.equal(await metric(metrics, 'opsight_slack_retries_total', '{reason="server_error"}'), 3);
    assert.equal(await metric(metrics, 'opsight_slack_retries_total', '{reason="service_unavailable"}'), 2);
    assert.equal(await metric(metrics, 'opsight_slack_messages_sent_total', '{method="chat.postMessage"}'), 1);
  });

  test('retries network failures, then fails with the request error as cause', async () => {
    const closedPort = await freePort();
    const metricsHere = createMetrics();
    const o = createOutbox({
      client: writerClient(`http://127.0.0.1:${closedPort}/api/`),
      log: silentLogger(),
      metrics: metricsHere,
      minIntervalMs: 5,
      retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 2 },
    });
    open.push(o);
    await assert.rejects(o.post('CNET', { text: 'x' }), (err: unknown) => {
      assert.ok(err instanceof OpsightError && /failed: network, gave up after 3 attempts/.test(err.message), String(err));
      assert.equal((err.cause as { code?: string }).code, 'slack_webapi_request_error');
      return true;
    });
    assert.equal(await metric(metricsHere, 'opsight_slack_retries_total', '{reason="network"}'), 2);
    assert.equal(await metric(metricsHere, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="network"}'), 1);
  });

  test('uploads a PNG with files.uploadV2 through the queue, in its place between the channel’s messages', async () => {
    const o = outbox();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(2048, 7)]);
    const question = await o.post('CFILES', { text: 'revenue yesterday?' });
    const [, , last] = await Promise.all([
      o.uploadPng('CFILES', { filename: 'revenue.png', title: 'Revenue', altText: 'Revenue by hour', png }, { threadTs: question.ts }),
      o.post('CFILES', { text: 'answer' }, { threadTs: question.ts }),
      o.post('CFILES', { text: 'last' }),
    ]);
    assert.ok(last.ts);
    const getUrl = slack.requests.find((r) => r.method === 'files.getUploadURLExternal' && r.args.filename === 'revenue.png')!;
    assert.equal(getUrl.args.length, String(png.length));
    assert.equal(getUrl.args.alt_text, 'Revenue by hour');
    const complete = slack.delivered('CFILES', 'files.completeUploadExternal');
    assert.equal(complete.length, 1);
    assert.equal(complete[0]!.args.thread_ts, question.ts);
    const order = slack.requests
      .filter((r) => r.outcome === 'ok' && (r.args.channel === 'CFILES' || r.args.channel_id === 'CFILES'))
      .map((r) => (r.method === 'chat.postMessage' ? text(r) : r.method));
    assert.deepEqual(order, ['revenue yesterday?', 'files.completeUploadExternal', 'answer', 'last']);
    assert.equal(await metric(metrics, 'opsight_slack_messages_sent_total', '{method="files.uploadV2"}'), 1);
  });

  test('runs custom jobs with the client and keeps them in the channel’s order', async () => {
    const o = outbox();
    const job: OutboxItem = { method: 'chat.postMessage', run: (client) => client.apiCall('chat.postMessage', { channel: 'CJOB', text: 'from a job' }) };
    const results = await Promise.all([o.post('CJOB', { text: 'first' }), o.enqueue('CJOB', job), o.post('CJOB', { text: 'third' })]);
    assert.deepEqual(slack.delivered('CJOB').map(text), ['first', 'from a job', 'third']);
    assert.equal((results[1] as { ts?: string }).ts, slack.delivered('CJOB')[1]!.ts);
  });

  test('close() sends everything queued before it resolves, then refuses new messages', async () => {
    const o = outbox();
    const queued = [1, 2, 3, 4, 5].map((i) => o.post('CCLOSE', { text: `c${i}` }));
    await o.close();
    assert.deepEqual(slack.delivered('CCLOSE').map(text), ['c1', 'c2', 'c3', 'c4', 'c5']);
    await Promise.all(queued);
    await assert.rejects(o.post('CCLOSE', { text: 'late' }), /not sent: the outbox is closed/);
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="shutdown"}'), 1);
  });

  test('close() with a deadline fails what it could not send, with a clear error, instead of waiting out a long Retry-After', { timeout: 10_000 }, async () => {
    // The real sleep: the deadline must cut a 30 s wait short.
    const o = outbox({ sleep: undefined });
    slack.script = (method, args) => (args.channel === 'CSTUCK' ? { status: 429, headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } } : undefined);
    const stuck = o.post('CSTUCK', { text: 'first' });
    const behind = [o.post('CSTUCK', { text: 'second' }), o.post('CSTUCK', { text: 'third' })];
    const outcomes = Promise.allSettled([stuck, ...behind]);
    await slack.waitFor('the 429', () => slack.requests.some((r) => r.args.channel === 'CSTUCK'));
    await o.close({ deadlineMs: 50 });
    const settled = await outcomes;
    for (const s of settled) {
      assert.equal(s.status, 'rejected');
      const err = (s as PromiseRejectedResult).reason as OpsightError;
      assert.equal(err.code, 'opsight_slack_delivery_failed');
      assert.match(err.message, /to CSTUCK not sent: the outbox was closed at shutdown and its 50 ms deadline passed first/);
    }
    assert.equal(slack.requests.filter((r) => r.args.channel === 'CSTUCK').length, 1, 'nothing sent after the deadline');
    assert.equal(await metric(metrics, 'opsight_slack_messages_failed_total', '{method="chat.postMessage",error="shutdown"}'), 3);
    assert.equal(await metric(metrics, 'opsight_slack_queue_depth'), 0);
  });
});
