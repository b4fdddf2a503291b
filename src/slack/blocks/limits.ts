/**
 * Slack's Block Kit limits, as the builders enforce them (by cutting visibly, never by
 * letting Slack reject a message). Source: Slack's Block Kit reference,
 * https://docs.slack.dev/reference/block-kit/ (blocks, block elements, composition objects,
 * views). Lengths are counted in UTF-16 code units (`string.length`): never fewer than the
 * characters Slack counts, so text cut to these numbers fits whichever way Slack counts.
 */

/** "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs." */
export const MAX_BLOCKS_MESSAGE = 50;
export const MAX_BLOCKS_VIEW = 100;

/** Text objects and section text: 1–3000 characters. */
export const MAX_TEXT = 3000;
export const MAX_SECTION_TEXT = 3000;
/** Section fields: at most 10, each at most 2000 characters. */
export const MAX_FIELDS = 10;
export const MAX_FIELD_TEXT = 2000;
/** Header block: plain_text of at most 150 characters. */
export const MAX_HEADER_TEXT = 150;
/** Context block: at most 10 elements. */
export const MAX_CONTEXT_ELEMENTS = 10;
/** Actions block: "There is a maximum of 25 elements in each action block." */
export const MAX_ACTIONS_ELEMENTS = 25;

/** Button element: text 75, value 2000, url 3000. */
export const MAX_BUTTON_TEXT = 75;
export const MAX_BUTTON_VALUE = 2000;
export const MAX_URL = 3000;
/** Confirmation dialog: title 100, text 300, confirm and deny 30. */
export const MAX_CONFIRM_TITLE = 100;
export const MAX_CONFIRM_TEXT = 300;
export const MAX_CONFIRM_BUTTON = 30;

/** Image block: alt_text and title at most 2000 characters. */
export const MAX_IMAGE_ALT = 2000;
export const MAX_IMAGE_TITLE = 2000;

/** block_id and action_id: at most 255 characters. */
export const MAX_BLOCK_ID = 255;
export const MAX_ACTION_ID = 255;

/** View object: title, submit, close at most 24; private_metadata 3000; callback_id 255. */
export const MAX_VIEW_TITLE = 24;
export const MAX_VIEW_BUTTON = 24;
export const MAX_PRIVATE_METADATA = 3000;
export const MAX_CALLBACK_ID = 255;

/**
 * Message `text` (the fallback and notification text): Slack truncates past 40,000 and
 * recommends keeping it short; we keep it to 3000 like section text.
 */
export const MAX_FALLBACK_TEXT = 3000;
