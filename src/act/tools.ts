import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { configError, fieldName, readYamlFile, type ConfigProblem, type LocatedYaml } from '../config/index.js';
import { paramValueProblem } from './params.js';
import { templateNames, wholeTemplate } from './template.js';

/**
 * tools/*.yaml: the automations an alert may suggest, one tool per file named after its id.
 * Everything here is data: what the tool is called, what it takes, how risky it is, who may
 * approve it, and how it would run. Nothing in this module runs anything; running and
 * approving land with the automations issue, which reads `run` and `approval` as declared here.
 */

/** Same id rule as rules/alerts (the `tool:` field there). */
const toolId = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, { message: 'use lower-case letters, digits, _ and - (start with a letter)' });
const paramName = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'expected a lower_snake_case name (it is written {{name}} in templates)' });
const roleName = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'expected a role of rules/access.yaml (lower_snake_case)' });
const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: 'expected an environment variable name such as PAYMENTS_API_URL' });
const oneLine = (max: number) =>
  z.string().min(1).max(max).refine((s) => !/[\r\n]/.test(s), { message: 'keep it to one line' });

/** Slack renders a button label up to 75 chars; 30 keeps three buttons on one row of a card. */
export const TITLE_MAX_CHARS = 30;

export const PARAM_TYPES = ['string', 'number', 'boolean'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];
export type ParamValue = string | number | boolean;

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

const paramSchema = z.strictObject({
  type: z.enum(PARAM_TYPES),
  /** Omitted: required unless it has a default. */
  required: z.boolean().optional(),
  description: oneLine(200),
  enum: z.array(paramValue).min(1).optional(),
  default: paramValue.optional(),
  /** number only: bounds a suggestion or a person cannot exceed (a budget cap, a replica count). */
  min: z.number().optional(),
  max: z.number().optional(),
});

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/**
 * How the automations issue will run it: an HTTP call to the team's own control API. Hosts and
 * tokens stay out of the repo: the file names the environment variables that hold them.
 * Templates `{{param}}` may appear in `path` (URL-encoded when run) and in `body` string values;
 * a body value that is exactly `{{optional_param}}` is left out when that parameter is absent.
 */
const httpRunSchema = z.strictObject({
  kind: z.literal('http'),
  // No GET: an automation changes something, and a GET that changes something is a bug elsewhere.
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  base_url_env: envName,
  path: z.string().regex(/^\/\S*$/, { message: 'start the path with / (no spaces); the host comes from base_url_env' }),
  /** Environment variable holding a bearer token. */
  auth_env: envName.optional(),
  body: z.record(z.string(), jsonValue).optional(),
  timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
});

const runSchema = z.discriminatedUnion('kind', [httpRunSchema]);

const approvalSchema = z.strictObject({
  /** Whether a person must click Approve before it runs. */
  required: z.boolean(),
  /** Roles of rules/access.yaml that may approve it; omitted = the `approve` permission there. */
  roles: z.array(roleName).min(1).optional(),
});

export const toolFileSchema = z.strictObject({
  id: toolId,
  /** The button label. */
  title: oneLine(TITLE_MAX_CHARS),
  /** What it does, one line, with `{{param}}` templates: "Stop all spend on {{campaign}}". */
  description: oneLine(200),
  /** How to do it by hand while automations are off, with templates: "Ads manager → {{campaign}} → Pause". */
  manual: oneLine(300).optional(),
  params: z.record(paramName, paramSchema).default({}),
  risk: z.enum(RISKS),
  approval: approvalSchema,
  run: runSchema,
});

export interface ToolParam {
  readonly type: ParamType;
  readonly required: boolean;
  readonly description: string;
  readonly enum?: readonly ParamValue[];
  readonly default?: ParamValue;
  readonly min?: number;
  readonly max?: number;
}

export type ToolRun = z.output<typeof runSchema>;

export interface Tool {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly manual?: string;
  readonly params: Readonly<Record<string, ToolParam>>;
  readonly risk: Risk;
  readonly approval: { readonly required: boolean; readonly roles?: readonly string[] };
  readonly run: ToolRun;
  /** The file it came from, for messages that point people at it. */
  readonly file: string;
}

export interface ToolCatalog {
  /** `missing` when the directory does not exist: the catalogue is empty, and any rule naming a tool fails its check. */
  readonly source: { readonly kind: 'dir' | 'missing'; readonly dir: string };
  readonly tools: ReadonlyMap<string, Tool>;
  readonly toolIds: ReadonlySet<string>;
}

const EXTENSIONS = new Set(['.yaml', '.yml']);

function toolFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => EXTENSIONS.has(extname(name)) && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => join(dir, name));
}

/** Cross-field checks the schema cannot express; each problem located in the file. */
function buildTool(doc: LocatedYaml<z.output<typeof toolFileSchema>>): { tool?: Tool; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const at = (path: (string | number)[], message: string) =>
    problems.push({ file: doc.file, line: doc.lineOf(path), field: fieldName(path), message });
  const raw = doc.value;

  const stem = basename(doc.file, extname(doc.file));
  if (stem !== raw.id) at(['id'], `the file is ${basename(doc.file)}; name it ${raw.id}.yaml or set id: ${stem}, so that a rule's tool id leads to its file`);

  const params: Record<string, ToolParam> = {};
  for (const [name, p] of Object.entries(raw.params)) {
    const path = ['params', name];
    if (p.required === true && p.default !== undefined) at([...path, 'default'], 'a required parameter has no default; drop one of the two');
    if (p.enum && p.type === 'boolean') at([...path, 'enum'], 'a boolean takes true or false; drop enum');
    p.enum?.forEach((v, i) => {
      if (typeof v !== p.type) at([...path, 'enum', i], `expected a ${p.type} like the parameter's type`);
    });
    if ((p.min !== undefined || p.max !== undefined) && p.type !== 'number') at([...path, p.min !== undefined ? 'min' : 'max'], 'min and max apply to numbers only');
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) at([...path, 'min'], `min ${p.min} is above max ${p.max}`);
    const param: ToolParam = {
      type: p.type,
      required: p.required ?? p.default === undefined,
      description: p.description,
      ...(p.enum ? { enum: p.enum } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.min !== undefined ? { min: p.min } : {}),
      ...(p.max !== undefined ? { max: p.max } : {}),
    };
    if (p.default !== undefined) {
      const problem = paramValueProblem(param, p.default);
      if (problem) at([...path, 'default'], problem);
    }
    params[name] = param;
  }

  // Text shown to people must never come out half-filled, so it may only name parameters that
  // always have a value.
  const alwaysSet = (name: string) => params[name] !== undefined && (params[name].required || params[name].default !== undefined);
  const checkText = (path: (string | number)[], text: string, allowOptionalWhole = false) => {
    for (const name of templateNames(text)) {
      if (!params[name]) at(path, `{{${name}}} is not a parameter of this tool${known(params)}`);
      else if (!alwaysSet(name) && !(allowOptionalWhole && wholeTemplate(text) === name))
        at(path, `{{${name}}} is optional and has no default, so this text could come out half-filled; give it a default or make it required`);
    }
  };
  if (templateNames(raw.title).length > 0) at(['title'], 'the button label is fixed text (a filled label could outgrow the button); put the values in description');
  checkText(['description'], raw.description);
  if (raw.manual !== undefined) checkText(['manual'], raw.manual);
  checkText(['run', 'path'], raw.run.path);
  const walkBody = (value: JsonValue, path: (string | number)[]) => {
    if (typeof value === 'string') checkText(path, value, true);
    else if (Array.isArray(value)) value.forEach((v, i) => walkBody(v, [...path, i]));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkBody(v, [...path, k]);
  };
  if (raw.run.body) walkBody(raw.run.body, ['run', 'body']);

  if (problems.length > 0) return { problems };
  const tool: Tool = {
    id: raw.id,
    title: raw.title,
    description: raw.description,
    ...(raw.manual !== undefined ? { manual: raw.manual } : {}),
    params: Object.freeze(params),
    risk: raw.risk,
    approval: raw.approval,
    run: raw.run,
    file: doc.file,
  };
  return { tool: Object.freeze(tool), problems };
}

function known(params: Record<string, unknown>): string {
  const names = Object.keys(params);
  return names.length === 0 ? ' (it takes none)' : `; it takes: ${names.join(', ')}`;
}

function readTools(toolsDir: string): { catalog?: ToolCatalog; problems: ConfigProblem[] } {
  if (!existsSync(toolsDir)) {
    return { catalog: Object.freeze<ToolCatalog>({ source: { kind: 'missing', dir: toolsDir }, tools: new Map(), toolIds: new Set<string>() }), problems: [] };
  }
  const problems: ConfigProblem[] = [];
  const tools = new Map<string, Tool>();
  let files: string[];
  try {
    files = toolFiles(toolsDir);
  } catch (err) {
    return { problems: [{ file: toolsDir, line: 1, field: '', message: `cannot read the tools directory (${(err as Error).message})` }] };
  }
  for (const file of files) {
    const read = readYamlFile(file, toolFileSchema);
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    const built = buildTool(read.result);
    problems.push(...built.problems);
    if (!built.tool) continue;
    const first = tools.get(built.tool.id);
    if (first) {
      problems.push({ file, line: read.result.lineOf(['id']), field: 'id', message: `tool "${built.tool.id}" is also defined in ${basename(first.file)}; ids must be unique` });
      continue;
    }
    tools.set(built.tool.id, built.tool);
  }
  if (problems.length > 0) return { problems };
  return { catalog: Object.freeze<ToolCatalog>({ source: { kind: 'dir', dir: toolsDir }, tools, toolIds: new Set(tools.keys()) }), problems };
}

/**
 * Loads every tools/*.yaml; throws one error listing every problem with file:line. A missing
 * directory is an empty catalogue (`source.kind: 'missing'`); the rule loader then reports any
 * rule that names a tool.
 */
export function loadTools(toolsDir: string): ToolCatalog {
  const { catalog, problems } = readTools(toolsDir);
  if (!catalog) throw configError(problems);
  return catalog;
}

/** Same as loadTools but returns problems instead of throwing (for `opsight check`). */
export function checkTools(toolsDir: string): ConfigProblem[] {
  return readTools(toolsDir).problems;
}
