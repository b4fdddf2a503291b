import { channelObject, messageObject, userObject } from '../../shapes.js';
import { fail, resolveChannel, str, type MethodHandler } from '../context.js';

/** Who and where: auth.test, users.info, usergroups.users.list, conversations.*, apps.connections.open. */

const authTest: MethodHandler = (_args, ctx) => {
  const ws = ctx.workspace;
  return {
    ok: true,
    body: {
      url: `https://${ws.team.domain}.slack.com/`,
      team: ws.team.name,
      user: ws.bot.name,
      team_id: ws.team.id,
      user_id: ws.bot.userId,
      bot_id: ws.bot.botId,
      is_enterprise_install: false,
    },
  };
};

const usersInfo: MethodHandler = (args, ctx) => {
  const id = str(args, 'user')!;
  const u = ctx.workspace.user(id);
  if (!u) return fail('user_not_found', [`[ERROR] no user ${id} in this workspace`]);
  return { ok: true, body: { user: userObject(u, ctx.workspace, ctx.now()) } };
};

const usergroupsUsersList: MethodHandler = (args, ctx) => {
  const id = str(args, 'usergroup')!;
  const g = ctx.workspace.usergroup(id);
  if (!g) return fail('no_such_subteam', [`[ERROR] no user group ${id} in this workspace`]);
  return { ok: true, body: { users: [...g.users] } };
};

const conversationsInfo: MethodHandler = (args, ctx) => {
  const ref = str(args, 'channel')!;
  const c = resolveChannel(ctx.workspace, ref);
  // A private channel the bot is not in does not exist, as far as the bot can tell.
  if (!c || (c.kind === 'private' && !c.members.has(ctx.workspace.bot.userId))) return fail('channel_not_found', [`[ERROR] no channel ${ref} visible to the bot`]);
  return { ok: true, body: { channel: channelObject(c, ctx.workspace, { includeNumMembers: args.include_num_members === true }) } };
};

/** Comparable form of a Slack ts ("1732262400.000100"): fixed-width digits, no float rounding. */
function tsKey(ts: string): string {
  const [sec = '0', micro = '0'] = ts.split('.');
  return `${sec.padStart(12, '0')}.${micro.padEnd(6, '0').slice(0, 6)}`;
}

const conversationsReplies: MethodHandler = (args, ctx) => {
  const ref = str(args, 'channel')!;
  const c = resolveChannel(ctx.workspace, ref);
  if (!c || (c.kind === 'private' && !c.members.has(ctx.workspace.bot.userId))) return fail('channel_not_found', [`[ERROR] no channel ${ref} visible to the bot`]);
  if (!c.members.has(ctx.workspace.bot.userId)) return fail('not_in_channel', [`[ERROR] the bot is not a member of ${c.id}, so it cannot read its history`]);
  const ts = String(args.ts);
  const target = ctx.state.findMessage(c.id, ts);
  if (!target || target.ephemeral_to) return fail('thread_not_found', [`[ERROR] no message ${ts} in ${c.id}`]);
  // Slack answers a reply's ts with the whole thread; ephemerals are never in history.
  const parentTs = target.thread_ts ?? target.ts;
  let messages = ctx.state.thread(c.id, parentTs).filter((m) => !m.ephemeral_to);
  const inclusive = args.inclusive === true;
  const oldest = args.oldest === undefined ? undefined : tsKey(String(args.oldest));
  const latest = args.latest === undefined ? undefined : tsKey(String(args.latest));
  messages = messages.filter((m, i) => {
    if (i === 0) return true; // the parent always leads
    const k = tsKey(m.ts);
    if (oldest && (inclusive ? k < oldest : k <= oldest)) return false;
    if (latest && (inclusive ? k > latest : k >= latest)) return false;
    return true;
  });
  const limit = typeof args.limit === 'number' && args.limit > 0 ? Math.min(args.limit, 1000) : 1000;
  const cursor = str(args, 'cursor');
  const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^offset:/, '')) : 0;
  if (!Number.isInteger(start) || start < 0) return fail('invalid_cursor', ['[ERROR] cursor is not one this method returned']);
  const page = messages.slice(start, start + limit);
  const hasMore = start + limit < messages.length;
  return {
    ok: true,
    body: {
      messages: page.map((m) => messageObject(m, ctx.workspace, (id) => ctx.state.file(id), ctx.publicBase())),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${start + limit}`).toString('base64url') : '' },
    },
  };
};

const appsConnectionsOpen: MethodHandler = (_args, ctx) => {
  const ws = ctx.publicBase().replace(/^http/, 'ws');
  return { ok: true, body: { url: `${ws}/socket?ticket=${ctx.issueSocketTicket()}` } };
};

export const directoryMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupsUsersList,
  'conversations.info': conversationsInfo,
  'conversations.replies': conversationsReplies,
  'apps.connections.open': appsConnectionsOpen,
};
