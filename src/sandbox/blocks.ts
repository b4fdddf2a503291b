import { validateBlocks, validateView, type BlockProblem } from './blockkit/index.js';

/**
 * Block Kit checks for every place the bot sends blocks (chat.*, files, response_url, acks,
 * views), worded as Slack's `invalid_blocks` answer: `[ERROR] <message> [json-pointer:<pointer>]`.
 */

export type BlockSurface = 'message' | 'modal' | 'home';

function asMessages(problems: BlockProblem[]): string[] {
  return problems.map((p) => `[ERROR] ${p.message} [json-pointer:${p.pointer}]`);
}

/** Slack's wording for each problem; empty when the blocks are valid. */
export function blockErrors(blocks: unknown, surface: BlockSurface): string[] {
  return asMessages(validateBlocks(blocks, surface));
}

export function viewErrors(view: unknown): string[] {
  return asMessages(validateView(view));
}
