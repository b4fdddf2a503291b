import type { Maintenance } from '../rules/schema.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Weekday = (typeof WEEKDAYS)[number];

// Building an Intl formatter costs far more than formatting with one; rules reuse a handful of zones.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  return f;
}

/** Wall-clock weekday and minute of day at `nowMs` in `tz`. */
function localClock(nowMs: number, tz: string): { day: Weekday; minute: number } {
  let weekday = '';
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(tz).formatToParts(nowMs)) {
    if (part.type === 'weekday') weekday = part.value.slice(0, 3).toLowerCase();
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  const day = WEEKDAYS.find((d) => d === weekday) ?? 'sun';
  return { day, minute: hour * 60 + minute };
}

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!;
}

/**
 * The reason of the first maintenance window `nowMs` falls in, else undefined.
 * - Fixed windows are `[from, to)`.
 * - Recurring windows are read on the wall clock of their IANA `tz` (so they follow DST):
 *   `[start, end)` on each of `days` (every day when omitted). An `end` at or before `start`
 *   crosses midnight: the window starts on a listed day and ends on the next day
 *   (`start == end` is a whole 24 h).
 */
export function inMaintenance(windows: readonly Maintenance[], nowMs: number): string | undefined {
  for (const w of windows) {
    if ('from' in w) {
      if (Date.parse(w.from) <= nowMs && nowMs < Date.parse(w.to)) return w.reason;
      continue;
    }
    const { day, minute } = localClock(nowMs, w.tz);
    const start = clockMinutes(w.start);
    const end = clockMinutes(w.end);
    const on = (d: Weekday): boolean => w.days === undefined || w.days.includes(d);
    if (start < end) {
      if (on(day) && start <= minute && minute < end) return w.reason;
    } else {
      // Crosses midnight: the evening part belongs to today, the morning part to the window that started yesterday.
      // With start == end the two parts join into a whole 24 h.
      if (on(day) && minute >= start) return w.reason;
      if (on(previousDay(day)) && minute < end) return w.reason;
    }
  }
  return undefined;
}
