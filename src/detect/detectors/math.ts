/** Small numeric helpers shared by the detectors. Pure, plain arrays only. */

/** Index of the first element >= x in an ascending array. */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

/**
 * A bounded sliding window kept twice: in arrival order (to know what leaves) and sorted
 * (for median/MAD). O(size) per push; immutable: push returns a new window.
 */
export interface RobustWindow {
  readonly size: number;
  readonly values: readonly number[];
  readonly sorted: readonly number[];
}

export function emptyWindow(size: number): RobustWindow {
  return { size, values: [], sorted: [] };
}

export function pushWindow(w: RobustWindow, x: number): RobustWindow {
  const values = w.values.length >= w.size ? w.values.slice(w.values.length - w.size + 1) : w.values.slice();
  const sorted = w.sorted.slice();
  if (w.values.length >= w.size) {
    for (let k = 0; k <= w.values.length - w.size; k++) {
      sorted.splice(lowerBound(sorted, w.values[k]!), 1);
    }
  }
  values.push(x);
  sorted.splice(lowerBound(sorted, x), 0, x);
  return { size: w.size, values, sorted };
}

export interface RobustStats {
  readonly center: number; // median
  readonly scale: number; // robust sigma estimate, > 0
}

/**
 * Median and a robust sigma: 1.4826*MAD, falling back to the interquantile spread and then to
 * a tiny fraction of the level when more than half the window is one value (flat metrics),
 * so a change off a flat line gives a large but finite z.
 */
export function robustStats(sorted: readonly number[]): RobustStats {
  const center = quantileSorted(sorted, 0.5);
  const n = sorted.length;
  // Absolute deviations in ascending order without sorting them: walk outwards from the
  // median on both sides (O(n), no allocation).
  const half = Math.floor((n - 1) / 2);
  const q90 = Math.floor(0.9 * (n - 1));
  let lo = lowerBound(sorted, center) - 1;
  let hi = lo + 1;
  let mad = 0;
  let d90 = 0;
  let dMax = 0;
  for (let k = 0; k < n; k++) {
    const dl = lo >= 0 ? center - sorted[lo]! : Infinity;
    const dh = hi < n ? sorted[hi]! - center : Infinity;
    const d = dl <= dh ? dl : dh;
    if (dl <= dh) lo--;
    else hi++;
    if (k === half) mad = d;
    if (k === q90) d90 = d;
    dMax = d;
  }
  let scale = 1.4826 * mad;
  if (!(scale > 0)) scale = d90 / 1.645;
  if (!(scale > 0)) scale = dMax;
  const floor = 1e-6 * Math.max(Math.abs(center), 1e-3);
  return { center, scale: scale > floor ? scale : floor };
}

/**
 * z → score in [0, 1): z/(z + zAlert). Monotone and never saturating, so large deviations stay
 * ranked, and z = zAlert maps to exactly 0.5 (the detector's alert level).
 */
export function zToScore(z: number, zAlert: number): number {
  if (!(z > 0)) return 0;
  if (!Number.isFinite(z)) return 1;
  return z / (z + zAlert);
}

/** sensitivity 0..1 → the robust z that counts as an alert: 0 → 8σ (quiet), 1 → 2.5σ (chatty). */
export function zAlertFor(sensitivity: number): number {
  const s = Math.min(1, Math.max(0, Number.isFinite(sensitivity) ? sensitivity : 0.5));
  return 8 - 5.5 * s;
}

export function clamp01(x: number): number {
  if (!(x > 0)) return 0;
  return x > 1 ? 1 : x;
}

/** Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of the standard normal, P(Z > z). */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
