import type { ArgSpec, MethodSpec } from './extract.js';

/**
 * What the 2020 spec (methods.json) does not say, written by hand from @slack/web-api 8.2's
 * request types (node_modules/@slack/web-api/dist/types/request/*.d.ts) and Slack's method docs.
 */

const optional = (type: ArgSpec['type']): ArgSpec => ({ required: false, type });
const required = (type: ArgSpec['type']): ArgSpec => ({ required: true, type });

/**
 * Methods newer than the spec. files.* are what WebClient.files.uploadV2 calls
 * (request/files.d.ts FilesGetUploadURLExternalArguments, FilesCompleteUploadExternalArguments);
 * apps.connections.open is how Socket Mode gets its WebSocket URL (request/apps.d.ts: no arguments).
 */
export const EXTRA_METHODS: Readonly<Record<string, MethodSpec>> = {
  'files.getUploadURLExternal': {
    args: { alt_text: optional('string'), filename: required('string'), length: required('integer'), snippet_type: optional('string') },
    scope: 'files:write',
  },
  'files.completeUploadExternal': {
    args: {
      blocks: optional('string'),
      channel_id: optional('string'),
      files: required('string'),
      initial_comment: optional('string'),
      thread_ts: optional('string'),
    },
    scope: 'files:write',
  },
  'apps.connections.open': { args: {}, scope: 'connections:write' },
};

/**
 * Arguments @slack/web-api's current request types accept on spec'd methods that the 2020 spec
 * predates. Allowed, so the bot may use them; anything else unknown is a typo (a violation).
 */
export const EXTRA_ARGS: Readonly<Record<string, Record<string, ArgSpec>>> = {
  // request/chat.d.ts: ChatPostMessageMetadata (message metadata) and MarkdownText (markdown_text).
  'chat.postMessage': { markdown_text: optional('string'), metadata: optional('string') },
  // request/chat.d.ts ChatUpdateArguments: Metadata, file_ids, reply_broadcast, MarkdownText.
  'chat.update': { file_ids: optional('string'), markdown_text: optional('string'), metadata: optional('string'), reply_broadcast: optional('boolean') },
  // request/chat.d.ts ChatPostEphemeralArguments: MessageContents includes MarkdownText.
  'chat.postEphemeral': { markdown_text: optional('string') },
  // request/conversations.d.ts ConversationsRepliesArguments extends IncludeAllMetadata.
  'conversations.replies': { include_all_metadata: optional('boolean') },
};

/**
 * Accepted on every method: WebClient sends its `teamId` option as team_id on every call
 * (WebClient.apiCall), and org-wide apps need it (request/common.d.ts OptionalTeamAssignable).
 */
export const GLOBAL_ARGS: Readonly<Record<string, ArgSpec>> = { team_id: optional('string') };

/**
 * The 2020 spec marks these optional, but Slack's method pages require them (a call without
 * them fails on real Slack), so the sandbox treats them as required.
 */
export const REQUIRED_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  'chat.delete': ['channel', 'ts'],
  'conversations.info': ['channel'],
  'conversations.replies': ['channel', 'ts'],
  'users.info': ['user'],
};

/**
 * Arguments whose value is JSON. WebClient JSON-stringifies objects and arrays in form bodies
 * (WebClient.serializeBody); JSON bodies carry them as they are. The spec calls them strings.
 */
export const STRUCTURED_ARGS: Readonly<Record<string, 'array' | 'object'>> = {
  attachments: 'array',
  blocks: 'array',
  file_ids: 'array',
  files: 'array',
  metadata: 'object',
  view: 'object',
};
