/**
 * Seeded randomness for the demo generator: fast, deterministic, not for cryptography.
 * The PRNG is mulberry32 (32-bit state, good enough statistics for synthetic data); seeds are
 * derived with a murmur-style finaliser so that nearby inputs (minute n, minute n+1) give
 * unrelated streams.
 */

const TWO_32 = 4294967296;

/** lowbias32 finaliser: a well-mixed 32-bit hash of a 32-bit integer. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function step(h: number, x: number): number {
  return mix32((Math.imul(h ^ (x >>> 0), 0x9e3779b1) + 0x7f4a7c15) | 0);
}

/** Folds both halves of a (safe) integer so that seeds above 2^32 or below 0 stay distinct. */
function fold(h: number, x: number): number {
  return step(step(h, x >>> 0), Math.floor(x / TWO_32) >>> 0);
}

/** A 32-bit hash of up to four integers (order matters). */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  return fold(fold(fold(fold(0x2545f491, a), b), c), d);
}

/** A standard normal drawn from a hash of the inputs: stateless, for slowly varying noise. */
export function hashNormal(a: number, b: number, c: number): number {
  const u1 = (hash32(a, b, c, 1) + 0.5) / TWO_32;
  const u2 = hash32(a, b, c, 2) / TWO_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Cumulative sums of non-negative weights, for `Rng.pickIndex`. */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} is ${w}; weights must be finite and >= 0`);
    acc += w;
    out[i] = acc;
  }
  return out;
}

/** log Γ(x) for x > 0 (Lanczos, g = 7): used by the Poisson sampler. */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export class Rng {
  private s: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.s = hash32(seed) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_32;
  }

  /** Uniform in [min, max). */
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, maxExclusive). */
  int(min: number, maxExclusive: number): number {
    return min + Math.floor((maxExclusive - min) * this.next());
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(items.length * this.next())]!;
  }

  /** Index drawn with probability proportional to weight, given cumulative weights. */
  pickIndex(cum: Float64Array): number {
    const n = cum.length;
    const u = this.next() * cum[n - 1]!;
    for (let i = 0; i < n - 1; i++) if (u < cum[i]!) return i;
    return n - 1;
  }

  /** Convenience weighted pick (builds the table each call; hot loops use pickIndex). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    return items[this.pickIndex(cumulative(weights))]!;
  }

  /** Standard normal (Box-Muller, keeping the second value for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.next();
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    this.spare = r * Math.sin(a);
    this.hasSpare = true;
    return r * Math.cos(a);
  }

  /** exp(N(mu, sigma²)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(1 - this.next());
  }

  /** Poisson(lambda): Knuth's product method below 10, Hörmann's PTRS above (exact, O(1)). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 10) {
      const l = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > l) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) {
        return k;
      }
    }
  }
}
