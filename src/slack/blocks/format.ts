import { isValidTimeZone } from '../../config/index.js';

/** Numbers, durations and times as the screens show them. Pure: `now` and the zone are passed in. */

/** A point in time as data arrives: a Date, an ISO string or epoch milliseconds. */
export type Instant = Date | string | number;

export const toDate = (t: Instant): Date => (t instanceof Date ? t : new Date(t));
export const isValidDate = (d: Date) => !Number.isNaN(d.getTime());

export const formatCount = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'unknown');

/** "12 s", "5 min", "3 h 5 min", "2 d 4 h": two units at most, for people not machines. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 1) return seconds === 0 ? '0 s' : `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const min = Math.floor(seconds / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "5 min ago" / "in 25 min" / "just now", relative to `now`. */
export function formatRelative(t: Date, now: Date): string {
  const sec = (t.getTime() - now.getTime()) / 1000;
  if (Math.abs(sec) < 60) return 'just now';
  return sec < 0 ? `${formatDuration(-sec).split(' ').slice(0, 2).join(' ')} ago` : `in ${formatDuration(sec).split(' ').slice(0, 2).join(' ')}`;
}

/** A zone Intl accepts, or UTC (an unknown zone must not break a screen; the footer says which zone). */
export function safeZone(timeZone: string): string {
  return isValidTimeZone(timeZone) ? timeZone : 'UTC';
}

const dayKey = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/** "today at 09:30", "yesterday at 18:05", "Sat, Nov 21 at 09:30" in `timeZone`. */
export function formatWhen(t: Date, now: Date, timeZone: string): string {
  if (!isValidDate(t)) return 'at an unknown time';
  const time = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
  const day = dayKey(t, timeZone);
  if (day === dayKey(now, timeZone)) return `today at ${time}`;
  if (day === dayKey(new Date(now.getTime() - 86_400_000), timeZone)) return `yesterday at ${time}`;
  if (day === dayKey(new Date(now.getTime() + 86_400_000), timeZone)) return `tomorrow at ${time}`;
  const date = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(t);
  return `${date} at ${time}`;
}
