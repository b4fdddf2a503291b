/**
 * Free-form SQL on the real engine (embedded chDB): a corpus of hostile queries
 * (test/fixtures/hostile-sql.jsonl: writes, stacked statements, comments, system and raw
 * tables, table functions, CTE tricks, functions that read outside, output clauses, SETTINGS,
 * case tricks, homoglyphs, prompt injection, empty input) is refused by the checker and by
 * runFreeformSql, and afterwards every table, its rows and the database list are as before.
 * Benign queries over the rollups pass, run and return rows, reading only the tables the
 * checker reports. Limits stop big results, big reads and slow queries. Separately, the
 * engine's readonly=1 alone refuses writes; and two engine behaviours that only the checker
 * covers (file() under readonly, stacked statements on chDB) are pinned down.
 *
 * One data directory and one Store for the whole file (chDB: one data dir per process).
 * chDB keeps no system.query_log, so "nothing outside the allowlist is read" is shown by the
 * analyzer's resolved table list (`tables`), not by a log of reads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpsightError } from '../../src/errors.js';
import { silentLogger } from '../../src/ops/index.js';
import { Store, connect, type EventRow } from '../../src/store/index.js';
import {
  MAX_SQL_CHARS,
  PARSER_ONLY_FUNCTIONS,
  ROLLUP_SQL_TABLES,
  allowedFunctionNames,
  checkQueryTree,
  checkSqlWithEngine,
  freeformSettings,
  runFreeformSql,
} from '../../src/ask/sql/index.js';

interface HostileEntry {
  id: string;
  category: string;
  /** What a user (or an injected prompt) asked; the SQL is what an LLM might emit for it. */
  question: string;
  sql: string;
  /** Must appear (case-insensitively) in the refusal: refused for the right reason. */
  reason: string;
  /** 'readonly': the engine alone, under freeformSettings, refuses it with READONLY. */
  engine?: 'readonly';
}

const FIXTURE = fileURLToPath(new URL('../fixtures/hostile-sql.jsonl', import.meta.url));
const FROM_FILE: HostileEntry[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as HostileEntry);

/** Cases too big to keep readable in the fixture, built here. */
const GENERATED: HostileEntry[] = [
  {
    id: 'very-long',
    category: 'long',
    question: 'a query longer than the cap',
    sql: `SELECT ${'cnt + '.repeat(2_000)}1 FROM rollup_1h`,
    reason: 'characters long',
  },
  {
    id: 'long-under-cap-reads-raw',
    category: 'long',
    question: 'a long query that still reads events at the end',
    sql: `SELECT ${Array.from({ length: 650 }, (_, i) => `${i} AS c${i}`).join(', ')} FROM events`,
    reason: 'reads events',
  },
  {
    id: 'deep-nesting',
    category: 'long',
    question: 'parentheses nested past the parser depth',
    sql: `SELECT ${'('.repeat(3_000)}1${')'.repeat(3_000)} FROM events`,
    reason: "couldn't read",
  },
];

const HOSTILE = [...FROM_FILE, ...GENERATED];

const SEEDED_ORDERS = 1_200;

/** Deterministic events over four hours: orders, sessions, checkouts and HTTP requests. */
function seedEvents(baseMs: number): EventRow[] {
  const channels = ['google', 'meta', 'email', 'organic', 'tiktok'];
  const regions = ['NA', 'EU', 'APAC', 'LATAM'];
  const devices = ['desktop', 'mobile', 'tablet'];
  const services = ['checkout-api', 'payments-api', 'search-api'];
  const rows: EventRow[] = [];
  const at = (i: number) => baseMs + (i % 240) * 60_000 + (i % 59) * 1_000;
  for (let i = 0; i < SEEDED_ORDERS; i += 1) {
    rows.push({
      id: `o${i}`,
      ts: at(i),
      type: 'order_placed',
      source: 'shop',
      user_id: `u${i % 97}`,
      dims: { channel: channels[i % 5]!, region: regions[i % 4]!, device: devices[i % 3]!, country: 'DE' },
      measures: { revenue: 10 + (i % 50), items: 1 + (i % 3) },
    });
  }
  for (let i = 0; i < 2_400; i += 1) {
    rows.push({
      id: `s${i}`,
      ts: at(i * 7),
      type: 'session_started',
      source: 'web',
      user_id: '',
      dims: { channel: channels[i % 5]!, region: regions[(i + 1) % 4]!, device: devices[(i + 2) % 3]!, country: 'DE' },
      measures: {},
    });
  }
  for (let i = 0; i < 600; i += 1) {
    rows.push({ id: `c${i}`, ts: at(i * 3), type: 'checkout_started', source: 'web', user_id: '', dims: { region: regions[i % 4]!, device: devices[i % 3]! }, measures: {} });
    if (i % 10 === 0) {
      rows.push({ id: `e${i}`, ts: at(i * 3), type: 'checkout_error', source: 'web', user_id: '', dims: { region: regions[i % 4]!, device: devices[i % 3]! }, measures: {} });
    }
  }
  for (let i = 0; i < 1_500; i += 1) {
    rows.push({
      id: `h${i}`,
      ts: at(i * 11),
      type: 'http_request',
      source: 'edge',
      user_id: '',
      dims: { service: services[i % 3]!, region: regions[i % 4]!, status_class: i % 50 === 0 ? '5xx' : '2xx' },
      measures: { latency_ms: 20 + ((i * 37) % 400) },
    });
  }
  return rows;
}

interface Snapshot {
  tables: { name: string; engine: string; create_table_query: string; mtime: string }[];
  shown: string[];
  databases: string[];
  contents: Record<string, { n: number; h: string }>;
}

/** Everything a write could change: table list and definitions, databases, every table's rows. */
async function snapshot(store: Store): Promise<Snapshot> {
  const tables = await store.query<Snapshot['tables'][number]>(
    'SELECT name, engine, create_table_query, toString(metadata_modification_time) AS mtime FROM system.tables WHERE database = currentDatabase() ORDER BY name',
  );
  const shown = (await store.query<{ name: string }>('SHOW TABLES')).map((r) => r.name).sort();
  const databases = (await store.query<{ name: string }>('SHOW DATABASES')).map((r) => r.name).sort();
  const contents: Snapshot['contents'] = {};
  for (const t of tables) {
    if (t.engine === 'MaterializedView' || t.engine === 'View') continue;
    // A content hash as well as a count: an UPDATE keeps the count.
    const [row] = await store.query<{ n: number; h: string }>(`SELECT count() AS n, toString(sum(cityHash64(*))) AS h FROM \`${t.name}\``);
    contents[t.name] = row!;
  }
  return { tables, shown, databases, contents };
}

function engineType(err: unknown): unknown {
  return (err as { cause?: { type?: unknown } }).cause?.type;
}

describe('free-form SQL on chDB', () => {
  let dataDir: string;
  let store: Store;
  let before0: Snapshot;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'opsight-sql-'));
    store = new Store(connect({ kind: 'embedded', dataDir }), silentLogger());
    await store.migrate();
    // Whole hours, far inside any TTL, so the hour and day rollups hold the same totals.
    const baseMs = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
    await store.insertEvents(seedEvents(baseMs));
    before0 = await snapshot(store);
    assert.ok(before0.contents['rollup_1m']!.n > 1_000, 'the minute rollup has enough rows for the limit tests');
  });

  after(async () => {
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('hostile corpus', () => {
    test('has at least 40 entries with unique ids', () => {
      assert.ok(HOSTILE.length >= 40, `${HOSTILE.length} entries`);
      assert.equal(new Set(HOSTILE.map((e) => e.id)).size, HOSTILE.length);
      const long = GENERATED.find((e) => e.id === 'long-under-cap-reads-raw')!.sql.length;
      assert.ok(long > 8_000 && long < MAX_SQL_CHARS, `the long query is long but under the cap (${long})`);
    });

    for (const entry of HOSTILE) {
      test(`refuses ${entry.category}/${entry.id}: "${entry.question}"`, async () => {
        const check = await checkSqlWithEngine(store, entry.sql);
        assert.equal(check.ok, false, `checker let through: ${check.ok ? check.sql : ''}`);
        if (check.ok) return;
        assert.ok(
          check.reason.toLowerCase().includes(entry.reason.toLowerCase()),
          `reason ${JSON.stringify(check.reason)} should mention ${JSON.stringify(entry.reason)}`,
        );
        await assert.rejects(runFreeformSql(store, entry.sql), (err: unknown) => {
          assert.ok(err instanceof OpsightError);
          assert.equal(err.code, 'opsight_plan_invalid');
          assert.equal(err.retriable, false);
          assert.equal(err.userMessage, check.reason);
          return true;
        });
      });
    }

    test('leaves every table, its rows, SHOW TABLES and the databases exactly as before', async () => {
      assert.deepEqual(await snapshot(store), before0);
    });
  });

  describe('benign queries over the rollups', () => {
    const BENIGN: { name: string; sql: string; tables: string[] }[] = [
      { name: 'total orders', sql: "SELECT sum(cnt) AS orders FROM rollup_1h WHERE type = 'order_placed'", tables: ['rollup_1h'] },
      {
        name: 'revenue by channel',
        sql: "SELECT channel, sum(sum_revenue) AS revenue FROM rollup_1d WHERE type = 'order_placed' GROUP BY channel ORDER BY revenue DESC",
        tables: ['rollup_1d'],
      },
      { name: 'orders per hour from minutes', sql: "SELECT toStartOfHour(t) AS hour, sum(cnt) AS n FROM rollup_1m WHERE type = 'order_placed' GROUP BY hour ORDER BY hour", tables: ['rollup_1m'] },
      {
        name: 'p95 latency from t-digest states',
        sql: "SELECT quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(q_latency_ms)[3] AS p95 FROM rollup_1h WHERE type = 'http_request'",
        tables: ['rollup_1h'],
      },
      { name: 'distinct customers from uniq states', sql: "SELECT uniqMerge(users) AS customers FROM users_1d WHERE type = 'order_placed'", tables: ['users_1d'] },
      {
        name: 'revenue share by region through a WITH',
        sql: "WITH r AS (SELECT region, sum(sum_revenue) AS rev FROM rollup_1h WHERE type = 'order_placed' GROUP BY region) SELECT region, rev / (SELECT sum(rev) FROM r) AS share FROM r ORDER BY share DESC",
        tables: ['rollup_1h'],
      },
      {
        name: 'conversion by channel through a join',
        sql: "SELECT o.channel AS channel, o.n / s.n AS conversion FROM (SELECT channel, sum(cnt) AS n FROM rollup_1d WHERE type = 'order_placed' GROUP BY channel) AS o JOIN (SELECT channel, sum(cnt) AS n FROM rollup_1d WHERE type = 'session_started' GROUP BY channel) AS s ON o.channel = s.channel",
        tables: ['rollup_1d'],
      },
      {
        name: 'checkout error rate by device',
        sql: "SELECT device, sumIf(cnt, type = 'checkout_error') / sumIf(cnt, type = 'checkout_started') AS rate FROM rollup_1h WHERE type IN ('checkout_error', 'checkout_started') GROUP BY device",
        tables: ['rollup_1h'],
      },
      {
        name: 'union of two rollups, one qualified with the database',
        sql: "SELECT type, sum(cnt) AS n FROM default.rollup_1h GROUP BY type UNION ALL SELECT 'total', sum(cnt) FROM rollup_1d",
        tables: ['rollup_1d', 'rollup_1h'],
      },
      {
        name: 'IN over a subquery on another rollup',
        sql: "SELECT region, sum(cnt) AS n FROM rollup_1h WHERE type IN (SELECT type FROM rollup_1d WHERE type LIKE 'order%') GROUP BY region",
        tables: ['rollup_1d', 'rollup_1h'],
      },
      {
        name: 'IN over a named WITH subquery',
        sql: "WITH top AS (SELECT channel FROM rollup_1d WHERE type = 'order_placed' GROUP BY channel ORDER BY sum(sum_revenue) DESC LIMIT 2) SELECT channel, sum(cnt) AS sessions FROM rollup_1h WHERE type = 'session_started' AND channel IN top GROUP BY channel",
        tables: ['rollup_1d', 'rollup_1h'],
      },
      {
        name: 'running total with a window',
        sql: "SELECT t, sum(sum(cnt)) OVER (ORDER BY t) AS running FROM rollup_1h WHERE type = 'order_placed' GROUP BY t ORDER BY t LIMIT 10",
        tables: ['rollup_1h'],
      },
      { name: 'mixed-case keywords', sql: 'SeLeCt sum(cnt) AS n FrOm rollup_1m', tables: ['rollup_1m'] },
      { name: 'a WITH shadowing an allowed table name reads nothing', sql: 'WITH rollup_1h AS (SELECT 1 AS x) SELECT x FROM rollup_1h', tables: [] },
      { name: 'a DROP inside a line comment is only a comment', sql: 'SELECT 1 AS one -- ; DROP TABLE events', tables: [] },
      { name: 'a quote-escape inside a string stays in the string', sql: "SELECT 'x'';DROP TABLE events;--' AS s", tables: [] },
    ];

    for (const b of BENIGN) {
      test(`passes and runs: ${b.name}`, async () => {
        const check = await checkSqlWithEngine(store, b.sql);
        assert.ok(check.ok, check.ok ? '' : check.reason);
        assert.deepEqual(check.tables, b.tables, 'reads exactly these allowlisted tables');
        const result = await runFreeformSql(store, b.sql);
        assert.equal(result.sql, check.sql, 'runs the SQL it checked');
        assert.deepEqual(result.tables, b.tables);
        assert.ok(result.rows.length > 0, 'returns rows');
      });
    }

    test('returns the right number, not just a number', async () => {
      const { rows } = await runFreeformSql(store, BENIGN[0]!.sql);
      assert.deepEqual(rows, [{ orders: SEEDED_ORDERS }]);
    });

    test("runs ClickHouse's formatting of the query, with comments gone", async () => {
      const result = await runFreeformSql(store, 'SELECT 1 AS one -- ; DROP TABLE events');
      assert.equal(result.sql, 'SELECT 1 AS one');
      assert.deepEqual(result.rows, [{ one: 1 }]);
    });

    test('keeps a string with quotes and semicolons intact', async () => {
      const { rows } = await runFreeformSql(store, "SELECT 'x'';DROP TABLE events;--' AS s");
      assert.deepEqual(rows, [{ s: "x';DROP TABLE events;--" }]);
    });

    test('allows only the six rollup tables by default', () => {
      assert.deepEqual([...ROLLUP_SQL_TABLES].sort(), ['rollup_1d', 'rollup_1h', 'rollup_1m', 'users_1d', 'users_1h', 'users_1m']);
    });

    test('honours a narrower allowlist', async () => {
      const check = await checkSqlWithEngine(store, 'SELECT sum(cnt) FROM rollup_1m', new Set(['rollup_1d']));
      assert.equal(check.ok, false);
      assert.match(check.ok ? '' : check.reason, /reads rollup_1m/);
    });

    test('every allowlisted function exists in this ClickHouse', async () => {
      const rows = await store.query<{ n: string }>('SELECT DISTINCT lower(name) AS n FROM system.functions');
      const engine = new Set(rows.map((r) => r.n));
      const missing = allowedFunctionNames().filter((n) => !engine.has(n) && !PARSER_ONLY_FUNCTIONS.has(n));
      assert.deepEqual(missing, []);
    });
  });

  describe('the analyzer backstop on its own', () => {
    // The AST rules refuse all of these first; here the analyzer's real output for them goes
    // straight to checkQueryTree, so the second layer is shown to hold without the first.
    const treeOf = async (sql: string) =>
      (await store.query<{ explain: string }>(`SELECT explain FROM (EXPLAIN QUERY TREE ${sql})`, {}, { readonly: 2 })).map((r) => r.explain).join('\n');
    const ctx = { allow: ROLLUP_SQL_TABLES, database: 'default' };

    for (const id of ['cte-reads-raw', 'cte-out-of-scope', 'raw-in-table', 'raw-in-subquery', 'raw-join', 'raw-scalar-subquery', 'raw-union', 'system-in-subquery', 'tf-numbers', 'tf-join-numbers']) {
      test(`refuses ${id} from the resolved tables alone`, async () => {
        const entry = HOSTILE.find((e) => e.id === id)!;
        const check = checkQueryTree(await treeOf(entry.sql), ctx);
        assert.equal(check.ok, false);
      });
    }

    test('resolves a WITH subquery to the rollup it reads, not to a table of its name', async () => {
      const text = await treeOf("WITH top AS (SELECT channel FROM rollup_1d) SELECT sum(cnt) FROM rollup_1h WHERE channel IN top");
      assert.deepEqual(checkQueryTree(text, ctx), { ok: true, tables: ['rollup_1d', 'rollup_1h'] });
    });
  });

  describe('limits', () => {
    test('fails a result longer than maxRows instead of cutting it', async () => {
      await assert.rejects(runFreeformSql(store, 'SELECT t, type FROM rollup_1m', { maxRows: 5 }), (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_plan_invalid');
        assert.match(err.userMessage ?? '', /more than 5 rows/);
        return true;
      });
      const ok = await runFreeformSql(store, 'SELECT t, type FROM rollup_1m ORDER BY t LIMIT 5', { maxRows: 5 });
      assert.equal(ok.rows.length, 5);
    });

    test('caps results at 1,000 rows by default', async () => {
      await assert.rejects(runFreeformSql(store, 'SELECT t, type FROM rollup_1m'), (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.match(err.userMessage ?? '', /more than 1,000 rows/);
        return true;
      });
    });

    test('stops a query that would read more than maxRowsToRead', async () => {
      await assert.rejects(runFreeformSql(store, 'SELECT sum(cnt) AS n FROM rollup_1m', { maxRowsToRead: 10 }), (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_plan_invalid');
        assert.match(err.userMessage ?? '', /read more than 10 rows/);
        return true;
      });
    });

    test('stops a slow query at maxExecutionSec (a four-way cross join of the minute rollup)', async () => {
      // > 10^12 combinations: cannot finish, so only the time limit can end it.
      const sql = 'SELECT sum(a.cnt * b.cnt * c.cnt * d.cnt) AS n FROM rollup_1m AS a, rollup_1m AS b, rollup_1m AS c, rollup_1m AS d';
      await assert.rejects(runFreeformSql(store, sql, { maxExecutionSec: 1 }), (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_plan_invalid');
        assert.equal(err.retriable, false);
        assert.match(err.userMessage ?? '', /longer than 1 s/);
        return true;
      });
    });

    test("reports a query ClickHouse rejects with the engine's words", async () => {
      await assert.rejects(runFreeformSql(store, 'SELECT no_such_column FROM rollup_1h'), (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_plan_invalid');
        assert.match(err.userMessage ?? '', /no_such_column/);
        return true;
      });
    });

    test('refuses a query longer than MAX_SQL_CHARS, saying how long it may be', async () => {
      const sql = `SELECT 1 AS x${' '.repeat(MAX_SQL_CHARS)}`;
      const check = await checkSqlWithEngine(store, sql);
      assert.equal(check.ok, false);
      assert.match(check.ok ? '' : check.reason, /up to 10,000 characters/);
    });
  });

  describe('the engine alone (defence in depth)', () => {
    const WRITES = HOSTILE.filter((e) => e.engine === 'readonly');

    test('covers the main kinds of write', () => {
      const kinds = new Set(WRITES.map((e) => e.sql.split(' ')[0]!.toUpperCase()));
      for (const k of ['INSERT', 'DROP', 'CREATE', 'ALTER', 'TRUNCATE', 'RENAME', 'DETACH', 'ATTACH', 'OPTIMIZE']) assert.ok(kinds.has(k), k);
    });

    for (const entry of WRITES) {
      test(`readonly=1 refuses ${entry.id} even without the checker`, async () => {
        await assert.rejects(store.query(entry.sql, {}, freeformSettings()), (err: unknown) => {
          assert.equal(engineType(err), 'READONLY');
          return true;
        });
      });
    }

    test('after those writes every table, its rows and the databases are unchanged', async () => {
      assert.deepEqual(await snapshot(store), before0);
    });

    test('file() reads a file even under readonly=1, so only the checker stops it', async () => {
      const secret = join(dataDir, 'secret.txt');
      writeFileSync(secret, 'top secret');
      const sql = `SELECT file('${secret}') AS f`;
      const [row] = await store.query<{ f: string }>(sql, {}, freeformSettings());
      assert.equal(row?.f, 'top secret', 'chDB 26.7 behaviour; if this changes, the engine has become a second guard');
      await assert.rejects(runFreeformSql(store, sql), (err: unknown) => err instanceof OpsightError && /file\(\)/.test(err.userMessage ?? ''));
    });

    test('on chDB readonly binds only the statement carrying it: a stacked DROP before a SELECT runs, unless the checker refuses it', async () => {
      await store.command('CREATE TABLE scratch_stacked (x UInt8) ENGINE = Memory');
      await store.query('DROP TABLE scratch_stacked; SELECT 1', {}, freeformSettings());
      const gone = await store.query<{ n: number }>("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'scratch_stacked'");
      assert.equal(Number(gone[0]?.n), 0, 'chDB ran the stacked DROP; if this changes, Store.query has become a second guard');

      await store.command('CREATE TABLE scratch_stacked (x UInt8) ENGINE = Memory');
      await assert.rejects(runFreeformSql(store, 'DROP TABLE scratch_stacked; SELECT 1'), OpsightError);
      const kept = await store.query<{ n: number }>("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'scratch_stacked'");
      assert.equal(Number(kept[0]?.n), 1);
      await store.command('DROP TABLE scratch_stacked');
    });

    test('readonly stays with the free-form query: the store still takes writes afterwards', async () => {
      await runFreeformSql(store, 'SELECT sum(cnt) AS n FROM rollup_1h');
      await store.insertEvents([
        { id: 'after-1', ts: Date.now() - 60_000, type: 'order_placed', source: 'shop', user_id: 'u1', dims: { channel: 'email' }, measures: { revenue: 1 } },
      ]);
      const [row] = await store.query<{ n: number }>("SELECT count() AS n FROM events WHERE id = 'after-1'");
      assert.equal(Number(row?.n), 1);
    });
  });
});
