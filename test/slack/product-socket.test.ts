import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startOpsight, type Opsight } from '../../src/main.js';
import { silentLogger } from '../../src/ops/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createHttpServer, type HttpServer } from '../../src/server/index.js';
import { freePort } from '../support/process.js';

/**
 * Socket Mode, configured as a real deployment would be (SLACK_BOT_TOKEN + SLACK_APP_TOKEN +
 * SLACK_API_URL), against a sandbox running as a separate server that delivers envelopes over
 * its WebSocket. Nothing in the product knows it is not Slack.
 */
const dir = mkdtempSync(join(tmpdir(), 'opsight-slack-socket-'));
const botToken = 'xoxb-test-socket';
const appToken = 'xapp-test-socket';
const bot = 'U0OPSIGHT';
let slackServer: HttpServer;
let sb: Sandbox;
let app: Opsight;

before(async () => {
  let url = '';
  sb = createSandbox({ log: silentLogger(), botToken, appToken, signingSecret: 'unused-in-socket-mode', delivery: { mode: 'socket' }, publicUrl: () => url });
  slackServer = createHttpServer({ log: silentLogger(), routes: sb.routes, upgrades: sb.upgrades });
  url = `http://127.0.0.1:${await slackServer.listen(0, '127.0.0.1')}`;
  const config = loadConfig({
    OPSIGHT_DATA_DIR: dir,
    PORT: String(await freePort()),
    OPSIGHT_DEMO: '0',
    SLACK_BOT_TOKEN: botToken,
    SLACK_APP_TOKEN: appToken,
    SLACK_API_URL: sb.apiUrl(),
  });
  app = await startOpsight(config, silentLogger(), { slackPaceMs: 5, workingDelayMs: 60_000 });
});

after(async () => {
  await app?.stop();
  await sb?.close();
  await slackServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mentionAndWait(text: string): Promise<string> {
  const { ts } = await sb.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: `<@${bot}> ${text}` });
  const reply = await sb.waitFor(() => sb.thread('C0OPSALERTS', ts).find((m) => m.user === bot), { what: `a reply to "${text}"`, timeoutMs: 15_000 });
  return reply.text;
}

describe('Slack surface in Socket Mode', () => {
  it('runs no sandbox of its own and serves no /slack/events', () => {
    assert.equal(app.sandbox, undefined);
    assert.deepEqual(app.slack.routes, []);
  });

  it('answers a mention delivered over the socket', async () => {
    assert.match(await mentionAndWait('orders in the last 24 hours'), /no orders data|Orders the last 24 hours/i);
  });

  it('reconnects after Slack sends disconnect, and later mentions are still answered', async () => {
    const opens = () => sb.calls().filter((c) => c.method === 'apps.connections.open' && c.ok).length;
    const before = opens();
    sb.disconnectSockets('refresh_requested');
    assert.equal(sb.socketConnections(), 0);
    // Bolt waits its ping timeout (5 s) before asking for a new connection; the next delivery
    // then waits (bounded) for the new socket's hello.
    await sb.waitFor(() => opens() > before || undefined, { what: 'the bot to ask for a new connection', timeoutMs: 20_000 });
    assert.match(await mentionAndWait('help'), /opsight/i);
    assert.deepEqual(sb.violations(), []);
  });
});
