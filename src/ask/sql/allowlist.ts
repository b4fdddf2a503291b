import { ROLLUP_FAMILIES, ROLLUPS } from '../../store/index.js';

/**
 * What free-form SQL may touch. Everything here is an allowlist on purpose: a new ClickHouse
 * release adds functions and tables, and none of them should become reachable by default.
 */

/** The six rollup tables (`rollup_1m` … `users_1d`): the only tables free-form SQL may read. */
export const ROLLUP_SQL_TABLES: ReadonlySet<string> = new Set(
  ROLLUP_FAMILIES.flatMap((family) => ROLLUPS.map((r) => `${family}_${r.suffix}`)),
);

/**
 * ClickHouse's dummy one-row table. The engine reads it for every SELECT without FROM (and
 * EXPLAIN AST shows it there), so refusing it would refuse `SELECT 1`; it holds one UInt8 zero.
 */
export const DUMMY_TABLE = 'system.one';

/**
 * Aggregate functions, lowercase. Aggregate combinators (`sumIf`, `uniqMerge`,
 * `quantilesTDigestMerge`, …) are accepted on top of these, see isAllowedFunction.
 */
const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'any', 'anylast', 'any_value', 'anyheavy', 'argmin', 'argmax',
  'uniq', 'uniqexact', 'uniqcombined', 'uniqcombined64', 'uniqhll12', 'countdistinct',
  'median', 'medianexact', 'quantile', 'quantiles', 'quantileexact', 'quantilesexact', 'quantiletdigest',
  'quantilestdigest', 'quantiletiming', 'quantilestiming', 'quantiledeterministic', 'mediantdigest',
  'stddevpop', 'stddevsamp', 'varpop', 'varsamp', 'corr', 'covarpop', 'covarsamp', 'avgweighted',
  'sumwithoverflow', 'sumkahan', 'simplelinearregression', 'grouparray', 'groupuniqarray', 'topk', 'topkweighted',
  'first_value', 'last_value', 'entropy',
]);

/** Combinator suffixes ClickHouse lets you stack on an aggregate, longest first so `MergeState` wins over `State`. */
const COMBINATORS = ['mergestate', 'simplestate', 'ordefault', 'ornull', 'foreach', 'distinct', 'state', 'merge', 'array', 'map', 'if'];

/**
 * Scalar and window functions, lowercase, as the parser names them (operators included:
 * `a + b` is `plus`, `x IN (…)` is `in`, `CASE` is `multiIf`). Only functions that compute on
 * the values in front of them: nothing that reads files, URLs, dictionaries, Join tables,
 * settings, server state, or sleeps.
 */
const SCALARS = new Set([
  // logic, comparison, arithmetic (the parser's names for operators)
  'and', 'or', 'not', 'xor', 'equals', 'notequals', 'less', 'greater', 'lessorequals', 'greaterorequals',
  'isdistinctfrom', 'isnotdistinctfrom', 'plus', 'minus', 'multiply', 'divide', 'divideornull', 'intdiv',
  'intdivorzero', 'modulo', 'moduloorzero', 'negate', 'abs',
  'in', 'notin', 'globalin', 'globalnotin', 'nullin', 'notnullin', 'globalnullin', 'globalnotnullin', 'exists',
  'like', 'notlike', 'ilike', 'notilike', 'match', 'isnull', 'isnotnull', 'iszeroornull',
  // conditionals and null handling
  'if', 'multiif', 'casewithexpression', 'transform', 'coalesce', 'ifnull', 'nullif', 'assumenotnull',
  'tonullable', 'greatest', 'least',
  // structure
  'tuple', 'tupleelement', 'untuple', 'array', 'arrayelement', 'lambda', 'grouping',
  // types
  'cast', '_cast', 'accuratecast', 'accuratecastornull', 'totypename', 'tostring', 'tolowcardinality',
  'toint8', 'toint16', 'toint32', 'toint64', 'touint8', 'touint16', 'touint32', 'touint64',
  'tofloat32', 'tofloat64', 'todecimal32', 'todecimal64', 'todecimal128',
  'toint32ornull', 'toint64ornull', 'tofloat64ornull', 'toint32orzero', 'toint64orzero', 'tofloat64orzero',
  'finalizeaggregation',
  // math
  'round', 'roundbankers', 'floor', 'ceil', 'ceiling', 'trunc', 'truncate', 'sqrt', 'cbrt', 'exp', 'exp2',
  'exp10', 'log', 'ln', 'log2', 'log10', 'pow', 'power', 'sign', 'isnan', 'isfinite', 'isinfinite',
  'ifnotfinite', 'pi', 'e',
  // dates and times
  'now', 'now64', 'today', 'yesterday', 'todate', 'todate32', 'todatetime', 'todatetime64', 'todateornull',
  'todatetimeornull', 'parsedatetimebesteffort', 'parsedatetimebesteffortornull', 'parsedatetime64besteffort',
  'totimezone', 'tounixtimestamp', 'tounixtimestamp64milli', 'fromunixtimestamp', 'fromunixtimestamp64milli',
  'tostartofminute', 'tostartoffiveminutes', 'tostartoffifteenminutes', 'tostartofhour', 'tostartofday',
  'tostartofweek', 'tostartofmonth', 'tostartofquarter', 'tostartofyear', 'tostartofinterval', 'tomonday',
  'tolastdayofmonth', 'date_trunc', 'datetrunc',
  'toyear', 'toquarter', 'tomonth', 'todayofmonth', 'todayofweek', 'todayofyear', 'tohour', 'tominute',
  'tosecond', 'toisoweek', 'toweek', 'toyearweek', 'toyyyymm', 'toyyyymmdd', 'formatdatetime',
  'datediff', 'date_diff', 'age', 'timestampdiff',
  'addminutes', 'addhours', 'adddays', 'addweeks', 'addmonths', 'addyears',
  'subtractminutes', 'subtracthours', 'subtractdays', 'subtractweeks', 'subtractmonths', 'subtractyears',
  'tointervalsecond', 'tointervalminute', 'tointervalhour', 'tointervalday', 'tointervalweek',
  'tointervalmonth', 'tointervalquarter', 'tointervalyear',
  // strings
  'length', 'empty', 'notempty', 'lower', 'upper', 'lowerutf8', 'upperutf8', 'lengthutf8', 'concat',
  'concatwithseparator', 'substring', 'substr', 'left', 'right', 'startswith', 'endswith', 'position',
  'positioncaseinsensitive', 'replaceall', 'replaceone', 'replaceregexpall', 'replaceregexpone', 'extract',
  'trimboth', 'trimleft', 'trimright', 'leftpad', 'rightpad', 'reverse', 'splitbychar', 'splitbystring',
  'format', 'formatreadablequantity', 'formatreadablesize', 'formatreadabletimedelta',
  // arrays (no range(): it materialises arrays of any requested size)
  'has', 'hasall', 'hasany', 'indexof', 'arrayjoin', 'arraymap', 'arrayfilter', 'arrayexists', 'arrayall',
  'arraycount', 'arraysum', 'arrayavg', 'arraymin', 'arraymax', 'arraysort', 'arrayreversesort',
  'arraydistinct', 'arrayslice', 'arrayconcat', 'arrayzip', 'arrayenumerate', 'arrayfirst', 'arraylast',
  'arrayuniq', 'arraycumsum', 'arraydifference', 'arraystringconcat', 'arrayreverse', 'arraycompact',
  'arrayflatten',
  // window functions
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'laginframe',
  'leadinframe', 'nth_value',
]);

/**
 * Functions that reach outside the rows in front of them, named so the refusal can say why
 * (they are refused anyway: none is on the lists above). Prefix match, lowercase.
 */
const OUTSIDE_READERS: readonly [prefix: string, what: string][] = [
  ['dict', 'reads a dictionary'],
  ['joinget', 'reads a Join table'],
  ['file', 'reads a file on the server'],
  ['url', 'fetches a URL'],
  ['hascolumnintable', "reads another table's schema"],
  ['getsetting', 'reads server settings'],
  ['getserversetting', 'reads server settings'],
  ['getmacro', 'reads server configuration'],
  ['catboost', 'loads a model file'],
  ['sleep', 'stalls the server on purpose'],
];

/** Is `name` (as the parser spells it) an allowed scalar, window or aggregate function? */
export function isAllowedFunction(name: string): boolean {
  let base = name.toLowerCase();
  if (SCALARS.has(base) || AGGREGATES.has(base)) return true;
  // Peel combinators off the end (at most a few deep, as ClickHouse stacks them) and require
  // an allowed aggregate underneath: `sumIf`, `uniqMerge`, `countIfOrNull`, `quantilesTDigestMerge`.
  for (let depth = 0; depth < 4; depth += 1) {
    const suffix = COMBINATORS.find((c) => base.endsWith(c) && base.length > c.length);
    if (!suffix) return false;
    base = base.slice(0, -suffix.length);
    if (AGGREGATES.has(base)) return true;
  }
  return false;
}

/** Why a function is dangerous, when we know; undefined for "simply not on the list". */
export function outsideReader(name: string): string | undefined {
  const lower = name.toLowerCase();
  return OUTSIDE_READERS.find(([prefix]) => lower.startsWith(prefix))?.[1];
}

/**
 * Names the parser produces that system.functions does not list: the interpreter handles them
 * itself (`x -> …`, `EXISTS (…)`, `GROUPING(…)`, `untuple`, `COUNT(DISTINCT …)`).
 * (`DATE_ADD(…)` and friends never reach the AST: the parser rewrites them to plus/minus.)
 */
export const PARSER_ONLY_FUNCTIONS: ReadonlySet<string> = new Set(['lambda', 'exists', 'grouping', 'untuple', 'countdistinct']);

/** Every function name on the lists, lowercase; for tests that check each one exists in the engine. */
export function allowedFunctionNames(): string[] {
  return [...SCALARS, ...AGGREGATES].sort();
}
