import type { App, RespondFn } from '@slack/bolt';
import { asOpsightError } from '../../errors.js';
import { ALERT_ACTIONS, MAX_SILENCE_REASON, SILENCE_DURATIONS, SILENCE_MODAL, silenceModal, type SilenceChoice } from '../blocks/index.js';
import type { AlertActor, AlertOutcome, ListenerDeps } from '../deps.js';
import { alertActionValue, buttonClick, describeProblem, silenceMetadata, viewSubmission, type ButtonClick } from '../payloads.js';

/** Slack's trigger_id lives 3 s; the description may take this long before the form opens without it. */
const DESCRIBE_BUDGET_MS = 1000;
/** A view_submission must be answered within 3 s; past this the form closes and a refusal comes as an ephemeral. */
const SILENCE_BUDGET_MS = 2500;

const FAILED = "Something went wrong while I was doing that. I've logged it; please try again in a minute.";

type Timed<T> = { done: true; value: T } | { done: false };

/** `work`, or `{done: false}` once `ms` pass (the work goes on; the caller decides what to do). */
async function within<T>(work: Promise<T>, ms: number): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Timed<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where a click happened: the card's channel, its ts and the thread replies go to. */
function place(click: ButtonClick): { channel: string; threadTs: string } | undefined {
  const channel = click.channel?.id ?? click.container?.channel_id;
  const ts = click.message?.ts ?? click.container?.message_ts;
  if (channel === undefined || ts === undefined) return undefined;
  return { channel, threadTs: click.message?.thread_ts ?? click.container?.thread_ts ?? ts };
}

/** Only the clicker sees it, in the card's thread; the card itself stays as it is. */
async function tellClicker(respond: RespondFn | undefined, text: string): Promise<void> {
  await respond?.({ response_type: 'ephemeral', replace_original: false, text });
}

/**
 * The alert card's buttons and the Silence form. The services decide (roles, state); the
 * engine re-renders the card and writes the thread reply for acknowledgements and silences,
 * so a success needs nothing more here. Refusals go only to the person who clicked.
 */
export function registerAlerts(app: App, deps: ListenerDeps): void {
  const log = deps.log.child({ module: 'slack.alerts' });

  const parseClick = (body: unknown): { click: ButtonClick; where: { channel: string; threadTs: string }; actor: AlertActor } | undefined => {
    const parsed = buttonClick.safeParse(body);
    if (!parsed.success) {
      log.warn({ problem: describeProblem(parsed.error) }, 'block_actions payload refused');
      return undefined;
    }
    deps.metrics.slackEventsReceived.inc({ kind: 'block_actions' });
    const where = place(parsed.data);
    if (!where) {
      log.warn({ actionId: parsed.data.actions[0]?.action_id }, 'alert button clicked outside a channel message; ignored');
      return undefined;
    }
    return { click: parsed.data, where, actor: { userId: parsed.data.user.id, channelId: where.channel } };
  };

  const run = async (what: string, work: () => Promise<AlertOutcome>): Promise<AlertOutcome> => {
    try {
      return await work();
    } catch (err) {
      const e = asOpsightError(err);
      log.error({ err: e, what }, 'alert request failed');
      return { ok: false, reason: e.userMessage ?? FAILED };
    }
  };

  app.action(ALERT_ACTIONS.acknowledge, async ({ ack, body, respond }) => {
    await ack();
    const c = parseClick(body);
    const alertId = c?.click.actions[0]?.value;
    if (!c || !alertId) return;
    const outcome = await run('acknowledge', () => deps.services.alerts.acknowledge(alertId, c.actor));
    if (!outcome.ok) await tellClicker(respond, `🙅 ${outcome.reason}`);
  });

  app.action(ALERT_ACTIONS.silence, async ({ ack, body, respond, client }) => {
    await ack();
    const c = parseClick(body);
    const alertId = c?.click.actions[0]?.value;
    if (!c || !alertId || c.click.trigger_id === undefined) return;
    // The form must open within the trigger's 3 s: a slow description is left out, not waited for.
    let description: string | undefined = 'This alert';
    try {
      const d = await within(deps.services.alerts.describe(alertId), DESCRIBE_BUDGET_MS);
      if (d.done) description = d.value;
    } catch (err) {
      log.warn({ err, alertId }, 'could not describe the alert; opening the form without it');
    }
    if (description === undefined) {
      await tellClicker(respond, "🙅 I no longer know that alert (it resolved a while ago), so there is nothing to silence. Use `/opsight silence …` for a rule or metric.");
      return;
    }
    await client.views.open({ trigger_id: c.click.trigger_id, view: silenceModal({ alertId, description, channelId: c.where.channel }) });
  });

  app.action(ALERT_ACTIONS.action, async ({ ack, body, respond }) => {
    await ack();
    const c = parseClick(body);
    if (!c) return;
    let value;
    try {
      value = alertActionValue.parse(JSON.parse(c.click.actions[0]?.value ?? ''));
    } catch {
      // Written by alertCard(); unreadable means a card from another version of the bot.
      await tellClicker(respond, '🙅 That button is from an older card I can no longer read. Use the buttons on the current card.');
      return;
    }
    const { alertId, actionId } = value;
    const outcome = await run('request_action', () => deps.services.alerts.requestAction(alertId, actionId, c.actor));
    if (outcome.ok) await deps.messenger.post(c.where.channel, { text: outcome.message }, { threadTs: c.where.threadTs });
    else await tellClicker(respond, `🙅 ${outcome.reason}`);
  });

  app.view(SILENCE_MODAL.callbackId, async ({ ack, body }) => {
    const parsed = viewSubmission.safeParse(body);
    if (!parsed.success) {
      log.warn({ problem: describeProblem(parsed.error) }, 'view_submission payload refused');
      await ack();
      return;
    }
    deps.metrics.slackEventsReceived.inc({ kind: 'view_submission' });
    const v = parsed.data;
    let meta;
    try {
      meta = silenceMetadata.parse(JSON.parse(v.view.private_metadata ?? ''));
    } catch {
      await ack({ response_action: 'errors', errors: { [SILENCE_MODAL.reasonBlockId]: 'This form is from an older version of opsight. Close it and press Silence… on the card again.' } });
      return;
    }
    const values = v.view.state.values;
    const choice = values[SILENCE_MODAL.durationBlockId]?.[SILENCE_MODAL.durationActionId]?.selected_option?.value;
    const reason = (values[SILENCE_MODAL.reasonBlockId]?.[SILENCE_MODAL.reasonActionId]?.value ?? '').trim();
    if (choice === undefined || !Object.hasOwn(SILENCE_DURATIONS, choice)) {
      await ack({ response_action: 'errors', errors: { [SILENCE_MODAL.durationBlockId]: 'Pick how long: 30 minutes, 2 hours or 24 hours.' } });
      return;
    }
    if (reason === '' || reason.length > MAX_SILENCE_REASON) {
      await ack({ response_action: 'errors', errors: { [SILENCE_MODAL.reasonBlockId]: reason === '' ? 'Say why, e.g. “adyen maintenance until 14:00”: the card shows who silenced it and why.' : `Keep it under ${MAX_SILENCE_REASON} characters.` } });
      return;
    }
    const actor: AlertActor = { userId: v.user.id, channelId: meta.channelId };
    const work = run('silence', () => deps.services.alerts.silence({ alertId: meta.alertId, durationMs: SILENCE_DURATIONS[choice as SilenceChoice].ms, reason }, actor));
    const answer = await within(work, SILENCE_BUDGET_MS);
    if (answer.done) {
      // A refusal stays in the form, next to the reason, so the person sees why and can cancel.
      if (answer.value.ok) await ack();
      else await ack({ response_action: 'errors', errors: { [SILENCE_MODAL.reasonBlockId]: answer.value.reason } });
      return;
    }
    // Too slow for Slack's 3 s: close the form and tell the person privately if it is refused.
    await ack();
    const late = await work;
    if (!late.ok) {
      await deps.client.chat.postEphemeral({ channel: meta.channelId, user: v.user.id, text: `🙅 I could not silence that alert: ${late.reason}` });
    }
  });
}
