import type { Store } from '../../store/index.js';
import { ROLLUP_SQL_TABLES } from './allowlist.js';
import { checkAst, parseAstDump } from './ast.js';
import { engineFailure, limitReason } from './engine-errors.js';
import { explainSettings, freeformSettings, resolveFreeformOptions, type FreeformSqlOptions } from './limits.js';
import { checkQueryTree } from './query-tree.js';
import { notSelectReason, precheckSql, statementKind } from './text.js';

export type SqlCheck =
  | {
      ok: true;
      /**
       * ClickHouse's own formatting of the query: one statement, no comments. This, not the
       * text that came in, is what was checked and what runFreeformSql runs.
       */
      sql: string;
      /** Allowlisted tables the query reads, unqualified, sorted (empty for `SELECT 1`). */
      tables: string[];
    }
  | { ok: false; reason: string };

/**
 * Decides whether a free-form query may run, with ClickHouse's own parser and analyzer doing
 * the reading (a home-made tokenizer is what hostile SQL is written to slip past):
 *
 * 1. the raw text: not empty, at most MAX_SQL_CHARS, no hidden characters;
 * 2. `formatQuery({sql:String})`: the text goes in as a value, never spliced. ClickHouse
 *    refuses more than one statement ("Multi-statements are not allowed") and returns the
 *    statement re-printed without comments; formatting that output again must give the same
 *    text, so what we splice below parses exactly as what we checked;
 * 3. `EXPLAIN AST` of that text: walked by checkAst (tables, table functions, functions,
 *    SETTINGS, node types);
 * 4. `EXPLAIN QUERY TREE`: the analyzer resolves every name; checkQueryTree requires every
 *    table it resolved to be allowed. Runs only after 3 passed, under the query limits,
 *    because the analyzer evaluates constant subqueries.
 *
 * Every step fails closed: an engine error about the query is a refusal with the engine's
 * words in it. (A store failure in our own lookup of the table list throws, as any query would.)
 */
export async function checkSqlWithEngine(
  store: Store,
  sql: string,
  allow: ReadonlySet<string> = ROLLUP_SQL_TABLES,
  options: FreeformSqlOptions = {},
): Promise<SqlCheck> {
  const o = resolveFreeformOptions({ ...options, allow });
  const pre = precheckSql(sql);
  if (!pre.ok) return pre;

  let formatted: string;
  try {
    const rows = await store.query<{ f: string; g: string }>(
      'SELECT formatQuery({sql:String}) AS f, formatQuery(f) AS g',
      { sql },
      freeformSettings(o),
    );
    const f = rows[0]?.f;
    if (f === undefined || f !== rows[0]?.g) {
      return { ok: false, reason: "ClickHouse prints that query differently each time it reads it, so I can't check it; simplify it." };
    }
    formatted = f;
  } catch (err) {
    const e = engineFailure(err);
    if (/Multi-statements are not allowed/i.test(e.message)) {
      return { ok: false, reason: 'That is more than one statement; I run exactly one SELECT at a time.' };
    }
    return { ok: false, reason: `I couldn't read that as one ClickHouse query (${e.message}).` };
  }

  const kind = statementKind(formatted);
  if (kind !== 'SELECT' && kind !== 'WITH') return { ok: false, reason: notSelectReason(kind) };

  let astLines: string[];
  try {
    astLines = (await store.query<{ explain: string }>(`SELECT explain FROM (EXPLAIN AST ${formatted})`, {}, explainSettings(o))).map((r) => r.explain);
  } catch (err) {
    const e = engineFailure(err);
    return { ok: false, reason: explainRefusal(e, formatted) ?? limitReason(e.type, o) ?? `I couldn't check that query (${e.message}).` };
  }
  const parsed = parseAstDump(astLines);
  if (!parsed.ok) {
    return { ok: false, reason: `I couldn't check that query's structure (${parsed.problem}); names with line breaks are a common cause.` };
  }

  const [schema] = await store.query<{ db: string; names: string[] }>(
    'SELECT currentDatabase() AS db, groupUniqArray(name) AS names FROM system.tables WHERE database = currentDatabase() OR is_temporary',
  );
  const ast = checkAst(parsed.root, { allow: o.allow, database: schema?.db ?? 'default', existingTables: new Set(schema?.names ?? []) });
  if (!ast.ok) return ast;

  let tree: string;
  try {
    tree = (await store.query<{ explain: string }>(`SELECT explain FROM (EXPLAIN QUERY TREE ${formatted})`, {}, explainSettings(o)))
      .map((r) => r.explain)
      .join('\n');
  } catch (err) {
    const e = engineFailure(err);
    const unknown = e.type === 'UNKNOWN_TABLE' ? /identifier '([^']+)'/.exec(e.message)?.[1] : undefined;
    if (unknown !== undefined) {
      return { ok: false, reason: `That query reads ${unknown}, which doesn't exist here. I can only read ${[...o.allow].sort().join(', ')}.` };
    }
    return { ok: false, reason: limitReason(e.type, o) ?? `ClickHouse can't run that query: ${e.message}` };
  }
  const resolved = checkQueryTree(tree, { allow: o.allow, database: schema?.db ?? 'default' });
  if (!resolved.ok) return resolved;
  return { ok: true, sql: formatted, tables: resolved.tables };
}

const PLACEHOLDER_REASON = 'That query has a {placeholder}; I only run queries with their values written in.';

/** EXPLAIN in a subquery refuses some things itself; say which in words. */
function explainRefusal(e: ReturnType<typeof engineFailure>, formatted: string): string | undefined {
  if (/cannot have output options/i.test(e.message)) {
    return /\bINTO OUTFILE\b/i.test(formatted)
      ? 'That query writes INTO OUTFILE; I never write files, and I choose the output format myself.'
      : 'That query sets its own FORMAT; I choose the output format myself.';
  }
  const setting = /Cannot modify '([^']+)' setting/i.exec(e.message)?.[1];
  if (setting !== undefined) return `That query sets its own SETTINGS (${setting}); I set the limits myself.`;
  if (/supports only SELECT/i.test(e.message)) return notSelectReason('');
  if (e.type === 'UNKNOWN_QUERY_PARAMETER') return PLACEHOLDER_REASON;
  return undefined;
}
