import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StoreConfig } from '../config/index.js';

/**
 * The one place that knows whether we run on embedded chDB or a ClickHouse server. Above
 * this, everything holds a plain @clickhouse/client.
 */
export function connect(config: StoreConfig): ClickHouseClient {
  if (config.kind === 'server') {
    return createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
  }
  // chDB wants an absolute path; one process may open one data directory at a time.
  const path = resolve(config.dataDir);
  mkdirSync(path, { recursive: true });
  // chdb types its Connection against its own copy of @clickhouse/client-common; the
  // interface is the same (chdb's docs: "re-exported verbatim"), only the declaration differs.
  const connection = createChdbConnection({ path }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'];
  return createClient({ connection });
}
