import { combined, rateOfChange, robustZ, seasonal, staticThreshold, type Detector } from '../detectors/index.js';
import type { AlertRule } from '../rules/schema.js';

/** The detector a rule asked for, with its config bound: one shape for the engine to drive. */
export interface BoundDetector {
  readonly kind: string;
  init(): unknown;
  step: Detector<unknown, unknown>['step'];
}

function bind<C, S>(detector: Detector<C, S>, config: C): BoundDetector {
  return {
    kind: detector.kind,
    init: () => detector.init(config),
    step: detector.step as Detector<unknown, unknown>['step'],
  };
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
      // The lifecycle dedups and groups alerts, so the detector's own after-alert damping
      // (which helps NAB's one-detection-per-window scoring) would only hide a second incident.
      return bind(combined, { sensitivity, cooldownPoints: 0 });
  }
}
