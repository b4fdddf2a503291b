import { OpsightError } from '../../errors.js';
import type { Logger } from '../../ops/index.js';
import type { PlanContext, Planner } from '../planner.js';
import type { LlmOutcome } from './check.js';
import type { LlmPlanner } from './planner.js';

/**
 * Embedded first, LLM for the rest (issue: "the embedded planner answers first when it is
 * confident; the LLM handles the rest").
 *
 *  - embedded `answered` or `refused`: returned as is; the model is never called (fast, free,
 *    and the refusals — changing data, personal data, prompt injection — stay deterministic);
 *  - embedded `clarify`, LLM configured: the LLM's `answered`, `refused` or `sql` is returned;
 *    its `clarify` (its own, or "could not turn that into a query I trust") and its failures
 *    (unreachable, timed out) give back the embedded clarify instead: those options are
 *    questions the embedded planner answers as they stand, so picking one always works;
 *  - no LLM: exactly the embedded planner.
 */

export interface HybridPlanner {
  plan(question: string, ctx: PlanContext): Promise<LlmOutcome>;
}

export function createHybridPlanner(embedded: Planner, llm: LlmPlanner | undefined, log?: Logger): HybridPlanner {
  const hlog = log?.child({ module: 'ask.hybrid' });
  return {
    async plan(question, ctx) {
      const first = embedded.plan(question, ctx);
      if (first.status !== 'clarify' || !llm) return first;
      let second: LlmOutcome;
      try {
        second = await llm.plan(question, ctx);
      } catch (err) {
        // The asker still gets a useful answer; operators get the reason.
        const e = err instanceof OpsightError ? err : undefined;
        hlog?.warn({ err: e ? { code: e.code, message: e.message, retriable: e.retriable } : String(err) }, 'LLM planner failed; answering with the embedded clarify');
        return first;
      }
      return second.status === 'clarify' ? first : second;
    },
  };
}
