import { combined, peekOf, type CombinedConfig, rateOfChange, robustZ, seasonal, staticThreshold, type Detector } from '../detectors/index.js';
import type { AlertRule } from '../rules/schema.js';

/** The detector a rule asked for, with its config bound: one shape for the engine to drive. */
export interface BoundDetector {
  readonly kind: string;
  init(): unknown;
  /** Consumes the state it is given (see Detector.step). */
  step: Detector<unknown, unknown>['step'];
  /** Changes nothing: for the minute still filling. */
  peek: NonNullable<Detector<unknown, unknown>['peek']>;
}

function bind<C, S>(detector: Detector<C, S>, config: C): BoundDetector {
  return {
    kind: detector.kind,
    init: () => detector.init(config),
    step: detector.step as Detector<unknown, unknown>['step'],
    peek: peekOf(detector) as BoundDetector['peek'],
  };
}

/**
 * How alert rules run `combined` (NAB runs its defaults):
 * - no quiet period after an alert: the lifecycle dedups and groups, so it would only hide a
 *   second incident;
 * - the learner's novelty opens an alert only while the value is also out of its band
 *   (statistics' score >= 0.35): on its own it fires on ~0.4% of points of pure noise, which on
 *   a minute series is several cards a day;
 * - the statistics may alert on their own (a dip at an unusual hour is no novelty to a learner
 *   that has no clock).
 */
export function alertCombinedConfig(sensitivity: number): CombinedConfig {
  return { sensitivity, cooldownPoints: 0, openLevel: 0.35, holdLevel: 1 };
}

export function detectorFor(rule: Pick<AlertRule, 'detector'>): BoundDetector {
  const { kind, sensitivity } = rule.detector;
  switch (kind) {
    case 'static_threshold':
      return bind(staticThreshold, {
        ...(rule.detector.above !== undefined ? { upper: rule.detector.above } : {}),
        ...(rule.detector.below !== undefined ? { lower: rule.detector.below } : {}),
      });
    case 'robust_z':
      return bind(robustZ, { sensitivity });
    case 'seasonal':
      return bind(seasonal, { sensitivity });
    case 'rate_of_change':
      return bind(rateOfChange, { sensitivity });
    case 'combined':
      return bind(combined, alertCombinedConfig(sensitivity));
  }
}
