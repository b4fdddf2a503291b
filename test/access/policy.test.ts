/**
 * rules/access.yaml: the loader's schema and cross-field checks, each problem reported as
 * `file:line field: message`; the defaults when the file is absent; the shipped file.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkAccessPolicy, createRoleResolver, loadAccessPolicy, policyGroups, ACTIONS, type Directory } from '../../src/access/index.js';
import { formatProblem } from '../../src/config/index.js';
import { OpsightError } from '../../src/errors.js';
import { loadCatalog } from '../../src/semantic/index.js';
import { silentLogger } from '../../src/ops/index.js';

const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));
const SANDBOX_WORKSPACE = fileURLToPath(new URL('../../src/sandbox/workspace.yaml', import.meta.url));
const KNOWN = new Set(['revenue', 'aov', 'roas', 'orders', 'sessions']);

const root = mkdtempSync(join(tmpdir(), 'opsight-access-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** Writes `yaml` as access.yaml in a fresh rules dir; returns the dir and the file path. */
function rulesDir(yaml: string): { dir: string; file: string } {
  const dir = join(root, `rules-${++dirs}`);
  mkdirSync(dir);
  const file = join(dir, 'access.yaml');
  writeFileSync(file, yaml);
  return { dir, file };
}

/** The problems of `yaml` as printed, with the temp path replaced by `access.yaml`. */
function problems(yaml: string, known: ReadonlySet<string> = KNOWN): string[] {
  const { dir, file } = rulesDir(yaml);
  return checkAccessPolicy(dir, known).map((p) => formatProblem(p).replace(file, 'access.yaml'));
}

const ROLES = `roles:
  exec:   { users: [U0ALICE], groups: [S0EXECS] }
  oncall: { groups: [S0ONCALL] }
  admin:  { users: [U0CHEN] }
`;

describe('access policy loader', () => {
  test('loads a valid file into roles, per-action grants, restrictions and a TTL in ms', () => {
    const { dir, file } = rulesDir(`${ROLES}permissions:
  approve: { roles: [oncall, admin], channels: [C0OPSALERTS] }
  silence: { roles: [oncall] }
restricted_metrics:
  - metrics: [revenue, aov]
    roles: [exec]
    channels: [C0EXEC]
  - metrics: [roas]
    roles: [everyone]
cache_ttl_seconds: 60
`);
    const policy = loadAccessPolicy(dir, KNOWN);
    assert.deepEqual(policy.source, { kind: 'file', file });
    assert.deepEqual([...policy.roles.keys()], ['exec', 'oncall', 'admin']);
    assert.deepEqual(policy.roles.get('exec'), { users: ['U0ALICE'], groups: ['S0EXECS'] });
    assert.deepEqual(policy.roles.get('oncall'), { users: [], groups: ['S0ONCALL'] });
    assert.deepEqual(policy.permissions.approve, { roles: ['oncall', 'admin'], channels: ['C0OPSALERTS'] });
    assert.deepEqual(policy.permissions.silence, { roles: ['oncall'] });
    assert.deepEqual(policy.permissions.ask, { roles: ['everyone'] }, 'asking stays open when the file leaves it out');
    assert.deepEqual(policy.permissions.acknowledge, { roles: [] }, 'other actions left out are allowed to nobody');
    assert.deepEqual(policy.permissions.admin, { roles: [] });
    assert.deepEqual(policy.restrictedMetrics.get('revenue'), { roles: ['exec'], channels: ['C0EXEC'] });
    assert.deepEqual(policy.restrictedMetrics.get('aov'), { roles: ['exec'], channels: ['C0EXEC'] });
    assert.deepEqual(policy.restrictedMetrics.get('roas'), { roles: ['everyone'] });
    assert.equal(policy.restrictedMetrics.has('orders'), false);
    assert.equal(policy.cacheTtlMs, 60_000);
    assert.deepEqual(policyGroups(policy), ['S0EXECS', 'S0ONCALL']);
  });

  test('a missing file gives the default policy: everyone asks, nobody acts, nothing restricted', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const policy = loadAccessPolicy(dir, KNOWN);
    assert.deepEqual(policy.source, { kind: 'default', missingFile: join(dir, 'access.yaml') });
    assert.deepEqual(policy.permissions.ask, { roles: ['everyone'] });
    for (const action of ACTIONS.filter((a) => a !== 'ask')) assert.deepEqual(policy.permissions[action], { roles: [] }, action);
    assert.equal(policy.roles.size, 0);
    assert.equal(policy.restrictedMetrics.size, 0);
    assert.equal(policy.cacheTtlMs, 300_000);
    assert.deepEqual(checkAccessPolicy(dir, KNOWN), [], 'a missing file is not a problem for opsight check');
  });

  test('an empty mapping is valid and means the defaults', () => {
    const { dir } = rulesDir('{}\n');
    const policy = loadAccessPolicy(dir, KNOWN);
    assert.deepEqual(policy.permissions.ask, { roles: ['everyone'] });
    assert.deepEqual(policy.permissions.approve, { roles: [] });
  });

  test('refuses an unknown action, suggesting the near one and listing the known ones', () => {
    assert.deepEqual(problems(`${ROLES}permissions:
  ask: { roles: [everyone] }
  aprove: { roles: [oncall] }
`), ["access.yaml:7 permissions.aprove: unknown action 'aprove' (did you mean 'approve'?) — known: ask, approve, silence, acknowledge, admin"]);
  });

  test('refuses a permission or a restriction naming an undefined role, at the role\'s line', () => {
    assert.deepEqual(problems(`${ROLES}permissions:
  approve:
    roles: [oncall, admins]
restricted_metrics:
  - metrics: [revenue]
    roles:
      - exec
      - board
`), [
      "access.yaml:7 permissions.approve.roles[1]: unknown role 'admins' (did you mean 'admin'?); define it under roles: (known: exec, oncall, admin, everyone)",
      "access.yaml:12 restricted_metrics[0].roles[1]: unknown role 'board'; define it under roles: (known: exec, oncall, admin, everyone)",
    ]);
  });

  test("refuses a role called 'everyone', which is built in", () => {
    assert.deepEqual(problems(`roles:
  exec: { users: [U0ALICE] }
  everyone: { users: [U0BOB] }
`), ["access.yaml:3 roles.everyone: 'everyone' is built in (every human member: not deleted, not a bot, not a guest); pick another name"]);
  });

  test('refuses ids that do not look like Slack user, group or channel ids', () => {
    assert.deepEqual(problems(`roles:
  exec:
    users: [U0ALICE, alice]
    groups: [U0EXECS]
permissions:
  approve: { roles: [exec], channels: [ops-alerts] }
`), [
      'access.yaml:3 roles.exec.users[1]: expected a Slack user id (U… or W…, e.g. U024BE7LH)',
      'access.yaml:4 roles.exec.groups[0]: expected a Slack user group id (S…, e.g. S0614TZR7)',
      'access.yaml:6 permissions.approve.channels[0]: expected a Slack channel id (C… or G… or D…, e.g. C024BE91L)',
    ]);
  });

  test('refuses a metric restricted twice, pointing at the first entry', () => {
    assert.deepEqual(problems(`${ROLES}restricted_metrics:
  - metrics: [revenue, aov]
    roles: [exec]
  - metrics:
      - roas
      - revenue
    roles: [admin]
`), ["access.yaml:10 restricted_metrics[1].metrics[1]: 'revenue' is already restricted at line 6 (restricted_metrics[0].metrics[0]); list each metric once"]);
  });

  test('refuses a restricted metric that is not in the catalog', () => {
    assert.deepEqual(problems(`${ROLES}restricted_metrics:
  - metrics: [revenue, revenu, margin]
    roles: [exec]
`), [
      "access.yaml:6 restricted_metrics[0].metrics[1]: unknown metric 'revenu' (did you mean 'revenue'?); restricted metrics must be ids from rules/metrics.yaml",
      "access.yaml:6 restricted_metrics[0].metrics[2]: unknown metric 'margin'; restricted metrics must be ids from rules/metrics.yaml",
    ]);
  });

  test('reports schema errors with line and field: unknown keys, empty lists, a bad TTL', () => {
    assert.deepEqual(problems(`roles:
  exec: { users: [U0ALICE], members: [U0BOB] }
restricted_metrics:
  - metrics: []
    roles: [exec]
    channels: []
cache_ttl_seconds: 3.5
`), [
      'access.yaml:2 roles.exec: Unrecognized key: "members"',
      'access.yaml:4 restricted_metrics[0].metrics: list at least one metric id',
      'access.yaml:6 restricted_metrics[0].channels: list at least one channel, or leave channels out to allow it anywhere',
      'access.yaml:7 cache_ttl_seconds: Invalid input: expected int, received number',
    ]);
  });

  test('reports YAML syntax errors and duplicate keys with their line', () => {
    const out = problems(`roles:
  exec: { users: [U0ALICE] }
  exec: { users: [U0BOB] }
`);
    assert.equal(out.length, 1);
    assert.match(out[0]!, /^access\.yaml:3 \(root\): YAML syntax: Map keys must be unique/);
  });

  test('loadAccessPolicy throws one config error listing every problem', () => {
    const { dir, file } = rulesDir(`permissions:
  aprove: { roles: [oncall] }
  silence: { roles: [oncal] }
`);
    assert.throws(
      () => loadAccessPolicy(dir, KNOWN),
      (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_config_invalid');
        assert.match(err.message, /Invalid configuration \(2 problems\)/);
        assert.ok(err.message.includes(`${file}:2 permissions.aprove: unknown action 'aprove'`), err.message);
        assert.ok(err.message.includes(`${file}:3 permissions.silence.roles[0]: unknown role 'oncal'`), err.message);
        return true;
      },
    );
  });
});

describe('shipped rules/access.yaml', () => {
  const known = new Set(Object.keys(loadCatalog(RULES_DIR).metrics));

  test('is valid against the shipped metric catalog', () => {
    assert.deepEqual(checkAccessPolicy(RULES_DIR, known).map(formatProblem), []);
  });

  test('grants approve to on-call and admins in the alerts channel and restricts revenue to execs', () => {
    const policy = loadAccessPolicy(RULES_DIR, known);
    assert.deepEqual(policy.permissions.ask, { roles: ['everyone'] });
    assert.deepEqual(policy.permissions.approve, { roles: ['oncall', 'admin'], channels: ['C0OPSALERTS'] });
    assert.deepEqual(policy.restrictedMetrics.get('revenue'), { roles: ['exec', 'admin'], channels: ['C0EXEC'] });
    assert.deepEqual(policy.roles.get('exec')?.users, ['U0ALICE']);
  });

  // The sandbox's seed workspace, read as plain YAML: the ids the shipped policy must name.
  interface Seed {
    users: { id: string; deleted?: boolean; is_bot?: boolean; is_restricted?: boolean; is_ultra_restricted?: boolean; tz?: string }[];
    usergroups: { id: string; users: string[] }[];
    channels: { id: string }[];
    bot: { user_id: string };
  }
  const seed = parse(readFileSync(SANDBOX_WORKSPACE, 'utf8')) as Seed;

  test('names only users, groups and channels of the sandbox workspace', () => {
    const policy = loadAccessPolicy(RULES_DIR, known);
    const users = new Set(seed.users.map((u) => u.id));
    const groups = new Set(seed.usergroups.map((g) => g.id));
    const channels = new Set(seed.channels.map((c) => c.id));
    for (const [role, m] of policy.roles) {
      for (const u of m.users) assert.ok(users.has(u), `roles.${role} names ${u}, not in the sandbox workspace`);
      for (const g of m.groups) assert.ok(groups.has(g), `roles.${role} names ${g}, not in the sandbox workspace`);
    }
    const grants = [...Object.values(policy.permissions), ...policy.restrictedMetrics.values()];
    for (const c of grants.flatMap((g) => g.channels ?? [])) assert.ok(channels.has(c), `${c} is not a channel of the sandbox workspace`);
  });

  test("gives the sandbox's people the roles the product's story expects", async () => {
    const policy = loadAccessPolicy(RULES_DIR, known);
    const directory: Directory = {
      async user(id) {
        if (id === seed.bot.user_id) return { id, deleted: false, isBot: true, isGuest: false };
        const u = seed.users.find((x) => x.id === id);
        return u && { id, deleted: !!u.deleted, isBot: !!u.is_bot, isGuest: !!(u.is_restricted || u.is_ultra_restricted) };
      },
      async groupMembers(id) {
        return seed.usergroups.find((g) => g.id === id)?.users ?? [];
      },
    };
    const resolver = createRoleResolver({ policy, directory, log: silentLogger() });
    const expected: Record<string, string[]> = {
      U0ALICE: ['exec'],
      U0BOB: ['oncall'],
      U0CHEN: ['admin'],
      U0DEVI: [],
      U0EMI: [],
      U0GONE: [],
      U0GUEST: [],
      U0OPSIGHT: [],
    };
    for (const [id, roles] of Object.entries(expected)) {
      assert.deepEqual((await resolver.may(id, 'ask', { channelId: 'C0GENERAL' })).roles, roles, id);
    }
    const alerts = { channelId: 'C0OPSALERTS' };
    assert.equal((await resolver.may('U0BOB', 'approve', alerts)).allowed, true);
    assert.equal((await resolver.may('U0ALICE', 'approve', alerts)).allowed, false);
    assert.equal((await resolver.mayReadMetric('U0ALICE', 'revenue', { channelId: 'C0EXEC' })).allowed, true);
    assert.equal((await resolver.mayReadMetric('U0DEVI', 'revenue', { channelId: 'C0GENERAL' })).allowed, false);
    assert.equal((await resolver.may('U0GUEST', 'ask', { channelId: 'C0GENERAL' })).allowed, false);
  });
});
