import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configError, fieldName, readYamlFile, type ConfigProblem } from '../../config/index.js';
import { componentsSupported, type Catalog } from '../../semantic/index.js';
import { alertRulesFileSchema, type AlertRule } from './schema.js';

/** A rule as loaded: the YAML plus where it came from (for logs and errors). */
export interface LoadedRule extends AlertRule {
  readonly file: string;
  readonly line: number;
}

export interface AlertRules {
  readonly rules: readonly LoadedRule[];
  /** Files read, in order (none when rules/alerts/ does not exist). */
  readonly files: readonly string[];
}

/**
 * Checks a rule's action suggestions against tools/ (passed in so detect/ does not depend on
 * act/): unknown tools, unknown params, templates naming a label the alert won't have.
 * Returns messages keyed by the path inside the rule (`['actions', 0, 'params', 'from']`).
 */
export type ActionChecker = (rule: AlertRule) => ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string }>;

const TEMPLATE = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

/** Labels a `{{…}}` in the title may name: the split dimensions plus `metric` and `rule`. */
function titleLabels(rule: AlertRule): Set<string> {
  return new Set([...(rule.split?.by ?? []), 'metric', 'rule']);
}

function readRules(rulesDir: string, catalog: Catalog, checkActions?: ActionChecker): { rules: LoadedRule[]; files: string[]; problems: ConfigProblem[] } {
  const dir = join(rulesDir, 'alerts');
  if (!existsSync(dir)) return { rules: [], files: [], problems: [] };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
  const problems: ConfigProblem[] = [];
  const rules: LoadedRule[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const read = readYamlFile(file, alertRulesFileSchema);
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    const doc = read.result;
    doc.value.alerts.forEach((rule, i) => {
      const at = (path: ReadonlyArray<string | number>, message: string) => {
        const full = ['alerts', i, ...path];
        problems.push({ file, line: doc.lineOf(full), field: fieldName(full), message });
      };
      const before = problems.length;
      const where = seen.get(rule.id);
      if (where) at(['id'], `rule id "${rule.id}" is already used in ${where}; ids must be unique across rules/alerts/`);
      seen.set(rule.id, `${file}:${doc.lineOf(['alerts', i, 'id'])}`);

      const metric = catalog.metrics[rule.metric];
      if (!metric) {
        at(['metric'], `unknown metric "${rule.metric}"; use one of rules/metrics.yaml: ${Object.keys(catalog.metrics).join(', ')}`);
        return;
      }
      const unsupported = componentsSupported(catalog, metric);
      if (unsupported) at(['metric'], `${unsupported}; alert on another metric`);
      if (rule.window % 60_000 !== 0 || rule.window < 60_000 || rule.window > 6 * 3_600_000) {
        at(['window'], 'the window must be whole minutes between 1m and 6h');
      }
      const dims = new Set<string>(metric.dimensions);
      const dimList = metric.dimensions.join(', ') || '(none)';
      for (const d of Object.keys(rule.filters)) if (!dims.has(d)) at(['filters', d], `${rule.metric} cannot be filtered by "${d}"; its dimensions are ${dimList}`);
      rule.split?.by.forEach((d, j) => {
        if (!dims.has(d)) at(['split', 'by', j], `${rule.metric} cannot be split by "${d}"; its dimensions are ${dimList}`);
        if (rule.split!.by.indexOf(d) !== j) at(['split', 'by', j], `"${d}" is listed twice`);
      });
      const split = new Set(rule.split?.by ?? []);
      rule.group_by.forEach((d, j) => {
        if (!split.has(d)) at(['group_by', j], `group_by may only name split dimensions (${[...split].join(', ') || 'none: add split.by first'}), not "${d}"`);
      });
      if (rule.detector.kind === 'static_threshold' && rule.detector.above === undefined && rule.detector.below === undefined) {
        at(['detector'], 'a static_threshold detector needs `above`, `below` or both');
      }
      if (rule.detector.kind !== 'static_threshold' && (rule.detector.above !== undefined || rule.detector.below !== undefined)) {
        at(['detector'], '`above`/`below` only apply to kind: static_threshold');
      }
      const labels = titleLabels(rule);
      for (const m of rule.title.matchAll(TEMPLATE)) {
        if (!labels.has(m[1]!)) at(['title'], `the title names {{${m[1]}}}, which this alert has no value for; use one of: ${[...labels].join(', ')}`);
      }
      rule.maintenance.forEach((w, j) => {
        if ('from' in w && Date.parse(w.to) <= Date.parse(w.from)) at(['maintenance', j, 'to'], '`to` must be after `from`');
        if ('start' in w && w.start === w.end) at(['maintenance', j, 'end'], '`end` must differ from `start` (a window of zero length never applies)');
      });
      for (const p of checkActions?.(rule) ?? []) at(p.path, p.message);
      if (problems.length === before) rules.push({ ...rule, file, line: doc.lineOf(['alerts', i]) });
    });
  }
  return { rules, files, problems };
}

/** Loads rules/alerts/*.yaml against the catalog (and tools/, via `checkActions`); throws every problem with file:line. */
export function loadAlertRules(rulesDir: string, catalog: Catalog, checkActions?: ActionChecker): AlertRules {
  const { rules, files, problems } = readRules(rulesDir, catalog, checkActions);
  if (problems.length > 0) throw configError(problems);
  return { rules, files };
}

/** Same as loadAlertRules but returns the problems (for `opsight check`). */
export function checkAlertRules(rulesDir: string, catalog: Catalog, checkActions?: ActionChecker): ConfigProblem[] {
  return readRules(rulesDir, catalog, checkActions).problems;
}

/** Fills `{{label}}` from labels; an unknown one stays visible as written (the loader refuses those). */
export function fillTemplate(text: string, labels: Readonly<Record<string, string>>): string {
  return text.replace(TEMPLATE, (whole, name: string) => labels[name] ?? whole);
}
