export { createLlmPlanner, type LlmPlanner, type LlmPlannerOptions, type LlmConnection, type SqlVerdict } from './planner.js';
export { createHybridPlanner, type HybridPlanner } from './hybrid.js';
export { checkOutput, describeWindow, type LlmOutcome, type Checked } from './check.js';
export { llmOutputSchema, wireSchema, readReply, ANSWER_FUNCTION, LLM_OUTPUT_KINDS, type LlmOutput, type LlmOutputKind, type ReplyMessage, type ReadReply } from './output.js';
export {
  loadPrompts,
  renderSystemPrompt,
  renderUserPrompt,
  renderRepairPrompt,
  renderMetrics,
  renderDimensions,
  renderRollupTables,
  renderCalendar,
  PROMPT_FILES,
  type LlmPrompts,
  type PromptExample,
  type PromptTemplate,
} from './prompts.js';
export { LLM_UNAVAILABLE_MESSAGE, type StructuredMethod } from './model.js';
