import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActionsBlock, ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import {
  actions,
  button,
  codeBlock,
  context,
  divider,
  fields,
  header,
  homeView,
  image,
  limits,
  message,
  modal,
  section,
  table,
  tableText,
} from '../../src/slack/blocks/index.js';
import { validateBlocks, validateView } from '../../src/sandbox/blockkit/index.js';

const LONG = 'lorem ipsum <dolor> & sit amet 😀 '.repeat(300); // ~10,000 characters
const assertValid = (blocks: readonly KnownBlock[], surface: 'message' | 'modal' | 'home' = 'message') =>
  assert.deepEqual(validateBlocks(blocks, surface), []);
const textOf = (b: KnownBlock) => ((b as SectionBlock).text as MrkdwnElement).text;

describe('header, section, fields, context, image', () => {
  test('a header is one line of at most 150 characters, never empty', () => {
    const h = header(LONG);
    assert.ok(h.text.text.length <= limits.MAX_HEADER_TEXT);
    assert.ok(!h.text.text.includes('\n'));
    assert.match(h.text.text, /… \(cut: [\d,]+ more characters\)$/);
    assert.equal(header('  ').text.text, '—');
    assertValid([h, header('')]);
  });

  test('a section cuts 10,000 characters to 3000 and says where the rest is', () => {
    const s = section(LONG, { more: 'full answer in the thread' });
    assert.ok(textOf(s).length <= 3000);
    assert.match(textOf(s), /— full answer in the thread\)$/);
    assertValid([s]);
  });

  test('a section of fields alone has no text', () => {
    const s = section('', { fields: fields([['Revenue', '€1.2M']]) });
    assert.equal(s.text, undefined);
    assert.deepEqual(s.fields, [{ type: 'mrkdwn', text: '*Revenue*\n€1.2M' }]);
    assertValid([s]);
  });

  test('more than 10 fields keep 9 and count the rest in the 10th', () => {
    const pairs = Array.from({ length: 25 }, (_, i) => [`Metric <${i}>`, LONG] as const);
    const f = fields(pairs, 'see the digest');
    assert.equal(f.length, 10);
    assert.equal(f[9]?.text, '_… and 16 more (see the digest)_');
    assert.ok(f.every((x) => x.text.length <= limits.MAX_FIELD_TEXT));
    assert.ok(f[0]?.text.startsWith('*Metric &lt;0&gt;*\n'));
    assertValid([section('', { fields: f })]);
  });

  test('more than 10 context parts are joined into the 10th, none dropped', () => {
    const c = context(Array.from({ length: 14 }, (_, i) => `part ${i}`));
    assert.equal(c.elements.length, 10);
    assert.equal((c.elements[9] as MrkdwnElement).text, 'part 9  ·  part 10  ·  part 11  ·  part 12  ·  part 13');
    assertValid([c, context([]), context([{ imageUrl: 'https://e.x/i.png', alt: 'icon' }, LONG])]);
  });

  test('an image whose address is too long for Slack is replaced by a line saying so', () => {
    const tooLong = image('https://e.x/' + 'a'.repeat(3000), 'revenue chart');
    assert.equal(tooLong.type, 'context');
    assert.match(((tooLong as ContextBlock).elements[0] as MrkdwnElement).text, /Image not shown.*revenue chart/);
    const ok = image('https://e.x/chart.png', LONG, LONG);
    assertValid([tooLong, ok, divider()]);
  });
});

describe('buttons and actions', () => {
  test('a button label is cut to 75 and its confirmation dialog to Slack limits', () => {
    const b = button({ text: LONG, actionId: 'approve', value: 'req-1', style: 'primary', confirm: { title: LONG, text: LONG, confirm: LONG, deny: LONG, style: 'danger' } });
    assert.ok(b.text.text.length <= 75);
    assert.ok((b.confirm?.title?.text.length ?? 0) <= 100 && (b.confirm?.text.text.length ?? 0) <= 300);
    assert.ok((b.confirm?.confirm?.text.length ?? 0) <= 30 && (b.confirm?.deny?.text.length ?? 0) <= 30);
    assertValid([actions([b])[0] as ActionsBlock]);
  });

  test('identifiers and values are data: too long throws instead of being cut', () => {
    assert.throws(() => button({ text: 'Go', actionId: 'a'.repeat(256) }), /action_id must have 1 to 255 characters/);
    assert.throws(() => button({ text: 'Go', actionId: 'go', value: 'v'.repeat(2001) }), /button value must have 1 to 2000/);
    assert.throws(() => button({ text: 'Go', actionId: 'go', url: 'https://e.x/' + 'a'.repeat(3000) }), RangeError);
  });

  test('80 buttons become four actions blocks of at most 25, with distinct block ids', () => {
    const buttons = Array.from({ length: 80 }, (_, i) => button({ text: `Action ${i}`, actionId: `act_${i}`, value: String(i) }));
    const rows = actions(buttons, 'alert-42');
    assert.deepEqual(rows.map((r) => r.elements.length), [25, 25, 25, 5]);
    assert.deepEqual(rows.map((r) => r.block_id), ['alert-42', 'alert-42-2', 'alert-42-3', 'alert-42-4']);
    assertValid(message(rows, 'actions').blocks);
  });
});

describe('codeBlock', () => {
  test('a cut keeps the fence closed and puts the marker after it', () => {
    const out = codeBlock('SELECT 1 & 2 < 3\n'.repeat(500), 3000, 'see Show SQL');
    assert.ok(out.length <= 3000);
    assert.match(out, /^```\n[\s\S]*\n```\n… \(cut: [\d,]+ more characters — see Show SQL\)$/);
    assert.ok(out.includes('1 &amp; 2 &lt; 3'));
  });
  test('backtick fences inside the text cannot close the block early', () => {
    const out = codeBlock('a ``` b');
    assert.equal(out.split('```').length, 3);
    assert.equal(codeBlock('short'), '```\nshort\n```');
  });
});

describe('table', () => {
  const columns = [{ title: 'channel' }, { title: 'revenue', align: 'right' as const }];
  test('columns are padded to their widest cell; numbers align right', () => {
    const text = tableText({ columns, rows: [['google', '1,200.50'], ['email <b2b>', '80.00']] });
    assert.equal(text, '```\nchannel       revenue\n───────────  ────────\ngoogle       1,200.50\nemail &lt;b2b&gt;     80.00\n```');
  });

  test('500 rows fit in 3000 characters and the rest is counted with a pointer', () => {
    const rows = Array.from({ length: 500 }, (_, i) => [`campaign-${i}`, (i * 1234.5).toFixed(2)]);
    const block = table({ columns, rows, more: 'full table in the thread' });
    const text = textOf(block);
    assert.ok(text.length <= 3000);
    const shown = text.split('\n').filter((l) => l.startsWith('campaign-')).length;
    assert.ok(shown > 50, `only ${shown} rows shown`);
    assert.ok(text.endsWith(`\n_… and ${500 - shown} more rows — full table in the thread_`), text.slice(-80));
    assertValid([block]);
  });

  test('maxRows caps the rows shown even when more would fit', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`c${i}`, String(i)]);
    assert.match(tableText({ columns, rows, maxRows: 5 }), /c4 +4\n```\n_… and 25 more rows_$/);
  });

  test('an empty table says so; long cells and wide tables are cut', () => {
    assert.match(tableText({ columns, rows: [] }), /\(no rows\)\n```$/);
    const wide = tableText({ columns: Array.from({ length: 60 }, (_, i) => ({ title: `column_${i}` })), rows: [Array.from({ length: 60 }, () => LONG)] });
    assert.ok(wide.split('\n').every((l) => l.length <= 120 * 5));
    assert.ok(wide.length <= 3000);
    assertValid([section(wide)]);
  });
});

describe('message', () => {
  test('past 50 blocks, 49 are kept and the 50th says how many are not shown and where', () => {
    const blocks = Array.from({ length: 120 }, (_, i) => section(`row ${i}`));
    const m = message(blocks, 'Revenue by campaign', 'full list in the thread');
    assert.equal(m.blocks.length, 50);
    assert.equal(((m.blocks[49] as ContextBlock).elements[0] as MrkdwnElement).text, '_… 71 more blocks not shown (full list in the thread)_');
    assertValid(m.blocks);
  });

  test('repeated block_ids are suffixed; action_ids only where Slack requires (within a block)', () => {
    const approve = (v: string) => button({ text: 'Approve', actionId: 'approve', value: v });
    const input: KnownBlock[] = [
      section('a', { blockId: 'alert' }),
      section('b', { blockId: 'alert' }),
      { type: 'actions', block_id: 'alert', elements: [approve('1'), approve('2')] },
      { type: 'actions', elements: [approve('3')] },
    ];
    const before = structuredClone(input);
    const m = message(input, 'alerts');
    assert.deepEqual(m.blocks.map((b) => b.block_id), ['alert', 'alert-2', 'alert-3', undefined]);
    assert.deepEqual((m.blocks[2] as ActionsBlock).elements.map((e) => (e as { action_id?: string }).action_id), ['approve', 'approve-2']);
    assert.equal(((m.blocks[3] as ActionsBlock).elements[0] as { action_id?: string }).action_id, 'approve');
    assert.deepEqual(input, before, 'the input is not mutated');
    assertValid(m.blocks);
  });

  test('fallback text is cut to 3000 and never empty', () => {
    assert.ok(message([], LONG).text.length <= 3000);
    assert.equal(message([], '').text, 'opsight');
  });
});

describe('views', () => {
  test('a modal title is cut to 24; input blocks get a submit button', () => {
    const inputBlock: KnownBlock = { type: 'input', label: { type: 'plain_text', text: 'Reason' }, element: { type: 'plain_text_input', action_id: 'reason' } };
    const v = modal({ title: LONG, blocks: [inputBlock, section(LONG)], callbackId: 'reject_reason', privateMetadata: '{"request":"r1"}' });
    assert.ok(v.title.text.length <= 24 && v.title.text.endsWith('…'));
    assert.equal(v.submit?.text, 'Submit');
    assert.deepEqual(validateView(v), []);
  });

  test('past 100 blocks, views keep 99 and say how many are not shown', () => {
    const blocks = Array.from({ length: 150 }, (_, i) => section(`row ${i}`, { blockId: 'row' }));
    const home = homeView(blocks, { more: 'open the dashboard' });
    assert.equal(home.blocks.length, 100);
    assert.deepEqual(validateView(home), []);
    const m = modal({ title: 'Rows', blocks, callbackId: 'rows', close: LONG });
    assert.equal(m.blocks.length, 100);
    assert.deepEqual(validateView(m), []);
  });

  test('private_metadata is data: too long throws instead of being cut', () => {
    assert.throws(() => modal({ title: 't', blocks: [], callbackId: 'c', privateMetadata: 'x'.repeat(3001) }), /private_metadata must have at most 3000/);
  });
});
