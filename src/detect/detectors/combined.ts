/**
 * The default detector: robust level z-score (against the daily seasonal baseline once it has
 * been learned), rate of change and range novelty, merged into one score, then damped after
 * an alert so one incident is reported once instead of on every point of it.
 */
import { clamp01, normalTail, zAlertFor, zToScore } from './math.js';
import { initRateOfChange, rateOfChangeStep, type RateOfChangeState } from './rate-of-change.js';
import { initRobustZ, robustZStep, type RobustZState } from './robust-z.js';
import { DAY_MS, WEEK_MS, initSeasonal, seasonalStep, type SeasonalState } from './seasonal.js';
import type { Detector, Expected, Point, StepResult } from './types.js';

export interface CombinedConfig {
  readonly sensitivity?: number; // 0..1, default 0.5: where score 0.5 (an alert) sits
  readonly windowPoints?: number; // recent values for the level and rate statistics
  readonly warmupPoints?: number; // points learned before any score is given
  readonly seasonalCycles?: number;
  readonly rangeTolerance?: number; // novelty: beyond the range seen so far by this fraction of it
  readonly cooldownPoints?: number; // after an alert, points during which repeats are damped
  readonly cooldownFactor?: number; // damped score = score * factor (unless it escalates)
  readonly rateWeight?: number; // rate-of-change z is scaled by this before merging
  readonly historyPoints?: number; // likelihood: recent raw scores that describe "usual" (0 = off)
  readonly shortPoints?: number; // likelihood: raw scores averaged for "now"
  readonly minStd?: number; // likelihood: floor on the spread of usual raw scores
}

export interface CombinedState {
  readonly kind: 'combined';
  readonly zAlert: number;
  readonly warmupPoints: number;
  readonly rangeTolerance: number;
  readonly cooldownPoints: number;
  readonly cooldownFactor: number;
  readonly rateWeight: number;
  readonly historyPoints: number;
  readonly shortPoints: number;
  readonly minStd: number;
  readonly history: readonly number[]; // last historyPoints raw scores, oldest first
  readonly seen: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly cooldown: number; // points of cooldown left
  readonly alertZ: number; // the z of the alert that started the cooldown
  readonly level: RobustZState;
  readonly rate: RateOfChangeState;
  readonly daily: SeasonalState;
  readonly weekly: SeasonalState;
}

export function initCombined(config: CombinedConfig = {}): CombinedState {
  const windowPoints = config.windowPoints ?? 2000;
  const cycles = config.seasonalCycles ?? 4;
  return {
    kind: 'combined',
    zAlert: zAlertFor(config.sensitivity ?? 0.5),
    warmupPoints: config.warmupPoints ?? 300,
    rangeTolerance: config.rangeTolerance ?? 0.05,
    cooldownPoints: config.cooldownPoints ?? 600,
    cooldownFactor: config.cooldownFactor ?? 0.5,
    rateWeight: config.rateWeight ?? 0.6,
    historyPoints: config.historyPoints ?? 0,
    shortPoints: Math.max(1, config.shortPoints ?? 10),
    minStd: config.minStd ?? 0.02,
    history: [],
    seen: 0,
    min: null,
    max: null,
    cooldown: 0,
    alertZ: 0,
    level: initRobustZ({ windowPoints, minPoints: 30 }),
    rate: initRateOfChange({ windowPoints, minPoints: 30 }),
    daily: initSeasonal({ periodMs: DAY_MS, cycles, minCycles: 2, residualPoints: windowPoints }),
    weekly: initSeasonal({ periodMs: WEEK_MS, cycles: Math.max(2, Math.ceil(cycles / 2)), minCycles: 2, residualPoints: windowPoints }),
  };
}

function step(state: CombinedState, point: Point): StepResult<CombinedState> {
  const x = point.value;
  if (x === null || !Number.isFinite(x)) {
    // A gap is not evidence of anything; the cooldown keeps counting in points, not time.
    return { state: { ...state, cooldown: Math.max(0, state.cooldown - 1) }, score: 0 };
  }
  const level = robustZStep(state.level, x);
  const rate = rateOfChangeStep(state.rate, point.t, x);
  const daily = seasonalStep(state.daily, point.t, x);
  const weekly = seasonalStep(state.weekly, point.t, x);

  // The seasonal baseline replaces the plain window once it exists: at the usual hour a
  // usual value is normal even when it is far from the day's median. A weekly pattern, once
  // learned, can excuse what the daily one flags (weekends).
  let zLevel = level.z;
  let expected: Expected | undefined = level.expected;
  if (daily.expected) {
    zLevel = weekly.expected ? Math.min(daily.z, weekly.z) : daily.z;
    expected = weekly.expected && weekly.z < daily.z ? weekly.expected : daily.expected;
  }
  let z = Math.max(zLevel, state.rateWeight * rate.z);

  const range = state.min !== null && state.max !== null ? state.max - state.min : 0;
  const novel =
    state.seen >= state.warmupPoints &&
    range > 0 &&
    (x > state.max! + state.rangeTolerance * range || x < state.min! - state.rangeTolerance * range);
  if (novel) z = Math.max(z, 2 * state.zAlert);

  const seen = state.seen + 1;
  const raw = zToScore(z, state.zAlert);
  let history = state.history;
  let score = raw;
  if (state.historyPoints > 0) {
    history = history.length >= state.historyPoints ? [...history.slice(history.length - state.historyPoints + 1), raw] : [...history, raw];
    score = likelihoodScore(state.history, history, state.shortPoints, state.minStd);
  }
  if (seen <= state.warmupPoints) score = 0;
  let cooldown = Math.max(0, state.cooldown - 1);
  let alertZ = state.alertZ;
  if (state.cooldown > 0 && z < 2 * state.alertZ) score *= state.cooldownFactor;
  else if (score >= 0.5) {
    cooldown = state.cooldownPoints;
    alertZ = z;
  }
  const next: CombinedState = {
    ...state,
    seen,
    history,
    min: state.min === null ? x : Math.min(state.min, x),
    max: state.max === null ? x : Math.max(state.max, x),
    cooldown,
    alertZ,
    level: level.state,
    rate: rate.state,
    daily: daily.state,
    weekly: weekly.state,
  };
  return { state: next, score: clamp01(score), ...(expected ? { expected } : {}) };
}

/**
 * numenta's "anomaly likelihood" idea: how unlikely is the recent average raw score given the
 * distribution (Gaussian fit) of this series' own raw scores? A series that is always jumpy
 * learns that big z-scores are its normal; a calm one flags its first real departure.
 * Mapped on a log scale so that tail probabilities 1e-2..1e-10 stay distinguishable.
 */
function likelihoodScore(past: readonly number[], now: readonly number[], shortPoints: number, minStd: number): number {
  if (past.length < 2) return 0;
  let sum = 0;
  let sumSq = 0;
  for (const r of past) {
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / past.length;
  const std = Math.max(minStd, Math.sqrt(Math.max(0, sumSq / past.length - mean * mean)));
  let recent = 0;
  const k = Math.min(shortPoints, now.length);
  for (let i = now.length - k; i < now.length; i++) recent += now[i]!;
  const tail = normalTail((recent / k - mean) / std);
  return clamp01(Math.log(tail + 1e-10) / Math.log(1e-10));
}

export const combined: Detector<CombinedConfig, CombinedState> = {
  kind: 'combined',
  init: initCombined,
  step,
};
