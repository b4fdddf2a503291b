import { randomUUID } from 'node:crypto';
import { suggestActions, unavailableGateway, type ActionGateway, type ToolCatalog } from './act/index.js';
import type { RoleResolver } from './access/index.js';
import { renderPng, trendSpec } from './charts/index.js';
import { drilldown, fillTemplate, type AlertEngine, type AlertGroup, type AlertNotifier, type AlertReader, type GroupMember, type LifecycleEffect, type Segment } from './detect/index.js';
import type { Logger } from './ops/index.js';
import type { Catalog } from './semantic/index.js';
import { alertCard, alertThreadReply, type AlertCardInput } from './slack/blocks/index.js';
import type { AlertServices, Messenger } from './slack/index.js';
import { insertActionRequest, type Store } from './store/index.js';

/**
 * Alerts meet Slack here: the notifier turns lifecycle effects into cards (posted, edited in
 * place, a thread reply per change, the chart in the thread) and the services take people's
 * clicks (acknowledge, silence, suggested actions) with the roles of rules/access.yaml.
 * Composed at the top because it spans detect/, act/, access/ and slack/.
 */
export interface AlertingDeps {
  engine: AlertEngine;
  store: Store;
  catalog: Catalog;
  tools: ToolCatalog;
  gateway: ActionGateway;
  roles: RoleResolver;
  log: Logger;
  /** Cards are channel-wide: their times are shown in the workspace's default zone. */
  timeZone: string;
}

/** Drill-down is a few queries: done when a card is posted and refreshed at most this often. */
const SEGMENTS_TTL_MS = 60_000;
const CHART_POINTS = 180;

function worstMember(group: AlertGroup): GroupMember | undefined {
  const members = Object.values(group.members);
  const rank = (m: GroupMember) => (m.phase === 'firing' ? 2 : m.phase === 'pending' ? 1 : 0);
  return members.sort((a, b) => rank(b) - rank(a) || (b.peak?.score ?? 0) - (a.peak?.score ?? 0))[0];
}

export function createAlerting(d: AlertingDeps): { notifier(messenger: Messenger): AlertNotifier; services: AlertServices } {
  const segmentsCache = new Map<string, { at: number; segments: Segment[] }>();

  async function segmentsOf(group: AlertGroup, reader: AlertReader): Promise<Segment[]> {
    const cached = segmentsCache.get(group.id);
    const now = reader.now();
    if (cached && (group.status === 'resolved' || now - cached.at < SEGMENTS_TTL_MS)) return cached.segments;
    const rule = reader.rule(group.ruleId);
    const worst = worstMember(group);
    if (!rule || !worst) return [];
    const filters: Record<string, readonly string[]> = { ...rule.filters };
    for (const [k, v] of Object.entries(group.labels)) filters[k] = [v];
    const up = (worst.peak?.value ?? 0) >= (worst.peak?.expected?.center ?? 0);
    let segments: Segment[] = [];
    try {
      segments = await drilldown(d.store, d.catalog, {
        metric: rule.metric,
        filters,
        fromMs: group.since,
        toMs: Math.max(group.since + 60_000, Math.min(now, group.resolvedAt ?? now)),
        sign: up ? 1 : -1,
      });
    } catch (err) {
      d.log.warn({ module: 'alerting', err, alert: group.id }, 'drill-down failed; the card goes out without segments');
    }
    segmentsCache.set(group.id, { at: now, segments });
    return segments;
  }

  function suggestionsOf(group: AlertGroup, reader: AlertReader) {
    const rule = reader.rule(group.ruleId);
    const worst = worstMember(group);
    if (!rule || !worst) return [];
    return suggestActions(rule.actions, { ...group.labels, ...worst.labels }, d.tools);
  }

  async function cardInput(group: AlertGroup, reader: AlertReader): Promise<AlertCardInput | undefined> {
    const rule = reader.rule(group.ruleId);
    const metric = rule ? d.catalog.metrics[rule.metric] : undefined;
    const worst = worstMember(group);
    if (!rule || !metric || !worst) return undefined;
    const where: Record<string, string> = {};
    for (const [k, v] of Object.entries(rule.filters)) if (v.length === 1) where[k] = v[0]!;
    Object.assign(where, group.labels, Object.keys(group.members).length === 1 ? worst.labels : {});
    const silence = group.suppressed?.kind === 'silence' ? reader.book().silences.find((s) => s.id === (group.suppressed as { silenceId: string }).silenceId) : undefined;
    const point = worst.last ?? worst.peak;
    return {
      id: group.id,
      title: fillTemplate(rule.title, { ...worst.labels, metric: metric.label, rule: rule.id }),
      severity: rule.severity,
      status: group.status,
      metric: { id: metric.id, label: metric.label, unit: metric.unit, direction: metric.direction },
      where,
      value: point?.value ?? null,
      expected: point?.expected ?? worst.peak?.expected ?? null,
      since: new Date(group.since),
      ...(group.resolvedAt !== null ? { resolvedAt: new Date(group.resolvedAt) } : {}),
      series: Object.values(group.members).map((m) => ({
        labels: { ...m.labels },
        value: m.last?.value ?? null,
        expected: m.last?.expected ?? null,
        phase: m.phase === 'ok' ? 'resolved' : m.phase,
      })),
      segments: (await segmentsOf(group, reader)).map((s) => ({ ...s })),
      actions: suggestionsOf(group, reader).map((a) => ({ id: a.id, label: a.title, description: a.description, ...(a.risk === 'high' ? { style: 'danger' as const } : {}) })),
      actionsAvailable: d.gateway.available,
      mention: [...rule.mention],
      ...(group.ack ? { ack: { by: group.ack.by, at: new Date(group.ack.at) } } : {}),
      ...(silence ? { silence: { by: silence.createdBy, until: new Date(silence.endsAt), reason: silence.reason } } : {}),
      ...(group.suppressed?.kind === 'maintenance' ? { maintenance: group.suppressed.reason } : {}),
      ...(group.reopened > 0 ? { reopened: group.reopened } : {}),
      now: new Date(reader.now()),
      timeZone: d.timeZone,
      ruleId: rule.id,
    };
  }

  async function chartOf(group: AlertGroup, input: AlertCardInput, reader: AlertReader): Promise<{ png: Buffer; title: string; altText: string } | undefined> {
    const worst = worstMember(group);
    if (!worst) return undefined;
    const history = reader.history(group.ruleId, worst.seriesKey).slice(-CHART_POINTS);
    if (history.length < 2) return undefined;
    const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
    const name = Object.values(worst.labels).join(' · ') || input.metric.label;
    const spec = trendSpec({
      title: input.title,
      subtitle: `${input.metric.label}: actual vs expected band`,
      unit: input.metric.unit,
      series: [{ name, points: history.map((p) => ({ t: iso(p.t), value: p.value })) }],
      band: { points: history.filter((p) => p.expected && Number.isFinite(p.expected.lower) && Number.isFinite(p.expected.upper)).map((p) => ({ t: iso(p.t), lower: p.expected!.lower, upper: p.expected!.upper })) },
      timeZone: d.timeZone,
    });
    return { png: await renderPng(spec), title: input.title.slice(0, 200), altText: `${input.metric.label} for ${name} over the last ${history.length} minutes against its expected band`.slice(0, 1000) };
  }

  function notifier(messenger: Messenger): AlertNotifier {
    return {
      async apply(effects: readonly LifecycleEffect[], reader: AlertReader) {
        const posted: Array<{ groupId: string; channel: string; ts: string }> = [];
        const updated = new Set<string>();
        for (const e of effects) {
          const group = reader.group(e.groupId);
          const rule = group ? reader.rule(group.ruleId) : undefined;
          if (!group || !rule) continue;
          try {
            const input = await cardInput(group, reader);
            if (!input) continue;
            const message = posted.find((p) => p.groupId === group.id) ?? group.message;
            if (e.kind === 'post') {
              const { ts } = await messenger.post(rule.channel, alertCard(input));
              posted.push({ groupId: group.id, channel: rule.channel, ts });
              // The chart follows in the thread: the card is out first, the picture a moment later.
              const chart = await chartOf(group, input, reader).catch((err: unknown) => {
                d.log.warn({ module: 'alerting', err }, 'alert chart failed; the card stands without it');
                return undefined;
              });
              if (chart) await messenger.uploadPng(rule.channel, { filename: 'alert.png', ...chart }, { threadTs: ts });
            } else if (!message) {
              continue; // not posted (suppressed or failed): nothing to edit or reply to yet
            } else if (e.kind === 'update') {
              if (updated.has(group.id)) continue; // one edit per cycle shows the latest state
              updated.add(group.id);
              await messenger.update(message.channel, message.ts, alertCard(input));
            } else {
              const member = e.seriesKey !== undefined ? group.members[e.seriesKey] : undefined;
              const reply = alertThreadReply(e.change, input, { ...(member ? { seriesLabels: { ...member.labels } } : {}), ...(e.by ? { by: e.by } : {}) });
              await messenger.post(message.channel, reply, { threadTs: message.ts });
            }
          } catch (err) {
            d.log.error({ module: 'alerting', err, alert: group.id, effect: e.kind }, 'could not deliver an alert notification');
          }
        }
        return posted;
      },
    };
  }

  const services: AlertServices = {
    async acknowledge(alertId, actor) {
      const may = await d.roles.may(actor.userId, 'acknowledge', { channelId: actor.channelId, isDirect: actor.channelId.startsWith('D') });
      if (!may.allowed) return { ok: false, reason: may.reason };
      const r = await d.engine.acknowledge(alertId, actor.userId);
      return r.refused ? { ok: false, reason: r.refused } : { ok: true, message: 'Acknowledged.' };
    },

    async silence(req, actor) {
      const may = await d.roles.may(actor.userId, 'silence', { channelId: actor.channelId, isDirect: actor.channelId.startsWith('D') });
      if (!may.allowed) return { ok: false, reason: may.reason };
      let matchers: Record<string, string>;
      if (req.alertId !== undefined) {
        const group = d.engine.group(req.alertId);
        const rule = group ? d.engine.rule(group.ruleId) : undefined;
        if (!group || !rule) return { ok: false, reason: 'I no longer know that alert (it resolved more than a day ago); silence it with `/opsight silence <rule> …`.' };
        // Scoped to what the card is about: the rule and the group's labels (all its series).
        matchers = { rule: rule.id, ...group.labels };
      } else {
        const target = req.target ?? '';
        const byRule = d.engine.rules.find((r) => r.id === target);
        if (!byRule && !d.catalog.metrics[target]) {
          return { ok: false, reason: `I know no alert rule or metric called \`${target}\`. Rules: ${d.engine.rules.map((r) => `\`${r.id}\``).join(', ')}.` };
        }
        matchers = { ...(byRule ? { rule: byRule.id } : { metric: target }), ...(req.matchers ?? {}) };
      }
      if (!(req.durationMs > 0) || req.durationMs > 7 * 86_400_000) return { ok: false, reason: 'A silence lasts between a minute and 7 days.' };
      const reason = req.reason.trim();
      if (reason === '') return { ok: false, reason: 'Say why you silence it: the card and the thread show it to the team.' };
      const now = d.engine.now();
      const silence = { id: randomUUID(), matchers, startsAt: now, endsAt: now + req.durationMs, createdBy: actor.userId, reason };
      const r = await d.engine.silence(silence);
      if (r.refused) return { ok: false, reason: r.refused };
      const scope = Object.entries(matchers).map(([k, v]) => `${k}=${v}`).join(', ');
      return { ok: true, message: `Silenced ${scope} until <!date^${Math.floor(silence.endsAt / 1000)}^{date_short_pretty} {time}|${new Date(silence.endsAt).toISOString()}>: ${reason}` };
    },

    async requestAction(alertId, actionId, actor) {
      const group = d.engine.group(alertId);
      if (!group) return { ok: false, reason: 'I no longer know that alert (it resolved more than a day ago).' };
      const action = suggestionsOf(group, d.engine).find((a) => a.id === actionId);
      if (!action) return { ok: false, reason: 'That action is no longer suggested for this alert (its rule changed).' };
      const result = await d.gateway.request({ action, alertId, requestedBy: actor.userId, channelId: actor.channelId, at: new Date() });
      if (result.error) d.log.warn({ module: 'alerting', err: result.error }, 'action request not recorded');
      return { ok: true, message: result.message };
    },

    async describe(alertId) {
      const group = d.engine.group(alertId);
      const rule = group ? d.engine.rule(group.ruleId) : undefined;
      if (!group || !rule) return undefined;
      const worst = worstMember(group);
      return fillTemplate(rule.title, { ...(worst?.labels ?? {}), ...group.labels, rule: rule.id });
    },
  };

  return { notifier, services };
}

/** Today's gateway: nothing runs; every request is kept in alert_action_requests. */
export function recordingGateway(store: Store, engine: AlertReader): ActionGateway {
  return unavailableGateway(async (req) => {
    const group = engine.group(req.alertId);
    await insertActionRequest(store, {
      at: req.at,
      alertId: req.alertId,
      ruleId: group?.ruleId ?? '',
      tool: req.action.toolId,
      params: req.action.params,
      requestedBy: req.requestedBy,
      channel: req.channelId,
      status: 'unavailable',
      message: 'automations are not enabled',
    });
  });
}
