import { addParts, evaluateFormula, type Catalog, type Metric, type Parts } from '../../semantic/index.js';
import type { Expected } from '../detectors/index.js';
import type { AlertDirection, AlertRule } from '../rules/schema.js';

/** Pure helpers the engine uses per series: trailing windows, partial minutes, direction. */

export const MINUTE_MS = 60_000;
export const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

export function alertDirection(rule: Pick<AlertRule, 'direction'>, metric: Pick<Metric, 'direction'>): AlertDirection {
  if (rule.direction) return rule.direction;
  return metric.direction === 'up_is_bad' ? 'up' : metric.direction === 'up_is_good' ? 'down' : 'both';
}

/** A move in the harmless direction is not an alert: revenue above its band is good news. */
export function directionalScore(score: number, value: number | null, expected: Expected | undefined, direction: AlertDirection): number {
  if (direction === 'both' || value === null || !expected) return score;
  if (direction === 'up' && value <= expected.center) return 0;
  if (direction === 'down' && value >= expected.center) return 0;
  return score;
}

/** The rule's `min_change`: a move smaller than this share of the expected value is not an alert. */
export function bigEnough(value: number | null, expected: Expected | undefined, minChange: number): boolean {
  if (minChange <= 0 || value === null || !expected) return true;
  return Math.abs(value - expected.center) >= minChange * Math.abs(expected.center);
}

/** Counts and sums scale with time; ratios, quantiles and multiples do not. */
export function isAdditive(metric: Pick<Metric, 'unit'>): boolean {
  return metric.unit === 'count' || metric.unit === 'usd';
}

const EMPTY: Parts = { values: {}, counts: {} };

/**
 * The parts of the trailing window ending with minute `t` (inclusive). A minute with no row
 * is an empty minute (zero orders is data, not a gap). `scaleLast` projects a still-open last
 * minute to a whole one for additive metrics (x 60 s / elapsed).
 */
export function windowParts(
  catalog: Catalog,
  measures: readonly string[],
  minutes: ReadonlyMap<number, Parts>,
  t: number,
  windowMs: number,
  scaleLast = 1,
): Parts {
  const parts: Parts[] = [];
  for (let m = t - windowMs + MINUTE_MS; m <= t; m += MINUTE_MS) {
    const p = minutes.get(m) ?? EMPTY;
    parts.push(m === t && scaleLast !== 1 ? scaleParts(p, scaleLast) : p);
  }
  return addParts(catalog, measures, parts);
}

function scaleParts(p: Parts, k: number): Parts {
  const values: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const [id, v] of Object.entries(p.values)) values[id] = v * k;
  for (const [id, n] of Object.entries(p.counts)) counts[id] = n * k;
  return { values, counts };
}

/**
 * The point a detector sees: the formula over the window's parts. With no events behind a
 * ratio (0 checkouts) there is nothing to judge: a gap, not a zero.
 */
export function pointValue(metric: Metric, parts: Parts, volumeMeasure: string): number | null {
  if (!isAdditive(metric) && (parts.counts[volumeMeasure] ?? 0) === 0) return null;
  const v = evaluateFormula(metric.formula, parts.values);
  return v === null || !Number.isFinite(v) ? null : v;
}

/** Stable series key and labels from a row's `by` columns. */
export function labelsOf(row: Readonly<Record<string, unknown>>, by: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const d of by) labels[d] = String(row[d] ?? '');
  return labels;
}
