export { createLogger, silentLogger, type Logger } from './log.js';
export { createMetrics, type Metrics } from './metrics.js';
export { retry, type RetryOptions } from './retry.js';
