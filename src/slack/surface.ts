import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { OpsightError } from '../errors.js';
import type { Logger, Metrics } from '../ops/index.js';
import type { Route } from '../server/index.js';
import { BoundedMap, RecentAnswers } from './answers.js';
import { boltLogger } from './bolt-logger.js';
import type { ListenerDeps, Messenger, SlackServices, ZoneOf } from './deps.js';
import { registerActions } from './listeners/actions.js';
import { registerAlerts } from './listeners/alerts.js';
import { registerCommand } from './listeners/command.js';
import { registerDirectMessage } from './listeners/direct-message.js';
import { registerHome } from './listeners/home.js';
import { registerMention } from './listeners/mention.js';
import { registerViews } from './listeners/views.js';

/** How the bot reaches Slack (or the sandbox, which speaks the same protocol). */
export type SlackConnection =
  | { mode: 'http'; apiUrl: string; botToken: string; signingSecret: string }
  | { mode: 'socket'; apiUrl: string; botToken: string; appToken: string };

export interface SlackSurfaceOptions {
  connection: SlackConnection;
  services: SlackServices;
  log: Logger;
  metrics: Metrics;
  /** Builds the outbound queue over the client the surface creates (main.ts passes the outbox). */
  messenger: (client: WebClient) => Messenger;
  /** A person's zone (users.info through the role resolver's cache). */
  zoneOf: ZoneOf;
  /** @default 1000 */
  workingDelayMs?: number;
  now?: () => Date;
}

export interface SlackSurface {
  /** POST /slack/events in HTTP mode (mounted on the product's one port); none in Socket Mode. */
  readonly routes: Route[];
  readonly botUserId: string;
  /** The writer client: no hidden retries or rate-limit waits (the outbox owns those). */
  readonly client: WebClient;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the Bolt app for one connection mode. The listeners are the same in every mode
 * (STYLE §2: the transport is bolt's receiver; nothing above learns which one delivered).
 */
export async function createSlackSurface(options: SlackSurfaceOptions): Promise<SlackSurface> {
  const { connection, log } = options;
  const logger = boltLogger(log);
  const slackApiUrl = connection.apiUrl;
  // The outbox paces and retries, so this client must surface 429s and failures at once.
  const writer = new WebClient(connection.botToken, {
    slackApiUrl,
    logger: boltLogger(log, 'slack.web'),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });

  let auth;
  try {
    auth = await writer.auth.test();
  } catch (err) {
    const slackError = (err as { data?: { error?: string } }).data?.error;
    throw new OpsightError(
      'opsight_slack_api_failed',
      slackError === 'invalid_auth' || slackError === 'not_authed' || slackError === 'account_inactive'
        ? `Slack refused SLACK_BOT_TOKEN (${slackError}): copy the Bot User OAuth Token (xoxb-…) from the app's "OAuth & Permissions" page`
        : `could not reach Slack at ${slackApiUrl} to check the bot token (auth.test: ${(err as Error).message}); check SLACK_API_URL and the network`,
      { cause: err, retriable: slackError === undefined },
    );
  }
  const botUserId = auth.user_id ?? '';
  const botId = auth.bot_id ?? '';

  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  if (connection.mode === 'http') {
    httpReceiver = new HTTPReceiver({ signingSecret: connection.signingSecret, endpoints: '/slack/events', logger });
    receiver = httpReceiver;
  } else {
    receiver = new SocketModeReceiver({
      appToken: connection.appToken,
      logger,
      // The socket client opens its connection with apps.connections.open at this URL.
      installerOptions: { clientOptions: { slackApiUrl } },
    });
  }

  const app = new App({
    receiver,
    token: connection.botToken,
    // Known from auth.test above, so Bolt does not call it again on every start.
    botId,
    botUserId,
    logger,
    clientOptions: { slackApiUrl, logger: boltLogger(log, 'slack.web') },
  });
  app.error(async (err) => {
    log.error({ module: 'slack', err: err.original ?? err, code: err.code }, 'listener failed');
  });

  const deps: ListenerDeps = {
    services: options.services,
    messenger: options.messenger(writer),
    client: app.client,
    zoneOf: options.zoneOf,
    answers: new RecentAnswers(),
    threads: new BoundedMap(2000),
    log,
    metrics: options.metrics,
    workingDelayMs: options.workingDelayMs ?? 1000,
    now: options.now ?? (() => new Date()),
  };
  registerMention(app, deps);
  registerDirectMessage(app, deps);
  registerCommand(app, deps);
  registerHome(app, deps);
  registerActions(app, deps);
  registerAlerts(app, deps);
  registerViews(app, deps);

  const routes: Route[] = httpReceiver
    ? [
        {
          method: 'POST',
          path: '/slack/events',
          // Bolt's receiver verifies the signature over the raw body and acks; it reads the body itself.
          handler: (req: IncomingMessage, res: ServerResponse) => httpReceiver.requestListener(req, res),
        },
      ]
    : [];

  log.info({ module: 'slack', mode: connection.mode, botUserId, team: auth.team }, 'slack bot ready');
  return {
    routes,
    botUserId,
    client: writer,
    async start() {
      if (connection.mode === 'socket') await app.start();
    },
    async stop() {
      if (connection.mode === 'socket') await app.stop();
    },
  };
}
