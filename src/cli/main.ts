import { OpsightError, asOpsightError } from '../errors.js';
import { loadConfig, type Config } from '../config/index.js';
import { createLogger } from '../ops/index.js';
import type { CliContext } from './context.js';
import { askCommand } from './commands/ask.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { queryCommand } from './commands/query.js';
import { replayCommand } from './commands/replay.js';
import { startCommand } from './commands/start.js';

const HELP = `opsight — a conversational ops assistant on streaming ClickHouse rollups

Usage: opsight <command> [options]   (opsight <command> --help for details)

Commands:
  start                      run the product: HTTP ingest, rollups, live demo stream (PORT, default 3000)
  check                      validate the environment and rules/; exit 1 listing every problem
  query --plan JSON [--json] run a question plan against the rollups
  ask [--json] "question"     answer a question in plain language (--now ISO, --tz ZONE)
  replay FILE                ingest an NDJSON/JSON/CSV file of events, with progress
  demo --backfill 30d        fill history with demo data;  demo --incidents  lists injected incidents

While an opsight is running, query/replay/demo go through its HTTP API on PORT (it owns the
embedded store); otherwise they open the store (OPSIGHT_DATA_DIR) themselves.`;

const COMMANDS: Record<string, (argv: string[], ctx: CliContext) => Promise<number>> = {
  start: startCommand,
  check: checkCommand,
  query: queryCommand,
  ask: askCommand,
  replay: replayCommand,
  demo: demoCommand,
};

export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    process.stderr.write(`${asOpsightError(err).message}\n`);
    return 1;
  }
  // The product logs info to stdout; CLI commands keep stdout for their output.
  const log = command === 'start'
    ? createLogger({ level: config.logLevel })
    : createLogger({ level: env.OPSIGHT_LOG_LEVEL ?? 'warn', destination: 'stderr' });
  const ctx: CliContext = { config, log, out: process.stdout, err: process.stderr };
  try {
    return await run(rest, ctx);
  } catch (raw) {
    const err = asOpsightError(raw);
    process.stderr.write(`${err.code === 'opsight_cli_usage' ? '' : 'error: '}${err.message}\n`);
    if (err.code === 'opsight_unknown' && raw instanceof Error && raw.stack && env.OPSIGHT_DEBUG) process.stderr.write(`${raw.stack}\n`);
    return err.code === 'opsight_cli_usage' ? 2 : 1;
  }
}

export { OpsightError };
