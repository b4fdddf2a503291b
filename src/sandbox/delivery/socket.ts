import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../ops/index.js';
import type { Deliverer, DeliveryResult } from './http.js';

/**
 * Slack's side of Socket Mode, as @slack/socket-mode 3.x expects it (SocketModeClient.js,
 * SlackWebSocket.js): apps.connections.open hands out a one-time URL; on connect we send
 * `hello`; envelopes carry events, slash commands and interactions; the app acks each with
 * `{envelope_id, payload}`; `disconnect` asks the app to reconnect (it calls apps.connections.open again).
 */

export interface SocketHubOptions {
  appId: string;
  log: Logger;
  /** Slack waits 3 s for an ack. @default 3000 */
  ackTimeoutMs: number;
  /** How long a delivery waits for the app to be connected. @default 10000 */
  socketWaitMs: number;
}

export interface SocketHub extends Deliverer {
  /** A one-time ticket for the URL apps.connections.open returns. */
  issueTicket(): string;
  /** The HTTP Upgrade handler for `<basePath>/socket`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Sends Slack's `disconnect` message to every connection, then closes them. */
  disconnectAll(reason: string): void;
  /** Open connections that deliveries may use. */
  connectionCount(): number;
}

/** Slack's host names look like this; the client only logs them. */
const HOST = 'applink-sandbox';
/** How long a connection told to disconnect may take to close before we cut it. */
const DISCONNECT_GRACE_MS = 2000;
/** How long close() waits for each connection to finish its close handshake. */
const CLOSE_GRACE_MS = 1000;

export function createSocketHub(options: SocketHubOptions): SocketHub {
  const log = options.log.child({ module: 'sandbox.socket' });
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const live: WebSocket[] = [];
  const all = new Set<WebSocket>();
  const pending = new Map<string, (r: DeliveryResult) => void>();
  const signals = new EventEmitter();
  signals.setMaxListeners(0);
  let closed = false;

  function drop(ws: WebSocket) {
    const i = live.indexOf(ws);
    if (i >= 0) live.splice(i, 1);
  }

  function onConnection(ws: WebSocket) {
    all.add(ws);
    live.push(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        log.warn('app sent a WebSocket message that is not JSON; ignored');
        return;
      }
      const envelopeId = (msg as { envelope_id?: unknown }).envelope_id;
      if (typeof envelopeId !== 'string') return;
      pending.get(envelopeId)?.({ status: 200, body: (msg as { payload?: unknown }).payload ?? {} });
    });
    ws.on('close', () => {
      drop(ws);
      all.delete(ws);
    });
    ws.on('error', (err) => log.debug({ err: err.message }, 'socket error'));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: live.length,
        debug_info: { host: HOST, build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: options.appId },
      }),
    );
    log.debug({ connections: live.length }, 'app connected');
    signals.emit('live');
  }

  function waitForSocket(): Promise<WebSocket | undefined> {
    const ready = () => [...live].reverse().find((ws) => ws.readyState === ws.OPEN);
    const now = ready();
    if (now || closed) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (ws: WebSocket | undefined) => {
        clearTimeout(timer);
        signals.off('live', onLive);
        signals.off('closed', onClosed);
        resolve(ws);
      };
      const onLive = () => {
        const ws = ready();
        if (ws) done(ws);
      };
      const onClosed = () => done(undefined);
      const timer = setTimeout(() => done(undefined), options.socketWaitMs);
      signals.on('live', onLive);
      signals.on('closed', onClosed);
    });
  }

  return {
    issueTicket() {
      const t = randomUUID();
      tickets.add(t);
      return t;
    },
    handleUpgrade(req, socket, head) {
      const ticket = new URL(req.url ?? '/', 'http://localhost').searchParams.get('ticket') ?? '';
      if (closed || !tickets.delete(ticket)) {
        // Slack refuses a reused or made-up ticket; the client then asks for a new URL.
        socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, onConnection);
    },
    async deliver(d, opts = {}): Promise<DeliveryResult> {
      if (opts.tamper) throw new Error('tampered signatures are an HTTP-mode test; Socket Mode deliveries are not signed');
      const ws = await waitForSocket();
      if (!ws) return { status: 0, body: undefined, error: `no Socket Mode connection within ${options.socketWaitMs} ms; is the bot running with socketMode and this sandbox's apps.connections.open?` };
      const envelopeId = randomUUID();
      const acked = new Promise<DeliveryResult>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(envelopeId);
          resolve({ status: 0, body: undefined, error: `no ack for ${d.kind} envelope ${envelopeId} within ${options.ackTimeoutMs} ms (Slack's ack deadline)` });
        }, options.ackTimeoutMs);
        pending.set(envelopeId, (r) => {
          clearTimeout(timer);
          pending.delete(envelopeId);
          resolve(r);
        });
      });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type: d.kind,
          payload: d.payload,
          // Slack lets slash commands and interactions answer in the ack; events only ack.
          accepts_response_payload: d.kind !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
        }),
      );
      return acked;
    },
    disconnectAll(reason) {
      for (const ws of [...live]) {
        drop(ws);
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: HOST } }));
        // The client closes on `disconnect`; cut it if it does not.
        setTimeout(() => ws.readyState !== ws.CLOSED && ws.terminate(), DISCONNECT_GRACE_MS).unref();
      }
    },
    connectionCount: () => live.filter((ws) => ws.readyState === ws.OPEN).length,
    async close() {
      closed = true;
      signals.emit('closed');
      for (const settle of [...pending.values()]) settle({ status: 0, body: undefined, error: 'sandbox closed before the app acked' });
      // Finish the close handshake rather than cutting sockets: @slack/socket-mode leaves a 30 s
      // timer behind when its peer vanishes mid-handshake (SlackWebSocket.disconnect), which
      // would hold the bot's process open.
      await Promise.all(
        [...all].map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const timer = setTimeout(() => {
                ws.terminate();
                resolve();
              }, CLOSE_GRACE_MS);
              ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              if (ws.readyState === ws.OPEN) ws.close(1001, 'sandbox closing');
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
