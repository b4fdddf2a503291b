export { emptyBook, openGroups, reduce } from './reduce.js';
export { fingerprintOf, groupLabelsOf, seriesIdOf, seriesKeyOf } from './keys.js';
export { inMaintenance } from './maintenance.js';
export { activeSilences, matchLabelsOf, silenceMatches } from './silences.js';
export { bookSchema, parseBook } from './book-schema.js';
export {
  ENTER_SCORE,
  EXIT_SCORE,
  FLAP_FLIPS,
  FLAP_MIN_QUIET_MS,
  FLAP_WINDOW_MS,
  REOPEN_WINDOW_MS,
  RESOLVED_KEEP_MS,
  type AlertBook,
  type AlertGroup,
  type ChangeKind,
  type GroupMember,
  type GroupStatus,
  type Labels,
  type LifecycleContext,
  type LifecycleEffect,
  type LifecycleInput,
  type LifecycleRule,
  type Observation,
  type ReduceResult,
  type SeriesPhase,
  type SeriesPoint,
  type SeriesState,
  type Silence,
} from './types.js';
