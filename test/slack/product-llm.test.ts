import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startOpsight, type Opsight } from '../../src/main.js';
import { silentLogger } from '../../src/ops/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startOpenAiServer, type OpenAiTestServer, type ScriptedReply } from '../support/openai-server.js';
import { freePort } from '../support/process.js';

/**
 * The product with an LLM configured (OPENAI_BASE_URL at a local OpenAI-compatible server):
 * questions the embedded planner would clarify go to the model; its free-form SQL is checked
 * and run read-only, and never reaches restricted metrics for people without the role.
 */
const dir = mkdtempSync(join(tmpdir(), 'opsight-slack-llm-'));
const bot = 'U0OPSIGHT';
let llm: OpenAiTestServer;
let app: Opsight;
let sb: Sandbox;
const reply = (value: unknown): ScriptedReply => ({ toolCall: { arguments: JSON.stringify(value) } });
const UNCLEAR = 'how many things go in a typical basket';

before(async () => {
  llm = await startOpenAiServer();
  const config = loadConfig({ OPSIGHT_DATA_DIR: dir, PORT: String(await freePort()), OPSIGHT_DEMO: '0', OPENAI_BASE_URL: llm.baseUrl, OPENAI_MODEL: 'test-model' });
  app = await startOpsight(config, silentLogger(), { slackPaceMs: 5, workingDelayMs: 60_000 });
  sb = app.sandbox!;
  const t = new Date(Date.now() - 30 * 60_000).toISOString();
  const dims = { channel: 'google', campaign: 'brand-always-on', region: 'EU', country: 'DE', device: 'mobile', product_category: 'home', payment_gateway: 'stripe' };
  await app.pipeline.push([1, 2].map((i) => ({ id: `o-${i}`, ts: t, type: 'order_placed', source: 'test', dims, measures: { revenue: 10, items: i * 2 } })), 'test');
  await app.pipeline.flush();
});

after(async () => {
  await app?.stop();
  await llm?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(user: string, channel: string, text: string) {
  const { ts } = await sb.postMessage({ user, channel, text: `<@${bot}> ${text}` });
  return sb.waitFor(() => sb.thread(channel, ts).find((m) => m.user === bot), { what: `the reply to "${text}"`, timeoutMs: 15_000 });
}

describe('Slack with an LLM planner', () => {
  it('answers what the catalog cannot express with checked SQL over the rollups', async () => {
    llm.reset();
    llm.script(reply({ kind: 'sql', sql: "SELECT sum(sum_items) / sum(cnt) AS items_per_order FROM rollup_1d WHERE type = 'order_placed'", explanation: 'Items per order, all time' }));
    const m = await ask('U0ALICE', 'C0EXEC', UNCLEAR);
    assert.match(m.text, /Items per order/);
    assert.match(JSON.stringify(m.blocks), /items_per_order[\s\S]*3/);
    assert.equal(llm.requests.length, 1);
  });

  it('never calls the model for a question the embedded planner answers', async () => {
    llm.reset();
    const m = await ask('U0ALICE', 'C0EXEC', 'orders in the last 24 hours');
    assert.match(m.text, /Orders the last 24 hours was 2/);
    assert.equal(llm.requests.length, 0);
  });

  it('refuses free-form SQL to someone who may not see every restricted metric', async () => {
    llm.reset();
    llm.script(reply({ kind: 'sql', sql: "SELECT sum(sum_items) / sum(cnt) AS items_per_order FROM rollup_1d WHERE type = 'order_placed'", explanation: 'Items per order' }));
    const m = await ask('U0DEVI', 'C0GENERAL', UNCLEAR);
    assert.match(m.text, /shared with some roles only/);
    assert.doesNotMatch(m.text, /\b3\b/);
  });

  it('does not run SQL that reads outside the rollups, even when the model insists', async () => {
    llm.reset();
    const bad = reply({ kind: 'sql', sql: 'SELECT user_id FROM events', explanation: 'Users' });
    llm.script(bad, bad);
    const m = await ask('U0ALICE', 'C0EXEC', 'how many things go in a typical cart');
    assert.ok(llm.requests.length >= 1, 'the model was asked');
    assert.doesNotMatch(m.text, /user_id/);
    const tables = await app.store.query<{ n: number }>("SELECT count() AS n FROM audit_questions WHERE sql LIKE '%FROM events%'");
    assert.equal(Number(tables[0]!.n), 0, 'no audited question ran SQL over events');
    assert.deepEqual(sb.violations(), []);
  });
});
