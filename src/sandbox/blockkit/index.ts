/**
 * Block Kit validation for the Slack sandbox: rejects exactly what Slack documents it rejects
 * (structure, unknown types and properties, limits, duplicate ids), worded like Slack's
 * `invalid_blocks` messages. Pointers start at "/blocks/…" for validateBlocks and at
 * "/view/…" for validateView. Slack prints each as `[ERROR] <message> [json-pointer:<pointer>]`.
 */
export type { BlockProblem } from './problems.js';
export { validateBlocks, validateView } from './validate.js';
