import type { App } from '@slack/bolt';
import { ASK_ACTIONS, askModal, sqlMessage } from '../blocks/index.js';
import type { ListenerDeps } from '../deps.js';
import { buttonClick, describeProblem } from '../payloads.js';

export function registerActions(app: App, deps: ListenerDeps): void {
  // "Show SQL" under an answer: the plan and SQL go into the answer's thread for everyone
  // who reads it (the numbers were already shown there; restricted ones never get a button).
  app.action(ASK_ACTIONS.showSql, async ({ ack, body }) => {
    await ack();
    const parsed = buttonClick.safeParse(body);
    if (!parsed.success) {
      deps.log.warn({ module: 'slack.actions', problem: describeProblem(parsed.error) }, 'block_actions payload refused');
      return;
    }
    const click = parsed.data;
    deps.metrics.slackEventsReceived.inc({ kind: 'block_actions' });
    const channel = click.channel?.id ?? click.container?.channel_id;
    const messageTs = click.message?.ts ?? click.container?.message_ts;
    if (channel === undefined || messageTs === undefined) return;
    const threadTs = click.message?.thread_ts ?? click.container?.thread_ts ?? messageTs;
    const answer = deps.answers.get(click.actions[0]?.value ?? '');
    await deps.messenger.post(channel, sqlMessage(answer), { threadTs });
  });

  // "Ask a question" on the Home tab opens the same form as `/opsight ask`.
  app.action(ASK_ACTIONS.openAsk, async ({ ack, body, client }) => {
    await ack();
    const parsed = buttonClick.safeParse(body);
    if (!parsed.success || parsed.data.trigger_id === undefined) return;
    deps.metrics.slackEventsReceived.inc({ kind: 'block_actions' });
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: askModal({}) });
  });
}
