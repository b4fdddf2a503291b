import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError, readBody, sendJson, type Route } from '../../server/index.js';
import type { Sandbox } from '../sandbox.js';
import type { StateStore } from '../state.js';
import { renderPage } from './page.js';
import { buildSnapshot } from './snapshot.js';

export { buildSnapshot, type UiSnapshot, type UiMessage, type UiChannel, type UiFile } from './snapshot.js';

/**
 * The sandbox's web page (GET <basePath>) and the small JSON API behind it (<basePath>/ui/…):
 * read a person's view of the workspace, and act as that person through the driving API.
 * For local use: anyone who can reach the port can act as any seeded person.
 */

export interface UiDeps {
  basePath: string;
  sandbox: Sandbox;
  state: StateStore;
  /** `${publicUrl()}${basePath}`, for file URLs. */
  publicBase: () => string;
}

const UI_BODY_LIMIT_BYTES = 256 * 1024;

const postSchema = z.object({ user: z.string(), channel: z.string(), text: z.string().min(1).max(40_000), thread_ts: z.string().optional() }).strict();
const clickSchema = z.object({ user: z.string(), channel: z.string(), ts: z.string(), actionId: z.string(), blockId: z.string().optional() }).strict();
const commandSchema = z.object({ user: z.string(), channel: z.string(), command: z.string().regex(/^\/\S+$/), text: z.string() }).strict();
const homeSchema = z.object({ user: z.string() }).strict();
const submitSchema = z.object({ user: z.string(), viewId: z.string(), values: z.record(z.string(), z.record(z.string(), z.unknown())) }).strict();
const closeSchema = z.object({ user: z.string(), viewId: z.string() }).strict();

async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  const raw = await readBody(req, UI_BODY_LIMIT_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body must be JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return parsed.data;
}

export function uiRoutes(deps: UiDeps): Route[] {
  const { basePath, sandbox, state } = deps;
  const ui = `${basePath}/ui`;
  const ws = sandbox.workspace;
  const defaultViewer = ws.users.find((u) => !u.is_bot && !u.deleted)?.id ?? '';

  const page: Route['handler'] = (_req, res) => {
    // A fresh nonce per response: the page's one inline script runs, nothing injected can.
    const nonce = randomBytes(16).toString('base64');
    const html = renderPage({ basePath, nonce, teamName: ws.team.name });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    });
    res.end(res.req.method === 'HEAD' ? undefined : html);
  };

  return [
    { method: 'GET', path: basePath, handler: page },
    { method: 'GET', path: `${basePath}/`, handler: page },
    { method: 'GET', path: `${ui}/version`, handler: (_req, res) => sendJson(res, 200, { version: state.version() }) },
    {
      method: 'GET',
      path: `${ui}/state`,
      handler: (_req, res, ctx) => {
        const viewer = ctx.url.searchParams.get('user') || defaultViewer;
        const person = ws.user(viewer);
        if (!person || person.is_bot || person.deleted) throw new HttpError(400, `no person ${viewer} in the workspace`);
        sendJson(res, 200, buildSnapshot(ws, state, deps.publicBase(), viewer, ctx.url.searchParams.get('channel') ?? undefined));
      },
    },
    { method: 'POST', path: `${ui}/post`, handler: async (req, res) => sendJson(res, 200, await sandbox.postMessage(await readJson(req, postSchema))) },
    { method: 'POST', path: `${ui}/click`, handler: async (req, res) => sendJson(res, 200, await sandbox.clickButton(await readJson(req, clickSchema))) },
    { method: 'POST', path: `${ui}/command`, handler: async (req, res) => sendJson(res, 200, await sandbox.slashCommand(await readJson(req, commandSchema))) },
    { method: 'POST', path: `${ui}/home`, handler: async (req, res) => sendJson(res, 200, await sandbox.openHome((await readJson(req, homeSchema)).user)) },
    { method: 'POST', path: `${ui}/submit`, handler: async (req, res) => sendJson(res, 200, await sandbox.submitView(await readJson(req, submitSchema))) },
    {
      method: 'POST',
      path: `${ui}/close`,
      handler: async (req, res) => {
        // Slack sends view_closed only to apps that ask (notify_on_close); the sandbox just closes it.
        const { user, viewId } = await readJson(req, closeSchema);
        const v = state.view(viewId);
        if (!v || v.type !== 'modal' || v.user !== user) throw new HttpError(400, `no modal ${viewId} open for ${user}`);
        for (const other of state.views()) if (other.root_view_id === v.root_view_id) other.open = false;
        state.changed();
        sendJson(res, 200, { ok: true });
      },
    },
  ];
}
