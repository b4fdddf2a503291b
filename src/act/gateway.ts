import { asOpsightError, type OpsightError } from '../errors.js';
import type { SuggestedAction } from './suggest.js';

/**
 * The one way anything asks opsight to run an action (issue 5: every next-best-action button
 * goes through it). Today its only implementation says honestly that automations are off and
 * records the request; the automations issue adds the one that checks approval and runs the
 * tool exactly once, behind the same interface, so the Slack side does not change.
 */

export interface ActionRequest {
  readonly action: SuggestedAction;
  readonly alertId: string;
  /** Slack user id of the person who clicked. */
  readonly requestedBy: string;
  /** Slack channel id the click came from. */
  readonly channelId: string;
  readonly at: Date;
}

export type ActionStatus = 'unavailable' | 'requested' | 'refused' | 'executed' | 'failed';

export interface ActionResult {
  readonly status: ActionStatus;
  /** Slack mrkdwn for the thread, addressed to the people in the channel. */
  readonly message: string;
  /**
   * Something that went wrong on the side (the request could not be recorded). `message` already
   * tells the person; the caller logs this.
   */
  readonly error?: OpsightError;
}

export interface ActionGateway {
  /** Whether requests can lead to a run; false while automations are not enabled. */
  readonly available: boolean;
  request(req: ActionRequest): Promise<ActionResult>;
}

/**
 * Automations are not enabled: nothing runs. Every request is handed to `record` (the caller
 * persists it, so the audit shows who wanted what from which alert) and answered with what the
 * action would have done and how to do it by hand.
 */
export function unavailableGateway(record: (req: ActionRequest) => Promise<void>): ActionGateway {
  return {
    available: false,
    async request(req) {
      let error: OpsightError | undefined;
      try {
        await record(req);
      } catch (err) {
        error = asOpsightError(err);
      }
      return { status: 'unavailable', message: unavailableMessage(req, error === undefined), ...(error ? { error } : {}) };
    },
  };
}

function unavailableMessage(req: ActionRequest, recorded: boolean): string {
  const { action } = req;
  const who = /^[UW][A-Z0-9]{2,}$/.test(req.requestedBy) ? `<@${req.requestedBy}>` : escapeMrkdwn(req.requestedBy);
  const asked = `${who} asked for *${escapeMrkdwn(action.title)}* — ${sentence(escapeMrkdwn(action.description))}`;
  const off = recorded
    ? "Automations aren't enabled in this workspace yet, so nothing ran."
    : "Automations aren't enabled in this workspace yet, so nothing ran, and I couldn't record the request either.";
  const next = action.manual
    ? `To do it now, do it by hand: ${sentence(escapeMrkdwn(action.manual))} Or ask an admin to enable automations.`
    : 'To do it now, do it by hand, or ask an admin to enable automations.';
  return `${recorded ? 'Noted: ' : ''}${asked}\n${off} ${next}`;
}

/** Label values come from the data: Slack would read `<…>` in them as links or mentions. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
