import { createHash } from 'node:crypto';
import { OpsightError } from '../../errors.js';
import type { Logger, Metrics } from '../../ops/index.js';
import { componentsQuery, partsOfRow, type Catalog, type ComponentsRow, type Metric, type Parts } from '../../semantic/index.js';
import { readState, writeState, type Store } from '../../store/index.js';
import type { Expected } from '../detectors/index.js';
import { emptyBook, parseBook, reduce, seriesKeyOf } from '../lifecycle/index.js';
import type { AlertBook, AlertGroup, LifecycleEffect, LifecycleInput, LifecycleRule, Observation, ReduceResult, Silence } from '../lifecycle/types.js';
import type { LoadedRule } from '../rules/load.js';
import type { AlertDirection } from '../rules/schema.js';
import { detectorFor, type BoundDetector } from './detector-for.js';
import { expectedRate, hasEvidence, proportionOf, updateUsual, type Proportion, type UsualRate } from './evidence.js';
import { MINUTE_MS, alertDirection, bigEnough, directionalScore, floorMinute, isAdditive, labelsOf, pointValue, windowParts } from './series.js';

/**
 * The evaluation loop: every `intervalMs` it reads the rollups each rule needs since its last
 * minute (one query per rule), steps each series' detector over the minutes that closed
 * (committing state), peeks at the minute still filling (state discarded, so an incident shows
 * within seconds, not at the minute's end), and feeds the observations to the alert lifecycle.
 * Effects go to the notifier (Slack); the book and detector states are persisted so a restart
 * resumes without re-alerting and without rescanning history.
 */

export interface AlertEngineOptions {
  store: Store;
  catalog: Catalog;
  rules: readonly LoadedRule[];
  log: Logger;
  metrics?: Metrics;
  /** Evaluation period. @default 2000 */
  intervalMs?: number;
  /** History a new series warms up on (and the most a catch-up reads). @default 2 days */
  historyMs?: number;
  /** A minute is final this long after it ends (late events). @default 10 s */
  graceMs?: number;
  /** Observations older than this (catch-up after downtime, warm-up) train detectors but alert no one. @default 15 min */
  staleMs?: number;
  /** Detector states (the learner's memory: up to ~0.5 MB a series) are persisted this often; a restart catches up from the rollups. @default 15 min */
  persistEveryMs?: number;
  now?: () => number;
}

/** Where an alert's card goes and what it says comes from here; implemented over Slack. */
export interface AlertNotifier {
  /** Carries out effects in order; returns the cards it posted so the book can remember them. */
  apply(effects: readonly LifecycleEffect[], engine: AlertReader): Promise<Array<{ groupId: string; channel: string; ts: string }>>;
}

export interface HistoryPoint {
  readonly t: number;
  readonly value: number | null;
  readonly expected?: Expected;
}

/** Read-only view for the notifier and services. */
export interface AlertReader {
  book(): AlertBook;
  rule(ruleId: string): LoadedRule | undefined;
  group(groupId: string): AlertGroup | undefined;
  /** Recent committed points of a series, oldest first (for the card's chart). */
  history(ruleId: string, seriesKey: string): readonly HistoryPoint[];
  now(): number;
}

export interface CycleReport {
  readonly observations: number;
  readonly effects: readonly LifecycleEffect[];
  readonly series: number;
}

interface SeriesRuntime {
  readonly key: string;
  readonly labels: Record<string, string>;
  state: unknown;
  /** Next minute to commit (epoch ms). */
  nextT: number;
  /** Proportions only: the series' long-run rate, for the evidence check. */
  usual?: UsualRate;
  readonly minutes: Map<number, Parts>;
  history: HistoryPoint[];
}

interface RuleRuntime {
  readonly rule: LoadedRule;
  readonly metric: Metric;
  readonly detector: BoundDetector;
  readonly direction: AlertDirection;
  /** Set for proportions (errors / checkouts): their alerts need the counts to back them. */
  readonly proportion: Proportion | null;
  readonly lifecycle: LifecycleRule;
  /** Changes when what the detector sees changes: old states are then not restored. */
  readonly configHash: string;
  readonly series: Map<string, SeriesRuntime>;
  /** Minutes < this were read at least once (or skipped as history before warm-up). */
  warmedUp: boolean;
}

const HISTORY_POINTS = 240;
/** Bump when a detector's state changes shape: saved states of the old shape then warm up afresh. */
const DETECTOR_STATE_VERSION = 2;

export interface AlertEngine extends AlertReader {
  start(): Promise<void>;
  /** One evaluation now (the timer calls it; tests and benchmarks may too). */
  cycle(): Promise<CycleReport>;
  acknowledge(groupId: string, by: string): Promise<ReduceResult>;
  silence(silence: Silence): Promise<ReduceResult>;
  setNotifier(notifier: AlertNotifier): void;
  /** Persists everything and stops the timer. */
  stop(): Promise<void>;
  readonly rules: readonly LoadedRule[];
}

export function createAlertEngine(o: AlertEngineOptions): AlertEngine {
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? 2000;
  const historyMs = o.historyMs ?? 2 * 86_400_000;
  const graceMs = o.graceMs ?? 10_000;
  const staleMs = o.staleMs ?? 15 * 60_000;
  const persistEveryMs = o.persistEveryMs ?? 15 * 60_000;
  const log = o.log.child({ module: 'detect' });
  let notifier: AlertNotifier | undefined;
  let book: AlertBook = emptyBook();
  let bookDirty = false;
  let lastPersist = 0;
  let lastBookWrite = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let chain: Promise<unknown> = Promise.resolve();
  /** Groups whose post failed: retried next cycle (the reducer emits `post` once). */
  const unposted = new Set<string>();

  const runtimes = new Map<string, RuleRuntime>();
  for (const rule of o.rules) {
    if (!rule.enabled) continue;
    const metric = o.catalog.metrics[rule.metric];
    if (!metric) throw new OpsightError('opsight_config_invalid', `${rule.file}:${rule.line} rule ${rule.id}: unknown metric ${rule.metric}`);
    const lifecycle: LifecycleRule = {
      id: rule.id,
      metric: rule.metric,
      severity: rule.severity,
      forMs: rule.for,
      resolveAfterMs: rule.resolve_after,
      renotifyMs: rule.renotify,
      groupBy: rule.group_by,
      maintenance: rule.maintenance,
    };
    const configHash = createHash('sha1')
      .update(JSON.stringify([DETECTOR_STATE_VERSION, rule.metric, rule.filters, rule.split?.by ?? [], rule.window, rule.detector, metric.formulaText]))
      .digest('hex')
      .slice(0, 12);
    runtimes.set(rule.id, { rule, metric, detector: detectorFor(rule), direction: alertDirection(rule, metric), proportion: proportionOf(o.catalog, metric), lifecycle, configHash, series: new Map(), warmedUp: false });
  }
  const ctx = { rules: Object.fromEntries([...runtimes.values()].map((r) => [r.rule.id, r.lifecycle])) };

  /** Serialises cycles and people's inputs over the one book. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function restore(): Promise<void> {
    const [books, states] = await Promise.all([readState(o.store, 'book'), readState(o.store, 'detector')]);
    const saved = books.find((b) => b.key === 'main' && b.body !== '');
    if (saved) {
      const parsed = parseBook(saved.body);
      if (parsed.ok) book = parsed.book;
      else log.error({ problem: parsed.problem }, 'the saved alert book is unreadable; starting with an empty one (open alerts will be posted again)');
    }
    let restored = 0;
    for (const row of states) {
      if (row.body === '') continue;
      const [ruleId, hash, ...rest] = row.key.split('|');
      const rt = runtimes.get(ruleId ?? '');
      if (!rt || rt.configHash !== hash) continue; // rule gone or changed: its series warm up afresh
      try {
        const s = JSON.parse(row.body) as { labels: Record<string, string>; state: unknown; nextT: number; usual?: UsualRate };
        rt.series.set(rest.join('|'), { key: rest.join('|'), labels: s.labels, state: s.state, nextT: s.nextT, ...(s.usual ? { usual: s.usual } : {}), minutes: new Map(), history: [] });
        restored++;
      } catch (err) {
        log.warn({ key: row.key, err }, 'a saved detector state is unreadable; that series warms up again');
      }
    }
    log.info({ openAlerts: Object.values(book.groups).filter((g) => g.status === 'firing').length, restoredSeries: restored }, 'alert state restored');
  }

  /**
   * `changed`: the book holds something a restart must not lose (an effect, a person's input).
   * Otherwise it only moved series' last points, which a restart re-reads from the rollups, so
   * it is written at most once a minute instead of every cycle.
   */
  async function persist(force: boolean, changed = false): Promise<void> {
    const t = now();
    const rows: Array<{ kind: string; key: string; body: string }> = [];
    if (force || (bookDirty && (changed || t - lastBookWrite >= MINUTE_MS))) {
      rows.push({ kind: 'book', key: 'main', body: JSON.stringify(book) });
      lastBookWrite = t;
      bookDirty = false;
    }
    if (force || t - lastPersist >= persistEveryMs) {
      for (const rt of runtimes.values()) {
        for (const s of rt.series.values()) {
          rows.push({ kind: 'detector', key: `${rt.rule.id}|${rt.configHash}|${s.key}`, body: JSON.stringify({ labels: s.labels, state: s.state, nextT: s.nextT, usual: s.usual }) });
        }
      }
      lastPersist = t;
    }
    await writeState(o.store, rows);
  }

  /** Reads, steps and peeks one rule; returns its observations (fresh ones only). */
  async function evaluateRule(rt: RuleRuntime, t: number): Promise<Observation[]> {
    const rule = rt.rule;
    const by = rule.split?.by ?? [];
    const closedUpTo = floorMinute(t - graceMs);
    const openUpTo = floorMinute(t) + MINUTE_MS;
    let from = closedUpTo - historyMs;
    if (rt.warmedUp || rt.series.size > 0) {
      const next = rt.series.size > 0 ? Math.min(...[...rt.series.values()].map((s) => s.nextT)) : closedUpTo;
      from = Math.max(from, next - rule.window + MINUTE_MS);
    }
    from = floorMinute(from);
    const histFrom = floorMinute(closedUpTo - historyMs);
    const read = async (fromMs: number) => {
      const q = componentsQuery(o.catalog, rule.metric, by, rule.filters, fromMs, openUpTo);
      const rows = await o.store.query<ComponentsRow>(q.sql, q.params, { max_execution_time: 30 });
      // Rows → per-series minute parts.
      const seen = new Map<string, { labels: Record<string, string>; minutes: Map<number, Parts>; volume: number }>();
      for (const row of rows) {
        const labels = labelsOf(row, by);
        const key = seriesKeyOf(labels);
        let s = seen.get(key);
        if (!s) seen.set(key, (s = { labels, minutes: new Map(), volume: 0 }));
        const parts = partsOfRow(row, q.measures);
        s.minutes.set(Number(row.ts) * 1000, parts);
        s.volume += parts.counts[q.volumeMeasure] ?? 0;
      }
      return { q, seen };
    };
    let { q, seen } = await read(from);

    // New series: the busiest first, up to the cap, if busy enough on average.
    const spanMinutes = Math.max(1, (openUpTo - from) / MINUTE_MS);
    const maxSeries = rule.split?.max_series ?? 1;
    const minVolume = rule.split?.min_volume ?? 0;
    const fresh = [...seen.entries()]
      .filter(([key, s]) => !rt.series.has(key) && s.volume / spanMinutes >= minVolume)
      .sort((a, b) => b[1].volume - a[1].volume || (a[0] < b[0] ? -1 : 1))
      .slice(0, Math.max(0, maxSeries - rt.series.size))
      .map(([key]) => key);
    if (!rule.split && rt.series.size === 0 && !fresh.includes('')) fresh.push('');
    if (fresh.length > 0 && from > histFrom) {
      // Series met after start-up warm up on the same history as the first ones did.
      ({ q, seen } = await read(histFrom));
      from = histFrom;
    }
    for (const key of fresh) {
      rt.series.set(key, { key, labels: seen.get(key)?.labels ?? {}, state: rt.detector.init(), nextT: from + rule.window - MINUTE_MS, minutes: new Map(), history: [] });
    }
    rt.warmedUp = true;

    const out: Observation[] = [];
    const freshAfter = t - staleMs;
    for (const s of rt.series.values()) {
      const got = seen.get(s.key);
      if (got) for (const [m, p] of got.minutes) s.minutes.set(m, p);
      // A series restored from disk whose history is older than we read starts where the read starts.
      if (s.nextT < from + rule.window - MINUTE_MS) s.nextT = from + rule.window - MINUTE_MS;
      for (let m = s.nextT; m < closedUpTo; m += MINUTE_MS) {
        const parts = windowParts(o.catalog, q.measures, s.minutes, m, rule.window);
        const value = pointValue(rt.metric, parts, q.volumeMeasure);
        const r = rt.detector.step(s.state, { t: m, value });
        s.state = r.state;
        s.nextT = m + MINUTE_MS;
        if (rt.proportion) s.usual = updateUsual(s.usual, rt.proportion, s.minutes.get(m));
        s.history.push({ t: m, value, ...(r.expected ? { expected: r.expected } : {}) });
        if (m >= freshAfter) out.push(observation(rt, s, m, value, parts, r.score, r.expected, false));
      }
      if (s.history.length > HISTORY_POINTS) s.history = s.history.slice(-HISTORY_POINTS);
      // The minute still filling: looked at, never learned from.
      for (let m = Math.max(s.nextT, closedUpTo); m < openUpTo; m += MINUTE_MS) {
        const fraction = Math.min(1, (t - m) / MINUTE_MS);
        if (isAdditive(rt.metric) && fraction < 1 / 3) continue; // too little of the minute to project
        const parts = windowParts(o.catalog, q.measures, s.minutes, m, rule.window, isAdditive(rt.metric) ? 1 / Math.max(fraction, 1e-9) : 1);
        const value = pointValue(rt.metric, parts, q.volumeMeasure);
        const r = rt.detector.peek(s.state, { t: m, value });
        out.push(observation(rt, s, m, value, parts, r.score, r.expected, true));
      }
      for (const m of s.minutes.keys()) if (m < s.nextT - rule.window) s.minutes.delete(m);
    }
    return out;
  }

  function observation(rt: RuleRuntime, s: SeriesRuntime, t: number, value: number | null, parts: Parts, score: number, expected: Expected | undefined, provisional: boolean): Observation {
    if (score > 0 && !bigEnough(value, expected, rt.rule.min_change)) score = 0;
    if (score > 0 && !hasEvidence(rt.proportion, parts, expectedRate(s.usual, expected?.center), rt.direction)) score = 0;
    return {
      ruleId: rt.rule.id,
      seriesKey: s.key,
      labels: s.labels,
      t,
      value,
      score: directionalScore(score, value, expected, rt.direction),
      ...(expected ? { expected } : {}),
      ...(provisional ? { provisional: true } : {}),
    };
  }

  function apply(input: LifecycleInput): ReduceResult {
    const r = reduce(book, input, ctx);
    if (r.book !== book) {
      book = r.book;
      bookDirty = true;
    }
    return r;
  }

  async function notify(effects: LifecycleEffect[]): Promise<void> {
    for (const e of effects) if (e.kind === 'post') unposted.add(e.groupId);
    if (!notifier || effects.length === 0) return;
    let posted: Array<{ groupId: string; channel: string; ts: string }> = [];
    try {
      posted = await notifier.apply(effects, reader);
    } catch (err) {
      log.error({ err }, 'could not deliver alert notifications; unposted cards are retried next cycle');
    }
    for (const p of posted) {
      unposted.delete(p.groupId);
      const r = apply({ kind: 'posted', groupId: p.groupId, channel: p.channel, ts: p.ts, now: now() });
      if (r.effects.length > 0) log.debug({ effects: r.effects.length }, 'effects after posting');
    }
  }

  async function cycleNow(): Promise<CycleReport> {
    const t = now();
    const observations: Observation[] = [];
    let series = 0;
    for (const rt of runtimes.values()) {
      try {
        observations.push(...(await evaluateRule(rt, t)));
      } catch (err) {
        log.error({ err, rule: rt.rule.id }, 'evaluating an alert rule failed; it is tried again next cycle');
      }
      series += rt.series.size;
    }
    const effects: LifecycleEffect[] = [];
    if (observations.length > 0) effects.push(...apply({ kind: 'observe', now: t, observations }).effects);
    effects.push(...apply({ kind: 'tick', now: t }).effects);
    // A card whose post failed earlier (Slack down): post it again, once per cycle.
    for (const id of unposted) {
      const g = book.groups[id];
      if (!g || g.message || g.status !== 'firing' || g.suppressed) unposted.delete(id);
      else if (!effects.some((e) => e.kind === 'post' && e.groupId === id)) effects.push({ kind: 'post', groupId: id });
    }
    if (effects.some((e) => e.kind === 'post')) o.metrics?.alertsFired.inc(effects.filter((e) => e.kind === 'post').length);
    // The book is saved before anything is sent: a crash mid-send re-sends, never forgets.
    if (effects.length > 0) await persist(false, true);
    await notify(effects);
    await persist(false, effects.length > 0);
    return { observations: observations.length, effects, series };
  }

  const reader: AlertReader = {
    book: () => book,
    rule: (id) => runtimes.get(id)?.rule,
    group: (id) => book.groups[id],
    history: (ruleId, key) => runtimes.get(ruleId)?.series.get(key)?.history ?? [],
    now,
  };

  async function personal(input: LifecycleInput): Promise<ReduceResult> {
    return exclusive(async () => {
      const r = apply(input);
      await persist(false, true);
      await notify([...r.effects]);
      return r;
    });
  }

  return {
    ...reader,
    rules: o.rules,
    setNotifier(n) {
      notifier = n;
    },
    async start() {
      await exclusive(restore);
      log.info({ rules: runtimes.size, intervalMs }, 'warming up alert rules from the rollups');
      const first = await exclusive(cycleNow);
      log.info({ series: first.series }, 'alert evaluation running');
      const loop = () => {
        if (stopped) return;
        timer = setTimeout(() => {
          exclusive(cycleNow)
            .catch((err: unknown) => log.error({ err }, 'alert cycle failed'))
            .finally(loop);
        }, intervalMs);
        timer.unref();
      };
      loop();
    },
    cycle: () => exclusive(cycleNow),
    acknowledge: (groupId, by) => personal({ kind: 'acknowledge', groupId, by, now: now() }),
    silence: (silence) => personal({ kind: 'silence', silence, now: now() }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await exclusive(() => persist(true));
    },
  };
}
