/**
 * The Slack directory through a real WebClient against a local HTTP server that answers
 * users.info and usergroups.users.list in Slack's wire format (form-encoded body, Bearer token,
 * `{ok, …}` JSON, HTTP 429 with Retry-After): what each field of a user becomes, how Slack's
 * errors map to ours, and role resolution end to end over the wire.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { LogLevel, WebClient } from '@slack/web-api';
import { createRoleResolver, loadAccessPolicy, LOOKUP_FAILED_REASON } from '../../src/access/index.js';
import { OpsightError } from '../../src/errors.js';
import { silentLogger } from '../../src/ops/index.js';
import { createHttpServer, readBody, sendJson, type HttpServer, type Route } from '../../src/server/index.js';
import { slackDirectory } from '../../src/slack/directory.js';

const TOKEN = 'xoxb-test-directory';

// Users as Slack's users.info returns them (abridged to the fields that matter, plus noise).
const USERS: Record<string, Record<string, unknown>> = {
  U0ALICE: { id: 'U0ALICE', name: 'alice', deleted: false, is_bot: false, is_admin: false, tz: 'America/New_York', profile: { real_name: 'Alice' } },
  U0BOB: { id: 'U0BOB', name: 'bob', deleted: false, is_bot: false, tz: 'Europe/London' },
  U0GONE: { id: 'U0GONE', name: 'gone', deleted: true, profile: {} }, // Slack omits most fields of deactivated users
  U0GUEST: { id: 'U0GUEST', name: 'guest', deleted: false, is_bot: false, is_restricted: true, is_ultra_restricted: false, tz: 'Asia/Tokyo' },
  U0SINGLE: { id: 'U0SINGLE', name: 'single', deleted: false, is_bot: false, is_restricted: true, is_ultra_restricted: true },
  U0OPSIGHT: { id: 'U0OPSIGHT', name: 'opsight', deleted: false, is_bot: true, is_app_user: false },
  USLACKBOT: { id: 'USLACKBOT', name: 'slackbot', deleted: false, is_bot: false, tz: 'America/Los_Angeles' },
};
const GROUPS: Record<string, string[]> = { S0ONCALL: ['U0BOB'], S0EXECS: ['U0ALICE'] };

interface Received {
  method: string;
  auth: string | undefined;
  contentType: string | undefined;
  params: Record<string, string>;
}
const received: Received[] = [];
// Per-user or per-group misbehaviour: a platform error, an HTTP status, a rate limit.
const TROUBLE: Record<string, { error?: string; needed?: string; status?: number; retryAfter?: number }> = {
  U0SCOPE: { error: 'missing_scope', needed: 'users:read' },
  U0BUSY: { error: 'internal_error' },
  U0DOWN: { status: 503 },
  U0LIMIT: { retryAfter: 7 },
  S0GONE: { error: 'no_such_subteam' },
  S0DOWN: { status: 500 },
};

function slackMethod(method: string, answer: (params: Record<string, string>) => Record<string, unknown>): Route {
  return {
    method: 'POST',
    path: `/api/${method}`,
    async handler(req, res) {
      const params = Object.fromEntries(new URLSearchParams((await readBody(req, 1 << 16)).toString('utf8')));
      received.push({ method, auth: req.headers.authorization, contentType: req.headers['content-type'], params });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
      const trouble = TROUBLE[params.user ?? params.usergroup ?? ''];
      if (trouble?.retryAfter) return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(trouble.retryAfter) });
      if (trouble?.status) return sendJson(res, trouble.status, { ok: false, error: 'service_unavailable' });
      if (trouble?.error) return sendJson(res, 200, { ok: false, error: trouble.error, ...(trouble.needed ? { needed: trouble.needed, provided: 'chat:write' } : {}) });
      return sendJson(res, 200, { ok: true, ...answer(params) });
    },
  };
}

const routes: Route[] = [
  slackMethod('users.info', (p) => {
    if (!p.user) return { ok: false, error: 'invalid_arguments' };
    const user = USERS[p.user];
    return user ? { user } : { ok: false, error: 'user_not_found' };
  }),
  slackMethod('usergroups.users.list', (p) => {
    const users = p.usergroup ? GROUPS[p.usergroup] : undefined;
    return users ? { users } : { ok: false, error: 'no_such_subteam' };
  }),
];

let server: HttpServer;
let apiUrl: string;
const root = mkdtempSync(join(tmpdir(), 'opsight-directory-'));

before(async () => {
  server = createHttpServer({ log: silentLogger(), routes });
  const port = await server.listen(0, '127.0.0.1');
  apiUrl = `http://127.0.0.1:${port}/api/`;
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

// The settings the directory's docs recommend: fail fast, let the resolver fail closed.
const client = (token = TOKEN) =>
  new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });

/** Asserts `promise` rejects with an OpsightError of `code` and `retriable`, message matching. */
async function rejectsWith(promise: Promise<unknown>, code: string, retriable: boolean, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof OpsightError, `expected an OpsightError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.retriable, retriable, `retriable for ${err.message}`);
    assert.match(err.message, message);
    assert.equal(err.userMessage, LOOKUP_FAILED_REASON);
    return true;
  });
}

describe('slackDirectory', () => {
  test('calls users.info with the user as a form field and the token as a Bearer header', async () => {
    received.length = 0;
    await slackDirectory(client(), { log: silentLogger() }).user('U0ALICE');
    assert.equal(received.length, 1);
    assert.equal(received[0]!.method, 'users.info');
    assert.equal(received[0]!.auth, `Bearer ${TOKEN}`);
    assert.match(received[0]!.contentType ?? '', /^application\/x-www-form-urlencoded/);
    assert.equal(received[0]!.params.user, 'U0ALICE');
    assert.equal(received[0]!.params.token, undefined, 'the token is never sent in the body');
  });

  test('maps deleted, is_bot, is_restricted / is_ultra_restricted and tz', async () => {
    const dir = slackDirectory(client(), { log: silentLogger() });
    assert.deepEqual(await dir.user('U0ALICE'), { id: 'U0ALICE', deleted: false, isBot: false, isGuest: false, tz: 'America/New_York' });
    assert.deepEqual(await dir.user('U0GONE'), { id: 'U0GONE', deleted: true, isBot: false, isGuest: false });
    assert.deepEqual(await dir.user('U0GUEST'), { id: 'U0GUEST', deleted: false, isBot: false, isGuest: true, tz: 'Asia/Tokyo' });
    assert.deepEqual(await dir.user('U0SINGLE'), { id: 'U0SINGLE', deleted: false, isBot: false, isGuest: true });
    assert.deepEqual(await dir.user('U0OPSIGHT'), { id: 'U0OPSIGHT', deleted: false, isBot: true, isGuest: false });
    assert.equal((await dir.user('USLACKBOT'))?.isBot, true, 'Slackbot is a bot although Slack says is_bot: false');
  });

  test('user_not_found is no such user, not an error', async () => {
    assert.equal(await slackDirectory(client(), { log: silentLogger() }).user('U0NOBODY'), undefined);
  });

  test('reads group members with usergroups.users.list', async () => {
    received.length = 0;
    const dir = slackDirectory(client(), { log: silentLogger() });
    assert.deepEqual(await dir.groupMembers('S0ONCALL'), ['U0BOB']);
    assert.deepEqual(received.map((r) => [r.method, r.params.usergroup]), [['usergroups.users.list', 'S0ONCALL']]);
  });

  test('a group that no longer exists has no members, with a warning in the log', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    assert.deepEqual(await slackDirectory(client(), { log: pino({ level: 'info' }, sink) }).groupMembers('S0GONE'), []);
    assert.deepEqual(
      lines.map((l) => [l.level, l.module, l.groupId]),
      [[40, 'slack.directory', 'S0GONE']],
    );
  });

  test('other Slack errors become opsight_slack_* errors that say whether to retry and how to fix', async () => {
    const dir = slackDirectory(client(), { log: silentLogger() });
    await rejectsWith(dir.user('U0SCOPE'), 'opsight_slack_api_failed', false, /users\.info failed: missing_scope \(needs users:read\); add the users:read and usergroups:read bot scopes/);
    await rejectsWith(dir.user('U0BUSY'), 'opsight_slack_api_failed', true, /users\.info failed: internal_error/);
    await rejectsWith(dir.user('U0DOWN'), 'opsight_slack_api_failed', true, /users\.info answered HTTP 503/);
    await rejectsWith(dir.user('U0LIMIT'), 'opsight_slack_rate_limited', true, /rate-limited users\.info; retry after 7 s/);
    await rejectsWith(dir.groupMembers('S0DOWN'), 'opsight_slack_api_failed', true, /usergroups\.users\.list answered HTTP 500/);
    await rejectsWith(slackDirectory(client('xoxb-wrong'), { log: silentLogger() }).user('U0ALICE'), 'opsight_slack_api_failed', false, /invalid_auth; check SLACK_BOT_TOKEN/);
  });

  test('an unreachable Slack is a retriable error', async () => {
    const closed = createHttpServer({ log: silentLogger(), routes: [] });
    const port = await closed.listen(0, '127.0.0.1');
    await closed.close();
    const offline = new WebClient(TOKEN, { slackApiUrl: `http://127.0.0.1:${port}/api/`, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    await rejectsWith(slackDirectory(offline, { log: silentLogger() }).user('U0ALICE'), 'opsight_slack_api_failed', true, /users\.info could not be reached/);
  });

  test('resolves roles end to end over the wire, failing closed when Slack fails', async () => {
    const rules = join(root, 'rules');
    mkdirSync(rules);
    writeFileSync(
      join(rules, 'access.yaml'),
      `roles:
  exec:   { groups: [S0EXECS] }
  oncall: { groups: [S0ONCALL, S0GONE] }
permissions:
  approve: { roles: [oncall], channels: [C0OPSALERTS] }
`,
    );
    const policy = loadAccessPolicy(rules, new Set());
    const resolver = createRoleResolver({ policy, directory: slackDirectory(client(), { log: silentLogger() }), log: silentLogger() });
    const alerts = { channelId: 'C0OPSALERTS' };
    assert.deepEqual(await resolver.may('U0BOB', 'approve', alerts), { allowed: true, roles: ['oncall'], reason: 'You may approve here as oncall.' });
    assert.deepEqual(await resolver.may('U0ALICE', 'approve', alerts), {
      allowed: false,
      roles: ['exec'],
      reason: 'Approving needs the oncall role in <#C0OPSALERTS>; you have exec.',
    });
    assert.equal((await resolver.may('U0GUEST', 'ask', alerts)).allowed, false);
    assert.deepEqual(await resolver.may('U0BUSY', 'ask', alerts), { allowed: false, roles: [], reason: LOOKUP_FAILED_REASON });
  });
});
