import type { SandboxChannel, SeedUser, Workspace } from '../workspace.js';

/**
 * The bodies Slack sends an app, built from workspace data (pure). Field sets follow Slack's
 * Events API envelope, slash command and interaction payload docs, and what bolt's types read.
 */

/** Slack's deprecated verification token: still sent in every payload, checked by nobody. */
export const VERIFICATION_TOKEN = 'sandbox-verification-token';

export function eventCallback(ws: Workspace, event: Record<string, unknown>, ids: { eventId: string; eventTimeSec: number }): Record<string, unknown> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: ws.team.id,
    context_team_id: ws.team.id,
    context_enterprise_id: null,
    api_app_id: ws.bot.appId,
    event,
    type: 'event_callback',
    event_id: ids.eventId,
    event_time: ids.eventTimeSec,
    authorizations: [{ enterprise_id: null, team_id: ws.team.id, user_id: ws.bot.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${ws.team.id}:${ids.eventId}`).toString('base64url')}`,
  };
}

export function channelType(c: SandboxChannel): 'channel' | 'group' | 'im' {
  return c.kind === 'im' ? 'im' : c.kind === 'private' ? 'group' : 'channel';
}

export interface PersonMessage {
  user: string;
  channel: SandboxChannel;
  text: string;
  ts: string;
  threadTs?: string;
  parentUser?: string;
  clientMsgId: string;
}

export function messageEvent(ws: Workspace, m: PersonMessage): Record<string, unknown> {
  return {
    type: 'message',
    channel: m.channel.id,
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: ws.team.id,
    client_msg_id: m.clientMsgId,
    event_ts: m.ts,
    channel_type: channelType(m.channel),
    ...(m.threadTs ? { thread_ts: m.threadTs, parent_user_id: m.parentUser } : {}),
  };
}

export function appMentionEvent(ws: Workspace, m: PersonMessage): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: m.user,
    text: m.text,
    ts: m.ts,
    channel: m.channel.id,
    team: ws.team.id,
    client_msg_id: m.clientMsgId,
    event_ts: m.ts,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
  };
}

export function appHomeOpenedEvent(ws: Workspace, user: string, eventTs: string, view: Record<string, unknown> | undefined): Record<string, unknown> {
  return { type: 'app_home_opened', user, channel: ws.imChannelOf(user), tab: 'home', event_ts: eventTs, ...(view ? { view } : {}) };
}

function userRef(ws: Workspace, u: SeedUser): Record<string, unknown> {
  return { id: u.id, username: u.name, name: u.name, team_id: ws.team.id };
}

export function slashCommandPayload(
  ws: Workspace,
  p: { user: SeedUser; channel: SandboxChannel; command: string; text: string; responseUrl: string; triggerId: string },
): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: ws.team.id,
    team_domain: ws.team.domain,
    channel_id: p.channel.id,
    // Slack's name for a DM in slash command payloads.
    channel_name: p.channel.kind === 'im' ? 'directmessage' : (p.channel.name ?? ''),
    user_id: p.user.id,
    user_name: p.user.name,
    command: p.command,
    text: p.text,
    api_app_id: ws.bot.appId,
    is_enterprise_install: 'false',
    response_url: p.responseUrl,
    trigger_id: p.triggerId,
  };
}

export function blockActionsPayload(
  ws: Workspace,
  p: {
    user: SeedUser;
    channel: SandboxChannel;
    message: Record<string, unknown>;
    isEphemeral: boolean;
    threadTs?: string;
    action: Record<string, unknown>;
    responseUrl: string;
    triggerId: string;
  },
): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: userRef(ws, p.user),
    api_app_id: ws.bot.appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: p.message.ts,
      channel_id: p.channel.id,
      is_ephemeral: p.isEphemeral,
      ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
    },
    trigger_id: p.triggerId,
    team: { id: ws.team.id, domain: ws.team.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: p.channel.id, name: p.channel.kind === 'im' ? 'directmessage' : p.channel.name },
    // Slack leaves the message out for ephemeral messages (the app never stored them).
    ...(p.isEphemeral ? {} : { message: p.message }),
    state: { values: {} },
    response_url: p.responseUrl,
    actions: [p.action],
  };
}

export interface ViewResponseUrl {
  block_id: string;
  action_id: string;
  channel_id: string;
  response_url: string;
}

export function viewSubmissionPayload(ws: Workspace, p: { user: SeedUser; view: Record<string, unknown>; triggerId: string; responseUrls: ViewResponseUrl[] }): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: ws.team.id, domain: ws.team.domain },
    user: userRef(ws, p.user),
    api_app_id: ws.bot.appId,
    token: VERIFICATION_TOKEN,
    trigger_id: p.triggerId,
    view: p.view,
    // One per input with response_url_enabled (a conversation picker), for the channel picked.
    response_urls: p.responseUrls,
    is_enterprise_install: false,
    enterprise: null,
  };
}
