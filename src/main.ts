import type { Config } from './config/index.js';
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
  stop(): Promise<void>;
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

export async function startOpsight(config: Config, log: Logger): Promise<Opsight> {
  // Config files first: a bad rules/ file must stop start-up before anything opens.
  const catalog = loadCatalog(config.rulesDir);
  const metrics = createMetrics({ defaults: true });
  const store = await openStore(config, log);
  const pipeline = createPipeline(config, store, metrics, log);

  const server: HttpServer = createHttpServer({
    log,
    routes: [
      eventsRoute({ sink: pipeline, token: config.ingestToken, log }),
      ...opsRoutes({ store, ingest: pipeline, metrics }),
      ...apiRoutes({ store, catalog, log, token: config.ingestToken, timeZone: config.timeZone }),
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

  const sources: Source[] = [];
  if (config.demo.enabled) {
    sources.push(new DemoSource({ seed: config.demo.seed, eventsPerSecond: config.demo.eventsPerSecond, now: Date.now }));
  }
  for (const source of sources) await source.start(pipeline);
  log.info(
    { module: 'main', port, store: config.store.kind, demo: config.demo.enabled, sources: sources.map((s) => s.name) },
    `opsight is up on http://localhost:${port}`,
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info({ module: 'main' }, 'shutting down: stopping sources, flushing buffered events');
      for (const source of sources) await source.stop();
      await server.close();
      await pipeline.close();
      await store.close();
      log.info({ module: 'main' }, 'stopped');
    })());

  return { port, store, catalog, pipeline, metrics, stop };
}
