import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { METHODS_FILE, SPEC_FILE_NAME, buildMethodTable, buildMethodsExtract, formatMethodsExtract } from '../../src/sandbox/index.js';
import { SERVED_METHODS, parseApiRequest, validateArgs } from '../../src/sandbox/web-api/index.js';

/** The method spec the sandbox validates against, and the pure argument checks. */

// CI checks ../shared out beside the clone, as on the development machine.
const SPEC_DIR = join(import.meta.dirname, '../../../shared/eval/slack');

describe('methods.json', () => {
  it('is exactly what scripts/slack-spec.ts writes from the shared spec', () => {
    const openApi: unknown = JSON.parse(readFileSync(join(SPEC_DIR, SPEC_FILE_NAME), 'utf8'));
    const sourceTxt = readFileSync(join(SPEC_DIR, 'SOURCE.txt'), 'utf8');
    const regenerated = formatMethodsExtract(buildMethodsExtract(openApi, sourceTxt, SPEC_FILE_NAME));
    assert.equal(readFileSync(METHODS_FILE, 'utf8'), regenerated, 'src/sandbox/spec/methods.json is stale: run node --import tsx scripts/slack-spec.ts');
  });

  it('names its source file, upstream commit and licence', () => {
    const { source } = buildMethodTable().extract;
    assert.equal(source.file, SPEC_FILE_NAME);
    assert.match(source.commit, /^[0-9a-f]{40}$/);
    assert.match(source.licence, /^MIT/);
  });

  it('describes every method the sandbox serves, and nothing it does not', () => {
    assert.deepEqual(buildMethodTable().names(), [...SERVED_METHODS]);
    for (const m of ['auth.test', 'chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.delete', 'files.getUploadURLExternal', 'files.completeUploadExternal', 'views.open', 'views.update', 'views.publish', 'users.info', 'usergroups.users.list', 'conversations.info', 'conversations.replies', 'apps.connections.open']) {
      assert.ok(SERVED_METHODS.includes(m), `serves ${m}`);
    }
  });

  it('takes scopes from the token description and marks the methods newer than the spec', () => {
    const table = buildMethodTable();
    assert.equal(table.get('chat.postMessage')?.scope, 'chat:write');
    assert.equal(table.get('chat.postMessage')?.source, 'spec');
    assert.equal(table.get('files.completeUploadExternal')?.source, 'extra');
    assert.equal(table.get('apps.connections.open')?.scope, 'connections:write');
    assert.ok(table.isUnserved('conversations.history'));
    assert.ok(!table.isUnserved('chat.postMessagee'));
  });

  it('merges newer arguments, required overrides and JSON-valued arguments', () => {
    const post = buildMethodTable().get('chat.postMessage')!;
    assert.deepEqual(post.args.metadata, { required: false, type: 'object' });
    assert.deepEqual(post.args.blocks, { required: false, type: 'array' });
    assert.deepEqual(post.args.channel, { required: true, type: 'string' });
    assert.deepEqual(post.args.team_id, { required: false, type: 'string' });
    assert.equal(buildMethodTable().get('users.info')!.args.user?.required, true, 'the 2020 spec says optional; Slack requires it');
  });
});

describe('validateArgs', () => {
  const table = buildMethodTable();
  const post = table.get('chat.postMessage')!;

  it('coerces form strings to booleans and keeps a ts as its exact text', () => {
    const r = validateArgs(post, { channel: 'C1', text: 'x', unfurl_links: 'false', mrkdwn: '1' });
    assert.deepEqual(r, { ok: true, args: { channel: 'C1', text: 'x', unfurl_links: false, mrkdwn: true } });
    const del = validateArgs(table.get('chat.delete')!, { channel: 'C1', ts: '1732262400.000100' });
    assert.deepEqual(del, { ok: true, args: { channel: 'C1', ts: '1732262400.000100' } });
  });

  it('parses JSON-encoded blocks and refuses a non-array', () => {
    assert.deepEqual(validateArgs(post, { channel: 'C1', blocks: '[{"type":"divider"}]' }), { ok: true, args: { channel: 'C1', blocks: [{ type: 'divider' }] } });
    const r = validateArgs(post, { channel: 'C1', blocks: '{"type":"divider"}' });
    assert.equal(r.ok, false);
  });

  it('treats an empty required field as missing and reports every problem at once', () => {
    const r = validateArgs(post, { channel: '', text: 'x', icon_emojii: ':x:', link_names: 'sometimes' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error, 'invalid_arguments');
    assert.equal(r.messages.length, 3);
    assert.ok(r.messages.includes('[ERROR] missing required field: channel'));
    assert.ok(r.messages.some((m) => m.startsWith('[ERROR] unknown argument: icon_emojii (chat.postMessage takes ')));
  });

  it('requires integers where the spec says integer', () => {
    const up = table.get('files.getUploadURLExternal')!;
    assert.equal(validateArgs(up, { filename: 'a.png', length: '12.5' }).ok, false);
    assert.deepEqual(validateArgs(up, { filename: 'a.png', length: '12' }), { ok: true, args: { filename: 'a.png', length: '12' } });
  });
});

describe('parseApiRequest', () => {
  const url = new URL('http://sandbox/api/chat.postMessage?channel=C1');

  it('merges query and form fields and takes the token from the form', () => {
    const r = parseApiRequest({ 'content-type': 'application/x-www-form-urlencoded' }, url, Buffer.from('token=xoxb-1&text=hi'));
    assert.deepEqual(r, { ok: true, request: { token: 'xoxb-1', args: { channel: 'C1', text: 'hi' }, bodyKind: 'form' } });
  });

  it('prefers the Bearer header and ignores a token inside JSON', () => {
    const r = parseApiRequest({ 'content-type': 'application/json', authorization: 'Bearer xoxb-2' }, url, Buffer.from('{"token":"xoxb-3","text":"hi"}'));
    assert.deepEqual(r, { ok: true, request: { token: 'xoxb-2', args: { channel: 'C1', text: 'hi' }, bodyKind: 'json' } });
  });

  it('refuses content types Slack does not read', () => {
    const r = parseApiRequest({ 'content-type': 'text/xml' }, url, Buffer.from('<x/>'));
    assert.equal(r.ok, false);
  });
});
