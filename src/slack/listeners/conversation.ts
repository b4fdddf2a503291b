import { asOpsightError } from '../../errors.js';
import { answerMessage, errorMessage, helpMessage, statusMessage, workingMessage } from '../blocks/index.js';
import type { ListenerDeps } from '../deps.js';
import type { Intent } from '../intent.js';
import { withWorkingIndicator } from '../working.js';

/** Where a reply goes: a channel, and the thread to keep it in (mentions always thread). */
export interface Place {
  channel: string;
  threadTs?: string;
  userId: string;
}

/** The `/opsight` verbs and what they do, for help screens. */
export const COMMANDS = [
  { usage: '/opsight ask <question>', description: 'Ask about your metrics, e.g. `/opsight ask revenue yesterday vs last week by channel`' },
  {
    usage: '/opsight silence <rule-or-metric> [key=value …] for <duration> because <reason>',
    description: 'Mute matching alerts for 1 min to 7 days, recording who and why, e.g. `/opsight silence checkout_error_rate payment_gateway=adyen for 2h because adyen maintenance`',
  },
  { usage: '/opsight status', description: 'Is the data flowing? Store, ingest queue and lag, Slack mode' },
  { usage: '/opsight help', description: 'This list' },
  { usage: '@opsight <question>', description: 'Ask in any channel I am in; I answer in a thread. Or DM me.' },
];

/** One reply to a mention or a DM: help, status, or an answered question. */
export async function replyTo(deps: ListenerDeps, place: Place, intent: Intent): Promise<void> {
  const thread = place.threadTs === undefined ? {} : { threadTs: place.threadTs };
  switch (intent.kind) {
    case 'help':
    case 'ask_form':
    case 'unknown_verb':
      await deps.messenger.post(place.channel, helpMessage(COMMANDS), thread);
      return;
    case 'status':
      await deps.messenger.post(place.channel, statusMessage(await deps.services.status()), thread);
      return;
    case 'ask':
      await answerQuestion(deps, place, intent.question);
      return;
  }
}

/**
 * Question → answer in the thread. A placeholder appears only when the answer is slow, and
 * is then replaced in place; failures are told politely in the same spot.
 */
export async function answerQuestion(deps: ListenerDeps, place: Place, question: string): Promise<void> {
  const thread = place.threadTs === undefined ? {} : { threadTs: place.threadTs };
  const timeZone = await deps.zoneOf(place.userId);
  // A thread (or a DM without threads) is one conversation: its last answer is the context.
  const key = place.threadTs === undefined ? place.channel : `${place.channel}:${place.threadTs}`;
  const previous = deps.threads.get(key);
  const work = deps.services.ask(question, { now: deps.now(), timeZone, userId: place.userId, channelId: place.channel, ...(previous ? { previous } : {}) });
  const { outcome, placeholderTs } = await withWorkingIndicator(work, deps.workingDelayMs, async () => {
    const { ts } = await deps.messenger.post(place.channel, workingMessage(`Looking into “${question}”…`), thread);
    return ts;
  });
  let message;
  if (outcome.ok) {
    const { result, unit, asOf } = outcome.value;
    const answerId = deps.answers.remember({ question, result });
    message = answerMessage(result, { answerId, unit, now: deps.now(), ...(asOf ? { asOf } : {}) });
  } else {
    const err = asOpsightError(outcome.error);
    deps.log.error({ err, module: 'slack.ask', channel: place.channel }, 'question failed');
    message = errorMessage(err.userMessage ?? "Something went wrong while I was answering that. I've logged it; please try again in a minute.");
  }
  let answerTs: string;
  if (placeholderTs !== undefined) {
    await deps.messenger.update(place.channel, placeholderTs, message);
    answerTs = placeholderTs;
  } else {
    answerTs = (await deps.messenger.post(place.channel, message, thread)).ts;
  }
  const context = outcome.ok ? outcome.value.context : undefined;
  if (context) {
    deps.threads.set(key, context);
    // A top-level answer starts a thread under itself: follow-ups there continue from it.
    if (place.threadTs === undefined) deps.threads.set(`${place.channel}:${answerTs}`, context);
  }
  const chart = outcome.ok ? outcome.value.chart : undefined;
  if (chart) {
    // The chart goes into the answer's thread (a top-level answer starts one).
    await deps.messenger.uploadPng(
      place.channel,
      { filename: 'opsight-chart.png', title: chart.title, altText: chart.altText, png: chart.png },
      { threadTs: place.threadTs ?? answerTs },
    );
  }
}
