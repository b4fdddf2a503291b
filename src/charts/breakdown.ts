import { OpsightError } from '../errors.js';
import { formatExpr, type ChartUnit } from './format.js';
import { SERIES_COLORS, frame, noDataSpec, type ChartSpec } from './theme.js';

export interface BreakdownBar {
  /** Segment name shown on the axis, e.g. "google" or "EU"; unique within one chart. */
  label: string;
  value: number;
  /** Baseline value for this segment (previous period…), drawn as a dark tick across the bar. */
  compare?: number;
}

export interface BreakdownInput {
  title: string;
  subtitle?: string;
  unit: ChartUnit;
  /** Drawn top to bottom in this order (the caller has already sorted them). */
  bars: readonly BreakdownBar[];
  /** What the ticks are, e.g. "last week"; named in the subtitle. @default "comparison" */
  compareLabel?: string;
}

const TICK_COLOR = '#222222';

/**
 * Room past the longest bar (either side of zero) for its value label, which is drawn outside
 * the bar; without it the label of the longest bar runs off the image.
 */
function headroom(bars: readonly BreakdownBar[]): { zero: true; nice: true; domainMax?: number; domainMin?: number } {
  const all = bars.flatMap((b) => (b.compare === undefined ? [b.value] : [b.value, b.compare]));
  const max = Math.max(0, ...all);
  const min = Math.min(0, ...all);
  const span = max - min;
  return {
    zero: true,
    nice: true,
    ...(max > 0 ? { domainMax: max + span * 0.12 } : {}),
    ...(min < 0 ? { domainMin: min - span * 0.12 } : {}),
  };
}

/** Horizontal bars in the given order, value labels at the bar ends, optional comparison ticks. Pure. */
export function breakdownSpec(input: BreakdownInput): ChartSpec {
  const where = `breakdown chart "${input.title}"`;
  const seen = new Set<string>();
  for (const [i, bar] of input.bars.entries()) {
    if (seen.has(bar.label)) {
      throw new OpsightError('opsight_chart_failed', `${where}: bar ${i} repeats the label "${bar.label}"; labels must be unique (bars with one label would be drawn as one)`);
    }
    seen.add(bar.label);
    if (!Number.isFinite(bar.value) || (bar.compare !== undefined && !Number.isFinite(bar.compare))) {
      throw new OpsightError('opsight_chart_failed', `${where}: bar "${bar.label}" has a value that is not a finite number (${bar.value}, compare ${bar.compare})`);
    }
  }
  if (input.bars.length === 0) return noDataSpec(input.title, input.subtitle);

  const hasCompare = input.bars.some((b) => b.compare !== undefined);
  const values = input.bars.map((b) => (b.compare === undefined ? { label: b.label, value: b.value } : { label: b.label, value: b.value, compare: b.compare }));
  const y = {
    field: 'label',
    type: 'nominal' as const,
    // null: keep the input order instead of Vega's alphabetical one.
    sort: null,
    axis: { title: null, labelLimit: 220, labelPadding: 6, ticks: false, domain: false },
    scale: { paddingInner: 0.25 },
  };
  const x = {
    field: 'value',
    type: 'quantitative' as const,
    axis: { title: null, labelExpr: formatExpr(input.unit, 'datum.value'), tickCount: 6 },
    scale: headroom(input.bars),
  };
  const layer = [
    {
      mark: { type: 'bar' as const, color: SERIES_COLORS[0], cornerRadiusEnd: 2 },
      encoding: { y, x },
    },
    {
      transform: [{ calculate: formatExpr(input.unit, 'datum.value'), as: 'value_text' }],
      mark: {
        type: 'text' as const,
        fontSize: 11,
        color: '#333333',
        align: { expr: "datum.value < 0 ? 'right' : 'left'" },
        dx: { expr: 'datum.value < 0 ? -4 : 4' },
      },
      encoding: { y, x, text: { field: 'value_text', type: 'nominal' as const } },
    },
    ...(hasCompare
      ? [
          {
            transform: [{ filter: 'isValid(datum.compare)' }],
            mark: { type: 'tick' as const, color: TICK_COLOR, thickness: 2 },
            encoding: { y, x: { field: 'compare', type: 'quantitative' as const } },
          },
        ]
      : []),
  ];
  const subtitle = hasCompare ? [input.subtitle, `ticks: ${input.compareLabel ?? 'comparison'}`].filter(Boolean).join(' · ') : input.subtitle;
  return { ...frame(input.title, subtitle), data: { values }, layer };
}
