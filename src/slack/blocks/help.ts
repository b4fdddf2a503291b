import type { KnownBlock } from '@slack/types';
import { context, header, section } from './kit.js';
import { MAX_SECTION_TEXT } from './limits.js';
import { message, type SlackMessage } from './message.js';
import { code, escapeMrkdwn, fit, oneLine } from './text.js';

export interface HelpCommand {
  /** How to type it: "/opsight status". */
  usage: string;
  /** One line on what it does. */
  description: string;
}

/** Commands past this many sections are summarised; help must stay a short message. */
const MAX_COMMAND_SECTIONS = 10;

/** `/opsight help`: how to ask, then every command with its one-line description. */
export function helpBlocks(commands: readonly HelpCommand[]): KnownBlock[] {
  const blocks: KnownBlock[] = [
    header('What I can do'),
    section(
      'Ask me about the business in plain language: mention me in a channel or send me a direct message.\n' +
        '> how did revenue do yesterday vs last week, by channel?\n> checkout error rate in EU today',
    ),
  ];
  if (commands.length === 0) {
    blocks.push(section('_No slash commands are available here._'));
    return blocks;
  }
  const lines = commands.map((c) => fit(`${code(c.usage)} — ${escapeMrkdwn(oneLine(c.description))}`, MAX_SECTION_TEXT));
  // Pack lines into as few sections as Slack's 3000 characters allow.
  const packs: Array<{ text: string; count: number }> = [];
  for (const line of lines) {
    const last = packs[packs.length - 1];
    if (last && last.text.length + 1 + line.length <= MAX_SECTION_TEXT) {
      last.text += `\n${line}`;
      last.count += 1;
    } else packs.push({ text: line, count: 1 });
  }
  const kept = packs.slice(0, MAX_COMMAND_SECTIONS);
  blocks.push(...kept.map((p) => section(p.text)));
  const listed = kept.reduce((n, p) => n + p.count, 0);
  if (listed < commands.length) blocks.push(context([`_… and ${commands.length - listed} more commands not listed._`]));
  blocks.push(context(['Answers come from live rollups of your events; *Show SQL* under an answer shows the query behind it.']));
  return blocks;
}

/**
 * `helpBlocks` as a message, with an optional mrkdwn line on top ("I don't know `foo`. Here is
 * what I can do:"). The fallback text lists the commands, for notifications and screen readers.
 */
export function helpMessage(commands: readonly HelpCommand[], intro?: string): SlackMessage {
  const blocks = helpBlocks(commands);
  const usages = commands.map((c) => oneLine(c.usage)).join(', ');
  const fallback = `${intro ? `${intro} ` : ''}Ask me in plain language${usages ? `, or use ${usages}` : ''}.`;
  return message(intro ? [section(intro), ...blocks] : blocks, fallback);
}
