/**
 * The record of everything the bot sent the sandbox: Web API calls, uploads, response_url posts
 * and ack bodies. Tests assert on `violations()`: the calls real Slack would refuse because the
 * bot called it wrong, as opposed to answers the bot must handle (a missing channel, a rate limit).
 */

export interface SandboxCall {
  /** 1, 2, 3, … in arrival order. */
  seq: number;
  /** A Web API method, or one of: upload, response_url, slash_command.ack, view_submission.ack. */
  method: string;
  /** Arguments as received (token removed; JSON-encoded form fields left as sent). */
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** Slack's response_metadata.messages (`[ERROR] …`), when any. */
  messages?: string[];
  /** HTTP status the sandbox answered. */
  status: number;
  /** Why this call is the bot's mistake; absent for correct calls and legitimate failures. */
  violation?: string;
  atMs: number;
}

/**
 * Errors that mean the bot called Slack wrong. Everything else (channel_not_found, not_in_channel,
 * user_not_in_channel, message_not_found, thread_not_found, user_not_found, no_such_subteam,
 * hash_conflict, not_found, ratelimited, …) is a situation a correct bot meets and handles.
 */
export const VIOLATION_ERRORS: ReadonlySet<string> = new Set([
  'not_authed',
  'invalid_auth',
  'not_allowed_token_type',
  'unknown_method',
  'sandbox_method_not_served',
  'invalid_json',
  'invalid_form_data',
  'invalid_arguments',
  'invalid_blocks',
  'invalid_blocks_format',
  'no_text',
  'msg_too_long',
  'invalid_trigger_id',
  'expired_trigger_id',
  'exchanged_trigger_id',
  'cant_update_message',
  'cant_delete_message',
  'duplicate_external_id',
  'file_not_found',
  'invalid_cursor',
  'upload_length_mismatch',
  'used_url',
  'expired_url',
]);

export interface CallLog {
  record(call: Omit<SandboxCall, 'seq' | 'violation' | 'atMs'> & { violation?: string }): SandboxCall;
  calls(): SandboxCall[];
  violations(): SandboxCall[];
}

export function createCallLog(now: () => number, onChange: () => void): CallLog {
  const log: SandboxCall[] = [];
  return {
    record(call) {
      const violation = call.violation ?? (call.error && VIOLATION_ERRORS.has(call.error) ? `${call.error}${call.messages?.length ? `: ${call.messages.join(' ')}` : ''}` : undefined);
      const entry: SandboxCall = { ...call, seq: log.length + 1, atMs: now(), ...(violation ? { violation } : {}) };
      log.push(entry);
      onChange();
      return entry;
    },
    calls: () => log.map((c) => ({ ...c })),
    violations: () => log.filter((c) => c.violation !== undefined).map((c) => ({ ...c })),
  };
}
