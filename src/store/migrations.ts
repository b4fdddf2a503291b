import {
  ROLLED_UP_TYPES,
  ROLLUP_DIMS,
  ROLLUP_UNIQ_TYPES,
  ROLLUP_QUANTILE_FIELDS,
  ROLLUP_QUANTILE_LEVELS,
  ROLLUP_SUM_FIELDS,
} from './schema.js';

/**
 * Versioned, append-only migrations. Each runs once (recorded in schema_migrations) and is
 * written with IF NOT EXISTS so a crash between a statement and its record is harmless.
 * Never edit a shipped migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const levels = ROLLUP_QUANTILE_LEVELS.join(', ');
const dimColumns = ROLLUP_DIMS.map((d) => `  ${d} LowCardinality(String)`).join(',\n');
const rollupColumns = [
  '  t DateTime(\'UTC\')',
  '  type LowCardinality(String)',
  dimColumns,
  '  cnt SimpleAggregateFunction(sum, UInt64)',
  ...ROLLUP_SUM_FIELDS.map((f) => `  sum_${f} SimpleAggregateFunction(sum, Float64)`),
  ...ROLLUP_QUANTILE_FIELDS.map((f) => `  q_${f} AggregateFunction(quantilesTDigest(${levels}), Float64)`),
].join(',\n');
const usersColumns = ['  t DateTime(\'UTC\')', '  type LowCardinality(String)', dimColumns, '  users AggregateFunction(uniq, String)'].join(',\n');
const rollupKey = `(type, t, ${ROLLUP_DIMS.join(', ')})`;
const typeList = ROLLED_UP_TYPES.map((t) => `'${t}'`).join(', ');

function rollupTable(name: string, partition: string, columns = rollupColumns): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (\n${columns}\n) ENGINE = AggregatingMergeTree\nPARTITION BY ${partition}\nORDER BY ${rollupKey}`;
}

/** Minute rollup straight from raw events; only catalog types, so unknown types stay raw-only. */
const minuteView = `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_rollup_1m TO rollup_1m AS
SELECT
  toStartOfMinute(ts) AS t,
  type,
${ROLLUP_DIMS.map((d) => `  dims['${d}'] AS ${d}`).join(',\n')},
  count() AS cnt,
${ROLLUP_SUM_FIELDS.map((f) => `  sum(measures['${f}']) AS sum_${f}`).join(',\n')},
${ROLLUP_QUANTILE_FIELDS.map((f) => `  quantilesTDigestIfState(${levels})(measures['${f}'], mapContains(measures, '${f}')) AS q_${f}`).join(',\n')}
FROM events
WHERE type IN (${typeList})
GROUP BY t, type, ${ROLLUP_DIMS.join(', ')}`;

const usersMinuteView = `CREATE MATERIALIZED VIEW IF NOT EXISTS mv_users_1m TO users_1m AS
SELECT
  toStartOfMinute(ts) AS t,
  type,
${ROLLUP_DIMS.map((d) => `  dims['${d}'] AS ${d}`).join(',\n')},
  uniqState(user_id) AS users
FROM events
WHERE type IN (${ROLLUP_UNIQ_TYPES.map((t) => `'${t}'`).join(', ')}) AND user_id != ''
GROUP BY t, type, ${ROLLUP_DIMS.join(', ')}`;

/** Coarser rollups cascade from the finer one: they aggregate partial states, not raw rows. */
function cascadeView(name: string, target: string, from: string, bucket: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} TO ${target} AS
SELECT
  ${bucket}(t) AS t,
  type,
${ROLLUP_DIMS.map((d) => `  ${d}`).join(',\n')},
  sum(cnt) AS cnt,
${ROLLUP_SUM_FIELDS.map((f) => `  sum(sum_${f}) AS sum_${f}`).join(',\n')},
${ROLLUP_QUANTILE_FIELDS.map((f) => `  quantilesTDigestMergeState(${levels})(q_${f}) AS q_${f}`).join(',\n')}
FROM ${from}
GROUP BY t, type, ${ROLLUP_DIMS.join(', ')}`;
}

function usersCascadeView(name: string, target: string, from: string, bucket: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} TO ${target} AS
SELECT ${bucket}(t) AS t, type, ${ROLLUP_DIMS.join(', ')}, uniqMergeState(users) AS users
FROM ${from}
GROUP BY t, type, ${ROLLUP_DIMS.join(', ')}`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, dead letters, rollups',
    statements: [
      `CREATE TABLE IF NOT EXISTS events (
  id String,
  ts DateTime64(3, 'UTC'),
  type LowCardinality(String),
  source LowCardinality(String),
  user_id String,
  -- String map keys, not LowCardinality: measured ~1.5× faster to insert through chDB.
  dims Map(String, String),
  measures Map(String, Float64),
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (toStartOfHour(ts), type, ts)`,
      `CREATE TABLE IF NOT EXISTS dead_letters (
  received_at DateTime64(3, 'UTC'),
  source LowCardinality(String),
  reason LowCardinality(String),
  error String,
  event_id String,
  payload String,
  payload_encoding LowCardinality(String)
) ENGINE = MergeTree
ORDER BY received_at
TTL toDateTime(received_at) + INTERVAL 30 DAY`,
      rollupTable('rollup_1m', 'toYYYYMMDD(t)'),
      rollupTable('rollup_1h', 'toYYYYMM(t)'),
      rollupTable('rollup_1d', 'toYear(t)'),
      minuteView,
      cascadeView('mv_rollup_1h', 'rollup_1h', 'rollup_1m', 'toStartOfHour'),
      cascadeView('mv_rollup_1d', 'rollup_1d', 'rollup_1h', 'toStartOfDay'),
      rollupTable('users_1m', 'toYYYYMMDD(t)', usersColumns),
      rollupTable('users_1h', 'toYYYYMM(t)', usersColumns),
      rollupTable('users_1d', 'toYear(t)', usersColumns),
      usersMinuteView,
      usersCascadeView('mv_users_1h', 'users_1h', 'users_1m', 'toStartOfHour'),
      usersCascadeView('mv_users_1d', 'users_1d', 'users_1h', 'toStartOfDay'),
    ],
  },
  {
    version: 2,
    name: 'question audit',
    statements: [
      // Every question asked (CLI, API, Slack): who, where, the words, the plan and SQL, the
      // outcome and how long it took. Kept a year: it is the record of what the data told whom.
      `CREATE TABLE IF NOT EXISTS audit_questions (
  at DateTime64(3, 'UTC'),
  surface LowCardinality(String),
  user_id String,
  channel String,
  question String,
  status LowCardinality(String),
  metric LowCardinality(String),
  plan String,
  sql String,
  rows UInt32,
  latency_ms UInt32,
  error String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY at
TTL toDateTime(at) + INTERVAL 365 DAY`,
    ],
  },
  {
    version: 3,
    name: 'alert state and action requests',
    statements: [
      // The alert lifecycle (one JSON book) and each series' detector state, written as new
      // versions and read back newest-first, so a restart resumes where it stopped: the same
      // Slack messages, no duplicate alerts, detectors caught up from their last minute.
      `CREATE TABLE IF NOT EXISTS alert_state (
  kind LowCardinality(String),
  key String,
  version UInt64,
  body String
) ENGINE = ReplacingMergeTree(version)
ORDER BY (kind, key)`,
      // A person asking for a suggested action from an alert card: who, what, and the answer.
      `CREATE TABLE IF NOT EXISTS alert_action_requests (
  at DateTime64(3, 'UTC'),
  alert_id String,
  rule_id LowCardinality(String),
  tool LowCardinality(String),
  params String,
  requested_by String,
  channel String,
  status LowCardinality(String),
  message String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY at
TTL toDateTime(at) + INTERVAL 365 DAY`,
    ],
  },
];
