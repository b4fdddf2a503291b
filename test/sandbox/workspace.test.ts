import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OpsightError } from '../../src/errors.js';
import { DEFAULT_WORKSPACE_FILE, buildWorkspace, loadWorkspaceSeed } from '../../src/sandbox/index.js';

/** The seed workspace other parts (rules/access.yaml, tests) rely on, and its validation. */

describe('the committed seed workspace', () => {
  const ws = buildWorkspace(loadWorkspaceSeed());

  it('has the team, bot and people with the agreed ids and zones', () => {
    assert.equal(ws.team.id, 'T0ACME');
    assert.equal(ws.team.name, 'Acme');
    assert.deepEqual(ws.bot.userId + ws.bot.botId + ws.bot.appId + ws.bot.name, 'U0OPSIGHTB0OPSIGHTA0OPSIGHTopsight');
    const zones = Object.fromEntries(ws.users.map((u) => [u.id, u.tz]));
    assert.equal(zones.U0ALICE, 'America/New_York');
    assert.equal(zones.U0BOB, 'Europe/London');
    assert.equal(zones.U0CHEN, 'Europe/Berlin');
    assert.equal(zones.U0DEVI, 'Asia/Kolkata');
    assert.equal(zones.U0EMI, 'Asia/Tokyo');
    assert.equal(ws.user('U0GONE')?.deleted, true);
    assert.equal(ws.user('U0GUEST')?.is_restricted, true);
    assert.equal(ws.user('U0OTHERBOT')?.is_bot, true);
    assert.equal(ws.user('U0CHEN')?.is_admin, true);
  });

  it('has the agreed groups and channels, the bot in all but #random', () => {
    assert.deepEqual(ws.usergroup('S0ONCALL')?.users, ['U0BOB']);
    assert.deepEqual(ws.usergroup('S0EXECS')?.users, ['U0ALICE']);
    assert.deepEqual(ws.usergroup('S0ADMINS')?.users, ['U0CHEN']);
    for (const id of ['C0GENERAL', 'C0EXEC', 'C0OPSALERTS']) assert.ok(ws.isMember(id, 'U0OPSIGHT'), `bot in ${id}`);
    assert.equal(ws.isMember('C0RANDOM', 'U0OPSIGHT'), false);
    assert.equal(ws.channel('#ops-alerts')?.id, 'C0OPSALERTS');
    assert.equal(ws.channel('general')?.id, 'C0GENERAL');
  });

  it('gives every person an IM with the bot, D plus their id without the U', () => {
    assert.equal(ws.imChannelOf('U0ALICE'), 'D0ALICE');
    const im = ws.channel('D0ALICE');
    assert.equal(im?.kind, 'im');
    assert.ok(im?.members.has('U0OPSIGHT'));
    assert.equal(ws.channel('D0GONE'), undefined, 'deleted people have no open DM');
    assert.equal(ws.channel('D0OTHERBOT'), undefined, 'bots do not DM the app');
  });
});

describe('seed validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsight-sandbox-ws-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names file, line and field for a bad zone and an unknown member', () => {
    const text = readFileSync(DEFAULT_WORKSPACE_FILE, 'utf8').replace('tz: Asia/Tokyo', 'tz: Mars/Olympus_Mons').replace('members: [U0ALICE, U0CHEN, U0OPSIGHT]', 'members: [U0ALICE, U0CHEN, U0NOBODY, U0OPSIGHT]');
    const file = join(dir, 'workspace.yaml');
    writeFileSync(file, text);
    assert.throws(
      () => loadWorkspaceSeed(file),
      (err: unknown) => {
        assert.ok(err instanceof OpsightError);
        assert.equal(err.code, 'opsight_config_invalid');
        const tzLine = text.split('\n').findIndex((l) => l.includes('Mars/Olympus_Mons')) + 1;
        assert.match(err.message, new RegExp(`workspace\\.yaml:${tzLine} users\\[4\\]\\.tz: expected an IANA time zone`));
        assert.match(err.message, /channels\[1\]\.members\[2\]: unknown user U0NOBODY/);
        return true;
      },
    );
  });

  it('refuses an inline seed that puts a deleted user in a channel', () => {
    const seed = loadWorkspaceSeed();
    const broken = { ...seed, channels: seed.channels.map((c) => (c.id === 'C0GENERAL' ? { ...c, members: [...c.members, 'U0GONE'] } : c)) };
    assert.throws(() => buildWorkspace(broken), /U0GONE is deleted/);
  });
});
