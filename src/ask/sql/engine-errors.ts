import type { ResolvedFreeformOptions } from './limits.js';

/** What the engine said, without the echo of our own query ClickHouse appends. */
export interface EngineFailure {
  /** ClickHouse error name (`SYNTAX_ERROR`, `READONLY`, …) when the client parsed one. */
  type: string | undefined;
  message: string;
  retriable: boolean;
}

/** Store.query wraps the ClickHouseError (with `type` and `code`) as the OpsightError's cause. */
export function engineFailure(err: unknown): EngineFailure {
  const cause: unknown = (err as { cause?: unknown } | null)?.cause ?? err;
  const type = (cause as { type?: unknown } | null)?.type;
  const raw = cause instanceof Error ? cause.message : String(cause);
  // "…: In scope SELECT formatQuery('…') …" repeats the whole query; the user wrote it.
  const trimmed = raw.replace(/\s*:?\s*In scope [\s\S]*$/, '').trim();
  const message = trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
  return {
    type: typeof type === 'string' ? type : undefined,
    message,
    retriable: (err as { retriable?: unknown } | null)?.retriable === true,
  };
}

/** A sentence for a query stopped by one of our limits; undefined for any other failure. */
export function limitReason(type: string | undefined, o: ResolvedFreeformOptions): string | undefined {
  switch (type) {
    case 'TIMEOUT_EXCEEDED':
    case 'TOO_SLOW':
      return `That query ran longer than ${o.maxExecutionSec} s, so I stopped it. Try a coarser rollup (rollup_1h or rollup_1d), a shorter time range or fewer joins.`;
    case 'TOO_MANY_ROWS_OR_BYTES':
      return `That query returns more than ${o.maxRows.toLocaleString('en-US')} rows. Group by fewer columns or add a LIMIT.`;
    case 'TOO_MANY_ROWS':
    case 'TOO_MANY_BYTES':
      return `That query would read more than ${o.maxRowsToRead.toLocaleString('en-US')} rows. Use a coarser rollup (rollup_1h or rollup_1d) or a shorter time range.`;
    case 'MEMORY_LIMIT_EXCEEDED':
      return 'That query needs more memory than I give a single question. Aggregate on a coarser rollup or join fewer rows.';
    case 'READONLY':
      return 'That query tries to change something; I only read.';
    default:
      return undefined;
  }
}
