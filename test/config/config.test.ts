/**
 * Configuration: the environment (loadConfig, pure) and the YAML files under rules/, whose
 * errors must name file:line and the field. The shipped metric catalog must hold every metric
 * of BRIEF.md's catalog table with the brief's dimensions and direction.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadConfig, parseYamlText } from '../../src/config/index.js';
import { OpsightError } from '../../src/errors.js';
import { checkCatalog, loadCatalog } from '../../src/semantic/index.js';
import { BRIEF_DIMENSION_VALUES } from '../support/brief.js';

const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

/** Asserts loadConfig refuses `env` with one config error whose message matches every pattern. */
function refuses(env: Record<string, string>, ...patterns: RegExp[]): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => {
      assert.ok(err instanceof OpsightError, `expected an OpsightError, got ${String(err)}`);
      assert.equal(err.code, 'opsight_config_invalid');
      for (const p of patterns) assert.match(err.message, p);
      return true;
    },
  );
}

describe('config/env loadConfig', () => {
  test('uses the defaults of BRIEF.md when nothing is set', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.deepEqual(c.store, { kind: 'embedded', dataDir: './data' });
    assert.deepEqual(c.slack, { mode: 'sandbox', apiUrl: 'https://slack.com/api/' });
    assert.equal(c.rulesDir, './rules');
    assert.equal(c.toolsDir, './tools');
    assert.equal(c.ingestToken, undefined, 'ingest is open unless OPSIGHT_INGEST_TOKEN is set');
    assert.equal(c.demo.enabled, true, 'the demo stream is on by default');
    assert.equal(c.timeZone, 'UTC');
    assert.equal(c.pseudonymKey, undefined, 'the key is generated and kept in the data dir');
    assert.equal(c.llm, undefined);
    assert.equal(c.kafka, undefined);
    assert.ok(Object.isFrozen(c));
  });

  test('is pure: reads only the object it is given', () => {
    const before = JSON.stringify(process.env);
    process.env.PORT = '4999';
    try {
      assert.equal(loadConfig({}).port, 3000);
    } finally {
      delete process.env.PORT;
    }
    assert.equal(JSON.stringify(process.env), before);
  });

  test('reads every variable of the configuration table', () => {
    const c = loadConfig({
      PORT: '8080',
      OPSIGHT_DATA_DIR: '/var/lib/opsight',
      SLACK_API_URL: 'http://127.0.0.1:3000/api/',
      OPSIGHT_RULES_DIR: '/etc/opsight/rules',
      OPSIGHT_TOOLS_DIR: '/etc/opsight/tools',
      OPSIGHT_INGEST_TOKEN: 's3cret',
      OPSIGHT_DEMO: '0',
      OPSIGHT_TZ: 'Europe/Berlin',
      OPSIGHT_PSEUDONYM_KEY: 'k3y',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      OPENAI_MODEL: 'local-model',
      KAFKA_BROKERS: 'a:9092, b:9092',
      KAFKA_TOPICS: 'events,more-events',
      KAFKA_GROUP_ID: 'ops',
    });
    assert.equal(c.port, 8080);
    assert.deepEqual(c.store, { kind: 'embedded', dataDir: '/var/lib/opsight' });
    assert.deepEqual(c.slack, { mode: 'sandbox', apiUrl: 'http://127.0.0.1:3000/api/' });
    assert.equal(c.rulesDir, '/etc/opsight/rules');
    assert.equal(c.toolsDir, '/etc/opsight/tools');
    assert.equal(c.ingestToken, 's3cret');
    assert.equal(c.demo.enabled, false);
    assert.equal(c.timeZone, 'Europe/Berlin');
    assert.equal(c.pseudonymKey, 'k3y');
    assert.deepEqual(c.llm, { apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9999/v1', model: 'local-model' });
    assert.deepEqual(c.kafka, { brokers: ['a:9092', 'b:9092'], topics: ['events', 'more-events'], groupId: 'ops' });
  });

  test('OPSIGHT_DEMO=0 (or false/off) turns the demo off; 1/true/on keep it on', () => {
    for (const v of ['0', 'false', 'off']) assert.equal(loadConfig({ OPSIGHT_DEMO: v }).demo.enabled, false, v);
    for (const v of ['1', 'true', 'on']) assert.equal(loadConfig({ OPSIGHT_DEMO: v }).demo.enabled, true, v);
  });

  test('uses a ClickHouse server when CLICKHOUSE_URL is set, with the usual defaults', () => {
    assert.deepEqual(loadConfig({ CLICKHOUSE_URL: 'http://ch.internal:8123' }).store, {
      kind: 'server',
      url: 'http://ch.internal:8123',
      username: 'default',
      password: '',
      database: 'default',
    });
    assert.deepEqual(
      loadConfig({ CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_USER: 'ops', CLICKHOUSE_PASSWORD: 'pw', CLICKHOUSE_DATABASE: 'opsight' }).store,
      { kind: 'server', url: 'https://ch:8443', username: 'ops', password: 'pw', database: 'opsight' },
    );
    assert.equal(loadConfig({ CLICKHOUSE_URL: '' }).store.kind, 'embedded', 'an empty CLICKHOUSE_URL is unset');
  });

  test('Slack: sandbox without a token, HTTP with a signing secret, Socket Mode with an app token', () => {
    assert.equal(loadConfig({}).slack.mode, 'sandbox');
    assert.deepEqual(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'sig' }).slack, {
      mode: 'http',
      apiUrl: 'https://slack.com/api/',
      botToken: 'xoxb-1',
      signingSecret: 'sig',
    });
    assert.deepEqual(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack, {
      mode: 'socket',
      apiUrl: 'https://slack.com/api/',
      botToken: 'xoxb-1',
      appToken: 'xapp-1',
    });
    assert.equal(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'sig', SLACK_APP_TOKEN: 'xapp-1' }).slack.mode, 'socket');
  });

  test('a bad value is refused with an error naming the variable', () => {
    refuses({ PORT: 'abc' }, /PORT/);
    refuses({ PORT: '70000' }, /PORT/);
    refuses({ PORT: '80.5' }, /PORT/);
    refuses({ CLICKHOUSE_URL: 'not a url' }, /CLICKHOUSE_URL: expected a URL/);
    refuses({ OPSIGHT_TZ: 'Mars/Olympus_Mons' }, /OPSIGHT_TZ: "Mars\/Olympus_Mons" is not an IANA time zone/);
    refuses({ OPSIGHT_DEMO: 'maybe' }, /OPSIGHT_DEMO/);
    refuses({ OPSIGHT_RAW_TTL_DAYS: '0' }, /OPSIGHT_RAW_TTL_DAYS/);
    refuses({ OPSIGHT_LOG_LEVEL: 'loud' }, /OPSIGHT_LOG_LEVEL/);
    refuses({ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN/);
    refuses({ KAFKA_BROKERS: 'a:9092' }, /KAFKA_TOPICS: required when KAFKA_BROKERS is set/);
  });

  test('several bad values are all named in one error', () => {
    // Regression: a schema failure used to throw before the cross-field checks ran.
    refuses({ PORT: 'abc', OPSIGHT_TZ: 'Mars/Olympus_Mons', KAFKA_BROKERS: 'a:9092' }, /PORT/, /OPSIGHT_TZ/, /KAFKA_TOPICS/);
  });

  test('an empty variable counts as unset (PORT= must not mean port 0)', () => {
    // Regression: z.coerce.number() turned '' into 0, so `PORT=` listened on a random port.
    assert.equal(loadConfig({ PORT: '' }).port, 3000);
    assert.deepEqual(loadConfig({ OPSIGHT_DATA_DIR: '' }).store, { kind: 'embedded', dataDir: './data' });
  });
});

describe('config/yaml-file errors name file:line and field', () => {
  const shipped = readFileSync(join(RULES_DIR, 'metrics.yaml'), 'utf8');
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'opsight-config-'));
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Writes rules/metrics.yaml with `from` replaced by `to` into a fresh dir and returns the
   * dir plus the 1-based line where the edited text (its `marker`) now sits.
   */
  function variant(name: string, from: string, to: string, marker: string): { dir: string; line: number } {
    assert.ok(shipped.includes(from), `the shipped metrics.yaml no longer contains ${JSON.stringify(from)}; update this test`);
    const text = shipped.replace(from, to);
    const dir = join(tmp, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metrics.yaml'), text);
    const index = text.indexOf(marker);
    assert.ok(index >= 0);
    return { dir, line: text.slice(0, index).split('\n').length };
  }

  function loadFails(dir: string): string {
    let message = '';
    assert.throws(
      () => loadCatalog(dir),
      (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_config_invalid');
        message = err.message;
        return true;
      },
    );
    // `opsight check` reports the same problems without throwing.
    assert.ok(checkCatalog(dir).length > 0);
    return message;
  }

  test('a YAML syntax error names the line', () => {
    // An unquoted colon inside a value: the classic hand-edit mistake.
    const { dir, line } = variant('syntax', '    definition: Number of orders placed.', '    definition: Orders: the number placed.', 'Orders: the number');
    const message = loadFails(dir);
    assert.match(message, new RegExp(`metrics\\.yaml:${line} .*YAML syntax`));
  });

  test('a field of the wrong type names the line and the field path', () => {
    const { dir, line } = variant(
      'type',
      '    label: Average order value\n    unit: usd',
      '    label: Average order value\n    unit: dollars',
      'unit: dollars',
    );
    const message = loadFails(dir);
    assert.match(message, new RegExp(`metrics\\.yaml:${line} metrics\\.aov\\.unit: `));

    const list = variant(
      'type-list',
      '    formula: orders / sessions\n    dimensions: [channel, campaign, region, country, device]',
      '    formula: orders / sessions\n    dimensions: channel',
      'dimensions: channel',
    );
    assert.match(loadFails(list.dir), new RegExp(`metrics\\.yaml:${list.line} metrics\\.conversion_rate\\.dimensions: .*expected array`));
  });

  test('an unknown measure in a formula names the line, the field and the measure', () => {
    const { dir, line } = variant('measure', '    formula: revenue / orders\n', '    formula: revenue / order_count\n', 'revenue / order_count');
    const message = loadFails(dir);
    assert.match(message, new RegExp(`metrics\\.yaml:${line} metrics\\.aov\\.formula: unknown measure "order_count"`));
  });

  test("an unknown dimension in a metric's dimensions names the line, the field and the dimension", () => {
    const { dir, line } = variant(
      'dimension',
      '    formula: ad_spend\n    dimensions: [channel, campaign, region, country, device]',
      '    formula: ad_spend\n    dimensions: [channel, planet, region, country, device]',
      'dimensions: [channel, planet',
    );
    const message = loadFails(dir);
    // The index may be written `.1` or `[1]`; the line and the metric are what a person needs.
    assert.match(message, new RegExp(`metrics\\.yaml:${line} metrics\\.ad_spend\\.dimensions(\\.1|\\[1\\]): unknown dimension "planet"`));
  });

  test('every problem in a file is reported at once, each with its own line', () => {
    const text = shipped
      .replace('    label: Click-through rate\n    unit: ratio', '    label: Click-through rate\n    unit: percent')
      .replace('    label: Cost per click\n    unit: usd\n    direction: up_is_bad', '    label: Cost per click\n    unit: usd\n    direction: sideways');
    const dir = join(tmp, 'several');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metrics.yaml'), text);
    const lineOf = (marker: string) => text.slice(0, text.indexOf(marker)).split('\n').length;
    const problems = checkCatalog(dir).map((p) => [p.line, p.field]);
    assert.deepEqual(problems, [
      [lineOf('unit: percent'), 'metrics.ctr.unit'],
      [lineOf('direction: sideways'), 'metrics.cpc.direction'],
    ]);
  });

  test('parseYamlText locates nested fields and list items', () => {
    const schema = z.strictObject({ a: z.strictObject({ b: z.array(z.number()) }), c: z.string() });
    const text = 'a:\n  b:\n    - 1\n    - two\nc: ok\n';
    const r = parseYamlText('x.yaml', text, schema);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.problems.map((p) => [p.line, p.field]), [[4, 'a.b[1]']]);
    const unknown = parseYamlText('x.yaml', 'a:\n  b: []\nc: ok\nd: 1\n', schema);
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.equal(unknown.problems[0]?.file, 'x.yaml');
  });
});

/** BRIEF.md's catalog table: ids, direction and the dimensions each can be cut by. */
const MARKETING = ['channel', 'campaign', 'region', 'country', 'device'];
const BRIEF_CATALOG: Array<{ ids: string[]; direction: 'up_is_good' | 'up_is_bad' | 'neutral'; dimensions: string[] }> = [
  { ids: ['revenue', 'orders', 'aov'], direction: 'up_is_good', dimensions: [...MARKETING, 'product_category', 'payment_gateway'] },
  { ids: ['sessions', 'conversion_rate'], direction: 'up_is_good', dimensions: MARKETING },
  { ids: ['cart_abandonment_rate'], direction: 'up_is_bad', dimensions: MARKETING },
  { ids: ['checkout_errors', 'checkout_error_rate', 'payment_failures'], direction: 'up_is_bad', dimensions: ['region', 'country', 'device', 'payment_gateway'] },
  { ids: ['impressions', 'clicks', 'ctr', 'roas'], direction: 'up_is_good', dimensions: MARKETING },
  { ids: ['cpc'], direction: 'up_is_bad', dimensions: MARKETING },
  { ids: ['ad_spend'], direction: 'neutral', dimensions: MARKETING },
  { ids: ['signups', 'leads'], direction: 'up_is_good', dimensions: [...MARKETING, 'plan'] },
  { ids: ['deliveries', 'delivery_success_rate'], direction: 'up_is_good', dimensions: ['carrier', 'region', 'country', 'product_category'] },
  { ids: ['requests'], direction: 'neutral', dimensions: ['service', 'region'] },
  { ids: ['error_rate', 'p95_latency_ms'], direction: 'up_is_bad', dimensions: ['service', 'region'] },
];

describe('the shipped rules/metrics.yaml', () => {
  test('loads without problems', () => {
    assert.deepEqual(checkCatalog(RULES_DIR), []);
    assert.doesNotThrow(() => loadCatalog(RULES_DIR));
  });

  test("holds every metric of the brief's catalog table with its direction and dimensions", () => {
    const catalog = loadCatalog(RULES_DIR);
    const ids = BRIEF_CATALOG.flatMap((row) => row.ids);
    assert.equal(ids.length, 22);
    for (const row of BRIEF_CATALOG) {
      for (const id of row.ids) {
        const m = catalog.metrics[id];
        assert.ok(m, `metric ${id} is missing`);
        assert.equal(m.direction, row.direction, `${id} direction`);
        assert.deepEqual([...m.dimensions].sort(), [...row.dimensions].sort(), `${id} dimensions`);
        assert.ok(m.definition.length > 0 && m.label.length > 0, `${id} has a label and a definition`);
      }
    }
  });

  test('the formulas the brief spells out', () => {
    const catalog = loadCatalog(RULES_DIR);
    const formula = (id: string) => catalog.metrics[id]?.formulaText.replace(/\s+/g, ' ');
    assert.equal(formula('aov'), 'revenue / orders');
    assert.equal(formula('conversion_rate'), 'orders / sessions');
    assert.equal(formula('roas'), 'attributed_revenue / ad_spend');
    assert.equal(formula('error_rate'), 'requests_5xx / requests');
    assert.deepEqual(catalog.measures.requests_5xx, { agg: 'count', event: 'http_request', where: { status_class: ['5xx'] } });
    assert.equal(catalog.measures.latency_p95?.agg, 'quantile');
  });

  test('lists the synonyms the brief names', () => {
    const catalog = loadCatalog(RULES_DIR);
    // The id and label count as names too ("AOV" is the id aov).
    const has = (id: string, word: string) => {
      const m = catalog.metrics[id];
      const names = [id, m?.label ?? '', ...(m?.synonyms ?? [])].map((s) => s.toLowerCase());
      assert.ok(names.includes(word.toLowerCase()), `"${word}" names ${id}`);
    };
    has('revenue', 'sales');
    has('aov', 'AOV');
    has('aov', 'basket size');
    has('sessions', 'traffic');
    has('ad_spend', 'spend');
  });

  test("lists the demo stream's dimension values and the names people use for them", () => {
    const catalog = loadCatalog(RULES_DIR);
    const values = BRIEF_DIMENSION_VALUES;
    for (const [dim, vs] of Object.entries(values)) {
      assert.deepEqual([...(catalog.dimensions[dim]?.values ?? [])].sort(), [...vs].sort(), `values of ${dim}`);
    }
    const alias = (dim: string, name: string) =>
      Object.entries(catalog.dimensions[dim]?.aliases ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    assert.equal(alias('country', 'UK'), 'GB');
    assert.equal(alias('country', 'Germany'), 'DE');
    assert.equal(alias('campaign', 'black friday'), 'black-friday-2026');
  });
});
