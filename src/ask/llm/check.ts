import { OpsightError } from '../../errors.js';
import { validatePlan, type Catalog, type Plan } from '../../semantic/index.js';
import type { PlanContext, PlanOutcome } from '../planner.js';
import { utcToWall } from '../time.js';
import type { LlmOutput } from './output.js';

/**
 * A validated reply → what the planner answers, or the reason we do not trust it (which goes
 * back to the model in the repair turn). Pure: `now` comes in with the context.
 *
 * On top of the schema, a plan must pass what the embedded planner's plans pass
 * (`validatePlan`: known metric, dimensions the metric can be cut by, coherent windows), plus
 * checks only a model needs: filter values must be catalog values (aliases are mapped, case
 * is forgiven), and the windows must lie in the past, since the model does its own date
 * arithmetic and "to" after now is the usual slip.
 */

/** The LLM planner's answers: the embedded planner's, plus free-form SQL for the rollups. */
export type LlmOutcome = PlanOutcome | { status: 'sql'; sql: string; explanation: string };

export type Checked = { ok: true; outcome: LlmOutcome } | { ok: false; error: string };

export function checkOutput(output: LlmOutput, catalog: Catalog, ctx: PlanContext): Checked {
  switch (output.kind) {
    case 'clarify':
      return { ok: true, outcome: { status: 'clarify', question: output.question, options: [...new Set(output.options)] } };
    case 'refuse':
      return { ok: true, outcome: { status: 'refused', reason: output.reason } };
    case 'sql':
      return checkSqlShape(output.sql, output.explanation);
    case 'plan':
      return checkPlan(output.plan, catalog, ctx);
  }
}

/**
 * Only the statement kind here, so an obvious DROP gets its repair turn without a round trip
 * to the engine; which tables and functions a query may use is the SQL checker's
 * (src/ask/sql), which the planner runs next when it is wired in, and again before running.
 */
function checkSqlShape(sql: string, explanation: string): Checked {
  const body = sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*\s*/, '');
  if (!/^(select|with)\b/i.test(body)) return { ok: false, error: 'sql must be one read-only SELECT (or WITH … SELECT) statement' };
  return { ok: true, outcome: { status: 'sql', sql: sql.trim(), explanation } };
}

function checkPlan(input: Extract<LlmOutput, { kind: 'plan' }>['plan'], catalog: Catalog, ctx: PlanContext): Checked {
  const filters: Record<string, string[]> = {};
  for (const [dim, values] of Object.entries(input.filters)) {
    const out: string[] = [];
    for (const value of values) {
      const known = catalogValue(catalog, dim, value);
      if (known === null) {
        const d = catalog.dimensions[dim]!;
        const aliases = Object.entries(d.aliases).map(([a, v]) => `${a} → ${v}`);
        return {
          ok: false,
          error: `filters.${dim}: "${value}" is not a ${d.label} in the catalog. Use one of: ${d.values.join(', ')}${aliases.length ? ` (people also say ${aliases.join(', ')})` : ''}.`,
        };
      }
      if (!out.includes(known)) out.push(known);
    }
    filters[dim] = out;
  }
  let plan: Plan;
  try {
    // The plan's calendar zone is the asker's, whatever the model wrote.
    plan = validatePlan({ ...input, filters, tz: ctx.tz }, catalog);
  } catch (err) {
    if (err instanceof OpsightError && err.code === 'opsight_plan_invalid') return { ok: false, error: err.message };
    throw err;
  }
  const now = ctx.now.getTime();
  const nowIso = ctx.now.toISOString();
  if (Date.parse(plan.from) >= now) return { ok: false, error: `from (${plan.from}) is not before now (${nowIso}): I only report what has happened` };
  if (Date.parse(plan.to) > now) return { ok: false, error: `to (${plan.to}) is after now (${nowIso}): a range that runs to the present ends at now` };
  if (plan.compare_from !== null && plan.compare_to !== null) {
    if (Date.parse(plan.compare_from) >= Date.parse(plan.from)) {
      return { ok: false, error: `compare_from (${plan.compare_from}) must be before from (${plan.from}): the baseline is an earlier window` };
    }
    if (Date.parse(plan.compare_to) > now) return { ok: false, error: `compare_to (${plan.compare_to}) is after now (${nowIso})` };
  }
  const period = describeWindow(plan.from, plan.to, ctx.tz, true);
  const comparePeriod = plan.compare_from !== null && plan.compare_to !== null ? describeWindow(plan.compare_from, plan.compare_to, ctx.tz, false) : undefined;
  return { ok: true, outcome: { status: 'answered', plan, period, ...(comparePeriod ? { comparePeriod } : {}) } };
}

/**
 * The catalog's spelling of a value the model wrote, or null when it is not one. A dimension
 * without a values list (none today) accepts anything: the catalog does not know its values.
 */
function catalogValue(catalog: Catalog, dim: string, value: string): string | null {
  const d = catalog.dimensions[dim];
  // An unknown dimension is validatePlan's to report (it names what the metric can be cut by).
  if (!d || d.values.length === 0) return value;
  const lower = value.trim().toLowerCase();
  const exact = d.values.find((v) => v.toLowerCase() === lower);
  if (exact) return exact;
  const alias = Object.entries(d.aliases).find(([a]) => a.toLowerCase() === lower);
  return alias ? alias[1] : null;
}

const DAY_MS = 86_400_000;

/**
 * Plain words for a window, for answers ("Revenue on 2026-11-21 (Europe/Berlin) was …"). The
 * model gives no label, and inventing one ("last week") from instants would be a guess; the
 * dates themselves, on the asker's wall clock, are always right.
 */
export function describeWindow(fromIso: string, toIso: string, tz: string, withZone: boolean): string {
  const from = wall(Date.parse(fromIso), tz);
  const to = wall(Date.parse(toIso), tz);
  let words: string;
  if (from.time === '00:00' && to.time === '00:00') {
    const lastDay = new Date(to.ms - DAY_MS).toISOString().slice(0, 10);
    words = lastDay <= from.date ? `on ${from.date}` : `from ${from.date} through ${lastDay}`;
  } else if (from.date === to.date) {
    words = `on ${from.date} from ${from.time} to ${to.time}`;
  } else {
    words = `from ${from.date} ${from.time} to ${to.date} ${to.time}`;
  }
  return withZone ? `${words} (${tz})` : words;
}

function wall(ms: number, tz: string): { ms: number; date: string; time: string } {
  const w = utcToWall(ms, tz);
  const iso = new Date(w).toISOString();
  return { ms: w, date: iso.slice(0, 10), time: iso.slice(11, 16) };
}
