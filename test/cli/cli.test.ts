import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { OPSIGHT_BIN, freePort, runOpsight } from '../support/process.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'opsight-cli-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const opsight = runOpsight;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const plan = (metric: string, extra: object = {}) =>
  JSON.stringify({ metric, from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z', ...extra });

describe('opsight CLI', () => {
  test('check passes on the shipped rules and fails with file:line on a broken one', async () => {
    const ok = await opsight(['check'], { OPSIGHT_DATA_DIR: tempDir() });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /configuration is valid/);

    const rules = tempDir();
    cpSync(join(import.meta.dirname, '../../rules'), rules, { recursive: true });
    const file = join(rules, 'metrics.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('direction: neutral', 'direction: sideways'));
    const bad = await opsight(['check'], { OPSIGHT_RULES_DIR: rules, OPSIGHT_DATA_DIR: tempDir() });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /metrics\.yaml:\d+ metrics\.ad_spend\.direction: /);
  });

  test('a bad environment variable stops any command with the variable named', async () => {
    const r = await opsight(['query', '--plan', plan('revenue')], { OPSIGHT_TZ: 'Mars/Olympus', OPSIGHT_DATA_DIR: tempDir() });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OPSIGHT_TZ/);
  });

  test('usage errors exit 2 and say what to type', async () => {
    const r = await opsight(['query'], { OPSIGHT_DATA_DIR: tempDir() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--plan is required/);
  });

  test('demo --incidents lists every kind of injected incident over a week', async () => {
    const r = await opsight(['demo', '--incidents', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-08T00:00:00Z', '--json'], { OPSIGHT_DATA_DIR: tempDir() });
    assert.equal(r.code, 0, r.stderr);
    const incidents = JSON.parse(r.stdout) as Array<{ kind: string; metric: string; segment: object; startMs: number; endMs: number }>;
    assert.deepEqual([...new Set(incidents.map((i) => i.kind))].sort(), ['ad_overspend', 'checkout_errors', 'delivery_failures', 'latency_regression', 'roas_collapse']);
    for (const i of incidents) assert.ok(i.startMs < i.endMs && Object.keys(i.segment).length > 0);
  });

  test('demo --backfill writes history that queries then read', async () => {
    const env = { OPSIGHT_DATA_DIR: tempDir(), PORT: String(await freePort()) };
    const first = await opsight(['demo', '--backfill', '30m', '--rate', '20', '--seed', '3'], env);
    assert.equal(first.code, 0, first.stderr);
    const n = Number(/^(\d+) demo events from/m.exec(first.stdout)?.[1]);
    assert.ok(n > 10_000 && n < 60_000, `about 30 min × 20 events/s, got ${first.stdout}`);
    assert.match(first.stdout, /\(0 rejected\)/);
    const q = await opsight(['query', '--json', '--plan', plan('sessions', { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() })], env);
    assert.equal(q.code, 0, q.stderr);
    const sessions = Number(JSON.parse(q.stdout).rows[0].value);
    assert.ok(sessions > 0, 'the backfilled history answers queries');
  });

  test('replay and query open the store themselves when no opsight is running', async () => {
    const data = tempDir();
    const file = join(tempDir(), 'orders.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'r1', ts: '2026-11-20T10:00:00Z', type: 'order_placed', dims: { channel: 'google' }, measures: { revenue: 100 } }),
        JSON.stringify({ id: 'r2', ts: '2026-11-20T11:00:00Z', type: 'order_placed', dims: { channel: 'meta' }, measures: { revenue: 50 } }),
        'not json',
      ].join('\n'),
    );
    const env = { OPSIGHT_DATA_DIR: data, PORT: String(await freePort()) };
    const replay = await opsight(['replay', file], env);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, /3 lines: 2 accepted, 1 rejected/);
    const q = await opsight(['query', '--json', '--plan', plan('revenue', { by: ['channel'] })], env);
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual(JSON.parse(q.stdout).rows, [
      { channel: 'google', value: 100 },
      { channel: 'meta', value: 50 },
    ]);
  });

  test('start serves ingest with the live demo flowing; the CLI goes through it; SIGTERM flushes and exits 0', async () => {
    const data = tempDir();
    const port = await freePort();
    const env = { OPSIGHT_DATA_DIR: data, PORT: String(port), OPSIGHT_DEMO: '1', OPSIGHT_DEMO_RATE: '200', OPSIGHT_DEMO_BACKFILL: '0', OPSIGHT_LOG_LEVEL: 'warn' };
    const server = spawn(process.execPath, [OPSIGHT_BIN, 'start'], { env: { ...process.env, ...env } });
    let stderr = '';
    server.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor('/healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
      const demoAccepted = async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const m = /^opsight_events_accepted_total\{source="demo"\} (\d+)/m.exec(text);
        return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
      };
      await waitFor('demo events to be stored', demoAccepted);

      const res = await fetch(`${base}/v1/events`, {
        method: 'POST',
        body: JSON.stringify([{ id: 'cli-1', ts: '2026-11-20T10:30:00Z', type: 'order_placed', dims: { channel: 'email' }, measures: { revenue: 42 } }]),
      });
      assert.equal(res.status, 202);
      // The running process owns the store: this query must go through its API, not open the store.
      const q = await waitFor('the posted event in a query', async () => {
        const r = await opsight(['query', '--json', '--plan', plan('revenue', { filters: { channel: ['email'] } })], env);
        return r.code === 0 && JSON.parse(r.stdout).rows[0]?.value === 42 ? r : undefined;
      });
      assert.equal(q.code, 0);
      // Questions in words go through the running process too (POST /api/ask).
      const a = await opsight(['ask', '--json', '--now', '2026-11-21T12:00:00Z', 'revenue from email yesterday'], env);
      assert.equal(a.code, 0, a.stderr);
      const asked = JSON.parse(a.stdout) as { status: string; rows: Array<{ value: number }>; plan: { filters: object } };
      assert.equal(asked.status, 'answered');
      assert.deepEqual(asked.plan.filters, { channel: ['email'] });
      assert.equal(asked.rows[0]?.value, 42);
    } finally {
      server.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    // Nothing buffered was lost: the store opens again and holds the posted event.
    const after = await opsight(['query', '--json', '--plan', plan('orders', { filters: { channel: ['email'] } })], { OPSIGHT_DATA_DIR: data, PORT: String(port) });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(JSON.parse(after.stdout).rows[0].value, 1);
  });
});
