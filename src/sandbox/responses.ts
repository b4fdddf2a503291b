import { randomBytes } from 'node:crypto';
import { addBotMessage, checkContent, resolveThread, type ApiContext } from './web-api/index.js';

/**
 * Messages an app sends back without the Web API: a slash command's ack body and POSTs to a
 * response_url. Slack's rules (docs.slack.dev "Handling user interaction"): ephemeral unless
 * response_type is in_channel; replace_original / delete_original act on the message whose
 * button was clicked; a response_url works 5 times within 30 minutes.
 */

export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
export const RESPONSE_URL_MAX_USES = 5;

export interface ResponseTarget {
  channel: string;
  /** Who acted; ephemeral responses are shown to them. */
  user: string;
  /** The message whose button was clicked (block_actions); absent for slash commands. */
  originTs?: string;
  /** The thread the origin lives in, where new responses go. */
  threadTs?: string;
}

export type ResponseUrlCheck = { ok: true; target: ResponseTarget } | { ok: false; error: 'unknown_url' | 'used_url' | 'expired_url' };

export interface ResponseUrlBook {
  issue(target: ResponseTarget): string;
  use(id: string): ResponseUrlCheck;
}

export function createResponseUrlBook(now: () => number): ResponseUrlBook {
  const urls = new Map<string, { target: ResponseTarget; issuedAtMs: number; uses: number }>();
  return {
    issue(target) {
      const id = randomBytes(12).toString('hex');
      urls.set(id, { target, issuedAtMs: now(), uses: 0 });
      return id;
    },
    use(id) {
      const u = urls.get(id);
      if (!u) return { ok: false, error: 'unknown_url' };
      if (now() - u.issuedAtMs > RESPONSE_URL_TTL_MS) return { ok: false, error: 'expired_url' };
      if (u.uses >= RESPONSE_URL_MAX_USES) return { ok: false, error: 'used_url' };
      u.uses++;
      return { ok: true, target: u.target };
    },
  };
}

export type ResponseOutcome = { ok: true; effect: 'none' | 'posted' | 'replaced' | 'deleted'; ts?: string } | { ok: false; error: string; messages: string[] };

const flag = (v: unknown) => v === true || v === 'true';

/**
 * Applies one response body to the conversation. `body` is what the app sent: a string (plain
 * text) or an object with text / blocks / attachments / response_type / replace_original /
 * delete_original / thread_ts. An empty body (a bare ack) does nothing.
 */
export function applyResponse(ctx: ApiContext, target: ResponseTarget, body: unknown): ResponseOutcome {
  if (body === undefined || body === null || body === '') return { ok: true, effect: 'none' };
  if (typeof body !== 'string' && (typeof body !== 'object' || Array.isArray(body))) {
    return { ok: false, error: 'invalid_arguments', messages: ['[ERROR] a response body must be text or a JSON object'] };
  }
  const msg: Record<string, unknown> = typeof body === 'string' ? { text: body } : (body as Record<string, unknown>);
  if (Object.keys(msg).length === 0) return { ok: true, effect: 'none' };
  const origin = target.originTs ? ctx.state.findMessage(target.channel, target.originTs) : undefined;
  if (flag(msg.delete_original)) {
    if (origin) ctx.state.removeMessage(origin.channel, origin.ts);
    return { ok: true, effect: 'deleted' };
  }
  const problem = checkContent(msg);
  if (problem && !problem.ok) return { ok: false, error: problem.error, messages: problem.messages ?? [] };
  const text = typeof msg.text === 'string' ? msg.text : '';
  const blocks = Array.isArray(msg.blocks) ? msg.blocks : undefined;
  const attachments = Array.isArray(msg.attachments) ? msg.attachments : undefined;
  if (flag(msg.replace_original) && origin) {
    origin.text = text;
    if (blocks) origin.blocks = blocks;
    else delete origin.blocks;
    if (attachments) origin.attachments = attachments;
    else delete origin.attachments;
    origin.edited = { user: ctx.workspace.bot.userId, ts: ctx.state.nextTs() };
    ctx.state.changed();
    return { ok: true, effect: 'replaced', ts: origin.ts };
  }
  let threadTs = target.threadTs;
  if (typeof msg.thread_ts === 'string' && msg.thread_ts !== '') {
    const thread = resolveThread(ctx.state, target.channel, msg.thread_ts);
    if (!thread.ok) return { ok: false, error: 'thread_not_found', messages: [`[ERROR] no message ${msg.thread_ts} in ${target.channel} to reply to`] };
    threadTs = thread.parentTs;
  }
  const inChannel = msg.response_type === 'in_channel';
  const m = addBotMessage(ctx, {
    channel: target.channel,
    text,
    blocks,
    attachments,
    thread_ts: threadTs,
    ...(inChannel ? {} : { ephemeral_to: target.user }),
  });
  return { ok: true, effect: 'posted', ts: m.ts };
}
