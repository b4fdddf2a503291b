export {
  DAY_MS,
  WEEK_MS,
  combined,
  rateOfChange,
  robustZ,
  runSeries,
  seasonal,
  staticThreshold,
  zAlertFor,
  type CombinedConfig,
  type CombinedState,
  type Detector,
  type Expected,
  type Point,
  type RateOfChangeConfig,
  type RateOfChangeState,
  type RobustZConfig,
  type RobustZState,
  type SeasonalConfig,
  type SeasonalState,
  type StaticThresholdConfig,
  type StaticThresholdState,
  type StepResult,
} from './detectors/index.js';
export { loadAlertRules, checkAlertRules, fillTemplate, type AlertRules, type LoadedRule, type ActionChecker } from './rules/load.js';
export { alertRuleSchema, parseDurationMs, SEVERITIES, type AlertRule, type Severity, type Maintenance } from './rules/schema.js';
export { createAlertEngine, type AlertEngine, type AlertEngineOptions, type AlertNotifier, type AlertReader, type CycleReport, type HistoryPoint } from './engine/engine.js';
export { drilldown, type Segment, type DrilldownInput } from './drilldown.js';
export { emptyBook, reduce, fingerprintOf, seriesKeyOf, inMaintenance, silenceMatches } from './lifecycle/index.js';
export type { AlertBook, AlertGroup, GroupMember, LifecycleEffect, Observation, Silence, ChangeKind } from './lifecycle/types.js';
