import type { SectionBlock } from '@slack/types';
import { section } from './kit.js';
import { MAX_SECTION_TEXT } from './limits.js';
import { escapeMrkdwn, fit, oneLine } from './text.js';

export interface TableColumn {
  title: string;
  /** Numbers read best right-aligned. Default left. */
  align?: 'left' | 'right';
}

export interface TableInput {
  columns: readonly TableColumn[];
  /** Cells as display strings, one array per row, in column order. */
  rows: ReadonlyArray<ReadonlyArray<string>>;
  /** Show at most this many rows even if more would fit. */
  maxRows?: number;
  /** Where the full data is, named in the "… and N more rows" line: "full table in the thread". */
  more?: string;
}

/** Widest cell kept, in characters; a longer cell ends in "…". */
const MAX_CELL = 40;
/** Widest line kept: Slack wraps longer code lines, which scrambles the columns anyway. */
const MAX_LINE = 120;
const GAP = '  ';
const OPEN = '```\n';
const CLOSE = '\n```';

const rowsWord = (n: number) => `${n.toLocaleString('en-US')} more row${n === 1 ? '' : 's'}`;

/**
 * A compact monospace table as mrkdwn: a ``` fenced block with a header line, a rule, and one
 * line per row, within `maxChars` (Slack's 3000 for section text). Rows that do not fit are
 * left out and counted after the fence: `… and 480 more rows — full table in the thread`.
 */
export function tableText(t: TableInput, maxChars = MAX_SECTION_TEXT): string {
  const cols = t.columns.length;
  const cell = (s: string | undefined) => fit(oneLine(s ?? ''), MAX_CELL);
  const titles = t.columns.map((c) => cell(c.title));
  const rows = t.rows.map((r) => Array.from({ length: cols }, (_, i) => cell(r[i])));
  const widths = titles.map((title, i) => Math.max(title.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    escapeMrkdwn(
      fit(
        cells
          .map((c, i) => (t.columns[i]?.align === 'right' ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
          .join(GAP)
          .trimEnd(),
        MAX_LINE,
      ),
    );

  const head = [line(titles), escapeMrkdwn(fit(widths.map((w) => '─'.repeat(w)).join(GAP), MAX_LINE))];
  if (rows.length === 0) head.push('(no rows)');
  const more = t.more ? fit(oneLine(t.more), 200) : '';
  const footer = (left: number) => `\n_… and ${rowsWord(left)}${more ? ` — ${more}` : ''}_`;

  const limit = Math.min(rows.length, t.maxRows ?? rows.length);
  // Room for the fence and, when any row is left out, for the footer (at its longest).
  const room = maxChars - OPEN.length - CLOSE.length;
  const roomWithFooter = room - footer(rows.length).length;
  const body = [...head];
  let used = head.join('\n').length;
  let shown = 0;
  for (; shown < limit; shown++) {
    const next = line(rows[shown] as string[]);
    const after = used + 1 + next.length;
    const isLast = shown === rows.length - 1;
    if (after > (isLast ? room : roomWithFooter)) break;
    body.push(next);
    used = after;
  }
  const left = rows.length - shown;
  const text = OPEN + body.join('\n') + CLOSE + (left > 0 ? footer(left) : '');
  return fit(text, maxChars); // a no-op unless maxChars is too small for the header itself
}

/** `tableText` in a section block. */
export function table(t: TableInput): SectionBlock {
  return section(tableText(t));
}
