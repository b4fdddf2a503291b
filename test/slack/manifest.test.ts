import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { COMMAND_VERBS } from '../../src/slack/intent.js';

const manifest = z
  .object({
    features: z.object({
      app_home: z.object({ home_tab_enabled: z.literal(true), messages_tab_enabled: z.literal(true) }).loose(),
      slash_commands: z.array(z.object({ command: z.string(), usage_hint: z.string() }).loose()),
    }).loose(),
    oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
    settings: z.object({
      event_subscriptions: z.object({ bot_events: z.array(z.string()) }).loose(),
      interactivity: z.object({ is_enabled: z.literal(true) }).loose(),
      socket_mode_enabled: z.boolean(),
    }).loose(),
  })
  .loose()
  .parse(parse(readFileSync('manifest.yml', 'utf8')));

describe('manifest.yml', () => {
  it('asks for exactly the scopes the issue lists, nothing more', () => {
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), ['app_mentions:read', 'chat:write', 'commands', 'files:write', 'im:history', 'usergroups:read', 'users:read']);
  });
  it('subscribes to the events the listeners handle, with interactivity and Socket Mode on', () => {
    assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), ['app_home_opened', 'app_mention', 'message.im']);
    assert.equal(manifest.settings.socket_mode_enabled, true);
  });
  it('declares /opsight with a hint naming its verbs', () => {
    const cmd = manifest.features.slash_commands.find((c) => c.command === '/opsight');
    assert.ok(cmd);
    for (const verb of COMMAND_VERBS) assert.match(cmd.usage_hint, new RegExp(`\\b${verb}\\b`));
  });
});
