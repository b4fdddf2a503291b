/**
 * npm run bench:nab [-- --data DIR --labels FILE --out DIR --reference FILE.csv.gz]
 *
 * Streams every NAB data file, row by row in file order, through the production `combined`
 * detector with its default configuration (the same for every file; the detector never sees
 * labels), writes `<out>/<category>/<name>.csv` (timestamp,value,anomaly_score), then scores
 * all three NAB profiles. numenta's published scores for the same files are scored in the same
 * run as the baseline, which also shows the scorer reproduces the reference numbers.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { combined } from '../src/detect/index.js';
import { NAB_PROFILES, loadNabCorpus, readPooledScores, scoreOptimized, withScores, type NabCorpusScore, type NabFile } from '../src/detect/nab/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { data: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string' }, reference: { type: 'string' } },
  strict: true,
});
const NAB = resolve(process.cwd(), '../shared/eval/nab');
const dataDir = resolve(values.data ?? join(NAB, 'data'));
const labelsFile = resolve(values.labels ?? join(NAB, 'labels/combined_windows.json'));
const outDir = resolve(values.out ?? mkdtempSync(join(tmpdir(), 'opsight-nab-')));
const referenceFile = resolve(values.reference ?? join(dirname(dataDir), 'reference_results/numenta_anomaly_scores.csv.gz'));

const series = loadNabCorpus(dataDir, labelsFile);
const ours = new Map<string, number[]>();
let points = 0;
let detectMs = 0;
series.forEach((s, k) => {
  const started = performance.now();
  let state = combined.init({});
  const scores = new Array<number>(s.rows.length);
  for (let i = 0; i < s.rows.length; i++) {
    const row = s.rows[i]!;
    const r = combined.step(state, { t: row.t, value: row.value });
    state = r.state;
    scores[i] = r.score;
  }
  detectMs += performance.now() - started;
  points += s.rows.length;
  ours.set(s.name, scores);
  const file = join(outDir, s.name);
  mkdirSync(dirname(file), { recursive: true });
  const lines = s.rows.map((row, i) => `${row.timestamp},${row.value ?? ''},${scores[i]}`);
  writeFileSync(file, `timestamp,value,anomaly_score\n${lines.join('\n')}\n`);
  process.stderr.write(`\r[${k + 1}/${series.length}] ${s.name}`.padEnd(80));
});
process.stderr.write('\n');

const windows = series.reduce((n, s) => n + s.windows.length, 0);
console.log(`NAB: ${series.length} files, ${points.toLocaleString('en-US')} rows, ${windows} windows (${dataDir})`);
console.log(`results written to ${outDir}`);
console.log(`detector: combined, default configuration, streaming point by point: ${Math.round(points / (detectMs / 1000)).toLocaleString('en-US')} points/s\n`);

function report(title: string, files: NabFile[]): void {
  const results: NabCorpusScore[] = NAB_PROFILES.map((p) => scoreOptimized(files, p));
  console.log(title);
  console.log(`  ${'profile'.padEnd(20)} ${'threshold'.padStart(16)} ${'raw'.padStart(9)} ${'null'.padStart(6)} ${'perfect'.padStart(8)} ${'NAB score'.padStart(10)}`);
  for (const r of results) {
    console.log(
      `  ${r.profile.name.padEnd(20)} ${r.threshold.toPrecision(12).padStart(16)} ${r.raw.toFixed(4).padStart(9)} ${String(r.nullRaw).padStart(6)} ${String(r.perfectRaw).padStart(8)} ${r.score.toFixed(3).padStart(10)}`,
    );
  }
  const std = results[0]!;
  const byCategory = new Map<string, number>();
  for (const f of std.files) {
    const c = f.name.split('/')[0]!;
    byCategory.set(c, (byCategory.get(c) ?? 0) + f.raw);
  }
  console.log(`  standard raw per category: ${[...byCategory].map(([c, v]) => `${c} ${v.toFixed(4)}`).join(', ')}`);
  const c = std.counts;
  console.log(`  at the standard threshold: ${c.windowsDetected} windows detected, ${c.windowsMissed} missed, ${c.fp} false-positive rows; rows: ${c.tp} detected in windows, ${c.fn} missed in windows, ${c.fp} detected outside, ${c.tn} quiet outside\n`);
}

report('opsight combined detector', withScores(series, (n) => ours.get(n)));
if (existsSync(referenceFile)) {
  const ref = readPooledScores(referenceFile);
  report('baseline: numenta HTM (published per-row scores; standard should read 73.560)', withScores(series, (n) => ref.get(n)));
} else {
  console.log(`baseline skipped: ${referenceFile} not found (pass --reference FILE)`);
}
