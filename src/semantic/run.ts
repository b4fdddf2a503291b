import type { Store } from '../store/index.js';
import type { Catalog } from './catalog.js';
import { compile, validatePlan, type CompiledQuery, type PlanRow } from './compile.js';
import type { Plan, PlanInput } from './plan.js';

export interface PlanResult {
  plan: Plan;
  sql: string;
  params: Record<string, unknown>;
  rollups: string[];
  rows: PlanRow[];
}

/** Query limits for plan queries: they only read rollups, so these are generous but bounded. */
const PLAN_SETTINGS = { max_execution_time: 30, max_result_rows: 100_000 };

/** Compiles and runs a plan given as data (validated here: CLI and API pass JSON straight in). */
export async function runPlan(store: Store, catalog: Catalog, input: PlanInput | Plan | unknown): Promise<PlanResult> {
  const plan = validatePlan(input, catalog);
  const compiled: CompiledQuery = compile(plan, catalog);
  const rows = await store.query<PlanRow>(compiled.sql, compiled.params, PLAN_SETTINGS);
  return { plan, sql: compiled.sql, params: compiled.params, rollups: compiled.rollups, rows };
}

/** Newest minute that has rolled-up data, for "as of 12 s ago". */
export async function latestRollupMinute(store: Store): Promise<Date | null> {
  const rows = await store.query<{ t: number | null }>("SELECT toUnixTimestamp(max(t)) AS t FROM rollup_1m");
  const t = rows[0]?.t;
  return t ? new Date(Number(t) * 1000) : null;
}
