import type { Logger } from '../ops/index.js';
import type { Catalog } from '../semantic/index.js';
import type { Store } from '../store/index.js';
import { createHybridPlanner, createLlmPlanner, loadPrompts } from './llm/index.js';
import { createPlanner, type Planner, type QuestionPlanner } from './planner.js';
import { loadSeenValues } from './seen-values.js';
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
export interface RefreshablePlanner extends QuestionPlanner {
  /** Re-reads the dimension values present in the data into the embedded planner's words. */
  refreshValues(): Promise<void>;
}

export function createQuestionPlanner(config: PlannerConfig, catalog: Catalog, store: Store | (() => Promise<Store>), log: Logger): RefreshablePlanner {
  const getStore = async () => (typeof store === 'function' ? await store() : store);
  let current = createPlanner(catalog);
  // One object whose inner planner is swapped on refresh, so the hybrid below keeps using it.
  const embedded: Planner = { plan: (question, ctx) => current.plan(question, ctx) };
  const refreshValues = async () => {
    const seen = await loadSeenValues(await getStore());
    current = createPlanner(catalog, { seenValues: seen });
    log.debug({ module: 'ask', dimensions: Object.keys(seen).length }, 'planner learned the dimension values in the data');
  };
  if (!config.llm) return { plan: embedded.plan, refreshValues };
  const llm = createLlmPlanner({
    catalog,
    prompts: loadPrompts(config.promptsDir, catalog),
    llm: config.llm,
    log,
    // The LLM's SQL is checked before the planner returns it (one repair on refusal) and
    // again by runFreeformSql before it runs.
    checkSql: async (sql) => checkSqlWithEngine(await getStore(), sql),
  });
  const hybrid = createHybridPlanner(embedded, llm, log);
  return { plan: (question, ctx) => hybrid.plan(question, ctx), refreshValues };
}
