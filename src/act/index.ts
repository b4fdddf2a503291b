export {
  loadTools,
  checkTools,
  PARAM_TYPES,
  RISKS,
  TITLE_MAX_CHARS,
  type Tool,
  type ToolCatalog,
  type ToolParam,
  type ToolRun,
  type ParamType,
  type ParamValue,
  type Risk,
} from './tools.js';
export {
  suggestActions,
  checkActionTemplates,
  DEFAULT_MAX_ACTIONS,
  type ActionSuggestion,
  type SuggestedAction,
  type SuggestOptions,
  type SkippedSuggestion,
  type ActionProblem,
} from './suggest.js';
export { unavailableGateway, type ActionGateway, type ActionRequest, type ActionResult, type ActionStatus } from './gateway.js';
