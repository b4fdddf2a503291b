/**
 * trendSpec is pure: specs are compared with golden files, and what they draw is read from the
 * SVG the real Vega-Lite + Vega produce (axis labels, line paths), no PNG decoding needed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpsightError } from '../../src/errors.js';
import { trendSpec, type TrendInput } from '../../src/charts/index.js';
import { assertGolden, hourly, svgOf, textsOf } from './support.js';

const wave = (i: number) => Math.round(12_000 + 3_000 * Math.sin(i / 4));

function alertInput(): TrendInput {
  return {
    title: 'Revenue per hour',
    subtitle: 'vs same hours last week',
    unit: 'usd',
    timeZone: 'Europe/Berlin',
    series: [{ name: 'revenue', points: hourly('2026-11-21T00:00:00Z', 12, (i) => (i === 5 ? null : wave(i))) }],
    compare: { name: 'last week', points: hourly('2026-11-21T00:00:00Z', 12, (i) => wave(i + 2) - 500) },
    band: { points: hourly('2026-11-21T00:00:00Z', 12, () => 0).map((p, i) => ({ t: p.t, lower: wave(i) - 2_000, upper: wave(i) + 2_000 })) },
  };
}

/** The `d` of each line path, keyed by series name (Vega writes the series into the aria-label). */
function linePaths(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of svg.matchAll(/<path aria-label="[^"]*series: ([^";]+)"[^>]*aria-roledescription="line mark" d="([^"]*)"/g)) {
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Axis labels that look like a clock time ("09:00"). */
function clockLabels(svg: string): string[] {
  return textsOf(svg).filter((t) => /^\d\d:\d\d$/.test(t));
}

describe('trendSpec', () => {
  test('builds the alert chart (series, dashed comparison, expected band) exactly as the golden file', () => {
    assertGolden('trend-alert', trendSpec(alertInput()));
  });

  test('builds a multi-series chart with a legend exactly as the golden file', () => {
    const spec = trendSpec({
      title: 'Conversion rate by channel',
      unit: 'ratio',
      timeZone: 'UTC',
      series: ['google', 'meta', 'email'].map((name, k) => ({
        name,
        points: hourly('2026-11-20T00:00:00Z', 6, (i) => 0.02 + 0.004 * k + 0.001 * i),
      })),
    });
    assertGolden('trend-multi', spec);
  });

  test('is deterministic: the same input gives the same spec', () => {
    assert.deepEqual(trendSpec(alertInput()), trendSpec(alertInput()));
  });

  test('labels the time axis in the asker’s time zone, whatever zone the process runs in', async () => {
    const input = (timeZone: string): TrendInput => ({
      title: 'Orders',
      unit: 'count',
      timeZone,
      series: [{ name: 'orders', points: hourly('2026-07-01T01:00:00Z', 6, (i) => 100 + i) }],
    });
    const utc = clockLabels(await svgOf(trendSpec(input('UTC'))));
    const tokyo = clockLabels(await svgOf(trendSpec(input('Asia/Tokyo'))));
    const newYork = clockLabels(await svgOf(trendSpec(input('America/New_York'))));
    assert.ok(utc.includes('01:00') && utc.includes('06:00'), `UTC labels: ${utc.join(' ')}`);
    assert.ok(tokyo.includes('10:00') && tokyo.includes('15:00') && !tokyo.includes('01:00'), `Tokyo (UTC+9) labels: ${tokyo.join(' ')}`);
    assert.ok(newYork.includes('21:00') && newYork.includes('02:00') && !newYork.includes('06:00'), `New York (UTC−4 in July) labels: ${newYork.join(' ')}`);
    assert.ok(textsOf(await svgOf(trendSpec(input('Asia/Tokyo')))).includes('Asia/Tokyo'), 'the axis names the zone');
  });

  test('shifts each point by its own offset, so a chart across a DST change stays on the wall clock', () => {
    // Europe/Berlin leaves CET (+1) for CEST (+2) at 2026-03-29T01:00Z.
    const spec = trendSpec({
      title: 'Orders',
      unit: 'count',
      timeZone: 'Europe/Berlin',
      series: [{ name: 'orders', points: [{ t: '2026-03-29T00:30:00Z', value: 1 }, { t: '2026-03-29T01:30:00Z', value: 2 }] }],
    });
    const layer = (spec as { layer: { data: { values: { t: string }[] } }[] }).layer[0]!;
    assert.deepEqual(layer.data.values.map((v) => v.t), ['2026-03-29T01:30:00.000Z', '2026-03-29T03:30:00.000Z']);
  });

  test('breaks the line at a null value instead of joining across the gap', async () => {
    const withGap = linePaths(await svgOf(trendSpec({ ...alertInput(), band: undefined, compare: undefined })));
    const subpaths = (d: string) => d.split('M').length - 1;
    assert.equal(subpaths(withGap.get('revenue')!), 2, 'one null in the middle splits the line in two');
    const noGap = trendSpec({ ...alertInput(), band: undefined, compare: undefined, series: [{ name: 'revenue', points: hourly('2026-11-21T00:00:00Z', 12, wave) }] });
    assert.equal(subpaths(linePaths(await svgOf(noGap)).get('revenue')!), 1);
  });

  test('treats NaN and Infinity as gaps, so the spec stays valid JSON', () => {
    const spec = trendSpec({ ...alertInput(), band: undefined, compare: undefined, series: [{ name: 'r', points: [{ t: '2026-11-21T00:00:00Z', value: Number.NaN }, { t: '2026-11-21T01:00:00Z', value: 3 }] }] });
    const values = (spec as { layer: { data: { values: { value: number | null }[] } }[] }).layer[0]!.data.values;
    assert.deepEqual(values.map((v) => v.value), [null, 3]);
  });

  test('draws the comparison dashed and every series solid', async () => {
    const svg = await svgOf(trendSpec({ ...alertInput(), band: undefined }));
    const dashes = [...svg.matchAll(/aria-label="[^"]*series: ([^";]+)"[^>]*aria-roledescription="line mark"[^>]*stroke-dasharray="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(dashes, [['revenue', '1,0'], ['last week', '6,4']]);
  });

  test('says "No data" for no series, empty series or only nulls, instead of throwing', async () => {
    for (const series of [[], [{ name: 'orders', points: [] }], [{ name: 'orders', points: hourly('2026-11-21T00:00:00Z', 3, () => null) }]]) {
      const spec = trendSpec({ title: 'Orders', unit: 'count', timeZone: 'UTC', series });
      assert.ok(textsOf(await svgOf(spec)).includes('No data'), `series ${JSON.stringify(series)}`);
    }
    assertGolden('trend-empty', trendSpec({ title: 'Orders', unit: 'count', timeZone: 'UTC', series: [] }));
  });

  test('refuses an unknown time zone, a bad timestamp and two series with one name, saying which', () => {
    const refuses = (input: TrendInput, message: RegExp) =>
      assert.throws(() => trendSpec(input), (err: unknown) => err instanceof OpsightError && err.code === 'opsight_chart_failed' && message.test(err.message));
    refuses({ ...alertInput(), timeZone: 'Mars/Olympus' }, /"Mars\/Olympus" is not an IANA time zone/);
    refuses({ ...alertInput(), series: [{ name: 'r', points: [{ t: 'yesterday', value: 1 }] }] }, /series "r" point 0: "yesterday" is not an ISO timestamp/);
    refuses({ ...alertInput(), compare: { name: 'revenue', points: [] } }, /two series are named "revenue"/);
  });
});
