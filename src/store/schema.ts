
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

/** Rollup tables from finest to coarsest, with their bucket size. */
export const ROLLUPS = [
  { table: 'rollup_1m', seconds: 60, level: 'minute' },
  { table: 'rollup_1h', seconds: 3600, level: 'hour' },
  { table: 'rollup_1d', seconds: 86400, level: 'day' },
] as const;
export type RollupLevel = (typeof ROLLUPS)[number]['level'];
export type RollupTable = (typeof ROLLUPS)[number]['table'];
