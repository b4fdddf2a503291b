import { OpsightError } from '../errors.js';
import type { EventSink, PushResult, UndecodedInput } from '../ingest/index.js';

/**
 * When an opsight process is already running it owns the embedded store, so CLI commands
 * talk to it over its local HTTP API instead of opening the store themselves.
 */
export interface Remote {
  baseUrl: string;
  token: string | undefined;
}

/** An opsight answering /healthz on this port, or undefined (fast: 500 ms at most). */
export async function findServer(port: number, token: string | undefined): Promise<Remote | undefined> {
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(500) });
    const body = (await res.json()) as { store?: unknown };
    return typeof body.store === 'string' ? { baseUrl, token } : undefined;
  } catch {
    return undefined;
  }
}

export async function postJson<T>(remote: Remote, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${remote.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(remote.token ? { authorization: `Bearer ${remote.token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as T };
  } catch {
    throw new OpsightError('opsight_unknown', `${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

interface IngestAnswer {
  accepted?: number;
  rejected?: number;
  errors?: Array<{ index?: number; line?: number; reason: string; error: string }>;
  error?: string;
}

/** EventSink over POST /v1/events: the running server validates and dead-letters exactly as locally. */
export class RemoteSink implements EventSink {
  constructor(private readonly remote: Remote) {}

  async push(values: readonly unknown[]): Promise<PushResult> {
    if (values.length === 0) return { accepted: 0, rejected: [] };
    const { status, body } = await postJson<IngestAnswer>(this.remote, '/v1/events', values);
    if (status !== 202 && status !== 400) {
      throw new OpsightError('opsight_unknown', `POST /v1/events answered ${status}: ${body.error ?? 'no reason given'}`, { retriable: status >= 500 });
    }
    return {
      accepted: body.accepted ?? 0,
      rejected: (body.errors ?? []).map((e) => ({ index: e.index ?? e.line ?? -1, reason: e.reason, error: e.error })),
    };
  }

  async reject(inputs: readonly UndecodedInput[]): Promise<void> {
    if (inputs.length === 0) return;
    // Sent as NDJSON lines the server cannot decode either: it writes the dead letters itself
    // (the line numbers in their errors are then those of this request, not of the file).
    const lines = inputs.map(({ raw }) => (raw.includes('\n') ? JSON.stringify(raw) : raw));
    await postJson<IngestAnswer>(this.remote, '/v1/events', lines.join('\n'));
  }
}
