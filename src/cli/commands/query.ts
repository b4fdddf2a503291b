import { OpsightError } from '../../errors.js';
import { loadCatalog, runPlan, type PlanResult } from '../../semantic/index.js';
import { parse } from '../args.js';
import { running, withLocalStore, type CliContext } from '../context.js';
import { postJson } from '../remote.js';
import { formatTable } from '../table.js';

const USAGE = `Usage: opsight query --plan '<plan json>' [--json]

Runs a question plan (BRIEF.md "Question plan") against the rollups and prints the rows.
  --plan   the plan as JSON, e.g. '{"metric":"revenue","by":["channel"],"from":"2026-11-21T00:00:00Z","to":"2026-11-22T00:00:00Z"}'
  --json   print {plan, sql, params, rows} as JSON instead of a table`;

export async function queryCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(argv, { plan: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean' } }, USAGE);
  if (values.help) {
    ctx.out.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.plan) throw new OpsightError('opsight_cli_usage', `--plan is required\n\n${USAGE}`);
  let plan: unknown;
  try {
    plan = JSON.parse(values.plan);
  } catch (err) {
    throw new OpsightError('opsight_cli_usage', `--plan is not valid JSON: ${(err as Error).message}`);
  }
  let result: PlanResult;
  const remote = await running(ctx);
  if (remote) {
    const answer = await postJson<PlanResult & { error?: string; code?: string }>(remote, '/api/query', { plan });
    if (answer.status !== 200) {
      throw new OpsightError(answer.body.code === 'opsight_plan_invalid' ? 'opsight_plan_invalid' : 'opsight_unknown', answer.body.error ?? `HTTP ${answer.status}`);
    }
    result = answer.body;
  } else {
    const catalog = loadCatalog(ctx.config.rulesDir);
    result = await withLocalStore(ctx, (store) => runPlan(store, catalog, plan));
  }
  ctx.out.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatTable(result.rows)}\n`);
  return 0;
}
