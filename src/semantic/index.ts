export { loadCatalog, checkCatalog, UNITS, DIRECTIONS, type Catalog, type Metric, type Measure, type Dimension, type Unit, type Direction } from './catalog.js';
export { compile, validatePlan, type CompiledQuery, type PlanRow } from './compile.js';
export { planSchema, GRAINS, COMPARES, type Plan, type PlanInput, type Grain, type Compare } from './plan.js';
export { runPlan, latestRollupMinute, type PlanResult } from './run.js';
export { coverWindow, maxRollupLevel, tzOffsetMinutes, type Segment } from './windows.js';
export { componentsQuery, componentsSupported, addParts, partsOfRow, evaluateFormula, type ComponentsQuery, type ComponentsRow, type Parts } from './components.js';
