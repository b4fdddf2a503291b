import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AskResult } from '../../src/ask/index.js';
import { answerChart } from '../../src/ask/index.js';
import { validateBlocks, validateView } from '../../src/sandbox/blockkit/index.js';
import { answerMessage, askModal, sqlMessage } from '../../src/slack/blocks/index.js';
import type { Plan } from '../../src/semantic/index.js';

const plan: Plan = {
  metric: 'revenue',
  by: ['channel'],
  filters: {},
  from: '2026-11-21T00:00:00Z',
  to: '2026-11-22T00:00:00Z',
  grain: null,
  compare: 'previous_period',
  compare_from: '2026-11-20T00:00:00Z',
  compare_to: '2026-11-21T00:00:00Z',
  top: null,
  tz: 'UTC',
};
const now = new Date('2026-11-22T06:00:00Z');

function answered(rows: AskResult['rows'], p: Plan = plan): AskResult {
  return { plan: p, sql: 'SELECT 1', rows, answer: 'Revenue by channel yesterday: google $300.00 (+50.0%).', status: 'answered' };
}

describe('answerMessage', () => {
  it('renders the sentence, a table with the comparison, freshness and Show SQL', () => {
    const m = answerMessage(answered([{ channel: 'google', value: 300, baseline: 200, change: 0.5 }, { channel: 'meta', value: 50, baseline: null, change: null }]), {
      answerId: 'a1',
      unit: 'usd',
      asOf: new Date(now.getTime() - 5 * 60_000),
      now,
    });
    const text = JSON.stringify(m.blocks);
    assert.match(text, /google/);
    assert.match(text, /\+50\.0%/);
    assert.match(text, /Data as of 5 min/);
    assert.match(text, /"action_id":"show_sql","value":"a1"/);
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
  });

  it('stays within Slack limits for 5,000 groups, cutting the table visibly', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ channel: `c-${i}-${'x'.repeat(40)}`, value: i, baseline: i, change: 0 }));
    const m = answerMessage(answered(rows), { answerId: 'a2', unit: 'count', now });
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    assert.match(JSON.stringify(m.blocks), /more rows/);
  });

  it('lists clarify options and gives a refusal no buttons and no numbers', () => {
    const clarify = answerMessage({ plan: null, sql: null, rows: [], answer: 'Which metric: revenue or orders?', status: 'clarify', options: ['revenue', 'orders'] }, { answerId: 'x', unit: 'count', now });
    assert.match(JSON.stringify(clarify.blocks), /• revenue/);
    const refused = answerMessage({ plan: null, sql: null, rows: [], answer: 'no', status: 'refused', reason: '`revenue` is only shared with the exec role.' }, { answerId: 'x', unit: 'count', now });
    assert.doesNotMatch(JSON.stringify(refused.blocks), /show_sql/);
    for (const m of [clarify, refused]) assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
  });
});

describe('sqlMessage and askModal', () => {
  it('shows the plan and a long SQL within limits, and says so when the answer is forgotten', () => {
    const m = sqlMessage({ question: 'revenue?', result: { ...answered([]), sql: 'SELECT x FROM rollup_1h\n'.repeat(500) } });
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    assert.match(JSON.stringify(m.blocks), /rollup_1h/);
    assert.match(sqlMessage(undefined).text, /not available/);
  });

  it('builds a valid modal that remembers the channel', () => {
    const v = askModal({ channelId: 'C0EXEC' });
    assert.deepEqual(validateView(v), []);
    assert.equal(v.private_metadata, '{"channelId":"C0EXEC"}');
  });
});

describe('answerChart', () => {
  const o = { metricLabel: 'Revenue', unit: 'usd' as const, timeZone: 'UTC' };
  it('draws bars for a breakdown, a line for a trend and nothing for a single number', () => {
    const bars = answerChart(plan, [{ channel: 'google', value: 300, baseline: 200 }], o);
    assert.match(JSON.stringify(bars), /"bar"/);
    const trend = answerChart({ ...plan, by: [], grain: 'hour' }, [{ bucket: '2026-11-21T00:00:00Z', value: 1, baseline: 2 }, { bucket: '2026-11-21T01:00:00Z', value: 3, baseline: 2 }], o);
    assert.match(JSON.stringify(trend), /"line"/);
    assert.match(JSON.stringify(trend), /previous period/);
    assert.equal(answerChart({ ...plan, by: [] }, [{ value: 1 }], o), undefined);
    assert.equal(answerChart(plan, [], o), undefined);
  });
});
