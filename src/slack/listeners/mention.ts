import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { conversationIntent } from '../intent.js';
import { describeProblem, mentionEvent } from '../payloads.js';
import { replyTo } from './conversation.js';

/** `@opsight …` in a channel: the answer always goes into the mention's thread. */
export function registerMention(app: App, deps: ListenerDeps): void {
  app.event('app_mention', async ({ event }) => {
    const parsed = mentionEvent.safeParse(event);
    if (!parsed.success) {
      deps.log.warn({ module: 'slack.mention', problem: describeProblem(parsed.error) }, 'app_mention payload refused');
      return;
    }
    const e = parsed.data;
    if (e.bot_id !== undefined) return; // other bots mentioning us would start bot-to-bot loops
    deps.metrics.slackEventsReceived.inc({ kind: 'app_mention' });
    await replyTo(deps, { channel: e.channel, threadTs: e.thread_ts ?? e.ts, userId: e.user }, conversationIntent(e.text));
  });
}
