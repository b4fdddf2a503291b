/**
 * Regenerates src/sandbox/spec/methods.json from Slack's Web API spec in ../shared/eval/slack/.
 *
 *   node --import tsx scripts/slack-spec.ts [SPEC_DIR]
 *
 * SPEC_DIR defaults to ../shared/eval/slack beside the repository. The output is committed; a
 * test (test/sandbox/spec.test.ts) fails when it no longer matches what this script writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { METHODS_FILE, SPEC_FILE_NAME, buildMethodsExtract, formatMethodsExtract } from '../src/sandbox/index.js';

const specDir = resolve(process.argv[2] ?? join(import.meta.dirname, '../../shared/eval/slack'));
const openApi: unknown = JSON.parse(readFileSync(join(specDir, SPEC_FILE_NAME), 'utf8'));
const sourceTxt = readFileSync(join(specDir, 'SOURCE.txt'), 'utf8');
const extract = buildMethodsExtract(openApi, sourceTxt, SPEC_FILE_NAME);
writeFileSync(METHODS_FILE, formatMethodsExtract(extract));
process.stdout.write(`wrote ${METHODS_FILE}: ${Object.keys(extract.methods).length} methods from ${extract.source.file} @ ${extract.source.commit.slice(0, 7)}\n`);
