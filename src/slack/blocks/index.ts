/**
 * Block Kit builders: pure functions from data to blocks (no client, clock, env or I/O; `now`
 * and the time zone are passed in). Everything they return fits Slack's limits: text that
 * does not fit is cut visibly, with a pointer to where the rest is.
 */
export * as limits from './limits.js';
export { fit, escapeMrkdwn, oneLine, bold, italic, code, link, user, channel } from './text.js';
export {
  plain,
  mrkdwn,
  header,
  section,
  fields,
  context,
  divider,
  image,
  button,
  actions,
  codeBlock,
  type SectionOptions,
  type ContextPart,
  type ButtonOptions,
  type ConfirmOptions,
} from './kit.js';
export { table, tableText, type TableColumn, type TableInput } from './table.js';
export { message, type SlackMessage } from './message.js';
export { modal, homeView, type ModalOptions, type HomeViewOptions } from './view.js';
export { formatDuration, formatWhen, formatRelative, type Instant } from './format.js';
export { helpBlocks, helpMessage, type HelpCommand } from './help.js';
export { statusBlocks, statusMessage, type StatusInput } from './status.js';
export { homeBlocks, type HomeData, type HomeAlert, type HomeApproval, type HomeDigest, type HomeClock } from './home.js';
export { workingBlocks, errorBlocks, workingMessage, errorMessage } from './feedback.js';
export { answerMessage, answerTable, sqlMessage, askModal, ASK_MODAL, ASK_ACTIONS, type AnswerOptions } from './ask.js';
export {
  alertCard,
  alertThreadReply,
  silenceModal,
  mentionText,
  valueVsExpected,
  formatBand,
  formatDelta,
  actionButtonValue,
  ALERT_ACTIONS,
  SILENCE_MODAL,
  SILENCE_DURATIONS,
  DEFAULT_SILENCE,
  MAX_SILENCE_REASON,
  ACTIONS_UNAVAILABLE_NOTE,
  type AlertCardInput,
  type AlertSeriesView,
  type Band,
  type SilenceChoice,
  type ThreadReplyOptions,
} from './alert.js';
