import type { Expected } from '../detectors/index.js';
import type { Maintenance, Severity } from '../rules/schema.js';

/**
 * The alert lifecycle as plain data: one `AlertBook` (JSON, persisted after every change) and
 * a pure reducer `reduce(book, input, ctx) → {book, effects}`. The engine feeds it detector
 * observations and people's clicks; the notifier turns effects into Slack posts and edits.
 */

/** A series' labels: the values of the rule's split dimensions (`{payment_gateway: 'adyen'}`); {} when not split. */
export type Labels = Readonly<Record<string, string>>;

/** A detector score at or above this is anomalous (pending/firing)… */
export const ENTER_SCORE = 0.5;
/** …and a firing series is "back in its band" only below this one (hysteresis). */
export const EXIT_SCORE = 0.35;

/** What the lifecycle needs of a rule (built from AlertRule by the engine). */
export interface LifecycleRule {
  readonly id: string;
  readonly metric: string;
  readonly severity: Severity;
  readonly forMs: number;
  readonly resolveAfterMs: number;
  /** 0 = never. */
  readonly renotifyMs: number;
  /** Split dimensions whose values define one card; [] = one card per rule. */
  readonly groupBy: readonly string[];
  readonly maintenance: readonly Maintenance[];
}

export interface Observation {
  readonly ruleId: string;
  /** Stable key of the series within the rule, e.g. `payment_gateway=adyen,region=EU` ('' when not split). */
  readonly seriesKey: string;
  readonly labels: Labels;
  /** Start of the minute observed (epoch ms). Per series, t never decreases; the same t may come again (the open minute, re-read as it fills). */
  readonly t: number;
  readonly value: number | null;
  /** Detector score in [0, 1], already 0 when the move is in the harmless direction. */
  readonly score: number;
  readonly expected?: Expected;
  /** The minute is still open (peeked, not final): it may start or escalate an alert but never resolves one. */
  readonly provisional?: boolean;
}

/** A silence: scoped by label matchers (series labels plus `rule`, `metric`, `severity`), with who and why. */
export interface Silence {
  readonly id: string;
  readonly matchers: Labels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly reason: string;
}

export type SeriesPhase = 'ok' | 'pending' | 'firing';

export interface SeriesPoint {
  readonly t: number;
  readonly value: number | null;
  readonly score: number;
  readonly expected?: Expected;
  /** The minute was still open when seen; a final reading of the same minute replaces it, never the reverse. */
  readonly provisional?: boolean;
}

export interface SeriesState {
  readonly ruleId: string;
  readonly seriesKey: string;
  readonly labels: Labels;
  readonly phase: SeriesPhase;
  /** t of the first anomalous point of the current run (pending/firing), else null. */
  readonly anomalousSince: number | null;
  /** While firing: t of the first point back below EXIT_SCORE in the current quiet run, else null. */
  readonly quietSince: number | null;
  readonly lastT: number;
  readonly last: SeriesPoint | null;
  /** The most anomalous point of the current run (highest score). */
  readonly peak: SeriesPoint | null;
  /** t of recent fire/resolve flips (kept for FLAP_WINDOW_MS) for flap detection. */
  readonly flips: readonly number[];
  /** Flapping series resolve only after a longer quiet time. */
  readonly flapping: boolean;
  /** The open group this series is a member of (while pending/firing), else null. */
  readonly groupId: string | null;
}

export type GroupStatus = 'firing' | 'resolved';

/** One member of a card: a series that fired in this incident. */
export interface GroupMember {
  readonly seriesKey: string;
  readonly labels: Labels;
  readonly phase: SeriesPhase | 'resolved';
  readonly since: number;
  readonly last: SeriesPoint | null;
  readonly peak: SeriesPoint | null;
}

/** One incident = one Slack card: the firing series of one rule that share the group labels. */
export interface AlertGroup {
  /** `${fingerprint}@${openedAt}`: unique per incident. */
  readonly id: string;
  /** Stable hash of rule id + group labels: at most one open group per fingerprint (dedup). */
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly labels: Labels;
  readonly status: GroupStatus;
  /** Wall clock (ms) when the group was opened / resolved. */
  readonly openedAt: number;
  readonly resolvedAt: number | null;
  /** Data time (minute t) of the first anomalous point. */
  readonly since: number;
  readonly members: Readonly<Record<string, GroupMember>>;
  readonly ack: { readonly by: string; readonly at: number } | null;
  /** Set while notifications are held back: a matching silence or a maintenance window. */
  readonly suppressed: { readonly kind: 'silence'; readonly silenceId: string } | { readonly kind: 'maintenance'; readonly reason: string } | null;
  /** Where the card is, once posted (input `posted`). */
  readonly message: { readonly channel: string; readonly ts: string } | null;
  /** Wall clock (ms) of the last post or reminder, for re-notify. */
  readonly lastNotifiedAt: number | null;
  /** Times it fired again shortly after resolving (flap suppression reopens instead of posting anew). */
  readonly reopened: number;
}

export interface AlertBook {
  readonly version: 1;
  /** By `${ruleId}|${seriesKey}`. */
  readonly series: Readonly<Record<string, SeriesState>>;
  /** Open groups, and resolved ones for RESOLVED_KEEP_MS (Home tab, reopen on flaps). */
  readonly groups: Readonly<Record<string, AlertGroup>>;
  readonly silences: readonly Silence[];
}

export type LifecycleInput =
  | { readonly kind: 'observe'; readonly now: number; readonly observations: readonly Observation[] }
  /** Time passes: reminders, silences and maintenance ending, pruning. Sent every evaluation cycle. */
  | { readonly kind: 'tick'; readonly now: number }
  /** The notifier posted the card of a group. */
  | { readonly kind: 'posted'; readonly groupId: string; readonly channel: string; readonly ts: string; readonly now: number }
  | { readonly kind: 'acknowledge'; readonly groupId: string; readonly by: string; readonly now: number }
  | { readonly kind: 'silence'; readonly silence: Silence; readonly now: number };

/** Why a thread reply is written (the card itself is re-rendered from the book). */
export type ChangeKind = 'fired' | 'series_added' | 'series_resolved' | 'resolved' | 'reopened' | 'renotify' | 'acknowledged' | 'silenced' | 'unsuppressed';

export type LifecycleEffect =
  /** Post a new card for the group (its rule's channel). */
  | { readonly kind: 'post'; readonly groupId: string }
  /** Re-render the posted card in place (chat.update). */
  | { readonly kind: 'update'; readonly groupId: string }
  /** A reply in the card's thread saying what changed. `seriesKey` for series-level changes; `by` for people's actions. */
  | { readonly kind: 'thread'; readonly groupId: string; readonly change: ChangeKind; readonly seriesKey?: string; readonly by?: string };

export interface LifecycleContext {
  readonly rules: Readonly<Record<string, LifecycleRule>>;
}

export interface ReduceResult {
  readonly book: AlertBook;
  readonly effects: readonly LifecycleEffect[];
  /** For inputs people send (acknowledge/silence): why nothing happened, in words for them. */
  readonly refused?: string;
}

/** Flips (fire or resolve) of one series are counted over this much data time… */
export const FLAP_WINDOW_MS = 60 * 60_000;
/** …and a series that fires with this many flips in the window (this firing included) is flapping. */
export const FLAP_FLIPS = 4;
/** A flapping series resolves only after max(3 × resolveAfterMs, this) of quiet. */
export const FLAP_MIN_QUIET_MS = 30 * 60_000;
/** A group that fires again within max(this, 3 × resolveAfterMs) of resolving is reopened, not posted anew. */
export const REOPEN_WINDOW_MS = 15 * 60_000;
/** Resolved groups stay in the book this long (Home tab, reopening), then tick prunes them. So do idle ok series. */
export const RESOLVED_KEEP_MS = 24 * 60 * 60_000;
