import type { IncomingHttpHeaders } from 'node:http';
import type { CallLog } from '../calls.js';
import type { MethodTable } from '../spec/index.js';
import { parseApiRequest, validateArgs } from './args.js';
import type { ApiContext, MethodHandler, MethodOutcome } from './context.js';
import { chatMethods, directoryMethods, fileMethods, viewMethods } from './methods/index.js';

/**
 * One Web API call, end to end: method → rate limit → body → token → arguments → behaviour.
 * Every call is recorded, right or wrong, so tests can assert what the bot sent.
 */

const HANDLERS: Readonly<Record<string, MethodHandler>> = { ...chatMethods, ...fileMethods, ...viewMethods, ...directoryMethods };

/** The Web API methods the sandbox answers. */
export const SERVED_METHODS: readonly string[] = Object.keys(HANDLERS).sort();

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface RateLimits {
  set(method: string, p: { times: number; retryAfterSec: number }): void;
  /** Consumes one simulated limit for the method; the Retry-After seconds when limited. */
  take(method: string): number | undefined;
}

export function createRateLimits(): RateLimits {
  const limits = new Map<string, { remaining: number; retryAfterSec: number }>();
  return {
    set(method, p) {
      if (!Number.isInteger(p.times) || p.times < 0) throw new Error(`rateLimit times must be a whole number ≥ 0, got ${p.times}`);
      if (!Number.isInteger(p.retryAfterSec) || p.retryAfterSec < 0) throw new Error(`rateLimit retryAfterSec must be a whole number ≥ 0, got ${p.retryAfterSec}`);
      limits.set(method, { remaining: p.times, retryAfterSec: p.retryAfterSec });
    },
    take(method) {
      const l = limits.get(method);
      if (!l || l.remaining <= 0) return undefined;
      l.remaining--;
      return l.retryAfterSec;
    },
  };
}

export interface DispatchDeps {
  ctx: ApiContext;
  methods: MethodTable;
  calls: CallLog;
  rateLimits: RateLimits;
  botToken: string;
  appToken: string | undefined;
}

function errorBody(o: Extract<MethodOutcome, { ok: false }>): Record<string, unknown> {
  return { ok: false, error: o.error, ...(o.extra ?? {}), ...(o.messages && o.messages.length > 0 ? { response_metadata: { messages: o.messages } } : {}) };
}

/** Slack's token rules: the bot token for everything, except apps.connections.open (app token). */
function checkToken(method: string, token: string | undefined, deps: DispatchDeps): MethodOutcome | undefined {
  if (!token) return { ok: false, error: 'not_authed', messages: ['[ERROR] no token: send Authorization: Bearer <token> (or a token argument in a form body)'] };
  const wantsApp = method === 'apps.connections.open';
  const isBot = token === deps.botToken;
  const isApp = deps.appToken !== undefined && token === deps.appToken;
  if (wantsApp ? isApp : isBot) return undefined;
  if (wantsApp ? isBot : isApp) {
    return { ok: false, error: 'not_allowed_token_type', messages: [`[ERROR] ${method} takes ${wantsApp ? 'the app-level token (xapp-…)' : 'the bot token (xoxb-…)'}`] };
  }
  return { ok: false, error: 'invalid_auth', messages: ['[ERROR] this token is not one the workspace issued'] };
}

export function dispatchApiCall(method: string, headers: IncomingHttpHeaders, url: URL, body: Buffer, deps: DispatchDeps): ApiResponse {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const spec = deps.methods.get(method);
  const handler = HANDLERS[method];
  if (!spec || !handler) {
    const unserved = deps.methods.isUnserved(method);
    const outcome: Extract<MethodOutcome, { ok: false }> = unserved
      ? { ok: false, error: 'sandbox_method_not_served', messages: [`[ERROR] ${method} is a real Slack method the sandbox does not serve yet; add it in src/sandbox/web-api/methods/ (with its spec in src/sandbox/spec/)`] }
      : { ok: false, error: 'unknown_method', messages: [`[ERROR] Slack has no method ${method}`] };
    const status = unserved ? 200 : 404;
    deps.calls.record({ method, args: {}, ok: false, error: outcome.error, messages: outcome.messages, status });
    return { status, body: errorBody(outcome), headers: json };
  }
  const parsed = parseApiRequest(headers, url, body);
  const rawArgs = parsed.ok ? parsed.request.args : {};
  const finish = (o: MethodOutcome): ApiResponse => {
    const status = o.ok ? 200 : (o.status ?? 200);
    deps.calls.record({ method, args: rawArgs, ok: o.ok, ...(o.ok ? {} : { error: o.error, messages: o.messages }), status });
    return { status, body: o.ok ? { ok: true, ...o.body } : errorBody(o), headers: { ...json, 'x-accepted-oauth-scopes': spec.scope } };
  };
  const retryAfter = deps.rateLimits.take(method);
  if (retryAfter !== undefined) {
    deps.calls.record({ method, args: rawArgs, ok: false, error: 'ratelimited', status: 429 });
    return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { ...json, 'retry-after': String(retryAfter) } };
  }
  if (!parsed.ok) return finish({ ok: false, error: parsed.error, messages: [`[ERROR] ${parsed.message}`] });
  const tokenProblem = checkToken(method, parsed.request.token, deps);
  if (tokenProblem) return finish(tokenProblem);
  const args = validateArgs(spec, parsed.request.args);
  if (!args.ok) return finish({ ok: false, error: args.error, messages: args.messages });
  return finish(handler(args.args, deps.ctx));
}
