import type { Catalog, Plan, PlanRow, Unit } from '../semantic/index.js';

/**
 * Plan + rows → one plain sentence: the number with its unit, the change against the
 * baseline, the leading rows of a breakdown. Pure. Honest when there is no data.
 */

export interface AnswerContext {
  /** Words for the asked range ("yesterday"); defaults to the plan's instants. */
  period?: string;
  /** Words for the baseline ("the day before"). */
  comparePeriod?: string;
}

/** usd → $182.4k, ratio → 3.1%, multiple → 3.2×, ms → 245 ms, count → 12,345. */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no data';
  switch (unit) {
    case 'usd': {
      const abs = Math.abs(value);
      const sign = value < 0 ? '-' : '';
      if (abs >= 1e9) return `${sign}$${(abs / 1e9).toFixed(1)}B`;
      if (abs >= 1e6) return `${sign}$${(abs / 1e6).toFixed(1)}M`;
      if (abs >= 1e3) return `${sign}$${(abs / 1e3).toFixed(1)}k`;
      return `${sign}$${abs.toFixed(2)}`;
    }
    case 'ratio':
      return `${(value * 100).toFixed(Math.abs(value) < 0.001 && value !== 0 ? 2 : 1)}%`;
    case 'multiple':
      return `${value.toFixed(1)}×`;
    case 'ms':
      return `${Math.round(value).toLocaleString('en-US')} ms`;
    case 'count':
      return Math.round(value).toLocaleString('en-US');
  }
}

/** Change against the baseline: relative for amounts, percentage points for ratios (a 2% → 3% move is "+1.0 pp", not "+50%"). */
function formatChange(row: PlanRow, unit: Unit): string | undefined {
  if (row.baseline === undefined) return undefined;
  if (row.baseline === null || row.value === null) return 'no baseline data to compare with';
  if (unit === 'ratio') {
    const pp = (row.value - row.baseline) * 100;
    if (Math.abs(pp) < 0.05) return `flat vs ${formatValue(row.baseline, unit)}`;
    return `${pp > 0 ? 'up' : 'down'} ${Math.abs(pp).toFixed(1)} pp from ${formatValue(row.baseline, unit)}`;
  }
  if (row.change === null || row.change === undefined) return `vs ${formatValue(row.baseline, unit)}`;
  const pct = row.change * 100;
  if (Math.abs(pct) < 0.05) return `flat vs ${formatValue(row.baseline, unit)}`;
  return `${pct > 0 ? 'up' : 'down'} ${Math.abs(pct).toFixed(1)}% from ${formatValue(row.baseline, unit)}`;
}

const MAX_NAMED_ROWS = 3;

export function answerText(plan: Plan, rows: readonly PlanRow[], catalog: Catalog, ctx: AnswerContext = {}): string {
  const metric = catalog.metrics[plan.metric];
  const label = metric?.label ?? plan.metric;
  const unit: Unit = metric?.unit ?? 'count';
  const period = ctx.period ?? `from ${plan.from} to ${plan.to}`;
  const vs = plan.compare ? ` vs ${ctx.comparePeriod ?? 'the comparison period'}` : '';
  const filterText = Object.entries(plan.filters)
    .map(([d, values]) => `${catalog.dimensions[d]?.label ?? d} ${values.join(' and ')}`)
    .join(', ');
  const scope = filterText ? ` for ${filterText}` : '';
  const withData = rows.filter((r) => r.value !== null && r.value !== undefined);
  if (withData.length === 0) {
    return `There is no ${label.toLowerCase()} data${scope} ${period}: nothing was recorded in that window, so I can't give a number.`;
  }
  const keyOf = (r: PlanRow) => plan.by.map((d) => String(r[d] ?? '–')).join(' / ');

  if (plan.grain) {
    const series = withData;
    const peak = series.reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a));
    const lastRow = series[series.length - 1]!;
    const by = plan.by.length ? ` by ${plan.by.map((d) => catalog.dimensions[d]?.label ?? d).join(' and ')}` : '';
    const when = (r: PlanRow) => `${r.bucket ?? ''}${plan.by.length ? ` (${keyOf(r)})` : ''}`;
    return `${label}${scope}${by} ${period}, per ${plan.grain}: ${series.length} points; highest ${formatValue(peak.value, unit)} at ${when(peak)}, latest ${formatValue(lastRow.value, unit)} at ${when(lastRow)}${vs ? ` (baseline: ${ctx.comparePeriod ?? 'comparison period'})` : ''}.`;
  }

  if (plan.by.length === 0) {
    const row = withData[0]!;
    const change = formatChange(row, unit);
    // "…, down 6.1% from $194.2k (the same period last week)": the change already says "from"/"vs".
    const against = plan.compare ? ` (${ctx.comparePeriod ?? 'the comparison period'})` : '';
    return `${label}${scope} ${period} was ${formatValue(row.value, unit)}${change ? `, ${change}${against}` : ''}.`;
  }

  const dims = plan.by.map((d) => catalog.dimensions[d]?.label ?? d).join(' and ');
  const named = withData.slice(0, MAX_NAMED_ROWS).map((r) => {
    const change = formatChange(r, unit);
    return `${keyOf(r)} ${formatValue(r.value, unit)}${change ? ` (${change})` : ''}`;
  });
  if (plan.top) {
    const which = plan.top.order === 'desc' ? 'highest' : 'lowest';
    if (plan.top.n === 1) return `${cap(which)} ${label.toLowerCase()}${scope} by ${dims} ${period}: ${named[0]}${vs}.`;
    return `${plan.top.n > withData.length ? `All ${withData.length}` : `The ${plan.top.n}`} ${which} by ${label.toLowerCase()}${scope} per ${dims} ${period}: ${withData
      .map((r) => `${keyOf(r)} ${formatValue(r.value, unit)}`)
      .join(', ')}${vs}.`;
  }
  const more = withData.length > MAX_NAMED_ROWS ? ` (top ${MAX_NAMED_ROWS} of ${withData.length})` : '';
  return `${label}${scope} by ${dims} ${period}: ${named.join(', ')}${more}${vs}.`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
