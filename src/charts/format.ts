/**
 * Number formats per metric unit, written as Vega expressions so the same text appears on
 * axis labels (`labelExpr`) and on value labels (`calculate`). The units are the metric
 * catalog's (rules/metrics.yaml `unit:`), repeated here because charts sit below semantic/.
 */

export const CHART_UNITS = ['usd', 'ratio', 'count', 'ms', 'multiple'] as const;
export type ChartUnit = (typeof CHART_UNITS)[number];

/**
 * "1.23M", "45k", "980": three significant digits, k/M/B suffixes. d3's SI format ("~s") is not
 * used because it writes 0.5 as "500m" (milli) and 1e9 as "1G", which read wrong for money.
 */
function compact(v: string): string {
  return (
    `(abs(${v}) >= 1e9 ? format(${v} / 1e9, '.3~r') + 'B' : ` +
    `abs(${v}) >= 1e6 ? format(${v} / 1e6, '.3~r') + 'M' : ` +
    `abs(${v}) >= 1e3 ? format(${v} / 1e3, '.3~r') + 'k' : ` +
    `format(${v}, '.3~r'))`
  );
}

/**
 * A Vega expression that turns the number in `value` (an expression such as `datum.value`)
 * into display text for `unit`: usd "$1.2k", ratio "2.5%", count "12.3k", ms "1,250 ms",
 * multiple "3.2×".
 */
export function formatExpr(unit: ChartUnit, value: string): string {
  switch (unit) {
    case 'usd':
      // U+2212, the minus d3-format writes for the other units.
      return `(${value} < 0 ? '−$' : '$') + ${compact(`abs(${value})`)}`;
    case 'ratio':
      return `format(${value}, '.3~%')`;
    case 'count':
      return compact(value);
    case 'ms':
      // Latencies: whole milliseconds once they are large, a decimal below 100 ms.
      return `(abs(${value}) >= 100 ? format(${value}, ',.0f') : format(${value}, '.3~r')) + ' ms'`;
    case 'multiple':
      return `format(${value}, '.3~r') + '×'`;
  }
}
