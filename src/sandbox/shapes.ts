import type { SandboxFile, SandboxMessage, SandboxView } from './state.js';
import type { SandboxChannel, SeedUser, Workspace } from './workspace.js';

/**
 * Slack's object shapes (users.info user, conversations.info channel, message, file, view), built
 * from sandbox state. Pure; field sets follow @slack/web-api's response types
 * (node_modules/@slack/web-api/dist/types/response/*.d.ts), trimmed to what Slack always sends.
 */

/** tz_label ("Eastern Standard Time") and tz_offset (seconds east of UTC) at an instant. */
export function tzInfo(tz: string, atMs: number): { tz_label: string; tz_offset: number } {
  const offsetName = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(offsetName);
  const tz_offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
  const tz_label = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' }).formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? tz;
  return { tz_label, tz_offset };
}

export function userObject(u: SeedUser, ws: Workspace, nowMs: number): Record<string, unknown> {
  const display = u.display_name ?? (u.is_bot ? '' : u.name);
  return {
    id: u.id,
    team_id: ws.team.id,
    name: u.name,
    deleted: u.deleted,
    real_name: u.real_name,
    tz: u.tz,
    ...tzInfo(u.tz, nowMs),
    is_admin: u.is_admin,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: u.is_restricted || u.is_ultra_restricted,
    is_ultra_restricted: u.is_ultra_restricted,
    is_bot: u.is_bot,
    is_app_user: false,
    updated: Math.floor(nowMs / 1000),
    profile: {
      title: u.title,
      real_name: u.real_name,
      real_name_normalized: u.real_name,
      display_name: display,
      display_name_normalized: display,
      team: ws.team.id,
      ...(u.bot_id ? { bot_id: u.bot_id } : {}),
    },
  };
}

export function channelObject(c: SandboxChannel, ws: Workspace, opts: { includeNumMembers?: boolean } = {}): Record<string, unknown> {
  const botIsMember = c.members.has(ws.bot.userId);
  if (c.kind === 'im') {
    return { id: c.id, created: 0, is_im: true, is_org_shared: false, user: c.imUser, is_user_deleted: false, priority: 0 };
  }
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: c.kind === 'channel',
    is_group: c.kind === 'private',
    is_im: false,
    is_mpim: false,
    is_private: c.kind === 'private',
    is_archived: false,
    is_general: c.isGeneral,
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    is_member: botIsMember,
    created: 0,
    creator: '',
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: c.purpose, creator: '', last_set: 0 },
    ...(opts.includeNumMembers ? { num_members: c.members.size } : {}),
  };
}

/** Where the sandbox serves a file's bytes (the web page shows images from here). */
export function fileUrl(base: string, id: string): string {
  return `${base}/files/${id}`;
}

export function fileObject(f: SandboxFile, base: string): Record<string, unknown> {
  const ext = /\.([a-z0-9]+)$/i.exec(f.name)?.[1]?.toLowerCase() ?? 'binary';
  const url = fileUrl(base, f.id);
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype ?? 'application/octet-stream',
    filetype: ext,
    pretty_type: ext.toUpperCase(),
    user: f.user,
    size: f.bytes?.length ?? f.length,
    mode: 'hosted',
    is_external: false,
    is_public: f.shares.length > 0,
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: url,
    ...(f.alt_text ? { alt_txt: f.alt_text } : {}),
    channels: [...new Set(f.shares.map((s) => s.channel))],
  };
}

/** A message as the Web API returns it (chat.postMessage `message`, conversations.replies). */
export function messageObject(m: SandboxMessage, ws: Workspace, files: (id: string) => SandboxFile | undefined, base: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'message', ts: m.ts, user: m.user, text: m.text, team: ws.team.id };
  if (m.subtype) out.subtype = m.subtype;
  if (m.bot_id) {
    out.bot_id = m.bot_id;
    out.app_id = m.app_id;
    out.bot_profile = { id: m.bot_id, app_id: m.app_id, name: ws.bot.name, team_id: ws.team.id, deleted: false };
  }
  if (m.blocks) out.blocks = m.blocks;
  if (m.attachments) out.attachments = m.attachments;
  if (m.metadata) out.metadata = m.metadata;
  if (m.files) out.files = m.files.map((id) => files(id)).filter((f): f is SandboxFile => f !== undefined).map((f) => fileObject(f, base));
  if (m.thread_ts) out.thread_ts = m.thread_ts;
  if (m.edited) out.edited = m.edited;
  if (m.reply_count) {
    out.reply_count = m.reply_count;
    out.reply_users = m.reply_users;
    out.reply_users_count = m.reply_users?.length;
    out.latest_reply = m.latest_reply;
  }
  return out;
}

export function viewObject(v: SandboxView, ws: Workspace): Record<string, unknown> {
  const view = v.view;
  return {
    id: v.id,
    team_id: ws.team.id,
    type: v.type,
    title: view.title,
    close: view.close ?? null,
    submit: view.submit ?? null,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    state: { values: {} },
    hash: v.hash,
    clear_on_close: view.clear_on_close ?? false,
    notify_on_close: view.notify_on_close ?? false,
    root_view_id: v.root_view_id,
    previous_view_id: v.previous_view_id,
    app_id: ws.bot.appId,
    external_id: v.external_id ?? '',
    app_installed_team_id: ws.team.id,
    bot_id: ws.bot.botId,
  };
}
