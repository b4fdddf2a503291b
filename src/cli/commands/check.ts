import { existsSync } from 'node:fs';
import { formatProblem } from '../../config/index.js';
import { join } from 'node:path';
import { checkAccessPolicy } from '../../access/index.js';
import { checkAlertConfig } from '../../alert-config.js';
import { checkCatalog, loadCatalog } from '../../semantic/index.js';
import type { CliContext } from '../context.js';

/** Validates every config file; exit 1 with every problem listed (file:line field: what). */
export async function checkCommand(_argv: string[], ctx: CliContext): Promise<number> {
  const problems = checkCatalog(ctx.config.rulesDir);
  // Restricted metric ids are checked against the catalog only when the catalog itself loads;
  // otherwise every metric would be reported twice.
  const metrics = problems.length === 0 ? new Set(Object.keys(loadCatalog(ctx.config.rulesDir).metrics)) : undefined;
  if (metrics) problems.push(...checkAccessPolicy(ctx.config.rulesDir, metrics));
  if (metrics) problems.push(...checkAlertConfig(ctx.config.rulesDir, ctx.config.toolsDir, loadCatalog(ctx.config.rulesDir)));
  const lines = problems.map(formatProblem);
  for (const dir of [ctx.config.rulesDir, ctx.config.toolsDir, ctx.config.promptsDir]) {
    if (!existsSync(dir)) lines.push(`${dir}: directory not found (set OPSIGHT_RULES_DIR / OPSIGHT_TOOLS_DIR / OPSIGHT_PROMPTS_DIR)`);
  }
  if (lines.length > 0) {
    ctx.err.write(`✗ ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n  ${lines.join('\n  ')}\n`);
    return 1;
  }
  const access = join(ctx.config.rulesDir, 'access.yaml');
  const accessNote = existsSync(access) ? `, ${access}` : ` (no ${access}: everyone may ask, nobody may approve)`;
  ctx.out.write(`✓ configuration is valid (environment, ${ctx.config.rulesDir}/metrics.yaml${accessNote}, ${ctx.config.rulesDir}/alerts/, ${ctx.config.toolsDir}/)\n`);
  return 0;
}
