import { OpsightError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { checkSqlWithEngine } from './check.js';
import { engineFailure, limitReason } from './engine-errors.js';
import { freeformSettings, resolveFreeformOptions, type FreeformSqlOptions } from './limits.js';

export interface FreeformSqlResult {
  /** The SQL that ran: ClickHouse's formatting of the query (what "Show SQL" should show). */
  sql: string;
  /** Allowlisted tables it read, unqualified, sorted. */
  tables: string[];
  rows: Record<string, unknown>[];
}

/**
 * Runs one free-form SELECT (an LLM's answer to a question the catalog cannot express),
 * checked first (checkSqlWithEngine) and then run under freeformSettings: readonly=1, a time
 * budget, and row limits that fail the query rather than cut it.
 *
 * Throws OpsightError 'opsight_plan_invalid' (not retriable) when the query is refused or
 * stopped by a limit, with `userMessage` the sentence to show; the `message` carries the
 * engine's words for the logs (and for an LLM to repair its query). Transient store failures
 * pass through unchanged, retriable as the store marked them.
 */
export async function runFreeformSql(store: Store, sql: string, options: FreeformSqlOptions = {}): Promise<FreeformSqlResult> {
  const o = resolveFreeformOptions(options);
  const check = await checkSqlWithEngine(store, sql, o.allow, o);
  if (!check.ok) {
    throw new OpsightError('opsight_plan_invalid', `free-form SQL refused: ${check.reason}`, { userMessage: check.reason });
  }
  try {
    const rows = await store.query<Record<string, unknown>>(check.sql, {}, freeformSettings(o));
    return { sql: check.sql, tables: check.tables, rows };
  } catch (err) {
    const e = engineFailure(err);
    const limit = limitReason(e.type, o);
    if (limit !== undefined) {
      throw new OpsightError('opsight_plan_invalid', `free-form SQL stopped: ${e.message}`, { userMessage: limit, cause: err });
    }
    if (e.retriable) throw err;
    throw new OpsightError('opsight_plan_invalid', `free-form SQL failed: ${e.message}`, {
      userMessage: `ClickHouse couldn't run that query: ${e.message}`,
      cause: err,
    });
  }
}
