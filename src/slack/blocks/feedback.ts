import type { KnownBlock } from '@slack/types';
import { context, section } from './kit.js';
import { message, type SlackMessage } from './message.js';
import { escapeMrkdwn, oneLine } from './text.js';

/** A context line shown while an answer is being worked out: "⏳ Working on it… <text>". */
export function workingBlocks(text = ''): KnownBlock[] {
  const what = oneLine(text);
  return [context([`⏳ Working on it…${what ? ` ${escapeMrkdwn(what)}` : ''}`])];
}

/** A line that looks like a stack frame ("    at fn (file.ts:1:2)"): never shown to people. */
const STACK_FRAME = /^\s*at\s.+(?:\(.*:\d+:\d+\)|:\d+:\d+)\s*$/;

function withoutStack(userMessage: string): string {
  const lines = userMessage.split('\n');
  const firstFrame = lines.findIndex((l) => STACK_FRAME.test(l));
  const shown = (firstFrame === -1 ? lines : lines.slice(0, firstFrame)).join('\n').trim();
  return shown === '' ? 'Something went wrong on my side, sorry.' : shown;
}

/**
 * A polite error for people: their message, never a stack trace (anything from the first
 * stack frame on is dropped), and what to do next.
 */
export function errorBlocks(userMessage: string): KnownBlock[] {
  const text = withoutStack(userMessage);
  return [
    section(`⚠️ ${escapeMrkdwn(text)}`),
    context(['Try again in a moment. If it keeps happening, tell whoever runs opsight here: the details are in its logs.']),
  ];
}

/** `workingBlocks` as a message. */
export function workingMessage(text = ''): SlackMessage {
  return message(workingBlocks(text), `⏳ Working on it… ${escapeMrkdwn(oneLine(text))}`.trim());
}

/** `errorBlocks` as a message. */
export function errorMessage(userMessage: string): SlackMessage {
  return message(errorBlocks(userMessage), `⚠️ ${escapeMrkdwn(withoutStack(userMessage))}`);
}
