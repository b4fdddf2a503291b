import type { Metrics } from '../ops/index.js';
import { sendJson, type Route } from './http-server.js';

/**
 * GET /healthz and GET /metrics. They take small interfaces rather than Store and
 * IngestPipeline so server/ does not depend on the stages it serves (STYLE.md §1).
 */

export interface Pingable {
  /** true when the store answers; must not throw (Store.ping() already swallows errors). */
  ping(): Promise<boolean>;
}

export interface IngestGauge {
  /** Events buffered in memory, waiting to be inserted. */
  readonly queued: number;
  /** Age in ms of the oldest buffered event; 0 when the queue is empty. */
  lagMs(): number;
}

export interface OpsRoutesOptions {
  store: Pingable;
  ingest: IngestGauge;
  metrics: Pick<Metrics, 'registry' | 'ingestLagSeconds' | 'ingestQueueDepth'>;
  /** A store that does not answer within this is reported unreachable. @default 2000 */
  pingTimeoutMs?: number;
}

export interface HealthBody {
  status: 'ok' | 'unavailable';
  store: 'reachable' | 'unreachable';
  ingest: { queued: number; lag_ms: number };
}

/** Pure: the /healthz answer for a ping result and the ingest gauges. */
export function healthBody(storeReachable: boolean, ingest: { queued: number; lagMs: number }): { status: 200 | 503; body: HealthBody } {
  return {
    status: storeReachable ? 200 : 503,
    body: {
      status: storeReachable ? 'ok' : 'unavailable',
      store: storeReachable ? 'reachable' : 'unreachable',
      ingest: { queued: ingest.queued, lag_ms: Math.round(ingest.lagMs) },
    },
  };
}

/** A ping that hangs (server behind a dead network path) counts as a failed one. */
async function pingWithin(store: Pingable, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([store.ping().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(options: OpsRoutesOptions): Route[] {
  const { store, ingest, metrics } = options;
  const pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  return [
    {
      method: 'GET',
      path: '/healthz',
      async handler(_req, res) {
        const reachable = await pingWithin(store, pingTimeoutMs);
        const { status, body } = healthBody(reachable, { queued: ingest.queued, lagMs: ingest.lagMs() });
        sendJson(res, status, body);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      async handler(_req, res) {
        // Gauges that are a view of live state are refreshed on scrape, so they are never stale.
        metrics.ingestLagSeconds.set(ingest.lagMs() / 1000);
        metrics.ingestQueueDepth.set(ingest.queued);
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
    },
  ];
}
