import { isValidTimeZone } from '../../config/index.js';
import { OpsightError } from '../../errors.js';
import { askAudited, createQuestionPlanner, type AskResult } from '../../ask/index.js';
import { loadCatalog } from '../../semantic/index.js';
import { parse, parseInstant } from '../args.js';
import { openStore } from '../../main.js';
import { running, type CliContext } from '../context.js';
import { postJson } from '../remote.js';
import { formatTable } from '../table.js';

const USAGE = `Usage: opsight ask [--json] [--now ISO] [--tz ZONE] "question"

Answers a question in plain language from the rollups (the same code path as Slack).
  --json   print the contract object {plan, sql, rows, answer, status, options?, reason?}
  --now    pin "now" (ISO-8601), so relative dates are reproducible; default: the clock
  --tz     IANA time zone for the time words; default OPSIGHT_TZ (UTC)
Exits 0 when it answered, asked back (clarify) or declined (refused).`;

export async function askCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean', default: false }, now: { type: 'string' }, tz: { type: 'string' }, help: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) {
    ctx.out.write(`${USAGE}\n`);
    return 0;
  }
  const question = positionals.join(' ').trim();
  if (!question) throw new OpsightError('opsight_cli_usage', `a question is required\n\n${USAGE}`);
  const now = values.now !== undefined ? new Date(parseInstant(values.now, '--now')) : new Date();
  const tz = values.tz ?? ctx.config.timeZone;
  if (!isValidTimeZone(tz)) throw new OpsightError('opsight_cli_usage', `--tz: "${tz}" is not an IANA time zone (e.g. Europe/Berlin)`);

  let result: AskResult;
  const remote = await running(ctx);
  if (remote) {
    const answer = await postJson<AskResult & { error?: string }>(remote, '/api/ask', { question, now: now.toISOString(), tz });
    if (answer.status !== 200) throw new OpsightError('opsight_unknown', answer.body.error ?? `POST /api/ask answered ${answer.status}`);
    result = answer.body;
  } else {
    const catalog = loadCatalog(ctx.config.rulesDir);
    // Every question is audited, so the store opens even for a clarify.
    const store = await openStore(ctx.config, ctx.log);
    try {
      const planner = createQuestionPlanner(ctx.config, catalog, store, ctx.log);
      await planner.refreshValues();
      result = await askAudited(store, catalog, planner, question, { now, tz }, { surface: 'cli' }, ctx.log);
    } finally {
      await store.close();
    }
  }
  if (values.json) {
    ctx.out.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  ctx.out.write(`${result.answer}\n`);
  if (result.status === 'clarify' && result.options?.length) ctx.out.write(`${result.options.map((o) => `  • ${o}`).join('\n')}\n`);
  if (result.status === 'answered' && result.rows.length > 1) ctx.out.write(`\n${formatTable(result.rows)}\n`);
  return 0;
}
