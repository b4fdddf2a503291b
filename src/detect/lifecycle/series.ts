import {
  ENTER_SCORE,
  EXIT_SCORE,
  FLAP_FLIPS,
  FLAP_MIN_QUIET_MS,
  FLAP_WINDOW_MS,
  type LifecycleRule,
  type Observation,
  type SeriesPoint,
  type SeriesState,
} from './types.js';

/** What one observation did to its series: the group bookkeeping follows from it. */
export type SeriesEvent = 'fired' | 'resolved' | null;

export interface SeriesStep {
  readonly state: SeriesState;
  readonly event: SeriesEvent;
  /** The point as stored (`state.last`). */
  readonly point: SeriesPoint;
}

function pointOf(obs: Observation): SeriesPoint {
  return {
    t: obs.t,
    value: obs.value,
    score: obs.score,
    ...(obs.expected ? { expected: obs.expected } : {}),
    ...(obs.provisional ? { provisional: true } : {}),
  };
}

function higher(a: SeriesPoint | null, b: SeriesPoint): SeriesPoint {
  return a !== null && a.score >= b.score ? a : b;
}

/** Quiet time a firing series needs before it resolves. */
export function quietNeededMs(rule: LifecycleRule, flapping: boolean): number {
  return flapping ? Math.max(rule.resolveAfterMs * 3, FLAP_MIN_QUIET_MS) : rule.resolveAfterMs;
}

/**
 * One observation through one series' state machine (ok → pending → firing → ok), or null when
 * it is ignored: older than the last one seen, or a provisional reading of a minute already final.
 *
 * Every step is idempotent for a repeated minute (`anomalousSince`/`quietSince` keep the first t,
 * `peak` is a max, flips are recorded only on a phase change), so re-reading the open minute or
 * replaying after a restart never counts twice. A provisional point may start or escalate
 * (ok → pending → firing) but never de-escalates: it does not send pending back to ok, and does not
 * start, reset or complete a firing series' quiet run; the final reading of the minute decides.
 */
export function stepSeries(prev: SeriesState | undefined, obs: Observation, rule: LifecycleRule): SeriesStep | null {
  if (prev) {
    if (obs.t < prev.lastT) return null;
    if (obs.t === prev.lastT && obs.provisional && prev.last !== null && !prev.last.provisional) return null;
  }
  const point = pointOf(obs);
  const anomalous = obs.score >= ENTER_SCORE;
  const final = !obs.provisional;
  const s: SeriesState = prev ?? {
    ruleId: obs.ruleId,
    seriesKey: obs.seriesKey,
    labels: obs.labels,
    phase: 'ok',
    anomalousSince: null,
    quietSince: null,
    lastT: obs.t,
    last: null,
    peak: null,
    flips: [],
    flapping: false,
    groupId: null,
  };
  const flips = s.flips.filter((f) => f > obs.t - FLAP_WINDOW_MS);
  const base: SeriesState = { ...s, labels: obs.labels, lastT: obs.t, last: point, flips };
  const ok: SeriesState = { ...base, phase: 'ok', anomalousSince: null, quietSince: null, peak: null, flapping: false };

  const escalate = (since: number, peak: SeriesPoint): SeriesStep => {
    if (obs.t - since < rule.forMs) return { state: { ...base, phase: 'pending', anomalousSince: since, peak }, event: null, point };
    const fired = [...flips, obs.t];
    const state: SeriesState = {
      ...base,
      phase: 'firing',
      anomalousSince: since,
      quietSince: null,
      peak,
      flips: fired,
      flapping: fired.length >= FLAP_FLIPS,
    };
    return { state, event: 'fired', point };
  };

  switch (s.phase) {
    case 'ok':
      return anomalous ? escalate(obs.t, point) : { state: ok, event: null, point };
    case 'pending':
      if (anomalous) return escalate(s.anomalousSince ?? obs.t, higher(s.peak, point));
      return final ? { state: ok, event: null, point } : { state: base, event: null, point };
    case 'firing': {
      const peak = higher(s.peak, point);
      if (!final) return { state: { ...base, peak }, event: null, point };
      // Between EXIT and ENTER is still "out of band": it keeps the series firing and restarts the quiet run (hysteresis).
      if (obs.score >= EXIT_SCORE) return { state: { ...base, peak, quietSince: null }, event: null, point };
      const quietSince = s.quietSince ?? obs.t;
      if (obs.t - quietSince >= quietNeededMs(rule, s.flapping)) {
        return { state: { ...ok, flips: [...flips, obs.t] }, event: 'resolved', point };
      }
      return { state: { ...base, peak, quietSince }, event: null, point };
    }
  }
}
