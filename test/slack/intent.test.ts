import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_VERBS, commandIntent, conversationIntent, parseSilenceDuration, plainText } from '../../src/slack/intent.js';

describe('plainText', () => {
  it('drops user, channel and group mentions and unescapes Slack entities', () => {
    assert.equal(plainText('<@U0OPSIGHT> revenue &amp; orders in <#C0EXEC|exec> &lt;today&gt;'), 'revenue & orders in <today>');
    assert.equal(plainText('<@U0OPSIGHT|opsight>   <!subteam^S0ONCALL>  help '), 'help');
  });
});

describe('conversationIntent', () => {
  it('reads a bare mention and "help" as help', () => {
    assert.deepEqual(conversationIntent('<@U0OPSIGHT>'), { kind: 'help' });
    assert.deepEqual(conversationIntent('<@U0OPSIGHT> Help!'), { kind: 'help' });
  });
  it('reads "status" as status and anything else as a question, mentions removed', () => {
    assert.deepEqual(conversationIntent('<@U0OPSIGHT> status'), { kind: 'status' });
    assert.deepEqual(conversationIntent('<@U0OPSIGHT> how did revenue do yesterday?'), { kind: 'ask', question: 'how did revenue do yesterday?' });
  });
});

describe('commandIntent', () => {
  it('needs a verb, so a typo is not taken for a question', () => {
    assert.deepEqual(commandIntent(''), { kind: 'help' });
    assert.deepEqual(commandIntent('stauts'), { kind: 'unknown_verb', verb: 'stauts' });
    assert.deepEqual(commandIntent('revenue yesterday'), { kind: 'unknown_verb', verb: 'revenue' });
  });
  it('takes the rest after ask as the question, and a bare ask as the form', () => {
    assert.deepEqual(commandIntent('ask revenue yesterday by channel'), { kind: 'ask', question: 'revenue yesterday by channel' });
    assert.deepEqual(commandIntent('ASK   '), { kind: 'ask_form' });
    assert.deepEqual(commandIntent('Status'), { kind: 'status' });
  });
});

describe('commandIntent: silence', () => {
  const problem = (line: string) => {
    const i = commandIntent(line);
    assert.equal(i.kind, 'silence_usage', `${line} → ${JSON.stringify(i)}`);
    return i.kind === 'silence_usage' ? i.problem : '';
  };

  it('reads target, label matchers, duration and reason', () => {
    assert.ok((COMMAND_VERBS as readonly string[]).includes('silence'));
    assert.deepEqual(commandIntent('silence checkout_error_rate payment_gateway=adyen for 2h because adyen maintenance'), {
      kind: 'silence',
      target: 'checkout_error_rate',
      matchers: { payment_gateway: 'adyen' },
      durationMs: 2 * 3_600_000,
      reason: 'adyen maintenance',
    });
    assert.deepEqual(commandIntent('Silence revenue for 30m because black friday &amp; launch'), {
      kind: 'silence',
      target: 'revenue',
      matchers: {},
      durationMs: 30 * 60_000,
      reason: 'black friday & launch',
    });
  });

  it('takes quoted label values, "2 hours" and a reason that says anything, even "for"', () => {
    assert.deepEqual(commandIntent('silence orders region="North America" country=“United States” for 1.5 hours because waiting for the fix, for real'), {
      kind: 'silence',
      target: 'orders',
      matchers: { region: 'North America', country: 'United States' },
      durationMs: 90 * 60_000,
      reason: 'waiting for the fix, for real',
    });
  });

  it('parses durations in minutes, hours, days and weeks', () => {
    assert.equal(parseSilenceDuration('90m'), 90 * 60_000);
    assert.equal(parseSilenceDuration('24h'), 86_400_000);
    assert.equal(parseSilenceDuration('7 days'), 7 * 86_400_000);
    assert.equal(parseSilenceDuration('1w'), 7 * 86_400_000);
    assert.equal(parseSilenceDuration('2x'), undefined);
    assert.equal(parseSilenceDuration('soon'), undefined);
  });

  it('says what is wrong with a malformed line', () => {
    assert.match(problem('silence'), /what to silence/);
    assert.match(problem('silence region=EU for 2h because x'), /`region=EU` is a label/);
    assert.match(problem('silence revenue because x'), /for how long/);
    assert.match(problem('silence revenue for because x'), /for how long after `for`/);
    assert.match(problem('silence revenue for 2x because x'), /`2x` is not a duration/);
    assert.match(problem('silence revenue for 2h now because x'), /`2h now` is not a duration/);
    assert.match(problem('silence revenue for 8d because x'), /at most 7 days/);
    assert.match(problem('silence revenue for 10s because x'), /is not a duration/);
    assert.match(problem('silence revenue for 0.5m because x'), /at least 1 minute/);
    assert.match(problem('silence revenue for 2h'), /Say why/);
    assert.match(problem('silence revenue for 2h because   '), /Say why/);
    assert.match(problem('silence revenue region for 2h because x'), /`region` is not a label/);
    assert.match(problem('silence revenue region= for 2h because x'), /`region=` is not a label/);
    assert.match(problem('silence revenue region=EU region=US for 2h because x'), /`region` is given twice/);
    assert.match(problem('silence rev$nue for 2h because x'), /not a rule or metric id/);
    assert.match(problem(`silence revenue for 2h because ${'x'.repeat(501)}`), /under 500 characters/);
  });
});
