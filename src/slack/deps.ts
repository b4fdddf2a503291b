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

/** The product behind the bot, implemented in main.ts (slack/ sits above ask/detect/act). */
export interface SlackServices {
  ask(question: string, ctx: AskContext): Promise<AskReply>;
  status(): Promise<StatusReport>;
  home(userId: string): Promise<HomeReport>;
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
