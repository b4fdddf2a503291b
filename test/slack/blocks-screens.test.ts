import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { KnownBlock } from '@slack/types';
import {
  errorBlocks,
  errorMessage,
  helpBlocks,
  helpMessage,
  homeBlocks,
  homeView,
  message,
  statusBlocks,
  statusMessage,
  workingBlocks,
  workingMessage,
  type HomeData,
  type StatusInput,
} from '../../src/slack/blocks/index.js';
import { validateBlocks, validateView } from '../../src/sandbox/blockkit/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/blocks');

/**
 * Compares `value` with test/fixtures/blocks/<name>.json. Set UPDATE_GOLDEN=1 to rewrite the
 * file after a deliberate change (and review the diff); a missing file fails rather than
 * being created, so a golden test can never pass by writing its own expectation.
 */
function assertGolden(name: string, value: unknown): void {
  const file = join(FIXTURES, `${name}.json`);
  const actual = JSON.stringify(value, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1 to create it, then review it`);
  assert.deepEqual(JSON.parse(actual), JSON.parse(readFileSync(file, 'utf8')), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}

const messageOk = (blocks: readonly KnownBlock[]) => assert.deepEqual(validateBlocks(message(blocks, 'fallback').blocks, 'message'), []);
const NOW = new Date('2026-11-21T09:30:00Z'); // a Saturday
const CLOCK = { now: NOW, timeZone: 'Europe/Berlin' };
const LONG = 'Checkout errors <adyen> & paypal 👩‍💻🇩🇪 '.repeat(250); // ~10,000 characters
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

const COMMANDS = [
  { usage: '/opsight help', description: 'What I can do and how to ask.' },
  { usage: '/opsight status', description: 'Health of the data store, ingest and the Slack connection.' },
  { usage: '/opsight ask <question>', description: 'Answer one question privately, e.g. "revenue yesterday by channel".' },
];

const STATUS_OK: StatusInput = {
  version: '0.1.0',
  uptimeSec: 93_784,
  store: { ok: true, kind: 'embedded' },
  ingest: { queueDepth: 12, lagSeconds: 0.4, eventsAccepted: 1_234_567 },
  slackMode: 'sandbox',
  demo: true,
};

const HOME: HomeData = {
  alerts: [
    { title: 'ROAS down 38% on meta', severity: 'warning', since: minutesAgo(15 * 60) },
    { title: 'Checkout error rate 4× normal in EU (adyen)', severity: 'critical', since: minutesAgo(80), url: 'https://acme.slack.com/archives/C01ALERTS/p1763717400000100' },
    { title: 'Delivery success below 90% with dpd', severity: 'info', since: minutesAgo(3 * 24 * 60) },
  ],
  approvals: [
    { title: 'Pause campaign retargeting-q4 on meta', requestedBy: 'U024BE7LH', expiresAt: new Date(NOW.getTime() + 25 * 60_000) },
    { title: 'Switch EU checkout to stripe', requestedBy: 'Dana (on-call)', expiresAt: new Date(NOW.getTime() - 60_000) },
  ],
  digests: [
    { title: 'Daily exec summary', postedAt: minutesAgo(150), channel: 'C0EXEC42' },
    { title: 'Daily exec summary', postedAt: minutesAgo(150 + 24 * 60), channel: 'C0EXEC42' },
  ],
};

describe('screens match their golden files', () => {
  test('help', () => assertGolden('help', helpBlocks(COMMANDS)));
  test('status when all is well', () => assertGolden('status-ok', statusBlocks(STATUS_OK)));
  test('status when the store is down and ingest lags', () =>
    assertGolden('status-degraded', statusBlocks({ ...STATUS_OK, store: { ok: false, kind: 'server' }, ingest: { queueDepth: 48_000, lagSeconds: 420, eventsAccepted: 9_876 } })));
  test('home with alerts, approvals and digests', () => assertGolden('home', homeBlocks(HOME, CLOCK)));
  test('home with nothing to show', () => assertGolden('home-empty', homeBlocks({ alerts: [], approvals: [], digests: [] }, CLOCK)));
  test('working', () => assertGolden('working', workingBlocks('revenue yesterday vs last week, by channel')));
  test('error', () => assertGolden('error', errorBlocks("I can't reach the data right now; I'll retry in a minute.")));
});

describe('screens say what people need', () => {
  test('each Home part has an honest empty state', () => {
    const text = JSON.stringify(homeBlocks({ alerts: [], approvals: [], digests: [] }, CLOCK));
    for (const s of ['No alerts in the last 24 hours', 'Nothing waits for your approval', 'No digest posted yet']) assert.ok(text.includes(s), s);
  });

  test('Home shows alerts of the last 24 hours newest first, and only approvals that can still be given', () => {
    const text = JSON.stringify(homeBlocks(HOME, CLOCK));
    assert.ok(text.indexOf('Checkout error rate') < text.indexOf('ROAS down'), 'newest alert first');
    assert.ok(!text.includes('Delivery success'), 'a 3-day-old alert is not recent');
    assert.ok(!text.includes('Switch EU checkout'), 'an expired approval cannot be given');
    assert.ok(text.includes('expires today at 10:55 (in 25 min)'), 'times are in the user zone (Berlin is UTC+1 in November)');
  });

  test('an unknown time zone falls back to UTC and says so', () => {
    const text = JSON.stringify(homeBlocks(HOME, { now: NOW, timeZone: 'Mars/Olympus' }));
    assert.ok(text.includes('Times in UTC'));
  });

  test('an error never shows a stack trace', () => {
    const blocks = errorBlocks('The query failed.\n    at runQuery (/app/src/store/store.ts:120:11)\n    at async main (/app/src/main.ts:9:3)');
    const text = JSON.stringify(blocks);
    assert.ok(text.includes('The query failed.'));
    assert.ok(!text.includes('store.ts') && !text.includes(' at '), text);
    assert.ok(JSON.stringify(errorBlocks('')).includes('Something went wrong on my side'));
  });

  test('status leads with the problem when there is one', () => {
    const blocks = statusBlocks({ ...STATUS_OK, store: { ok: false, kind: 'server' } });
    assert.match(JSON.stringify(blocks[1]), /⚠️ The data store \(server\) is not answering/);
    assert.match(JSON.stringify(statusBlocks(STATUS_OK)[1]), /✅ All systems normal/);
  });
});

describe('adversarial inputs still produce blocks Slack accepts', () => {
  test('help with 200 commands of 10,000 characters', () => {
    const blocks = helpBlocks(Array.from({ length: 200 }, (_, i) => ({ usage: `/opsight cmd-${i} ${LONG}`, description: LONG })));
    assert.match(JSON.stringify(blocks.at(-2)), /more commands not listed/);
    messageOk(blocks);
  });

  test('help with no commands', () => messageOk(helpBlocks([])));

  test('status with absurd values', () => {
    messageOk(statusBlocks({ version: LONG, uptimeSec: Number.NaN, store: { ok: false, kind: LONG }, ingest: { queueDepth: -1, lagSeconds: Infinity, eventsAccepted: 1e21 }, slackMode: '', demo: false }));
  });

  test('home with 200 of everything, long titles, markup, emoji and broken dates', () => {
    const many = <T>(f: (i: number) => T) => Array.from({ length: 200 }, (_, i) => f(i));
    const data: HomeData = {
      alerts: many((i) => ({ title: `${i} ${LONG}`, severity: i % 3 ? 'warning' : LONG, since: i === 7 ? 'not a date' : minutesAgo(i), url: i % 2 ? `https://e.x/${i}?a=1&b=<2>` : 'https://e.x/' + 'a'.repeat(3001) })),
      approvals: many((i) => ({ title: LONG, requestedBy: i % 2 ? 'U0ABCDEF' : LONG, expiresAt: new Date(NOW.getTime() + (i + 1) * 60_000) })),
      digests: many((i) => ({ title: LONG, postedAt: i, channel: i % 2 ? LONG : '' })),
    };
    const blocks = homeBlocks(data, CLOCK);
    assert.ok(blocks.length <= 100);
    const text = JSON.stringify(blocks);
    assert.ok(text.includes('… and 190 more alerts in the last 24 hours.'));
    assert.ok(text.includes('… and 190 more waiting for approval.'));
    assert.deepEqual(validateView(homeView(blocks)), []);
    assert.deepEqual(validateBlocks(blocks, 'home'), []);
  });

  test('working and error with 10,000 characters', () => {
    messageOk(workingBlocks(LONG));
    messageOk(workingBlocks(''));
    messageOk(errorBlocks(LONG));
    assert.ok(JSON.stringify(errorBlocks('<script> & co')).includes('&lt;script&gt; &amp; co'));
  });
});

describe('screens as messages', () => {
  test('help puts the intro on top and lists the commands in the fallback text', () => {
    const m = helpMessage(COMMANDS, "I don't know `frobnicate`. Here is what I can do:");
    assert.equal(m.text, "I don't know `frobnicate`. Here is what I can do: Ask me in plain language, or use /opsight help, /opsight status, /opsight ask <question>.");
    assert.match(JSON.stringify(m.blocks[0]), /I don't know `frobnicate`/);
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
  });
  test('status, working and error carry a fallback text saying the same as their blocks', () => {
    assert.equal(statusMessage(STATUS_OK).text, 'opsight status: all systems normal.');
    assert.match(statusMessage({ ...STATUS_OK, store: { ok: false, kind: 'server' } }).text, /^opsight status: The data store \(server\) is not answering/);
    assert.equal(workingMessage('revenue <today>').text, '⏳ Working on it… revenue &lt;today&gt;');
    assert.equal(errorMessage('Nope.\n    at x (/a.ts:1:2)').text, '⚠️ Nope.');
    for (const m of [statusMessage(STATUS_OK), workingMessage(LONG), errorMessage(LONG)]) {
      assert.ok(m.text.length <= 3000);
      assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    }
  });
});
