import { z } from 'zod';

/**
 * Turns Slack's Web API OpenAPI 2.0 file (../shared/eval/slack/) into the compact extract the
 * sandbox validates calls against (src/sandbox/spec/methods.json). Pure: scripts/slack-spec.ts
 * does the file I/O, and a test regenerates the extract to prove the committed one is current.
 */

/** The methods the sandbox serves that the 2020 spec describes (the rest are in extra-methods.ts). */
export const SPEC_METHODS = [
  'auth.test',
  'chat.delete',
  'chat.postEphemeral',
  'chat.postMessage',
  'chat.update',
  'conversations.info',
  'conversations.replies',
  'usergroups.users.list',
  'users.info',
  'views.open',
  'views.publish',
  'views.update',
] as const;

export type ArgType = 'string' | 'boolean' | 'number' | 'integer';

export interface ArgSpec {
  required: boolean;
  type: ArgType;
}

export interface MethodSpec {
  args: Record<string, ArgSpec>;
  /** From the token parameter's description ("Requires scope: `chat:write`"); 'none' when none. */
  scope: string;
}

export interface MethodsExtract {
  source: { file: string; repository: string; commit: string; licence: string; generatedBy: string };
  methods: Record<string, MethodSpec>;
  /** Every other method the spec names: a call to one is real Slack, just not served here. */
  unservedMethods: string[];
}

export const argSpecSchema = z.object({ required: z.boolean(), type: z.enum(['string', 'boolean', 'number', 'integer']) }).strict();
export const methodSpecSchema = z.object({ args: z.record(z.string(), argSpecSchema), scope: z.string() }).strict();
export const methodsExtractSchema = z
  .object({
    source: z.object({ file: z.string(), repository: z.string(), commit: z.string(), licence: z.string(), generatedBy: z.string() }).strict(),
    methods: z.record(z.string(), methodSpecSchema),
    unservedMethods: z.array(z.string()),
  })
  .strict();

const parameterSchema = z.object({
  in: z.string(),
  name: z.string(),
  required: z.boolean().optional(),
  type: z.string().optional(),
  description: z.string().optional(),
});
const operationSchema = z.object({ parameters: z.array(parameterSchema).default([]) });
const openApiSchema = z.object({
  swagger: z.literal('2.0'),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** `Commit: <40 hex>` from SOURCE.txt beside the spec file. */
export function commitFromSourceText(sourceTxt: string): string {
  const m = /^Commit:\s*([0-9a-f]{40})/m.exec(sourceTxt);
  if (!m) throw new Error('SOURCE.txt has no "Commit: <40 hex digits>" line; it must name the upstream commit of the spec file');
  return m[1]!;
}

function toArgType(type: string | undefined, where: string): ArgType {
  if (type === 'string' || type === 'boolean' || type === 'number' || type === 'integer') return type;
  throw new Error(`${where}: parameter type ${String(type)} is not one the sandbox checks (string, boolean, number, integer)`);
}

export function buildMethodsExtract(openApi: unknown, sourceTxt: string, fileName: string): MethodsExtract {
  const spec = openApiSchema.parse(openApi);
  const methods: Record<string, MethodSpec> = {};
  for (const name of SPEC_METHODS) {
    const path = spec.paths[`/${name}`];
    if (!path) throw new Error(`the spec has no /${name}; the sandbox serves it, so describe it in extra-methods.ts instead`);
    // Slack answers GET and POST alike; the spec lists one verb per method.
    const verb = path.post ?? path.get;
    const op = operationSchema.parse(verb);
    const args: Record<string, ArgSpec> = {};
    let scope = 'none';
    for (const p of op.parameters) {
      if (p.name === 'token') {
        const m = /Requires scope: `([^`]+)`/.exec(p.description ?? '');
        if (m) scope = m[1]!;
        continue;
      }
      if (p.in === 'header') continue;
      args[p.name] = { required: p.required === true, type: toArgType(p.type, `/${name} ${p.name}`) };
    }
    // Sorted keys: the extract is committed, so regenerating must be byte-stable.
    methods[name] = { args: Object.fromEntries(Object.entries(args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), scope };
  }
  const served = new Set<string>(SPEC_METHODS);
  const unservedMethods = Object.keys(spec.paths)
    .map((p) => p.replace(/^\//, ''))
    .filter((m) => !served.has(m))
    .sort();
  return {
    source: {
      file: fileName,
      repository: 'slackapi/slack-api-specs',
      commit: commitFromSourceText(sourceTxt),
      licence: 'MIT, Copyright (c) 2017 SlackAPI',
      generatedBy: 'scripts/slack-spec.ts',
    },
    methods,
    unservedMethods,
  };
}

/** The committed file's exact text (2-space JSON, trailing newline). */
export function formatMethodsExtract(extract: MethodsExtract): string {
  return `${JSON.stringify(extract, null, 2)}\n`;
}
