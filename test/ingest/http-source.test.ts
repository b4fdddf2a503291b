import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createPseudonymiser, Store } from '../../src/store/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { IngestPipeline } from '../../src/ingest/index.js';
import { eventsRoute, parseBody, checkBearer, ingestResponse, exceedsDepth } from '../../src/ingest/sources/http.js';
import { createHttpServer, opsRoutes, sendJson, matchRoute, healthBody, type HttpServer, type Route } from '../../src/server/index.js';

// chDB allows one data directory per process: this file owns its own.
const dataDir = mkdtempSync(join(tmpdir(), 'opsight-'));
const log = silentLogger();
const store = new Store(connect({ kind: 'embedded', dataDir }), log);
const metrics = createMetrics();
const pipeline = new IngestPipeline(store, createPseudonymiser('test-key'), metrics, log, { flushIntervalMs: 20 });
const TOKEN = 's3cret-token';

let server: HttpServer;
let base: string;
let authServer: HttpServer;
let authBase: string;
let smallServer: HttpServer;
let smallBase: string;

const now = Date.now();
const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  ts: now - 60_000,
  type: 'order_placed',
  source: 'shop',
  user_id: 'alice',
  dims: { channel: 'google', region: 'EU' },
  measures: { revenue: 10, items: 1 },
  ...extra,
});
const ndjson = (...lines: Array<string | object>) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/events`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/x-ndjson', ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as any };
}

async function deadLetters() {
  await pipeline.flush();
  return store.query<{ reason: string; error: string; event_id: string; payload: string; payload_encoding: string; source: string }>(
    'SELECT reason, error, event_id, payload, payload_encoding, source FROM dead_letters ORDER BY received_at, reason',
  );
}

async function storedIds() {
  await pipeline.flush();
  const rows = await store.query<{ id: string }>('SELECT id FROM events ORDER BY id');
  return rows.map((r) => r.id);
}

before(async () => {
  await store.migrate();
  server = createHttpServer({
    log,
    routes: [eventsRoute({ sink: pipeline, log }), ...opsRoutes({ store, ingest: pipeline, metrics })],
  });
  base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  authServer = createHttpServer({ log, routes: [eventsRoute({ sink: pipeline, log, token: TOKEN })] });
  authBase = `http://127.0.0.1:${await authServer.listen(0, '127.0.0.1')}`;
  smallServer = createHttpServer({ log, routes: [eventsRoute({ sink: pipeline, log, maxBodyBytes: 4096, maxLineBytes: 512 })] });
  smallBase = `http://127.0.0.1:${await smallServer.listen(0, '127.0.0.1')}`;
});

after(async () => {
  await Promise.all([server.close(), authServer.close(), smallServer.close()]);
  await pipeline.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await pipeline.flush();
  await store.command('TRUNCATE TABLE events');
  await store.command('TRUNCATE TABLE dead_letters');
});

describe('POST /v1/events', () => {
  test('stores a JSON array of valid events and answers 202', async () => {
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([event('a1'), event('a2'), event('a3', { ts: new Date(now).toISOString() })]),
    });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 3, rejected: 0, errors: [] });
    assert.deepEqual(await storedIds(), ['a1', 'a2', 'a3']);
    assert.deepEqual(await deadLetters(), []);
  });

  test('stores NDJSON lines, ignoring blank lines and CRLF endings', async () => {
    const body = `${JSON.stringify(event('n1'))}\r\n\r\n   \n${JSON.stringify(event('n2'))}\n`;
    const res = await post(base, body);
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 2, rejected: 0, errors: [] });
    assert.deepEqual(await storedIds(), ['n1', 'n2']);
  });

  test('takes a single (pretty-printed) object as one event', async () => {
    const res = await post(base, JSON.stringify(event('s1'), null, 2), { 'content-type': 'application/json' });
    assert.equal(res.status, 202);
    assert.equal(res.json.accepted, 1);
    assert.deepEqual(await storedIds(), ['s1']);
  });

  test('keeps the valid events of a mixed request and dead-letters every bad one with its reason', async () => {
    // An event stored by an earlier request: sending it again must not double it.
    assert.equal((await post(base, JSON.stringify(event('m-old')))).status, 202);
    await pipeline.flush();

    const enc = new TextEncoder();
    const lines: Uint8Array[] = [
      /* 1 */ enc.encode(JSON.stringify(event('m1'))),
      /* 2 wrong type */ enc.encode(JSON.stringify(event('m-bad-type', { measures: { revenue: 'lots' } }))),
      /* 3 missing ts */ enc.encode(JSON.stringify({ id: 'm-no-ts', type: 'order_placed' })),
      /* 4 bad timestamp */ enc.encode(JSON.stringify(event('m-bad-ts', { ts: 'yesterday' }))),
      /* 5 far future */ enc.encode(JSON.stringify(event('m-future', { ts: '2999-01-01T00:00:00Z' }))),
      /* 6 1 MB string (line under the 1 MiB limit) */ enc.encode(JSON.stringify(event('m-1mb', { dims: { channel: 'x'.repeat(1_000_000) } }))),
      /* 7 line over 1 MiB */ enc.encode(JSON.stringify(event('m-huge', { dims: { channel: 'y'.repeat(1_200_000) } }))),
      /* 8 100k unclosed [ */ enc.encode('['.repeat(100_000)),
      /* 9 deep but well-formed */ enc.encode(`{"id":"m-deep","ts":${now},"type":"x","dims":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`),
      /* 10 invalid UTF-8 */ Buffer.concat([enc.encode(`{"id":"m-utf8","ts":${now},"type":"order_placed","dims":{"channel":"`), Buffer.from([0xff, 0xfe, 0x80]), enc.encode('"}}')]),
      /* 11 same id as line 1 */ enc.encode(JSON.stringify(event('m1'))),
      /* 12 id already ingested */ enc.encode(JSON.stringify(event('m-old'))),
      /* 13 not JSON */ enc.encode('hello world'),
      /* 14 blank */ enc.encode(''),
      /* 15 */ enc.encode(JSON.stringify(event('m2', { ts: new Date(now).toISOString(), user_id: 42 }))),
      /* 16 before 2000 */ enc.encode(JSON.stringify(event('m-old-ts', { ts: Date.UTC(1999, 11, 31) }))),
    ];
    const body = Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [Buffer.from('\n'), l])));
    const res = await post(base, body);

    assert.equal(res.status, 202);
    // Duplicates are accepted at the door (re-delivery is not an error) and dropped at insert.
    assert.equal(res.json.accepted, 4);
    assert.equal(res.json.rejected, 11);
    assert.deepEqual(
      res.json.errors.map((e: { line: number; reason: string }) => [e.line, e.reason]),
      [[2, 'schema'], [3, 'schema'], [4, 'bad_timestamp'], [5, 'future_timestamp'], [6, 'schema'], [7, 'too_large'], [8, 'not_json'], [9, 'not_json'], [10, 'invalid_utf8'], [13, 'not_json'], [16, 'too_old']],
    );
    const byLine = new Map(res.json.errors.map((e: { line: number; error: string }) => [e.line, e.error]));
    assert.match(byLine.get(2) as string, /measures\.revenue/);
    assert.match(byLine.get(3) as string, /^ts:/);
    assert.match(byLine.get(7) as string, /over the 1 MiB limit/);
    assert.match(byLine.get(9) as string, /too_deep/);

    assert.deepEqual(await storedIds(), ['m-old', 'm1', 'm2']);
    const dead = await deadLetters();
    const reasons = dead.map((d) => d.reason).sort();
    assert.deepEqual(reasons, ['bad_timestamp', 'duplicate', 'duplicate', 'future_timestamp', 'invalid_utf8', 'not_json', 'not_json', 'not_json', 'schema', 'schema', 'schema', 'too_large', 'too_old']);
    assert.deepEqual(dead.filter((d) => d.reason === 'duplicate').map((d) => d.event_id).sort(), ['m-old', 'm1']);
    const utf8 = dead.find((d) => d.reason === 'invalid_utf8')!;
    assert.equal(utf8.payload_encoding, 'base64');
    assert.deepEqual(Buffer.from(utf8.payload, 'base64'), Buffer.from(lines[9]!));
    assert.match(utf8.error, /^line 10: /);
    const huge = dead.find((d) => d.reason === 'too_large')!;
    // The 64 KiB prefix, give or take the user_id value replaced by its pseudonym.
    assert.ok(Math.abs(huge.payload.length - 64 * 1024) < 100, `payload of ${huge.payload.length} chars`);
    assert.ok(JSON.stringify(event('m-huge')).startsWith(huge.payload.slice(0, 20)));
    const notJson = dead.filter((d) => d.reason === 'not_json').map((d) => d.error);
    assert.ok(notJson.some((e) => e.startsWith('line 13: ')));
    assert.ok(notJson.some((e) => e.startsWith('line 8: ')));
    assert.equal(dead.find((d) => d.reason === 'schema' && d.event_id === 'm-bad-type')?.source, 'http');

    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
  });

  test('answers 400 with per-line errors when nothing in the request was accepted', async () => {
    const res = await post(base, ndjson('nope', { id: 'x' }));
    assert.equal(res.status, 400);
    assert.equal(res.json.accepted, 0);
    assert.equal(res.json.rejected, 2);
    assert.deepEqual(res.json.errors.map((e: { line: number; reason: string }) => [e.line, e.reason]), [[1, 'not_json'], [2, 'schema']]);
    assert.equal((await deadLetters()).length, 2);
  });

  test('reports array elements by index', async () => {
    const res = await post(base, JSON.stringify([event('i0'), { id: 'i1' }, event('i2')]), { 'content-type': 'application/json' });
    assert.equal(res.status, 202);
    assert.deepEqual(res.json.errors.map((e: { index: number; reason: string }) => [e.index, e.reason]), [[1, 'schema']]);
    assert.deepEqual(await storedIds(), ['i0', 'i2']);
  });

  test('refuses a body that starts with [ but is not JSON, dead-lettering it whole', async () => {
    const body = `[${JSON.stringify(event('bad-array'))},\n{"id": oops}]`;
    const res = await post(base, body, { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /not a JSON array/);
    const dead = await deadLetters();
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.reason, 'not_json');
    // The body as sent, except that user_id values are pseudonymised even in text that is not JSON.
    assert.equal(dead[0]!.payload.replace(/"user_id":"p_[0-9a-f]{32}"/, '"user_id":"alice"'), body);
    assert.doesNotMatch(dead[0]!.payload, /alice/);
    assert.deepEqual(await storedIds(), []);
  });

  test('answers 413 naming the limit, whether the size is declared or streamed', async () => {
    const declared = await post(smallBase, 'x'.repeat(5000));
    assert.equal(declared.status, 413);
    assert.match(declared.json.error, /4 KiB limit/);
    const chunk = new TextEncoder().encode('y'.repeat(1000));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(chunk);
        c.close();
      },
    });
    const streamed = await fetch(`${smallBase}/v1/events`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.match(((await streamed.json()) as { error: string }).error, /4 KiB limit/);
    // The default limit is 10 MiB.
    const big = await post(base, Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    assert.equal(big.status, 413);
    assert.match(big.json.error, /10 MiB limit/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  test('dead-letters a line over maxLineBytes as too_large with the prefix kept', async () => {
    const res = await post(smallBase, ndjson(event('small-ok'), event('small-big', { dims: { channel: 'z'.repeat(600) } })));
    assert.equal(res.status, 202);
    assert.deepEqual(res.json.errors.map((e: { line: number; reason: string }) => [e.line, e.reason]), [[2, 'too_large']]);
  });

  test('requires the bearer token when one is configured', async () => {
    const missing = await post(authBase, JSON.stringify(event('t1')));
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="opsight"');
    assert.ok(missing.json.error);
    const wrong = await post(authBase, JSON.stringify(event('t1')), { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /invalid_token/);
    const right = await post(authBase, JSON.stringify(event('t1')), { authorization: `Bearer ${TOKEN}` });
    assert.equal(right.status, 202);
    assert.deepEqual(await storedIds(), ['t1']);
  });

  test('refuses a form-encoded body with 415 saying which types to send', async () => {
    const res = await post(base, 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 415);
    assert.match(res.json.error, /application\/x-ndjson/);
  });
});

describe('GET /metrics and /healthz', () => {
  test('/metrics exposes accepted and rejected counters in the Prometheus text format', async () => {
    await post(base, ndjson(event('metric-1'), 'garbage'));
    await pipeline.flush();
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Labelled by the ingest source (bounded), never by the producer's free-form `source` field.
    assert.match(text, /^opsight_events_accepted_total\{source="http"\} \d+/m);
    assert.doesNotMatch(text, /source="shop"/);
    assert.match(text, /^opsight_events_rejected_total\{reason="not_json"\} \d+/m);
    assert.match(text, /^opsight_events_rejected_total\{reason="schema"\} \d+/m);
    assert.match(text, /^opsight_ingest_lag_seconds 0$/m);
    assert.match(text, /^opsight_ingest_queue_depth 0$/m);
  });

  test('/healthz reports 503 and store "unreachable" when the store does not answer', async () => {
    const down = createHttpServer({ log, routes: opsRoutes({ store: { ping: async () => false }, ingest: { queued: 7, lagMs: () => 1234 }, metrics }) });
    const port = await down.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'unavailable', store: 'unreachable', ingest: { queued: 7, lag_ms: 1234 } });
    } finally {
      await down.close();
    }
  });

  test('/healthz reports ok with the ingest queue', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', store: 'reachable', ingest: { queued: 0, lag_ms: 0 } });
  });
});

describe('ingest closed', () => {
  test('answers 503 with Retry-After once the pipeline is shutting down', async () => {
    const closedSink = {
      push: async () => {
        const { OpsightError } = await import('../../src/errors.js');
        throw new OpsightError('opsight_ingest_closed', 'ingest is shutting down', { retriable: true });
      },
      reject: async () => {},
    };
    const s = createHttpServer({ log, routes: [eventsRoute({ sink: closedSink, log })] });
    const port = await s.listen(0, '127.0.0.1');
    try {
      const res = await post(`http://127.0.0.1:${port}`, JSON.stringify(event('closed-1')));
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
    } finally {
      await s.close();
    }
  });
});

describe('http server', () => {
  test('answers 404 and 405 (with Allow) as JSON, and 500 when a handler throws, then keeps serving', async () => {
    const routes: Route[] = [
      { method: 'GET', path: '/boom', handler: () => { throw new Error('kaboom'); } },
      { method: 'GET', path: /^\/items\/(?<id>[^/]+)$/, handler: (_req, res, ctx) => sendJson(res, 200, { id: ctx.params.id }) },
    ];
    const s = createHttpServer({ log, routes });
    const port = await s.listen(0, '127.0.0.1');
    const at = `http://127.0.0.1:${port}`;
    try {
      const nf = await fetch(`${at}/nope`);
      assert.equal(nf.status, 404);
      assert.ok(((await nf.json()) as { error: string }).error);
      const na = await fetch(`${at}/boom`, { method: 'POST' });
      assert.equal(na.status, 405);
      assert.equal(na.headers.get('allow'), 'GET, HEAD');
      await na.text();
      const boom = await fetch(`${at}/boom`);
      assert.equal(boom.status, 500);
      assert.deepEqual(await boom.json(), { error: 'internal error; see the server log' });
      const item = await fetch(`${at}/items/42?x=1`);
      assert.deepEqual(await item.json(), { id: '42' });
    } finally {
      await s.close();
    }
  });

  test('close() waits for an in-flight request to finish', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const s = createHttpServer({
      log,
      routes: [{ method: 'GET', path: '/slow', handler: async (_req, res) => { entered(); await released; sendJson(res, 200, { done: true }); } }],
    });
    const port = await s.listen(0, '127.0.0.1');
    const response = fetch(`http://127.0.0.1:${port}/slow`);
    await inside;
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, false);
    release();
    const res = await response;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { done: true });
    await closing;
    assert.equal(closed, true);
  });

  test('matchRoute serves HEAD from GET routes and lists allowed methods', () => {
    const routes: Route[] = [{ method: 'GET', path: '/a', handler: () => {} }, { method: 'POST', path: '/a', handler: () => {} }];
    assert.equal(matchRoute(routes, 'HEAD', '/a').kind, 'found');
    assert.deepEqual(matchRoute(routes, 'DELETE', '/a'), { kind: 'method_not_allowed', allow: ['GET', 'HEAD', 'POST'] });
    assert.deepEqual(matchRoute(routes, 'GET', '/b'), { kind: 'not_found' });
  });
});

describe('pure helpers', () => {
  test('parseBody picks array vs NDJSON by the first non-space character', () => {
    assert.equal(parseBody(Buffer.from('  \n [1]')).kind, 'array');
    assert.equal(parseBody(Buffer.from('{"a":1}\n{"a":2}')).kind, 'lines');
    assert.deepEqual(parseBody(Buffer.from('')), { kind: 'lines', items: [] });
    const withBom = parseBody(Buffer.from('\ufeff{"a":1}'));
    assert.deepEqual(withBom, { kind: 'lines', items: [{ ok: true, at: 1, value: { a: 1 } }] });
  });

  test('parseBody keeps valid lines of a body with invalid UTF-8', () => {
    const body = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\n{"b":"é"}\r\n')]);
    const parsed = parseBody(body);
    assert.equal(parsed.kind, 'lines');
    if (parsed.kind !== 'lines') return;
    assert.deepEqual(parsed.items.map((i) => [i.at, i.ok ? 'ok' : i.reason]), [[1, 'ok'], [2, 'invalid_utf8'], [3, 'ok']]);
    assert.deepEqual(parsed.items[2], { ok: true, at: 3, value: { b: 'é' } });
  });

  test('exceedsDepth counts nesting without recursion', () => {
    assert.equal(exceedsDepth({ a: { b: 1 } }, 2), false);
    assert.equal(exceedsDepth({ a: { b: [] } }, 2), true);
    assert.equal(exceedsDepth(JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)), 32), true);
  });

  test('checkBearer distinguishes missing from wrong tokens', () => {
    assert.equal(checkBearer(undefined, 't'), 'missing');
    assert.equal(checkBearer('Basic abc', 't'), 'invalid');
    assert.equal(checkBearer('Bearer x', 't'), 'invalid');
    assert.equal(checkBearer('bearer t', 't'), 'ok');
  });

  test('ingestResponse caps the listed errors', () => {
    const errors = Array.from({ length: 5 }, (_, i) => ({ line: i + 1, reason: 'not_json', error: 'x' }));
    const { status, body } = ingestResponse({ accepted: 0, errors }, 2);
    assert.equal(status, 400);
    assert.equal(body.errors.length, 2);
    assert.equal(body.errors_omitted, 3);
  });

  test('healthBody maps a failed ping to 503', () => {
    assert.equal(healthBody(false, { queued: 0, lagMs: 0 }).status, 503);
    assert.equal(healthBody(true, { queued: 3, lagMs: 12.4 }).body.ingest.lag_ms, 12);
  });
});
