import type { Logger } from '../ops/index.js';
import type { Route, UpgradeRoute } from '../server/index.js';
import { createCallLog, type SandboxCall } from './calls.js';
import { createHttpDeliverer, createSocketHub, type Deliverer, type DeliveryResult, type SocketHub } from './delivery/index.js';
import * as people from './people.js';
import { createResponseUrlBook } from './responses.js';
import { sandboxRoutes } from './routes.js';
import { buildMethodTable, type MethodTable } from './spec/index.js';
import { createStateStore, type SandboxFile, type SandboxMessage, type SandboxView } from './state.js';
import { createTriggerBook } from './triggers.js';
import { uiRoutes } from './ui/index.js';
import { createRateLimits, type ApiContext } from './web-api/index.js';
import { buildWorkspace, loadWorkspaceSeed, type Workspace, type WorkspaceSeed } from './workspace.js';

export interface SandboxOptions {
  log: Logger;
  /** @default the committed seed, src/sandbox/workspace.yaml */
  workspace?: WorkspaceSeed;
  /** The bot token the sandbox accepts (xoxb-…); any other is invalid_auth. */
  botToken: string;
  /** The app-level token for apps.connections.open (xapp-…); Socket Mode needs it. */
  appToken?: string;
  signingSecret: string;
  /** How Slack reaches the bot: signed HTTP requests to its request URL, or Socket Mode. */
  delivery: { mode: 'http'; requestUrl: string } | { mode: 'socket' };
  /** Where the sandbox is mounted on the HTTP server. @default '/sandbox' */
  basePath?: string;
  /** e.g. 'http://127.0.0.1:4123'; known only after the server listens, hence a function. */
  publicUrl: () => string;
  /** Clock in ms for trigger and response_url expiry and message timestamps. @default Date.now */
  now?: () => number;
  /** How long Slack waits for the bot to ack a delivery. @default 3000 */
  ackTimeoutMs?: number;
  /** Socket Mode: how long a delivery waits for the bot to be connected. @default 10000 */
  socketWaitMs?: number;
}

export interface WaitForOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** Named in the timeout error: "timed out after 5000 ms waiting for <what>". */
  what?: string;
}

export interface Sandbox {
  /** Mount these on the HTTP server (createHttpServer routes / addRoutes). */
  readonly routes: Route[];
  /** Mount these too (createHttpServer upgrades / addUpgrades): the Socket Mode endpoint. */
  readonly upgrades: UpgradeRoute[];
  /** `${publicUrl()}${basePath}/api/`: the bot's SLACK_API_URL (WebClient slackApiUrl). */
  apiUrl(): string;
  readonly workspace: Workspace;
  readonly methods: MethodTable;

  /** A person posts; delivers message / app_mention events when the bot is in the channel. */
  postMessage(p: { user: string; channel: string; text: string; thread_ts?: string }, opts?: people.DeliveryOptions): Promise<people.PostedMessage>;
  slashCommand(p: { user: string; channel: string; command: string; text: string }, opts?: people.DeliveryOptions): Promise<DeliveryResult>;
  clickButton(p: { user: string; channel: string; ts: string; actionId: string; blockId?: string }, opts?: people.DeliveryOptions): Promise<DeliveryResult>;
  submitView(p: { user: string; viewId: string; values: Record<string, Record<string, unknown>> }, opts?: people.DeliveryOptions): Promise<DeliveryResult>;
  openHome(user: string, opts?: people.DeliveryOptions): Promise<DeliveryResult>;
  /** Socket Mode: sends Slack's `disconnect` to every connection (the bot should reconnect). */
  disconnectSockets(reason?: string): void;
  /** Socket Mode: open connections deliveries can use. */
  socketConnections(): number;
  /** The next `times` calls of `method` answer HTTP 429 with Retry-After: retryAfterSec. */
  rateLimit(method: string, p: { times: number; retryAfterSec: number }): void;

  /** Top-level messages of a channel, oldest first (thread broadcasts and ephemerals included). */
  messages(channel: string): SandboxMessage[];
  /** A thread: parent then replies, oldest first (ephemeral replies included, marked). */
  thread(channel: string, ts: string): SandboxMessage[];
  home(user: string): SandboxView | undefined;
  views(): SandboxView[];
  file(id: string): SandboxFile | undefined;
  /** Every call the bot made: Web API methods, uploads, response_url posts, acks with bodies. */
  calls(): SandboxCall[];
  /** The calls real Slack would refuse because the bot made them wrong; tests assert this is empty. */
  violations(): SandboxCall[];
  /** Resolves with the probe's first truthy value, re-checking on every state change. */
  waitFor<T>(probe: () => T | undefined | false | null, opts?: WaitForOptions): Promise<T>;
  close(): Promise<void>;
}

function checkToken(name: string, value: string | undefined, prefix: string): void {
  if (value !== undefined && !value.startsWith(prefix)) {
    throw new Error(`sandbox ${name} must look like Slack's (${prefix}…), got ${value.slice(0, 5)}…; WebClient and bolt check the prefix`);
  }
}

export function createSandbox(options: SandboxOptions): Sandbox {
  checkToken('botToken', options.botToken, 'xoxb-');
  checkToken('appToken', options.appToken, 'xapp-');
  if (options.delivery.mode === 'socket' && !options.appToken) throw new Error('Socket Mode delivery needs appToken (xapp-…): the bot opens its connection with it');
  const log = options.log.child({ module: 'sandbox' });
  const basePath = (options.basePath ?? '/sandbox').replace(/\/+$/, '');
  if (!basePath.startsWith('/')) throw new Error(`basePath must start with '/', got ${basePath}`);
  const now = options.now ?? Date.now;
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const workspace = buildWorkspace(options.workspace ?? loadWorkspaceSeed());
  const state = createStateStore(now);
  const calls = createCallLog(now, () => state.changed());
  const triggers = createTriggerBook(now);
  const responseUrls = createResponseUrlBook(now);
  const rateLimits = createRateLimits();
  const methods = buildMethodTable();
  let idSeq = 0;

  let hub: SocketHub | undefined;
  let deliverer: Deliverer;
  if (options.delivery.mode === 'socket') {
    hub = createSocketHub({ appId: workspace.bot.appId, log, ackTimeoutMs, socketWaitMs: options.socketWaitMs ?? 10_000 });
    deliverer = hub;
  } else {
    deliverer = createHttpDeliverer({ requestUrl: options.delivery.requestUrl, signingSecret: options.signingSecret, ackTimeoutMs, log });
  }

  const ctx: ApiContext = {
    workspace,
    state,
    triggers,
    now,
    publicBase: () => `${options.publicUrl().replace(/\/+$/, '')}${basePath}`,
    newId: (prefix) => `${prefix}0SBX${String(++idSeq).padStart(6, '0')}`,
    issueSocketTicket: () => {
      // Without Socket Mode there is nobody to take the connection; Slack answers the same way.
      if (!hub) throw new Error('unreachable: apps.connections.open is refused before this in HTTP mode');
      return hub.issueTicket();
    },
  };
  const deps: people.PeopleDeps = { ctx, deliverer, triggers, responseUrls, calls };
  const routeDeps = { basePath, ctx, methods, calls, rateLimits, responseUrls, botToken: options.botToken, appToken: hub ? options.appToken : undefined };

  const sandbox: Sandbox = {
    routes: [],
    upgrades: hub ? [{ path: `${basePath}/socket`, handler: (req, socket, head) => hub.handleUpgrade(req, socket, head) }] : [],
    apiUrl: () => `${ctx.publicBase()}/api/`,
    workspace,
    methods,
    postMessage: (p, o) => people.postMessage(deps, p, o),
    slashCommand: (p, o) => people.slashCommand(deps, p, o),
    clickButton: (p, o) => people.clickButton(deps, p, o),
    submitView: (p, o) => people.submitView(deps, p, o),
    openHome: (user, o) => people.openHome(deps, user, o),
    disconnectSockets(reason = 'refresh_requested') {
      if (!hub) throw new Error('disconnectSockets is Socket Mode only; this sandbox delivers over HTTP');
      hub.disconnectAll(reason);
    },
    socketConnections: () => hub?.connectionCount() ?? 0,
    rateLimit: (method, p) => rateLimits.set(method, p),
    messages: (channel) => state.messages(workspace.channel(channel)?.id ?? channel),
    thread: (channel, ts) => state.thread(workspace.channel(channel)?.id ?? channel, ts),
    home: (user) => state.homeOf(user),
    views: () => state.views(),
    file: (id) => state.file(id),
    calls: () => calls.calls(),
    violations: () => calls.violations(),
    waitFor(probe, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 5000;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          let value: ReturnType<typeof probe>;
          try {
            value = probe();
          } catch (err) {
            finish();
            reject(err);
            return true;
          }
          if (value === undefined || value === false || value === null) return false;
          finish();
          resolve(value);
          return true;
        };
        const onChange = () => void check();
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a sandbox condition'}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          state.events.off('change', onChange);
        };
        state.events.on('change', onChange);
        check();
      });
    },
    async close() {
      await deliverer.close();
    },
  };
  sandbox.routes.push(...sandboxRoutes(routeDeps), ...uiRoutes({ basePath, sandbox, state, publicBase: ctx.publicBase }));
  log.debug({ basePath, delivery: options.delivery.mode }, 'sandbox ready');
  return sandbox;
}
