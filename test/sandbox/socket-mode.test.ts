import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { App, SocketModeReceiver } from '@slack/bolt';
import { WebSocket } from 'ws';
import { APP_TOKEN, BOT_TOKEN, quietSlackLogger, startSandbox, type Running } from './harness.js';

/**
 * Slack → bot over Socket Mode, proven with real bolt apps: the connection handshake through
 * apps.connections.open, envelopes and acks, Slack's `disconnect` with the bot reconnecting, and
 * a missing ack or a missing connection reported instead of hanging.
 */

async function connectionsOpened(run: Running): Promise<number> {
  return run.sandbox.calls().filter((c) => c.method === 'apps.connections.open' && c.ok).length;
}

describe('Socket Mode with bolt (socketMode: true)', () => {
  let run: Running;
  let app: App;

  before(async () => {
    run = await startSandbox({ delivery: { mode: 'socket' } });
    const slackApiUrl = run.sandbox.apiUrl();
    app = new App({
      token: BOT_TOKEN,
      appToken: APP_TOKEN,
      socketMode: true,
      clientOptions: { slackApiUrl, retryConfig: { retries: 0 } },
      // SocketModeReceiver hands these to the socket client's WebClient: how apps.connections.open reaches the sandbox.
      installerOptions: { clientOptions: { slackApiUrl } },
      logger: quietSlackLogger(),
    });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: `Socket reply to ${event.user}`, thread_ts: event.ts });
    });
    app.command('/opsight', async ({ command, ack }) => {
      await ack({ text: `Ephemeral answer to "${command.text}"` });
    });
    await app.start();
  });

  after(async () => {
    await app.stop();
    await run.close();
  });

  it('connects with the app token through apps.connections.open', async () => {
    assert.equal(await connectionsOpened(run), 1);
    assert.equal(run.sandbox.socketConnections(), 1);
  });

  it('delivers a mention as an events_api envelope and sees the reply', async () => {
    const posted = await run.sandbox.postMessage({ user: 'U0ALICE', channel: 'C0GENERAL', text: '<@U0OPSIGHT> orders today?' });
    assert.deepEqual(posted.ack, { status: 200, body: {} });
    const reply = await run.sandbox.waitFor(() => run.sandbox.thread('C0GENERAL', posted.ts)[1], { what: 'the reply over Socket Mode' });
    assert.equal(reply.text, 'Socket reply to U0ALICE');
  });

  it('applies a slash command ack payload as the ephemeral answer', async () => {
    const result = await run.sandbox.slashCommand({ user: 'U0DEVI', channel: 'C0GENERAL', command: '/opsight', text: 'help' });
    assert.deepEqual(result, { status: 200, body: { text: 'Ephemeral answer to "help"' } });
    const answer = run.sandbox.messages('C0GENERAL').at(-1)!;
    assert.equal(answer.text, 'Ephemeral answer to "help"');
    assert.equal(answer.ephemeral_to, 'U0DEVI');
  });

  it('refuses the signature-tampering options, which only mean something over HTTP', async () => {
    await assert.rejects(run.sandbox.postMessage({ user: 'U0ALICE', channel: 'C0GENERAL', text: '<@U0OPSIGHT> x' }, { tamper: 'signature' }), /HTTP-mode/);
  });

  it('saw only valid calls from the bot', () => {
    assert.deepEqual(run.sandbox.violations(), []);
  });
});

describe('Socket Mode reconnect', () => {
  let run: Running;
  let app: App;
  const seen: string[] = [];

  before(async () => {
    run = await startSandbox({ delivery: { mode: 'socket' } });
    const slackApiUrl = run.sandbox.apiUrl();
    const logger = quietSlackLogger();
    // The receiver built directly, to shorten its reconnect delay (clientPingTimeout × attempts).
    const receiver = new SocketModeReceiver({ appToken: APP_TOKEN, logger, clientPingTimeout: 1000, installerOptions: { clientOptions: { slackApiUrl } } });
    app = new App({ token: BOT_TOKEN, receiver, clientOptions: { slackApiUrl, retryConfig: { retries: 0 } }, logger });
    app.event('app_mention', async ({ event, say }) => {
      seen.push(event.text);
      await say({ text: `still here: ${event.text}`, thread_ts: event.ts });
    });
    await app.start();
  });

  after(async () => {
    await app.stop();
    await run.close();
  });

  it('reconnects after Slack asks it to, and later deliveries still arrive', async () => {
    const first = await run.sandbox.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: '<@U0OPSIGHT> before' });
    assert.equal(first.ack?.status, 200);
    assert.equal(await connectionsOpened(run), 1);

    run.sandbox.disconnectSockets();
    assert.equal(run.sandbox.socketConnections(), 0, 'a disconnected socket takes no deliveries');
    await run.sandbox.waitFor(() => run.sandbox.calls().filter((c) => c.method === 'apps.connections.open' && c.ok).length === 2, { what: 'the bot to ask for a new connection', timeoutMs: 15_000 });

    // Delivery waits (bounded) for the new connection's hello.
    const later = await run.sandbox.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: '<@U0OPSIGHT> after' });
    assert.equal(later.ack?.status, 200);
    const reply = await run.sandbox.waitFor(() => run.sandbox.thread('C0OPSALERTS', later.ts)[1], { what: 'the reply after reconnecting' });
    assert.equal(reply.text, 'still here: <@U0OPSIGHT> after');
    assert.deepEqual(seen, ['<@U0OPSIGHT> before', '<@U0OPSIGHT> after']);
    assert.deepEqual(run.sandbox.violations(), []);
  });
});

describe('Socket Mode without a well-behaved app', () => {
  it('reports a missing connection after the wait instead of hanging', async () => {
    const run = await startSandbox({ delivery: { mode: 'socket' }, socketWaitMs: 100 });
    try {
      const posted = await run.sandbox.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: '<@U0OPSIGHT> hello?' });
      assert.equal(posted.ack?.status, 0);
      assert.match(posted.ack?.error ?? '', /no Socket Mode connection within 100 ms/);
    } finally {
      await run.close();
    }
  });

  it('reports a missing ack, answers pings, and takes each connection ticket once', async () => {
    const run = await startSandbox({ delivery: { mode: 'socket' }, ackTimeoutMs: 200 });
    try {
      const open = await fetch(`${run.sandbox.apiUrl()}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${APP_TOKEN}` } });
      const { url } = (await open.json()) as { url: string };
      assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/sandbox\/socket\?ticket=/);
      const ws = new WebSocket(url);
      const [hello] = (await once(ws, 'message')) as [Buffer];
      const helloMsg = JSON.parse(hello.toString()) as { type: string; num_connections: number; connection_info: { app_id: string } };
      assert.equal(helloMsg.type, 'hello');
      assert.equal(helloMsg.connection_info.app_id, 'A0OPSIGHT');

      ws.ping('are you there');
      const [pong] = (await once(ws, 'pong')) as [Buffer];
      assert.equal(pong.toString(), 'are you there');

      const envelopes: { type: string; accepts_response_payload: boolean }[] = [];
      ws.on('message', (m: Buffer) => envelopes.push(JSON.parse(m.toString()) as { type: string; accepts_response_payload: boolean }));
      const result = await run.sandbox.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'never acked' });
      assert.equal(result.status, 0);
      assert.match(result.error ?? '', /no ack for slash_commands envelope .* within 200 ms/);
      assert.equal(envelopes[0]?.type, 'slash_commands');
      assert.equal(envelopes[0]?.accepts_response_payload, true);

      const reused = new WebSocket(url);
      const [err] = (await once(reused, 'error')) as [Error];
      assert.match(err.message, /401/);
      ws.close();
    } finally {
      await run.close();
    }
  });
});
