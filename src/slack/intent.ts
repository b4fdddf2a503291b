import { MAX_SILENCE_REASON } from './blocks/index.js';

/**
 * What a person asked the bot for, from the text of a mention, a DM or `/opsight …`.
 * Pure: the listeners decide where to answer, this only reads the words.
 */
export type Intent =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'ask'; question: string }
  /** `/opsight ask` with nothing after it: the listener opens the question modal. */
  | { kind: 'ask_form' }
  | { kind: 'unknown_verb'; verb: string }
  /** `/opsight silence <rule-or-metric> [key=value …] for <duration> because <reason>`. */
  | { kind: 'silence'; target: string; matchers: Record<string, string>; durationMs: number; reason: string }
  /** A `/opsight silence` line that does not parse: `problem` says what to fix. */
  | { kind: 'silence_usage'; problem: string };

/** Slack's encodings of mentions (`<@U123>`, `<@U123|ana>`), channels and groups in text. */
const MENTION = /<[@#!][^>]*>/g;

/** Removes every mention and Slack's entity escapes, so "<@U0OPSIGHT> revenue &amp; orders" reads as words. */
export function plainText(text: string): string {
  return text
    .replace(MENTION, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

const HELP = new Set(['help', '?', 'commands', 'what can you do', 'what can you do?']);

/** A mention or DM: anything that is not `help`/`status` is a question. */
export function conversationIntent(text: string): Intent {
  const words = plainText(text);
  const lower = words.toLowerCase().replace(/[.!]+$/, '');
  if (lower === '' || HELP.has(lower)) return { kind: 'help' };
  if (lower === 'status') return { kind: 'status' };
  return { kind: 'ask', question: words };
}

/** Verbs of `/opsight` (later issues add theirs here). */
export const COMMAND_VERBS = ['help', 'ask', 'status', 'silence'] as const;

/** `/opsight <verb> …`: the verb is required so typos are not taken for questions. */
export function commandIntent(text: string): Intent {
  const words = plainText(text);
  const [first = '', ...rest] = words.split(' ');
  const verb = first.toLowerCase();
  const tail = rest.join(' ').trim();
  if (verb === '' || verb === 'help') return { kind: 'help' };
  if (verb === 'status') return { kind: 'status' };
  if (verb === 'ask') return tail === '' ? { kind: 'ask_form' } : { kind: 'ask', question: tail };
  if (verb === 'silence') return silenceIntent(tail);
  return { kind: 'unknown_verb', verb: first };
}

export const SILENCE_USAGE = '/opsight silence <rule-or-metric> [key=value …] for <duration> because <reason>';
export const SILENCE_EXAMPLE = '/opsight silence checkout_error_rate payment_gateway=adyen for 2h because adyen maintenance';
/** Longest silence from the command: a forgotten silence hides real incidents. */
export const MAX_SILENCE_MS = 7 * 86_400_000;
export const MIN_SILENCE_MS = 60_000;

const UNIT_MS: Record<string, number> = {
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** "30m", "2h", "1.5 h", "90 minutes", "1d" → ms; undefined when it is not a duration. */
export function parseSilenceDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  const factor = m ? UNIT_MS[m[2]!.toLowerCase()] : undefined;
  return m && factor !== undefined ? Math.round(Number(m[1]) * factor) : undefined;
}

/** Words, keeping `key="two words"` (straight or curly quotes) as one token. */
function tokens(text: string): string[] {
  return [...text.matchAll(/[^\s"“”]*(?:["“][^"“”]*["”][^\s"“”]*)+|[^\s]+/g)].map((m) => m[0]);
}

const TARGET = /^[a-z][a-z0-9_.-]{0,127}$/i;
const KEY = /^[a-z_][a-z0-9_.-]{0,127}$/i;
const usage = (problem: string): Intent => ({ kind: 'silence_usage', problem });

/**
 * `<target> [key=value …] for <duration> because <reason>`. The reason is required: a silence
 * records who and why (issue 5). "because" starts the reason, so the reason may say anything.
 */
export function silenceIntent(tail: string): Intent {
  if (tail === '') return usage('Say what to silence, for how long and why.');
  const because = /(^|\s)because(\s|$)/i.exec(tail);
  const head = because ? tail.slice(0, because.index) : tail;
  const reason = because ? tail.slice(because.index + because[0].length).trim() : '';
  const words = tokens(head);
  const forAt = words.findIndex((w) => w.toLowerCase() === 'for');
  const scope = forAt === -1 ? words : words.slice(0, forAt);
  const [target, ...labelWords] = scope;
  if (target === undefined) return usage('Start with the rule or metric to silence, e.g. `checkout_error_rate`.');
  if (target.includes('=')) return usage(`Start with the rule or metric to silence, then its labels: \`${target}\` is a label.`);
  if (!TARGET.test(target)) return usage(`\`${target}\` is not a rule or metric id (letters, digits, _ . -).`);
  const matchers: Record<string, string> = {};
  for (const w of labelWords) {
    const eq = w.indexOf('=');
    const key = eq > 0 ? w.slice(0, eq) : '';
    const value = eq > 0 ? w.slice(eq + 1).replace(/^["“](.*)["”]$/, '$1') : '';
    if (!KEY.test(key) || value === '') return usage(`\`${w}\` is not a label: write key=value, e.g. \`region=EU\`.`);
    if (key in matchers) return usage(`\`${key}\` is given twice.`);
    matchers[key] = value;
  }
  if (forAt === -1) return usage('Say for how long, e.g. `for 2h` (30m to 7d).');
  const durationText = words.slice(forAt + 1).join(' ');
  if (durationText === '') return usage('Say for how long after `for`, e.g. `for 2h` (30m to 7d).');
  const durationMs = parseSilenceDuration(durationText);
  if (durationMs === undefined) return usage(`\`${durationText}\` is not a duration: write e.g. 30m, 2h or 1d.`);
  if (durationMs < MIN_SILENCE_MS) return usage('Silence for at least 1 minute.');
  if (durationMs > MAX_SILENCE_MS) return usage('Silence for at most 7 days; a longer one belongs in the rule (a maintenance window or a change of threshold).');
  if (reason === '') return usage('Say why, e.g. `because adyen maintenance`: a silence records who and why.');
  if (reason.length > MAX_SILENCE_REASON) return usage(`Keep the reason under ${MAX_SILENCE_REASON} characters.`);
  return { kind: 'silence', target, matchers, durationMs, reason };
}
