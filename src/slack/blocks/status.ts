import type { KnownBlock } from '@slack/types';
import { context, fields, header, section } from './kit.js';
import { formatCount, formatDuration } from './format.js';
import { message, type SlackMessage } from './message.js';
import { code } from './text.js';

export interface StatusInput {
  version: string;
  uptimeSec: number;
  store: { ok: boolean; kind: string };
  ingest: { queueDepth: number; lagSeconds: number; eventsAccepted: number };
  /** How the bot reaches Slack: "socket", "http" or "sandbox". */
  slackMode: string;
  /** Whether the built-in demo stream is feeding events. */
  demo: boolean;
}

/** Ingest this far behind is worth saying out loud: alerts and answers lag by as much. */
const LAG_WARN_SEC = 60;
const QUEUE_WARN = 10_000;

function problemsOf(s: StatusInput): string[] {
  const problems: string[] = [];
  if (!s.store.ok) problems.push(`The data store (${s.store.kind}) is not answering: questions, alerts and digests wait until it is back.`);
  if (s.ingest.lagSeconds > LAG_WARN_SEC) problems.push(`Ingest is ${formatDuration(s.ingest.lagSeconds)} behind, so numbers and alerts are that late.`);
  if (s.ingest.queueDepth > QUEUE_WARN) problems.push(`${formatCount(s.ingest.queueDepth)} events are waiting to be stored.`);
  return problems;
}

/** `/opsight status`: one honest line first, then the numbers behind it. */
export function statusBlocks(s: StatusInput): KnownBlock[] {
  const problems = problemsOf(s);
  const summary = problems.length === 0 ? '✅ All systems normal.' : problems.map((p) => `⚠️ ${p}`).join('\n');

  return [
    header('opsight status'),
    section(summary, {
      fields: fields([
        ['Version', s.version],
        ['Uptime', formatDuration(s.uptimeSec)],
        ['Data store', `${s.store.ok ? '✅' : '❌'} ${s.store.kind}${s.store.ok ? '' : ' (unreachable)'}`],
        ['Events accepted', formatCount(s.ingest.eventsAccepted)],
        ['Ingest queue', `${formatCount(s.ingest.queueDepth)} waiting`],
        ['Ingest lag', formatDuration(s.ingest.lagSeconds)],
        ['Slack connection', s.slackMode],
        ['Demo stream', s.demo ? 'on' : 'off'],
      ]),
    }),
    context([`Type ${code('/opsight help')} for what I can do.`]),
  ];
}

/** `statusBlocks` as a message; the fallback text is the summary line. */
export function statusMessage(s: StatusInput): SlackMessage {
  const problems = problemsOf(s);
  return message(statusBlocks(s), `opsight status: ${problems.length === 0 ? 'all systems normal.' : problems.join(' ')}`);
}
