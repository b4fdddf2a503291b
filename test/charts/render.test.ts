/**
 * renderPng end to end with the real Vega-Lite, Vega and resvg: PNG header and size, pixels
 * that prove text is drawn with a real font (not missing, not boxes), and errors that name the
 * failing stage.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpsightError } from '../../src/errors.js';
import { breakdownSpec, renderPng, trendSpec, type ChartSpec } from '../../src/charts/index.js';
import { PNG_SIGNATURE, decodePng, inkPixels, pngSize } from './png.js';
import { hourly } from './support.js';

const trend = (title: string, f: (i: number) => number | null = (i) => 100 + 20 * Math.sin(i / 3)): ChartSpec =>
  trendSpec({ title, unit: 'count', timeZone: 'UTC', series: [{ name: 'orders', points: hourly('2026-11-21T00:00:00Z', 24, f) }] });

/** The title sits in the top-left corner (anchor start, 12 px padding, 16 px font). */
const TITLE_BOX = { x: 0, y: 0, width: 400, height: 34 };

async function rejectsWith(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof OpsightError, `expected an OpsightError, got ${String(err)}`);
    assert.equal(err.code, 'opsight_chart_failed');
    assert.match(err.message, message);
    return true;
  });
}

describe('renderPng', () => {
  test('renders an 800×400 PNG by default and honours width, height and scale', async () => {
    const png = await renderPng(trend('Orders per hour'));
    assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
    assert.deepEqual(pngSize(png), { width: 800, height: 400 });
    assert.deepEqual(pngSize(await renderPng(trend('Orders per hour'), { width: 600, height: 300, scale: 2 })), { width: 1200, height: 600 });
  });

  test('draws the title with a real font: ink in the title area, and different letters give different ink', async () => {
    const titled = decodePng(await renderPng(trend('Orders per hour')));
    assert.ok(inkPixels(titled, TITLE_BOX) > 300, `title area ink: ${inkPixels(titled, TITLE_BOX)}`);
    // Missing glyphs would draw as identical boxes (or nothing); real glyphs of "i" and "W" differ a lot.
    const thin = inkPixels(decodePng(await renderPng(trend('iiiiiiii'))), TITLE_BOX);
    const wide = inkPixels(decodePng(await renderPng(trend('WWWWWWWW'))), TITLE_BOX);
    assert.ok(wide > thin * 2, `"WWWWWWWW" ink ${wide} vs "iiiiiiii" ink ${thin}`);
  });

  test('draws different images for different data, and the same image for the same data', async () => {
    const a = await renderPng(trend('Orders'));
    const b = await renderPng(trend('Orders', (i) => 100 + i));
    assert.ok(!a.equals(b));
    assert.ok(a.equals(await renderPng(trend('Orders'))), 'rendering is deterministic');
  });

  test('renders gaps and an empty chart without throwing; the empty chart shows its message mid-image', async () => {
    assert.deepEqual(pngSize(await renderPng(trend('Orders', (i) => (i % 5 === 0 ? null : i)))), { width: 800, height: 400 });
    const empty = decodePng(await renderPng(trendSpec({ title: 'Orders', unit: 'count', timeZone: 'UTC', series: [] })));
    assert.ok(inkPixels(empty, { x: 340, y: 180, width: 120, height: 40 }) > 50, '"No data" in the middle');
    assert.ok(inkPixels(decodePng(await renderPng(breakdownSpec({ title: 'Revenue', unit: 'usd', bars: [] }))), { x: 340, y: 180, width: 120, height: 40 }) > 50);
  });

  test('renders a breakdown chart', async () => {
    const png = await renderPng(breakdownSpec({ title: 'Revenue by region', unit: 'usd', bars: [{ label: 'EU', value: 1200 }, { label: 'NA', value: 900, compare: 1000 }] }));
    const img = decodePng(png);
    assert.equal(img.width, 800);
    assert.ok(inkPixels(img, { x: 100, y: 60, width: 600, height: 300 }) > 10_000, 'bars are drawn');
  });

  test('fails with opsight_chart_failed naming the stage: invalid spec, external data, bad size', async () => {
    await rejectsWith(renderPng({ mark: 'nonsense', data: { values: [] } } as unknown as ChartSpec), /Vega-Lite could not compile the spec/);
    await rejectsWith(
      renderPng({ title: 'Remote', data: { url: 'https://example.com/data.json' }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } }),
      /chart "Remote": .*inline data only.*example\.com/,
    );
    await rejectsWith(renderPng(trend('Orders'), { width: 0 }), /width must be a number from 16 to 4000, got 0/);
    await rejectsWith(renderPng(trend('Orders'), { scale: 10 }), /scale must be a number from 0.25 to 4/);
  });
});
