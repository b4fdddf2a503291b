/**
 * Seasonal baseline: for each slot of a period (hour of day, hour of week…) the median of the
 * values seen in that slot over the last cycles, learned online. The residual from that
 * baseline is scored against the robust spread of recent residuals, so a dip is anomalous at
 * an hour it never happens and normal at the hour it always does. The slot comes from `t`
 * and a sampling interval the detector infers from the first points.
 */
import { emptyWindow, median, pushWindow, robustStats, zAlertFor, zToScore, type RobustWindow } from './math.js';
import type { ZStep } from './robust-z.js';
import type { Detector, Expected, Point, StepResult } from './types.js';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export interface SeasonalConfig {
  readonly periodMs?: number; // default one day
  readonly cycles?: number; // how many past cycles each slot remembers; default 4
  readonly minCycles?: number; // slot values needed before scoring; default 2
  readonly residualPoints?: number; // recent residuals for the spread; default 576
  readonly sensitivity?: number; // 0..1, default 0.5
}

export interface SeasonalState {
  readonly kind: 'seasonal';
  readonly periodMs: number;
  readonly cycles: number;
  readonly minCycles: number;
  readonly zAlert: number;
  readonly dts: readonly number[]; // first intervals seen, to infer the sampling interval
  readonly lastT: number | null;
  readonly intervalMs: number | null; // fixed once inferred, so slots stay stable
  readonly slots: readonly (readonly number[])[]; // per slot: the last `cycles` values
  readonly residuals: RobustWindow;
}

const LEARN_INTERVALS = 16;
const MAX_SLOTS = 20_160; // one week at one minute

export function initSeasonal(config: SeasonalConfig): SeasonalState {
  return {
    kind: 'seasonal',
    periodMs: config.periodMs ?? DAY_MS,
    cycles: Math.max(1, config.cycles ?? 4),
    minCycles: Math.max(1, config.minCycles ?? 2),
    zAlert: zAlertFor(config.sensitivity ?? 0.5),
    dts: [],
    lastT: null,
    intervalMs: null,
    slots: [],
    residuals: emptyWindow(Math.max(8, config.residualPoints ?? 576)),
  };
}

/** True once the sampling interval is known and a period holds a usable number of slots. */
export function seasonalActive(state: SeasonalState): boolean {
  return state.slots.length > 0;
}

function learnInterval(state: SeasonalState, t: number): SeasonalState {
  if (state.intervalMs !== null) return { ...state, lastT: t };
  const dt = state.lastT === null ? 0 : t - state.lastT;
  const dts = dt > 0 ? [...state.dts, dt] : state.dts;
  if (dts.length < LEARN_INTERVALS) return { ...state, dts, lastT: t };
  const intervalMs = median(dts);
  const count = Math.round(state.periodMs / intervalMs);
  // A period of fewer than 4 samples has no shape to learn; too many slots would be too
  // sparse to fill in a few cycles. Either way the detector stays silent.
  const slots = count >= 4 && count <= MAX_SLOTS ? Array.from({ length: count }, () => [] as number[]) : [];
  return { ...state, dts: [], lastT: t, intervalMs, slots };
}

export function seasonalStep(state0: SeasonalState, t: number, x: number): ZStep<SeasonalState> {
  const state = learnInterval(state0, t);
  if (state.intervalMs === null || state.slots.length === 0) return { state, z: 0 };
  const n = state.slots.length;
  const phase = ((t % state.periodMs) + state.periodMs) % state.periodMs;
  const slot = Math.floor(phase / state.intervalMs + 0.5) % n;
  const seen = state.slots[slot]!;
  let z = 0;
  let expected: Expected | undefined;
  let residuals = state.residuals;
  if (seen.length >= state.minCycles) {
    const base = median(seen);
    const res = x - base;
    if (residuals.values.length >= 30) {
      const { center, scale } = robustStats(residuals.sorted);
      z = Math.min(Math.abs(res - center) / scale, 1e9);
      const c = base + center;
      expected = { lower: c - state.zAlert * scale, upper: c + state.zAlert * scale, center: c };
    }
    residuals = pushWindow(residuals, res);
  }
  const slots = state.slots.slice();
  slots[slot] = seen.length >= state.cycles ? [...seen.slice(seen.length - state.cycles + 1), x] : [...seen, x];
  return { state: { ...state, slots, residuals }, z, ...(expected ? { expected } : {}) };
}

export const seasonal: Detector<SeasonalConfig, SeasonalState> = {
  kind: 'seasonal',
  init: initSeasonal,
  step(state: SeasonalState, point: Point): StepResult<SeasonalState> {
    if (point.value === null || !Number.isFinite(point.value)) return { state, score: 0 };
    const r = seasonalStep(state, point.t, point.value);
    return { state: r.state, score: zToScore(r.z, state.zAlert), ...(r.expected ? { expected: r.expected } : {}) };
  },
};
