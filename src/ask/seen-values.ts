import { ROLLUP_DIMS, type Store } from '../store/index.js';
import type { SeenValues } from './planner.js';

/**
 * Dimension values present in the rollups of the last `days` (real data has channels and
 * campaigns the catalog never listed), at most `perDimension` per dimension, most frequent first.
 */
export async function loadSeenValues(store: Store, options: { days?: number; perDimension?: number } = {}): Promise<SeenValues> {
  const days = options.days ?? 90;
  const per = options.perDimension ?? 500;
  const pairs = ROLLUP_DIMS.map((d) => `('${d}', ${d})`).join(', ');
  const rows = await store.query<{ d: string; v: string }>(
    `SELECT p.1 AS d, p.2 AS v
FROM (SELECT arrayJoin([${pairs}]) AS p, cnt FROM rollup_1d WHERE t >= now() - INTERVAL {days:UInt32} DAY)
WHERE v != ''
GROUP BY d, v
ORDER BY d, sum(cnt) DESC, v
LIMIT {per:UInt32} BY d`,
    { days, per },
  );
  const seen: Record<string, string[]> = {};
  for (const r of rows) (seen[r.d] ??= []).push(r.v);
  return seen;
}
