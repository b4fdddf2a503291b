import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../ops/index.js';

/**
 * Bolt, its receivers and the Web API client log through @slack/logger's interface; this
 * routes them into our pino logger so every line is structured and carries `module`.
 * Bolt logs a few chatty lines at info (socket state changes), so its level follows ours
 * but never goes below warn unless we are debugging.
 */
export function boltLogger(log: Logger, name = 'slack.bolt'): SlackLogger {
  let child = log.child({ module: name });
  let level: LogLevel = log.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.WARN;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : safeJson(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => {
      if (level === LogLevel.DEBUG) child.debug(text(msg));
    },
    info: (...msg: unknown[]) => {
      if (level === LogLevel.DEBUG || level === LogLevel.INFO) child.info(text(msg));
    },
    warn: (...msg: unknown[]) => {
      if (level !== LogLevel.ERROR) child.warn(text(msg));
    },
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      child = log.child({ module: n });
    },
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
