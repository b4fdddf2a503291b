import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { createPlanner } from '../../src/ask/index.js';
import { LLM_UNAVAILABLE_MESSAGE, createLlmPlanner, loadPrompts, type LlmOutcome, type LlmPlannerOptions } from '../../src/ask/llm/index.js';
import { OpsightError } from '../../src/errors.js';
import { loadCatalog } from '../../src/semantic/index.js';
import { startOpenAiServer, type OpenAiTestServer, type ScriptedReply } from '../support/openai-server.js';

const catalog = loadCatalog('rules');
const prompts = loadPrompts('prompts', catalog);
const API_KEY = 'sk-test-secret-4242';
const NOW = new Date('2026-11-18T15:30:00Z'); // Wednesday, 16:30 in Berlin
const TZ = 'Europe/Berlin';
const ctx = { now: NOW, tz: TZ };

/** "UK revenue by channel yesterday" in Berlin: 2026-11-17 00:00 CET → 2026-11-18 00:00 CET. */
const YESTERDAY_PLAN = {
  metric: 'revenue',
  by: ['channel'],
  filters: { country: ['GB'] },
  from: '2026-11-16T23:00:00Z',
  to: '2026-11-17T23:00:00Z',
  grain: null,
  compare: null,
  compare_from: null,
  compare_to: null,
  top: null,
};

const planCall = (plan: unknown): ScriptedReply => ({ toolCall: { arguments: JSON.stringify({ kind: 'plan', plan }) } });
const answered = (out: LlmOutcome) => {
  assert.equal(out.status, 'answered', JSON.stringify(out));
  return out as Extract<LlmOutcome, { status: 'answered' }>;
};

let server: OpenAiTestServer;
let logLines: string[];

function planner(overrides: Partial<LlmPlannerOptions> = {}) {
  logLines = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  return createLlmPlanner({
    catalog,
    prompts,
    llm: { apiKey: API_KEY, baseUrl: server.baseUrl, model: 'test-model' },
    log,
    timeoutMs: 10_000,
    maxRetries: 2,
    retryDelayMs: 1,
    ...overrides,
  });
}

/** The content of the request's n-th message. */
const said = (request: number, message: number): string => String(server.requests[request]!.body.messages[message]!.content);

before(async () => {
  server = await startOpenAiServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

describe('a valid reply', () => {
  test('a plan in function-call arguments is answered, with the asker zone and a period in plain dates', async () => {
    server.script(planCall(YESTERDAY_PLAN));
    const out = answered(await planner().plan('how did the UK do on sales yesterday, per channel?', ctx));
    assert.deepEqual(out.plan, { ...YESTERDAY_PLAN, tz: TZ });
    assert.equal(out.period, 'on 2026-11-17 (Europe/Berlin)');
    assert.equal(out.comparePeriod, undefined);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(server.rejected, []);
  });

  test('the request carries the model, the forced function with the catalog as enums, the catalog in the system prompt and the question with now and zone', async () => {
    server.script(planCall(YESTERDAY_PLAN));
    await planner().plan('how did the UK do on sales yesterday, per channel?', ctx);
    const { headers, body } = server.requests[0]!;
    assert.equal(headers.authorization, `Bearer ${API_KEY}`);
    assert.equal(body.model, 'test-model');
    assert.equal(body.stream, false);
    assert.equal(body.tools?.[0]?.function.name, 'opsight_answer');
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'opsight_answer' } });
    const params = body.tools![0]!.function.parameters as { properties: { plan: { properties: { metric: { enum: string[] } } } } };
    assert.deepEqual(params.properties.plan.properties.metric.enum, Object.keys(catalog.metrics));
    assert.equal(body.messages[0]!.role, 'system');
    const system = said(0, 0);
    for (const metric of Object.values(catalog.metrics)) assert.ok(system.includes(`\`${metric.id}\` — ${metric.label}`), metric.id);
    assert.ok(system.includes('"uk" for GB'));
    assert.ok(system.includes('black-friday-2026'));
    assert.ok(system.includes('rollup_1h'));
    assert.ok(system.includes('Question: "what did google ads bring in yesterday?"'), 'few-shot examples are in the system prompt');
    assert.equal(body.messages[1]!.role, 'user');
    const user = said(0, 1);
    assert.ok(user.includes('how did the UK do on sales yesterday, per channel?'));
    assert.ok(user.includes('Now: 2026-11-18T15:30:00Z (Wednesday 2026-11-18 16:30 in Europe/Berlin)'));
    assert.ok(user.includes('- yesterday: 2026-11-16T23:00:00Z to 2026-11-17T23:00:00Z'));
  });

  test('a plan sent as text content (a server ignoring tool_choice), even in a ```json fence, is answered', async () => {
    server.script({ content: '```json\n' + JSON.stringify({ kind: 'plan', plan: YESTERDAY_PLAN }) + '\n```' });
    const out = answered(await planner().plan('uk sales by channel yesterday', ctx));
    assert.equal(out.plan.metric, 'revenue');
  });

  test('aliases and letter case in filter values become catalog values', async () => {
    server.script(planCall({ ...YESTERDAY_PLAN, filters: { country: ['uk', 'germany', 'Gb'] } }));
    const out = answered(await planner().plan('uk and germany sales', ctx));
    assert.deepEqual(out.plan.filters, { country: ['GB', 'DE'] });
  });

  test('a comparison gets a baseline period in plain dates', async () => {
    server.script(
      planCall({ ...YESTERDAY_PLAN, compare: 'same_period_last_week', compare_from: '2026-11-09T23:00:00Z', compare_to: '2026-11-10T23:00:00Z' }),
    );
    const out = answered(await planner().plan('uk sales by channel yesterday vs a week before', ctx));
    assert.equal(out.comparePeriod, 'on 2026-11-10');
  });

  test('clarify and refuse replies are passed on as they are', async () => {
    server.script(
      { toolCall: { arguments: JSON.stringify({ kind: 'clarify', question: 'Which region?', options: ['revenue in EU today', 'revenue in NA today'], plan: null }) } },
      { toolCall: { arguments: JSON.stringify({ kind: 'refuse', reason: "I can't forecast." }) } },
    );
    const p = planner();
    assert.deepEqual(await p.plan('revenue over there', ctx), { status: 'clarify', question: 'Which region?', options: ['revenue in EU today', 'revenue in NA today'] });
    assert.deepEqual(await p.plan('revenue next year', ctx), { status: 'refused', reason: "I can't forecast." });
  });

  test('proposed SQL comes back as an sql outcome (it still has to pass the SQL checker before it runs)', async () => {
    const sql = "SELECT sum(sum_items) / sum(cnt) FROM rollup_1h WHERE type = 'order_placed'";
    server.script({ toolCall: { arguments: JSON.stringify({ kind: 'sql', sql, explanation: 'Items per order.' }) } });
    assert.deepEqual(await planner().plan('items per order today', ctx), { status: 'sql', sql, explanation: 'Items per order.' });
  });

  test('jsonMode asks for a JSON object instead of a function call', async () => {
    server.script({ content: JSON.stringify({ kind: 'plan', plan: YESTERDAY_PLAN }) });
    answered(await planner({ method: 'jsonMode' }).plan('uk sales by channel yesterday', ctx));
    const body = server.requests[0]!.body;
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.equal(body.tools, undefined);
  });

  test('a local server without an API key (OPENAI_BASE_URL only) is used as is', async () => {
    server.script(planCall(YESTERDAY_PLAN));
    answered(await planner({ llm: { baseUrl: server.baseUrl, model: 'local-model' } }).plan('uk sales by channel yesterday', ctx));
    assert.equal(server.requests[0]!.body.model, 'local-model');
    assert.equal(server.requests[0]!.body.temperature, 0);
  });

  test('reasoning models are not sent a temperature (OpenAI rejects one)', async () => {
    server.script(planCall(YESTERDAY_PLAN));
    answered(await planner({ llm: { apiKey: API_KEY, baseUrl: server.baseUrl, model: 'o3-mini' } }).plan('uk sales by channel yesterday', ctx));
    assert.equal(server.requests[0]!.body.temperature, undefined);
  });
});

describe('an invalid reply gets one repair turn', () => {
  test('malformed JSON: the repair turn quotes the reply and the parse error, and the fixed plan is answered', async () => {
    const broken = '{"kind":"plan","plan":{"metric":"revenue",';
    server.script({ content: broken }, planCall(YESTERDAY_PLAN));
    const out = answered(await planner().plan('uk sales by channel yesterday', ctx));
    assert.equal(out.plan.metric, 'revenue');
    assert.equal(server.requests.length, 2);
    const second = server.requests[1]!.body.messages;
    assert.equal(second.length, 3);
    assert.equal(second[0]!.content, said(0, 0), 'same system prompt');
    assert.equal(second[1]!.content, said(0, 1), 'same question');
    const repair = String(second[2]!.content);
    assert.ok(repair.includes(broken), repair);
    assert.match(repair, /the reply is not valid JSON \(.+\)/);
    assert.ok(logLines.some((l) => l.includes('"repaired":true') && l.includes('"outcome":"answered"')));
  });

  test('malformed function arguments are repaired the same way', async () => {
    server.script({ toolCall: { arguments: '{"kind":"plan", "plan": {' } }, planCall(YESTERDAY_PLAN));
    answered(await planner().plan('uk sales by channel yesterday', ctx));
    assert.match(said(1, 2), /the function arguments are not valid JSON/);
  });

  test("an unknown metric is sent back with the catalog's own error, and the fixed plan is answered", async () => {
    server.script(planCall({ ...YESTERDAY_PLAN, metric: 'gross_margin' }), planCall(YESTERDAY_PLAN));
    answered(await planner().plan('gross margin yesterday', ctx));
    const repair = said(1, 2);
    assert.ok(repair.includes('Unknown metric "gross_margin". Known metrics: revenue, orders'), repair);
    assert.ok(repair.includes('"gross_margin"'), 'quotes the rejected reply');
  });

  test('a dimension the metric cannot be cut by is sent back naming the ones it can', async () => {
    server.script(planCall({ ...YESTERDAY_PLAN, by: ['carrier'] }), planCall(YESTERDAY_PLAN));
    answered(await planner().plan('revenue by courier yesterday', ctx));
    assert.ok(said(1, 2).includes('Revenue cannot be broken down by "carrier"'));
  });

  test('a value the catalog does not have is sent back with the values it does', async () => {
    server.script(planCall({ ...YESTERDAY_PLAN, filters: { country: ['Atlantis'] } }), planCall(YESTERDAY_PLAN));
    answered(await planner().plan('revenue in atlantis yesterday', ctx));
    const repair = said(1, 2);
    assert.ok(repair.includes('filters.country: "Atlantis" is not a country in the catalog. Use one of: US, CA, MX, GB'), repair);
  });

  test('a reply of the wrong shape is sent back with the schema issues', async () => {
    server.script({ toolCall: { arguments: JSON.stringify({ kind: 'clarify', question: 'Which?', options: [] }) } }, planCall(YESTERDAY_PLAN));
    answered(await planner().plan('revenue?', ctx));
    assert.match(said(1, 2), /the JSON does not match the answer schema: options: /);
  });

  test('a range that ends after now is repaired rather than answered', async () => {
    server.script(planCall({ ...YESTERDAY_PLAN, from: '2026-11-17T23:00:00Z', to: '2026-11-18T23:00:00Z' }), planCall({ ...YESTERDAY_PLAN, from: '2026-11-17T23:00:00Z', to: '2026-11-18T15:30:00Z' }));
    const out = answered(await planner().plan('uk revenue by channel today', ctx));
    assert.equal(out.plan.to, '2026-11-18T15:30:00Z');
    assert.equal(out.period, 'on 2026-11-18 from 00:00 to 16:30 (Europe/Berlin)');
    assert.ok(said(1, 2).includes('to (2026-11-18T23:00:00Z) is after now (2026-11-18T15:30:00.000Z)'));
  });

  test('SQL that is not a SELECT is repaired', async () => {
    const good = "SELECT sum(cnt) FROM rollup_1d WHERE type = 'order_placed'";
    server.script(
      { toolCall: { arguments: JSON.stringify({ kind: 'sql', sql: 'DROP TABLE rollup_1d', explanation: 'x' }) } },
      { toolCall: { arguments: JSON.stringify({ kind: 'sql', sql: good, explanation: 'Orders.' }) } },
    );
    assert.deepEqual(await planner().plan('count orders with SQL', ctx), { status: 'sql', sql: good, explanation: 'Orders.' });
    assert.match(said(1, 2), /sql must be one read-only SELECT/);
    assert.match(said(1, 2), /DROP TABLE rollup_1d/);
  });

  test("the SQL checker, when wired, rejects proposed SQL and its reason goes into the repair turn", async () => {
    const good = "SELECT sum(cnt) FROM rollup_1d WHERE type = 'order_placed'";
    server.script(
      { toolCall: { arguments: JSON.stringify({ kind: 'sql', sql: 'SELECT * FROM events', explanation: 'raw events' }) } },
      { toolCall: { arguments: JSON.stringify({ kind: 'sql', sql: good, explanation: 'Orders.' }) } },
    );
    const checked: string[] = [];
    const p = planner({
      // Shaped like src/ask/sql's checkSqlWithEngine: a reason to refuse, or the text it checked.
      checkSql: async (sql) => {
        checked.push(sql);
        return /\bevents\b/.test(sql) ? { ok: false, reason: 'table "events" is not allowed; read the rollup tables' } : { ok: true, sql: `${sql} -- as checked` };
      },
    });
    assert.deepEqual(await p.plan('count orders with SQL', ctx), { status: 'sql', sql: `${good} -- as checked`, explanation: 'Orders.' });
    assert.deepEqual(checked, ['SELECT * FROM events', good]);
    assert.ok(said(1, 2).includes('the SQL was rejected: table "events" is not allowed; read the rollup tables'));
  });

  test('invalid twice: a clarify asking to rephrase, with options the embedded planner answers, after exactly two requests', async () => {
    server.script(planCall({ ...YESTERDAY_PLAN, metric: 'gross_margin' }), { content: 'Sorry, I cannot help with that.' });
    const out = await planner().plan('gross margin yesterday', ctx);
    assert.equal(out.status, 'clarify');
    const c = out as Extract<LlmOutcome, { status: 'clarify' }>;
    assert.match(c.question, /^I could not turn that into a query I trust\. Could you rephrase it, e\.g\. "/);
    assert.ok(c.options.length > 0);
    const embedded = createPlanner(catalog);
    for (const option of c.options) assert.equal(embedded.plan(option, ctx).status, 'answered', option);
    assert.equal(server.requests.length, 2);
    assert.ok(logLines.some((l) => l.includes('"outcome":"clarify"') && l.includes('"repaired":true') && l.includes('not valid JSON')));
  });
});

describe('timeouts and retries', () => {
  test('a reply slower than the timeout fails with a retriable error for the asker, and is not retried', async () => {
    server.script({ hold: true });
    const gaveUp = server.clientGaveUp();
    await assert.rejects(planner({ timeoutMs: 250 }).plan('uk sales by channel yesterday', ctx), (err: unknown) => {
      assert.ok(err instanceof OpsightError);
      assert.equal(err.code, 'opsight_unknown');
      assert.equal(err.retriable, true);
      assert.equal(err.userMessage, LLM_UNAVAILABLE_MESSAGE);
      assert.match(err.message, /no reply within 250 ms \(model test-model at http:\/\/127\.0\.0\.1:\d+\/v1, 1 attempt\)/);
      return true;
    });
    await gaveUp; // the client closed the held request
    assert.equal(server.requests.length, 1);
  });

  test('a 500 is retried and the next reply answered', async () => {
    server.script({ status: 500, message: 'upstream overloaded' }, planCall(YESTERDAY_PLAN));
    answered(await planner().plan('uk sales by channel yesterday', ctx));
    assert.equal(server.requests.length, 2);
    assert.ok(logLines.some((l) => l.includes('retrying') && l.includes('HTTP 500')));
  });

  test('a 5xx that persists gives up after 1 + maxRetries attempts with a retriable error', async () => {
    server.script({ status: 503 }, { status: 502 }, { status: 500 }, planCall(YESTERDAY_PLAN));
    await assert.rejects(planner({ maxRetries: 2 }).plan('uk sales by channel yesterday', ctx), (err: unknown) => {
      assert.ok(err instanceof OpsightError && err.retriable && err.userMessage === LLM_UNAVAILABLE_MESSAGE);
      assert.match(err.message, /HTTP 500.*3 attempts/);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  test('a 429 with Retry-After within the cap is retried', async () => {
    server.script({ status: 429, message: 'Rate limit reached', headers: { 'retry-after': '0' } }, planCall(YESTERDAY_PLAN));
    answered(await planner().plan('uk sales by channel yesterday', ctx));
    assert.equal(server.requests.length, 2);
  });

  test('a 429 asking to wait longer than the cap fails at once rather than keep the asker waiting', async () => {
    server.script({ status: 429, message: 'Rate limit reached', headers: { 'retry-after': '3600' } }, planCall(YESTERDAY_PLAN));
    await assert.rejects(planner({ maxRetryAfterMs: 5_000 }).plan('uk sales by channel yesterday', ctx), (err: unknown) => {
      assert.ok(err instanceof OpsightError && err.retriable);
      assert.match(err.message, /rate limited for 3600 s/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  test('an exhausted quota (429 insufficient_quota) is not retried and not retriable', async () => {
    server.script({ status: 429, message: 'You exceeded your current quota', code: 'insufficient_quota' }, planCall(YESTERDAY_PLAN));
    await assert.rejects(planner().plan('uk sales by channel yesterday', ctx), (err: unknown) => {
      assert.ok(err instanceof OpsightError && !err.retriable);
      assert.match(err.message, /no quota left/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  test('a rejected key (401) is not retried, tells the operator what to check, and the key never reaches the logs', async () => {
    server.script({ status: 401, message: 'Incorrect API key provided' }, planCall(YESTERDAY_PLAN));
    await assert.rejects(planner().plan('uk sales by channel yesterday', ctx), (err: unknown) => {
      assert.ok(err instanceof OpsightError && !err.retriable && err.userMessage === LLM_UNAVAILABLE_MESSAGE);
      assert.match(err.message, /HTTP 401.*check OPENAI_API_KEY/);
      assert.ok(!err.message.includes(API_KEY));
      return true;
    });
    assert.equal(server.requests.length, 1);
    assert.ok(logLines.some((l) => l.includes('LLM planner unavailable') && l.includes('check OPENAI_API_KEY')), 'operators learn why');
    for (const line of logLines) assert.ok(!line.includes(API_KEY), line);
  });

  test('an endpoint nobody listens on is retried as a connection failure, then reported', async () => {
    const dead = await startOpenAiServer();
    const url = dead.baseUrl;
    await dead.close();
    await assert.rejects(planner({ llm: { apiKey: API_KEY, baseUrl: url, model: 'test-model' }, maxRetries: 1 }).plan('uk sales', ctx), (err: unknown) => {
      assert.ok(err instanceof OpsightError && err.retriable);
      assert.match(err.message, /cannot reach the endpoint .*check OPENAI_BASE_URL.*2 attempts/);
      return true;
    });
  });

  test('every planned question is logged with model, latency, outcome and whether it was repaired, never the key', async () => {
    server.script(planCall(YESTERDAY_PLAN));
    await planner().plan('uk sales by channel yesterday', ctx);
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'LLM planned a question');
    assert.ok(line);
    assert.equal(line.model, 'test-model');
    assert.equal(typeof line.latencyMs, 'number');
    assert.equal(line.outcome, 'answered');
    assert.equal(line.repaired, false);
    assert.equal(line.module, 'ask.llm');
    for (const l of logLines) assert.ok(!l.includes(API_KEY));
  });
});
