import type { Button, KnownBlock, ModalView } from '@slack/types';
import { formatValue } from '../../ask/index.js';
import type { ChangeKind } from '../../detect/lifecycle/types.js';
import type { Direction, Unit } from '../../semantic/index.js';
import { formatDuration, formatRelative, formatWhen, safeZone } from './format.js';
import { actions, button, context, fields, header, image, section } from './kit.js';
import { MAX_FIELD_TEXT } from './limits.js';
import { message, type SlackMessage } from './message.js';
import { escapeMrkdwn, fit, oneLine, user } from './text.js';
import { modal } from './view.js';

/**
 * Ids the alert listeners match on. Suggested-action buttons are `alert_action:0` … `:2`
 * (action_ids must be unique within a block), matched by `ALERT_ACTIONS.action`; their value is
 * JSON `{"alertId":…,"actionId":…}`. Acknowledge and Silence… carry the alert id as their value.
 */
export const ALERT_ACTIONS = {
  acknowledge: 'alert_ack',
  silence: 'alert_silence',
  actionPrefix: 'alert_action:',
  action: /^alert_action:\d+$/,
} as const;

export const SILENCE_MODAL = {
  callbackId: 'alert_silence_modal',
  durationBlockId: 'silence_duration',
  durationActionId: 'duration',
  reasonBlockId: 'silence_reason',
  reasonActionId: 'reason',
} as const;

/** The Silence form's choices (issue 5: 30 min / 2 h / 24 h); the option value is the key. */
export const SILENCE_DURATIONS = {
  '30m': { label: '30 minutes', ms: 30 * 60_000 },
  '2h': { label: '2 hours', ms: 2 * 3_600_000 },
  '24h': { label: '24 hours', ms: 24 * 3_600_000 },
} as const;
export type SilenceChoice = keyof typeof SILENCE_DURATIONS;
export const DEFAULT_SILENCE: SilenceChoice = '2h';
/** A reason is a sentence, not an essay: it is shown on the card and in the thread. */
export const MAX_SILENCE_REASON = 500;

export interface Band {
  lower: number;
  upper: number;
  center: number;
}

export interface AlertSeriesView {
  labels: Record<string, string>;
  value: number | null;
  expected: Band | null;
  phase: 'pending' | 'firing' | 'resolved';
}

/** The card's view model, built by the engine from the alert book and the rule. */
export interface AlertCardInput {
  /** Alert (group) id; the buttons carry it. */
  id: string;
  title: string;
  severity: 'critical' | 'warning' | 'info';
  status: 'firing' | 'resolved';
  metric: { id: string; label: string; unit: Unit; direction: Direction };
  /** Group labels and rule filters; {} = everywhere. */
  where: Record<string, string>;
  /** Latest value of the worst series. */
  value: number | null;
  expected: Band | null;
  /** First anomalous minute. */
  since: Date;
  resolvedAt?: Date;
  /** Members of the card; the top few are listed. */
  series: AlertSeriesView[];
  /** Segments explaining most of the deviation: share in [0, 1] of it, delta in metric units. */
  segments: Array<{ dimension: string; value: string; share: number; delta: number }>;
  /** Ranked next-best actions; the first 3 become buttons. */
  actions: Array<{ id: string; label: string; description: string; style?: 'primary' | 'danger' }>;
  /** false until automations land: the buttons only record the request, and the card says so. */
  actionsAvailable: boolean;
  /** 'U…'/'W…' users, 'S…' user groups, 'here' / 'channel'. */
  mention: string[];
  ack?: { by: string; at: Date };
  silence?: { by: string; until: Date; reason: string };
  /** Why notifications are held back by a maintenance window. */
  maintenance?: string;
  flapping?: boolean;
  reopened?: number;
  now: Date;
  /** Times are shown in this zone (channel cards: the workspace default). */
  timeZone: string;
  /** The rule behind the alert, for the footer and the `/opsight silence` hint. */
  ruleId?: string;
  /** A chart of the expected band and the actual series (a public PNG URL). */
  chart?: { url: string; alt: string };
}

const SEVERITY_EMOJI = { critical: '🔴', warning: '🟠', info: '🔵' } as const;
const SEVERITY_WORD = { critical: 'Critical', warning: 'Warning', info: 'Info' } as const;
const PHASE_EMOJI = { firing: '🔴', pending: '🟡', resolved: '✅' } as const;

const MAX_SERIES_LISTED = 5;
const MAX_SEGMENTS_LISTED = 5;
const MAX_SUGGESTED = 3;
/** One label list or segment line; longer ones are cut so five of them always fit a section. */
const MAX_LINE = 400;

/** Suffixes a band may show once: "0.3–0.6%" rather than "0.3%–0.6%". */
const SHARED_SUFFIX = ['%', ' ms', '×'];

export function formatBand(band: Band, unit: Unit): string {
  const lo = formatValue(band.lower, unit);
  const hi = formatValue(band.upper, unit);
  if (lo === hi) return lo;
  const suffix = SHARED_SUFFIX.find((s) => lo.endsWith(s) && hi.endsWith(s));
  return `${suffix ? lo.slice(0, -suffix.length) : lo}–${hi}`;
}

/** A change in metric units: percentage points for ratios, a signed amount otherwise. */
export function formatDelta(delta: number, unit: Unit): string {
  if (!Number.isFinite(delta)) return 'unknown';
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  if (unit === 'ratio') return `${sign}${Math.abs(delta * 100).toFixed(1)} pp`;
  return `${sign}${formatValue(Math.abs(delta), unit)}`;
}

const outside = (value: number | null, band: Band | null): 'above' | 'below' | undefined =>
  value === null || band === null || !Number.isFinite(value) ? undefined : value > band.upper ? 'above' : value < band.lower ? 'below' : undefined;

/** "4.8% ▲ vs expected 0.3–0.6%", "4.8%" without a band, "no data" without a value. */
export function valueVsExpected(value: number | null, expected: Band | null, unit: Unit): string {
  const v = formatValue(value, unit);
  if (expected === null) return v;
  const side = outside(value, expected);
  return `${v}${side === 'above' ? ' ▲' : side === 'below' ? ' ▼' : ''} vs expected ${formatBand(expected, unit)}`;
}

const labelText = (labels: Readonly<Record<string, string>>, none: string) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? none : entries.map(([k, v]) => `${oneLine(k)}=${oneLine(v)}`).join(' · ');
};

/**
 * Slack's mention syntax for the rule's `mention` list. Anything that is not a user id, a
 * user-group id or here/channel is left out: raw text must never turn into a broadcast.
 */
export function mentionText(mention: readonly string[]): string {
  const out: string[] = [];
  for (const raw of mention) {
    const m = raw.trim().replace(/^[@!]/, '');
    let tag: string | undefined;
    if (/^[UW][A-Z0-9]{2,}$/.test(m)) tag = `<@${m}>`;
    else if (/^S[A-Z0-9]{2,}$/.test(m)) tag = `<!subteam^${m}>`;
    else if (m === 'here' || m === 'channel') tag = `<!${m}>`;
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out.join(' ');
}

const silenced = (a: AlertCardInput) => a.silence !== undefined && a.silence.until.getTime() > a.now.getTime();

/** People are pinged only for a live, unclaimed, unsuppressed alert. */
function mentionable(a: AlertCardInput): boolean {
  return a.status === 'firing' && a.ack === undefined && !silenced(a) && a.maintenance === undefined && mentionText(a.mention) !== '';
}

const quote = (reason: string) => `“${escapeMrkdwn(fit(oneLine(reason), MAX_SILENCE_REASON))}”`;

function resolvedLine(a: AlertCardInput, zone: string): string {
  if (!a.resolvedAt) return '✅ *Resolved*';
  const lasted = formatDuration((a.resolvedAt.getTime() - a.since.getTime()) / 1000);
  return `✅ *Resolved* ${formatWhen(a.resolvedAt, a.now, zone)} after ${lasted}`;
}

/** The status section: state, who claimed or silenced it, holds, flaps; mentions last. */
function statusLines(a: AlertCardInput, zone: string): string[] {
  const lines: string[] = [];
  if (a.status === 'resolved') lines.push(resolvedLine(a, zone));
  else lines.push(`🔥 *Firing* for ${formatDuration((a.now.getTime() - a.since.getTime()) / 1000)}`);
  if (a.ack) lines.push(`👀 Acknowledged by ${user(a.ack.by)} ${formatRelative(a.ack.at, a.now)}`);
  if (a.status === 'firing') {
    if (a.silence && silenced(a)) lines.push(`🔕 Silenced until ${formatWhen(a.silence.until, a.now, zone)} by ${user(a.silence.by)}: ${quote(a.silence.reason)}`);
    if (a.maintenance !== undefined) lines.push(`🛠 Held back by a maintenance window: ${escapeMrkdwn(fit(oneLine(a.maintenance) || 'planned work', MAX_LINE))}`);
    if (a.flapping) lines.push('〰 Flapping: it keeps crossing its band, so it resolves only after a longer quiet spell.');
  }
  if (a.reopened) lines.push(`🔁 Fired again ${a.reopened} time${a.reopened === 1 ? '' : 's'} shortly after resolving.`);
  if (mentionable(a)) lines.push(mentionText(a.mention));
  return lines;
}

function driversSection(a: AlertCardInput): KnownBlock | undefined {
  if (a.segments.length === 0) return undefined;
  const rise = a.value !== null && a.expected !== null && a.value < a.expected.center ? 'drop' : 'rise';
  const sorted = [...a.segments].sort((x, y) => y.share - x.share);
  const lines = sorted.slice(0, MAX_SEGMENTS_LISTED).map((s) => {
    const pct = Math.round(Math.min(1, Math.max(0, Number.isFinite(s.share) ? s.share : 0)) * 100);
    const who = `*${escapeMrkdwn(fit(oneLine(s.value) || '(none)', MAX_LINE / 2))}* (${escapeMrkdwn(fit(oneLine(s.dimension), MAX_LINE / 4))})`;
    return `• ${who} explains ${pct}% of the ${rise} · ${formatDelta(s.delta, a.metric.unit)}`;
  });
  const left = sorted.length - MAX_SEGMENTS_LISTED;
  if (left > 0) lines.push(`_… and ${left} more segment${left === 1 ? '' : 's'}_`);
  return section(`*What explains it*\n${lines.join('\n')}`);
}

/** How far outside its band a series is, relative to the band's width (0 inside). */
function severityOf(s: AlertSeriesView): number {
  if (s.value === null || s.expected === null || !Number.isFinite(s.value)) return 0;
  const { lower, upper, center } = s.expected;
  const width = Math.max(upper - lower, Math.abs(center) * 0.01, 1e-12);
  return s.value > upper ? (s.value - upper) / width : s.value < lower ? (lower - s.value) / width : 0;
}

const PHASE_ORDER = { firing: 0, pending: 1, resolved: 2 } as const;

function seriesSection(a: AlertCardInput): KnownBlock | undefined {
  const where = labelText(a.where, '');
  const only = a.series.length === 1 ? a.series[0] : undefined;
  // One series already described by "Where" needs no list.
  if (a.series.length === 0 || (only && labelText(only.labels, '') === where)) return undefined;
  const sorted = [...a.series].sort((x, y) => PHASE_ORDER[x.phase] - PHASE_ORDER[y.phase] || severityOf(y) - severityOf(x));
  const lines = sorted.slice(0, MAX_SERIES_LISTED).map((s) => {
    const labels = escapeMrkdwn(fit(labelText(s.labels, 'all'), MAX_LINE));
    return `${PHASE_EMOJI[s.phase]} ${labels} — ${valueVsExpected(s.value, s.expected, a.metric.unit)} · ${s.phase}`;
  });
  const left = sorted.length - MAX_SERIES_LISTED;
  if (left > 0) lines.push(`_… and ${left} more series_`);
  return section(`*Affected series* (${a.series.length})\n${lines.join('\n')}`);
}

/** A suggested action's button value: the listener needs both ids, and JSON cannot be confused by a `|` in either. */
export function actionButtonValue(alertId: string, actionId: string): string {
  return JSON.stringify({ alertId, actionId });
}

function buttons(a: AlertCardInput): Button[] {
  const list: Button[] = a.actions.slice(0, MAX_SUGGESTED).map((x, i) =>
    button({
      text: x.label,
      actionId: `${ALERT_ACTIONS.actionPrefix}${i}`,
      value: actionButtonValue(a.id, x.id),
      ...(x.style ? { style: x.style } : {}),
      ...(x.style === 'danger'
        ? { confirm: { title: oneLine(x.label), text: oneLine(x.description) || 'Request this action?', confirm: 'Request it', deny: 'Cancel', style: 'danger' as const } }
        : {}),
    }),
  );
  if (!a.ack) list.push(button({ text: 'Acknowledge', actionId: ALERT_ACTIONS.acknowledge, value: a.id, ...(list.some((b) => b.style === 'primary') ? {} : { style: 'primary' as const }) }));
  list.push(button({ text: silenced(a) ? 'Change silence…' : 'Silence…', actionId: ALERT_ACTIONS.silence, value: a.id }));
  return list;
}

/** Honest about what a suggested-action button does until automations exist (issue 5 §4). */
export const ACTIONS_UNAVAILABLE_NOTE =
  "Suggested actions can't run yet: automations are not enabled in this workspace. Clicking one records the request in the thread; nothing is changed.";

/**
 * The alert card: what, where, value against the expected band, since when, status, what
 * explains it, the affected series, and buttons (suggested actions, Acknowledge, Silence…).
 * A resolved card says so first and has no buttons. Within Slack's limits for any input.
 */
export function alertCard(a: AlertCardInput): SlackMessage {
  const zone = safeZone(a.timeZone);
  const resolved = a.status === 'resolved';
  const emoji = SEVERITY_EMOJI[a.severity];
  const blocks: KnownBlock[] = [header(resolved ? `✅ Resolved: ${oneLine(a.title)}` : `${emoji} ${oneLine(a.title)}`)];
  blocks.push(section(statusLines(a, zone).join('\n')));
  const now = valueVsExpected(a.value, a.expected, a.metric.unit);
  const sinceText = `${formatWhen(a.since, a.now, zone)} (${formatRelative(a.since, a.now)})`;
  blocks.push(
    section('', {
      fields: fields([
        ['Metric', `${oneLine(a.metric.label) || a.metric.id}`],
        ['Where', labelText(a.where, 'everywhere')],
        [resolved ? 'Last value' : 'Now', now],
        ['Since', sinceText],
        ['Severity', `${emoji} ${SEVERITY_WORD[a.severity]}`],
      ]),
    }),
  );
  if (a.chart) blocks.push(image(a.chart.url, a.chart.alt, `${oneLine(a.metric.label) || a.metric.id}: actual vs expected band`));
  const drivers = driversSection(a);
  if (drivers) blocks.push(drivers);
  const series = seriesSection(a);
  if (series) blocks.push(series);
  if (!resolved) {
    const suggested = a.actions.slice(0, MAX_SUGGESTED);
    if (suggested.length > 0) {
      const lines = suggested.map((x, i) => `${i + 1}. *${escapeMrkdwn(fit(oneLine(x.label), MAX_LINE / 2))}* — ${escapeMrkdwn(fit(oneLine(x.description), MAX_LINE))}`);
      blocks.push(section(`*Suggested next steps*\n${lines.join('\n')}`));
    }
    blocks.push(...actions(buttons(a), 'alert_buttons'));
    if (suggested.length > 0 && !a.actionsAvailable) blocks.push(context([ACTIONS_UNAVAILABLE_NOTE]));
  }
  const footer = [`Times in ${zone}`];
  if (a.ruleId) footer.push(`rule \`${escapeMrkdwn(fit(oneLine(a.ruleId).replaceAll('`', 'ˋ'), 100))}\``);
  blocks.push(context([footer.join(' · ')]));
  return message(blocks, fallbackText(a, zone));
}

/** One line for notifications and screen readers; mentions first so they ping. */
function fallbackText(a: AlertCardInput, zone: string): string {
  const title = escapeMrkdwn(fit(oneLine(a.title), 200));
  if (a.status === 'resolved') {
    const after = a.resolvedAt ? ` after ${formatDuration((a.resolvedAt.getTime() - a.since.getTime()) / 1000)}` : '';
    return `✅ Resolved: ${title}${after}`;
  }
  const ping = mentionable(a) ? `${mentionText(a.mention)} ` : '';
  const now = valueVsExpected(a.value, a.expected, a.metric.unit);
  return fit(`${ping}${SEVERITY_EMOJI[a.severity]} ${SEVERITY_WORD[a.severity]}: ${title} — ${now}, since ${formatWhen(a.since, a.now, zone)}`, MAX_FIELD_TEXT);
}

export interface ThreadReplyOptions {
  /** The series a series-level change is about. */
  seriesLabels?: Record<string, string>;
  /** Who acted (acknowledged, silenced). */
  by?: string;
}

const sameLabels = (x: Readonly<Record<string, string>>, y: Readonly<Record<string, string>>) => {
  const a = Object.entries(x);
  return a.length === Object.keys(y).length && a.every(([k, v]) => y[k] === v);
};

/** The reply in the card's thread for one change; the card itself is re-rendered separately. */
export function alertThreadReply(change: ChangeKind, a: AlertCardInput, o: ThreadReplyOptions = {}): SlackMessage {
  const zone = safeZone(a.timeZone);
  const unit = a.metric.unit;
  const now = valueVsExpected(a.value, a.expected, unit);
  const member = o.seriesLabels ? a.series.find((s) => sameLabels(s.labels, o.seriesLabels!)) : undefined;
  const seriesName = escapeMrkdwn(fit(labelText(o.seriesLabels ?? {}, 'the whole metric'), MAX_LINE));
  const ping = mentionable(a) ? `\n${mentionText(a.mention)}` : '';
  let text: string;
  switch (change) {
    case 'fired':
      text = `${SEVERITY_EMOJI[a.severity]} *Firing*: ${now}.${ping}`;
      break;
    case 'series_added':
      text = `➕ ${seriesName} is firing too${member ? `: ${valueVsExpected(member.value, member.expected, unit)}` : ''}.`;
      break;
    case 'series_resolved':
      text = `✔️ ${seriesName} is back within its expected band${member ? ` (${formatValue(member.value, unit)})` : ''}.`;
      break;
    case 'resolved':
      text = `${resolvedLine(a, zone)}.${a.value !== null ? ` Last value ${formatValue(a.value, unit)}.` : ''}`;
      break;
    case 'reopened':
      text = `🔁 *Firing again* after it had resolved: ${now}.${ping}`;
      break;
    case 'renotify':
      text = `⏰ *Still firing* after ${formatDuration((a.now.getTime() - a.since.getTime()) / 1000)}: ${now}.${ping}`;
      break;
    case 'acknowledged': {
      const by = o.by ?? a.ack?.by;
      text = `👀 Acknowledged${by ? ` by ${user(by)}` : ''}. No more reminders for this alert.`;
      break;
    }
    case 'silenced': {
      const by = o.by ?? a.silence?.by;
      const until = a.silence ? ` until ${formatWhen(a.silence.until, a.now, zone)}` : '';
      const why = a.silence ? `: ${quote(a.silence.reason)}` : '.';
      text = `🔕 Silenced${by ? ` by ${user(by)}` : ''}${until}${why}`;
      break;
    }
    case 'unsuppressed':
      text = a.status === 'firing' ? `🔔 Notifications are back on, and it is still firing: ${now}.${ping}` : '🔔 Notifications are back on.';
      break;
  }
  return message([section(text)], text.replaceAll('\n', ' '));
}

/** The Silence form: how long, and why (recorded with who). Opened from a card's Silence… button. */
export function silenceModal(o: { alertId: string; description: string; channelId: string }): ModalView {
  const option = (key: SilenceChoice) => ({ text: { type: 'plain_text' as const, text: SILENCE_DURATIONS[key].label }, value: key });
  return modal({
    title: 'Silence alert',
    callbackId: SILENCE_MODAL.callbackId,
    submit: 'Silence',
    close: 'Cancel',
    privateMetadata: JSON.stringify({ alertId: o.alertId, channelId: o.channelId }),
    blocks: [
      section(`*${escapeMrkdwn(fit(oneLine(o.description) || 'This alert', MAX_LINE))}*\nNo pings or reminders for alerts with these labels while it is silenced. The card still updates.`),
      {
        type: 'input',
        block_id: SILENCE_MODAL.durationBlockId,
        label: { type: 'plain_text', text: 'For how long?' },
        element: {
          type: 'radio_buttons',
          action_id: SILENCE_MODAL.durationActionId,
          options: (Object.keys(SILENCE_DURATIONS) as SilenceChoice[]).map(option),
          initial_option: option(DEFAULT_SILENCE),
        },
      },
      {
        type: 'input',
        block_id: SILENCE_MODAL.reasonBlockId,
        label: { type: 'plain_text', text: 'Why?' },
        element: {
          type: 'plain_text_input',
          action_id: SILENCE_MODAL.reasonActionId,
          max_length: MAX_SILENCE_REASON,
          placeholder: { type: 'plain_text', text: 'adyen maintenance until 14:00' },
        },
      },
      context(['Your name and reason are shown on the card and in its thread.']),
    ],
  });
}
