import type { KnownBlock } from '@slack/types';
import { context } from './kit.js';
import { MAX_ACTION_ID, MAX_BLOCKS_MESSAGE, MAX_BLOCK_ID, MAX_FALLBACK_TEXT } from './limits.js';
import { fit, orDash } from './text.js';

/** What chat.postMessage / chat.update take besides the channel. */
export interface SlackMessage {
  /** Fallback and notification text (mrkdwn), at most 3000 characters. */
  text: string;
  blocks: KnownBlock[];
}

/**
 * A message: blocks within Slack's 50, ids made unique, and fallback text within 3000 (it is
 * what notifications and screen readers show). Past 50 blocks, the first 49 are kept and the
 * 50th says how many are not shown and, if `more` is given, where they are.
 */
export function message(blocks: readonly KnownBlock[], fallbackText: string, more?: string): SlackMessage {
  return {
    text: fit(orDash(fallbackText, 'opsight'), MAX_FALLBACK_TEXT),
    blocks: fitBlocks(blocks, MAX_BLOCKS_MESSAGE, more),
  };
}

/** Caps `blocks` at `max` (the last one saying what was left out) and de-duplicates ids. */
export function fitBlocks(blocks: readonly KnownBlock[], max: number, more?: string): KnownBlock[] {
  const copy = structuredClone(blocks) as KnownBlock[];
  let kept = copy;
  if (copy.length > max) {
    const left = copy.length - (max - 1);
    kept = [
      ...copy.slice(0, max - 1),
      context([`_… ${left.toLocaleString('en-US')} more block${left === 1 ? '' : 's'} not shown${more ? ` (${more})` : ''}_`]),
    ];
  }
  return uniqueIds(kept);
}

/** `id`, or `id-2`, `id-3`, … (cut to `max`) if taken; records the one returned. */
function claim(taken: Set<string>, id: string, max: number): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n++) candidate = id.slice(0, max - `-${n}`.length) + `-${n}`;
  taken.add(candidate);
  return candidate;
}

type WithActionId = { action_id?: string };

/**
 * Slack rejects a repeated block_id anywhere in a message or view, and a repeated action_id
 * within one block ("unique among all other action_ids in the containing block"). Repeats are
 * suffixed (`approve-2`). action_ids repeated across blocks are left alone: Slack accepts them,
 * and listeners route on them (every alert's "Approve" is one listener).
 */
function uniqueIds(blocks: KnownBlock[]): KnownBlock[] {
  const blockIds = new Set<string>();
  for (const block of blocks) {
    if (block.block_id !== undefined) block.block_id = claim(blockIds, block.block_id, MAX_BLOCK_ID);
    const actionIds = new Set<string>();
    const elements: WithActionId[] = [];
    if ('accessory' in block && block.accessory) elements.push(block.accessory as WithActionId);
    if ('element' in block && block.element) elements.push(block.element as WithActionId);
    if (block.type === 'actions') elements.push(...(block.elements as WithActionId[]));
    for (const el of elements) {
      if (el.action_id !== undefined) el.action_id = claim(actionIds, el.action_id, MAX_ACTION_ID);
    }
  }
  return blocks;
}
