/**
 * NAB v1.1 scoring, re-implemented from numenta/NAB (`sweeper.py`, `scorer.py`, `optimizer.py`,
 * `runner.py`) as written down in shared/eval/nab/SCORING.md. Pure: rows in, numbers out.
 * Rows are referred to by position only; timestamps matter only to place window limits.
 */

export interface NabProfile {
  readonly name: string;
  readonly tpWeight: number;
  readonly fnWeight: number;
  readonly fpWeight: number;
}

/** `config/profiles.json` of NAB v1.1 (tnWeight is never used by the scorer). */
export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11 },
  { name: 'reward_low_FP_rate', tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22 },
  { name: 'reward_low_FN_rate', tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11 },
];

/** One series to score: detector scores per row and windows as inclusive row positions. */
export interface NabFile {
  readonly name: string; // "<category>/<file>.csv"
  readonly scores: readonly number[];
  readonly windows: readonly (readonly [number, number])[];
}

/** NAB's candidate threshold meaning "no detections". */
export const NO_DETECTION_THRESHOLD = 1.1;

/** `sweeper.scaledSigmoid`: 2*sigmoid(-5y) - 1, and exactly -1 past y > 3. */
export function scaledSigmoid(y: number): number {
  if (y > 3.0) return -1.0;
  return 2.0 / (1.0 + Math.exp(5.0 * y)) - 1.0;
}

/** `util.getProbationPeriod` with NAB's 0.15: 15% of the file, capped at 750 rows. */
export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

/**
 * Per scored row: which window it lies in (-1 when outside) and the profile-free unweighted
 * score it would earn as a detection (S(y)/S(-1) inside, S(y) or -1 outside).
 */
interface RowWeights {
  readonly first: number; // probation length: rows before it are never scored
  readonly window: Int32Array;
  readonly unweighted: Float64Array;
  readonly windows: number; // windows with at least one scored row
  readonly windowIds: readonly number[]; // global-free ids of the windows that count
}

function rowWeights(file: NabFile): RowWeights {
  const n = file.scores.length;
  const first = probationLength(n);
  const window = new Int32Array(n).fill(-1);
  const unweighted = new Float64Array(n);
  const maxTP = scaledSigmoid(-1.0);
  const sorted = [...file.windows].sort((a, b) => a[0] - b[0]);
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const cur = sorted[w];
    if (cur && i >= cur[0] && i <= cur[1]) {
      const width = cur[1] - cur[0] + 1;
      window[i] = w;
      unweighted[i] = scaledSigmoid(-(cur[1] - i + 1) / width) / maxTP;
      if (i === cur[1]) {
        prevRight = cur[1];
        prevWidth = width;
        w++;
      }
    } else {
      // NAB divides by (width - 1) after a window; a one-row window would divide by zero
      // there too (Python raises), so none of the shipped windows has width 1.
      unweighted[i] = prevRight < 0 ? -1.0 : scaledSigmoid(Math.abs(i - prevRight) / (prevWidth - 1));
    }
  }
  const windowIds: number[] = [];
  sorted.forEach((win, id) => {
    if (win[1] >= first) windowIds.push(id);
  });
  return { first, window, unweighted, windows: windowIds.length, windowIds };
}

export interface NabCounts {
  tp: number; // detected rows inside windows
  fn: number; // quiet rows inside windows
  fp: number; // detected rows outside windows
  tn: number; // quiet rows outside windows
  windowsDetected: number;
  windowsMissed: number;
}

export interface NabFileScore {
  readonly name: string;
  readonly raw: number;
  readonly counts: NabCounts;
}

/** `scorer.scoreDataSet` for one file at a fixed threshold (a row is a detection iff a >= theta). */
export function scoreFile(file: NabFile, profile: NabProfile, threshold: number): NabFileScore {
  const rw = rowWeights(file);
  const best = new Map<number, number>();
  const counts: NabCounts = { tp: 0, fn: 0, fp: 0, tn: 0, windowsDetected: 0, windowsMissed: 0 };
  let raw = 0;
  for (let i = rw.first; i < file.scores.length; i++) {
    const detected = file.scores[i]! >= threshold;
    const w = rw.window[i]!;
    if (w >= 0) {
      if (detected) {
        counts.tp++;
        const tp = profile.tpWeight * rw.unweighted[i]!;
        best.set(w, Math.max(best.get(w) ?? -Infinity, tp));
      } else counts.fn++;
    } else if (detected) {
      counts.fp++;
      raw += profile.fpWeight * rw.unweighted[i]!;
    } else counts.tn++;
  }
  for (const id of rw.windowIds) {
    const b = best.get(id);
    if (b === undefined) {
      raw -= profile.fnWeight;
      counts.windowsMissed++;
    } else {
      raw += b;
      counts.windowsDetected++;
    }
  }
  return { name: file.name, raw, counts };
}

export interface NabCorpusScore {
  readonly profile: NabProfile;
  readonly threshold: number;
  readonly raw: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  /** 100 * (raw - null) / (perfect - null). */
  readonly score: number;
  readonly files: readonly NabFileScore[];
  readonly counts: NabCounts;
}

function addCounts(a: NabCounts, b: NabCounts): NabCounts {
  return {
    tp: a.tp + b.tp,
    fn: a.fn + b.fn,
    fp: a.fp + b.fp,
    tn: a.tn + b.tn,
    windowsDetected: a.windowsDetected + b.windowsDetected,
    windowsMissed: a.windowsMissed + b.windowsMissed,
  };
}

/** Scores every file at one threshold and normalises with these files' windows (`runner.normalize`). */
export function scoreCorpus(files: readonly NabFile[], profile: NabProfile, threshold: number): NabCorpusScore {
  const scored = files.map((f) => scoreFile(f, profile, threshold));
  const windows = files.reduce((sum, f) => sum + rowWeights(f).windows, 0);
  const raw = scored.reduce((sum, f) => sum + f.raw, 0);
  const nullRaw = -profile.fnWeight * windows;
  const perfectRaw = profile.tpWeight * windows;
  const empty: NabCounts = { tp: 0, fn: 0, fp: 0, tn: 0, windowsDetected: 0, windowsMissed: 0 };
  return {
    profile,
    threshold,
    raw,
    nullRaw,
    perfectRaw,
    score: perfectRaw === nullRaw ? 0 : (100 * (raw - nullRaw)) / (perfectRaw - nullRaw),
    files: scored,
    counts: scored.reduce((acc, f) => addCounts(acc, f.counts), empty),
  };
}

/**
 * `optimizer.py`: the one threshold that maximises the corpus raw score. Candidates are 1.1
 * (nothing detected) and every distinct scored value; ties go to the highest threshold.
 * One pass from high to low thresholds, keeping each window's best reward so far.
 */
export function optimizeThreshold(files: readonly NabFile[], profile: NabProfile): number {
  interface Row {
    a: number;
    window: number; // global window id or -1
    value: number; // weighted score if detected
  }
  const rows: Row[] = [];
  let windowBase = 0;
  let total = 0;
  for (const f of files) {
    const rw = rowWeights(f);
    const counted = new Set(rw.windowIds);
    for (let i = rw.first; i < f.scores.length; i++) {
      const w = rw.window[i]!;
      const inWindow = w >= 0 && counted.has(w);
      rows.push({
        a: f.scores[i]!,
        window: inWindow ? windowBase + w : -1,
        value: (inWindow ? profile.tpWeight : profile.fpWeight) * rw.unweighted[i]!,
      });
    }
    total -= profile.fnWeight * rw.windows;
    windowBase += f.windows.length;
  }
  rows.sort((x, y) => y.a - x.a);
  const best = new Map<number, number>();
  let bestScore = total;
  let bestThreshold = NO_DETECTION_THRESHOLD;
  for (let k = 0; k < rows.length; ) {
    const a = rows[k]!.a;
    // Every row with the same score turns on together at threshold a.
    for (; k < rows.length && rows[k]!.a === a; k++) {
      const r = rows[k]!;
      if (r.window < 0) total += r.value;
      else {
        const prev = best.get(r.window);
        if (prev === undefined) {
          total += profile.fnWeight + r.value;
          best.set(r.window, r.value);
        } else if (r.value > prev) {
          total += r.value - prev;
          best.set(r.window, r.value);
        }
      }
    }
    if (total > bestScore + 1e-12) {
      bestScore = total;
      bestThreshold = a;
    }
  }
  return bestThreshold;
}

/** Optimise the threshold for a profile, then score at it. */
export function scoreOptimized(files: readonly NabFile[], profile: NabProfile): NabCorpusScore {
  return scoreCorpus(files, profile, optimizeThreshold(files, profile));
}
