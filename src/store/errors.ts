import { OpsightError } from '../errors.js';

/**
 * ClickHouse failures → OpsightError with retriable set per error kind. Network trouble and
 * server overload are worth retrying; bad SQL or a missing table are not.
 */
const RETRIABLE_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '252', // TOO_MANY_PARTS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '425', // SYSTEM_ERROR
]);
const RETRIABLE_NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up|EPIPE/i;

export function storeError(err: unknown, what: string): OpsightError {
  if (err instanceof OpsightError) return err;
  const full = err instanceof Error ? err.message : String(err);
  // ClickHouse echoes parameter values in some errors; a 50k-id batch must not flood the logs.
  const message = full.length > 600 ? `${full.slice(0, 600)}… (${full.length} chars)` : full;
  const code = (err as { code?: unknown }).code;
  if (/Cannot lock file|status.*lock/i.test(message)) {
    return new OpsightError(
      'opsight_store_locked',
      `${what}: the data directory is in use by another opsight process (${message}). Stop it, use its HTTP API, or set OPSIGHT_DATA_DIR to another directory.`,
      { cause: err },
    );
  }
  const retriable = (typeof code === 'string' && RETRIABLE_CODES.has(code)) || RETRIABLE_NETWORK.test(message);
  return new OpsightError(
    retriable ? 'opsight_store_unavailable' : 'opsight_store_query_failed',
    `${what}: ${message}`,
    { retriable, cause: err, userMessage: "I can't reach the data right now." },
  );
}
