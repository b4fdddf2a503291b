import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { createRoleResolver, loadAccessPolicy, type AccessPolicy, type RoleResolver } from './access/index.js';
import { createQuestionPlanner, type RefreshablePlanner } from './ask/index.js';
import type { Config } from './config/index.js';
import { createSandbox, type Sandbox } from './sandbox/index.js';
import { loadAlertConfig } from './alert-config.js';
import { createAlerting, recordingGateway } from './alerting.js';
import { createAlertEngine, type AlertEngine } from './detect/index.js';
import { backfillDemo } from './demo-backfill.js';
import { createSlackServices } from './services.js';
import {
  createOutbox,
  createSlackSurface,
  slackDirectory,
  type SlackConnection,
  type SlackOutbox,
  type SlackServices,
  type SlackSurface,
} from './slack/index.js';
import { apiRoutes } from './api/index.js';
import { DemoSource, IngestPipeline, eventsRoute, type Source } from './ingest/index.js';
import { createMetrics, type Logger, type Metrics } from './ops/index.js';
import { loadCatalog, type Catalog } from './semantic/index.js';
import { createHttpServer, opsRoutes, type HttpServer } from './server/index.js';
import { Store, connect, createPseudonymiser, resolvePseudonymKey } from './store/index.js';

/**
 * Composition root: builds every part from Config, starts them in data-flow order and
 * stops them in reverse, so a shutdown flushes every buffered event before the store closes.
 */
export interface Opsight {
  readonly port: number;
  readonly store: Store;
  readonly catalog: Catalog;
  readonly pipeline: IngestPipeline;
  readonly metrics: Metrics;
  readonly slack: SlackSurface;
  /** The local Slack sandbox, when no Slack token is configured (`npm start`, tests). */
  readonly sandbox: Sandbox | undefined;
  /** Alert evaluation over the rollups (rules/alerts/). */
  readonly alerts: AlertEngine;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Outbound pacing per Slack channel. @default 1000 (Slack's ~1 message/s) */
  slackPaceMs?: number;
  /** Delay before a "working on it" placeholder. @default 1000 */
  workingDelayMs?: number;
  /** Alert evaluation period. @default 2000 */
  alertIntervalMs?: number;
  /** History alert series warm up on. @default 2 days */
  alertHistoryMs?: number;
  /** Clock for alert evaluation (tests and benchmarks). @default Date.now */
  now?: () => number;
}

/** Opens the store and applies migrations: shared by `start` and the CLI's in-process mode. */
export async function openStore(config: Config, log: Logger): Promise<Store> {
  const store = new Store(connect(config.store), log);
  try {
    await store.migrate({ rawTtlDays: config.rawTtlDays });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

export function createPipeline(config: Config, store: Store, metrics: Metrics, log: Logger): IngestPipeline {
  const pseudonymise = createPseudonymiser(resolvePseudonymKey(config.pseudonymKey, config.dataDir));
  // Embedded chDB is opened by one process only, so this pipeline is the store's only writer.
  return new IngestPipeline(store, pseudonymise, metrics, log, { exclusiveStore: config.store.kind === 'embedded' });
}

/** How often the planner re-reads the dimension values present in the data. */
const VALUES_REFRESH_MS = 5 * 60_000;

export async function startOpsight(config: Config, log: Logger, options: StartOptions = {}): Promise<Opsight> {
  // Config files first: a bad rules/ file must stop start-up before anything opens.
  const catalog = loadCatalog(config.rulesDir);
  const policy = loadAccessPolicy(config.rulesDir, new Set(Object.keys(catalog.metrics)));
  if (policy.source.kind === 'default') {
    log.warn({ module: 'main', file: policy.source.missingFile }, 'no access policy: everyone may ask, nobody may approve, silence or acknowledge, no metric is restricted');
  }
  const alertConfig = loadAlertConfig(config.rulesDir, config.toolsDir, catalog);
  const startedAtMs = Date.now();
  // Built before the store opens so a broken prompts/ file refuses start-up; the LLM's SQL
  // check reaches the store lazily.
  let opened: Store | undefined;
  const planner: RefreshablePlanner = createQuestionPlanner(config, catalog, async () => {
    if (!opened) throw new Error('the store is not open yet');
    return opened;
  }, log);
  const metrics = createMetrics({ defaults: true });
  const store = await openStore(config, log);
  opened = store;
  const pipeline = createPipeline(config, store, metrics, log);
  const alerts = createAlertEngine({
    store,
    catalog,
    rules: alertConfig.rules.rules,
    log,
    metrics,
    ...(options.alertIntervalMs !== undefined ? { intervalMs: options.alertIntervalMs } : {}),
    ...(options.alertHistoryMs !== undefined ? { historyMs: options.alertHistoryMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });

  const server: HttpServer = createHttpServer({
    log,
    routes: [
      eventsRoute({ sink: pipeline, token: config.ingestToken, log }),
      ...opsRoutes({ store, ingest: pipeline, metrics }),
      ...apiRoutes({ store, catalog, planner, log, token: config.ingestToken, timeZone: config.timeZone }),
    ],
  });
  let port: number;
  try {
    port = await server.listen(config.port);
  } catch (err) {
    await pipeline.close();
    await store.close();
    throw err;
  }

  let slack: Awaited<ReturnType<typeof startSlack>>;
  let alerting: ReturnType<typeof createAlerting> | undefined;
  try {
    slack = await startSlack(config, { server, port, log, metrics, options, policy }, (roles) => {
      alerting = createAlerting({ engine: alerts, store, catalog, tools: alertConfig.tools, gateway: recordingGateway(store, alerts), roles, log, timeZone: config.timeZone });
      return createSlackServices({ config, store, catalog, planner, pipeline, metrics, roles, alerts, alerting: alerting.services, restrictedMetrics: [...policy.restrictedMetrics.keys()], log, startedAtMs });
    });
  } catch (err) {
    await server.close();
    await pipeline.close();
    await store.close();
    throw err;
  }

  // Values seen in the data join the catalog's words now and every few minutes (new campaigns).
  const refreshValues = () =>
    planner.refreshValues().catch((err: unknown) => log.warn({ module: 'ask', err }, 'could not refresh dimension values from the data; keeping the previous ones'));
  await refreshValues();
  const valuesTimer = setInterval(() => void refreshValues(), VALUES_REFRESH_MS);
  valuesTimer.unref();

  const sources: Source[] = [];
  const nowMs = options.now ?? Date.now;
  try {
    // A first start with the demo on: two days of history, so questions have answers and
    // detectors have learned the daily rhythm before the live stream takes over.
    if (config.demo.enabled && config.demo.backfillMs > 0) await backfillDemo(store, pipeline, config.demo, nowMs(), log);
    if (alerting) alerts.setNotifier(alerting.notifier(slack.messenger));
    await alerts.start();
  } catch (err) {
    clearInterval(valuesTimer);
    await slack.stop();
    await server.close();
    await pipeline.close();
    await store.close();
    throw err;
  }
  if (config.demo.enabled) {
    sources.push(new DemoSource({ seed: config.demo.seed, eventsPerSecond: config.demo.eventsPerSecond, now: Date.now }));
  }
  for (const source of sources) await source.start(pipeline);
  log.info(
    { module: 'main', port, store: config.store.kind, demo: config.demo.enabled, sources: sources.map((s) => s.name) },
    `opsight is up on http://localhost:${port}`,
  );
  if (slack.sandbox) log.info({ module: 'main' }, `Slack sandbox: open http://localhost:${port}/sandbox and mention @opsight`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info({ module: 'main' }, 'shutting down: stopping sources, flushing buffered events');
      clearInterval(valuesTimer);
      for (const source of sources) await source.stop();
      await alerts.stop();
      await slack.stop();
      await server.close();
      await pipeline.close();
      await store.close();
      log.info({ module: 'main' }, 'stopped');
    })());

  return { port, store, catalog, pipeline, metrics, slack: slack.surface, sandbox: slack.sandbox, alerts, stop };
}

/**
 * Slack in the configured mode. Without tokens, a sandbox is mounted on our own port and the
 * bot reaches it exactly as it would reach Slack in HTTP mode (signed requests to
 * /slack/events, Web API at /sandbox/api/), so the local run exercises the real code path.
 */
async function startSlack(
  config: Config,
  d: { server: HttpServer; port: number; log: Logger; metrics: Metrics; options: StartOptions; policy: AccessPolicy },
  services: (roles: RoleResolver) => SlackServices,
): Promise<{ sandbox: Sandbox | undefined; surface: SlackSurface; messenger: SlackOutbox; stop(): Promise<void> }> {
  const publicUrl = `http://127.0.0.1:${d.port}`;
  let sandbox: Sandbox | undefined;
  let connection: SlackConnection;
  if (config.slack.mode === 'sandbox') {
    const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
    const signingSecret = randomBytes(24).toString('hex');
    sandbox = createSandbox({
      log: d.log.child({ module: 'sandbox' }),
      botToken,
      signingSecret,
      delivery: { mode: 'http', requestUrl: `${publicUrl}/slack/events` },
      publicUrl: () => publicUrl,
    });
    d.server.addRoutes(sandbox.routes);
    d.server.addUpgrades(sandbox.upgrades);
    connection = { mode: 'http', apiUrl: sandbox.apiUrl(), botToken, signingSecret };
  } else {
    connection = config.slack;
  }
  // Role and zone lookups: a couple of quick retries, never Bolt's default half hour of them.
  const directoryClient = new WebClient(connection.botToken, { slackApiUrl: connection.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 2 } });
  const roles = createRoleResolver({ policy: d.policy, directory: slackDirectory(directoryClient, { log: d.log }), log: d.log });
  let outbox: SlackOutbox | undefined;
  let surface: SlackSurface;
  try {
    surface = await createSlackSurface({
      connection,
      services: services(roles),
      log: d.log,
      metrics: d.metrics,
      messenger: (client) =>
        (outbox = createOutbox({ client, log: d.log, metrics: d.metrics, ...(d.options.slackPaceMs !== undefined ? { minIntervalMs: d.options.slackPaceMs } : {}) })),
      zoneOf: async (userId) => (await roles.principal(userId)).tz ?? config.timeZone,
      ...(d.options.workingDelayMs !== undefined ? { workingDelayMs: d.options.workingDelayMs } : {}),
    });
    d.server.addRoutes(surface.routes);
    await surface.start();
  } catch (err) {
    await sandbox?.close();
    throw err;
  }
  if (!outbox) throw new Error('the Slack surface did not build its outbox');
  const messenger: SlackOutbox = outbox;
  return {
    sandbox,
    surface,
    messenger,
    async stop() {
      await surface.stop();
      await outbox?.close({ deadlineMs: 5000 });
      await sandbox?.close();
    },
  };
}
