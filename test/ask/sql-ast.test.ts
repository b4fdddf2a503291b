/**
 * The pure parts of the free-form SQL guard, without an engine: reading an `EXPLAIN AST` dump
 * strictly (so a name holding a newline cannot forge or hide nodes), the AST rules, the
 * analyzer-output scan, the function allowlist with aggregate combinators, the text pre-checks
 * and the settings a query runs with. The dumps below are in the exact shape ClickHouse 26.7
 * prints (copied from real `SELECT explain FROM (EXPLAIN AST …)` output); test/ask/sql.test.ts
 * runs the same code on real dumps from chDB.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SQL_CHARS,
  ROLLUP_SQL_TABLES,
  checkAst,
  checkQueryTree,
  freeformSettings,
  isAllowedFunction,
  parseAstDump,
  precheckSql,
  type AstContext,
  type AstNode,
} from '../../src/ask/sql/index.js';

const CTX: AstContext = {
  allow: ROLLUP_SQL_TABLES,
  database: 'default',
  existingTables: new Set(['events', 'dead_letters', 'schema_migrations', ...ROLLUP_SQL_TABLES]),
};

/** A dump written as an indented block (leading newline and common margin removed). */
function dump(text: string): string[] {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const margin = Math.min(...lines.map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(margin));
}

function tree(text: string): AstNode {
  const parsed = parseAstDump(dump(text));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
  return parsed.root;
}

/** `SELECT <select> FROM <from>` as ClickHouse dumps it, with the FROM element's inner lines given. */
const selectFrom = (table: string) => `
  SelectWithUnionQuery (children 1)
   ExpressionList (children 1)
    SelectQuery (children 2)
     ExpressionList (children 1)
      Asterisk
     TablesInSelectQuery (children 1)
      TablesInSelectQueryElement (children 1)
       TableExpression (children 1)
        TableIdentifier ${table}
`;

describe('parseAstDump', () => {
  test('builds the tree ClickHouse printed', () => {
    const root = tree(selectFrom('rollup_1h (alias r)'));
    assert.equal(root.type, 'SelectWithUnionQuery');
    const table = root.children[0]!.children[0]!.children[1]!.children[0]!.children[0]!.children[0]!;
    assert.equal(table.type, 'TableIdentifier');
    assert.equal(table.detail, 'rollup_1h (alias r)');
  });

  test('refuses a node with fewer children than it declares', () => {
    const lines = dump(selectFrom('rollup_1h'));
    lines.splice(4, 1); // drop "Asterisk": its ExpressionList still declares one child
    const parsed = parseAstDump(lines);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.problem, /declares 1 children but has 0/);
  });

  test('refuses a line forged by a newline inside a name (an extra sibling breaks the counts)', () => {
    // `SELECT \`a\n    TableIdentifier rollup_1h\` FROM events`: the forged line lands beside real nodes.
    const parsed = parseAstDump(
      dump(`
        SelectWithUnionQuery (children 1)
         ExpressionList (children 1)
          SelectQuery (children 2)
           ExpressionList (children 1)
            Identifier a
            TableIdentifier rollup_1h
           TablesInSelectQuery (children 1)
            TablesInSelectQueryElement (children 1)
             TableExpression (children 1)
              TableIdentifier events
      `),
    );
    assert.equal(parsed.ok, false);
  });

  test('refuses a line indented more than one level below the previous one', () => {
    const parsed = parseAstDump(['SelectWithUnionQuery (children 1)', '   ExpressionList']);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.problem, /indented out of place/);
  });

  test('refuses an empty dump and a line with no node type', () => {
    assert.equal(parseAstDump([]).ok, false);
    assert.equal(parseAstDump(['SelectWithUnionQuery (children 1)', ' c)']).ok, false);
  });

  test('a forged subtree consistent with its counts can only add nodes: the real table is still found', () => {
    // The name `a (children 1)\n       TableIdentifier rollup_1h` forges a child under a leaf;
    // the real `TableIdentifier events` keeps its real parent and is still refused.
    const root = tree(`
      SelectWithUnionQuery (children 1)
       ExpressionList (children 1)
        SelectQuery (children 2)
         ExpressionList (children 1)
          Identifier a (children 1)
           TableIdentifier rollup_1h
         TablesInSelectQuery (children 1)
          TablesInSelectQueryElement (children 1)
           TableExpression (children 1)
            TableIdentifier events
    `);
    const check = checkAst(root, CTX);
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.reason, /reads events/);
  });
});

describe('checkAst', () => {
  test('passes an allowlisted table, unqualified or qualified with the current database', () => {
    assert.deepEqual(checkAst(tree(selectFrom('rollup_1h')), CTX), { ok: true, tables: ['rollup_1h'], unresolved: [] });
    assert.deepEqual(checkAst(tree(selectFrom('default.users_1d (alias u)')), CTX), { ok: true, tables: ['users_1d'], unresolved: [] });
  });

  test('refuses an allowlisted name in another database', () => {
    const check = checkAst(tree(selectFrom('other.rollup_1h')), CTX);
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.reason, /reads other\.rollup_1h/);
  });

  test('refuses system tables, raw tables and unknown names, naming them and what may be read', () => {
    for (const name of ['system.users', 'events', 'dead_letters', 'information_schema.tables', 'no_such_table']) {
      const check = checkAst(tree(selectFrom(name)), CTX);
      assert.equal(check.ok, false, name);
      assert.equal(
        check.ok ? '' : check.reason,
        `That query reads ${name}, which I'm not allowed to read. I can only read rollup_1d, rollup_1h, rollup_1m, users_1d, users_1h, users_1m.`,
      );
    }
  });

  test('accepts the dummy table system.one that a SELECT without FROM reads', () => {
    assert.deepEqual(checkAst(tree(selectFrom('system.one')), CTX), { ok: true, tables: [], unresolved: [] });
  });

  test('with a WITH, leaves a name that is no table to the analyzer, but refuses one that is', () => {
    const withQuery = (table: string) => `
      SelectWithUnionQuery (children 1)
       ExpressionList (children 1)
        SelectQuery (children 3)
         ExpressionList (children 1)
          WithElement (children 1)
           Subquery (children 1)
            SelectWithUnionQuery (children 1)
             ExpressionList (children 1)
              SelectQuery (children 2)
               ExpressionList (children 1)
                Literal UInt64_1
               TablesInSelectQuery (children 1)
                TablesInSelectQueryElement (children 1)
                 TableExpression (children 1)
                  TableIdentifier system.one
         ExpressionList (children 1)
          Asterisk
         TablesInSelectQuery (children 1)
          TablesInSelectQueryElement (children 1)
           TableExpression (children 1)
            TableIdentifier ${table}
    `;
    assert.deepEqual(checkAst(tree(withQuery('x')), CTX), { ok: true, tables: [], unresolved: ['x'] });
    const shadow = checkAst(tree(withQuery('events')), CTX);
    assert.equal(shadow.ok, false);
    assert.match(shadow.ok ? '' : shadow.reason, /reads events.*must not share a table's name/);
  });

  test('without a WITH, an unknown name is refused outright', () => {
    const check = checkAst(tree(selectFrom('x')), CTX);
    assert.equal(check.ok, false);
  });

  test('treats a bare name on the right of IN as a table', () => {
    const inTable = (name: string, fn = 'in') =>
      tree(`
        SelectWithUnionQuery (children 1)
         ExpressionList (children 1)
          SelectQuery (children 1)
           ExpressionList (children 1)
            Function ${fn} (children 1)
             ExpressionList (children 2)
              Literal UInt64_1
              Identifier ${name}
      `);
    for (const fn of ['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn']) {
      const check = checkAst(inTable('dead_letters', fn), CTX);
      assert.equal(check.ok, false, fn);
      assert.match(check.ok ? '' : check.reason, /reads dead_letters/);
    }
    assert.deepEqual(checkAst(inTable('rollup_1d'), CTX), { ok: true, tables: ['rollup_1d'], unresolved: [] });
  });

  test('refuses any function directly under a table expression (a table function), even on an allowed table', () => {
    const check = checkAst(
      tree(`
        SelectWithUnionQuery (children 1)
         ExpressionList (children 1)
          SelectQuery (children 2)
           ExpressionList (children 1)
            Asterisk
           TablesInSelectQuery (children 1)
            TablesInSelectQueryElement (children 1)
             TableExpression (children 1)
              Function loop (children 1)
               ExpressionList (children 1)
                Identifier rollup_1h
      `),
      CTX,
    );
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.reason, /table function loop\(\)/);
  });

  test('refuses functions off the list and says why for those that read outside', () => {
    const call = (fn: string) =>
      checkAst(
        tree(`
          SelectWithUnionQuery (children 1)
           ExpressionList (children 1)
            SelectQuery (children 1)
             ExpressionList (children 1)
              Function ${fn} (children 1)
               ExpressionList (children 1)
                Literal '/etc/passwd'
        `),
        CTX,
      );
    assert.match((call('file') as { reason: string }).reason, /file\(\), which reads a file/);
    assert.match((call('dictGetString') as { reason: string }).reason, /reads a dictionary/);
    assert.match((call('currentUser') as { reason: string }).reason, /not one of the functions/);
    assert.equal(call('lower').ok, true);
  });

  test('refuses SETTINGS, placeholders, APPLY and node types it does not know', () => {
    const withNode = (node: string) =>
      checkAst(
        tree(`
          SelectWithUnionQuery (children 1)
           ExpressionList (children 1)
            SelectQuery (children 2)
             ExpressionList (children 1)
              Literal UInt64_1
             ${node}
        `),
        CTX,
      );
    assert.match((withNode('Set') as { reason: string }).reason, /SETTINGS/);
    assert.match((withNode('QueryParameter t:String') as { reason: string }).reason, /placeholder/);
    assert.match((withNode('ColumnsApplyTransformer') as { reason: string }).reason, /APPLY/);
    assert.match((withNode('TableOverride x') as { reason: string }).reason, /construct I can't check \(TableOverride\)/);
  });

  test('refuses an output clause on the outermost query', () => {
    const check = checkAst(
      tree(`
        SelectWithUnionQuery (children 2)
         ExpressionList (children 1)
          SelectQuery (children 1)
           ExpressionList (children 1)
            Literal UInt64_1
         Identifier CSV
      `),
      CTX,
    );
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.reason, /FORMAT, INTO OUTFILE or SETTINGS/);
  });
});

describe('isAllowedFunction', () => {
  test('accepts listed functions whatever their case', () => {
    for (const fn of ['sum', 'SUM', 'toStartOfHour', 'quantilesTDigest', 'multiIf', 'lagInFrame', 'row_number']) assert.ok(isAllowedFunction(fn), fn);
  });

  test('accepts aggregate combinators over allowed aggregates', () => {
    for (const fn of ['sumIf', 'countIf', 'uniqMerge', 'quantilesTDigestMerge', 'countIfOrNull', 'sumMergeState', 'avgIfOrDefault', 'sumMap']) {
      assert.ok(isAllowedFunction(fn), fn);
    }
  });

  test('refuses combinators on anything but an allowed aggregate', () => {
    for (const fn of ['fileIf', 'dictGetIf', 'sleepMerge', 'State', 'lowerIf', 'fileState']) assert.equal(isAllowedFunction(fn), false, fn);
  });

  test('refuses functions that read outside, stall or reveal the server', () => {
    for (const fn of ['file', 'url', 'dictGet', 'joinGet', 'hasColumnInTable', 'sleep', 'sleepEachRow', 'getSetting', 'currentUser', 'version', 'range', 'throwIf']) {
      assert.equal(isAllowedFunction(fn), false, fn);
    }
  });
});

describe('checkQueryTree', () => {
  const ctx = { allow: ROLLUP_SQL_TABLES, database: 'default' };

  test('collects every resolved table and ignores system.one', () => {
    const text = [
      'QUERY id: 0',
      '  JOIN TREE',
      '    TABLE id: 5, alias: __table1, table_name: default.rollup_1h',
      '  WHERE',
      '    QUERY id: 9, is_subquery: 1',
      '      JOIN TREE',
      '        TABLE id: 12, alias: __table1, table_name: default.rollup_1d',
      '    TABLE id: 13, table_name: system.one',
    ].join('\n');
    assert.deepEqual(checkQueryTree(text, ctx), { ok: true, tables: ['rollup_1d', 'rollup_1h'] });
  });

  test('refuses a resolved table outside the allowlist, wherever it sits', () => {
    const text = '    QUERY id: 3, alias: __table1, is_subquery: 1, is_cte: 1, cte_name: x\n          TABLE id: 10, alias: __table3, table_name: default.events';
    const check = checkQueryTree(text, ctx);
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.reason, /reads default\.events/);
  });

  test('an alias forging a table_name can only add a refusal, never hide the real one', () => {
    const text = 'TABLE id: 6, alias: q, table_name: default.rollup_1h, table_name: default.events';
    assert.equal(checkQueryTree(text, ctx).ok, false);
  });

  test('refuses table functions and nameless TABLE nodes', () => {
    assert.equal(checkQueryTree('TABLE_FUNCTION id: 3, alias: __table1, table_function_name: numbers', ctx).ok, false);
    assert.equal(checkQueryTree('TABLE id: 3, alias: __table1', ctx).ok, false);
  });

  test('refuses an allowlisted name in another database', () => {
    assert.equal(checkQueryTree('TABLE id: 5, table_name: other.rollup_1h', ctx).ok, false);
  });
});

describe('precheckSql', () => {
  test('refuses empty and blank text', () => {
    assert.deepEqual(precheckSql(''), { ok: false, reason: 'There is no query to run.' });
    assert.equal(precheckSql(' \n\t').ok, false);
  });

  test('refuses text over MAX_SQL_CHARS and accepts text at it', () => {
    assert.equal(precheckSql(`SELECT 1${' '.repeat(MAX_SQL_CHARS - 8)}`).ok, true);
    assert.equal(precheckSql(`SELECT 1${' '.repeat(MAX_SQL_CHARS - 7)}`).ok, false);
  });

  test('refuses NUL and other control characters, and text-direction overrides', () => {
    for (const sql of ['SELECT 1\u0000', 'SELECT 1\u001b[2J', 'SELECT 1 /*\u202e*/', 'SELECT 1 \u2066x\u2069']) {
      assert.equal(precheckSql(sql).ok, false, JSON.stringify(sql));
    }
  });

  test('accepts tabs, newlines and non-Latin text in strings', () => {
    assert.equal(precheckSql("SELECT\n\t'Köln', '東京' AS city\r\nFROM rollup_1h").ok, true);
  });
});

describe('freeformSettings', () => {
  test('runs read-only with limits that fail rather than cut, defaulting to 1000 rows and 10 s', () => {
    assert.deepEqual(freeformSettings(), {
      readonly: 1,
      max_execution_time: 10,
      timeout_overflow_mode: 'throw',
      max_result_rows: 1000,
      result_overflow_mode: 'throw',
      max_rows_to_read: 100_000_000,
      read_overflow_mode: 'throw',
      max_memory_usage: 2_000_000_000,
    });
    assert.equal(freeformSettings({ maxRows: 5, maxExecutionSec: 2 }).max_result_rows, 5);
    assert.equal(freeformSettings({ maxRows: 5, maxExecutionSec: 2 }).max_execution_time, 2);
  });
});
