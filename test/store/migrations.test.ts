/**
 * Store lifecycle on embedded chDB: migrations are idempotent, the raw-event TTL is applied
 * once, shutdown flushes every buffered event, re-delivered ids are dead-lettered without
 * touching the rollups, and no user_id is ever stored in clear.
 *
 * One data directory and one Store for the whole file (chDB: one data dir per process).
 * Events are stamped close to the real clock because the TTL test sets a raw-event TTL,
 * which would delete older rows on merge.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpsightError } from '../../src/errors.js';
import { IngestPipeline } from '../../src/ingest/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { Store, connect, createPseudonymiser } from '../../src/store/index.js';

const PSEUDONYM_KEY = 'migrations-test-key';
const pseudonymise = createPseudonymiser(PSEUDONYM_KEY);

interface TableRow {
  name: string;
  create_table_query: string;
  metadata_modification_time: string;
}

describe('store migrations and ingest durability', () => {
  let dataDir: string;
  let store: Store;
  /** All test events sit in the last hour, a minute apart at most, far inside any TTL. */
  const baseMs = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

  const snapshot = () =>
    store.query<TableRow>(
      'SELECT name, create_table_query, toString(metadata_modification_time) AS metadata_modification_time FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
  const count = async (sql: string, params: Record<string, unknown> = {}) => Number((await store.query<{ n: number }>(sql, params))[0]?.n);
  const rollupCounts = async () =>
    store.query<{ level: string; n: number; revenue: number }>(
      `SELECT level, n, revenue FROM (
         SELECT '1m' AS level, sum(cnt) AS n, sum(sum_revenue) AS revenue FROM rollup_1m
         UNION ALL SELECT '1h', sum(cnt), sum(sum_revenue) FROM rollup_1h
         UNION ALL SELECT '1d', sum(cnt), sum(sum_revenue) FROM rollup_1d
       ) ORDER BY level DESC`,
    );
  const newPipeline = (options: ConstructorParameters<typeof IngestPipeline>[4] = {}) =>
    new IngestPipeline(store, pseudonymise, createMetrics(), silentLogger(), options);
  const order = (id: string, i: number, userId?: string) => ({
    id,
    ts: baseMs + (i % 3_000) * 1_000 + (i % 997),
    type: 'order_placed',
    source: 'shop',
    ...(userId ? { user_id: userId } : {}),
    dims: { channel: ['google', 'meta', 'email'][i % 3]!, region: 'EU', country: 'DE', device: 'mobile' },
    measures: { revenue: 10 + (i % 50), items: 1 },
  });

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'opsight-migrations-'));
    store = new Store(connect({ kind: 'embedded', dataDir }), silentLogger());
  });

  after(async () => {
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('migrate', () => {
    test('applies every migration once on an empty store, in order', async () => {
      const { applied } = await store.migrate();
      assert.ok(applied.length > 0, 'an empty store needs migrations');
      assert.equal(applied[0], 1);
      assert.deepEqual([...applied].sort((a, b) => a - b), applied, 'applied in version order');
      const recorded = await store.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(recorded.map((r) => Number(r.version)), applied);
      const names = (await snapshot()).map((t) => t.name);
      for (const table of ['events', 'dead_letters', 'rollup_1m', 'rollup_1h', 'rollup_1d', 'mv_rollup_1m', 'mv_rollup_1h', 'mv_rollup_1d', 'schema_migrations']) {
        assert.ok(names.includes(table), `${table} exists`);
      }
    });

    test('a second migrate applies nothing and changes no table', async () => {
      const before = await snapshot();
      const { applied } = await store.migrate();
      assert.deepEqual(applied, []);
      assert.deepEqual(await snapshot(), before);
      assert.equal(await count('SELECT count() AS n FROM schema_migrations'), await count('SELECT uniqExact(version) AS n FROM schema_migrations'));
    });

    test('sets the raw-event TTL, and setting the same TTL again changes nothing', async () => {
      await store.migrate({ rawTtlDays: 30 });
      const withTtl = await snapshot();
      const events = withTtl.find((t) => t.name === 'events');
      assert.match(events?.create_table_query ?? '', /TTL toDateTime\(ts\) \+ toIntervalDay\(30\)/);
      const mutations = await count("SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND table = 'events'");

      const again = await store.migrate({ rawTtlDays: 30 });
      assert.deepEqual(again.applied, []);
      assert.deepEqual(await snapshot(), withTtl, 'no ALTER when the TTL is already the wanted one');
      assert.equal(
        await count("SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND table = 'events'"),
        mutations,
        'no TTL mutation queued the second time',
      );

      await store.migrate({ rawTtlDays: 45 });
      const changed = (await snapshot()).find((t) => t.name === 'events')?.create_table_query ?? '';
      assert.match(changed, /toIntervalDay\(45\)/);
      assert.doesNotMatch(changed, /toIntervalDay\(30\)/);
      // The rollups keep no TTL of their own: raw retention never shortens the history.
      for (const t of await snapshot()) if (t.name.startsWith('rollup_')) assert.doesNotMatch(t.create_table_query, /TTL/, t.name);
    });
  });

  describe('shutdown', () => {
    test('close() writes every event that was only buffered', async () => {
      const before = await count('SELECT count() AS n FROM events');
      // A flush interval longer than the test and a batch larger than N: nothing is written
      // until close().
      const pipeline = newPipeline({ batchSize: 100_000, flushIntervalMs: 3_600_000 });
      const n = 5_000;
      const events = Array.from({ length: n }, (_, i) => order(`shutdown-${i}`, i));
      for (let i = 0; i < n; i += 1_000) {
        const r = await pipeline.push(events.slice(i, i + 1_000), 'test');
        assert.equal(r.accepted, 1_000);
      }
      assert.equal(pipeline.queued, n, 'all events are still buffered');
      assert.equal(await count('SELECT count() AS n FROM events'), before, 'nothing written before close()');

      await pipeline.close();
      assert.equal(pipeline.queued, 0);
      assert.equal(await count("SELECT count() AS n FROM events WHERE startsWith(id, 'shutdown-')"), n);
      const [m] = await rollupCounts();
      assert.ok(Number(m?.n) >= n, 'the rollups saw the flushed events');
    });

    test('push after close() is refused as retriable, not silently dropped', async () => {
      const pipeline = newPipeline();
      await pipeline.close();
      await assert.rejects(pipeline.push([order('after-close', 1)], 'test'), (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_ingest_closed');
        assert.equal(err.retriable, true);
        return true;
      });
      assert.equal(await count("SELECT count() AS n FROM events WHERE id = 'after-close'"), 0);
    });
  });

  describe('re-delivery', () => {
    const duplicateLetters = (prefix: string) =>
      count("SELECT count() AS n FROM dead_letters WHERE reason = 'duplicate' AND startsWith(event_id, {p:String})", { p: prefix });

    test('ids delivered again in a later batch change neither events nor rollups and are dead-lettered as duplicate', async () => {
      const pipeline = newPipeline({ batchSize: 500 });
      const events = Array.from({ length: 1_000 }, (_, i) => order(`redeliver-${i}`, i, `user-${i % 40}`));
      await pipeline.push(events, 'test');
      await pipeline.flush();
      const eventsBefore = await count('SELECT count() AS n FROM events');
      const rollupsBefore = await rollupCounts();

      // Same ids again, in different batches and order than the first time.
      await pipeline.push([...events].reverse(), 'test');
      await pipeline.close();

      assert.equal(await count('SELECT count() AS n FROM events'), eventsBefore);
      assert.deepEqual(await rollupCounts(), rollupsBefore);
      assert.equal(await duplicateLetters('redeliver-'), 1_000);
      const [letter] = await store.query<{ error: string; source: string; payload: string }>(
        "SELECT error, source, payload FROM dead_letters WHERE reason = 'duplicate' AND event_id = 'redeliver-7'",
      );
      assert.match(letter?.error ?? '', /redeliver-7/);
      assert.equal((JSON.parse(letter?.payload ?? '{}') as { id?: string }).id, 'redeliver-7', 'the payload is the event');
    });

    test('an id repeated within one batch is stored once; the repeats are dead-lettered as duplicate', async () => {
      const pipeline = newPipeline({ batchSize: 10_000, flushIntervalMs: 3_600_000 });
      const fresh = Array.from({ length: 200 }, (_, i) => order(`inbatch-${i}`, i));
      const eventsBefore = await count('SELECT count() AS n FROM events');
      const [m1Before] = await rollupCounts();
      // Each new id three times, plus already-stored ids, all in one batch.
      const batch = [...fresh, ...fresh, ...fresh, order('redeliver-1', 1), order('redeliver-2', 2)];
      await pipeline.push(batch, 'test');
      await pipeline.close();

      assert.equal(await count('SELECT count() AS n FROM events'), eventsBefore + 200);
      assert.equal(await count("SELECT uniqExact(id) AS n FROM events WHERE startsWith(id, 'inbatch-')"), 200);
      const [m1After] = await rollupCounts();
      assert.equal(Number(m1After?.n), Number(m1Before?.n) + 200, 'the minute rollup counts each new id once');
      assert.equal(await duplicateLetters('inbatch-'), 400);
      assert.equal(await duplicateLetters('redeliver-'), 1_002);
      // Every level agrees after the duplicates.
      const levels = await rollupCounts();
      assert.equal(new Set(levels.map((l) => Number(l.n))).size, 1, `rollup levels disagree: ${JSON.stringify(levels)}`);
      assert.equal(await count("SELECT count() AS n FROM events WHERE type = 'order_placed'"), Number(levels[0]?.n));
    });
  });

  describe('privacy', () => {
    const clearIds = ['alice.clear@example.com', 'Bob Clearname', '987654321012'];

    /** Rows in events or dead_letters whose text columns contain `needle` anywhere. */
    const occurrences = (needle: string) =>
      count(
        `SELECT (SELECT count() FROM events WHERE positionCaseInsensitive(concat(id, ' ', user_id, ' ', source, ' ', toString(dims), ' ', toString(measures)), {s:String}) > 0)
              + (SELECT count() FROM dead_letters WHERE positionCaseInsensitive(concat(event_id, ' ', error, ' ', source, ' ', payload), {s:String}) > 0) AS n`,
        { s: needle },
      );

    test('user_id is stored pseudonymised: never in clear in events or dead letters', async () => {
      const pipeline = newPipeline({ batchSize: 10_000, flushIntervalMs: 3_600_000 });
      const valid = [
        order('privacy-1', 1, clearIds[0]),
        order('privacy-2', 2, clearIds[1]),
        { ...order('privacy-3', 3), user_id: Number(clearIds[2]) },
      ];
      const invalid = [
        // Refused by validation: dead-lettered with the original payload.
        { ...order('privacy-bad-ts', 4, clearIds[0]), ts: 'yesterday' },
        { ...order('privacy-bad-type', 5, clearIds[1]), type: 'order placed!' },
        { ...order('privacy-bad-num', 6), user_id: Number(clearIds[2]), measures: { revenue: 'ten' } },
      ];
      const result = await pipeline.push([...valid, ...invalid], 'test');
      assert.equal(result.accepted, 3);
      assert.equal(result.rejected.length, 3);
      // Re-delivered: dead-lettered as duplicates, with the stored (pseudonymised) row as payload.
      await pipeline.flush();
      await pipeline.push(valid, 'test');
      await pipeline.close();

      assert.equal(await count("SELECT count() AS n FROM dead_letters WHERE startsWith(event_id, 'privacy-')"), 6);
      for (const clear of clearIds) assert.equal(await occurrences(clear), 0, `"${clear}" is stored in clear`);

      const stored = await store.query<{ id: string; user_id: string }>("SELECT id, user_id FROM events WHERE startsWith(id, 'privacy-') ORDER BY id");
      assert.deepEqual(
        stored.map((r) => r.user_id),
        clearIds.map((u) => pseudonymise(u)),
        'the stored user_id is the keyed pseudonym of the clear id',
      );
      for (const r of stored) assert.match(r.user_id, /^p_[0-9a-f]{32}$/);
    });

    test('user_id inside input that is not even JSON is not stored in clear either', async () => {
      // A line that fails to parse (e.g. a truncated body) still carries its user_id.
      const pipeline = newPipeline();
      const clear = 'carol.notjson@example.com';
      await pipeline.reject([{ raw: `{"id":"privacy-raw","ts":${baseMs},"type":"order_placed","user_id":"${clear}",`, reason: 'not_json', error: 'Unexpected end of JSON input' }], 'http');
      await pipeline.close();
      assert.equal(await count("SELECT count() AS n FROM dead_letters WHERE reason = 'not_json'"), 1, 'the input is dead-lettered');
      assert.equal(await occurrences(clear), 0, `"${clear}" is stored in clear in dead_letters.payload`);
    });
  });
});
