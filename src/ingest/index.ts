export { validateEnvelope, envelopeSchema, ENVELOPE_LIMITS, ROLLED_UP_TYPES, type Envelope, type EnvelopeInput, type RejectReason, type ValidationResult } from './envelope.js';
export { IngestPipeline, type PipelineOptions } from './pipeline.js';
export type { EventSink, PushResult, Source, UndecodedInput } from './source.js';
