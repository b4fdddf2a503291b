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
  | { kind: 'unknown_verb'; verb: string };

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
export const COMMAND_VERBS = ['help', 'ask', 'status'] as const;

/** `/opsight <verb> …`: the verb is required so typos are not taken for questions. */
export function commandIntent(text: string): Intent {
  const words = plainText(text);
  const [first = '', ...rest] = words.split(' ');
  const verb = first.toLowerCase();
  const tail = rest.join(' ').trim();
  if (verb === '' || verb === 'help') return { kind: 'help' };
  if (verb === 'status') return { kind: 'status' };
  if (verb === 'ask') return tail === '' ? { kind: 'ask_form' } : { kind: 'ask', question: tail };
  return { kind: 'unknown_verb', verb: first };
}
