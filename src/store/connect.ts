import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StoreConfig } from '../config/index.js';

/**
 * The one place that knows whether we run on embedded chDB or a ClickHouse server. Above
 * this, everything holds a plain @clickhouse/client.
 */
export interface Connected {
  client: ClickHouseClient;
  /**
   * Embedded only: hands a JSONEachRow buffer straight to chDB's parser (zero-copy,
   * multithreaded) instead of the client's string concatenation. Undefined on a server,
   * where client.insert streams over HTTP anyway.
   */
  rawInsert?: (table: string, columns: readonly string[], body: Buffer) => Promise<void>;
}

export function connect(config: StoreConfig): Connected {
  if (config.kind === 'server') {
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
    return { client };
  }
  // chDB wants an absolute path; one process may open one data directory at a time.
  const path = resolve(config.dataDir);
  mkdirSync(path, { recursive: true });
  // chdb types its Connection against its own copy of @clickhouse/client-common; the
  // interface is the same (chdb's docs: "re-exported verbatim"), only the declaration differs.
  const chdb = createChdbConnection({ path });
  const connection = chdb as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'];
  return {
    client: createClient({ connection }),
    rawInsert: async (table, columns, body) => {
      // Our views already aggregate each block; merging equal keys again on insert is wasted work.
      await chdb.chdb.rawInsert({ table, columns, values: body, format: 'JSONEachRow', settings: { optimize_on_insert: 0 } });
    },
  };
}
