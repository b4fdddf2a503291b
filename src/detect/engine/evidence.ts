import type { Catalog, Metric, Parts } from '../../semantic/index.js';
import { normalTail } from '../detectors/math.js';
import type { AlertDirection } from '../rules/schema.js';

/**
 * A proportion over few events is mostly chance: 1 checkout error in 7 checkouts is 14%,
 * five times the usual 3%, and means nothing. Before a move in a proportion may alert, the
 * count behind it must be unlikely at the expected rate. Detectors see only the ratio, so
 * this check sits in the engine, where the counts are.
 */

/**
 * Tail probability below which a count counts as evidence. Small, because it is asked of every
 * series every minute: 12 gateway × region series make ~17,000 windows a day, and one chance
 * in a thousand would still page someone every day for nothing.
 */
export const EVIDENCE_ALPHA = 1e-4;
/**
 * Events beyond the expected count needed as well: a series that never erred expects ~0, and
 * then one error is "impossible" by the tail alone, though no one would page for it.
 */
export const MIN_EXCESS_EVENTS = 3;

/** `numerator / denominator`, both counted events (a 0/1 `sum` counts as events too). */
export interface Proportion {
  readonly numerator: string;
  readonly denominator: string;
}

/** The two measures of a proportion metric, or null when the metric is not one. */
export function proportionOf(catalog: Pick<Catalog, 'measures'>, metric: Pick<Metric, 'unit' | 'formula'>): Proportion | null {
  const f = metric.formula;
  if (metric.unit !== 'ratio' || f.kind !== 'binary' || f.op !== '/' || f.left.kind !== 'measure' || f.right.kind !== 'measure') return null;
  const num = catalog.measures[f.left.id];
  const den = catalog.measures[f.right.id];
  if (!num || !den || den.agg !== 'count' || (num.agg !== 'count' && num.agg !== 'sum')) return null;
  return { numerator: f.left.id, denominator: f.right.id };
}

/**
 * How likely a count at least this far from the expected rate is, in the alert's direction
 * (the smaller of both tails for `both`); 1 when the count is off by fewer than `minExcess`
 * events. The rarer side of the proportion is tested as Poisson, whose spread is at least
 * the binomial's, so the answer errs towards "chance".
 */
export function proportionTail(observed: number, total: number, expectedRate: number, direction: AlertDirection, minExcess = 0): number {
  if (!(total > 0) || !Number.isFinite(observed) || !Number.isFinite(expectedRate)) return 1;
  const p = Math.min(1, Math.max(0, expectedRate));
  // Test the rarer outcome: for a success rate of 90% that is the failures.
  const flip = p > 0.5;
  const rate = flip ? 1 - p : p;
  const count = Math.round(flip ? total - observed : observed);
  const expected = total * rate;
  const lambda = Math.max(expected, 1e-9);
  // Only the tails the direction asks about are summed (this runs per point, per series).
  const upper = () => (count - expected >= minExcess ? poissonUpper(count, lambda) : 1);
  const lower = () => (expected - count >= minExcess ? poissonLower(count, lambda) : 1);
  // Flipping the outcome flips which tail an upward move of the proportion lands in.
  const up = flip ? lower : upper;
  const down = flip ? upper : lower;
  return direction === 'up' ? up() : direction === 'down' ? down() : Math.min(up(), down());
}

/** P(X >= k) for X ~ Poisson(lambda). */
export function poissonUpper(k: number, lambda: number): number {
  if (k <= 0) return 1;
  return Math.max(0, 1 - poissonLower(k - 1, lambda));
}

/** P(X <= k) for X ~ Poisson(lambda), summed in log space (exact enough for alerting). */
export function poissonLower(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda > 1e4) {
    // Normal approximation with continuity correction: the sum would take too many terms.
    return normalTail((lambda - k - 0.5) / Math.sqrt(lambda));
  }
  let term = -lambda; // log P(X = 0)
  let sum = Math.exp(term);
  for (let i = 1; i <= k; i++) {
    term += Math.log(lambda) - Math.log(i);
    sum += Math.exp(term);
    if (i > lambda && Math.exp(term) < 1e-17 * sum) break; // past the mode, nothing left to add
  }
  return Math.min(1, sum);
}

/**
 * The long-run rate of a proportion per series: decayed sums of both counts, one update per
 * closed minute. The detector's band centre is a median of windowed ratios, which is 0 for a
 * series that errs once an hour; the usual rate is what the counts should be tested against.
 */
export interface UsualRate {
  readonly num: number;
  readonly den: number;
}

/** Half-life of about a day in minutes: recent enough to follow a drift, long enough to be a rate. */
const USUAL_DECAY = Math.pow(0.5, 1 / 1440);
/** Events behind a usual rate before it is trusted over the band centre. */
export const USUAL_MIN_EVENTS = 100;

export function updateUsual(usual: UsualRate | undefined, proportion: Proportion, minute: Parts | undefined): UsualRate {
  const u = usual ?? { num: 0, den: 0 };
  return {
    num: u.num * USUAL_DECAY + (minute?.values[proportion.numerator] ?? 0),
    den: u.den * USUAL_DECAY + (minute?.values[proportion.denominator] ?? 0),
  };
}

/** The rate counts are tested against: the usual rate once it has enough events, else the band centre. */
export function expectedRate(usual: UsualRate | undefined, center: number | undefined): number | undefined {
  if (usual && usual.den >= USUAL_MIN_EVENTS) return usual.num / usual.den;
  return center;
}

/**
 * Whether the window's counts back an alert on a proportion. Metrics that are not proportions,
 * and points without an expected rate, are not judged here (true).
 */
export function hasEvidence(proportion: Proportion | null, parts: Parts, expectedRate: number | undefined, direction: AlertDirection, alpha = EVIDENCE_ALPHA): boolean {
  if (!proportion || expectedRate === undefined) return true;
  const total = parts.values[proportion.denominator] ?? 0;
  const observed = parts.values[proportion.numerator] ?? 0;
  return proportionTail(observed, total, expectedRate, direction, MIN_EXCESS_EVENTS) <= alpha;
}
