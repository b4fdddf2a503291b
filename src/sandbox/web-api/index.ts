/** The Slack Web API subset: request parsing, argument checks against the spec, and behaviour. */
export { parseApiRequest, validateArgs, type ArgsResult, type ParseResult, type ParsedRequest } from './args.js';
export {
  addBotMessage,
  checkContent,
  fail,
  resolveChannel,
  resolveThread,
  MAX_TEXT_CHARS,
  type ApiContext,
  type BotMessageInput,
  type MethodHandler,
  type MethodOutcome,
} from './context.js';
export { SERVED_METHODS, createRateLimits, dispatchApiCall, type ApiResponse, type DispatchDeps, type RateLimits } from './dispatch.js';
export { newViewHash } from './methods/index.js';
