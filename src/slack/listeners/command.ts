import type { App } from '@slack/bolt';
import { asOpsightError } from '../../errors.js';
import { askModal, helpMessage, statusMessage } from '../blocks/index.js';
import type { ListenerDeps } from '../deps.js';
import { SILENCE_EXAMPLE, SILENCE_USAGE, commandIntent } from '../intent.js';
import { describeProblem, slashCommand } from '../payloads.js';
import { COMMANDS, answerQuestion } from './conversation.js';

/**
 * `/opsight <verb> …`. Slack wants the ack within 3 s, so quick verbs answer in the ack
 * itself (ephemeral: only the person who typed it sees help or status) and `ask` acks first,
 * then answers in the channel, where others can follow up in the answer's thread.
 */
export function registerCommand(app: App, deps: ListenerDeps): void {
  app.command('/opsight', async ({ command, ack, respond }) => {
    const parsed = slashCommand.safeParse(command);
    if (!parsed.success) {
      deps.log.warn({ module: 'slack.command', problem: describeProblem(parsed.error) }, 'slash command payload refused');
      await ack({ response_type: 'ephemeral', text: 'I could not read that command. Try `/opsight help`.' });
      return;
    }
    const c = parsed.data;
    deps.metrics.slackEventsReceived.inc({ kind: 'slash_command' });
    const intent = commandIntent(c.text);
    switch (intent.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', ...helpMessage(COMMANDS) });
        return;
      case 'unknown_verb':
        await ack({ response_type: 'ephemeral', ...helpMessage(COMMANDS, `I don't know \`${intent.verb}\`. Here is what I can do:`) });
        return;
      case 'status':
        // Status reads in-memory gauges and one ping: well inside the 3 s ack window.
        await ack({ response_type: 'ephemeral', ...statusMessage(await deps.services.status()) });
        return;
      case 'ask_form':
        await ack();
        await deps.client.views.open({ trigger_id: c.trigger_id, view: askModal({ channelId: c.channel_id }) });
        return;
      case 'silence_usage':
        await ack({ response_type: 'ephemeral', text: `${intent.problem}\nUsage: \`${SILENCE_USAGE}\`\nFor example: \`${SILENCE_EXAMPLE}\`` });
        return;
      case 'silence': {
        // The silence is recorded by the service (a store write): ack first, answer through response_url.
        await ack();
        const { target, matchers, durationMs, reason } = intent;
        let text: string;
        try {
          const outcome = await deps.services.alerts.silence({ target, matchers, durationMs, reason }, { userId: c.user_id, channelId: c.channel_id });
          text = outcome.ok ? outcome.message : `🙅 ${outcome.reason}`;
        } catch (err) {
          const e = asOpsightError(err);
          deps.log.error({ module: 'slack.command', err: e }, 'silence failed');
          text = e.userMessage ?? "Something went wrong while I was silencing that. I've logged it; please try again in a minute.";
        }
        await respond({ response_type: 'ephemeral', text });
        return;
      }
      case 'ask': {
        await ack();
        try {
          await answerQuestion(deps, { channel: c.channel_id, userId: c.user_id }, intent.question);
        } catch (err) {
          // The bot may not be in this channel (not_in_channel): answer through the response_url.
          deps.log.warn({ module: 'slack.command', err, channel: c.channel_id }, 'could not post the answer in the channel; answering privately');
          await respond({
            response_type: 'ephemeral',
            text: `I can't post in this channel yet — invite me with \`/invite @opsight\`, or DM me. Your question: “${intent.question}”`,
          });
        }
        return;
      }
    }
  });
}
