/**
 * The sandbox's one web page: no build step, no external assets, vanilla JS. Every piece of
 * workspace text reaches the DOM through textContent / createElement (never innerHTML), and the
 * page runs under a CSP that admits only its own nonce'd script, so a message cannot script it.
 */

/** JSON safe to embed in a <script>: no `</script>`, no line separators that end JS strings. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1c1d;height:100vh;display:flex;flex-direction:column}
header{background:#3f0e40;color:#fff;padding:8px 14px;display:flex;gap:16px;align-items:center}header h1{font-size:15px;margin:0;flex:1}
header select{font:inherit;padding:2px 4px}
main{flex:1;display:flex;min-height:0}
nav{width:230px;background:#3f0e40;color:#cfc3cf;overflow-y:auto;padding:8px 0}
nav h2{font-size:12px;text-transform:uppercase;letter-spacing:.04em;margin:14px 14px 4px;color:#bcabbc}
nav button{display:block;width:100%;text-align:left;background:none;border:0;color:inherit;font:inherit;padding:3px 18px;cursor:pointer}
nav button:hover{background:#350d36}nav button.sel{background:#1164a3;color:#fff}nav button .dim{opacity:.6;font-size:12px}
section#pane{flex:1;display:flex;flex-direction:column;min-width:0}
#title{padding:10px 16px;border-bottom:1px solid #ddd;font-weight:700}
#messages{flex:1;overflow-y:auto;padding:8px 16px}
.msg{padding:6px 8px;border-radius:6px;margin:2px 0}.msg:hover{background:#f8f8f8}
.msg.eph{background:#f3f7fb;border-left:3px solid #1264a3}
.who{font-weight:700}.app{font-size:10px;background:#ddd;border-radius:3px;padding:0 4px;margin-left:4px;font-weight:600;color:#555}
.when,.edited,.note{color:#777;font-size:12px;margin-left:6px}
.thread{margin:4px 0 4px 24px;border-left:2px solid #e0e0e0;padding-left:10px}
.link{background:none;border:0;color:#1264a3;cursor:pointer;padding:0;font:inherit;font-size:12px}
.block{margin:4px 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px}.context{color:#555;font-size:12px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.actions{display:flex;gap:6px;flex-wrap:wrap}
.btn{border:1px solid #bbb;background:#fff;border-radius:4px;padding:3px 10px;font:inherit;cursor:pointer}.btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}.btn.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}.btn:disabled{opacity:.5;cursor:default}
h3.hdr{font-size:16px;margin:6px 0}hr{border:0;border-top:1px solid #ddd}
img.shot{max-width:520px;max-height:360px;border:1px solid #ddd;border-radius:4px;display:block}img.thumb{width:20px;height:20px;border-radius:3px}
.ph{display:inline-block;border:1px dashed #aaa;padding:4px 8px;color:#666;font-size:12px}
code{background:#f4f4f4;border:1px solid #e4e4e4;border-radius:3px;padding:0 3px;font-size:12px}pre{background:#f4f4f4;border:1px solid #e4e4e4;border-radius:4px;padding:6px;white-space:pre-wrap;margin:4px 0}
blockquote{border-left:3px solid #ddd;margin:2px 0;padding-left:8px;color:#555}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
form.composer{display:flex;gap:6px;padding:10px 16px;border-top:1px solid #ddd}form.composer textarea{flex:1;font:inherit;padding:6px;border:1px solid #bbb;border-radius:6px;resize:vertical;min-height:38px}
.thread form.composer{padding:6px 0;border:0}
#toast{position:fixed;bottom:70px;right:16px;max-width:480px;background:#fff4e5;border:1px solid #f0b000;border-radius:6px;padding:8px 12px;display:none;white-space:pre-wrap}
#overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:none;align-items:center;justify-content:center}
.modal{background:#fff;border-radius:8px;width:520px;max-height:85vh;overflow-y:auto;padding:16px}.modal h2{margin:0 0 10px;font-size:18px}
.modal label{display:block;font-weight:700;margin-top:10px}.modal input,.modal textarea,.modal select{width:100%;font:inherit;padding:5px;margin-top:3px}
.err{color:#e01e5a;font-size:12px}.modal .bar{display:flex;justify-content:flex-end;gap:8px;margin-top:14px}
.empty{color:#777;padding:20px}
`;

const SCRIPT = String.raw`
const CONFIG = window.__SANDBOX__;
let viewer = localStorage.getItem('opsight.sandbox.viewer') || '';
let current = localStorage.getItem('opsight.sandbox.channel') || '';
let tab = 'conversation';
let snap = null;
let seenVersion = -1;
const openThreads = new Set();
const drafts = new Map();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.style.display = 'block';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.style.display = 'none'), 6000);
}

async function api(path, body) {
  const res = await fetch(CONFIG.base + '/ui/' + path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function reportDelivery(result) {
  if (!result) return;
  if (result.error) toast('Not delivered: ' + result.error);
  else if (result.status && result.status !== 200) toast('The bot answered HTTP ' + result.status);
}

// Slack escapes only these three in message text.
function unescapeSlack(s) { return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'); }

function userName(id) {
  if (snap && id === snap.bot.userId) return snap.bot.name;
  const p = snap && snap.people.find((x) => x.id === id);
  return p ? p.name : id;
}

function safeUrl(u) { return /^(https?:|mailto:)/i.test(u) ? u : null; }
function sameOrigin(u) {
  try { return new URL(u, location.href).origin === location.origin; } catch { return false; }
}

// <...> tokens: mentions, channels, specials, links.
function angle(inner) {
  const [target, label] = inner.split('|');
  if (target.startsWith('@')) return el('span', { class: 'mention' }, '@' + userName(target.slice(1)));
  if (target.startsWith('#')) return el('span', { class: 'mention' }, '#' + (label || target.slice(1)));
  if (target.startsWith('!subteam^')) return el('span', { class: 'mention' }, label || '@group');
  if (target.startsWith('!')) return el('span', { class: 'mention' }, '@' + target.slice(1));
  const url = safeUrl(target);
  // Anything else is shown as sent, brackets included: an unescaped '<' is the bot's bug to see.
  return url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, unescapeSlack(label || target)) : document.createTextNode('<' + unescapeSlack(inner) + '>');
}

const INLINE = /(\x60[^\x60\n]+\x60)|(<[^>\n]+>)|(\*[^*\n]+\*)|(_[^_\n]+_)|(~[^~\n]+~)/g;
function inline(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(unescapeSlack(text.slice(last, m.index)));
    const t = m[0];
    if (m[1]) out.push(el('code', {}, unescapeSlack(t.slice(1, -1))));
    else if (m[2]) out.push(angle(t.slice(1, -1)));
    else if (m[3]) out.push(el('b', {}, ...inline(t.slice(1, -1))));
    else if (m[4]) out.push(el('i', {}, ...inline(t.slice(1, -1))));
    else out.push(el('s', {}, ...inline(t.slice(1, -1))));
    last = m.index + t.length;
  }
  if (last < text.length) out.push(unescapeSlack(text.slice(last)));
  return out;
}

function mrkdwn(text) {
  const frag = el('div', {});
  const parts = String(text).split('\x60\x60\x60');
  parts.forEach((part, i) => {
    if (i % 2 === 1) { frag.append(el('pre', {}, unescapeSlack(part.replace(/^\n/, '')))); return; }
    part.split('\n').forEach((line, j, lines) => {
      if (line.startsWith('&gt; ')) frag.append(el('blockquote', {}, ...inline(line.slice(5))));
      else { frag.append(...inline(line)); if (j < lines.length - 1) frag.append(el('br')); }
    });
  });
  return frag;
}

function textObj(t) {
  if (!t || typeof t !== 'object') return document.createTextNode('');
  return t.type === 'mrkdwn' ? mrkdwn(t.text || '') : document.createTextNode(String(t.text || ''));
}

function image(url, alt, cls) {
  // Only the sandbox's own files load: the page fetches nothing from elsewhere.
  if (typeof url === 'string' && sameOrigin(url)) return el('img', { class: cls, src: url, alt: alt || '' });
  return el('span', { class: 'ph', title: String(url || '') }, '[image: ' + (alt || 'no alt text') + ']');
}

function button(elm, ctx) {
  const b = el('button', { class: 'btn' + (elm.style ? ' ' + elm.style : ''), disabled: !ctx.message }, textObj(elm.text));
  if (ctx.message) b.addEventListener('click', async () => {
    b.disabled = true;
    try { reportDelivery(await api('click', { user: viewer, channel: current, ts: ctx.message.ts, actionId: elm.action_id, blockId: ctx.blockId })); }
    catch (e) { toast(e.message); }
    finally { b.disabled = false; }
  });
  else b.title = 'Buttons outside messages are not wired in the sandbox';
  return b;
}

function element(elm, ctx) {
  if (!elm || typeof elm !== 'object') return null;
  if (elm.type === 'button') return button(elm, ctx);
  if (elm.type === 'image') return image(elm.image_url, elm.alt_text, 'thumb');
  if (elm.type === 'mrkdwn' || elm.type === 'plain_text') return el('span', {}, textObj(elm));
  const label = elm.placeholder ? elm.placeholder.text : elm.type;
  return el('span', { class: 'ph' }, '[' + label + ']');
}

function block(b, i, ctx) {
  if (!b || typeof b !== 'object') return null;
  const c = { ...ctx, blockId: typeof b.block_id === 'string' ? b.block_id : 'b' + i };
  switch (b.type) {
    case 'section':
      return el('div', { class: 'block' },
        b.text ? textObj(b.text) : null,
        Array.isArray(b.fields) ? el('div', { class: 'fields' }, b.fields.map((f) => el('div', {}, textObj(f)))) : null,
        b.accessory ? el('div', {}, element(b.accessory, c)) : null);
    case 'header': return el('h3', { class: 'hdr' }, textObj(b.text));
    case 'divider': return el('hr');
    case 'context': return el('div', { class: 'block context' }, (b.elements || []).map((e) => element(e, c)));
    case 'actions': return el('div', { class: 'block actions' }, (b.elements || []).map((e) => element(e, c)));
    case 'image': return el('figure', { class: 'block' }, b.title ? el('div', {}, textObj(b.title)) : null, image(b.image_url, b.alt_text, 'shot'));
    case 'rich_text': return el('div', { class: 'block' }, richText(b.elements || []));
    case 'input': return el('div', { class: 'block' }, el('b', {}, textObj(b.label)), ' ', element(b.element, c));
    default: return el('div', { class: 'ph' }, '[unsupported block: ' + String(b.type) + ']');
  }
}

function richText(elements) {
  return elements.map((e) => {
    if (!e || typeof e !== 'object') return null;
    if (e.type === 'text') return e.text;
    if (e.type === 'link') { const u = safeUrl(e.url || ''); return u ? el('a', { href: u, target: '_blank', rel: 'noopener noreferrer' }, e.text || e.url) : (e.text || ''); }
    if (e.type === 'user') return el('span', { class: 'mention' }, '@' + userName(e.user_id));
    if (Array.isArray(e.elements)) return el(e.type === 'rich_text_preformatted' ? 'pre' : 'div', {}, richText(e.elements));
    return null;
  });
}

function blocks(list, ctx) { return el('div', {}, (list || []).map((b, i) => block(b, i, ctx))); }

function when(ts) { return new Date(Number(String(ts).split('.')[0]) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

function mentionsToSlack(text) {
  return text.replace(/(^|\s)@([a-z0-9._-]+)/g, (all, pre, name) => {
    if (name === snap.bot.name) return pre + '<@' + snap.bot.userId + '>';
    const p = snap.people.find((x) => x.name === name);
    return p ? pre + '<@' + p.id + '>' : all;
  });
}

function composer(placeholder, threadTs) {
  const key = current + '/' + (threadTs || '');
  const ta = el('textarea', { placeholder, rows: 1 });
  ta.value = drafts.get(key) || '';
  ta.addEventListener('input', () => drafts.set(key, ta.value));
  const send = async () => {
    const raw = ta.value.trim();
    if (!raw) return;
    ta.value = '';
    drafts.delete(key);
    try {
      if (raw.startsWith('/') && !threadTs) {
        const [command, ...rest] = raw.split(/\s+/);
        if (!snap.commands.includes(command)) { toast(command + ' is not a command of this app (try ' + snap.commands.join(', ') + ')'); return; }
        reportDelivery(await api('command', { user: viewer, channel: current, command, text: raw.slice(command.length).trim() }));
      } else {
        const body = { user: viewer, channel: current, text: mentionsToSlack(raw) };
        if (threadTs) body.thread_ts = threadTs;
        const r = await api('post', body);
        reportDelivery(r.ack);
      }
    } catch (e) { toast(e.message); }
    refresh();
  };
  ta.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(); } });
  const form = el('form', { class: 'composer' }, ta, el('button', { class: 'btn primary', type: 'submit' }, 'Send'));
  form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
  return form;
}

function message(m, inThread) {
  const head = el('div', {},
    el('span', { class: 'who' }, m.author), m.isBot ? el('span', { class: 'app' }, 'APP') : null,
    el('span', { class: 'when' }, when(m.ts)), m.edited ? el('span', { class: 'edited' }, '(edited)') : null,
    m.ephemeral ? el('span', { class: 'note' }, 'Only visible to you') : null);
  const body = m.blocks && m.blocks.length ? blocks(m.blocks, { message: m }) : mrkdwn(m.text);
  const files = m.files.map((f) => f.mimetype.startsWith('image/') ? el('div', {}, el('img', { class: 'shot', src: f.url, alt: f.title })) : el('div', {}, el('a', { href: f.url, target: '_blank' }, f.title || f.name)));
  const box = el('div', { class: 'msg' + (m.ephemeral ? ' eph' : '') }, head, body, files);
  if (!inThread) {
    const open = openThreads.has(m.ts);
    const toggle = el('button', { class: 'link' }, m.replies.length ? m.replies.length + (m.replies.length === 1 ? ' reply' : ' replies') : 'Reply in thread');
    toggle.addEventListener('click', () => { open ? openThreads.delete(m.ts) : openThreads.add(m.ts); render(); });
    box.append(toggle);
    if (open) box.append(el('div', { class: 'thread' }, m.replies.map((r) => message(r, true)), composer('Reply…', m.ts)));
  }
  return box;
}

function renderModal() {
  const overlay = document.getElementById('overlay');
  overlay.replaceChildren();
  const mv = snap.modal;
  if (!mv) { overlay.style.display = 'none'; return; }
  overlay.style.display = 'flex';
  const inputs = [];
  const errs = new Map();
  const body = (mv.blocks || []).map((b, i) => {
    if (!b || b.type !== 'input') return block(b, i, {});
    const blockId = typeof b.block_id === 'string' ? b.block_id : 'b' + i;
    const e = b.element || {};
    const actionId = typeof e.action_id === 'string' ? e.action_id : 'a' + i;
    let control;
    if (e.type === 'static_select' || e.type === 'radio_buttons') {
      control = el('select', {}, el('option', { value: '' }, '—'), (e.options || []).map((o) => el('option', { value: o.value }, textObj(o.text).textContent)));
    } else if (e.type === 'plain_text_input' && e.multiline) control = el('textarea', { rows: 3 });
    else control = el('input', { type: 'text', placeholder: e.placeholder ? e.placeholder.text : '' });
    const err = el('div', { class: 'err' });
    errs.set(blockId, err);
    inputs.push({ blockId, actionId, control });
    return el('div', {}, el('label', {}, textObj(b.label), b.optional ? ' (optional)' : ''), control, err);
  });
  const submit = el('button', { class: 'btn primary' }, mv.submit ? textObj(mv.submit) : 'Submit');
  const close = el('button', { class: 'btn' }, mv.close ? textObj(mv.close) : 'Cancel');
  submit.addEventListener('click', async () => {
    const values = {};
    for (const i of inputs) if (i.control.value !== '') values[i.blockId] = { [i.actionId]: i.control.value };
    try {
      const r = await api('submit', { user: viewer, viewId: mv.id, values });
      reportDelivery(r);
      if (r.body && r.body.response_action === 'errors') for (const [k, v] of Object.entries(r.body.errors || {})) if (errs.get(k)) errs.get(k).textContent = String(v);
    } catch (e) { toast(e.message); }
    refresh();
  });
  close.addEventListener('click', async () => { try { await api('close', { user: viewer, viewId: mv.id }); } catch (e) { toast(e.message); } refresh(); });
  overlay.append(el('div', { class: 'modal' }, el('h2', {}, textObj(mv.title)), body, el('div', { class: 'bar' }, close, submit)));
}

function render() {
  if (!snap) return;
  const who = document.getElementById('viewer');
  if (who.options.length !== snap.people.length) {
    who.replaceChildren(...snap.people.map((p) => el('option', { value: p.id }, p.realName + ' (@' + p.name + (p.guest ? ', guest' : '') + ')')));
  }
  who.value = viewer;
  const nav = document.getElementById('nav');
  const item = (label, sel, onclick, note) => { const b = el('button', { class: sel ? 'sel' : '' }, label, note ? el('span', { class: 'dim' }, ' ' + note) : null); b.addEventListener('click', onclick); return b; };
  const pick = (id) => () => { tab = 'conversation'; current = id; localStorage.setItem('opsight.sandbox.channel', id); refresh(); };
  nav.replaceChildren(
    el('h2', {}, 'Channels'),
    snap.channels.filter((c) => c.kind !== 'im').map((c) => item((c.kind === 'private' ? '🔒 ' : '# ') + c.name, tab === 'conversation' && c.id === current, pick(c.id), c.botMember ? null : '(no ' + snap.bot.name + ')')),
    el('h2', {}, 'Apps'),
    snap.channels.filter((c) => c.kind === 'im').map((c) => item(c.name + ' — messages', tab === 'conversation' && c.id === current, pick(c.id))),
    item(snap.bot.name + ' — home', tab === 'home', async () => { tab = 'home'; try { reportDelivery(await api('home', { user: viewer })); } catch (e) { toast(e.message); } refresh(); }),
  );
  const title = document.getElementById('title');
  const list = document.getElementById('messages');
  const foot = document.getElementById('foot');
  if (tab === 'home') {
    title.textContent = snap.bot.name + ' — Home';
    list.replaceChildren(snap.home ? blocks(snap.home.blocks, {}) : el('div', { class: 'empty' }, 'The app has not published a Home tab for you yet.'));
    foot.replaceChildren();
  } else if (snap.conversation) {
    title.textContent = snap.conversation.title;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...(snap.conversation.messages.length ? snap.conversation.messages.map((m) => message(m, false)) : [el('div', { class: 'empty' }, 'No messages yet. Mention @' + snap.bot.name + ' or type ' + snap.commands.join(', ') + '.')]));
    if (atBottom) list.scrollTop = list.scrollHeight;
    const active = document.activeElement && document.activeElement.closest('#foot');
    if (!active || foot.dataset.channel !== current) { foot.replaceChildren(composer('Message ' + snap.conversation.title + ' — @' + snap.bot.name + ' to mention, ' + snap.commands.join(', ') + ' for commands')); foot.dataset.channel = current; }
  }
  renderModal();
}

async function refresh() {
  const q = new URLSearchParams();
  if (viewer) q.set('user', viewer);
  if (current) q.set('channel', current);
  try {
    snap = await api('state?' + q);
  } catch (e) {
    if (viewer) { viewer = ''; localStorage.removeItem('opsight.sandbox.viewer'); return refresh(); }
    toast(e.message);
    return;
  }
  viewer = snap.viewer;
  if (!snap.channels.some((c) => c.id === current) && snap.channels.length) { current = snap.channels[0].id; return refresh(); }
  seenVersion = snap.version;
  render();
}

document.getElementById('viewer').addEventListener('change', (e) => {
  viewer = e.target.value;
  localStorage.setItem('opsight.sandbox.viewer', viewer);
  openThreads.clear();
  refresh();
});

// Poll a version number; re-read the state only when something changed.
setInterval(async () => {
  try { const { version } = await api('version'); if (version !== seenVersion) refresh(); } catch { /* server restarting */ }
}, 700);
refresh();
`;

export function renderPage(p: { basePath: string; nonce: string; teamName: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.teamName)} · opsight sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(p.teamName)} · Slack sandbox</h1><label>Acting as <select id="viewer"></select></label></header>
<main>
<nav id="nav"></nav>
<section id="pane"><div id="title"></div><div id="messages"></div><div id="foot"></div></section>
</main>
<div id="toast" role="status"></div>
<div id="overlay"></div>
<script nonce="${escapeHtml(p.nonce)}">window.__SANDBOX__ = ${scriptJson({ base: p.basePath })};
${SCRIPT}</script>
</body>
</html>
`;
}
