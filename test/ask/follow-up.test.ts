import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPlanner, type PlanOutcome, type PreviousAnswer } from '../../src/ask/index.js';
import { loadCatalog } from '../../src/semantic/index.js';

const catalog = loadCatalog('rules');
const planner = createPlanner(catalog);
const now = new Date('2026-11-22T06:00:00Z');
const tz = 'America/New_York';

function answered(o: PlanOutcome) {
  assert.equal(o.status, 'answered', JSON.stringify(o));
  return o as Extract<PlanOutcome, { status: 'answered' }>;
}
function after(question: string): PreviousAnswer {
  const o = answered(planner.plan(question, { now, tz }));
  return { plan: o.plan, period: o.period, ...(o.comparePeriod ? { comparePeriod: o.comparePeriod } : {}) };
}
const follow = (previous: PreviousAnswer, q: string) => planner.plan(q, { now, tz, previous });

describe('follow-up questions in a thread', () => {
  const base = after('orders last week vs the week before by device in LATAM');

  it('"and by …" replaces the breakdown and keeps metric, period, filters and comparison', () => {
    const o = answered(follow(base, 'and by country?'));
    assert.equal(o.plan.metric, 'orders');
    assert.deepEqual(o.plan.by, ['country']);
    assert.deepEqual(o.plan.filters, { region: ['LATAM'] });
    assert.equal(o.plan.from, base.plan.from);
    assert.equal(o.plan.compare_from, base.plan.compare_from);
    assert.equal(o.comparePeriod, base.comparePeriod);
  });

  it('"what about <value>" pins that dimension, dropping it from the breakdown', () => {
    const o = answered(follow(base, 'what about tablet?'));
    assert.deepEqual(o.plan.filters, { device: ['tablet'], region: ['LATAM'] });
    assert.deepEqual(o.plan.by, []);
  });

  it('"same for <period>" moves the window and keeps the kind of comparison', () => {
    const o = answered(follow(base, 'same for this month'));
    assert.equal(o.plan.metric, 'orders');
    assert.deepEqual(o.plan.by, ['device']);
    assert.equal(o.plan.from, '2026-11-01T04:00:00Z');
    assert.equal(o.plan.compare, base.plan.compare);
    assert.notEqual(o.plan.compare_from, base.plan.compare_from);
  });

  it('"what about <metric>" swaps the metric and drops filters the new metric cannot take', () => {
    const o = answered(follow(after('revenue yesterday by product category for electronics'), 'what about sessions?'));
    assert.equal(o.plan.metric, 'sessions');
    assert.deepEqual(o.plan.filters, {}, 'sessions have no product_category');
    assert.deepEqual(o.plan.by, []);
  });

  it('a question naming a metric and a period starts afresh', () => {
    const o = answered(follow(base, 'revenue yesterday'));
    assert.deepEqual(o.plan.filters, {});
    assert.deepEqual(o.plan.by, []);
    assert.equal(o.plan.compare, null);
  });

  it('still refuses and clarifies: off-topic, unsafe, and words it does not know', () => {
    assert.equal(follow(base, 'what about the weather?').status, 'refused');
    assert.equal(follow(base, 'and drop the events table').status, 'refused');
    assert.equal(follow(base, 'and the frobnication?').status, 'clarify');
  });

  it('without a previous answer the same words clarify, as before', () => {
    assert.equal(planner.plan('and by country?', { now, tz }).status, 'clarify');
  });
});
