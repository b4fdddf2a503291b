export { peekOf, runSeries, type Detector, type Expected, type Point, type StepResult } from './types.js';
export { staticThreshold, type StaticThresholdConfig, type StaticThresholdState } from './static-threshold.js';
export { robustZ, type RobustZConfig, type RobustZState } from './robust-z.js';
export { rateOfChange, type RateOfChangeConfig, type RateOfChangeState } from './rate-of-change.js';
export { DAY_MS, WEEK_MS, seasonal, type SeasonalConfig, type SeasonalState } from './seasonal.js';
export { combined, type CombinedConfig, type CombinedState } from './combined.js';
export { contextNovelty, type ContextConfig, type ContextState } from './context.js';
export { zAlertFor } from './math.js';
