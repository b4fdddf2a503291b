import { OpsightError } from '../errors.js';

/**
 * Vega formats time either in the process's local zone or in UTC; it has no "format in
 * Europe/Berlin". So the builders shift every instant to its wall-clock time in the asker's
 * zone, write that as if it were UTC, and chart it on a UTC scale: labels then read in the
 * asker's zone whatever zone the server runs in. Each instant gets its own offset, so charts
 * across a DST change stay right (the repeated autumn hour overlaps, the skipped spring hour
 * is a gap, as on a wall clock).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch (err) {
      throw new OpsightError(
        'opsight_chart_failed',
        `chart time zone "${timeZone}" is not an IANA time zone; pass one such as "UTC" or "Europe/Berlin"`,
        { cause: err },
      );
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Checks the zone once up front so a bad zone fails with a clear message even on an empty chart. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** Parses an ISO instant; the charts take UTC strings (`2026-11-21T09:00:00Z`) from the semantic layer. */
export function parseInstant(iso: string, where: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new OpsightError('opsight_chart_failed', `${where}: "${iso}" is not an ISO timestamp such as 2026-11-21T09:00:00Z`);
  }
  return ms;
}

/** The wall-clock time of `ms` in `timeZone`, written as an ISO string in "UTC" (see above). */
export function wallClockIso(ms: number, timeZone: string): string {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, ((ms % 1000) + 1000) % 1000);
  return new Date(wall).toISOString();
}
