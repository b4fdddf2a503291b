/**
 * Reading NAB's files: data CSVs (`timestamp,value`), results CSVs (`...,anomaly_score`),
 * the windows JSON and numenta's pooled reference results. I/O lives here; scoring is pure.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { OpsightError } from '../../errors.js';

export interface NabRow {
  readonly timestamp: string; // as written in the file, "YYYY-MM-DD HH:MM:SS"
  readonly t: number; // epoch ms, read as UTC
  readonly value: number | null; // null when the cell is empty or not a number
}

function invalid(message: string): OpsightError {
  return new OpsightError('opsight_config_invalid', message);
}

/** "YYYY-MM-DD HH:MM:SS[.ffffff]" → epoch ms (UTC; NAB timestamps carry no zone). */
export function parseNabTimestamp(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms);
}

/** Window limits and data timestamps are compared on the seconds part only. */
function timestampKey(text: string): string {
  return text.trim().slice(0, 19);
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

/** Parses a NAB data file's text. Rows stay in file order; timestamps may repeat. */
export function parseNabData(file: string, text: string): NabRow[] {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf('value');
  if (ti < 0 || vi < 0) {
    throw invalid(`${file}: expected a header with "timestamp" and "value", got "${lines[0] ?? ''}"`);
  }
  return lines.slice(1).map((line, k) => {
    const cells = line.split(',');
    const timestamp = (cells[ti] ?? '').trim();
    const t = parseNabTimestamp(timestamp);
    if (!Number.isFinite(t)) {
      throw invalid(`${file}:${k + 2}: timestamp "${timestamp}" is not YYYY-MM-DD HH:MM:SS`);
    }
    const cell = (cells[vi] ?? '').trim();
    const value = cell === '' ? null : Number(cell);
    return { timestamp, t, value: value === null || Number.isFinite(value) ? value : null };
  });
}

export function readNabData(file: string): NabRow[] {
  return parseNabData(file, readFileSync(file, 'utf8'));
}

/** Every `<category>/<name>.csv` under a NAB data dir, sorted, as relative paths. */
export function listNabFiles(dataDir: string): string[] {
  let categories: string[];
  try {
    categories = readdirSync(dataDir).filter((c) => statSync(join(dataDir, c)).isDirectory());
  } catch (err) {
    throw new OpsightError('opsight_config_invalid', `NAB data dir ${dataDir} cannot be read: pass --data DIR with <category>/<name>.csv files`, { cause: err });
  }
  return categories
    .sort()
    .flatMap((c) =>
      readdirSync(join(dataDir, c))
        .filter((f) => f.endsWith('.csv'))
        .sort()
        .map((f) => `${c}/${f}`),
    );
}

const windowsSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));
export type NabWindowLabels = z.infer<typeof windowsSchema>;

export function parseNabWindows(file: string, text: string): NabWindowLabels {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new OpsightError('opsight_config_invalid', `${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = windowsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${file}: expected {"<category>/<name>.csv": [[start, end], ...]}; at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

export function readNabWindows(file: string): NabWindowLabels {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new OpsightError('opsight_config_invalid', `labels file ${file} cannot be read: pass --labels FILE (combined_windows.json)`, { cause: err });
  }
  return parseNabWindows(file, text);
}

/**
 * Window limits → inclusive row positions: the first row whose timestamp equals each limit
 * (NAB's `timestamps.index(...)`). A limit that matches no row is an error, not a skip.
 */
export function windowPositions(
  name: string,
  timestamps: readonly string[],
  windows: readonly (readonly [string, string])[],
): [number, number][] {
  const first = new Map<string, number>();
  timestamps.forEach((ts, i) => {
    const k = timestampKey(ts);
    if (!first.has(k)) first.set(k, i);
  });
  return windows.map(([start, end]) => {
    const l = first.get(timestampKey(start));
    const r = first.get(timestampKey(end));
    if (l === undefined || r === undefined) {
      throw invalid(`${name}: window [${start}, ${end}] names a timestamp that is not in the data file`);
    }
    return [l, r];
  });
}

/** Reads the `anomaly_score` column of a results CSV (any other columns are ignored). */
export function parseNabScores(file: string, text: string): number[] {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const si = header.indexOf('anomaly_score');
  if (si < 0) throw invalid(`${file}: expected an "anomaly_score" column, header is "${lines[0] ?? ''}"`);
  return lines.slice(1).map((line, k) => {
    const a = Number(line.split(',')[si]);
    if (!Number.isFinite(a) || a < 0 || a > 1) {
      throw invalid(`${file}:${k + 2}: anomaly_score must be a number in [0, 1], got "${line.split(',')[si] ?? ''}"`);
    }
    return a;
  });
}

/**
 * numenta's pooled reference results (`relative_path,timestamp,anomaly_score`, gzip) grouped
 * by relative path, rows kept in data order.
 */
export function readPooledScores(file: string): Map<string, number[]> {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const lines = splitLines(text);
  const out = new Map<string, number[]>();
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    const c1 = line.indexOf(',');
    const c2 = line.lastIndexOf(',');
    const path = line.slice(0, c1);
    const a = Number(line.slice(c2 + 1));
    if (!Number.isFinite(a)) throw invalid(`${file}:${k + 1}: anomaly_score "${line.slice(c2 + 1)}" is not a number`);
    let list = out.get(path);
    if (!list) out.set(path, (list = []));
    list.push(a);
  }
  return out;
}
