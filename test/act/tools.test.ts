/**
 * tools/*.yaml: the shipped catalogue loads and covers the demo incidents; every problem in a
 * tool file is reported as `file:line field: message`; a missing directory is an empty catalogue.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTools, loadTools, suggestActions, TITLE_MAX_CHARS, type ActionSuggestion } from '../../src/act/index.js';
import { formatProblem } from '../../src/config/index.js';
import { OpsightError } from '../../src/errors.js';
import { demoIncidents } from '../../src/ingest/index.js';

const TOOLS_DIR = fileURLToPath(new URL('../../tools', import.meta.url));
const DAY = 86_400_000;

const root = mkdtempSync(join(tmpdir(), 'opsight-tools-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A fresh tools dir holding `files` (name → YAML text). */
function toolsDir(files: Record<string, string>): string {
  const dir = join(root, `tools-${++dirs}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Problems as printed, with the temp dir cut off so only the file name remains. */
function problems(files: Record<string, string>): string[] {
  const dir = toolsDir(files);
  return checkTools(dir).map((p) => formatProblem(p).replace(`${dir}/`, ''));
}

const VALID = `id: pause_campaign
title: Pause campaign
description: 'Pause {{campaign}} on {{channel}}'
params:
  campaign: { type: string, description: Campaign id }
  channel: { type: string, description: Channel or all, default: all }
risk: medium
approval: { required: true }
run:
  kind: http
  method: POST
  base_url_env: ADS_CONTROL_URL
  path: /v1/campaigns/{{campaign}}/pause
  body: { channel: '{{channel}}' }
`;

describe('the shipped tools/', () => {
  test('loads 6 to 9 tools, one file per tool named after its id, with short button labels', () => {
    const catalog = loadTools(TOOLS_DIR);
    assert.equal(catalog.source.kind, 'dir');
    assert.ok(catalog.tools.size >= 6 && catalog.tools.size <= 9, `${catalog.tools.size} tools`);
    const files = readdirSync(TOOLS_DIR).filter((f) => f.endsWith('.yaml'));
    assert.equal(files.length, catalog.tools.size);
    for (const tool of catalog.tools.values()) {
      assert.equal(basename(tool.file), `${tool.id}.yaml`);
      assert.ok(tool.title.length <= TITLE_MAX_CHARS, tool.title);
      assert.ok(tool.manual, `${tool.id} says how to do it by hand`);
    }
    assert.deepEqual(checkTools(TOOLS_DIR), []);
  });

  test('every demo incident of 30 days gets its tools filled from the incident segment', () => {
    const catalog = loadTools(TOOLS_DIR);
    // The actions a rule for each incident kind would suggest, templated on the labels the
    // incident carries (its segment); a value outside a tool's enum would drop the action.
    const byKind: Record<string, ActionSuggestion[]> = {
      checkout_errors: [
        { tool: 'failover_payment_gateway', params: { gateway: '{{payment_gateway}}', region: '{{region}}' } },
        { tool: 'page_oncall', params: { schedule: 'payments', summary: 'Checkout errors on {{payment_gateway}} in {{region}}' } },
      ],
      roas_collapse: [{ tool: 'pause_campaign', params: { campaign: '{{campaign}}' } }],
      ad_overspend: [
        { tool: 'cap_campaign_budget', params: { campaign: '{{campaign}}', channel: '{{channel}}', daily_budget_usd: 5000 } },
        { tool: 'pause_campaign', params: { campaign: '{{campaign}}', channel: '{{channel}}' } },
      ],
      latency_regression: [
        { tool: 'rollback_deploy', params: { service: '{{service}}' } },
        { tool: 'scale_service', params: { service: '{{service}}' } },
      ],
      delivery_failures: [
        { tool: 'reroute_deliveries', params: { carrier: '{{carrier}}' } },
        { tool: 'open_carrier_ticket', params: { carrier: '{{carrier}}', summary: 'Delivery failures at {{carrier}}' } },
      ],
    };
    const incidents = demoIncidents(7, 20_000 * DAY, 20_030 * DAY);
    assert.deepEqual(new Set(incidents.map((i) => i.kind)), new Set(Object.keys(byKind)));
    for (const incident of incidents) {
      const wanted = byKind[incident.kind]!;
      const skipped: string[] = [];
      const actions = suggestActions(wanted, incident.segment, catalog, { onSkip: (s) => skipped.push(s.reason) });
      assert.deepEqual(skipped, [], incident.title);
      assert.equal(actions.length, wanted.length, incident.title);
    }
  });
});

describe('tool loader', () => {
  test('a missing directory is an empty catalogue that says so', () => {
    const dir = join(root, 'no-such-dir');
    const catalog = loadTools(dir);
    assert.deepEqual(catalog.source, { kind: 'missing', dir });
    assert.equal(catalog.toolIds.size, 0);
    assert.deepEqual(checkTools(dir), []);
  });

  test('reads .yaml and .yml files and ignores the README', () => {
    const dir = toolsDir({
      'pause_campaign.yaml': VALID,
      'page.yml': VALID.replace('id: pause_campaign', 'id: page'),
      'README.md': '# not a tool',
    });
    assert.deepEqual([...loadTools(dir).toolIds].sort(), ['page', 'pause_campaign']);
  });

  test('fills in what the file leaves out: required from default, the http timeout', () => {
    const tool = loadTools(toolsDir({ 'pause_campaign.yaml': VALID })).tools.get('pause_campaign')!;
    assert.equal(tool.params.campaign!.required, true);
    assert.equal(tool.params.channel!.required, false);
    assert.equal(tool.params.channel!.default, 'all');
    assert.equal(tool.run.timeout_ms, 10_000);
  });

  test('reports a YAML syntax error with its line', () => {
    assert.deepEqual(
      problems({ 'pause_campaign.yaml': VALID.replace('risk: medium', 'risk: [medium') }).map((p) => p.split(' ')[0]),
      ['pause_campaign.yaml:8'],
    );
  });

  test('reports schema problems with file, line and field', () => {
    const text = VALID.replace('title: Pause campaign', 'title: Pause this campaign right now please')
      .replace('risk: medium', 'risk: severe')
      .replace('approval: { required: true }', 'approval: { required: true }\nowner: growth')
      .replace('method: POST', 'method: GET');
    assert.deepEqual(problems({ 'pause_campaign.yaml': text }), [
      'pause_campaign.yaml:2 title: Too big: expected string to have <=30 characters',
      'pause_campaign.yaml:7 risk: Invalid option: expected one of "low"|"medium"|"high"',
      'pause_campaign.yaml:12 run.method: Invalid option: expected one of "POST"|"PUT"|"PATCH"|"DELETE"',
      'pause_campaign.yaml:1 (root): Unrecognized key: "owner"',
    ]);
  });

  test('reports templates that name no parameter, or one that may be absent', () => {
    const text = VALID.replace('title: Pause campaign', "title: 'Pause {{campaign}}'").replace("description: 'Pause {{campaign}} on {{channel}}'", "description: 'Pause {{campaing}} on {{channel}} for {{reason}}'")
      .replace('  channel: { type: string, description: Channel or all, default: all }', '  channel: { type: string, description: Channel or all, default: all }\n  reason: { type: string, description: Why, required: false }')
      .replace('/v1/campaigns/{{campaign}}/pause', '/v1/campaigns/{{campaign}}/pause/{{reason}}')
      .replace("body: { channel: '{{channel}}' }", "body: { channel: '{{channel}}', note: 'because {{reason}}', why: '{{reason}}' }");
    assert.deepEqual(problems({ 'pause_campaign.yaml': text }), [
      'pause_campaign.yaml:2 title: the button label is fixed text (a filled label could outgrow the button); put the values in description',
      'pause_campaign.yaml:3 description: {{campaing}} is not a parameter of this tool; it takes: campaign, channel, reason',
      'pause_campaign.yaml:3 description: {{reason}} is optional and has no default, so this text could come out half-filled; give it a default or make it required',
      'pause_campaign.yaml:14 run.path: {{reason}} is optional and has no default, so this text could come out half-filled; give it a default or make it required',
      'pause_campaign.yaml:15 run.body.note: {{reason}} is optional and has no default, so this text could come out half-filled; give it a default or make it required',
    ]);
  });

  test('reports parameter declarations that contradict themselves', () => {
    const text = VALID.replace(
      '  channel: { type: string, description: Channel or all, default: all }',
      [
        '  channel: { type: string, description: Channel, default: all, enum: [google, meta] }',
        '  dry_run: { type: boolean, description: Only pretend, enum: [true] }',
        '  budget: { type: number, description: Budget, min: 10, max: 1, required: true, default: 5 }',
        '  note: { type: string, description: Note, enum: [a, 3], min: 1 }',
      ].join('\n'),
    ).replace("'Pause {{campaign}} on {{channel}}'", "'Pause {{campaign}}'");
    assert.deepEqual(problems({ 'pause_campaign.yaml': text }), [
      'pause_campaign.yaml:6 params.channel.default: "all" is not one of "google", "meta"',
      'pause_campaign.yaml:7 params.dry_run.enum: a boolean takes true or false; drop enum',
      'pause_campaign.yaml:8 params.budget.default: a required parameter has no default; drop one of the two',
      'pause_campaign.yaml:8 params.budget.min: min 10 is above max 1',
      'pause_campaign.yaml:8 params.budget.default: 5 is below the minimum 10',
      "pause_campaign.yaml:9 params.note.enum[1]: expected a string like the parameter's type",
      'pause_campaign.yaml:9 params.note.min: min and max apply to numbers only',
    ]);
  });

  test('wants each file named after its id and each id once', () => {
    assert.deepEqual(
      problems({
        'pause.yaml': VALID,
        'pause_campaign.yaml': VALID,
        'pause_campaign.yml': VALID,
      }),
      [
        'pause.yaml:1 id: the file is pause.yaml; name it pause_campaign.yaml or set id: pause, so that a rule\'s tool id leads to its file',
        'pause_campaign.yml:1 id: tool "pause_campaign" is also defined in pause_campaign.yaml; ids must be unique',
      ],
    );
  });

  test('loadTools throws one config error listing every problem', () => {
    const dir = toolsDir({ 'a.yaml': 'id: a\n', 'pause_campaign.yaml': VALID.replace('risk: medium', 'risk: severe') });
    assert.throws(
      () => loadTools(dir),
      (err: unknown) =>
        err instanceof OpsightError &&
        err.code === 'opsight_config_invalid' &&
        err.message.includes(`${join(dir, 'a.yaml')}:1 title: `) &&
        err.message.includes(`${join(dir, 'pause_campaign.yaml')}:7 risk: `),
    );
  });
});

describe('tool loader on a path that is not a directory', () => {
  test('reports it as a problem instead of crashing', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const found = checkTools(file);
    assert.equal(found.length, 1);
    assert.match(formatProblem(found[0]!), /a-file:1 \(root\): cannot read the tools directory/);
  });
});
