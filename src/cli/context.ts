import type { Config } from '../config/index.js';
import type { EventSink } from '../ingest/index.js';
import { createMetrics, type Logger } from '../ops/index.js';
import { createPipeline, openStore } from '../main.js';
import type { Store } from '../store/index.js';
import { RemoteSink, findServer, type Remote } from './remote.js';

export interface CliContext {
  config: Config;
  log: Logger;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The running opsight, if one answers on PORT; the CLI then goes through its API. */
export function running(ctx: CliContext): Promise<Remote | undefined> {
  return findServer(ctx.config.port, ctx.config.ingestToken);
}

/** Opens the store in this process for the length of `fn` (no opsight running). */
export async function withLocalStore<T>(ctx: CliContext, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(ctx.config, ctx.log);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * A sink for events: the running server's /v1/events, or a local pipeline that is flushed
 * and closed when `fn` returns. Either way the same validation and dead letters apply.
 */
export async function withEventSink<T>(ctx: CliContext, fn: (sink: EventSink, where: string) => Promise<T>): Promise<T> {
  const remote = await running(ctx);
  if (remote) return fn(new RemoteSink(remote), `the running opsight at ${remote.baseUrl}`);
  return withLocalStore(ctx, async (store) => {
    const pipeline = createPipeline(ctx.config, store, createMetrics(), ctx.log);
    try {
      return await fn(pipeline, ctx.config.store.kind === 'embedded' ? `the store in ${ctx.config.store.dataDir}` : 'the ClickHouse server');
    } finally {
      await pipeline.close();
    }
  });
}
