import { tzOffsetMinutes, type Compare, type Grain } from '../semantic/index.js';

/**
 * Time words → [from, to) instants in a zone, with the zone's real daylight-saving rules
 * (Intl, no tz database of our own). Pure: `now` is always passed in. The table of words and
 * the comparison rules are eval/questions/README.md; where it is silent the choice is noted.
 *
 * Calendar arithmetic happens on "wall" milliseconds (the zone's local clock read as if it
 * were UTC), so Date.UTC does day/month arithmetic for us; wallToUtc maps back.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What kind of range it is decides how `previous_period` moves it back (README). */
export type RangeKind = 'day' | 'week' | 'month' | 'year' | 'rolling';

export interface TimeRange {
  fromMs: number;
  toMs: number;
  kind: RangeKind;
  /** Plain words for answers: "yesterday", "the last 7 days". */
  label: string;
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;

/** UTC instant → the zone's wall clock, as milliseconds on a UTC-read timeline. */
export function utcToWall(ms: number, tz: string): number {
  return ms + tzOffsetMinutes(tz, ms) * MINUTE_MS;
}

/**
 * Wall clock → UTC instant. Disambiguation as Temporal's 'compatible' (and JS Date): a wall
 * time repeated at a fall-back takes the earlier instant; one skipped by a spring-forward
 * gap is pushed forward by the gap's length (so a midnight that does not exist becomes the
 * first instant of the day).
 */
export function wallToUtc(wall: number, tz: string): number {
  // Offsets a day and a half either side: at most one transition lies between (zones change
  // at most a few times a year).
  const before = tzOffsetMinutes(tz, wall - 36 * HOUR_MS) * MINUTE_MS;
  const after = tzOffsetMinutes(tz, wall + 36 * HOUR_MS) * MINUTE_MS;
  const valid = (u: number) => utcToWall(u, tz) === wall;
  const a = wall - before;
  const b = wall - after;
  const okA = valid(a);
  const okB = valid(b);
  if (okA && okB) return Math.min(a, b);
  if (okA) return a;
  if (okB) return b;
  // In a gap: the earlier offset reads the wall time as "that long after the transition".
  return wall - Math.min(before, after);
}

interface YMD {
  y: number;
  m: number; // 0-11
  d: number;
}

const ymdOfWall = (wall: number): YMD => {
  const dt = new Date(wall);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth(), d: dt.getUTCDate() };
};
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
/** Local midnight of a calendar day (Date.UTC normalises overflowing days and months). */
const midnight = (y: number, m: number, d: number, tz: string) => wallToUtc(Date.UTC(y, m, d), tz);

/** Moves an instant by whole calendar days on the zone's wall clock (same clock time). */
export function shiftDays(ms: number, days: number, tz: string): number {
  return wallToUtc(utcToWall(ms, tz) + days * DAY_MS, tz);
}

/**
 * Moves an instant by calendar months on the wall clock; a day the target month lacks is
 * clamped to its last day (README: Mar 31 → Feb 28). Years are 12 months, so Feb 29 → Feb 28.
 */
export function shiftMonths(ms: number, months: number, tz: string): number {
  const wall = utcToWall(ms, tz);
  const dt = new Date(wall);
  const timeOfDay = wall - Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth(), dt.getUTCDate());
  const target = new Date(Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth() + months, 1));
  const y = target.getUTCFullYear();
  const m = target.getUTCMonth();
  const d = Math.min(dt.getUTCDate(), daysInMonth(y, m));
  return wallToUtc(Date.UTC(y, m, d) + timeOfDay, tz);
}

export function startOfDay(ms: number, tz: string): number {
  const { y, m, d } = ymdOfWall(utcToWall(ms, tz));
  return midnight(y, m, d, tz);
}

/** Day of week on the zone's calendar, 0 = Sunday. */
export function weekdayOf(ms: number, tz: string): number {
  return new Date(utcToWall(ms, tz)).getUTCDay();
}

/** Monday 00:00 of the week holding `ms` (README: weeks start on Monday). */
export function startOfWeek(ms: number, tz: string): number {
  const { y, m, d } = ymdOfWall(utcToWall(ms, tz));
  const back = (weekdayOf(ms, tz) + 6) % 7;
  return midnight(y, m, d - back, tz);
}

// ---------------------------------------------------------------------------------------
// Named ranges (the README table)

export function today(now: number, tz: string): TimeRange {
  return { fromMs: startOfDay(now, tz), toMs: now, kind: 'day', label: 'today' };
}

export function yesterday(now: number, tz: string): TimeRange {
  const start = startOfDay(now, tz);
  const { y, m, d } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, m, d - 1, tz), toMs: start, kind: 'day', label: 'yesterday' };
}

export function sinceYesterday(now: number, tz: string): TimeRange {
  return { fromMs: yesterday(now, tz).fromMs, toMs: now, kind: 'day', label: 'since yesterday' };
}

export function thisWeek(now: number, tz: string): TimeRange {
  return { fromMs: startOfWeek(now, tz), toMs: now, kind: 'week', label: 'this week' };
}

export function lastWeek(now: number, tz: string): TimeRange {
  const start = startOfWeek(now, tz);
  return { fromMs: shiftDays(start, -7, tz), toMs: start, kind: 'week', label: 'last week' };
}

export function thisMonth(now: number, tz: string): TimeRange {
  const { y, m } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, m, 1, tz), toMs: now, kind: 'month', label: 'this month' };
}

export function lastMonth(now: number, tz: string): TimeRange {
  const { y, m } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, m - 1, 1, tz), toMs: midnight(y, m, 1, tz), kind: 'month', label: 'last month' };
}

export function thisYear(now: number, tz: string): TimeRange {
  const { y } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, 0, 1, tz), toMs: now, kind: 'year', label: 'this year' };
}

/** README is silent on "last year" as the asked range: the whole previous calendar year. */
export function lastYear(now: number, tz: string): TimeRange {
  const { y } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y - 1, 0, 1, tz), toMs: midnight(y, 0, 1, tz), kind: 'year', label: 'last year' };
}

export type RollingUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/**
 * "last N hours/days/weeks": now − N × unit in absolute time (README: days are 24 h, weeks
 * 7 × 24 h). README is silent on months and years: we take calendar months/years back on
 * the wall clock ("past month" on Mar 31 starts Feb 28), still a rolling range.
 */
export function rolling(now: number, n: number, unit: RollingUnit, tz: string): TimeRange {
  const label = n === 1 ? `the last ${unit}` : `the last ${n} ${unit}s`;
  if (unit === 'month' || unit === 'year') {
    return { fromMs: shiftMonths(now, -n * (unit === 'year' ? 12 : 1), tz), toMs: now, kind: 'rolling', label };
  }
  const size = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS }[unit];
  return { fromMs: now - n * size, toMs: now, kind: 'rolling', label };
}

/** "since Monday": that weekday's 00:00, the latest one at or before now (today if today). */
export function sinceWeekday(now: number, weekday: number, tz: string): TimeRange {
  const back = (weekdayOf(now, tz) - weekday + 7) % 7;
  const { y, m, d } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, m, d - back, tz), toMs: now, kind: 'day', label: `since ${cap(WEEKDAYS[weekday]!)}` };
}

/**
 * "on Monday" / "last Monday" (README silent): the latest such day at or before today for
 * "on", strictly before today for "last"; the whole day.
 */
export function onWeekday(now: number, weekday: number, tz: string, strictlyBefore: boolean): TimeRange {
  let back = (weekdayOf(now, tz) - weekday + 7) % 7;
  if (back === 0 && strictlyBefore) back = 7;
  const { y, m, d } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, m, d - back, tz), toMs: midnight(y, m, d - back + 1, tz), kind: 'day', label: `on ${cap(WEEKDAYS[weekday]!)}` };
}

/** "N days ago" (README silent): that whole calendar day. */
export function daysAgo(now: number, n: number, tz: string): TimeRange {
  const { y, m, d } = ymdOfWall(utcToWall(now, tz));
  return { fromMs: midnight(y, m, d - n, tz), toMs: midnight(y, m, d - n + 1, tz), kind: 'day', label: `${n} days ago` };
}

/**
 * "on Nov 3", "on 3 November", "on 2026-11-03": that day 00:00 → next day 00:00. Without a
 * year (README silent) the latest such date at or before today: "Dec 24" asked in March is
 * last December's. Returns undefined for a date that does not exist (Feb 30).
 */
export function onDate(now: number, month: number, day: number, year: number | undefined, tz: string): TimeRange | undefined {
  const cur = ymdOfWall(utcToWall(now, tz));
  let y = year ?? cur.y;
  if (year === undefined && (month > cur.m || (month === cur.m && day > cur.d))) y -= 1;
  if (day < 1 || day > daysInMonth(y, month)) return undefined;
  const label = `on ${MONTHS[month]!.slice(0, 3).replace(/^./, (c) => c.toUpperCase())} ${day}${year !== undefined && year !== cur.y ? `, ${year}` : ''}`;
  return { fromMs: midnight(y, month, day, tz), toMs: midnight(y, month, day + 1, tz), kind: 'day', label };
}

/** "since Nov 3" (README silent): that day 00:00 → now, a day-boundary range. */
export function sinceDate(now: number, month: number, day: number, year: number | undefined, tz: string): TimeRange | undefined {
  const on = onDate(now, month, day, year, tz);
  if (!on || on.fromMs >= now) return undefined;
  return { fromMs: on.fromMs, toMs: now, kind: 'day', label: `since ${on.label.slice(3)}` };
}

/**
 * "in October" (README silent): the whole month; the current month runs to now (like
 * "this month"); a month later in the year than now is last year's.
 */
export function inMonth(now: number, month: number, year: number | undefined, tz: string): TimeRange {
  const cur = ymdOfWall(utcToWall(now, tz));
  const y = year ?? (month > cur.m ? cur.y - 1 : cur.y);
  const fromMs = midnight(y, month, 1, tz);
  const end = midnight(y, month + 1, 1, tz);
  return { fromMs, toMs: Math.min(end, Math.max(now, fromMs + 1)), kind: 'month', label: `in ${cap(MONTHS[month]!)}${year !== undefined ? ` ${year}` : ''}` };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------
// Comparisons

export interface Window {
  fromMs: number;
  toMs: number;
}

/** Calendar days a day-boundary range touches: [Tue 00:00, Fri 14:00) touches 4. */
function daysTouched(range: TimeRange, tz: string): number {
  const first = ymdOfWall(utcToWall(range.fromMs, tz));
  const last = ymdOfWall(utcToWall(range.toMs - 1, tz));
  return Math.round((Date.UTC(last.y, last.m, last.d) - Date.UTC(first.y, first.m, first.d)) / DAY_MS) + 1;
}

/** The baseline window of a comparison (README "Comparison words"), on the wall clock of tz. */
export function compareWindow(range: TimeRange, compare: Compare, tz: string): Window {
  const both = (f: (ms: number) => number): Window => ({ fromMs: f(range.fromMs), toMs: f(range.toMs) });
  switch (compare) {
    case 'same_period_last_week':
      return both((ms) => shiftDays(ms, -7, tz));
    case 'same_period_last_year':
      return both((ms) => shiftMonths(ms, -12, tz));
    case 'previous_period':
      switch (range.kind) {
        case 'day': {
          const n = daysTouched(range, tz);
          return both((ms) => shiftDays(ms, -n, tz));
        }
        case 'week':
          return both((ms) => shiftDays(ms, -7, tz));
        case 'month':
          return both((ms) => shiftMonths(ms, -1, tz));
        case 'year':
          return both((ms) => shiftMonths(ms, -12, tz));
        case 'rolling': {
          const len = range.toMs - range.fromMs;
          return { fromMs: range.fromMs - len, toMs: range.fromMs };
        }
      }
  }
}

// ---------------------------------------------------------------------------------------
// Grains

/** README: "trend", "over time", "chart" with no unit → hour ≤ 2 days, day ≤ 92 days, else week. */
export function defaultGrain(range: Window): Grain {
  const len = range.toMs - range.fromMs;
  if (len <= 2 * DAY_MS) return 'hour';
  if (len <= 92 * DAY_MS) return 'day';
  return 'week';
}

/** ISO-8601 UTC with seconds ("2026-11-21T00:00:00Z"); milliseconds only when present. */
export function isoUtc(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, 19)}Z` : s;
}
