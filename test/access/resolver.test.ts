/**
 * Role resolution through a workspace directory: roles via user ids and group memberships,
 * the TTL cache on an injected clock, one lookup per key however many ask at once, only the
 * policy's groups fetched, and fail-closed on directory errors without caching the failure.
 * The directory here is an in-memory workspace behind the `Directory` interface (the wire
 * version, over Slack's Web API, is tested in test/slack/directory.test.ts).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  LOOKUP_FAILED_REASON,
  createRoleResolver,
  loadAccessPolicy,
  type AccessPolicy,
  type Directory,
  type DirectoryUser,
} from '../../src/access/index.js';
import { silentLogger } from '../../src/ops/index.js';

const root = mkdtempSync(join(tmpdir(), 'opsight-resolver-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
function policyFrom(yaml: string): AccessPolicy {
  const dir = join(root, `rules-${++dirs}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'access.yaml'), yaml);
  return loadAccessPolicy(dir, new Set(['revenue', 'orders']));
}

const POLICY = policyFrom(`roles:
  exec:   { users: [U0ALICE], groups: [S0EXECS] }
  oncall: { groups: [S0ONCALL] }
  admin:  { users: [U0CHEN] }
permissions:
  approve: { roles: [oncall, admin], channels: [C0OPSALERTS] }
restricted_metrics:
  - metrics: [revenue]
    roles: [exec]
cache_ttl_seconds: 60
`);
const ALERTS = { channelId: 'C0OPSALERTS' };

/**
 * A workspace that counts lookups, can fail the next ones, and can hold lookups open until
 * released so that callers overlap for certain.
 */
class Workspace implements Directory {
  users = new Map<string, DirectoryUser>([
    ['U0ALICE', { id: 'U0ALICE', deleted: false, isBot: false, isGuest: false, tz: 'America/New_York' }],
    ['U0BOB', { id: 'U0BOB', deleted: false, isBot: false, isGuest: false, tz: 'Europe/London' }],
    ['U0CHEN', { id: 'U0CHEN', deleted: false, isBot: false, isGuest: false }],
    ['U0DEVI', { id: 'U0DEVI', deleted: false, isBot: false, isGuest: false }],
    ['U0GONE', { id: 'U0GONE', deleted: true, isBot: false, isGuest: false }],
    ['U0GUEST', { id: 'U0GUEST', deleted: false, isBot: false, isGuest: true }],
    ['U0OPSIGHT', { id: 'U0OPSIGHT', deleted: false, isBot: true, isGuest: false }],
  ]);
  groups = new Map<string, string[]>([
    ['S0ONCALL', ['U0BOB', 'U0GUEST', 'U0OPSIGHT']],
    ['S0EXECS', ['U0DEVI']],
    ['S0UNRELATED', ['U0BOB']],
  ]);
  userCalls: string[] = [];
  groupCalls: string[] = [];
  failNext = 0;
  private holding = false;
  private held: Array<() => void> = [];

  /** From now on every lookup waits until released. */
  hold(): void {
    this.holding = true;
  }
  /** Lets the first `count` waiting lookups go, once that many are waiting. */
  async release(count: number): Promise<void> {
    await waitFor(() => this.held.length >= count);
    for (const go of this.held.splice(0, count)) go();
  }
  /** Lets every waiting lookup go and stops holding new ones. */
  unhold(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }
  private async gate(): Promise<void> {
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('slack is down');
    }
  }
  async user(userId: string): Promise<DirectoryUser | undefined> {
    this.userCalls.push(userId);
    await this.gate();
    const u = this.users.get(userId);
    return u && { ...u };
  }
  async groupMembers(groupId: string): Promise<string[]> {
    this.groupCalls.push(groupId);
    await this.gate();
    return [...(this.groups.get(groupId) ?? [])];
  }
}

/** Polls `cond` on the event loop, at most `limit` turns. */
async function waitFor(cond: () => boolean, limit = 1000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('createRoleResolver', () => {
  test('gives roles from user ids and from group memberships, and keeps the time zone', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, log: silentLogger() });
    assert.deepEqual(await r.principal('U0BOB'), { userId: 'U0BOB', groups: ['S0ONCALL'], kind: 'member', tz: 'Europe/London' });
    assert.deepEqual(await r.principal('U0DEVI'), { userId: 'U0DEVI', groups: ['S0EXECS'], kind: 'member' });
    const bob = await r.may('U0BOB', 'approve', ALERTS);
    assert.deepEqual(bob, { allowed: true, roles: ['oncall'], reason: 'You may approve here as oncall.' });
    assert.deepEqual((await r.may('U0CHEN', 'approve', ALERTS)).roles, ['admin']);
    assert.equal((await r.may('U0ALICE', 'approve', ALERTS)).allowed, false);
    assert.equal((await r.mayReadMetric('U0DEVI', 'revenue', { channelId: 'C0GENERAL' })).allowed, true, 'exec through S0EXECS');
    assert.equal((await r.mayReadMetric('U0BOB', 'revenue', { channelId: 'C0GENERAL' })).allowed, false);
  });

  test('fetches only the groups the policy mentions, and none for non-members', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, log: silentLogger() });
    for (const id of ['U0GUEST', 'U0OPSIGHT', 'U0GONE', 'U0NOBODY']) await r.principal(id);
    assert.deepEqual(ws.groupCalls, [], 'guests, bots, deleted and unknown users need no group lookups');
    await r.principal('U0BOB');
    assert.deepEqual([...ws.groupCalls].sort(), ['S0EXECS', 'S0ONCALL']);
  });

  test('guests, bots and deleted users get no roles even inside a role group', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, log: silentLogger() });
    assert.deepEqual(await r.principal('U0GUEST'), { userId: 'U0GUEST', groups: [], kind: 'guest' });
    assert.deepEqual(await r.principal('U0OPSIGHT'), { userId: 'U0OPSIGHT', groups: [], kind: 'bot' });
    assert.deepEqual(await r.principal('U0GONE'), { userId: 'U0GONE', groups: [], kind: 'deleted' });
    assert.deepEqual(await r.principal('U0NOBODY'), { userId: 'U0NOBODY', groups: [], kind: 'unknown', unresolved: 'not_found' });
    const guest = await r.may('U0GUEST', 'approve', ALERTS);
    assert.deepEqual(guest, { allowed: false, roles: [], reason: "You're a guest in this workspace, so I can't run actions for you." });
    assert.equal((await r.may('U0OPSIGHT', 'ask', ALERTS)).allowed, false);
  });

  test('caches users and memberships for the policy TTL, then asks Slack again', async () => {
    const ws = new Workspace();
    const c = clock();
    const r = createRoleResolver({ policy: POLICY, directory: ws, now: c.now, log: silentLogger() });
    assert.equal((await r.may('U0BOB', 'approve', ALERTS)).allowed, true);
    assert.deepEqual(ws.userCalls, ['U0BOB']);
    assert.equal(ws.groupCalls.length, 2);

    // Bob leaves on-call in Slack; within the TTL the cached membership still holds.
    ws.groups.set('S0ONCALL', []);
    c.advance(59_999);
    assert.equal((await r.may('U0BOB', 'approve', ALERTS)).allowed, true);
    assert.deepEqual(ws.userCalls, ['U0BOB']);
    assert.equal(ws.groupCalls.length, 2);

    c.advance(1);
    const after = await r.may('U0BOB', 'approve', ALERTS);
    assert.equal(after.allowed, false, 'the change shows once the TTL has passed');
    assert.deepEqual(after.roles, []);
    assert.deepEqual(ws.userCalls, ['U0BOB', 'U0BOB']);
    assert.equal(ws.groupCalls.length, 4);
  });

  test('shares group memberships between users within the TTL', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, now: clock().now, log: silentLogger() });
    await r.principal('U0BOB');
    await r.principal('U0DEVI');
    await r.principal('U0CHEN');
    assert.deepEqual(ws.userCalls, ['U0BOB', 'U0DEVI', 'U0CHEN']);
    assert.deepEqual([...ws.groupCalls].sort(), ['S0EXECS', 'S0ONCALL']);
  });

  test('a TTL of 0 asks Slack on every call', async () => {
    const ws = new Workspace();
    const policy = policyFrom('roles:\n  oncall: { groups: [S0ONCALL] }\ncache_ttl_seconds: 0\n');
    const r = createRoleResolver({ policy, directory: ws, now: clock().now, log: silentLogger() });
    await r.principal('U0BOB');
    await r.principal('U0BOB');
    assert.deepEqual(ws.userCalls, ['U0BOB', 'U0BOB']);
    assert.deepEqual(ws.groupCalls, ['S0ONCALL', 'S0ONCALL']);
  });

  test('makes one lookup per user and group however many ask at once', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, now: clock().now, log: silentLogger() });
    ws.hold();
    const asks = Array.from({ length: 25 }, (_, i) => r.may(i % 2 === 0 ? 'U0BOB' : 'U0DEVI', 'approve', ALERTS));
    await ws.release(2); // the two user lookups
    await ws.release(2); // the two group lookups, shared by both users
    const decisions = await Promise.all(asks);
    assert.deepEqual([...ws.userCalls].sort(), ['U0BOB', 'U0DEVI']);
    assert.deepEqual([...ws.groupCalls].sort(), ['S0EXECS', 'S0ONCALL']);
    assert.equal(decisions.filter((d) => d.allowed).length, 13, 'every call for Bob is allowed, none for Devi');
  });

  test('fails closed on a directory error, logs it, and does not cache the failure', async () => {
    const ws = new Workspace();
    const { log, lines } = capturedLog();
    const r = createRoleResolver({ policy: POLICY, directory: ws, now: clock().now, log });
    ws.failNext = 1;
    const refused = await r.may('U0BOB', 'approve', ALERTS);
    assert.deepEqual(refused, { allowed: false, roles: [], reason: LOOKUP_FAILED_REASON });
    const warning = lines.find((l) => l.level === 40);
    assert.ok(warning, 'the failure is logged as a warning');
    assert.equal(warning.module, 'access');
    assert.equal(warning.userId, 'U0BOB');
    assert.match(String((warning.err as { message?: string }).message), /slack is down/);

    // The very next call asks Slack again (clock unchanged) and succeeds.
    assert.equal((await r.may('U0BOB', 'approve', ALERTS)).allowed, true);
    assert.deepEqual(ws.userCalls, ['U0BOB', 'U0BOB']);
  });

  test('a failed group lookup also fails closed, even for a role held by user id', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, now: clock().now, log: silentLogger() });
    ws.hold();
    const pending = r.principal('U0CHEN');
    await ws.release(1); // users.info succeeds
    ws.failNext = 1; // the first group lookup released fails, the other succeeds
    await ws.release(2);
    assert.deepEqual(await pending, { userId: 'U0CHEN', groups: [], kind: 'unknown', unresolved: 'lookup_failed' });
    ws.unhold();
    assert.deepEqual(await r.principal('U0CHEN'), { userId: 'U0CHEN', groups: [], kind: 'member' });
    assert.deepEqual(ws.userCalls, ['U0CHEN'], 'the user was cached');
    assert.equal(ws.groupCalls.length, 3, 'only the failed group is fetched again');
    assert.equal(new Set(ws.groupCalls).size, 2);
  });

  test('callers waiting on a lookup that fails are all refused; the next caller retries', async () => {
    const ws = new Workspace();
    const r = createRoleResolver({ policy: POLICY, directory: ws, now: clock().now, log: silentLogger() });
    ws.hold();
    ws.failNext = 1;
    const waiting = Array.from({ length: 5 }, () => r.principal('U0BOB'));
    await ws.release(1);
    for (const p of await Promise.all(waiting)) assert.equal(p.kind, 'unknown');
    ws.unhold();
    assert.deepEqual(ws.userCalls, ['U0BOB']);
    assert.equal((await r.principal('U0BOB')).kind, 'member');
    assert.deepEqual(ws.userCalls, ['U0BOB', 'U0BOB']);
  });
});
