import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlanner, loadSeenValues, withSeenValues, type PlanOutcome } from '../../src/ask/index.js';
import { IngestPipeline } from '../../src/ingest/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { loadCatalog } from '../../src/semantic/index.js';
import { Store, connect, createPseudonymiser } from '../../src/store/index.js';

const catalog = loadCatalog('rules');
const ctx = { now: new Date('2026-11-22T06:00:00Z'), tz: 'UTC' };

describe('dimension values seen in the data', () => {
  it('lets the planner filter on a channel the catalog never listed', () => {
    const before = createPlanner(catalog).plan('revenue from snapchat yesterday', ctx);
    assert.equal(before.status, 'clarify');
    const o = createPlanner(catalog, { seenValues: { channel: ['snapchat'] } }).plan('revenue from snapchat yesterday', ctx) as Extract<PlanOutcome, { status: 'answered' }>;
    assert.equal(o.status, 'answered');
    assert.deepEqual(o.plan.filters, { channel: ['snapchat'] });
  });

  it('ignores seen values that are words the planner reads, or do not look like names', () => {
    const extended = withSeenValues(catalog, { channel: ['all', 'today', 'top', '<script>', '', 'x', 'new-partner'] });
    const added = extended.dimensions.channel!.values.filter((v) => !catalog.dimensions.channel!.values.includes(v));
    assert.deepEqual(added, ['new-partner']);
    const o = createPlanner(catalog, { seenValues: { channel: ['all'] } }).plan('total revenue yesterday for all channels', ctx);
    assert.equal(o.status, 'answered');
    assert.deepEqual((o as Extract<PlanOutcome, { status: 'answered' }>).plan.filters, {});
  });
});

describe('loadSeenValues on chDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsight-seen-'));
  let store: Store;
  before(async () => {
    store = new Store(connect({ kind: 'embedded', dataDir: dir }), silentLogger());
    await store.migrate();
    const pipeline = new IngestPipeline(store, createPseudonymiser('k'), createMetrics(), silentLogger());
    const ts = new Date(Date.now() - 3_600_000).toISOString();
    const dims = { campaign: 'spring-sale', region: 'EU', country: 'DE', device: 'mobile' };
    await pipeline.push(
      [1, 2, 3].map((i) => ({ id: `s-${i}`, ts, type: 'session_started', source: 't', dims: { ...dims, channel: i < 3 ? 'snapchat' : 'google' } })),
      't',
    );
    await pipeline.close();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every dimension’s values from the rollups, most frequent first', async () => {
    const seen = await loadSeenValues(store);
    assert.deepEqual(seen.channel, ['snapchat', 'google']);
    assert.deepEqual(seen.campaign, ['spring-sale']);
    assert.equal(seen.carrier, undefined, 'empty dimension values are not values');
  });
});
