import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every opsight_* metric is declared here so the names stay in one place (BRIEF.md's
 * /metrics contract). One registry per process; tests create their own.
 */
export function createMetrics(options: { defaults?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry, prefix: 'opsight_process_' });
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'opsight_events_accepted_total',
      help: 'Events validated and written to the store',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'opsight_events_rejected_total',
      help: 'Events refused and written to dead letters, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    eventsDuplicate: new Counter({
      name: 'opsight_events_duplicate_total',
      help: 'Events skipped because their id was already stored (re-delivery)',
      registers: [registry],
    }),
    ingestQueueDepth: new Gauge({
      name: 'opsight_ingest_queue_depth',
      help: 'Events buffered in memory, waiting to be inserted',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'opsight_ingest_batch_size',
      help: 'Events per insert batch',
      buckets: [1, 10, 100, 1_000, 5_000, 10_000, 50_000, 100_000],
      registers: [registry],
    }),
    insertSeconds: new Histogram({
      name: 'opsight_ingest_insert_seconds',
      help: 'Time to insert one batch (raw events and rollups)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ingestLagSeconds: new Gauge({
      name: 'opsight_ingest_lag_seconds',
      help: 'Age of the oldest buffered event, in seconds (0 when the queue is empty)',
      registers: [registry],
    }),
    alertsFired: new Counter({
      name: 'opsight_alerts_fired_total',
      help: 'Alerts that entered the firing state',
      registers: [registry],
    }),
    actionsExecuted: new Counter({
      name: 'opsight_actions_executed_total',
      help: 'Automations executed, by tool and outcome',
      labelNames: ['tool', 'outcome'] as const,
      registers: [registry],
    }),
    queriesTotal: new Counter({
      name: 'opsight_queries_total',
      help: 'Plans compiled and run against the store',
      labelNames: ['rollup'] as const,
      registers: [registry],
    }),
    slackMessagesSent: new Counter({
      name: 'opsight_slack_messages_sent_total',
      help: 'Slack Web API writes that succeeded (posts, updates, uploads), by method',
      labelNames: ['method'] as const,
      registers: [registry],
    }),
    slackMessagesFailed: new Counter({
      name: 'opsight_slack_messages_failed_total',
      help: 'Slack Web API writes given up after retries, by method and Slack error',
      labelNames: ['method', 'error'] as const,
      registers: [registry],
    }),
    slackRetries: new Counter({
      name: 'opsight_slack_retries_total',
      help: 'Slack Web API writes retried, by reason (ratelimited, network, server error)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    slackQueueDepth: new Gauge({
      name: 'opsight_slack_queue_depth',
      help: 'Outbound Slack messages waiting in the per-channel queues',
      registers: [registry],
    }),
    slackEventsReceived: new Counter({
      name: 'opsight_slack_events_received_total',
      help: 'Slack events, commands and interactions handled, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
