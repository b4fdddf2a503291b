import { breakdownSpec, trendSpec, type ChartSpec, type TrendSeries } from '../charts/index.js';
import type { Plan, PlanRow, Unit } from '../semantic/index.js';

/** Lines past this many make a chart unreadable; the rest stay in the table. */
const MAX_SERIES = 6;
const MAX_BARS = 20;

const COMPARE_LABEL: Record<NonNullable<Plan['compare']>, string> = {
  previous_period: 'previous period',
  same_period_last_week: 'same period last week',
  same_period_last_year: 'same period last year',
};

function groupLabel(plan: Plan, row: PlanRow): string {
  return plan.by.map((d) => String(row[d] ?? '(none)')).join(' · ');
}

/**
 * The chart for an answer (pure): a trend when the plan has a grain, bars for a breakdown,
 * nothing for a single number. Titles name the metric and, for comparisons, the baseline.
 */
export function answerChart(plan: Plan, rows: readonly PlanRow[], o: { metricLabel: string; unit: Unit; timeZone: string }): ChartSpec | undefined {
  if (rows.length === 0) return undefined;
  const compareLabel = plan.compare ? COMPARE_LABEL[plan.compare] : undefined;
  const title = plan.by.length > 0 ? `${o.metricLabel} by ${plan.by.join(' and ')}` : o.metricLabel;
  if (plan.grain) {
    const groups = new Map<string, PlanRow[]>();
    for (const r of rows) {
      const key = plan.by.length > 0 ? groupLabel(plan, r) : o.metricLabel;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
    }
    const series: TrendSeries[] = [...groups.entries()]
      .slice(0, MAX_SERIES)
      .map(([name, rs]) => ({ name, points: rs.filter((r) => r.bucket).map((r) => ({ t: r.bucket!, value: r.value })) }));
    // One line with its baseline reads well; a baseline per group would double the lines.
    const only = series.length === 1 ? [...groups.values()][0] : undefined;
    const compare =
      only && compareLabel
        ? { name: compareLabel, points: only.filter((r) => r.bucket).map((r) => ({ t: r.bucket!, value: r.baseline ?? null })) }
        : undefined;
    return trendSpec({
      title: `${title} per ${plan.grain}`,
      subtitle: `${o.timeZone}${compareLabel ? ` · vs ${compareLabel}` : ''}`,
      unit: o.unit,
      series,
      ...(compare ? { compare } : {}),
      timeZone: o.timeZone,
    });
  }
  if (plan.by.length === 0) return undefined;
  return breakdownSpec({
    title,
    ...(compareLabel ? { subtitle: `ticks: ${compareLabel}`, compareLabel } : {}),
    unit: o.unit,
    bars: rows
      .filter((r) => r.value !== null)
      .slice(0, MAX_BARS)
      .map((r) => ({
      label: groupLabel(plan, r),
      value: r.value ?? 0,
      ...(compareLabel && r.baseline !== null && r.baseline !== undefined ? { compare: r.baseline } : {}),
    })),
  });
}
