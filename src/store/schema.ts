
/**
 * The shape of the rollups: which dims become columns, which measures are summed, which get
 * latency-style quantiles. The metric catalog (rules/metrics.yaml) may only refer to these;
 * the catalog loader checks it. Changing this list needs a new migration.
 */
export const ROLLUP_DIMS = [
  'channel',
  'campaign',
  'region',
  'country',
  'device',
  'product_category',
  'payment_gateway',
  'carrier',
  'service',
  'status_class',
  'plan',
] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

export const ROLLUP_SUM_FIELDS = [
  'revenue',
  'items',
  'amount',
  'spend',
  'impressions',
  'clicks',
  'attributed_revenue',
  'score',
  'success',
  'latency_ms',
] as const;
export type RollupSumField = (typeof ROLLUP_SUM_FIELDS)[number];

export const ROLLUP_QUANTILE_FIELDS = ['latency_ms'] as const;
export type RollupQuantileField = (typeof ROLLUP_QUANTILE_FIELDS)[number];

/** Levels kept in each t-digest state; a catalog quantile must be one of them. */
export const ROLLUP_QUANTILE_LEVELS = [0.5, 0.9, 0.95, 0.99] as const;

/** Event types the catalog rolls up (BRIEF.md). Other types are stored raw but not rolled up. */
export const ROLLED_UP_TYPES = [
  'session_started',
  'cart_created',
  'checkout_started',
  'checkout_error',
  'payment_failed',
  'order_placed',
  'ad_stats',
  'signup',
  'lead',
  'delivery_attempted',
  'http_request',
] as const;
export type RolledUpType = (typeof ROLLED_UP_TYPES)[number];

/**
 * Event types whose distinct users are counted (uniq states). They live in their own rollup
 * family: an AggregateFunction(uniq) column costs ~2× the whole rollup write even when
 * empty (measured: 10.1 s vs 5.1 s to roll up 2M events), so only these types pay for it.
 */
export const ROLLUP_UNIQ_TYPES = ['order_placed'] as const;

/** Rollup levels from finest to coarsest, with their bucket size and table suffix. */
export const ROLLUPS = [
  { suffix: '1m', seconds: 60, level: 'minute' },
  { suffix: '1h', seconds: 3600, level: 'hour' },
  { suffix: '1d', seconds: 86400, level: 'day' },
] as const;
export type RollupLevel = (typeof ROLLUPS)[number]['level'];

/** Table families: `rollup_*` (counts, sums, quantiles) and `users_*` (uniq states). */
export const ROLLUP_FAMILIES = ['rollup', 'users'] as const;
export type RollupFamily = (typeof ROLLUP_FAMILIES)[number];
export type RollupTable = `${RollupFamily}_${(typeof ROLLUPS)[number]['suffix']}`;

export function rollupTable(family: RollupFamily, level: RollupLevel): RollupTable {
  const suffix = ROLLUPS.find((r) => r.level === level)!.suffix;
  return `${family}_${suffix}`;
}
