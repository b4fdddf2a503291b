import { EVERYONE, type AccessPolicy, type Action, type Grant } from './policy.js';

/**
 * "May this person do X here?" as a pure function of the policy, who they are and where they
 * ask. Reasons are sentences shown in Slack as they are; they name roles and channels (as
 * `<#C…>` mentions, which Slack renders as #channel-name) and never a metric's value.
 */

export type PrincipalKind = 'member' | 'guest' | 'bot' | 'deleted' | 'unknown';

export interface Principal {
  readonly userId: string;
  /** The user groups (of those the policy mentions) this user belongs to. */
  readonly groups: readonly string[];
  /** Only `member`s hold roles; everyone else is refused everything, `ask` included. */
  readonly kind: PrincipalKind;
  /** Why the kind is `unknown`: Slack has no such user, or Slack could not be asked. */
  readonly unresolved?: 'not_found' | 'lookup_failed';
  /** The user's IANA time zone from their Slack profile, when known. */
  readonly tz?: string;
}

export interface Place {
  readonly channelId: string;
  /** A 1:1 direct message with opsight (not a group DM): only the asker sees the answer. */
  readonly isDirect?: boolean;
}

export interface Decision {
  readonly allowed: boolean;
  /** The defined roles the person holds, in policy order (the built-in `everyone` is not listed). */
  readonly roles: readonly string[];
  /** A sentence for the person, whether allowed or not. */
  readonly reason: string;
}

export const LOOKUP_FAILED_REASON = "I couldn't check your roles with Slack just now; try again in a minute.";

const ACTION_TEXT: Record<Action, { doing: string; verb: string }> = {
  ask: { doing: 'Asking questions', verb: 'ask questions' },
  approve: { doing: 'Approving', verb: 'approve' },
  silence: { doing: 'Silencing alerts', verb: 'silence alerts' },
  acknowledge: { doing: 'Acknowledging alerts', verb: 'acknowledge alerts' },
  admin: { doing: "Changing opsight's settings", verb: "change opsight's settings" },
};

/** "a", "a or b", "a, b or c". */
function either(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "a", "a and b", "a, b and c". */
function both(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const channelMentions = (ids: readonly string[]) => either(ids.map((id) => `<#${id}>`));

/** The defined roles a principal holds, in policy order; none unless they are a member. */
export function rolesOf(policy: AccessPolicy, principal: Principal): string[] {
  if (principal.kind !== 'member') return [];
  const held: string[] = [];
  for (const [role, members] of policy.roles) {
    if (members.users.includes(principal.userId) || members.groups.some((g) => principal.groups.includes(g))) held.push(role);
  }
  return held;
}

/** Why a non-member is refused; undefined for members. */
function notAMember(principal: Principal, action: Action): string | undefined {
  const what = action === 'ask' ? 'answer questions' : 'run actions';
  switch (principal.kind) {
    case 'member':
      return undefined;
    case 'guest':
      return `You're a guest in this workspace, so I can't ${what} for you.`;
    case 'bot':
      return "I only take requests from people, not from bots or apps.";
    case 'deleted':
      return `This account is deactivated, so I can't ${what} for it.`;
    case 'unknown':
      return principal.unresolved === 'not_found'
        ? `I couldn't find your account in this workspace, so I can't ${what} for you.`
        : LOOKUP_FAILED_REASON;
  }
}

/**
 * DMs count as the asker's own place for restricted metrics (nobody else sees the answer), but
 * not for actions: an action limited to channels is taken where the team can see it.
 */
function inPlace(grant: Grant, place: Place, directCounts: boolean): boolean {
  if (!grant.channels) return true;
  if (directCounts && place.isDirect) return true;
  return grant.channels.includes(place.channelId);
}

/** The first role in the grant the person holds (`everyone` last), or undefined. */
function grantingRole(grant: Grant, held: readonly string[]): string | undefined {
  return grant.roles.find((r) => r !== EVERYONE && held.includes(r)) ?? (grant.roles.includes(EVERYONE) ? EVERYONE : undefined);
}

const youHave = (held: readonly string[]) => (held.length === 0 ? "you don't have any role yet" : `you have ${both(held)}`);

/** May this principal take `action` at `place`? Pure; see rules/access.yaml for the rules. */
export function decide(policy: AccessPolicy, principal: Principal, action: Action, place: Place): Decision {
  const refusedAs = notAMember(principal, action);
  if (refusedAs !== undefined) return { allowed: false, roles: [], reason: refusedAs };

  const roles = rolesOf(policy, principal);
  const grant = policy.permissions[action];
  const text = ACTION_TEXT[action];
  const where = grant.channels ? ` in ${channelMentions(grant.channels)}` : '';
  if (grant.roles.length === 0) {
    return { allowed: false, roles, reason: `${text.doing} isn't enabled for anyone yet; an admin can grant it in rules/access.yaml.` };
  }
  const via = grantingRole(grant, roles);
  if (via === undefined) {
    return { allowed: false, roles, reason: `${text.doing} needs the ${either(grant.roles)} role${where}; ${youHave(roles)}.` };
  }
  if (!inPlace(grant, place, false)) {
    return { allowed: false, roles, reason: `${text.doing} is only done${where}, not here.` };
  }
  const reason = via === EVERYONE ? `Every member of this workspace may ${text.verb}${where}.` : `You may ${text.verb} here as ${via}.`;
  return { allowed: true, roles, reason };
}

/**
 * May this principal see `metric` answered at `place`? They must be allowed to `ask` there, and
 * if the metric is restricted, hold one of its roles and ask in one of its channels or in a
 * direct message with opsight. A refusal names the metric id, never a number.
 */
export function mayReadMetric(policy: AccessPolicy, principal: Principal, metric: string, place: Place): Decision {
  const asking = decide(policy, principal, 'ask', place);
  if (!asking.allowed) return asking;
  const roles = asking.roles;
  const grant = policy.restrictedMetrics.get(metric);
  if (!grant) return { allowed: true, roles, reason: `\`${metric}\` is open to everyone who may ask.` };

  const via = grantingRole(grant, roles);
  if (via === undefined) {
    return { allowed: false, roles, reason: `\`${metric}\` is only shared with the ${either(grant.roles)} role; ${youHave(roles)}, so I can't share it with you.` };
  }
  if (!inPlace(grant, place, true)) {
    return {
      allowed: false,
      roles,
      reason: `\`${metric}\` is only shared in ${either([...(grant.channels ?? []).map((id) => `<#${id}>`), 'a direct message with me'])}; ask me there.`,
    };
  }
  return { allowed: true, roles, reason: via === EVERYONE ? `\`${metric}\` is open to everyone here.` : `You may see \`${metric}\` as ${via}.` };
}
