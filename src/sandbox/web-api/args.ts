import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedMethod } from '../spec/index.js';

/**
 * Reading a Web API call the way Slack does: arguments from the query string and the body
 * (form-encoded, as @slack/web-api sends, or JSON), the token from `Authorization: Bearer` or a
 * `token` argument. Pure: the route hands in headers, URL and the raw body.
 */

export interface ParsedRequest {
  token: string | undefined;
  /** Raw arguments, token removed: strings from forms and queries, any JSON value from JSON bodies. */
  args: Record<string, unknown>;
  bodyKind: 'form' | 'json' | 'none';
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; error: 'invalid_json' | 'invalid_form_data'; message: string };

function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function parseApiRequest(headers: IncomingHttpHeaders, url: URL, body: Buffer): ParseResult {
  const args: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) args[k] = v;
  let bodyKind: ParsedRequest['bodyKind'] = 'none';
  const type = mediaType(headers);
  if (body.length > 0) {
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (err) {
        return { ok: false, error: 'invalid_json', message: `the JSON body does not parse (${(err as Error).message})` };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { ok: false, error: 'invalid_json', message: 'a JSON body must be one object of arguments' };
      }
      Object.assign(args, parsed);
      bodyKind = 'json';
    } else if (type === 'application/x-www-form-urlencoded' || type === '') {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) args[k] = v;
      bodyKind = 'form';
    } else {
      return { ok: false, error: 'invalid_form_data', message: `content type ${type} is not one Slack reads for this method; send application/x-www-form-urlencoded or application/json` };
    }
  }
  const auth = headers.authorization;
  const bearer = typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : undefined;
  // Slack reads `token` from forms and query strings, never from a JSON body (JSON needs the header).
  const argToken = bodyKind === 'json' ? undefined : typeof args.token === 'string' ? args.token : undefined;
  delete args.token;
  return { ok: true, request: { token: bearer ?? argToken, args, bodyKind } };
}

export type ArgsResult =
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; error: 'invalid_arguments' | 'invalid_blocks_format'; messages: string[] };

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Coerces one argument to its declared type, or says why it is not one. */
function coerce(name: string, type: ResolvedMethod['args'][string]['type'], value: unknown): { ok: true; value: unknown } | { ok: false; message: string; json?: boolean } {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      // JSON bodies may carry numbers (a ts, a length); Slack reads them as their text.
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, message: `${name} must be a string` };
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === '1' || value === 1) return { ok: true, value: true };
      if (value === 'false' || value === '0' || value === 0) return { ok: true, value: false };
      return { ok: false, message: `${name} must be a boolean (true, false, 1 or 0), got ${JSON.stringify(value)}` };
    case 'number':
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) return { ok: false, message: `${name} must be a number, got ${JSON.stringify(value)}` };
      if (type === 'integer' && !Number.isInteger(n)) return { ok: false, message: `${name} must be an integer, got ${JSON.stringify(value)}` };
      // Keep a ts (number type in the spec) as its exact text: "1732262400.000100" must not lose digits.
      return { ok: true, value: typeof value === 'string' ? value : n };
    }
    case 'array':
    case 'object': {
      let parsed = value;
      if (typeof value === 'string') {
        try {
          parsed = JSON.parse(value);
        } catch {
          return { ok: false, message: `${name} is not valid JSON`, json: true };
        }
      }
      const isArray = Array.isArray(parsed);
      if (type === 'array' ? !isArray : isArray || typeof parsed !== 'object' || parsed === null) {
        return { ok: false, message: `${name} must be a JSON ${type}`, json: true };
      }
      return { ok: true, value: parsed };
    }
  }
}

/**
 * Checks arguments against the method's spec. Unknown arguments are refused (real Slack ignores
 * them, but for the bot one is a typo that silently does nothing); messages use Slack's
 * `[ERROR] …` shape so WebClient logs them.
 */
export function validateArgs(method: ResolvedMethod, raw: Record<string, unknown>): ArgsResult {
  const messages: string[] = [];
  let badBlocksJson = false;
  const out: Record<string, unknown> = {};
  const known = Object.keys(method.args).sort();
  for (const [name, value] of Object.entries(raw)) {
    const spec = method.args[name];
    if (!spec) {
      messages.push(`[ERROR] unknown argument: ${name} (${method.name} takes ${known.length > 0 ? known.join(', ') : 'no arguments'})`);
      continue;
    }
    // An empty value is an absent one (Slack: "missing required field" for channel=).
    if (isBlank(value) || (spec.type !== 'string' && value === '')) continue;
    const c = coerce(name, spec.type, value);
    if (!c.ok) {
      if (c.json && name === 'blocks') badBlocksJson = true;
      messages.push(`[ERROR] ${c.message}`);
      continue;
    }
    out[name] = c.value;
  }
  for (const [name, spec] of Object.entries(method.args)) {
    if (spec.required && isBlank(raw[name])) messages.push(`[ERROR] missing required field: ${name}`);
  }
  if (messages.length > 0) return { ok: false, error: badBlocksJson && messages.length === 1 ? 'invalid_blocks_format' : 'invalid_arguments', messages };
  return { ok: true, args: out };
}
