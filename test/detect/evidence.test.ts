import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { USUAL_MIN_EVENTS, expectedRate, hasEvidence, poissonLower, poissonUpper, proportionOf, proportionTail, updateUsual } from '../../src/detect/engine/evidence.js';
import { loadCatalog } from '../../src/semantic/index.js';

const catalog = loadCatalog(fileURLToPath(new URL('../../rules', import.meta.url)));
const parts = (values: Record<string, number>) => ({ values, counts: values });

describe('Poisson tails', () => {
  it('match closed forms', () => {
    assert.ok(Math.abs(poissonLower(0, 3) - Math.exp(-3)) < 1e-12);
    assert.ok(Math.abs(poissonUpper(2, 0.2) - (1 - Math.exp(-0.2) * 1.2)) < 1e-12);
    assert.equal(poissonUpper(0, 5), 1);
    assert.equal(poissonLower(-1, 5), 0);
  });

  it('the normal approximation for large means agrees with the exact sum', () => {
    const exact = poissonLower(10_050, 10_000); // summed
    const approx = poissonLower(10_051, 10_001); // approximated (mean above 1e4)
    assert.ok(Math.abs(exact - approx) < 0.01, `${exact} vs ${approx}`);
    assert.ok(exact > 0.6 && exact < 0.8);
  });
});

describe('proportionOf', () => {
  it('finds count / count proportions in the shipped catalog', () => {
    assert.deepEqual(proportionOf(catalog, catalog.metrics.checkout_error_rate!), { numerator: 'checkout_errors', denominator: 'checkouts' });
    assert.deepEqual(proportionOf(catalog, catalog.metrics.delivery_success_rate!), { numerator: 'delivered', denominator: 'deliveries' });
    assert.deepEqual(proportionOf(catalog, catalog.metrics.conversion_rate!), { numerator: 'orders', denominator: 'sessions' });
  });

  it('leaves other metrics alone', () => {
    for (const id of ['roas', 'p95_latency_ms', 'orders', 'aov', 'revenue']) {
      const m = catalog.metrics[id];
      if (m) assert.equal(proportionOf(catalog, m), null, id);
    }
  });
});

describe('hasEvidence', () => {
  const errors = proportionOf(catalog, catalog.metrics.checkout_error_rate!);
  const delivery = proportionOf(catalog, catalog.metrics.delivery_success_rate!);

  it('one error in seven checkouts is chance, even at five times the usual rate', () => {
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 1, checkouts: 7 }), 0.03, 'up'), false);
  });

  it('seventeen errors in 57 checkouts at a usual 3% is not', () => {
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 17, checkouts: 57 }), 0.03, 'up'), true);
  });

  it('tests the direction the alert watches', () => {
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 0, checkouts: 2000 }), 0.03, 'up'), false);
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 0, checkouts: 2000 }), 0.03, 'down'), true);
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 0, checkouts: 2000 }), 0.03, 'both'), true);
  });

  it('a high success rate is tested on its failures', () => {
    // 20 failures where 5 were expected: strong evidence of a drop, none of a rise.
    assert.equal(hasEvidence(delivery, parts({ delivered: 80, deliveries: 100 }), 0.95, 'down'), true);
    assert.equal(hasEvidence(delivery, parts({ delivered: 80, deliveries: 100 }), 0.95, 'up'), false);
    // 2 failures in 10 where 0.5 were expected: not enough to page anyone.
    assert.equal(hasEvidence(delivery, parts({ delivered: 8, deliveries: 10 }), 0.95, 'down'), false);
    assert.ok(proportionTail(8, 10, 0.95, 'down') > 0.05);
  });

  it('a series that never erred needs more than one error', () => {
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 1, checkouts: 20 }), 0, 'up'), false);
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 2, checkouts: 20 }), 0, 'up'), false);
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 3, checkouts: 20 }), 0, 'up'), true);
  });

  it('judges nothing it cannot: not a proportion, or no expected rate yet', () => {
    assert.equal(hasEvidence(null, parts({}), 0.03, 'up'), true);
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 1, checkouts: 7 }), undefined, 'up'), true);
  });

  it('no events at all is no evidence', () => {
    assert.equal(hasEvidence(errors, parts({ checkout_errors: 0, checkouts: 0 }), 0.03, 'both'), false);
  });
});

describe('the usual rate', () => {
  const errors = proportionOf(catalog, catalog.metrics.checkout_error_rate!)!;
  const minute = (e: number, c: number) => parts({ checkout_errors: e, checkouts: c });

  it('is the decayed share of events, and replaces the band centre once it has enough events', () => {
    let u = updateUsual(undefined, errors, minute(0, 10));
    assert.equal(expectedRate(u, 0), 0, 'too few events: the band centre');
    for (let i = 0; i < 60; i++) u = updateUsual(u, errors, minute(i % 3 === 0 ? 1 : 0, 10));
    assert.ok(u.den >= USUAL_MIN_EVENTS);
    const rate = expectedRate(u, 0)!;
    assert.ok(Math.abs(rate - 20 / 610) < 0.002, `about 20 errors in 610 checkouts, got ${rate}`);
    assert.equal(expectedRate(undefined, 0.05), 0.05);
  });

  it('a gap minute only decays it', () => {
    const u = updateUsual({ num: 5, den: 200 }, errors, undefined);
    assert.ok(u.num < 5 && u.den < 200);
    assert.ok(Math.abs(u.num / u.den - 5 / 200) < 1e-12);
  });

  it('makes a series whose band centre is 0 (errors once an hour) need real evidence', () => {
    // 3 errors in 12 checkouts: "impossible" at the centre's 0%, chance at a usual 3%.
    assert.equal(hasEvidence(errors, minute(3, 12), 0, 'up'), true);
    assert.equal(hasEvidence(errors, minute(3, 12), expectedRate({ num: 30, den: 1000 }, 0), 'up'), false);
  });
});
