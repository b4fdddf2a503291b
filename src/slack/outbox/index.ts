export {
  SlackOutbox,
  createOutbox,
  type SlackApiClient,
  type OutboxItem,
  type OutboxCall,
  type OutboxJob,
  type Coalescer,
  type Sleep,
  type OutboxOptions,
  type OutboxCloseOptions,
  type OutboxMessage,
  type PostOptions,
  type PngFile,
} from './outbox.js';
export { classifyFailure, RETRIABLE_SLACK_ERRORS, type SendFailure } from './classify.js';
