export { ROLLUP_SQL_TABLES, DUMMY_TABLE, PARSER_ONLY_FUNCTIONS, isAllowedFunction, allowedFunctionNames } from './allowlist.js';
export { parseAstDump, checkAst, type AstNode, type AstParse, type AstContext, type AstCheck } from './ast.js';
export { checkQueryTree, type QueryTreeContext, type QueryTreeCheck } from './query-tree.js';
export { precheckSql, MAX_SQL_CHARS, type TextCheck } from './text.js';
export { checkSqlWithEngine, type SqlCheck } from './check.js';
export { freeformSettings, resolveFreeformOptions, type FreeformSqlOptions } from './limits.js';
export { runFreeformSql, type FreeformSqlResult } from './run.js';
