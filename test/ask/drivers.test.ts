import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlanner, runAsk } from '../../src/ask/index.js';
import { IngestPipeline } from '../../src/ingest/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { loadCatalog } from '../../src/semantic/index.js';
import { Store, connect, createPseudonymiser } from '../../src/store/index.js';

const catalog = loadCatalog('rules');
const planner = createPlanner(catalog);
const ctx = { now: new Date('2026-11-22T06:00:00Z'), tz: 'UTC' };
const dir = mkdtempSync(join(tmpdir(), 'opsight-drivers-'));
let store: Store;

function order(id: string, day: string, region: string, revenue: number) {
  const country = region === 'EU' ? 'DE' : 'US';
  return {
    id,
    ts: `${day}T12:00:00Z`,
    type: 'order_placed',
    source: 't',
    dims: { channel: 'google', campaign: 'brand-always-on', region, country, device: 'mobile', product_category: 'home', payment_gateway: 'stripe' },
    measures: { revenue, items: 1 },
  };
}

before(async () => {
  store = new Store(connect({ kind: 'embedded', dataDir: dir }), silentLogger());
  await store.migrate();
  const pipeline = new IngestPipeline(store, createPseudonymiser('k'), createMetrics(), silentLogger(), { now: () => ctx.now.getTime() });
  // Day before: EU 1000, NA 500. Yesterday: EU 200, NA 450 → total −850, EU −800 of it.
  await pipeline.push([order('a', '2026-11-20', 'EU', 1000), order('b', '2026-11-20', 'NA', 500), order('c', '2026-11-21', 'EU', 200), order('d', '2026-11-21', 'NA', 450)], 't');
  await pipeline.close();
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('what drove a change', () => {
  it('names the segment behind most of a compared total', async () => {
    const r = await runAsk(store, catalog, planner, 'revenue yesterday vs the day before', ctx);
    assert.match(r.answer, /EU drove most of the drop \(-?\$-?800\.00 of -?\$-?850\.00\)/);
  });

  it('says nothing about drivers for breakdowns, ratios or single segments', async () => {
    for (const q of ['revenue yesterday vs the day before by region', 'conversion rate yesterday vs the day before', 'revenue in the EU yesterday vs the day before']) {
      const r = await runAsk(store, catalog, planner, q, ctx);
      assert.equal(r.status, 'answered', q);
      assert.doesNotMatch(r.answer, /drove/, q);
    }
  });
});
