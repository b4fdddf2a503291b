import { readFileSync } from 'node:fs';
import type { RoleResolver } from './access/index.js';
import { answerChart, askAudited, recordQuestion, type QuestionPlanner } from './ask/index.js';
import { renderPng } from './charts/index.js';
import type { Config } from './config/index.js';
import type { IngestPipeline } from './ingest/index.js';
import type { Logger, Metrics } from './ops/index.js';
import { latestRollupMinute, type Catalog } from './semantic/index.js';
import type { AlertEngine } from './detect/index.js';
import type { AlertServices, AskReply, HomeReport, SlackServices, StatusReport } from './slack/index.js';
import type { Store } from './store/index.js';

/**
 * What the Slack surface calls: questions (with access checks and a chart), status and the
 * Home tab. Composed here because it spans stages that slack/ must not reach into (store).
 */
export interface ServicesDeps {
  config: Config;
  store: Store;
  catalog: Catalog;
  planner: QuestionPlanner;
  pipeline: IngestPipeline;
  metrics: Metrics;
  roles: RoleResolver;
  /** Metric ids restricted in rules/access.yaml: free-form SQL could read any of them. */
  restrictedMetrics: readonly string[];
  /** The alert engine (the Home tab lists its alerts) and what people can do on its cards. */
  alerts: AlertEngine;
  alerting: AlertServices;
  log: Logger;
  startedAtMs: number;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function createSlackServices(d: ServicesDeps): SlackServices {
  return {
    async ask(question, ctx): Promise<AskReply> {
      const place = { channelId: ctx.channelId, isDirect: ctx.channelId.startsWith('D') || ctx.channelId === ctx.userId };
      const may = await d.roles.may(ctx.userId, 'ask', place);
      if (!may.allowed) {
        // Refused before any planning, and still on the record like every other question.
        const entry = { at: new Date(), surface: 'slack' as const, userId: ctx.userId, channel: ctx.channelId, question, status: 'refused', metric: '', plan: null, sql: '', rows: 0, latencyMs: 0, error: '' };
        await recordQuestion(d.store, entry, d.log);
        return { result: { plan: null, sql: null, rows: [], answer: may.reason, status: 'refused', reason: may.reason }, unit: 'count', asOf: undefined };
      }
      let context: AskReply['context'];
      const planCtx = { now: ctx.now, tz: ctx.timeZone, ...(ctx.previous ? { previous: ctx.previous } : {}) };
      const asker = { surface: 'slack' as const, userId: ctx.userId, channel: ctx.channelId };
      const result = await askAudited(d.store, d.catalog, d.planner, question, planCtx, asker, d.log, {
        onPlanned: (o) => {
          if (o.status === 'answered') context = { plan: o.plan, period: o.period, ...(o.comparePeriod ? { comparePeriod: o.comparePeriod } : {}) };
        },
        guardSql: async () => {
          const denied: string[] = [];
          for (const m of d.restrictedMetrics) if (!(await d.roles.mayReadMetric(ctx.userId, m, place)).allowed) denied.push(m);
          return denied.length === 0
            ? undefined
            : `I could only answer that with a query of my own over the raw rollups, which can reach metrics shared with some roles only (${denied.join(', ')}). Try a question about one metric from the catalog, e.g. "orders yesterday by channel".`;
        },
        guard: async (plan) => {
          const read = await d.roles.mayReadMetric(ctx.userId, plan.metric, place);
          return read.allowed ? undefined : read.reason;
        },
      });
      const metric = result.plan ? d.catalog.metrics[result.plan.metric] : undefined;
      const unit = metric?.unit ?? 'count';
      const asOf = result.status === 'answered' ? ((await latestRollupMinute(d.store)) ?? undefined) : undefined;
      const reply: AskReply = { result, unit, asOf, ...(context && result.status === 'answered' ? { context } : {}) };
      if (result.plan && metric) {
        const spec = answerChart(result.plan, result.rows, { metricLabel: metric.label, unit, timeZone: ctx.timeZone });
        if (spec) {
          try {
            reply.chart = { png: await renderPng(spec), title: `${metric.label} — ${question}`.slice(0, 200), altText: result.answer.slice(0, 1000) };
          } catch (err) {
            // The number and table are the answer; a chart that fails to draw is left out, not fatal.
            d.log.warn({ module: 'services', err }, 'chart rendering failed; answering without it');
          }
        }
      }
      return reply;
    },

    async status(): Promise<StatusReport> {
      const accepted = (await d.metrics.eventsAccepted.get()).values.reduce((sum, v) => sum + v.value, 0);
      return {
        version: VERSION,
        uptimeSec: Math.round((Date.now() - d.startedAtMs) / 1000),
        store: { ok: await d.store.ping(), kind: d.config.store.kind === 'embedded' ? 'embedded chDB' : 'ClickHouse server' },
        ingest: { queueDepth: d.pipeline.queued, lagSeconds: Math.round(d.pipeline.lagMs() / 1000), eventsAccepted: accepted },
        slackMode: d.config.slack.mode,
        demo: d.config.demo.enabled,
      };
    },

    // Approvals and digests arrive with their issues; until then the Home tab shows their
    // honest empty states. Alerts: open ones and those resolved in the last day.
    async home(): Promise<HomeReport> {
      const groups = Object.values(d.alerts.book().groups).filter((g) => !g.suppressed);
      const alerts = await Promise.all(
        groups.map(async (g) => {
          const title = (await d.alerting.describe(g.id)) ?? g.ruleId;
          return {
            title: g.status === 'resolved' ? `✅ ${title} (resolved)` : g.ack ? `${title} (acknowledged)` : title,
            severity: d.alerts.rule(g.ruleId)?.severity ?? 'warning',
            since: new Date(g.since),
          };
        }),
      );
      return { alerts, approvals: [], digests: [] };
    },

    alerts: d.alerting,
  };
}
