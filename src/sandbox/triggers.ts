import { randomBytes } from 'node:crypto';

/**
 * trigger_ids, as Slack hands them out with every slash command and interaction: usable once,
 * within 3 seconds (Slack's views.open docs), by the app that received them.
 */

/** Slack: "trigger_id ... expires in 3 seconds". */
export const TRIGGER_TTL_MS = 3000;

export interface Trigger {
  id: string;
  user: string;
  issuedAtMs: number;
  used: boolean;
}

export type TriggerCheck = { ok: true; trigger: Trigger } | { ok: false; error: 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id' };

export interface TriggerBook {
  issue(user: string): string;
  /** Checks and marks the trigger used; a second use is `exchanged_trigger_id`. */
  exchange(id: string): TriggerCheck;
}

export function createTriggerBook(now: () => number): TriggerBook {
  const triggers = new Map<string, Trigger>();
  let seq = 0;
  return {
    issue(user) {
      // Slack's shape: "<digits>.<digits>.<hex>".
      const id = `${Math.floor(now() / 1000)}.${++seq}.${randomBytes(16).toString('hex')}`;
      triggers.set(id, { id, user, issuedAtMs: now(), used: false });
      return id;
    },
    exchange(id) {
      const t = triggers.get(id);
      if (!t) return { ok: false, error: 'invalid_trigger_id' };
      if (t.used) return { ok: false, error: 'exchanged_trigger_id' };
      if (now() - t.issuedAtMs > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
      t.used = true;
      return { ok: true, trigger: t };
    },
  };
}
