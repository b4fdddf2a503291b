import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configError, fieldName, readYamlFile, type ConfigProblem, type LocatedYaml } from '../config/index.js';

/**
 * rules/access.yaml: who holds which role (Slack users and user groups), which roles may take
 * which action (optionally only in some channels), and which metrics are answered only to some
 * roles (optionally only in some channels). The file is optional; see `loadAccessPolicy`.
 */

/** Everything opsight lets a person do that the policy can grant. Asking is open by default. */
export const ACTIONS = ['ask', 'approve', 'silence', 'acknowledge', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

/** The built-in role every human member holds (not deleted, not a bot, not a guest). */
export const EVERYONE = 'everyone';

/** Seconds a resolved user or group membership is trusted before Slack is asked again. */
export const DEFAULT_CACHE_TTL_SECONDS = 300;

/** Who may do something, and optionally where. `roles` may name `everyone`. */
export interface Grant {
  readonly roles: readonly string[];
  /** Channel ids it is limited to; undefined = anywhere. */
  readonly channels?: readonly string[];
}

export interface RoleMembers {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

export interface AccessPolicy {
  /**
   * Where it came from. `default` means rules/access.yaml does not exist: everyone may ask,
   * nobody may approve/silence/acknowledge/admin, nothing is restricted. The caller (main.ts)
   * logs that once as a warning naming `missingFile`, so an operator notices before an
   * approval is refused.
   */
  readonly source: { readonly kind: 'file'; readonly file: string } | { readonly kind: 'default'; readonly missingFile: string };
  /** Defined roles in file order (`everyone` is built in and never listed here). */
  readonly roles: ReadonlyMap<string, RoleMembers>;
  /** One grant per action; actions the file leaves out get the defaults of `defaultGrant`. */
  readonly permissions: Readonly<Record<Action, Grant>>;
  /** Restricted metric id → who may read it and where. Metrics not here are open to askers. */
  readonly restrictedMetrics: ReadonlyMap<string, Grant>;
  readonly cacheTtlMs: number;
}

// Slack ids: users U… (W… on Enterprise Grid), user groups S…, conversations C… (public or
// private channels), G… (older private channels and group DMs), D… (direct messages).
const slackId = (first: string, what: string, example: string) =>
  z.string().regex(new RegExp(`^[${first}][A-Z0-9]{2,}$`), { message: `expected a Slack ${what} id (${[...first].join('… or ')}…, e.g. ${example})` });
const userId = slackId('UW', 'user', 'U024BE7LH');
const groupId = slackId('S', 'user group', 'S0614TZR7');
const channelId = slackId('CGD', 'channel', 'C024BE91L');
const name = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'expected a lower_snake_case name' });

const roleSchema = z.strictObject({
  users: z.array(userId).default([]),
  groups: z.array(groupId).default([]),
});

const grantSchema = z.strictObject({
  roles: z.array(name),
  channels: z.array(channelId).min(1, { message: 'list at least one channel, or leave channels out to allow it anywhere' }).optional(),
});

const restrictionSchema = z.strictObject({
  metrics: z.array(z.string().min(1)).min(1, { message: 'list at least one metric id' }),
  roles: z.array(name).min(1, { message: 'list at least one role that may read these metrics' }),
  channels: z.array(channelId).min(1, { message: 'list at least one channel, or leave channels out to allow it anywhere' }).optional(),
});

const fileSchema = z.strictObject({
  roles: z.record(name, roleSchema).default({}),
  // Keys are checked against ACTIONS below, so that a typo gets a "did you mean" with its line.
  permissions: z.record(z.string(), grantSchema).default({}),
  restricted_metrics: z.array(restrictionSchema).default([]),
  cache_ttl_seconds: z.number().int().min(0).max(86_400, { message: 'at most 86400 (one day); role changes must show up the same day' }).default(DEFAULT_CACHE_TTL_SECONDS),
});

/** Asking is open to every human member unless the file says otherwise; every other action is closed. */
export function defaultGrant(action: Action): Grant {
  return action === 'ask' ? { roles: [EVERYONE] } : { roles: [] };
}

function defaultPermissions(): Record<Action, Grant> {
  return Object.fromEntries(ACTIONS.map((a) => [a, defaultGrant(a)])) as Record<Action, Grant>;
}

/** The policy in force when rules/access.yaml does not exist. */
export function defaultAccessPolicy(missingFile: string): AccessPolicy {
  return Object.freeze<AccessPolicy>({
    source: { kind: 'default', missingFile },
    roles: new Map(),
    permissions: Object.freeze(defaultPermissions()),
    restrictedMetrics: new Map(),
    cacheTtlMs: DEFAULT_CACHE_TTL_SECONDS * 1000,
  });
}

/** Every user group the policy mentions: the only groups whose members are ever fetched. */
export function policyGroups(policy: AccessPolicy): string[] {
  const out = new Set<string>();
  for (const role of policy.roles.values()) for (const g of role.groups) out.add(g);
  return [...out];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** " (did you mean 'approve'?)" when one known name is a typo away, else "". */
function didYouMean(value: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(value.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(value.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** Cross-field checks the schema cannot express; each problem located in the file. */
function buildPolicy(
  doc: LocatedYaml<z.output<typeof fileSchema>>,
  knownMetrics: ReadonlySet<string>,
): { policy?: AccessPolicy; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const at = (path: (string | number)[], message: string) =>
    problems.push({ file: doc.file, line: doc.lineOf(path), field: fieldName(path), message });
  const raw = doc.value;

  const roles = new Map<string, RoleMembers>();
  for (const [role, members] of Object.entries(raw.roles)) {
    if (role === EVERYONE) {
      at(['roles', role], `'${EVERYONE}' is built in (every human member: not deleted, not a bot, not a guest); pick another name`);
      continue;
    }
    roles.set(role, members);
  }
  const checkRoles = (path: (string | number)[], names: readonly string[]) =>
    names.forEach((r, i) => {
      if (r !== EVERYONE && !roles.has(r)) {
        const known = [...roles.keys(), EVERYONE];
        at([...path, i], `unknown role '${r}'${didYouMean(r, known)}; define it under roles: (known: ${known.join(', ')})`);
      }
    });

  const permissions = defaultPermissions();
  for (const [action, grant] of Object.entries(raw.permissions)) {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      at(['permissions', action], `unknown action '${action}'${didYouMean(action, ACTIONS)} — known: ${ACTIONS.join(', ')}`);
      continue;
    }
    checkRoles(['permissions', action, 'roles'], grant.roles);
    permissions[action as Action] = grant.channels ? { roles: grant.roles, channels: grant.channels } : { roles: grant.roles };
  }

  const restrictedMetrics = new Map<string, Grant>();
  const firstSeen = new Map<string, (string | number)[]>();
  raw.restricted_metrics.forEach((r, i) => {
    checkRoles(['restricted_metrics', i, 'roles'], r.roles);
    r.metrics.forEach((metric, j) => {
      const path = ['restricted_metrics', i, 'metrics', j];
      const earlier = firstSeen.get(metric);
      if (earlier) {
        at(path, `'${metric}' is already restricted at line ${doc.lineOf(earlier)} (${fieldName(earlier)}); list each metric once`);
        return;
      }
      firstSeen.set(metric, path);
      if (!knownMetrics.has(metric)) {
        at(path, `unknown metric '${metric}'${didYouMean(metric, knownMetrics)}; restricted metrics must be ids from rules/metrics.yaml`);
        return;
      }
      restrictedMetrics.set(metric, r.channels ? { roles: r.roles, channels: r.channels } : { roles: r.roles });
    });
  });

  if (problems.length > 0) return { problems };
  return {
    problems,
    policy: Object.freeze<AccessPolicy>({
      source: { kind: 'file', file: doc.file },
      roles,
      permissions: Object.freeze(permissions),
      restrictedMetrics,
      cacheTtlMs: raw.cache_ttl_seconds * 1000,
    }),
  };
}

function readPolicy(rulesDir: string, knownMetrics: ReadonlySet<string>): { policy?: AccessPolicy; problems: ConfigProblem[] } {
  const file = join(rulesDir, 'access.yaml');
  if (!existsSync(file)) return { policy: defaultAccessPolicy(file), problems: [] };
  const read = readYamlFile(file, fileSchema);
  if (!read.ok) return { problems: read.problems };
  return buildPolicy(read.result, knownMetrics);
}

/**
 * Loads and checks rules/access.yaml; throws one error listing every problem with file:line.
 * `knownMetrics` are the catalog's metric ids (`Object.keys(loadCatalog(rulesDir).metrics)`),
 * passed in so that access/ does not depend on semantic/. A missing file is not an error:
 * it yields the default policy (source.kind 'default'), which the caller logs once.
 */
export function loadAccessPolicy(rulesDir: string, knownMetrics: ReadonlySet<string>): AccessPolicy {
  const { policy, problems } = readPolicy(rulesDir, knownMetrics);
  if (!policy) throw configError(problems);
  return policy;
}

/** Same as loadAccessPolicy but returns problems instead of throwing (for `opsight check`). */
export function checkAccessPolicy(rulesDir: string, knownMetrics: ReadonlySet<string>): ConfigProblem[] {
  return readPolicy(rulesDir, knownMetrics).problems;
}
