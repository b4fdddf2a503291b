export {
  loadAccessPolicy,
  checkAccessPolicy,
  defaultAccessPolicy,
  defaultGrant,
  policyGroups,
  ACTIONS,
  EVERYONE,
  DEFAULT_CACHE_TTL_SECONDS,
  type AccessPolicy,
  type Action,
  type Grant,
  type RoleMembers,
} from './policy.js';
export { decide, mayReadMetric, rolesOf, LOOKUP_FAILED_REASON, type Principal, type PrincipalKind, type Place, type Decision } from './decide.js';
export { createRoleResolver, type Directory, type DirectoryUser, type RoleResolver, type RoleResolverOptions } from './resolver.js';
