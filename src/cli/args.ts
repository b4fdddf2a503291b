import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OpsightError } from '../errors.js';

/** node:util parseArgs with usage errors as OpsightError (exit code 2). */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new OpsightError('opsight_cli_usage', `${(err as Error).message}\n\n${usage}`);
  }
}

/** "30d", "12h", "90m", "2w" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(text.trim());
  if (!m) throw new OpsightError('opsight_cli_usage', `"${text}" is not a duration: use e.g. 90m, 12h, 30d or 2w`);
  const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[m[2]!.toLowerCase() as 'm' | 'min' | 'h' | 'd' | 'w'];
  return Math.round(Number(m[1]) * unit);
}

export function parseInstant(text: string, flag: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new OpsightError('opsight_cli_usage', `${flag}: "${text}" is not a date/time (use ISO-8601, e.g. 2026-11-21T09:00:00Z)`);
  return ms;
}
