/** breakdownSpec is pure: golden specs, plus the labels the real Vega draws from them. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpsightError } from '../../src/errors.js';
import { breakdownSpec, type BreakdownInput, type ChartUnit } from '../../src/charts/index.js';
import { assertGolden, svgOf, textsOf } from './support.js';

const byChannel: BreakdownInput = {
  title: 'Revenue yesterday by channel',
  unit: 'usd',
  compareLabel: 'day before',
  bars: [
    { label: 'google', value: 1_250_000, compare: 1_100_000 },
    { label: 'meta', value: 830_000, compare: 900_000 },
    { label: 'email', value: 120_500 },
    { label: 'organic', value: 9_800, compare: 12_000 },
  ],
};

describe('breakdownSpec', () => {
  test('builds bars with comparison ticks exactly as the golden file', () => {
    assertGolden('breakdown-compare', breakdownSpec(byChannel));
  });

  test('keeps the bars in the order given, not alphabetical', async () => {
    const texts = textsOf(await svgOf(breakdownSpec(byChannel)));
    const order = texts.filter((t) => ['google', 'meta', 'email', 'organic'].includes(t));
    assert.deepEqual(order, ['google', 'meta', 'email', 'organic']);
  });

  test('draws a comparison tick only for bars that have a comparison, and names it in the subtitle', async () => {
    const svg = await svgOf(breakdownSpec(byChannel));
    const ticks = svg.match(/aria-roledescription="tick"/g) ?? [];
    assert.equal(ticks.length, 3);
    assert.ok(textsOf(svg).includes('ticks: day before'));
    const plain = await svgOf(breakdownSpec({ ...byChannel, bars: byChannel.bars.map(({ label, value }) => ({ label, value })) }));
    assert.equal((plain.match(/aria-roledescription="tick"/g) ?? []).length, 0);
  });

  test('formats value labels by unit: $ with k/M, percent, k/M counts, ms, ×', async () => {
    const labels = async (unit: ChartUnit, values: number[]) =>
      textsOf(await svgOf(breakdownSpec({ title: 't', unit, bars: values.map((value, i) => ({ label: `s${i}`, value })) })));
    const has = (texts: string[], expected: string[]) => {
      for (const e of expected) assert.ok(texts.includes(e), `expected "${e}" among ${JSON.stringify(texts)}`);
    };
    has(await labels('usd', [1_250_000, 45_300, 980, -1_500]), ['$1.25M', '$45.3k', '$980', '−$1.5k']);
    has(await labels('ratio', [0.025, 0.5]), ['2.5%', '50%']);
    has(await labels('count', [12_345, 2_000_000, 7]), ['12.3k', '2M', '7']);
    has(await labels('ms', [1_250, 85.25]), ['1,250 ms', '85.3 ms']);
    has(await labels('multiple', [3.2, 12]), ['3.2×', '12×']);
  });

  test('says "No data" for no bars instead of throwing', async () => {
    const spec = breakdownSpec({ title: 'Revenue by carrier', unit: 'usd', bars: [] });
    assert.ok(textsOf(await svgOf(spec)).includes('No data'));
  });

  test('refuses repeated labels and non-finite values, naming the bar', () => {
    const refuses = (bars: BreakdownInput['bars'], message: RegExp) =>
      assert.throws(
        () => breakdownSpec({ title: 't', unit: 'count', bars }),
        (err: unknown) => err instanceof OpsightError && err.code === 'opsight_chart_failed' && message.test(err.message),
      );
    refuses([{ label: 'EU', value: 1 }, { label: 'EU', value: 2 }], /bar 1 repeats the label "EU"/);
    refuses([{ label: 'EU', value: Number.NaN }], /bar "EU" has a value that is not a finite number/);
    refuses([{ label: 'EU', value: 1, compare: Infinity }], /bar "EU"/);
  });
});
