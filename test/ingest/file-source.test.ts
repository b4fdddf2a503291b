import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createPseudonymiser, Store } from '../../src/store/index.js';
import { createMetrics, silentLogger } from '../../src/ops/index.js';
import { IngestPipeline } from '../../src/ingest/index.js';
import { OpsightError } from '../../src/errors.js';
import {
  replayFile,
  detectFormat,
  parseCsvRecord,
  parseCsvHeader,
  csvRowToEnvelope,
  csvSplitter,
  lineSplitter,
  jsonArraySplitter,
  type ReplayProgress,
  type Splitter,
} from '../../src/ingest/sources/file.js';
import { formatProgress, createProgressWriter, formatDuration } from '../../src/ingest/sources/progress.js';

// chDB allows one data directory per process: this file owns its own.
const dataDir = mkdtempSync(join(tmpdir(), 'opsight-'));
const filesDir = mkdtempSync(join(tmpdir(), 'opsight-files-'));
const log = silentLogger();
const store = new Store(connect({ kind: 'embedded', dataDir }), log);
const pipeline = new IngestPipeline(store, createPseudonymiser('test-key'), createMetrics(), log, { flushIntervalMs: 20 });
const now = Date.now();
const iso = new Date(now - 3_600_000).toISOString();

function file(name: string, content: string | Uint8Array): string {
  const path = join(filesDir, name);
  writeFileSync(path, content);
  return path;
}

async function stored() {
  await pipeline.flush();
  return store.query<{ id: string; type: string; source: string; dims: Record<string, string>; measures: Record<string, number> }>(
    'SELECT id, type, source, dims, measures FROM events ORDER BY id',
  );
}

async function deadLetters() {
  await pipeline.flush();
  return store.query<{ reason: string; error: string; payload: string; payload_encoding: string }>('SELECT reason, error, payload, payload_encoding FROM dead_letters ORDER BY error');
}

before(async () => {
  await store.migrate();
});

after(async () => {
  await pipeline.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await pipeline.flush();
  await store.command('TRUNCATE TABLE events');
  await store.command('TRUNCATE TABLE dead_letters');
});

describe('replayFile', () => {
  test('replays NDJSON in batches, dead-letters bad lines with their line numbers and reports progress', async () => {
    const ev = (id: string) => JSON.stringify({ id, ts: iso, type: 'session_started', dims: { channel: 'email' } });
    const content = Buffer.concat([
      Buffer.from(`${ev('f1')}\n${ev('f2')}\r\n\nnot json\n${ev('f3')}\n{"id":"f-bad","type":"session_started"}\n`),
      Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), // line 7: invalid UTF-8
      Buffer.from(`${ev('f4')}\n${JSON.stringify({ id: 'f-big', ts: iso, type: 'x', dims: { a: 'z'.repeat(3000) } })}\n${ev('f5')}`),
    ]);
    const path = file('events.ndjson', content);
    const seen: ReplayProgress[] = [];
    const result = await replayFile(path, pipeline, { batchSize: 2, maxLineBytes: 2048, onProgress: (p) => seen.push(p) });

    assert.equal(result.format, 'ndjson');
    assert.equal(result.accepted, 5);
    assert.equal(result.rejected, 4);
    assert.equal(result.lines, 10);
    assert.equal(result.bytesRead, content.length);
    assert.equal(result.totalBytes, content.length);
    assert.deepEqual(result.errors.map((e) => [e.line, e.reason]), [[4, 'not_json'], [6, 'schema'], [7, 'invalid_utf8'], [9, 'too_large']]);
    assert.ok(seen.length >= 3, 'progress is reported per batch');
    assert.deepEqual(seen.at(-1), { bytesRead: content.length, totalBytes: content.length, lines: 10, accepted: 5, rejected: 4 });
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.bytesRead >= seen[i - 1]!.bytesRead);

    assert.deepEqual((await stored()).map((r) => r.id), ['f1', 'f2', 'f3', 'f4', 'f5']);
    assert.equal((await stored())[0]!.source, 'file');
    const dead = await deadLetters();
    assert.deepEqual(dead.map((d) => d.reason).sort(), ['invalid_utf8', 'not_json', 'schema', 'too_large']);
    assert.match(dead.find((d) => d.reason === 'not_json')!.error, /^line 4: /);
    assert.match(dead.find((d) => d.reason === 'too_large')!.error, /^line 9: .*2 KiB limit/);
    const utf8 = dead.find((d) => d.reason === 'invalid_utf8')!;
    assert.deepEqual(Buffer.from(utf8.payload, 'base64'), Buffer.from([0x7b, 0xff, 0x7d]));
  });

  test('replays CSV with quoted fields (commas, doubled quotes, newlines) and numeric measures', async () => {
    const csv = [
      'id,ts,type,source,user_id,dims.channel,dims.campaign,measures.revenue,measures.items',
      `c1,${iso},order_placed,shop,u1,google,"black-friday-2026",129.5,3`,
      `c2,${now - 1000},order_placed,,,"email, newsletter","say ""hi""",10,`,
      `"c3",${iso},order_placed,shop,u2,meta,"multi`,
      `line campaign",-2.5e1,1`,
      `c-short,${iso},order_placed`,
      `c-bad,${iso},order_placed,shop,u3,google,x,"lots",1`,
      `c-quote,${iso},order_placed,shop,u3,"google"x,y,1,1`,
      '',
      `c4,${iso},session_started,web,u4,tiktok,,,`,
    ].join('\r\n');
    const path = file('events.csv', `${csv}\r\n`);
    const result = await replayFile(path, pipeline);

    assert.equal(result.format, 'csv');
    assert.equal(result.accepted, 4);
    assert.deepEqual(result.errors.map((e) => [e.line, e.reason]), [[6, 'not_json'], [7, 'schema'], [8, 'not_json']]);
    assert.match(result.errors[0]!.error, /CSV: expected 9 fields as in the header, found 3/);
    assert.match(result.errors[1]!.error, /measures\.revenue/);
    assert.match(result.errors[2]!.error, /after the closing quote/);

    const rows = await stored();
    assert.deepEqual(rows.map((r) => r.id), ['c1', 'c2', 'c3', 'c4']);
    const [c1, c2, c3, c4] = rows;
    assert.deepEqual(c1!.dims, { channel: 'google', campaign: 'black-friday-2026' });
    assert.deepEqual(c1!.measures, { revenue: 129.5, items: 3 });
    assert.equal(c2!.source, 'file'); // empty cell → omitted → the replay's default source
    assert.deepEqual(c2!.dims, { channel: 'email, newsletter', campaign: 'say "hi"' });
    assert.deepEqual(c2!.measures, { revenue: 10 });
    assert.equal(c3!.dims.campaign, 'multi\r\nline campaign');
    assert.deepEqual(c3!.measures, { revenue: -25, items: 1 });
    assert.deepEqual(c4!.dims, { channel: 'tiktok' });
    assert.deepEqual(c4!.measures, {});
    const dead = await deadLetters();
    assert.equal(dead.length, 3);
    assert.ok(dead.some((d) => d.error.startsWith('line 6: CSV:')));
    assert.ok(dead.some((d) => d.error.startsWith('line 8: CSV:')));
    assert.ok(dead.some((d) => d.reason === 'schema'));
  });

  test('replays a JSON array file element by element', async () => {
    const content = `[\n  ${JSON.stringify({ id: 'j1', ts: iso, type: 'signup' })},\n  {"id": "j2", "ts": "${iso}", "type": "signup", "dims": {"plan": "pro, \\"annual\\" ]"}},\n  {"id": "j-bad"}\n]\n`;
    const result = await replayFile(file('events.json', content), pipeline);
    assert.equal(result.format, 'json');
    assert.equal(result.accepted, 2);
    assert.deepEqual(result.errors.map((e) => [e.line, e.reason]), [[4, 'schema']]);
    const rows = await stored();
    assert.deepEqual(rows.map((r) => r.id), ['j1', 'j2']);
    assert.equal(rows[1]!.dims.plan, 'pro, "annual" ]');
  });

  test('stops with a message naming the file and line when the CSV header is wrong', async () => {
    const path = file('bad-header.csv', 'id,ts,kind\n1,2,3\n');
    await assert.rejects(replayFile(path, pipeline), (err: unknown) => {
      assert.ok(err instanceof OpsightError);
      assert.equal(err.code, 'opsight_ingest_invalid');
      assert.match(err.message, /bad-header\.csv:1: CSV header: unknown column "kind"/);
      return true;
    });
  });

  test('fails clearly on a missing file', async () => {
    await assert.rejects(replayFile(join(filesDir, 'nope.ndjson'), pipeline), /cannot read .*nope\.ndjson/);
  });
});

/** Feeds input one byte at a time, the worst case for chunk boundaries. */
function splitAll(splitter: Splitter, input: string | Buffer) {
  const bytes = Buffer.from(input);
  const units = [];
  for (let i = 0; i < bytes.length; i++) units.push(...splitter.push(bytes.subarray(i, i + 1)));
  units.push(...splitter.end());
  return units.map((u) => ({ at: u.at, text: u.bytes.toString(), total: u.totalBytes, ...(u.error ? { error: u.error } : {}) }));
}

describe('framing', () => {
  test('lineSplitter cuts on \\n across chunks and keeps only a prefix of a too-long line', () => {
    assert.deepEqual(splitAll(lineSplitter(4), 'ab\r\n\nabcdefgh\nxy'), [
      { at: 1, text: 'ab', total: 2 },
      { at: 2, text: '', total: 0 },
      { at: 3, text: 'abcd', total: 8 },
      { at: 4, text: 'xy', total: 2 },
    ]);
  });

  test('csvSplitter keeps newlines inside quotes and numbers records by their first line', () => {
    const units = splitAll(csvSplitter(1024), 'h1,h2\r\n"a\nb","c""\n"\r\nx,y');
    assert.deepEqual(units.map((u) => [u.at, u.text]), [[1, 'h1,h2'], [2, '"a\nb","c""\n"'], [5, 'x,y']]);
  });

  test('jsonArraySplitter finds top-level elements, ignoring brackets and commas in strings', () => {
    const units = splitAll(jsonArraySplitter(1024), '[{"a":"],[\\"x"},\n [1,2],\n 3\n]');
    assert.deepEqual(units.map((u) => [u.at, u.text.trim()]), [[1, '{"a":"],[\\"x"}'], [2, '[1,2]'], [3, '3']]);
    const cut = splitAll(jsonArraySplitter(1024), '[{"a":1},{"b"');
    assert.equal(cut.at(-1)!.error, 'unexpected end of file inside the JSON array (missing ])');
    assert.equal(splitAll(jsonArraySplitter(1024), '[1,,2]').filter((u) => u.error).length, 1);
    assert.deepEqual(splitAll(jsonArraySplitter(1024), ' [ ] '), []);
  });

  test('parseCsvRecord follows RFC 4180 quoting', () => {
    assert.deepEqual(parseCsvRecord('a,"b,c","d ""e""",,"f\ng",'), { ok: true, fields: ['a', 'b,c', 'd "e"', '', 'f\ng', ''] });
    assert.deepEqual(parseCsvRecord('""'), { ok: true, fields: [''] });
    assert.equal(parseCsvRecord('"open').ok, false);
    assert.equal(parseCsvRecord('"a"b').ok, false);
  });

  test('parseCsvHeader and csvRowToEnvelope map columns to the envelope', () => {
    const header = parseCsvHeader(['id', 'ts', 'type', 'dims.region', 'measures.latency_ms']);
    assert.ok(header.ok);
    if (!header.ok) return;
    assert.deepEqual(csvRowToEnvelope(['e1', '1700000000000', 'http_request', 'EU', '12.5'], header.columns), {
      ok: true,
      value: { id: 'e1', ts: 1700000000000, type: 'http_request', dims: { region: 'EU' }, measures: { latency_ms: 12.5 } },
    });
    assert.deepEqual(parseCsvHeader(['id', 'type']), { ok: false, error: 'missing column ts' });
    assert.equal(parseCsvHeader(['id', 'ts', 'type', 'id']).ok, false);
  });

  test('detectFormat goes by extension, then by the first byte', () => {
    assert.equal(detectFormat('a.csv', Buffer.from('[')), 'csv');
    assert.equal(detectFormat('a.jsonl', Buffer.from('[')), 'ndjson');
    assert.equal(detectFormat('a.json', Buffer.from(' \n[')), 'json');
    assert.equal(detectFormat('a.json', Buffer.from('{"a":1}')), 'ndjson');
    assert.equal(detectFormat('dump', Buffer.from('id,ts,type')), 'csv');
  });
});

describe('progress', () => {
  test('formatProgress shows percent, sizes, rate and ETA', () => {
    const line = formatProgress({ done: 25 * 1024 * 1024, total: 100 * 1024 * 1024, items: 50_000, rejected: 3 }, 10_000, { label: 'events.ndjson', barWidth: 10 });
    assert.equal(line, 'events.ndjson  [###-------]   25.0%  25.0 MiB/100.0 MiB  5.0k lines/s  ETA 30s  (3 rejected)');
    assert.equal(formatProgress({ done: 100, total: 100, items: 100 }, 2000, { unit: 'items', itemName: 'events', barWidth: 0 }), '100.0%  100/100  50 events/s  in 2s');
    assert.equal(formatProgress({ done: 2048, total: undefined, items: 10 }, 0), '2.0 KiB');
    assert.equal(formatDuration(187), '3m07s');
  });

  test('the writer rewrites one line on a TTY and prints every 5% elsewhere', () => {
    let t = 0;
    const ttyOut: string[] = [];
    const tty = createProgressWriter({ isTTY: true, columns: 200, write: (s: string) => ttyOut.push(s) }, { now: () => t });
    for (let i = 1; i <= 10; i++) {
      t += 50;
      tty.update({ done: i, total: 10, items: i });
    }
    tty.done({ done: 10, total: 10, items: 10 });
    assert.equal(ttyOut.length, 6); // every 100 ms over 500 ms, plus the final line
    assert.ok(ttyOut.every((s) => s.startsWith('\r')));
    assert.ok(ttyOut.at(-1)!.endsWith('\n'));

    t = 0;
    const plainOut: string[] = [];
    const plain = createProgressWriter({ write: (s: string) => plainOut.push(s) }, { now: () => t });
    for (let i = 1; i <= 1000; i++) plain.update({ done: i, total: 1000, items: i });
    assert.equal(plainOut.length, 21); // the first update, then 5%, 10%, … 100%
    assert.ok(plainOut.every((s) => s.endsWith('\n') && !s.includes('\r')));
    t += 6000;
    plain.update({ done: 1000, total: 1000, items: 1000 });
    assert.equal(plainOut.length, 22); // and at least every 5 s
  });
});
