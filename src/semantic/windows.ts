import { ROLLUPS, type RollupLevel } from '../store/index.js';

/**
 * Which rollup rows answer a time window. A window is covered by the coarsest rollups whose
 * buckets fit entirely inside it, with finer ones at the ragged edges: [09:17, 3 days later
 * 14:05) reads minutes to 10:00, hours to midnight, days, hours, then minutes. Minute is the
 * finest grain stored, so edges round outward to whole minutes (the current, partial minute
 * is included: nothing later than now exists yet).
 */
export interface Segment {
  level: RollupLevel;
  fromMs: number;
  toMs: number;
}

const LEVEL_ORDER: RollupLevel[] = ['minute', 'hour', 'day'];
const MINUTE = 60_000;

export function coverWindow(fromMs: number, toMs: number, maxLevel: RollupLevel): Segment[] {
  const from = Math.floor(fromMs / MINUTE) * MINUTE;
  const to = Math.ceil(toMs / MINUTE) * MINUTE;
  if (to <= from) return [];
  return cover(from, to, LEVEL_ORDER.indexOf(maxLevel));
}

function cover(from: number, to: number, levelIndex: number): Segment[] {
  if (from >= to) return [];
  const rollup = ROLLUPS[levelIndex]!;
  const size = rollup.seconds * 1000;
  if (levelIndex === 0) return [{ level: rollup.level, fromMs: from, toMs: to }];
  const start = Math.ceil(from / size) * size;
  const end = Math.floor(to / size) * size;
  if (start >= end) return cover(from, to, levelIndex - 1);
  return [...cover(from, start, levelIndex - 1), { level: rollup.level, fromMs: start, toMs: end }, ...cover(end, to, levelIndex - 1)];
}

/** Intl formatters are costly to build (~0.1 ms): one per zone. */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Offset of a zone from UTC at an instant, in minutes (Intl; no I/O). */
export function tzOffsetMinutes(tz: string, atMs: number): number {
  let format = FORMATS.get(tz);
  if (!format) FORMATS.set(tz, (format = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  })));
  const parts = format.formatToParts(new Date(atMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((asUtc - Math.floor(atMs / MINUTE) * MINUTE) / MINUTE);
}

/**
 * The coarsest rollup whose buckets can be regrouped exactly into the plan's buckets: UTC
 * days serve day/week/month only in UTC; hours serve any zone on a whole-hour offset.
 */
export function maxRollupLevel(grain: string | null, tz: string, instantsMs: readonly number[]): RollupLevel {
  if (grain === 'minute') return 'minute';
  if (grain === null) return 'day';
  const wholeHours = wholeHourOffsets(tz, instantsMs);
  if (grain === 'hour') return wholeHours ? 'hour' : 'minute';
  if (tz === 'UTC' || tz === 'Etc/UTC') return 'day';
  return wholeHours ? 'hour' : 'minute';
}

/**
 * Whether the zone's offset is a whole number of hours at every instant from the earliest to
 * the latest given: offsets change at most a few times a year and then hold for weeks, so
 * sampling every 12 h finds a stretch like Lord Howe's +10:30 winter between +11:00 edges.
 */
function wholeHourOffsets(tz: string, instantsMs: readonly number[]): boolean {
  if (!instantsMs.every((ms) => tzOffsetMinutes(tz, ms) % 60 === 0)) return false;
  const lo = Math.min(...instantsMs);
  const hi = Math.max(...instantsMs);
  for (let t = lo; t < hi; t += 12 * 3_600_000) if (tzOffsetMinutes(tz, t) % 60 !== 0) return false;
  return true;
}
