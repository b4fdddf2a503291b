import { EventEmitter } from 'node:events';

/**
 * The sandbox's conversation state: messages (with threads and ephemerals), files and views.
 * Plain data behind small methods; every change emits 'change' so `waitFor` and the web page
 * can react without polling the bot.
 */

export interface SandboxMessage {
  channel: string;
  ts: string;
  /** Slack's subtype: thread_broadcast, tombstone; absent for plain messages. */
  subtype?: string;
  /** Author: a person's id, or the bot user's id for bot messages. */
  user: string;
  /** Set on messages the bot posted (Slack's bot_id / app_id on bot messages). */
  bot_id?: string;
  app_id?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  /** File ids shared with this message. */
  files?: string[];
  /** Parent ts for a thread reply (Slack leaves it absent on plain messages). */
  thread_ts?: string;
  /** Visible only to this user: chat.postEphemeral, ephemeral slash responses. */
  ephemeral_to?: string;
  edited?: { user: string; ts: string };
  /** Thread parents only, computed when read. */
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
}

export interface SandboxFile {
  id: string;
  name: string;
  title: string;
  /** Declared by files.getUploadURLExternal; the upload must match it. */
  length: number;
  alt_text?: string;
  snippet_type?: string;
  user: string;
  created: number;
  /** Undefined until the bytes arrive at the upload URL. */
  bytes?: Buffer;
  mimetype?: string;
  /** True once files.completeUploadExternal ran. */
  completed: boolean;
  shares: { channel: string; ts: string }[];
}

export interface SandboxView {
  id: string;
  type: 'modal' | 'home';
  /** The person who sees it. */
  user: string;
  /** The view object as the bot sent it (blocks, title, callback_id, private_metadata, …). */
  view: Record<string, unknown>;
  hash: string;
  external_id?: string;
  /** Modals: open until submitted with no response_action, cleared, or replaced. */
  open: boolean;
  root_view_id: string;
  previous_view_id: string | null;
}

export interface StateStore {
  readonly events: EventEmitter;
  /** Signals a change (for mutations made through references, like a view update). */
  changed(): void;
  /** Increases on every change: the web page polls it to know when to re-read. */
  version(): number;
  addMessage(m: SandboxMessage): SandboxMessage;
  findMessage(channel: string, ts: string): SandboxMessage | undefined;
  removeMessage(channel: string, ts: string): void;
  /** All messages of a channel (replies and ephemerals included), oldest first. */
  allMessages(channel: string): SandboxMessage[];
  /** Top-level messages (thread broadcasts included), oldest first, with thread counts. */
  messages(channel: string): SandboxMessage[];
  /** A thread's parent then its replies, oldest first; empty when the parent is unknown. */
  thread(channel: string, ts: string): SandboxMessage[];
  addFile(f: SandboxFile): void;
  file(id: string): SandboxFile | undefined;
  addView(v: SandboxView): void;
  view(id: string): SandboxView | undefined;
  viewByExternalId(externalId: string): SandboxView | undefined;
  homeOf(user: string): SandboxView | undefined;
  views(): SandboxView[];
  /** Unique, increasing Slack timestamps ("1732262400.000100") from the injected clock. */
  nextTs(): string;
}

export function createStateStore(now: () => number): StateStore {
  const events = new EventEmitter();
  // Tests and the web page may wait on many probes at once.
  events.setMaxListeners(0);
  const byChannel = new Map<string, SandboxMessage[]>();
  const byKey = new Map<string, SandboxMessage>();
  const files = new Map<string, SandboxFile>();
  const views = new Map<string, SandboxView>();
  let lastMicros = 0;
  let version = 0;
  const changed = () => {
    version++;
    events.emit('change');
  };

  function withThreadInfo(m: SandboxMessage): SandboxMessage {
    const replies = (byChannel.get(m.channel) ?? []).filter((r) => r.thread_ts === m.ts && r.ts !== m.ts && !r.ephemeral_to);
    if (replies.length === 0) return { ...m };
    return { ...m, reply_count: replies.length, reply_users: [...new Set(replies.map((r) => r.user))], latest_reply: replies.at(-1)!.ts };
  }

  return {
    events,
    changed,
    version: () => version,
    addMessage(m) {
      const list = byChannel.get(m.channel) ?? [];
      list.push(m);
      byChannel.set(m.channel, list);
      byKey.set(`${m.channel}/${m.ts}`, m);
      changed();
      return m;
    },
    findMessage: (channel, ts) => byKey.get(`${channel}/${ts}`),
    removeMessage(channel, ts) {
      const list = byChannel.get(channel);
      if (list) byChannel.set(channel, list.filter((m) => m.ts !== ts));
      byKey.delete(`${channel}/${ts}`);
      changed();
    },
    allMessages: (channel) => [...(byChannel.get(channel) ?? [])],
    messages: (channel) =>
      (byChannel.get(channel) ?? []).filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast').map(withThreadInfo),
    thread(channel, ts) {
      const parent = byKey.get(`${channel}/${ts}`);
      if (!parent) return [];
      const replies = (byChannel.get(channel) ?? []).filter((m) => m.thread_ts === ts && m.ts !== ts);
      return [withThreadInfo(parent), ...replies.map((r) => ({ ...r }))];
    },
    addFile(f) {
      files.set(f.id, f);
      changed();
    },
    file: (id) => files.get(id),
    addView(v) {
      views.set(v.id, v);
      changed();
    },
    view: (id) => views.get(id),
    viewByExternalId: (externalId) => [...views.values()].find((v) => v.external_id === externalId),
    homeOf: (user) => [...views.values()].find((v) => v.type === 'home' && v.user === user),
    views: () => [...views.values()],
    nextTs() {
      // Slack ts: seconds '.' microseconds, unique per channel; we make them unique everywhere.
      const micros = Math.max(Math.floor(now() * 1000), lastMicros + 1);
      lastMicros = micros;
      return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
    },
  };
}
