import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { OpsightError } from '../errors.js';

/** One problem in a config file, located for a human: `rules/metrics.yaml:14 metrics.aov.unit: …`. */
export interface ConfigProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line} ${p.field || '(root)'}: ${p.message}`;
}

export function configError(problems: ConfigProblem[]): OpsightError {
  const lines = problems.map(formatProblem);
  return new OpsightError(
    'opsight_config_invalid',
    `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`,
  );
}

/** `metrics.aov.dimensions[1]`: the field path as errors print it. */
export function fieldName(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The line of the deepest node along `path` that exists in the document (1-based). */
function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return 1;
}

/** Parsed YAML plus a way to locate any path in it, for checks that go beyond the schema. */
export interface LocatedYaml<T> {
  file: string;
  value: T;
  /** Line of a path inside the file, for cross-field errors. */
  lineOf(path: ReadonlyArray<PropertyKey>): number;
}

/**
 * Reads and validates one YAML file. YAML syntax errors and schema errors both come back
 * as ConfigProblems naming file, line and field; nothing is thrown for bad content.
 */
export function readYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
): { ok: true; result: LocatedYaml<z.output<S>> } | { ok: false; problems: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ file, line: 1, field: '', message: `cannot read file (${(err as Error).message})` }] };
  }
  return parseYamlText(file, text, schema);
}

export function parseYamlText<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): { ok: true; result: LocatedYaml<z.output<S>> } | { ok: false; problems: ConfigProblem[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: counter.linePos(e.pos[0]).line,
        field: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        file,
        line: lineOf(doc, counter, issue.path),
        field: fieldName(issue.path),
        message: issue.message,
      })),
    };
  }
  return {
    ok: true,
    result: { file, value: parsed.data, lineOf: (path) => lineOf(doc, counter, path) },
  };
}
