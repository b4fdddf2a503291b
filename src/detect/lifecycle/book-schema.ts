import { z } from 'zod';
import type { AlertBook } from './types.js';

/**
 * A persisted AlertBook (JSON from the store), checked before the engine restores it at start:
 * a corrupt row must be refused with a clear message, not half-restored into duplicate alerts.
 * Beyond shapes it checks what the reducer relies on: map keys equal to the ids inside, one open
 * group per fingerprint, series pointing at groups that exist.
 */

const time = z.number().finite();
const labels = z.record(z.string(), z.string());
const expected = z.object({ lower: z.number(), upper: z.number(), center: z.number() });
const point = z.object({
  t: time,
  value: z.number().nullable(),
  score: z.number().min(0).max(1),
  expected: expected.optional(),
  provisional: z.boolean().optional(),
});

const seriesState = z.object({
  ruleId: z.string().min(1),
  seriesKey: z.string(),
  labels,
  phase: z.enum(['ok', 'pending', 'firing']),
  anomalousSince: time.nullable(),
  quietSince: time.nullable(),
  lastT: time,
  last: point.nullable(),
  peak: point.nullable(),
  flips: z.array(time),
  flapping: z.boolean(),
  groupId: z.string().nullable(),
});

const member = z.object({
  seriesKey: z.string(),
  labels,
  phase: z.enum(['ok', 'pending', 'firing', 'resolved']),
  since: time,
  last: point.nullable(),
  peak: point.nullable(),
});

const group = z.object({
  id: z.string().min(1),
  fingerprint: z.string().min(1),
  ruleId: z.string().min(1),
  labels,
  status: z.enum(['firing', 'resolved']),
  openedAt: time,
  resolvedAt: time.nullable(),
  since: time,
  members: z.record(z.string(), member),
  ack: z.object({ by: z.string().min(1), at: time }).nullable(),
  suppressed: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('silence'), silenceId: z.string().min(1) }),
      z.object({ kind: z.literal('maintenance'), reason: z.string() }),
    ])
    .nullable(),
  message: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).nullable(),
  lastNotifiedAt: time.nullable(),
  reopened: z.number().int().nonnegative(),
});

const silence = z.object({
  id: z.string().min(1),
  matchers: labels,
  startsAt: time,
  endsAt: time,
  createdBy: z.string().min(1),
  reason: z.string(),
});

export const bookSchema = z
  .object({
    version: z.literal(1),
    series: z.record(z.string(), seriesState),
    groups: z.record(z.string(), group),
    silences: z.array(silence),
  })
  .superRefine((book, ctx) => {
    const problem = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    for (const [key, s] of Object.entries(book.series)) {
      if (key !== `${s.ruleId}|${s.seriesKey}`) problem(['series', key], `key should be "${s.ruleId}|${s.seriesKey}"`);
      if (s.groupId !== null && !book.groups[s.groupId]) problem(['series', key, 'groupId'], `group "${s.groupId}" is not in the book`);
      if (s.phase !== 'ok' && s.anomalousSince === null) problem(['series', key, 'anomalousSince'], `a ${s.phase} series needs the start of its run`);
    }
    const openByFingerprint = new Map<string, string>();
    for (const [key, g] of Object.entries(book.groups)) {
      if (key !== g.id) problem(['groups', key], `key should be the group's id "${g.id}"`);
      if ((g.status === 'resolved') !== (g.resolvedAt !== null)) problem(['groups', key, 'resolvedAt'], `a ${g.status} group ${g.status === 'resolved' ? 'needs' : 'cannot have'} resolvedAt`);
      if (g.status === 'firing') {
        const other = openByFingerprint.get(g.fingerprint);
        if (other !== undefined) problem(['groups', key], `second open group for fingerprint ${g.fingerprint} (also "${other}")`);
        openByFingerprint.set(g.fingerprint, key);
      }
      for (const [mk, m] of Object.entries(g.members)) if (mk !== m.seriesKey) problem(['groups', key, 'members', mk], `key should be "${m.seriesKey}"`);
    }
  });

/** The book restored from `raw` (parsed JSON or its text), or every problem found, one a line. */
export function parseBook(raw: unknown): { ok: true; book: AlertBook } | { ok: false; problem: string } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return { ok: false, problem: `the alert book is not JSON: ${(err as Error).message}` };
    }
  }
  const parsed = bookSchema.safeParse(value);
  if (parsed.success) return { ok: true, book: parsed.data };
  const lines = parsed.error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(book)'}: ${i.message}`);
  return { ok: false, problem: `the alert book is corrupt:\n${lines.join('\n')}` };
}

