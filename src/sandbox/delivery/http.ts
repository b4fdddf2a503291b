import type { Logger } from '../../ops/index.js';
import { signedHeaders, type Tamper } from './sign.js';

/** What the bot answered to one delivery. */
export interface DeliveryResult {
  /** HTTP status the bot answered (Socket Mode: 200 once acked); 0 when no answer came. */
  status: number;
  /** The ack body: parsed JSON, text, or undefined when empty (Socket Mode: the ack payload). */
  body: unknown;
  /** Why no answer came (timeout, connection refused, no socket); absent on an answer. */
  error?: string;
}

/**
 * One thing Slack sends an app, named as Socket Mode names envelope types. Over HTTP, events go
 * as JSON, slash commands as form fields, interactions as a form field `payload` holding JSON.
 */
export type Delivery =
  | { kind: 'events_api'; payload: Record<string, unknown> }
  | { kind: 'slash_commands'; payload: Record<string, string> }
  | { kind: 'interactive'; payload: Record<string, unknown> };

export interface Deliverer {
  deliver(d: Delivery, opts?: { tamper?: Tamper }): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface HttpDelivererOptions {
  requestUrl: string;
  signingSecret: string;
  /** Slack waits 3 s for an answer. @default 3000 */
  ackTimeoutMs: number;
  log: Logger;
}

export function encodeForHttp(d: Delivery): { body: string; contentType: string } {
  switch (d.kind) {
    case 'events_api':
      return { body: JSON.stringify(d.payload), contentType: 'application/json' };
    case 'slash_commands':
      return { body: new URLSearchParams(d.payload).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'interactive':
      return { body: new URLSearchParams({ payload: JSON.stringify(d.payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
  }
}

/**
 * Delivers over HTTP as Slack does: a signed POST to the app's request URL. Signatures use the
 * real clock (not the sandbox's injected one): the bot checks them against its own clock.
 */
export function createHttpDeliverer(options: HttpDelivererOptions): Deliverer {
  const log = options.log.child({ module: 'sandbox.delivery.http' });
  const inFlight = new Set<AbortController>();
  return {
    async deliver(d, opts = {}) {
      const { body, contentType } = encodeForHttp(d);
      const headers = {
        'content-type': contentType,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...signedHeaders(options.signingSecret, Math.floor(Date.now() / 1000), body, opts.tamper),
      };
      const abort = new AbortController();
      inFlight.add(abort);
      const timer = setTimeout(() => abort.abort(new Error(`no answer within ${options.ackTimeoutMs} ms (Slack's ack deadline)`)), options.ackTimeoutMs);
      try {
        const res = await fetch(options.requestUrl, { method: 'POST', headers, body, signal: abort.signal });
        const text = await res.text();
        let parsed: unknown = text === '' ? undefined : text;
        if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        log.debug({ kind: d.kind, status: res.status }, 'delivered');
        return { status: res.status, body: parsed };
      } catch (err) {
        const cause = (err as Error).cause instanceof Error ? ` (${((err as Error).cause as Error).message})` : '';
        const reason = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : `${(err as Error).message}${cause}`;
        log.warn({ kind: d.kind, err: reason }, 'delivery failed');
        return { status: 0, body: undefined, error: `${d.kind} to ${options.requestUrl}: ${reason}` };
      } finally {
        clearTimeout(timer);
        inFlight.delete(abort);
      }
    },
    async close() {
      for (const a of inFlight) a.abort(new Error('sandbox closed'));
    },
  };
}
