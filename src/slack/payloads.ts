import { z } from 'zod';

/**
 * The parts of Slack's payloads the listeners use, validated at the edge (STYLE §6): Bolt
 * types them, but types are not checks, and a payload from a misconfigured app or an old
 * Slack client must become a logged refusal rather than an undefined deep inside a handler.
 */

const id = z.string().min(1);

export const mentionEvent = z.object({
  type: z.literal('app_mention'),
  user: id,
  channel: id,
  text: z.string(),
  ts: id,
  thread_ts: id.optional(),
  bot_id: z.string().optional(),
});
export type MentionEvent = z.output<typeof mentionEvent>;

/** A person's message in a DM with the bot; edits, joins and bot posts have a subtype or bot_id. */
export const directMessageEvent = z.object({
  type: z.literal('message'),
  channel_type: z.literal('im'),
  user: id,
  channel: id,
  text: z.string(),
  ts: id,
  thread_ts: id.optional(),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});
export type DirectMessageEvent = z.output<typeof directMessageEvent>;

export const homeOpenedEvent = z.object({
  type: z.literal('app_home_opened'),
  user: id,
  tab: z.string().optional(),
});

export const slashCommand = z.object({
  command: z.string(),
  text: z.string(),
  user_id: id,
  channel_id: id,
  trigger_id: id,
  response_url: z.string().url(),
});
export type SlashCommandPayload = z.output<typeof slashCommand>;

/** One click on a button of ours: where it was, who clicked, which button. */
export const buttonClick = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }),
  trigger_id: id.optional(),
  channel: z.object({ id }).optional(),
  container: z
    .object({ message_ts: z.string().optional(), thread_ts: z.string().optional(), channel_id: z.string().optional() })
    .optional(),
  message: z.object({ ts: id, thread_ts: z.string().optional() }).optional(),
  actions: z.array(z.object({ action_id: id, value: z.string().optional() })).min(1),
});
export type ButtonClick = z.output<typeof buttonClick>;

export const viewSubmission = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id }),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    state: z.object({
      values: z.record(
        z.string(),
        // Text inputs carry `value`; radio buttons and selects carry `selected_option`.
        z.record(z.string(), z.object({ value: z.string().nullish(), selected_option: z.object({ value: z.string() }).loose().nullish() }).loose()),
      ),
    }),
  }),
});
export type ViewSubmission = z.output<typeof viewSubmission>;

/** A suggested action's button value (alert card): which alert, which action. */
export const alertActionValue = z.object({ alertId: id, actionId: id });

/** The Silence form's private_metadata, written by silenceModal(). */
export const silenceMetadata = z.object({ alertId: id, channelId: id });

/** Names the first problem in a payload for the log line, without logging the payload itself. */
export function describeProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid payload';
}
