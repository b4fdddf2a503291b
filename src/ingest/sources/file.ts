import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { OpsightError } from '../../errors.js';
import type { EventSink } from '../source.js';
import { INGEST_LIMITS, decodeLineBytes, decodeText, deliver, type DecodeLimits, type Decoded, type LineError } from './http.js';

/**
 * Replays a file of events (NDJSON, a JSON array, or CSV) into a sink: streamed in chunks,
 * never loaded whole, pushed in batches whose await is the backpressure. Bad lines are
 * dead-lettered with their line number exactly as POST /v1/events does (same decoder).
 *
 * Framing (where one event ends) works on raw bytes: every delimiter involved (newline,
 * comma, quote, brackets) is ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
 * character, so a line with broken UTF-8 is still cut correctly and refused on its own.
 */

export type FileFormat = 'ndjson' | 'json' | 'csv';

/** One framed unit: an NDJSON line, a JSON array element or a CSV record. */
export interface Unit {
  /** 1-based line where the unit starts. */
  at: number;
  /** The unit's bytes, or only a prefix of them when it is over the line limit. */
  bytes: Buffer;
  /** The unit's real size; > bytes.length when only a prefix was kept. */
  totalBytes: number;
  /** Set when the framing itself is broken (unterminated array, text after it). */
  error?: string;
}

/**
 * Bytes of one unit being gathered across chunks, keeping at most `keepBytes`. Parts are views
 * into the read chunks, not copies: units are decoded before the next chunk is read, so a view
 * pins at most the chunk being processed (and the previous one for a line spanning both).
 */
class Gather {
  private parts: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly keepBytes: number) {}

  add(bytes: Buffer): void {
    this.total += bytes.length;
    if (this.kept >= this.keepBytes || bytes.length === 0) return;
    const part = bytes.subarray(0, this.keepBytes - this.kept);
    this.parts.push(part);
    this.kept += part.length;
  }

  take(): { bytes: Buffer; totalBytes: number } {
    const bytes = this.parts.length === 0 ? EMPTY : this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept);
    const out = { bytes, totalBytes: this.total };
    this.parts = [];
    this.kept = 0;
    this.total = 0;
    return out;
  }
}

const EMPTY = Buffer.alloc(0);

/** Pure framing: chunks in, complete units out. `lines` counts physical lines seen. */
export interface Splitter {
  push(chunk: Buffer): Unit[];
  end(): Unit[];
  readonly lines: number;
}

function stripCr(u: { bytes: Buffer; totalBytes: number }): { bytes: Buffer; totalBytes: number } {
  const n = u.bytes.length;
  if (n > 0 && u.bytes[n - 1] === 0x0d && n === u.totalBytes) return { bytes: u.bytes.subarray(0, n - 1), totalBytes: n - 1 };
  return u;
}

/** NDJSON: one unit per line (\n or \r\n). */
export function lineSplitter(maxLineBytes: number): Splitter {
  const gather = new Gather(maxLineBytes);
  let line = 1;
  let pending = false;
  return {
    get lines() {
      return line - 1 + (pending ? 1 : 0);
    },
    push(chunk) {
      const out: Unit[] = [];
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl === -1) {
          gather.add(chunk.subarray(start));
          pending = gather.total > 0;
          return out;
        }
        gather.add(chunk.subarray(start, nl));
        out.push({ at: line++, ...stripCr(gather.take()) });
        pending = false;
        start = nl + 1;
      }
    },
    end() {
      if (!pending) return [];
      pending = false;
      return [{ at: line++, ...stripCr(gather.take()) }];
    },
  };
}

/**
 * CSV (RFC 4180): one unit per record. A newline inside a quoted field does not end the
 * record; quote parity is enough to know, because an escaped quote ("") toggles twice.
 */
export function csvSplitter(maxLineBytes: number): Splitter {
  const gather = new Gather(maxLineBytes);
  let line = 1; // physical line of the next byte
  let recordStart = 1;
  let inQuotes = false;
  let pending = false;
  return {
    get lines() {
      return line - 1 + (pending ? 1 : 0);
    },
    push(chunk) {
      const out: Unit[] = [];
      let start = 0;
      // Jump between quotes and newlines with indexOf (native) instead of visiting every byte.
      let quote = chunk.indexOf(0x22);
      let nl = chunk.indexOf(0x0a);
      while (quote !== -1 || nl !== -1) {
        if (quote !== -1 && (nl === -1 || quote < nl)) {
          inQuotes = !inQuotes;
          quote = chunk.indexOf(0x22, quote + 1);
          continue;
        }
        line++;
        if (!inQuotes) {
          gather.add(chunk.subarray(start, nl));
          out.push({ at: recordStart, ...stripCr(gather.take()) });
          recordStart = line;
          start = nl + 1;
        }
        nl = chunk.indexOf(0x0a, nl + 1);
      }
      gather.add(chunk.subarray(start));
      pending = gather.total > 0;
      return out;
    },
    end() {
      if (!pending) return [];
      pending = false;
      // An open quote at the end is reported by parseCsvRecord (unterminated field).
      return [{ at: recordStart, ...stripCr(gather.take()) }];
    },
  };
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * A JSON array file (`[ {...}, {...} ]`): one unit per top-level element, found by tracking
 * string/escape state and bracket depth, so the file is never parsed whole.
 */
export function jsonArraySplitter(maxLineBytes: number): Splitter {
  const gather = new Gather(maxLineBytes);
  let line = 1;
  let phase: 'before' | 'in' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let collecting = false;
  let elementLine = 1;
  let trailingReported = false;
  let lastByte = 0x0a;
  return {
    get lines() {
      return line - 1 + (lastByte === 0x0a ? 0 : 1);
    },
    push(chunk) {
      const out: Unit[] = [];
      let segStart = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === 0x0a) line++;
        if (phase === 'before') {
          if (b === 0x5b) phase = 'in';
          else if (!isSpace(b) && !(b === 0xef || b === 0xbb || b === 0xbf)) {
            phase = 'after'; // not an array after all: report once, below
            out.push({ at: line, bytes: EMPTY, totalBytes: 0, error: 'file does not start with a JSON array' });
            trailingReported = true;
          }
          continue;
        }
        if (phase === 'after') {
          if (!isSpace(b) && !trailingReported) {
            trailingReported = true;
            out.push({ at: line, bytes: EMPTY, totalBytes: 0, error: 'unexpected data after the closing ] of the array' });
          }
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (b === 0x5c) escaped = true;
          else if (b === 0x22) inString = false;
          continue;
        }
        if (!collecting) {
          if (isSpace(b)) continue;
          if (b === 0x5d && depth === 0) {
            phase = 'after'; // `[]`, or `]` after a trailing comma (tolerated)
            continue;
          }
          if (b === 0x2c && depth === 0) {
            out.push({ at: line, bytes: EMPTY, totalBytes: 0, error: 'empty array element (two commas in a row)' });
            continue;
          }
          collecting = true;
          elementLine = line;
          segStart = i;
        }
        if (b === 0x22) inString = true;
        else if (b === 0x5b || b === 0x7b) depth++;
        else if ((b === 0x5d || b === 0x7d) && depth > 0) depth--;
        else if (depth === 0 && (b === 0x2c || b === 0x5d)) {
          gather.add(chunk.subarray(segStart, i));
          out.push({ at: elementLine, ...gather.take() });
          collecting = false;
          if (b === 0x5d) phase = 'after';
        }
      }
      if (collecting) gather.add(chunk.subarray(segStart));
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
      return out;
    },
    end() {
      if (phase === 'before') return [];
      if (phase === 'after') return [];
      phase = 'after';
      const at = collecting ? elementLine : line;
      const rest = collecting ? gather.take() : { bytes: EMPTY, totalBytes: 0 };
      collecting = false;
      return [{ at, ...rest, error: 'unexpected end of file inside the JSON array (missing ])' }];
    },
  };
}

// ── CSV records → envelopes (pure) ─────────────────────────────────────────────────────

export type CsvColumn =
  | { kind: 'field'; key: 'id' | 'ts' | 'type' | 'source' | 'user_id' }
  | { kind: 'dim'; name: string }
  | { kind: 'measure'; name: string };

const TOP_FIELDS = new Set(['id', 'ts', 'type', 'source', 'user_id']);
/** The envelope's rule for dim and measure names; also keeps "__proto__" out of plain objects. */
const IDENT = /^[a-z][a-z0-9_.:-]*$/i;
const REQUIRED = ['id', 'ts', 'type'] as const;

/** Splits one CSV record (RFC 4180) into fields; newlines inside quoted fields are kept. */
export function parseCsvRecord(text: string): { ok: true; fields: string[] } | { ok: false; error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return { ok: false, error: `unterminated quoted field (field ${fields.length + 1})` };
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return { ok: true, fields };
      if (text.charCodeAt(i) !== 0x2c) return { ok: false, error: `unexpected text after the closing quote of field ${fields.length}` };
      i++;
    } else {
      const comma = text.indexOf(',', i);
      if (comma === -1) {
        fields.push(text.slice(i));
        return { ok: true, fields };
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
    if (i === text.length) {
      fields.push(''); // "a,b," ends with an empty field
      return { ok: true, fields };
    }
  }
}

/** Reads the header row: id, ts, type, source, user_id, dims.<name>, measures.<name>. */
export function parseCsvHeader(fields: readonly string[]): { ok: true; columns: CsvColumn[] } | { ok: false; error: string } {
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  for (const raw of fields) {
    const name = raw.trim();
    if (seen.has(name)) return { ok: false, error: `column "${name}" appears twice` };
    seen.add(name);
    if (TOP_FIELDS.has(name)) columns.push({ kind: 'field', key: name as 'id' });
    else if (name.startsWith('dims.') && IDENT.test(name.slice(5))) columns.push({ kind: 'dim', name: name.slice(5) });
    else if (name.startsWith('measures.') && IDENT.test(name.slice(9))) columns.push({ kind: 'measure', name: name.slice(9) });
    else return { ok: false, error: `unknown column "${name}": expected id, ts, type, source, user_id, dims.<name> or measures.<name>` };
  }
  const missing = REQUIRED.filter((r) => !seen.has(r));
  if (missing.length > 0) return { ok: false, error: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` };
  return { ok: true, columns };
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * One CSV row → an envelope-shaped object for validateEnvelope. Empty cells are omitted; an
 * all-digit ts is epoch ms; measures become numbers, and a non-number is left as text so the
 * schema refuses it with a message naming the measure.
 */
export function csvRowToEnvelope(fields: readonly string[], columns: readonly CsvColumn[]): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (fields.length !== columns.length) return { ok: false, error: `expected ${columns.length} fields as in the header, found ${fields.length}` };
  const event: Record<string, unknown> = {};
  const dims: Record<string, string> = {};
  const measures: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const cell = fields[i]!;
    if (cell === '') continue;
    const col = columns[i]!;
    if (col.kind === 'dim') dims[col.name] = cell;
    else if (col.kind === 'measure') measures[col.name] = NUMBER.test(cell.trim()) ? Number(cell) : cell;
    else if (col.key === 'ts' && /^\d+$/.test(cell)) event.ts = Number(cell);
    else event[col.key] = cell;
  }
  if (Object.keys(dims).length > 0) event.dims = dims;
  if (Object.keys(measures).length > 0) event.measures = measures;
  return { ok: true, value: event };
}

// ── units → decoded items ──────────────────────────────────────────────────────────────

const lenientUtf8 = new TextDecoder('utf-8');

function framingError(unit: Unit, error: string): Decoded {
  return { ok: false, at: unit.at, reason: 'not_json', error, payload: lenientUtf8.decode(unit.bytes) };
}

type UnitDecoder = (unit: Unit) => Decoded | undefined;

function jsonDecoder(limits: DecodeLimits): UnitDecoder {
  return (unit) => (unit.error ? framingError(unit, unit.error) : decodeLineBytes(unit.bytes, unit.at, limits, unit.totalBytes));
}

/** The first record is the header; a bad header stops the replay (every row would fail). */
function csvDecoder(path: string, limits: DecodeLimits): UnitDecoder {
  let columns: CsvColumn[] | undefined;
  return (unit) => {
    // Size and UTF-8 are checked exactly as for a JSON line; only then the CSV syntax.
    const decoded = decodeText(unit.bytes, unit.at, limits, unit.totalBytes);
    if (!decoded.ok) return decoded;
    const text = decoded.text;
    if (text.trim() === '') return undefined;
    const record = parseCsvRecord(text);
    if (!columns) {
      const header = record.ok ? parseCsvHeader(record.fields) : record;
      if (!header.ok) throw new OpsightError('opsight_ingest_invalid', `${path}:${unit.at}: CSV header: ${header.error}`);
      columns = header.columns;
      return undefined;
    }
    // EventSink has no CSV-specific reason; a malformed record is "not decodable", like bad JSON.
    if (!record.ok) return { ok: false, at: unit.at, reason: 'not_json', error: `CSV: ${record.error}`, payload: text };
    const row = csvRowToEnvelope(record.fields, columns);
    if (!row.ok) return { ok: false, at: unit.at, reason: 'not_json', error: `CSV: ${row.error}`, payload: text };
    return { ok: true, at: unit.at, value: row.value };
  };
}

// ── the replay ─────────────────────────────────────────────────────────────────────────

export interface ReplayProgress {
  bytesRead: number;
  totalBytes: number;
  lines: number;
  accepted: number;
  rejected: number;
}

export interface ReplayOptions {
  /** Events per push. @default 10000 */
  batchSize?: number;
  /** Forces a format; otherwise by extension, then by sniffing the first bytes. */
  format?: FileFormat;
  /** Metrics label and default `source` of events. @default "file" */
  source?: string;
  /** Largest single line/record/element in bytes. @default 1 MiB */
  maxLineBytes?: number;
  /** Line errors kept in the result; the rest are counted in errorsOmitted. @default 1000 */
  maxErrors?: number;
  /** Called after every batch and once at the end. */
  onProgress?(p: ReplayProgress): void;
}

export interface ReplayResult extends ReplayProgress {
  format: FileFormat;
  errors: LineError[];
  errorsOmitted: number;
}

/** Pure: extension first (.csv, .ndjson, .jsonl; .json may be NDJSON or an array), else content. */
export function detectFormat(path: string, head: Uint8Array): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isSpace(head[i]!)) i++;
  if (head[i] === 0x5b) return 'json';
  if (head[i] === 0x7b || ext === '.json') return 'ndjson';
  return 'csv';
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function replayFile(path: string, sink: EventSink, options: ReplayOptions = {}): Promise<ReplayResult> {
  const batchSize = options.batchSize ?? 10_000;
  const source = options.source ?? 'file';
  const maxErrors = options.maxErrors ?? INGEST_LIMITS.maxErrorsReported;
  const limits: DecodeLimits = { ...INGEST_LIMITS, maxLineBytes: options.maxLineBytes ?? INGEST_LIMITS.maxLineBytes };
  let totalBytes: number;
  let format: FileFormat;
  try {
    totalBytes = (await stat(path)).size;
    format = options.format ?? detectFormat(path, await readHead(path, 4096));
  } catch (err) {
    throw new OpsightError('opsight_ingest_invalid', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const splitter = format === 'csv' ? csvSplitter(limits.maxLineBytes) : format === 'json' ? jsonArraySplitter(limits.maxLineBytes) : lineSplitter(limits.maxLineBytes);
  const decode = format === 'csv' ? csvDecoder(path, limits) : jsonDecoder(limits);

  const progress: ReplayProgress = { bytesRead: 0, totalBytes, lines: 0, accepted: 0, rejected: 0 };
  const errors: LineError[] = [];
  let errorsOmitted = 0;
  let batch: Decoded[] = [];

  const flush = async () => {
    if (batch.length > 0) {
      const r = await deliver(sink, batch, source, 'line');
      batch = [];
      progress.accepted += r.accepted;
      progress.rejected += r.errors.length;
      const room = Math.max(0, maxErrors - errors.length);
      errors.push(...r.errors.slice(0, room));
      errorsOmitted += Math.max(0, r.errors.length - room);
    }
    progress.lines = splitter.lines;
    options.onProgress?.({ ...progress });
  };
  const take = async (units: Unit[]) => {
    for (const unit of units) {
      const item = decode(unit);
      if (item) batch.push(item);
      if (batch.length >= batchSize) await flush();
    }
  };

  // 1 MiB reads: few syscalls, and memory stays bounded by chunk + batch + one line.
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    progress.bytesRead += (chunk as Buffer).length;
    await take(splitter.push(chunk as Buffer));
  }
  await take(splitter.end());
  await flush();
  return { ...progress, format, errors, errorsOmitted };
}
