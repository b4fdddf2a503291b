import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec, TrendPoint } from '../../src/charts/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/charts/', import.meta.url));

/**
 * Compares `value` with test/fixtures/charts/<name>.json. `UPDATE_GOLDEN=1` rewrites the file
 * instead (then review the diff: it is the spec change a reviewer sees).
 */
export function assertGolden(name: string, value: unknown): void {
  const file = join(FIXTURES, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing; run the test once with UPDATE_GOLDEN=1 and review it`);
  assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(file, 'utf8')), `spec differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`);
}

/**
 * The SVG the real Vega-Lite and Vega draw for a spec: lets tests read axis labels and paths
 * (what a person sees) without decoding glyphs from the PNG.
 */
export async function svgOf(spec: ChartSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Text content of every <text> element, in document order (entities decoded). */
export function textsOf(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** Hourly points from `startIso`, value from `f(i)`. */
export function hourly(startIso: string, count: number, f: (i: number) => number | null): TrendPoint[] {
  const start = Date.parse(startIso);
  return Array.from({ length: count }, (_, i) => ({ t: new Date(start + i * 3_600_000).toISOString(), value: f(i) }));
}
