import { OpsightError } from '../errors.js';
import { ROLLUPS, ROLLUP_QUANTILE_FIELDS, ROLLUP_QUANTILE_LEVELS, ROLLUP_SUM_FIELDS, rollupTable, type RollupFamily, type RollupLevel } from '../store/index.js';
import type { Catalog, Measure, Metric } from './catalog.js';
import { formulaMeasures, formulaSql } from './formula.js';
import { planSchema, type Plan, type PlanInput } from './plan.js';
import { coverWindow, maxRollupLevel, type Segment } from './windows.js';

/** SQL plus its parameters; values are never spliced into the text. */
export interface CompiledQuery {
  sql: string;
  params: Record<string, unknown>;
  /** Rollup tables read, finest first (for logs and /metrics). */
  rollups: string[];
}

/** Output columns of every compiled query, besides one column per `by` dimension. */
export interface PlanRow {
  [dimension: string]: string | number | null | undefined;
  /** Bucket start, ISO-8601 UTC; present when the plan has a grain. */
  bucket?: string;
  value: number | null;
  /** Present when the plan has a comparison. */
  baseline?: number | null;
  /** value / baseline − 1; null when the baseline is 0 or missing. */
  change?: number | null;
}

/** Buckets a single answer may hold before we ask for a coarser grain. */
const MAX_BUCKETS = 5000;
const GRAIN_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 28 * 86_400_000 } as const;

function planError(message: string): OpsightError {
  return new OpsightError('opsight_plan_invalid', message, { userMessage: message });
}

/** Validates a plan against the contract and the catalog; returns it with defaults filled. */
export function validatePlan(input: PlanInput | unknown, catalog: Catalog): Plan {
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`);
    throw planError(`Invalid plan: ${issues.join('; ')}`);
  }
  const plan = parsed.data;
  const metric = catalog.metrics[plan.metric];
  if (!metric) throw planError(`Unknown metric "${plan.metric}". Known metrics: ${Object.keys(catalog.metrics).join(', ')}.`);
  for (const dim of [...plan.by, ...Object.keys(plan.filters)]) {
    if (!(metric.dimensions as string[]).includes(dim)) {
      throw planError(`${metric.label} cannot be broken down by "${dim}". It can be cut by: ${metric.dimensions.join(', ') || 'nothing'}.`);
    }
  }
  if (new Set(plan.by).size !== plan.by.length) throw planError('by: each dimension at most once');
  const from = Date.parse(plan.from);
  const to = Date.parse(plan.to);
  if (!(from < to)) throw planError(`from (${plan.from}) must be before to (${plan.to})`);
  const hasCompare = plan.compare !== null;
  if (hasCompare !== (plan.compare_from !== null && plan.compare_to !== null) || (!hasCompare && (plan.compare_from || plan.compare_to))) {
    throw planError('compare, compare_from and compare_to go together: set all three or none');
  }
  if (hasCompare && !(Date.parse(plan.compare_from!) < Date.parse(plan.compare_to!))) {
    throw planError('compare_from must be before compare_to');
  }
  if (plan.grain && (to - from) / GRAIN_MS[plan.grain] > MAX_BUCKETS) {
    throw planError(`That is more than ${MAX_BUCKETS} ${plan.grain}s; pick a coarser grain or a shorter range.`);
  }
  if (plan.tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: plan.tz });
    } catch {
      throw planError(`tz: "${plan.tz}" is not an IANA time zone`);
    }
  }
  return plan;
}

const sqlDateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The aggregate for one measure over the rows of one period ('cur' or 'base'). */
function measureSql(measure: Measure, period: 'cur' | 'base'): string {
  const conds = [`period = '${period}'`, `type = ${quote(measure.event)}`];
  for (const [dim, values] of Object.entries(measure.where ?? {})) conds.push(`${dim} IN (${values.map(quote).join(', ')})`);
  const cond = conds.join(' AND ');
  switch (measure.agg) {
    case 'count':
      return `sumIf(cnt, ${cond})`;
    case 'sum':
      return `sumIf(sum_${measure.field}, ${cond})`;
    case 'uniq':
      return `uniqMergeIf(users, ${cond})`;
    case 'quantile': {
      const index = (ROLLUP_QUANTILE_LEVELS as readonly number[]).indexOf(measure.level) + 1;
      return `arrayElement(quantilesTDigestMergeIf(${ROLLUP_QUANTILE_LEVELS.join(', ')})(q_${measure.field}, ${cond}), ${index})`;
    }
  }
}

/** Rollup columns one measure reads. */
function measureColumns(measure: Measure): string[] {
  const cols = Object.keys(measure.where ?? {});
  switch (measure.agg) {
    case 'count':
      return [...cols, 'cnt'];
    case 'sum':
      return [...cols, `sum_${measure.field}`];
    case 'uniq':
      return [...cols, 'users'];
    case 'quantile':
      return [...cols, `q_${measure.field}`];
  }
}

const familyOf = (measure: Measure): RollupFamily => (measure.agg === 'uniq' ? 'users' : 'rollup');

/**
 * An empty value of the column's type, for a UNION ALL branch whose table lacks it
 * (a metric mixing families, e.g. revenue per customer): aggregates over it add nothing.
 */
function emptyColumn(column: string): string {
  if (column === 'cnt') return 'toUInt64(0) AS cnt';
  if (column === 'users') return "arrayReduce('uniqState', emptyArrayString()) AS users";
  if ((ROLLUP_SUM_FIELDS as readonly string[]).some((f) => column === `sum_${f}`)) return `toFloat64(0) AS ${column}`;
  if ((ROLLUP_QUANTILE_FIELDS as readonly string[]).some((f) => column === `q_${f}`)) {
    return `arrayReduce('quantilesTDigestState(${ROLLUP_QUANTILE_LEVELS.join(', ')})', emptyArrayFloat64()) AS ${column}`;
  }
  return `'' AS ${column}`;
}

const FAMILY_VALUE_COLUMNS: Record<RollupFamily, (column: string) => boolean> = {
  rollup: (c) => c === 'cnt' || c.startsWith('sum_') || c.startsWith('q_'),
  users: (c) => c === 'users',
};

function bucketSql(grain: Plan['grain'], tz: string): string | undefined {
  const z = quote(tz);
  switch (grain) {
    case null:
      return undefined;
    case 'minute':
      return 'toStartOfMinute(tt)';
    case 'hour':
      return `toStartOfHour(tt, ${z})`;
    case 'day':
      return `toStartOfDay(tt, ${z})`;
    case 'week':
      return `toDateTime(toMonday(tt, ${z}), ${z})`;
    case 'month':
      return `toDateTime(toStartOfMonth(tt, ${z}), ${z})`;
  }
}

/**
 * Plan → SQL over the rollups. Pure. Each period (the asked window and, with a comparison,
 * the baseline) is covered by rollup segments; the baseline is shifted onto the asked
 * window's timeline so buckets line up, and both are aggregated in one pass with -If.
 */
export function compile(input: PlanInput | Plan, catalog: Catalog): CompiledQuery {
  const plan = validatePlan(input, catalog);
  const metric = catalog.metrics[plan.metric] as Metric;
  const tz = plan.tz ?? 'UTC';
  const params: Record<string, unknown> = {};

  const measures = [...formulaMeasures(metric.formula)].map((id) => catalog.measures[id] as Measure);
  const columns = new Set<string>(['type', ...plan.by, ...Object.keys(plan.filters)]);
  for (const m of measures) for (const c of measureColumns(m)) columns.add(c);

  const from = Date.parse(plan.from);
  const to = Date.parse(plan.to);
  const periods: Array<{ period: 'cur' | 'base'; fromMs: number; toMs: number; shiftSeconds: number }> = [
    { period: 'cur', fromMs: from, toMs: to, shiftSeconds: 0 },
  ];
  if (plan.compare && plan.compare_from && plan.compare_to) {
    const cf = Date.parse(plan.compare_from);
    periods.push({ period: 'base', fromMs: cf, toMs: Date.parse(plan.compare_to), shiftSeconds: Math.round((from - cf) / 1000) });
  }
  const level = maxRollupLevel(plan.grain, tz, periods.flatMap((p) => [p.fromMs, p.toMs]));

  const filterSql: string[] = [`type IN (${[...new Set(measures.map((m) => m.event))].sort().map(quote).join(', ')})`];
  for (const [dim, values] of Object.entries(plan.filters)) {
    params[`f_${dim}`] = values;
    filterSql.push(`${dim} IN {f_${dim}:Array(String)}`);
  }

  const families = [...new Set(measures.map(familyOf))].sort();
  const selects: string[] = [];
  const tables = new Set<string>();
  let n = 0;
  for (const p of periods) {
    // With buckets, a shifted baseline row must land in one bucket: shift by whole rows only.
    const periodLevel = plan.grain === null ? level : alignedLevel(level, p.shiftSeconds);
    for (const seg of coverWindow(p.fromMs, p.toMs, periodLevel) as Segment[]) {
      params[`t${n}_from`] = sqlDateTime(seg.fromMs);
      params[`t${n}_to`] = sqlDateTime(seg.toMs);
      const tt = p.shiftSeconds === 0 ? 't' : `addSeconds(t, ${p.shiftSeconds})`;
      for (const family of families) {
        const table = rollupTable(family, seg.level);
        tables.add(table);
        const cols = [...columns].map((c) => (FAMILY_VALUE_COLUMNS.rollup(c) || FAMILY_VALUE_COLUMNS.users(c)) && !FAMILY_VALUE_COLUMNS[family](c) ? emptyColumn(c) : c);
        selects.push(
          `SELECT '${p.period}' AS period, ${tt} AS tt, ${cols.join(', ')} FROM ${table}` +
            ` WHERE t >= {t${n}_from:DateTime('UTC')} AND t < {t${n}_to:DateTime('UTC')} AND ${filterSql.join(' AND ')}`,
        );
      }
      n++;
    }
  }

  const valueOf = (period: 'cur' | 'base') =>
    formulaSql(metric.formula, (id) => measureSql(catalog.measures[id] as Measure, period));
  const bucket = bucketSql(plan.grain, tz);
  const keys = [...plan.by, ...(bucket ? ['b'] : [])];
  const outCols = [
    ...plan.by,
    ...(bucket ? [`formatDateTime(b, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS bucket`] : []),
    `toNullable(toFloat64(${valueOf('cur')})) AS value`,
  ];
  if (periods.length > 1) {
    outCols.push(`toNullable(toFloat64(${valueOf('base')})) AS baseline`);
    outCols.push('if(baseline = 0, NULL, value / baseline - 1) AS change');
  }

  const lines = [`WITH src AS (\n  ${selects.join('\n  UNION ALL\n  ')}\n)`];
  lines.push(`SELECT ${outCols.join(', ')}`);
  lines.push(bucket ? `FROM (SELECT *, ${bucket} AS b FROM src)` : 'FROM src');
  if (plan.top && plan.by.length > 0 && bucket) {
    // Top-N groups by their total over the asked window, then their series.
    params.top_n = plan.top.n;
    lines.push(
      `WHERE (${plan.by.join(', ')}) IN (SELECT ${plan.by.join(', ')} FROM src GROUP BY ${plan.by.join(', ')}` +
        ` ORDER BY ${valueOf('cur')} ${plan.top.order.toUpperCase()} NULLS LAST, ${plan.by.join(', ')} LIMIT {top_n:UInt32})`,
    );
  }
  if (keys.length > 0) lines.push(`GROUP BY ${keys.join(', ')}`);
  if (bucket) {
    lines.push(`ORDER BY b${plan.by.length ? `, ${plan.by.join(', ')}` : ''}`);
  } else if (plan.by.length > 0) {
    const order = plan.top?.order.toUpperCase() ?? 'DESC';
    lines.push(`ORDER BY value ${order} NULLS LAST, ${plan.by.join(', ')}`);
    if (plan.top) {
      params.top_n = plan.top.n;
      lines.push('LIMIT {top_n:UInt32}');
    }
  }
  return { sql: lines.join('\n'), params, rollups: [...tables].sort() };
}

/** The coarsest level at or below `level` whose rows, moved by `shiftSeconds`, stay whole rows. */
function alignedLevel(level: RollupLevel, shiftSeconds: number): RollupLevel {
  let i = ROLLUPS.findIndex((r) => r.level === level);
  while (i > 0 && shiftSeconds % ROLLUPS[i]!.seconds !== 0) i--;
  return ROLLUPS[i]!.level;
}
