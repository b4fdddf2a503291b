export { trendSpec, type TrendInput, type TrendSeries, type TrendPoint, type TrendBandPoint } from './trend.js';
export { breakdownSpec, type BreakdownInput, type BreakdownBar } from './breakdown.js';
export { renderPng, type RenderOptions } from './render.js';
export { CHART_UNITS, type ChartUnit } from './format.js';
export type { ChartSpec } from './theme.js';
