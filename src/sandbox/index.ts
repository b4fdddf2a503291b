/**
 * The Slack-compatible sandbox: the Web API subset the bot uses, signed deliveries (HTTP) and
 * Socket Mode, conversation state, and a web page. The other end of the wire from src/slack/.
 */
export { createSandbox, type Sandbox, type SandboxOptions, type WaitForOptions } from './sandbox.js';
export { SandboxUsageError, type DeliveryOptions, type PostedMessage } from './people.js';
export { slackSignature, type DeliveryResult, type Tamper } from './delivery/index.js';
export type { SandboxCall } from './calls.js';
export { VIOLATION_ERRORS } from './calls.js';
export type { SandboxFile, SandboxMessage, SandboxView } from './state.js';
export {
  DEFAULT_WORKSPACE_FILE,
  SUBSCRIBABLE_EVENTS,
  buildWorkspace,
  imChannelId,
  loadWorkspaceSeed,
  workspaceSeedSchema,
  type SandboxChannel,
  type SeedUser,
  type SeedUsergroup,
  type SubscribableEvent,
  type Workspace,
  type WorkspaceSeed,
} from './workspace.js';
export {
  METHODS_FILE,
  SPEC_FILE_NAME,
  SPEC_METHODS,
  buildMethodTable,
  buildMethodsExtract,
  formatMethodsExtract,
  readMethodsExtract,
  type MethodTable,
  type MethodsExtract,
  type ResolvedMethod,
} from './spec/index.js';
