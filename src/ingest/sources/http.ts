import { createHash, timingSafeEqual } from 'node:crypto';
import { OpsightError } from '../../errors.js';
import type { Logger } from '../../ops/index.js';
import { HttpError, formatBytes, readBody, sendJson, type Route } from '../../server/index.js';
import type { EventSink } from '../source.js';

/**
 * POST /v1/events. The body is a JSON array of envelopes, or NDJSON (which also covers a
 * single object). Decoding is split into pure steps (bytes → lines → values) shared with the
 * file source, so a bad line is dead-lettered the same way whichever door it came through.
 */

export const INGEST_LIMITS = {
  /** Largest request body. @default 10 MiB */
  maxBodyBytes: 10 * 1024 * 1024,
  /** Largest single NDJSON line / CSV record / array element in a file. @default 1 MiB */
  maxLineBytes: 1024 * 1024,
  /**
   * A too-large line is dead-lettered with only its first 64 KiB (the error column says so and
   * gives the real size). Keeping megabytes of one hostile line in ClickHouse buys nothing:
   * the prefix shows what the producer sent, and the producer still has the original.
   */
  deadLetterPayloadBytes: 64 * 1024,
  /**
   * Deepest nesting accepted in one value. A valid envelope is 2 deep (event → dims → value);
   * V8's JSON.parse copes with any depth, but JSON.stringify and recursive code overflow the
   * stack around 10k levels, so anything this deep is refused before it reaches them.
   */
  maxDepth: 32,
  /** Line errors listed in one response; the rest are counted in errors_omitted. */
  maxErrorsReported: 1000,
} as const;

export type DecodeReason = 'not_json' | 'invalid_utf8' | 'too_large';

/** One unit of input (an NDJSON line, an array element, a CSV record) after decoding. */
export type Decoded =
  | { ok: true; at: number; value: unknown }
  | { ok: false; at: number; reason: DecodeReason; error: string; payload: string };

/** A per-line (or per-element) error as the client and the replay report see it. */
export interface LineError {
  line?: number;
  index?: number;
  reason: string;
  error: string;
}

export interface DecodeLimits {
  maxLineBytes: number;
  deadLetterPayloadBytes: number;
  maxDepth: number;
}

const DEFAULT_DECODE_LIMITS: DecodeLimits = INGEST_LIMITS;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * true when `value` nests deeper than `max`. Recursive, but it never goes deeper than `max`
 * (it stops there), so it cannot overflow the stack whatever the input.
 */
export function exceedsDepth(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (exceedsDepth(child, max - 1)) return true;
    return false;
  }
  for (const key in value) if (exceedsDepth((value as Record<string, unknown>)[key], max - 1)) return true;
  return false;
}

/** JSON.parse's message, shortened: V8 quotes the input, which may be huge. */
function parseErrorMessage(err: unknown): string {
  if (err instanceof RangeError) return `nesting too deep to parse (${err.message})`;
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

function tooLarge(at: number, head: Uint8Array, totalBytes: number, limits: DecodeLimits): Extract<Decoded, { ok: false }> {
  const kept = head.subarray(0, limits.deadLetterPayloadBytes);
  return {
    ok: false,
    at,
    reason: 'too_large',
    error: `${formatBytes(totalBytes)} (${totalBytes} bytes) is over the ${formatBytes(limits.maxLineBytes)} limit per event; dead letter keeps the first ${formatBytes(kept.length)}`,
    // Lenient decode: the cut may fall inside a multi-byte character.
    payload: lenientUtf8.decode(kept),
  };
}

/**
 * Decodes one line of text. Returns undefined for a blank line (ignored, as NDJSON readers do).
 * `byteLength` may be passed when the caller knows it, to skip measuring.
 */
export function decodeLineText(text: string, at: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS, byteLength?: number): Decoded | undefined {
  // A UTF-16 length × 3 bounds the UTF-8 length, so most lines are never measured.
  if (text.length * 3 > limits.maxLineBytes) {
    const bytes = byteLength ?? Buffer.byteLength(text);
    if (bytes > limits.maxLineBytes) return tooLarge(at, Buffer.from(text.slice(0, limits.deadLetterPayloadBytes)), bytes, limits);
  }
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, at, reason: 'not_json', error: parseErrorMessage(err), payload: text };
  }
  if (exceedsDepth(value, limits.maxDepth)) {
    return { ok: false, at, reason: 'not_json', error: `too_deep: nested more than ${limits.maxDepth} levels`, payload: text };
  }
  return { ok: true, at, value };
}

/**
 * Raw bytes → text, refusing what is over the size limit or not UTF-8 (the checks every
 * format shares). `totalBytes` > bytes.length when the reader kept only a prefix.
 */
export function decodeText(bytes: Uint8Array, at: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS, totalBytes = bytes.length): { ok: true; text: string } | Extract<Decoded, { ok: false }> {
  if (totalBytes > limits.maxLineBytes) return tooLarge(at, bytes, totalBytes, limits);
  try {
    return { ok: true, text: fatalUtf8.decode(bytes) };
  } catch {
    return { ok: false, at, reason: 'invalid_utf8', error: 'not valid UTF-8', payload: Buffer.from(bytes).toString('base64') };
  }
}

/** Decodes one line of raw bytes: size, then UTF-8, then JSON. */
export function decodeLineBytes(bytes: Uint8Array, at: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS, totalBytes = bytes.length): Decoded | undefined {
  const text = decodeText(bytes, at, limits, totalBytes);
  return text.ok ? decodeLineText(text.text, at, limits, bytes.length) : text;
}

export type ParsedBody =
  /** A JSON array: one item per element, `at` is the 0-based index. */
  | { kind: 'array'; items: Decoded[] }
  /** A body that starts with `[` but is not a JSON array: refused whole. */
  | { kind: 'invalid'; reason: 'not_json' | 'invalid_utf8'; error: string; payload: string }
  /** NDJSON (or one object): one item per non-blank line, `at` is the 1-based line number. */
  | { kind: 'lines'; items: Decoded[] };

function firstNonSpaceByte(bytes: Uint8Array): number | undefined {
  let i = 0;
  // Skip a UTF-8 byte order mark; TextDecoder drops it too.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  for (; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return undefined;
}

/** The whole dead-letter payload for a body refused at once, under the same size rule as a line. */
function bodyPayload(bytes: Uint8Array, limits: DecodeLimits, encoding: 'utf8' | 'base64'): string {
  const kept = bytes.length > limits.maxLineBytes ? bytes.subarray(0, limits.deadLetterPayloadBytes) : bytes;
  return encoding === 'base64' ? Buffer.from(kept).toString('base64') : lenientUtf8.decode(kept);
}

function arrayBody(bytes: Uint8Array, limits: DecodeLimits): ParsedBody {
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    // An array has no line structure to salvage valid parts from: refuse it whole.
    return { kind: 'invalid', reason: 'invalid_utf8', error: 'request body is not valid UTF-8', payload: bodyPayload(bytes, limits, 'base64') };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', reason: 'not_json', error: `request body is not a JSON array: ${parseErrorMessage(err)}`, payload: bodyPayload(bytes, limits, 'utf8') };
  }
  if (!Array.isArray(value)) {
    return { kind: 'invalid', reason: 'not_json', error: 'request body starts with [ but is not a JSON array', payload: bodyPayload(bytes, limits, 'utf8') };
  }
  const items = value.map((element, index): Decoded => {
    if (!exceedsDepth(element, limits.maxDepth)) return { ok: true, at: index, value: element };
    let payload: string;
    try {
      payload = JSON.stringify(element);
    } catch {
      payload = '<element nested too deep to re-serialise>';
    }
    return { ok: false, at: index, reason: 'not_json', error: `too_deep: nested more than ${limits.maxDepth} levels`, payload };
  });
  return { kind: 'array', items };
}

/** Fast path: the body is valid UTF-8 text. */
function textLines(text: string, limits: DecodeLimits): Decoded[] {
  const items: Decoded[] = [];
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const item = decodeLineText(raw, line, limits);
    if (item) items.push(item);
    start = end + 1;
  }
  return items;
}

/** Slow path: some bytes are not UTF-8, so lines are cut on raw bytes and decoded one by one. */
function byteLines(bytes: Uint8Array, limits: DecodeLimits): Decoded[] {
  const items: Decoded[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    const item = decodeLineBytes(bytes.subarray(start, stop), line, limits);
    if (item) items.push(item);
    start = end + 1;
  }
  return items;
}

/**
 * Pure: request body → decoded items. First non-space character `[` → one JSON array;
 * anything else → NDJSON. A pretty-printed single object spans lines, so when the first line
 * does not parse but the whole body does, the body is taken as that one value.
 */
export function parseBody(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): ParsedBody {
  const first = firstNonSpaceByte(bytes);
  if (first === undefined) return { kind: 'lines', items: [] };
  if (first === 0x5b /* [ */) return arrayBody(bytes, limits);
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    return { kind: 'lines', items: byteLines(bytes, limits) };
  }
  const items = textLines(text, limits);
  if (items.length > 1 && !items[0]!.ok && items[0]!.reason === 'not_json') {
    const whole = decodeLineText(text, 1, { ...limits, maxLineBytes: Number.POSITIVE_INFINITY });
    if (whole?.ok) return { kind: 'lines', items: [whole] };
  }
  return { kind: 'lines', items };
}

export interface DeliverResult {
  accepted: number;
  /** Every refused unit, in input order. */
  errors: LineError[];
}

/**
 * Hands decoded units to the sink: undecodable ones to reject() (error prefixed with where it
 * was), the rest to one push(); the push's per-index refusals are mapped back to lines.
 * Awaiting push() is the backpressure.
 */
export async function deliver(sink: EventSink, items: readonly Decoded[], source: string, key: 'line' | 'index'): Promise<DeliverResult> {
  const values: unknown[] = [];
  const positions: number[] = [];
  const errors: LineError[] = [];
  const failed: Array<Extract<Decoded, { ok: false }>> = [];
  for (const item of items) {
    if (item.ok) {
      values.push(item.value);
      positions.push(item.at);
    } else {
      failed.push(item);
    }
  }
  // Push first: accepted events matter most if the store fails halfway through.
  const pushed = values.length > 0 ? await sink.push(values, source) : { accepted: 0, rejected: [] };
  await sink.reject(failed.map((f) => ({ raw: f.payload, reason: f.reason, error: `${key} ${f.at}: ${f.error}` })), source);
  for (const f of failed) errors.push({ [key]: f.at, reason: f.reason, error: f.error });
  for (const r of pushed.rejected) errors.push({ [key]: positions[r.index] ?? r.index, reason: r.reason, error: r.error });
  errors.sort((a, b) => (a[key] ?? 0) - (b[key] ?? 0));
  return { accepted: pushed.accepted, errors };
}

export interface IngestResponseBody {
  accepted: number;
  rejected: number;
  errors: LineError[];
  /** Present when more errors happened than are listed. */
  errors_omitted?: number;
}

/**
 * Pure: 202 when something was accepted or nothing was wrong; 400 when everything sent was
 * refused. Either way the body lists what was refused and why.
 */
export function ingestResponse(result: DeliverResult, maxErrors: number = INGEST_LIMITS.maxErrorsReported): { status: 202 | 400; body: IngestResponseBody } {
  const rejected = result.errors.length;
  const body: IngestResponseBody = { accepted: result.accepted, rejected, errors: result.errors.slice(0, maxErrors) };
  if (rejected > maxErrors) body.errors_omitted = rejected - maxErrors;
  return { status: result.accepted > 0 || rejected === 0 ? 202 : 400, body };
}

/** Constant-time comparison of a bearer token (digests first, so lengths do not leak either). */
export function checkBearer(header: string | undefined, token: string): 'ok' | 'missing' | 'invalid' {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!m) return header ? 'invalid' : 'missing';
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) ? 'ok' : 'invalid';
}

/** Content types the endpoint reads; no type at all is taken as JSON too. */
const ACCEPTED_TYPES = new Set(['', 'application/json', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain']);

export interface EventsRouteOptions {
  sink: EventSink;
  /** Bearer token required when set (OPSIGHT_INGEST_TOKEN); undefined = open. */
  token?: string | undefined;
  /** Largest request body in bytes. @default 10 MiB */
  maxBodyBytes?: number;
  /** Largest single line in bytes. @default 1 MiB */
  maxLineBytes?: number;
  log: Logger;
  /** Metrics label and default `source` of events. @default "http" */
  source?: string;
}

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_S = 5;

export function eventsRoute(options: EventsRouteOptions): Route {
  const { sink, token } = options;
  const maxBodyBytes = options.maxBodyBytes ?? INGEST_LIMITS.maxBodyBytes;
  const limits: DecodeLimits = { ...INGEST_LIMITS, maxLineBytes: options.maxLineBytes ?? INGEST_LIMITS.maxLineBytes };
  const source = options.source ?? 'http';
  const log = options.log.child({ module: 'ingest.http' });
  return {
    method: 'POST',
    path: '/v1/events',
    async handler(req, res) {
      if (token !== undefined) {
        const auth = checkBearer(req.headers.authorization, token);
        if (auth !== 'ok') {
          // RFC 6750 §3: no error code when credentials are absent, invalid_token when wrong.
          const challenge = auth === 'missing' ? 'Bearer realm="opsight"' : 'Bearer realm="opsight", error="invalid_token"';
          const error = auth === 'missing' ? 'missing bearer token: send Authorization: Bearer <OPSIGHT_INGEST_TOKEN>' : 'invalid bearer token';
          sendJson(res, 401, { error }, { 'www-authenticate': challenge });
          return;
        }
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!ACCEPTED_TYPES.has(contentType) && !contentType.endsWith('+json')) {
        throw new HttpError(415, `unsupported Content-Type ${contentType}: send application/json (an array or one object) or application/x-ndjson (one event per line)`);
      }
      const body = await readBody(req, maxBodyBytes);
      const parsed = parseBody(body, limits);
      try {
        if (parsed.kind === 'invalid') {
          await sink.reject([{ raw: parsed.payload, reason: parsed.reason, error: parsed.error }], source);
          sendJson(res, 400, { error: parsed.error, accepted: 0, rejected: 1, errors: [{ reason: parsed.reason, error: parsed.error }] });
          return;
        }
        const result = await deliver(sink, parsed.items, source, parsed.kind === 'array' ? 'index' : 'line');
        const { status, body: answer } = ingestResponse(result);
        log.debug({ bytes: body.length, accepted: answer.accepted, rejected: answer.rejected }, 'events received');
        sendJson(res, status, answer);
      } catch (err) {
        // Shutting down, or the store is unreachable: the client should retry, and can safely
        // resend everything because ids make re-delivery idempotent.
        if (err instanceof OpsightError && (err.code === 'opsight_ingest_closed' || err.retriable)) {
          log.warn({ code: err.code, err: err.message }, 'events refused for now');
          sendJson(res, 503, { error: err.userMessage ?? err.message }, { 'retry-after': String(RETRY_AFTER_S) });
          return;
        }
        throw err;
      }
    },
  };
}
