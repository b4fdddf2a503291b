import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Button, KnownBlock } from '@slack/types';
import { validateBlocks, validateView } from '../../src/sandbox/blockkit/index.js';
import {
  ACTIONS_UNAVAILABLE_NOTE,
  ALERT_ACTIONS,
  SILENCE_DURATIONS,
  SILENCE_MODAL,
  alertCard,
  alertThreadReply,
  formatBand,
  formatDelta,
  mentionText,
  silenceModal,
  type AlertCardInput,
} from '../../src/slack/blocks/index.js';
import type { ChangeKind } from '../../src/detect/lifecycle/types.js';

const now = new Date('2026-11-22T09:42:00Z');
const since = new Date('2026-11-22T09:30:00Z');

function input(over: Partial<AlertCardInput> = {}): AlertCardInput {
  return {
    id: 'fp123@1795340000000',
    title: 'Checkout errors up on adyen in EU',
    severity: 'critical',
    status: 'firing',
    metric: { id: 'checkout_error_rate', label: 'Checkout error rate', unit: 'ratio', direction: 'up_is_bad' },
    where: { payment_gateway: 'adyen', region: 'EU' },
    value: 0.048,
    expected: { lower: 0.003, upper: 0.006, center: 0.0045 },
    since,
    series: [{ labels: { payment_gateway: 'adyen', region: 'EU' }, value: 0.048, expected: { lower: 0.003, upper: 0.006, center: 0.0045 }, phase: 'firing' }],
    segments: [{ dimension: 'payment_gateway', value: 'adyen', share: 0.86, delta: 0.042 }],
    actions: [
      { id: 'pause_gateway', label: 'Route EU traffic away from adyen', description: 'Shift new checkouts to stripe for 30 min', style: 'danger' },
      { id: 'open_incident', label: 'Open an incident', description: 'Create an incident in PagerDuty' },
    ],
    actionsAvailable: false,
    mention: ['U0ONCALL', 'S0PAYMENTS', 'here', 'nobody special'],
    now,
    timeZone: 'Europe/Berlin',
    ruleId: 'checkout_error_rate',
    ...over,
  };
}

const text = (blocks: KnownBlock[]) => JSON.stringify(blocks);
const buttonsOf = (blocks: KnownBlock[]): Button[] => blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Button[]) : []));
const actionIds = (blocks: KnownBlock[]) => buttonsOf(blocks).map((b) => b.action_id ?? '');

describe('alertCard', () => {
  it('says what, where, value against the band, since when and what explains it', () => {
    const m = alertCard(input());
    const t = text(m.blocks);
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    assert.equal(m.blocks[0]?.type, 'header');
    assert.match(t, /🔴 Checkout errors up on adyen in EU/);
    assert.match(t, /4\.8% ▲ vs expected 0\.3–0\.6%/);
    assert.match(t, /payment_gateway=adyen · region=EU/);
    // 09:30 UTC is 10:30 in Berlin; 12 minutes before `now`.
    assert.match(t, /today at 10:30 \(12 min ago\)/);
    assert.match(t, /Firing\* for 12 min/);
    assert.match(t, /\*adyen\* \(payment_gateway\) explains 86% of the rise · \+4\.2 pp/);
    assert.match(t, /Times in Europe\/Berlin/);
    assert.match(m.text, /^<@U0ONCALL> <!subteam\^S0PAYMENTS> <!here> 🔴 Critical: Checkout errors up on adyen in EU — 4\.8% ▲ vs expected 0\.3–0\.6%/);
    assert.doesNotMatch(m.text, /\n/);
  });

  it('offers the suggested actions, Acknowledge and Silence… as buttons carrying the alert id', () => {
    const m = alertCard(input());
    assert.deepEqual(actionIds(m.blocks), ['alert_action:0', 'alert_action:1', ALERT_ACTIONS.acknowledge, ALERT_ACTIONS.silence]);
    const [first, , ack, silence] = buttonsOf(m.blocks);
    assert.deepEqual(JSON.parse(first!.value!), { alertId: 'fp123@1795340000000', actionId: 'pause_gateway' });
    assert.equal(first!.style, 'danger');
    assert.ok(first!.confirm, 'a danger action asks before it is requested');
    assert.equal(ack!.value, 'fp123@1795340000000');
    assert.equal(silence!.value, 'fp123@1795340000000');
    for (const id of actionIds(m.blocks).slice(0, 2)) assert.match(id, ALERT_ACTIONS.action);
  });

  it('keeps at most three suggested actions', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, label: `Action ${i}`, description: 'd' }));
    const m = alertCard(input({ actions: many }));
    assert.deepEqual(actionIds(m.blocks).filter((id) => ALERT_ACTIONS.action.test(id)), ['alert_action:0', 'alert_action:1', 'alert_action:2']);
  });

  it('says honestly that suggested actions only record the request until automations are enabled', () => {
    assert.match(text(alertCard(input()).blocks), /automations are not enabled/);
    assert.ok(text(alertCard(input()).blocks).includes(JSON.stringify(ACTIONS_UNAVAILABLE_NOTE).slice(1, 40)));
    assert.doesNotMatch(text(alertCard(input({ actionsAvailable: true })).blocks), /automations are not enabled/);
    assert.doesNotMatch(text(alertCard(input({ actions: [] })).blocks), /automations are not enabled/);
  });

  it('hides Acknowledge once acknowledged, names who, and stops mentioning people', () => {
    const m = alertCard(input({ ack: { by: 'U0ANA', at: new Date(now.getTime() - 120_000) } }));
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    assert.ok(!actionIds(m.blocks).includes(ALERT_ACTIONS.acknowledge));
    assert.ok(actionIds(m.blocks).includes(ALERT_ACTIONS.silence));
    assert.match(text(m.blocks), /Acknowledged by <@U0ANA> 2 min ago/);
    assert.doesNotMatch(text(m.blocks) + m.text, /<!here>|<@U0ONCALL>|subteam/);
  });

  it('shows an active silence with who, until when and why, and mentions nobody', () => {
    const m = alertCard(input({ silence: { by: 'U0BEN', until: new Date(now.getTime() + 2 * 3_600_000), reason: 'adyen <maintenance>' } }));
    const t = text(m.blocks);
    assert.match(t, /Silenced until today at 12:42 by <@U0BEN>: “adyen &lt;maintenance&gt;”/);
    assert.doesNotMatch(t + m.text, /<!here>|<@U0ONCALL>/);
    // An expired silence no longer holds anything back.
    const expired = alertCard(input({ silence: { by: 'U0BEN', until: new Date(now.getTime() - 1000), reason: 'old' } }));
    assert.doesNotMatch(text(expired.blocks), /Silenced/);
    assert.match(expired.text, /<!here>/);
  });

  it('says when a maintenance window holds it back, and that it flaps and reopened', () => {
    const m = alertCard(input({ maintenance: 'PSP upgrade', flapping: true, reopened: 2 }));
    const t = text(m.blocks);
    assert.match(t, /Held back by a maintenance window: PSP upgrade/);
    assert.match(t, /Flapping/);
    assert.match(t, /Fired again 2 times/);
    assert.doesNotMatch(m.text, /<!here>/);
  });

  it('marks a resolved card at the top, says how long it lasted and drops every button and mention', () => {
    const m = alertCard(input({ status: 'resolved', resolvedAt: new Date('2026-11-22T10:12:00Z'), now: new Date('2026-11-22T10:13:00Z') }));
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    const head = m.blocks[0];
    assert.ok(head?.type === 'header' && head.text.text.startsWith('✅ Resolved: Checkout errors'));
    assert.match(text(m.blocks), /Resolved\* today at 11:12 after 42 min/);
    assert.deepEqual(actionIds(m.blocks), []);
    assert.doesNotMatch(text(m.blocks) + m.text, /<!here>|<@U0ONCALL>|automations/);
    assert.match(m.text, /^✅ Resolved: Checkout errors up on adyen in EU after 42 min$/);
  });

  it('lists the top five affected series, worst first, and says how many more', () => {
    const series = Array.from({ length: 12 }, (_, i) => ({
      labels: { payment_gateway: `gw${i}`, region: 'EU' },
      value: 0.01 * (i + 1),
      expected: { lower: 0.003, upper: 0.006, center: 0.0045 },
      phase: i === 0 ? ('resolved' as const) : ('firing' as const),
    }));
    const t = text(alertCard(input({ series })).blocks);
    assert.match(t, /Affected series\* \(12\)/);
    assert.match(t, /🔴 payment_gateway=gw11 · region=EU — 12\.0% ▲/);
    assert.doesNotMatch(t, /gw6 /);
    assert.doesNotMatch(t, /gw0 /, 'a resolved series sorts after firing ones');
    assert.match(t, /and 7 more series/);
  });

  it('renders other units and a missing value or band plainly', () => {
    const usd = alertCard(input({ metric: { id: 'revenue', label: 'Revenue', unit: 'usd', direction: 'up_is_good' }, value: 1200, expected: { lower: 3000, upper: 5000, center: 4000 }, segments: [{ dimension: 'channel', value: 'google', share: 0.7, delta: -2000 }] }));
    assert.match(text(usd.blocks), /\$1\.2k ▼ vs expected \$3\.0k–\$5\.0k/);
    assert.match(text(usd.blocks), /explains 70% of the drop · −\$2\.0k/);
    const empty = alertCard(input({ value: null, expected: null, where: {}, series: [], segments: [] }));
    assert.match(text(empty.blocks), /no data/);
    assert.match(text(empty.blocks), /everywhere/);
    assert.doesNotMatch(text(empty.blocks), /What explains it|Affected series/);
    assert.equal(formatBand({ lower: 120, upper: 340, center: 200 }, 'ms'), '120–340 ms');
    assert.equal(formatDelta(0, 'count'), '±0');
  });

  it('stays within Slack limits for huge inputs: long title and labels, 50 series, 10 segments', () => {
    const long = (n: number, c = 'x') => c.repeat(n);
    const huge = input({
      title: `Checkout ${long(500)} & <errors>`,
      where: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`dim_${i}_${long(60)}`, long(300, 'v')])),
      series: Array.from({ length: 50 }, (_, i) => ({
        labels: Object.fromEntries(Array.from({ length: 8 }, (_, j) => [`k${j}${long(100)}`, `${i}-${long(200)}`])),
        value: i,
        expected: { lower: 0, upper: 1, center: 0.5 },
        phase: 'firing' as const,
      })),
      segments: Array.from({ length: 10 }, (_, i) => ({ dimension: long(400, 'd'), value: `${i}${long(1000)}`, share: i / 10, delta: i })),
      actions: Array.from({ length: 3 }, (_, i) => ({ id: `tool_${i}`, label: long(200, 'L'), description: long(2000, 'D'), style: 'danger' as const })),
      mention: Array.from({ length: 100 }, (_, i) => `U${String(i).padStart(8, '0')}`),
      maintenance: long(5000, 'm'),
      silence: { by: 'U0BEN', until: new Date(now.getTime() + 60_000), reason: long(5000, 'r') },
      chart: { url: `https://charts.example/${long(4000)}`, alt: long(5000) },
    });
    for (const a of [huge, { ...huge, status: 'resolved' as const, resolvedAt: now }, { ...huge, silence: undefined, maintenance: undefined }]) {
      const m = alertCard(a);
      assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
      assert.ok(m.text.length <= 3000);
      for (const change of CHANGES) assert.deepEqual(validateBlocks(alertThreadReply(change, a, { seriesLabels: a.series[3]!.labels, by: 'U0ANA' }).blocks, 'message'), []);
    }
  });
});

const CHANGES: ChangeKind[] = ['fired', 'series_added', 'series_resolved', 'resolved', 'reopened', 'renotify', 'acknowledged', 'silenced', 'unsuppressed'];

describe('alertThreadReply', () => {
  it('writes one valid reply per change', () => {
    const a = input({ ack: undefined, silence: { by: 'U0BEN', until: new Date(now.getTime() + 3_600_000), reason: 'deploy' } });
    for (const change of CHANGES) {
      const m = alertThreadReply(change, a, { seriesLabels: { payment_gateway: 'adyen', region: 'EU' }, by: 'U0ANA' });
      assert.deepEqual(validateBlocks(m.blocks, 'message'), [], change);
      assert.ok(m.text.length > 0 && !m.text.includes('\n'), change);
    }
  });

  it('says what changed, with the series, the person and the reason', () => {
    const series = { payment_gateway: 'adyen', region: 'EU' };
    assert.match(alertThreadReply('series_added', input(), { seriesLabels: series }).text, /payment_gateway=adyen · region=EU is firing too: 4\.8% ▲ vs expected 0\.3–0\.6%/);
    assert.match(alertThreadReply('series_resolved', input(), { seriesLabels: series }).text, /back within its expected band \(4\.8%\)/);
    assert.match(alertThreadReply('acknowledged', input(), { by: 'U0ANA' }).text, /Acknowledged by <@U0ANA>/);
    const silenced = input({ silence: { by: 'U0BEN', until: new Date(now.getTime() + 1_800_000), reason: 'adyen maintenance' } });
    assert.match(alertThreadReply('silenced', silenced).text, /Silenced by <@U0BEN> until today at 11:12: “adyen maintenance”/);
    const resolved = input({ status: 'resolved', resolvedAt: new Date('2026-11-22T10:12:00Z') });
    assert.match(alertThreadReply('resolved', resolved).text, /Resolved\* today at 11:12 after 42 min/);
  });

  it('pings people on reminders and reopenings only while nobody has taken it', () => {
    assert.match(alertThreadReply('renotify', input()).text, /Still firing\* after 12 min.*<!here>/);
    assert.match(alertThreadReply('reopened', input()).text, /<@U0ONCALL>/);
    assert.doesNotMatch(alertThreadReply('renotify', input({ ack: { by: 'U0ANA', at: now } })).text, /<!here>|<@U0ONCALL>/);
    assert.doesNotMatch(alertThreadReply('unsuppressed', input({ maintenance: 'upgrade' })).text, /<!here>/);
  });
});

describe('mentionText', () => {
  it("turns users, groups, here and channel into Slack's syntax and drops anything else", () => {
    assert.equal(mentionText(['U0ANA', '@W0BEN', 'S0OPS', 'here', '!channel', 'everyone', '<!channel>', 'U0ANA', 'ana']), '<@U0ANA> <@W0BEN> <!subteam^S0OPS> <!here> <!channel>');
  });
});

describe('silenceModal', () => {
  it('asks for how long (2 h by default) and why, and remembers the alert and channel', () => {
    const v = silenceModal({ alertId: 'fp123@1795340000000', description: 'Checkout errors on adyen · EU', channelId: 'C0ALERTS' });
    assert.deepEqual(validateView(v), []);
    assert.equal(v.callback_id, SILENCE_MODAL.callbackId);
    assert.deepEqual(JSON.parse(v.private_metadata!), { alertId: 'fp123@1795340000000', channelId: 'C0ALERTS' });
    const t = JSON.stringify(v.blocks);
    assert.match(t, /Checkout errors on adyen · EU/);
    type Input = { type: string; block_id?: string; optional?: boolean; element: { type: string; options?: { value: string }[]; initial_option?: { value: string } } };
    const inputs = v.blocks as unknown as Input[];
    const duration = inputs.find((b) => b.block_id === SILENCE_MODAL.durationBlockId);
    assert.ok(duration?.type === 'input' && duration.element.type === 'radio_buttons');
    assert.deepEqual((duration.element.options ?? []).map((o) => o.value), Object.keys(SILENCE_DURATIONS));
    assert.equal(duration.element.initial_option?.value, '2h');
    const reason = inputs.find((b) => b.block_id === SILENCE_MODAL.reasonBlockId);
    assert.ok(reason?.type === 'input' && reason.element.type === 'plain_text_input' && reason.optional !== true);
  });

  it('stays valid for a very long description', () => {
    assert.deepEqual(validateView(silenceModal({ alertId: 'a', description: 'x'.repeat(10_000), channelId: 'C1' })), []);
  });
});
