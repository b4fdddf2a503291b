import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A TCP port nobody listens on right now, for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const OPSIGHT_BIN = join(import.meta.dirname, '../../bin/opsight.js');

export interface OpsightRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `opsight ARGS` as a user would (the real bin, a child process) with the demo off. */
export function runOpsight(args: readonly string[], env: Record<string, string>): Promise<OpsightRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [OPSIGHT_BIN, ...args], { env: { ...process.env, OPSIGHT_DEMO: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
