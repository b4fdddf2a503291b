import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { checkAlertConfig, loadAlertConfig } from '../../src/alert-config.js';
import { checkAlertRules, fillTemplate, loadAlertRules } from '../../src/detect/index.js';
import { loadCatalog } from '../../src/semantic/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const catalog = loadCatalog(join(ROOT, 'rules'));
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A rules dir holding one alerts file; returns the dir and the file's path. */
function rulesDir(yaml: string, name = 'a.yaml'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'opsight-rules-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'alerts'));
  const file = join(dir, 'alerts', name);
  writeFileSync(file, yaml);
  return { dir, file };
}

const RULE = `alerts:
  - id: errs
    title: Checkout errors up on {{payment_gateway}}
    metric: checkout_error_rate
    split: { by: [payment_gateway] }
    window: 15m
    channel: C0OPSALERTS
`;

/** The one problem a change to RULE causes, as "line field: message". */
function problemOf(change: (yaml: string) => string): string[] {
  const { dir } = rulesDir(change(RULE));
  return checkAlertRules(dir, catalog).map((p) => `${p.line} ${p.field}: ${p.message}`);
}

describe('alert rules', () => {
  it('the shipped rules and tools load clean', () => {
    assert.deepEqual(checkAlertConfig(join(ROOT, 'rules'), join(ROOT, 'tools'), catalog), []);
    const { rules } = loadAlertConfig(join(ROOT, 'rules'), join(ROOT, 'tools'), catalog);
    assert.ok(rules.rules.length >= 9);
  });

  it('fills defaults and parses durations and percentages', () => {
    const { dir } = rulesDir(RULE.replace('window: 15m', 'window: 15m\n    min_change: 25%\n    for: 2m'));
    const [rule] = loadAlertRules(dir, catalog).rules;
    assert.equal(rule!.window, 15 * 60_000);
    assert.equal(rule!.for, 2 * 60_000);
    assert.equal(rule!.min_change, 0.25);
    assert.equal(rule!.detector.kind, 'combined');
    assert.equal(rule!.line, 2);
  });

  it('names file, line and field for what the catalog refuses', () => {
    assert.match(problemOf((y) => y.replace('checkout_error_rate', 'checkout_eror_rate'))[0]!, /^4 alerts\[0\]\.metric: unknown metric "checkout_eror_rate"/);
    assert.match(problemOf((y) => y.replace('by: [payment_gateway]', 'by: [carrier]'))[0]!, /split\.by.*cannot be split by "carrier"/);
    assert.match(problemOf((y) => y.replace('window: 15m', 'window: 15m\n    group_by: [region]'))[0]!, /group_by.*may only name split dimensions/);
    assert.match(problemOf((y) => y.replace('window: 15m', 'window: 90s'))[0]!, /window: the window must be whole minutes/);
    assert.match(problemOf((y) => y.replace('{{payment_gateway}}', '{{gateway}}'))[0]!, /title: the title names \{\{gateway\}\}/);
    assert.match(problemOf((y) => y.replace('window: 15m', 'window: 15m\n    min_change: 25'))[0]!, /min_change.*percentage such as 25%/);
    assert.match(problemOf((y) => y.replace('window: 15m', 'window: 15m\n    detector: { kind: static_threshold }'))[0]!, /detector: a static_threshold detector needs/);
    assert.match(problemOf((y) => y.replace('C0OPSALERTS', '#ops-alerts'))[0]!, /channel.*a Slack channel id/);
  });

  it('refuses a rule id used twice, pointing at the first use', () => {
    const { dir, file } = rulesDir(`${RULE}${RULE.replace('alerts:\n', '')}`);
    const problems = checkAlertRules(dir, catalog);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, file);
    assert.match(problems[0]!.message, new RegExp(`already used in .*a\\.yaml:2`));
  });

  it('refuses to start on any problem, with every problem in the message', () => {
    const { dir } = rulesDir(RULE.replace('checkout_error_rate', 'nope').replace('C0OPSALERTS', 'x'));
    assert.throws(() => loadAlertRules(dir, catalog), (err: Error) => /a\.yaml:\d+/.test(err.message) && /channel/.test(err.message));
  });

  it('checks action tools and their {{label}} parameters against tools/', () => {
    const withAction = (tool: string, params: string) => RULE.replace('window: 15m', `window: 15m\n    actions:\n      - tool: ${tool}\n        params: ${params}`);
    const ok = rulesDir(withAction('page_oncall', "{ schedule: payments, summary: 'errors on {{payment_gateway}}' }"));
    assert.deepEqual(checkAlertConfig(ok.dir, join(ROOT, 'tools'), catalog), []);
    const unknown = rulesDir(withAction('reboot_everything', '{}'));
    assert.match(checkAlertConfig(unknown.dir, join(ROOT, 'tools'), catalog).map((p) => p.message).join('\n'), /reboot_everything/);
    const badLabel = rulesDir(withAction('page_oncall', "{ schedule: payments, summary: 'errors in {{region}}' }"));
    assert.match(checkAlertConfig(badLabel.dir, join(ROOT, 'tools'), catalog).map((p) => p.message).join('\n'), /region/);
  });

  it('fillTemplate fills known labels and leaves unknown ones visible', () => {
    assert.equal(fillTemplate('errors on {{payment_gateway}} in {{ region }}', { payment_gateway: 'adyen', region: 'EU' }), 'errors on adyen in EU');
    assert.equal(fillTemplate('errors on {{carrier}}', {}), 'errors on {{carrier}}');
  });
});
