import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configError, timeZoneSchema, type ConfigProblem } from '../../config/index.js';
import type { Catalog } from '../../semantic/index.js';
import { ROLLED_UP_TYPES, ROLLUP_DIMS, ROLLUP_QUANTILE_FIELDS, ROLLUP_QUANTILE_LEVELS, ROLLUP_SUM_FIELDS, ROLLUP_UNIQ_TYPES, ROLLUPS } from '../../store/index.js';
import type { PlanContext } from '../planner.js';
import * as T from '../time.js';
import { checkOutput } from './check.js';
import { llmOutputSchema, type LlmOutput } from './output.js';

/**
 * prompts/: the LLM planner's words, as Markdown people can edit without touching code
 * (prompts/README.md explains each file). Loaded once at start-up and checked like rules/:
 * a missing file, an unknown or missing {{placeholder}}, or an example the catalog cannot
 * answer fails with `file:line field: message`. Rendering is pure.
 */

export const PROMPT_FILES = {
  system: 'system.md',
  user: 'user.md',
  repair: 'repair.md',
  examples: 'examples.md',
} as const;

/** Placeholders each template must use, and those it may use. */
const PLACEHOLDERS = {
  system: { required: ['metrics', 'dimensions', 'rollup_tables', 'examples'], optional: [] },
  user: { required: ['question', 'now', 'tz'], optional: ['local_now', 'calendar'] },
  repair: { required: ['previous', 'error'], optional: [] },
} as const satisfies Record<string, { required: readonly string[]; optional: readonly string[] }>;

type TemplateName = keyof typeof PLACEHOLDERS;

export interface PromptTemplate {
  file: string;
  /** Text with maintainers' <!-- comments --> removed; {{placeholders}} still in it. */
  text: string;
}

export interface PromptExample {
  question: string;
  now: Date;
  tz: string;
  /** The answer exactly as written in the file (re-serialised compactly for the prompt). */
  answer: unknown;
  output: LlmOutput;
  line: number;
}

export interface LlmPrompts {
  readonly system: PromptTemplate;
  readonly user: PromptTemplate;
  readonly repair: PromptTemplate;
  readonly examples: readonly PromptExample[];
}

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const COMMENT_RE = /<!--[\s\S]*?-->/g;

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * Reads and checks prompts/ against the catalog (every example must be an answer the planner
 * would accept). Throws one `opsight_config_invalid` error listing every problem.
 */
export function loadPrompts(dir: string, catalog: Catalog): LlmPrompts {
  const problems: ConfigProblem[] = [];
  const templates = {} as Record<TemplateName, PromptTemplate>;
  for (const name of Object.keys(PLACEHOLDERS) as TemplateName[]) {
    const file = join(dir, PROMPT_FILES[name]);
    const raw = readText(file, problems);
    if (raw === undefined) continue;
    checkPlaceholders(file, raw, PLACEHOLDERS[name], problems);
    templates[name] = { file, text: raw.replace(COMMENT_RE, '').replace(/\n{3,}/g, '\n\n').trim() };
  }
  const examplesFile = join(dir, PROMPT_FILES.examples);
  const examplesText = readText(examplesFile, problems);
  const examples = examplesText === undefined ? [] : parseExamples(examplesFile, examplesText, catalog, problems);
  if (problems.length > 0) throw configError(problems);
  return Object.freeze({ system: templates.system, user: templates.user, repair: templates.repair, examples: Object.freeze(examples) });
}

function readText(file: string, problems: ConfigProblem[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file, line: 1, field: '', message: `cannot read prompt file (${(err as Error).message}); OPSIGHT_PROMPTS_DIR must hold ${Object.values(PROMPT_FILES).join(', ')}` });
    return undefined;
  }
}

function checkPlaceholders(file: string, raw: string, allowed: { required: readonly string[]; optional: readonly string[] }, problems: ConfigProblem[]): void {
  const text = raw.replace(COMMENT_RE, (c) => c.replace(/[^\n]/g, ' ')); // keep line numbers
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    const name = m[1]!;
    seen.add(name);
    if (!allowed.required.includes(name) && !allowed.optional.includes(name)) {
      problems.push({ file, line: lineAt(text, m.index), field: `{{${name}}}`, message: `unknown placeholder; this file may use ${[...allowed.required, ...allowed.optional].map((p) => `{{${p}}}`).join(', ')}` });
    }
  }
  for (const name of allowed.required) {
    if (!seen.has(name)) problems.push({ file, line: 1, field: `{{${name}}}`, message: 'required placeholder is missing (outside <!-- comments -->)' });
  }
}

// ---------------------------------------------------------------------------------------
// examples.md: "## Q: question", then "- now: ISO" and "- tz: Zone", then one ```json block

const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(s) && !Number.isNaN(Date.parse(s)), {
  message: 'expected an ISO-8601 UTC instant such as 2026-11-21T09:30:00Z',
});
const zone = timeZoneSchema;
const exampleSchema = z.strictObject({
  question: z.string().trim().min(1, { message: 'the question after "## Q:" is empty' }),
  now: instant,
  tz: zone,
  answer: llmOutputSchema,
});

interface RawExample {
  line: number;
  question: string;
  meta: Record<string, { value: string; line: number }>;
  json?: { text: string; line: number };
  problems: ConfigProblem[];
}

function parseExamples(file: string, text: string, catalog: Catalog, problems: ConfigProblem[]): PromptExample[] {
  const lines = text.replace(COMMENT_RE, (c) => c.replace(/[^\n]/g, ' ')).split('\n');
  const raws: RawExample[] = [];
  let current: RawExample | undefined;
  let fence: { start: number; body: string[] } | undefined;
  lines.forEach((lineText, i) => {
    const line = i + 1;
    if (fence) {
      if (/^```\s*$/.test(lineText)) {
        if (current) {
          if (current.json) problems.push({ file, line: fence.start, field: 'answer', message: 'a second ```json block; each example has exactly one answer' });
          else current.json = { text: fence.body.join('\n'), line: fence.start };
        }
        fence = undefined;
      } else fence.body.push(lineText);
      return;
    }
    const heading = /^##\s+(.*)$/.exec(lineText);
    if (heading) {
      const q = /^Q:\s*(.*)$/.exec(heading[1]!.trim());
      if (!q) {
        problems.push({ file, line, field: '', message: 'every "##" heading starts an example and reads "## Q: <question>"' });
        current = undefined;
        return;
      }
      current = { line, question: q[1]!.trim(), meta: {}, problems: [] };
      raws.push(current);
      return;
    }
    if (!current) return; // prose before the first example
    const meta = /^[-*]\s*(now|tz)\s*:\s*(.*?)\s*$/.exec(lineText);
    if (meta) {
      current.meta[meta[1]!] = { value: meta[2]!.replace(/^`|`$/g, ''), line };
      return;
    }
    if (/^```(json)?\s*$/.test(lineText)) fence = { start: line, body: [] };
  });
  if (fence) problems.push({ file, line: fence.start, field: 'answer', message: 'the ```json block is never closed' });
  if (raws.length === 0) problems.push({ file, line: 1, field: '', message: 'no examples; add at least one "## Q: …" section' });

  const examples: PromptExample[] = [];
  raws.forEach((raw, index) => {
    const where = `examples[${index}]`;
    const at = (line: number, field: string, message: string) => problems.push({ file, line, field: field ? `${where}.${field}` : where, message: `${message} (Q: ${raw.question})` });
    if (!raw.json) return at(raw.line, 'answer', 'missing the ```json answer block');
    let answer: unknown;
    try {
      answer = JSON.parse(raw.json.text);
    } catch (err) {
      return at(raw.json.line, 'answer', `not valid JSON: ${(err as Error).message}`);
    }
    const parsed = exampleSchema.safeParse({ question: raw.question, now: raw.meta.now?.value, tz: raw.meta.tz?.value, answer });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '');
        const line = key === 'now' || key === 'tz' ? (raw.meta[key]?.line ?? raw.line) : key === 'answer' ? raw.json.line : raw.line;
        const message = (key === 'now' || key === 'tz') && !raw.meta[key] ? `missing "- ${key}: …" line` : issue.message;
        at(line, issue.path.join('.'), message);
      }
      return;
    }
    const ex = parsed.data;
    const ctx: PlanContext = { now: new Date(ex.now), tz: ex.tz };
    // The example must be an answer the planner itself would accept, or it teaches a mistake.
    const checked = checkOutput(ex.answer, catalog, ctx);
    if (!checked.ok) return at(raw.json.line, 'answer', checked.error);
    examples.push({ question: ex.question, now: ctx.now, tz: ex.tz, answer, output: ex.answer, line: raw.line });
  });
  return examples;
}

// ---------------------------------------------------------------------------------------
// Rendering

function fill(template: PromptTemplate, values: Record<string, string>): string {
  return template.text.replace(PLACEHOLDER_RE, (_, name: string) => values[name] ?? '');
}

const DIRECTION_WORDS = { up_is_good: 'up is good', up_is_bad: 'up is bad', neutral: 'neutral: neither up nor down is better' } as const;

/** The metric list of the system prompt: ids, labels, units, direction, synonyms, definitions, dimensions. */
export function renderMetrics(catalog: Catalog): string {
  return Object.values(catalog.metrics)
    .map((m) => {
      const said = m.synonyms.length ? ` People say: ${m.synonyms.join(', ')}.` : '';
      return `- \`${m.id}\` — ${m.label} (${m.unit}; ${DIRECTION_WORDS[m.direction]}). ${m.definition}${said} Can be cut by: ${m.dimensions.join(', ') || 'nothing'}.`;
    })
    .join('\n');
}

/** The dimension list: ids, what people call them, every value and the names people use for values. */
export function renderDimensions(catalog: Catalog): string {
  return Object.values(catalog.dimensions)
    .map((d) => {
      const called = d.synonyms.length ? ` (also: ${d.synonyms.join(', ')})` : '';
      const values = d.values.length ? `values ${d.values.join(', ')}` : 'any value';
      const aliases = Object.entries(d.aliases);
      const said = aliases.length ? `; people say ${aliases.map(([a, v]) => `"${a}" for ${v}`).join(', ')}` : '';
      return `- \`${d.id}\`${called}: ${values}${said}.`;
    })
    .join('\n');
}

/**
 * The rollup tables free-form SQL may read (store/migrations.ts), described from the same
 * constants the migrations are built from, so the prompt cannot drift from the schema.
 */
export function renderRollupTables(): string {
  const levels = ROLLUP_QUANTILE_LEVELS.join(', ');
  const suffixes = ROLLUPS.map((r) => r.suffix);
  const bucketWords = ROLLUPS.map((r) => `${r.suffix} = one ${r.level}`).join(', ');
  return [
    `- ${suffixes.map((s) => `rollup_${s}`).join(', ')} (${bucketWords}): one row per bucket, event type and combination of dimension values. Columns:`,
    `  - \`t\` DateTime('UTC'): bucket start; \`type\`: event type (${ROLLED_UP_TYPES.join(', ')})`,
    `  - ${ROLLUP_DIMS.map((d) => `\`${d}\``).join(', ')}: String, '' when the event has no such dimension`,
    `  - \`cnt\`: number of events; ${ROLLUP_SUM_FIELDS.map((f) => `\`sum_${f}\``).join(', ')}: Float64 sums of that measure over the bucket's events`,
    ...ROLLUP_QUANTILE_FIELDS.map((f) => `  - \`q_${f}\`: t-digest state; read it with quantilesTDigestMerge(${levels})(q_${f}) (an array in that order)`),
    `- ${suffixes.map((s) => `users_${s}`).join(', ')}: same \`t\`, \`type\` and dimension columns, plus \`users\` (distinct pseudonymised users; read with uniqMerge(users)); only for ${ROLLUP_UNIQ_TYPES.join(', ')}.`,
    '- A bucket may be spread over several rows until the engine merges them: always aggregate (sum(cnt), sum(sum_revenue)), never read cnt as is.',
  ].join('\n');
}

/** "Wednesday 2026-11-18 16:30" on the zone's wall clock. */
function localTime(ms: number, tz: string): string {
  const wall = T.utcToWall(ms, tz);
  const d = new Date(wall);
  const weekday = T.WEEKDAYS[d.getUTCDay()]!;
  return `${weekday.charAt(0).toUpperCase()}${weekday.slice(1)} ${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

/**
 * Calendar boundaries as UTC instants. Models are unreliable at time-zone arithmetic; handing
 * them the boundaries the time words start from turns it into copying, and they still choose
 * which words mean which window (eval/questions/README.md, summarised in system.md).
 */
export function renderCalendar(now: Date, tz: string): string {
  const ms = now.getTime();
  const iso = T.isoUtc;
  const today = T.today(ms, tz);
  const yesterday = T.yesterday(ms, tz);
  const thisWeek = T.thisWeek(ms, tz);
  const lastWeek = T.lastWeek(ms, tz);
  const thisMonth = T.thisMonth(ms, tz);
  const lastMonth = T.lastMonth(ms, tz);
  const thisYear = T.thisYear(ms, tz);
  return [
    `- start of today: ${iso(today.fromMs)}`,
    `- yesterday: ${iso(yesterday.fromMs)} to ${iso(yesterday.toMs)}`,
    `- start of this week (Monday): ${iso(thisWeek.fromMs)}`,
    `- last week: ${iso(lastWeek.fromMs)} to ${iso(lastWeek.toMs)}`,
    `- start of this month: ${iso(thisMonth.fromMs)}`,
    `- last month: ${iso(lastMonth.fromMs)} to ${iso(lastMonth.toMs)}`,
    `- start of this year: ${iso(thisYear.fromMs)}`,
  ].join('\n');
}

function nowLine(now: Date, tz: string): string {
  return `${T.isoUtc(now.getTime())} (${localTime(now.getTime(), tz)} in ${tz})`;
}

function renderExamples(examples: readonly PromptExample[]): string {
  return examples
    .map((ex, i) => [`### Example ${i + 1}`, `Now: ${nowLine(ex.now, ex.tz)}`, `Question: ${JSON.stringify(ex.question)}`, `Answer: ${JSON.stringify(ex.answer)}`].join('\n'))
    .join('\n\n');
}

/** The system prompt: rules from system.md with the catalog, the rollup tables and the examples filled in. */
export function renderSystemPrompt(prompts: LlmPrompts, catalog: Catalog): string {
  return fill(prompts.system, {
    metrics: renderMetrics(catalog),
    dimensions: renderDimensions(catalog),
    rollup_tables: renderRollupTables(),
    examples: renderExamples(prompts.examples),
  });
}

/** One question as the model sees it: the asker's words, now, zone and calendar boundaries. */
export function renderUserPrompt(prompts: LlmPrompts, question: string, ctx: PlanContext): string {
  return fill(prompts.user, {
    question: question.trim(),
    now: T.isoUtc(ctx.now.getTime()),
    tz: ctx.tz,
    local_now: localTime(ctx.now.getTime(), ctx.tz),
    calendar: renderCalendar(ctx.now, ctx.tz),
  });
}

/** The one repair turn: the rejected reply and why it was rejected. */
export function renderRepairPrompt(prompts: LlmPrompts, previous: string, error: string): string {
  // A reply can be long (or hostile); the model needs the gist, not all of it.
  const shown = previous.length > 4000 ? `${previous.slice(0, 4000)} …(cut)` : previous;
  return fill(prompts.repair, { previous: shown || '(empty)', error });
}
