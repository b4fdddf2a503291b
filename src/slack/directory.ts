import type { WebClient } from '@slack/web-api';
import type { Directory, DirectoryUser } from '../access/index.js';
import { OpsightError } from '../errors.js';
import type { Logger } from '../ops/index.js';
import { RETRIABLE_SLACK_ERRORS } from './outbox/index.js';

/**
 * The workspace directory over Slack's Web API: users.info (scope users:read) and
 * usergroups.users.list (scope usergroups:read). The client's own retry policy applies to each
 * call; role checks sit in front of a person waiting, so give it a short one
 * (`retryConfig: { retries: 2 }`, `rejectRateLimitedCalls: true`) rather than bolt's default
 * of ten retries over half an hour.
 */

export interface SlackDirectoryOptions {
  log: Logger;
}


// What an operator should do about the errors that a configuration change fixes.
const FIXES: Record<string, string> = {
  missing_scope: 'add the users:read and usergroups:read bot scopes to the Slack app and reinstall it',
  not_authed: 'set SLACK_BOT_TOKEN',
  invalid_auth: 'check SLACK_BOT_TOKEN (it is not valid for this workspace)',
  token_revoked: 'the app was uninstalled or its token revoked; reinstall it and update SLACK_BOT_TOKEN',
  account_inactive: 'the app was uninstalled or its token revoked; reinstall it and update SLACK_BOT_TOKEN',
};

/** `@slack/web-api` errors by their `code`, without depending on its classes at runtime. */
interface WebApiErrorShape {
  code?: string;
  data?: { error?: string; needed?: string };
  statusCode?: number;
  retryAfter?: number;
}

const userMessage = "I couldn't check your roles with Slack just now; try again in a minute.";

function platformError(err: unknown): string | undefined {
  const e = err as WebApiErrorShape;
  return e?.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
}

/** Any failure of the Web API as an OpsightError that says whether trying again may help. */
function toOpsightError(method: string, err: unknown): OpsightError {
  const e = (err ?? {}) as WebApiErrorShape;
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return new OpsightError('opsight_slack_rate_limited', `Slack rate-limited ${method}; retry after ${e.retryAfter ?? '?'} s`, {
        retriable: true,
        userMessage,
        cause: err,
      });
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      const fix = FIXES[code];
      const needed = e.data?.needed ? ` (needs ${e.data.needed})` : '';
      return new OpsightError('opsight_slack_api_failed', `Slack ${method} failed: ${code}${needed}${fix ? `; ${fix}` : ''}`, {
        retriable: RETRIABLE_SLACK_ERRORS.has(code),
        userMessage,
        cause: err,
      });
    }
    case 'slack_webapi_http_error':
      return new OpsightError('opsight_slack_api_failed', `Slack ${method} answered HTTP ${e.statusCode ?? '?'}`, {
        retriable: e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 429,
        userMessage,
        cause: err,
      });
    case 'slack_webapi_request_error':
      return new OpsightError('opsight_slack_api_failed', `Slack ${method} could not be reached: ${(err as Error).message}`, {
        retriable: true,
        userMessage,
        cause: err,
      });
    default:
      return new OpsightError('opsight_slack_api_failed', `Slack ${method} failed: ${err instanceof Error ? err.message : String(err)}`, {
        retriable: false,
        userMessage,
        cause: err,
      });
  }
}

export function slackDirectory(client: WebClient, options: SlackDirectoryOptions): Directory {
  const log = options.log.child({ module: 'slack.directory' });
  return {
    async user(userId: string): Promise<DirectoryUser | undefined> {
      const res = await client.users.info({ user: userId }).catch((err: unknown) => {
        if (platformError(err) === 'user_not_found') return undefined;
        throw toOpsightError('users.info', err);
      });
      if (!res) return undefined;
      const u = res.user;
      if (!u?.id) throw new OpsightError('opsight_slack_api_failed', `Slack users.info for ${userId} returned no user`, { retriable: true, userMessage });
      return {
        id: u.id,
        deleted: u.deleted === true,
        // Slackbot is a bot that Slack reports with is_bot: false.
        isBot: u.is_bot === true || u.id === 'USLACKBOT',
        // is_restricted = multi-channel guest, is_ultra_restricted = single-channel guest.
        isGuest: u.is_restricted === true || u.is_ultra_restricted === true,
        ...(u.tz ? { tz: u.tz } : {}),
      };
    },

    async groupMembers(groupId: string): Promise<string[]> {
      try {
        const res = await client.usergroups.users.list({ usergroup: groupId });
        return res.users ?? [];
      } catch (err) {
        // A group deleted in Slack but still named in rules/access.yaml: its role just has no
        // members through it. Logged so the operator can fix the file; not a reason to refuse.
        if (platformError(err) === 'no_such_subteam') {
          log.warn({ groupId }, 'user group named in rules/access.yaml does not exist in Slack; treating it as empty');
          return [];
        }
        throw toOpsightError('usergroups.users.list', err);
      }
    },
  };
}
