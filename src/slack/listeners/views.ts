import type { App } from '@slack/bolt';
import { z } from 'zod';
import { ASK_MODAL } from '../blocks/index.js';
import type { ListenerDeps } from '../deps.js';
import { describeProblem, viewSubmission } from '../payloads.js';
import { answerQuestion } from './conversation.js';

const askMetadata = z.object({ channelId: z.string().optional() });

/**
 * The question form (from `/opsight ask` or the Home tab). An empty question is refused in
 * the form itself (response_action: errors), so nothing is posted for it. The answer goes
 * to the channel the form was opened from, or to the person's DM with the bot.
 */
export function registerViews(app: App, deps: ListenerDeps): void {
  app.view(ASK_MODAL.callbackId, async ({ ack, body }) => {
    const parsed = viewSubmission.safeParse(body);
    if (!parsed.success) {
      deps.log.warn({ module: 'slack.views', problem: describeProblem(parsed.error) }, 'view_submission payload refused');
      await ack();
      return;
    }
    const v = parsed.data;
    const question = (v.view.state.values[ASK_MODAL.blockId]?.[ASK_MODAL.actionId]?.value ?? '').trim();
    if (question === '') {
      await ack({ response_action: 'errors', errors: { [ASK_MODAL.blockId]: 'Type a question, e.g. “revenue yesterday by channel”.' } });
      return;
    }
    await ack();
    deps.metrics.slackEventsReceived.inc({ kind: 'view_submission' });
    let channel = v.user.id; // chat.postMessage to a user id posts in the person's DM with the bot
    try {
      channel = askMetadata.parse(JSON.parse(v.view.private_metadata || '{}')).channelId ?? channel;
    } catch {
      // Metadata is ours, written by askModal(); unreadable means an old form: answer in the DM.
    }
    await answerQuestion(deps, { channel, userId: v.user.id }, question);
  });
}
