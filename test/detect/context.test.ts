import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextNovelty, contextPeek, contextStep, initContext, type ContextConfig, type ContextState } from '../../src/detect/detectors/context.js';
import { runSeries, type Point } from '../../src/detect/detectors/types.js';
import { mulberry32 } from '../support/random.js';

const PATTERN = [10, 20, 40, 80, 60, 30];

function feed(state: ContextState, values: readonly (number | null)[]): { state: ContextState; scores: number[]; raws: number[] } {
  const scores: number[] = [];
  const raws: number[] = [];
  for (const v of values) {
    const r = contextStep(state, v);
    state = r.state;
    scores.push(r.score);
    raws.push(r.raw);
  }
  return { state, scores, raws };
}

function periodic(n: number, at: (i: number) => number | null = () => null): (number | null)[] {
  return Array.from({ length: n }, (_, i) => at(i) ?? PATTERN[i % PATTERN.length]!);
}

function noisy(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => PATTERN[i % PATTERN.length]! + 15 * rand());
}

describe('context novelty', () => {
  it('scores 0 through the warm-up, then learns a repeating pattern so that it scores 0', () => {
    const { scores, raws } = feed(initContext(), periodic(700));
    assert.ok(scores.slice(0, 150).every((s) => s === 0) && raws.slice(0, 150).every((s) => s === 0));
    assert.ok(scores.slice(300).every((s) => s === 0), `max after learning ${Math.max(...scores.slice(300))}`);
  });

  it('scores an off-pattern value inside the range high, right after the learned pattern', () => {
    const { scores, state } = feed(initContext(), periodic(800, (i) => (i === 700 ? 50 : null)));
    assert.equal(scores[700], 1);
    assert.ok(scores.slice(300, 700).every((s) => s < 0.5));
    assert.equal(state.low, -18); // 10..80 widened by 0.4 of 70 on each side
    assert.equal(state.high, 108);
  });

  it('scores a value far outside the range under the old range, then grows the range past it', () => {
    const before = feed(initContext({ restPoints: 0 }), periodic(700)).state;
    const memory = before.memory;
    const r = contextStep(before, 1000);
    assert.ok(r.raw >= 0.5 && r.score === r.raw, `scored ${r.raw}`);
    assert.equal(r.state.low, -18);
    assert.equal(r.state.high, 1000 + (1000 + 18) * 0.5);
    assert.notEqual(r.state.memory, memory, 'the memory was not rebuilt for the new bins');
    // In the grown range the pattern's values all share bin 0, and the memory replayed from recent
    // values knows that bin: once past the value that follows the jump (never seen), they score 0.
    const after = feed(r.state, periodic(20).slice(701 % 6, 701 % 6 + 12));
    assert.equal(after.raws[0], 1);
    assert.ok(after.raws.slice(1).every((s) => s === 0), after.raws.join(' '));
  });

  it('gives gaps 0 without learning them: the other points score as if the gaps were not there', () => {
    const values = periodic(500, (i) => (i === 400 ? 50 : null));
    const gappy: (number | null)[] = values.flatMap((v, i) => (i % 7 === 3 ? [v, null, Number.NaN] : [v]));
    const plain = feed(initContext({ restPoints: 0 }), values);
    const withGaps = feed(initContext({ restPoints: 0 }), gappy);
    assert.deepEqual(withGaps.scores.filter((_, i) => gappy[i] !== null && !Number.isNaN(gappy[i])), plain.scores);
    assert.ok(withGaps.scores.filter((_, i) => gappy[i] === null || Number.isNaN(gappy[i])).every((s) => s === 0));
    assert.ok(plain.scores[400]! > 0.5, 'the off-pattern point in the gappy series was not scored');
    const s = withGaps.state;
    assert.equal(contextStep(s, null).state, s);
  });

  it('round-trips through JSON mid-stream: the restored state scores the rest identically', () => {
    const values = noisy(1000, 11);
    const first = feed(initContext({ restPoints: 0 }), values.slice(0, 500)).state;
    const restored = JSON.parse(JSON.stringify(first)) as ContextState;
    assert.deepEqual(restored, first);
    const a = feed(first, values.slice(500));
    const b = feed(restored, values.slice(500));
    assert.deepEqual(b.scores, a.scores);
    assert.ok(a.scores.some((s) => s > 0), 'noise never scored: the comparison proves nothing');
    assert.equal(JSON.stringify(b.state), JSON.stringify(a.state));
  });

  it('keeps the number of contexts bounded on a long noisy series', () => {
    const cap = 1500;
    const config: ContextConfig = { restPoints: 0, maxContexts: cap, warmupPoints: 50, replayPoints: 100 };
    let state = initContext(config);
    let most = 0;
    let rebuilds = 0;
    const rand = mulberry32(7);
    for (let i = 0; i < 1500; i++) {
      const next = contextStep(state, rand()).state;
      if (next.memory !== state.memory && next.memory.seen.length < state.memory.seen.length) rebuilds++;
      state = next;
      most = Math.max(most, state.memory.seen.length);
    }
    // Past the cap a rebuild happens, then none for replayPoints values: the peak stays near the cap
    // (uncapped, this series reaches over 5000 contexts).
    assert.ok(rebuilds >= 1 && most <= 2 * cap, `peak ${most} contexts, ${rebuilds} rebuilds`);
  });

  it('peek changes nothing and equals the raw score the step then gives', () => {
    let state = initContext({ restPoints: 10, warmupPoints: 60 });
    const values: (number | null)[] = [...noisy(300, 5), 500, null, ...noisy(100, 6), -400, 45];
    let scored = 0;
    for (const v of values) {
      const before = JSON.stringify(state);
      const peek = contextPeek(state, v);
      assert.equal(JSON.stringify(state), before);
      const r = contextStep(state, v);
      assert.equal(peek, r.raw);
      if (r.raw > 0) scored++;
      state = r.state;
    }
    assert.ok(scored > 20, `only ${scored} points had a raw score`);
  });

  it('is a Detector: step through runSeries gives the same scores as contextStep', () => {
    const values = noisy(400, 3);
    const points: Point[] = values.map((value, i) => ({ t: i * 60_000, value }));
    const { scores } = runSeries(contextNovelty, {}, points);
    assert.equal(contextNovelty.kind, 'context');
    assert.deepEqual(scores, feed(initContext(), values).scores);
    assert.ok(scores.every((s) => s >= 0 && s <= 1));
  });
});
