import { runPlan, type Catalog, type Plan, type PlanRow } from '../semantic/index.js';
import type { Store } from '../store/index.js';
import { answerText } from './answer.js';
import type { PlanContext, PlanOutcome, QuestionPlanner, SqlOutcome } from './planner.js';
import { runFreeformSql } from './sql/index.js';
import { explainChange } from './drivers.js';
import { OpsightError } from '../errors.js';

/** The `opsight ask --json` contract (BRIEF.md "Question plan"); names as the contract says. */
export interface AskResult {
  plan: Plan | null;
  sql: string | null;
  rows: PlanRow[];
  answer: string;
  status: 'answered' | 'clarify' | 'refused';
  options?: string[];
  reason?: string;
}

export interface AskOptions {
  /** Checked before the query runs; a sentence refuses the question (restricted metrics). */
  guard?: (plan: Plan) => Promise<string | undefined>;
  /** Sees the planner's outcome (period words included), e.g. to remember a thread's context. */
  onPlanned?: (outcome: PlanOutcome | SqlOutcome) => void;
  /**
   * Checked before free-form SQL runs: SQL can read any metric, so whoever may not read every
   * restricted metric here is refused (a sentence), rather than trusting the SQL's intent.
   */
  guardSql?: () => Promise<string | undefined>;
}

/**
 * Question → plan → SQL → rows → sentence. The store is only touched for an answered plan,
 * so clarify and refused cost nothing (`openStore` is passed lazily for that reason).
 */
export async function runAsk(
  store: Store | (() => Promise<Store>),
  catalog: Catalog,
  planner: QuestionPlanner,
  question: string,
  ctx: PlanContext,
  options: AskOptions = {},
): Promise<AskResult> {
  const outcome = await planner.plan(question, ctx);
  options.onPlanned?.(outcome);
  if (outcome.status === 'clarify') {
    return { plan: null, sql: null, rows: [], answer: outcome.question, status: 'clarify', options: outcome.options };
  }
  if (outcome.status === 'refused') {
    return { plan: null, sql: null, rows: [], answer: outcome.reason, status: 'refused', reason: outcome.reason };
  }
  if (outcome.status === 'sql') return answerWithSql(store, outcome, options);
  const refusal = options.guard ? await options.guard(outcome.plan) : undefined;
  // A refused plan is not shown either: the plan itself would say what the number is about.
  if (refusal !== undefined) return { plan: null, sql: null, rows: [], answer: refusal, status: 'refused', reason: refusal };
  const s = typeof store === 'function' ? await store() : store;
  const result = await runPlan(s, catalog, outcome.plan);
  const answer = answerText(result.plan, result.rows, catalog, {
    period: outcome.period,
    ...(outcome.comparePeriod ? { comparePeriod: outcome.comparePeriod } : {}),
  });
  // The driver is a bonus sentence: if its extra queries fail, the number still stands alone.
  const driver = await explainChange(s, catalog, result.plan).catch(() => undefined);
  return { plan: result.plan, sql: result.sql, rows: result.rows, answer: driver ? `${answer} ${driver}` : answer, status: 'answered' };
}

const refused = (reason: string): AskResult => ({ plan: null, sql: null, rows: [], answer: reason, status: 'refused', reason });

/** Free-form SQL from the LLM: refused for restricted readers, re-checked and run read-only. */
async function answerWithSql(store: Store | (() => Promise<Store>), outcome: SqlOutcome, options: AskOptions): Promise<AskResult> {
  const refusal = options.guardSql ? await options.guardSql() : undefined;
  if (refusal !== undefined) return refused(refusal);
  const s = typeof store === 'function' ? await store() : store;
  try {
    const result = await runFreeformSql(s, outcome.sql);
    const n = result.rows.length;
    const answer = `${outcome.explanation.trim()} (${n} row${n === 1 ? '' : 's'}, from a query I wrote over the rollups — press Show SQL to check it.)`;
    return { plan: null, sql: result.sql, rows: result.rows as PlanRow[], answer, status: 'answered' };
  } catch (err) {
    if (err instanceof OpsightError && err.code === 'opsight_plan_invalid') return refused(err.userMessage ?? "I couldn't run that query safely.");
    throw err;
  }
}
