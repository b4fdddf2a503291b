/**
 * The detector contract: `step(state, point) → {state, score}`, clock-free, so the NAB bench
 * and production run the same function. State is plain JSON (numbers, arrays, objects) so it
 * can be persisted between points and restored after a restart.
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
  /**
   * Takes ownership of `state` and returns the one to use next. Small detectors return a new
   * object; a detector with a large memory (combined) may update it in place, so a caller must
   * never step the same state twice. To look without learning, use `peek`.
   */
  step(state: S, point: Point): StepResult<S>;
  /**
   * What `step` would score for this point, changing nothing. Required of a detector whose step
   * updates its state in place; for the others `peekOf` runs step and drops the state.
   */
  peek?(state: S, point: Point): Omit<StepResult<S>, 'state'>;
}

/** A detector's look without learning: its own `peek`, or its (pure) step with the state dropped. */
export function peekOf<C, S>(detector: Detector<C, S>): (state: S, point: Point) => Omit<StepResult<S>, 'state'> {
  if (detector.peek) return detector.peek.bind(detector);
  return (state, point) => {
    const { score, expected } = detector.step(state, point);
    return expected ? { score, expected } : { score };
  };
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
