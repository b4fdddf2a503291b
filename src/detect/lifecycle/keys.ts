import { createHash } from 'node:crypto';
import type { Labels } from './types.js';

function sortedEntries(labels: Labels): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Canonical `k=v,k2=v2` with sorted keys ('' for {}): the same labels always give the same key. */
export function seriesKeyOf(labels: Labels): string {
  return sortedEntries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Book key of a series: unique across rules. */
export function seriesIdOf(ruleId: string, seriesKey: string): string {
  return `${ruleId}|${seriesKey}`;
}

/**
 * Stable short hash of rule id + group labels. JSON of sorted entries (not `k=v` text) so a
 * value containing `,` or `=` cannot collide with another label set.
 */
export function fingerprintOf(ruleId: string, labels: Labels): string {
  return createHash('sha1').update(JSON.stringify([ruleId, sortedEntries(labels)])).digest('hex').slice(0, 12);
}

/** The labels that define one card: only the `groupBy` dimensions (absent ones stay absent). */
export function groupLabelsOf(labels: Labels, groupBy: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const key of groupBy) {
    const value = labels[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
