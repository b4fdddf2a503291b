export { validateEnvelope, envelopeSchema, ENVELOPE_LIMITS, ROLLED_UP_TYPES, type Envelope, type EnvelopeInput, type RejectReason, type ValidationResult } from './envelope.js';
export { IngestPipeline, type PipelineOptions } from './pipeline.js';
export type { EventSink, PushResult, Source, UndecodedInput } from './source.js';
export { eventsRoute, checkBearer, type EventsRouteOptions } from './sources/http.js';
export { replayFile, type ReplayOptions, type ReplayProgress, type ReplayResult } from './sources/file.js';
export { createProgressWriter, type ProgressWriter } from './sources/progress.js';
export {
  DemoSource,
  demoIncidents,
  estimateEventsPerMinute,
  generateBatches,
  pushDemoHistory,
  scaleForEventsPerSecond,
  type DemoHistoryProgress,
  type Incident,
} from './sources/demo/index.js';
