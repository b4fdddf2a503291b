import type { AlertBook, Labels, LifecycleRule, Silence } from './types.js';

/** Active at `nowMs`: `[startsAt, endsAt)`. */
export function silenceActive(silence: Silence, nowMs: number): boolean {
  return silence.startsAt <= nowMs && nowMs < silence.endsAt;
}

/** Active, and every matcher equal to the label of the same name (an absent label never matches). */
export function silenceMatches(silence: Silence, labels: Labels, nowMs: number): boolean {
  if (!silenceActive(silence, nowMs)) return false;
  return Object.entries(silence.matchers).every(([k, v]) => labels[k] === v);
}

/** What a silence matches against: the series labels plus `rule`, `metric` and `severity` (these win over a dimension of the same name). */
export function matchLabelsOf(rule: LifecycleRule, labels: Labels): Labels {
  return { ...labels, rule: rule.id, metric: rule.metric, severity: rule.severity };
}

export function activeSilences(book: AlertBook, nowMs: number): Silence[] {
  return book.silences.filter((s) => silenceActive(s, nowMs));
}

/**
 * The silence that covers every one of `labelSets` at `nowMs` (the one ending last when several do,
 * the newest of those: the card shows who silenced it last), else undefined. An empty list is
 * never covered: a group with no firing member has nothing to hold back.
 */
export function coveringSilence(silences: readonly Silence[], labelSets: readonly Labels[], nowMs: number): Silence | undefined {
  if (labelSets.length === 0) return undefined;
  let best: Silence | undefined;
  for (const s of silences) {
    if (!labelSets.every((labels) => silenceMatches(s, labels, nowMs))) continue;
    if (!best || s.endsAt >= best.endsAt) best = s;
  }
  return best;
}
