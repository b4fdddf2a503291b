import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The key for pseudonymising user_id: from OPSIGHT_PSEUDONYM_KEY, else generated once and
 * kept (mode 0600) in the data directory so pseudonyms stay stable across restarts.
 */
export function resolvePseudonymKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const dir = resolve(dataDir);
  const file = join(dir, 'pseudonym.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * Keyed hash (HMAC-SHA256, 128 bits kept) of a user id. Ids repeat a lot in event streams,
 * so results are memoised: HMAC per event would dominate ingest cost. The cache has two
 * generations (hits in the old one are promoted), so a working set a little larger than
 * one generation is not thrown away whole each time it fills.
 */
export function createPseudonymiser(key: string, generationSize = 262_144): (userId: string) => string {
  let young = new Map<string, string>();
  let old = new Map<string, string>();
  return (userId: string): string => {
    if (userId === '') return '';
    let out = young.get(userId);
    if (out !== undefined) return out;
    out = old.get(userId) ?? `p_${createHmac('sha256', key).update(userId).digest('hex').slice(0, 32)}`;
    if (young.size >= generationSize) {
      old = young;
      young = new Map();
    }
    young.set(userId, out);
    return out;
  };
}
