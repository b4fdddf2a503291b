import { checkActionTemplates, checkTools, loadTools, type ToolCatalog } from './act/index.js';
import type { ConfigProblem } from './config/index.js';
import { checkAlertRules, loadAlertRules, type ActionChecker, type AlertRules } from './detect/index.js';
import type { Catalog } from './semantic/index.js';

/** Rule actions are checked against tools/: passed to detect/ as a function so it stays free of act/. */
function actionChecker(tools: ToolCatalog): ActionChecker {
  return (rule) => checkActionTemplates(rule.actions, rule.split?.by ?? [], tools);
}

/** tools/ then rules/alerts/ (whose actions name tools): both refuse start-up with file:line. */
export function loadAlertConfig(rulesDir: string, toolsDir: string, catalog: Catalog): { tools: ToolCatalog; rules: AlertRules } {
  const tools = loadTools(toolsDir);
  return { tools, rules: loadAlertRules(rulesDir, catalog, actionChecker(tools)) };
}

/** Same checks, as problems (for `opsight check`). Rules are checked only when tools/ loads. */
export function checkAlertConfig(rulesDir: string, toolsDir: string, catalog: Catalog): ConfigProblem[] {
  const problems = checkTools(toolsDir);
  if (problems.length > 0) return problems;
  return checkAlertRules(rulesDir, catalog, actionChecker(loadTools(toolsDir)));
}
