import { z } from 'zod';
import { timeZoneSchema } from '../../config/index.js';

/**
 * rules/alerts/*.yaml: what to watch and whom to tell. The schema is the contract; the
 * loader (load.ts) adds the checks that need the catalog and tools/ (metric ids, dimensions,
 * tool ids, template labels) and reports every problem with file:line.
 */

/** "90s", "5m", "2h", "1d" → ms. "0" / "0s" is allowed where a zero makes sense (`for`). */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit]!;
  return Math.round(n * factor);
}

const duration = z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v * 1000 : parseDurationMs(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a duration: write e.g. 0s, 90s, 5m, 2h or 1d` });
    return z.NEVER;
  }
  return ms;
});

const id = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'use lower-case letters, digits, _ and - (start with a letter)');

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DETECTOR_KINDS = ['combined', 'static_threshold', 'robust_z', 'seasonal', 'rate_of_change'] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

/** Which way is bad. Omitted: from the metric's direction (up_is_bad → up, up_is_good → down, neutral → both). */
export const ALERT_DIRECTIONS = ['up', 'down', 'both'] as const;
export type AlertDirection = (typeof ALERT_DIRECTIONS)[number];

const detectorSchema = z.strictObject({
  kind: z.enum(DETECTOR_KINDS).default('combined'),
  /** 0 (only the wildest outliers) .. 1 (jumpy). */
  sensitivity: z.number().min(0).max(1).default(0.5),
  /** static_threshold: alert when the value is above / below these (at least one). */
  above: z.number().optional(),
  below: z.number().optional(),
});

const splitSchema = z.strictObject({
  /** Dimensions of the metric: one series per combination of their values. */
  by: z.array(z.string().min(1)).min(1).max(3),
  /** Series beyond this many (by volume, largest first) are not watched. */
  max_series: z.number().int().min(1).max(2000).default(100),
  /**
   * Series averaging fewer events a minute (the formula's last measure) over the history read
   * are not tracked. Proportions also need their counts to back an alert (engine/evidence.ts).
   */
  min_volume: z.number().nonnegative().default(0),
});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write a time of day as HH:MM (24 h)');
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 instant such as 2026-12-01T02:00:00Z');

/** Alerts of the rule are evaluated but not notified inside a window (planned work). */
export const maintenanceSchema = z.union([
  z.strictObject({ from: instant, to: instant, reason: z.string().min(1) }),
  z.strictObject({
    /** Days it recurs on; omitted = every day. */
    days: z.array(weekday).min(1).optional(),
    start: clock,
    end: clock,
    tz: timeZoneSchema.default('UTC'),
    reason: z.string().min(1),
  }),
]);
export type Maintenance = z.output<typeof maintenanceSchema>;

/** A suggested next-best action: a tool of tools/ with parameters filled from the alert's labels (`{{payment_gateway}}`). */
const actionSchema = z.strictObject({
  tool: id,
  params: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Ranks suggestions when more than three apply: higher first. @default 0 */
  priority: z.number().default(0),
  /** Only offered when the alert's labels match all of these (e.g. `{ region: EU }`). */
  when: z.record(z.string().min(1), z.string().min(1)).optional(),
});

export const alertRuleSchema = z.strictObject({
  id,
  /** Card headline, may use `{{label}}` templates: "Checkout errors up on {{payment_gateway}}". */
  title: z.string().min(1).max(150),
  metric: z.string().min(1),
  /** Watch only part of the data, e.g. `{ region: [EU] }`. */
  filters: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  split: splitSchema.optional(),
  /** Series of one card: the `split.by` dimensions whose values must be equal. [] = one card per rule. */
  group_by: z.array(z.string().min(1)).default([]),
  /**
   * Each point is the metric over this trailing window, stepped every minute: sparse series
   * (a few checkouts a minute per gateway) need 10–15 minutes to show a rate; busy ones 1m.
   */
  window: duration.default(60_000),
  detector: detectorSchema.default({ kind: 'combined', sensitivity: 0.5 }),
  direction: z.enum(ALERT_DIRECTIONS).optional(),
  /**
   * The smallest move worth an alert, as a share of the expected value (`25%`): a series so
   * steady that its band is narrow would otherwise page for a 3% wobble. @default 0%
   */
  min_change: z
    .string({ error: 'write a percentage such as 25%' })
    .regex(/^\d+(\.\d+)?%$/, 'write a percentage such as 25%')
    .transform((s) => Number(s.slice(0, -1)) / 100)
    .default(0),
  /** How long a series must stay anomalous before the alert fires (pending meanwhile). */
  for: duration.default(0),
  /** How long a firing series must stay back inside its band before it resolves (hysteresis). */
  resolve_after: duration.default(5 * 60_000),
  /** While firing and not acknowledged, a reminder in the thread this often. 0 = never. */
  renotify: duration.default(60 * 60_000),
  severity: z.enum(SEVERITIES).default('warning'),
  /** Slack channel id the card goes to. */
  channel: z
    .string({ error: 'a Slack channel id such as C0OPSALERTS (channel → About → Channel ID); in YAML a bare #name is a comment' })
    .regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0OPSALERTS (channel → About → Channel ID)'),
  /** Who the card mentions when it fires: user ids (U…/W…), user groups (S…), or `here` / `channel`. */
  mention: z.array(z.string().regex(/^([UWS][A-Z0-9]{2,}|here|channel)$/, 'a user id (U…), a user group id (S…), here or channel')).default([]),
  actions: z.array(actionSchema).max(10).default([]),
  maintenance: z.array(maintenanceSchema).default([]),
  /** Off switch that keeps the rule in the file. @default true */
  enabled: z.boolean().default(true),
});

export const alertRulesFileSchema = z.strictObject({
  alerts: z.array(alertRuleSchema).min(1),
});

export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertRuleInput = z.input<typeof alertRuleSchema>;
