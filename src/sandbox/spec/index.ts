import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRA_ARGS, EXTRA_METHODS, GLOBAL_ARGS, REQUIRED_OVERRIDES, STRUCTURED_ARGS } from './extra-methods.js';
import { methodsExtractSchema, type ArgType, type MethodsExtract } from './extract.js';

export {
  SPEC_METHODS,
  buildMethodsExtract,
  formatMethodsExtract,
  commitFromSourceText,
  type ArgSpec,
  type ArgType,
  type MethodSpec,
  type MethodsExtract,
} from './extract.js';

/** The committed extract (written by scripts/slack-spec.ts). */
export const METHODS_FILE = join(import.meta.dirname, 'methods.json');
/** The spec file's name inside ../shared/eval/slack/. */
export const SPEC_FILE_NAME = 'slack_web_openapi_v2_without_examples.json';

export interface ResolvedArg {
  required: boolean;
  /** 'array' and 'object' arrive JSON-encoded in form bodies. */
  type: ArgType | 'array' | 'object';
}

/** One served method: the spec's arguments merged with the hand-written extras. */
export interface ResolvedMethod {
  name: string;
  args: Readonly<Record<string, ResolvedArg>>;
  scope: string;
  /** Where it is described: the 2020 spec, or extra-methods.ts. */
  source: 'spec' | 'extra';
}

export interface MethodTable {
  get(name: string): ResolvedMethod | undefined;
  /** A real Slack method (in the spec) that the sandbox does not serve. */
  isUnserved(name: string): boolean;
  names(): string[];
  readonly extract: MethodsExtract;
}

export function readMethodsExtract(file: string = METHODS_FILE): MethodsExtract {
  return methodsExtractSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

function resolve(name: string, args: Record<string, { required: boolean; type: ArgType }>, scope: string, source: ResolvedMethod['source']): ResolvedMethod {
  const merged: Record<string, ResolvedArg> = {};
  for (const [arg, spec] of Object.entries({ ...GLOBAL_ARGS, ...args, ...(EXTRA_ARGS[name] ?? {}) })) {
    merged[arg] = { required: spec.required, type: STRUCTURED_ARGS[arg] ?? spec.type };
  }
  for (const arg of REQUIRED_OVERRIDES[name] ?? []) {
    const known = merged[arg];
    if (!known) throw new Error(`extra-methods.ts REQUIRED_OVERRIDES names ${name} ${arg}, which the method does not have`);
    merged[arg] = { ...known, required: true };
  }
  return { name, args: merged, scope, source };
}

export function buildMethodTable(extract: MethodsExtract = readMethodsExtract()): MethodTable {
  const table = new Map<string, ResolvedMethod>();
  for (const [name, spec] of Object.entries(extract.methods)) table.set(name, resolve(name, spec.args, spec.scope, 'spec'));
  for (const [name, spec] of Object.entries(EXTRA_METHODS)) table.set(name, resolve(name, spec.args, spec.scope, 'extra'));
  const unserved = new Set(extract.unservedMethods.filter((m) => !table.has(m)));
  return {
    get: (name) => table.get(name),
    isUnserved: (name) => unserved.has(name),
    names: () => [...table.keys()].sort(),
    extract,
  };
}
