import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startOpsight, type Opsight } from '../../src/main.js';
import { silentLogger } from '../../src/ops/index.js';
import type { Sandbox, SandboxMessage } from '../../src/sandbox/index.js';
import { freePort } from '../support/process.js';

/**
 * The whole product as `npm start` runs it without Slack tokens: the bot reaches the sandbox
 * mounted on its own port over signed HTTP, exactly as it would reach Slack in HTTP mode.
 */
const dir = mkdtempSync(join(tmpdir(), 'opsight-slack-http-'));
let app: Opsight;
let sb: Sandbox;

const bot = 'U0OPSIGHT';
const texts = (ms: readonly SandboxMessage[]) => ms.map((m) => m.text);
const botReplies = (channel: string, ts: string) => sb.thread(channel, ts).filter((m) => m.user === bot);

before(async () => {
  const config = loadConfig({ OPSIGHT_DATA_DIR: dir, PORT: String(await freePort()), OPSIGHT_DEMO: '0', OPSIGHT_RULES_DIR: 'rules' });
  app = await startOpsight(config, silentLogger(), { slackPaceMs: 5, workingDelayMs: 60_000 });
  assert.ok(app.sandbox, 'no Slack tokens → the sandbox runs');
  sb = app.sandbox;
  const t = new Date(Date.now() - 30 * 60_000).toISOString();
  const order = (i: number, channel: string, revenue: number) => ({
    id: `o-${i}`,
    ts: t,
    type: 'order_placed',
    source: 'test',
    dims: { channel, campaign: 'brand-always-on', region: 'EU', country: 'DE', device: 'mobile', product_category: 'home', payment_gateway: 'stripe' },
    measures: { revenue, items: 1 },
  });
  await app.pipeline.push([order(1, 'google', 100), order(2, 'google', 100), order(3, 'google', 100), order(4, 'meta', 50)], 'test');
  await app.pipeline.flush();
});

after(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Slack surface over HTTP (sandbox mode)', () => {
  it('answers a mention in its thread with the number, a table, Show SQL and a chart', async () => {
    const { ts } = await sb.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: `<@${bot}> revenue by channel in the last 24 hours` });
    const replies = await sb.waitFor(() => {
      const r = botReplies('C0EXEC', ts);
      return r.length >= 2 && r.some((m) => (m.files ?? []).length > 0) ? r : undefined;
    }, { what: 'the answer and its chart in the thread' });
    const answer = replies.find((m) => (m.files ?? []).length === 0)!;
    assert.match(answer.text, /google \$300/);
    const blocks = JSON.stringify(answer.blocks);
    assert.match(blocks, /meta/);
    assert.match(blocks, /Show SQL/);
    const file = sb.file(replies.find((m) => (m.files ?? []).length > 0)!.files![0]!);
    assert.ok(file?.bytes && file.bytes.subarray(1, 4).toString() === 'PNG', 'the chart is a PNG');

    await sb.clickButton({ user: 'U0ALICE', channel: 'C0EXEC', ts: answer.ts, actionId: 'show_sql' });
    const sql = await sb.waitFor(() => botReplies('C0EXEC', ts).find((m) => /SELECT/.test(JSON.stringify(m.blocks))), { what: 'the SQL in the thread' });
    assert.match(JSON.stringify(sql.blocks), /rollup_1/);
  });

  it('answers a follow-up in the thread from the thread\'s context', async () => {
    const { ts } = await sb.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: `<@${bot}> revenue by channel in the last 24 hours` });
    await sb.waitFor(() => botReplies('C0EXEC', ts).find((m) => /google/.test(m.text)), { what: 'the first answer' });
    await sb.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', thread_ts: ts, text: `<@${bot}> what about meta?` });
    const reply = await sb.waitFor(() => botReplies('C0EXEC', ts).find((m) => /meta/i.test(m.text) && !/google/.test(m.text)), { what: 'the follow-up answer' });
    assert.match(reply.text, /\$50/);
  });

  it('refuses a restricted metric to someone without the role, with no number in the reply', async () => {
    const { ts } = await sb.postMessage({ user: 'U0DEVI', channel: 'C0GENERAL', text: `<@${bot}> revenue by channel in the last 24 hours` });
    const [reply] = await sb.waitFor(() => { const r = botReplies('C0GENERAL', ts); return r.length > 0 ? r : undefined; }, { what: 'the refusal' });
    assert.match(reply!.text, /revenue/);
    assert.doesNotMatch(JSON.stringify([reply!.text, reply!.blocks]), /\$|300|350/);
    assert.equal((reply!.files ?? []).length, 0);
  });

  it('answers unrestricted metrics to everyone, and in a DM without a thread', async () => {
    const dm = 'D0DEVI';
    await sb.postMessage({ user: 'U0DEVI', channel: dm, text: 'orders in the last 24 hours' });
    const reply = await sb.waitFor(() => sb.messages(dm).find((m) => m.user === bot && /4/.test(m.text)), { what: 'the DM answer' });
    assert.match(reply.text, /Orders the last 24 hours was 4/);
  });

  it('answers /opsight help and status privately in the ack, and an unknown verb with help', async () => {
    const help = await sb.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'help' });
    assert.equal(help.status, 200);
    assert.match(JSON.stringify(help.body), /\/opsight ask/);
    const status = await sb.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'status' });
    assert.match(JSON.stringify(status.body), /embedded chDB/);
    const typo = await sb.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'stauts' });
    assert.match(JSON.stringify(typo.body), /I don't know `stauts`/);
  });

  it('opens the question form for a bare /opsight ask, refuses an empty one, and answers a filled one in the channel', async () => {
    const before = sb.messages('C0OPSALERTS').length;
    await sb.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'ask' });
    const view = await sb.waitFor(() => sb.views().find((v) => (v as { callback_id?: string }).callback_id === 'ask_modal' || JSON.stringify(v).includes('ask_modal')), { what: 'the ask modal' });
    const viewId = (view as { id: string }).id;
    const empty = await sb.submitView({ user: 'U0BOB', viewId, values: { question: { question_text: { type: 'plain_text_input', value: '  ' } } } });
    assert.match(JSON.stringify(empty.body), /errors/);
    await sb.submitView({ user: 'U0BOB', viewId, values: { question: { question_text: { type: 'plain_text_input', value: 'orders in the last 24 hours' } } } });
    const answer = await sb.waitFor(() => sb.messages('C0OPSALERTS').slice(before).find((m) => m.user === bot && /Orders/.test(m.text)), { what: 'the form answer' });
    assert.match(answer.text, /was 4/);
  });

  it('tells the asker privately to invite it when /opsight ask comes from a channel it is not in', async () => {
    await sb.slashCommand({ user: 'U0BOB', channel: 'C0RANDOM', command: '/opsight', text: 'ask orders in the last 24 hours' });
    const note = await sb.waitFor(() => sb.messages('C0RANDOM').find((m) => m.ephemeral_to === 'U0BOB' && /invite/.test(m.text)), { what: 'the private note' });
    assert.match(note.text, /\/invite @opsight/);
  });

  it('does not answer guests (no role, not even everyone)', async () => {
    const { ts } = await sb.postMessage({ user: 'U0GUEST', channel: 'C0GENERAL', text: `<@${bot}> orders in the last 24 hours` });
    const [reply] = await sb.waitFor(() => { const r = botReplies('C0GENERAL', ts); return r.length > 0 ? r : undefined; }, { what: 'the refusal to a guest' });
    assert.match(reply!.text, /guest/i);
    assert.doesNotMatch(reply!.text, /\b4\b/);
  });

  it('publishes the Home tab with its sections and honest empty states', async () => {
    await sb.openHome('U0ALICE');
    const home = await sb.waitFor(() => sb.home('U0ALICE'), { what: 'the home view' });
    const text = JSON.stringify(home);
    assert.match(text, /Recent alerts/);
    assert.match(text, /No alerts/);
    assert.match(text, /Ask a question/);
  });

  it('rejects a bad signature and a stale timestamp, and no listener runs', async () => {
    const before = sb.calls().length;
    const bad = await sb.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: `<@${bot}> orders today` }, { tamper: 'signature' });
    const stale = await sb.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: `<@${bot}> orders today` }, { tamper: 'stale' });
    assert.equal(bad.ack?.status, 401);
    assert.equal(stale.ack?.status, 401);
    // A later good mention is answered, and the two refused ones left no trace in between.
    const { ts } = await sb.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: `<@${bot}> help` });
    await sb.waitFor(() => botReplies('C0EXEC', ts).length > 0 || undefined, { what: 'the help reply' });
    assert.equal(botReplies('C0EXEC', bad.ts).length + botReplies('C0EXEC', stale.ts).length, 0);
    const posts = sb.calls().slice(before).filter((c) => c.method === 'chat.postMessage');
    assert.equal(posts.length, 1, 'only the good mention was answered');
  });

  it('rides out 429s from chat.postMessage without losing or reordering answers', async () => {
    sb.rateLimit('chat.postMessage', { times: 2, retryAfterSec: 1 });
    const { ts } = await sb.postMessage({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${bot}> help` });
    await sb.waitFor(() => botReplies('C0GENERAL', ts).length > 0 || undefined, { what: 'the reply after the 429s', timeoutMs: 15_000 });
    const limited = sb.calls().filter((c) => c.error === 'ratelimited');
    assert.ok(limited.length >= 2);
    assert.equal(botReplies('C0GENERAL', ts).length, 1, 'sent once, not doubled');
  });

  it('wrote every question to audit_questions: who, where, outcome, plan and SQL', async () => {
    const rows = await app.store.query<{ user_id: string; channel: string; status: string; metric: string; sql: string; latency_ms: number }>(
      "SELECT user_id, channel, status, metric, sql, latency_ms FROM audit_questions WHERE surface = 'slack' ORDER BY at",
    );
    const alice = rows.find((r) => r.user_id === 'U0ALICE' && r.metric === 'revenue');
    assert.ok(alice && alice.status === 'answered' && alice.channel === 'C0EXEC' && /rollup_/.test(alice.sql));
    const devi = rows.find((r) => r.user_id === 'U0DEVI' && r.channel === 'C0GENERAL');
    assert.equal(devi?.status, 'refused');
    assert.equal(devi?.sql, '', 'a refused question ran no SQL');
    assert.ok(rows.some((r) => r.user_id === 'U0GUEST' && r.status === 'refused'), 'a guest refused before planning is on the record too');
  });

  it('made no call that real Slack would reject', () => {
    assert.deepEqual(sb.violations(), []);
    assert.ok(texts(sb.messages('C0EXEC')).length > 0);
  });
});
