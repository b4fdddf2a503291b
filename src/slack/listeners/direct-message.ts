import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { conversationIntent } from '../intent.js';
import { directMessageEvent } from '../payloads.js';
import { replyTo } from './conversation.js';

/**
 * A DM to the bot. Replies stay in the DM's main flow unless the person wrote in a thread.
 * Edits, deletions, joins and bot posts (all carry a subtype or bot_id) are not questions.
 */
export function registerDirectMessage(app: App, deps: ListenerDeps): void {
  app.message(async ({ message }) => {
    const parsed = directMessageEvent.safeParse(message);
    if (!parsed.success) return; // channel messages, edits and bot posts arrive here too: not ours
    const m = parsed.data;
    deps.metrics.slackEventsReceived.inc({ kind: 'direct_message' });
    await replyTo(deps, { channel: m.channel, ...(m.thread_ts ? { threadTs: m.thread_ts } : {}), userId: m.user }, conversationIntent(m.text));
  });
}
