import { runPlan, type Catalog, type Plan } from '../semantic/index.js';
import type { Store } from '../store/index.js';
import { formatValue } from './answer.js';

/** Dimensions tried, in order, when explaining a change; the first one found with a clear driver wins. */
const CANDIDATES = ['region', 'channel', 'service', 'carrier', 'payment_gateway'];
/** A segment "drove" a change when it accounts for at least this share of it. */
const MIN_SHARE = 0.5;

/**
 * For a compared single number of an additive metric ("revenue yesterday vs the day before"),
 * the segment that accounts for most of the change: "EU drove most of the drop ($-8.2k of
 * $-11.9k)." Ratios are not additive across segments, so they get no driver.
 */
export async function explainChange(store: Store, catalog: Catalog, plan: Plan): Promise<string | undefined> {
  const metric = catalog.metrics[plan.metric];
  if (!metric || plan.by.length > 0 || plan.grain !== null || plan.compare === null) return undefined;
  if (metric.unit !== 'usd' && metric.unit !== 'count') return undefined;
  const dims = CANDIDATES.filter((d) => (metric.dimensions as string[]).includes(d) && (plan.filters[d]?.length ?? 0) !== 1).slice(0, 2);
  for (const dim of dims) {
    const { rows } = await runPlan(store, catalog, { ...plan, by: [dim], top: null });
    const deltas = rows.map((r) => ({ value: String(r[dim] ?? ''), delta: (r.value ?? 0) - (r.baseline ?? 0) }));
    const total = deltas.reduce((s, d) => s + d.delta, 0);
    if (total === 0 || deltas.length < 2) continue;
    const best = deltas.reduce((a, b) => (b.delta * Math.sign(total) > a.delta * Math.sign(total) ? b : a));
    const share = best.delta / total;
    if (share >= MIN_SHARE && best.value !== '') {
      const what = total < 0 ? 'drop' : 'rise';
      return `${best.value} drove most of the ${what} (${formatValue(best.delta, metric.unit)} of ${formatValue(total, metric.unit)}).`;
    }
  }
  return undefined;
}
