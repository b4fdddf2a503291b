import { addParts, componentsQuery, evaluateFormula, partsOfRow, type Catalog, type ComponentsRow, type Parts } from '../semantic/index.js';
import type { Store } from '../store/index.js';
import { isAdditive } from './engine/series.js';

/**
 * Which segments explain an alert: for each dimension of the metric not already fixed by the
 * alert, the segments' share of the deviation between the anomaly window and the same length
 * of time just before it. Additive metrics split their change exactly; for ratios and
 * quantiles a segment's part is its change weighted by its volume now (a segment moving a lot
 * on a trickle of events explains little).
 */
export interface Segment {
  readonly dimension: string;
  readonly value: string;
  /** Part of the total deviation in the alert's direction, 0..1. */
  readonly share: number;
  /** Change of the segment's value, in metric units. */
  readonly delta: number;
}

export interface DrilldownInput {
  metric: string;
  /** The alert's fixed labels and the rule's filters. */
  filters: Readonly<Record<string, readonly string[]>>;
  fromMs: number;
  toMs: number;
  /** +1 when the alert is about a rise, -1 about a drop. */
  sign: 1 | -1;
  /** At most this many dimensions are tried (one query each). @default 4 */
  maxDimensions?: number;
}

const MIN_SHARE = 0.2;

export async function drilldown(store: Store, catalog: Catalog, input: DrilldownInput): Promise<Segment[]> {
  const metric = catalog.metrics[input.metric];
  if (!metric) return [];
  const length = Math.max(60_000, input.toMs - input.fromMs);
  const baseFrom = input.fromMs - length;
  const dims = metric.dimensions.filter((d) => (input.filters[d]?.length ?? 0) !== 1).slice(0, input.maxDimensions ?? 4);
  const found: Segment[] = [];
  for (const dim of dims) {
    const q = componentsQuery(catalog, input.metric, [dim], input.filters, baseFrom, input.toMs);
    const rows = await store.query<ComponentsRow>(q.sql, q.params, { max_execution_time: 10 });
    const bySeg = new Map<string, { now: Parts[]; base: Parts[] }>();
    for (const row of rows) {
      const seg = String(row[dim] ?? '');
      if (seg === '') continue;
      let e = bySeg.get(seg);
      if (!e) bySeg.set(seg, (e = { now: [], base: [] }));
      (Number(row.ts) * 1000 >= input.fromMs ? e.now : e.base).push(partsOfRow(row, q.measures));
    }
    const parts = [...bySeg.entries()].map(([seg, e]) => {
      const now = addParts(catalog, q.measures, e.now);
      const base = addParts(catalog, q.measures, e.base);
      const vNow = evaluateFormula(metric.formula, now.values) ?? 0;
      const vBase = evaluateFormula(metric.formula, base.values) ?? 0;
      const delta = vNow - vBase;
      const weight = isAdditive(metric) ? 1 : (now.counts[q.volumeMeasure] ?? 0);
      return { seg, delta, part: delta * weight };
    });
    const total = parts.reduce((s, p) => s + Math.max(0, p.part * input.sign), 0);
    if (total <= 0 || parts.length < 2) continue;
    for (const p of parts) {
      const share = Math.max(0, p.part * input.sign) / total;
      if (share >= MIN_SHARE) found.push({ dimension: dim, value: p.seg, share, delta: p.delta });
    }
  }
  // A segment that carries the whole deviation of its dimension says the most; ties: bigger change.
  return found.sort((a, b) => b.share - a.share || Math.abs(b.delta) - Math.abs(a.delta)).slice(0, 5);
}
