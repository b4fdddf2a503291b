/**
 * The detector contract: `step(state, point) → {state, score}`, pure and clock-free, so the
 * NAB bench and production run the same function. State is plain JSON (numbers, arrays,
 * objects) so it can be persisted between points and restored after a restart.
 */

export interface Point {
  readonly t: number; // epoch ms of the observation
  readonly value: number | null; // null = a gap (no observation); never scored as anomalous
}

/** The band an alert card draws: where the detector expected the value to be. */
export interface Expected {
  readonly lower: number;
  readonly upper: number;
  readonly center: number;
}

export interface StepResult<S> {
  readonly state: S;
  /** In [0, 1]; never NaN. 0.5 is where the detector's own alert level sits. */
  readonly score: number;
  readonly expected?: Expected;
}

export interface Detector<C, S> {
  readonly kind: string;
  init(config: C): S;
  /** Must not mutate `state`: it returns a new one (sharing untouched parts). */
  step(state: S, point: Point): StepResult<S>;
}

/** Runs a detector over a whole series from a fresh state: the bench and tests use this. */
export function runSeries<C, S>(detector: Detector<C, S>, config: C, points: Iterable<Point>): { scores: number[]; state: S } {
  let state = detector.init(config);
  const scores: number[] = [];
  for (const p of points) {
    const r = detector.step(state, p);
    state = r.state;
    scores.push(r.score);
  }
  return { scores, state };
}
