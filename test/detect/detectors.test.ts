import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, combined, rateOfChange, robustZ, runSeries, seasonal, staticThreshold, type Point } from '../../src/detect/index.js';
import { alertCombinedConfig } from '../../src/detect/engine/detector-for.js';
import { mulberry32 } from '../support/random.js';

/** `combined` as alert rules bind it (NAB runs its defaults; see detector-for.ts). */
const ALERTS = alertCombinedConfig(0.5);

const FIVE_MIN = 300_000;
const T0 = Date.UTC(2024, 0, 1);

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function series(n: number, value: (i: number) => number | null, dt = FIVE_MIN): Point[] {
  return Array.from({ length: n }, (_, i) => ({ t: T0 + i * dt, value: value(i) }));
}

function assertValid(scores: readonly number[]): void {
  for (const s of scores) assert.ok(Number.isFinite(s) && s >= 0 && s <= 1, `score ${s} is not in [0, 1]`);
}

describe('static threshold', () => {
  it('scores 0 inside the limits and at least 0.5 outside, more for a bigger breach', () => {
    const { scores } = runSeries(staticThreshold, { lower: 0, upper: 10 }, series(4, (i) => [5, 10, 11, 100][i]!));
    assert.equal(scores[0], 0);
    assert.equal(scores[1], 0);
    assert.ok(scores[2]! >= 0.5 && scores[3]! > scores[2]!);
  });
});

describe('robust z-score', () => {
  it('scores a spike high at the spike and the noise around it low', () => {
    const noise = gaussian(mulberry32(1));
    const { scores } = runSeries(robustZ, {}, series(600, (i) => 100 + noise() + (i === 400 ? 20 : 0)));
    assert.ok(scores[400]! > 0.7, `spike scored ${scores[400]}`);
    const loud = scores.filter((s, i) => i !== 400 && s >= 0.5).length;
    assert.ok(loud <= 2, `${loud} noise points scored as alerts`);
  });

  it('catches a slow drift once it leaves the band, which rate of change does not see', () => {
    const noise = gaussian(mulberry32(2));
    const points = series(1200, (i) => 50 + noise() + (i > 500 ? (i - 500) * 0.05 : 0));
    const level = runSeries(robustZ, {}, points).scores;
    const rate = runSeries(rateOfChange, {}, points).scores;
    assert.ok(level.slice(500, 900).some((s) => s >= 0.5), 'level detector never flagged the drift');
    assert.ok(level.slice(400, 500).every((s) => s < 0.5), 'level detector flagged before the drift');
    assert.ok(rate.slice(500).filter((s) => s >= 0.5).length <= 3, 'rate of change flagged a gentle drift');
  });
});

describe('rate of change', () => {
  it('flags a level shift at the step', () => {
    const noise = gaussian(mulberry32(3));
    const { scores } = runSeries(rateOfChange, {}, series(600, (i) => 10 + 0.2 * noise() + (i >= 300 ? 5 : 0)));
    assert.ok(scores[300]! > 0.7, `step scored ${scores[300]}`);
  });
});

describe('seasonal baseline', () => {
  // Every night 03:00-04:00 the metric dips from 100 to 40 (a batch job pauses traffic).
  const noise = gaussian(mulberry32(4));
  const hourOf = (i: number) => ((i * FIVE_MIN) % DAY_MS) / 3_600_000;
  const day = 288;
  const usual = (i: number) => (hourOf(i) >= 3 && hourOf(i) < 4 ? 40 : 100) + noise();

  it('catches a dip at an unusual hour but not the same dip at its usual hour', () => {
    const odd = 6 * day + 15 * 12; // day 6, 15:00
    const points = series(7 * day, (i) => (i >= odd && i < odd + 12 ? 40 + noise() : usual(i)));
    const { scores } = runSeries(seasonal, {}, points);
    assert.ok(scores[odd]! >= 0.5, `15:00 dip scored ${scores[odd]}`);
    const usualDip = 6 * day + 3 * 12 + 6; // day 6, 03:30
    assert.ok(scores[usualDip]! < 0.5, `03:30 dip scored ${scores[usualDip]}`);
  });

  it('lets the combined detector see the same: the usual nightly dip stays quiet', () => {
    const odd = 6 * day + 15 * 12;
    const points = series(7 * day, (i) => (i >= odd && i < odd + 12 ? 40 + noise() : usual(i)));
    const { scores } = runSeries(combined, ALERTS, points);
    assert.ok(scores.slice(odd, odd + 3).some((s) => s >= 0.5), 'unusual-hour dip not flagged');
    const nightDip = 6 * day + 3 * 12; // the day-6 nightly dip starts here
    assert.ok(scores.slice(nightDip + 1, nightDip + 12).every((s) => s < 0.5), 'usual dip flagged');
  });
});

describe('combined detector', () => {
  it('catches a level shift within 3 points', () => {
    const noise = gaussian(mulberry32(5));
    const { scores } = runSeries(combined, ALERTS, series(1500, (i) => 20 + noise() + (i >= 1000 ? 15 : 0)));
    assert.ok(scores.slice(1000, 1003).some((s) => s >= 0.5), `shift scores ${scores.slice(1000, 1003).join(', ')}`);
  });

  it('keeps pure noise below its alert level almost everywhere', () => {
    const noise = gaussian(mulberry32(6));
    const { scores } = runSeries(combined, ALERTS, series(4000, () => 1000 + 10 * noise()));
    assertValid(scores);
    const loud = scores.filter((s) => s >= 0.5).length;
    assert.ok(loud <= 8, `${loud} of 4000 noise points alerted`);
  });

  it('handles gaps and irregular sampling without NaN, scoring gaps 0', () => {
    const rand = mulberry32(7);
    const noise = gaussian(rand);
    let t = T0;
    const points: Point[] = Array.from({ length: 3000 }, (_, i) => {
      t += Math.floor(FIVE_MIN * (0.2 + 3 * rand()));
      return { t, value: i % 37 === 0 ? null : i === 2000 ? 500 : 100 + noise() };
    });
    points.push({ t, value: 100 }); // a repeated timestamp
    points.push({ t: t + 1, value: Number.NaN as number });
    const { scores } = runSeries(combined, {}, points);
    assertValid(scores);
    assert.equal(scores[37], 0);
    assert.ok(scores[2000]! >= 0.5);
  });

  it('gives identical scores after its state is saved as JSON and restored mid-stream', () => {
    const noise = gaussian(mulberry32(8));
    const points = series(2500, (i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + noise() + (i === 2200 ? 30 : 0));
    const straight = runSeries(combined, {}, points).scores;
    let state = combined.init({});
    const resumed: number[] = [];
    points.forEach((p, i) => {
      if (i === 1700) state = JSON.parse(JSON.stringify(state));
      const r = combined.step(state, p);
      state = r.state;
      resumed.push(r.score);
    });
    assert.deepEqual(resumed, straight);
  });

  it('peek changes nothing and says what step then says', () => {
    const noise = gaussian(mulberry32(9));
    for (const config of [{}, ALERTS]) {
      let state = combined.init(config);
      for (const p of series(600, (i) => 5 + noise() + (i % 50 === 0 ? 4 : 0))) {
        const before = JSON.stringify(state);
        const looked = combined.peek!(state, p);
        assert.equal(JSON.stringify(state), before, 'peek left the state as it was');
        const r = combined.step(state, p);
        assert.equal(looked.score, r.score);
        assert.deepEqual(looked.expected, r.expected);
        state = r.state;
      }
    }
  });

  it('with its defaults (the NAB run) only the learner opens alerts; the statistics hold them', () => {
    const noise = gaussian(mulberry32(12));
    const odd = 6 * 288 + 15 * 12;
    const hourOf = (i: number) => ((i * FIVE_MIN) % DAY_MS) / 3_600_000;
    const dip = runSeries(combined, {}, series(7 * 288, (i) => (i >= odd && i < odd + 12 ? 40 : hourOf(i) >= 3 && hourOf(i) < 4 ? 40 : 100) + noise())).scores;
    // The learner knows 40 (every night) and has no clock: the statistics see the odd hour but may only hold.
    assert.ok(dip.slice(odd, odd + 12).every((s) => s <= 0.45), 'statistics alone stay under the alert level');
    assert.ok(dip.slice(odd, odd + 12).some((s) => s >= 0.35), 'but above the exit level');
    const spike = runSeries(combined, {}, series(1200, (i) => (i === 1100 ? 60 : 20) + noise())).scores;
    assert.ok(spike[1100]! >= 0.5, `the learner flags a value far beyond its range (${spike[1100]})`);
  });

  it('gives an expected band around the usual value', () => {
    const noise = gaussian(mulberry32(10));
    let state = combined.init({});
    let last;
    for (const p of series(500, () => 70 + noise())) {
      last = combined.step(state, p);
      state = last.state;
    }
    const e = last!.expected!;
    assert.ok(e.lower < 70 && e.upper > 70 && Math.abs(e.center - 70) < 1);
  });
});
