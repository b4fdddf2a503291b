/**
 * Next-best actions: a rule's `actions:` filled from an alert's labels against tools/, skipped
 * rather than half-filled, filtered by `when`, validated, ranked, de-duplicated, at most three;
 * and the load-time checks the rule loader reports with file:line.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkActionTemplates, loadTools, suggestActions, type ActionSuggestion, type SkippedSuggestion } from '../../src/act/index.js';

const TOOLS = loadTools(fileURLToPath(new URL('../../tools', import.meta.url)));
const LABELS = { payment_gateway: 'adyen', region: 'EU' };

const FAILOVER: ActionSuggestion = { tool: 'failover_payment_gateway', params: { gateway: '{{payment_gateway}}', region: '{{region}}' }, priority: 10 };
const PAGE: ActionSuggestion = { tool: 'page_oncall', params: { schedule: 'payments', summary: 'Checkout errors on {{ payment_gateway }} in {{region}}' }, priority: 5 };
const INCIDENT: ActionSuggestion = { tool: 'open_incident', params: { summary: 'Checkout errors on {{payment_gateway}}' } };

function skips(suggestions: ActionSuggestion[], labels: Record<string, string>): { ids: string[]; skipped: SkippedSuggestion[] } {
  const skipped: SkippedSuggestion[] = [];
  const ids = suggestActions(suggestions, labels, TOOLS, { onSkip: (s) => skipped.push(s) }).map((a) => a.toolId);
  return { ids, skipped };
}

describe('suggestActions', () => {
  test('fills templates from the labels, adds defaults and words the description with the values', () => {
    const [failover, page] = suggestActions([FAILOVER, PAGE], LABELS, TOOLS);
    assert.deepEqual(failover!.params, { gateway: 'adyen', region: 'EU' });
    assert.equal(failover!.title, 'Fail over payment gateway');
    assert.equal(failover!.description, 'Route new EU checkouts away from adyen to the healthiest other gateway until switched back');
    assert.equal(failover!.manual, 'Payments console → Routing → EU → move adyen traffic to another gateway');
    assert.equal(failover!.risk, 'high');
    assert.deepEqual(page!.params, { schedule: 'payments', summary: 'Checkout errors on adyen in EU', urgency: 'high' });
    assert.equal(page!.description, 'Page the payments on-call (high urgency): Checkout errors on adyen in EU');
  });

  test('gives the same id for the same tool and params whatever the key order, another for other params', () => {
    const a = suggestActions([FAILOVER], LABELS, TOOLS)[0]!;
    const b = suggestActions([{ ...FAILOVER, params: { region: '{{region}}', gateway: '{{payment_gateway}}' } }], LABELS, TOOLS)[0]!;
    const c = suggestActions([FAILOVER], { ...LABELS, region: 'NA' }, TOOLS)[0]!;
    assert.match(a.id, /^failover_payment_gateway:[0-9a-f]{10}$/);
    assert.equal(a.id, b.id);
    assert.notEqual(a.id, c.id);
  });

  test('skips a suggestion whose template names a label the alert lacks or has empty, keeping the others', () => {
    const noGateway = skips([FAILOVER, PAGE, INCIDENT], { region: 'EU' });
    assert.deepEqual(noGateway.ids, []);
    assert.deepEqual(noGateway.skipped.map((s) => [s.index, s.reason]), [
      [0, 'params.gateway: the alert has no "payment_gateway" label'],
      [1, 'params.summary: the alert has no "payment_gateway" label'],
      [2, 'params.summary: the alert has no "payment_gateway" label'],
    ]);
    assert.deepEqual(skips([FAILOVER, { tool: 'page_oncall', params: { schedule: 'payments', summary: 'Errors in {{region}}' } }], { payment_gateway: '', region: 'EU' }).ids, ['page_oncall']);
  });

  test('offers a suggestion only when every `when` label matches', () => {
    const euOnly: ActionSuggestion = { ...FAILOVER, when: { region: 'EU' } };
    assert.deepEqual(skips([euOnly, PAGE], LABELS).ids, ['failover_payment_gateway', 'page_oncall']);
    const na = skips([euOnly, PAGE], { ...LABELS, region: 'NA' });
    assert.deepEqual(na.ids, ['page_oncall']);
    assert.deepEqual(na.skipped, [{ index: 0, reason: 'when: region is "NA", not "EU"' }]);
    assert.deepEqual(skips([{ ...PAGE, when: { service: 'checkout-api' } }], LABELS).skipped, [{ index: 0, reason: 'when: service is absent, not "checkout-api"' }]);
  });

  test('skips a filled value the tool refuses: outside its enum, not a number, out of range', () => {
    assert.deepEqual(skips([FAILOVER], { payment_gateway: 'worldpay', region: 'EU' }).skipped, [
      { index: 0, reason: 'params.gateway: "worldpay" is not one of "stripe", "adyen", "paypal"' },
    ]);
    const scale = (add: string): ActionSuggestion => ({ tool: 'scale_service', params: { service: '{{service}}', add_replicas: add } });
    const ok = suggestActions([scale('{{n}}')], { service: 'search-api', n: '4' }, TOOLS);
    assert.deepEqual(ok[0]!.params, { service: 'search-api', add_replicas: 4 });
    assert.equal(ok[0]!.description, 'Add 4 replicas to search-api (its autoscaler may scale back in later)');
    assert.deepEqual(skips([scale('{{n}}')], { service: 'search-api', n: 'four' }).skipped, [{ index: 0, reason: 'params.add_replicas: expected a number, got "four"' }]);
    assert.deepEqual(skips([scale('{{n}}')], { service: 'search-api', n: '99' }).skipped, [{ index: 0, reason: 'params.add_replicas: 99 is above the maximum 20' }]);
  });

  test('skips an unknown tool, an unknown parameter and a missing required one', () => {
    const { ids, skipped } = skips(
      [
        { tool: 'reboot_the_internet', params: {} },
        { tool: 'rollback_deploy', params: { service: 'checkout-api', version: 'v1' } },
        { tool: 'rollback_deploy', params: {} },
      ],
      {},
    );
    assert.deepEqual(ids, []);
    assert.deepEqual(skipped.map((s) => s.reason), [
      'unknown tool "reboot_the_internet"',
      'rollback_deploy has no parameter "version"',
      'params.service is required by rollback_deploy and was not given',
    ]);
  });

  test('ranks by priority, then rule order, and returns at most three unless told otherwise', () => {
    const rollback: ActionSuggestion = { tool: 'rollback_deploy', params: { service: 'checkout-api' } };
    const scale: ActionSuggestion = { tool: 'scale_service', params: { service: 'checkout-api' }, priority: 1 };
    const suggestions = [INCIDENT, rollback, PAGE, scale, FAILOVER];
    assert.deepEqual(suggestActions(suggestions, LABELS, TOOLS).map((a) => a.toolId), ['failover_payment_gateway', 'page_oncall', 'scale_service']);
    assert.deepEqual(suggestActions(suggestions, LABELS, TOOLS, { max: 5 }).map((a) => a.toolId), [
      'failover_payment_gateway',
      'page_oncall',
      'scale_service',
      'open_incident',
      'rollback_deploy',
    ]);
    assert.deepEqual(suggestActions(suggestions, LABELS, TOOLS, { max: 1 }).map((a) => a.toolId), ['failover_payment_gateway']);
  });

  test('shows an identical tool and parameters once, and the same tool with other parameters twice', () => {
    // The first two fill to the same parameters (one spells the default out); the third differs.
    const actions = suggestActions(
      [
        { tool: 'pause_campaign', params: { campaign: '{{campaign}}' }, priority: 1 },
        { tool: 'pause_campaign', params: { campaign: 'black-friday-2026', channel: 'all' }, priority: 2 },
        { tool: 'pause_campaign', params: { campaign: '{{campaign}}', channel: '{{channel}}' } },
        { tool: 'open_incident', params: { summary: 'ROAS collapse on {{campaign}}' } },
      ],
      { campaign: 'black-friday-2026', channel: 'meta' },
      TOOLS,
    );
    assert.deepEqual(actions.map((a) => [a.toolId, a.params.channel ?? null]), [
      ['pause_campaign', 'all'],
      ['pause_campaign', 'meta'],
      ['open_incident', null],
    ]);
  });

  test('takes a boolean parameter from a label that reads true or false', () => {
    const root = mkdtempSync(join(tmpdir(), 'opsight-suggest-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'tools'));
    writeFileSync(
      join(root, 'tools', 'drain.yaml'),
      `id: drain
title: Drain
description: 'Drain {{host}} (force: {{force}})'
params:
  host: { type: string, description: Host }
  force: { type: boolean, description: Skip the grace period, default: false }
risk: low
approval: { required: false }
run: { kind: http, method: POST, base_url_env: OPS_URL, path: '/drain/{{host}}', body: { force: '{{force}}' } }
`,
    );
    const tools = loadTools(join(root, 'tools'));
    const drain: ActionSuggestion = { tool: 'drain', params: { host: '{{host}}', force: '{{force}}' } };
    assert.deepEqual(suggestActions([drain], { host: 'web-1', force: 'true' }, tools)[0]!.params, { host: 'web-1', force: true });
    assert.equal(suggestActions([drain], { host: 'web-1', force: 'true' }, tools)[0]!.description, 'Drain web-1 (force: true)');
    assert.deepEqual(suggestActions([drain], { host: 'web-1', force: 'yes' }, tools), []);
  });
});

describe('checkActionTemplates', () => {
  const SPLIT = ['payment_gateway', 'region'];

  test('finds nothing wrong in actions that fit the tools and the split dimensions', () => {
    assert.deepEqual(checkActionTemplates([FAILOVER, PAGE, INCIDENT, { ...FAILOVER, when: { region: 'EU' } }], SPLIT, TOOLS), []);
  });

  test('reports unknown tools and parameters, missing required ones and literal values that do not fit', () => {
    assert.deepEqual(
      checkActionTemplates(
        [
          { tool: 'failover', params: {} },
          { tool: 'failover_payment_gateway', params: { gateway: 'worldpay', region: '{{region}}', reason: 'x' } },
          { tool: 'scale_service', params: { service: 'search-api', add_replicas: '3' } },
          { tool: 'page_oncall', params: { schedule: 'payments' } },
        ],
        SPLIT,
        TOOLS,
      ),
      [
        { path: [0, 'tool'], message: `unknown tool "failover"; known tools: ${[...TOOLS.toolIds].join(', ')}` },
        { path: [1, 'params', 'gateway'], message: '"worldpay" is not one of "stripe", "adyen", "paypal"' },
        { path: [1, 'params', 'reason'], message: 'failover_payment_gateway has no parameter "reason"; it takes: gateway, region, to_gateway' },
        { path: [2, 'params', 'add_replicas'], message: 'expected a number, got "3"' },
        { path: [3, 'params'], message: 'page_oncall needs "summary" (One line saying what is wrong)' },
      ],
    );
  });

  test('reports a template label or `when` key that is not one of the split dimensions', () => {
    assert.deepEqual(
      checkActionTemplates([{ ...PAGE, params: { schedule: 'payments', summary: '{{service}} on {{region}}' }, when: { country: 'DE' } }], SPLIT, TOOLS),
      [
        { path: [0, 'when', 'country'], message: `"country" is not a label of this rule's alerts, so this action would never be offered; the alert's labels are its split dimensions: payment_gateway, region` },
        { path: [0, 'params', 'summary'], message: `{{service}} is not a label of this rule's alerts; the alert's labels are its split dimensions: payment_gateway, region` },
      ],
    );
    assert.deepEqual(checkActionTemplates([FAILOVER], [], TOOLS).map((p) => p.message), [
      "{{payment_gateway}} is not a label of this rule's alerts; this rule has no split.by, so its alerts carry no labels",
      "{{region}} is not a label of this rule's alerts; this rule has no split.by, so its alerts carry no labels",
    ]);
  });

  test('says the tools directory is missing when that is why a tool is unknown', () => {
    const missing = loadTools('/nonexistent/opsight-tools');
    assert.deepEqual(checkActionTemplates([PAGE], SPLIT, missing), [
      { path: [0, 'tool'], message: 'unknown tool "page_oncall"; the tools directory /nonexistent/opsight-tools does not exist' },
    ]);
  });
});
