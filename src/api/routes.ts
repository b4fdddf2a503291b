import type { Logger } from '../ops/index.js';
import { OpsightError } from '../errors.js';
import { runPlan, type Catalog } from '../semantic/index.js';
import type { Store } from '../store/index.js';
import { HttpError, readBody, sendJson, type Route } from '../server/index.js';

/**
 * The local API the CLI uses when an opsight process already owns the store (chDB lets one
 * process open a data directory). Same code path as running the command in-process.
 * Bound to the product's one port; it reads only through the semantic layer.
 */
export interface ApiRoutesOptions {
  store: Store;
  catalog: Catalog;
  log: Logger;
}

const MAX_PLAN_BYTES = 64 * 1024;

export function apiRoutes(options: ApiRoutesOptions): Route[] {
  const log = options.log.child({ module: 'api' });
  return [
    {
      method: 'POST',
      path: '/api/query',
      async handler(req, res) {
        const body = await readBody(req, MAX_PLAN_BYTES);
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch (err) {
          throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
        }
        const plan = input && typeof input === 'object' && 'plan' in input ? (input as { plan: unknown }).plan : input;
        try {
          sendJson(res, 200, await runPlan(options.store, options.catalog, plan));
        } catch (err) {
          if (err instanceof OpsightError && err.code === 'opsight_plan_invalid') {
            sendJson(res, 400, { error: err.message, code: err.code });
            return;
          }
          log.error({ err: (err as Error).message }, 'plan query failed');
          throw err;
        }
      },
    },
  ];
}
