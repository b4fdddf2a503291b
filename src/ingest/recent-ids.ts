/**
 * Ids of events this process has stored, bucketed by event hour, bounded in size. When the
 * process is the only writer (embedded store), an event newer than everything that was in
 * the store at start-up and newer than anything evicted here can only be a duplicate if it
 * is in this index: no store round trip needed. Everything else is checked in the store.
 */
const HOUR_MS = 3_600_000;

export class RecentIds {
  private readonly buckets = new Map<number, Set<string>>();
  private count = 0;
  /** Events with ts below this may have been evicted: the index cannot vouch for them. */
  private evictedBelowMs = Number.NEGATIVE_INFINITY;

  /** @param capacity ids kept before the oldest hours are dropped (~100 bytes each). */
  constructor(private readonly capacity = 1_000_000) {}

  get size(): number {
    return this.count;
  }

  has(id: string, tsMs: number): boolean {
    return this.buckets.get(Math.floor(tsMs / HOUR_MS))?.has(id) ?? false;
  }

  /** Whether a miss for an event at tsMs is authoritative (nothing of that hour was evicted). */
  covers(tsMs: number): boolean {
    return tsMs >= this.evictedBelowMs;
  }

  /** Forgets an id, e.g. when the insert it was added for failed and will be retried. */
  delete(id: string, tsMs: number): void {
    if (this.buckets.get(Math.floor(tsMs / HOUR_MS))?.delete(id)) this.count--;
  }

  add(id: string, tsMs: number): void {
    const hour = Math.floor(tsMs / HOUR_MS);
    let bucket = this.buckets.get(hour);
    if (!bucket) this.buckets.set(hour, (bucket = new Set()));
    if (bucket.has(id)) return;
    bucket.add(id);
    if (++this.count > this.capacity) this.evictOldest();
  }

  private evictOldest(): void {
    const hours = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const hour of hours) {
      if (this.count <= this.capacity * 0.9) break;
      this.count -= this.buckets.get(hour)!.size;
      this.buckets.delete(hour);
      this.evictedBelowMs = Math.max(this.evictedBelowMs, (hour + 1) * HOUR_MS);
    }
  }
}
