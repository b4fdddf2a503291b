import type { HomeView, KnownBlock, ModalView } from '@slack/types';
import { plain } from './kit.js';
import { MAX_BLOCKS_VIEW, MAX_CALLBACK_ID, MAX_PRIVATE_METADATA, MAX_VIEW_BUTTON, MAX_VIEW_TITLE } from './limits.js';
import { fitBlocks } from './message.js';

export interface ModalOptions {
  /** Cut to Slack's 24 characters (ending in "…"). */
  title: string;
  blocks: readonly KnownBlock[];
  /** Submit button label; a modal with input blocks gets "Submit" if none is given (Slack requires one). */
  submit?: string;
  close?: string;
  callbackId: string;
  /** Returned to us on submit; at most 3000 characters (data, so never cut: too long throws). */
  privateMetadata?: string;
  /** Where the rest is if blocks past 100 are left out. */
  more?: string;
}

function checkLength(kind: string, value: string, max: number): string {
  if (value.length > max) throw new RangeError(`${kind} must have at most ${max} characters (Slack's limit), got ${value.length}`);
  return value;
}

/** A modal view (views.open/update/push), within Slack's limits. */
export function modal(o: ModalOptions): ModalView {
  const blocks = fitBlocks(o.blocks, MAX_BLOCKS_VIEW, o.more);
  const view: ModalView = {
    type: 'modal',
    title: plain(o.title, MAX_VIEW_TITLE),
    blocks,
    callback_id: checkLength('callback_id', o.callbackId, MAX_CALLBACK_ID),
  };
  const submit = o.submit ?? (blocks.some((b) => b.type === 'input') ? 'Submit' : undefined);
  if (submit !== undefined) view.submit = plain(submit, MAX_VIEW_BUTTON);
  if (o.close !== undefined) view.close = plain(o.close, MAX_VIEW_BUTTON);
  if (o.privateMetadata !== undefined) view.private_metadata = checkLength('private_metadata', o.privateMetadata, MAX_PRIVATE_METADATA);
  return view;
}

export interface HomeViewOptions {
  callbackId?: string;
  privateMetadata?: string;
  more?: string;
}

/** A Home tab view (views.publish), within Slack's 100 blocks. */
export function homeView(blocks: readonly KnownBlock[], o: HomeViewOptions = {}): HomeView {
  const view: HomeView = { type: 'home', blocks: fitBlocks(blocks, MAX_BLOCKS_VIEW, o.more) };
  if (o.callbackId !== undefined) view.callback_id = checkLength('callback_id', o.callbackId, MAX_CALLBACK_ID);
  if (o.privateMetadata !== undefined) view.private_metadata = checkLength('private_metadata', o.privateMetadata, MAX_PRIVATE_METADATA);
  return view;
}
