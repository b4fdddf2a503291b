import { DUMMY_TABLE, isAllowedFunction, outsideReader } from './allowlist.js';

/**
 * Reads ClickHouse's `EXPLAIN AST` dump and decides whether the query stays inside the
 * allowlist. Pure: the dump comes from the engine (check.ts), so the parse is ClickHouse's own;
 * this file only walks the tree it printed.
 *
 * The dump is one node per line: `<depth spaces><Type> <detail>[ (alias a)][ (children n)]`.
 * Identifiers, aliases and function names are printed raw, so a backquoted name holding a
 * newline adds lines of the author's choosing. The parse is strict for that reason: every line
 * must be a known node type and every node must have exactly the children it declares. A
 * forged line can then only sit inside the forged subtree of a leaf, where it can add
 * references (refused or checked like any other) but never hide or re-parent a real node.
 */

export interface AstNode {
  /** `SelectQuery`, `Function`, `TableIdentifier`, … */
  type: string;
  /** What follows the type: a name, a literal, `(alias x)`. */
  detail: string;
  /** `(children n)` as printed; 0 when absent. */
  declared: number;
  children: AstNode[];
  /** 1-based line in the dump, for messages. */
  line: number;
}

export type AstParse = { ok: true; root: AstNode } | { ok: false; problem: string };

export interface AstContext {
  /** Tables the query may read, unqualified (`rollup_1h`). */
  allow: ReadonlySet<string>;
  /** The connection's current database: `<database>.<table>` counts as `<table>`. */
  database: string;
  /** Every table, view or dictionary name in the current database (and temporary tables). */
  existingTables: ReadonlySet<string>;
}

export type AstCheck =
  | {
      ok: true;
      /** Allowlisted tables the query names, unqualified, sorted. */
      tables: string[];
      /**
       * Unqualified names that are no table here, left for the analyzer to resolve: a WITH
       * subquery's name (the AST does not print it), or else an error for an unknown table.
       */
      unresolved: string[];
    }
  | { ok: false; reason: string };

/** Node types a SELECT over tables is made of. Anything else is refused, not guessed at. */
const NODE_TYPES = new Set([
  'SelectWithUnionQuery',
  'SelectIntersectExceptQuery',
  'SelectQuery',
  'ExpressionList',
  'Identifier',
  'Literal',
  'Function',
  'Asterisk',
  'QualifiedAsterisk',
  'ColumnsRegexpMatcher',
  'ColumnsListMatcher',
  'QualifiedColumnsRegexpMatcher',
  'QualifiedColumnsListMatcher',
  'ColumnsTransformerList',
  'ColumnsExceptTransformer',
  'ColumnsReplaceTransformer',
  'ColumnsReplaceTransformer::Replacement',
  'TablesInSelectQuery',
  'TablesInSelectQueryElement',
  'TableExpression',
  'TableIdentifier',
  'TableJoin',
  'ArrayJoin',
  'Subquery',
  'WithElement',
  'OrderByElement',
  'InterpolateElement',
  'WindowListElement',
  'WindowDefinition',
]);

/** `x IN t` reads table `t` when the right-hand side is a bare name. */
const IN_FUNCTIONS = new Set(['in', 'notin', 'globalin', 'globalnotin', 'nullin', 'notnullin', 'globalnullin', 'globalnotnullin']);

/** Builds the tree from the dump's lines (one row of `EXPLAIN AST` output each). */
export function parseAstDump(lines: readonly string[]): AstParse {
  if (lines.length === 0) return { ok: false, problem: 'EXPLAIN AST printed nothing' };
  const stack: AstNode[] = [];
  let root: AstNode | undefined;
  for (const [i, text] of lines.entries()) {
    const m = /^( *)(\S[^\n]*)$/.exec(text);
    if (!m) return { ok: false, problem: `line ${i + 1} is not a node` };
    const depth = m[1]!.length;
    let body = m[2]!;
    let declared = 0;
    const children = / \(children (\d+)\)$/.exec(body);
    if (children) {
      declared = Number(children[1]);
      body = body.slice(0, children.index);
    }
    const space = body.indexOf(' ');
    const type = space < 0 ? body : body.slice(0, space);
    const detail = space < 0 ? '' : body.slice(space + 1);
    if (!/^[A-Za-z]+(?:::[A-Za-z]+)?$/.test(type)) return { ok: false, problem: `line ${i + 1} has no node type` };
    const node: AstNode = { type, detail, declared, children: [], line: i + 1 };
    if (i === 0) {
      if (depth !== 0) return { ok: false, problem: 'the first line is indented' };
      root = node;
      stack.push(node);
      continue;
    }
    // A child sits one level below its parent: deeper jumps or a second root are malformed.
    if (depth < 1 || depth > stack.length) return { ok: false, problem: `line ${i + 1} is indented out of place` };
    stack.length = depth;
    stack[depth - 1]!.children.push(node);
    stack.push(node);
  }
  const pending: AstNode[] = [root!];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.children.length !== node.declared) {
      return { ok: false, problem: `line ${node.line} declares ${node.declared} children but has ${node.children.length}` };
    }
    pending.push(...node.children);
  }
  return { ok: true, root: root! };
}

/** A name without the ` (alias …)` the dump appends. */
function nameOf(detail: string): string {
  const m = /^(.*?) \(alias [^\n]*\)$/.exec(detail);
  return m ? m[1]! : detail;
}

function allowedList(allow: ReadonlySet<string>): string {
  return [...allow].sort().join(', ');
}

/** Walks the tree and applies the rules; the first broken rule is the reason. */
export function checkAst(root: AstNode, ctx: AstContext): AstCheck {
  const tables = new Set<string>();
  const unresolved = new Set<string>();
  if (root.type !== 'SelectWithUnionQuery') {
    return { ok: false, reason: `That query is not a single SELECT (ClickHouse reads it as ${root.type}). I only run a single SELECT over the rollup tables.` };
  }
  if (root.children.length !== 1) {
    return { ok: false, reason: 'That query ends with an output clause (FORMAT, INTO OUTFILE or SETTINGS); I choose the output and the limits myself.' };
  }
  const hasWith = containsType(root, 'WithElement');

  const table = (name: string): string | undefined => {
    if (name === DUMMY_TABLE) return undefined;
    const dot = name.indexOf('.');
    if (dot >= 0) {
      const db = name.slice(0, dot);
      const t = name.slice(dot + 1);
      if (db === ctx.database && ctx.allow.has(t)) {
        tables.add(t);
        return undefined;
      }
    } else if (ctx.allow.has(name)) {
      tables.add(name);
      return undefined;
    } else if (hasWith && !ctx.existingTables.has(name)) {
      // Not a table here, so it can only resolve to a WITH subquery or fail as unknown.
      // The names of WITH subqueries are not in the dump; the analyzer step confirms.
      unresolved.add(name);
      return undefined;
    }
    const hint = hasWith && dot < 0 ? ` (A WITH subquery must not share a table's name.)` : '';
    return `That query reads ${name}, which I'm not allowed to read. I can only read ${allowedList(ctx.allow)}.${hint}`;
  };

  const visit = (node: AstNode, parent: AstNode | undefined): string | undefined => {
    switch (node.type) {
      case 'Set':
        return "That query sets its own SETTINGS; I set the limits myself, so I don't run queries that change them.";
      case 'QueryParameter':
        return 'That query has a {placeholder}; I only run queries with their values written in.';
      case 'ColumnsApplyTransformer':
        return 'That query uses APPLY, which hides the function it calls; write the function out for each column.';
      default:
        if (!NODE_TYPES.has(node.type)) return `That query uses a construct I can't check (${node.type}), so I don't run it.`;
    }
    if (node.type === 'TableIdentifier') {
      const refusal = table(nameOf(node.detail));
      if (refusal) return refusal;
    }
    if (node.type === 'Function') {
      const name = nameOf(node.detail);
      if (parent?.type === 'TableExpression') {
        return `That query calls the table function ${name}(), which reads outside the rollup tables. I can only read ${allowedList(ctx.allow)}.`;
      }
      if (!isAllowedFunction(name)) {
        const why = outsideReader(name);
        return why
          ? `That query calls ${name}(), which ${why}; I only compute on the rollup tables.`
          : `That query calls ${name}(), which is not one of the functions I run in free-form SQL.`;
      }
      if (IN_FUNCTIONS.has(name.toLowerCase())) {
        const right = node.children[0]?.children[1];
        if (right?.type === 'Identifier') {
          const refusal = table(nameOf(right.detail));
          if (refusal) return refusal;
        }
      }
    }
    for (const child of node.children) {
      const refusal = visit(child, node);
      if (refusal) return refusal;
    }
    return undefined;
  };

  const refusal = visit(root, undefined);
  if (refusal) return { ok: false, reason: refusal };
  return { ok: true, tables: [...tables].sort(), unresolved: [...unresolved].sort() };
}

function containsType(node: AstNode, type: string): boolean {
  const pending = [node];
  while (pending.length > 0) {
    const n = pending.pop()!;
    if (n.type === type) return true;
    pending.push(...n.children);
  }
  return false;
}
