import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { APP_TOKEN, BOT_TOKEN, quietSlackLogger, rawCall, startRecorder, startSandbox, type Running } from './harness.js';

/**
 * The Web API as the bot meets it: a real WebClient against the sandbox over HTTP. Every method
 * answers in Slack's shape; every wrong call gets Slack's error and lands in violations(), and
 * right calls (or legitimate failures) do not.
 */

async function slackError(p: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  try {
    await p;
  } catch (err) {
    const e = err as WebAPIPlatformError;
    assert.equal(e.code, ErrorCode.PlatformError, `expected a platform error, got ${String(err)}`);
    return e.data;
  }
  assert.fail('expected the call to fail');
}

describe('Web API', () => {
  let run: Running;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let clock = Date.UTC(2026, 10, 21, 9, 30);

  before(async () => {
    recorder = await startRecorder();
    run = await startSandbox({ delivery: { mode: 'http', requestUrl: recorder.url }, now: () => clock });
  });
  after(async () => {
    await run.close();
    await recorder.close();
  });

  describe('auth and method checks', () => {
    it('auth.test names the team and the bot user', async () => {
      const r = await run.client.auth.test();
      assert.equal(r.team_id, 'T0ACME');
      assert.equal(r.user_id, 'U0OPSIGHT');
      assert.equal(r.bot_id, 'B0OPSIGHT');
      assert.equal(r.team, 'Acme');
    });

    it('refuses a missing token with not_authed and a foreign one with invalid_auth', async () => {
      const anonymous = new WebClient(undefined, { slackApiUrl: run.sandbox.apiUrl(), retryConfig: { retries: 0 }, logger: quietSlackLogger() });
      assert.equal((await slackError(anonymous.auth.test())).error, 'not_authed');
      const stranger = new WebClient('xoxb-not-ours', { slackApiUrl: run.sandbox.apiUrl(), retryConfig: { retries: 0 }, logger: quietSlackLogger() });
      assert.equal((await slackError(stranger.auth.test())).error, 'invalid_auth');
    });

    it('refuses the app token on bot methods and the bot token on apps.connections.open', async () => {
      const app = new WebClient(APP_TOKEN, { slackApiUrl: run.sandbox.apiUrl(), retryConfig: { retries: 0 }, logger: quietSlackLogger() });
      // HTTP-mode sandbox: no app token is configured, so it is simply not a token of this workspace.
      assert.equal((await slackError(app.chat.postMessage({ channel: 'C0GENERAL', text: 'hi' }))).error, 'invalid_auth');
      assert.equal((await slackError(run.client.apps.connections.open({}))).error, 'not_allowed_token_type');
    });

    it('reads the token from a form field as well as the Authorization header', async () => {
      const r = await rawCall(run, 'auth.test', { body: `token=${BOT_TOKEN}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(r.body.ok, true);
    });

    it('takes JSON bodies with a Bearer header, and refuses a token inside JSON', async () => {
      const ok = await rawCall(run, 'chat.postMessage', {
        body: JSON.stringify({ channel: 'C0GENERAL', text: 'json body', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] }),
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${BOT_TOKEN}` },
      });
      assert.equal(ok.body.ok, true);
      const noHeader = await rawCall(run, 'chat.postMessage', { body: JSON.stringify({ token: BOT_TOKEN, channel: 'C0GENERAL', text: 'x' }), headers: { 'content-type': 'application/json' } });
      assert.equal(noHeader.body.error, 'not_authed');
    });

    it('answers GET with a query string like POST', async () => {
      const res = await fetch(`${run.sandbox.apiUrl()}users.info?user=U0BOB&token=${BOT_TOKEN}`);
      const body = (await res.json()) as { ok: boolean; user: { id: string } };
      assert.equal(body.ok, true);
      assert.equal(body.user.id, 'U0BOB');
    });

    it('answers an unknown method with HTTP 404 unknown_method', async () => {
      await assert.rejects(run.client.apiCall('chat.postMesage', { channel: 'C0GENERAL', text: 'typo' }), (err: Error & { code?: string; statusCode?: number; body?: unknown }) => {
        assert.equal(err.code, ErrorCode.HTTPError);
        assert.equal(err.statusCode, 404);
        assert.match(JSON.stringify(err.body), /"error":"unknown_method"/);
        return true;
      });
    });

    it('flags a real Slack method the sandbox does not serve instead of pretending', async () => {
      const e = await slackError(run.client.conversations.history({ channel: 'C0GENERAL' }));
      assert.equal(e.error, 'sandbox_method_not_served');
    });

    it('refuses a malformed JSON body with invalid_json', async () => {
      const r = await rawCall(run, 'auth.test', { body: '{"oops":', headers: { 'content-type': 'application/json', authorization: `Bearer ${BOT_TOKEN}` } });
      assert.equal(r.body.error, 'invalid_json');
    });
  });

  describe('arguments against the spec', () => {
    it('names a missing required argument', async () => {
      const e = await slackError(run.client.apiCall('chat.postMessage', { text: 'no channel' }));
      assert.equal(e.error, 'invalid_arguments');
      assert.deepEqual(e.response_metadata?.messages, ['[ERROR] missing required field: channel']);
    });

    it('names an unknown argument and lists the known ones', async () => {
      const e = await slackError(run.client.apiCall('chat.postMessage', { chanel: 'C0GENERAL', channel: 'C0GENERAL', text: 'typo' }));
      assert.equal(e.error, 'invalid_arguments');
      const msg = e.response_metadata?.messages?.[0] ?? '';
      assert.match(msg, /unknown argument: chanel/);
      assert.match(msg, /thread_ts/);
    });

    it('refuses a boolean that is not one', async () => {
      const e = await slackError(run.client.apiCall('chat.postMessage', { channel: 'C0GENERAL', text: 'x', unfurl_links: 'maybe' }));
      assert.equal(e.error, 'invalid_arguments');
      assert.match(e.response_metadata?.messages?.[0] ?? '', /unfurl_links must be a boolean/);
    });

    it('accepts the newer arguments @slack/web-api sends (metadata on chat.postMessage)', async () => {
      const r = await run.client.chat.postMessage({ channel: 'C0OPSALERTS', text: 'with metadata', metadata: { event_type: 'alert', event_payload: { id: 'a1' } } });
      assert.equal(r.ok, true);
      assert.deepEqual(r.message?.metadata, { event_type: 'alert', event_payload: { id: 'a1' } });
    });

    it('answers unparsable blocks with invalid_blocks_format', async () => {
      const e = await slackError(run.client.apiCall('chat.postMessage', { channel: 'C0GENERAL', text: 'x', blocks: '[{not json' }));
      assert.equal(e.error, 'invalid_blocks_format');
    });
  });

  describe('chat', () => {
    it('posts to a channel by id or #name and returns Slack ts strings that increase', async () => {
      const a = await run.client.chat.postMessage({ channel: 'C0OPSALERTS', text: 'first' });
      const b = await run.client.chat.postMessage({ channel: '#ops-alerts', text: 'second' });
      assert.equal(b.channel, 'C0OPSALERTS');
      assert.match(a.ts!, /^\d{10}\.\d{6}$/);
      assert.ok(b.ts! > a.ts!, `${b.ts} after ${a.ts}`);
      assert.equal(a.message?.bot_id, 'B0OPSIGHT');
      const texts = run.sandbox.messages('C0OPSALERTS').map((m) => m.text);
      assert.deepEqual(texts.slice(-2), ['first', 'second']);
    });

    it('posts to a user id as the DM with that person', async () => {
      const r = await run.client.chat.postMessage({ channel: 'U0ALICE', text: 'your DM' });
      assert.equal(r.channel, 'D0ALICE');
      assert.equal(run.sandbox.messages('D0ALICE').at(-1)?.text, 'your DM');
    });

    it('validates Block Kit and answers invalid_blocks with pointers', async () => {
      const e = await slackError(run.client.chat.postMessage({ channel: 'C0GENERAL', text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }));
      assert.equal(e.error, 'invalid_blocks');
      assert.match(e.response_metadata?.messages?.[0] ?? '', /^\[ERROR\] .+ \[json-pointer:\/blocks\/0\/text/);
    });

    it('answers no_text, msg_too_long, channel_not_found and not_in_channel', async () => {
      assert.equal((await slackError(run.client.apiCall('chat.postMessage', { channel: 'C0GENERAL' }))).error, 'no_text');
      assert.equal((await slackError(run.client.chat.postMessage({ channel: 'C0GENERAL', text: 'x'.repeat(40_001) }))).error, 'msg_too_long');
      assert.equal((await slackError(run.client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }))).error, 'channel_not_found');
      assert.equal((await slackError(run.client.chat.postMessage({ channel: 'C0RANDOM', text: 'x' }))).error, 'not_in_channel');
    });

    it('threads replies under the parent, also when replying to a reply', async () => {
      const parent = await run.client.chat.postMessage({ channel: 'C0EXEC', text: 'parent' });
      const r1 = await run.client.chat.postMessage({ channel: 'C0EXEC', text: 'reply 1', thread_ts: parent.ts! });
      const r2 = await run.client.chat.postMessage({ channel: 'C0EXEC', text: 'reply 2', thread_ts: r1.ts! });
      assert.equal(r2.message?.thread_ts, parent.ts);
      assert.deepEqual(run.sandbox.thread('C0EXEC', parent.ts!).map((m) => m.text), ['parent', 'reply 1', 'reply 2']);
      assert.equal(run.sandbox.messages('C0EXEC').find((m) => m.ts === parent.ts)?.reply_count, 2);
      const replies = await run.client.conversations.replies({ channel: 'C0EXEC', ts: parent.ts! });
      assert.deepEqual(replies.messages?.map((m) => m.text), ['parent', 'reply 1', 'reply 2']);
      assert.equal((await slackError(run.client.chat.postMessage({ channel: 'C0EXEC', text: 'x', thread_ts: '1.000001' }))).error, 'thread_not_found');
    });

    it('updates only its own messages, keeping blocks when the update leaves them out', async () => {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'v1' } }];
      const posted = await run.client.chat.postMessage({ channel: 'C0OPSALERTS', text: 'v1', blocks });
      const updated = await run.client.chat.update({ channel: 'C0OPSALERTS', ts: posted.ts!, text: 'v2' });
      assert.equal(updated.text, 'v2');
      const stored = run.sandbox.messages('C0OPSALERTS').find((m) => m.ts === posted.ts)!;
      assert.deepEqual(stored.blocks, blocks);
      assert.ok(stored.edited);
      const person = await run.sandbox.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: 'mine' });
      assert.equal((await slackError(run.client.chat.update({ channel: 'C0OPSALERTS', ts: person.ts, text: 'hijack' }))).error, 'cant_update_message');
      assert.equal((await slackError(run.client.chat.update({ channel: 'C0OPSALERTS', ts: '1.000001', text: 'x' }))).error, 'message_not_found');
    });

    it('deletes its own message, leaving a tombstone when it has replies', async () => {
      const lone = await run.client.chat.postMessage({ channel: 'C0OPSALERTS', text: 'to delete' });
      await run.client.chat.delete({ channel: 'C0OPSALERTS', ts: lone.ts! });
      assert.equal(run.sandbox.messages('C0OPSALERTS').some((m) => m.ts === lone.ts), false);
      const parent = await run.client.chat.postMessage({ channel: 'C0OPSALERTS', text: 'has a thread' });
      await run.sandbox.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: 'a reply', thread_ts: parent.ts! });
      await run.client.chat.delete({ channel: 'C0OPSALERTS', ts: parent.ts! });
      const tomb = run.sandbox.messages('C0OPSALERTS').find((m) => m.ts === parent.ts);
      assert.equal(tomb?.subtype, 'tombstone');
      assert.equal(run.sandbox.thread('C0OPSALERTS', parent.ts!).length, 2);
    });

    it('posts ephemerals visible to one member and refuses people outside the channel', async () => {
      const r = await run.client.chat.postEphemeral({ channel: 'C0EXEC', user: 'U0ALICE', text: 'only you' });
      const m = run.sandbox.messages('C0EXEC').find((x) => x.ts === r.message_ts);
      assert.equal(m?.ephemeral_to, 'U0ALICE');
      assert.equal((await slackError(run.client.chat.postEphemeral({ channel: 'C0EXEC', user: 'U0DEVI', text: 'x' }))).error, 'user_not_in_channel');
    });
  });

  describe('people, groups, conversations', () => {
    it('users.info gives time zones with label and offset', async () => {
      const r = await run.client.users.info({ user: 'U0ALICE' });
      assert.equal(r.user?.tz, 'America/New_York');
      assert.equal(r.user?.tz_offset, -5 * 3600); // November: EST
      assert.equal(r.user?.tz_label, 'Eastern Standard Time');
      assert.equal((await run.client.users.info({ user: 'U0GUEST' })).user?.is_restricted, true);
      assert.equal((await run.client.users.info({ user: 'U0GONE' })).user?.deleted, true);
      assert.equal((await run.client.users.info({ user: 'U0OTHERBOT' })).user?.is_bot, true);
      assert.equal((await slackError(run.client.users.info({ user: 'U0NOBODY' }))).error, 'user_not_found');
    });

    it('usergroups.users.list lists members and refuses unknown groups', async () => {
      assert.deepEqual((await run.client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users, ['U0BOB']);
      assert.equal((await slackError(run.client.usergroups.users.list({ usergroup: 'S0NOPE' }))).error, 'no_such_subteam');
    });

    it('conversations.info tells channels, private channels and DMs apart', async () => {
      const general = (await run.client.conversations.info({ channel: 'C0GENERAL' })).channel!;
      assert.equal(general.is_channel, true);
      assert.equal(general.is_member, true);
      const exec = (await run.client.conversations.info({ channel: 'C0EXEC' })).channel!;
      assert.equal(exec.is_private, true);
      const random = (await run.client.conversations.info({ channel: 'C0RANDOM' })).channel!;
      assert.equal(random.is_member, false);
      const dm = (await run.client.conversations.info({ channel: 'D0BOB' })).channel! as { is_im?: boolean; user?: string };
      assert.equal(dm.is_im, true);
      assert.equal(dm.user, 'U0BOB');
      assert.equal((await slackError(run.client.conversations.info({ channel: 'C0NOPE' }))).error, 'channel_not_found');
    });
  });

  describe('files.uploadV2', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not really an image, but the signature says PNG')]);

    it('stores the bytes and shares them into the thread as one message', async () => {
      const parent = await run.client.chat.postMessage({ channel: 'C0EXEC', text: 'revenue yesterday' });
      const r = await run.client.files.uploadV2({ channel_id: 'C0EXEC', thread_ts: parent.ts!, file: png, filename: 'chart.png', title: 'Revenue', initial_comment: 'Here is the chart' });
      assert.equal(r.ok, true);
      const thread = run.sandbox.thread('C0EXEC', parent.ts!);
      assert.equal(thread.length, 2);
      const reply = thread[1]!;
      assert.equal(reply.text, 'Here is the chart');
      const fileId = reply.files![0]!;
      const stored = run.sandbox.file(fileId)!;
      assert.deepEqual(stored.bytes, png);
      assert.equal(stored.title, 'Revenue');
      assert.equal(stored.mimetype, 'image/png');
      const served = await fetch(`${run.publicUrl}/sandbox/files/${fileId}`);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
    });

    it('refuses bytes that do not match the declared length', async () => {
      const { upload_url, file_id } = await run.client.files.getUploadURLExternal({ filename: 'x.txt', length: 10 });
      const res = await fetch(upload_url!, { method: 'POST', body: 'only five' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /upload_length_mismatch/);
      assert.equal((await slackError(run.client.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: 'C0EXEC' }))).error, 'file_not_found');
    });
  });

  describe('views and triggers', () => {
    const modal = (title: string) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: title },
      close: { type: 'plain_text' as const, text: 'Close' },
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }],
    });

    async function freshTrigger(): Promise<string> {
      const before = recorder.received.length;
      await run.sandbox.slashCommand({ user: 'U0CHEN', channel: 'C0OPSALERTS', command: '/opsight', text: 'ask' });
      const form = new URLSearchParams(recorder.received[before]!.body);
      return form.get('trigger_id')!;
    }

    it('opens a modal with a fresh trigger_id, once', async () => {
      const trigger = await freshTrigger();
      const r = await run.client.views.open({ trigger_id: trigger, view: modal('Ask opsight') });
      assert.match(r.view!.id!, /^V/);
      assert.equal(run.sandbox.views().find((v) => v.id === r.view!.id)?.user, 'U0CHEN');
      assert.equal((await slackError(run.client.views.open({ trigger_id: trigger, view: modal('Again') }))).error, 'exchanged_trigger_id');
      assert.equal((await slackError(run.client.views.open({ trigger_id: 'made.up.trigger', view: modal('Nope') }))).error, 'invalid_trigger_id');
    });

    it('refuses a trigger_id older than 3 seconds', async () => {
      const trigger = await freshTrigger();
      clock += 3001;
      assert.equal((await slackError(run.client.views.open({ trigger_id: trigger, view: modal('Too late') }))).error, 'expired_trigger_id');
    });

    it('refuses an invalid view with invalid_blocks', async () => {
      const trigger = await freshTrigger();
      const e = await slackError(run.client.views.open({ trigger_id: trigger, view: modal('a title far longer than twenty-four characters') }));
      assert.equal(e.error, 'invalid_blocks');
      assert.match(e.response_metadata?.messages?.[0] ?? '', /json-pointer:\/view\/title/);
    });

    it('updates by view_id and answers hash_conflict for a stale hash', async () => {
      const opened = await run.client.views.open({ trigger_id: await freshTrigger(), view: modal('First') });
      const updated = await run.client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal('Second') });
      assert.notEqual(updated.view!.hash, opened.view!.hash);
      assert.equal((await slackError(run.client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal('Third') }))).error, 'hash_conflict');
      assert.equal((await slackError(run.client.views.update({ view_id: 'V0NOPE', view: modal('x') }))).error, 'not_found');
    });

    it('publishes a home tab per person', async () => {
      const home = { type: 'home' as const, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Recent alerts' } }] };
      const first = await run.client.views.publish({ user_id: 'U0DEVI', view: home });
      const again = await run.client.views.publish({ user_id: 'U0DEVI', view: home });
      assert.equal(first.view!.id, again.view!.id);
      assert.equal(run.sandbox.home('U0DEVI')?.view.type, 'home');
      assert.equal((await slackError(run.client.views.publish({ user_id: 'U0NOBODY', view: home }))).error, 'user_not_found');
    });
  });

  describe('simulated rate limits', () => {
    it('answers 429 with Retry-After, which WebClient reports', async () => {
      run.sandbox.rateLimit('users.info', { times: 1, retryAfterSec: 7 });
      const strict = new WebClient(BOT_TOKEN, { slackApiUrl: run.sandbox.apiUrl(), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quietSlackLogger() });
      await assert.rejects(strict.users.info({ user: 'U0BOB' }), (err: Error & { code?: string; retryAfter?: number }) => {
        assert.equal(err.code, ErrorCode.RateLimitedError);
        assert.equal(err.retryAfter, 7);
        return true;
      });
      assert.equal((await strict.users.info({ user: 'U0BOB' })).ok, true, 'only `times` calls are limited');
    });

    it('lets WebClient wait and retry, recording the 429 but not as a violation', async () => {
      run.sandbox.rateLimit('usergroups.users.list', { times: 2, retryAfterSec: 0 });
      const patient = new WebClient(BOT_TOKEN, { slackApiUrl: run.sandbox.apiUrl(), retryConfig: { retries: 3, minTimeout: 0, maxTimeout: 0 }, logger: quietSlackLogger() });
      const r = await patient.usergroups.users.list({ usergroup: 'S0EXECS' });
      assert.deepEqual(r.users, ['U0ALICE']);
      const limited = run.sandbox.calls().filter((c) => c.method === 'usergroups.users.list' && c.status === 429);
      assert.equal(limited.length, 2);
      assert.ok(limited.every((c) => c.violation === undefined));
    });
  });

  describe('the record', () => {
    it('counts exactly the wrong calls as violations', () => {
      const violations = run.sandbox.violations();
      const errors = new Set(violations.map((v) => v.error));
      for (const e of [
        'not_authed',
        'invalid_auth',
        'not_allowed_token_type',
        'unknown_method',
        'sandbox_method_not_served',
        'invalid_json',
        'invalid_arguments',
        'invalid_blocks_format',
        'invalid_blocks',
        'no_text',
        'msg_too_long',
        'cant_update_message',
        'exchanged_trigger_id',
        'invalid_trigger_id',
        'expired_trigger_id',
        'upload_length_mismatch',
        'file_not_found',
      ]) {
        assert.ok(errors.has(e), `${e} is a violation`);
      }
      for (const e of ['channel_not_found', 'not_in_channel', 'thread_not_found', 'message_not_found', 'user_not_in_channel', 'user_not_found', 'no_such_subteam', 'hash_conflict', 'not_found', 'ratelimited']) {
        assert.ok(!errors.has(e), `${e} is a situation, not a violation`);
      }
      assert.ok(violations.every((v) => !v.ok));
      const okCalls = run.sandbox.calls().filter((c) => c.ok);
      assert.ok(okCalls.length > 20);
      assert.ok(okCalls.every((c) => c.violation === undefined));
      assert.ok(run.sandbox.calls().every((c) => !('token' in c.args)), 'tokens are never recorded');
    });
  });
});
