import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandIntent, conversationIntent, plainText } from '../../src/slack/intent.js';

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
