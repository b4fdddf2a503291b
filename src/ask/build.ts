import type { Logger } from '../ops/index.js';
import type { Catalog } from '../semantic/index.js';
import type { Store } from '../store/index.js';
import { createHybridPlanner, createLlmPlanner, loadPrompts } from './llm/index.js';
import { createPlanner, type QuestionPlanner } from './planner.js';
import { checkSqlWithEngine } from './sql/index.js';

export interface PlannerConfig {
  /** OPENAI_* from the environment; undefined = the embedded planner alone. */
  llm: { apiKey: string | undefined; baseUrl: string | undefined; model: string } | undefined;
  promptsDir: string;
}

/**
 * The planner every surface uses: the embedded one, and with an LLM configured the hybrid
 * that asks the LLM only what the embedded planner would clarify. Prompts load here, so a
 * broken prompts/ file stops start-up with file:line rather than failing a question later.
 */
export function createQuestionPlanner(config: PlannerConfig, catalog: Catalog, store: Store | (() => Promise<Store>), log: Logger): QuestionPlanner {
  const embedded = createPlanner(catalog);
  if (!config.llm) return embedded;
  const llm = createLlmPlanner({
    catalog,
    prompts: loadPrompts(config.promptsDir, catalog),
    llm: config.llm,
    log,
    // The LLM's SQL is checked before the planner returns it (one repair on refusal) and
    // again by runFreeformSql before it runs.
    checkSql: async (sql) => checkSqlWithEngine(typeof store === 'function' ? await store() : store, sql),
  });
  return createHybridPlanner(embedded, llm, log);
}
