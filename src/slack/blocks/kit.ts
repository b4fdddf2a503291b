import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  ContextBlockElement,
  DividerBlock,
  HeaderBlock,
  ImageBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
  SectionBlockAccessory,
} from '@slack/types';
import {
  MAX_ACTIONS_ELEMENTS,
  MAX_ACTION_ID,
  MAX_BLOCK_ID,
  MAX_BUTTON_TEXT,
  MAX_BUTTON_VALUE,
  MAX_CONFIRM_BUTTON,
  MAX_CONFIRM_TEXT,
  MAX_CONFIRM_TITLE,
  MAX_CONTEXT_ELEMENTS,
  MAX_FIELDS,
  MAX_FIELD_TEXT,
  MAX_HEADER_TEXT,
  MAX_IMAGE_ALT,
  MAX_IMAGE_TITLE,
  MAX_SECTION_TEXT,
  MAX_TEXT,
  MAX_URL,
} from './limits.js';
import { cutParts, escapeMrkdwn, fit, oneLine, orDash } from './text.js';

/**
 * Small constructors for the blocks opsight sends. Each one keeps its output within Slack's
 * limits: text that does not fit is cut visibly (see `fit`), lists that do not fit are split
 * or summarised. Identifiers and values are data, not prose: cutting them would corrupt them
 * silently, so an over-long one is a programming error and throws a RangeError.
 */

export const plain = (text: string, max = MAX_TEXT): PlainTextElement => ({
  type: 'plain_text',
  text: fit(orDash(oneLine(text)), max),
  emoji: true,
});

export const mrkdwn = (text: string, max = MAX_TEXT, more?: string): MrkdwnElement => ({
  type: 'mrkdwn',
  text: fit(orDash(text), max, more),
});

function checkId(kind: string, value: string, max: number): string {
  if (value.length === 0 || value.length > max) {
    throw new RangeError(`${kind} must have 1 to ${max} characters (Slack's limit), got ${value.length}: ${value.slice(0, 40)}…`);
  }
  return value;
}

/** A header: plain text on one line, at most 150 characters. */
export function header(text: string, blockId?: string): HeaderBlock {
  return { type: 'header', text: plain(text, MAX_HEADER_TEXT), ...(blockId ? { block_id: checkId('block_id', blockId, MAX_BLOCK_ID) } : {}) };
}

export interface SectionOptions {
  accessory?: SectionBlockAccessory;
  /** Label/value pairs shown in two columns, built with `fields()`. */
  fields?: MrkdwnElement[];
  /** Where the rest is when the text is cut: "full table in the thread". */
  more?: string;
  blockId?: string;
}

/** A section of mrkdwn (already escaped/formatted by the caller), cut to 3000 characters. */
export function section(text: string, options: SectionOptions = {}): SectionBlock {
  const block: SectionBlock = { type: 'section' };
  if (options.blockId) block.block_id = checkId('block_id', options.blockId, MAX_BLOCK_ID);
  if (text.trim() !== '' || !options.fields?.length) block.text = mrkdwn(text, MAX_SECTION_TEXT, options.more);
  if (options.fields?.length) block.fields = options.fields.slice(0, MAX_FIELDS);
  if (options.accessory) block.accessory = options.accessory;
  return block;
}

/**
 * Two-column fields from plain label/value pairs (escaped here): `*label*\nvalue`, each cut to
 * 2000 characters. Slack takes 10; with more, the first 9 are kept and the 10th says how many
 * are left out and where they are.
 */
export function fields(pairs: ReadonlyArray<readonly [label: string, value: string]>, more?: string): MrkdwnElement[] {
  const one = ([label, value]: readonly [string, string]) =>
    mrkdwn(`*${escapeMrkdwn(orDash(oneLine(label)))}*\n${escapeMrkdwn(orDash(value))}`, MAX_FIELD_TEXT);
  if (pairs.length <= MAX_FIELDS) return pairs.map(one);
  const left = pairs.length - (MAX_FIELDS - 1);
  return [...pairs.slice(0, MAX_FIELDS - 1).map(one), mrkdwn(`_… and ${left} more${more ? ` (${more})` : ''}_`, MAX_FIELD_TEXT)];
}

/** A part of a context line: mrkdwn text, or a small image. */
export type ContextPart = string | { imageUrl: string; alt: string };

/**
 * A context line (small grey text and icons). Slack takes 10 elements; past 9, the rest are
 * joined into the 10th so nothing disappears silently.
 */
export function context(parts: readonly ContextPart[]): ContextBlock {
  const element = (p: ContextPart): ContextBlockElement =>
    typeof p === 'string'
      ? mrkdwn(p)
      : p.imageUrl.length <= MAX_URL
        ? { type: 'image', image_url: p.imageUrl, alt_text: fit(orDash(oneLine(p.alt)), MAX_IMAGE_ALT) }
        : mrkdwn(escapeMrkdwn(orDash(oneLine(p.alt))));
  const list = parts.length === 0 ? ['—'] : parts;
  if (list.length <= MAX_CONTEXT_ELEMENTS) return { type: 'context', elements: list.map(element) };
  const rest = list
    .slice(MAX_CONTEXT_ELEMENTS - 1)
    .map((p) => (typeof p === 'string' ? p : escapeMrkdwn(p.alt)))
    .join('  ·  ');
  return { type: 'context', elements: [...list.slice(0, MAX_CONTEXT_ELEMENTS - 1).map(element), mrkdwn(rest)] };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

/**
 * An image block. A URL cannot be cut without breaking it, so one longer than Slack's 3000
 * characters becomes a context line saying the image is not shown (with its alt text).
 */
export function image(url: string, alt: string, title?: string): ImageBlock | ContextBlock {
  if (url.length === 0 || url.length > MAX_URL) {
    return context([`🖼 _Image not shown: its address is longer than Slack allows._ ${escapeMrkdwn(oneLine(alt))}`]);
  }
  return {
    type: 'image',
    image_url: url,
    alt_text: fit(orDash(oneLine(alt)), MAX_IMAGE_ALT),
    ...(title !== undefined ? { title: plain(title, MAX_IMAGE_TITLE) } : {}),
  };
}

export interface ConfirmOptions {
  title: string;
  text: string;
  confirm: string;
  deny: string;
  style?: 'primary' | 'danger';
}

export interface ButtonOptions {
  text: string;
  actionId: string;
  value?: string;
  style?: 'primary' | 'danger';
  url?: string;
  confirm?: ConfirmOptions;
}

/** A button; its label is cut to 75 characters, its confirmation dialog to Slack's limits. */
export function button(o: ButtonOptions): Button {
  const b: Button = { type: 'button', text: plain(o.text, MAX_BUTTON_TEXT), action_id: checkId('action_id', o.actionId, MAX_ACTION_ID) };
  if (o.value !== undefined) b.value = checkId('button value', o.value, MAX_BUTTON_VALUE);
  if (o.url !== undefined) b.url = checkId('button url', o.url, MAX_URL);
  if (o.style) b.style = o.style;
  if (o.confirm) {
    const c: ConfirmationDialog = {
      title: plain(o.confirm.title, MAX_CONFIRM_TITLE),
      text: plain(o.confirm.text, MAX_CONFIRM_TEXT),
      confirm: plain(o.confirm.confirm, MAX_CONFIRM_BUTTON),
      deny: plain(o.confirm.deny, MAX_CONFIRM_BUTTON),
    };
    if (o.confirm.style) c.style = o.confirm.style;
    b.confirm = c;
  }
  return b;
}

/**
 * Buttons in rows. Slack takes 25 elements per actions block, so more buttons become several
 * actions blocks of at most 25; their block_ids are `blockId`, `blockId-2`, `blockId-3`, ….
 */
export function actions(buttons: readonly Button[], blockId?: string): ActionsBlock[] {
  const out: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += MAX_ACTIONS_ELEMENTS) {
    const block: ActionsBlock = { type: 'actions', elements: buttons.slice(i, i + MAX_ACTIONS_ELEMENTS) };
    if (blockId) {
      const n = i / MAX_ACTIONS_ELEMENTS + 1;
      const suffix = n === 1 ? '' : `-${n}`;
      block.block_id = checkId('block_id', blockId, MAX_BLOCK_ID).slice(0, MAX_BLOCK_ID - suffix.length) + suffix;
    }
    out.push(block);
  }
  return out;
}

/**
 * A fenced code block of `text` (escaped here) within `max` characters of mrkdwn. A cut keeps
 * the fence closed and puts the marker after it. "```" inside the text would close the fence
 * early, so a zero-width space is put between its backticks.
 */
export function codeBlock(text: string, max = MAX_SECTION_TEXT, more?: string): string {
  const body = escapeMrkdwn(text.replaceAll('```', '`\u200b`\u200b`')).replace(/\n+$/, '');
  const open = '```\n';
  const close = '\n```';
  const whole = open + orDash(body, ' ') + close;
  if (whole.length <= max) return whole;
  // Cut the body alone (one unit kept for the line break after the fence), marker outside.
  const parts = cutParts(body, max - open.length - close.length - 1, more);
  if (parts === null) return whole; // unreachable: the body did not fit above
  return open + orDash(parts.head.replace(/\n+$/, ''), ' ') + close + '\n' + parts.marker;
}
