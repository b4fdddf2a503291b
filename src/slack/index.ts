export { createSlackSurface, type SlackSurface, type SlackSurfaceOptions, type SlackConnection } from './surface.js';
export type { SlackServices, StatusReport, HomeReport, AskContext, AskReply, Messenger, OutgoingMessage, ZoneOf, AlertServices, AlertActor, AlertOutcome, SilenceRequest } from './deps.js';
export { slackDirectory, type SlackDirectoryOptions } from './directory.js';
export { createOutbox, SlackOutbox, type OutboxOptions } from './outbox/index.js';
