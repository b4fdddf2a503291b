import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertDirection, bigEnough, directionalScore } from '../../src/detect/engine/series.js';

const band = { lower: 90, upper: 110, center: 100 };

describe('engine series helpers', () => {
  it('min_change: a move under the share of the expected value is not an alert', () => {
    assert.equal(bigEnough(124, band, 0.25), false);
    assert.equal(bigEnough(125, band, 0.25), true);
    assert.equal(bigEnough(70, band, 0.25), true);
    assert.equal(bigEnough(101, band, 0), true, '0% keeps every move the detector flags');
    assert.equal(bigEnough(null, band, 0.25), true, 'a gap is left to the detector (it scores 0)');
    assert.equal(bigEnough(130, undefined, 0.25), true, 'no band yet: nothing to compare with');
  });

  it('direction: a move the harmless way scores 0', () => {
    assert.equal(directionalScore(0.9, 130, band, 'up'), 0.9);
    assert.equal(directionalScore(0.9, 70, band, 'up'), 0);
    assert.equal(directionalScore(0.9, 70, band, 'down'), 0.9);
    assert.equal(directionalScore(0.9, 70, band, 'both'), 0.9);
    assert.equal(alertDirection({}, { direction: 'up_is_good' }), 'down');
    assert.equal(alertDirection({ direction: 'both' }, { direction: 'up_is_good' }), 'both');
  });
});
