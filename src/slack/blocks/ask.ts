import type { KnownBlock, ModalView } from '@slack/types';
import { formatValue, type AskResult } from '../../ask/index.js';
import type { PlanRow, Unit } from '../../semantic/index.js';
import { formatRelative } from './format.js';
import { actions, button, codeBlock, context, section } from './kit.js';
import { message, type SlackMessage } from './message.js';
import { table } from './table.js';
import { escapeMrkdwn, oneLine } from './text.js';
import { modal } from './view.js';

/** Ids the ask listeners match on; the builders put them on the blocks. */
export const ASK_MODAL = { callbackId: 'ask_modal', blockId: 'question', actionId: 'question_text' } as const;
export const ASK_ACTIONS = { showSql: 'show_sql', openAsk: 'open_ask' } as const;

export interface AnswerOptions {
  /** Reference the Show SQL button carries (the answer itself is kept by the bot). */
  answerId: string;
  /** The metric's unit, for the table's numbers. */
  unit: Unit;
  /** Newest rolled-up minute, for "data as of 12 s ago"; absent when unknown. */
  asOf?: Date;
  now: Date;
}

const TABLE_MORE = 'press Show SQL to rerun the full query';

function dimensionColumns(result: AskResult): string[] {
  return result.plan ? [...(result.plan.grain ? ['bucket'] : []), ...result.plan.by] : [];
}

/** Rows of free-form SQL (no plan): every column as it came, numbers as they came. */
function rawTable(result: AskResult): KnownBlock | undefined {
  const first = result.rows[0];
  if (!first) return undefined;
  const columns = Object.keys(first);
  return table({
    columns: columns.map((c) => ({ title: c, align: typeof first[c] === 'number' ? ('right' as const) : ('left' as const) })),
    rows: result.rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '–' : String(r[c])))),
    maxRows: 25,
    more: TABLE_MORE,
  });
}

function pct(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '–';
  const v = change * 100;
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)}%`;
}

function cell(row: PlanRow, column: string): string {
  const v = row[column];
  if (column === 'bucket' && typeof v === 'string') return v.replace('T', ' ').replace(/:00Z$/, '').replace(/ 00:00$/, '');
  return v === null || v === undefined || v === '' ? '(none)' : String(v);
}

/** The compact breakdown table: one row per group/bucket, value, and change when compared. */
export function answerTable(result: AskResult, unit: Unit): KnownBlock | undefined {
  const dims = dimensionColumns(result);
  if (dims.length === 0 || result.rows.length === 0) return undefined;
  const compared = result.plan?.compare !== null && result.plan?.compare !== undefined;
  return table({
    columns: [
      ...dims.map((d) => ({ title: d === 'bucket' ? 'time (UTC)' : d })),
      { title: 'value', align: 'right' as const },
      ...(compared ? [{ title: 'before', align: 'right' as const }, { title: 'change', align: 'right' as const }] : []),
    ],
    rows: result.rows.map((r) => [
      ...dims.map((d) => cell(r, d)),
      formatValue(r.value, unit),
      ...(compared ? [formatValue(r.baseline, unit), pct(r.change as number | null | undefined)] : []),
    ]),
    maxRows: 25,
    more: TABLE_MORE,
  });
}

/**
 * A question's answer: the sentence, a table for breakdowns and trends, when the data is
 * from, and Show SQL. Clarifications list the options; refusals give the reason and nothing else.
 */
export function answerMessage(result: AskResult, o: AnswerOptions): SlackMessage {
  if (result.status === 'clarify') {
    const options = (result.options ?? []).map((opt) => `• ${escapeMrkdwn(oneLine(opt))}`).join('\n');
    return message(
      [section(`🤔 ${escapeMrkdwn(result.answer)}`), ...(options ? [section(options)] : []), context(['Reply in this thread with the one you mean.'])],
      result.answer,
    );
  }
  if (result.status === 'refused') {
    return message([section(`🙅 ${escapeMrkdwn(result.reason ?? result.answer)}`)], result.reason ?? result.answer);
  }
  const blocks: KnownBlock[] = [section(escapeMrkdwn(result.answer))];
  const t = result.plan ? answerTable(result, o.unit) : rawTable(result);
  if (t) blocks.push(t);
  blocks.push(context([o.asOf ? `Data as of ${formatRelative(o.asOf, o.now)}` : 'No data has arrived yet']));
  blocks.push(...actions([button({ text: 'Show SQL', actionId: ASK_ACTIONS.showSql, value: o.answerId })]));
  return message(blocks, result.answer);
}

/** What Show SQL reveals: the plan as the contract writes it, and the SQL that ran. */
export function sqlMessage(answer: { question: string; result: AskResult } | undefined): SlackMessage {
  if (!answer || !answer.result.sql) {
    return message([section("I no longer have that answer's query (I keep the recent ones only). Ask again and press Show SQL on the new answer.")], 'Query not available');
  }
  const { question, result } = answer;
  return message(
    [
      section(`*Plan for* “${escapeMrkdwn(oneLine(question))}”\n${codeBlock(JSON.stringify(result.plan, null, 1), 1400, 'plan cut')}`),
      section(`*SQL* (values are bound as query parameters)\n${codeBlock(result.sql ?? '', 2800, 'full SQL in `opsight ask --json`')}`),
    ],
    'Plan and SQL',
  );
}

/** The question form, from `/opsight ask` or the Home tab; remembers where it was opened. */
export function askModal(o: { channelId?: string }): ModalView {
  return modal({
    title: 'Ask opsight',
    callbackId: ASK_MODAL.callbackId,
    submit: 'Ask',
    close: 'Cancel',
    privateMetadata: JSON.stringify(o.channelId ? { channelId: o.channelId } : {}),
    blocks: [
      {
        type: 'input',
        block_id: ASK_MODAL.blockId,
        label: { type: 'plain_text', text: 'Your question' },
        element: {
          type: 'plain_text_input',
          action_id: ASK_MODAL.actionId,
          placeholder: { type: 'plain_text', text: 'revenue yesterday vs last week by channel' },
        },
      },
      context([o.channelId ? 'I will answer in the channel you asked from.' : 'I will answer in our DM.']),
    ],
  });
}
