import { DUMMY_TABLE } from './allowlist.js';

/**
 * Second opinion on what a query reads, from ClickHouse's analyzer (`EXPLAIN QUERY TREE`):
 * there every name is resolved, so a WITH subquery is a QUERY node (`is_cte: 1`) and every
 * real table, however it was reached (FROM, JOIN, `IN t`, a subquery, a CTE's body), is a
 * `TABLE … table_name: <db>.<name>` node. Pure: the text comes from check.ts.
 *
 * Aliases are printed raw here too, so the scan is deliberately blunt: every `table_name: `
 * anywhere in the text must name an allowed table. A forged one can only add a refusal; a
 * real one is printed by the engine on its own node line and cannot be hidden.
 */

export interface QueryTreeContext {
  allow: ReadonlySet<string>;
  database: string;
}

export type QueryTreeCheck = { ok: true; tables: string[] } | { ok: false; reason: string };

export function checkQueryTree(text: string, ctx: QueryTreeContext): QueryTreeCheck {
  const list = [...ctx.allow].sort().join(', ');
  const fn = /table_function_name: ([^\s,]+)/.exec(text);
  if (fn) return { ok: false, reason: `That query calls the table function ${fn[1]}(), which reads outside the rollup tables. I can only read ${list}.` };
  // A TABLE node without a name would be a table we cannot vouch for.
  for (const line of text.split('\n')) {
    if (/\bTABLE id: /.test(line) && !line.includes('table_name: ')) {
      return { ok: false, reason: "I could not tell which tables that query reads, so I don't run it." };
    }
  }
  const tables = new Set<string>();
  for (const m of text.matchAll(/table_name: ([^\s,]+)/g)) {
    const name = m[1]!;
    if (name === DUMMY_TABLE) continue;
    const prefix = `${ctx.database}.`;
    const bare = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
    if (bare === undefined || !ctx.allow.has(bare)) {
      return { ok: false, reason: `That query reads ${name}, which I'm not allowed to read. I can only read ${list}.` };
    }
    tables.add(bare);
  }
  return { ok: true, tables: [...tables].sort() };
}
