import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * A local OpenAI-compatible server for tests (BRIEF.md: no internet; the LLM path is tested
 * over real HTTP through the real `openai` client). It serves POST /v1/chat/completions,
 * parses and checks each request the way the API would (JSON body, model, messages), records
 * it, and answers from a script the test sets: JSON text, a tool call, an HTTP error with
 * headers, or a reply held open until the client gives up.
 */

export type ScriptedReply =
  /** An assistant message with this text content. */
  | { content: string }
  /** An assistant message calling a function, as OpenAI answers for function calling. */
  | { toolCall: { arguments: string; name?: string } }
  /** An HTTP error in OpenAI's shape: {"error":{"message","type","code"}}. */
  | { status: number; message?: string; code?: string; headers?: Record<string, string> }
  /** No reply at all: the request is held open until the client disconnects. */
  | { hold: true };

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.null(), z.array(z.object({ type: z.string() }).passthrough())]),
});

const requestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema).min(1),
    tools: z
      .array(z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()) }) }))
      .optional(),
    tool_choice: z.unknown().optional(),
    response_format: z.object({ type: z.enum(['text', 'json_object', 'json_schema']) }).passthrough().optional(),
    stream: z.boolean().optional(),
    temperature: z.number().optional(),
  })
  .passthrough();

export type ChatRequest = z.output<typeof requestSchema>;

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  body: ChatRequest;
}

export interface OpenAiTestServer {
  /** e.g. http://127.0.0.1:41234/v1, as OPENAI_BASE_URL takes it. */
  readonly baseUrl: string;
  /** Valid chat completion requests, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests refused as malformed (a client bug if any): method, path and why. */
  readonly rejected: string[];
  /** Appends replies for the next requests, in order; a request beyond the script gets a 400. */
  script(...replies: ScriptedReply[]): void;
  /** Resolves once a held request has been abandoned by the client (it timed out). */
  clientGaveUp(): Promise<void>;
  /** Forgets requests and script between tests. */
  reset(): void;
  close(): Promise<void>;
}

export async function startOpenAiServer(): Promise<OpenAiTestServer> {
  const requests: RecordedRequest[] = [];
  const rejected: string[] = [];
  let queue: ScriptedReply[] = [];
  let gaveUp = 0;
  const gaveUpWaiters: Array<() => void> = [];
  let n = 0;

  const fail = (res: ServerResponse, status: number, message: string, extra: { code?: string; headers?: Record<string, string> } = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...extra.headers });
    res.end(JSON.stringify({ error: { message, type: status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: extra.code ?? null } }));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        rejected.push(`${req.method} ${req.url}: not an endpoint here`);
        return fail(res, 404, `Unknown request URL: ${req.method} ${req.url}`);
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        rejected.push(`content-type ${req.headers['content-type']}`);
        return fail(res, 400, 'expected a JSON body (content-type: application/json)');
      }
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        rejected.push(`body is not JSON: ${(err as Error).message}`);
        return fail(res, 400, 'We could not parse the JSON body of your request.');
      }
      const parsed = requestSchema.safeParse(json);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        rejected.push(why);
        return fail(res, 400, `Invalid request: ${why}`);
      }
      requests.push({ headers: req.headers, body: parsed.data });
      const reply = queue.shift();
      if (!reply) return fail(res, 400, 'openai test server: no scripted reply left for this request');
      if ('hold' in reply) {
        res.on('close', () => {
          gaveUp++;
          for (const w of gaveUpWaiters.splice(0)) w();
        });
        return;
      }
      if ('status' in reply) return fail(res, reply.status, reply.message ?? `scripted HTTP ${reply.status}`, { ...(reply.code ? { code: reply.code } : {}), ...(reply.headers ? { headers: reply.headers } : {}) });
      n++;
      const toolChoice = parsed.data.tool_choice as { function?: { name?: string } } | undefined;
      const message =
        'toolCall' in reply
          ? {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: `call_${n}`, type: 'function', function: { name: reply.toolCall.name ?? toolChoice?.function?.name ?? 'opsight_answer', arguments: reply.toolCall.arguments } }],
            }
          : { role: 'assistant', content: reply.content, refusal: null };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-test-${n}`,
          object: 'chat.completion',
          created: 1_780_000_000,
          model: parsed.data.model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: 'toolCall' in reply ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        }),
      );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let consumedGaveUp = 0;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    rejected,
    script: (...replies) => void queue.push(...replies),
    clientGaveUp: () =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (gaveUp > consumedGaveUp) {
            consumedGaveUp++;
            resolve();
            return true;
          }
          return false;
        };
        if (!check()) gaveUpWaiters.push(() => void check());
      }),
    reset: () => {
      requests.length = 0;
      rejected.length = 0;
      queue = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Held replies would keep the server open forever.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
