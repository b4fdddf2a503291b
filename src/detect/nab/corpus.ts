/** A NAB corpus on disk: every data file with its windows as row positions. */
import { join } from 'node:path';
import { OpsightError } from '../../errors.js';
import { listNabFiles, readNabData, readNabWindows, windowPositions, type NabRow } from './files.js';
import type { NabFile } from './scorer.js';

export interface NabSeries {
  readonly name: string; // "<category>/<name>.csv"
  readonly rows: readonly NabRow[];
  readonly windows: readonly (readonly [number, number])[];
}

/** Loads every CSV under dataDir and places its windows. A data file missing from the labels is an error. */
export function loadNabCorpus(dataDir: string, labelsFile: string): NabSeries[] {
  const labels = readNabWindows(labelsFile);
  return listNabFiles(dataDir).map((name) => {
    const windows = labels[name];
    if (!windows) {
      throw new OpsightError('opsight_config_invalid', `${labelsFile} has no entry for ${name}: every data file needs one (an empty list when it has no anomaly)`);
    }
    const rows = readNabData(join(dataDir, name));
    return { name, rows, windows: windowPositions(name, rows.map((r) => r.timestamp), windows) };
  });
}

/** Pairs each series with a detector's scores (looked up by name), checking row counts. */
export function withScores(series: readonly NabSeries[], scoresOf: (name: string) => readonly number[] | undefined): NabFile[] {
  return series.map((s) => {
    const scores = scoresOf(s.name);
    if (!scores) throw new OpsightError('opsight_config_invalid', `no anomaly scores for ${s.name}`);
    if (scores.length !== s.rows.length) {
      throw new OpsightError('opsight_config_invalid', `${s.name}: ${scores.length} scores for ${s.rows.length} data rows; results must have one row per data row, in order`);
    }
    return { name: s.name, scores, windows: s.windows };
  });
}
