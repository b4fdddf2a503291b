import { join } from 'node:path';
import { z } from 'zod';
import { configError, readYamlFile, timeZoneSchema } from '../config/index.js';

/** The committed seed; `createSandbox` uses it unless a test passes its own workspace. */
export const DEFAULT_WORKSPACE_FILE = join(import.meta.dirname, 'workspace.yaml');

const userId = z.string().regex(/^U[A-Z0-9]+$/, 'expected a Slack user id like U0ALICE');

const seedUserSchema = z
  .object({
    id: userId,
    name: z.string().regex(/^[a-z0-9._-]+$/, 'expected a Slack handle: lowercase letters, digits, . _ -'),
    real_name: z.string().min(1),
    display_name: z.string().optional(),
    title: z.string().default(''),
    tz: timeZoneSchema,
    is_admin: z.boolean().default(false),
    /** A guest (multi-channel guest in Slack's terms). */
    is_restricted: z.boolean().default(false),
    /** A single-channel guest. */
    is_ultra_restricted: z.boolean().default(false),
    deleted: z.boolean().default(false),
    is_bot: z.boolean().default(false),
    bot_id: z.string().regex(/^B[A-Z0-9]+$/).optional(),
  })
  .strict();

const seedGroupSchema = z
  .object({
    id: z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id like S0ONCALL'),
    handle: z.string().regex(/^[a-z0-9._-]+$/),
    name: z.string().min(1),
    users: z.array(userId),
  })
  .strict();

const seedChannelSchema = z
  .object({
    id: z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id like C0GENERAL'),
    name: z.string().regex(/^[a-z0-9_-]{1,80}$/, 'expected a channel name: lowercase letters, digits, - and _ (no #)'),
    is_private: z.boolean().default(false),
    is_general: z.boolean().default(false),
    purpose: z.string().default(''),
    members: z.array(userId),
  })
  .strict();

/** Bot events an app can subscribe to that the sandbox knows how to deliver. */
export const SUBSCRIBABLE_EVENTS = ['app_mention', 'message.channels', 'message.groups', 'message.im', 'app_home_opened'] as const;
export type SubscribableEvent = (typeof SUBSCRIBABLE_EVENTS)[number];

export const workspaceSeedSchema = z
  .object({
    team: z.object({ id: z.string().regex(/^T[A-Z0-9]+$/), name: z.string().min(1), domain: z.string().regex(/^[a-z0-9-]+$/) }).strict(),
    bot: z
      .object({
        user_id: userId,
        bot_id: z.string().regex(/^B[A-Z0-9]+$/),
        app_id: z.string().regex(/^A[A-Z0-9]+$/),
        name: z.string().regex(/^[a-z0-9._-]+$/),
        real_name: z.string().min(1),
        commands: z.array(z.string().regex(/^\/[a-z0-9_-]+$/, 'expected a slash command like /opsight')),
        events: z.array(z.enum(SUBSCRIBABLE_EVENTS)),
      })
      .strict(),
    users: z.array(seedUserSchema).min(1),
    usergroups: z.array(seedGroupSchema).default([]),
    channels: z.array(seedChannelSchema).min(1),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const ids = new Set<string>([seed.bot.user_id]);
    seed.users.forEach((u, i) => {
      if (ids.has(u.id)) ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message: `duplicate user id ${u.id}` });
      ids.add(u.id);
      if (u.is_bot && !u.bot_id) ctx.addIssue({ code: 'custom', path: ['users', i, 'bot_id'], message: 'a bot user needs a bot_id (B…)' });
    });
    const known = (id: string) => ids.has(id);
    seed.usergroups.forEach((g, i) =>
      g.users.forEach((id, j) => {
        if (!known(id)) ctx.addIssue({ code: 'custom', path: ['usergroups', i, 'users', j], message: `unknown user ${id}; add it under users` });
      }),
    );
    const channelNames = new Set<string>();
    const channelIds = new Set<string>();
    seed.channels.forEach((c, i) => {
      if (channelIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id ${c.id}` });
      if (channelNames.has(c.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `duplicate channel name #${c.name}` });
      channelIds.add(c.id);
      channelNames.add(c.name);
      c.members.forEach((id, j) => {
        if (!known(id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'members', j], message: `unknown user ${id}; add it under users` });
        const user = seed.users.find((u) => u.id === id);
        if (user?.deleted) ctx.addIssue({ code: 'custom', path: ['channels', i, 'members', j], message: `${id} is deleted; Slack removes deleted users from channels` });
      });
    });
  });

export type WorkspaceSeed = z.input<typeof workspaceSeedSchema>;
type ParsedSeed = z.output<typeof workspaceSeedSchema>;
export type SeedUser = ParsedSeed['users'][number];
export type SeedUsergroup = ParsedSeed['usergroups'][number];

/** A conversation the sandbox knows: a seeded channel, or a person's IM with the bot. */
export interface SandboxChannel {
  id: string;
  /** Channel name without '#'; IMs have none. */
  name: string | undefined;
  kind: 'channel' | 'private' | 'im';
  isGeneral: boolean;
  purpose: string;
  /** For an IM: the person on the other side. */
  imUser: string | undefined;
  members: ReadonlySet<string>;
}

/** Reads and validates a seed file; throws an OpsightError naming file:line field on bad content. */
export function loadWorkspaceSeed(file: string = DEFAULT_WORKSPACE_FILE): WorkspaceSeed {
  const read = readYamlFile(file, workspaceSeedSchema);
  if (!read.ok) throw configError(read.problems);
  return read.result.value;
}

export interface Workspace {
  readonly team: { id: string; name: string; domain: string };
  readonly bot: { userId: string; botId: string; appId: string; name: string; realName: string; commands: readonly string[]; events: ReadonlySet<SubscribableEvent> };
  /** Every person and bot, the opsight bot user included. */
  readonly users: readonly SeedUser[];
  readonly usergroups: readonly SeedUsergroup[];
  /** Seeded channels first, then one IM per person (not for bots or deleted users). */
  readonly channels: readonly SandboxChannel[];
  user(id: string): SeedUser | undefined;
  usergroup(id: string): SeedUsergroup | undefined;
  /** By id (C…, G…, D…) or by name with or without '#'. */
  channel(idOrName: string): SandboxChannel | undefined;
  /** The IM channel between a person and the bot: D + the user id without its U (U0ALICE → D0ALICE). */
  imChannelOf(userId: string): string;
  isMember(channelId: string, userId: string): boolean;
}

export function imChannelId(userId: string): string {
  return `D${userId.slice(1)}`;
}

/** Builds the in-memory workspace from a seed (validated again here: tests pass seeds inline). */
export function buildWorkspace(input: WorkspaceSeed): Workspace {
  const parsed = workspaceSeedSchema.safeParse(input);
  if (!parsed.success) {
    throw configError(parsed.error.issues.map((i) => ({ file: '(workspace seed)', line: 1, field: i.path.join('.'), message: i.message })));
  }
  const seed = parsed.data;
  const botUser: SeedUser = {
    id: seed.bot.user_id,
    name: seed.bot.name,
    real_name: seed.bot.real_name,
    title: '',
    tz: 'America/Los_Angeles', // Slack gives bot users this zone
    is_admin: false,
    is_restricted: false,
    is_ultra_restricted: false,
    deleted: false,
    is_bot: true,
    bot_id: seed.bot.bot_id,
  };
  const users = [...seed.users, botUser];
  const byUser = new Map(users.map((u) => [u.id, u]));
  const channels: SandboxChannel[] = seed.channels.map((c) => ({
    id: c.id,
    name: c.name,
    kind: c.is_private ? 'private' : 'channel',
    isGeneral: c.is_general,
    purpose: c.purpose,
    imUser: undefined,
    members: new Set(c.members),
  }));
  for (const u of seed.users) {
    if (u.is_bot || u.deleted) continue;
    channels.push({ id: imChannelId(u.id), name: undefined, kind: 'im', isGeneral: false, purpose: '', imUser: u.id, members: new Set([u.id, seed.bot.user_id]) });
  }
  const byChannel = new Map<string, SandboxChannel>();
  for (const c of channels) {
    byChannel.set(c.id, c);
    if (c.name) byChannel.set(`#${c.name}`, c);
  }
  return {
    team: seed.team,
    bot: {
      userId: seed.bot.user_id,
      botId: seed.bot.bot_id,
      appId: seed.bot.app_id,
      name: seed.bot.name,
      realName: seed.bot.real_name,
      commands: seed.bot.commands,
      events: new Set(seed.bot.events),
    },
    users,
    usergroups: seed.usergroups,
    channels,
    user: (id) => byUser.get(id),
    usergroup: (id) => seed.usergroups.find((g) => g.id === id),
    channel: (idOrName) => byChannel.get(idOrName) ?? byChannel.get(`#${idOrName}`),
    imChannelOf: imChannelId,
    isMember: (channelId, uid) => byChannel.get(channelId)?.members.has(uid) ?? false,
  };
}
