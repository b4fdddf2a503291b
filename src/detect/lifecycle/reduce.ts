import { fingerprintOf, groupLabelsOf, seriesIdOf } from './keys.js';
import { inMaintenance } from './maintenance.js';
import { stepSeries, type SeriesStep } from './series.js';
import { coveringSilence, matchLabelsOf, silenceActive } from './silences.js';
import {
  REOPEN_WINDOW_MS,
  RESOLVED_KEEP_MS,
  type AlertBook,
  type AlertGroup,
  type ChangeKind,
  type GroupMember,
  type LifecycleContext,
  type LifecycleEffect,
  type LifecycleInput,
  type LifecycleRule,
  type Observation,
  type ReduceResult,
  type SeriesState,
  type Silence,
} from './types.js';

/**
 * The alert lifecycle reducer. Pure: no clock (time is `input.now`, wall clock; series phases run
 * on the observations' data time `t`), no I/O, and `book` is never mutated.
 *
 * Series (one per rule × seriesKey, see series.ts): ok → pending at the first point with
 * score ≥ ENTER_SCORE; pending → firing once anomalous for `forMs` of data time (at once when 0);
 * pending → ok at a final point below ENTER (nothing was posted); firing → ok (resolved) after
 * `resolveAfterMs` of final points below EXIT_SCORE, where a point between EXIT and ENTER restarts
 * the quiet run (hysteresis). A series that fires with ≥ FLAP_FLIPS fire/resolve flips in the last
 * FLAP_WINDOW_MS is flapping for that run and needs max(3 × resolveAfterMs, FLAP_MIN_QUIET_MS) of quiet.
 * Observations older than the series' last one are dropped, so a replay after restart is a no-op.
 *
 * Groups (one Slack card): a series joins a group only when it fires, keyed by
 * fingerprint(rule, its `groupBy` labels); at most one open (firing) group per fingerprint.
 * Joining an open group → update + thread 'series_added'. Else a group of that fingerprint resolved
 * less than max(REOPEN_WINDOW_MS, 3 × resolveAfterMs) ago is reopened (`reopened` + 1, update +
 * thread 'reopened'; a flapping series keeps one card). Else a new group `${fingerprint}@${now}`
 * with a `post`. A member resolving while others fire → update + thread 'series_resolved'; the last
 * one → status resolved, update + thread 'resolved'.
 *
 * Announcing: a group is "announced" once its post was emitted (`lastNotifiedAt` is set then, and
 * again by `posted`). update/thread effects are only emitted for announced groups: a card that was
 * never posted has nothing to edit, and its resolution makes no noise at all. Effects assume the
 * notifier applies them in order after the returned book is saved and renders cards from that book,
 * so one reduce emits at most one update per group, and nothing after a post of that group.
 * The post is the firing message: ChangeKind 'fired' is never emitted here. After a restart, a
 * firing, unsuppressed group with lastNotifiedAt set and no message is a post that was never confirmed.
 *
 * Suppression (group.suppressed): checked when a group opens or reopens, after each membership
 * change, on `silence` and on every tick.
 * - A silence suppresses an open group when every firing member (labels ∪ rule, metric, severity)
 *   matches it; the one ending last wins. Announced groups get update + thread 'silenced' (by its
 *   creator) when a silence starts covering them; a scheduled silence does so on the tick it starts.
 * - A maintenance window only holds back groups opened or reopened inside it (a card already out is
 *   not hidden by a window starting later), and keeps holding a group that is already suppressed.
 * - When nothing covers a suppressed firing group any more: post if never announced, else update +
 *   thread 'unsuppressed'. While suppressed, series-level replies ('series_added', 'series_resolved',
 *   'reopened') shrink to a quiet update, and re-notify is off; 'resolved' and people's actions are
 *   still replied.
 *
 * Tick: expired silences are dropped; suppression re-checked; re-notify (firing, announced with a
 * message, not acknowledged, not suppressed, renotifyMs > 0 and lastNotifiedAt that old → thread
 * 'renotify'); resolved groups older than RESOLVED_KEEP_MS are pruned, as are ok series not observed
 * for that long (data time). A rule missing from ctx.rules was removed or disabled: its observations
 * are ignored, and the next tick resolves its open groups (update + thread 'resolved' when announced)
 * and forgets its series.
 *
 * People: acknowledge records who (update + thread 'acknowledged'); an unknown, resolved or already
 * acknowledged group is refused in words for them. An acknowledgement survives a reopen (the same
 * person still has it) and stops re-notify. A silence needs at least one matcher and an end in the
 * future; a silence id already in the book is a replay and changes nothing.
 */
export function reduce(book: AlertBook, input: LifecycleInput, ctx: LifecycleContext): ReduceResult {
  const work = new Work(book, ctx);
  let refused: string | undefined;
  switch (input.kind) {
    case 'observe':
      work.observe(input.observations, input.now);
      break;
    case 'tick':
      work.tick(input.now);
      break;
    case 'posted':
      work.posted(input.groupId, input.channel, input.ts, input.now);
      break;
    case 'acknowledge':
      refused = work.acknowledge(input.groupId, input.by, input.now);
      break;
    case 'silence':
      refused = work.silence(input.silence, input.now);
      break;
  }
  const result: ReduceResult = { book: work.book(), effects: work.effects };
  return refused === undefined ? result : { ...result, refused };
}

export function emptyBook(): AlertBook {
  return { version: 1, series: {}, groups: {}, silences: [] };
}

/** Firing groups, oldest first. */
export function openGroups(book: AlertBook): AlertGroup[] {
  return Object.values(book.groups)
    .filter((g) => g.status === 'firing')
    .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
}

function announced(g: AlertGroup): boolean {
  return g.lastNotifiedAt !== null || g.message !== null;
}

function firingMembers(g: AlertGroup): GroupMember[] {
  return Object.values(g.members).filter((m) => m.phase === 'firing');
}

function reopenWindowMs(rule: LifecycleRule): number {
  return Math.max(REOPEN_WINDOW_MS, rule.resolveAfterMs * 3);
}

type Suppression = AlertGroup['suppressed'];

/** Mutable scratch copies of the book's top-level maps; the objects inside are replaced, never edited. */
class Work {
  private readonly series: Record<string, SeriesState>;
  private readonly groups: Record<string, AlertGroup>;
  private silences: Silence[];
  readonly effects: LifecycleEffect[] = [];
  private readonly posts = new Set<string>();
  private readonly updates = new Set<string>();

  constructor(
    private readonly original: AlertBook,
    private readonly ctx: LifecycleContext,
  ) {
    this.series = { ...original.series };
    this.groups = { ...original.groups };
    this.silences = [...original.silences];
  }

  book(): AlertBook {
    if (this.effects.length === 0 && this.unchanged()) return this.original;
    return { version: 1, series: this.series, groups: this.groups, silences: this.silences };
  }

  private unchanged(): boolean {
    const same = <T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>): boolean => {
      const ka = Object.keys(a);
      return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
    };
    const o = this.original;
    return (
      same(this.series, o.series) &&
      same(this.groups, o.groups) &&
      this.silences.length === o.silences.length &&
      this.silences.every((s, i) => s === o.silences[i])
    );
  }

  // ── effects ────────────────────────────────────────────────────────────────

  private post(g: AlertGroup): void {
    this.posts.add(g.id);
    this.effects.push({ kind: 'post', groupId: g.id });
  }

  private update(g: AlertGroup): void {
    if (!announced(g) || this.posts.has(g.id) || this.updates.has(g.id)) return;
    this.updates.add(g.id);
    this.effects.push({ kind: 'update', groupId: g.id });
  }

  private thread(g: AlertGroup, change: ChangeKind, extra: { seriesKey?: string; by?: string } = {}): void {
    if (!announced(g) || this.posts.has(g.id)) return;
    this.effects.push({ kind: 'thread', groupId: g.id, change, ...extra });
  }

  /** update + thread, or only the update while the group's notifications are held back. */
  private change(g: AlertGroup, change: ChangeKind, extra: { seriesKey?: string; by?: string } = {}, heldWhenSuppressed = true): void {
    this.update(g);
    if (!(heldWhenSuppressed && g.suppressed !== null)) this.thread(g, change, extra);
  }

  private put(g: AlertGroup): AlertGroup {
    this.groups[g.id] = g;
    return g;
  }

  // ── observe ────────────────────────────────────────────────────────────────

  observe(observations: readonly Observation[], now: number): void {
    // Data-time order across series (stable: same-t readings keep their order), so a batch that is
    // series-major gives the same result as one that is time-major.
    const sorted = [...observations].sort((a, b) => a.t - b.t);
    for (const obs of sorted) {
      const rule = this.ctx.rules[obs.ruleId];
      if (!rule) continue;
      const id = seriesIdOf(obs.ruleId, obs.seriesKey);
      const step = stepSeries(this.series[id], obs, rule);
      if (!step) continue;
      this.series[id] = this.afterStep(step, rule, now);
    }
  }

  private afterStep(step: SeriesStep, rule: LifecycleRule, now: number): SeriesState {
    const { state, event, point } = step;
    const current = state.groupId === null ? undefined : this.groups[state.groupId];
    const member = current?.status === 'firing' ? current.members[state.seriesKey] : undefined;
    if (event === 'resolved') {
      if (current && member) this.memberResolved(current, { ...member, phase: 'resolved', last: point }, now);
      return { ...state, groupId: null };
    }
    if (state.phase !== 'firing') return state;
    if (event === null && current && member?.phase === 'firing') {
      // Still firing: keep the card's numbers fresh without a message per minute.
      this.put({ ...current, members: { ...current.members, [state.seriesKey]: { ...member, last: point, peak: state.peak } } });
      return state;
    }
    // Fired now, or firing without an open group (its rule's groups were resolved while it was removed): join one.
    return { ...state, groupId: this.join(state, rule, now) };
  }

  private join(s: SeriesState, rule: LifecycleRule, now: number): string {
    const labels = groupLabelsOf(s.labels, rule.groupBy);
    const fingerprint = fingerprintOf(rule.id, labels);
    const member: GroupMember = { seriesKey: s.seriesKey, labels: s.labels, phase: 'firing', since: s.anomalousSince ?? s.lastT, last: s.last, peak: s.peak };
    const withMember = (g: AlertGroup): AlertGroup => ({
      ...g,
      since: Math.min(g.since, member.since),
      members: { ...g.members, [s.seriesKey]: member },
    });
    const all = Object.values(this.groups).filter((g) => g.fingerprint === fingerprint);

    const open = all.find((g) => g.status === 'firing');
    if (open) {
      const g = this.put(withMember(open));
      this.change(g, 'series_added', { seriesKey: s.seriesKey });
      this.reconcile(g, rule, now);
      return g.id;
    }

    const recent = all
      .filter((g) => g.resolvedAt !== null && now - g.resolvedAt < reopenWindowMs(rule))
      .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0))[0];
    if (recent) {
      const reopened = withMember({ ...recent, status: 'firing', resolvedAt: null, reopened: recent.reopened + 1 });
      const suppressed = this.suppressionFor(reopened, rule, now, true);
      const wasAnnounced = announced(recent);
      const g = this.put({ ...reopened, suppressed, lastNotifiedAt: suppressed === null ? now : reopened.lastNotifiedAt });
      if (suppressed !== null) this.update(g);
      else if (wasAnnounced) this.change(g, 'reopened');
      else this.post(g);
      return g.id;
    }

    const fresh: AlertGroup = {
      id: `${fingerprint}@${now}`,
      fingerprint,
      ruleId: rule.id,
      labels,
      status: 'firing',
      openedAt: now,
      resolvedAt: null,
      since: member.since,
      members: { [s.seriesKey]: member },
      ack: null,
      suppressed: null,
      message: null,
      lastNotifiedAt: null,
      reopened: 0,
    };
    const suppressed = this.suppressionFor(fresh, rule, now, true);
    const g = this.put({ ...fresh, suppressed, lastNotifiedAt: suppressed === null ? now : null });
    if (suppressed === null) this.post(g);
    return g.id;
  }

  private memberResolved(group: AlertGroup, member: GroupMember, now: number): void {
    const members = { ...group.members, [member.seriesKey]: member };
    if (Object.values(members).some((m) => m.phase === 'firing')) {
      const g = this.put({ ...group, members });
      this.change(g, 'series_resolved', { seriesKey: member.seriesKey });
      const rule = this.ctx.rules[g.ruleId];
      if (rule) this.reconcile(g, rule, now);
      return;
    }
    this.resolveGroup({ ...group, members }, now);
  }

  private resolveGroup(group: AlertGroup, now: number): void {
    const members = Object.fromEntries(Object.entries(group.members).map(([k, m]) => [k, m.phase === 'resolved' ? m : { ...m, phase: 'resolved' as const }]));
    const g = this.put({ ...group, members, status: 'resolved', resolvedAt: now });
    this.change(g, 'resolved', {}, false);
  }

  // ── suppression ────────────────────────────────────────────────────────────

  /** What should hold `g` back now; maintenance only counts when `maintenanceMayStart` or it already is held. */
  private suppressionFor(g: AlertGroup, rule: LifecycleRule, now: number, maintenanceMayStart: boolean): Suppression {
    const labelSets = firingMembers(g).map((m) => matchLabelsOf(rule, m.labels));
    const silence = coveringSilence(this.silences, labelSets, now);
    if (silence) return { kind: 'silence', silenceId: silence.id };
    if (maintenanceMayStart || g.suppressed !== null) {
      const reason = inMaintenance(rule.maintenance, now);
      if (reason !== undefined) return { kind: 'maintenance', reason };
    }
    return null;
  }

  /** Brings an open group's suppression up to date with silences and maintenance, with its effects. */
  private reconcile(group: AlertGroup, rule: LifecycleRule, now: number): AlertGroup {
    if (group.status !== 'firing') return group;
    const next = this.suppressionFor(group, rule, now, false);
    const prev = group.suppressed;
    if (next === null) {
      if (prev === null) return group;
      const wasAnnounced = announced(group);
      const g = this.put({ ...group, suppressed: null, lastNotifiedAt: now });
      if (wasAnnounced) this.change(g, 'unsuppressed', {}, false);
      else this.post(g);
      return g;
    }
    if (prev !== null && prev.kind === next.kind && (next.kind === 'silence' ? prev.kind === 'silence' && prev.silenceId === next.silenceId : prev.kind === 'maintenance' && prev.reason === next.reason)) {
      return group;
    }
    const g = this.put({ ...group, suppressed: next });
    if (next.kind === 'silence') {
      const by = this.silences.find((s) => s.id === next.silenceId)?.createdBy;
      this.change(g, 'silenced', by === undefined ? {} : { by }, false);
    }
    return g;
  }

  // ── tick ───────────────────────────────────────────────────────────────────

  tick(now: number): void {
    if (this.silences.some((s) => s.endsAt <= now)) this.silences = this.silences.filter((s) => s.endsAt > now);
    for (const id of Object.keys(this.groups).sort()) {
      let g = this.groups[id]!;
      const rule = this.ctx.rules[g.ruleId];
      if (g.status === 'resolved') {
        if (g.resolvedAt !== null && now - g.resolvedAt > RESOLVED_KEEP_MS) delete this.groups[id];
        continue;
      }
      if (!rule) {
        this.resolveGroup(g, now);
        continue;
      }
      g = this.reconcile(g, rule, now);
      if (g.ack === null && g.message !== null && g.suppressed === null && rule.renotifyMs > 0 && g.lastNotifiedAt !== null && now - g.lastNotifiedAt >= rule.renotifyMs) {
        g = this.put({ ...g, lastNotifiedAt: now });
        this.thread(g, 'renotify');
      }
    }
    for (const [id, s] of Object.entries(this.series)) {
      const forgotten = !this.ctx.rules[s.ruleId];
      const idle = s.phase === 'ok' && now - s.lastT > RESOLVED_KEEP_MS;
      if (forgotten || idle) delete this.series[id];
    }
  }

  // ── people and the notifier ────────────────────────────────────────────────

  posted(groupId: string, channel: string, ts: string, now: number): void {
    const g = this.groups[groupId];
    if (!g) return;
    this.put({ ...g, message: { channel, ts }, lastNotifiedAt: now });
  }

  acknowledge(groupId: string, by: string, now: number): string | undefined {
    const g = this.groups[groupId];
    if (!g) return "I can't find that alert any more: it resolved over a day ago or its rule was removed.";
    if (g.status === 'resolved') return 'That alert has already resolved.';
    if (g.ack !== null) return g.ack.by === by ? 'You already acknowledged this alert.' : `<@${g.ack.by}> already acknowledged this alert.`;
    const acked = this.put({ ...g, ack: { by, at: now } });
    this.change(acked, 'acknowledged', { by }, false);
    return undefined;
  }

  silence(silence: Silence, now: number): string | undefined {
    if (this.silences.some((s) => s.id === silence.id)) return undefined;
    if (Object.keys(silence.matchers).length === 0) return 'A silence needs at least one label to match; without one it would hide every alert.';
    if (!(silence.endsAt > silence.startsAt)) return 'That silence ends before it starts.';
    if (silence.endsAt <= now) return 'That silence would already be over.';
    this.silences = [...this.silences, silence];
    if (!silenceActive(silence, now)) return undefined;
    for (const id of Object.keys(this.groups).sort()) {
      const g = this.groups[id]!;
      const rule = this.ctx.rules[g.ruleId];
      if (g.status === 'firing' && rule) this.reconcile(g, rule, now);
    }
    return undefined;
  }
}
