import { performance } from 'node:perf_hooks';
import type { OpsightError } from '../../errors.js';
import type { Logger } from '../../ops/index.js';
import type { Catalog } from '../../semantic/index.js';
import type { PlanContext } from '../planner.js';
import { checkOutput, type LlmOutcome } from './check.js';
import { createModel, type ChatTurn, type StructuredMethod } from './model.js';
import { readReply, wireSchema, type ReplyMessage } from './output.js';
import { renderRepairPrompt, renderSystemPrompt, renderUserPrompt, type LlmPrompts } from './prompts.js';

/**
 * The LLM planner (issue: "LLM planner when OPENAI_API_KEY or OPENAI_BASE_URL is set"):
 * question → system prompt (rules, catalog, rollups, examples) + the question with now and
 * zone → one structured reply → validated like any plan. A reply we cannot trust (not JSON,
 * wrong shape, unknown metric/dimension/value, windows in the future, SQL that is not a
 * SELECT) gets one repair turn that quotes it and says what is wrong; if the repaired reply
 * is no better, the asker gets a clarify, never a guess.
 *
 * Failure to reach the model (after retries, see model.ts) throws an OpsightError with
 * `userMessage` LLM_UNAVAILABLE_MESSAGE; `retriable` is true for timeouts, rate limits, 5xx
 * and connection failures, false for a rejected key/model/request (an operator must act).
 */

export interface LlmConnection {
  /** OPENAI_API_KEY; optional for local servers that need none. Never logged. */
  apiKey?: string | undefined;
  /** OPENAI_BASE_URL, e.g. http://localhost:8000/v1; unset means api.openai.com. */
  baseUrl?: string | undefined;
  /** OPENAI_MODEL. */
  model: string;
}

export interface LlmPlannerOptions {
  catalog: Catalog;
  prompts: LlmPrompts;
  llm: LlmConnection;
  log: Logger;
  /** Per HTTP attempt, in ms. @default 15000 */
  timeoutMs?: number;
  /** Retries of one call on 408/409/429/5xx/connection failures. @default 2 */
  maxRetries?: number;
  /** First retry delay in ms (×2 per retry, ±20% jitter). @default 500 */
  retryDelayMs?: number;
  /** Longest Retry-After we wait for, in ms; a longer one fails at once. @default 10000 */
  maxRetryAfterMs?: number;
  /** How the reply's structure is requested (model.ts). @default 'functionCalling' */
  method?: StructuredMethod;
  /**
   * The SQL checker (src/ask/sql `checkSqlWithEngine(store, sql)` fits as is), run on proposed
   * SQL before it is returned: a refusal's `reason` goes to the model in the repair turn; an
   * accepted query is returned in the checker's own formatting (`sql`), the text it checked.
   * Without it, proposed SQL is only checked to be a SELECT and must be checked before it runs.
   */
  checkSql?: (sql: string) => Promise<SqlVerdict> | SqlVerdict;
}

/** What a SQL checker says about one query (the shape of src/ask/sql's SqlCheck). */
export type SqlVerdict = { ok: true; sql?: string } | { ok: false; reason: string };

export interface LlmPlanner {
  plan(question: string, ctx: PlanContext): Promise<LlmOutcome>;
}

/** Offered when no reply could be trusted: questions the embedded planner answers as they stand. */
const FALLBACK_QUESTIONS: ReadonlyArray<[metric: string, question: string]> = [
  ['revenue', 'revenue yesterday'],
  ['orders', 'orders today by channel'],
  ['conversion_rate', 'conversion rate this week'],
];

function untrustedClarify(catalog: Catalog): { status: 'clarify'; question: string; options: string[] } {
  const options = FALLBACK_QUESTIONS.filter(([id]) => catalog.metrics[id]).map(([, q]) => q);
  if (options.length === 0) options.push(...Object.values(catalog.metrics).slice(0, 3).map((m) => `${m.label.toLowerCase()} yesterday`));
  return { status: 'clarify', question: `I could not turn that into a query I trust. Could you rephrase it, e.g. "${options[0]}"?`, options };
}

export function createLlmPlanner(options: LlmPlannerOptions): LlmPlanner {
  const { catalog, prompts } = options;
  const log = options.log.child({ module: 'ask.llm' });
  const call = createModel({
    apiKey: options.llm.apiKey,
    baseUrl: options.llm.baseUrl,
    model: options.llm.model,
    timeoutMs: options.timeoutMs ?? 15_000,
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 500,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    method: options.method ?? 'functionCalling',
    schema: wireSchema(catalog),
    log,
  });
  // Rendered once: the catalog and prompts are fixed for the life of the process.
  const system: ChatTurn = { role: 'system', content: renderSystemPrompt(prompts, catalog) };
  const checkSql = options.checkSql;

  return {
    async plan(question, ctx) {
      const started = performance.now();
      const user: ChatTurn = { role: 'user', content: renderUserPrompt(prompts, question, ctx) };
      // Failures are logged here (with the reason operators need) and thrown for the caller.
      const send = async (turns: ChatTurn[]) => {
        try {
          return await call(turns);
        } catch (err) {
          const e = err as OpsightError;
          log.warn({ model: options.llm.model, latencyMs: Math.round(performance.now() - started), outcome: 'unavailable', retriable: e.retriable, err: e.message }, 'LLM planner unavailable');
          throw err;
        }
      };
      const first = await send([system, user]);
      let attempts = first.attempts;
      const interpret = async (message: ReplyMessage): Promise<{ ok: true; outcome: LlmOutcome } | { ok: false; error: string; text: string }> => {
        const read = readReply(message);
        if (!read.ok) return read;
        const checked = checkOutput(read.output, catalog, ctx);
        if (!checked.ok) return { ok: false, error: checked.error, text: read.text };
        if (checked.outcome.status !== 'sql' || !checkSql) return checked;
        const verdict = await checkSql(checked.outcome.sql);
        if (!verdict.ok) return { ok: false, error: `the SQL was rejected: ${verdict.reason}`, text: read.text };
        return { ok: true, outcome: { ...checked.outcome, sql: verdict.sql ?? checked.outcome.sql } };
      };
      const done = (outcome: LlmOutcome, repaired: boolean, failure?: string) => {
        log.info(
          { model: options.llm.model, latencyMs: Math.round(performance.now() - started), outcome: outcome.status, repaired, httpAttempts: attempts, ...(failure ? { invalid: failure } : {}) },
          'LLM planned a question',
        );
        return outcome;
      };

      const firstResult = await interpret(first.message);
      if (firstResult.ok) return done(firstResult.outcome, false);
      log.warn({ model: options.llm.model, error: firstResult.error }, 'LLM reply rejected; asking once to repair it');
      const repair: ChatTurn = { role: 'user', content: renderRepairPrompt(prompts, firstResult.text, firstResult.error) };
      const second = await send([system, user, repair]);
      attempts += second.attempts;
      const secondResult = await interpret(second.message);
      if (secondResult.ok) return done(secondResult.outcome, true);
      log.warn({ model: options.llm.model, error: secondResult.error }, 'LLM reply rejected again; asking the user to rephrase');
      return done(untrustedClarify(catalog), true, secondResult.error);
    },
  };
}
