import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../ops/index.js';
import { OpsightError } from '../errors.js';
import { timeZoneSchema } from '../config/index.js';
import { runPlan, type Catalog } from '../semantic/index.js';
import { askAudited, type QuestionPlanner } from '../ask/index.js';
import type { Store } from '../store/index.js';
import { checkBearer } from '../ingest/index.js';
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
  /** OPSIGHT_INGEST_TOKEN: when set, callers other than this machine must present it. */
  token: string | undefined;
  /** OPSIGHT_TZ: the zone of time words when a question comes without one. */
  timeZone: string;
  /** The product's planner (embedded, or hybrid with an LLM). */
  planner: QuestionPlanner;
}

/** The CLI on the same machine; the port also faces the network (ingest, Slack). */
export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * The API reads business data, so only this machine may use it, or a caller with the
 * ingest token when one is set.
 */
export function mayUseApi(address: string | undefined, authorization: string | undefined, token: string | undefined): boolean {
  if (isLoopback(address)) return true;
  return token !== undefined && checkBearer(authorization, token) === 'ok';
}

const MAX_BODY_BYTES = 64 * 1024;

const zone = timeZoneSchema;
const askBody = z.strictObject({
  question: z.string().trim().min(1),
  now: z.iso.datetime({ offset: true }).optional(),
  tz: zone.optional(),
});

/** Both routes: caller check, then the JSON body, refused with 400 when it is not JSON. */
async function readApiJson(req: IncomingMessage, token: string | undefined): Promise<unknown> {
  if (!mayUseApi(req.socket.remoteAddress, req.headers.authorization, token)) {
    throw new HttpError(403, 'the local API answers this machine only (or callers with the bearer token OPSIGHT_INGEST_TOKEN)');
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

export function apiRoutes(options: ApiRoutesOptions): Route[] {
  const log = options.log.child({ module: 'api' });
  return [
    {
      method: 'POST',
      path: '/api/query',
      async handler(req, res) {
        const input = await readApiJson(req, options.token);
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
    {
      // POST /api/ask {question, now?, tz?}: `opsight ask` while this process owns the store.
      method: 'POST',
      path: '/api/ask',
      async handler(req, res) {
        const parsed = askBody.safeParse(await readApiJson(req, options.token));
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
          throw new HttpError(400, `expected {"question": "...", "now"?: ISO-8601, "tz"?: IANA zone} (${issues})`);
        }
        const { question, now, tz } = parsed.data;
        const ctx = { now: now ? new Date(now) : new Date(), tz: tz ?? options.timeZone };
        sendJson(res, 200, await askAudited(options.store, options.catalog, options.planner, question, ctx, { surface: 'api' }, options.log));
      },
    },
  ];
}
