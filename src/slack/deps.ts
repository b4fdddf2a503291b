import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { HomeData, StatusInput } from './blocks/index.js';
import type { AskResult, PreviousAnswer } from '../ask/index.js';
import type { Logger, Metrics } from '../ops/index.js';
import type { Unit } from '../semantic/index.js';
import type { RecentAnswers } from './answers.js';

/** A message as the listeners build it: fallback text (notifications, screen readers) and blocks. */
export interface OutgoingMessage {
  text: string;
  blocks?: KnownBlock[];
}

/**
 * Everything the bot writes goes through here: paced per channel, retried, counted
 * (the outbox). Listeners never call chat.* themselves.
 */
export interface Messenger {
  post(channel: string, message: OutgoingMessage, options?: { threadTs?: string }): Promise<{ ts: string }>;
  update(channel: string, ts: string, message: OutgoingMessage): Promise<void>;
  /** A PNG into a channel or thread (files.uploadV2). */
  uploadPng(channel: string, file: { filename: string; title: string; altText: string; png: Buffer }, options?: { threadTs?: string }): Promise<void>;
}

export interface AskContext {
  now: Date;
  timeZone: string;
  userId: string;
  channelId: string;
  /** The answer earlier in this thread (or DM), for follow-ups. */
  previous?: PreviousAnswer;
}

/** `/opsight status` and the App Home: the builders' input types are the contract. */
export type StatusReport = StatusInput;
export type HomeReport = HomeData;

/** A question's answer with what the Slack rendering needs beyond the contract JSON. */
export interface AskReply {
  result: AskResult;
  /** Unit of the plan's metric (formats the table); 'count' when nothing was planned. */
  unit: Unit;
  /** Newest rolled-up minute: "data as of …". */
  asOf: Date | undefined;
  /** A PNG for trends and breakdowns, uploaded into the answer's thread. */
  chart?: { png: Buffer; title: string; altText: string };
  /** What a follow-up in the same thread builds on; absent unless a plan was answered. */
  context?: PreviousAnswer;
}

/** Someone acting on an alert, and where (roles and channels decide whether they may). */
export interface AlertActor {
  userId: string;
  channelId: string;
}

/** The answer to a person's request on an alert: done (with what to say), or refused with why. */
export type AlertOutcome = { ok: true; message: string } | { ok: false; reason: string };

/** `/opsight silence …` or the Silence form: scope by an alert (its labels) or by rule/metric and labels. */
export interface SilenceRequest {
  /** The alert (group id) whose labels scope the silence; or… */
  alertId?: string;
  /** …a rule id or metric id, plus optional label matchers (`region=EU`). */
  target?: string;
  matchers?: Record<string, string>;
  durationMs: number;
  reason: string;
}

/** What a person can do on an alert card (implemented over detect/ and act/). */
export interface AlertServices {
  acknowledge(alertId: string, actor: AlertActor): Promise<AlertOutcome>;
  silence(request: SilenceRequest, actor: AlertActor): Promise<AlertOutcome>;
  /** A suggested action's button: goes through the one action interface (act/). */
  requestAction(alertId: string, actionId: string, actor: AlertActor): Promise<AlertOutcome>;
  /** A short description of the alert for the Silence form's title ("Checkout errors on adyen · EU"). */
  describe(alertId: string): Promise<string | undefined>;
}

/** The product behind the bot, implemented in main.ts (slack/ sits above ask/detect/act). */
export interface SlackServices {
  ask(question: string, ctx: AskContext): Promise<AskReply>;
  status(): Promise<StatusReport>;
  home(userId: string): Promise<HomeReport>;
  alerts: AlertServices;
}

/** A person's time zone (users.info), for time words and dates; the default when unknown. */
export type ZoneOf = (userId: string) => Promise<string>;

export interface ListenerDeps {
  services: SlackServices;
  messenger: Messenger;
  /** Bolt's client, for calls that must not queue behind messages (views.open within a trigger's 3 s). */
  client: WebClient;
  zoneOf: ZoneOf;
  answers: RecentAnswers<{ question: string; result: AskResult }>;
  /** The last answered plan per thread (or DM), so follow-ups inherit it. */
  threads: Map<string, PreviousAnswer>;
  log: Logger;
  metrics: Metrics;
  /** How long before a "working on it" placeholder appears. @default 1000 */
  workingDelayMs: number;
  now: () => Date;
}
