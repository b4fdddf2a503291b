import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IngestPipeline } from '../../src/ingest/index.js';
import { RecentIds } from '../../src/ingest/recent-ids.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { Store, connect, createPseudonymiser } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'opsight-pipeline-'));
let store: Store;
const base = Date.parse('2026-11-20T10:00:00Z');
const order = (id: string, tsMs: number) => ({ id, ts: tsMs, type: 'order_placed', dims: { channel: 'google' }, measures: { revenue: 10 } });
const pipeline = () =>
  new IngestPipeline(store, createPseudonymiser('k'), createMetrics(), silentLogger(), { exclusiveStore: true, batchSize: 3, now: () => base + 3_600_000 });

async function counts(): Promise<{ events: number; rolled: number; duplicates: number }> {
  const [row] = await store.query<{ events: number; rolled: number; duplicates: number }>(
    "SELECT (SELECT count() FROM events) AS events, (SELECT sum(cnt) FROM rollup_1m) AS rolled, (SELECT count() FROM dead_letters WHERE reason = 'duplicate') AS duplicates",
  );
  return { events: Number(row!.events), rolled: Number(row!.rolled), duplicates: Number(row!.duplicates) };
}

describe('ingest pipeline as the only writer (exclusiveStore)', () => {
  before(async () => {
    store = new Store(connect({ kind: 'embedded', dataDir: dir }), silentLogger());
    await store.migrate();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('catches re-delivery of its own events in memory, across batches in flight together', async () => {
    const p = pipeline();
    // batchSize 3: ids repeat across consecutive batches, which are checked while the previous one inserts.
    await p.push(['a', 'b', 'c', 'd', 'a', 'e', 'b', 'f', 'c'].map((id, i) => order(id, base + i * 1000)), 'test');
    await p.close();
    assert.deepEqual(await counts(), { events: 6, rolled: 6, duplicates: 3 });
  });

  test('an insert that fails is retried without its own events counting as duplicates', async () => {
    const p = pipeline();
    await p.push([order('h', base + 120_000)], 'test');
    await p.flush();
    // The store really fails: the events table is renamed away while the next batch is
    // flushed, after its ids were noted as seen.
    await store.command('RENAME TABLE events TO events_away');
    await p.push([order('i', base + 121_000), order('j', base + 122_000)], 'test');
    await new Promise((r) => setTimeout(r, 1500)); // at least one failed attempt (retried every second)
    await store.command('RENAME TABLE events_away TO events');
    await p.close();
    assert.deepEqual(await counts(), { events: 9, rolled: 9, duplicates: 3 });
  });

  test('after a restart, finds events stored by the previous process in the store', async () => {
    const p = pipeline();
    await p.push([order('a', base), order('g', base + 60_000)], 'test');
    await p.close();
    assert.deepEqual(await counts(), { events: 10, rolled: 10, duplicates: 4 });
  });
});

describe('RecentIds', () => {
  test('vouches for misses only above what it evicted', () => {
    const ids = new RecentIds(4);
    for (let h = 0; h < 4; h++) ids.add(`id${h}`, h * 3_600_000);
    assert.ok(ids.has('id0', 0));
    assert.ok(ids.covers(0));
    ids.add('id4', 4 * 3_600_000);
    assert.equal(ids.has('id0', 0), false);
    assert.equal(ids.covers(0), false, 'hour 0 was evicted: a miss there proves nothing');
    assert.ok(ids.covers(4 * 3_600_000));
    assert.ok(ids.size <= 4);
  });
});
