import { setTimeout as delay } from 'node:timers/promises';
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { OpsightError } from '../../errors.js';
import { retry, type Logger } from '../../ops/index.js';
import { ANSWER_FUNCTION, type ReplyMessage } from './output.js';

/**
 * The I/O edge of the LLM planner: one chat completion through LangChain's ChatOpenAI over the
 * `openai` client, against any OpenAI-compatible endpoint (`configuration.baseURL`).
 *
 * Retries: ChatOpenAI's own retry loop (LangChain's AsyncCaller: 1 s minimum delay, not
 * configurable) is switched off with `maxRetries: 0`, and LangChain already sets the openai
 * client's to 0; `ops/retry` is the one backoff loop (STYLE §4), capped, with jitter, tiny
 * delays in tests. Retried: 408, 409, 429 (honouring Retry-After up to a cap), 5xx, and
 * connection failures. Not retried: a timeout (the asker has already waited `timeoutMs`; one
 * more wait of the same length is worse than an honest "not answering"), 4xx (a bad key,
 * model or request does not get better), and quota exhaustion.
 *
 * Structured output: we bind the request format ourselves (`withConfig`) rather than use
 * `withStructuredOutput`, and parse the raw message in output.ts, because (checked in
 * @langchain/openai 1.5 / openai 6): with `includeRaw` a parse failure becomes `parsed: null`
 * and its reason is lost (we need it for the repair turn), its tool parser prints a console
 * warning on malformed arguments, and in `jsonSchema` mode the openai client's `parse()`
 * throws on malformed content before we ever see it. So the methods offered are
 * `functionCalling` (default: the widest support among OpenAI-compatible servers; arguments
 * arrive as a string we parse) and `jsonMode` (`response_format: json_object`).
 */

export type StructuredMethod = 'functionCalling' | 'jsonMode';

export interface ModelOptions {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  model: string;
  /** Per HTTP attempt, in ms. */
  timeoutMs: number;
  /** Retries after the first attempt, for retriable failures. */
  maxRetries: number;
  /** First backoff delay, in ms (doubles per retry, ±20% jitter, capped at 8 s). */
  retryDelayMs: number;
  /** Longest Retry-After honoured, in ms; a longer one fails the call at once. */
  maxRetryAfterMs: number;
  method: StructuredMethod;
  /** JSON Schema of one answer (output.ts `wireSchema`). */
  schema: Record<string, unknown>;
  log: Logger;
}

export interface ModelReply {
  message: ReplyMessage;
  /** HTTP attempts this call took (1 without retries). */
  attempts: number;
}

export type ChatTurn = { role: 'system' | 'user'; content: string };

/** What users see when the model cannot be reached; operators get the reason in the log. */
export const LLM_UNAVAILABLE_MESSAGE = "My language model isn't answering right now; try again, or ask with a metric name, e.g. 'revenue yesterday'.";

// Local OpenAI-compatible servers (vLLM, Ollama, llama.cpp) need no key, but the openai client
// refuses to start without one: this stands in and is sent as a meaningless bearer token.
const NO_KEY = 'unused';

/** OpenAI's reasoning models, as @langchain/openai recognises them (utils/misc isReasoningModel). */
const REASONING_MODEL = /^(o\d|gpt-5(?!-chat))/;

interface Failure {
  /** Worth another attempt inside this call. */
  retry: boolean;
  /** Worth the asker trying again later (becomes OpsightError.retriable). */
  transient: boolean;
  /** For operators: what failed and what to check. */
  reason: string;
  retryAfterMs?: number;
}

export function createModel(options: ModelOptions): (turns: ChatTurn[]) => Promise<ModelReply> {
  const chat = new ChatOpenAI({
    model: options.model,
    apiKey: options.apiKey ?? NO_KEY,
    configuration: options.baseUrl ? { baseURL: options.baseUrl } : {},
    timeout: options.timeoutMs,
    maxRetries: 0,
    // Planning wants the most likely reading, not variety; but OpenAI's reasoning models
    // (o1, o3, gpt-5) reject any temperature but the default with a 400.
    ...(REASONING_MODEL.test(options.model) ? {} : { temperature: 0 }),
    // The Responses API is OpenAI's own; compatible servers implement chat completions.
    useResponsesApi: false,
  });
  const bound =
    options.method === 'functionCalling'
      ? chat.withConfig({
          tools: [
            {
              type: 'function',
              function: { name: ANSWER_FUNCTION, description: "Answer the user's question about business metrics.", parameters: options.schema },
            },
          ],
          tool_choice: { type: 'function', function: { name: ANSWER_FUNCTION } },
        })
      : chat.withConfig({ response_format: { type: 'json_object' } });
  const endpoint = options.baseUrl ?? 'https://api.openai.com/v1';
  const log = options.log;

  return async (turns) => {
    const messages = turns.map((t) => (t.role === 'system' ? new SystemMessage(t.content) : new HumanMessage(t.content)));
    let last: Failure | undefined;
    let extraWaitMs = 0;
    let attempts = 0;
    try {
      const message = await retry(
        async () => {
          // Retry-After longer than the backoff delay: wait out the difference (ops/retry
          // knows one schedule; the server's hint overrides it when it asks for more).
          if (extraWaitMs > 0) await delay(extraWaitMs);
          extraWaitMs = 0;
          attempts++;
          try {
            return (await bound.invoke(messages)) as AIMessage;
          } catch (err) {
            last = classify(err, options);
            throw new OpsightError('opsight_unknown', last.reason, { retriable: last.retry, cause: err });
          }
        },
        {
          retries: options.maxRetries,
          initialDelayMs: options.retryDelayMs,
          maxDelayMs: 8_000,
          onRetry: (err, attempt, delayMs) => {
            extraWaitMs = Math.max(0, (last?.retryAfterMs ?? 0) - delayMs);
            log.warn({ model: options.model, attempt, delayMs: delayMs + extraWaitMs, reason: err.message }, 'LLM call failed; retrying');
          },
        },
      );
      return { message, attempts };
    } catch (err) {
      const failure = last ?? { retry: false, transient: false, reason: (err as Error).message };
      throw new OpsightError(
        'opsight_unknown',
        `LLM planner: ${failure.reason} (model ${options.model} at ${endpoint}, ${attempts} attempt${attempts === 1 ? '' : 's'})`,
        { retriable: failure.transient, userMessage: LLM_UNAVAILABLE_MESSAGE, cause: err instanceof OpsightError && err.cause ? err.cause : err },
      );
    }
  };
}

/** A thrown error → whether to retry it, and a sentence for the log. Duck-typed: LangChain re-wraps some openai errors. */
function classify(err: unknown, options: ModelOptions): Failure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    status?: unknown;
    code?: unknown;
    message?: unknown;
    headers?: unknown;
    error?: { code?: unknown };
    cause?: { code?: unknown };
    constructor?: { name?: unknown };
  };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const ctor = e.constructor?.name;
  if (e.name === 'TimeoutError' || ctor === 'APIConnectionTimeoutError') {
    return { retry: false, transient: true, reason: `no reply within ${options.timeoutMs} ms` };
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined) {
    if (ctor === 'APIConnectionError' || e.name === 'APIConnectionError' || /ECONN|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed/i.test(`${message} ${String(e.cause?.code ?? '')}`)) {
      return { retry: true, transient: true, reason: `cannot reach the endpoint (${message}); check OPENAI_BASE_URL` };
    }
    return { retry: false, transient: false, reason: `the call failed: ${message}` };
  }
  if (status === 429) {
    if (e.code === 'insufficient_quota' || e.error?.code === 'insufficient_quota') {
      return { retry: false, transient: false, reason: 'the API key has no quota left (HTTP 429 insufficient_quota)' };
    }
    const after = retryAfterMs(e.headers);
    if (after !== undefined && after > options.maxRetryAfterMs) {
      return { retry: false, transient: true, reason: `rate limited for ${Math.ceil(after / 1000)} s (HTTP 429 Retry-After), longer than we keep someone waiting` };
    }
    return { retry: true, transient: true, reason: 'rate limited (HTTP 429)', ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  if (status === 408 || status === 409 || status >= 500) return { retry: true, transient: true, reason: `the endpoint failed (HTTP ${status}: ${message})` };
  if (status === 401 || status === 403) return { retry: false, transient: false, reason: `the endpoint rejected the API key (HTTP ${status}); check OPENAI_API_KEY` };
  if (status === 404) return { retry: false, transient: false, reason: `model or endpoint not found (HTTP 404: ${message}); check OPENAI_MODEL and OPENAI_BASE_URL (usually ending in /v1)` };
  return { retry: false, transient: false, reason: `the endpoint rejected the request (HTTP ${status}: ${message})` };
}

/** Retry-After (seconds or an HTTP date) or OpenAI's retry-after-ms, in ms. */
function retryAfterMs(headers: unknown): number | undefined {
  const get = (name: string): string | null | undefined => {
    if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
    if (headers && typeof headers === 'object') return (headers as Record<string, string | undefined>)[name];
    return undefined;
  };
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
