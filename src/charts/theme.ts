import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite spec as the builders return it and renderPng takes it. */
export type ChartSpec = TopLevelSpec;

/**
 * The family every text in a chart uses. resvg draws text only with fonts it has loaded, so
 * this must name a font render.ts loads (DejaVu ships with Debian; see render.ts).
 */
export const FONT_FAMILY = 'DejaVu Sans';

/** Pixel size of a chart before `scale`; fits a Slack message preview without cropping. */
export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 400;

/** Vega's tableau10 order, fixed here so a series keeps its colour whatever Vega's default becomes. */
export const SERIES_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#bab0ac', '#ff9da6'] as const;
export const COMPARE_COLOR = '#8c8c8c';
export const BAND_COLOR = '#4c78a8';
const MUTED_TEXT = '#6b6b6b';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Top-level properties every opsight chart shares: size, white background, font, title. */
export function frame(title: string, subtitle: string | undefined) {
  return {
    $schema: SCHEMA,
    width: DEFAULT_WIDTH,
    height: DEFAULT_HEIGHT,
    // "fit" + "padding": the whole image (axes, legend, title) is exactly width × height.
    autosize: { type: 'fit' as const, contains: 'padding' as const },
    // Opaque white: a transparent PNG shows black axis text on black in Slack's dark theme.
    background: '#ffffff',
    padding: 12,
    title: subtitle === undefined ? { text: title, anchor: 'start' as const } : { text: title, subtitle, anchor: 'start' as const },
    config: {
      font: FONT_FAMILY,
      title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: MUTED_TEXT, offset: 12 },
      axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' as const, labelColor: '#333333', gridColor: '#e6e6e6' },
      legend: { labelFontSize: 11, symbolStrokeWidth: 2 },
      view: { stroke: null },
    },
  };
}

/** What a chart with nothing to draw shows: its title and "No data", never an error. */
export function noDataSpec(title: string, subtitle: string | undefined): ChartSpec {
  return {
    ...frame(title, subtitle),
    data: { values: [{ message: 'No data' }] },
    mark: { type: 'text', fontSize: 18, color: MUTED_TEXT, x: { expr: 'width / 2' }, y: { expr: 'height / 2' } },
    encoding: { text: { field: 'message', type: 'nominal' } },
  };
}
