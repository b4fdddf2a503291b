/**
 * Rate of change: robust z of the step from the previous value against recent steps. Catches
 * sudden jumps and drops that a level band is too wide to see; irregular sampling is
 * handled by scaling each step to the usual sampling interval.
 */
import { emptyWindow, median, pushWindow, robustStats, zAlertFor, zToScore, type RobustWindow } from './math.js';
import type { ZStep } from './robust-z.js';
import type { Detector, Point, StepResult } from './types.js';

export interface RateOfChangeConfig {
  readonly windowPoints?: number; // default 576 recent steps
  readonly minPoints?: number; // default 30
  readonly sensitivity?: number; // 0..1, default 0.5
}

export interface RateOfChangeState {
  readonly kind: 'rate_of_change';
  readonly minPoints: number;
  readonly zAlert: number;
  readonly last: { readonly t: number; readonly value: number } | null;
  readonly dts: readonly number[]; // the first sampling intervals seen, to learn the usual one
  readonly window: RobustWindow; // recent per-interval steps
}

export function initRateOfChange(config: RateOfChangeConfig): RateOfChangeState {
  return {
    kind: 'rate_of_change',
    minPoints: Math.max(3, config.minPoints ?? 30),
    zAlert: zAlertFor(config.sensitivity ?? 0.5),
    last: null,
    dts: [],
    window: emptyWindow(Math.max(8, config.windowPoints ?? 576)),
  };
}

const LEARN_INTERVALS = 32;

export function rateOfChangeStep(state: RateOfChangeState, t: number, x: number): ZStep<RateOfChangeState> {
  const last = state.last;
  if (last === null) return { state: { ...state, last: { t, value: x } }, z: 0 };
  const dt = t - last.t;
  const dts = dts_(state.dts, dt);
  const usual = dts.length > 0 ? median(dts) : 0;
  // A step across a gap of k intervals is compared as if spread over those k intervals
  // (at most 1: points closer than usual are not scaled up).
  const spread = usual > 0 && dt > usual ? dt / usual : 1;
  const d = (x - last.value) / spread;
  let z = 0;
  if (state.window.values.length >= state.minPoints) {
    const { center, scale } = robustStats(state.window.sorted);
    z = Math.min(Math.abs(d - center) / scale, 1e9);
  }
  return { state: { ...state, last: { t, value: x }, dts, window: pushWindow(state.window, d) }, z };
}

function dts_(dts: readonly number[], dt: number): readonly number[] {
  return dts.length < LEARN_INTERVALS && dt > 0 ? [...dts, dt] : dts;
}

export const rateOfChange: Detector<RateOfChangeConfig, RateOfChangeState> = {
  kind: 'rate_of_change',
  init: initRateOfChange,
  step(state: RateOfChangeState, point: Point): StepResult<RateOfChangeState> {
    if (point.value === null || !Number.isFinite(point.value)) return { state, score: 0 };
    const r = rateOfChangeStep(state, point.t, point.value);
    return { state: r.state, score: zToScore(r.z, state.zAlert) };
  },
};
