import { blockErrors } from '../blocks.js';
import type { SandboxMessage, StateStore } from '../state.js';
import type { TriggerBook } from '../triggers.js';
import type { SandboxChannel, Workspace } from '../workspace.js';

/** What every Web API method handler may use. */
export interface ApiContext {
  readonly workspace: Workspace;
  readonly state: StateStore;
  readonly triggers: TriggerBook;
  now(): number;
  /** `${publicUrl()}${basePath}`: where upload URLs, files and sockets live. */
  publicBase(): string;
  /** A fresh id with Slack's prefix (F… files, V… views). */
  newId(prefix: 'F' | 'V'): string;
  /** A one-time WebSocket ticket for apps.connections.open. */
  issueSocketTicket(): string;
}

/**
 * A method's answer. Errors carry Slack's code; `messages` become response_metadata.messages;
 * `status` is the HTTP status (Slack answers 200 for almost everything).
 */
export type MethodOutcome =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; error: string; messages?: string[]; status?: number; extra?: Record<string, unknown> };

export type MethodHandler = (args: Record<string, unknown>, ctx: ApiContext) => MethodOutcome;

export function fail(error: string, messages?: string[], extra?: Record<string, unknown>): MethodOutcome {
  return { ok: false, error, ...(messages ? { messages } : {}), ...(extra ? { extra } : {}) };
}

export function str(args: Record<string, unknown>, name: string): string | undefined {
  const v = args[name];
  return typeof v === 'string' ? v : undefined;
}

/** Slack's message text limit: longer text is refused with msg_too_long. */
export const MAX_TEXT_CHARS = 40_000;

/**
 * A channel argument as Slack reads it: an id (C…, G…, D…), a name with or without '#', or a
 * user id (U…), which means the app's DM with that person.
 */
export function resolveChannel(ws: Workspace, ref: string): SandboxChannel | undefined {
  if (/^U[A-Z0-9]+$/.test(ref)) {
    const u = ws.user(ref);
    return u && !u.is_bot && !u.deleted ? ws.channel(ws.imChannelOf(ref)) : undefined;
  }
  return ws.channel(ref);
}

/** A reply to a reply is a reply to its parent; ephemerals cannot hold threads. */
export function resolveThread(state: StateStore, channel: string, threadTs: string): { ok: true; parentTs: string } | { ok: false } {
  const target = state.findMessage(channel, threadTs);
  if (!target || target.ephemeral_to) return { ok: false };
  return { ok: true, parentTs: target.thread_ts ?? target.ts };
}

/** The message-content rules shared by chat.*, response_url and slash-command acks. */
export function checkContent(content: { text?: unknown; blocks?: unknown; attachments?: unknown; markdown_text?: unknown }): MethodOutcome | undefined {
  const text = typeof content.text === 'string' ? content.text : '';
  const hasBlocks = Array.isArray(content.blocks) && content.blocks.length > 0;
  const hasAttachments = Array.isArray(content.attachments) && content.attachments.length > 0;
  const hasMarkdown = typeof content.markdown_text === 'string' && content.markdown_text !== '';
  if (text === '' && !hasBlocks && !hasAttachments && !hasMarkdown) return fail('no_text', ['[ERROR] a message needs text, blocks or attachments']);
  if (text.length > MAX_TEXT_CHARS) return fail('msg_too_long', [`[ERROR] text is ${text.length} characters; Slack allows ${MAX_TEXT_CHARS}`]);
  if (content.blocks !== undefined) {
    const errors = blockErrors(content.blocks, 'message');
    if (errors.length > 0) return fail('invalid_blocks', errors);
  }
  return undefined;
}

export interface BotMessageInput {
  channel: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  files?: string[];
  thread_ts?: string;
  reply_broadcast?: boolean;
  ephemeral_to?: string;
}

/** Stores a message authored by the app's bot user. Checks are the caller's. */
export function addBotMessage(ctx: ApiContext, input: BotMessageInput): SandboxMessage {
  const ws = ctx.workspace;
  const m: SandboxMessage = {
    channel: input.channel,
    ts: ctx.state.nextTs(),
    user: ws.bot.userId,
    bot_id: ws.bot.botId,
    app_id: ws.bot.appId,
    text: input.text,
  };
  if (input.blocks) m.blocks = input.blocks;
  if (input.attachments) m.attachments = input.attachments;
  if (input.metadata !== undefined) m.metadata = input.metadata;
  if (input.files) m.files = input.files;
  if (input.thread_ts) m.thread_ts = input.thread_ts;
  if (input.thread_ts && input.reply_broadcast) m.subtype = 'thread_broadcast';
  if (input.ephemeral_to) m.ephemeral_to = input.ephemeral_to;
  return ctx.state.addMessage(m);
}
