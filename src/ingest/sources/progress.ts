/**
 * Progress display for long runs (file replay, demo backfill). `formatProgress` is pure (all
 * times passed in); `createProgressWriter` is the thin shell that decides when to write: on a
 * TTY one `\r`-rewritten line, ~10 times a second; elsewhere (CI logs, pipes) a plain line
 * every 5% or every 5 s, so logs stay readable and short.
 */

export interface ProgressSnapshot {
  /** Work done, in `unit`s (bytes read, events generated). */
  done: number;
  /** Total work in `unit`s; undefined when unknown (no percent or ETA then). */
  total: number | undefined;
  /** Items processed so far (lines, events): the rate is items per second. */
  items: number;
  /** Items refused so far; shown only when > 0. */
  rejected?: number;
}

export interface ProgressFormat {
  /** What `done`/`total` count. @default 'bytes' */
  unit?: 'bytes' | 'items';
  /** What `items` are called in the rate, plural. @default 'lines' */
  itemName?: string;
  /** Text before the bar, e.g. the file name. */
  label?: string;
  /** Bar width in characters; 0 for no bar. @default 24 */
  barWidth?: number;
}

/** 1234 → "1.2k", 5_300_000 → "5.3M": rates and counts at a glance. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Seconds → "42s", "3m07s", "2h05m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Pure: one status line, e.g.
 * `events.ndjson [#########---------------]  37.5%  12.0 MiB/32.0 MiB  84.0k lines/s  ETA 12s  (3 rejected)`.
 */
export function formatProgress(s: ProgressSnapshot, elapsedMs: number, format: ProgressFormat = {}): string {
  const unit = format.unit ?? 'bytes';
  const itemName = format.itemName ?? 'lines';
  const barWidth = format.barWidth ?? 24;
  const parts: string[] = [];
  if (format.label) parts.push(format.label);
  const fraction = s.total && s.total > 0 ? Math.min(1, s.done / s.total) : undefined;
  if (fraction !== undefined) {
    if (barWidth > 0) {
      const filled = Math.round(fraction * barWidth);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`);
    }
    parts.push(`${(fraction * 100).toFixed(1).padStart(5)}%`);
  }
  const show = unit === 'bytes' ? formatSize : formatCount;
  parts.push(s.total !== undefined ? `${show(s.done)}/${show(s.total)}` : show(s.done));
  const seconds = elapsedMs / 1000;
  if (seconds > 0) parts.push(`${formatCount(s.items / seconds)} ${itemName}/s`);
  if (fraction !== undefined && fraction < 1 && seconds > 0 && s.done > 0) {
    parts.push(`ETA ${formatDuration((seconds * (1 - fraction)) / fraction)}`);
  } else if (fraction === 1) {
    parts.push(`in ${formatDuration(seconds)}`);
  }
  if (s.rejected) parts.push(`(${formatCount(s.rejected)} rejected)`);
  return parts.join('  ');
}

/** The bits of a stream the writer needs; process.stderr satisfies it. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressWriterOptions extends ProgressFormat {
  /** Clock in ms; tests pass a fake. @default Date.now */
  now?: () => number;
  /** TTY redraw interval. @default 100 */
  ttyIntervalMs?: number;
  /** Non-TTY: print at least every this many ms… @default 5000 */
  plainIntervalMs?: number;
  /** …or whenever the percent passes another step of this size. @default 5 */
  plainStepPercent?: number;
}

export interface ProgressWriter {
  update(s: ProgressSnapshot): void;
  /** Prints the final state and ends the line. */
  done(s: ProgressSnapshot): void;
}

export function createProgressWriter(stream: ProgressStream, options: ProgressWriterOptions = {}): ProgressWriter {
  const now = options.now ?? Date.now;
  const started = now();
  const tty = stream.isTTY === true;
  const ttyIntervalMs = options.ttyIntervalMs ?? 100;
  const plainIntervalMs = options.plainIntervalMs ?? 5000;
  const stepPercent = options.plainStepPercent ?? 5;
  let lastWriteMs = Number.NEGATIVE_INFINITY;
  let lastStep = -1;

  const render = (s: ProgressSnapshot, t: number): string => {
    const line = formatProgress(s, t - started, options);
    // Never wrap: a wrapped line cannot be rewritten with \r.
    const width = stream.columns && stream.columns > 1 ? stream.columns - 1 : undefined;
    return width !== undefined && line.length > width ? line.slice(0, width) : line;
  };

  return {
    update(s) {
      const t = now();
      if (tty) {
        if (t - lastWriteMs < ttyIntervalMs) return;
        lastWriteMs = t;
        stream.write(`\r${render(s, t)}\x1b[K`); // \x1b[K clears what a longer previous line left
        return;
      }
      const step = s.total ? Math.floor(((s.done / s.total) * 100) / stepPercent) : -1;
      if (step > lastStep || t - lastWriteMs >= plainIntervalMs) {
        lastStep = Math.max(lastStep, step);
        lastWriteMs = t;
        stream.write(`${render(s, t)}\n`);
      }
    },
    done(s) {
      const t = now();
      stream.write(tty ? `\r${render(s, t)}\x1b[K\n` : `${render(s, t)}\n`);
    },
  };
}
