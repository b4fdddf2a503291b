import type { KnownBlock } from '@slack/types';
import { context, divider, header, section } from './kit.js';
import { MAX_URL } from './limits.js';
import { formatRelative, formatWhen, isValidDate, safeZone, toDate, type Instant } from './format.js';
import { bold, channel, escapeMrkdwn, link, oneLine, user } from './text.js';

export interface HomeAlert {
  title: string;
  /** "critical" | "warning" | "info"; anything else shows as a neutral dot. */
  severity: string;
  since: Instant;
  /** Permalink to the alert message. */
  url?: string;
}

export interface HomeApproval {
  title: string;
  /** Slack user id (shown as a mention) or a name. */
  requestedBy: string;
  expiresAt: Instant;
}

export interface HomeDigest {
  title: string;
  postedAt: Instant;
  /** Slack channel id (shown as a link) or a name. */
  channel: string;
}

export interface HomeData {
  alerts: readonly HomeAlert[];
  approvals: readonly HomeApproval[];
  digests: readonly HomeDigest[];
}

export interface HomeClock {
  now: Date;
  /** IANA zone for the times shown; an unknown one falls back to UTC (and the footer says so). */
  timeZone: string;
}

/** Items per part: the Home tab stays a glance, far below Slack's 100 blocks (3 × 10 + 12). */
const MAX_ALERTS = 10;
const MAX_APPROVALS = 10;
const MAX_DIGESTS = 5;
const DAY_MS = 86_400_000;

const SEVERITY: Record<string, string> = { critical: '🔴', error: '🔴', high: '🔴', warning: '🟠', medium: '🟠', info: '🔵', low: '🔵' };

/** Time order with unknown times last; `newest` picks the direction. */
const byTime = (newest: boolean) => (a: Date, b: Date) => {
  if (!isValidDate(a) || !isValidDate(b)) return Number(!isValidDate(a)) - Number(!isValidDate(b));
  return newest ? b.getTime() - a.getTime() : a.getTime() - b.getTime();
};

function titleOf(title: string, url?: string): string {
  const t = oneLine(title) || 'Untitled';
  return url && url.length <= MAX_URL ? `*${link(url, t)}*` : bold(t);
}

function overflow(left: number, what: string): KnownBlock[] {
  return left > 0 ? [context([`_… and ${left} more ${what}._`])] : [];
}

/**
 * The App Home tab: recent alerts (last 24 hours, newest first), approvals still open (soonest
 * to expire first) and the latest digests. Each part says so plainly when it is empty.
 */
export function homeBlocks(data: HomeData, clock: HomeClock): KnownBlock[] {
  const zone = safeZone(clock.timeZone);
  const now = clock.now;
  const when = (d: Date) => formatWhen(d, now, zone);
  const ago = (d: Date) => (isValidDate(d) ? ` (${formatRelative(d, now)})` : '');

  // An alert with an unreadable time is kept (hiding it would be worse), sorted last.
  const alerts = data.alerts
    .map((a) => ({ ...a, at: toDate(a.since) }))
    .filter((a) => !isValidDate(a.at) || a.at.getTime() > now.getTime() - DAY_MS)
    .sort((a, b) => byTime(true)(a.at, b.at));
  const approvals = data.approvals
    .map((a) => ({ ...a, at: toDate(a.expiresAt) }))
    .filter((a) => !isValidDate(a.at) || a.at.getTime() > now.getTime())
    .sort((a, b) => byTime(false)(a.at, b.at));
  const digests = data.digests.map((d) => ({ ...d, at: toDate(d.postedAt) })).sort((a, b) => byTime(true)(a.at, b.at));

  const blocks: KnownBlock[] = [header('Recent alerts')];
  if (alerts.length === 0) blocks.push(section('✅ No alerts in the last 24 hours.'));
  for (const a of alerts.slice(0, MAX_ALERTS)) {
    const dot = SEVERITY[a.severity.toLowerCase()] ?? '⚪';
    blocks.push(section(`${dot} ${titleOf(a.title, a.url)}\n${escapeMrkdwn(oneLine(a.severity) || 'unknown')} · since ${when(a.at)}${ago(a.at)}`));
  }
  blocks.push(...overflow(alerts.length - MAX_ALERTS, 'alerts in the last 24 hours'));

  blocks.push(divider(), header('Pending approvals'));
  if (approvals.length === 0) blocks.push(section('Nothing waits for your approval.'));
  for (const a of approvals.slice(0, MAX_APPROVALS)) {
    blocks.push(section(`⏳ ${titleOf(a.title)}\nrequested by ${user(oneLine(a.requestedBy) || 'someone')} · expires ${when(a.at)}${ago(a.at)}`));
  }
  blocks.push(...overflow(approvals.length - MAX_APPROVALS, 'waiting for approval'));

  blocks.push(divider(), header('Digests'));
  if (digests.length === 0) blocks.push(section('No digest posted yet.'));
  for (const d of digests.slice(0, MAX_DIGESTS)) {
    blocks.push(section(`📰 ${titleOf(d.title)}\nposted ${when(d.at)} in ${channel(d.channel || 'unknown')}`));
  }
  blocks.push(...overflow(digests.length - MAX_DIGESTS, 'older digests'));

  blocks.push(context([`Times in ${escapeMrkdwn(zone)} · updated ${when(now)}`]));
  return blocks;
}
