import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson, type Route } from '../server/index.js';
import type { CallLog } from './calls.js';
import { applyResponse, type ResponseUrlBook } from './responses.js';
import type { MethodTable } from './spec/index.js';
import { dispatchApiCall, type ApiContext, type RateLimits } from './web-api/index.js';

/**
 * The sandbox's HTTP surface on the product's one port: the Web API, file upload URLs, file
 * downloads and response_urls. (The Socket Mode upgrade and the web page are mounted beside these.)
 */

/** Web API bodies: Slack accepts far less; this only bounds memory. */
const API_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** response_url bodies are one message. */
const RESPONSE_BODY_LIMIT_BYTES = 1024 * 1024;
/** Room for multipart framing around an upload's declared bytes. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface RouteDeps {
  basePath: string;
  ctx: ApiContext;
  methods: MethodTable;
  calls: CallLog;
  rateLimits: RateLimits;
  responseUrls: ResponseUrlBook;
  botToken: string;
  appToken: string | undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** PNG/JPEG/GIF/PDF by signature, else by extension: what Slack would call the file's type. */
export function sniffMimetype(bytes: Buffer, name: string): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const byExt: Record<string, string> = { txt: 'text/plain', csv: 'text/csv', json: 'application/json', svg: 'image/svg+xml', md: 'text/markdown', log: 'text/plain' };
  return (ext && byExt[ext]) ?? 'application/octet-stream';
}

/** The uploaded bytes: the one file part of a multipart body (as WebClient sends), or the raw body. */
async function uploadedBytes(req: IncomingMessage, raw: Buffer): Promise<Buffer> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) return raw;
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
  } catch (err) {
    throw new HttpError(400, `the multipart body does not parse: ${(err as Error).message}`);
  }
  const parts = [...form.values()].filter((v): v is File => typeof v !== 'string');
  if (parts.length !== 1) throw new HttpError(400, `an upload carries exactly one file part; this one has ${parts.length}`);
  return Buffer.from(await parts[0]!.arrayBuffer());
}

export function sandboxRoutes(deps: RouteDeps): Route[] {
  const base = escapeRegExp(deps.basePath);
  const { state } = deps.ctx;

  async function api(req: IncomingMessage, res: ServerResponse, method: string, url: URL) {
    const body = req.method === 'POST' ? await readBody(req, API_BODY_LIMIT_BYTES) : Buffer.alloc(0);
    const answer = dispatchApiCall(method, req.headers, url, body, deps);
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  async function upload(req: IncomingMessage, res: ServerResponse, id: string) {
    const file = state.file(id);
    const refuse = (status: number, error: string, message: string) => {
      deps.calls.record({ method: 'upload', args: { file_id: id }, ok: false, error, messages: [`[ERROR] ${message}`], status });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${error}: ${message}`);
    };
    if (!file) return refuse(404, 'file_not_found', `no upload ${id}; call files.getUploadURLExternal first`);
    if (file.bytes) return refuse(400, 'file_not_found', `${id} was already uploaded; each upload_url takes one upload`);
    const raw = await readBody(req, Math.min(file.length + MULTIPART_OVERHEAD_BYTES, 1024 * 1024 * 1024 + MULTIPART_OVERHEAD_BYTES));
    const bytes = await uploadedBytes(req, raw);
    if (bytes.length !== file.length) {
      return refuse(400, 'upload_length_mismatch', `files.getUploadURLExternal declared ${file.length} bytes; ${bytes.length} arrived`);
    }
    file.bytes = bytes;
    file.mimetype = sniffMimetype(bytes, file.name);
    state.changed();
    deps.calls.record({ method: 'upload', args: { file_id: id, bytes: bytes.length }, ok: true, status: 200 });
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`OK - ${bytes.length}`);
  }

  function download(res: ServerResponse, id: string, url: URL) {
    const file = state.file(id);
    if (!file?.bytes) throw new HttpError(404, `no uploaded file ${id}`);
    const disposition = url.searchParams.has('download') ? 'attachment' : 'inline';
    res.writeHead(200, {
      'content-type': file.mimetype ?? 'application/octet-stream',
      'content-length': file.bytes.length,
      'content-disposition': `${disposition}; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
      'x-content-type-options': 'nosniff',
      // Uploaded content is the bot's, not ours: never let it script the sandbox page's origin.
      'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'cache-control': 'no-store',
    });
    res.end(res.req.method === 'HEAD' ? undefined : file.bytes);
  }

  async function respond(req: IncomingMessage, res: ServerResponse, id: string) {
    const raw = await readBody(req, RESPONSE_BODY_LIMIT_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      deps.calls.record({ method: 'response_url', args: { raw: raw.toString('utf8').slice(0, 200) }, ok: false, error: 'invalid_payload', messages: ['[ERROR] a response_url takes a JSON body'], status: 400, violation: 'invalid_payload: a response_url takes a JSON body' });
      sendJson(res, 400, { ok: false, error: 'invalid_payload' });
      return;
    }
    const args = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : { body };
    const use = deps.responseUrls.use(id);
    if (!use.ok) {
      const status = 404;
      deps.calls.record({ method: 'response_url', args, ok: false, error: use.error, status, ...(use.error === 'unknown_url' ? { violation: 'unknown_url: this response_url was never issued' } : {}) });
      sendJson(res, status, { ok: false, error: use.error });
      return;
    }
    const outcome = applyResponse(deps.ctx, use.target, body);
    if (!outcome.ok) {
      deps.calls.record({ method: 'response_url', args, ok: false, error: outcome.error, messages: outcome.messages, status: 400 });
      sendJson(res, 400, { ok: false, error: outcome.error, response_metadata: { messages: outcome.messages } });
      return;
    }
    deps.calls.record({ method: 'response_url', args, ok: true, status: 200 });
    sendJson(res, 200, { ok: true });
  }

  const apiPath = new RegExp(`^${base}/api/(?<method>[A-Za-z0-9._-]+)$`);
  return [
    { method: 'POST', path: apiPath, handler: (req, res, ctx) => api(req, res, ctx.params.method!, ctx.url) },
    { method: 'GET', path: apiPath, handler: (req, res, ctx) => api(req, res, ctx.params.method!, ctx.url) },
    { method: 'POST', path: new RegExp(`^${base}/upload/(?<id>[A-Za-z0-9]+)$`), handler: (req, res, ctx) => upload(req, res, ctx.params.id!) },
    { method: 'GET', path: new RegExp(`^${base}/files/(?<id>[A-Za-z0-9]+)$`), handler: (_req, res, ctx) => download(res, ctx.params.id!, ctx.url) },
    { method: 'POST', path: new RegExp(`^${base}/response/(?<id>[a-f0-9]+)$`), handler: (req, res, ctx) => respond(req, res, ctx.params.id!) },
  ];
}
