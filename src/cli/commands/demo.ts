import { OpsightError } from '../../errors.js';
import { createProgressWriter, demoIncidents, pushDemoHistory, type DemoHistoryProgress, type Incident } from '../../ingest/index.js';
import { parse, parseDuration, parseInstant } from '../args.js';
import { withEventSink, type CliContext } from '../context.js';
import { formatTable } from '../table.js';

const USAGE = `Usage:
  opsight demo --backfill 30d [--rate N] [--seed N]
      Fills history: generates the demo stream for the last 30d (any of 90m, 12h, 30d, 2w) and
      ingests it. Same seed and rate as the live stream (OPSIGHT_DEMO_SEED, OPSIGHT_DEMO_RATE),
      so history and live data line up; re-running ingests nothing twice.
  opsight demo --incidents [--from ISO] [--to ISO] [--seed N] [--json]
      Lists the incidents the demo injects (default: the last 30 days and the next one).`;

export async function demoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(
    argv,
    {
      backfill: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      incidents: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help || (!values.backfill && !values.incidents)) {
    ctx.out.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const seed = values.seed !== undefined ? Number(values.seed) : ctx.config.demo.seed;
  if (!Number.isInteger(seed)) throw new OpsightError('opsight_cli_usage', '--seed must be an integer');
  const now = Date.now();

  if (values.incidents) {
    const from = values.from ? parseInstant(values.from, '--from') : now - 30 * 86_400_000;
    const to = values.to ? parseInstant(values.to, '--to') : now + 86_400_000;
    const incidents = demoIncidents(seed, from, to);
    ctx.out.write(values.json ? `${JSON.stringify(incidents, null, 2)}\n` : `${formatTable(incidents.map(incidentRow))}\n`);
    return 0;
  }

  const durationMs = parseDuration(values.backfill!);
  const rate = values.rate !== undefined ? Number(values.rate) : ctx.config.demo.eventsPerSecond;
  if (!(rate > 0)) throw new OpsightError('opsight_cli_usage', '--rate must be a positive number of events per second');
  const fromMs = now - durationMs;
  return withEventSink(ctx, async (sink, where) => {
    ctx.err.write(`Backfilling ${values.backfill} of demo data (~${rate} events/s, seed ${seed}) into ${where}\n`);
    const progress = createProgressWriter(ctx.err, { label: 'backfill', unit: 'items', itemName: 'events' });
    const snapshot = (p: DemoHistoryProgress, total: number) => ({ done: p.events, total, items: p.events, rejected: p.rejected });
    const { events, rejected } = await pushDemoHistory(sink, { seed, eventsPerSecond: rate, fromMs, toMs: now }, (p) => progress.update(snapshot(p, Math.max(p.expected, p.events))));
    progress.done({ done: events, total: events, items: events, rejected });
    ctx.out.write(`${events} demo events from ${new Date(fromMs).toISOString()} to ${new Date(now).toISOString()} (${rejected} rejected)\n`);
    return 0;
  });
}

function incidentRow(i: Incident): Record<string, unknown> {
  return {
    id: i.id,
    start: new Date(i.startMs).toISOString(),
    end: new Date(i.endMs).toISOString(),
    metric: i.metric,
    segment: Object.entries(i.segment).map(([k, v]) => `${k}=${v}`).join(' '),
    title: i.title,
  };
}
