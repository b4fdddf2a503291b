/**
 * Text for Block Kit: cutting to a limit visibly, and writing Slack mrkdwn safely.
 *
 * Lengths are UTF-16 code units (`string.length`). Slack counts characters; a code unit
 * count is never smaller than a code point count, so text cut here fits Slack whichever it
 * counts. Cuts fall on grapheme boundaries (Intl.Segmenter), so an emoji, a flag or a
 * surrogate pair is never split.
 */

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** The largest index ≤ `at` that does not fall inside a grapheme of `text`. */
function graphemeBoundary(text: string, at: number): number {
  if (at >= text.length) return text.length;
  if (at <= 0) return 0;
  // Segment only a window around the cut: texts may be long, and boundaries are local.
  const from = Math.max(0, at - 64);
  let best = from;
  for (const { index } of graphemes.segment(text.slice(from, Math.min(text.length, at + 64)))) {
    if (from + index > at) break;
    best = from + index;
  }
  // The window may start mid-grapheme; a surrogate pair is still never split.
  if (best > 0 && isHighSurrogate(text.charCodeAt(best - 1))) best -= 1;
  return best;
}

/**
 * Where to cut `text` so that at most `keep` units stay: a line end when one is near, else a
 * space when one is near, else a grapheme boundary; never inside an `&amp;`-style entity or a
 * `<url|label>` link, which Slack would show broken.
 */
function cutPoint(text: string, keep: number): number {
  let cut = graphemeBoundary(text, keep);
  const near = Math.floor(cut * 0.2);
  const line = text.lastIndexOf('\n', cut);
  const space = Math.max(text.lastIndexOf(' ', cut), text.lastIndexOf('\t', cut));
  if (line > 0 && line <= cut && cut - line <= Math.min(200, near)) cut = line;
  else if (space > 0 && space <= cut && cut - space <= Math.min(40, near)) cut = space;

  const head = text.slice(0, cut);
  const amp = head.lastIndexOf('&');
  if (amp >= 0 && cut - amp < 10 && /^&(?:[a-z]+|#\d+);/.test(text.slice(amp, amp + 10)) && !head.slice(amp).includes(';')) cut = amp;
  const open = text.lastIndexOf('<', cut - 1);
  if (open >= 0 && open > text.lastIndexOf('>', cut - 1) && open >= cut / 2) cut = open;
  return cut;
}

const count = (n: number) => `${n.toLocaleString('en-US')} more character${n === 1 ? '' : 's'}`;

/** Markers from most to least informative; the last always fits. */
function markers(more: string | undefined): Array<(remaining: number) => string> {
  const list: Array<(remaining: number) => string> = [];
  if (more) list.push((n) => `… (cut: ${count(n)} — ${more})`);
  list.push((n) => `… (cut: ${count(n)})`);
  list.push(() => '…');
  return list;
}

/**
 * Returns `text` if it has at most `max` UTF-16 code units; otherwise cuts it visibly so that
 * the result has at most `max`: `start of the text… (cut: 1,234 more characters — <more>)`, where `more`
 * says where the rest is ("full table in the thread", "see Show SQL"). A long marker gives way
 * to a shorter one when it would take more than half the room (a 75-character button keeps
 * `… (cut: N more characters)`; a 24-character title keeps just `…`).
 */
export function fit(text: string, max: number, more?: string): string {
  const parts = cutParts(text, max, more);
  return parts === null ? text : parts.head + parts.joiner + parts.marker;
}

/**
 * What `fit` does, in pieces, for callers that place the marker themselves (a code block
 * keeps it outside its fence). `null` when the text fits. `head + joiner + marker` has at most
 * `max` units, and at most `max - 1` when `joiner` is empty.
 */
export function cutParts(text: string, max: number, more?: string): { head: string; joiner: string; marker: string } | null {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`fit: max must be a positive integer, got ${max}`);
  if (text.length <= max) return null;
  const options = markers(more);
  for (const [i, mark] of options.entries()) {
    const last = i === options.length - 1;
    const room = max - mark(text.length).length - 1; // 1 for a line break before the marker
    if (!last && room < max / 2) continue;
    const cut = cutPoint(text, Math.max(0, room));
    const head = text.slice(0, cut).trimEnd();
    const joiner = !last && text[cut] === '\n' ? '\n' : '';
    return { head, joiner, marker: mark(text.length - head.length) };
  }
  return { head: '', joiner: '', marker: '…' }; // unreachable: the last marker always fits
}

/** Collapses line breaks and runs of whitespace: for headers, buttons, titles and labels. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `text` if it has any non-space character, else `fallback` (Slack rejects empty text). */
export function orDash(text: string, fallback = '—'): string {
  return text.trim() === '' ? fallback : text;
}

/** Slack mrkdwn: "&", "<" and ">" are control characters and must be sent as entities. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `*text*`, escaped. */
export function bold(text: string): string {
  const t = oneLine(text);
  return t === '' ? '' : `*${escapeMrkdwn(t)}*`;
}

/** `_text_`, escaped. */
export function italic(text: string): string {
  const t = oneLine(text);
  return t === '' ? '' : `_${escapeMrkdwn(t)}_`;
}

/** `` `text` ``, escaped; a backtick inside would end the span early, so it becomes ˋ. */
export function code(text: string): string {
  const t = oneLine(text).replaceAll('`', 'ˋ');
  return t === '' ? '' : `\`${escapeMrkdwn(t)}\``;
}

/**
 * `<url|label>`. Inside a link "<", ">" and "|" end it early, so they are percent-encoded in
 * the URL; the label is escaped like any text and defaults to the URL.
 */
export function link(url: string, label?: string): string {
  const safeUrl = url.trim().replace(/[<>|\s]/g, (c) => encodeURIComponent(c));
  const text = label === undefined || oneLine(label) === '' ? url : oneLine(label);
  return `<${safeUrl}|${escapeMrkdwn(text)}>`;
}

/** A user as Slack shows users: `<@U…>` for a Slack user id, else the name in bold. */
export function user(idOrName: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(idOrName) ? `<@${idOrName}>` : bold(idOrName);
}

/** A channel as Slack shows channels: `<#C…>` for a channel id, else `#name`. */
export function channel(idOrName: string): string {
  if (/^[CGD][A-Z0-9]{2,}$/.test(idOrName)) return `<#${idOrName}>`;
  const name = oneLine(idOrName).replace(/^#/, '');
  return `#${escapeMrkdwn(name)}`;
}
