import { OpsightError, asOpsightError } from '../errors.js';

export interface RetryOptions {
  /** First delay in ms. @default 300 */
  initialDelayMs?: number;
  /** Multiplier per attempt. @default 2 */
  factor?: number;
  /** ±fraction of random jitter. @default 0.2 */
  jitter?: number;
  /** Upper bound of one delay in ms. @default 30000 */
  maxDelayMs?: number;
  /** Retries after the first attempt. @default 5 */
  retries?: number;
  onRetry?: (err: OpsightError, attempt: number, delayMs: number) => void;
}

/**
 * The one backoff loop. Retries only errors marked retriable; anything else, and
 * exhaustion, is rethrown as an OpsightError with the last failure as `cause`.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const initial = options.initialDelayMs ?? 300;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const cap = options.maxDelayMs ?? 30_000;
  const retries = options.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (raw) {
      const err = asOpsightError(raw);
      if (!err.retriable || attempt >= retries) {
        if (attempt === 0) throw err;
        throw new OpsightError(err.code, `${err.message} (gave up after ${attempt + 1} attempts)`, {
          retriable: err.retriable,
          userMessage: err.userMessage,
          cause: err,
        });
      }
      const base = Math.min(cap, initial * factor ** attempt);
      const delayMs = Math.round(base * (1 + (Math.random() * 2 - 1) * jitter));
      options.onRetry?.(err, attempt + 1, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
