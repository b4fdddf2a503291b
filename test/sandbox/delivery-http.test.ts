import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { App, HTTPReceiver } from '@slack/bolt';
import { SandboxUsageError } from '../../src/sandbox/index.js';
import { freePort } from '../support/process.js';
import { BOT_TOKEN, SIGNING_SECRET, quietSlackLogger, startSandbox, type Running } from './harness.js';

/**
 * Slack → bot over HTTP, proven with a real bolt App on HTTPReceiver: signed requests the bot
 * verifies, listeners that run, and ack bodies / response_urls / views applied as Slack would.
 */

const ASK_MODAL = {
  type: 'modal' as const,
  callback_id: 'ask_modal',
  private_metadata: 'from-slash',
  title: { type: 'plain_text' as const, text: 'Ask opsight' },
  submit: { type: 'plain_text' as const, text: 'Ask' },
  blocks: [
    { type: 'input' as const, block_id: 'q', label: { type: 'plain_text' as const, text: 'Question' }, element: { type: 'plain_text_input' as const, action_id: 'q_input' } },
    {
      type: 'input' as const,
      block_id: 'grain',
      optional: true,
      label: { type: 'plain_text' as const, text: 'Grain' },
      element: {
        type: 'static_select' as const,
        action_id: 'grain_select',
        options: [
          { text: { type: 'plain_text' as const, text: 'Hour' }, value: 'hour' },
          { text: { type: 'plain_text' as const, text: 'Day' }, value: 'day' },
        ],
      },
    },
  ],
};

describe('HTTP delivery to a bolt app', () => {
  let run: Running;
  let app: App;
  const mentions: { text: string }[] = [];
  const dms: string[] = [];
  const submissions: { values: unknown; privateMetadata: string }[] = [];

  before(async () => {
    const botPort = await freePort();
    run = await startSandbox({ delivery: { mode: 'http', requestUrl: `http://127.0.0.1:${botPort}/slack/events` } });
    const logger = quietSlackLogger();
    app = new App({
      token: BOT_TOKEN,
      receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, logger }),
      clientOptions: { slackApiUrl: run.sandbox.apiUrl(), retryConfig: { retries: 0 } },
      logger,
    });
    app.event('app_mention', async ({ event, say }) => {
      mentions.push(event);
      await say({ text: `You asked: ${event.text}`, thread_ts: event.ts });
    });
    app.message(async ({ message, say }) => {
      if (message.channel_type !== 'im' || !('text' in message)) return;
      dms.push(message.text ?? '');
      await say(`DM received: ${message.text}`);
    });
    app.command('/opsight', async ({ command, ack, respond, client }) => {
      if (command.text === 'modal') {
        await ack();
        await client.views.open({ trigger_id: command.trigger_id, view: ASK_MODAL });
      } else if (command.text === 'announce') {
        await ack({ response_type: 'in_channel', text: 'Everyone sees this' });
      } else if (command.text === 'later') {
        await ack();
        await respond({ text: 'Answer via response_url' });
      } else {
        await ack(`Working on "${command.text}"`);
      }
    });
    app.action('approve', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
    });
    app.view('ask_modal', async ({ ack, view }) => {
      const q = view.state.values.q?.q_input?.value ?? '';
      submissions.push({ values: view.state.values, privateMetadata: view.private_metadata });
      if (q === 'bad') await ack({ response_action: 'errors', errors: { q: 'Ask about a metric, like revenue' } });
      else await ack();
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Hello <@${event.user}>` } }] } });
    });
    await app.start(botPort);
  });

  after(async () => {
    await app.stop();
    await run.close();
  });

  it('delivers a mention that the listener answers in its thread', async () => {
    const posted = await run.sandbox.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: '<@U0OPSIGHT> revenue yesterday' });
    assert.equal(posted.ack?.status, 200);
    assert.deepEqual(posted.deliveries.map((d) => d.event), ['message', 'app_mention']);
    const reply = await run.sandbox.waitFor(() => run.sandbox.thread('C0EXEC', posted.ts)[1], { what: 'the bot reply in the thread' });
    assert.equal(reply.text, 'You asked: <@U0OPSIGHT> revenue yesterday');
    assert.equal(reply.user, 'U0OPSIGHT');
    assert.equal(mentions.length, 1);
  });

  it('delivers DMs as message events with channel_type im, never as app_mention', async () => {
    const posted = await run.sandbox.postMessage({ user: 'U0BOB', channel: 'D0BOB', text: '<@U0OPSIGHT> hi in a DM' });
    assert.deepEqual(posted.deliveries.map((d) => d.event), ['message']);
    const reply = await run.sandbox.waitFor(() => run.sandbox.messages('D0BOB').find((m) => m.user === 'U0OPSIGHT'), { what: 'the DM reply' });
    assert.equal(reply.text, 'DM received: <@U0OPSIGHT> hi in a DM');
  });

  it('delivers nothing from a channel the bot is not in', async () => {
    const posted = await run.sandbox.postMessage({ user: 'U0DEVI', channel: '#random', text: '<@U0OPSIGHT> are you here?' });
    assert.equal(posted.ack, undefined);
    assert.deepEqual(posted.deliveries, []);
  });

  for (const tamper of ['signature', 'stale'] as const) {
    it(`gets 401 for a ${tamper === 'signature' ? 'wrong signature' : 'stale timestamp'} and no listener runs`, async () => {
      const before = mentions.length;
      const posted = await run.sandbox.postMessage({ user: 'U0ALICE', channel: 'C0EXEC', text: `<@U0OPSIGHT> tampered ${tamper}` }, { tamper });
      assert.ok(posted.deliveries.length > 0);
      for (const d of posted.deliveries) assert.equal(d.result.status, 401);
      assert.equal(mentions.length, before);
      assert.equal(run.sandbox.thread('C0EXEC', posted.ts).length, 1, 'no reply');
    });
  }

  it('shows a slash command ack as an ephemeral answer to the person who typed it', async () => {
    const result = await run.sandbox.slashCommand({ user: 'U0CHEN', channel: 'C0OPSALERTS', command: '/opsight', text: 'status' });
    assert.equal(result.status, 200);
    const answer = run.sandbox.messages('C0OPSALERTS').at(-1)!;
    assert.equal(answer.text, 'Working on "status"');
    assert.equal(answer.ephemeral_to, 'U0CHEN');
  });

  it('posts an in_channel ack for everyone, even where the bot is not a member', async () => {
    await run.sandbox.slashCommand({ user: 'U0DEVI', channel: 'C0RANDOM', command: '/opsight', text: 'announce' });
    const answer = run.sandbox.messages('C0RANDOM').at(-1)!;
    assert.equal(answer.text, 'Everyone sees this');
    assert.equal(answer.ephemeral_to, undefined);
  });

  it('applies a response_url post as an ephemeral message', async () => {
    await run.sandbox.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'later' });
    const answer = await run.sandbox.waitFor(() => run.sandbox.messages('C0OPSALERTS').find((m) => m.text === 'Answer via response_url'), { what: 'the response_url answer' });
    assert.equal(answer.ephemeral_to, 'U0BOB');
  });

  it('refuses commands the app does not register, like Slack', async () => {
    await assert.rejects(run.sandbox.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/deploy', text: '' }), SandboxUsageError);
  });

  it('clicks a button: the bot gets block_actions and replaces the message through respond()', async () => {
    const posted = await app.client.chat.postMessage({
      channel: 'C0OPSALERTS',
      text: 'Checkout errors up 40% in EU',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*Checkout errors* up 40% in EU' } },
        { type: 'actions', block_id: 'decide', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'req-1', style: 'primary' }] },
      ],
    });
    await assert.rejects(run.sandbox.clickButton({ user: 'U0BOB', channel: 'C0OPSALERTS', ts: posted.ts!, actionId: 'reject' }), /no button with action_id reject \(it has approve\)/);
    const result = await run.sandbox.clickButton({ user: 'U0BOB', channel: 'C0OPSALERTS', ts: posted.ts!, actionId: 'approve' });
    assert.equal(result.status, 200);
    const replaced = await run.sandbox.waitFor(() => {
      const m = run.sandbox.messages('C0OPSALERTS').find((x) => x.ts === posted.ts);
      return m?.text.startsWith('Approved') ? m : undefined;
    }, { what: 'the replaced alert' });
    assert.equal(replaced.text, 'Approved by <@U0BOB>');
    assert.equal(replaced.blocks, undefined);
  });

  it('opens a modal from a slash command, keeps it open on errors, closes it on a bare ack', async () => {
    await run.sandbox.slashCommand({ user: 'U0ALICE', channel: 'C0EXEC', command: '/opsight', text: 'modal' });
    const modal = await run.sandbox.waitFor(() => run.sandbox.views().find((v) => v.type === 'modal' && v.user === 'U0ALICE' && v.open), { what: 'the modal' });
    await assert.rejects(run.sandbox.submitView({ user: 'U0ALICE', viewId: modal.id, values: {} }), /input q is required/);

    const rejected = await run.sandbox.submitView({ user: 'U0ALICE', viewId: modal.id, values: { q: { q_input: 'bad' } } });
    assert.deepEqual(rejected.body, { response_action: 'errors', errors: { q: 'Ask about a metric, like revenue' } });
    assert.equal(run.sandbox.views().find((v) => v.id === modal.id)?.open, true);

    const accepted = await run.sandbox.submitView({ user: 'U0ALICE', viewId: modal.id, values: { q: { q_input: 'revenue by channel' }, grain: { grain_select: 'day' } } });
    assert.equal(accepted.status, 200);
    assert.equal(run.sandbox.views().find((v) => v.id === modal.id)?.open, false);
    const last = submissions.at(-1)!;
    assert.equal(last.privateMetadata, 'from-slash');
    assert.deepEqual(last.values, {
      q: { q_input: { type: 'plain_text_input', value: 'revenue by channel' } },
      grain: { grain_select: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Day' }, value: 'day' } } },
    });
  });

  it('delivers app_home_opened and shows the published home', async () => {
    const result = await run.sandbox.openHome('U0EMI');
    assert.equal(result.status, 200);
    const home = await run.sandbox.waitFor(() => run.sandbox.home('U0EMI'), { what: 'the home tab' });
    assert.deepEqual(home.view.blocks, [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello <@U0EMI>' } }]);
  });

  it('saw only valid calls from the bot', () => {
    assert.deepEqual(run.sandbox.violations(), []);
    const methods = new Set(run.sandbox.calls().map((c) => c.method));
    for (const m of ['auth.test', 'chat.postMessage', 'views.open', 'views.publish', 'response_url', 'slash_command.ack']) assert.ok(methods.has(m), `bot used ${m}`);
  });
});

describe('HTTP delivery to an app that never answers', () => {
  it('reports the missing ack as an error result instead of hanging', async () => {
    const silent = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const run = await startSandbox({ delivery: { mode: 'http', requestUrl: `http://127.0.0.1:${port}/slack/events` }, ackTimeoutMs: 200 });
    try {
      const result = await run.sandbox.slashCommand({ user: 'U0BOB', channel: 'C0OPSALERTS', command: '/opsight', text: 'hello?' });
      assert.equal(result.status, 0);
      assert.match(result.error ?? '', /no answer within 200 ms/);
    } finally {
      await run.close();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reports a refused connection as an error result', async () => {
    const port = await freePort();
    const run = await startSandbox({ delivery: { mode: 'http', requestUrl: `http://127.0.0.1:${port}/slack/events` } });
    try {
      const posted = await run.sandbox.postMessage({ user: 'U0BOB', channel: 'C0OPSALERTS', text: '<@U0OPSIGHT> anyone?' });
      assert.equal(posted.ack?.status, 0);
      assert.match(posted.ack?.error ?? '', /ECONNREFUSED|fetch failed/);
    } finally {
      await run.close();
    }
  });
});
