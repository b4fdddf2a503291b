import { createHmac } from 'node:crypto';

/**
 * Slack's request signing (docs.slack.dev "Verifying requests from Slack"): X-Slack-Signature is
 * `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the signing secret, and
 * X-Slack-Request-Timestamp is that timestamp in seconds. Pure: the caller picks the time.
 */
export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

/** Ways to send a request the bot must refuse, for tests of its signature check. */
export type Tamper = 'signature' | 'stale';

/** Bolt refuses timestamps more than 5 minutes old; 10 minutes is unambiguously stale. */
export const STALE_BY_SEC = 600;

export function signedHeaders(signingSecret: string, nowSec: number, rawBody: string, tamper?: Tamper): Record<string, string> {
  const ts = tamper === 'stale' ? nowSec - STALE_BY_SEC : nowSec;
  const secret = tamper === 'signature' ? `${signingSecret}-not-the-secret` : signingSecret;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(secret, ts, rawBody) };
}
