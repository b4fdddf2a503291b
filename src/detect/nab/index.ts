export {
  NAB_PROFILES,
  NO_DETECTION_THRESHOLD,
  optimizeThreshold,
  probationLength,
  scaledSigmoid,
  scoreCorpus,
  scoreFile,
  scoreOptimized,
  type NabCorpusScore,
  type NabCounts,
  type NabFile,
  type NabFileScore,
  type NabProfile,
} from './scorer.js';
export {
  listNabFiles,
  parseNabData,
  parseNabScores,
  parseNabTimestamp,
  parseNabWindows,
  readNabData,
  readNabWindows,
  readPooledScores,
  windowPositions,
  type NabRow,
  type NabWindowLabels,
} from './files.js';
export { loadNabCorpus, withScores, type NabSeries } from './corpus.js';
