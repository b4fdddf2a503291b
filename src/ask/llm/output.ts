import { z } from 'zod';
import { COMPARES, GRAINS, planSchema, type Catalog } from '../../semantic/index.js';

/**
 * What the model may answer, and how we read it off the wire. Pure: no client, no clock.
 *
 * Two schemas on purpose:
 *  - `llmOutputSchema` (zod, discriminated on `kind`) is the one we trust: every reply is
 *    validated with it, and a plan inside it with the same `planSchema` the embedded planner's
 *    plans pass (then `validatePlan` against the catalog, in check.ts).
 *  - `wireSchema(catalog)` is a JSON Schema sent to the model as the function's parameters. It
 *    is one flat object (OpenAI function parameters must be an object at the root, and many
 *    OpenAI-compatible servers reject anyOf there), and lists the catalog's metric and
 *    dimension ids as enums so a model that honours schemas cannot invent one. It is a hint
 *    for the model only: nothing it lets through is trusted without `llmOutputSchema`.
 */

export const LLM_OUTPUT_KINDS = ['plan', 'clarify', 'refuse', 'sql'] as const;
export type LlmOutputKind = (typeof LLM_OUTPUT_KINDS)[number];

/**
 * The envelope is a non-strict object: models that see a flat schema often send the other
 * kinds' fields as null ("question": null next to a plan); those are dropped, not an error.
 * The plan inside stays strict (`planSchema`): an unknown plan field is a mistake worth repairing.
 */
export const llmOutputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), plan: planSchema }),
  z.object({
    kind: z.literal('clarify'),
    question: z.string().trim().min(1),
    // Slack shows at most a handful of buttons; more is noise for the reader.
    options: z.array(z.string().trim().min(1)).min(1).max(6),
  }),
  z.object({ kind: z.literal('refuse'), reason: z.string().trim().min(1) }),
  z.object({
    kind: z.literal('sql'),
    sql: z.string().trim().min(1).max(8000),
    explanation: z.string().trim().min(1),
  }),
]);

export type LlmOutput = z.output<typeof llmOutputSchema>;

/** Name of the function the model is asked to call (functionCalling) and of the schema. */
export const ANSWER_FUNCTION = 'opsight_answer';

/** The JSON Schema of one reply, as sent to the model (see the note at the top). */
export function wireSchema(catalog: Catalog): Record<string, unknown> {
  const metricIds = Object.keys(catalog.metrics);
  const dimensionIds = Object.keys(catalog.dimensions);
  const instant = z.string().describe('ISO-8601 UTC instant, e.g. 2026-11-21T00:00:00Z');
  const plan = z
    .object({
      metric: z.enum(metricIds as [string, ...string[]]),
      by: z.array(z.enum(dimensionIds as [string, ...string[]])).describe('dimensions to break the metric down by; [] for one total'),
      filters: z.record(z.string(), z.array(z.string())).describe('dimension id → catalog values to keep, e.g. {"country":["GB"]}'),
      from: instant.describe('inclusive start, UTC'),
      to: instant.describe('exclusive end, UTC; never after now'),
      grain: z.enum(GRAINS).nullable(),
      compare: z.enum(COMPARES).nullable(),
      compare_from: instant.nullable(),
      compare_to: instant.nullable(),
      top: z.object({ n: z.number().int().min(1).max(1000), order: z.enum(['asc', 'desc']) }).nullable(),
    })
    .describe('the query, when kind is "plan"');
  const reply = z.object({
    kind: z.enum(LLM_OUTPUT_KINDS).describe('plan: the catalog can answer; clarify: ask back; refuse: will not answer; sql: only the rollups can answer'),
    plan: plan.optional(),
    question: z.string().optional().describe('kind clarify: the question to ask back'),
    options: z.array(z.string()).optional().describe('kind clarify: 1-6 rephrasings the user can pick'),
    reason: z.string().optional().describe('kind refuse: why, in one sentence'),
    sql: z.string().optional().describe('kind sql: one ClickHouse SELECT over the rollup tables'),
    explanation: z.string().optional().describe('kind sql: what the query computes, in one sentence'),
  });
  const { $schema: _ignored, ...schema } = z.toJSONSchema(reply, { io: 'input' }) as Record<string, unknown>;
  return schema;
}

// ---------------------------------------------------------------------------------------
// Reading a reply

/** The parts of a chat message we read; LangChain's AIMessage has this shape. */
export interface ReplyMessage {
  content: unknown;
  tool_calls?: ReadonlyArray<{ name: string; args: Record<string, unknown> }>;
  invalid_tool_calls?: ReadonlyArray<{ name?: string; args?: string; error?: string }>;
}

export type ReadReply =
  | { ok: true; output: LlmOutput; text: string }
  | { ok: false; error: string; text: string };

/**
 * A reply → a validated `LlmOutput`, or the reason it is not one (sent back to the model in
 * the repair turn, so it says what is wrong in the model's own terms). Reads, in order: a
 * function call's arguments (functionCalling, and servers that answer with a tool call
 * regardless), then the text content (jsonMode, and servers that ignore tool_choice).
 * Parsing is strict JSON.parse: a truncated reply is an error, never a best-effort guess.
 */
export function readReply(message: ReplyMessage): ReadReply {
  const call = message.tool_calls?.[0];
  if (call) {
    const text = JSON.stringify(call.args);
    return validate(call.args, text);
  }
  const broken = message.invalid_tool_calls?.[0];
  if (broken) {
    const text = broken.args ?? '';
    return { ok: false, error: `the function arguments are not valid JSON (${jsonError(text)})`, text };
  }
  const text = stripFence(contentText(message.content));
  if (!text) return { ok: false, error: `the reply was empty; call ${ANSWER_FUNCTION} with one JSON object`, text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `the reply is not valid JSON (${(err as Error).message})`, text };
  }
  return validate(value, text);
}

function validate(value: unknown, text: string): ReadReply {
  const parsed = llmOutputSchema.safeParse(value);
  if (parsed.success) return { ok: true, output: parsed.data, text };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: `the JSON does not match the answer schema: ${issues.join('; ')}`, text };
}

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return 'unparseable';
  } catch (err) {
    return (err as Error).message;
  }
}

/** Message content is a string, or (multimodal) an array of parts of which we read the text ones. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

/** Models often wrap JSON in a ```json fence despite being told not to; that much we forgive. */
function stripFence(text: string): string {
  const t = text.trim();
  const m = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(t);
  return (m ? m[1]! : t).trim();
}
