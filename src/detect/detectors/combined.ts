/**
 * The default detector. Two parts, each doing what it is good at:
 * - a context learner (context.ts, an online CAD) says when a series does something it has
 *   not done before: a value beyond its range, or a usual value in an unusual sequence. It
 *   alone can raise the score to the alert level.
 * - robust statistics (level z against the daily/weekly seasonal baseline, rate of change)
 *   draw the expected band the card shows, and keep the score up, below the alert level but
 *   above the lifecycle's exit level, while the value stays far out of that band: the
 *   learner learns a new level within a few points, the band says the incident is not over.
 * After an alert the learner stays quiet for `cooldownPoints` (NAB counts one detection per
 * window; production turns this off, its lifecycle dedups instead).
 */
import { clamp01, zAlertFor, zToScore } from './math.js';
import { contextPeekScore, contextStep, initContext, type ContextConfig, type ContextState } from './context.js';
import { initRateOfChange, rateOfChangeStep, type RateOfChangeState } from './rate-of-change.js';
import { initRobustZ, robustZStep, type RobustZState } from './robust-z.js';
import { DAY_MS, WEEK_MS, initSeasonal, seasonalStep, type SeasonalState } from './seasonal.js';
import type { Detector, Expected, Point, StepResult } from './types.js';

export interface CombinedConfig {
  readonly sensitivity?: number; // 0..1, default 0.5: where score 0.5 (an alert) sits
  readonly windowPoints?: number; // recent values for the level and rate statistics
  readonly warmupPoints?: number; // points the statistics learn before they give a score
  readonly seasonalCycles?: number;
  readonly cooldownPoints?: number; // after a learner alert, points it stays quiet (0 = off)
  readonly rateWeight?: number; // rate-of-change z is scaled by this before merging
  /** The most the statistics alone may score. 0.45: they hold an alert open but never open one. */
  readonly holdLevel?: number;
  /** The statistics' score a point needs before the learner's novelty may open an alert (0 = none). */
  readonly openLevel?: number;
  readonly context?: ContextConfig;
}

export interface CombinedState {
  readonly kind: 'combined';
  readonly zAlert: number;
  /** Context score that maps to 0.5: sensitivity moves it. */
  readonly knee: number;
  readonly warmupPoints: number;
  readonly rateWeight: number;
  readonly holdLevel: number;
  readonly openLevel: number;
  readonly seen: number;
  readonly context: ContextState;
  readonly level: RobustZState;
  readonly rate: RateOfChangeState;
  readonly daily: SeasonalState;
  readonly weekly: SeasonalState;
}

/** NAB's best threshold on the context learner's raw score sits at about 0.7: that is 0.5 here at the default sensitivity. */
const KNEE = 0.7;

export function initCombined(config: CombinedConfig = {}): CombinedState {
  const windowPoints = config.windowPoints ?? 2000;
  const cycles = config.seasonalCycles ?? 4;
  const sensitivity = Math.min(1, Math.max(0, config.sensitivity ?? 0.5));
  return {
    kind: 'combined',
    zAlert: zAlertFor(sensitivity),
    knee: KNEE + (0.5 - sensitivity) * 0.4,
    warmupPoints: config.warmupPoints ?? 300,
    rateWeight: config.rateWeight ?? 0.6,
    holdLevel: config.holdLevel ?? 0.45,
    openLevel: config.openLevel ?? 0,
    seen: 0,
    context: initContext({ restPoints: config.cooldownPoints ?? 50, ...config.context }),
    level: initRobustZ({ windowPoints, minPoints: 30 }),
    rate: initRateOfChange({ windowPoints, minPoints: 30 }),
    daily: initSeasonal({ periodMs: DAY_MS, cycles, minCycles: 2, residualPoints: windowPoints }),
    weekly: initSeasonal({ periodMs: WEEK_MS, cycles: Math.max(2, Math.ceil(cycles / 2)), minCycles: 2, residualPoints: windowPoints }),
  };
}

/** Monotone: [0, knee] → [0, 0.5], [knee, 1] → [0.5, 1]. */
function fromContext(raw: number, knee: number): number {
  if (!(raw > 0)) return 0;
  return raw <= knee ? (raw / knee) * 0.5 : 0.5 + ((raw - knee) / (1 - knee)) * 0.5;
}

/** The learner's score (when the statistics let it open) or the statistics', whichever is higher. */
function merge(state: CombinedState, st: StatsResult, contextScore: number): number {
  return Math.max(st.rawScore >= state.openLevel ? fromContext(contextScore, state.knee) : 0, st.score);
}

interface StatsResult {
  readonly score: number;
  /** Before the hold cap. */
  readonly rawScore: number;
  readonly expected?: Expected;
  readonly level: RobustZState;
  readonly rate: RateOfChangeState;
  readonly daily: SeasonalState;
  readonly weekly: SeasonalState;
}

/** The statistics' part: pure (each part returns a new state). */
function stats(state: CombinedState, point: Point, x: number): StatsResult {
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
  const z = Math.max(zLevel, state.rateWeight * rate.z);
  const rawScore = state.seen + 1 <= state.warmupPoints ? 0 : zToScore(z, state.zAlert);
  return { score: Math.min(state.holdLevel, rawScore), rawScore, ...(expected ? { expected } : {}), level: level.state, rate: rate.state, daily: daily.state, weekly: weekly.state };
}

/**
 * Takes ownership of `state`: the context learner's memory is updated in place (copying it
 * every point would cost more than learning), so only the returned state may be used next.
 */
function step(state: CombinedState, point: Point): StepResult<CombinedState> {
  const x = point.value;
  if (x === null || !Number.isFinite(x)) {
    // A gap is not evidence of anything.
    return { state: { ...state, context: contextStep(state.context, null).state }, score: 0 };
  }
  const st = stats(state, point, x);
  const ctx = contextStep(state.context, x);
  const score = merge(state, st, ctx.score);
  const next: CombinedState = { ...state, seen: state.seen + 1, context: ctx.state, level: st.level, rate: st.rate, daily: st.daily, weekly: st.weekly };
  return { state: next, score: clamp01(score), ...(st.expected ? { expected: st.expected } : {}) };
}

/** What `step` would say about this point, changing nothing (the engine's look at a minute still filling). */
function peek(state: CombinedState, point: Point): { score: number; expected?: Expected } {
  const x = point.value;
  if (x === null || !Number.isFinite(x)) return { score: 0 };
  const st = stats(state, point, x);
  const score = merge(state, st, contextPeekScore(state.context, x));
  return { score: clamp01(score), ...(st.expected ? { expected: st.expected } : {}) };
}

export const combined: Detector<CombinedConfig, CombinedState> = {
  kind: 'combined',
  init: initCombined,
  step,
  peek,
};
