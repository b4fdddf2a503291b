import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  NAB_PROFILES,
  loadNabCorpus,
  probationLength,
  readPooledScores,
  scaledSigmoid,
  scoreCorpus,
  scoreFile,
  scoreOptimized,
  withScores,
} from '../../src/detect/nab/index.js';

const NAB = join(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/eval/nab');
const [standard, lowFP, lowFN] = NAB_PROFILES as [typeof NAB_PROFILES[0], typeof NAB_PROFILES[0], typeof NAB_PROFILES[0]];

describe('NAB scoring rules', () => {
  it('uses the scaled sigmoid with its documented values', () => {
    assert.equal(scaledSigmoid(-1).toFixed(5), '0.98661');
    assert.equal(scaledSigmoid(-0.5).toFixed(5), '0.84828');
    assert.equal(scaledSigmoid(0), 0);
    assert.equal(scaledSigmoid(3.0001), -1);
  });

  it('puts 15% of the file in probation, at most 750 rows', () => {
    assert.equal(probationLength(4032), 604);
    assert.equal(probationLength(10_000), 750);
  });

  it('rewards the first row of a window fully, ignores later detections and charges a missed window', () => {
    const scores = new Array<number>(100).fill(0);
    scores[50] = 1;
    scores[55] = 1;
    const hit = scoreFile({ name: 'a', scores, windows: [[50, 59]] }, standard, 0.5);
    assert.ok(Math.abs(hit.raw - 1) < 1e-12);
    assert.equal(hit.counts.windowsDetected, 1);
    const miss = scoreFile({ name: 'a', scores: new Array<number>(100).fill(0), windows: [[50, 59]] }, lowFN, 0.5);
    assert.equal(miss.raw, -2);
  });

  it('charges a full false positive before any window and less just after one', () => {
    const early = new Array<number>(100).fill(0);
    early[20] = 1;
    assert.ok(Math.abs(scoreFile({ name: 'a', scores: early, windows: [] }, standard, 0.5).raw + 0.11) < 1e-12);
    const after = new Array<number>(100).fill(0);
    after[50] = 1;
    after[61] = 1;
    const r = scoreFile({ name: 'a', scores: after, windows: [[50, 59]] }, standard, 0.5).raw;
    assert.ok(r > 1 - 0.11 && r < 1);
  });
});

describe('NAB scorer on numenta reference results', () => {
  const series = loadNabCorpus(join(NAB, 'data'), join(NAB, 'labels/combined_windows.json'));
  const ref = readPooledScores(join(NAB, 'reference_results/numenta_anomaly_scores.csv.gz'));
  const files = withScores(series, (n) => ref.get(n));

  it('reproduces the README numbers with the threshold optimised per profile', () => {
    const expected: [typeof standard, string, string][] = [
      [standard, '23.5599', '73.560'],
      [lowFP, '18.3589', '68.359'],
      [lowFN, '15.5599', '77.040'],
    ];
    for (const [profile, raw, score] of expected) {
      const r = scoreOptimized(files, profile);
      assert.equal(r.threshold.toFixed(12), '0.544449877418', profile.name);
      assert.equal(r.raw.toFixed(4), raw, profile.name);
      assert.equal(r.score.toFixed(3), score, profile.name);
      assert.equal(r.counts.windowsDetected, 42);
      assert.equal(r.counts.windowsMissed, 8);
      assert.deepEqual([r.counts.tp, r.counts.fn, r.counts.fp, r.counts.tn], [95, 9595, 50, 93731]);
    }
    const r = scoreOptimized(files, standard);
    assert.equal(r.nullRaw, -50);
    assert.equal(r.perfectRaw, 50);
    assert.equal(scoreOptimized(files, lowFN).nullRaw, -100);
  });

  it('gives the README raw score per category on the standard profile', () => {
    const r = scoreOptimized(files, standard);
    const byCategory: Record<string, number> = {};
    for (const f of r.files) {
      const c = f.name.split('/')[0]!;
      byCategory[c] = (byCategory[c] ?? 0) + f.raw;
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(byCategory).map(([c, v]) => [c, v.toFixed(4)])),
      { artificialNoAnomaly: '-0.4400', artificialWithAnomaly: '2.4267', realAWSCloudwatch: '14.0514', realAdExchange: '7.5218' },
    );
  });

  it('reproduces the fixed-threshold check with NAB published numenta thresholds', () => {
    const checks: [typeof standard, number, string, string][] = [
      [standard, 0.5421876907348634, '23.5599', '73.560'],
      [lowFP, 0.5751955032348636, '16.2022', '66.202'],
      [lowFN, 0.5421876907348634, '15.5599', '77.040'],
    ];
    for (const [profile, threshold, raw, score] of checks) {
      const r = scoreCorpus(files, profile, threshold);
      assert.equal(r.raw.toFixed(4), raw, profile.name);
      assert.equal(r.score.toFixed(3), score, profile.name);
    }
  });
});
