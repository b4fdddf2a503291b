/** Robust z-score of each value against the median/MAD of a sliding window of recent values. */
import { emptyWindow, pushWindow, robustStats, zAlertFor, zToScore, type RobustWindow } from './math.js';
import type { Detector, Expected, Point, StepResult } from './types.js';

export interface RobustZConfig {
  readonly windowPoints?: number; // how many recent values form "normal"; default 576
  readonly minPoints?: number; // no score until this many were seen; default 30
  readonly sensitivity?: number; // 0..1, default 0.5
}

export interface RobustZState {
  readonly kind: 'robust_z';
  readonly minPoints: number;
  readonly zAlert: number;
  readonly window: RobustWindow;
}

export interface ZStep<S> {
  readonly state: S;
  readonly z: number; // >= 0, finite; 0 while warming up
  readonly expected?: Expected;
}

export function initRobustZ(config: RobustZConfig): RobustZState {
  return {
    kind: 'robust_z',
    minPoints: Math.max(3, config.minPoints ?? 30),
    zAlert: zAlertFor(config.sensitivity ?? 0.5),
    window: emptyWindow(Math.max(8, config.windowPoints ?? 576)),
  };
}

/** z of x against the window as it was before x, then x joins the window. */
export function robustZStep(state: RobustZState, x: number): ZStep<RobustZState> {
  let z = 0;
  let expected: Expected | undefined;
  if (state.window.values.length >= state.minPoints) {
    const { center, scale } = robustStats(state.window.sorted);
    z = Math.min(Math.abs(x - center) / scale, 1e9);
    expected = { lower: center - state.zAlert * scale, upper: center + state.zAlert * scale, center };
  }
  return { state: { ...state, window: pushWindow(state.window, x) }, z, ...(expected ? { expected } : {}) };
}

export const robustZ: Detector<RobustZConfig, RobustZState> = {
  kind: 'robust_z',
  init: initRobustZ,
  step(state: RobustZState, point: Point): StepResult<RobustZState> {
    if (point.value === null || !Number.isFinite(point.value)) return { state, score: 0 };
    const r = robustZStep(state, point.value);
    return { state: r.state, score: zToScore(r.z, state.zAlert), ...(r.expected ? { expected: r.expected } : {}) };
  },
};
