import { createHash } from 'node:crypto';
import { coerceFilled, paramValueProblem } from './params.js';
import { fillTemplate, templateNames } from './template.js';
import type { ParamValue, Risk, ToolCatalog } from './tools.js';

/**
 * Next-best actions for one alert (issue 5): a rule's `actions:` filled from the alert's labels,
 * checked against tools/, ranked, at most three. Pure: the same rule, labels and tools always
 * give the same buttons with the same ids.
 */

/** One entry of a rule's `actions:` (rules/alerts/*.yaml), as the rule loader parsed it. */
export interface ActionSuggestion {
  readonly tool: string;
  /** Literal values or text with `{{label}}` templates. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Higher first. @default 0 */
  readonly priority?: number;
  /** Offered only when the alert's labels equal all of these. */
  readonly when?: Readonly<Record<string, string>>;
}

export interface SuggestedAction {
  /** Stable for the same tool and parameters: `<tool id>:<10 hex of a hash of the params>`. Fits a Slack action_id. */
  readonly id: string;
  readonly toolId: string;
  /** The button label (≤ 30 chars). */
  readonly title: string;
  /** The tool's one-line description with its parameters filled in. */
  readonly description: string;
  /** How to do it by hand, parameters filled in, when the tool says. */
  readonly manual?: string;
  /** Every parameter the tool will receive, defaults included. */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly risk: Risk;
}

/** Why a suggestion was left out, for logs and for `opsight check`-style explanations. */
export interface SkippedSuggestion {
  /** Index in the rule's `actions:`. */
  readonly index: number;
  readonly reason: string;
}

export interface SuggestOptions {
  /** At most this many actions. @default 3 (issue 5: "up to three next-best actions") */
  readonly max?: number;
  /** Told about every suggestion left out and why. */
  readonly onSkip?: (skipped: SkippedSuggestion) => void;
}

export const DEFAULT_MAX_ACTIONS = 3;

export function suggestActions(
  suggestions: readonly ActionSuggestion[],
  labels: Readonly<Record<string, string>>,
  tools: ToolCatalog,
  options: SuggestOptions = {},
): SuggestedAction[] {
  const max = options.max ?? DEFAULT_MAX_ACTIONS;
  const candidates: { action: SuggestedAction; priority: number }[] = [];
  suggestions.forEach((s, index) => {
    const filled = fillSuggestion(s, labels, tools);
    if ('reason' in filled) options.onSkip?.({ index, reason: filled.reason });
    else candidates.push({ action: filled, priority: s.priority ?? 0 });
  });
  // Array.prototype.sort is stable, so equal priorities keep the rule's order.
  candidates.sort((a, b) => b.priority - a.priority);
  const seen = new Set<string>();
  const out: SuggestedAction[] = [];
  for (const { action } of candidates) {
    const key = `${action.toolId}\u0000${canonicalJson(action.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(action);
    if (out.length >= max) break;
  }
  return out;
}

function fillSuggestion(s: ActionSuggestion, labels: Readonly<Record<string, string>>, tools: ToolCatalog): SuggestedAction | { reason: string } {
  const tool = tools.tools.get(s.tool);
  if (!tool) return { reason: `unknown tool "${s.tool}"` };
  for (const [label, value] of Object.entries(s.when ?? {})) {
    if (labels[label] !== value) return { reason: `when: ${label} is ${labels[label] === undefined ? 'absent' : JSON.stringify(labels[label])}, not ${JSON.stringify(value)}` };
  }
  const params: Record<string, ParamValue> = {};
  for (const [name, raw] of Object.entries(s.params)) {
    const param = tool.params[name];
    if (!param) return { reason: `${s.tool} has no parameter "${name}"` };
    let value = raw;
    if (typeof raw === 'string' && templateNames(raw).length > 0) {
      const filled = fillTemplate(raw, labels);
      if (!filled.ok) return { reason: `params.${name}: the alert has no ${filled.missing.map((m) => `"${m}"`).join(', ')} label` };
      value = coerceFilled(param, filled.text);
    }
    const problem = paramValueProblem(param, value);
    if (problem) return { reason: `params.${name}: ${problem}` };
    params[name] = value;
  }
  for (const [name, param] of Object.entries(tool.params)) {
    if (params[name] !== undefined) continue;
    if (param.default !== undefined) params[name] = param.default;
    else if (param.required) return { reason: `params.${name} is required by ${s.tool} and was not given` };
  }
  // The tool loader guarantees these texts name only parameters that always have a value.
  const text = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const description = fillTemplate(tool.description, text);
  const manual = tool.manual === undefined ? undefined : fillTemplate(tool.manual, text);
  if (!description.ok || (manual && !manual.ok)) return { reason: `${s.tool}: its description or manual names a parameter without a value` };
  return Object.freeze({
    id: `${tool.id}:${createHash('sha256').update(canonicalJson(params)).digest('hex').slice(0, 10)}`,
    toolId: tool.id,
    title: tool.title,
    description: description.text,
    ...(manual?.ok ? { manual: manual.text } : {}),
    params: Object.freeze(params),
    risk: tool.risk,
  });
}

/** Key order must not change an action's id. */
function canonicalJson(params: Readonly<Record<string, ParamValue>>): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

/** A problem in a rule's `actions:`; `path` is relative to that list (`[1, 'params', 'region']`), the rule loader adds file:line. */
export interface ActionProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * The checks of a rule's `actions:` that need tools/: the tool exists, every parameter is one
 * it takes, required ones are given, literal values fit, and every `{{label}}` and `when:` key
 * is a label the rule's alerts carry (its split dimensions), since anything else would leave
 * the suggestion skipped on every alert.
 */
export function checkActionTemplates(
  actions: readonly ActionSuggestion[],
  labelNames: readonly string[],
  tools: ToolCatalog,
): ActionProblem[] {
  const problems: ActionProblem[] = [];
  const labelsSay =
    labelNames.length === 0
      ? 'this rule has no split.by, so its alerts carry no labels'
      : `the alert's labels are its split dimensions: ${labelNames.join(', ')}`;
  actions.forEach((a, i) => {
    const tool = tools.tools.get(a.tool);
    if (!tool) {
      const where =
        tools.source.kind === 'missing'
          ? `the tools directory ${tools.source.dir} does not exist`
          : tools.toolIds.size === 0
            ? `${tools.source.dir} defines no tools`
            : `known tools: ${[...tools.toolIds].join(', ')}`;
      problems.push({ path: [i, 'tool'], message: `unknown tool "${a.tool}"; ${where}` });
      return;
    }
    for (const label of Object.keys(a.when ?? {})) {
      if (!labelNames.includes(label)) problems.push({ path: [i, 'when', label], message: `"${label}" is not a label of this rule's alerts, so this action would never be offered; ${labelsSay}` });
    }
    for (const [name, raw] of Object.entries(a.params)) {
      const param = tool.params[name];
      if (!param) {
        const names = Object.keys(tool.params);
        problems.push({ path: [i, 'params', name], message: `${tool.id} has no parameter "${name}"; ${names.length === 0 ? 'it takes none' : `it takes: ${names.join(', ')}`}` });
        continue;
      }
      const names = typeof raw === 'string' ? templateNames(raw) : [];
      if (names.length === 0) {
        const problem = paramValueProblem(param, raw);
        if (problem) problems.push({ path: [i, 'params', name], message: problem });
        continue;
      }
      for (const label of names) {
        if (!labelNames.includes(label)) problems.push({ path: [i, 'params', name], message: `{{${label}}} is not a label of this rule's alerts; ${labelsSay}` });
      }
    }
    for (const [name, param] of Object.entries(tool.params)) {
      if (param.required && param.default === undefined && a.params[name] === undefined) {
        problems.push({ path: [i, 'params'], message: `${tool.id} needs "${name}" (${param.description})` });
      }
    }
  });
  return problems;
}
