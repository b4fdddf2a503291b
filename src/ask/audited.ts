import { asOpsightError } from '../errors.js';
import type { Logger } from '../ops/index.js';
import type { Catalog } from '../semantic/index.js';
import { insertQuestionAudit, type QuestionAudit, type Store } from '../store/index.js';
import { runAsk, type AskOptions, type AskResult } from './ask.js';
import type { PlanContext, QuestionPlanner } from './planner.js';

export interface Asker {
  surface: QuestionAudit['surface'];
  userId?: string;
  channel?: string;
}

/**
 * runAsk, with the question written to audit_questions whatever happened (answered, clarify,
 * refused, or a failure). A failed audit write is logged, never turned into a failed answer:
 * the person still gets the number, operators get the error.
 */
export async function askAudited(
  store: Store,
  catalog: Catalog,
  planner: QuestionPlanner,
  question: string,
  ctx: PlanContext,
  asker: Asker,
  log: Logger,
  options: AskOptions = {},
): Promise<AskResult> {
  const started = performance.now();
  let result: AskResult | undefined;
  let failure: unknown;
  try {
    result = await runAsk(store, catalog, planner, question, ctx, options);
    return result;
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    const entry: QuestionAudit = {
      at: new Date(),
      surface: asker.surface,
      userId: asker.userId ?? '',
      channel: asker.channel ?? '',
      question,
      status: result?.status ?? 'error',
      metric: result?.plan?.metric ?? '',
      plan: result?.plan ?? null,
      sql: result?.sql ?? '',
      rows: result?.rows.length ?? 0,
      latencyMs: performance.now() - started,
      error: failure === undefined ? '' : asOpsightError(failure).message,
    };
    await recordQuestion(store, entry, log);
  }
}

/** Writes one audit row; a failure is logged for operators and never fails the answer. */
export async function recordQuestion(store: Store, entry: QuestionAudit, log: Logger): Promise<void> {
  await insertQuestionAudit(store, [entry]).catch((err: unknown) => {
    log.error({ module: 'ask.audit', err, surface: entry.surface }, 'could not write the question to audit_questions');
  });
}
