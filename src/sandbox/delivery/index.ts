/** How Slack reaches the bot: signed HTTP requests or Socket Mode envelopes, and what they carry. */
export { createHttpDeliverer, encodeForHttp, type Deliverer, type Delivery, type DeliveryResult, type HttpDelivererOptions } from './http.js';
export { createSocketHub, type SocketHub, type SocketHubOptions } from './socket.js';
export { STALE_BY_SEC, signedHeaders, slackSignature, type Tamper } from './sign.js';
export {
  VERIFICATION_TOKEN,
  appHomeOpenedEvent,
  appMentionEvent,
  blockActionsPayload,
  channelType,
  eventCallback,
  messageEvent,
  slashCommandPayload,
  viewSubmissionPayload,
  type PersonMessage,
  type ViewResponseUrl,
} from './payloads.js';
