import type { Store } from './store.js';

/** One question and what answered it (table audit_questions, migration 2). */
export interface QuestionAudit {
  at: Date;
  /** Where it was asked: 'cli', 'api' or 'slack'. */
  surface: 'cli' | 'api' | 'slack';
  /** Slack user id; '' from the CLI and the API. */
  userId: string;
  /** Slack channel id; '' elsewhere. */
  channel: string;
  question: string;
  /** answered | clarify | refused | error */
  status: string;
  metric: string;
  plan: unknown;
  sql: string;
  rows: number;
  latencyMs: number;
  /** The failure, for status 'error'. */
  error: string;
}

const COLUMNS = ['at', 'surface', 'user_id', 'channel', 'question', 'status', 'metric', 'plan', 'sql', 'rows', 'latency_ms', 'error'] as const;

export async function insertQuestionAudit(store: Store, entries: readonly QuestionAudit[]): Promise<void> {
  await store.insertRows(
    'audit_questions',
    COLUMNS,
    entries.map((e) => ({
      at: e.at.toISOString().replace('T', ' ').replace('Z', ''),
      surface: e.surface,
      user_id: e.userId,
      channel: e.channel,
      question: e.question,
      status: e.status,
      metric: e.metric,
      plan: e.plan === null || e.plan === undefined ? '' : JSON.stringify(e.plan),
      sql: e.sql,
      rows: e.rows,
      latency_ms: Math.max(0, Math.round(e.latencyMs)),
      error: e.error,
    })),
  );
}
