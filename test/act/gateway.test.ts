/**
 * The one action interface while automations are off: it records every request, runs nothing,
 * and answers honestly with what the action would have done and how to do it by hand.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadTools, suggestActions, unavailableGateway, type ActionRequest } from '../../src/act/index.js';
import { OpsightError } from '../../src/errors.js';

const TOOLS = loadTools(fileURLToPath(new URL('../../tools', import.meta.url)));
const [PAUSE] = suggestActions([{ tool: 'pause_campaign', params: { campaign: '{{campaign}}' } }], { campaign: 'black-friday-2026' }, TOOLS);

function request(overrides: Partial<ActionRequest> = {}): ActionRequest {
  return { action: PAUSE!, alertId: 'alert-1', requestedBy: 'U0BOB', channelId: 'C0OPSALERTS', at: new Date(Date.UTC(2026, 10, 27, 14, 5)), ...overrides };
}

describe('unavailableGateway', () => {
  test('records the request once and says nothing ran, what it would do and how to do it by hand', async () => {
    const recorded: ActionRequest[] = [];
    const gateway = unavailableGateway(async (req) => {
      recorded.push(req);
    });
    assert.equal(gateway.available, false);
    const req = request();
    const result = await gateway.request(req);
    assert.deepEqual(recorded, [req]);
    assert.equal(result.status, 'unavailable');
    assert.equal(result.error, undefined);
    assert.equal(
      result.message,
      'Noted: <@U0BOB> asked for *Pause campaign* — Pause campaign black-friday-2026 (channel: all) so it stops spending until resumed.\n' +
        "Automations aren't enabled in this workspace yet, so nothing ran. " +
        'To do it now, do it by hand: Ads manager → Campaigns → black-friday-2026 → Pause (channel all). Or ask an admin to enable automations.',
    );
  });

  test('escapes label values so data cannot turn into Slack links or mentions', async () => {
    const [page] = suggestActions(
      [{ tool: 'page_oncall', params: { schedule: 'payments', summary: 'Errors on {{payment_gateway}}' } }],
      { payment_gateway: '<!channel> & <https://evil.example|pay>' },
      TOOLS,
    );
    const result = await unavailableGateway(async () => {}).request(request({ action: page! }));
    assert.ok(result.message.includes('Errors on &lt;!channel&gt; &amp; &lt;https://evil.example|pay&gt;'), result.message);
    assert.ok(!result.message.includes('<!channel>'));
  });

  test('still answers, without claiming it noted anything, when the request cannot be recorded', async () => {
    const cause = new OpsightError('opsight_store_unavailable', 'store down', { retriable: true });
    const result = await unavailableGateway(async () => {
      throw cause;
    }).request(request());
    assert.equal(result.status, 'unavailable');
    assert.equal(result.error, cause);
    assert.ok(!result.message.startsWith('Noted'), result.message);
    assert.match(result.message, /nothing ran, and I couldn't record the request either/);
    assert.match(result.message, /Ads manager → Campaigns → black-friday-2026 → Pause/);
  });

  test('wraps a stranger thrown by the recorder into an OpsightError with it as cause', async () => {
    const boom = new Error('disk full');
    const result = await unavailableGateway(async () => {
      throw boom;
    }).request(request());
    assert.ok(result.error instanceof OpsightError);
    assert.equal(result.error.cause, boom);
  });
});
