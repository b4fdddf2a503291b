import { fileUrl } from '../shapes.js';
import type { SandboxFile, SandboxMessage, StateStore } from '../state.js';
import type { Workspace } from '../workspace.js';

/**
 * What the web page shows one person: the channels they are in, one conversation with threads,
 * their Home tab and their open modal. Pure over state; ephemerals meant for others are hidden,
 * as Slack hides them.
 */

export interface UiFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  url: string;
}

export interface UiMessage {
  ts: string;
  user: string;
  author: string;
  isBot: boolean;
  text: string;
  blocks?: unknown[];
  files: UiFile[];
  ephemeral: boolean;
  edited: boolean;
  subtype?: string;
  replies: UiMessage[];
}

export interface UiChannel {
  id: string;
  name: string;
  kind: 'channel' | 'private' | 'im';
  botMember: boolean;
}

export interface UiSnapshot {
  version: number;
  team: { id: string; name: string };
  bot: { userId: string; name: string };
  viewer: string;
  people: { id: string; name: string; realName: string; tz: string; guest: boolean }[];
  channels: UiChannel[];
  commands: readonly string[];
  conversation?: { id: string; title: string; messages: UiMessage[] };
  home?: { id: string; blocks: unknown[] };
  modal?: { id: string; title: unknown; submit: unknown; close: unknown; blocks: unknown[] };
}

function uiFile(f: SandboxFile, base: string): UiFile {
  return { id: f.id, name: f.name, title: f.title, mimetype: f.mimetype ?? 'application/octet-stream', url: fileUrl(base, f.id) };
}

export function buildSnapshot(ws: Workspace, state: StateStore, base: string, viewer: string, channelId: string | undefined): UiSnapshot {
  const visible = (m: SandboxMessage) => !m.ephemeral_to || m.ephemeral_to === viewer;
  const toUi = (m: SandboxMessage, replies: UiMessage[]): UiMessage => {
    const author = ws.user(m.user);
    return {
      ts: m.ts,
      user: m.user,
      author: author?.real_name ?? m.user,
      isBot: author?.is_bot ?? false,
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      files: (m.files ?? []).map((id) => state.file(id)).filter((f): f is SandboxFile => f?.bytes !== undefined).map((f) => uiFile(f, base)),
      ephemeral: m.ephemeral_to !== undefined,
      edited: m.edited !== undefined,
      ...(m.subtype ? { subtype: m.subtype } : {}),
      replies,
    };
  };
  const channels: UiChannel[] = ws.channels
    .filter((c) => c.members.has(viewer) && (c.kind !== 'im' || c.imUser === viewer))
    .map((c) => ({ id: c.id, name: c.kind === 'im' ? ws.bot.name : (c.name ?? c.id), kind: c.kind, botMember: c.members.has(ws.bot.userId) }));
  const snapshot: UiSnapshot = {
    version: state.version(),
    team: { id: ws.team.id, name: ws.team.name },
    bot: { userId: ws.bot.userId, name: ws.bot.name },
    viewer,
    people: ws.users.filter((u) => !u.is_bot && !u.deleted).map((u) => ({ id: u.id, name: u.name, realName: u.real_name, tz: u.tz, guest: u.is_restricted || u.is_ultra_restricted })),
    channels,
    commands: ws.bot.commands,
  };
  const channel = channels.find((c) => c.id === channelId);
  if (channel) {
    const messages = state
      .messages(channel.id)
      .filter(visible)
            // Replies of thread parents only; thread() holds ephemeral replies too, which reply_count omits.
      .map((m) => toUi(m, m.thread_ts && m.thread_ts !== m.ts ? [] : state.thread(channel.id, m.ts).slice(1).filter(visible).map((r) => toUi(r, []))));
    snapshot.conversation = { id: channel.id, title: channel.kind === 'im' ? channel.name : `#${channel.name}`, messages };
  }
  const home = state.homeOf(viewer);
  if (home) snapshot.home = { id: home.id, blocks: Array.isArray(home.view.blocks) ? home.view.blocks : [] };
  const modal = state.views().filter((v) => v.type === 'modal' && v.open && v.user === viewer).at(-1);
  if (modal) snapshot.modal = { id: modal.id, title: modal.view.title, submit: modal.view.submit, close: modal.view.close, blocks: Array.isArray(modal.view.blocks) ? modal.view.blocks : [] };
  return snapshot;
}
