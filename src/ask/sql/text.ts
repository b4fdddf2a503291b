/**
 * The few checks made on the raw text before it reaches the engine. Everything structural is
 * left to ClickHouse's own parser (see check.ts); these only bound what we hand to it.
 */

/** Longest free-form query accepted, in characters. LLM-written analytics SQL is far shorter. */
export const MAX_SQL_CHARS = 10_000;

/**
 * C0 controls other than tab/newline/carriage return, DEL, and the Unicode bidirectional
 * overrides ("Trojan Source"): they make a query read differently to a person than to the
 * parser, and no honest query needs them.
 */
const HIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/u;

export type TextCheck = { ok: true } | { ok: false; reason: string };

/** Empty, too long, or hiding characters: refused before the engine sees it. */
export function precheckSql(sql: string): TextCheck {
  if (sql.trim() === '') return { ok: false, reason: 'There is no query to run.' };
  if (sql.length > MAX_SQL_CHARS) {
    return {
      ok: false,
      reason: `That query is ${sql.length.toLocaleString('en-US')} characters long; I only run queries up to ${MAX_SQL_CHARS.toLocaleString('en-US')} characters.`,
    };
  }
  if (HIDDEN_CHARS.test(sql)) {
    return { ok: false, reason: "That query contains invisible control or text-direction characters, so I won't run it." };
  }
  return { ok: true };
}

/**
 * The statement's leading keyword (`SELECT`, `WITH`, `DROP`, …) read from ClickHouse's own
 * formatting of it, which starts with the keyword and has no comments. Used to word a refusal;
 * the decision itself is the AST's.
 */
export function statementKind(formatted: string): string {
  const m = /^[\s(]*([A-Za-z]+)/.exec(formatted);
  return m?.[1]?.toUpperCase() ?? '';
}

/** Sentence for a statement that is not a SELECT. */
export function notSelectReason(kind: string): string {
  const article = /^[AEIOU]/.test(kind) ? 'an' : 'a';
  const what = kind === '' ? 'That is not a SELECT query' : `That is ${article} ${kind} statement, not a SELECT`;
  return `${what}. I only run a single SELECT over the rollup tables, and I never change data, tables or settings.`;
}
