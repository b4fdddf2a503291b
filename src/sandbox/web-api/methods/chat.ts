import { blockErrors } from '../../blocks.js';
import { messageObject } from '../../shapes.js';
import { addBotMessage, checkContent, fail, MAX_TEXT_CHARS, resolveChannel, resolveThread, str, type ApiContext, type BotMessageInput, type MethodHandler, type MethodOutcome } from '../context.js';

/** chat.postMessage / update / delete / postEphemeral, answering as Slack does. */

function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function messageBody(ctx: ApiContext, m: Parameters<typeof messageObject>[0]): Record<string, unknown> {
  return messageObject(m, ctx.workspace, (id) => ctx.state.file(id), ctx.publicBase());
}

/** The channel the bot may post to, or Slack's error for it. */
function postableChannel(ctx: ApiContext, ref: string): { ok: true; id: string } | { ok: false; outcome: MethodOutcome } {
  const channel = resolveChannel(ctx.workspace, ref);
  if (!channel) return { ok: false, outcome: fail('channel_not_found', [`[ERROR] no channel ${ref} in this workspace`]) };
  if (!channel.members.has(ctx.workspace.bot.userId)) {
    return { ok: false, outcome: fail('not_in_channel', [`[ERROR] the bot is not a member of ${channel.name ? `#${channel.name}` : channel.id}; invite it first`]) };
  }
  return { ok: true, id: channel.id };
}

/** `thread_ts` → the parent it replies to (Slack threads replies to a reply under its parent). */
function threadOf(ctx: Parameters<MethodHandler>[1], channel: string, args: Parameters<MethodHandler>[0]) {
  const requested = str(args, 'thread_ts');
  if (!requested) return { ok: true as const, ts: undefined };
  const thread = resolveThread(ctx.state, channel, requested);
  if (!thread.ok) return { ok: false as const, outcome: fail('thread_not_found', [`[ERROR] no message ${requested} in ${channel} to reply to`]) };
  return { ok: true as const, ts: thread.parentTs };
}

/** Content and thread checks, then the bot's message stored: what postMessage and postEphemeral share. */
function postContent(ctx: ApiContext, channel: string, args: Parameters<MethodHandler>[0], extra: Partial<BotMessageInput>) {
  const problem = checkContent(args);
  if (problem) return { ok: false as const, outcome: problem };
  const thread = threadOf(ctx, channel, args);
  if (!thread.ok) return thread;
  const m = addBotMessage(ctx, { channel, text: str(args, 'text') ?? '', blocks: asArray(args.blocks), attachments: asArray(args.attachments), thread_ts: thread.ts, ...extra });
  return { ok: true as const, m };
}

const postMessage: MethodHandler = (args, ctx) => {
  const target = postableChannel(ctx, str(args, 'channel')!);
  if (!target.ok) return target.outcome;
  const posted = postContent(ctx, target.id, args, { metadata: args.metadata, reply_broadcast: args.reply_broadcast === true });
  if (!posted.ok) return posted.outcome;
  return { ok: true, body: { channel: target.id, ts: posted.m.ts, message: messageBody(ctx, posted.m) } };
};

const postEphemeral: MethodHandler = (args, ctx) => {
  const target = postableChannel(ctx, str(args, 'channel')!);
  if (!target.ok) return target.outcome;
  const user = str(args, 'user')!;
  const person = ctx.workspace.user(user);
  if (!person || person.deleted || !ctx.workspace.isMember(target.id, user)) {
    return fail('user_not_in_channel', [`[ERROR] ${user} is not in ${target.id}, so they cannot see an ephemeral message there`]);
  }
  const posted = postContent(ctx, target.id, args, { ephemeral_to: user });
  if (!posted.ok) return posted.outcome;
  return { ok: true, body: { message_ts: posted.m.ts } };
};

/** The bot's own, non-ephemeral message at (channel, ts), or Slack's error. */
function ownMessage(ctx: ApiContext, args: Record<string, unknown>, verb: 'update' | 'delete') {
  const channel = resolveChannel(ctx.workspace, str(args, 'channel')!);
  if (!channel) return { ok: false as const, outcome: fail('channel_not_found') };
  const ts = String(args.ts);
  const m = ctx.state.findMessage(channel.id, ts);
  // Ephemeral messages are not addressable by chat.update/delete (Slack: message_not_found).
  if (!m || m.ephemeral_to) return { ok: false as const, outcome: fail('message_not_found', [`[ERROR] no message ${ts} in ${channel.id}`]) };
  if (m.user !== ctx.workspace.bot.userId) {
    return { ok: false as const, outcome: fail(`cant_${verb}_message`, [`[ERROR] ${ts} was posted by ${m.user}; a bot may only ${verb} its own messages`]) };
  }
  return { ok: true as const, channel: channel.id, m };
}

const update: MethodHandler = (args, ctx) => {
  const found = ownMessage(ctx, args, 'update');
  if (!found.ok) return found.outcome;
  const { m } = found;
  const text = str(args, 'text');
  const blocks = asArray(args.blocks);
  const attachments = asArray(args.attachments);
  // Slack keeps the previous blocks/attachments when the field is absent (an empty array clears them).
  const nextBlocks = blocks ?? m.blocks;
  const nextAttachments = attachments ?? m.attachments;
  if ((text ?? '') === '' && !(nextBlocks && nextBlocks.length > 0) && !(nextAttachments && nextAttachments.length > 0)) {
    return fail('no_text', ['[ERROR] an updated message needs text, blocks or attachments']);
  }
  if ((text ?? '').length > MAX_TEXT_CHARS) return fail('msg_too_long', [`[ERROR] text is ${(text ?? '').length} characters; Slack allows ${MAX_TEXT_CHARS}`]);
  if (blocks) {
    const errors = blockErrors(blocks, 'message');
    if (errors.length > 0) return fail('invalid_blocks', errors);
  }
  m.text = text ?? '';
  if (nextBlocks && nextBlocks.length > 0) m.blocks = nextBlocks;
  else delete m.blocks;
  if (nextAttachments && nextAttachments.length > 0) m.attachments = nextAttachments;
  else delete m.attachments;
  if (args.metadata !== undefined) m.metadata = args.metadata;
  m.edited = { user: ctx.workspace.bot.userId, ts: ctx.state.nextTs() };
  ctx.state.changed();
  return { ok: true, body: { channel: found.channel, ts: m.ts, text: m.text, message: messageBody(ctx, m) } };
};

const del: MethodHandler = (args, ctx) => {
  const found = ownMessage(ctx, args, 'delete');
  if (!found.ok) return found.outcome;
  const { m } = found;
  const hasReplies = ctx.state.thread(found.channel, m.ts).length > 1 && !m.thread_ts;
  if (hasReplies) {
    // Slack keeps a deleted parent as a tombstone so its thread stays readable.
    m.subtype = 'tombstone';
    m.text = 'This message was deleted.';
    delete m.blocks;
    delete m.attachments;
    delete m.files;
    ctx.state.changed();
  } else {
    ctx.state.removeMessage(found.channel, m.ts);
  }
  return { ok: true, body: { channel: found.channel, ts: m.ts } };
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.update': update,
  'chat.delete': del,
};
