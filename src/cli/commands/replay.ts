import { OpsightError } from '../../errors.js';
import { createProgressWriter, replayFile } from '../../ingest/index.js';
import { parse } from '../args.js';
import { withEventSink, type CliContext } from '../context.js';

const USAGE = `Usage: opsight replay FILE [--batch N]

Ingests a file of events (NDJSON, a JSON array, or CSV with columns id,ts,type,source,user_id,
dims.<name>,measures.<name>) through the same validation as POST /v1/events. Bad lines go to
dead letters with their line number; re-replaying a file ingests nothing twice (ids dedupe).`;

export async function replayCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, { batch: { type: 'string' }, help: { type: 'boolean' } }, USAGE);
  if (values.help) {
    ctx.out.write(`${USAGE}\n`);
    return 0;
  }
  const file = positionals[0];
  if (!file) throw new OpsightError('opsight_cli_usage', `FILE is required\n\n${USAGE}`);
  const batchSize = values.batch ? Number(values.batch) : 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OpsightError('opsight_cli_usage', '--batch must be a positive integer');
  return withEventSink(ctx, async (sink, where) => {
    ctx.err.write(`Replaying ${file} into ${where}\n`);
    const progress = createProgressWriter(ctx.err, { label: 'replay' });
    const snapshot = (p: { bytesRead: number; totalBytes: number; lines: number; rejected: number }) => ({ done: p.bytesRead, total: p.totalBytes, items: p.lines, rejected: p.rejected });
    const result = await replayFile(file, sink, { batchSize, onProgress: (p) => progress.update(snapshot(p)) });
    progress.done(snapshot(result));
    ctx.out.write(`${result.lines} lines: ${result.accepted} accepted, ${result.rejected} rejected (see the dead_letters table)\n`);
    return 0;
  });
}
