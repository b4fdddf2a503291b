export { createPlanner, withSeenValues, type SeenValues, type Planner, type QuestionPlanner, type PlanContext, type PlanOutcome, type PreviousAnswer, type SqlOutcome } from './planner.js';
export { runAsk, type AskResult, type AskOptions } from './ask.js';
export { answerText, formatValue, type AnswerContext } from './answer.js';
export { buildLexicon, normalize, tokenize, stem, editDistance, correctTypo, type Lexicon, type Sense, type Token } from './lexicon.js';
export {
  today,
  yesterday,
  thisWeek,
  lastWeek,
  thisMonth,
  lastMonth,
  thisYear,
  rolling,
  sinceWeekday,
  onDate,
  wallToUtc,
  compareWindow,
  defaultGrain,
  isoUtc,
  type TimeRange,
  type RangeKind,
} from './time.js';
export { answerChart } from './chart.js';
export { askAudited, recordQuestion, type Asker } from './audited.js';
export { createQuestionPlanner, type PlannerConfig, type RefreshablePlanner } from './build.js';
export { loadSeenValues } from './seen-values.js';
