/**
 * Context novelty: an online CAD OSE (Contextual Anomaly Detector, Smirnov's "Contextual Anomaly
 * Detector OSE" from the NAB leaderboard). Each value is cut into one of 8 bins of the range seen
 * so far; the memory learns which groups of facts (recent bins and the contexts that were active
 * last step) are followed by which bins, and a point scores high when it was not predicted and
 * few learned contexts fit it. The range is set by the first `warmupPoints` values widened by
 * `margin`; a value outside it is scored under the old range, the range grows past it, and the
 * memory is rebuilt by replaying the last `replayPoints` raw values, so bins keep one meaning.
 *
 * MUTATION — read before use. Copying this memory every point is too slow, so `contextStep`
 * (and `contextNovelty.step`) UPDATES `state.memory` and `state.recent` IN PLACE and returns a
 * state object that shares them. The state passed in is consumed: use the returned one and never
 * step an older one again. To look without learning use `contextPeek`, which changes nothing.
 * To keep a snapshot, JSON.stringify the state (it is plain JSON: the round trip is exact).
 */
import type { Detector, Point, StepResult } from './types.js';

export interface ContextConfig {
  readonly warmupPoints?: number; // K = 150: points whose min/max set the first range (score 0 meanwhile)
  readonly margin?: number; // 0.4: the first range is widened by this share of its span on each side
  readonly growth?: number; // 0.5: when a value leaves the range, that side moves past it by this share of the new span
  readonly replayPoints?: number; // R = 300: raw values kept; the memory is rebuilt from them when the range changes
  readonly restPoints?: number; // 50: after a raw score >= restLevel, output 0 for this many points (0 = off)
  readonly restLevel?: number; // 0.75
  readonly maxContexts?: number; // 6000: above this after a step the memory is rebuilt from the replay buffer (0 or Infinity = no cap)
}

/**
 * What CAD has learned. A semi-context is a sorted list of facts; a context joins a left one (the
 * facts of the previous step) to a right one (facts seen next). Contexts are struct-of-arrays
 * indexed by context id. Sensor facts are 65536 + 2·bit position + bit; the fact of an active
 * context is 2^31 + its id.
 */
export interface ContextMemory {
  leftFacts: number[][]; // left id → its facts
  leftKey: Record<string, number>; // facts joined with ',' → left id
  leftsOf: Record<string, number[]>; // fact → ids of the lefts holding it, ascending
  leftCtx: number[][]; // left id → its context ids, oldest first (the order CAD visits them)
  rightFacts: number[][];
  rightKey: Record<string, number>;
  seen: number[]; // context id → right facts it could have seen
  hit: number[]; // … and did see
  act: number[]; // times fully matched
  zero: boolean[]; // created from a whole step (not from a partial match)
  left: number[];
  right: number[];
  group: number[]; // facts of the last step: its bins and the contexts most often active
  predicted: number[]; // facts the last step predicted for this one
}

export interface ContextState {
  readonly kind: 'context';
  readonly warmupPoints: number;
  readonly margin: number;
  readonly growth: number;
  readonly replayPoints: number;
  readonly restPoints: number;
  readonly restLevel: number;
  readonly maxContexts: number; // 0 = no cap
  readonly n: number; // values seen (gaps not counted)
  readonly lo: number; // min and max of all values (valid once n > 0)
  readonly hi: number;
  readonly ready: boolean; // warm-up over, the range below is in force
  readonly low: number; // the binning range
  readonly high: number;
  readonly sinceHigh: number; // values since the last raw score >= restLevel (capped at restPoints)
  readonly capWait: number; // values left before the cap is checked again
  readonly recent: number[]; // last replayPoints values, oldest first (mutated in place)
  readonly memory: ContextMemory; // mutated in place
}

const NBITS = 3;
const TOP_BIN = 2 ** NBITS - 1;
const SENSOR = 65536;
const NEURON = 2 ** 31;
const MAX_LEFT = 7; // a partly matched left of more facts than this makes no new context
const MAX_ACTIVE = 15; // active contexts carried into the next step's group

export function initContext(config: ContextConfig = {}): ContextState {
  const cap = config.maxContexts ?? 6000;
  return {
    kind: 'context',
    warmupPoints: Math.max(1, Math.floor(config.warmupPoints ?? 150)),
    margin: config.margin ?? 0.4,
    growth: config.growth ?? 0.5,
    replayPoints: Math.max(1, Math.floor(config.replayPoints ?? 300)),
    restPoints: Math.max(0, Math.floor(config.restPoints ?? 50)),
    restLevel: config.restLevel ?? 0.75,
    // Infinity is not JSON: "no cap" is stored as 0.
    maxContexts: Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : 0,
    n: 0,
    lo: 0,
    hi: 0,
    ready: false,
    low: 0,
    high: 0,
    sinceHigh: 0, // as if a high score came just before the first point: the first restPoints are quiet
    capWait: 0,
    recent: [],
    memory: emptyMemory(),
  };
}

function emptyMemory(): ContextMemory {
  return {
    leftFacts: [],
    leftKey: {},
    leftsOf: {},
    leftCtx: [],
    rightFacts: [],
    rightKey: {},
    seen: [],
    hit: [],
    act: [],
    zero: [],
    left: [],
    right: [],
    group: [],
    predicted: [],
  };
}

/**
 * One value: learn it and score it. `raw` is the score before the rest period (0 during
 * warm-up); `score` is what alerts. Mutates `state` (see the top of this file).
 */
export function contextStep(state: ContextState, x: number | null): { state: ContextState; score: number; raw: number } {
  if (x === null || !Number.isFinite(x)) return { state, score: 0, raw: 0 };
  const n = state.n + 1;
  const lo = n === 1 ? x : Math.min(state.lo, x);
  const hi = n === 1 ? x : Math.max(state.hi, x);
  const recent = state.recent;
  recent.push(x);
  if (recent.length > state.replayPoints) recent.shift();

  let { ready, low, high, memory } = state;
  let rebuild = false;
  let cur = 0; // the score CAD gives; it drives the rest period even during warm-up
  if (!ready) {
    low = lo;
    high = hi;
    if (n >= state.warmupPoints) {
      ready = true;
      const w = (hi - lo) * state.margin;
      low = lo - w;
      high = hi + w;
      rebuild = true;
    } else if (state.restPoints > 0) {
      // The warm-up memory is thrown away at the rebuild; it is only kept up for the scores
      // that start the rest period, so without one it need not run.
      cur = learn(memory, sensorFacts(binOf(x, low, high)));
    }
  } else {
    // A value outside the range is scored under the old range: it lands in an edge bin (novelty).
    cur = learn(memory, sensorFacts(binOf(x, low, high)));
    if (x < low || x > high) {
      const w = (Math.max(high, x) - Math.min(low, x)) * state.growth;
      if (x < low) low = x - w;
      if (x > high) high = x + w;
      rebuild = true;
    }
  }
  if (rebuild) memory = replay(recent, low, high);

  let capWait = state.capWait;
  if (capWait > 0) capWait--;
  else if (state.maxContexts > 0 && memory.seen.length > state.maxContexts) {
    memory = replay(recent, low, high);
    capWait = state.replayPoints; // a replay can itself exceed the cap: no rebuild loop
  }

  const raw = state.ready ? cur : 0;
  const score = state.sinceHigh >= state.restPoints ? raw : 0;
  const sinceHigh = cur >= state.restLevel ? 0 : Math.min(state.sinceHigh + 1, state.restPoints);
  return { state: { ...state, n, lo, hi, ready, low, high, sinceHigh, capWait, memory }, score, raw };
}

/** The raw score `x` would get from `contextStep` now, without learning it: changes nothing. */
export function contextPeek(state: ContextState, x: number | null): number {
  if (x === null || !Number.isFinite(x) || !state.ready) return 0;
  return recall(state.memory, sensorFacts(binOf(x, state.low, state.high)), false);
}

/** The score (rest period applied) `x` would get from `contextStep` now: changes nothing. */
export function contextPeekScore(state: ContextState, x: number | null): number {
  return state.sinceHigh >= state.restPoints ? contextPeek(state, x) : 0;
}

export const contextNovelty: Detector<ContextConfig, ContextState> = {
  kind: 'context',
  init: initContext,
  /** Consumes `state` (mutates its memory): see the top of this file. */
  step(state: ContextState, point: Point): StepResult<ContextState> {
    const r = contextStep(state, point.value);
    return { state: r.state, score: r.score };
  },
  peek: (state, point) => ({ score: contextPeekScore(state, point.value) }),
};

function binOf(x: number, low: number, high: number): number {
  let width = (high - low) / TOP_BIN;
  if (!(width > 0)) width = 1;
  return Math.min(TOP_BIN, Math.max(0, Math.trunc((x - low) / width)));
}

function sensorFacts(bin: number): number[] {
  const facts: number[] = [];
  for (let s = 0; s < NBITS; s++) facts.push(SENSOR + s * 2 + ((bin >> s) & 1));
  return facts;
}

function replay(values: readonly number[], low: number, high: number): ContextMemory {
  const m = emptyMemory();
  for (const x of values) learn(m, sensorFacts(binOf(x, low, high)));
  return m;
}

function learn(m: ContextMemory, sens: number[]): number {
  return recall(m, sens, true);
}

/**
 * One CAD step on `sens`. With `learning` false nothing is written and the result is the score
 * the step would give: every quantity the score uses is read before the step writes it.
 */
function recall(m: ContextMemory, sens: number[], learning: boolean): number {
  const unexpected = sens.some((f) => !m.predicted.includes(f));
  if (!learning && !unexpected) return 0;
  const group = m.group;
  const crossing = crossLefts(m);

  // The context "last step's group → this step" is made (or marked as a whole-step one).
  let fresh = false;
  let newCtx = -1;
  let zeroKey = '';
  if (group.length > 0) {
    zeroKey = group.join(',') + '|' + sens.join(',');
    if (learning) {
      const lid = leftOf(m, group);
      const rid = rightOf(m, sens);
      const cid = findCtx(m, lid, rid);
      if (cid < 0) newCtx = addCtx(m, lid, rid, true);
      else m.zero[cid] = true;
      fresh = newCtx >= 0;
    } else fresh = ctxOfFacts(m, group, sens) < 0;
  }

  // How much of each right semi-context this step's facts match (there are at most 26 rights).
  const rightHits = m.rightFacts.map((rf) => rf.reduce((c, f) => (sens.includes(f) ? c + 1 : c), 0));
  let selected = 0;
  const active: number[] = [];
  const pot: [number[], number[]][] = []; // partial matches that may become new contexts
  const { ids, counts } = crossing;
  for (let i = 0; i < ids.length; i++) {
    const lid = ids[i]!;
    const lc = counts[i]!;
    const lf = m.leftFacts[lid]!;
    const full = lc === lf.length;
    const mayGrow = fresh && lc <= MAX_LEFT;
    if (!full && !mayGrow) continue;
    let leftMatched: number[] | null = null;
    for (const cid of m.leftCtx[lid]!) {
      if (cid === newCtx) continue;
      const rid = m.right[cid]!;
      const rc = rightHits[rid]!;
      const rLen = m.rightFacts[rid]!.length;
      let grow = false;
      if (full) {
        selected++;
        if (learning) m.seen[cid]! += rLen;
        if (rc > 0) {
          if (learning) m.hit[cid]! += rc;
          if (rc === rLen) {
            if (learning) m.act[cid]!++;
            active.push(cid);
          } else grow = mayGrow && m.zero[cid]!;
        }
      } else grow = rc > 0 && m.zero[cid]!;
      if (grow) {
        leftMatched ??= group.filter((f) => lf.includes(f));
        pot.push([leftMatched, sens.filter((f) => m.rightFacts[rid]!.includes(f))]);
      }
    }
  }
  const a1 = selected > 0 ? active.length / selected : 0;

  let a2 = 0;
  if (fresh) {
    const uniq = new Set<string>([zeroKey]);
    let made = 1; // the whole-step context made above
    for (const [l, r] of pot) {
      const key = l.join(',') + '|' + r.join(',');
      if (uniq.has(key)) continue;
      uniq.add(key);
      if (ctxOfFacts(m, l, r) < 0) made++;
    }
    a2 = made / uniq.size;
  }
  if (!learning) return (1 - a1 + a2) / 2;

  active.sort((x, y) => m.act[x]! - m.act[y]! || m.left[x]! - m.left[y]! || m.right[x]! - m.right[y]!);
  const next = sens.concat(active.slice(-MAX_ACTIVE).map((cid) => NEURON + cid)).sort((a, b) => a - b);
  m.group = next;
  for (const [l, r] of pot) {
    const lid = leftOf(m, l);
    const rid = rightOf(m, r);
    if (findCtx(m, lid, rid) < 0) addCtx(m, lid, rid, false);
  }
  m.predicted = predict(m);
  return unexpected ? (1 - a1 + a2) / 2 : 0;
}

/** Facts of the contexts that the group fully matches and that were right most often. */
function predict(m: ContextMemory): number[] {
  const { ids, counts } = crossLefts(m);
  let best = 0;
  let rights = new Set<number>();
  for (let i = 0; i < ids.length; i++) {
    const lid = ids[i]!;
    if (counts[i] !== m.leftFacts[lid]!.length) continue;
    for (const cid of m.leftCtx[lid]!) {
      const seen = m.seen[cid]!;
      const w = seen > 0 ? m.hit[cid]! / seen : 0;
      if (w > best) {
        best = w;
        rights = new Set([m.right[cid]!]);
      } else if (w === best) rights.add(m.right[cid]!);
    }
  }
  const facts = new Set<number>();
  for (const rid of rights) for (const f of m.rightFacts[rid]!) facts.add(f);
  return [...facts].sort((a, b) => a - b);
}

interface Crossing {
  readonly ids: number[]; // lefts sharing at least one fact with the group, ascending
  readonly counts: number[]; // how many facts each shares
}

// The crossing of the group with the lefts is needed at the end of a step (to predict) and at the
// start of the next (to learn); only a step changes either, and it always installs a new group
// array, so a crossing cached against that array is still exact. Not state: a restored state
// just computes it again.
const crossings = new WeakMap<ContextMemory, { group: number[]; crossing: Crossing }>();
let tally = new Int32Array(4096);

function crossLefts(m: ContextMemory): Crossing {
  const cached = crossings.get(m);
  if (cached !== undefined && cached.group === m.group) return cached.crossing;
  if (tally.length < m.leftFacts.length) tally = new Int32Array(Math.max(m.leftFacts.length, tally.length * 2));
  const ids: number[] = [];
  for (const f of m.group) {
    const list = m.leftsOf[f];
    if (list === undefined) continue;
    for (const id of list) {
      if (tally[id] === 0) ids.push(id);
      tally[id]!++;
    }
  }
  ids.sort((a, b) => a - b);
  const counts = ids.map((id) => {
    const c = tally[id]!;
    tally[id] = 0;
    return c;
  });
  const crossing = { ids, counts };
  crossings.set(m, { group: m.group, crossing });
  return crossing;
}

function leftOf(m: ContextMemory, facts: number[]): number {
  const key = facts.join(',');
  let id = m.leftKey[key];
  if (id === undefined) {
    id = m.leftFacts.length;
    m.leftKey[key] = id;
    m.leftFacts.push(facts.slice());
    m.leftCtx.push([]);
    for (const f of facts) (m.leftsOf[f] ??= []).push(id);
  }
  return id;
}

function rightOf(m: ContextMemory, facts: number[]): number {
  const key = facts.join(',');
  let id = m.rightKey[key];
  if (id === undefined) {
    id = m.rightFacts.length;
    m.rightKey[key] = id;
    m.rightFacts.push(facts.slice());
  }
  return id;
}

function findCtx(m: ContextMemory, lid: number, rid: number): number {
  for (const cid of m.leftCtx[lid]!) if (m.right[cid] === rid) return cid;
  return -1;
}

function ctxOfFacts(m: ContextMemory, l: number[], r: number[]): number {
  const lid = m.leftKey[l.join(',')];
  const rid = m.rightKey[r.join(',')];
  return lid === undefined || rid === undefined ? -1 : findCtx(m, lid, rid);
}

function addCtx(m: ContextMemory, lid: number, rid: number, zero: boolean): number {
  const cid = m.seen.length;
  m.seen.push(0);
  m.hit.push(0);
  m.act.push(0);
  m.zero.push(zero);
  m.left.push(lid);
  m.right.push(rid);
  m.leftCtx[lid]!.push(cid);
  return cid;
}
