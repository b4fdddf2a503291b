/**
 * The access decision, pure: every action × person × place of a policy like the shipped one,
 * with the sentences people read in Slack; restricted metrics in and out of their channels and
 * in direct messages; and the defaults when there is no rules/access.yaml.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACTIONS,
  LOOKUP_FAILED_REASON,
  decide,
  loadAccessPolicy,
  mayReadMetric,
  type AccessPolicy,
  type Action,
  type Place,
  type Principal,
} from '../../src/access/index.js';

const root = mkdtempSync(join(tmpdir(), 'opsight-decide-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
function policyFrom(yaml: string | undefined): AccessPolicy {
  const dir = join(root, `rules-${++dirs}`);
  mkdirSync(dir);
  if (yaml !== undefined) writeFileSync(join(dir, 'access.yaml'), yaml);
  return loadAccessPolicy(dir, new Set(['revenue', 'aov', 'roas', 'orders', 'sessions']));
}

const policy = policyFrom(`roles:
  exec:   { users: [U0ALICE], groups: [S0EXECS] }
  oncall: { groups: [S0ONCALL] }
  admin:  { users: [U0CHEN] }
permissions:
  ask:         { roles: [everyone] }
  approve:     { roles: [oncall, admin], channels: [C0OPSALERTS] }
  silence:     { roles: [oncall, admin] }
  acknowledge: { roles: [oncall, admin] }
  admin:       { roles: [admin] }
restricted_metrics:
  - metrics: [revenue, aov]
    roles: [exec, admin]
    channels: [C0EXEC]
  - metrics: [roas]
    roles: [everyone]
    channels: [C0EXEC, C0OPSALERTS]
`);

const member = (userId: string, groups: string[] = []): Principal => ({ userId, groups, kind: 'member' });
const PEOPLE = {
  alice: member('U0ALICE'), // exec by user id
  eve: member('U0EVE', ['S0EXECS']), // exec by group
  bob: member('U0BOB', ['S0ONCALL']), // oncall by group
  chen: member('U0CHEN'), // admin by user id
  devi: member('U0DEVI'), // no role
  max: member('U0MAX', ['S0ONCALL', 'S0EXECS']), // exec and oncall
  guest: { userId: 'U0GUEST', groups: [], kind: 'guest' },
  // A guest listed as exec, or a bot listed as admin, still gets nothing.
  guestExec: { userId: 'U0ALICE', groups: ['S0EXECS'], kind: 'guest' },
  bot: { userId: 'U0CHEN', groups: [], kind: 'bot' },
  gone: { userId: 'U0CHEN', groups: [], kind: 'deleted' },
  lookupFailed: { userId: 'U0BOB', groups: ['S0ONCALL'], kind: 'unknown', unresolved: 'lookup_failed' },
  notFound: { userId: 'U0NOBODY', groups: [], kind: 'unknown', unresolved: 'not_found' },
} satisfies Record<string, Principal>;
type Person = keyof typeof PEOPLE;

const PLACES = {
  alerts: { channelId: 'C0OPSALERTS' },
  general: { channelId: 'C0GENERAL' },
  exec: { channelId: 'C0EXEC' },
  dm: { channelId: 'D0DM', isDirect: true },
} satisfies Record<string, Place>;
type Where = keyof typeof PLACES;

const MEMBERS: Person[] = ['alice', 'eve', 'bob', 'chen', 'devi', 'max'];

// Who may do what where, written out by hand from the policy above.
const ALLOWED: Record<Action, Record<Where, Person[]>> = {
  ask: { alerts: MEMBERS, general: MEMBERS, exec: MEMBERS, dm: MEMBERS },
  approve: { alerts: ['bob', 'chen', 'max'], general: [], exec: [], dm: [] },
  silence: { alerts: ['bob', 'chen', 'max'], general: ['bob', 'chen', 'max'], exec: ['bob', 'chen', 'max'], dm: ['bob', 'chen', 'max'] },
  acknowledge: { alerts: ['bob', 'chen', 'max'], general: ['bob', 'chen', 'max'], exec: ['bob', 'chen', 'max'], dm: ['bob', 'chen', 'max'] },
  admin: { alerts: ['chen'], general: ['chen'], exec: ['chen'], dm: ['chen'] },
};

const ROLES: Record<Person, string[]> = {
  alice: ['exec'],
  eve: ['exec'],
  bob: ['oncall'],
  chen: ['admin'],
  devi: [],
  max: ['exec', 'oncall'],
  guest: [],
  guestExec: [],
  bot: [],
  gone: [],
  lookupFailed: [],
  notFound: [],
};

describe('decide', () => {
  for (const action of ACTIONS) {
    test(`${action}: allowed exactly for the roles and channels of the policy`, () => {
      for (const [where, place] of Object.entries(PLACES) as [Where, Place][]) {
        for (const [who, principal] of Object.entries(PEOPLE) as [Person, Principal][]) {
          const d = decide(policy, principal, action, place);
          assert.equal(d.allowed, ALLOWED[action][where].includes(who), `${who} ${action} in ${where}: ${d.reason}`);
          assert.deepEqual(d.roles, ROLES[who], `${who}'s roles`);
          assert.ok(d.reason.length > 0 && d.reason.endsWith('.'), `a sentence: ${d.reason}`);
        }
      }
    });
  }

  test('tells someone without the role which roles and where, and what they have', () => {
    assert.equal(decide(policy, PEOPLE.alice, 'approve', PLACES.alerts).reason, 'Approving needs the oncall or admin role in <#C0OPSALERTS>; you have exec.');
    assert.equal(decide(policy, PEOPLE.devi, 'silence', PLACES.general).reason, "Silencing alerts needs the oncall or admin role; you don't have any role yet.");
    assert.equal(decide(policy, PEOPLE.max, 'admin', PLACES.general).reason, "Changing opsight's settings needs the admin role; you have exec and oncall.");
  });

  test('tells someone with the role that the action is only done in its channels, DMs included', () => {
    assert.equal(decide(policy, PEOPLE.bob, 'approve', PLACES.general).reason, 'Approving is only done in <#C0OPSALERTS>, not here.');
    assert.equal(decide(policy, PEOPLE.bob, 'approve', PLACES.dm).reason, 'Approving is only done in <#C0OPSALERTS>, not here.');
  });

  test('says which role allowed it', () => {
    assert.equal(decide(policy, PEOPLE.bob, 'approve', PLACES.alerts).reason, 'You may approve here as oncall.');
    assert.equal(decide(policy, PEOPLE.max, 'acknowledge', PLACES.dm).reason, 'You may acknowledge alerts here as oncall.');
    assert.equal(decide(policy, PEOPLE.devi, 'ask', PLACES.general).reason, 'Every member of this workspace may ask questions.');
  });

  test('guests, bots, deactivated and unresolved accounts get no roles and are told why', () => {
    assert.equal(decide(policy, PEOPLE.guestExec, 'approve', PLACES.alerts).reason, "You're a guest in this workspace, so I can't run actions for you.");
    assert.equal(decide(policy, PEOPLE.guest, 'ask', PLACES.general).reason, "You're a guest in this workspace, so I can't answer questions for you.");
    assert.equal(decide(policy, PEOPLE.bot, 'admin', PLACES.general).reason, 'I only take requests from people, not from bots or apps.');
    assert.equal(decide(policy, PEOPLE.gone, 'admin', PLACES.general).reason, "This account is deactivated, so I can't run actions for it.");
    assert.equal(decide(policy, PEOPLE.lookupFailed, 'approve', PLACES.alerts).reason, LOOKUP_FAILED_REASON);
    assert.equal(LOOKUP_FAILED_REASON, "I couldn't check your roles with Slack just now; try again in a minute.");
    assert.equal(decide(policy, PEOPLE.notFound, 'ask', PLACES.dm).reason, "I couldn't find your account in this workspace, so I can't answer questions for you.");
  });

  test('asking can itself be limited to channels', () => {
    const limited = policyFrom(`permissions:
  ask: { roles: [everyone], channels: [C0GENERAL] }
`);
    assert.equal(decide(limited, PEOPLE.devi, 'ask', PLACES.general).allowed, true);
    const elsewhere = decide(limited, PEOPLE.devi, 'ask', PLACES.exec);
    assert.equal(elsewhere.allowed, false);
    assert.equal(elsewhere.reason, 'Asking questions is only done in <#C0GENERAL>, not here.');
  });
});

describe('decide without rules/access.yaml', () => {
  const defaults = policyFrom(undefined);

  test('every member may ask anywhere; nobody may approve, silence, acknowledge or admin', () => {
    for (const place of Object.values(PLACES)) {
      for (const who of MEMBERS) {
        for (const action of ACTIONS) {
          const d = decide(defaults, PEOPLE[who], action, place);
          assert.equal(d.allowed, action === 'ask', `${who} ${action}: ${d.reason}`);
          assert.deepEqual(d.roles, []);
        }
      }
    }
    assert.equal(decide(defaults, PEOPLE.guest, 'ask', PLACES.dm).allowed, false, 'guests still cannot ask');
    assert.equal(decide(defaults, PEOPLE.chen, 'approve', PLACES.alerts).reason, "Approving isn't enabled for anyone yet; an admin can grant it in rules/access.yaml.");
  });

  test('nothing is restricted', () => {
    assert.equal(mayReadMetric(defaults, PEOPLE.devi, 'revenue', PLACES.general).allowed, true);
  });
});

describe('mayReadMetric', () => {
  // Restricted revenue (exec, admin; #exec or a DM) and roas (everyone; #exec or #ops-alerts or a DM).
  const READS: Record<string, Record<Where, Person[]>> = {
    revenue: { exec: ['alice', 'eve', 'chen', 'max'], dm: ['alice', 'eve', 'chen', 'max'], general: [], alerts: [] },
    aov: { exec: ['alice', 'eve', 'chen', 'max'], dm: ['alice', 'eve', 'chen', 'max'], general: [], alerts: [] },
    roas: { exec: MEMBERS, dm: MEMBERS, alerts: MEMBERS, general: [] },
    orders: { exec: MEMBERS, dm: MEMBERS, alerts: MEMBERS, general: MEMBERS },
  };

  for (const [metric, table] of Object.entries(READS)) {
    test(`${metric}: answered exactly to the allowed roles, in the allowed channels and DMs`, () => {
      for (const [where, place] of Object.entries(PLACES) as [Where, Place][]) {
        for (const [who, principal] of Object.entries(PEOPLE) as [Person, Principal][]) {
          const d = mayReadMetric(policy, principal, metric, place);
          assert.equal(d.allowed, table[where].includes(who), `${who} reads ${metric} in ${where}: ${d.reason}`);
        }
      }
    });
  }

  test('refuses politely, naming the roles, without any figure', () => {
    assert.equal(mayReadMetric(policy, PEOPLE.bob, 'revenue', PLACES.exec).reason, "`revenue` is only shared with the exec or admin role; you have oncall, so I can't share it with you.");
    assert.equal(mayReadMetric(policy, PEOPLE.devi, 'aov', PLACES.dm).reason, "`aov` is only shared with the exec or admin role; you don't have any role yet, so I can't share it with you.");
  });

  test('sends a reader with the role to the allowed channels or a DM', () => {
    assert.equal(mayReadMetric(policy, PEOPLE.alice, 'revenue', PLACES.general).reason, '`revenue` is only shared in <#C0EXEC> or a direct message with me; ask me there.');
    assert.equal(mayReadMetric(policy, PEOPLE.devi, 'roas', PLACES.general).reason, '`roas` is only shared in <#C0EXEC>, <#C0OPSALERTS> or a direct message with me; ask me there.');
  });

  test('a person who may not ask gets the asking refusal, not the metric one', () => {
    assert.equal(mayReadMetric(policy, PEOPLE.guestExec, 'revenue', PLACES.exec).reason, "You're a guest in this workspace, so I can't answer questions for you.");
  });

  test('says why it is allowed', () => {
    assert.equal(mayReadMetric(policy, PEOPLE.alice, 'revenue', PLACES.dm).reason, 'You may see `revenue` as exec.');
    assert.equal(mayReadMetric(policy, PEOPLE.devi, 'orders', PLACES.general).reason, '`orders` is open to everyone who may ask.');
  });
});
