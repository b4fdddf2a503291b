import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../ops/index.js';

/**
 * The one HTTP port of the product (BRIEF.md "Configuration": PORT serves /v1/events, /healthz,
 * /metrics, /slack/events, the local API and the sandbox). A deliberately tiny router: folders
 * export `Route`s, main.ts mounts them. Bodies are never read globally, because some routes
 * (Slack's signed requests) must verify the raw bytes themselves: they call `readBody`.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RouteContext {
  /** Parsed request URL (path and query); the host part is a placeholder. */
  readonly url: URL;
  /** Named groups of a RegExp path (`/^\/api\/alerts\/(?<id>[^/]+)$/` → `{ id }`). */
  readonly params: Readonly<Record<string, string>>;
  /** Logger with `module: 'server'` and the request's method and path. */
  readonly log: Logger;
}

export interface Route {
  method: HttpMethod;
  /** Exact pathname (query string excluded), or a RegExp tested against the pathname. */
  path: string | RegExp;
  handler(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> | void;
}

/**
 * An error that carries its HTTP status. Handlers throw it to answer `{error: message}` with
 * that status; anything else thrown becomes a 500 (logged, never shown to the client).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;

  constructor(status: number, message: string, options: { headers?: OutgoingHttpHeaders; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** Thrown by `readBody` when the body is over its limit: answers 413 naming the limit. */
export class BodyTooLargeError extends HttpError {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(413, `request body is larger than the ${formatBytes(limitBytes)} limit (${limitBytes} bytes); split it into smaller requests`, {
      // The rest of the body is not read; the connection cannot be reused.
      headers: { connection: 'close' },
    });
    this.name = 'BodyTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/** "10 MiB", "64 KiB", "512 bytes": for messages that name a limit. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Reads the whole request body into one Buffer, refusing more than `limitBytes`. A declared
 * Content-Length over the limit fails before reading anything; a body that grows past the
 * limit fails as soon as it does, so memory stays bounded by the limit.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(new BodyTooLargeError(limitBytes));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        chunks.length = 0;
        // Keep draining (and discarding) so the client can still read our 413; node's
        // requestTimeout bounds how long a client may keep sending.
        req.resume();
        reject(new BodyTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, `request body could not be read: ${err.message}`, { cause: err }));
    };
    // 'close' before 'end' means the client went away mid-body.
    const onClose = () => {
      if (!req.complete) onError(new Error('client closed the connection before the body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Writes a JSON response (the shape every route and error of this server uses). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: HttpMethod[] }
  | { kind: 'not_found' };

function matchPath(path: string | RegExp, pathname: string): Record<string, string> | undefined {
  if (typeof path === 'string') return path === pathname ? {} : undefined;
  path.lastIndex = 0; // a /g or /y RegExp would otherwise carry state between requests
  const m = path.exec(pathname);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = v;
  return params;
}

/** Pure routing: first matching route wins; HEAD is served by a GET route (RFC 9110 §9.3.2). */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const allow = new Set<HttpMethod>();
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'found', route, params };
    allow.add(route.method);
    if (route.method === 'GET') allow.add('HEAD');
  }
  return allow.size > 0 ? { kind: 'method_not_allowed', allow: [...allow] } : { kind: 'not_found' };
}

/**
 * Takes an HTTP Upgrade request (a WebSocket) on a path. Returns true when it took the socket;
 * the sandbox's Socket Mode endpoint is one, mounted on the same port as everything else.
 */
export interface UpgradeRoute {
  path: string | RegExp;
  handler(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface HttpServerOptions {
  log: Logger;
  routes: readonly Route[];
  upgrades?: readonly UpgradeRoute[];
  /** How long close() waits for in-flight requests before cutting connections. @default 10000 */
  closeGraceMs?: number;
}

export interface HttpServer {
  /** Starts listening; resolves to the bound port (pass 0 for any free port, as tests do). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, waits for in-flight requests (up to closeGraceMs), then resolves. */
  close(): Promise<void>;
  /** Adds routes after those already mounted (first match wins); main.ts mounts each folder's. */
  addRoutes(routes: readonly Route[]): void;
  /** Adds WebSocket upgrade routes (first match wins); unmatched upgrades are refused with 404. */
  addUpgrades(upgrades: readonly UpgradeRoute[]): void;
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const log = options.log.child({ module: 'server' });
  const routes: Route[] = [...options.routes];
  const upgrades: UpgradeRoute[] = [...(options.upgrades ?? [])];
  const graceMs = options.closeGraceMs ?? 10_000;
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    inFlight++;
    // During shutdown tell keep-alive clients not to reuse this connection.
    if (closing) res.setHeader('connection', 'close');
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    // handle() answers every error itself; this catch is the last guard against a crash.
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request handling failed');
      res.destroy();
    });
  });
  // A client that sends garbage (bad request line, oversized headers) must not crash anything.
  server.on('clientError', (err, socket) => {
    log.debug({ err: err.message }, 'client error');
    // Node's docs: a reset socket, or one already answering, is only destroyed.
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (req, socket, head) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const upgrade = closing ? undefined : upgrades.find((u) => matchPath(u.path, pathname) !== undefined);
    if (!upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    upgrade.handler(req, socket, head);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // The host is irrelevant to routing and may be absent or hostile; never trust it for URLs.
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: 'malformed request URL' });
      return;
    }
    const method = req.method ?? 'GET';
    const reqLog = log.child({ method, path: url.pathname });
    try {
      const match = matchRoute(routes, method, url.pathname);
      if (match.kind === 'not_found') {
        sendJson(res, 404, { error: `no route for ${url.pathname}` });
      } else if (match.kind === 'method_not_allowed') {
        sendJson(res, 405, { error: `${method} is not allowed on ${url.pathname}; use ${match.allow.join(', ')}` }, { allow: match.allow.join(', ') });
      } else {
        await match.route.handler(req, res, { url, params: match.params, log: reqLog });
      }
    } catch (err) {
      respondToError(res, err, reqLog);
    } finally {
      reqLog.debug({ status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    }
  }

  return {
    addRoutes(more) {
      routes.push(...more);
    },
    addUpgrades(more) {
      upgrades.push(...more);
    },
    listen(port, host) {
      return new Promise<number>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const bound = (server.address() as AddressInfo).port;
          log.info({ port: bound }, 'listening');
          resolve(bound);
        });
      });
    },
    async close() {
      if (!server.listening) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const finished = new Promise<void>((resolve) => (drained = resolve));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
        const late = await Promise.race([finished.then(() => false), timedOut]);
        clearTimeout(timer);
        if (late) log.warn({ inFlight, graceMs }, 'closing with requests still in flight');
      }
      // Responses are done: cut keep-alive sockets that would otherwise hold close() open.
      server.closeAllConnections();
      await stopped;
      log.info('closed');
    },
  };
}

/** Thrown errors → a JSON answer. Only HttpError messages reach the client; others are logged. */
function respondToError(res: ServerResponse, err: unknown, log: Logger): void {
  if (err instanceof HttpError) {
    if (err.status >= 500) log.error({ err }, 'request failed');
    if (!res.headersSent) sendJson(res, err.status, { error: err.message }, err.headers);
    else res.destroy();
    return;
  }
  log.error({ err }, 'handler threw');
  if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the server log' });
  else res.destroy(); // half-written response: the client must see a failure, not a truncated 200
}
