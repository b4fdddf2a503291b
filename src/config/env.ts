import { z } from 'zod';
import { OpsightError } from '../errors.js';

/**
 * Environment → Config. Pure: takes the env object, returns a frozen Config with every
 * default from BRIEF.md resolved, or throws one error listing every bad variable.
 * Only this module reads environment variables (main.ts passes process.env in).
 */

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  OPSIGHT_DATA_DIR: z.string().default('./data'),
  CLICKHOUSE_URL: optionalString.pipe(z.url({ message: 'expected a URL such as http://localhost:8123' }).optional()),
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: z.string().default('https://slack.com/api/'),
  OPSIGHT_RULES_DIR: z.string().default('./rules'),
  OPSIGHT_TOOLS_DIR: z.string().default('./tools'),
  OPSIGHT_PROMPTS_DIR: z.string().default('./prompts'),
  OPSIGHT_INGEST_TOKEN: optionalString,
  OPSIGHT_DEMO: z.enum(['0', '1', 'true', 'false', 'on', 'off'], { message: 'expected 0 or 1' }).default('1'),
  OPSIGHT_DEMO_RATE: z.coerce.number().positive({ message: 'expected events per second > 0' }).default(10),
  OPSIGHT_DEMO_SEED: z.coerce.number().int().default(42),
  OPSIGHT_DEMO_BACKFILL: z
    .string()
    .regex(/^(0|\d+(m|h|d))$/, { message: 'expected a duration such as 2d, 12h or 0 (off)' })
    .default('2d'),
  OPSIGHT_TZ: z.string().default('UTC'),
  OPSIGHT_PSEUDONYM_KEY: optionalString,
  OPSIGHT_RAW_TTL_DAYS: z.coerce.number().int().min(1).default(90),
  OPSIGHT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  OPENAI_MODEL: optionalString,
  KAFKA_BROKERS: optionalString,
  KAFKA_TOPICS: optionalString,
  KAFKA_GROUP_ID: optionalString,
});

export type StoreConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'server'; url: string; username: string; password: string; database: string };

export type SlackConfig =
  | { mode: 'sandbox'; apiUrl: string }
  | { mode: 'http'; apiUrl: string; botToken: string; signingSecret: string }
  | { mode: 'socket'; apiUrl: string; botToken: string; appToken: string };

export interface Config {
  readonly port: number;
  readonly store: StoreConfig;
  /** Local state (pseudonym key; the embedded store too, unless CLICKHOUSE_URL is set). */
  readonly dataDir: string;
  readonly slack: SlackConfig;
  readonly rulesDir: string;
  readonly toolsDir: string;
  readonly promptsDir: string;
  /** Bearer token required on POST /v1/events; undefined = open. */
  readonly ingestToken: string | undefined;
  /** backfillMs: demo history written at a start that finds the store empty (0 = none). */
  readonly demo: { enabled: boolean; eventsPerSecond: number; seed: number; backfillMs: number };
  readonly timeZone: string;
  /** undefined = generate one and keep it in the data dir (see store/pseudonym-key.ts). */
  readonly pseudonymKey: string | undefined;
  readonly rawTtlDays: number;
  readonly logLevel: string;
  readonly llm: { apiKey: string | undefined; baseUrl: string | undefined; model: string } | undefined;
  readonly kafka: { brokers: string[]; topics: string[]; groupId: string } | undefined;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An IANA zone name, for every edge that takes one (API bodies, prompt files). */
export const timeZoneSchema = z.string().refine(isValidTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' });

export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`PORT=` in a unit or compose file) counts as unset, for every variable.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== '')) as Record<string, string>;
  const parsed = envSchema.safeParse(set);
  // Schema problems and cross-field problems are reported together: one error, every variable.
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  const tz = set.OPSIGHT_TZ ?? 'UTC';
  if (!isValidTimeZone(tz)) problems.push(`  OPSIGHT_TZ: "${tz}" is not an IANA time zone (e.g. Europe/Berlin)`);
  if (set.SLACK_BOT_TOKEN && !set.SLACK_APP_TOKEN && !set.SLACK_SIGNING_SECRET) {
    problems.push('  SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode): set one of them, or unset SLACK_BOT_TOKEN to use the local sandbox');
  }
  if (!set.SLACK_BOT_TOKEN && (set.SLACK_APP_TOKEN || set.SLACK_SIGNING_SECRET)) {
    problems.push('  SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set (xoxb-… from the app\'s OAuth page); unset both to use the local sandbox');
  }
  if (set.KAFKA_BROKERS && !set.KAFKA_TOPICS) problems.push('  KAFKA_TOPICS: required when KAFKA_BROKERS is set (comma-separated topic names)');
  if (!parsed.success || problems.length > 0) {
    throw new OpsightError('opsight_config_invalid', `Invalid environment:\n${problems.join('\n')}`);
  }
  const e = parsed.data;

  const store: StoreConfig = e.CLICKHOUSE_URL
    ? {
        kind: 'server',
        url: e.CLICKHOUSE_URL,
        username: e.CLICKHOUSE_USER ?? 'default',
        password: e.CLICKHOUSE_PASSWORD ?? '',
        database: e.CLICKHOUSE_DATABASE ?? 'default',
      }
    : { kind: 'embedded', dataDir: e.OPSIGHT_DATA_DIR };

  let slack: SlackConfig = { mode: 'sandbox', apiUrl: e.SLACK_API_URL };
  if (e.SLACK_BOT_TOKEN && e.SLACK_APP_TOKEN) {
    slack = { mode: 'socket', apiUrl: e.SLACK_API_URL, botToken: e.SLACK_BOT_TOKEN, appToken: e.SLACK_APP_TOKEN };
  } else if (e.SLACK_BOT_TOKEN && e.SLACK_SIGNING_SECRET) {
    slack = { mode: 'http', apiUrl: e.SLACK_API_URL, botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET };
  }

  let kafka: Config['kafka'];
  if (e.KAFKA_BROKERS) {
    kafka = {
      brokers: e.KAFKA_BROKERS.split(',').map((s) => s.trim()).filter(Boolean),
      topics: (e.KAFKA_TOPICS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      groupId: e.KAFKA_GROUP_ID ?? 'opsight',
    };
  }

  const demoOn = !['0', 'false', 'off'].includes(e.OPSIGHT_DEMO);
  return Object.freeze({
    port: e.PORT,
    store,
    dataDir: e.OPSIGHT_DATA_DIR,
    slack,
    rulesDir: e.OPSIGHT_RULES_DIR,
    toolsDir: e.OPSIGHT_TOOLS_DIR,
    promptsDir: e.OPSIGHT_PROMPTS_DIR,
    ingestToken: e.OPSIGHT_INGEST_TOKEN,
    demo: { enabled: demoOn, eventsPerSecond: e.OPSIGHT_DEMO_RATE, seed: e.OPSIGHT_DEMO_SEED, backfillMs: durationMs(e.OPSIGHT_DEMO_BACKFILL) },
    timeZone: e.OPSIGHT_TZ,
    pseudonymKey: e.OPSIGHT_PSEUDONYM_KEY,
    rawTtlDays: e.OPSIGHT_RAW_TTL_DAYS,
    logLevel: e.OPSIGHT_LOG_LEVEL,
    llm:
      e.OPENAI_API_KEY || e.OPENAI_BASE_URL
        ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL ?? 'gpt-4o-mini' }
        : undefined,
    kafka,
  });
}

function durationMs(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text);
  if (!m) return 0;
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
