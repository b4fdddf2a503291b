import { OpsightError } from '../errors.js';
import { ROLLUP_QUANTILE_LEVELS } from '../store/index.js';
import type { Catalog, Measure, Metric } from './catalog.js';
import { formulaMeasures, type Formula } from './formula.js';

/**
 * A metric per minute as the parts it is made of (each measure's sum or count, and the event
 * count behind it) rather than as a finished value, so that a reader can add minutes up over
 * any trailing window and only then apply the formula: a ratio over 15 minutes is
 * Σerrors / Σcheckouts, not the mean of 15 noisy ratios. Detectors read rollups this way.
 *
 * Quantiles do not add up; across minutes they are averaged weighted by their event counts
 * (an approximation the alert card's "expected band" can live with). Distinct counts (uniq)
 * cannot be combined at all, so such metrics are refused here.
 */
export interface ComponentsQuery {
  sql: string;
  params: Record<string, unknown>;
  /** Measure ids in the order of the `m_…` / `n_…` columns. */
  measures: readonly string[];
  /** The measure whose event count is the series' volume: the formula's last one (the denominator of a ratio). */
  volumeMeasure: string;
}

/** One row: minute start (epoch seconds), the `by` dimension values, `m_<measure>` and `n_<measure>`. */
export interface ComponentsRow {
  ts: number;
  [column: string]: string | number | null;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const sqlDateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export function componentsSupported(catalog: Catalog, metric: Metric): string | undefined {
  for (const id of formulaMeasures(metric.formula)) {
    if (catalog.measures[id]?.agg === 'uniq') return `${metric.id} counts distinct users, which cannot be added up minute by minute`;
  }
  return undefined;
}

/** SQL for the per-minute parts of `metricId` in [fromMs, toMs) split by `by`, over rollup_1m. Pure. */
export function componentsQuery(
  catalog: Catalog,
  metricId: string,
  by: readonly string[],
  filters: Readonly<Record<string, readonly string[]>>,
  fromMs: number,
  toMs: number,
): ComponentsQuery {
  const metric = catalog.metrics[metricId];
  if (!metric) throw new OpsightError('opsight_plan_invalid', `unknown metric "${metricId}"`);
  const unsupported = componentsSupported(catalog, metric);
  if (unsupported) throw new OpsightError('opsight_plan_invalid', unsupported);
  const ids = [...formulaMeasures(metric.formula)];
  const dims = new Set<string>(metric.dimensions);
  for (const d of [...by, ...Object.keys(filters)]) {
    if (!dims.has(d)) throw new OpsightError('opsight_plan_invalid', `${metricId} has no dimension "${d}"`);
  }
  const params: Record<string, unknown> = { from: sqlDateTime(fromMs), to: sqlDateTime(toMs) };
  const where = ["t >= {from:DateTime('UTC')}", "t < {to:DateTime('UTC')}"];
  const types = [...new Set(ids.map((id) => (catalog.measures[id] as Measure).event))].sort();
  where.push(`type IN (${types.map(quote).join(', ')})`);
  for (const [dim, values] of Object.entries(filters)) {
    params[`f_${dim}`] = values;
    where.push(`${dim} IN {f_${dim}:Array(String)}`);
  }
  const cols: string[] = [];
  for (const id of ids) {
    const m = catalog.measures[id] as Measure;
    const conds = [`type = ${quote(m.event)}`];
    for (const [dim, values] of Object.entries(m.where ?? {})) conds.push(`${dim} IN (${values.map(quote).join(', ')})`);
    const cond = conds.join(' AND ');
    switch (m.agg) {
      case 'count':
        cols.push(`toFloat64(sumIf(cnt, ${cond})) AS m_${id}`);
        break;
      case 'sum':
        cols.push(`toFloat64(sumIf(sum_${m.field}, ${cond})) AS m_${id}`);
        break;
      case 'quantile': {
        const index = (ROLLUP_QUANTILE_LEVELS as readonly number[]).indexOf(m.level) + 1;
        cols.push(`toFloat64(arrayElement(quantilesTDigestMergeIf(${ROLLUP_QUANTILE_LEVELS.join(', ')})(q_${m.field}, ${cond}), ${index})) AS m_${id}`);
        break;
      }
      case 'uniq':
        break; // refused above
    }
    cols.push(`toFloat64(sumIf(cnt, ${cond})) AS n_${id}`);
  }
  const keys = ['ts', ...by];
  const sql = [
    `SELECT toUnixTimestamp(t) AS ts${by.map((d) => `, ${d}`).join('')}, ${cols.join(', ')}`,
    'FROM rollup_1m',
    `WHERE ${where.join(' AND ')}`,
    `GROUP BY ${keys.join(', ')}`,
    `ORDER BY ${keys.join(', ')}`,
  ].join('\n');
  return { sql, params, measures: ids, volumeMeasure: ids[ids.length - 1]! };
}

/** Parts of one series summed over some minutes: measure value and event count per measure id. */
export interface Parts {
  readonly values: Readonly<Record<string, number>>;
  readonly counts: Readonly<Record<string, number>>;
}

/** One row of a components query as parts (`m_<id>` values, `n_<id>` counts). */
export function partsOfRow(row: ComponentsRow, measures: readonly string[]): Parts {
  const values: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const id of measures) {
    values[id] = Number(row[`m_${id}`] ?? 0);
    counts[id] = Number(row[`n_${id}`] ?? 0);
  }
  return { values, counts };
}

/** Adds minutes' parts: sums add, quantiles average weighted by their event counts. Pure. */
export function addParts(catalog: Catalog, measures: readonly string[], parts: readonly Parts[]): Parts {
  const values: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const id of measures) {
    const quantile = catalog.measures[id]?.agg === 'quantile';
    let v = 0;
    let n = 0;
    for (const p of parts) {
      const c = p.counts[id] ?? 0;
      const x = p.values[id] ?? 0;
      n += c;
      v += quantile ? (Number.isFinite(x) ? x * c : 0) : x;
    }
    values[id] = quantile ? (n > 0 ? v / n : Number.NaN) : v;
    counts[id] = n;
  }
  return { values, counts };
}

/** A formula over measure values; x / 0 and missing quantiles are null ("no data"), as in SQL. */
export function evaluateFormula(f: Formula, values: Readonly<Record<string, number>>): number | null {
  switch (f.kind) {
    case 'number':
      return f.value;
    case 'measure': {
      const v = values[f.id];
      return v === undefined || !Number.isFinite(v) ? null : v;
    }
    case 'binary': {
      const a = evaluateFormula(f.left, values);
      const b = evaluateFormula(f.right, values);
      if (a === null || b === null) return null;
      switch (f.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? null : a / b;
      }
    }
  }
}
