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
 * so results are memoised in a bounded cache: HMAC per event would dominate ingest cost.
 */
export function createPseudonymiser(key: string, cacheSize = 200_000): (userId: string) => string {
  let cache = new Map<string, string>();
  return (userId: string): string => {
    if (userId === '') return '';
    const hit = cache.get(userId);
    if (hit !== undefined) return hit;
    const out = `p_${createHmac('sha256', key).update(userId).digest('hex').slice(0, 32)}`;
    if (cache.size >= cacheSize) cache = new Map();
    cache.set(userId, out);
    return out;
  };
}
