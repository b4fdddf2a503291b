import type { Store } from './store.js';

/**
 * Key/value rows of alert_state (migration 3): the alert book and detector states, as JSON.
 * Each write is a new version; reads take the newest per key (FINAL-free: argMax), so a
 * crash between writes leaves the previous version readable, never a half-written one.
 */
export interface StateRow {
  kind: string;
  key: string;
  body: string;
}

export async function readState(store: Store, kind: string): Promise<StateRow[]> {
  return store.query<StateRow>(
    'SELECT kind, key, argMax(body, version) AS body FROM alert_state WHERE kind = {kind:String} GROUP BY kind, key',
    { kind },
  );
}

/** Writes rows as one new version (ms clock, never going backwards within this process). */
let lastVersion = 0;
export async function writeState(store: Store, rows: readonly StateRow[]): Promise<void> {
  if (rows.length === 0) return;
  const version = (lastVersion = Math.max(Date.now(), lastVersion + 1));
  await store.insertRows('alert_state', ['kind', 'key', 'version', 'body'], rows.map((r) => ({ ...r, version })));
}

export async function deleteState(store: Store, kind: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  // An empty body is a tombstone: cheaper than a mutation, and readers skip it.
  await writeState(store, keys.map((key) => ({ kind, key, body: '' })));
}

export interface ActionRequestRow {
  at: Date;
  alertId: string;
  ruleId: string;
  tool: string;
  params: Readonly<Record<string, unknown>>;
  requestedBy: string;
  channel: string;
  status: string;
  message: string;
}

export async function insertActionRequest(store: Store, row: ActionRequestRow): Promise<void> {
  await store.insertRows(
    'alert_action_requests',
    ['at', 'alert_id', 'rule_id', 'tool', 'params', 'requested_by', 'channel', 'status', 'message'],
    [
      {
        at: row.at.toISOString().replace('T', ' ').replace('Z', ''),
        alert_id: row.alertId,
        rule_id: row.ruleId,
        tool: row.tool,
        params: JSON.stringify(row.params),
        requested_by: row.requestedBy,
        channel: row.channel,
        status: row.status,
        message: row.message,
      },
    ],
  );
}
