/** Static threshold: the value must stay within fixed limits an operator chose. */
import type { Detector, Point, StepResult } from './types.js';

export interface StaticThresholdConfig {
  readonly lower?: number;
  readonly upper?: number;
}

export interface StaticThresholdState {
  readonly kind: 'static_threshold';
  readonly lower: number | null;
  readonly upper: number | null;
}

/**
 * Inside the limits: 0. Outside: 0.5 at the limit rising towards 1 with the overshoot
 * measured against the band width (or the limit itself when only one side is set), so a
 * far breach outranks a grazing one.
 */
function step(state: StaticThresholdState, point: Point): StepResult<StaticThresholdState> {
  const { lower, upper } = state;
  const center = lower !== null && upper !== null ? (lower + upper) / 2 : (lower ?? upper ?? 0);
  const expected = { lower: lower ?? -Infinity, upper: upper ?? Infinity, center };
  const x = point.value;
  if (x === null || !Number.isFinite(x)) return { state, score: 0, expected };
  const over = upper !== null && x > upper ? x - upper : lower !== null && x < lower ? lower - x : 0;
  if (over <= 0) return { state, score: 0, expected };
  const width = lower !== null && upper !== null && upper > lower ? upper - lower : Math.max(Math.abs(upper ?? lower ?? 1), 1e-9);
  const score = 0.5 + 0.5 * (1 - Math.exp(-over / width));
  return { state, score: Number.isFinite(score) ? score : 1, expected };
}

export const staticThreshold: Detector<StaticThresholdConfig, StaticThresholdState> = {
  kind: 'static_threshold',
  init: (config) => ({ kind: 'static_threshold', lower: config.lower ?? null, upper: config.upper ?? null }),
  step,
};
