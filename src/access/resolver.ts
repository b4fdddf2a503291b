import type { Logger } from '../ops/index.js';
import { decide, mayReadMetric, type Decision, type Place, type Principal } from './decide.js';
import { policyGroups, type AccessPolicy, type Action } from './policy.js';

/** A user as the workspace directory knows them. */
export interface DirectoryUser {
  id: string;
  deleted: boolean;
  isBot: boolean;
  /** Multi- or single-channel guest. */
  isGuest: boolean;
  /** IANA time zone from the profile. */
  tz?: string;
}

/**
 * The workspace directory (Slack's users.info / usergroups.users.list in production, see
 * src/slack/directory.ts). Errors are thrown; "no such user" is `undefined`, not an error.
 */
export interface Directory {
  user(userId: string): Promise<DirectoryUser | undefined>;
  groupMembers(groupId: string): Promise<string[]>;
}

export interface RoleResolverOptions {
  policy: AccessPolicy;
  directory: Directory;
  /** Clock in epoch milliseconds, for cache expiry. @default Date.now */
  now?: () => number;
  log: Logger;
}

export interface RoleResolver {
  /** Who this user is; never throws: a directory failure yields kind 'unknown' (fail closed). */
  principal(userId: string): Promise<Principal>;
  may(userId: string, action: Action, place: Place): Promise<Decision>;
  mayReadMetric(userId: string, metric: string, place: Place): Promise<Decision>;
}

/**
 * A small TTL cache that shares one in-flight lookup per key. Only successes are stored: a
 * failed lookup is seen by the callers that were waiting on it and retried by the next one.
 */
function ttlCache<T>(ttlMs: number, now: () => number) {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  const inFlight = new Map<string, Promise<T>>();
  // Bounds memory in a large workspace: expired entries are dropped when the map grows.
  const SWEEP_AT = 10_000;
  return (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    if (hit && now() < hit.expiresAt) return Promise.resolve(hit.value);
    const pending = inFlight.get(key);
    if (pending) return pending;
    const started = load().then(
      (value) => {
        if (entries.size >= SWEEP_AT) for (const [k, e] of entries) if (now() >= e.expiresAt) entries.delete(k);
        entries.set(key, { value, expiresAt: now() + ttlMs });
        inFlight.delete(key);
        return value;
      },
      (err: unknown) => {
        inFlight.delete(key);
        throw err;
      },
    );
    inFlight.set(key, started);
    return started;
  };
}

/**
 * Resolves Slack users to principals through the directory, caching users and the memberships
 * of the groups the policy mentions for the policy's TTL. Only member accounts have their groups
 * looked up, and only groups the policy names are ever fetched.
 */
export function createRoleResolver(options: RoleResolverOptions): RoleResolver {
  const { policy, directory } = options;
  const now = options.now ?? Date.now;
  const log = options.log.child({ module: 'access' });
  const users = ttlCache<DirectoryUser | undefined>(policy.cacheTtlMs, now);
  const groups = ttlCache<ReadonlySet<string>>(policy.cacheTtlMs, now);
  const watched = policyGroups(policy);

  async function lookup(userId: string): Promise<Principal> {
    const user = await users(userId, () => directory.user(userId));
    if (!user) return { userId, groups: [], kind: 'unknown', unresolved: 'not_found' };
    const tz = user.tz ? { tz: user.tz } : {};
    // Deleted beats bot beats guest: a deactivated guest is reported as deactivated.
    if (user.deleted) return { userId, groups: [], kind: 'deleted', ...tz };
    if (user.isBot) return { userId, groups: [], kind: 'bot', ...tz };
    if (user.isGuest) return { userId, groups: [], kind: 'guest', ...tz };
    const memberships = await Promise.all(
      watched.map((groupId) => groups(groupId, async () => new Set(await directory.groupMembers(groupId)))),
    );
    return { userId, groups: watched.filter((_, i) => memberships[i]!.has(userId)), kind: 'member', ...tz };
  }

  async function principal(userId: string): Promise<Principal> {
    try {
      return await lookup(userId);
    } catch (err) {
      // Fail closed: no roles for this call. Nothing was cached, so the next call asks again.
      log.warn({ err, userId }, 'could not resolve roles with the Slack directory; refusing this request');
      return { userId, groups: [], kind: 'unknown', unresolved: 'lookup_failed' };
    }
  }

  return {
    principal,
    async may(userId, action, place) {
      const decision = decide(policy, await principal(userId), action, place);
      if (!decision.allowed) log.info({ userId, action, channelId: place.channelId, roles: decision.roles }, 'action refused');
      return decision;
    },
    async mayReadMetric(userId, metric, place) {
      const decision = mayReadMetric(policy, await principal(userId), metric, place);
      if (!decision.allowed) log.info({ userId, metric, channelId: place.channelId, roles: decision.roles }, 'metric refused');
      return decision;
    },
  };
}
