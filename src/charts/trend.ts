import { OpsightError } from '../errors.js';
import { formatExpr, type ChartUnit } from './format.js';
import { BAND_COLOR, COMPARE_COLOR, SERIES_COLORS, frame, noDataSpec, type ChartSpec } from './theme.js';
import { assertTimeZone, parseInstant, wallClockIso } from './time.js';

export interface TrendPoint {
  /** ISO instant in UTC, e.g. `2026-11-21T09:00:00Z`. */
  t: string;
  /** null (or a non-finite number) is a gap: the line breaks there instead of joining across. */
  value: number | null;
}

export interface TrendSeries {
  /** Legend label; unique within one chart. */
  name: string;
  points: readonly TrendPoint[];
}

export interface TrendBandPoint {
  t: string;
  lower: number;
  upper: number;
}

export interface TrendInput {
  title: string;
  /** Optional second title line, e.g. "Europe/Berlin · vs last week". */
  subtitle?: string;
  unit: ChartUnit;
  series: readonly TrendSeries[];
  /** Shaded range, e.g. an anomaly alert's expected band. */
  band?: { points: readonly TrendBandPoint[] };
  /** Baseline drawn dashed and grey, e.g. "same period last week". */
  compare?: TrendSeries;
  /** IANA zone the time axis is labelled in (the asker's zone). */
  timeZone: string;
}

/** Up to this many points per line, each point also gets a dot, so short and one-point series stay visible. */
const DOTS_UP_TO = 31;

/**
 * A line chart per series over time, the comparison dashed, the band shaded. Pure: the same
 * input gives the same spec (data inline, no ids, no clock).
 */
export function trendSpec(input: TrendInput): ChartSpec {
  assertTimeZone(input.timeZone);
  const lines = input.compare ? [...input.series, input.compare] : [...input.series];
  const names = lines.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new OpsightError(
      'opsight_chart_failed',
      `trend chart "${input.title}": two series are named "${duplicate}"; series and comparison names must differ (they label the legend)`,
    );
  }

  const rows: { series: string; t: string; value: number | null }[] = [];
  for (const s of lines) {
    for (const [i, p] of s.points.entries()) {
      const at = parseInstant(p.t, `trend chart "${input.title}" series "${s.name}" point ${i}`);
      const value = p.value !== null && Number.isFinite(p.value) ? p.value : null;
      rows.push({ series: s.name, t: wallClockIso(at, input.timeZone), value });
    }
  }
  if (!rows.some((r) => r.value !== null)) return noDataSpec(input.title, input.subtitle);

  const band = (input.band?.points ?? [])
    .map((p, i) => ({ p, at: parseInstant(p.t, `trend chart "${input.title}" band point ${i}`) }))
    .filter(({ p }) => Number.isFinite(p.lower) && Number.isFinite(p.upper))
    .map(({ p, at }) => ({ t: wallClockIso(at, input.timeZone), lower: p.lower, upper: p.upper }));

  const x = {
    field: 't',
    type: 'temporal' as const,
    // UTC scale over wall-clock times: labels read in input.timeZone (see time.ts).
    scale: { type: 'utc' as const },
    axis: {
      title: input.timeZone,
      // 24-hour clock and short dates; Vega picks the unit from the tick spacing.
      format: { year: '%Y', quarter: '%b %Y', month: '%b', week: '%b %d', date: '%b %d', hours: '%H:%M', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' },
      labelOverlap: true,
      grid: false,
    },
  };
  const yAxis = { title: null, labelExpr: formatExpr(input.unit, 'datum.value'), tickCount: 6 };
  const colors = input.series.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]!);
  const dots = Math.max(...lines.map((s) => s.points.length)) <= DOTS_UP_TO;

  const lineLayer = {
    data: { values: rows },
    mark: { type: 'line' as const, strokeWidth: 2, invalid: 'break-paths-show-domains' as const, ...(dots ? { point: { size: 24 } } : {}) },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative' as const, axis: yAxis, scale: { zero: false } },
      color: {
        field: 'series',
        type: 'nominal' as const,
        scale: { domain: names, range: input.compare ? [...colors, COMPARE_COLOR] : colors },
        // One line needs no legend: the title names it.
        legend: names.length > 1 ? { title: null, orient: 'top' as const } : null,
      },
      ...(input.compare
        ? {
            strokeDash: {
              field: 'series',
              type: 'nominal' as const,
              scale: { domain: names, range: [...input.series.map(() => [1, 0]), [6, 4]] },
              legend: { title: null, orient: 'top' as const },
            },
          }
        : {}),
    },
  };
  const bandLayer = {
    data: { values: band },
    mark: { type: 'area' as const, color: BAND_COLOR, opacity: 0.15 },
    encoding: {
      x,
      y: { field: 'lower', type: 'quantitative' as const, axis: yAxis, scale: { zero: false } },
      y2: { field: 'upper' },
    },
  };
  const subtitle = band.length > 0 ? [input.subtitle, 'shaded: expected range'].filter(Boolean).join(' · ') : input.subtitle;
  return {
    ...frame(input.title, subtitle),
    description: `Times are wall-clock times in ${input.timeZone}, written as UTC and drawn on a UTC scale.`,
    layer: band.length > 0 ? [bandLayer, lineLayer] : [lineLayer],
  };
}
