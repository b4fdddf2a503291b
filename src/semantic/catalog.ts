import { join } from 'node:path';
import { z } from 'zod';
import { configError, fieldName, readYamlFile, type ConfigProblem, type LocatedYaml } from '../config/index.js';
import {
  ROLLED_UP_TYPES,
  ROLLUP_DIMS,
  ROLLUP_QUANTILE_FIELDS,
  ROLLUP_QUANTILE_LEVELS,
  ROLLUP_SUM_FIELDS,
  ROLLUP_UNIQ_TYPES,
  type RollupDim,
} from '../store/index.js';
import { formulaMeasures, parseFormula, type Formula } from './formula.js';

/**
 * rules/metrics.yaml: dimensions (with the names people use for their values), measures
 * (base aggregates over rollup columns) and metrics (formulas over measures). Everything
 * that reads a metric goes through this catalog; nothing else knows rollup column names.
 */

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'expected a lower_snake_case id' });
const literal = z.string().regex(/^[A-Za-z0-9_.:-]+$/, { message: 'expected a plain value (letters, digits, _ . : -)' });

const dimensionSchema = z.strictObject({
  label: z.string().min(1),
  synonyms: z.array(z.string().min(1)).default([]),
  values: z.array(z.string().min(1)).default([]),
  /** What people call a value → the value: { UK: GB, "black friday": black-friday-2026 }. */
  aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
});

const measureSchema = z.discriminatedUnion('agg', [
  z.strictObject({ agg: z.literal('count'), event: z.enum(ROLLED_UP_TYPES), where: z.partialRecord(z.enum(ROLLUP_DIMS), z.array(literal).min(1)).optional() }),
  z.strictObject({ agg: z.literal('sum'), event: z.enum(ROLLED_UP_TYPES), field: z.enum(ROLLUP_SUM_FIELDS), where: z.partialRecord(z.enum(ROLLUP_DIMS), z.array(literal).min(1)).optional() }),
  z.strictObject({
    agg: z.literal('quantile'),
    event: z.enum(ROLLED_UP_TYPES),
    field: z.enum(ROLLUP_QUANTILE_FIELDS),
    level: z.union(ROLLUP_QUANTILE_LEVELS.map((l) => z.literal(l)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>]),
    where: z.partialRecord(z.enum(ROLLUP_DIMS), z.array(literal).min(1)).optional(),
  }),
  z.strictObject({ agg: z.literal('uniq'), event: z.enum(ROLLUP_UNIQ_TYPES, { message: `distinct users are rolled up only for: ${ROLLUP_UNIQ_TYPES.join(', ')}` }), where: z.partialRecord(z.enum(ROLLUP_DIMS), z.array(literal).min(1)).optional() }),
]);

export const UNITS = ['usd', 'count', 'ratio', 'multiple', 'ms'] as const;
export type Unit = (typeof UNITS)[number];
export const DIRECTIONS = ['up_is_good', 'up_is_bad', 'neutral'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const metricSchema = z.strictObject({
  label: z.string().min(1),
  unit: z.enum(UNITS),
  direction: z.enum(DIRECTIONS),
  synonyms: z.array(z.string().min(1)).default([]),
  definition: z.string().min(1),
  formula: z.string().min(1),
  dimensions: z.array(id).default([]),
});

const fileSchema = z.strictObject({
  dimensions: z.record(id, dimensionSchema),
  measures: z.record(id, measureSchema),
  metrics: z.record(id, metricSchema),
});

export type Measure = z.output<typeof measureSchema>;
export type Dimension = z.output<typeof dimensionSchema> & { id: RollupDim };
export type Metric = Omit<z.output<typeof metricSchema>, 'formula' | 'dimensions'> & {
  id: string;
  formula: Formula;
  formulaText: string;
  dimensions: RollupDim[];
  /** Event types whose rollup rows this metric reads. */
  events: string[];
};

export interface Catalog {
  readonly dimensions: Readonly<Record<string, Dimension>>;
  readonly measures: Readonly<Record<string, Measure>>;
  readonly metrics: Readonly<Record<string, Metric>>;
}

/** Cross-field checks the schema cannot express; each problem located in the file. */
function buildCatalog(doc: LocatedYaml<z.output<typeof fileSchema>>): { catalog?: Catalog; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const at = (path: (string | number)[], message: string) =>
    problems.push({ file: doc.file, line: doc.lineOf(path), field: fieldName(path), message });
  const raw = doc.value;

  const dimensions: Record<string, Dimension> = {};
  for (const [dimId, d] of Object.entries(raw.dimensions)) {
    if (!(ROLLUP_DIMS as readonly string[]).includes(dimId)) {
      at(['dimensions', dimId], `unknown dimension; the rollups have columns for: ${ROLLUP_DIMS.join(', ')}`);
      continue;
    }
    for (const [alias, value] of Object.entries(d.aliases)) {
      if (d.values.length > 0 && !d.values.includes(value)) at(['dimensions', dimId, 'aliases', alias], `alias points to "${value}", which is not in values`);
    }
    dimensions[dimId] = { ...d, id: dimId as RollupDim };
  }

  const metrics: Record<string, Metric> = {};
  for (const [metricId, m] of Object.entries(raw.metrics)) {
    let formula: Formula;
    try {
      formula = parseFormula(m.formula);
    } catch (err) {
      at(['metrics', metricId, 'formula'], (err as Error).message);
      continue;
    }
    const events = new Set<string>();
    for (const measureId of formulaMeasures(formula)) {
      const measure = raw.measures[measureId];
      if (!measure) at(['metrics', metricId, 'formula'], `unknown measure "${measureId}"; known: ${Object.keys(raw.measures).join(', ')}`);
      else events.add(measure.event);
    }
    m.dimensions.forEach((dimId, i) => {
      if (!dimensions[dimId]) at(['metrics', metricId, 'dimensions', i], `unknown dimension "${dimId}"; define it under dimensions:`);
    });
    metrics[metricId] = {
      ...m,
      id: metricId,
      formula,
      formulaText: m.formula,
      dimensions: m.dimensions as RollupDim[],
      events: [...events].sort(),
    };
  }
  if (problems.length > 0) return { problems };
  return { catalog: Object.freeze({ dimensions, measures: raw.measures, metrics }), problems };
}

/** Loads and checks rules/metrics.yaml; throws one error listing every problem with file:line. */
export function loadCatalog(rulesDir: string): Catalog {
  const file = join(rulesDir, 'metrics.yaml');
  const read = readYamlFile(file, fileSchema);
  if (!read.ok) throw configError(read.problems);
  const built = buildCatalog(read.result);
  if (!built.catalog) throw configError(built.problems);
  return built.catalog;
}

/** Same as loadCatalog but returns problems instead of throwing (for `opsight check`). */
export function checkCatalog(rulesDir: string): ConfigProblem[] {
  const read = readYamlFile(join(rulesDir, 'metrics.yaml'), fileSchema);
  if (!read.ok) return read.problems;
  return buildCatalog(read.result).problems;
}
