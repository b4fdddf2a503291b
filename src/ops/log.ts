import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The root logger. Structured JSON on stdout (or stderr for CLI commands whose stdout
 * is data). Modules take `log.child({ module: 'ingest.http' })`.
 */
export function createLogger(options: { level?: string; destination?: 'stdout' | 'stderr' } = {}): Logger {
  const fd = options.destination === 'stderr' ? 2 : 1;
  return pino({ level: options.level ?? 'info', base: { app: 'opsight' } }, pino.destination({ fd, sync: false }));
}

/** A logger that drops everything; for tests and library use without output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
