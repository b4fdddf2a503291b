import { BLOCK, LIMIT, VIEW } from './schemas.js';
import { pointerOf, problemsFrom, type BlockProblem } from './problems.js';

export type Surface = 'message' | 'modal' | 'home';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a `blocks` array as Slack does before accepting chat.postMessage/chat.update
 * (surface "message") or a view (surface "modal" | "home"). Returns every problem found,
 * empty when Slack would accept it. Pointers start at "/blocks/…".
 */
export function validateBlocks(blocks: unknown, surface: Surface): BlockProblem[] {
  return blocksAt(blocks, surface, '/blocks');
}

/**
 * Checks a view object (views.open/update/push/publish) including its blocks. Pointers start
 * at "/view/…", as Slack reports them for the `view` argument.
 */
export function validateView(view: unknown): BlockProblem[] {
  const base = '/view';
  const parsed = VIEW.safeParse(view);
  const problems = parsed.success ? [] : problemsFrom(parsed.error.issues, view, base);
  if (!isRecord(view) || !Array.isArray(view.blocks)) return problems;
  problems.push(...blocksAt(view.blocks, view.type === 'home' ? 'home' : 'modal', `${base}/blocks`));
  // Views reference: "submit is required when an input block is within the blocks array".
  if (view.type === 'modal' && view.submit === undefined && view.blocks.some((b) => isRecord(b) && b.type === 'input')) {
    problems.push({ pointer: base, message: 'missing required field: submit (a modal with input blocks needs a submit button)' });
  }
  return problems;
}

function blocksAt(blocks: unknown, surface: Surface, base: string): BlockProblem[] {
  if (!Array.isArray(blocks)) return [{ pointer: base, message: 'must provide an array' }];
  const problems: BlockProblem[] = [];
  const max = surface === 'message' ? LIMIT.blocksPerMessage : LIMIT.blocksPerView;
  if (blocks.length > max) problems.push({ pointer: base, message: `no more than ${max} items allowed` });
  blocks.forEach((block, i) => {
    const parsed = BLOCK.safeParse(block);
    if (!parsed.success) problems.push(...problemsFrom(parsed.error.issues, block, `${base}/${i}`));
  });
  problems.push(...identityProblems(blocks, base));
  return problems;
}

/** Interactive elements of one block, with their path inside it. */
function elementsOf(block: Record<string, unknown>): Array<[Record<string, unknown>, PropertyKey[]]> {
  const found: Array<[Record<string, unknown>, PropertyKey[]]> = [];
  if (isRecord(block.accessory)) found.push([block.accessory, ['accessory']]);
  if (isRecord(block.element)) found.push([block.element, ['element']]);
  if (block.type === 'actions' && Array.isArray(block.elements)) {
    block.elements.forEach((el, j) => isRecord(el) && found.push([el, ['elements', j]]));
  }
  return found;
}

/**
 * Rules that span blocks, which no per-block schema can see:
 * - block_id "should be unique for each message or view" (Slack rejects duplicates);
 * - action_id "should be unique among all other action_ids in the containing block": Slack
 *   scopes it to the block, and apps rely on that to route every "approve" button to one
 *   listener, so the same action_id in two blocks is accepted;
 * - focus_on_load: "Only one element can be set to true".
 */
function identityProblems(blocks: unknown[], base: string): BlockProblem[] {
  const problems: BlockProblem[] = [];
  const blockIds = new Set<string>();
  let focused = false;
  blocks.forEach((block, i) => {
    if (!isRecord(block)) return;
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) problems.push({ pointer: `${base}/${i}/block_id`, message: 'duplicate block_id' });
      blockIds.add(block.block_id);
    }
    const actionIds = new Set<string>();
    for (const [el, path] of elementsOf(block)) {
      if (typeof el.action_id === 'string') {
        if (actionIds.has(el.action_id)) {
          problems.push({ pointer: pointerOf(`${base}/${i}`, [...path, 'action_id']), message: 'duplicate action_id' });
        }
        actionIds.add(el.action_id);
      }
      if (el.focus_on_load === true) {
        if (focused) {
          problems.push({
            pointer: pointerOf(`${base}/${i}`, [...path, 'focus_on_load']),
            message: 'only one element may have focus_on_load set to true',
          });
        }
        focused = true;
      }
    }
  });
  return problems;
}
