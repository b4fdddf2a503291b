export { Store, EVENT_COLUMNS, type EventRow, type DeadLetterRow, type QueryParams } from './store.js';
export { connect, type Connected } from './connect.js';
export { storeError } from './errors.js';
export { resolvePseudonymKey, createPseudonymiser } from './pseudonym.js';
export {
  ROLLUP_DIMS,
  ROLLUP_SUM_FIELDS,
  ROLLUP_QUANTILE_FIELDS,
  ROLLUP_QUANTILE_LEVELS,
  ROLLUPS,
  ROLLUP_FAMILIES,
  ROLLUP_UNIQ_TYPES,
  rollupTable,
  type RollupFamily,
  ROLLED_UP_TYPES,
  type RollupDim,
  type RollupLevel,
  type RollupTable,
  type RolledUpType,
} from './schema.js';
export { insertQuestionAudit, type QuestionAudit } from './audit.js';
export { readState, writeState, deleteState, insertActionRequest, type StateRow, type ActionRequestRow } from './alert-state.js';
