import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import { WebClient } from '@slack/web-api';
import { silentLogger } from '../../src/ops/index.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { createHttpServer, type HttpServer } from '../../src/server/index.js';

/** Shared set-up for the sandbox tests: the sandbox on its own server at port 0, plus clients. */

export const BOT_TOKEN = 'xoxb-sandbox-test-bot';
export const APP_TOKEN = 'xapp-sandbox-test-app';
export const SIGNING_SECRET = 'sandbox-test-signing-secret';

/** @slack/* loggers that keep test output clean (they log every `[ERROR]` response message). */
export function quietSlackLogger(): SlackLogger {
  let level = LogLevel.ERROR;
  const noop = () => {};
  return { debug: noop, info: noop, warn: noop, error: noop, setLevel: (l) => (level = l), getLevel: () => level, setName: noop };
}

export interface Running {
  sandbox: Sandbox;
  server: HttpServer;
  publicUrl: string;
  /** A WebClient as the bot builds one, with retries off so failures surface at once. */
  client: WebClient;
  close(): Promise<void>;
}

export async function startSandbox(overrides: Partial<SandboxOptions> = {}): Promise<Running> {
  let publicUrl = '';
  const sandbox = createSandbox({
    log: silentLogger(),
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    signingSecret: SIGNING_SECRET,
    delivery: { mode: 'http', requestUrl: 'http://127.0.0.1:9/slack/events' },
    publicUrl: () => publicUrl,
    ...overrides,
  });
  const server = createHttpServer({ log: silentLogger(), routes: sandbox.routes, upgrades: sandbox.upgrades, closeGraceMs: 1000 });
  const port = await server.listen(0, '127.0.0.1');
  publicUrl = `http://127.0.0.1:${port}`;
  const client = new WebClient(BOT_TOKEN, { slackApiUrl: sandbox.apiUrl(), retryConfig: { retries: 0 }, logger: quietSlackLogger() });
  return {
    sandbox,
    server,
    publicUrl,
    client,
    async close() {
      await sandbox.close();
      await server.close();
    },
  };
}

/** One request a fake app received (a wire-level fake, for tests that only need the bytes). */
export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A bare HTTP endpoint standing in for the bot's request URL: records each request and answers
 * with `reply(request)` (default 200, empty body).
 */
export async function startRecorder(reply: (r: Received) => { status?: number; body?: unknown } = () => ({})): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const { status = 200, body } = reply(r);
      if (body === undefined) res.writeHead(status).end();
      else if (typeof body === 'string') res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The payload of a form-encoded interaction (`payload=<json>`). */
export function interactionPayload(r: Received): Record<string, unknown> {
  return JSON.parse(new URLSearchParams(r.body).get('payload') ?? 'null') as Record<string, unknown>;
}

/** Raw POST to a Web API method, for bodies WebClient would never send. */
export async function rawCall(running: Running, method: string, init: { body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${running.sandbox.apiUrl()}${method}`, { method: 'POST', headers: init.headers ?? {}, body: init.body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
