import { ROLLUP_SQL_TABLES } from './allowlist.js';

export interface FreeformSqlOptions {
  /** Most rows a query may return; more fails the query (result_overflow_mode 'throw'). @default 1000 */
  maxRows?: number;
  /** Wall-clock budget per query, seconds (ClickHouse max_execution_time). @default 10 */
  maxExecutionSec?: number;
  /** Most rows a query may read from storage (max_rows_to_read). @default 100_000_000 */
  maxRowsToRead?: number;
  /** Memory a query may use, bytes (max_memory_usage). @default 2_000_000_000 */
  maxMemoryBytes?: number;
  /** Tables the query may read, unqualified. @default ROLLUP_SQL_TABLES (the six rollups) */
  allow?: ReadonlySet<string>;
}

export type ResolvedFreeformOptions = Required<FreeformSqlOptions>;

export function resolveFreeformOptions(options: FreeformSqlOptions = {}): ResolvedFreeformOptions {
  return {
    maxRows: options.maxRows ?? 1000,
    maxExecutionSec: options.maxExecutionSec ?? 10,
    maxRowsToRead: options.maxRowsToRead ?? 100_000_000,
    maxMemoryBytes: options.maxMemoryBytes ?? 2_000_000_000,
    allow: options.allow ?? ROLLUP_SQL_TABLES,
  };
}

/**
 * Settings a free-form query runs with (Store.query puts them in the statement's own SETTINGS
 * clause, so they bind this one statement and nothing after it).
 *
 * readonly=1, not 2: both refuse every write, but only 1 also refuses changing settings inside
 * the query (a nested `SETTINGS max_execution_time = 0` cannot lift our limits) and table
 * functions such as file() and url() (measured on chDB 26.7: under readonly=2
 * `SELECT * FROM file('/etc/passwd')` reads the file). Our own settings still apply, since
 * ClickHouse checks a SETTINGS clause against the settings in force before it.
 *
 * result_overflow_mode 'throw', not 'break': a cut-off result would be answered as if it were
 * complete, a confident wrong number; an error tells the caller to aggregate or LIMIT.
 */
export function freeformSettings(options: FreeformSqlOptions = {}): Record<string, string | number> {
  const o = resolveFreeformOptions(options);
  return {
    readonly: 1,
    max_execution_time: o.maxExecutionSec,
    timeout_overflow_mode: 'throw',
    max_result_rows: o.maxRows,
    result_overflow_mode: 'throw',
    max_rows_to_read: o.maxRowsToRead,
    read_overflow_mode: 'throw',
    max_memory_usage: o.maxMemoryBytes,
  };
}

/**
 * Settings for the checker's EXPLAIN steps. readonly=2 because ClickHouse runs
 * `SELECT … FROM (EXPLAIN …)` through the viewExplain table function, which readonly=1
 * refuses; writes stay refused, and the analyzer step only runs once the AST check has
 * allowed every table and function (the analyzer evaluates constant subqueries).
 */
export function explainSettings(options: FreeformSqlOptions = {}): Record<string, string | number> {
  // ClickHouse counts each line of EXPLAIN output as a row read and returned, so the query's
  // own row limits would refuse the explanation of a long query; raise both to cover it.
  const o = resolveFreeformOptions(options);
  return {
    ...freeformSettings(o),
    readonly: 2,
    max_result_rows: EXPLAIN_MAX_LINES,
    max_rows_to_read: Math.max(o.maxRowsToRead, EXPLAIN_MAX_LINES),
  };
}

/** An EXPLAIN of a MAX_SQL_CHARS query stays far below this many lines. */
const EXPLAIN_MAX_LINES = 200_000;
