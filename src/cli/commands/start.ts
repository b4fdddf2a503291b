import { startOpsight } from '../../main.js';
import type { CliContext } from '../context.js';

/** Runs the product until SIGINT/SIGTERM, then shuts down flushing every buffered event. */
export async function startCommand(_argv: string[], ctx: CliContext): Promise<number> {
  const app = await startOpsight(ctx.config, ctx.log);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      ctx.log.info({ module: 'main', signal }, 'signal received');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await app.stop();
  return 0;
}
