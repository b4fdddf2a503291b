/**
 * `{{name}}` templates, as rules and tools write them. One syntax for both so that a person
 * who learnt it in rules/alerts/ can read tools/. Names are lower_snake (label and param ids).
 */

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names a text refers to, in order of first appearance. */
export function templateNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TEMPLATE)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** `{{x}}` and nothing else: the value may take the type of what fills it (a number, a boolean). */
export function wholeTemplate(text: string): string | undefined {
  const m = /^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$/.exec(text);
  return m?.[1];
}

/**
 * Fills every template from `values`, or returns the names it lacks. Half-filled text is never
 * returned: a button reading "Pause campaign {{campaign}}" is worse than no button. An empty
 * value counts as missing for the same reason.
 */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>): { ok: true; text: string } | { ok: false; missing: string[] } {
  const missing = templateNames(text).filter((name) => !hasValue(values, name));
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: text.replace(TEMPLATE, (_, name: string) => values[name]!) };
}

function hasValue(values: Readonly<Record<string, string>>, name: string): boolean {
  return Object.hasOwn(values, name) && values[name] !== '';
}
