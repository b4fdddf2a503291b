/**
 * npm run bench:questions [-- --file ../shared/eval/questions/dev.jsonl] [--parallel 2] [--runs 100]
 *
 * Runs every question through the real CLI, `opsight ask --json --now NOW --tz TZ "Q"`, and
 * scores the plan per eval/questions/README.md: metric, grain and top equal; by as a set;
 * filters as a map of sets (values case-insensitive); from/to and compare_from/compare_to
 * the same instants (the compare label is not scored); expect_status lines are right when
 * the status is one of those listed. Each CLI run gets a temp OPSIGHT_DATA_DIR, OPSIGHT_DEMO=0
 * and a free PORT, so it never talks to a running opsight. Planner latency is measured in
 * this process (the same planner the CLI uses), all questions × --runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPlanner } from '../src/ask/index.js';
import { loadCatalog } from '../src/semantic/index.js';
import { quantile } from './lib.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { file: { type: 'string' }, parallel: { type: 'string' }, runs: { type: 'string' } },
  strict: true,
});
const FILE = resolve(ROOT, values.file ?? '../shared/eval/questions/dev.jsonl');
const PARALLEL = Math.max(1, Number(values.parallel ?? 2));
const RUNS = Math.max(1, Number(values.runs ?? 100));

interface Expected {
  metric: string;
  by: string[];
  filters: Record<string, string[]>;
  from: string;
  to: string;
  grain: string | null;
  compare_from: string | null;
  compare_to: string | null;
  top: { n: number; order: string } | null;
}
interface Question {
  id: string;
  q: string;
  now: string;
  tz: string;
  expect?: Expected;
  expect_status?: string[];
}
interface Outcome {
  status?: string;
  plan?: Partial<Expected> | null;
}

type Verdict = 'right' | 'wrong_confident' | 'clarified_expected_answer' | 'answered_expected_clarify' | 'error';

const questions: Question[] = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Question);

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function runCli(q: Question, dataDir: string, port: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/opsight.js'), 'ask', '--json', '--now', q.now, '--tz', q.tz, q.q], {
      cwd: ROOT,
      env: { ...process.env, OPSIGHT_DATA_DIR: dataDir, OPSIGHT_DEMO: '0', PORT: String(port) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

const sameInstant = (a: unknown, b: string | null) =>
  (a === null || a === undefined) && b === null ? true : typeof a === 'string' && b !== null && Date.parse(a) === Date.parse(b);
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};
const lower = (vs: readonly string[]) => vs.map((v) => v.toLowerCase());

/** Field-by-field differences between a plan and the expectation; empty when right. */
function diff(plan: Partial<Expected>, e: Expected): string[] {
  const out: string[] = [];
  const show = (k: string, want: unknown, got: unknown) => out.push(`${k}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  if (plan.metric !== e.metric) show('metric', e.metric, plan.metric);
  if ((plan.grain ?? null) !== e.grain) show('grain', e.grain, plan.grain);
  if (JSON.stringify(plan.top ?? null) !== JSON.stringify(e.top)) show('top', e.top, plan.top);
  if (!sameSet(plan.by ?? [], e.by)) show('by', e.by, plan.by);
  const pf = plan.filters ?? {};
  const filtersEqual = sameSet(Object.keys(pf), Object.keys(e.filters)) && Object.entries(e.filters).every(([k, v]) => sameSet(lower(pf[k] ?? []), lower(v)));
  if (!filtersEqual) show('filters', e.filters, pf);
  for (const k of ['from', 'to', 'compare_from', 'compare_to'] as const) if (!sameInstant(plan[k], e[k])) show(k, e[k], plan[k]);
  return out;
}

function judge(q: Question, run: { code: number | null; stdout: string; stderr: string }): { verdict: Verdict; detail: string } {
  if (run.code !== 0) return { verdict: 'error', detail: `exit ${run.code}: ${run.stderr.trim().slice(0, 300)}` };
  let out: Outcome;
  try {
    out = JSON.parse(run.stdout) as Outcome;
  } catch {
    return { verdict: 'error', detail: `stdout is not JSON: ${run.stdout.slice(0, 200)}` };
  }
  if (q.expect_status) {
    if (out.status && q.expect_status.includes(out.status)) return { verdict: 'right', detail: '' };
    const verdict: Verdict = out.status === 'answered' ? 'answered_expected_clarify' : 'wrong_confident';
    return { verdict, detail: `expected status ${q.expect_status.join('|')}, got ${out.status}${out.plan ? ` ${JSON.stringify(out.plan)}` : ''}` };
  }
  if (!q.expect) return { verdict: 'error', detail: 'line has neither expect nor expect_status' };
  if (out.status !== 'answered' || !out.plan) {
    return { verdict: 'clarified_expected_answer', detail: `expected an answer, got ${out.status}: ${JSON.stringify(out).slice(0, 300)}` };
  }
  const d = diff(out.plan, q.expect);
  return d.length === 0 ? { verdict: 'right', detail: '' } : { verdict: 'wrong_confident', detail: d.join('\n      ') };
}

// --- run through the CLI, at most PARALLEL at a time, each worker with its own data dir (chDB locks it)
const results: Array<{ q: Question; verdict: Verdict; detail: string }> = new Array(questions.length);
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: Math.min(PARALLEL, questions.length) }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsight-bench-questions-'));
    const port = await freePort();
    try {
      while (next < questions.length) {
        const i = next++;
        const q = questions[i]!;
        results[i] = { q, ...judge(q, await runCli(q, dir, port)) };
        process.stderr.write(`\r${results.filter(Boolean).length}/${questions.length} questions`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);
process.stderr.write('\n');

const counts: Record<Verdict, number> = { right: 0, wrong_confident: 0, clarified_expected_answer: 0, answered_expected_clarify: 0, error: 0 };
for (const r of results) {
  counts[r.verdict]++;
  if (r.verdict !== 'right') console.log(`✗ ${r.q.id} [${r.verdict}] ${JSON.stringify(r.q.q)} (now ${r.q.now}, ${r.q.tz})\n      ${r.detail}`);
}

// --- planner latency, in process
const planner = createPlanner(loadCatalog(join(ROOT, 'rules')));
const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  for (const q of questions) {
    const s = performance.now();
    planner.plan(q.q, { now: new Date(q.now), tz: q.tz });
    times.push(performance.now() - s);
  }
}
times.sort((a, b) => a - b);

const n = questions.length;
console.log(`\nbench:questions  ${FILE}  (${n} questions, CLI wall time ${((performance.now() - t0) / 1000).toFixed(1)} s incl. latency runs)`);
console.log(`  right                              ${counts.right}/${n}  (${((100 * counts.right) / n).toFixed(1)}%)`);
console.log(`  wrong-confident                    ${counts.wrong_confident}`);
console.log(`  clarified when an answer expected  ${counts.clarified_expected_answer}`);
console.log(`  answered when clarify expected     ${counts.answered_expected_clarify}`);
console.log(`  errors                             ${counts.error}`);
console.log(`  planner latency (in process, ${times.length} plans): p50 ${quantile(times, 0.5).toFixed(3)} ms, p95 ${quantile(times, 0.95).toFixed(3)} ms`);
process.exitCode = counts.error > 0 ? 1 : 0;
