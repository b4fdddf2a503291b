import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { interactionPayload, startRecorder, startSandbox, type Received, type Running } from './harness.js';

/**
 * The sandbox web page and its JSON API, over real HTTP: what a person sees, acting as them, and
 * the page's own script run against a minimal DOM to prove it renders and escapes.
 */

async function ui(run: Running, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${run.publicUrl}/sandbox/ui/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** Bounded polling for the page script's async work (it has no events to wait on). */
async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function bodyOf(r: Received): Record<string, unknown> {
  return (r.headers['content-type'] ?? '').includes('json') ? (JSON.parse(r.body) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(r.body));
}

describe('sandbox web page', () => {
  let run: Running;
  let bot: Awaited<ReturnType<typeof startRecorder>>;

  before(async () => {
    // The bot is a wire-level fake here: the page's job is to deliver, not to think.
    bot = await startRecorder((r) => (r.body.includes('command=%2Fopsight') ? { body: { text: 'Only Alice sees this' } } : {}));
    run = await startSandbox({ delivery: { mode: 'http', requestUrl: bot.url } });
  });
  after(async () => {
    await run.close();
    await bot.close();
  });

  it('serves one self-contained page under a nonce CSP', async () => {
    const res = await fetch(`${run.publicUrl}/sandbox`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    const html = await res.text();
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one inline script');
    assert.doesNotMatch(html, /(src|href)="https?:/, 'no external assets');
    assert.doesNotMatch(html, /innerHTML/, 'the script never parses HTML');
  });

  it('shows a person only their channels and their DM with the bot', async () => {
    const { body } = await ui(run, 'state?user=U0ALICE');
    assert.deepEqual(body.channels.map((c: { id: string }) => c.id), ['C0GENERAL', 'C0EXEC', 'C0RANDOM', 'D0ALICE']);
    assert.equal(body.channels.find((c: { id: string }) => c.id === 'C0RANDOM').botMember, false);
    assert.ok(body.people.every((p: { id: string }) => p.id !== 'U0GONE' && p.id !== 'U0OTHERBOT'));
  });

  it('posts as a person, delivering an app_mention, and the state shows it', async () => {
    const before = (await ui(run, 'version')).body.version as number;
    const { status, body } = await ui(run, 'post', { user: 'U0ALICE', channel: 'C0EXEC', text: '<@U0OPSIGHT> revenue yesterday' });
    assert.equal(status, 200);
    assert.equal(body.ack.status, 200);
    const mention = bot.received.map(bodyOf).find((b) => (b.event as { type?: string } | undefined)?.type === 'app_mention');
    assert.equal((mention?.event as { text: string }).text, '<@U0OPSIGHT> revenue yesterday');
    assert.ok((await ui(run, 'version')).body.version > before);
    const state = await ui(run, 'state?user=U0ALICE&channel=C0EXEC');
    assert.equal(state.body.conversation.messages.at(-1).text, '<@U0OPSIGHT> revenue yesterday');
  });

  it('runs slash commands and shows the ephemeral answer only to the person who typed it', async () => {
    const r = await ui(run, 'command', { user: 'U0ALICE', channel: 'C0GENERAL', command: '/opsight', text: 'help' });
    assert.equal(r.status, 200);
    const alice = await ui(run, 'state?user=U0ALICE&channel=C0GENERAL');
    const answer = alice.body.conversation.messages.at(-1);
    assert.equal(answer.text, 'Only Alice sees this');
    assert.equal(answer.ephemeral, true);
    const bob = await ui(run, 'state?user=U0BOB&channel=C0GENERAL');
    assert.ok(bob.body.conversation.messages.every((m: { text: string }) => m.text !== 'Only Alice sees this'));
  });

  it('clicks a button in a bot message through to the bot', async () => {
    const posted = await run.client.chat.postMessage({
      channel: 'C0GENERAL',
      text: 'Approve?',
      blocks: [{ type: 'actions', block_id: 'act', elements: [{ type: 'button', action_id: 'approve', value: 'r1', text: { type: 'plain_text', text: 'Approve' } }] }],
    });
    const r = await ui(run, 'click', { user: 'U0BOB', channel: 'C0GENERAL', ts: posted.ts, actionId: 'approve' });
    assert.equal(r.status, 200);
    const payload = interactionPayload(bot.received.at(-1)!);
    assert.equal(payload.type, 'block_actions');
    assert.equal((payload.actions as { value: string }[])[0]!.value, 'r1');
  });

  it('opens the Home tab by delivering app_home_opened', async () => {
    const r = await ui(run, 'home', { user: 'U0EMI' });
    assert.equal(r.body.status, 200);
    assert.equal((bodyOf(bot.received.at(-1)!).event as { type: string }).type, 'app_home_opened');
  });

  it('answers 400 with a reason for impossible actions and malformed bodies', async () => {
    const notMember = await ui(run, 'post', { user: 'U0DEVI', channel: 'C0EXEC', text: 'let me in' });
    assert.equal(notMember.status, 400);
    assert.match(notMember.body.error, /U0DEVI is not a member of #exec/);
    const bad = await ui(run, 'post', { user: 'U0DEVI', text: 'no channel' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /channel/);
    assert.equal((await ui(run, 'state?user=U0GONE')).status, 400);
  });

  it('renders messages with the page script: formatting, mentions, escaping, working buttons', async () => {
    await run.client.chat.postMessage({ channel: 'C0OPSALERTS', text: '<script>alert(1)</script> *bold* for <@U0BOB> & co' });
    const withButton = await run.client.chat.postMessage({
      channel: 'C0OPSALERTS',
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Checkout errors <img src=x onerror=alert(1)>' } },
        { type: 'section', text: { type: 'mrkdwn', text: '_EU_ is up' }, fields: [{ type: 'mrkdwn', text: '*Now* 4.2%' }] },
        { type: 'image', image_url: 'https://example.com/x.png', alt_text: 'external chart' },
        { type: 'actions', elements: [{ type: 'button', action_id: 'ack', text: { type: 'plain_text', text: 'Ack' }, value: 'v' }] },
      ],
    });
    const html = await (await fetch(`${run.publicUrl}/sandbox`)).text();
    const script = /<script nonce="[^"]+">([\s\S]*)<\/script>/.exec(html)![1]!;
    const dom = fakeDom(['viewer', 'nav', 'title', 'messages', 'foot', 'toast', 'overlay']);
    const storage = new Map<string, string>([
      ['opsight.sandbox.viewer', 'U0BOB'],
      ['opsight.sandbox.channel', 'C0OPSALERTS'],
    ]);
    const win = {} as Record<string, unknown>;
    const run0 = new Function('window', 'document', 'localStorage', 'fetch', 'location', 'setInterval', 'setTimeout', 'clearTimeout', script);
    run0(
      win,
      dom.document,
      { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v), removeItem: (k: string) => storage.delete(k) },
      (url: string, init?: RequestInit) => fetch(`${run.publicUrl}${url}`, init),
      { href: `${run.publicUrl}/sandbox`, origin: run.publicUrl },
      () => 0,
      () => 0,
      () => {},
    );
    const title = dom.byId('title');
    await until(() => (title.textContent === '#ops-alerts' ? true : undefined), 'the page to render #ops-alerts');
    const list = dom.byId('messages');
    const text = list.textContent;
    assert.ok(text.includes('<script>alert(1)</script>'), 'markup in text stays text');
    assert.equal(list.find((e) => e.tagName === 'SCRIPT'), undefined);
    assert.equal(list.find((e) => e.tagName === 'B' && e.textContent === 'bold')?.tagName, 'B');
    assert.equal(list.find((e) => e.className === 'mention')?.textContent, '@bob');
    assert.equal(list.find((e) => e.tagName === 'H3')?.textContent, 'Checkout errors <img src=x onerror=alert(1)>');
    assert.equal(list.find((e) => e.tagName === 'I')?.textContent, 'EU');
    assert.equal(list.find((e) => e.tagName === 'IMG' && String(e.attrs.get('src')).startsWith('https:')), undefined, 'external images are not loaded');
    assert.ok(text.includes('[image: external chart]'));
    const ack = list.find((e) => e.tagName === 'BUTTON' && e.textContent === 'Ack')!;
    assert.ok(ack, 'the button renders');
    const receivedBefore = bot.received.length;
    ack.fire('click');
    const clicked = await until(() => bot.received.slice(receivedBefore).map(interactionPayload).find((p) => p?.type === 'block_actions'), 'the click to reach the bot');
    assert.equal((clicked.container as { message_ts: string }).message_ts, withButton.ts);
    assert.equal((clicked.user as { id: string }).id, 'U0BOB');
  });

  it('saw only valid calls', () => {
    assert.deepEqual(run.sandbox.violations(), []);
  });
});

interface FakeEl {
  tagName: string;
  attrs: Map<string, string>;
  className: string;
  readonly textContent: string;
  find(pred: (e: FakeEl) => boolean): FakeEl | undefined;
  fire(type: string): void;
}

/** Just enough DOM for the page script: elements, text nodes, listeners; no HTML parser at all. */
function fakeDom(ids: string[]) {
  class Text {
    constructor(public data: string) {}
    get textContent(): string {
      return this.data;
    }
  }
  class El implements FakeEl {
    tagName: string;
    attrs = new Map<string, string>();
    children: (El | Text)[] = [];
    listeners = new Map<string, ((e: unknown) => void)[]>();
    className = '';
    style: Record<string, string> = {};
    dataset: Record<string, string> = {};
    value = '';
    disabled = false;
    title = '';
    scrollTop = 0;
    scrollHeight = 0;
    clientHeight = 0;
    constructor(tag: string) {
      this.tagName = tag.toUpperCase();
    }
    append(...nodes: (El | Text | string)[]) {
      for (const n of nodes) this.children.push(typeof n === 'string' ? new Text(n) : n);
    }
    replaceChildren(...nodes: (El | Text | string)[]) {
      this.children = [];
      this.append(...nodes);
    }
    setAttribute(k: string, v: string) {
      this.attrs.set(k, v);
      if (k === 'value') this.value = v;
    }
    addEventListener(type: string, f: (e: unknown) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
    }
    fire(type: string) {
      for (const f of this.listeners.get(type) ?? []) f({ preventDefault() {}, target: this });
    }
    closest() {
      return null;
    }
    get options() {
      return this.children.filter((c): c is El => c instanceof El && c.tagName === 'OPTION');
    }
    get textContent(): string {
      return this.children.map((c) => c.textContent).join('');
    }
    set textContent(v: string) {
      this.children = [new Text(v)];
    }
    find(pred: (e: FakeEl) => boolean): FakeEl | undefined {
      for (const c of this.children) {
        if (!(c instanceof El)) continue;
        if (pred(c)) return c;
        const deeper = c.find(pred);
        if (deeper) return deeper;
      }
      return undefined;
    }
  }
  const byId = new Map(ids.map((id) => [id, new El(id === 'viewer' ? 'select' : 'div')]));
  return {
    document: { createElement: (t: string) => new El(t), createTextNode: (s: string) => new Text(s), getElementById: (id: string) => byId.get(id), activeElement: null },
    byId: (id: string) => byId.get(id)!,
  };
}
