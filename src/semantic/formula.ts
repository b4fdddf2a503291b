import { OpsightError } from '../errors.js';

/**
 * Metric formulas are tiny arithmetic over measure ids: `revenue / orders`,
 * `1 - orders / carts`. Parsed once at catalog load; compiled to SQL per query.
 */
export type Formula =
  | { kind: 'measure'; id: string }
  | { kind: 'number'; value: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Formula; right: Formula };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([a-z_][a-z0-9_]*)|([-+*/()]))/giy;

export function parseFormula(text: string): Formula {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) tokens.push(m[0].trim());
  if (tokens.join('').length !== text.replace(/\s+/g, '').length) {
    throw new OpsightError('opsight_config_invalid', `formula "${text}": only measure ids, numbers, + - * / and parentheses are allowed`);
  }
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    throw new OpsightError('opsight_config_invalid', `formula "${text}": ${what}`);
  };
  const primary = (): Formula => {
    const t = tokens[pos++];
    if (t === undefined) return fail('ends too early');
    if (t === '(') {
      const inner = sum();
      if (tokens[pos++] !== ')') fail('missing )');
      return inner;
    }
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (/^[a-z_]/i.test(t)) return { kind: 'measure', id: t };
    return fail(`unexpected "${t}"`);
  };
  const product = (): Formula => {
    let left = primary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[pos++] as '*' | '/';
      left = { kind: 'binary', op, left, right: primary() };
    }
    return left;
  };
  const sum = (): Formula => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[pos++] as '+' | '-';
      left = { kind: 'binary', op, left, right: product() };
    }
    return left;
  };
  const result = sum();
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos]}"`);
  return result;
}

export function formulaMeasures(f: Formula, out = new Set<string>()): Set<string> {
  if (f.kind === 'measure') out.add(f.id);
  else if (f.kind === 'binary') {
    formulaMeasures(f.left, out);
    formulaMeasures(f.right, out);
  }
  return out;
}

/** SQL for a formula; division never fails on zero, it yields NULL ("no data"). */
export function formulaSql(f: Formula, measureSql: (id: string) => string): string {
  switch (f.kind) {
    case 'measure':
      return measureSql(f.id);
    case 'number':
      return String(f.value);
    case 'binary': {
      const l = formulaSql(f.left, measureSql);
      const r = formulaSql(f.right, measureSql);
      return f.op === '/' ? `(${l} / nullIf(${r}, 0))` : `(${l} ${f.op} ${r})`;
    }
  }
}
