/**
 * One error type for the whole product. `message` is for logs and operators (what went
 * wrong, where, how to fix it); `userMessage` is what a person in Slack or the CLI sees.
 * `retriable` defaults to false: a retried automation is worse than a failed one.
 */
export type ErrorCode =
  | 'opsight_config_invalid'
  | 'opsight_store_unavailable'
  | 'opsight_store_query_failed'
  | 'opsight_store_locked'
  | 'opsight_ingest_invalid'
  | 'opsight_ingest_too_large'
  | 'opsight_ingest_unauthorized'
  | 'opsight_ingest_closed'
  | 'opsight_plan_invalid'
  | 'opsight_cli_usage'
  | 'opsight_slack_api_failed'
  | 'opsight_slack_rate_limited'
  | 'opsight_slack_delivery_failed'
  | 'opsight_access_denied'
  | 'opsight_chart_failed'
  | 'opsight_unknown';

export interface OpsightErrorOptions {
  retriable?: boolean;
  userMessage?: string;
  cause?: unknown;
}

export class OpsightError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly userMessage: string | undefined;

  constructor(code: ErrorCode, message: string, options: OpsightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpsightError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.userMessage = options.userMessage;
  }
}

/** Wraps anything thrown into an OpsightError, keeping the original as `cause`. */
export function asOpsightError(err: unknown): OpsightError {
  if (err instanceof OpsightError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new OpsightError('opsight_unknown', message, { cause: err });
}
