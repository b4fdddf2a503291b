import { ErrorCode } from '@slack/web-api';
import { OpsightError } from '../../errors.js';

/**
 * What the outbox does with one failed send. The WebClient it drives is built with
 * `rejectRateLimitedCalls: true` and `retryConfig: { retries: 0 }`, so every failure reaches
 * here on the first try (node_modules/@slack/web-api/dist/WebClient.js `makeRequest`):
 * - HTTP 429 with Retry-After → `WebAPIRateLimitedError` {code, retryAfter (seconds)};
 * - `{ok: false, error}` → `WebAPIPlatformError` {code, data.error};
 * - another non-200 status → `WebAPIHTTPError` {code, statusCode};
 * - fetch failing (refused, reset, timeout) → `WebAPIRequestError` {code, original}.
 */
export type SendFailure =
  /** Wait `retryAfterMs`, then send the same message again. */
  | { kind: 'rate_limited'; retryAfterMs: number; error: 'ratelimited' }
  /** Back off and retry; `reason` labels opsight_slack_retries_total, `error` the final failure. */
  | { kind: 'retriable'; reason: string; error: string }
  /** Retrying cannot help; `hint` says what to fix. */
  | { kind: 'fatal'; error: string; hint: string };

/**
 * Slack `error` strings that mean "try again later" (Slack's docs list them on every write
 * method: ratelimited, service_unavailable, internal_error, fatal_error, request_timeout).
 */
export const RETRIABLE_SLACK_ERRORS: ReadonlySet<string> = new Set(['ratelimited', 'service_unavailable', 'internal_error', 'fatal_error', 'request_timeout']);

/** What the operator should do about the Slack errors a bot meets most. */
const HINTS: Record<string, string> = {
  channel_not_found: 'the channel id is wrong or the bot cannot see the channel; use the channel id (C…), and for a private channel invite the bot',
  not_in_channel: 'the bot is not a member of the channel; invite it with /invite @opsight',
  is_archived: 'the channel is archived; unarchive it or point the rule at another channel',
  invalid_blocks: 'the Block Kit payload is invalid; the messages below name the failing block',
  invalid_blocks_format: 'blocks must be a JSON array of block objects',
  msg_too_long: 'the text is over Slack’s 40,000 characters; shorten it or split it into several messages',
  no_text: 'the message has neither text nor blocks',
  too_many_attachments: 'Slack takes at most 100 attachments per message',
  message_not_found: 'the message to update no longer exists (deleted, or a wrong ts)',
  cant_update_message: 'only messages the bot posted can be updated',
  edit_window_closed: 'the message is too old to be edited',
  invalid_auth: 'Slack refused SLACK_BOT_TOKEN; copy the Bot User OAuth Token (xoxb-…) from the app’s OAuth & Permissions page',
  not_authed: 'no token was sent; set SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN',
  token_expired: 'the bot token expired; reinstall the app and update SLACK_BOT_TOKEN',
  account_inactive: 'the bot user or workspace was deactivated; reinstall the app',
  missing_scope: 'the app lacks a scope this call needs (chat:write, files:write…); add it and reinstall',
  restricted_action: 'a workspace setting prevents the bot from posting in this channel',
};

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Sorts one thrown error into rate-limited, retriable or fatal. Pure. */
export function classifyFailure(err: unknown): SendFailure {
  const code = codeOf(err);
  if (code === ErrorCode.RateLimitedError) {
    const seconds = Number((err as { retryAfter?: unknown }).retryAfter);
    return { kind: 'rate_limited', retryAfterMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000, error: 'ratelimited' };
  }
  if (code === ErrorCode.PlatformError) {
    const error = String((err as { data?: { error?: unknown } }).data?.error ?? 'unknown_error');
    if (RETRIABLE_SLACK_ERRORS.has(error)) return { kind: 'retriable', reason: error, error };
    return { kind: 'fatal', error, hint: HINTS[error] ?? 'see https://docs.slack.dev/reference/methods for what this error means' };
  }
  if (code === ErrorCode.HTTPError) {
    const status = Number((err as { statusCode?: unknown }).statusCode);
    if (status >= 500) return { kind: 'retriable', reason: 'server_error', error: `http_${status}` };
    return { kind: 'fatal', error: `http_${status}`, hint: 'Slack answered with an unexpected HTTP status; check SLACK_API_URL' };
  }
  if (code === ErrorCode.RequestError) return { kind: 'retriable', reason: 'network', error: 'network' };
  if (err instanceof Error && /^Retry header did not contain a valid timeout/.test(err.message)) {
    // WebClient throws this plain Error for a 429 without a usable Retry-After (Slack always
    // sends one; a proxy may not): wait a second, as Slack's per-channel limit suggests.
    return { kind: 'rate_limited', retryAfterMs: 1000, error: 'ratelimited' };
  }
  // A custom job (e.g. an upload) may throw our own errors, which say themselves whether to retry.
  if (err instanceof OpsightError) {
    return err.retriable ? { kind: 'retriable', reason: 'job', error: err.code } : { kind: 'fatal', error: err.code, hint: err.message };
  }
  if (code === ErrorCode.FileUploadInvalidArgumentsError || code === ErrorCode.FileUploadReadFileDataError) {
    return { kind: 'fatal', error: 'invalid_upload', hint: err instanceof Error ? err.message : String(err) };
  }
  return { kind: 'fatal', error: 'unknown', hint: err instanceof Error ? err.message : String(err) };
}

/** Slack's own validation messages (e.g. for invalid_blocks), safe to log: they name fields, not content. */
export function slackMessagesOf(err: unknown): string[] {
  const messages = (err as { data?: { response_metadata?: { messages?: unknown } } } | null)?.data?.response_metadata?.messages;
  return Array.isArray(messages) ? messages.filter((m): m is string => typeof m === 'string') : [];
}
