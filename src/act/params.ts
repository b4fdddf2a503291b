import type { ParamValue, ToolParam } from './tools.js';

/**
 * One parameter value against its declaration: type, enum, range. Returns why it does not fit,
 * or undefined. Used when a suggestion is filled, by the rule loader's checks, and later by
 * the executor, so that all three refuse the same values.
 */
export function paramValueProblem(param: ToolParam, value: ParamValue): string | undefined {
  if (typeof value !== param.type) return `expected a ${param.type}, got ${describe(value)}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return `expected a finite number, got ${value}`;
  if (typeof value === 'string' && value.trim() === '') return 'expected a value, got an empty string';
  if (param.enum && !param.enum.includes(value)) return `${describe(value)} is not one of ${param.enum.map(describe).join(', ')}`;
  if (typeof value === 'number') {
    if (param.min !== undefined && value < param.min) return `${value} is below the minimum ${param.min}`;
    if (param.max !== undefined && value > param.max) return `${value} is above the maximum ${param.max}`;
  }
  return undefined;
}

/**
 * A value that came out of a `{{label}}` template is text; a number or boolean parameter takes
 * it when the whole text reads as one ("12" → 12, "true" → true). Anything else stays text and
 * is then refused by paramValueProblem with its reason.
 */
export function coerceFilled(param: ToolParam, text: string): ParamValue {
  if (param.type === 'number' && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return Number(text);
  if (param.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function describe(value: ParamValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
