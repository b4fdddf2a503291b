import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  describeWindow,
  loadPrompts,
  readReply,
  renderCalendar,
  renderRollupTables,
  renderSystemPrompt,
  renderUserPrompt,
  renderRepairPrompt,
} from '../../src/ask/llm/index.js';
import { OpsightError } from '../../src/errors.js';
import { loadCatalog } from '../../src/semantic/index.js';
import { ROLLUP_DIMS, ROLLUP_SUM_FIELDS } from '../../src/store/index.js';

const catalog = loadCatalog('rules');
const prompts = loadPrompts('prompts', catalog);
const DEV_SET = join(import.meta.dirname, '../../../shared/eval/questions/dev.jsonl');

const tmp = mkdtempSync(join(tmpdir(), 'opsight-prompts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let copies = 0;

/** A copy of prompts/ with one file changed; returns the error loading it throws. */
function brokenCopy(file: string, change: (text: string) => string | null): OpsightError {
  const dir = join(tmp, `p${copies++}`);
  cpSync('prompts', dir, { recursive: true });
  const path = join(dir, file);
  const next = change(readFileSync(path, 'utf8'));
  if (next === null) unlinkSync(path);
  else writeFileSync(path, next);
  try {
    loadPrompts(dir, catalog);
  } catch (err) {
    assert.ok(err instanceof OpsightError);
    assert.equal(err.code, 'opsight_config_invalid');
    return err;
  }
  assert.fail(`loading ${file} changed should have failed`);
}

const EXAMPLE = (q: string, now: string, tz: string, json: string) => `\n## Q: ${q}\n- now: ${now}\n- tz: ${tz}\n\n\`\`\`json\n${json}\n\`\`\`\n`;
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('the shipped prompts', () => {
  const system = renderSystemPrompt(prompts, catalog);

  test('the system prompt carries every metric with its label, unit, synonyms, definition and dimensions', () => {
    for (const m of Object.values(catalog.metrics)) {
      const line = system.split('\n').find((l) => l.startsWith(`- \`${m.id}\` — `));
      assert.ok(line, m.id);
      assert.ok(line.includes(m.label) && line.includes(m.unit) && line.includes(m.definition), line);
      for (const s of m.synonyms) assert.ok(line.includes(s), `${m.id}: ${s}`);
      assert.ok(line.includes(`Can be cut by: ${m.dimensions.join(', ')}.`), line);
    }
  });

  test('the system prompt carries every dimension value and what people call it', () => {
    for (const d of Object.values(catalog.dimensions)) {
      const line = system.split('\n').find((l) => l.startsWith(`- \`${d.id}\``));
      assert.ok(line, d.id);
      for (const v of d.values) assert.ok(line.includes(v), `${d.id}: ${v}`);
      for (const [alias, v] of Object.entries(d.aliases)) assert.ok(line.includes(`"${alias}" for ${v}`), `${d.id}: ${alias}`);
    }
  });

  test('the rollup tables are described from the store schema, every table and column', () => {
    const text = renderRollupTables();
    for (const t of ['rollup_1m', 'rollup_1h', 'rollup_1d', 'users_1m', 'users_1h', 'users_1d']) assert.ok(text.includes(t), t);
    for (const d of ROLLUP_DIMS) assert.ok(text.includes(`\`${d}\``), d);
    for (const f of ROLLUP_SUM_FIELDS) assert.ok(text.includes(`\`sum_${f}\``), f);
    assert.ok(system.includes(text));
  });

  test('no placeholder is left unfilled and maintainer comments are not sent', () => {
    assert.doesNotMatch(system, /\{\{|<!--/);
    const user = renderUserPrompt(prompts, 'revenue today', { now: new Date('2026-11-18T15:30:00Z'), tz: 'UTC' });
    assert.doesNotMatch(user, /\{\{|<!--/);
    assert.doesNotMatch(renderRepairPrompt(prompts, '{}', 'bad'), /\{\{|<!--/);
  });

  test('every example is rendered, and none is copied from the evaluation set', () => {
    assert.ok(prompts.examples.length >= 10);
    for (const ex of prompts.examples) assert.ok(system.includes(`Question: ${JSON.stringify(ex.question)}`), ex.question);
    const kinds = new Set(prompts.examples.map((e) => e.output.kind));
    assert.deepEqual([...kinds].sort(), ['clarify', 'plan', 'refuse', 'sql']);
    assert.ok(existsSync(DEV_SET), `the evaluation set should be at ${DEV_SET}`);
    const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
    const dev = new Set(
      readFileSync(DEV_SET, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => norm((JSON.parse(l) as { q: string }).q)),
    );
    for (const ex of prompts.examples) assert.ok(!dev.has(norm(ex.question)), `copied from the evaluation set: ${ex.question}`);
  });

  test("the user prompt gives now on the asker's wall clock and the calendar boundaries of their zone in UTC", () => {
    // 2026-03-29 is the spring-forward day in Berlin: the week began in winter time (UTC+1).
    const user = renderUserPrompt(prompts, 'orders this week', { now: new Date('2026-03-29T10:00:00Z'), tz: 'Europe/Berlin' });
    assert.ok(user.includes('Now: 2026-03-29T10:00:00Z (Sunday 2026-03-29 12:00 in Europe/Berlin)'), user);
    assert.ok(user.includes('- start of today: 2026-03-28T23:00:00Z'));
    assert.ok(user.includes('- start of this week (Monday): 2026-03-22T23:00:00Z'));
    assert.ok(user.includes('- last month: 2026-01-31T23:00:00Z to 2026-02-28T23:00:00Z'));
    assert.ok(user.includes('orders this week'));
    assert.equal(renderCalendar(new Date('2026-03-29T10:00:00Z'), 'UTC').split('\n')[0], '- start of today: 2026-03-29T00:00:00Z');
  });

  test('a very long rejected reply is cut in the repair turn', () => {
    const repair = renderRepairPrompt(prompts, 'x'.repeat(10_000), 'the reply is not valid JSON');
    assert.ok(repair.length < 5_000);
    assert.ok(repair.includes('…(cut)'));
  });
});

describe('broken prompt files fail loading with file, line and field', () => {
  test('a missing file is named', () => {
    const err = brokenCopy('user.md', () => null);
    assert.match(err.message, /user\.md:1 \(root\): cannot read prompt file/);
  });

  test('an unknown placeholder is located by line', () => {
    const err = brokenCopy('user.md', (t) => `${t}\nHello {{ nickname }}\n`);
    const lines = readFileSync('prompts/user.md', 'utf8').split('\n').length;
    assert.match(err.message, new RegExp(`user\\.md:${lines + 1} \\{\\{nickname\\}\\}: unknown placeholder; this file may use \\{\\{question\\}\\}`));
  });

  test('a required placeholder that is missing (or only inside a comment) is named', () => {
    const err = brokenCopy('system.md', (t) => t.replace('\n{{examples}}\n', '\n<!-- {{examples}} -->\n'));
    assert.match(err.message, /system\.md:1 \{\{examples\}\}: required placeholder is missing/);
  });

  test('an example with a metric the catalog lacks names the line of its answer and the catalog error', () => {
    let text = '';
    const err = brokenCopy('examples.md', (t) => {
      text = t + EXAMPLE('gross margin yesterday', '2026-03-10T09:15:00Z', 'UTC', '{"kind":"plan","plan":{"metric":"gross_margin","from":"2026-03-09T00:00:00Z","to":"2026-03-10T00:00:00Z"}}');
      return text;
    });
    const line = lineOf(text, '## Q: gross margin yesterday') + 4;
    assert.match(err.message, new RegExp(`examples\\.md:${line} examples\\[\\d+\\]\\.answer: Unknown metric "gross_margin"\\. Known metrics: .*\\(Q: gross margin yesterday\\)`));
  });

  test('an example whose window runs past its now is refused', () => {
    const err = brokenCopy('examples.md', (t) => t + EXAMPLE('orders today', '2026-03-10T09:15:00Z', 'UTC', '{"kind":"plan","plan":{"metric":"orders","from":"2026-03-10T00:00:00Z","to":"2026-03-11T00:00:00Z"}}'));
    assert.match(err.message, /to \(2026-03-11T00:00:00Z\) is after now/);
  });

  test('an example that is not JSON, or breaks the schema, is located', () => {
    let text = '';
    const err = brokenCopy('examples.md', (t) => {
      text = t + EXAMPLE('broken', '2026-03-10T09:15:00Z', 'UTC', '{"kind": "plan",') + EXAMPLE('no options', '2026-03-10T09:15:00Z', 'UTC', '{"kind":"clarify","question":"Which?","options":[]}');
      return text;
    });
    assert.match(err.message, new RegExp(`examples\\.md:${lineOf(text, '## Q: broken') + 4} examples\\[\\d+\\]\\.answer: not valid JSON`));
    assert.match(err.message, new RegExp(`examples\\.md:${lineOf(text, '## Q: no options') + 4} examples\\[\\d+\\]\\.answer\\.options: `));
  });

  test('an example without its tz line, or with a zone that does not exist, is located', () => {
    let text = '';
    const err = brokenCopy('examples.md', (t) => {
      text = t + EXAMPLE('revenue yesterday', '2026-03-10T09:15:00Z', 'Mars/Olympus', '{"kind":"refuse","reason":"no"}') + '\n## Q: orders\n- now: 2026-03-10T09:15:00Z\n\n```json\n{"kind":"refuse","reason":"no"}\n```\n';
      return text;
    });
    assert.match(err.message, new RegExp(`examples\\.md:${lineOf(text, '- tz: Mars/Olympus')} examples\\[\\d+\\]\\.tz: expected an IANA time zone`));
    assert.match(err.message, /examples\[\d+\]\.tz: missing "- tz: …" line \(Q: orders\)/);
  });

  test('a "##" heading that is not a question, and an example without an answer, are located', () => {
    let text = '';
    const err = brokenCopy('examples.md', (t) => {
      text = `${t}\n## Notes\n\n## Q: unanswered\n- now: 2026-03-10T09:15:00Z\n- tz: UTC\n`;
      return text;
    });
    assert.match(err.message, new RegExp(`examples\\.md:${lineOf(text, '## Notes')} \\(root\\): every "##" heading starts an example`));
    assert.match(err.message, new RegExp(`examples\\.md:${lineOf(text, '## Q: unanswered')} examples\\[\\d+\\]\\.answer: missing the \`\`\`json answer block`));
  });
});

describe('reading a reply', () => {
  test('function-call arguments win over text content', () => {
    const r = readReply({ content: 'ignored', tool_calls: [{ name: 'opsight_answer', args: { kind: 'refuse', reason: 'no' } }] });
    assert.deepEqual(r.ok && r.output, { kind: 'refuse', reason: 'no' });
  });

  test("fields of other kinds sent as null are dropped, a plan's unknown fields are not", () => {
    const ok = readReply({ content: JSON.stringify({ kind: 'refuse', reason: 'no', plan: null, sql: null }) });
    assert.deepEqual(ok.ok && ok.output, { kind: 'refuse', reason: 'no' });
    const bad = readReply({ content: JSON.stringify({ kind: 'plan', plan: { metric: 'revenue', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', colour: 'red' } }) });
    assert.ok(!bad.ok);
    assert.match(bad.error, /plan: Unrecognized key: "colour"/);
  });

  test('an empty reply and a truncated one are errors, never a guess', () => {
    const empty = readReply({ content: '' });
    assert.ok(!empty.ok && /empty/.test(empty.error));
    const cut = readReply({ content: '{"kind":"refuse","reason":"no"' });
    assert.ok(!cut.ok && /not valid JSON/.test(cut.error));
    const args = readReply({ content: '', invalid_tool_calls: [{ name: 'opsight_answer', args: '{"kind":', error: 'x' }] });
    assert.ok(!args.ok && /function arguments are not valid JSON/.test(args.error) && args.text === '{"kind":');
  });
});

describe('periods in plain dates', () => {
  test('whole days, several days, part of a day and ranges across days', () => {
    assert.equal(describeWindow('2026-11-16T23:00:00Z', '2026-11-17T23:00:00Z', 'Europe/Berlin', true), 'on 2026-11-17 (Europe/Berlin)');
    assert.equal(describeWindow('2026-11-09T00:00:00Z', '2026-11-16T00:00:00Z', 'UTC', false), 'from 2026-11-09 through 2026-11-15');
    assert.equal(describeWindow('2026-11-18T00:00:00Z', '2026-11-18T15:30:00Z', 'UTC', true), 'on 2026-11-18 from 00:00 to 15:30 (UTC)');
    assert.equal(describeWindow('2026-11-11T15:30:00Z', '2026-11-18T15:30:00Z', 'UTC', false), 'from 2026-11-11 15:30 to 2026-11-18 15:30');
  });
});
