import { randomUUID } from 'node:crypto';
import { HttpError } from '../server/index.js';
import type { CallLog } from './calls.js';
import { viewErrors } from './blocks.js';
import {
  appHomeOpenedEvent,
  appMentionEvent,
  blockActionsPayload,
  eventCallback,
  messageEvent,
  slashCommandPayload,
  viewSubmissionPayload,
  type PersonMessage,
  type Deliverer,
  type Delivery,
  type DeliveryResult,
  type Tamper,
  type ViewResponseUrl,
} from './delivery/index.js';
import { applyResponse, type ResponseUrlBook } from './responses.js';
import { messageObject, viewObject } from './shapes.js';
import type { SandboxMessage, SandboxView } from './state.js';
import type { TriggerBook } from './triggers.js';
import { newViewHash, resolveChannel, resolveThread, type ApiContext } from './web-api/index.js';
import type { SandboxChannel, SeedUser, SubscribableEvent } from './workspace.js';

/**
 * What a person in Slack does, as the driving API: post, run a slash command, click a button,
 * submit a modal, open the app's home. Each delivers to the bot as Slack would and resolves after
 * the bot acked, applying what the ack asked for (an ephemeral reply, a modal update, …).
 */

/** A driving-API call that no person could make (unknown user, not in the channel, no such button). */
export class SandboxUsageError extends HttpError {
  constructor(message: string) {
    super(400, message);
    this.name = 'SandboxUsageError';
  }
}

export interface DeliveryOptions {
  /** HTTP mode only: send with a wrong signature or a stale timestamp; the bot must answer 401. */
  tamper?: Tamper;
}

export interface PostedMessage {
  ts: string;
  /** The bot's answer to the app_mention when one was delivered, else to the message event; undefined when nothing was delivered. */
  ack: DeliveryResult | undefined;
  /** Every delivery this message caused (message, app_mention), in order. */
  deliveries: { event: 'message' | 'app_mention'; result: DeliveryResult }[];
}

export interface PeopleDeps {
  ctx: ApiContext;
  deliverer: Deliverer;
  triggers: TriggerBook;
  responseUrls: ResponseUrlBook;
  calls: CallLog;
}

function person(deps: PeopleDeps, id: string): SeedUser {
  const u = deps.ctx.workspace.user(id);
  if (!u) throw new SandboxUsageError(`no user ${id} in the workspace; seeded users: ${deps.ctx.workspace.users.map((x) => x.id).join(', ')}`);
  if (u.deleted) throw new SandboxUsageError(`${id} is deactivated and cannot act in Slack`);
  if (u.id === deps.ctx.workspace.bot.userId) throw new SandboxUsageError(`${id} is the app's own bot user; act as a person`);
  return u;
}

function channelFor(deps: PeopleDeps, user: SeedUser, ref: string): SandboxChannel {
  const c = resolveChannel(deps.ctx.workspace, ref);
  if (!c) throw new SandboxUsageError(`no channel ${ref}; use an id (C0GENERAL, D0ALICE) or a #name`);
  if (!c.members.has(user.id)) throw new SandboxUsageError(`${user.id} is not a member of ${c.name ? `#${c.name}` : c.id}`);
  return c;
}

function subscribed(deps: PeopleDeps, e: SubscribableEvent): boolean {
  return deps.ctx.workspace.bot.events.has(e);
}

function eventDelivery(deps: PeopleDeps, event: Record<string, unknown>): Delivery {
  const eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  return { kind: 'events_api', payload: eventCallback(deps.ctx.workspace, event, { eventId, eventTimeSec: Math.floor(deps.ctx.now() / 1000) }) };
}

export async function postMessage(
  deps: PeopleDeps,
  p: { user: string; channel: string; text: string; thread_ts?: string },
  opts: DeliveryOptions = {},
): Promise<PostedMessage> {
  const ws = deps.ctx.workspace;
  const user = person(deps, p.user);
  const channel = channelFor(deps, user, p.channel);
  let threadTs: string | undefined;
  let parentUser: string | undefined;
  if (p.thread_ts) {
    const thread = resolveThread(deps.ctx.state, channel.id, p.thread_ts);
    if (!thread.ok) throw new SandboxUsageError(`no message ${p.thread_ts} in ${channel.id} to reply to`);
    threadTs = thread.parentTs;
    parentUser = deps.ctx.state.findMessage(channel.id, threadTs)?.user;
  }
  const stored: SandboxMessage = { channel: channel.id, ts: deps.ctx.state.nextTs(), user: user.id, text: p.text };
  if (threadTs) stored.thread_ts = threadTs;
  deps.ctx.state.addMessage(stored);

  const deliveries: PostedMessage['deliveries'] = [];
  const botHere = channel.members.has(ws.bot.userId);
  if (botHere) {
    const pm: PersonMessage = { user: user.id, channel, text: p.text, ts: stored.ts, clientMsgId: randomUUID(), ...(threadTs ? { threadTs, parentUser } : {}) };
    const messageSub = channel.kind === 'im' ? 'message.im' : channel.kind === 'private' ? 'message.groups' : 'message.channels';
    if (subscribed(deps, messageSub)) deliveries.push({ event: 'message', result: await deps.deliverer.deliver(eventDelivery(deps, messageEvent(ws, pm)), opts) });
    // Slack sends app_mention for mentions in channels, never in the app's DMs.
    if (channel.kind !== 'im' && p.text.includes(`<@${ws.bot.userId}>`) && subscribed(deps, 'app_mention')) {
      deliveries.push({ event: 'app_mention', result: await deps.deliverer.deliver(eventDelivery(deps, appMentionEvent(ws, pm)), opts) });
    }
  }
  const ack = deliveries.find((d) => d.event === 'app_mention')?.result ?? deliveries[0]?.result;
  return { ts: stored.ts, ack, deliveries };
}

function recordAck(deps: PeopleDeps, method: string, body: unknown, outcome: { ok: true } | { ok: false; error: string; messages: string[] }, violation?: string) {
  deps.calls.record({
    method,
    args: typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : { text: body },
    ok: outcome.ok && violation === undefined,
    status: 200,
    ...(outcome.ok ? {} : { error: outcome.error, messages: outcome.messages }),
    ...(violation ? { violation } : {}),
  });
}

function isEmptyAck(body: unknown): boolean {
  return body === undefined || body === null || body === '' || (typeof body === 'object' && Object.keys(body).length === 0);
}

export async function slashCommand(
  deps: PeopleDeps,
  p: { user: string; channel: string; command: string; text: string },
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const ws = deps.ctx.workspace;
  const user = person(deps, p.user);
  const channel = channelFor(deps, user, p.channel);
  if (!ws.bot.commands.includes(p.command)) throw new SandboxUsageError(`${p.command} is not a command this app registers (it has ${ws.bot.commands.join(', ')})`);
  const target = { channel: channel.id, user: user.id };
  const responseUrl = `${deps.ctx.publicBase()}/response/${deps.responseUrls.issue(target)}`;
  const payload = slashCommandPayload(ws, { user, channel, command: p.command, text: p.text, responseUrl, triggerId: deps.triggers.issue(user.id) });
  const result = await deps.deliverer.deliver({ kind: 'slash_commands', payload }, opts);
  if (result.status === 200 && !isEmptyAck(result.body)) {
    // Slack shows an ack body as the command's answer: ephemeral unless response_type is in_channel.
    const outcome = applyResponse(deps.ctx, target, result.body);
    recordAck(deps, 'slash_command.ack', result.body, outcome);
  }
  return result;
}

interface FoundButton {
  element: Record<string, unknown>;
  blockId: string;
}

/** Buttons of a message: in actions blocks and as section accessories. */
function buttonsOf(m: SandboxMessage): FoundButton[] {
  const found: FoundButton[] = [];
  (m.blocks ?? []).forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return;
    const block = raw as Record<string, unknown>;
    // Slack gives every block an id; we name unnamed ones by position, stable across clicks.
    const blockId = typeof block.block_id === 'string' ? block.block_id : `b${i}`;
    const candidates = block.type === 'actions' && Array.isArray(block.elements) ? block.elements : block.type === 'section' && block.accessory ? [block.accessory] : [];
    for (const el of candidates) {
      if (typeof el === 'object' && el !== null && (el as Record<string, unknown>).type === 'button') found.push({ element: el as Record<string, unknown>, blockId });
    }
  });
  return found;
}

export async function clickButton(
  deps: PeopleDeps,
  p: { user: string; channel: string; ts: string; actionId: string; blockId?: string },
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const ws = deps.ctx.workspace;
  const user = person(deps, p.user);
  const channel = channelFor(deps, user, p.channel);
  const m = deps.ctx.state.findMessage(channel.id, p.ts);
  if (!m || (m.ephemeral_to && m.ephemeral_to !== user.id)) throw new SandboxUsageError(`no message ${p.ts} in ${channel.id} that ${user.id} can see`);
  const buttons = buttonsOf(m);
  // Slack scopes action_id to its block, so the same id may repeat; blockId picks one.
  const button = buttons.find((b) => b.element.action_id === p.actionId && (p.blockId === undefined || b.blockId === p.blockId));
  if (!button) {
    const ids = buttons.map((b) => String(b.element.action_id));
    throw new SandboxUsageError(`message ${p.ts} has no button with action_id ${p.actionId}${p.blockId ? ` in block ${p.blockId}` : ''}${ids.length > 0 ? ` (it has ${ids.join(', ')})` : ' (it has no buttons)'}`);
  }
  const el = button.element;
  const action: Record<string, unknown> = {
    type: 'button',
    action_id: el.action_id,
    block_id: button.blockId,
    text: el.text,
    action_ts: deps.ctx.state.nextTs(),
    ...(el.value !== undefined ? { value: el.value } : {}),
    ...(el.style !== undefined ? { style: el.style } : {}),
  };
  const target = { channel: channel.id, user: user.id, originTs: m.ts, ...(m.thread_ts ? { threadTs: m.thread_ts } : {}) };
  const responseUrl = `${deps.ctx.publicBase()}/response/${deps.responseUrls.issue(target)}`;
  const message = messageObject(m, ws, (id) => deps.ctx.state.file(id), deps.ctx.publicBase());
  const payload = blockActionsPayload(ws, {
    user,
    channel,
    message,
    isEphemeral: m.ephemeral_to !== undefined,
    threadTs: m.thread_ts,
    action,
    responseUrl,
    triggerId: deps.triggers.issue(user.id),
  });
  return deps.deliverer.deliver({ kind: 'interactive', payload }, opts);
}

/** Input elements of a view by block_id → action_id, for building state.values. */
function inputsOf(view: Record<string, unknown>): Map<string, { actionId: string; element: Record<string, unknown>; optional: boolean }> {
  const inputs = new Map<string, { actionId: string; element: Record<string, unknown>; optional: boolean }>();
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  blocks.forEach((raw, i) => {
    const block = raw as Record<string, unknown>;
    if (block?.type !== 'input' || typeof block.element !== 'object' || block.element === null) return;
    const element = block.element as Record<string, unknown>;
    const blockId = typeof block.block_id === 'string' ? block.block_id : `b${i}`;
    inputs.set(blockId, { actionId: typeof element.action_id === 'string' ? element.action_id : `a${i}`, element, optional: block.optional === true });
  });
  return inputs;
}

function optionByValue(element: Record<string, unknown>, value: string): unknown {
  const groups = Array.isArray(element.option_groups) ? element.option_groups.flatMap((g) => ((g as { options?: unknown[] }).options ?? [])) : [];
  const options = [...(Array.isArray(element.options) ? element.options : []), ...groups];
  const o = options.find((x) => (x as { value?: unknown }).value === value);
  if (!o) throw new SandboxUsageError(`option ${value} is not one of ${options.map((x) => String((x as { value?: unknown }).value)).join(', ')}`);
  return o;
}

/**
 * A person's input as Slack's state.values entry. Pass Slack's own shape (an object with `type`),
 * or a plain value: text for text inputs, an option value for selects, a list for multi-selects.
 */
/** What the person left untouched: Slack submits an input's initial value as its state. */
function initialValue(element: Record<string, unknown>): unknown {
  const option = (o: unknown) => (typeof o === 'object' && o !== null ? (o as { value?: unknown }).value : undefined);
  if (element.initial_option !== undefined) return option(element.initial_option);
  if (Array.isArray(element.initial_options)) return element.initial_options.map(option);
  for (const key of ['initial_value', 'initial_date', 'initial_time', 'initial_user', 'initial_users', 'initial_conversation', 'initial_channel']) {
    if (element[key] !== undefined) return element[key];
  }
  return undefined;
}

function stateValue(element: Record<string, unknown>, given: unknown): Record<string, unknown> {
  const type = String(element.type);
  const value = given === undefined ? initialValue(element) : given;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value) return value as Record<string, unknown>;
  const many = Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)];
  switch (type) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
      return { type, value: value === undefined || value === null ? null : String(value) };
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: many[0] === undefined ? null : optionByValue(element, many[0]) };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: many.map((v) => optionByValue(element, v)) };
    case 'datepicker':
      return { type, selected_date: many[0] ?? null };
    case 'timepicker':
      return { type, selected_time: many[0] ?? null };
    case 'users_select':
      return { type, selected_user: many[0] ?? null };
    case 'multi_users_select':
      return { type, selected_users: many };
    case 'conversations_select':
      return { type, selected_conversation: many[0] ?? null };
    case 'channels_select':
      return { type, selected_channel: many[0] ?? null };
    default:
      return { type, value: many[0] ?? null };
  }
}

function isBlankState(v: Record<string, unknown>): boolean {
  const x = v.value ?? v.selected_option ?? v.selected_date ?? v.selected_time ?? v.selected_user ?? v.selected_conversation ?? v.selected_channel;
  const list = v.selected_options ?? v.selected_users;
  if (Array.isArray(list)) return list.length === 0;
  return x === undefined || x === null || x === '';
}

export async function submitView(
  deps: PeopleDeps,
  p: { user: string; viewId: string; values: Record<string, Record<string, unknown>> },
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const ws = deps.ctx.workspace;
  const state = deps.ctx.state;
  const user = person(deps, p.user);
  const v = state.view(p.viewId);
  if (!v || v.type !== 'modal' || !v.open) throw new SandboxUsageError(`no open modal ${p.viewId}`);
  if (v.user !== user.id) throw new SandboxUsageError(`modal ${p.viewId} is open for ${v.user}, not ${user.id}`);
  const inputs = inputsOf(v.view);
  for (const [blockId, byAction] of Object.entries(p.values)) {
    const input = inputs.get(blockId);
    if (!input) throw new SandboxUsageError(`modal ${p.viewId} has no input block ${blockId} (it has ${[...inputs.keys()].join(', ') || 'none'})`);
    for (const actionId of Object.keys(byAction)) {
      if (actionId !== input.actionId) throw new SandboxUsageError(`input block ${blockId} holds action_id ${input.actionId}, not ${actionId}`);
    }
  }
  const values: Record<string, Record<string, unknown>> = {};
  for (const [blockId, input] of inputs) {
    const given = p.values[blockId]?.[input.actionId];
    const entry = stateValue(input.element, given);
    // Slack's client refuses to submit a modal with an empty required input.
    if (!input.optional && isBlankState(entry)) throw new SandboxUsageError(`input ${blockId} is required; Slack would not let ${user.id} submit without it`);
    values[blockId] = { [input.actionId]: entry };
  }
  const responseUrls: ViewResponseUrl[] = [];
  for (const [blockId, input] of inputs) {
    if (input.element.response_url_enabled !== true) continue;
    const picked = values[blockId]?.[input.actionId] as Record<string, unknown> | undefined;
    const channelId = picked?.selected_conversation ?? picked?.selected_channel;
    if (typeof channelId !== 'string' || !ws.channel(channelId)) continue;
    const id = deps.responseUrls.issue({ channel: channelId, user: user.id });
    responseUrls.push({ block_id: blockId, action_id: input.actionId, channel_id: channelId, response_url: `${deps.ctx.publicBase()}/response/${id}` });
  }
  const view = { ...viewObject(v, ws), state: { values } };
  const payload = viewSubmissionPayload(ws, { user, view, triggerId: deps.triggers.issue(user.id), responseUrls });
  const result = await deps.deliverer.deliver({ kind: 'interactive', payload }, opts);
  if (result.status === 200) applyViewResponse(deps, v, result.body, inputs);
  return result;
}

/** Slack's view_submission response_action: errors | update | push | clear, or close on a bare ack. */
function applyViewResponse(deps: PeopleDeps, v: SandboxView, body: unknown, inputs: ReturnType<typeof inputsOf>): void {
  const state = deps.ctx.state;
  const ack = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const action = ack.response_action;
  const reject = (why: string) => recordAck(deps, 'view_submission.ack', ack, { ok: false, error: 'invalid_arguments', messages: [`[ERROR] ${why}`] });
  if (action === undefined) {
    v.open = false;
    state.changed();
    return;
  }
  if (action === 'errors') {
    const errors = ack.errors;
    if (typeof errors !== 'object' || errors === null || Object.keys(errors).length === 0) return reject('response_action errors needs an errors object: {block_id: message}');
    const unknown = Object.keys(errors).filter((k) => !inputs.has(k));
    if (unknown.length > 0) return reject(`errors name ${unknown.join(', ')}, which are not input blocks of the view`);
    recordAck(deps, 'view_submission.ack', ack, { ok: true });
    return; // the modal stays open showing the errors
  }
  if (action === 'clear') {
    for (const other of state.views()) if (other.root_view_id === v.root_view_id) other.open = false;
    state.changed();
    recordAck(deps, 'view_submission.ack', ack, { ok: true });
    return;
  }
  if (action === 'update' || action === 'push') {
    const next = ack.view;
    if (typeof next !== 'object' || next === null || (next as Record<string, unknown>).type !== 'modal') return reject(`response_action ${action} needs a modal view`);
    const errors = viewErrors(next);
    if (errors.length > 0) {
      recordAck(deps, 'view_submission.ack', ack, { ok: false, error: 'invalid_blocks', messages: errors });
      return;
    }
    if (action === 'update') {
      v.view = next as Record<string, unknown>;
      v.hash = newViewHash(deps.ctx);
    } else {
      const id = deps.ctx.newId('V');
      state.addView({ id, type: 'modal', user: v.user, view: next as Record<string, unknown>, hash: newViewHash(deps.ctx), open: true, root_view_id: v.root_view_id, previous_view_id: v.id });
    }
    state.changed();
    recordAck(deps, 'view_submission.ack', ack, { ok: true });
    return;
  }
  reject(`response_action must be errors, update, push or clear, got ${JSON.stringify(action)}`);
}

export async function openHome(deps: PeopleDeps, userId: string, opts: DeliveryOptions = {}): Promise<DeliveryResult> {
  const ws = deps.ctx.workspace;
  const user = person(deps, userId);
  if (!subscribed(deps, 'app_home_opened')) return { status: 0, body: undefined, error: 'not delivered: the app does not subscribe to app_home_opened' };
  const home = deps.ctx.state.homeOf(user.id);
  const event = appHomeOpenedEvent(ws, user.id, deps.ctx.state.nextTs(), home ? viewObject(home, ws) : undefined);
  return deps.deliverer.deliver(eventDelivery(deps, event), opts);
}
