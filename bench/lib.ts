import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/ops/index.js';
import { Store, connect } from '../src/store/index.js';

/** Benchmarks run on a fresh embedded store in a temp dir, removed at the end. */
export async function withBenchStore<T>(fn: (store: Store, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(process.env.OPSIGHT_BENCH_DIR ?? tmpdir(), 'opsight-bench-'));
  const store = new Store(connect({ kind: 'embedded', dataDir: dir }), silentLogger());
  try {
    await store.migrate();
    return await fn(store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function numberArg(name: string, fallback: number): number {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { [name]: { type: 'string' } }, strict: false });
  const raw = values[name];
  if (raw === undefined || typeof raw !== 'string') return fallback;
  const n = Number(raw.replace(/_/g, '').replace(/[kK]$/, 'e3').replace(/[mM]$/, 'e6'));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${raw}"`);
  return n;
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Progress on stderr, figures on stdout. */
export const note = (text: string) => process.stderr.write(`${text}\n`);
