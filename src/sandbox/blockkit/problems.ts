import type { z } from 'zod';

/** One thing Slack would reject, located by JSON pointer (RFC 6901), worded as Slack words it. */
export interface BlockProblem {
  /** e.g. "/blocks/0/text/text"; views use "/view/…". */
  pointer: string;
  /** e.g. "must be less than 3001 characters". */
  message: string;
}

/** RFC 6901: "~" → "~0", "/" → "~1" inside one reference token. */
export function pointerOf(base: string, path: ReadonlyArray<PropertyKey>): string {
  return base + path.map((k) => '/' + String(k).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Turns zod's issues for `input` into Slack-worded problems under `base`. A missing field
 * points at its parent object (the field does not exist to point at) and is named in the text.
 */
export function problemsFrom(issues: readonly z.core.$ZodIssue[], input: unknown, base: string): BlockProblem[] {
  const out: BlockProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const at = (message: string, p: ReadonlyArray<PropertyKey> = path) => out.push({ pointer: pointerOf(base, p), message });
    const missing = () => valueAt(input, path) === undefined && path.length > 0;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) at(`invalid additional property: ${key}`, [...path, key]);
        break;
      case 'invalid_type':
        if (missing()) at(`missing required field: ${String(path[path.length - 1])}`, path.slice(0, -1));
        else at(`must provide ${article(issue.expected === 'int' ? 'integer' : issue.expected)}`);
        break;
      case 'invalid_union': {
        // Only discriminated unions (keyed on `type`) are used, so this is a type we do not accept here.
        const value = valueAt(input, path);
        const allowed = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]).join(', ') : '';
        if (value === undefined) at(`missing required field: ${String(path[path.length - 1])}`, path.slice(0, -1));
        else at(`unsupported type: ${String(value)}${allowed ? ` (must be one of ${allowed})` : ''}`);
        break;
      }
      case 'invalid_value':
        at(`must be one of ${issue.values.map(String).join(', ')}`);
        break;
      case 'too_big': {
        const max = Number(issue.maximum);
        if (issue.origin === 'string') at(`must be less than ${max + 1} characters`);
        else if (issue.origin === 'array') at(`no more than ${plural(max, 'item')} allowed`);
        else at(`must be less than or equal to ${max}`);
        break;
      }
      case 'too_small': {
        const min = Number(issue.minimum);
        if (issue.origin === 'string') at(`must be more than ${min - 1} characters`);
        else if (issue.origin === 'array') at(`must provide at least ${plural(min, 'item')}`);
        else at(`must be greater than or equal to ${min}`);
        break;
      }
      default:
        at(issue.message);
    }
  }
  return out;
}
